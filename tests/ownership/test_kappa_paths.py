"""MHHI's two ways to a market's κ block give the same result.

The within-market products (small markets) and the overlap kernel on the market's
rows (large ones) must agree to rounding on the same data, and a market's κ must not
depend on the other markets of the call; the κ > 1 frame, built when first read, must
survive pickling; the label codes kept by ``read_holdings`` must be what
``pd.factorize`` gives.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import ConcentrationWarning
from concentration.ownership import _kappa
from concentration.ownership._holdings import label_codes


def _data(seed, n_firms=60, n_owners=90, n_markets=40, periods=None):
    rng = np.random.default_rng(seed)
    rows = []
    for p in periods or [None]:
        for f in range(n_firms):
            held = rng.choice(n_owners, size=int(rng.integers(1, 12)), replace=False)
            stakes = rng.dirichlet(np.ones(held.size + 1))[:-1] * 0.9
            for o, b in zip(held, stakes):
                rows.append({"period": p, "owner": f"O{o}", "firm": f"F{f}", "cash_flow": b,
                             "votes": b * rng.uniform(0.5, 1.5)})
    h = pd.DataFrame(rows)
    h["votes"] = np.minimum(h["votes"], 1.0)
    h["votes"] = h["votes"] / h.groupby(["period", "firm"], dropna=False)["votes"].transform(
        "sum").clip(lower=1.0)
    if periods is None:
        h = h.drop(columns="period")
    shares = []
    for p in periods or [None]:
        for m in range(n_markets):
            k = int(rng.integers(2, 9))
            firms = rng.choice(n_firms + 3, size=k, replace=False)   # a few without holdings
            for f, s in zip(firms, rng.dirichlet(np.ones(k))):
                shares.append({"period": p, "market": m, "firm": f"F{f}", "share": s})
    s = pd.DataFrame(shares)
    if periods is None:
        s = s.drop(columns="period")
    return h, s


def _mhhi_with(monkeypatch, pair_max, shares, h, **kw):
    monkeypatch.setattr(_kappa, "_PAIR_BLOCK_MAX", pair_max)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        return cn.mhhi(shares, h, control_model="voting", **kw)


@pytest.mark.parametrize("seed", range(4))
def test_both_kappa_paths_agree(monkeypatch, seed):
    hd, sd = _data(seed)
    h = cn.read_holdings(hd, control="votes", period=None)
    kw = {"period": None}
    pairs = _mhhi_with(monkeypatch, 128, sd, h, **kw)
    kernel = _mhhi_with(monkeypatch, 0, sd, h, **kw)
    pd.testing.assert_frame_equal(pairs.to_frame(), kernel.to_frame(), check_exact=False,
                                  rtol=1e-12, atol=1e-9)
    a, b = pairs.kappa_above_one, kernel.kappa_above_one
    pd.testing.assert_frame_equal(a.drop(columns="kappa"), b.drop(columns="kappa"))
    np.testing.assert_allclose(a["kappa"].to_numpy(float), b["kappa"].to_numpy(float),
                               rtol=1e-12)
    # and the by-hand O'Brien-Salop sum on one market
    t = h.table
    m0 = sd[sd["market"] == 0]
    B = t.pivot_table(index="firm", columns="owner", values="cash_flow", fill_value=0.0)
    G = t.pivot_table(index="firm", columns="owner", values="control", fill_value=0.0)
    firms = list(m0["firm"])
    Bm = B.reindex(index=firms, fill_value=0.0).to_numpy()
    Gm = G.reindex(index=firms, columns=B.columns, fill_value=0.0).to_numpy()
    num, own = Gm @ Bm.T, (Gm * Bm).sum(axis=1)
    kappa = np.divide(num, own[:, None], out=np.zeros_like(num), where=own[:, None] > 0)
    np.fill_diagonal(kappa, 1.0)
    s = m0["share"].to_numpy()
    assert pairs.to_frame()["mhhi"].iloc[0] == pytest.approx(10_000 * s @ kappa @ s,
                                                             rel=1e-12)


@pytest.mark.parametrize("pair_max", [0, 128])
def test_a_markets_kappa_does_not_depend_on_the_other_markets(monkeypatch, pair_max):
    hd, sd = _data(11)
    h = cn.read_holdings(hd, control="votes", period=None)
    whole = _mhhi_with(monkeypatch, pair_max, sd, h, period=None).to_frame()
    for m in (0, 7, 19):
        alone = _mhhi_with(monkeypatch, pair_max, sd[sd["market"] == m], h,
                           period=None).to_frame()
        pd.testing.assert_frame_equal(alone, whole.loc[[m]], check_exact=True)


def test_paths_agree_with_periods(monkeypatch):
    hd, sd = _data(7, periods=["2024Q1", "2024Q2"])
    h = cn.read_holdings(hd, control="votes")
    a = _mhhi_with(monkeypatch, 128, sd, h)
    b = _mhhi_with(monkeypatch, 0, sd, h)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=False, rtol=1e-12,
                                  atol=1e-9)


def test_kappa_above_one_built_on_read_and_pickled():
    hd, sd = _data(3)
    # BIG casts most of F1's votes and holds more of F0's profit than of F1's:
    # κ_10 = (0.9 · 0.3 + 0.1 · 0.1) / (0.9 · 0.01 + 0.1 · 0.5) = 4.75
    hd = pd.concat([hd[~hd["firm"].isin(["F0", "F1"])], pd.DataFrame({
        "owner": ["BIG", "X", "BIG", "X"], "firm": ["F1", "F1", "F0", "F0"],
        "cash_flow": [0.01, 0.5, 0.3, 0.1], "votes": [0.9, 0.1, 0.3, 0.1]})],
        ignore_index=True)
    sd = pd.concat([sd, pd.DataFrame({"market": [99, 99], "firm": ["F0", "F1"],
                                      "share": [0.5, 0.5]})], ignore_index=True)
    h = cn.read_holdings(hd, control="votes", period=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        r = cn.mhhi(sd, h, control_model="voting", period=None)
    n = r.n_above_one
    copy = pickle.loads(pickle.dumps(r))
    frame = r.kappa_above_one
    assert len(frame) == n > 0
    assert r.kappa_above_one is frame                  # built once
    pd.testing.assert_frame_equal(copy.kappa_above_one, frame)
    assert list(frame.columns[:1]) == ["market"]
    hit = frame[(frame["market"] == 99) & (frame["firm"] == "F1")]
    assert hit["kappa"].iloc[0] == pytest.approx(0.28 / 0.059, rel=1e-12)
    assert hit["controlling_owners"].iloc[0].startswith("BIG")
    assert frame["market"].is_monotonic_increasing     # in market order


@pytest.mark.parametrize("kind", ["object", "str", "category", "int"])
def test_label_codes_are_factorize(kind):
    hd, _ = _data(5, periods=["2024Q1", "2024Q2", "2024Q3"])
    hd = hd.sample(frac=1.0, random_state=0).reset_index(drop=True)
    if kind == "int":
        hd["owner"] = hd["owner"].str[1:].astype(int)
        hd["firm"] = hd["firm"].str[1:].astype(int) + 1000
    else:
        dtype = {"object": object, "str": "str", "category": "category"}[kind]
        hd["owner"], hd["firm"] = hd["owner"].astype(dtype), hd["firm"].astype(dtype)
    h = cn.read_holdings(hd, control="votes")
    for col in ("owner", "firm"):
        codes, labels = label_codes(h, col)
        exp_codes, exp_labels = pd.factorize(h.table[col])
        np.testing.assert_array_equal(codes, exp_codes)
        assert list(labels) == list(exp_labels)
        rows = (h.table["period"] == "2024Q2").to_numpy()
        codes, labels = label_codes(h, col, rows)
        exp_codes, exp_labels = pd.factorize(h.table[col][rows])
        np.testing.assert_array_equal(codes, exp_codes)
        assert list(labels) == list(exp_labels)
    # a derived Holdings (a new table) gets codes of its own table
    d = h.divest(h.table["owner"].iloc[0])
    codes, labels = label_codes(d, "owner")
    np.testing.assert_array_equal(codes, pd.factorize(d.table["owner"])[0])


def test_read_holdings_keeps_text_columns_as_read(tmp_path):
    hd, _ = _data(2)
    path = tmp_path / "h.parquet"
    hd.to_parquet(path)
    h = cn.read_holdings(path, control="votes", period=None)
    assert isinstance(h.table["owner"].dtype, pd.StringDtype)
    h_obj = cn.read_holdings(hd.astype({"owner": object, "firm": object}), control="votes",
                             period=None)
    pd.testing.assert_frame_equal(h.table, h_obj.table)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("with_period", [False, True])
def test_repeated_stakes_found_as_pandas_finds_them(seed, with_period):
    rng = np.random.default_rng(seed)
    n = 3000
    t = pd.DataFrame({"owner": rng.choice([f"O{i}" for i in range(300)], size=n),
                      "firm": rng.choice([f"F{i}" for i in range(200)], size=n),
                      "cash_flow": rng.uniform(0, 0.004, size=n)})
    keys = ["owner", "firm"]
    if with_period:
        t.insert(0, "period", rng.choice(["2024Q1", "2024Q2", "2024Q3"], size=n))
        keys = ["period"] + keys
    expected = t.duplicated(keys, keep=False)
    assert expected.any()
    with pytest.raises(cn.exceptions.InvalidHoldingsError,
                       match=f"{int(expected.sum())} rows repeat"):
        cn.read_holdings(t, period="period" if with_period else None)
    h = cn.read_holdings(t, period="period" if with_period else None, duplicates="sum")
    want = t.groupby(keys, sort=False, as_index=False)["cash_flow"].sum()
    got = h.table.drop(columns="control")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)
    fresh = t.drop_duplicates(keys).reset_index(drop=True)
    assert len(cn.read_holdings(fresh, period="period" if with_period else None).table) == \
        len(fresh)
