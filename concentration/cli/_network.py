"""``concentration network``: centrality of a partnership network per period."""

from __future__ import annotations

import os

from ._common import (add_command, add_named_columns, add_output_option, check_path, emit,
                      parse_list)


def register(sub):
    p = add_command(sub, "network", run, help="partnership-network centrality per period",
                    inputs={"source": "Parquet file or directory of ties, or 'ai_partnerships'"})
    p.add_argument("--measure", default="degree",
                   help="comma-separated measures: degree, strength, eigenvector, pagerank, "
                        "katz, betweenness, closeness, harmonic (default: degree)")
    p.add_argument("--freq", default="YS",
                   help="period frequency (pandas alias: YS years, QS quarters, MS months; "
                        "default YS)")
    p.add_argument("--how", choices=("window", "as_of"), default="window",
                   help="ties live at any time in the period (window) or on its first day")
    p.add_argument("--nodes", choices=("live", "all"), default="live",
                   help="firms of each period: with a live tie, or every firm (default live)")
    p.add_argument("--as-of", default=None,
                   help="one snapshot at this date instead of periods")
    p.add_argument("--start", default=None, help="first period (date)")
    p.add_argument("--end", default=None, help="last period (date)")
    p.add_argument("--weight-as", choices=("strength", "distance", "none"), default="none",
                   help="meaning of the weight column: strength (larger = closer), distance "
                        "(larger = farther) or none (ignore weights; default)")
    p.add_argument("--directed", action="store_true",
                   help="treat ties flagged directed as one-way (source -> target)")
    p.add_argument("--entities", default=None,
                   help="Parquet table of entities (name/entity, aliases, parent) to resolve "
                        "firms to their ultimate parent, or 'bundled'")
    p.add_argument("--k", type=int, default=None, help="betweenness: sample k sources")
    p.add_argument("--seed", type=int, default=None, help="betweenness: sampling seed")
    add_output_option(p)
    add_named_columns(p.add_argument_group("columns"),
                      ("source", "target", "kind", "start", "end", "weight", "directed"))


def _table(path, name):
    from .. import datasets
    from ..io import read_table

    if not os.path.exists(path) and path in {"ai_partnerships", "entities"}:
        return datasets.load(path)
    return read_table(check_path("network", name, path), func="concentration network")


def run(args):
    """Read ties (source, target, kind, start, end, weight, directed) from a Parquet file
    (or the bundled dataset 'ai_partnerships') and write a tidy table (firm, period,
    measure, value) of centrality per period.
    """
    from ..network._network import PartnershipNetwork

    edges = _table(args.source, "source")
    entities = None
    if args.entities is not None:
        entities = _table("entities" if args.entities == "bundled" else args.entities,
                          "--entities")
    net = PartnershipNetwork(edges, source=args.source_col, target=args.target_col,
                             kind=args.kind_col, start=args.start_col, end=args.end_col,
                             weight=args.weight_col, directed=args.directed_col,
                             entities=entities)
    weight_as = None if args.weight_as == "none" else args.weight_as
    options = {}
    measures = parse_list(args.measure)
    if "betweenness" in measures and len(measures) > 1 and (args.k or args.seed is not None):
        from ..exceptions import InvalidParameterError

        raise InvalidParameterError(
            "The '--k' option applies to betweenness only. Got it with several measures "
            "instead. Run betweenness on its own with --k.")
    if args.k is not None:
        options["k"] = args.k
    if args.seed is not None:
        options["seed"] = args.seed
    if args.as_of is not None:
        snap = net.as_of(args.as_of, nodes=args.nodes)
        import pandas as pd

        frames = []
        for m in measures:
            s = snap.centrality(m, weight_as=weight_as, directed=args.directed, **options)
            frames.append(pd.DataFrame({"firm": s.index, "period": pd.Timestamp(args.as_of),
                                        "measure": m, "value": s.to_numpy()}))
        result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    else:
        result = net.centrality_over_time(measures, freq=args.freq, how=args.how,
                                          start=args.start, end=args.end, nodes=args.nodes,
                                          weight_as=weight_as, directed=args.directed,
                                          **options)
    return emit(result, args, provenance_from=edges, index=False)
