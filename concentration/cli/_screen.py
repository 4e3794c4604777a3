"""``concentration screen`` and ``concentration verify``: merger screens and the published corpus."""

from __future__ import annotations

import os
import sys

from ._common import (add_column_options, add_command, add_duplicates_option,
                          add_output_option, emit, fringe_reported, parse_list, read_input,
                          read_shares_options, write_output)

ENTITIES_HELP = ("entity table (Parquet or CSV: firm or entity, parent, optional "
                 "parent_since and aliases) to resolve firms and merging parties to their "
                 "ultimate parent at each period's end, or 'bundled' for the bundled "
                 "entities dataset")


def add_entities_option(parser):
    """Add ``--entities`` (an entity table, or ``bundled``)."""
    parser.add_argument("--entities", default=None, help=ENTITIES_HELP)


def read_entities(args):
    """The ``--entities`` table as a DataFrame (None when the option is not given)."""
    value = getattr(args, "entities", None)
    if value is None:
        return None
    if value == "bundled" and not os.path.exists(value):
        from .. import datasets

        return datasets.load("entities")
    source = read_input(args.command, "--entities", value)
    if not isinstance(source, str) and not isinstance(source, os.PathLike):
        return source  # a CSV/TSV table already read
    from ..io import read_table

    return read_table(source, func=f"concentration {args.command}")


def register(sub):
    p = add_command(sub, "screen", run_screen, help="merger screen in every market and period",
                    inputs={"source": "Parquet file or directory of shares"})
    p.add_argument("--merging", required=True,
                   help="comma-separated merging parties, e.g. \"A,B\"")
    p.add_argument("--guidelines", default="us2023",
                   help="comma-separated registry keys or 'all' (default: us2023)")
    add_entities_option(p)
    add_duplicates_option(p)
    add_output_option(p)
    add_column_options(p)

    v = sub.add_parser(
        "verify", help="reproduce the shipped corpus of published figures",
        description="Reproduce every figure of the published-case corpus shipped with the "
                    "package and print pass/fail per case. Exit code 1 if any case fails.")
    add_output_option(v, help="also write the per-figure table (.parquet, .csv, .json)")
    v.set_defaults(handler=run_verify)


def run_screen(args):
    """Pre/post HHI, change in HHI, combined share and the verdict of each merger-guideline
    edition for every (market, period) of a Parquet file, at both bounds of the HHI where
    the listed shares sum below one (verdict_lower, verdict_upper, holds_at_both_bounds).
    With --entities, firms and merging parties are resolved to their ultimate parents.
    """
    from .._tables import text_as_labels
    from ..screen import screen_merger

    guidelines = args.guidelines if args.guidelines == "all" else parse_list(args.guidelines)
    entities = read_entities(args)
    with fringe_reported():  # the fringe is reported in lower_bound and the bound columns
        frame, columns = read_shares_options(args, args.source, duplicates=args.duplicates)
        merging = text_as_labels(parse_list(args.merging), frame, columns["firm"])
        result = screen_merger(frame, merging, guidelines=guidelines, **columns,
                               duplicates=args.duplicates, parent=entities)
    return emit(result.to_frame(), args, provenance_from=frame, index=False)


def run_verify(args):
    from ..testing import verify_published

    table = verify_published()
    for case_id, rows in table.groupby("case_id", sort=False):
        failed = rows[rows["status"] == "fail"]
        documented = (rows["status"] == "documented_mismatch").sum()
        status = "FAIL" if len(failed) else "pass"
        extra = f" ({documented} documented mismatch(es), explained in the case note)" if documented else ""
        sys.stdout.write(f"{status:4s}  {case_id}  [{len(rows)} figure(s)]{extra}\n")
        for _, r in failed.iterrows():
            sys.stdout.write(f"      {r['figure']}: published {r['published']}, computed "
                             f"{r['computed']}\n")
    n_fail = int((~table.groupby("case_id")["ok"].all()).sum())
    n_cases = table["case_id"].nunique()
    sys.stdout.write(f"{n_cases - n_fail}/{n_cases} cases pass\n")
    if args.out:
        write_output(table.astype({"published": str, "computed": str}), args.out, index=False,
                     raw_csv=args.raw_csv, command="verify")
    return 1 if n_fail else 0
