"""Holdings data model: validation, cross-owner flags, scenarios."""

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import InvalidHoldingsError, InvalidParameterError, SchemaError


def _df(**kw):
    base = {"owner": ["BR", "VG", "BR", "VG"], "firm": ["A", "A", "B", "B"],
            "cash_flow": [0.10, 0.08, 0.05, 0.07]}
    base.update(kw)
    return pd.DataFrame(base)


def test_control_follows_cash_flow_is_stated():
    h = cn.read_holdings(_df())
    assert not h.control_given
    np.testing.assert_allclose(h.table["control"], h.table["cash_flow"])
    assert "control follows cash flow" in h.control_note
    assert "follows cash flow" in str(h.summary())


def test_explicit_control_and_percent():
    df = _df(votes=[20.0, 8.0, 5.0, 7.0], cash_flow=[10.0, 8.0, 5.0, 7.0])
    h = cn.read_holdings(df, control="votes", scale="percent")
    assert h.control_given
    np.testing.assert_allclose(h.table["control"], [0.2, 0.08, 0.05, 0.07])
    np.testing.assert_allclose(h.table["cash_flow"], [0.1, 0.08, 0.05, 0.07])


def test_input_not_modified():
    df = _df()
    before = df.copy()
    cn.read_holdings(df).merge_owners(["BR", "VG"]).divest("BR + VG", "A")
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("bad, match", [
    ([0.1, -0.08, 0.05, 0.07], "negative"),
    ([0.1, np.nan, 0.05, 0.07], "missing"),
    ([10.0, 8.0, 5.0, 7.0], "scale='percent'"),
])
def test_bad_stakes(bad, match):
    with pytest.raises(InvalidHoldingsError, match=match):
        cn.read_holdings(_df(cash_flow=bad))


def test_firm_total_above_one():
    df = pd.DataFrame({"owner": ["X", "Y"], "firm": ["A", "A"], "cash_flow": [0.6, 0.5]})
    with pytest.raises(InvalidHoldingsError, match="sum to 1.1"):
        cn.read_holdings(df)
    # within tolerance is fine
    cn.read_holdings(df.assign(cash_flow=[0.6, 0.405]))


def test_duplicates():
    df = pd.concat([_df(), _df().iloc[:1]], ignore_index=True)
    with pytest.raises(InvalidHoldingsError, match="duplicates='sum'"):
        cn.read_holdings(df)
    h = cn.read_holdings(df, duplicates="sum")
    assert h.table.loc[(h.table.owner == "BR") & (h.table.firm == "A"), "cash_flow"].item() \
        == pytest.approx(0.2)


def test_self_holding_and_missing_labels():
    with pytest.raises(InvalidHoldingsError, match="owner of itself"):
        cn.read_holdings(_df(owner=["A", "VG", "BR", "VG"]))
    with pytest.raises(InvalidHoldingsError, match="missing"):
        cn.read_holdings(_df(owner=[None, "VG", "BR", "VG"]))


def test_schema_and_parameters():
    with pytest.raises(SchemaError, match="'cash_flow' column 'beta'"):
        cn.read_holdings(_df(), cash_flow="beta")
    with pytest.raises(SchemaError, match="numeric"):
        cn.read_holdings(_df(cash_flow=["a", "b", "c", "d"]))
    with pytest.raises(InvalidParameterError, match="'scale' parameter of read_holdings"):
        cn.read_holdings(_df(), scale="basis points")


def test_cross_owners_flagged():
    df = pd.DataFrame({"owner": ["Microsoft", "Fund", "Fund"],
                       "firm": ["OpenAI", "Microsoft", "OpenAI"],
                       "cash_flow": [0.27, 0.05, 0.01]})
    h = cn.read_holdings(df)
    assert h.cross_owners == ("Microsoft",)
    assert "cross_ownership" in set(h.report.issues["check"])


def test_periods_and_parquet_roundtrip(tmp_path):
    df = pd.concat([_df().assign(period="2024Q1"), _df().assign(period="2024Q2")])
    path = tmp_path / "h.parquet"
    cn.write_parquet(df, path, provenance={"source": "test"})
    h = cn.read_holdings(path)
    assert h.has_period and h.periods == ["2024Q1", "2024Q2"]
    assert h.provenance["source"] == "test"
    h1 = cn.read_holdings(path, filters=[("period", "==", "2024Q2")])
    assert h1.periods == ["2024Q2"]
    with pytest.raises(cn.exceptions.DataFileError):
        cn.read_holdings(tmp_path / "missing.parquet")


def test_scenarios_return_new_objects():
    h = cn.read_holdings(_df())
    m = h.merge_owners(["BR", "VG"], into="BRVG")
    assert set(m.owners) == {"BRVG"} and set(h.owners) == {"BR", "VG"}
    np.testing.assert_allclose(m.table.sort_values("firm")["cash_flow"], [0.18, 0.12])
    d = h.divest("BR", "A")
    assert len(d.table) == 3
    d2 = h.divest("BR", "A", fraction=0.5, to="VG")
    a = d2.table[d2.table.firm == "A"].set_index("owner")["cash_flow"]
    assert a["BR"] == pytest.approx(0.05) and a["VG"] == pytest.approx(0.13)
    s = h.strip_control("BR", "A")
    assert s.control_given and s.table.loc[0, "control"] == 0 and s.table.loc[0, "cash_flow"] == 0.1
    assert len(s.history) == 1 and "strip control" in s.history[0]
    w = h.with_stake("BR", "C", 0.3, control=0.5)
    assert w.control_given and "C" in w.firms
    with pytest.raises(InvalidHoldingsError):
        h.with_stake("X", "A", 0.9)
    with pytest.raises(InvalidParameterError, match="owner"):
        h.divest("nobody")
    with pytest.raises(InvalidParameterError, match="two or more"):
        h.merge_owners(["BR"])
