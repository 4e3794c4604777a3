"""Small calls (one market's shares, a 10 x 10 weight matrix) give what the general
path gives: the same numbers, types, warnings and errors, with no thread team."""

import os
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import concentration as cn
from concentration import _tables
from concentration.exceptions import (
    FringeWarning,
    InvalidMatrixError,
    InvalidParameterError,
    InvalidSharesError,
)

SHARES = {"A": 0.30, "B": 0.25, "C": 0.20, "D": 0.15, "E": 0.10}


def _raises_exactly(error, message, call):
    """``call()`` raises ``error`` with exactly ``message``."""
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def _long(shares):
    """One market's shares as the long table the DataFrame path reads."""
    return pd.DataFrame({"market": 1, "firm": list(shares), "share": list(shares.values())})


@pytest.mark.parametrize("data", [
    SHARES,
    pd.Series(SHARES),
    np.array(list(SHARES.values())),
    list(SHARES.values()),
])
def test_one_market_is_the_float_of_its_long_table(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = cn.hhi(data)
    want = cn.hhi(_long(SHARES))
    assert type(got) is float
    assert got == want.iloc[0]
    assert got == 10_000.0 * float(np.sum(np.square(np.array(list(SHARES.values())))))


def test_a_fringe_warns_once_with_the_policy_as_the_long_table_does():
    with pytest.warns(FringeWarning) as one:
        got = cn.hhi(np.array([0.4, 0.3]))
    with pytest.warns(FringeWarning) as long:
        want = cn.hhi(_long({"a": 0.4, "b": 0.3}))
    assert got == want.iloc[0] == pytest.approx(2500.0)
    assert len(one) == 1
    assert str(one[0].message) == (
        "shares sum to 0.7 < 1 in the market (a fringe, an outside good or top-N data). "
        "Policy fringe='ignore': indices cover the listed firms only, so the HHI is a lower "
        "bound; pass fringe='bounds' or fringe='as_firms' to model the fringe.")
    assert "market 1" in str(long[0].message)


def test_percent_shares_and_the_caller_array_left_alone():
    values = np.array([50.0, 30.0, 20.0])
    assert cn.hhi(values, scale="percent") == cn.hhi(values / 100.0) == pytest.approx(3800.0)
    np.testing.assert_array_equal(values, [50.0, 30.0, 20.0])
    with pytest.warns(FringeWarning, match="sum to 0.8 < 1"):
        cn.hhi([50, 30], scale="percent")


@pytest.mark.parametrize("data, error, message", [
    ({"A": -0.1, "B": 0.5}, InvalidSharesError,
     "hhi: 'shares' has 1 negative value(s) (e.g. np.float64(-0.1) in the market). Shares "
     "and sales must be >= 0; correct the data."),
    ([np.nan, 0.5], InvalidSharesError,
     "hhi: 'shares' has 1 missing or infinite value(s) (first in the market). Drop or fill "
     "them; a share cannot be guessed."),
    ([0.7, 0.7], InvalidSharesError,
     "hhi: shares in the market sum to 1.4, above 1 by more than the tolerance 0.01. Check "
     "for double-counted firms, an 'others' row overlapping named firms, or mixed market "
     "definitions; or raise tolerance= if the excess is rounding."),
    ([50, 30, 20], InvalidSharesError,
     "hhi: shares look like percentages (largest 50 in the market) but scale='fraction' was "
     "declared. Pass scale='percent', or divide the shares by 100."),
    ([170.0, 0.1], InvalidSharesError,
     "hhi: a share of 170 in the market is above 1 (and above 100, so not a percentage "
     "either). Correct the data, or pass value=<column> if these are sales."),
    ([True, False], InvalidSharesError,
     "The 'shares' parameter of hhi must be real numbers (a mapping firm -> share, a Series "
     "or a 1-D array). Got True instead. One value is a boolean; booleans, complex numbers "
     "and text are not shares. Convert the values to float first."),
])
def test_invalid_shares_raise_the_same_message(data, error, message):
    _raises_exactly(error, message, lambda: cn.hhi(data))


@pytest.mark.parametrize("kwargs, message", [
    ({"tolerance": float("nan")},
     "The 'tolerance' parameter of hhi must be a finite real number. Got nan instead."),
    ({"tolerance": True},
     "The 'tolerance' parameter of hhi must be a finite real number. Got True instead."),
    ({"tolerance": 2.0},
     "The 'tolerance' parameter of hhi must be a number in [0.0, 1.0]. Got 2.0 instead."),
    ({"market": ["x"]},
     "The 'market' parameter of hhi must be a column name (str) or None. Got ['x'] instead."),
])
def test_invalid_arguments_raise_the_same_message(kwargs, message):
    _raises_exactly(InvalidParameterError, message, lambda: cn.hhi([0.6, 0.4], **kwargs))


def _matrix():
    rng = np.random.default_rng(3)
    X = rng.random((10, 10))
    X[X < 0.3] = 0.0
    X[2, 3] = -0.0  # no stored entry, as in scipy.sparse
    return X


@pytest.mark.parametrize("metric", ["cosine", "dot", "jaccard", "overlap", "weighted_jaccard",
                                    "weighted_overlap", "kappa"])
def test_a_dense_array_scores_exactly_as_its_csr_matrix(metric):
    X = _matrix()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = cn.overlap(X, metric=metric)
        want = cn.overlap(sp.csr_matrix(X), metric=metric)
    assert type(got) is np.ndarray and got.dtype == np.float64
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(X, _matrix())  # the input is never modified


@pytest.mark.parametrize("metric", ["cosine", "dot", "jaccard", "overlap", "kappa"])
@pytest.mark.parametrize("variant", ["no zero", "transposed view", "float32", "int", "bool",
                                     "empty row", "one column", "64 x 64"])
def test_every_small_dense_input_scores_exactly_as_its_csr_matrix(metric, variant):
    rng = np.random.default_rng(11)
    X = {"no zero": lambda: rng.random((7, 5)) + 0.1,
         "transposed view": lambda: _matrix()[:, :6].T,
         "float32": lambda: _matrix().astype(np.float32),
         "int": lambda: rng.integers(0, 4, size=(6, 9)),
         "bool": lambda: rng.random((6, 9)) < 0.5,
         "empty row": lambda: np.vstack([_matrix()[:3], np.zeros((1, 10)), _matrix()[3:]]),
         "one column": lambda: rng.random((5, 1)),
         "64 x 64": lambda: np.where(rng.random((64, 64)) < 0.3, rng.random((64, 64)), 0.0),
         }[variant]()
    before = X.copy()
    with warnings.catch_warnings(record=True) as got_warnings:
        warnings.simplefilter("always")
        got = cn.overlap(X, metric=metric)
    with warnings.catch_warnings(record=True) as want_warnings:
        warnings.simplefilter("always")
        want = cn.overlap(sp.csr_matrix(X), metric=metric)
    np.testing.assert_array_equal(got, want)
    assert [str(w.message) for w in got_warnings] == [str(w.message) for w in want_warnings]
    np.testing.assert_array_equal(X, before)
    if metric == "kappa":  # a distinct control matrix as well
        warnings.simplefilter("ignore")  # (the empty row warns, as checked above)
        G = np.where(X != 0, rng.random(X.shape), 0.0)
        np.testing.assert_array_equal(cn.overlap(X, metric="kappa", control=G),
                                      cn.overlap(sp.csr_matrix(X), metric="kappa",
                                                 control=sp.csr_matrix(G)))


def _outcome(call):
    """(result or exception type and message, warning messages) of ``call()``."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            got = call()
        except Exception as exc:  # noqa: BLE001 - compared, not swallowed
            got = (type(exc), str(exc))
    return got, [str(w.message) for w in seen]


@pytest.mark.parametrize("seed", range(4))
def test_random_small_dense_inputs_score_as_their_csr_matrices(seed):
    # densities from empty to full (light columns take the general path's sparse sum),
    # magnitudes over ten orders, a control matrix of its own pattern for κ
    rng = np.random.default_rng(seed)
    for _ in range(60):
        r, c = rng.integers(1, 30, size=2)
        X = np.where(rng.random((r, c)) < rng.random(),
                     rng.random((r, c)) * 10.0 ** rng.uniform(-5, 5), 0.0)
        G = np.where(X != 0, rng.random((r, c)), 0.0)
        for metric, kw, kw_csr in (
                *((m, {}, {}) for m in ("cosine", "dot", "jaccard", "overlap", "kappa")),
                ("kappa", {"control": G}, {"control": sp.csr_matrix(G)})):
            got, got_warnings = _outcome(lambda: cn.overlap(X, metric=metric, **kw))
            want, want_warnings = _outcome(
                lambda: cn.overlap(sp.csr_matrix(X), metric=metric, **kw_csr))
            assert got_warnings == want_warnings
            if isinstance(want, tuple):
                assert got == want
            else:
                np.testing.assert_array_equal(got, want)
                np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("X, G", [
    (np.array([[1e200, 1.0], [0.0, 1.0]]), None),    # <g_0, b_0> overflows in a product
    (np.array([[1e154, 1e154], [1.0, 1.0]]), None),  # ... in the sum of two
    (np.array([[1e-200, 1.0], [1e200, 1.0]]),        # only <g_0, b_1> overflows
     np.array([[1e200, 1.0], [0.0, 1.0]])),
])
def test_products_beyond_float64_warn_as_on_the_general_path(X, G):
    kw, kw_csr = ({}, {}) if G is None else ({"control": G}, {"control": sp.csr_matrix(G)})
    got, got_warnings = _outcome(lambda: cn.overlap(X, metric="kappa", **kw))
    want, want_warnings = _outcome(
        lambda: cn.overlap(sp.csr_matrix(X), metric="kappa", **kw_csr))
    np.testing.assert_array_equal(got, want)
    assert got_warnings == want_warnings


def test_a_large_result_of_a_small_input_has_its_memory_plan(monkeypatch):
    import concentration._pairwise as pairwise
    import concentration._validation as validation

    for module in (validation, pairwise):  # 120 MiB free; the result needs 128 MiB
        monkeypatch.setattr(module, "available_memory", lambda: 120 << 20)
    X = np.ones((4096, 1))
    with pytest.raises(cn.exceptions.ResourceError) as want:
        cn.overlap(sp.csr_matrix(X), metric="cosine")
    _raises_exactly(cn.exceptions.ResourceError, str(want.value),
                    lambda: cn.overlap(X, metric="cosine"))


@pytest.mark.parametrize("X, metric", [
    (np.full((3, 3), 1e200), "dot"),          # products beyond float64
    (-np.eye(3), "jaccard"),                  # negative weights
    (np.array([[1.0, np.inf]]), "cosine"),    # an infinite weight
])
def test_a_small_dense_input_the_checks_refuse_raises_as_its_csr_matrix(X, metric):
    with pytest.raises(InvalidMatrixError) as want:
        cn.overlap(sp.csr_matrix(X), metric=metric)
    _raises_exactly(InvalidMatrixError, str(want.value), lambda: cn.overlap(X, metric=metric))


@pytest.mark.parametrize("kwargs", [{"rows": [3, 0, 3]}, {"top_k": 3}, {"threshold": 0.2},
                                    {"output": "csr"}])
def test_a_dense_array_selects_as_its_csr_matrix(kwargs):
    X = _matrix()
    got = cn.overlap(X, **kwargs)
    want = cn.overlap(sp.csr_matrix(X), **kwargs)
    if sp.issparse(want):
        for attr in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(got, attr), getattr(want, attr))
    else:
        np.testing.assert_array_equal(got, want)


def test_extreme_weights_keep_their_cosine():
    X = np.random.default_rng(5).random((6, 4)) * 1e200
    np.testing.assert_allclose(cn.overlap(X), cn.overlap(X / 1e200), rtol=1e-12)


@pytest.mark.parametrize("X, error, message", [
    (np.array([[np.nan, 1.0]]), InvalidMatrixError,
     "The 'W' parameter of overlap must be finite weights. Got '1 NaN or infinite "
     "weight(s)' instead. Drop or fill those entries before computing overlaps."),
    (np.ones(3), InvalidParameterError,
     "The 'W' parameter of overlap must be a 2-D matrix (scipy sparse, ndarray) or a long "
     "DataFrame (row, column, weight). Got 'an object of shape (3,)' instead."),
])
def test_a_bad_dense_matrix_raises_the_same_message(X, error, message):
    _raises_exactly(error, message, lambda: cn.overlap(X))


def test_small_calls_start_no_thread_team(tmp_path):
    # libgomp keeps the threads of a team: a team started by a small call would still be
    # there afterwards.  Imports (pandas, BLAS) may start threads, so they come first.
    code = textwrap.dedent("""
        import os
        import numpy as np
        import scipy.linalg
        import concentration as cn
        import concentration._pairwise, concentration.measures

        def threads():
            return len(os.listdir("/proc/self/task"))

        X = np.random.default_rng(0).random((10, 10))
        X @ X.T
        before = threads()
        cn.overlap(X)
        cn.overlap(X, metric="jaccard", top_k=2)
        cn.overlap(X, metric="weighted_jaccard", threshold=0.1)
        cn.overlap(X, metric="kappa")
        cn.hhi({"A": 0.5, "B": 0.5})
        print(before, threads())
    """)
    # the package this test imports (the installed one, not a source tree in the cwd)
    parent = os.path.dirname(os.path.dirname(os.path.abspath(cn.__file__)))
    env = {**os.environ, "OMP_NUM_THREADS": "2",
           "PYTHONPATH": os.pathsep.join(filter(None, [parent, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    before, after = proc.stdout.split()
    assert before == after


def _two_firm_mhhi(**kw):
    shares = pd.DataFrame({"firm": ["A", "B"], "share": [0.6, 0.4]})
    holdings = cn.read_holdings(pd.DataFrame({
        "owner": ["o1", "o1", "o2", "o3"], "firm": ["A", "B", "A", "B"],
        "cash_flow": [0.2, 0.3, 0.5, 0.4]}), period=None)
    return cn.mhhi(shares, holdings, market=None, period=None, **kw)


def test_one_market_mhhi_reads_its_numbers_before_and_after_the_frame():
    # kappa_AB = (0.2 * 0.3) / (0.2**2 + 0.5**2), kappa_BA = (0.3 * 0.2) / (0.3**2 + 0.4**2)
    k_ab, k_ba = 0.06 / 0.29, 0.06 / 0.25
    want = 10_000.0 * (0.36 + 0.16 + 0.24 * (k_ab + k_ba))
    r = _two_firm_mhhi()
    before = (r.hhi, r.mhhi, r.mhhi_delta)
    assert "frame" in r.__dict__ and not isinstance(r.__dict__["frame"], pd.DataFrame)
    frame = r.to_frame()
    after = (r.hhi, r.mhhi, r.mhhi_delta)
    assert before == after
    assert before == tuple(float(frame[c].iloc[0]) for c in ("hhi", "mhhi", "mhhi_delta"))
    assert all(type(v) is float for v in before)
    assert r.hhi == pytest.approx(5200.0, rel=1e-15)
    assert r.mhhi == pytest.approx(want, rel=1e-14)
    assert list(frame.columns) == ["hhi", "mhhi", "mhhi_delta", "n_firms", "n_no_holdings",
                                   "top_pair", "top_pair_delta", "holdings_as_of",
                                   "holdings_note"]
    assert frame["holdings_as_of"].dtype.kind == "M"
    assert frame["top_pair"].dtype == object and frame["holdings_note"].dtype == object
    assert list(r.no_holdings.columns) == ["firm", "reason"] and r.no_holdings.empty


def test_a_pickled_mhhi_holds_built_frames():
    import pickle

    r = _two_firm_mhhi()
    back = pickle.loads(pickle.dumps(r))
    assert isinstance(back.__dict__["frame"], pd.DataFrame)
    assert isinstance(back.__dict__["no_holdings"], pd.DataFrame)
    pd.testing.assert_frame_equal(back.to_frame(), r.to_frame())
    assert back.mhhi == r.mhhi


@pytest.mark.parametrize("labels", [
    ["B", "A"], ["A", "Z", "A"], [],
    [f"f{i}" for i in range(1_500)],   # more than the dict lookup takes
])
def test_structure_positions_are_get_indexer(labels):
    from concentration.ownership._kappa import KappaStructure

    firms = pd.Index(["A", "B"] + [f"f{i}" for i in range(0, 3_000, 2)])
    st = KappaStructure(firms=firms, owners=pd.Index(["o"]), G=sp.csr_matrix((len(firms), 1)),
                        B=sp.csr_matrix((len(firms), 1)))
    arr = np.asarray(labels, dtype=object)
    want = firms.get_indexer(arr)
    for _ in range(2):   # the dict is built on the first call and kept
        got = st.positions(arr)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want)


def test_structure_positions_tell_booleans_from_integers():
    from concentration.ownership._kappa import KappaStructure

    for firms in (pd.Index([1, 2, 3]), pd.Index([1.0, 2.0])):
        st = KappaStructure(firms=firms, owners=pd.Index(["o"]),
                            G=sp.csr_matrix((len(firms), 1)), B=sp.csr_matrix((len(firms), 1)))
        for labels in ([True], [np.True_, 1], [True] * 1_001):
            np.testing.assert_array_equal(st.positions(labels), firms.get_indexer(labels))


def test_a_kept_structure_of_integer_firms_does_not_serve_boolean_firms():
    holdings = pd.DataFrame({"owner": ["o1", "o1", "o2", "o3"], "firm": [1, 0, 1, 0],
                             "cash_flow": [0.2, 0.3, 0.5, 0.4]})
    shares = pd.DataFrame({"market": [0, 0], "firm": [True, False], "share": [0.6, 0.4]})
    fresh = cn.mhhi(shares, cn.read_holdings(holdings, period=None), period=None)
    h = cn.read_holdings(holdings, period=None)
    cn.mhhi({1: 0.6, 0: 0.4}, h, market=None, period=None)   # keeps a structure on h
    again = cn.mhhi(shares, h, period=None)
    pd.testing.assert_frame_equal(again.to_frame(), fresh.to_frame())


# -- one small market given as a dict or a list: summed without a table


def _general_hhi(values, **kw):
    """The HHI through the table: an ndarray is never summed by the small-market path."""
    return cn.hhi(np.asarray(values, dtype=np.float64), **kw)


@pytest.mark.parametrize("scale", ["fraction", "percent"])
def test_a_small_clean_market_is_the_table_result_exactly(rng, scale):
    factor = 100.0 if scale == "percent" else 1.0
    for n in (1, 2, 5, 17, 64):
        for _ in range(20):
            raw = rng.dirichlet(np.ones(n)) * rng.uniform(0.995, 1.005) * factor
            values = raw.tolist()
            d = {f"firm {i}": v for i, v in enumerate(values)}
            small = _tables.small_market(d, names=("market",), scale=scale,
                                         tolerance=0.01, duplicates="error")
            table = _tables.coerce_shares(d, scale=scale, tolerance=0.01)
            total, sumsq, _, largest, _, _ = table.stats()
            assert small[0] == table.shares.tolist()
            assert small[1:] == (total[0], sumsq[0], largest[0])
            assert small[2] == table.sums()[1][0]
            want = _general_hhi(values, scale=scale)
            assert cn.hhi(d, scale=scale) == want  # exactly, not approximately
            assert cn.hhi(values, scale=scale) == want
    # whole numbers (percent points, or a monopoly's 1) are read as floats
    assert cn.hhi([50, 30, 20], scale="percent") == _general_hhi([50, 30, 20], scale="percent")
    assert cn.hhi({"A": 1}) == 10_000.0


@pytest.mark.parametrize("data, kw, outcome", [
    ({"A": 0.5, "B": float("nan")}, {}, "error"),              # a missing share
    ({"A": 0.5, "B": -0.1, "C": 0.6}, {}, "error"),            # a negative share
    ({"A": 50.0, "B": 50.0}, {}, "error"),                     # percentages as fractions
    ({"A": 0.5, "B": 0.5}, {"scale": "percent"}, "error"),     # fractions as percentages
    ({"A": 0.7, "B": 0.6}, {}, "error"),                       # a sum above one
    ({"A": True, "B": 0.5}, {}, "error"),                      # a boolean is not a share
    ({"A": "0.5", "B": 0.5}, {}, "error"),                     # nor is text
    ({"A": 0.5, "B": 0.5}, {"scale": "percentage"}, "error"),  # an unknown scale
    ({"A": 0.5, "B": 0.5}, {"tolerance": -1.0}, "error"),      # a bad tolerance
    ({"A": 0.5, "B": 0.5}, {"duplicates": "drop"}, "error"),   # a bad duplicates policy
    ({"A": 0.5, "B": 0.5}, {"market": ["m"]}, "error"),        # a bad column name
    ({}, {}, "error"),                                         # no firm
    ({"A": 0.5, "B": 0.3}, {}, "warning"),                     # a fringe
    ({f"f{i}": 1 / 65 for i in range(65)}, {}, "value"),       # too many to sum in Python
    ({"A": 0.5, "B": 0.5}, {"tolerance": 0}, "value"),         # an int tolerance
])
def test_anything_else_takes_the_table_and_its_messages(data, kw, outcome):
    assert _tables.small_market(
        data, names=(kw.get("market", "market"),), scale=kw.get("scale", "fraction"),
        tolerance=kw.get("tolerance", 0.01), duplicates=kw.get("duplicates", "error")) is None
    general = pd.Series(data, dtype=object)  # a Series always takes the table
    if outcome == "error":
        with pytest.raises(cn.exceptions.ConcentrationError) as exc:
            cn.hhi(data, **kw)
        with pytest.raises(type(exc.value), match=re.escape(str(exc.value))):
            cn.hhi(general, **kw)
    elif outcome == "warning":
        with pytest.warns(FringeWarning, match="sum to 0.8"):
            assert cn.hhi(data, **kw) == cn.hhi(general.astype(float), **kw)
    else:
        assert cn.hhi(data, **kw) == cn.hhi(general.astype(float), **kw)


# ---------------------------------------------------------------------------
# screen_merger of one small market

def _no_table(monkeypatch, module=None):
    """Make the general path of screen_merger (or of ``module``'s function) fail, so that a
    call shows it was not taken."""
    if module is None:
        from concentration import screen as module

    def refuse(*args, **kwargs):
        raise AssertionError("the general path was taken")

    monkeypatch.setattr(module, "coerce_shares", refuse)


def _same_screen(fast, general):
    pd.testing.assert_frame_equal(fast.to_frame(), general.to_frame(), check_exact=True)
    for name in ("guidelines", "deals", "keys", "notes"):
        assert getattr(fast, name) == getattr(general, name), name
    pd.testing.assert_frame_equal(fast.merged, general.merged)
    pd.testing.assert_frame_equal(fast.parties, general.parties)
    assert str(fast.summary()) == str(general.summary())


@pytest.mark.parametrize("scale", ["fraction", "percent"])
def test_a_screen_of_one_small_market_is_the_table_screen_exactly(rng, scale, monkeypatch):
    from concentration.guidelines import GUIDELINES

    factor = 100.0 if scale == "percent" else 1.0
    cases = []
    for n in (2, 3, 5, 12, 64):
        for _ in range(12):
            raw = rng.dirichlet(np.full(n, rng.choice([0.2, 1.0, 5.0])))
            if rng.random() < 0.3:
                raw[rng.integers(n)] = 0.0   # a firm with no share: maybe no overlap
                raw = raw / raw.sum()
            d = {f"firm {i}": float(v) for i, v in enumerate(raw * factor)}
            k = int(rng.integers(2, min(n, 4) + 1))
            parties = [f"firm {i}" for i in rng.choice(n, size=k, replace=False)]
            key = str(rng.choice(list(GUIDELINES)))
            cases.append((d, parties if rng.random() < 0.5 else tuple(parties), key))
    # a merger to monopoly, a zero-share party, whole numbers, the boundary of a zone
    fixed = [({"A": 0.5, "B": 0.5}, ["A", "B"], "us2023"),
             ({"A": 0.0, "B": 0.6, "C": 0.4}, ["A", "B"], "us2010"),
             ({"A": 1, "B": 0}, ["A", "B"], "eu2004")]
    cases += [({k: v * type(v)(factor) for k, v in d.items()}, m, g) for d, m, g in fixed]
    if scale == "fraction":
        cases.append(({"A": 0.3, "B": 0.3, "C": 0.4 - 1e-13}, ["A", "B"], "US2023"))
    expected = [cn.screen_merger(pd.Series(d), m, guidelines=g, scale=scale)
                for d, m, g in cases]
    verdicts = set()
    _no_table(monkeypatch)
    for (d, m, g), want in zip(cases, expected):
        got = cn.screen_merger(d, m, guidelines=g, scale=scale)
        _same_screen(got, want)
        verdicts.add(want.to_frame()["verdict"].iloc[0])
    assert {"no_overlap", "presumed_anticompetitive"} <= verdicts and len(verdicts) >= 4


@pytest.mark.parametrize("shares, merging, kw", [
    ({"A": 0.5, "B": 0.3}, ["A", "B"], {}),                         # a fringe: two bounds
    ({"A": 0.5, "B": 0.5 - 1e-9}, ["A", "B"], {}),                  # a remainder within tolerance
    (SHARES, ["A", "B"], {"guidelines": "all"}),
    (SHARES, ["A", "B"], {"guidelines": ["us2023", "eu2004"]}),
    (SHARES, {"deal 1": ["A", "B"]}, {}),                           # named deals
    (SHARES, "A, B", {}),
    (SHARES, ["A", "A"], {}),                                        # an error
    (SHARES, ["A", "Z"], {}),                                        # an error
    (SHARES, ["A"], {}),                                             # an error
    (SHARES, ["A", "B"], {"guidelines": "us2099"}),                  # an error
    (SHARES, ["A", "B"], {"non_markets": "yes"}),                    # an error
    (SHARES, ["A", "B"], {"market": ["m"]}),                         # an error
    (SHARES, ["A", "B"], {"tolerance": -1.0}),                       # an error
    ({"A": 0.5, "B": float("nan"), "C": 0.5}, ["A", "C"], {}),       # an error
    ({"A": 50.0, "B": 50.0}, ["A", "B"], {}),                        # an error
    ({"A": 0.5, ("B", 1): 0.5}, ["A", "B"], {}),                     # a key that is not text
    ({"A": 0.5, "B": 0.5}, ["A", "B"], {"parent": {"A": "B"}}),
])
def test_any_other_screen_takes_the_table_and_its_messages(shares, merging, kw, monkeypatch):
    from concentration import screen

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            want = cn.screen_merger(shares, merging, **kw).to_frame()
        except cn.exceptions.ConcentrationError as exc:
            want = exc
    calls = []
    real = screen.coerce_shares
    monkeypatch.setattr(screen, "coerce_shares",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        if isinstance(want, Exception):
            with pytest.raises(type(want), match=re.escape(str(want))):
                cn.screen_merger(shares, merging, **kw)
        else:
            pd.testing.assert_frame_equal(cn.screen_merger(shares, merging, **kw).to_frame(),
                                          want)
    assert [str(w.message) for w in again] == [str(w.message) for w in caught]
    # the checks come before any table is made, so only an argument error skips it
    assert calls or isinstance(want, InvalidParameterError)


def test_verdicts_of_one_market_are_those_of_the_arrays(rng):
    from concentration.guidelines import GUIDELINES, METRICS

    n = 4000
    metrics = {}
    for name, unit in METRICS.items():
        x = rng.uniform(0, 10_000 if unit == "points" else 1, n)
        # values at the thresholds themselves, and NaN
        edges = [v for g in GUIDELINES.values() for r in g.rules for c in r.conditions
                 if c.metric == name for v in (c.value, np.nextafter(c.value, 0),
                                                np.nextafter(c.value, np.inf))]
        edges += [z for g in GUIDELINES.values() for zone in g.zones
                  for z in (zone.low, zone.high) if z is not None and name == "post_hhi"]
        pick = rng.random(n) < 0.3
        x[pick] = rng.choice(np.asarray(edges + [np.nan], dtype=float), pick.sum())
        metrics[name] = x
    for g in GUIDELINES.values():
        arrays = g.classify(metrics)
        for i in range(n):
            one = g.classify_one({k: float(v[i]) for k, v in metrics.items()})
            assert one == tuple(part[i] for part in arrays), (g.key, i)


# ---------------------------------------------------------------------------
# mhhi of one small market

def _random_holdings(rng, n_firms, n_owners, *, control=False, cross=False):
    """Holdings of ``n_firms`` firms ``"firm i"`` by ``n_owners`` owners, about half the
    pairs held; with ``cross``, firm 0 holds a stake in firm 1 (cross-ownership)."""
    rows = [(f"owner {o}", f"firm {f}") for o in range(n_owners) for f in range(n_firms)
            if rng.random() < 0.5 or o == f % n_owners]
    frame = pd.DataFrame(rows, columns=["owner", "firm"])
    frame["cash_flow"] = rng.uniform(0.001, 0.09, len(frame)).round(6)   # sums below one
    if control:
        frame["control"] = (frame["cash_flow"] * rng.uniform(0.5, 2.0, len(frame))).clip(
            upper=0.1).round(6)
    if cross:
        extra = {"owner": "firm 0", "firm": "firm 1", "cash_flow": 0.15}
        if control:
            extra["control"] = 0.0
        frame = pd.concat([frame, pd.DataFrame([extra])], ignore_index=True)
    return cn.read_holdings(frame, period=None, control="control" if control else None)


def _same_mhhi(fast, general):
    pd.testing.assert_frame_equal(fast.to_frame(), general.to_frame(), check_exact=True)
    for name in ("hhi", "mhhi", "mhhi_delta", "n_above_one", "notes", "control_model",
                 "control_note", "as_of", "max_age", "entities"):
        assert getattr(fast, name) == getattr(general, name), name
    for name in ("by_pair", "by_owner", "screen"):
        pd.testing.assert_frame_equal(getattr(fast, name)(), getattr(general, name)(),
                                      check_exact=True)
    pd.testing.assert_frame_equal(fast.kappa_above_one, general.kappa_above_one,
                                  check_exact=True)
    pd.testing.assert_frame_equal(fast.no_holdings, general.no_holdings)
    assert str(fast.summary()) == str(general.summary())


@pytest.mark.parametrize("model, control, cross", [
    ("proportional", False, False), ("proportional", False, True), ("banzhaf", False, False),
    ("sole", False, False), ("voting", True, True), ("power", True, False)])
def test_an_mhhi_of_one_small_market_is_the_table_result_exactly(rng, model, control, cross,
                                                                  monkeypatch):
    holdings = _random_holdings(rng, 40, 9, control=control, cross=cross)
    cases = []
    for n in (2, 3, 5, 12):
        for _ in range(6):
            firms = [f"firm {i}" for i in rng.choice(40, size=n, replace=False)]
            if cross and rng.random() < 0.5:   # the two firms of the cross stake, and others
                firms = ["firm 0", "firm 1"] + [f"firm {i}" for i in
                                                rng.choice(range(2, 40), size=n - 2,
                                                           replace=False)]
            raw = rng.dirichlet(np.ones(n))
            cases.append({f: float(v) for f, v in zip(firms, raw)})
    cases.append({"firm 0": 0.5, "firm 1": 0.5})
    cases.append({"firm 2": 0.75, "firm 3": 0.25, "firm 4": 0})     # a firm with no share
    percent = [{f: 100.0 * v for f, v in d.items()} for d in cases[::5]]
    expected = [cn.mhhi(pd.Series(d), holdings, control_model=model) for d in cases]
    expected_pct = [cn.mhhi(pd.Series(d), holdings, control_model=model, scale="percent")
                    for d in percent]
    from concentration.ownership import _mhhi
    _no_table(monkeypatch, _mhhi)
    for d, want in zip(cases, expected):
        _same_mhhi(cn.mhhi(d, holdings, control_model=model), want)
    for d, want in zip(percent, expected_pct):
        _same_mhhi(cn.mhhi(d, holdings, control_model=model, scale="percent"), want)
    if cross:   # the cross stake puts firm 0's managers on firm 1's profit: kappa above one
        assert any(w.n_above_one for w in expected)


def test_a_small_block_is_the_pair_kernel_exactly(rng):
    from concentration.ownership._kappa import kappa_structure
    from concentration.ownership._control import resolve_model

    holdings = _random_holdings(rng, 30, 12, cross=True)
    model = resolve_model("mhhi", "proportional", holdings)
    st = kappa_structure("mhhi", holdings, model, None, None)
    for n in (2, 3, 7, 15):
        for _ in range(20):
            pos = rng.choice(30, size=n, replace=False)
            want = st.kappa_pair_blocks([pos.astype(np.int64)])[0]
            got = st.small_block(pos.tolist())
            assert got is not None
            np.testing.assert_array_equal(np.array(got), want)
    assert st.small_block(list(range(30))) is None     # 30 firms x their stakes: not small


@pytest.mark.parametrize("shares, kw", [
    ({"firm 0": 0.5, "firm 1": 0.3}, {}),                          # a fringe
    ({"firm 0": 0.5, "firm 1": 0.5 - 1e-9}, {}),                   # a remainder within tolerance
    ({"firm 0": 1.0}, {}),                                          # one firm
    ({"firm 0": 0.5, "nobody": 0.5}, {}),                           # a firm without holdings
    ({"firm 0": 0.5, ("firm", 1): 0.5}, {}),                        # a key that is not text
    ({"firm 0": 50.0, "firm 1": 50.0}, {}),                         # an error
    ({"firm 0": 0.5, "firm 1": float("nan"), "firm 2": 0.5}, {}),   # an error
    ({"firm 0": 0.5, "firm 1": 0.5}, {"parent": {"firm 1": "firm 0"}}),
    ({"firm 0": 0.5, "firm 1": 0.5}, {"control_model": cn.ControlModel("proportional")}),
    ({"firm 0": 0.5, "firm 1": 0.5}, {"control_model": "voting"}),  # an error: no control
    ({"firm 0": 0.5, "firm 1": 0.5}, {"control_model": "nonsense"}),   # an error
    ({"firm 0": 0.5, "firm 1": 0.5}, {"as_of": "stake"}),
    ({"firm 0": 0.5, "firm 1": 0.5}, {"as_of": "yesterday"}),      # an error
    ({"firm 0": 0.5, "firm 1": 0.5}, {"holdings_period": "2024Q4"}),   # an error
    ({"firm 0": 0.5, "firm 1": 0.5}, {"tolerance": -1.0}),         # an error
    ({f"firm {i}": 1 / 40 for i in range(40)}, {}),                 # a block that is not small
])
def test_any_other_mhhi_takes_the_table_and_its_messages(rng, shares, kw, monkeypatch):
    from concentration.ownership import _mhhi

    holdings = _random_holdings(rng, 40, 6)

    def run():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = cn.mhhi(shares, holdings, **kw)
                out = (out.to_frame(), out.no_holdings, out.notes)
            except cn.exceptions.ConcentrationError as exc:
                out = exc
        return out, [str(w.message) for w in caught]

    series = pd.Series(list(shares.values()), index=pd.Index(list(shares), dtype=object))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = cn.mhhi(series, holdings, **kw).to_frame()
        except cn.exceptions.ConcentrationError as exc:
            want = exc
    _, warned = run()
    calls = []
    real = _mhhi.coerce_shares
    monkeypatch.setattr(_mhhi, "coerce_shares", lambda *a, **k: calls.append(1) or real(*a, **k))
    again, warned_again = run()
    assert warned_again == warned
    if isinstance(want, Exception):
        assert type(again) is type(want) and str(again) == str(want)
    else:
        pd.testing.assert_frame_equal(again[0], want, check_exact=True)
    # only an argument refused before the shares are read skips the table
    assert calls or isinstance(again, InvalidParameterError)
