"""The new ownership options give the same results on Dask input as in memory."""

import numpy as np
import pandas as pd
import pytest

import concentration as cn

dd = pytest.importorskip("dask.dataframe")

PERIODS = ["2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
ENTITIES = pd.DataFrame({"entity": ["F1s", "F0"], "parent": ["F1", None],
                         "parent_since": ["2024-04-01", None], "aliases": [None, "F0 Inc"]})


def _holdings_frame(seed=3):
    """Dated holdings in 2024Q1 and 2024Q3 only, with a partial control column."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in ("2024Q1", "2024Q3"):
        for o in range(6):
            for f in rng.choice(6, size=3, replace=False):
                cf = float(rng.uniform(0.01, 0.12))
                votes = np.nan if rng.random() < 0.3 else cf * float(rng.choice([1.0, 2.0]))
                firm = "F0 Inc" if f == 0 else f"F{f}"
                rows.append((p, f"o{o}", firm, cf, votes))
    return pd.DataFrame(rows, columns=["period", "owner", "firm", "cash_flow", "votes"])


def _shares_frame(seed=5):
    rng = np.random.default_rng(seed)
    rows = []
    for p in PERIODS:
        for m in range(3):
            firms = rng.choice(["F0", "F1", "F1s", "F2", "F3", "F4", "F5"], size=3,
                               replace=False)
            s = rng.dirichlet(np.ones(3))
            rows += [(f"m{m}", p, f, float(x)) for f, x in zip(firms, s)]
    return pd.DataFrame(rows, columns=["market", "period", "firm", "share"])


def _same(got, expected):
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), check_exact=True)
    pd.testing.assert_frame_equal(got.by_pair(), expected.by_pair(), check_exact=True)
    pd.testing.assert_frame_equal(got.kappa_above_one, expected.kappa_above_one,
                                  check_exact=True)
    # the policy is stated on both paths (Dask does not count the filled rows)
    policy = expected.control_note.split("control_missing=")[-1]
    assert got.control_note.endswith("control_missing=" + policy)
    if expected.entities is not None:
        key = ["role", "name", "entity"]
        pd.testing.assert_frame_equal(
            got.entities.sort_values(key, ignore_index=True),
            expected.entities.sort_values(key, ignore_index=True))


@pytest.mark.parametrize("options", [
    {}, {"as_of": "stake"}, {"max_age": "100D"}, {"as_of": "stake", "max_age": "200D"},
    {"parent": ENTITIES}, {"parent": ENTITIES, "as_of": "stake"}])
def test_mhhi_options_equal_in_memory(options):
    hframe, shares = _holdings_frame(), _shares_frame()
    h = cn.read_holdings(hframe, control="votes", control_missing="cash_flow")
    expected = cn.mhhi(shares, h, **options)
    assert expected.to_frame()["holdings_note"].notna().any()     # 2023Q4: none yet
    lazy_h = cn.read_holdings(dd.from_pandas(hframe, npartitions=2), engine="dask",
                              control="votes", control_missing="cash_flow")
    _same(cn.mhhi(dd.from_pandas(shares, npartitions=3), lazy_h, **options), expected)
    _same(cn.mhhi(dd.from_pandas(shares, npartitions=3), h, **options), expected)


def test_profit_weights_options_equal_in_memory():
    hframe = _holdings_frame()
    h = cn.read_holdings(hframe, control="votes", control_missing="none")
    lazy = cn.read_holdings(dd.from_pandas(hframe, npartitions=2), engine="dask",
                            control="votes", control_missing="none")
    for options in ({}, {"at": "2024-12-31", "as_of": "stake"}, {"parent": ENTITIES},
                    {"at": "2024-06-30", "parent": ENTITIES}):
        expected = cn.profit_weights(h, **options)
        got = cn.profit_weights(lazy, **options)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        for key in ("kappa_above_one", "holdings_as_of", "entities"):
            assert got.attrs.get(key) == expected.attrs.get(key), key
    assert "control_missing='none'" in cn.profit_weights(lazy).attrs["control_note"]


def test_read_holdings_engine_dask_with_parent_and_control_missing():
    hframe = _holdings_frame()
    kwargs = {"control": "votes", "control_missing": "none", "parent": ENTITIES}
    expected = cn.read_holdings(hframe, **kwargs).table
    got = cn.read_holdings(dd.from_pandas(hframe, npartitions=2), engine="dask",
                           **kwargs).compute()
    key = ["period", "owner", "firm"]
    pd.testing.assert_frame_equal(got.sort_values(key, ignore_index=True),
                                  expected.sort_values(key, ignore_index=True),
                                  check_exact=True)
    assert "F0 Inc" not in set(got["firm"]) and "F0" in set(got["firm"])
