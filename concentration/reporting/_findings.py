"""The report's findings: what the other sections found, in sentences, computed from the data.

Every sentence is built from the numbers of a section (never written by hand), in
the formats of the tables; the JSON keeps each finding's topic, text and numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup

from .._format import format_percent, format_points, verdict_label
from ._html import escape
from ._sections import Section, latest

__all__ = ["findings_section"]


def _pts(v) -> str:
    return format_points(v)


def _concentration(ctx):
    table = ctx.results.get("indices")
    if table is None or not len(table):
        return []
    mkt, per = ctx.args["market"], ctx.args["period"]
    if mkt not in table.columns:
        return []
    late = latest(ctx, table)
    first = ctx.periods.first(table) if ctx.periods is not None else late
    start = dict(zip(first[mkt], first["hhi"]))
    start_per = dict(zip(first[mkt], first[per])) if per in first.columns else {}
    late = late.sort_values(["hhi", mkt], ascending=[False, True], kind="stable")
    parts, nums = [], []
    for r in late.head(3).to_dict("records"):
        m = r[mkt]
        text = f"{m} {_pts(r['hhi'])}"
        if r.get("lower_bound") and pd.notna(r.get("hhi_max")) and r["hhi_max"] > r["hhi"] + 0.5:
            text = f"{m} at least {_pts(r['hhi'])} (up to {_pts(r['hhi_max'])}: top-N data)"
        if per in r:
            text += f" in {r[per]}"
            if start_per.get(m) is not None and start_per[m] != r[per]:
                if abs(r["hhi"] - start[m]) < 0.5:
                    text += f", unchanged from {start_per[m]}"
                else:
                    text += f", from {_pts(start[m])} in {start_per[m]}"
        parts.append(text)
        nums.append({"market": m, "period": r.get(per), "hhi": r["hhi"],
                     "first_period": start_per.get(m), "first_hhi": start.get(m)})
    high = int((late["hhi"] > 1800).sum())
    text = (f"{high:,} of {len(late):,} markets are highly concentrated (HHI above 1,800) "
            "in their latest period")
    if "hhi_max" in late.columns:
        upper = int((late["hhi_max"].fillna(late["hhi"]) > 1800).sum())
        if upper > high:
            text += (f", {upper:,} if the fringe of the top-N data is as concentrated as "
                     "the data allow")
    text += ". The most concentrated: " + "; ".join(parts) + "."
    return [{"topic": "concentration", "text": text, "values": nums}]


def _ownership(ctx):
    frame = ctx.results.get("mhhi")
    if frame is None or not len(frame) or "mhhi_delta" not in frame.columns:
        return []
    mkt, per = ctx.args["market"], ctx.args["period"]
    late = latest(ctx, frame)
    late = late[late["mhhi_delta"].abs() > 0.5]
    if not len(late):
        return [{"topic": "ownership", "values": [],
                 "text": "Common and cross ownership change no market's index in its latest "
                         "period."}]
    late = late.sort_values(["mhhi_delta", mkt], ascending=[False, True], kind="stable")
    owners = ctx.results.get("mhhi_by_owner")
    parts, nums = [], []
    for r in late.head(3).to_dict("records"):
        m = r.get(mkt, "the market")
        text = (f"{m} ({r.get(per, '')}): MHHI {_pts(r['mhhi'])} against HHI "
                f"{_pts(r['hhi'])}, an uplift of {_pts(r['mhhi_delta'])}")
        if r.get("holdings_as_of") is not None and pd.notna(r.get("holdings_as_of")):
            text += f" (holdings as of {pd.Timestamp(r['holdings_as_of']).date()})"
        who = []
        if owners is not None and len(owners) and "owner" in owners.columns:
            o = owners
            for k in (mkt, per):
                if k in o.columns and k in r:
                    o = o[o[k] == r[k]]
            o = o.sort_values(["contribution", "owner"], ascending=[False, True],
                              kind="stable")
            who = [f"{x.owner} {_pts(x.contribution)}" for x in o.head(2).itertuples()
                   if abs(x.contribution) > 0.5]
        if who:
            text += "; owners behind it: " + ", ".join(who)
        if r.get("top_pair"):
            text += f"; largest pair term {r['top_pair']}"
        parts.append(text)
        nums.append({"market": m, "period": r.get(per), "hhi": r["hhi"], "mhhi": r["mhhi"],
                     "mhhi_delta": r["mhhi_delta"], "owners": who})
    text = "Common and cross ownership raise concentration most in " + "; ".join(parts) + "."
    above = ctx.results.get("kappa_above_one")
    if above is not None and len(above):
        pairs = above.drop_duplicates(["firm", "other"]) if {"firm", "other"} <= set(
            above.columns) else above
        text += (f" {len(pairs):,} profit weight(s) κ exceed one (a firm's controlling owners "
                 "hold more of a rival than of it), e.g. " + ", ".join(
                     f"κ({r.firm}, {r.other}) = {r.kappa:.2f}"
                     for r in pairs.sort_values("kappa", ascending=False, kind="stable")
                     .head(2).itertuples()) + ".")
    return [{"topic": "ownership", "values": nums, "text": text}]


def _merger(ctx):
    table = ctx.results.get("screen")
    if table is None or not len(table):
        return []
    mkt, per = ctx.args["market"], ctx.args["period"]
    key = ctx.args["guidelines"][0]
    t = table[(table["guideline"] == key)] if "guideline" in table.columns else table
    if "overlap" in t.columns:
        t = t[t["overlap"]]
    parties = " + ".join(map(str, ctx.args["merging"]))
    if not len(t):
        return [{"topic": "merger", "values": [],
                 "text": f"The hypothetical {parties} combination overlaps in no market."}]
    late = latest(ctx, t)
    concern = ("presumed_anticompetitive", "likely_challenge")
    hit, rest, nums = [], [], []
    for r in late.to_dict("records"):
        name = f"{r.get(mkt, '')} ({r.get(per, '')})"
        if r["verdict"] in concern:
            text = (f"{name}: ΔHHI {_pts(r['delta_hhi'])}, HHI after {_pts(r['post_hhi'])}, "
                    f"combined share {format_percent(r['combined_share'])}")
            if r.get("lower_bound"):
                holds = r.get("holds_at_both_bounds")
                if holds is None or (isinstance(holds, float) and np.isnan(holds)):
                    text += " (top-N data; the HHI can only be higher)"
                elif bool(holds):
                    text += " (top-N data: the same at both HHI bounds)"
                else:
                    text += (f" (top-N data: {verdict_label(r.get('verdict_upper', '')).lower()}"
                             " at the highest HHI)")
            hit.append(text)
        else:
            text = f"{name} {verdict_label(r['verdict']).lower()}"
            if r.get("lower_bound") and "holds_at_both_bounds" in r and not bool(
                    r["holds_at_both_bounds"]):
                text += (f", but {verdict_label(r.get('verdict_upper', '')).lower()} at the "
                         "highest HHI the top-N data allow")
            rest.append(text)
        nums.append({"market": r.get(mkt), "period": r.get(per), "verdict": r["verdict"],
                     "verdict_upper": r.get("verdict_upper"), "delta_hhi": r["delta_hhi"],
                     "post_hhi": r["post_hhi"], "combined_share": r["combined_share"]})
    text = (f"A hypothetical {parties} combination, screened under {key} in each market's "
            f"latest period, is presumed anticompetitive in {len(hit):,} of {len(nums):,} "
            "markets where both sell")
    text += (": " + "; ".join(hit) + "." if hit else ".")
    if rest:
        text += " Elsewhere: " + "; ".join(rest) + "."
    return [{"topic": "merger", "text": text, "values": nums}]


def _centrality(ctx):
    cent = ctx.results.get("centrality")
    if cent is None or not len(cent) or "degree" not in cent.columns:
        return []
    over = ctx.results.get("centrality_over_time")
    top = list(cent.index[:5])
    parts = []
    for f in top:
        text = f"{f} {cent.loc[f, 'degree']:.3f}"
        if over is not None and len(over):
            g = over[(over["firm"] == f) & (over["value"] > 0)].sort_values("period")
            if len(g) >= 2:
                text += f" (from {g['value'].iloc[0]:.3f} in {g['period'].iloc[0].year})"
        parts.append(text)
    out = [{"topic": "centrality", "values": [{"firm": f, "degree": cent.loc[f, "degree"]}
                                              for f in top],
            "text": "The most central organisations of the alliance network (degree "
                    "centrality): " + "; ".join(parts) + "."}]
    cz = ctx.results.get("centralization")
    if cz is not None and len(cz.dropna()) >= 2:
        c = cz.dropna()
        peak = c.idxmax()
        out.append({"topic": "centralization",
                    "values": {"first": [c.index[0].year, c.iloc[0]],
                               "latest": [c.index[-1].year, c.iloc[-1]],
                               "peak": [peak.year, c.max()]},
                    "text": f"The network's degree centralization went from {c.iloc[0]:.3f} "
                            f"in {c.index[0].year} to {c.iloc[-1]:.3f} in {c.index[-1].year} "
                            f"(peak {c.max():.3f} in {peak.year}): "
                            + ("it is more centred on a few hubs than it was."
                               if c.iloc[-1] > c.iloc[0] else
                               "ties are spread more evenly than they were.")})
    return out


def _partnership(ctx):
    table = ctx.results.get("partnership")
    if table is None or not len(table):
        return []
    mkt, per = ctx.args["market"], ctx.args["period"]
    late_all = latest(ctx, table)
    none = sorted(late_all.loc[late_all["partnership_delta"] <= 0.5, mkt].astype(str)) \
        if mkt in late_all.columns else []
    late = late_all[late_all["partnership_delta"] > 0.5].sort_values(
        ["partnership_delta", mkt], ascending=[False, True], kind="stable")
    if not len(late):
        return [{"topic": "partnership", "values": [],
                 "text": "No market's latest period has two listed rivals in a live "
                         "alliance."}]
    parts, nums = [], []
    for r in late.head(4).to_dict("records"):
        text = (f"{r.get(mkt, '')} ({r.get(per, '')}): {_pts(r['hhi'])} → "
                f"{_pts(r['weighted_hhi'])}")
        if r.get("allied_pairs"):
            text += f", allied: {r['allied_pairs']}"
        parts.append(text)
        nums.append({"market": r.get(mkt), "period": r.get(per), "hhi": r["hhi"],
                     "weighted_hhi": r["weighted_hhi"]})
    text = ("Counting alliances as partial common control (a sensitivity measure, weights "
            "under Methodology), the HHI of markets where rivals are allied rises: "
            + "; ".join(parts) + ".")
    if none:
        text += (" No two listed rivals are allied in the latest period of " + ", ".join(none)
                 + " (their alliances, if any, run to firms outside the market).")
    return [{"topic": "partnership", "values": nums, "text": text,
             "no_allied_rivals": none}]


#: The lead of each finding.
_TOPICS = {"concentration": "Concentration", "ownership": "Common and cross ownership",
           "merger": "The hypothetical merger", "centrality": "Who is central",
           "centralization": "How the network changed", "partnership": "Allied rivals"}


def findings_section(ctx) -> Section | None:
    """The findings: a few sentences per question, from the other sections' numbers."""
    items = []
    for fn in (_concentration, _ownership, _merger, _centrality, _partnership):
        items += fn(ctx)
    if not items:
        return None
    sec = Section("findings", "Findings")
    notes = []
    table = ctx.results.get("indices")
    if table is not None and "lower_bound" in table.columns and table["lower_bound"].any():
        n = int(table["lower_bound"].sum())
        notes.append(f"{n:,} market-periods list only the largest firms (top-N data): their "
                     "HHIs are lower bounds, shown with the highest HHI the data allow.")
    for m, why in ctx.excluded:
        notes.append(f"{m} is left out of the concentration tables ({why}).")
    mh = ctx.results.get("mhhi_control_note")
    if mh:
        notes.append(f"Ownership: {mh}")
    sec.body.append(Markup("<ul class='findings'>" + "".join(
        f"<li><strong>{escape(_TOPICS.get(i['topic'], i['topic']))}.</strong> "
        f"{escape(i['text'])}</li>" for i in items) + "</ul>"))
    if notes:
        sec.body.append(Markup("".join(f"<p class='note'>{escape(n)}</p>" for n in notes)))
    sec.data = {"items": items, "notes": notes}
    return sec
