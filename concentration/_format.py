"""One number format per quantity, and human labels for column and verdict codes.

The displays of every result (``summary()``, the notebook's HTML) show each
quantity one way, while the data (``to_frame()``, JSON) keep the raw numbers and
the codes (``presumed_anticompetitive``, ``delta_hhi``):

- index values (HHI, ΔHHI, MHHI, MHHIΔ, contributions, and their ``_upper`` /
  ``_lower`` variants) as integer points with thousands separators: ``1,422``;
- shares and stakes (``share``, ``cr4``, ``combined_share``, ``cash_flow``) as
  percentages with one decimal: ``61.4%``;
- profit weights κ, partnership weights and the effective number of firms with
  two decimals: ``1.77``;
- centralities and centralizations (0-1) with three decimals: ``0.412``;
- counts as integers; dates as ISO dates; booleans as yes/no;
- verdict and zone codes as labels: ``presumed_anticompetitive`` ->
  ``Presumed anticompetitive``.

This module is the single home of these formats: it imports only NumPy and
pandas, so every layer (results, network, report) can use it.

>>> format_as(column_kind("delta_hhi"), 1421.7)
'1,422'
>>> format_as(column_kind("combined_share"), 0.6139)
'61.4%'
>>> verdict_label("presumed_anticompetitive")
'Presumed anticompetitive'
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["COLUMN_LABELS", "MEASURE_LABELS", "VERDICT_LABELS", "ZONE_LABELS", "KINDS",
           "LONG_TEXT_COLUMNS", "column_label", "column_kind", "format_as", "format_column",
           "format_significant", "format_points", "format_percent", "verdict_label",
           "zone_label", "measure_label", "fact_kind", "human_frame", "humanize"]

#: The formats a column can have.
KINDS = ("points", "percent", "decimal", "centrality", "count", "pvalue", "date", "bool",
         "verdict", "zone", "text", "auto")

#: How each column code is shown: (label, kind).  Kinds are :data:`KINDS`.
_COLUMNS = {
    "market": ("Market", "text"),
    "period": ("Period", "text"),
    "period_start": ("Start", "date"),
    "period_end": ("End", "date"),
    "start": ("Start", "date"),
    "end": ("End", "date"),
    "firm": ("Firm", "text"),
    "other": ("Other firm", "text"),
    "owner": ("Owner", "text"),
    "deal": ("Deal", "text"),
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
    "parties_present": ("Parties in the market", "count"),
    "overlap": ("Overlap", "bool"),
    "fringe_parties": ("Parties in the fringe", "count"),
    "zone": ("Zone", "zone"),
    "verdict": ("Verdict", "verdict"),
    "verdict_label": ("Verdict", "text"),
    "verdict_lower": ("Verdict at the lowest HHI", "verdict"),
    "verdict_upper": ("Verdict at the highest HHI", "verdict"),
    "holds_at_both_bounds": ("Same verdict at both bounds", "bool"),
    "post_hhi_upper": ("HHI after, highest", "points"),
    "pre_hhi_upper": ("HHI before, highest", "points"),
    "delta_hhi_upper": ("ΔHHI, highest", "points"),
    "rule": ("Rule", "text"),
    "citation": ("Citation", "text"),
    "not_checked": ("Not checked", "text"),
    "notes": ("Notes", "text"),
    "note": ("Note", "text"),
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
    "contributions": ("Contributions", "points"),
    "kappa": ("κ", "decimal"),
    "margin": ("Margin", "percent"),
    "price": ("Price", "decimal"),
    "diversion": ("Diversion ratio", "percent"),
    "guppi": ("GUPPI", "percent"),
    "upp": ("UPP", "percent"),
    "ipr": ("Illustrative price rise", "percent"),
    "cmcr": ("CMCR", "percent"),
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
    "closeness": ("Closeness", "centrality"),
    "katz": ("Katz", "centrality"),
    "centralization": ("Degree centralization", "centrality"),
    "n_ties": ("Live ties", "count"),
    "n_firms_live": ("Organisations", "count"),
    "ties": ("Ties", "count"),
    "firms": ("Firms", "count"),
    "year": ("Year", "text"),
    "rank": ("Rank", "count"),
    "first": ("First", "text"),
    "latest": ("Latest", "text"),
    "change": ("Change", "points"),
    "input": ("Input", "text"),
    "source": ("Source", "text"),
    "target": ("Target", "text"),
    "kind": ("Kind", "text"),
    "rows": ("Rows", "count"),
    "columns": ("Columns", "count"),
    "column": ("Column", "text"),
    "row": ("Row", "text"),
    "row_other": ("Other row", "text"),
    "sha256": ("SHA-256", "text"),
    "severity": ("Severity", "text"),
    "check": ("Check", "text"),
    "group": ("Market and period", "text"),
    "value": ("Value", "text"),
    "message": ("Message", "text"),
    "reason": ("Reason", "text"),
    # pairwise overlap scores (concentration.overlap)
    "cosine": ("Cosine", "centrality"),
    "dot": ("Dot product", "auto"),
    "jaccard": ("Jaccard", "centrality"),
    "weighted_jaccard": ("Weighted Jaccard", "centrality"),
    "weighted_overlap": ("Weighted overlap", "centrality"),
    "score": ("Score", "auto"),
    # regression tables (concentration.stats)
    "coef": ("Coefficient", "auto"),
    "std_err": ("Std. error", "auto"),
    "p_value": ("p-value", "pvalue"),
}

#: Column code -> label shown in a table header.
COLUMN_LABELS = {k: v[0] for k, v in _COLUMNS.items()}

#: Columns whose texts are long: displays show them as numbered notes below the table.
LONG_TEXT_COLUMNS = frozenset({"rule", "citation", "not_checked", "notes", "note",
                               "mhhi_note", "holdings_note", "message", "rule_upper",
                               "citation_upper", "reason"})

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
    "no_threshold_stated": "No threshold stated by the text",
    "above_threshold": "Above the threshold",
    "at_or_below_threshold": "At or below the threshold",
}

#: Zone code (``Guideline.zones``) -> label.
ZONE_LABELS = {
    "unconcentrated": "Unconcentrated",
    "moderately_concentrated": "Moderately concentrated",
    "highly_concentrated": "Highly concentrated",
    "not_highly_concentrated": "Not highly concentrated",
    "hhi_below_1000": "HHI below 1,000",
    "hhi_1000_2000": "HHI 1,000–2,000",
    "hhi_above_2000": "HHI above 2,000",
    "hhi_at_most_1500": "HHI at most 1,500",
    "hhi_1500_2500": "HHI 1,500–2,500",
    "hhi_above_2500": "HHI above 2,500",
    "above_1800": "HHI above 1,800",
    "at_most_1800": "HHI at most 1,800",
}

# Variants of a base code: suffix -> what the label gains.
_SUFFIXES = {"_upper": ", highest", "_lower": ", lowest", "_max": ", highest",
             "_min": ", lowest"}
_PREFIXES = {"max_": "highest ", "min_": "lowest "}


def _base(code: str):
    """``(base code, label suffix)`` of a variant (``post_hhi_upper`` -> ``post_hhi``)."""
    for suffix, text in _SUFFIXES.items():
        if code.endswith(suffix) and code[: -len(suffix)] in _COLUMNS:
            return code[: -len(suffix)], text
    return None, ""


def column_label(code) -> str:
    """The header of column ``code``: its label, or the code itself when it has none.

    >>> column_label("delta_hhi"), column_label("combined_share_upper")
    ('ΔHHI', 'Combined share, highest')
    """
    code = str(code)
    if code in COLUMN_LABELS:
        return COLUMN_LABELS[code]
    base, text = _base(code)
    if base is not None:
        return COLUMN_LABELS[base] + text
    return code


def column_kind(code) -> str:
    """The format of column ``code`` (``"points"``, ``"percent"`` ...; ``"auto"`` if unknown).

    Variants take the format of their base code (``mhhi_delta_upper`` is in points);
    an unknown ``*_share`` is a percentage, ``*_hhi`` points, ``n_*`` a count.
    """
    code = str(code)
    if code in _COLUMNS:
        return _COLUMNS[code][1]
    base, _ = _base(code)
    if base is not None:
        return _COLUMNS[base][1]
    if code.endswith("_share") or code.startswith("share_"):
        return "percent"
    if code.endswith("_hhi") or code.startswith(("hhi_", "mhhi_")):
        return "points"
    if code.startswith("n_"):
        return "count"
    if code.startswith("zone"):
        return "zone"
    return "auto"


_LABEL_CODES = {v.lower(): k for k, v in COLUMN_LABELS.items()}


def fact_kind(label) -> str:
    """The format of a summary fact from its label (``"MHHI delta"`` -> ``"points"``).

    A label is read as a column code (``"max MHHI delta"`` -> ``max_mhhi_delta``), or
    as a column's label; ``"auto"`` when it is neither.
    """
    text = str(label).strip().lower()
    code = text.replace(" ", "_").replace("-", "_")
    for prefix in _PREFIXES:
        if code.startswith(prefix):
            code = code[len(prefix):]
    kind = column_kind(code)
    if kind == "auto" and text in _LABEL_CODES:
        kind = column_kind(_LABEL_CODES[text])
    return kind


def verdict_label(code) -> str:
    """A verdict's label: ``"presumed_anticompetitive"`` -> ``"Presumed anticompetitive"``."""
    return VERDICT_LABELS.get(str(code), str(code).replace("_", " ").capitalize())


def zone_label(code) -> str:
    """A zone's label: ``"highly_concentrated"`` -> ``"Highly concentrated"``; ``""`` stays."""
    code = str(code)
    return ZONE_LABELS.get(code, code.replace("_", " ").capitalize())


def humanize(code) -> str:
    """A code as words: ``"equity_investment"`` -> ``"Equity investment"``."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


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
    """Text of value ``v`` in format ``kind``; ``–`` for a missing value.

    >>> format_as("points", 7296.551724), format_as("decimal", 6.973157e-49)
    ('7,297', '0.00')
    >>> format_as("bool", True), format_as("date", pd.Timestamp("2024-03-31"))
    ('yes', '2024-03-31')
    >>> format_as("text", np.int64(2024)), format_as("auto", 2024)
    ('2024', '2,024')
    """
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
    if kind == "decimal" and isinstance(v, (int, np.integer)):
        return f"{int(v):,}"  # an integer column (a count of deals as strength) stays whole
    if kind == "decimal" and number:
        return _minus(f"{_nozero(float(v), 2):,.2f}")
    if kind == "centrality" and number:
        return _minus(f"{_nozero(float(v), 3):.3f}")
    if kind == "count" and number:
        return f"{int(round(float(v))):,}"
    if kind == "pvalue" and number:
        return "<0.001" if 0 <= float(v) < 0.001 else f"{float(v):.3f}"
    if kind == "verdict":
        return verdict_label(v)
    if kind == "zone":
        return zone_label(v)
    if kind == "date" or isinstance(v, (pd.Timestamp, np.datetime64)):
        try:
            t = pd.Timestamp(v)
        except (TypeError, ValueError):
            return str(v)
        return t.date().isoformat() if t == t.normalize() else t.isoformat()
    if kind == "text":   # a label (year 2024, firm id 320193) is not a quantity
        return str(v.item() if isinstance(v, np.generic) else v)
    if number:
        return _auto_number(v)
    return str(v)


def _minus(text: str) -> str:
    # a typographic minus for the sign; an exponent's sign (1e-05) stays as written
    return "−" + text[1:] if text.startswith("-") else text


def _nozero(f: float, digits: int) -> float:
    # -0.0001 shown with 2 decimals is 0.00, not −0.00
    return 0.0 if round(f, digits) == 0 else f


def _auto_number(v) -> str:
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    f = float(v)
    if abs(f) >= 100:
        return _minus(f"{f:,.0f}")
    return _minus(f"{_nozero(f, 2):.2f}")


def format_significant(v) -> str:
    """A number of unknown quantity: whole with separators from 1,000, else 4 significant digits.

    >>> format_significant(6.973157e-49), format_significant(0.00031), format_significant(7296.55)
    ('6.973e-49', '0.00031', '7,297')
    """
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer,
                                                              np.floating)):
        return format_as("auto", v)
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    f = float(v)
    if not math.isfinite(f):
        return "–"
    if abs(f) >= 1000:
        return _minus(f"{f:,.0f}")
    return _minus(f"{f:.4g}")


def format_column(code, values) -> list:
    """The texts of the values of column ``code`` (each in the column's format)."""
    kind = column_kind(code)
    return [format_as(kind, v) for v in values]


def human_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each cell as its text (format by column code) and labelled headers."""
    df = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    out = pd.DataFrame({column_label(c): format_column(c, df[c]) for c in df.columns})
    return out
