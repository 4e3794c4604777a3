"""``concentration indices``: concentration measures per market and period."""

from __future__ import annotations

from ._cli_common import add_column_options, column_kwargs, parse_list, write_output


def register(sub):
    p = sub.add_parser(
        "indices", help="concentration indices per market and period",
        description="Compute concentration measures for every (market, period) of a "
                    "Parquet file, directory or hive-partitioned dataset.")
    p.add_argument("source", help="Parquet file or directory of shares")
    p.add_argument("--measures", default="hhi,cr4",
                   help="comma-separated measures, e.g. hhi,cr4,effective_number,gini "
                        "(default: hhi,cr4)")
    p.add_argument("--fringe", choices=("ignore", "bounds", "as_firms"), default="ignore",
                   help="policy when shares sum below one (default: ignore)")
    p.add_argument("--fringe-size", type=float, default=None,
                   help="fringe firm size for --fringe as_firms, in the unit of --scale")
    p.add_argument("--duplicates", choices=("error", "sum"), default="error",
                   help="several rows of one firm in one market: error or sum")
    p.add_argument("--out", "-o", default=None,
                   help="output file (.parquet, .csv, .json); a table on stdout if omitted")
    add_column_options(p)
    p.set_defaults(handler=run)


def run(args):
    import warnings

    from .exceptions import FringeWarning
    from .indices import indices
    from .io import read_shares

    kw = column_kwargs(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)  # reported in the output columns
        frame = read_shares(args.source, **kw, duplicates=args.duplicates)
        measures = parse_list(args.measures)
        fringe = args.fringe
        extra = ["hhi_min", "hhi_max"] if fringe == "bounds" else []
        result = indices(frame, measures + extra, market=kw["market"], period=kw["period"],
                         firm=kw["firm"], share=kw["share"] if kw["value"] is None else "share",
                         fringe="ignore" if fringe == "bounds" else fringe,
                         fringe_size=None if args.fringe_size is None else
                         args.fringe_size / (100.0 if args.scale == "percent" else 1.0))
    result.attrs["provenance"] = frame.attrs.get("provenance", {})
    write_output(result, args.out)
    return 0
