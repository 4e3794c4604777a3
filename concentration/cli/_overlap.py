"""``concentration overlap``: pairwise overlap scores from a long weight table."""

from __future__ import annotations

from .._constants import OVERLAP_METRICS
from ._common import add_command, add_named_columns, add_output_option, check_path, emit


def register(sub):
    p = add_command(sub, "overlap", run,
                    help="pairwise overlap (cosine, Jaccard, kappa, ...) between rows",
                    inputs={"source": "Parquet file or directory with the weight table"})
    p.add_argument("--metric", choices=OVERLAP_METRICS, default="cosine",
                   help="score (default: cosine)")
    p.add_argument("--top-k", type=int, default=None,
                   help="keep the K highest scores of each row")
    p.add_argument("--threshold", type=float, default=None,
                   help="keep scores >= THRESHOLD")
    p.add_argument("--control", default=None,
                   help="Parquet table of control weights G for --metric kappa "
                        "(same columns; default: control follows the weights)")
    add_named_columns(p, ("row", "column", "weight"))
    p.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    add_output_option(p)


def _long(path, args, name):
    from ..io import read_table

    check_path("overlap", name, path)
    cols = [args.row_col, args.column_col, args.weight_col]
    frame = read_table(path, columns=cols, func="concentration overlap",
                       required={"row-col": args.row_col, "column-col": args.column_col,
                                 "weight-col": args.weight_col})
    out = frame[cols].rename(columns=dict(zip(cols, ("row", "column", "weight"))))
    out.attrs["provenance"] = frame.attrs.get("provenance", {})
    return out


def run(args):
    """Score every pair of rows of a long (row, column, weight) table, e.g. firms by the
    owners they share. Prints or writes the pairs as a long table (row, row_other,
    <metric>); pairs with score 0 are omitted.
    """
    from .._pairwise import overlap

    W = _long(args.source, args, "source")
    control = None
    if args.metric == "kappa":
        control = _long(args.control, args, "--control") if args.control else W
    result = overlap(W, metric=args.metric, control=control, threshold=args.threshold,
                     top_k=args.top_k, output="pairs", n_threads=args.threads)
    # overlap() returns a long labelled table for long input; restore the user's names
    result = overlap_frame_names(result, args.row_col)
    return emit(result, args, provenance_from=W, index=False)


def overlap_frame_names(frame, row_col):
    """Rename the (row, row_other) columns of a pair table after the input's row column.
    """
    return frame.rename(columns={"row": row_col, "row_other": f"{row_col}_other"})
