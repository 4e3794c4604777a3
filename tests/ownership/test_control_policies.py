"""Control, explicitly: control_missing policies, kappa above one with its cause, the driving
pair of each market, and the normalisation convention of R antitrust::HHI()."""

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import InvalidHoldingsError, InvalidParameterError
from concentration.ownership import ABOVE_ONE_CAUSES, kappa_above_one

# --------------------------------------------------------------------- control_missing

def _partial():
    # X: 30 % of A with 50 % of its votes; Y: 20 % of A (votes not given), 40 % of B (40 %)
    return pd.DataFrame({"owner": ["X", "Y", "Y"], "firm": ["A", "A", "B"],
                         "cash_flow": [0.3, 0.2, 0.4], "control": [0.5, np.nan, 0.4]})


def test_control_missing_error_names_rows_and_the_fix():
    with pytest.raises(InvalidHoldingsError, match="1 missing") as err:
        cn.read_holdings(_partial(), control="control")
    msg = str(err.value)
    assert "'Y' in 'A'" in msg and "control_missing='cash_flow'" in msg
    assert "control_missing='none'" in msg


def test_control_missing_cash_flow_by_hand():
    h = cn.read_holdings(_partial(), control="control", control_missing="cash_flow")
    assert h.table["control"].tolist() == [0.5, 0.2, 0.4]
    assert h.n_control_missing == 1 and h.control_missing == "cash_flow"
    assert "1 stake(s) without a control value follow cash flow" in h.control_note
    k = cn.profit_weights(h)
    # kappa_AB = (.5*0 + .2*.4) / (.5*.3 + .2*.2) = .08/.19; kappa_BA = .4*.2/(.4*.4) = .5
    assert k.loc["A", "B"] == pytest.approx(0.08 / 0.19, rel=1e-12)
    assert k.loc["B", "A"] == pytest.approx(0.5, rel=1e-12)
    assert "control_missing='cash_flow'" in k.attrs["control_note"]
    r = cn.mhhi({"A": 0.5, "B": 0.5}, h)
    assert r.mhhi == pytest.approx(5000 + 2500 * (0.08 / 0.19 + 0.5), rel=1e-12)
    assert "control_missing='cash_flow'" in r.control_note


def test_control_missing_none_by_hand():
    h = cn.read_holdings(_partial(), control="control", control_missing="none")
    assert h.table["control"].tolist() == [0.5, 0.0, 0.4]
    assert "carry no control (gamma = 0)" in h.control_note
    k = cn.profit_weights(h)
    assert k.loc["A", "B"] == 0.0          # Y has no say in A
    assert k.loc["B", "A"] == pytest.approx(0.5, rel=1e-12)
    r = cn.mhhi({"A": 0.5, "B": 0.5}, h)
    assert r.mhhi == pytest.approx(6250.0, rel=1e-12)
    assert "control_missing='none'" in str(r.summary())


def test_control_missing_needs_a_control_column_and_a_known_value():
    with pytest.raises(InvalidParameterError, match="control_missing"):
        cn.read_holdings(_partial().drop(columns="control"), control_missing="none")
    with pytest.raises(InvalidParameterError, match="control_missing"):
        cn.read_holdings(_partial(), control="control", control_missing="zero")


def test_complete_control_column_is_unchanged_by_the_policy():
    df = _partial().fillna({"control": 0.1})
    a = cn.read_holdings(df, control="control")
    b = cn.read_holdings(df, control="control", control_missing="none")
    pd.testing.assert_frame_equal(a.table, b.table)
    assert b.n_control_missing == 0
    assert a.control_note == b.control_note


# ------------------------------------------------------------------------- kappa above 1

def test_kappa_above_one_common_owners_by_hand():
    # X is A's only owner (10 %) and holds 50 % of B: kappa_AB = .1*.5/.1**2 = 5
    h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X", "Y"], "firm": ["A", "B", "B"],
                                       "cash_flow": [0.1, 0.5, 0.5]}))
    flags = kappa_above_one(h)
    assert flags[["firm", "other", "cause", "controlling_owners"]].values.tolist() == \
        [["A", "B", "common_owners", "X"]]
    assert flags["kappa"].iloc[0] == pytest.approx(5.0, rel=1e-12)
    assert "50.0% of B and 10.0% of A directly" in flags["explanation"].iloc[0]
    assert cn.profit_weights(h).attrs["kappa_above_one"][0]["cause"] == "common_owners"


def test_kappa_above_one_rival_controls_and_mhhi_by_hand():
    # MS holds 27 % of OAI and is its only listed owner; MS has no owner data, so it
    # controls itself and receives all of its own profit.
    h = cn.read_holdings(pd.DataFrame({"owner": ["MS"], "firm": ["OAI"],
                                       "cash_flow": [0.27]}))
    r = cn.mhhi({"OAI": 0.6, "MS": 0.4}, h)
    k_om, k_mo = 0.27 / 0.27 ** 2, 0.27    # kappa(OAI, MS), kappa(MS, OAI)
    assert r.mhhi == pytest.approx(10_000 * (0.52 + 0.24 * (k_om + k_mo)), rel=1e-12)
    flags = r.kappa_above_one
    assert flags[["firm", "other", "controlling_owners", "cause"]].values.tolist() == \
        [["OAI", "MS", "MS", "rival_controls"]]
    assert flags["kappa"].iloc[0] == pytest.approx(k_om, rel=1e-12)
    f = r.to_frame()
    assert f["top_pair"].iloc[0] == "OAI & MS"
    assert f["top_pair_delta"].iloc[0] == pytest.approx(2400 * (k_om + k_mo), rel=1e-12)
    assert f["top_pair_delta"].iloc[0] == pytest.approx(f["mhhi_delta"].iloc[0], rel=1e-12)


def test_kappa_above_one_through_a_chain_is_indirect():
    # X: 10 % of A (its only owner) and 60 % of C; C holds 50 % of B.  X's integrated
    # claim on B is .6*.5 = .3, so kappa_AB = .3/.1 = 3 with no direct stake in B.
    h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X", "C"], "firm": ["A", "C", "B"],
                                       "cash_flow": [0.1, 0.6, 0.5]}))
    flags = kappa_above_one(h)
    row = flags[(flags["firm"] == "A") & (flags["other"] == "B")]
    assert row["kappa"].iloc[0] == pytest.approx(3.0, rel=1e-12)
    assert row["cause"].iloc[0] == "indirect"
    assert set(flags["cause"]) <= set(ABOVE_ONE_CAUSES)


def test_no_kappa_above_one_is_an_empty_frame_with_columns():
    h = cn.read_holdings(pd.DataFrame({"owner": ["V", "V"], "firm": ["A", "B"],
                                       "cash_flow": [0.1, 0.1]}))
    r = cn.mhhi({"A": 0.5, "B": 0.5}, h)
    assert r.kappa_above_one.empty
    assert "cause" in r.kappa_above_one.columns
    assert r.to_frame()["top_pair"].iloc[0] == "A & B"


def test_top_pair_per_market_by_hand():
    # market m1: A-B commonly owned (kappa 1 both ways); C alone.  m2: nothing shared.
    h = cn.read_holdings(pd.DataFrame({"owner": ["V", "V", "W"], "firm": ["A", "B", "C"],
                                       "cash_flow": [0.1, 0.1, 0.2]}))
    shares = pd.DataFrame({"market": ["m1"] * 3 + ["m2"] * 2, "firm": list("ABCAC"),
                           "share": [0.5, 0.3, 0.2, 0.6, 0.4]})
    f = cn.mhhi(shares, h).to_frame()
    assert f.loc["m1", "top_pair"] == "A & B"
    assert f.loc["m1", "top_pair_delta"] == pytest.approx(10_000 * 2 * 0.15, rel=1e-12)
    assert pd.isna(f.loc["m2", "top_pair"]) and f.loc["m2", "top_pair_delta"] == 0.0


# ----------------------------------------------------- R antitrust::HHI() convention

SHARES = np.array([0.15, 0.20, 0.25, 0.35, 0.05])


def _r_matrices():
    """The owner and control matrices of the two examples of ?antitrust::HHI."""
    owner = np.eye(5)
    owner[0, 1] = owner[1, 0] = owner[2, 3] = owner[3, 2] = 1
    control = owner.copy()
    owner[0, 0] = owner[1, 0] = 0.9
    owner[2, 0] = owner[3, 0] = 0.1
    owner[0, 2] = owner[1, 2] = 0.75
    owner[2, 2] = owner[3, 2] = 0.25
    control2 = control.copy()
    control2[0, 0] = control2[1, 0] = 0.7
    control2[2, 0] = control2[3, 0] = 0.3
    return owner, control, control2


def r_hhi(shares, owner, control):
    """A transcription of antitrust::HHI (luciu5/antitrust, R/HHIFunctions.R)."""
    weights = control.T @ owner                     # crossprod(control, owner)
    # t(t(weights)/diag(weights)): R recycles the vector down the columns, so element
    # [a, b] of t(weights) is divided by diag[a]
    weights = (weights.T / np.diag(weights)[:, None]).T
    s = shares * 100
    return float(s @ weights @ s)


def _library(owner, control):
    # rows 0/1 are firm A's, 2/3 firm B's, 4 firm C's: one owner each
    rows = [(o, f"p{j + 1}", owner[r, j], control[r, j])
            for o, r in (("A", 0), ("B", 2), ("C", 4)) for j in range(5)
            if owner[r, j] > 0 or control[r, j] > 0]
    h = cn.read_holdings(pd.DataFrame(rows, columns=["owner", "firm", "cash_flow", "control"]),
                         control="control")
    return cn.mhhi({f"p{j + 1}": SHARES[j] for j in range(5)}, h).mhhi


def test_r_antitrust_examples_both_normalisations():
    owner, control, control2 = _r_matrices()
    # R divides each column by the diagonal: its documented examples give these
    assert r_hhi(SHARES, owner, control) == pytest.approx(7575.0, abs=1e-9)
    assert r_hhi(SHARES, owner, control2) == pytest.approx(7562.954545, abs=1e-6)
    # O'Brien-Salop divides each row (kappa_jk = sum_i g_ij b_ik / sum_i g_ij b_ij)
    assert _library(owner, control) == pytest.approx(7712.083333, abs=1e-6)
    assert _library(owner, control2) == pytest.approx(7963.977273, abs=1e-6)


def test_r_antitrust_argument_swap_gives_obrien_salop():
    owner, control, control2 = _r_matrices()
    for c in (control, control2):
        assert r_hhi(SHARES, c, owner) == pytest.approx(_library(owner, c), rel=1e-12)
