"""The κ structure kept on a Holdings object, and the markets computed together.

``profit_weights`` and ``mhhi`` on the same holdings build the cross-ownership
structure once; what is served again must be what a fresh build gives, to the last
bit, and never a structure of a table that has since been edited or replaced.  The
per-market HHI / MHHI of markets stacked by size must equal the one-market
quadratic form exactly.
"""

import copy
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration._quadratic import quadratic_form, quadratic_forms
from concentration.exceptions import ConcentrationWarning, InvalidHoldingsError
from concentration.ownership import _kappa
from concentration.ownership._holdings import kept_structures, table_handed_out

MODELS = ["proportional", "voting", "power", "sole", "banzhaf", "size",
          cn.ControlModel("power", exponent=3.0)]


def _data(seed, periods=None, n_firms=50, n_owners=80, n_markets=50):
    """Holdings with firm-owners (one of them a firm without holdings of its own) and
    markets of 1-13 firms, a few of them without holdings."""
    rng = np.random.default_rng(seed)
    parts = []
    for p in periods or [None]:
        n_held = rng.integers(1, 12, size=n_firms)
        firm = np.repeat(np.arange(n_firms), n_held)
        owner = np.concatenate([rng.choice(n_owners, size=k, replace=False) for k in n_held])
        beta = rng.uniform(0.01, 0.6 / 11, size=firm.size)
        held = pd.DataFrame({"owner": [f"O{o}" for o in owner], "firm": [f"F{f}" for f in firm],
                             "cash_flow": beta, "votes": beta * rng.uniform(0.5, 1.0, firm.size)})
        crossed = np.arange(0, n_firms, 7)     # held by a rival, and by a firm without stakes
        cross = pd.DataFrame({
            "owner": [f"F{(f + 3) % n_firms}" for f in crossed] + [f"F{n_firms + 1}"] * crossed.size,
            "firm": [f"F{f}" for f in crossed] * 2,
            "cash_flow": [0.2] * crossed.size + [0.1] * crossed.size,
            "votes": [0.25] * crossed.size + [0.1] * crossed.size})
        parts.append(pd.concat([held, cross], ignore_index=True).assign(period=p))
    h = pd.concat(parts, ignore_index=True)
    k = rng.integers(1, 14, size=n_markets * len(periods or [None]))
    firms = np.concatenate([rng.choice(n_firms + 3, size=n, replace=False) for n in k])
    s = pd.DataFrame({"period": np.repeat(np.repeat(periods or [None], n_markets), k),
                      "market": np.repeat(np.tile(np.arange(n_markets), len(periods or [None])), k),
                      "firm": [f"F{f}" for f in firms],
                      "share": np.concatenate([rng.dirichlet(np.ones(n)) for n in k])})
    if periods is None:
        h, s = h.drop(columns="period"), s.drop(columns="period")
    return h, s


def _read(hd, periods):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        return cn.read_holdings(hd, control="votes", period="period" if periods else None)


def _mhhi(s, h, model, periods):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        return cn.mhhi(s, h, control_model=model, period="period" if periods else None)


def _assert_same(a, b):
    """Every table of two MHHI results equal to the last bit."""
    for name in ("to_frame", "by_pair", "by_owner"):
        pd.testing.assert_frame_equal(getattr(a, name)(), getattr(b, name)(), check_exact=True)
    for name in ("kappa_above_one", "no_holdings"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.notes == b.notes


@pytest.fixture
def builds(monkeypatch):
    """Count the structures built (not served from the kept ones)."""
    calls = []
    real = _kappa._build_structure

    def counting(*args, **kw):
        calls.append(args[3])
        return real(*args, **kw)

    monkeypatch.setattr(_kappa, "_build_structure", counting)
    return calls


@pytest.mark.parametrize("periods", [None, ["2024-03-31", "2024-06-30"]])
@pytest.mark.parametrize("model", MODELS, ids=str)
def test_mhhi_after_profit_weights_is_the_fresh_result(builds, model, periods):
    hd, sd = _data(3, periods)
    fresh = _mhhi(sd, _read(hd, periods), model, periods)
    h = _read(hd, periods)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        cn.profit_weights(h, control_model=model)
    before = len(builds)
    again = _mhhi(sd, h, model, periods)
    _assert_same(fresh, again)
    third = _mhhi(sd, h, model, periods)
    _assert_same(fresh, third)
    n_periods = len(periods or [None])
    # the share firms include firms without holdings here: mhhi builds its own
    # structure once per period, and the third call is served from the kept ones
    assert len(builds) == before + n_periods


@pytest.mark.parametrize("model", ["voting", "banzhaf"])
def test_a_structure_over_all_firms_serves_mhhi(builds, model):
    hd, sd = _data(4)
    sd = sd[sd["firm"].isin(set(hd["firm"]))]          # every share firm has holdings
    fresh = _mhhi(sd, _read(hd, None), model, None)
    h = _read(hd, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        k1 = cn.profit_weights(h, control_model=model)
        n = len(builds)
        k2 = cn.profit_weights(h, control_model=model)
        again = _mhhi(sd, h, model, None)
    assert len(builds) == n                             # nothing built again
    pd.testing.assert_frame_equal(k1, k2, check_exact=True)
    _assert_same(fresh, again)


def test_size_control_is_not_served_in_another_order(builds):
    hd, sd = _data(4)
    sd = sd[sd["firm"].isin(set(hd["firm"]))]
    h = _read(hd, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        cn.profit_weights(h, control_model="size")
        n = len(builds)
        r = _mhhi(sd, h, "size", None)
    assert len(builds) == n + 1     # owner sizes sum over the firms in their order
    _assert_same(r, _mhhi(sd, _read(hd, None), "size", None))


def test_user_control_weights_are_not_kept(builds):
    hd, _ = _data(5)
    h = _read(hd, None)
    gamma = h.table[["owner", "firm", "control"]].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        a = cn.profit_weights(h, control_model=gamma)
        b = cn.profit_weights(h, control_model=gamma)
    assert len(builds) == 2 and not kept_structures(h)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("periods", [None, ["2024Q1", "2024Q2"]])
def test_an_edited_or_replaced_table_is_not_served_stale(builds, periods):
    hd, sd = _data(6, periods)
    h = _read(hd, periods)
    _mhhi(sd, h, "voting", periods)
    n = len(builds)
    # a stake edited in place: the checksum differs, the structure is rebuilt
    h.table.loc[3, "cash_flow"] = h.table.loc[3, "cash_flow"] / 2
    edited = _mhhi(sd, h, "voting", periods)
    assert len(builds) > n
    expect = hd.copy()
    expect.loc[3, "cash_flow"] = expect.loc[3, "cash_flow"] / 2
    _assert_same(edited, _mhhi(sd, _read(expect, periods), "voting", periods))
    # a new table object: nothing kept for it
    n = len(builds)
    object.__setattr__(h, "table", _read(hd, periods).table)
    replaced = _mhhi(sd, h, "voting", periods)
    assert len(builds) > n
    _assert_same(replaced, _mhhi(sd, _read(hd, periods), "voting", periods))
    if periods:   # a row moved to the other period changes that period's row mask
        n = len(builds)
        h.table.loc[0, "period"] = "2024Q2" if h.table.loc[0, "period"] == "2024Q1" \
            else "2024Q1"
        _mhhi(sd, h, "voting", periods)
        assert len(builds) > n


@pytest.mark.parametrize("periods", [None, ["2024Q1", "2024Q2"]])
def test_a_table_nobody_holds_is_not_read_again_until_it_is_handed_out(builds, monkeypatch,
                                                                        periods):
    hd, sd = _data(9, periods)
    h = _read(hd, periods)
    assert not table_handed_out(h)
    first = _mhhi(sd, h, "voting", periods)
    n = len(builds)
    reads = []
    real = _kappa._period_stakes
    monkeypatch.setattr(_kappa, "_period_stakes", lambda *a: reads.append(1) or real(*a))
    again = _mhhi(sd, h, "voting", periods)
    assert len(builds) == n and not reads      # no stake column read, nothing rebuilt
    _assert_same(again, first)
    assert not table_handed_out(h)             # the library's own reads mark nothing
    h.summary(), h.to_frame(), h.periods, h.firms, repr(h)
    h.divest("O1"), h.strip_control("O2"), h.merge_owners(["O3", "O4"], into="O3")
    h.with_entities({"F1": "F2"})
    if periods:
        h.as_of("2024-06-30")
    assert not table_handed_out(h)
    t = h.table                                # a caller holds it now: checked each call
    assert table_handed_out(h)
    _mhhi(sd, h, "voting", periods)
    assert reads and len(builds) > n           # built again once (it may have changed)
    n, k = len(builds), len(reads)
    _mhhi(sd, h, "voting", periods)
    assert len(builds) == n and len(reads) > k  # checked, unchanged: served
    t.loc[3, "cash_flow"] = t.loc[3, "cash_flow"] / 2
    edited = _mhhi(sd, h, "voting", periods)
    expect = hd.copy()
    expect.loc[3, "cash_flow"] = expect.loc[3, "cash_flow"] / 2
    _assert_same(edited, _mhhi(sd, _read(expect, periods), "voting", periods))


def test_a_shallow_copy_shares_the_mark_and_a_given_table_is_handed_out():
    hd, sd = _data(10)
    h = _read(hd, None)
    _mhhi(sd, h, "voting", None)
    twin = copy.copy(h)                        # one table object for both
    twin.table.loc[3, "cash_flow"] = twin.table.loc[3, "cash_flow"] / 2
    assert table_handed_out(h)
    expect = hd.copy()
    expect.loc[3, "cash_flow"] = expect.loc[3, "cash_flow"] / 2
    _assert_same(_mhhi(sd, h, "voting", None),
                 _mhhi(sd, _read(expect, None), "voting", None))
    # a table passed to the constructor stays the caller's
    given = cn.Holdings(table=_read(hd, None).to_frame(), control_given=True,
                        has_period=False)
    assert table_handed_out(given)
    # pickled and back: the mark comes along
    fresh = _read(hd, None)
    assert not table_handed_out(pickle.loads(pickle.dumps(fresh)))
    assert table_handed_out(pickle.loads(pickle.dumps(h)))


@pytest.mark.parametrize("derive", ["with_entities", "as_of snapshot", "as_of stake"])
def test_a_derived_table_that_shares_buffers_shares_the_mark(derive):
    # every row selected, no name joined: the derived table's columns may be views of
    # the original's, and Series.array writes through them even under copy-on-write
    frame = pd.DataFrame({"period": ["2024-03-31"] * 4, "owner": ["o1", "o1", "o2", "o3"],
                          "firm": ["A", "B", "A", "B"], "cash_flow": [0.2, 0.3, 0.5, 0.4]})
    shares = {"A": 0.6, "B": 0.4}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        h = cn.read_holdings(frame)
        before = cn.mhhi(shares, h, holdings_period="2024-03-31").mhhi
        derived = (h.with_entities({"zz": "yy"}) if derive == "with_entities"
                   else h.as_of("2024-12-31", mode=derive.split()[1]))
        assert not table_handed_out(h) and not table_handed_out(derived)
        t = derived.table                      # hands out both
        assert table_handed_out(h)
        for col in ("cash_flow", "control"):
            t[col].array[0] = 0.05
        after = cn.mhhi(shares, h, holdings_period="2024-03-31").mhhi
        fresh = cn.mhhi(shares, cn.read_holdings(h.to_frame(), control="control"),
                        holdings_period="2024-03-31").mhhi
    assert after == fresh and after != before


def test_pickled_holdings_leave_the_structures_behind():
    hd, sd = _data(7)
    h = _read(hd, None)
    r = _mhhi(sd, h, "voting", None)
    assert kept_structures(h)
    copy = pickle.loads(pickle.dumps(h))
    assert "_kept_structures" not in copy.__dict__
    assert len(pickle.dumps(h)) == len(pickle.dumps(copy))
    pd.testing.assert_frame_equal(copy.table, h.table)
    _assert_same(r, _mhhi(sd, copy, "voting", None))


def test_kept_structures_are_bounded_by_the_table_size():
    hd, _ = _data(8, periods=["2024Q1", "2024Q2", "2024Q3"])
    h = _read(hd, ["p"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        for model in ("voting", "proportional", "sole"):
            cn.profit_weights(h, control_model=model)
    kept = kept_structures(h)
    assert sum(st.B.nnz for _, st in kept.values()) <= _kappa._KEPT_PER_ROW * len(h.table)
    assert len(kept) < 9                              # the oldest were dropped
    newest = list(kept)[-1]
    assert newest[0] == "2024Q3" and newest[1].name == "sole"


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 17, 31, 64])
def test_stacked_quadratic_forms_equal_the_one_market_form(n):
    rng = np.random.default_rng(n)
    S = rng.dirichlet(np.ones(n), size=200)
    K = rng.random((200, n, n)) * (rng.random((200, n, n)) < 0.6)
    I = np.eye(n)
    assert np.array_equal(quadratic_forms(S, K), [quadratic_form(s, k) for s, k in zip(S, K)])
    assert np.array_equal(quadratic_forms(S), [quadratic_form(s, I) for s in S])


def test_pair_blocks_equal_the_per_block_division():
    hd, _ = _data(9)
    h = _read(hd, None)
    st = _kappa.kappa_structure("t", h, cn.ControlModel("voting"), None, None)
    rng = np.random.default_rng(0)
    positions = [rng.choice(len(st.firms), size=int(k), replace=False)
                 for k in rng.integers(1, 20, size=60)]
    blocks = st.kappa_pair_blocks(positions)
    # the raw products of the kernel, divided block by block
    sizes = np.array([len(p) for p in positions], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    offsets = np.concatenate([[0], np.cumsum(sizes * sizes)])
    flat = np.empty(int(offsets[-1]))
    g = _kappa._csr_arrays(st.G)
    b = _kappa._csr_arrays(st.B, st.G.indices.dtype)
    _kappa._OVERLAP.block_dots(*g, *b, np.concatenate(positions).astype(np.int64), starts,
                               offsets, st.G.shape[1], flat, 1)
    for i, k in enumerate(sizes.tolist()):
        K = flat[offsets[i]:offsets[i + 1]].reshape(k, k).copy()
        K /= np.diagonal(K).copy()[:, None]
        np.fill_diagonal(K, 1.0)
        assert np.array_equal(blocks[i], K)


def _plain_read(monkeypatch, path, **kw):
    """read_holdings with every label column read as plain text (no dictionary pages)."""
    from concentration.ownership import _holdings

    with monkeypatch.context() as m:
        m.setattr(_holdings, "_plain_text", lambda arrow_type: False)
        return cn.read_holdings(path, **kw)


@pytest.mark.parametrize("layout", ["file", "directory", "categorical", "integer"])
def test_labels_read_from_dictionary_pages_are_the_plain_read(tmp_path, monkeypatch, layout):
    from concentration.ownership._holdings import label_codes

    hd, _ = _data(10, periods=["2024Q1", "2024Q2"])
    hd = hd.sample(frac=1.0, random_state=1).reset_index(drop=True)
    path = tmp_path / "h.parquet"
    if layout == "directory":              # files with different dictionaries
        path.mkdir()
        for i, lo in enumerate(range(0, len(hd), len(hd) // 3 + 1)):
            hd.iloc[lo:lo + len(hd) // 3 + 1].to_parquet(path / f"part{i}.parquet")
    elif layout == "categorical":          # a stored Categorical stays one
        hd.astype({"owner": "category"}).to_parquet(path)
    elif layout == "integer":
        hd.assign(firm=hd["firm"].str[1:].astype(int)).to_parquet(path)
    else:
        hd.to_parquet(path, row_group_size=97)
    kw = {"control": "votes", "filters": [("period", "=", "2024Q2")]}
    from concentration.ownership import _holdings

    decoded = []
    real = _holdings._decoded_labels
    with warnings.catch_warnings(), monkeypatch.context() as m:
        warnings.simplefilter("ignore", ConcentrationWarning)
        m.setattr(_holdings, "_decoded_labels", lambda cat: decoded.append(1) or real(cat))
        got = cn.read_holdings(path, **kw)
        want = _plain_read(monkeypatch, path, **kw)
    # the text label columns came from the dictionary pages
    assert len(decoded) == {"file": 2, "directory": 2, "categorical": 1, "integer": 1}[layout]
    pd.testing.assert_frame_equal(got.table, want.table, check_exact=True)
    for col in ("owner", "firm"):
        assert got.table[col].dtype == want.table[col].dtype
        codes, labels = label_codes(got, col)
        assert np.array_equal(codes, pd.factorize(want.table[col])[0])
        pd.testing.assert_index_equal(labels, pd.Index(pd.factorize(want.table[col])[1]))
    assert got.cross_owners == want.cross_owners
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConcentrationWarning)
        pd.testing.assert_frame_equal(cn.profit_weights(got, control_model="voting"),
                                      cn.profit_weights(want, control_model="voting"),
                                      check_exact=True)


def test_a_missing_label_read_from_dictionary_pages_is_refused_as_before(tmp_path,
                                                                         monkeypatch):
    hd, _ = _data(11)
    hd.loc[5, "owner"] = None
    path = tmp_path / "h.parquet"
    hd.to_parquet(path)
    with pytest.raises(InvalidHoldingsError) as got:
        cn.read_holdings(path, control="votes")
    with pytest.raises(InvalidHoldingsError) as want:
        _plain_read(monkeypatch, path, control="votes")
    assert str(got.value) == str(want.value) and "missing" in str(got.value)
