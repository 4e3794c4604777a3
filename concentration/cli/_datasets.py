"""``concentration datasets``: list and export the bundled AI-industry datasets."""

from __future__ import annotations

import os
import sys

from ..exceptions import InvalidParameterError
from ._common import add_raw_csv_option, check_path, printable, write_output


def register(sub):
    p = sub.add_parser(
        "datasets", help="list or export the bundled AI-industry datasets",
        description="List the bundled datasets, or export one to Parquet or CSV.")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    ls = actions.add_parser("list", help="list the bundled datasets")
    ls.set_defaults(handler=run_list)

    ex = actions.add_parser(
        "export", help="write one dataset to a .parquet or .csv file",
        description="Write a bundled dataset to a file; the format follows the extension. "
                    "Parquet output keeps the provenance metadata.")
    ex.add_argument("name", help="dataset name (see 'concentration datasets list')")
    ex.add_argument("-o", "--out", required=True, help="output file: .parquet or .csv")
    ex.add_argument("--as-of", default=None,
                    help="state at this date (YYYY-MM-DD); see concentration.datasets.load")
    ex.add_argument("--all-rows", action="store_true",
                    help="ai_market_shares: keep 'others'/aggregate rows and superseded "
                         "vintages (default: firm rows of the latest vintage)")
    ex.add_argument("--held-only", action="store_true",
                    help="ai_ownership: keep only stakes with stake_status 'held'")
    add_raw_csv_option(ex)
    ex.set_defaults(handler=run_export)

    card = actions.add_parser("card", help="print a dataset's card (Markdown)")
    card.add_argument("name", help="dataset name")
    card.set_defaults(handler=run_card)


def run_list(args):
    from ..datasets import list_datasets

    frame = list_datasets()[["name", "rows", "columns", "description"]]
    sys.stdout.write(frame.to_string(index=False) + "\n")
    return 0


def run_card(args):
    from ..datasets import card

    sys.stdout.write(card(args.name))
    return 0


def run_export(args):
    from ..datasets import load
    from ..io import write_parquet

    ext = os.path.splitext(args.out)[1].lower()
    if ext not in (".parquet", ".csv"):
        raise InvalidParameterError(
            f"The '--out' option of concentration datasets export must end in .parquet or "
            f".csv. Got {args.out!r} instead. Choose one of those extensions.")
    kwargs = {"as_of": args.as_of}
    if args.all_rows:
        kwargs.update(firms_only=False, vintage="all")
    if args.held_only:
        kwargs["held_only"] = True
    frame = load(args.name, **kwargs)
    if ext == ".parquet":
        prov = dict(frame.attrs.get("provenance", {}))
        prov["export"] = {k: v for k, v in frame.attrs.get("dataset", {}).items()
                          if v is not None}
        write_parquet(frame, check_path("datasets export", "--out", args.out), provenance=prov)
        sys.stderr.write(f"wrote {len(frame):,} rows to {printable(args.out)}\n")
    else:  # says what it wrote
        write_output(frame, args.out, index=False, raw_csv=args.raw_csv,
                     command="datasets export")
    return 0
