"""One format per quantity in the displays; the data keep raw numbers and codes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration._format import (column_kind, column_label, fact_kind, format_as,
                                   human_frame, verdict_label, zone_label)
from concentration._results import Summary, display_table, display_value


@pytest.mark.parametrize("code, value, text", [
    ("hhi", 1421.7, "1,422"), ("delta_hhi", 7296.551724, "7,297"),
    ("post_hhi_upper", 5050.0, "5,050"), ("mhhi_delta", 3000.4, "3,000"),
    ("contribution", -12.6, "−13"), ("pre_hhi", 0.3, "0"),
    ("share", 0.6139, "61.4%"), ("combined_share", 0.55, "55.0%"), ("cr4", 1.0, "100.0%"),
    ("cash_flow", 0.125, "12.5%"), ("combined_share_upper", 0.26, "26.0%"),
    ("kappa", 0.19230769, "0.19"), ("weight", 6.973157e-49, "0.00"),
    ("betweenness", 0.41234, "0.412"), ("eigenvector", -1e-9, "0.000"),
    ("n_firms", 12.0, "12"), ("rows", 12345, "12,345"),
    ("holdings_as_of", pd.Timestamp("2024-12-31"), "2024-12-31"),
    ("overlap", True, "yes"), ("lower_bound", np.bool_(False), "no"),
    ("verdict", "presumed_anticompetitive", "Presumed anticompetitive"),
    ("verdict_upper", "outside_safe_harbour", "Outside the safe harbours"),
    ("zone", "highly_concentrated", "Highly concentrated"),
    ("zone_upper", "hhi_above_2500", "HHI above 2,500"),
    ("hhi", np.nan, "–"), ("share", None, "–"), ("hhi", np.inf, "–"),
    # labels are not quantities: a year, a firm id, a market number as written
    ("period", 2024, "2024"), ("period", np.int64(2024), "2024"), ("firm", 320193, "320193"),
    ("market", np.int32(35), "35"), ("period", "2024Q1", "2024Q1"),
])
def test_one_format_per_quantity(code, value, text):
    assert format_as(column_kind(code), value) == text


def test_labels_and_variants():
    assert column_label("delta_hhi") == "ΔHHI"
    assert column_label("combined_share_upper") == "Combined share, highest"
    assert column_label("unknown_code") == "unknown_code"
    assert column_kind("mhhi_delta_upper") == "points"
    assert column_kind("other_party_share") == "percent"
    assert verdict_label("safe_harbour") == "Safe harbour"
    assert verdict_label("some_new_code") == "Some new code"
    assert zone_label("") == ""
    assert fact_kind("MHHI delta") == "points" and fact_kind("max MHHI delta") == "points"
    assert fact_kind("control model") == "auto"


def test_facts_are_formatted_by_their_label():
    assert display_value("HHI", 3800.0) == "3,800"
    assert display_value("MHHI delta", "3,000.0") == "3,000"
    assert display_value("verdicts", "presumed_anticompetitive 3, safe_harbour 1") == \
        "Presumed anticompetitive 3, Safe harbour 1"
    assert display_value("control model", "proportional") == "proportional"


def test_human_frame_keeps_the_reports_behaviour():
    frame = pd.DataFrame({"hhi": [1421.7], "share_sum": [0.7]},
                         index=pd.Index(["m"], name="market"))
    out = human_frame(frame)
    assert out.columns.tolist() == ["Market", "HHI", "Listed share"]
    assert out.iloc[0].tolist() == ["m", "1,422", "70.0%"]


def test_the_report_uses_the_same_formats():
    """One home for the formats: the report's HTML takes them from the base module."""
    pytest.importorskip("jinja2")
    import importlib

    from concentration import _format as base

    html_module = importlib.import_module("concentration.reporting._html")
    assert html_module.format_as is base.format_as
    assert html_module.column_label is base.column_label


def _screen():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cn.screen_merger({"A": .30, "B": .25, "C": .45}, ["A", "B"], guidelines="all")


def test_screen_under_every_edition_reads_at_notebook_width():
    screen = _screen()
    text = str(screen.summary())
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "Presumed anticompetitive" in text and "7296.551724" not in text
    assert "ΔHHI 1,500" in text  # the same in every row: said once
    assert "[1] Rule: us2023" in text  # long texts become numbered notes
    # the data keep the codes and the raw numbers
    frame = screen.to_frame()
    assert frame["verdict"].iloc[0] == "presumed_anticompetitive"
    assert frame["delta_hhi"].iloc[0] == pytest.approx(1500)
    page = screen._repr_html_()
    assert "<ol class='conc-notes'>" in page and "§2.1" in page


def test_display_table_notes_bounds_and_constants():
    frame = pd.DataFrame({"market": ["x", "y"], "hhi": [1000.0, 2000.0],
                          "hhi_upper": [1000.0, 2000.0], "share_sum": [1.0, 1.0],
                          "citation": ["a long citation " * 5, "a long citation " * 5]})
    shown = display_table(frame)
    assert list(shown.frame.columns) == ["Market", "HHI", "Note"]
    assert shown.equal == (("hhi_upper", "hhi"),)
    assert shown.same == (("Listed share", "100.0%"),)
    assert shown.notes == ("a long citation " * 5,) and list(shown.frame["Note"]) == ["[1]"] * 2
    # a single row lifts nothing
    assert "Listed share" in display_table(frame.head(1)).frame.columns
    # a bound that differs is shown in its column as a range
    ranged = display_table(frame.assign(hhi_upper=[1100.0, 2000.0]))
    assert list(ranged.frame["HHI"]) == ["1,000–1,100", "2,000"]
    assert ranged.ranges == ("hhi_upper",)


def test_wide_text_tables_are_split_into_blocks():
    frame = pd.DataFrame({"market": ["x", "y"], **{f"col_{i}": [1.5 * i, 2.0 * i]
                                                  for i in range(14)}})
    text = str(Summary(title="t", table=frame))
    assert max(len(line) for line in text.splitlines()) <= 100
    assert text.count("Market") >= 2  # the key starts each block


def test_long_cells_are_escaped_in_notes():
    s = Summary(title="t", table=pd.DataFrame({"firm": ["A"], "notes": ["<script>x</script>"]}))
    page = s.as_html()
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_describe_overlap():
    B = np.array([[0.5, 0.0], [0.1, 0.5]])
    k = cn.overlap(B, metric="kappa", control=B)
    d = cn.describe_overlap(k, labels=["A", "B"], metric="kappa")
    assert d.symmetric is False and d.shape == (2, 2) and d.stored == 4
    assert d.to_frame()["kappa"].tolist() == pytest.approx([0.2, 0.05 / 0.26])
    assert "not symmetric" in str(d.summary())
    W = pd.DataFrame({"row": ["A", "A", "B", "C", "C"], "column": ["x", "y", "x", "y", "z"],
                      "weight": [.5, .5, 1, .3, .7]})
    pairs = cn.describe_overlap(cn.overlap(W, threshold=0.1))
    assert pairs.metric == "cosine" and pairs.symmetric
    assert pairs.to_frame()[["row", "row_other"]].values.tolist() == [["A", "B"], ["A", "C"]]
    dense = cn.describe_overlap(cn.overlap(W), top=1)
    assert len(dense.to_frame()) == 1 and "<table" in dense._repr_html_()
    sparse = cn.describe_overlap(cn.overlap(W.assign(row=W["row"]), output="frame"))
    assert sparse.symmetric
    with pytest.raises(cn.exceptions.InvalidParameterError, match="'top'"):
        cn.describe_overlap(np.eye(2), top=-1)
    with pytest.raises(cn.exceptions.InvalidParameterError, match="'labels'"):
        cn.describe_overlap(np.eye(2), labels=["a"])


def _network():
    from concentration.network import PartnershipNetwork

    return PartnershipNetwork(pd.DataFrame({
        "source": ["A", "A", "<script>x</script>", "B"], "target": ["B", "C", "A", "C"],
        "kind": ["equity_investment", "joint_venture", "equity_investment", "licensing"],
        "start": ["2019", "2020-06", "2021", "2022"]}))


def test_network_display_tables_figure_and_escaping():
    pytest.importorskip("matplotlib")
    page = _network()._repr_html_()
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert "Ties by kind" in page and "Equity investment" in page
    assert "Most central firms" in page and "<svg" in page
    assert "2019-01-01 to 2022-01-01" in page


def test_network_display_without_matplotlib(monkeypatch):
    from concentration.network._display import network_html

    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    page = network_html(_network())
    assert "<svg" not in page and "Most central firms" in page


def test_numbers_of_unknown_quantity_keep_four_digits():
    from concentration._format import format_significant

    assert format_significant(6.973157e-49) == "6.973e-49"
    assert format_significant(-0.00031) == "−0.00031"
    assert format_significant(7296.551724) == "7,297"
    assert format_as(column_kind("p_value"), 6.97e-49) == "<0.001"
    assert format_as(column_kind("p_value"), 0.0312) == "0.031"
    table = pd.DataFrame({"coef": [0.00031, -2.5]}, index=pd.Index(["hhi", "x"], name="term"))
    text = str(Summary(title="t", table=table))
    assert "0.00031" in text and "−2.5" in text
