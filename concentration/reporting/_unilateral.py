"""The report's unilateral-effects section (when margins are given)."""

from __future__ import annotations

from markupsafe import Markup

from ..unilateral import unilateral_screen
from ._html import escape, table_html
from ._sections import Section, capture, frame_data, ordered, record

__all__ = ["unilateral_section"]


def unilateral_section(ctx):
    """GUPPI, UPP, IPR and CMCR of the hypothetical merger, beside its HHI screen.

    Runs only when the report has shares, merging parties and ``margins``.  Margins,
    prices and diversion are the user's assumptions and are printed as such; where a
    guideline states no threshold the verdict says so with its citation.
    """
    args = ctx.args
    if args.get("margins") is None or not args["merging"] or ctx.shares is None:
        return None
    result, caught = capture(unilateral_screen, ctx.shares, list(args["merging"]),
                             margins=args["margins"], prices=args.get("prices"),
                             diversion=args.get("diversion") or "proportional",
                             efficiency=args.get("efficiency") or 0.0,
                             **ctx.share_kw(unilateral_screen))
    record(ctx.validation, "shares", caught)
    table = result.to_frame()
    table = ordered(ctx, table, by=[c for c in ("guideline", "firm") if c in table.columns])
    ctx.results["unilateral"] = table
    sec = Section("unilateral", "Unilateral effects of the hypothetical merger",
                  methods=("unilateral",))
    shown_margins = args["margins"] if not isinstance(args["margins"], dict) else ", ".join(
        f"{k} {v:.0%}" for k, v in args["margins"].items())
    sec.body.append(Markup(
        "<p>Upward pricing pressure on each party's product from the other party's "
        "diverted sales, with diversion "
        f"<strong>{escape(str(args.get('diversion') or 'proportional'))}</strong> to share "
        f"and price-cost margins <strong>{escape(str(shown_margins))}</strong> (inputs of "
        "this run, not data). GUPPI, UPP and IPR as fractions of price, CMCR of cost.</p>"))
    overlap = table[table["overlap"]] if "overlap" in table.columns else table
    cols = [c for c in (args["market"], args["period"], "firm", "share", "margin",
                        "diversion", "guppi", "upp", "ipr", "cmcr", "verdict")
            if c in overlap.columns]
    sec.body.append(table_html(overlap[cols].reset_index(drop=True), max_rows=400))
    cites = table[["guideline", "rule", "citation"]].drop_duplicates()
    sec.body.append(Markup("<h3>Statements applied and their sources</h3><ul class='cites'>"
                           + "".join(f"<li>{escape(r.rule)}<br><span class='ref'>"
                                     f"{escape(r.citation)}</span></li>"
                                     for r in cites.itertuples()) + "</ul>"))
    sec.data = {"margins": args["margins"], "prices": args.get("prices"),
                "diversion": args.get("diversion") or "proportional",
                "efficiency": args.get("efficiency") or 0.0,
                "table": frame_data(overlap)}
    return sec
