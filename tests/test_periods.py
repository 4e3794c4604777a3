"""Periods as intervals: parsing, the data's own dates, time order per market."""
import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration._periods import parse_period, period_bounds, period_order
from concentration._tables import coerce_shares
from concentration.exceptions import PeriodError

T = pd.Timestamp


@pytest.mark.parametrize("label, start, end", [
    ("2024", "2024-01-01", "2024-12-31"),
    (2024, "2024-01-01", "2024-12-31"),
    ("2024H1", "2024-01-01", "2024-06-30"),
    ("H2 2024", "2024-07-01", "2024-12-31"),
    ("2024-H2", "2024-07-01", "2024-12-31"),
    ("2024Q3", "2024-07-01", "2024-09-30"),
    ("Q1 2024", "2024-01-01", "2024-03-31"),
    ("2024-02", "2024-02-01", "2024-02-29"),
    ("2024-03-05", "2024-03-05", "2024-03-05"),
    (pd.Period("2023Q4"), "2023-10-01", "2023-12-31"),
    (T("2020-05-01"), "2020-05-01", "2020-05-01"),
])
def test_labels_are_intervals_of_days(label, start, end):
    assert parse_period(label) == (T(start), T(end))


@pytest.mark.parametrize("label", ["2025-mid", "2025-late", "2025-12-mid", "pre", "Q5 2024",
                                   "2024-13", 12, 10000, True, None, "May"])
def test_free_text_and_out_of_range_numbers_have_no_place(label):
    assert parse_period(label) is None


def test_the_data_dates_win_over_the_label():
    start, end = period_bounds(["2025-mid", "2024"], ["2025-05-01", None], ["2025-07-31", None])
    assert list(pd.DatetimeIndex(start)) == [T("2025-05-01"), T("2024-01-01")]
    assert list(pd.DatetimeIndex(end)) == [T("2025-07-31"), T("2024-12-31")]


def test_period_order_follows_time_not_text():
    # by start, then end: the year 2019 starts before its second quarter
    assert period_order(["2019Q2", "2020", "2019", "2018Q4"]) == ["2018Q4", "2019", "2019Q2",
                                                                 "2020"]
    # the case: 2024, 2025-late, 2025-mid sorted as text; with dates: in time
    assert period_order(["2024", "2025-late", "2025-mid"],
                        starts=["2024-01-01", "2025-09-01", "2025-05-01"]) == \
        ["2024", "2025-mid", "2025-late"]
    assert period_order([3, 1, 10]) == [1, 3, 10]
    cat = pd.Categorical(["post", "pre"], categories=["pre", "post"], ordered=True)
    assert period_order(cat) == ["pre", "post"]


def test_a_label_that_cannot_be_placed_is_an_error_naming_it():
    with pytest.raises(PeriodError, match="'2025-mid'.*period_start"):
        period_order(["2024", "2025-mid"])


def _panel():
    # market b has a label that cannot be placed; market a must stay in time order
    rows = [("a", "2019", "X", 0.5), ("a", "2019", "Y", 0.5),
            ("a", "2018Q4", "X", 0.6), ("a", "2018Q4", "Y", 0.4),
            ("a", "2022", "X", 0.7), ("a", "2022", "Y", 0.3),
            ("b", "2024", "X", 1.0), ("b", "2025-mid", "X", 1.0)]
    return pd.DataFrame(rows, columns=["market", "period", "firm", "share"])


def test_groups_are_in_time_order_within_each_market():
    h = cn.hhi(_panel())
    assert list(h.loc["a"].index) == ["2018Q4", "2019", "2022"]
    assert h.loc[("a", "2018Q4")] == pytest.approx(10_000 * (0.36 + 0.16))


def test_an_unplaceable_label_does_not_reorder_other_markets():
    t = coerce_shares(_panel())
    assert t.unplaced == ("b", "2025-mid")
    labels = list(t.groups)
    assert labels[:3] == [("a", "2018Q4"), ("a", "2019"), ("a", "2022")]
    with pytest.raises(PeriodError, match="2025-mid.*market 'b'"):
        t.time_order("indices")


def test_period_start_and_end_columns_place_free_labels():
    df = _panel()
    df["period_start"] = pd.to_datetime(["2019-01-01"] * 2 + ["2018-10-01"] * 2
                                        + ["2022-01-01"] * 2 + ["2024-01-01", "2025-05-01"])
    df["period_end"] = df["period_start"] + pd.offsets.MonthEnd(1)
    t = coerce_shares(df)
    assert t.unplaced is None
    assert t.intervals["period_start"].iloc[-1] == T("2025-05-01")
    assert list(t.time_order()) == list(range(5))


def test_bad_dates_in_period_start_are_refused():
    df = _panel().assign(period_start="soon")
    with pytest.raises(cn.exceptions.InvalidSharesError, match="period_start"):
        coerce_shares(df)


def test_read_shares_keeps_the_period_dates(tmp_path):
    df = _panel()
    df["period_start"] = T("2020-01-01")
    df["period_end"] = T("2020-12-31")
    path = tmp_path / "s.parquet"
    df.to_parquet(path)
    out = cn.read_shares(path)
    assert {"period_start", "period_end"} <= set(out.columns)
    assert np.all(out["period_end"] == T("2020-12-31"))


def test_all_digit_labels_that_are_not_years_are_ordinal():
    df = pd.DataFrame({"period": ["10", "2", "1", "10", "2", "1"], "firm": list("AAABBB"),
                       "share": [0.5, 0.6, 0.7, 0.5, 0.4, 0.3]})
    t = coerce_shares(df)
    assert t.unplaced is None
    assert list(t.groups) == ["1", "2", "10"]
    assert list(cn.indices(df, ["hhi"]).index) == ["1", "2", "10"]
