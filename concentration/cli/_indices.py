"""``concentration indices``: concentration measures per market and period."""

from __future__ import annotations

from ._common import (add_column_options, add_command, add_duplicates_option,
                          add_output_option, emit, fringe_reported, parse_list,
                          read_shares_options)
from ._screen import add_entities_option, read_entities


def register(sub):
    p = add_command(sub, "indices", run, help="concentration indices per market and period",
                    inputs={"source": "Parquet file or directory of shares"})
    p.add_argument("--measures", default="hhi,cr4",
                   help="comma-separated measures, e.g. hhi,cr4,effective_number,gini "
                        "(default: hhi,cr4)")
    p.add_argument("--fringe", choices=("ignore", "bounds", "as_firms"), default="ignore",
                   help="policy when shares sum below one (default: ignore)")
    p.add_argument("--fringe-size", type=float, default=None,
                   help="fringe firm size for --fringe as_firms, in the unit of --scale")
    add_entities_option(p)
    add_duplicates_option(p)
    add_output_option(p)
    add_column_options(p)


def run(args):
    """Compute concentration measures for every (market, period) of a Parquet file,
    directory or hive-partitioned dataset, each market's periods in time order, with the
    HHI bounds (hhi_min, hhi_max) beside the HHI.  With --entities, firms are joined to
    their ultimate parents first.
    """
    from .._validation import scale_factor
    from ..measures import indices

    entities = read_entities(args)
    with fringe_reported():  # the fringe is reported in the output columns
        frame, columns = read_shares_options(args, args.source, duplicates=args.duplicates)
        measures = parse_list(args.measures)
        fringe = args.fringe
        extra = ["hhi_min", "hhi_max"] if fringe == "bounds" else []
        fringe_size = args.fringe_size
        if fringe_size is not None:
            fringe_size = fringe_size / scale_factor("concentration indices", args.scale)
        result = indices(frame, measures + extra, **columns,
                         fringe="ignore" if fringe == "bounds" else fringe,
                         fringe_size=fringe_size, parent=entities,
                         duplicates=args.duplicates)
    return emit(result, args, provenance_from=frame)
