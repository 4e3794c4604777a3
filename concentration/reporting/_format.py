"""One number format per quantity, and human labels for codes, in the report's HTML.

The JSON twin keeps raw numbers and the codes (``effective_number``,
``presumed_anticompetitive``); the page shows each quantity one way:

- index values (HHI, ΔHHI, MHHI, contributions) as integer points with thousands
  separators: ``1,422``;
- shares and stakes as percentages with one decimal: ``61.4%``;
- profit weights κ, partnership weights and the effective number of firms with two
  decimals: ``1.77``;
- centralities and centralizations (0-1) with three decimals: ``0.412``;
- counts as integers; dates as ISO dates; booleans as yes/no.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["COLUMN_LABELS", "MEASURE_LABELS", "VERDICT_LABELS", "column_label",
           "column_kind", "format_as", "format_points", "format_percent", "verdict_label",
           "measure_label", "human_frame"]

#: How each column code is shown: (label, kind).  Kinds are the formats below.
_COLUMNS = {
    "market": ("Market", "text"),
    "period": ("Period", "text"),
    "period_start": ("Start", "date"),
    "period_end": ("End", "date"),
    "firm": ("Firm", "text"),
    "other": ("Other firm", "text"),
    "owner": ("Owner", "text"),
    "hhi": ("HHI", "points"),
    "hhi_min": ("HHI, lowest", "points"),
    "hhi_max": ("HHI, highest", "points"),
    "hhi_range": ("HHI range (top-N data)", "text"),
    "cr4": ("CR4", "percent"),
    "effective_number": ("Effective number of firms", "decimal"),
    "n_firms": ("Firms listed", "count"),
    "share_sum": ("Listed share", "percent"),
    "lower_bound": ("Lower bound (top-N data)", "bool"),
    "is_market": ("A market", "bool"),
    "market_name": ("Definition", "text"),
    "geography": ("Geography", "text"),
    "research_firm": ("Source", "text"),
    "periods": ("Periods", "text"),
    "top_n": ("Top-N data", "bool"),
    "share": ("Share", "percent"),
    "other_share": ("Other's share", "percent"),
    "guideline": ("Guidelines", "text"),
    "pre_hhi": ("HHI before", "points"),
    "post_hhi": ("HHI after", "points"),
    "delta_hhi": ("ΔHHI", "points"),
    "combined_share": ("Combined share", "percent"),
    "verdict": ("Verdict", "verdict"),
    "verdict_label": ("Verdict", "text"),
    "verdict_lower": ("Verdict at the lowest HHI", "verdict"),
    "verdict_upper": ("Verdict at the highest HHI", "verdict"),
    "holds_at_both_bounds": ("Same verdict at both bounds", "bool"),
    "post_hhi_upper": ("HHI after, highest", "points"),
    "pre_hhi_upper": ("HHI before, highest", "points"),
    "delta_hhi_upper": ("ΔHHI, highest", "points"),
    "rule": ("Rule", "text"),
    "mhhi": ("MHHI", "points"),
    "mhhi_delta": ("MHHIΔ", "points"),
    "holdings_as_of": ("Holdings as of", "date"),
    "mhhi_note": ("Note", "text"),
    "holdings_note": ("Holdings note", "text"),
    "driving_pair": ("Largest pair term", "text"),
    "top_pair": ("Largest pair term", "text"),
    "top_pair_delta": ("Pair term", "points"),
    "n_no_holdings": ("Firms without holdings", "count"),
    "contribution": ("Contribution", "points"),
    "kappa": ("κ", "decimal"),
    "weight": ("Weight", "decimal"),
    "cash_flow": ("Cash-flow stake", "percent"),
    "control": ("Control stake", "percent"),
    "weighted_hhi": ("Partnership-adjusted HHI", "points"),
    "partnership_delta": ("Uplift", "points"),
    "allied_pairs": ("Allied rivals (tie weight)", "text"),
    "ties_as_of": ("Ties as of", "date"),
    "pair": ("Pair", "text"),
    "degree": ("Degree", "centrality"),
    "strength": ("Strength", "decimal"),
    "betweenness": ("Betweenness", "centrality"),
    "eigenvector": ("Eigenvector", "centrality"),
    "pagerank": ("PageRank", "centrality"),
    "centralization": ("Degree centralization", "centrality"),
    "n_ties": ("Live ties", "count"),
    "n_firms_live": ("Organisations", "count"),
    "year": ("Year", "text"),
    "rank": ("Rank", "count"),
    "first": ("First", "text"),
    "latest": ("Latest", "text"),
    "change": ("Change", "points"),
    "input": ("Input", "text"),
    "source": ("Source", "text"),
    "kind": ("Kind", "text"),
    "rows": ("Rows", "count"),
    "columns": ("Columns", "count"),
    "sha256": ("SHA-256", "text"),
    "severity": ("Severity", "text"),
    "check": ("Check", "text"),
    "group": ("Market and period", "text"),
    "value": ("Value", "text"),
    "message": ("Message", "text"),
    "reason": ("Reason", "text"),
}

#: Column code -> label shown in a table header.
COLUMN_LABELS = {k: v[0] for k, v in _COLUMNS.items()}

#: Measure code -> label.
MEASURE_LABELS = {"hhi": "HHI", "cr4": "CR4 (four-firm concentration ratio)",
                  "effective_number": "Effective number of firms",
                  "n_firms": "Firms listed", "mhhi": "MHHI", "mhhi_delta": "MHHIΔ",
                  "degree": "Degree centrality", "betweenness": "Betweenness centrality",
                  "eigenvector": "Eigenvector centrality", "pagerank": "PageRank",
                  "strength": "Strength"}

#: Verdict code (see :data:`concentration.guidelines.VERDICTS`) -> label.
VERDICT_LABELS = {
    "presumed_anticompetitive": "Presumed anticompetitive",
    "likely_challenge": "Likely challenge",
    "potential_concern": "Potential concern",
    "outside_safe_harbour": "Outside the safe harbours",
    "no_presumption": "No presumption",
    "not_addressed": "Not addressed by the text",
    "unlikely_concern": "Unlikely to raise concern",
    "safe_harbour": "Safe harbour",
    "no_overlap": "No overlap",
}


def column_label(code) -> str:
    """The header of column ``code``: its label, or the code itself when it has none."""
    return COLUMN_LABELS.get(str(code), str(code))


def column_kind(code) -> str:
    """The format of column ``code`` (``"points"``, ``"percent"`` ...; ``"auto"`` if unknown)."""
    return _COLUMNS.get(str(code), (None, "auto"))[1]


def verdict_label(code) -> str:
    """A verdict's label: ``"presumed_anticompetitive"`` -> ``"Presumed anticompetitive"``."""
    return VERDICT_LABELS.get(str(code), str(code).replace("_", " ").capitalize())


def measure_label(code) -> str:
    """A measure's label, or the code when it has none."""
    return MEASURE_LABELS.get(str(code), str(code))


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def format_points(v) -> str:
    """Index points: ``1421.7`` -> ``"1,422"``."""
    f = float(v)
    r = round(f)
    return f"{0 if r == 0 else r:,.0f}".replace("-", "−")


def format_percent(v, digits=1) -> str:
    """A fraction as a percentage: ``0.6139`` -> ``"61.4%"``."""
    text = f"{100.0 * float(v):.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "−") + "%"


def format_as(kind, v) -> str:
    """Text of value ``v`` in format ``kind``; ``–`` for a missing value."""
    if isinstance(v, (list, tuple)):
        return "; ".join(format_as(kind, x) for x in v)
    if _missing(v):
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    number = isinstance(v, (int, float, np.integer, np.floating))
    if number and not math.isfinite(float(v)):
        return "–"
    if kind == "points" and number:
        return format_points(v)
    if kind == "percent" and number:
        return format_percent(v)
    if kind == "decimal" and number:
        return f"{float(v):,.2f}".replace("-", "−")
    if kind == "centrality" and number:
        return f"{float(v):.3f}".replace("-", "−")
    if kind == "count" and number:
        return f"{int(round(float(v))):,}"
    if kind == "verdict":
        return verdict_label(v)
    if kind == "date" or isinstance(v, (pd.Timestamp, np.datetime64)):
        t = pd.Timestamp(v)
        return t.date().isoformat() if t == t.normalize() else t.isoformat()
    if number:
        return _auto_number(v)
    return str(v)


def _auto_number(v) -> str:
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    f = float(v)
    if abs(f) >= 100:
        return f"{f:,.0f}"
    return f"{f:.2f}"


def human_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each cell as its text (format by column code) and labelled headers."""
    df = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    out = pd.DataFrame({column_label(c): [format_as(column_kind(c), v) for v in df[c]]
                        for c in df.columns})
    return out
