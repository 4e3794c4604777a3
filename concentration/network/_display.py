"""The notebook display of a :class:`PartnershipNetwork`: summary tables and a small figure.

:func:`network_summary` gathers what a reader wants first (firms, ties by kind,
the period covered, the most central firms); :func:`network_html` renders it
with the tables of every other result and, when matplotlib is installed, a small
inline SVG of the network (without matplotlib: the tables only).  Every string
from the data is escaped.
"""

from __future__ import annotations

import pandas as pd

from .._format import format_as, humanize
from .._results import display_table, html_block, table_html
from ._ties import kinds_of

__all__ = ["network_summary", "network_html", "network_svg"]

#: Firms listed as the most central.
TOP_FIRMS = 5


def _date(v) -> str:
    return format_as("date", v)


def _kinds_table(ties: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    kinds = ties["kinds"] if "kinds" in ties.columns else ties["kind"]
    rows = []
    for i, ks in enumerate(kinds_of(kinds)):
        for k in dict.fromkeys(ks):
            rows.append((k, i))
    long = pd.DataFrame(rows, columns=["kind", "row"])
    starts = ties["start"].reset_index(drop=True)
    long["start"] = starts.iloc[long["row"].to_numpy()].to_numpy()
    out = long.groupby("kind", sort=False).agg(ties=("row", "size"), first=("start", "min"),
                                                latest=("start", "max"))
    out = out.sort_values("ties", ascending=False, kind="stable")
    out.index = [humanize(k) for k in out.index]
    out["first"] = [_date(v) for v in out["first"]]
    out["latest"] = [_date(v) for v in out["latest"]]
    if len(out) > top:
        rest = out.iloc[top - 1:]
        others = pd.DataFrame({"ties": [int(rest["ties"].sum())], "first": [min(rest["first"])],
                               "latest": [max(rest["latest"])]},
                              index=[f"{len(rest)} other kinds"])
        out = pd.concat([out.iloc[: top - 1], others])
    out.index.name = "kind"
    return out


def _central_table(net, top: int) -> pd.DataFrame:
    degree = net.centrality("degree")
    strength = net.centrality("strength")
    strength = strength.reindex(degree.index)
    if len(strength) and (strength == strength.round()).all():
        strength = strength.astype("int64")  # strength counts deals: show whole numbers
    frame = pd.DataFrame({"degree": degree, "strength": strength})
    frame.index.name = "firm"
    return frame.sort_values(["degree", "strength"], ascending=False, kind="stable").head(top)


def network_summary(net, *, top: int = TOP_FIRMS):
    """``(facts, kinds table, central-firms table)`` of a network.

    Facts: firms, ties (deal rows), directed ties, the period the ties' start dates
    cover and how many have no end date, the strength rule.  The kinds table counts
    a deal under each of its kinds.  The central firms are the ``top`` firms by
    degree centrality (partners over n - 1), with their strength (sum of tie
    strengths).
    """
    ties = net.ties
    firms = len(net.firms)
    facts = [("firms", firms), ("ties", len(ties))]
    if "directed" in ties.columns and ties["directed"].any():
        facts.append(("directed ties", int(ties["directed"].sum())))
    starts = ties["start"].dropna() if "start" in ties.columns else pd.Series(dtype=object)
    if len(starts):
        facts.append(("period covered", f"{_date(starts.min())} to {_date(starts.max())} "
                                        "(start dates)"))
    if "end" in ties.columns:
        facts.append(("ties without an end date", int(ties["end"].isna().sum())))
    facts.append(("strength", net.strength))
    kinds = _kinds_table(ties) if len(ties) else None
    central = _central_table(net, top) if firms else None
    return facts, kinds, central


def network_svg(net, *, width: float = 4.6, height: float = 3.6) -> str:
    """A small SVG drawing of the network, or ``""`` without matplotlib.

    The drawing is :meth:`PartnershipNetwork.plot` (nodes sized by degree, the
    largest labelled) on a figure of ``width`` x ``height`` inches.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return ""
    from .. import plotting
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height))
    try:
        net.plot(ax=ax, label_top=5)
        ax.set_title("")
        fig.tight_layout(pad=0.2)
        svg = plotting.figure_svg(fig, salt="conc-network")
    finally:
        plt.close(fig)
    # matplotlib escapes the texts it writes; refuse anything that still looks active
    if "<script" in svg.lower() or "javascript:" in svg.lower():
        return ""
    return svg


def network_html(net, *, figure: bool = True) -> str:
    """The HTML display of a network: facts, ties by kind, most central firms, a figure."""
    facts, kinds, central = network_summary(net)
    parts = ["<div style='display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start'><div>"]
    if kinds is not None:
        parts.append("<div class='conc-title' style='margin-top:6px'>Ties by kind "
                     "(first and latest start)</div>")
        parts.append(table_html(display_table(kinds)))
    if central is not None:
        parts.append("<div class='conc-title' style='margin-top:6px'>Most central firms "
                     f"(top {len(central)} by degree)</div>")
        parts.append(table_html(display_table(central)))
    parts.append("</div>")
    svg = network_svg(net) if figure else ""
    if svg:
        parts.append(f"<div class='conc-figure' style='width:440px'>{svg}</div>")
    parts.append("</div>")
    notes = ("A deal with several kinds counts under each. Degree: partners / (firms − 1); "
             "strength: the sum of tie strengths.",)
    return html_block("Partnership network", facts, "".join(parts), notes)
