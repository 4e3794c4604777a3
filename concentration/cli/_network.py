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
    p.add_argument("--weight-as", choices=("strength", "distance", "none"), default="strength",
                   help="meaning of the tie values: strength (larger = closer; path measures "
                        "use the length 1/strength; default, as in Python), distance "
                        "(larger = farther) or none (ignore them)")
    p.add_argument("--strength", choices=("weight", "count", "amount"), default="weight",
                   help="tie strength of one deal row: the weight column (1 per row without "
                        "one; default), 1 per row (count of deals) or the amount column")
    p.add_argument("--combine", choices=("sum", "max"), default="sum",
                   help="how the live deals of one pair combine (default sum)")
    p.add_argument("--alpha", type=float, default=None,
                   help="katz: attenuation (default 0.5/rho(A)); pagerank: damping (default "
                        "0.85)")
    p.add_argument("--directed", action="store_true",
                   help="treat ties flagged directed as one-way (source -> target)")
    p.add_argument("--entities", default=None,
                   help="Parquet table of entities (firm/entity, parent, parent_since, "
                        "aliases) to resolve firms to their ultimate parent at each tie's "
                        "start, or 'bundled'")
    p.add_argument("--k", type=int, default=None, help="betweenness: sample k sources")
    p.add_argument("--seed", type=int, default=None, help="betweenness: sampling seed")
    p.add_argument("--endpoints", action="store_true",
                   help="betweenness: count the ends of each path too")
    add_output_option(p)
    cols = p.add_argument_group("columns")
    add_named_columns(cols, ("source", "target", "kind", "start", "end", "weight", "directed"))
    cols.add_argument("--also-kinds-col", default="also_types",
                      help="column of a deal's extra kinds, ';'- or ','-separated (default: "
                           "also_types)")
    cols.add_argument("--amount-col", default="amount_usd",
                      help="column of deal amounts, for --strength amount (default: "
                           "amount_usd)")


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
                             also_kinds=args.also_kinds_col, strength=args.strength,
                             amount=args.amount_col, parent=entities)
    weight_as = None if args.weight_as == "none" else args.weight_as
    measures = parse_list(args.measure)
    options = _options(measures, args)
    graph = dict(weight_as=weight_as, directed=args.directed, combine=args.combine)
    if args.as_of is not None:
        snap = net.as_of(args.as_of, nodes=args.nodes)
        import pandas as pd

        frames = []
        for m in measures:
            s = snap.centrality(m, **graph, **options)
            frames.append(pd.DataFrame({"firm": s.index, "period": pd.Timestamp(args.as_of),
                                        "measure": m, "value": s.to_numpy()}))
        result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    else:
        result = net.centrality_over_time(measures, freq=args.freq, how=args.how,
                                          start=args.start, end=args.end, nodes=args.nodes,
                                          **graph, **options)
    return emit(result, args, provenance_from=edges, index=False)


def _options(measures, args):
    """The measure options given on the command line; an option of another measure is an error."""
    from ..exceptions import InvalidParameterError

    given = {"k": ("betweenness", args.k), "seed": ("betweenness", args.seed),
             "endpoints": ("betweenness", args.endpoints or None),
             "alpha": (("katz", "pagerank"), args.alpha)}
    options = {}
    for name, (owners, value) in given.items():
        if value is None:
            continue
        owners = (owners,) if isinstance(owners, str) else owners
        hit = [m for m in measures if m in owners]
        if len(hit) != 1 or len(measures) > 1:
            raise InvalidParameterError(
                f"The '--{name}' option applies to {' or '.join(owners)} only, run on its "
                f"own. Got it with the measures {measures} instead. Run that measure alone "
                f"with --{name}.")
        options[name] = value
    return options
