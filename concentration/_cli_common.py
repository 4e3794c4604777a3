"""Options and output helpers shared by the command-line subcommands."""

from __future__ import annotations

import os
import sys

import pandas as pd

from .exceptions import InvalidParameterError

__all__ = ["add_column_options", "column_kwargs", "write_output", "parse_list"]


def add_column_options(parser):
    """Add the column-name and unit options every table-reading subcommand shares."""
    g = parser.add_argument_group("columns and units")
    g.add_argument("--market-col", default="market", help="market column (default: market)")
    g.add_argument("--period-col", default="period", help="period column (default: period)")
    g.add_argument("--firm-col", default="firm", help="firm column (default: firm)")
    g.add_argument("--share-col", default="share", help="share column (default: share)")
    g.add_argument("--value-col", default=None,
                   help="derive shares from this sales/revenue column instead")
    g.add_argument("--scale", choices=("fraction", "percent"), default="fraction",
                   help="unit of the share column (default: fraction)")


def column_kwargs(args) -> dict:
    """Keyword arguments for the library's share functions from the parsed options."""
    return {"market": args.market_col, "period": args.period_col, "firm": args.firm_col,
            "share": args.share_col, "value": args.value_col, "scale": args.scale}


def parse_list(text):
    """Split a comma-separated option into a list of stripped, non-empty items."""
    return [t.strip() for t in str(text).split(",") if t.strip()]


def write_output(frame: pd.DataFrame, out, *, index=True):
    """Write ``frame`` to ``out`` (format from the extension) or print it to stdout."""
    if out is None or out == "-":
        with pd.option_context("display.max_rows", 200, "display.width", 160,
                               "display.max_columns", 30):
            sys.stdout.write(frame.to_string() + "\n")
        return
    ext = os.path.splitext(out)[1].lower()
    if ext == ".parquet":
        from .io import write_parquet

        write_parquet(frame.reset_index() if index else frame, out,
                      provenance=frame.attrs.get("provenance") or None)
    elif ext == ".csv":
        frame.to_csv(out, index=index)
    elif ext == ".json":
        (frame.reset_index() if index else frame).to_json(out, orient="records", indent=1)
    else:
        raise InvalidParameterError(
            f"The '--out' option must end in .parquet, .csv or .json. Got {out!r} instead. "
            "Choose one of those extensions, or omit --out to print a table.")
