"""The report's MHHI section: common and cross ownership, by market, period and owner."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from ..ownership import mhhi, read_holdings
from ..plotting import plot_bar
from ._html import escape, table_html, warnings_html
from ._sections import Section, accepts, capture, frame_data, latest, ordered, record

__all__ = ["mhhi_section", "holdings_options"]


def holdings_options(ctx) -> dict:
    """Keyword arguments of :func:`read_holdings` for the report's holdings input.

    The data's ``control`` column is used when present, with the report's
    ``control_missing`` policy for its missing values; a dated ``as_of`` column
    is passed for matching each share period with the holdings in force at its end;
    the entity model joins subsidiaries to their parents' owners.
    """
    frame = ctx.by_role["holdings"].frame
    kw = {}
    if "control" in frame.columns:
        kw["control"] = "control"
        if accepts(read_holdings, "control_missing"):
            kw["control_missing"] = ctx.args["control_missing"]
    if _dated(ctx):
        kw["period"] = "as_of"
    return kw


def _dated(ctx) -> bool:
    """Whether the holdings carry dates that :func:`mhhi` matches to each share period."""
    frame = ctx.by_role["holdings"].frame
    return "as_of" in frame.columns and accepts(mhhi, "as_of") and ctx.periods is not None


def _mhhi_options(ctx) -> dict:
    kw = ctx.share_kw(mhhi)
    if _dated(ctx):
        kw["as_of"] = "stake"
        kw["max_age"] = ctx.args.get("max_age")
    return kw


def mhhi_section(ctx):
    """O'Brien–Salop MHHI and MHHIΔ per market and period, and MHHIΔ by owner."""
    title = "Ownership-adjusted concentration (MHHI)"
    if "holdings" not in ctx.by_role:
        return None
    if ctx.shares is None:
        ctx.skipped.append(f"{title}: no shares input")
        return None
    hinp = ctx.by_role["holdings"]
    holdings, caught = capture(read_holdings, hinp.frame, **holdings_options(ctx))
    record(ctx.validation, hinp.role, caught)
    result, own_warnings = capture(mhhi, ctx.shares, holdings, **_mhhi_options(ctx))
    frame = ordered(ctx, result.to_frame())
    ctx.results["mhhi"] = frame
    owners = result.by_owner()
    ctx.results["mhhi_by_owner"] = owners
    ctx.results["mhhi_control_note"] = str(result.control_note)
    sec = Section("mhhi", title, methods=("mhhi",))
    policy = ctx.args["control_missing"] if "control" in hinp.frame.columns else None
    stated = ""
    if policy is not None and "control_missing" not in str(result.control_note):
        stated = {"cash_flow": " Stakes whose control share the data do not give are read "
                               "as voting in proportion to their cash flow "
                               "(control_missing='cash_flow').",
                  "none": " Stakes whose control share the data do not give are read as "
                          "carrying no votes (control_missing='none').",
                  "error": ""}.get(policy, "")
    sec.body.append(Markup(
        f"<p>O'Brien–Salop MHHI with control model {escape(result.control_model)}. "
        f"{escape(result.control_note)}{escape(stated)} MHHIΔ = MHHI − HHI is the part due "
        "to common and cross ownership; below it is attributed to owners (the attribution "
        "sums exactly to MHHIΔ in each market and period).</p>"))
    sec.body.append(warnings_html(own_warnings))
    moved = frame[frame["mhhi_delta"].abs() > 1e-9] if "mhhi_delta" in frame.columns \
        else frame
    keys = [c for c in (ctx.args["market"], ctx.args["period"]) if c in frame.columns]
    shown = [c for c in keys + ["holdings_as_of", "hhi", "mhhi", "mhhi_delta", "top_pair",
                                "top_pair_delta"] if c in frame.columns]
    if _dated(ctx):
        sec.body.append(Markup(
            "<p>Holdings are matched to each share period: every stake is the latest one "
            "dated on or before the period's end (carried forward until a later stake "
            "replaces it); a period before any holdings gets no ownership adjustment. The "
            "column <em>Holdings as of</em> gives the date of the latest stake used.</p>"))
    sec.body.append(table_html((moved if len(moved) else frame)[shown],
                               caption="Markets and periods where ownership links change "
                                       "the index" if len(moved) else None, max_rows=400))
    if "holdings_note" in frame.columns:
        unadjusted = frame[frame["holdings_note"].fillna("").astype(str) != ""]
        if len(unadjusted):
            notes = unadjusted[keys + ["holdings_note"]]
            sec.body.append(Markup(
                f"<details><summary>Market-periods with a note on their holdings "
                f"({len(notes):,}), e.g. before any holdings: MHHIΔ 0</summary>"
                f"{table_html(notes, max_rows=400)}</details>"))
    joined = getattr(result, "entities", None)
    if isinstance(joined, pd.DataFrame) and len(joined) and {"name", "entity"} <= set(
            joined.columns):
        pairs = joined.drop_duplicates(["name", "entity"])
        text = "; ".join(f"{a} → {b}" for a, b in zip(pairs["name"], pairs["entity"]))
        sec.body.append(Markup(f"<p class='note'>Joined through the entity table (shares, "
                               f"holdings and owners alike): {escape(text)}.</p>"))
    above = getattr(result, "kappa_above_one", None)
    ctx.results["kappa_above_one"] = above if isinstance(above, pd.DataFrame) else None
    if isinstance(above, pd.DataFrame) and len(above):
        cols = [c for c in keys + ["firm", "other", "kappa", "explanation"] if c in above.columns]
        sec.body.append(Markup(
            "<h3>Profit weights above one</h3><p>O'Brien–Salop allow κ<sub>jk</sub> &gt; 1: "
            "firm j's managers then weigh k's profit more than j's own, because j's "
            "controlling owners hold more of k than of j.</p>"))
        sec.body.append(table_html(latest(ctx, above)[cols], max_rows=100))
    if len(owners):
        by_owner = ordered(ctx, owners)
        sec.body.append(Markup("<h3>MHHIΔ by owner</h3>") + table_html(
            by_owner.drop(columns=[c for c in ("period_start", "period_end")
                                   if c in by_owner.columns]), max_rows=400))
        val = "contribution" if "contribution" in owners.columns else owners.select_dtypes(
            "number").columns[-1]
        late = latest(ctx, owners)
        label = late["owner"] if "owner" in late.columns else late.index
        totals = late.groupby(label, sort=True)[val].sum()
        if len(totals):
            ax = plot_bar(totals, xlabel="MHHIΔ contribution (points), each market's latest "
                                         "period, summed over markets")
            ax.xaxis.set_major_formatter(_thousands_formatter())
            sec.body.append(ctx.figs.svg(ax, "Each owner's contribution to MHHIΔ in each "
                                             "market's latest period, summed over markets "
                                             "(points)."))
    notes = list(dict.fromkeys(str(n) for n in result.notes))
    cross = [n for n in notes if n.startswith("Cross-ownership:")]
    if len(cross) > 1:  # one note per period: say it once
        notes = [n for n in notes if n not in cross] + [
            "Cross-ownership: owners that are firms in some periods; cash-flow rights "
            "integrated through (I - A)^-1."]
    for n in notes:
        sec.body.append(Markup(f"<p class='note'>{escape(n)}</p>"))
    sec.data = {"as_of": "stake" if _dated(ctx) else None,
                "max_age": None if ctx.args.get("max_age") is None else str(ctx.args["max_age"]),
                "control_model": str(result.control_model),
                "control_note": str(result.control_note),
                "control_missing": policy,
                "table": frame_data(frame), "by_owner": frame_data(ordered(ctx, owners)),
                "kappa_above_one": frame_data(above) if isinstance(above, pd.DataFrame)
                else {"columns": [], "rows": []},
                "warnings": list(own_warnings), "notes": [str(n) for n in result.notes]}
    return sec


def _thousands_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}")
