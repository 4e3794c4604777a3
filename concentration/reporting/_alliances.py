"""The report's network sections: centrality over time, and partnership-adjusted HHI."""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..exceptions import ConcentrationError
from ..io import read_shares
from ..network import (DEFAULT_TIE_WEIGHTS, PartnershipNetwork, partnership_hhi,
                       partnership_weights, weighted_hhi)
from ..plotting import plot_centrality_trend, plot_network
from ._html import escape, table_html
from ._sections import Section, accepts, capture, frame_data, record

__all__ = ["network_section", "partnership_section", "build_network", "CENTRALITY_MEASURES"]

#: Centralities of the latest network, in the order shown (degree first: the ranking).
CENTRALITY_MEASURES = ("degree", "strength", "betweenness", "eigenvector", "pagerank")

#: Firms followed over time in the tables and figures.
TOP_FIRMS = 8


def build_network(ctx):
    """The partnership network of the report's input (entities applied), or None."""
    if "network" in ctx.results:
        return ctx.results["network"]
    inp = ctx.by_role.get("partnerships")
    if inp is None:
        return None
    kw = {"entities": ctx.entities_input} if ctx.entities_input is not None and accepts(
        PartnershipNetwork, "entities") else {}
    net, caught = capture(PartnershipNetwork, inp.frame, **kw)
    record(ctx.validation, inp.role, caught)
    ctx.results["network"] = net
    return net


def _snapshot_date(ctx, net):
    """The date of the network shown: the report's as-of date, else the latest tie start."""
    if ctx.args.get("as_of") is not None:
        return pd.Timestamp(ctx.args["as_of"])
    ties = net.ties
    if "start" in ties.columns and ties["start"].notna().any():
        return pd.Timestamp(ties["start"].max())
    return None


def network_section(ctx):
    """Who sits at the centre of the alliance web, and how that changed year by year."""
    title = "Partnership network"
    net = build_network(ctx)
    if net is None:
        return None
    inp = ctx.by_role["partnerships"]
    date = _snapshot_date(ctx, net)
    snap = net
    if date is not None:
        snap, more = capture(net.as_of, date)
        record(ctx.validation, inp.role, more)
    measures = {}
    for m in CENTRALITY_MEASURES:
        try:
            # one thread: a parallel sum's order, hence its last bits, can vary
            opts = {"n_threads": 1} if m == "betweenness" else {}
            measures[m], _ = capture(snap.centrality, m, **opts)
        except ConcentrationError as exc:
            ctx.skipped.append(f"{title}: {m} centrality not computed ({exc})")
    cent = pd.DataFrame(measures)
    cent.index.name = "firm"
    if len(measures):
        first = next(iter(measures))
        order = np.lexsort((np.asarray([str(i) for i in cent.index]), -cent[first].to_numpy()))
        cent = cent.iloc[order]
    ctx.results["centrality"] = cent
    sec = Section("network", title, methods=("network",))
    when = "" if date is None else f" on {date.date().isoformat()}"
    sec.body.append(Markup(
        f"<p>{len(snap.ties):,} ties among {len(snap.firms):,} organisations live"
        f"{escape(when)} (ties are strengths: larger is closer; organisations joined to "
        "their ultimate parent where the entity table says so). Degree is the share of "
        "other organisations tied to each; betweenness the share of shortest paths through "
        "it; eigenvector and PageRank weight ties to central partners more.</p>"))
    sec.body.append(table_html(cent.head(15), caption="The 15 most central organisations "
                                                      "(by degree); the JSON holds all."))
    over, cz = _over_time(ctx, net, date)
    data_over = {"columns": [], "rows": []}
    if over is not None and len(over):
        top = list(cent.index[:TOP_FIRMS]) if len(cent) else []
        wide = (over[over["firm"].isin(top)]
                .assign(year=lambda d: d["period"].dt.year.astype(str))
                .pivot(index="firm", columns="year", values="value")
                .reindex(top))
        wide.columns.name = None
        years = list(wide.columns)
        sec.body.append(Markup(
            "<h3>Centrality over time</h3><p>Degree centrality of today's most central "
            "organisations in each year's network (ties live at some time in the year; "
            "every organisation of the data counted in every year, so values compare "
            "across years, and run a little below the table above, which counts only the "
            "organisations with a live tie on its date), "
            "and the network's Freeman degree centralization (1 for a star around one "
            "organisation, 0 when all are equally central).</p>"))
        fmt = wide.copy()
        shown = pd.DataFrame({"firm": fmt.index})
        for y in years:
            shown[y] = [f"{v:.3f}" if pd.notna(v) else "–" for v in fmt[y]]
        if cz is not None and len(cz):
            row = {"firm": "Degree centralization"}
            czy = {str(p.year): v for p, v in cz.items()}
            for y in years:
                v = czy.get(y)
                row[y] = f"{v:.3f}" if v is not None and pd.notna(v) else "–"
            shown = pd.concat([shown, pd.DataFrame([row])], ignore_index=True)
        sec.body.append(table_html(shown))
        ax = plot_centrality_trend(over, firms=top[:6], centralization=cz)
        ax.figure.set_size_inches(8.0, 3.8)
        sec.body.append(ctx.figs.svg(ax, "Degree centrality of the six most central "
                                         "organisations by year (solid), and the network's "
                                         "degree centralization (dashed, black)."))
        data_over = frame_data(over.assign(period=over["period"].dt.date.astype(str)))
    ax = plot_network(snap, size=cent["degree"].to_dict() if "degree" in cent else None,
                      label_top=14)
    sec.body.append(ctx.figs.svg(ax, "The alliance network" + when + ": a force-directed "
                                     "layout (seeded, so the same data give the same "
                                     "picture); node size by degree centrality, the 14 most "
                                     "central organisations labelled; line width by tie "
                                     "strength."))
    sec.data = {"as_of": None if date is None else date.date().isoformat(),
                "n_ties": int(len(snap.ties)), "n_firms": int(len(snap.firms)),
                "centrality": frame_data(cent), "centrality_over_time": data_over,
                "centralization_over_time": {
                    "measure": "degree",
                    "rows": [[p.date().isoformat(), None if pd.isna(v) else float(v)]
                             for p, v in (cz.items() if cz is not None else [])]}}
    ctx.results["centrality_over_time"] = over
    ctx.results["centralization"] = cz
    return sec


def _over_time(ctx, net, date):
    """Degree centrality per year (every organisation a node) and degree centralization."""
    try:
        end = date  # the last period is the one that contains the network's date
        over, _ = capture(net.centrality_over_time, "degree", weight_as=None, nodes="all",
                          end=end)
        cz, _ = capture(net.centralization_over_time, "degree", end=end)
    except ConcentrationError as exc:
        ctx.skipped.append(f"Partnership network over time: {exc}")
        return None, None
    return over, cz


def partnership_section(ctx):
    """The HHI if allied rivals weighed each other's profits: a sensitivity measure."""
    title = "Partnership-adjusted concentration"
    net = build_network(ctx)
    if net is None or ctx.shares is None:
        return None
    args = ctx.args
    mkt, per, firm = args["market"], args["period"], args["firm"]
    if firm not in ctx.shares.columns:
        return None
    kw = ctx.share_kw(partnership_hhi)
    if ctx.periods is None:
        kw["as_of"] = _snapshot_date(ctx, net)
    table, _ = capture(partnership_hhi, ctx.shares, net, **kw)
    table = table.reset_index().rename(columns={"delta": "partnership_delta",
                                                "as_of": "ties_as_of"})
    keys = [c for c in (mkt, per) if c in table.columns]
    # who is allied with whom, where the ties raise the index: the pair terms of the
    # same weights (weighted_hhi's decomposition), for the rows with an uplift
    long, _ = capture(read_shares, ctx.shares, **ctx.share_kw(read_shares))
    sname = args["share"] if args["value"] is None else "share"
    groups = dict(iter(long.groupby(keys, sort=False))) if keys else {(): long}
    allied_text, pairs_rows = [], []
    for row in table.to_dict("records"):
        key = tuple(row[k] for k in keys)
        if row["partnership_delta"] <= 0.5:
            allied_text.append("")
            continue
        g = groups[key if len(key) != 1 else key[0]]
        when = row.get("ties_as_of")
        snap = net.as_of(when) if when is not None and pd.notna(when) else net
        firms = list(g[firm])
        r, _ = capture(weighted_hhi, dict(zip(firms, g[sname])),
                       partnership_weights(snap, firms))
        pairs = r.by_pair()
        pairs = pairs.assign(pair=["–".join(sorted((str(a), str(b))))
                                   for a, b in zip(pairs["firm"], pairs["other"])])
        per_pair = (pairs.groupby("pair", sort=True)
                    .agg(weight=("weight", "max"), contribution=("contribution", "sum"))
                    .reset_index()
                    .sort_values(["contribution", "pair"], ascending=[False, True],
                                 kind="stable"))
        allied_text.append("; ".join(f"{p} ({w:.2f})" for p, w in
                                     zip(per_pair["pair"].head(4), per_pair["weight"])))
        for p in per_pair.itertuples():
            pairs_rows.append(dict(zip(keys, key)) | {
                "pair": p.pair, "weight": float(p.weight),
                "contribution": float(p.contribution)})
    table["allied_pairs"] = allied_text
    if not len(table):
        return None
    if ctx.periods is not None:
        table = ctx.periods.sort(table).drop(columns=["rank"])
    pairs = pd.DataFrame(pairs_rows, columns=keys + ["pair", "weight", "contribution"])
    ctx.results["partnership"] = table
    ctx.results["partnership_pairs"] = pairs
    late = ctx.periods.latest(table).drop(columns=["rank"]) if ctx.periods is not None \
        else table
    allied_late = late[late["partnership_delta"] > 0.5]
    sec = Section("partnership", title, methods=("partnership",))
    sec.body.append(Markup(
        "<p>How concentrated each market would be if allied firms weighed each other's "
        "profits: the HHI with profit weights K<sub>jk</sub> from the alliance ties live at "
        "each period's end (equity stakes, licences, cloud supply, joint ventures ...). A "
        "sensitivity measure, not an agency standard; the tie weights are assumptions, "
        "listed under Methodology. Shares and ties are joined through the entity table, so "
        "a subsidiary's share meets its parent's alliances.</p>"))
    if len(allied_late):
        sec.body.append(table_html(
            allied_late[[c for c in (mkt, per, "hhi", "weighted_hhi", "partnership_delta",
                                     "allied_pairs") if c in allied_late.columns]],
            caption="Each market's latest period, where allied rivals raise the index"))
    else:
        sec.body.append(Markup("<p>In no market's latest period are two listed rivals tied "
                               "by a live alliance.</p>"))
    moved = table[table["partnership_delta"] > 0.5]
    if len(moved):
        sec.body.append(Markup(f"<details><summary>Every market and period with allied "
                               f"rivals ({len(moved):,})</summary>"
                               f"{table_html(moved, max_rows=400)}</details>"))
    sec.data = {"tie_weights": dict(DEFAULT_TIE_WEIGHTS), "combine": "max",
                "table": frame_data(table), "pairs": frame_data(pairs),
                "latest": frame_data(late)}
    return sec
