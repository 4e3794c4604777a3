"""Deterministic case generator of the fuzz suite.

``make_case(seed, index)`` builds case ``index`` from a numpy generator seeded with
``(seed, index)``: the same seed and index always give the same case, in any process.
A case is a call of one public entry point with valid or bad inputs and an
expectation:

* ``"oracle"``: the call must return a result equal to ``oracle`` (computed with the
  numpy formulas of ``_oracle``);
* ``"error"``: the call must raise a :class:`concentration.exceptions.ConcentrationError`;
* ``"either"``: a typed error, or a result equal to ``oracle``.

Case classes are named ``entry/variant``; the variant says what was put in.
"""

import io
import math
import os

import numpy as np
import pandas as pd
import scipy.sparse as sp

import _oracle as O

NAN = float("nan")
INF = float("inf")
DENORMAL = 5e-324

#: wrong values for any keyword; ``None`` and a few more are legal for some keywords
BAD_VALUES = {
    "None": None, "True": True, "False": False, "str": "x", "empty_str": "",
    "float": 1.5, "int_2**63": 2**63, "int_-1": -1, "int_0": 0, "int_-2**63": -(2**63),
    "nan": NAN, "inf": INF, "-inf": -INF, "list": [], "dict": {}, "tuple": (1, 2),
    "bytes": b"x", "complex": 1j, "int_10**12": 10**12, "set": {1},
}


class Case:
    __slots__ = ("entry", "klass", "func", "args", "kwargs", "expect", "oracle",
                 "compare", "cli")

    def __init__(self, entry, klass, func, args=(), kwargs=None, expect="error",
                 oracle=None, compare=None, cli=False):
        self.entry = entry
        self.klass = f"{entry}/{klass}"
        self.func = func
        self.args = tuple(args)
        self.kwargs = dict(kwargs or {})
        self.expect = expect
        self.oracle = oracle
        self.compare = compare
        self.cli = cli


# ----------------------------------------------------------------------------- helpers

def close(a, b, rtol=1e-9, atol=1e-9):
    try:
        a = float(a)
    except (TypeError, ValueError):
        return False
    b = float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def cmp_scalar(result, oracle):
    """A float result (a one-element Series of a single-market frame also counts)."""
    if isinstance(result, pd.Series) and len(result) == 1:
        result = result.iloc[0]
    if isinstance(result, (bool, np.bool_)) or not np.isscalar(result):
        return False
    return close(result, oracle)


def cmp_keyed(result, oracle):
    """A Series keyed by (market, period) against a dict of the same keys."""
    if not isinstance(result, pd.Series) or len(result) != len(oracle):
        return False
    for key, value in result.items():
        key = key if isinstance(key, tuple) else (key,)
        key = tuple(str(k) for k in key)
        if key not in oracle or not close(value, oracle[key]):
            return False
    return True


def cmp_pair(result, oracle):
    """hhi_bounds of one market: a Series hhi_min, hhi_max."""
    try:
        return close(result["hhi_min"], oracle[0]) and close(result["hhi_max"], oracle[1])
    except Exception:
        return False


def cmp_lorenz(result, oracle):
    try:
        return (np.allclose(result["firm_fraction"].to_numpy(float), oracle[0], atol=1e-12)
                and np.allclose(result["share_fraction"].to_numpy(float), oracle[1],
                                atol=1e-12))
    except Exception:
        return False


def cmp_frame_columns(result, oracle):
    """A one-market result frame (indices): each oracle column has the oracle value."""
    if not isinstance(result, pd.DataFrame) or len(result) != 1:
        return False
    return all(col in result.columns and close(result[col].iloc[0], v)
               for col, v in oracle.items())


def cmp_dense(result, oracle, rtol=1e-9, atol=1e-9):
    if sp.issparse(result):
        result = result.toarray()
    if isinstance(result, pd.DataFrame):
        result = result.to_numpy()
    if not isinstance(result, np.ndarray) or result.shape != oracle.shape:
        return False
    return bool(np.allclose(result.astype(float), oracle, rtol=rtol, atol=atol))


def cmp_screen(result, oracle):
    try:
        row = result.table.iloc[0]
        return all(close(row[k], v, atol=1e-7) for k, v in oracle.items())
    except Exception:
        return False


def cmp_mhhi(result, oracle):
    try:
        row = result.frame.iloc[0]
        return close(row["hhi"], oracle[0], atol=1e-7) and close(row["mhhi"], oracle[1],
                                                                    rtol=1e-8, atol=1e-6)
    except Exception:
        return False


def cmp_weighted(result, oracle):
    try:
        return close(result.value, oracle, rtol=1e-9, atol=1e-7)
    except Exception:
        return False


def cmp_table(result, oracle):
    """A read table equal to the one written (rows sorted, index and column order aside)."""
    if not isinstance(result, pd.DataFrame):
        return False
    try:
        cols = list(oracle.columns)
        got = result[cols].sort_values(cols).reset_index(drop=True)
        exp = oracle.sort_values(cols).reset_index(drop=True)
        for c in cols:
            if exp[c].dtype.kind == "f":
                if not np.allclose(got[c].to_numpy(float), exp[c].to_numpy(float)):
                    return False
            elif [str(v) for v in got[c]] != [str(v) for v in exp[c]]:
                return False
        return True
    except Exception:
        return False


def labels(rng, n):
    kind = rng.integers(4)
    if kind == 0:
        return [f"F{i}" for i in range(n)]
    if kind == 1:
        return [f"Firm {chr(0x4E00 + i)} ü" for i in range(n)]
    if kind == 2:
        return [f"f{int(i)}" for i in rng.permutation(10 * n)[:n]]
    return [f"A-{i:03d}" for i in range(n)]


def market(rng, n=None, fringe=False):
    n = int(rng.integers(1, 13)) if n is None else n
    s = rng.dirichlet(np.full(n, float(rng.choice([0.3, 1.0, 5.0]))))
    s = np.maximum(s, 1e-9)
    s = s / s.sum()
    if fringe:
        s = s * rng.uniform(0.4, 0.95)
    return s


def as_container(rng, names, s, kind=None):
    kind = kind or str(rng.choice(["dict", "series", "array", "list", "frame"]))
    if kind == "dict":
        return kind, dict(zip(names, s.tolist()))
    if kind == "series":
        return kind, pd.Series(s, index=names, name="share")
    if kind == "array":
        return kind, np.array(s)
    if kind == "list":
        return kind, s.tolist()
    return kind, pd.DataFrame({"firm": names, "share": s})


def long_frame(rng, percent=False):
    """Several (market, period) groups; returns the frame and the shares per key."""
    rows, keys = [], {}
    for m in range(int(rng.integers(1, 5)) if rng.random() < 0.95 else 200):
        for p in range(int(rng.integers(1, 3))):
            n = int(rng.integers(1, 8))
            s = market(rng, n, fringe=bool(rng.random() < 0.2))
            if not percent:
                s = np.minimum(s, 1.0)
            names = labels(rng, n)
            key = (f"m{m}", str(2020 + p))
            keys[key] = s
            for f, v in zip(names, s):
                rows.append((key[0], key[1], f, v * (100 if percent else 1)))
    rows = [rows[i] for i in rng.permutation(len(rows))]
    df = pd.DataFrame(rows, columns=["market", "period", "firm", "share"])
    return df, keys


# Measures of one market: name -> (callable name, oracle of fraction shares, extra kwargs)
def _measures(rng):
    k = int(rng.integers(1, 8))
    alpha = float(rng.choice([0.5, 1.0, 2.0, 3.0, 0.25, 7.5]))
    normalize = bool(rng.random() < 0.5)
    return {
        "hhi": ("hhi", O.hhi, {}),
        "concentration_ratio": ("concentration_ratio", lambda s: O.cr(s, k), {"k": k}),
        "effective_number": ("effective_number", O.effective_number, {}),
        "entropy": ("entropy", lambda s: O.entropy(s, normalize), {"normalize": normalize}),
        "hannah_kay": ("hannah_kay", lambda s: O.hannah_kay(s, alpha), {"alpha": alpha}),
        "gini": ("gini", O.gini, {}),
    }


MEASURES = ["hhi", "concentration_ratio", "effective_number", "entropy", "hannah_kay",
            "gini"]


# ------------------------------------------------------------------- shares: valid inputs

def gen_measure_valid(rng, cn):
    name = MEASURES[int(rng.integers(len(MEASURES)))]
    fname, orc, kw = _measures(rng)[name]
    func = getattr(cn, fname)
    variant = int(rng.integers(9))
    if variant == 7:                                  # shares from sales (value=)
        n = int(rng.integers(1, 9))
        scale = float(rng.choice([1.0, 1e6, 1e-300, 1e300, 1e307]))
        sales = rng.uniform(0.1, 10.0, n) * scale
        rel = sales / sales.max()                     # no overflow in the oracle
        s = rel / rel.sum()
        data = pd.DataFrame({"firm": labels(rng, n), "sales": sales})
        return Case(name, "valid_value_column", func, (data,), dict(kw, value="sales"),
                    "oracle" if scale < 1e300 else "either", orc(s), cmp_scalar)
    if variant == 8:                                  # subsidiaries summed to parents
        s = market(rng, int(rng.integers(2, 8)))
        names = labels(rng, s.size)
        split = rng.dirichlet(np.ones(3))
        subs = [f"{names[0]}-sub{i}" for i in range(3)]
        data = dict(zip(subs + names[1:], list(s[0] * split) + list(s[1:])))
        parent = {x: names[0] for x in subs}
        if rng.random() < 0.5:
            parent = pd.Series(parent)
        return Case(name, "valid_parent_mapping", func, (data,), dict(kw, parent=parent),
                    "oracle", orc(s), cmp_scalar)
    if variant <= 2:                                  # one market in some container
        fringe = bool(rng.random() < 0.25) and name != "gini"
        s = market(rng, fringe=fringe)
        kind, data = as_container(rng, labels(rng, s.size), s)
        return Case(name, f"valid_{kind}" + ("_fringe" if fringe else ""), func, (data,),
                    kw, "oracle", orc(s), cmp_scalar)
    if variant == 3:                                  # percent scale
        s = market(rng)
        kind, data = as_container(rng, labels(rng, s.size), s * 100)
        kw = dict(kw, scale="percent")
        return Case(name, f"valid_percent_{kind}", func, (data,), kw, "oracle", orc(s),
                    cmp_scalar)
    if variant == 4:                                  # long frame of several markets
        percent = bool(rng.random() < 0.3)
        df, keys = long_frame(rng, percent)
        if percent:
            kw = dict(kw, scale="percent")
        oracle = {k: orc(v) for k, v in keys.items()}
        return Case(name, "valid_long_frame" + ("_percent" if percent else ""), func,
                    (df,), kw, "oracle", oracle, cmp_keyed)
    if variant == 5:                                  # duplicate firms summed
        s = market(rng, int(rng.integers(2, 9)))
        names = labels(rng, s.size)
        j = int(rng.integers(s.size))
        part = float(rng.uniform(0.1, 0.9))
        vals = list(s) + [s[j] * (1 - part)]
        vals[j] = s[j] * part
        idx = names + [names[j]]
        kind = str(rng.choice(["series", "frame"]))
        data = (pd.Series(vals, index=idx) if kind == "series"
                else pd.DataFrame({"firm": idx, "share": vals}))
        return Case(name, f"valid_duplicates_sum_{kind}", func, (data,),
                    dict(kw, duplicates="sum"), "oracle", orc(s), cmp_scalar)
    # tiny magnitudes and denormals in an otherwise complete market
    s = market(rng, int(rng.integers(2, 8)))
    tiny = float(rng.choice([DENORMAL, 1e-310, 1e-300, 1e-200, 1e-17]))
    s = np.concatenate([s * (1 - tiny * 3), [tiny, tiny, tiny]])
    kind, data = as_container(rng, labels(rng, s.size), s)
    return Case(name, "valid_tiny_shares", func, (data,), kw, "oracle", orc(s), cmp_scalar)


def gen_other_valid(rng, cn):
    variant = int(rng.integers(5))
    if variant == 0:
        s = market(rng, fringe=bool(rng.random() < 0.6))
        kw = {}
        if rng.random() < 0.5 and s.sum() < 1 - 1e-9:
            r = 1 - s.sum()
            kw["n_fringe"] = int(math.ceil(r / s.min())) + int(rng.integers(0, 50))
        kind, data = as_container(rng, labels(rng, s.size), s,
                                  str(rng.choice(["dict", "series", "array"])))
        return Case("hhi_bounds", f"valid_{kind}", cn.hhi_bounds, (data,), kw, "oracle",
                    O.hhi_bounds(s, kw.get("n_fringe")), cmp_pair)
    if variant == 1:
        s = market(rng)
        kind, data = as_container(rng, labels(rng, s.size), s,
                                  str(rng.choice(["dict", "series", "array"])))
        return Case("lorenz", f"valid_{kind}", cn.lorenz, (data,), {}, "oracle",
                    O.lorenz(s), cmp_lorenz)
    if variant == 2:
        s = market(rng)
        kind, data = as_container(rng, labels(rng, s.size), s,
                                  str(rng.choice(["dict", "series", "array"])))
        oracle = {"hhi": O.hhi(s), "cr4": O.cr(s, 4), "entropy": O.entropy(s),
                  "gini": O.gini(s), "effective_number": O.effective_number(s)}
        pick = [m for m in oracle if rng.random() < 0.6] or ["hhi"]
        return Case("indices", f"valid_{kind}", cn.indices, (data,),
                    {"measures": tuple(pick)}, "oracle", {m: oracle[m] for m in pick},
                    cmp_frame_columns)
    if variant == 3:                                  # fringe split into firms
        s = market(rng, fringe=True)
        f = float(rng.uniform(0.001, 0.2))
        kind, data = as_container(rng, labels(rng, s.size), s,
                                  str(rng.choice(["dict", "series", "array"])))
        return Case("hhi", f"valid_fringe_as_firms_{kind}", cn.hhi, (data,),
                    {"fringe": "as_firms", "fringe_size": f}, "oracle",
                    O.hhi_as_firms(s, f), cmp_scalar)
    # a fringe of firms so small that materialising them would not fit
    s = market(rng, fringe=True)
    f = float(rng.choice([1e-12, 1e-30, 1e-300, DENORMAL]))
    return Case("hhi", "fringe_size_tiny", cn.hhi, (dict(zip(labels(rng, s.size), s)),),
                {"fringe": "as_firms", "fringe_size": f}, "either", O.hhi_as_firms(s, f),
                cmp_scalar)


# --------------------------------------------------------------------- shares: bad inputs

BAD_SHARE = {
    "nan": NAN, "inf": INF, "-inf": -INF, "negative": -0.1, "above_one": 1.5,
    "huge": 1e308, "int_2**63": 2**63, "complex": 0.3 + 0.1j, "str": "0.2",
    "None": None, "bool": True,
}


def gen_measure_bad_values(rng, cn):
    entries = MEASURES + ["hhi_bounds", "lorenz", "indices"]
    name = entries[int(rng.integers(len(entries)))]
    func = getattr(cn, name)
    s = market(rng, int(rng.integers(2, 9)))
    names = labels(rng, s.size)
    variant = int(rng.integers(3))
    if variant == 0:                                  # one bad value
        key = list(BAD_SHARE)[int(rng.integers(len(BAD_SHARE)))]
        vals = list(s)
        vals[int(rng.integers(len(vals)))] = BAD_SHARE[key]
        kind = str(rng.choice(["dict", "series", "array", "list", "frame"]))
        if kind == "dict":
            data = dict(zip(names, vals))
        elif kind == "series":
            data = pd.Series(vals, index=names)
        elif kind == "array":
            data = np.array(vals, dtype=object if key in ("str", "None") else None)
        elif kind == "list":
            data = vals
        else:
            data = pd.DataFrame({"firm": names, "share": vals})
        return Case(name, f"bad_share_{key}_{kind}", func, (data,), {}, "error")
    if variant == 1:                                  # bad dtype of the whole array
        kind = str(rng.choice(["bool", "complex", "str", "object_none", "datetime",
                               "timedelta", "huge_all"]))
        if kind == "bool":
            data = np.ones(s.size, dtype=bool)
        elif kind == "complex":
            data = s.astype(complex)
        elif kind == "str":
            data = np.array([f"{v:.3f}" for v in s])
        elif kind == "object_none":
            data = np.array([None] * s.size, dtype=object)
        elif kind == "datetime":
            data = np.array(["2020-01-01"] * s.size, dtype="datetime64[D]")
        elif kind == "timedelta":
            data = np.arange(s.size).astype("timedelta64[s]")
        else:
            data = np.full(s.size, 1e300)
        if rng.random() < 0.5:
            data = pd.Series(data, index=names)
        return Case(name, f"bad_dtype_{kind}", func, (data,), {}, "error")
    # bad shapes and containers
    kind = str(rng.choice(["empty_dict", "empty_list", "empty_array", "empty_series",
                           "empty_frame", "2d_array", "3d_array", "scalar", "None",
                           "str", "set", "frame_no_share", "multiindex_series",
                           "duplicate_labels", "sum_above_one", "all_zero",
                           "unhashable_labels", "nested_list"]))
    expect, oracle, cmp = "error", None, None
    if kind == "empty_dict":
        data = {}
    elif kind == "empty_list":
        data = []
    elif kind == "empty_array":
        data = np.array([])
    elif kind == "empty_series":
        data = pd.Series([], dtype=float)
    elif kind == "empty_frame":
        data = pd.DataFrame({"firm": pd.Series([], dtype=object),
                             "share": pd.Series([], dtype=float)})
    elif kind == "2d_array":
        data = np.tile(s / 2, (2, 1))
    elif kind == "3d_array":
        data = np.zeros((2, 2, 2)) + 0.125
    elif kind == "scalar":
        data = 0.5
    elif kind == "None":
        data = None
    elif kind == "str":
        data = "0.5,0.5"
    elif kind == "set":
        data = {0.5, 0.25}
    elif kind == "frame_no_share":
        data = pd.DataFrame({"firm": names, "amount": s})
    elif kind == "multiindex_series":
        data = pd.Series(s, index=pd.MultiIndex.from_arrays([names, names]))
    elif kind == "duplicate_labels":
        half = list(s / 2)
        data = pd.Series(half + half, index=names + names)
    elif kind == "sum_above_one":
        data = dict(zip(names, (s * 1.5).tolist()))
    elif kind == "all_zero":
        data = dict(zip(names, [0.0] * s.size))
        zero = {"hhi": 0.0, "concentration_ratio": 0.0, "entropy": 0.0, "gini": 0.0}
        if name == "indices":
            return Case(name, f"bad_container_{kind}", func, (data,), {}, "either",
                        {"hhi": 0.0, "cr4": 0.0}, cmp_frame_columns)
        if name in zero:
            kw = _measures(rng)[name][2]
            return Case(name, f"bad_container_{kind}", func, (data,), kw, "either",
                        zero[name], cmp_scalar)
    elif kind == "unhashable_labels":
        data = pd.DataFrame({"firm": [[n] for n in names], "share": s})
        if name in MEASURES:
            fname, orc, kw = _measures(rng)[name]
            return Case(name, f"bad_container_{kind}", func, (data,), kw, "either",
                        orc(s), cmp_scalar)
    else:
        data = [list(s)]
    return Case(name, f"bad_container_{kind}", func, (data,), {}, expect, oracle, cmp)


#: keyword -> values that are legal (the oracle applies) for a dict input
KW_COMMON = ["market", "period", "firm", "share", "value", "scale", "duplicates", "parent",
             "tolerance", "compute", "client"]


def _kw_expect(kw, key, value, data_is_frame):
    """'oracle' (the value is legal and changes nothing), 'error', or 'either'."""
    if value is None and kw in ("market", "period", "firm", "value", "parent"):
        return "oracle"                   # the default, or "one market" / "no firm column"
    if kw in ("market", "period", "firm", "share"):
        if isinstance(value, str) and not data_is_frame:
            return "either"
        return "either" if not data_is_frame else "error"
    if kw == "value":
        return "either" if not data_is_frame else "error"
    if kw in ("scale", "duplicates", "fringe"):
        return "error"
    if kw == "parent":
        return "either" if key == "dict" else "error"
    if kw == "tolerance":
        if isinstance(value, (bool, str, bytes, list, dict, tuple, set, complex)) \
                or value is None:
            return "error"
        if isinstance(value, (int, float)) and (value < 0 or value != value):
            return "error"
        return "either"
    if kw in ("compute", "client"):
        return "either"
    if kw == "fringe_size":
        return "either"                              # only used with fringe="as_firms"
    return "error"


def gen_measure_bad_keywords(rng, cn):
    name = MEASURES[int(rng.integers(len(MEASURES)))]
    fname, orc, base_kw = _measures(rng)[name]
    func = getattr(cn, fname)
    s = market(rng, int(rng.integers(2, 8)))
    kind = str(rng.choice(["dict", "frame"]))
    _, data = as_container(rng, labels(rng, s.size), s, kind)
    own = {"concentration_ratio": ["k"], "entropy": ["normalize"], "hannah_kay": ["alpha"]}
    kws = KW_COMMON + own.get(name, []) + (["fringe", "fringe_size"]
                                           if name not in ("gini", "concentration_ratio")
                                           else [])
    kw = kws[int(rng.integers(len(kws)))]
    key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
    value = BAD_VALUES[key]
    expect = _kw_expect(kw, key, value, kind == "frame")
    oracle = orc(s)
    if kw == "k":
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1:
            expect, oracle = "either", O.cr(s, int(min(value, 10**6)))
        else:
            expect = "error"
    elif kw == "alpha":
        if isinstance(value, (int, float)) and not isinstance(value, bool) \
                and value == value and 0 < value < INF:
            expect, oracle = "either", O.hannah_kay(s, float(value))
        else:
            expect = "error"
    elif kw == "normalize":
        expect = "error" if value not in (True, False) or isinstance(value, (int, float)) \
            and not isinstance(value, bool) else "oracle"
        if expect == "oracle":
            oracle = O.entropy(s, value)
    kwargs = dict(base_kw)
    kwargs[kw] = value
    if kw == "fringe_size" and rng.random() < 0.5:
        kwargs["fringe"] = "as_firms"
        if isinstance(value, (int, float)) and not isinstance(value, bool) \
                and value == value and value > 0:
            expect = "either"                            # the market sums to one
        else:
            expect = "error"
    return Case(name, f"bad_keyword_{kw}_{key}", func, (data,), kwargs, expect, oracle,
                cmp_scalar)


def gen_bounds_bad(rng, cn):
    s = market(rng, fringe=True)
    data = dict(zip(labels(rng, s.size), s))
    variant = int(rng.integers(2))
    if variant == 0:
        key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
        value = BAD_VALUES[key]
        if value is None:
            return Case("hhi_bounds", "n_fringe_None", cn.hhi_bounds, (data,),
                        {"n_fringe": None}, "oracle", O.hhi_bounds(s), cmp_pair)
        return Case("hhi_bounds", f"bad_n_fringe_{key}", cn.hhi_bounds, (data,),
                    {"n_fringe": value},
                    "either" if key in ("int_2**63", "int_10**12") else "error",
                    O.hhi_bounds(s, value) if key in ("int_2**63", "int_10**12") else None,
                    cmp_pair)
    # too few fringe firms for the fringe to fit under the smallest share
    r = 1 - s.sum()
    need = int(math.ceil(r / s.min()))
    if need <= 1:
        return Case("hhi_bounds", "n_fringe_fits", cn.hhi_bounds, (data,),
                    {"n_fringe": 1}, "either", O.hhi_bounds(s, 1), cmp_pair)
    return Case("hhi_bounds", "n_fringe_too_small", cn.hhi_bounds, (data,),
                {"n_fringe": need - 1}, "error")


def gen_indices_bad(rng, cn):
    s = market(rng)
    data = dict(zip(labels(rng, s.size), s))
    key = str(rng.choice(["unknown", "empty", "None", "int", "cr0", "cr-1", "cr_huge",
                          "str_not_list", "nested", "duplicate"]))
    value = {"unknown": ("nope",), "empty": (), "None": None, "int": 5, "cr0": ("cr0",),
             "cr-1": ("cr-1",), "cr_huge": (f"cr{2**63}",), "str_not_list": "hhi",
             "nested": (("hhi",),), "duplicate": ("hhi", "hhi")}[key]
    expect = "error"
    oracle = None
    if key in ("str_not_list", "duplicate"):
        expect, oracle = "either", {"hhi": O.hhi(s)}
    if key == "cr_huge":
        expect, oracle = "either", {value[0]: O.cr(s, s.size)}
    return Case("indices", f"bad_measures_{key}", cn.indices, (data,), {"measures": value},
                expect, oracle, cmp_frame_columns)


# ---------------------------------------------------------------------------- screens

def gen_screen(rng, cn):
    s = market(rng, int(rng.integers(2, 9)))
    names = labels(rng, s.size)
    a, b = (int(x) for x in rng.choice(s.size, 2, replace=False))
    variant = int(rng.integers(8))
    kind, data = as_container(rng, names, s, str(rng.choice(["dict", "series", "frame"])))
    if variant <= 2:
        oracle = {"pre_hhi": O.hhi(s), "delta_hhi": O.delta_hhi(s[a], s[b]),
                  "post_hhi": O.hhi(s) + O.delta_hhi(s[a], s[b]),
                  "combined_share": s[a] + s[b]}
        merging = (names[a], names[b]) if rng.random() < 0.5 else [names[a], names[b]]
        return Case("screen_merger", f"valid_{kind}", cn.screen_merger, (data, merging), {},
                    "oracle", oracle, cmp_screen)
    if variant == 3:
        s100 = s * 100
        _, data = as_container(rng, names, s100, kind)
        oracle = {"pre_hhi": O.hhi(s), "delta_hhi": O.delta_hhi(s[a], s[b])}
        return Case("screen_merger", f"valid_percent_{kind}", cn.screen_merger,
                    (data, (names[a], names[b])), {"scale": "percent"}, "oracle", oracle,
                    cmp_screen)
    if variant == 4:
        key = str(rng.choice(["None", "int", "empty", "one_party", "same_twice",
                              "unhashable", "nested_dict", "bytes"]))
        merging = {"None": None, "int": 5, "empty": (), "one_party": (names[a],),
                   "same_twice": (names[a], names[a]), "unhashable": ([names[a]], names[b]),
                   "nested_dict": {"x": [1]}, "bytes": b"AB"}[key]
        return Case("screen_merger", f"bad_merging_{key}", cn.screen_merger,
                    (data, merging), {}, "error")
    if variant == 5:
        key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
        return Case("screen_merger", f"bad_guidelines_{key}", cn.screen_merger,
                    (data, (names[a], names[b])), {"guidelines": BAD_VALUES[key]}, "error")
    if variant == 6:
        key = list(BAD_SHARE)[int(rng.integers(len(BAD_SHARE)))]
        vals = list(s)
        vals[a] = BAD_SHARE[key]
        return Case("screen_merger", f"bad_share_{key}", cn.screen_merger,
                    (dict(zip(names, vals)), (names[a], names[b])), {}, "error")
    # a party absent from the market: no overlap, ΔHHI 0
    return Case("screen_merger", "absent_party", cn.screen_merger,
                (dict(zip(names, s.tolist())), (names[a], "NOT-A-FIRM")), {}, "either",
                {"pre_hhi": O.hhi(s), "delta_hhi": 0.0}, cmp_screen)


def gen_divest(rng, cn):
    s = market(rng, int(rng.integers(3, 8)))
    names = labels(rng, s.size)
    data = dict(zip(names, s.tolist()))
    a, b, c = (names[int(x)] for x in rng.choice(s.size, 3, replace=False))
    if rng.random() < 0.5:
        key = str(rng.choice(["nan", "inf", "negative", "str", "None", "complex",
                              "above_party", "bool", "int_2**63", "list"]))
        amount = {"nan": NAN, "inf": INF, "negative": -0.01, "str": "0.1", "None": None,
                  "complex": 0.1j, "above_party": 2.0, "bool": True, "int_2**63": 2**63,
                  "list": [0.1]}[key]
        return Case("divest", f"bad_amount_{key}", cn.divest, (data, (a, b), amount),
                    {"buyer": c}, "error")
    if rng.random() < 0.5:
        key = str(rng.choice(["party", "int", "unhashable", "absent"]))
        buyer = {"party": a, "int": 5, "unhashable": [c], "absent": "NOT-A-FIRM"}[key]
        return Case("divest", f"bad_buyer_{key}", cn.divest,
                    (data, (a, b), min(data[a], data[b]) / 2), {"buyer": buyer},
                    "either" if key in ("absent", "int") else "error", None,
                    lambda r, o: True)
    key = str(rng.choice(["target", "xtol_nan", "xtol_neg", "xtol_zero", "xtol_str",
                          "buyer_party", "guidelines"]))
    kw = {"target": {"target": "nope"}, "xtol_nan": {"xtol": NAN},
          "xtol_neg": {"xtol": -1.0}, "xtol_zero": {"xtol": 0.0},
          "xtol_str": {"xtol": "1e-6"}, "buyer_party": {"buyer": a},
          "guidelines": {"guidelines": "nope"}}[key]
    return Case("minimum_divestiture", f"bad_{key}", cn.minimum_divestiture,
                (data, (a, b)), kw, "error")


# ---------------------------------------------------------------------------- overlap

OVERLAP_METRICS = ["cosine", "dot", "jaccard", "overlap", "weighted_jaccard",
                   "weighted_overlap", "kappa"]


def weights(rng, n=None, m=None, negative=False):
    n = int(rng.integers(1, 9)) if n is None else n
    m = int(rng.integers(1, 7)) if m is None else m
    W = rng.uniform(0.05, 1.0, size=(n, m)) * (rng.random((n, m)) < rng.uniform(0.2, 0.9))
    if negative:
        W = W * np.where(rng.random((n, m)) < 0.3, -1, 1)
    if n > 1 and rng.random() < 0.3:
        W[rng.integers(n)] = 0.0                      # a zero row
    if n > 2 and rng.random() < 0.3:
        W[1] = W[0]                                   # a duplicate row
    return W


def as_matrix(rng, W, kind=None):
    kind = kind or str(rng.choice(["dense", "csr", "csc", "coo", "csr64", "float32",
                                   "int"]))
    if kind == "dense":
        return kind, W.copy()
    if kind == "csr":
        return kind, sp.csr_matrix(W)
    if kind == "csc":
        return kind, sp.csc_matrix(W)
    if kind == "coo":
        return kind, sp.coo_matrix(W)
    if kind == "csr64":
        M = sp.csr_matrix(W)
        M.indices = M.indices.astype(np.int64)
        M.indptr = M.indptr.astype(np.int64)
        return kind, M
    if kind == "float32":
        return kind, W.astype(np.float32)
    return kind, np.round(W * 10)


def _as_exact(kind, W):
    if kind == "float32":
        return W.astype(np.float32).astype(float)
    if kind == "int":
        return np.round(W * 10)
    return W


def gen_overlap_valid(rng, cn):
    metric = OVERLAP_METRICS[int(rng.integers(len(OVERLAP_METRICS)))]
    big = rng.random() < 0.08                          # the blocked, threaded paths
    if big:
        W = weights(rng, int(rng.integers(40, 260)), int(rng.integers(10, 60)))
        W[:, 0] = rng.uniform(0.1, 1.0, W.shape[0])     # a dense column (an index fund)
    else:
        W = weights(rng, negative=metric in ("dot", "cosine") and rng.random() < 0.3)
    kind, M = as_matrix(rng, W)
    Wx = _as_exact(kind, W)
    kw = {"metric": metric}
    control = None
    if metric == "kappa":
        W = np.abs(W) + 0.01                         # every firm has an owner
        kind, M = as_matrix(rng, W, str(rng.choice(["dense", "csr"])))
        Wx = W
        control = np.abs(weights(rng, W.shape[0], W.shape[1])) + 0.01
        kw["control"] = control.copy()
    other = None
    if metric != "kappa" and rng.random() < 0.25:
        other = weights(rng, None, W.shape[1])
        kw["other"] = other.copy()
    oracle = O.overlap(Wx, metric, other, control)
    variant = str(rng.choice(["plain", "rows", "output", "block_rows", "n_threads",
                              "top_k_all", "threshold"]))
    if variant == "rows":
        rows = np.sort(rng.choice(W.shape[0], int(rng.integers(1, W.shape[0] + 1)),
                                  replace=False))
        kw["rows"] = rows.tolist()
        oracle = oracle[rows]
    elif variant == "output":
        kw["output"] = str(rng.choice(["dense", "csr"]))
    elif variant == "block_rows":
        kw["block_rows"] = int(rng.integers(1, 4))
    elif variant == "n_threads":
        kw["n_threads"] = int(rng.integers(1, 3))
    elif variant == "top_k_all":
        kw["top_k"] = int(oracle.shape[1] + rng.integers(0, 5))
    elif variant == "threshold":
        vals = np.unique(oracle)
        t = float(rng.uniform(0.05, 0.9)) * (float(vals.max()) if vals.max() > 0 else 1)
        if vals.size and np.min(np.abs(vals - t)) < 1e-6:
            t += 1e-5
        kw["threshold"] = t
        oracle = np.where(oracle >= t, oracle, 0.0)
    if big:
        kw.setdefault("n_threads", 2)
        variant = "big_" + variant
    return Case("overlap", f"valid_{metric}_{kind}_{variant}", cn.overlap, (M,), kw,
                "oracle", oracle, cmp_dense)


def _csr(rng, n=None, m=None):
    W = weights(rng, n or int(rng.integers(2, 8)), m or int(rng.integers(2, 7)))
    W[0, 0] = 0.5                                    # at least two stored entries
    W[-1, -1] = 0.25
    M = sp.csr_matrix(W)
    return W, M


def dense_of_csr(data, indices, indptr, shape):
    out = np.zeros(shape)
    for r in range(shape[0]):
        for p in range(indptr[r], indptr[r + 1]):
            out[r, indices[p]] += data[p]
    return out


def gen_overlap_bad_matrix(rng, cn):
    metric = str(rng.choice(["cosine", "jaccard", "dot", "weighted_jaccard", "overlap"]))
    kind = str(rng.choice([
        "indices_out_of_range", "indices_negative", "indptr_out_of_range",
        "indptr_decreasing", "indptr_short", "indptr_first_nonzero", "unsorted_indices",
        "duplicate_entries", "strided_data", "strided_indices", "nan", "inf", "negative",
        "complex", "bool", "str", "object", "1d", "3d", "empty_0x0", "empty_rows",
        "empty_cols", "None", "list_of_lists", "ragged", "huge_values", "tiny_values",
        "int8_indices", "int_2**63_values"]))
    W, M = _csr(rng)
    n, m = W.shape
    expect, oracle = "error", None
    if kind == "indices_out_of_range":
        M.indices[int(rng.integers(M.nnz))] = m + int(rng.integers(0, 1000))
    elif kind == "indices_negative":
        M.indices[int(rng.integers(M.nnz))] = -1
    elif kind == "indptr_out_of_range":
        M.indptr[-1] = M.nnz + int(rng.integers(1, 10**6))
    elif kind == "indptr_decreasing":
        M.indptr[1] = M.indptr[-1]
        M.indptr[-2] = 0 if n > 2 else M.indptr[-2]
        if np.all(np.diff(M.indptr) >= 0):
            M.indptr[1], M.indptr[-1] = M.indptr[-1] + 1, M.indptr[-1]
    elif kind == "indptr_short":
        M.indptr = M.indptr[:-1].copy()
    elif kind == "indptr_first_nonzero":
        M.indptr[0] = 1
    elif kind == "unsorted_indices":
        r = int(np.argmax(np.diff(M.indptr)))
        lo, hi = M.indptr[r], M.indptr[r + 1]
        if hi - lo >= 2:
            M.indices[lo:hi] = M.indices[lo:hi][::-1].copy()
            M.data[lo:hi] = M.data[lo:hi][::-1].copy()
            M.has_sorted_indices = False
        expect, oracle = "either", O.overlap(dense_of_csr(M.data, M.indices, M.indptr,
                                                          M.shape), metric)
    elif kind == "duplicate_entries":
        coo = sp.coo_matrix(W)
        rows = np.concatenate([coo.row, coo.row])
        cols = np.concatenate([coo.col, coo.col])
        vals = np.concatenate([coo.data / 2, coo.data / 2])
        order = np.lexsort((cols, rows))
        indptr = np.searchsorted(rows[order], np.arange(n + 1)).astype(np.int32)
        M = sp.csr_matrix((vals[order], cols[order].astype(np.int32), indptr), shape=(n, m))
        expect, oracle = "either", O.overlap(W, metric)
    elif kind == "strided_data":
        big = np.zeros(2 * M.nnz)
        big[::2] = M.data
        M.data = big[::2]
        expect, oracle = "oracle", O.overlap(W, metric)
    elif kind == "strided_indices":
        big = np.zeros(2 * M.nnz, dtype=M.indices.dtype)
        big[::2] = M.indices
        M.indices = big[::2]
        expect, oracle = "oracle", O.overlap(W, metric)
    elif kind == "nan":
        M.data[0] = NAN
    elif kind == "inf":
        M.data[0] = INF
    elif kind == "negative":
        M.data[0] = -0.5
        if metric in ("cosine", "dot"):
            W2 = W.copy()
            W2[0, 0] = -0.5
            expect, oracle = "oracle", O.overlap(W2, metric)
    elif kind == "complex":
        M = W.astype(complex) + 1j * (W != 0)
    elif kind == "bool":
        M = W != 0
        expect, oracle = "either", O.overlap((W != 0).astype(float), metric)
    elif kind == "str":
        M = W.astype(str)
    elif kind == "object":
        M = W.astype(object)
        M[0, 0] = None
    elif kind == "1d":
        M = W[0].copy()
    elif kind == "3d":
        M = np.stack([W, W])
    elif kind == "empty_0x0":
        M = sp.csr_matrix((0, 0))
        expect, oracle = "either", np.zeros((0, 0))
    elif kind == "empty_rows":
        M = np.zeros((0, m))
        expect, oracle = "either", np.zeros((0, 0))
    elif kind == "empty_cols":
        M = sp.csr_matrix((n, 0))
        expect, oracle = "either", np.zeros((n, n))
    elif kind == "None":
        M = None
    elif kind == "list_of_lists":
        M = W.tolist()
        expect, oracle = "either", O.overlap(W, metric)
    elif kind == "ragged":
        M = [W[0].tolist(), W[0].tolist()[:-1]]
    elif kind == "huge_values":
        M = W * 1e300
        if metric in ("jaccard", "overlap"):
            expect, oracle = "either", O.overlap(W, metric)
        elif metric in ("cosine", "weighted_jaccard"):
            expect, oracle = "either", O.overlap(W, metric)
        else:                                         # the dot products overflow to inf
            with np.errstate(over="ignore", invalid="ignore"):
                oracle = O.overlap(M, metric)
            expect = "either"
    elif kind == "tiny_values":
        M = W * 1e-300
        if metric == "dot":
            expect, oracle = "either", np.zeros((n, n)) + O.overlap(W * 1e-300, "dot")
        else:
            expect, oracle = "either", O.overlap(W, metric)
    elif kind == "int8_indices":
        M.indices = M.indices.astype(np.int8)
        expect, oracle = "either", O.overlap(W, metric)
    elif kind == "int_2**63_values":
        M = np.array(W != 0, dtype=object) * (2**63)
    return Case("overlap", f"bad_matrix_{kind}", cn.overlap, (M,), {"metric": metric},
                expect, oracle, cmp_dense)


def _long_weights(W, rng):
    """The nonzero entries of W as a long (row, column, weight) table, shuffled."""
    r, c = np.nonzero(W)
    order = rng.permutation(r.size)
    return pd.DataFrame({"row": [f"r{i}" for i in r[order]],
                         "column": [f"c{j}" for j in c[order]],
                         "weight": W[r[order], c[order]]})


def cmp_labelled(result, oracle):
    labels, scores = oracle
    if not isinstance(result, pd.DataFrame):
        return False
    try:
        got = result.loc[labels, labels].to_numpy(dtype=float)
    except Exception:
        return False
    return result.shape == (len(labels), len(labels)) and bool(
        np.allclose(got, scores, rtol=1e-9, atol=1e-9))


def gen_overlap_frame(rng, cn):
    metric = str(rng.choice(["cosine", "jaccard", "dot", "weighted_jaccard", "overlap"]))
    W = weights(rng, int(rng.integers(2, 7)), int(rng.integers(1, 6)))
    W[:, 0] = np.where(W.any(axis=1), W[:, 0], 0.5)     # every row has an entry
    df = _long_weights(W, rng)
    keep = sorted({int(x[1:]) for x in df["row"]})
    labels = [f"r{i}" for i in keep]
    variant = str(rng.choice(["valid", "valid", "nan_weight", "negative_weight",
                              "missing_column", "duplicate_pairs", "unhashable_labels",
                              "str_weight", "empty"]))
    if variant == "valid":
        return Case("overlap", f"frame_valid_{metric}", cn.overlap, (df,),
                    {"metric": metric}, "oracle", (labels, O.overlap(W[keep], metric)),
                    cmp_labelled)
    if variant == "duplicate_pairs":
        dup = pd.concat([df, df], ignore_index=True)
        dup["weight"] = dup["weight"] / 2
        return Case("overlap", f"frame_duplicate_pairs_{metric}", cn.overlap, (dup,),
                    {"metric": metric}, "either", (labels, O.overlap(W[keep], metric)),
                    cmp_labelled)
    bad = df.copy()
    if variant == "nan_weight":
        bad.loc[0, "weight"] = NAN
    elif variant == "negative_weight":
        bad.loc[0, "weight"] = -1.0
        metric = "jaccard"
    elif variant == "missing_column":
        bad = bad.drop(columns=["column"])
    elif variant == "unhashable_labels":
        bad["row"] = [[x] for x in bad["row"]]
    elif variant == "str_weight":
        bad["weight"] = bad["weight"].astype(str)
    else:
        return Case("overlap", "frame_empty", cn.overlap, (bad.iloc[0:0],),
                    {"metric": metric}, "either", ([], np.zeros((0, 0))), cmp_labelled)
    return Case("overlap", f"frame_{variant}", cn.overlap, (bad,), {"metric": metric},
                "error")


def gen_overlap_bad_keywords(rng, cn):
    W = weights(rng, int(rng.integers(2, 7)), int(rng.integers(2, 6)))
    kind, M = as_matrix(rng, W, str(rng.choice(["dense", "csr"])))
    n = W.shape[0]
    kw_name = str(rng.choice(["metric", "threshold", "top_k", "rows", "output",
                              "block_rows", "n_threads", "other", "control"]))
    key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
    value = BAD_VALUES[key]
    expect, oracle = "error", None
    full = O.overlap(W, "cosine")
    if kw_name in ("top_k", "n_threads", "block_rows") and isinstance(value, int) \
            and not isinstance(value, bool) and value >= 1:
        # a huge count is legal: capped (with a CappedParameterWarning) or refused
        expect, oracle = "either", full
    elif value is None and kw_name not in ("metric", "output"):
        expect, oracle = "oracle", full
    if kw_name == "rows":
        key = str(rng.choice(["out_of_range", "negative", "float", "duplicate", "2d",
                              "bool_mask", "huge", "str", "empty"]))
        value = {"out_of_range": [n], "negative": [-1], "float": [0.5],
                 "duplicate": [0, 0], "2d": [[0]], "bool_mask": [True] * n,
                 "huge": [2**63], "str": ["a"], "empty": []}[key]
        expect = "error"
        if key == "duplicate":
            expect, oracle = "either", full[[0, 0]]
        elif key == "empty":
            expect, oracle = "either", full[[]]
    elif kw_name == "other":
        key = str(rng.choice(["wrong_cols", "nan", "1d", "str", "negative_jaccard"]))
        value = {"wrong_cols": np.ones((2, W.shape[1] + 1)),
                 "nan": np.full((2, W.shape[1]), NAN), "1d": np.ones(W.shape[1]),
                 "str": "x", "negative_jaccard": -np.ones((2, W.shape[1]))}[key]
        expect = "error"
        if key == "negative_jaccard":
            return Case("overlap", f"bad_other_{key}", cn.overlap, (M,),
                        {"other": value, "metric": "jaccard"}, "error")
    elif kw_name == "control":
        key = str(rng.choice(["not_kappa", "wrong_shape", "nan", "negative", "missing"]))
        if key == "missing":  # control follows cash flow: kappa with G = W
            B = np.abs(W) + 0.01
            return Case("overlap", "kappa_control_omitted", cn.overlap, (B,),
                        {"metric": "kappa"}, "oracle", O.overlap(B, "kappa", control=B),
                        cmp_dense)
        value = {"not_kappa": np.abs(W), "wrong_shape": np.ones((n + 1, W.shape[1])),
                 "nan": np.full(W.shape, NAN), "negative": -np.ones(W.shape)}[key]
        kw = {"control": value}
        if key != "not_kappa":
            kw["metric"] = "kappa"
        return Case("overlap", f"bad_control_{key}", cn.overlap, (np.abs(W) + 0.01,), kw,
                    "error")
    elif kw_name == "threshold" and isinstance(value, (int, float)) \
            and not isinstance(value, bool) and value == value:
        expect, oracle = "either", np.where(full >= value, full, 0.0)
    return Case("overlap", f"bad_keyword_{kw_name}_{key}", cn.overlap, (M,),
                {kw_name: value}, expect, oracle, cmp_dense)


# --------------------------------------------------------------------------- readers

def _write_valid(tmp, rng, name):
    df, _ = long_frame(rng)
    path = os.path.join(tmp, name)
    df.to_parquet(path, index=False)
    return path, df


def gen_readers(rng, cn, tmp):
    entry = str(rng.choice(["read_shares", "read_table", "validate_shares",
                            "read_holdings"]))
    func = getattr(cn, entry)
    tag = f"c{int(rng.integers(10**9))}"
    variant = str(rng.choice([
        "valid", "missing", "directory_empty", "directory_junk", "random_bytes",
        "empty_file", "truncated", "csv_text", "int_path", "None", "bytes_path",
        "nul_in_path", "long_path", "list_path", "wrong_dtype", "missing_columns",
        "bad_filters", "bad_columns", "dev_null"]))
    expect, oracle, cmp = "error", None, None
    kw = {}
    if variant == "valid":
        path, df = _write_valid(tmp, rng, tag + ".parquet")
        if entry == "validate_shares":
            return Case(entry, "valid", func, (path,), {}, "either", None,
                        lambda r, o: hasattr(r, "issues"))
        if entry == "read_holdings":
            return Case(entry, "shares_file", func, (path,), {}, "error")
        return Case(entry, "valid", func, (path,), {}, "oracle", df, cmp_table)
    if variant == "missing":
        src = os.path.join(tmp, tag, "missing.parquet")
    elif variant == "directory_empty":
        src = os.path.join(tmp, tag)
        os.makedirs(src)
    elif variant == "directory_junk":
        src = os.path.join(tmp, tag)
        os.makedirs(src)
        with open(os.path.join(src, "part-0.parquet"), "wb") as fh:
            fh.write(b"PAR1 not really")
    elif variant in ("random_bytes", "empty_file", "truncated", "csv_text"):
        src = os.path.join(tmp, tag + ".parquet")
        if variant == "truncated":
            good, _ = _write_valid(tmp, rng, tag + "_good.parquet")
            with open(good, "rb") as fh:
                blob = fh.read()
            blob = blob[: int(len(blob) * rng.uniform(0.1, 0.95))]
        else:
            blob = {"random_bytes": rng.bytes(int(rng.integers(1, 4000))),
                    "empty_file": b"",
                    "csv_text": b"market,period,firm,share\nx,1,A,0.5\n"}[variant]
            if variant == "random_bytes" and rng.random() < 0.5:
                blob = b"PAR1" + blob + b"PAR1"
        with open(src, "wb") as fh:
            fh.write(blob)
    elif variant == "int_path":
        src = 5
    elif variant == "None":
        src = None

    elif variant == "bytes_path":
        src = os.path.join(tmp, "missing.parquet").encode()
    elif variant == "nul_in_path":
        src = os.path.join(tmp, "a\0b.parquet")
    elif variant == "long_path":
        src = os.path.join(tmp, "x" * 5000 + ".parquet")
    elif variant == "list_path":
        src = [os.path.join(tmp, "a.parquet"), 5]
    elif variant == "dev_null":
        src = "/dev/null"
    if entry == "validate_shares" and variant in ("int_path", "None", "list_path",
                                                  "bytes_path"):
        return Case(entry, variant, func, (src,), {}, "either", None, _has_errors)
    elif variant in ("wrong_dtype", "missing_columns"):
        src = os.path.join(tmp, tag + ".parquet")
        if variant == "wrong_dtype":
            df = pd.DataFrame({"market": ["x"], "period": ["1"], "firm": ["A"],
                               "share": ["half"], "owner": ["o"], "cash_flow": ["half"]})
        else:
            df = pd.DataFrame({"something": [1.0]})
        df.to_parquet(src, index=False)
        if entry == "read_table" and variant == "wrong_dtype":
            return Case(entry, variant, func, (src,), {}, "oracle", df, cmp_table)
        if entry == "read_table":
            return Case(entry, variant, func, (src,), {"required": ["market"]}, "error")
        if entry == "validate_shares":
            return Case(entry, variant, func, (src,), {}, "either", None,
                        lambda r, o: hasattr(r, "issues") and len(r.issues) > 0)
    elif variant == "bad_filters":
        src, _ = _write_valid(tmp, rng, tag + ".parquet")
        kw["filters"] = [("nope", "==", 1)] if rng.random() < 0.5 else "market == x"
    else:
        src, _ = _write_valid(tmp, rng, tag + ".parquet")
        if entry == "read_table":
            kw["columns"] = ["nope"] if rng.random() < 0.5 else 5
        else:
            kw["share" if entry != "read_holdings" else "cash_flow"] = "nope"
    return Case(entry, variant, func, (src,), kw, expect, oracle, cmp)


def _has_errors(result, oracle):
    issues = getattr(result, "issues", None)
    return isinstance(issues, pd.DataFrame) and len(issues) > 0


def gen_write_parquet(rng, cn, tmp):
    df, _ = long_frame(rng)
    tag = f"w{int(rng.integers(10**9))}"
    variant = str(rng.choice(["bad_df", "dir_missing", "path_is_dir", "bad_provenance",
                              "bad_compression", "int_path", "nul_path"]))
    path = os.path.join(tmp, tag + ".parquet")
    args, kw = (df, path), {}
    if variant == "bad_df":
        args = ({"a": [1]} if rng.random() < 0.5 else None, path)
    elif variant == "dir_missing":
        args = (df, os.path.join(tmp, tag, "sub", "x.parquet"))
    elif variant == "path_is_dir":
        os.makedirs(os.path.join(tmp, tag))
        args = (df, os.path.join(tmp, tag))
    elif variant == "bad_provenance":
        if rng.random() < 0.5:
            return Case("write_parquet", "provenance_object_value", cn.write_parquet,
                        (df, path), {"provenance": {"x": object()}}, "either", None,
                        lambda r, o: True)
        kw["provenance"] = "text"
    elif variant == "bad_compression":
        kw["compression"] = "nope"
    elif variant == "int_path":
        args = (df, 5)
    else:
        args = (df, os.path.join(tmp, "a\0b.parquet"))
    if variant == "dir_missing":
        return Case("write_parquet", variant, cn.write_parquet, args, kw, "either", None,
                    lambda r, o: True)
    return Case("write_parquet", variant, cn.write_parquet, args, kw, "error")


# ------------------------------------------------------------------------------ CLI

def gen_cli(rng, cn, tmp):
    tag = f"cli{int(rng.integers(10**9))}"
    path, df = _write_valid(tmp, rng, tag + ".parquet")
    variant = str(rng.choice([
        "valid_indices", "unknown_flag", "unknown_command", "no_args", "bad_measures",
        "missing_source", "corrupt_source", "bad_fringe_size", "bad_scale",
        "screen_no_merging", "screen_empty_merging", "screen_bad_guidelines",
        "overlap_bad_threads", "overlap_bad_top_k", "overlap_bad_threshold",
        "bad_out_dir", "bad_out_ext", "datasets_bad_name", "mhhi_missing_holdings",
        "network_bad_source", "report_bad_config"]))
    out_csv = os.path.join(tmp, tag + ".csv")
    wtab = os.path.join(tmp, tag + "_w.parquet")
    pd.DataFrame({"row": ["a", "a", "b"], "column": ["x", "y", "x"],
                  "weight": [1.0, 0.5, 0.25]}).to_parquet(wtab, index=False)
    corrupt = os.path.join(tmp, tag + "_bad.parquet")
    with open(corrupt, "wb") as fh:
        fh.write(b"PAR1" + rng.bytes(64))
    argv = {
        "valid_indices": ["indices", path, "--measures", "hhi", "--out", out_csv],
        "unknown_flag": ["indices", path, "--no-such-flag"],
        "unknown_command": ["frobnicate"],
        "no_args": [],
        "bad_measures": ["indices", path, "--measures", "nope,cr-3"],
        "missing_source": ["indices", os.path.join(tmp, "missing.parquet")],
        "corrupt_source": ["indices", corrupt],
        "bad_fringe_size": ["indices", path, "--fringe", "as_firms", "--fringe-size",
                            str(rng.choice(["nan", "-1", "x", "0", "1e-320"]))],
        "bad_scale": ["indices", path, "--scale", "permille"],
        "screen_no_merging": ["screen", path],
        "screen_empty_merging": ["screen", path, "--merging", ""],
        "screen_bad_guidelines": ["screen", path, "--merging", "A,B", "--guidelines",
                                  "nope"],
        "overlap_bad_threads": ["overlap", wtab, "--threads",
                                str(rng.choice(["-1", "0", "x", str(2**63), "1.5"]))],
        "overlap_bad_top_k": ["overlap", wtab, "--top-k",
                              str(rng.choice(["-1", "0", "x", str(2**63)]))],
        "overlap_bad_threshold": ["overlap", wtab, "--threshold",
                                  str(rng.choice(["nan", "x", "inf"]))],
        "bad_out_dir": ["indices", path, "--out", os.path.join(tmp, "no", "dir", "x.csv")],
        "bad_out_ext": ["indices", path, "--out", os.path.join(tmp, tag + ".xyz")],
        "datasets_bad_name": ["datasets", "export", "no-such-dataset"],
        "mhhi_missing_holdings": ["mhhi", path],
        "network_bad_source": ["network", corrupt],
        "report_bad_config": ["report", "--config", corrupt],
    }[variant]
    if variant == "valid_indices":
        keys = {}
        for (m, p), g in df.groupby(["market", "period"]):
            keys[(str(m), str(p))] = O.hhi(g["share"].to_numpy())
        return Case("cli", variant, None, (argv, out_csv), {}, "oracle", keys, _cmp_cli_csv,
                    cli=True)
    if variant == "overlap_bad_top_k" and argv[-1] == str(2**63):
        return Case("cli", variant, None, (argv, None), {}, "either", 0,
                    lambda r, o: r[0] == 0, cli=True)
    if variant == "overlap_bad_threads" and argv[-1] == str(2**63):
        return Case("cli", variant, None, (argv, None), {}, "either", 0,
                    lambda r, o: r[0] == 0, cli=True)
    if variant == "bad_fringe_size" and argv[-1] == "1e-320":
        return Case("cli", variant, None, (argv, None), {}, "either", 0,
                    lambda r, o: r[0] == 0, cli=True)
    return Case("cli", variant, None, (argv, None), {}, "error", cli=True)


def _cmp_cli_csv(result, oracle):
    rc, out_csv = result
    if rc != 0:
        return False
    got = pd.read_csv(out_csv, dtype={"market": str, "period": str})
    if len(got) != len(oracle):
        return False
    return all(close(r["hhi"], oracle[(str(r["market"]), str(r["period"]))])
               for _, r in got.iterrows())


# --------------------------------------------------------- ownership, networks, others

def _holdings_frame(rng, firms):
    owners = [f"o{i}" for i in range(int(rng.integers(1, 5)))]
    rows = []
    for f in firms:
        stakes = rng.dirichlet(np.ones(len(owners))) * rng.uniform(0.3, 1.0)
        for o, v in zip(owners, stakes):
            if v > 0.02:
                rows.append((o, f, float(v)))
    return pd.DataFrame(rows, columns=["owner", "firm", "cash_flow"])


def _mhhi_oracle(s, firms, hold):
    owners = sorted(set(hold["owner"]))
    B = np.zeros((len(firms), len(owners)))
    for _, r in hold.iterrows():
        B[firms.index(r["firm"]), owners.index(r["owner"])] += r["cash_flow"]
    num = B @ B.T
    d = np.diag(num)
    K = np.where(d[:, None] > 0, num / np.where(d[:, None] > 0, d[:, None], 1), 0)
    np.fill_diagonal(K, 1.0)
    return O.hhi(s), O.POINTS * float(s @ K @ s)


def gen_ownership(rng, cn, tmp):
    n = int(rng.integers(2, 6))
    s = market(rng, n)
    firms = [f"F{i}" for i in range(n)]
    hold = _holdings_frame(rng, firms)
    tag = f"h{int(rng.integers(10**9))}"
    hpath = os.path.join(tmp, tag + ".parquet")
    hold.to_parquet(hpath, index=False)
    variant = str(rng.choice(["mhhi_valid", "mhhi_bad_shares", "mhhi_bad_holdings",
                              "mhhi_bad_control", "profit_weights_bad",
                              "control_model_bad", "holdings_bad_stake"]))
    if variant == "mhhi_valid":
        H = cn.read_holdings(hpath)
        return Case("mhhi", "valid_proportional", cn.mhhi, (dict(zip(firms, s)), H), {},
                    "oracle", _mhhi_oracle(s, firms, hold), cmp_mhhi)
    if variant == "mhhi_bad_shares":
        H = cn.read_holdings(hpath)
        key = list(BAD_SHARE)[int(rng.integers(len(BAD_SHARE)))]
        vals = list(s)
        vals[0] = BAD_SHARE[key]
        return Case("mhhi", f"bad_share_{key}", cn.mhhi, (dict(zip(firms, vals)), H), {},
                    "error")
    if variant == "mhhi_bad_holdings":
        key = str(rng.choice(["None", "int", "str_missing", "frame_bad", "dict"]))
        h = {"None": None, "int": 5, "str_missing": os.path.join(tmp, "missing.parquet"),
             "frame_bad": pd.DataFrame({"x": [1]}), "dict": {"o": 1}}[key]
        return Case("mhhi", f"bad_holdings_{key}", cn.mhhi, (dict(zip(firms, s)), h), {},
                    "error")
    if variant == "mhhi_bad_control":
        H = cn.read_holdings(hpath)
        key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
        return Case("mhhi", f"bad_control_model_{key}", cn.mhhi, (dict(zip(firms, s)), H),
                    {"control_model": BAD_VALUES[key]}, "error")
    if variant == "profit_weights_bad":
        key = str(rng.choice(["holdings_None", "holdings_frame", "control_nope",
                              "output_nope", "firms_int", "reduce_nope"]))
        H = cn.read_holdings(hpath)
        args, kw = {"holdings_None": ((None,), {}), "holdings_frame": ((hold,), {}),
                    "control_nope": ((H,), {"control_model": "nope"}),
                    "output_nope": ((H,), {"output": "nope"}),
                    "firms_int": ((H,), {"firms": 5}),
                    "reduce_nope": ((H,), {"reduce": "nope"})}[key]
        if key == "holdings_frame":
            return Case("profit_weights", key, cn.profit_weights, args, kw, "either", None,
                        lambda r, o: True)
        return Case("profit_weights", key, cn.profit_weights, args, kw, "error")
    if variant == "control_model_bad":
        key = str(rng.choice(["name", "exponent_nan", "exponent_neg", "threshold_2",
                              "threshold_nan", "max_exact_huge", "max_exact_neg",
                              "quota_nan", "name_int"]))
        kw = {"name": {"name": "nope"}, "exponent_nan": {"name": "banzhaf",
                                                         "exponent": NAN},
              "exponent_neg": {"exponent": -1.0}, "threshold_2": {"threshold": 2.0},
              "threshold_nan": {"threshold": NAN}, "max_exact_huge": {"max_exact": 2**63},
              "max_exact_neg": {"max_exact": -1}, "quota_nan": {"quota": NAN},
              "name_int": {"name": 5}}[key]
        return Case("ControlModel", key, cn.ControlModel, (), kw, "error")
    key = str(rng.choice(["nan", "negative", "above_one", "str", "inf"]))
    bad = hold.copy()
    bad["cash_flow"] = bad["cash_flow"].astype(object)
    bad.loc[0, "cash_flow"] = {"nan": NAN, "negative": -0.2, "above_one": 1.7,
                               "str": "x", "inf": INF}[key]
    p = os.path.join(tmp, tag + "_bad.parquet")
    if key == "str":
        bad["cash_flow"] = bad["cash_flow"].astype(str)
    else:
        bad["cash_flow"] = bad["cash_flow"].astype(float)
    bad.to_parquet(p, index=False)
    return Case("read_holdings", f"bad_stake_{key}", cn.read_holdings, (p,), {}, "error")


def gen_network(rng, cn):
    firms = [f"F{i}" for i in range(int(rng.integers(2, 6)))]
    edges = pd.DataFrame({"source": [firms[0], firms[1]], "target": [firms[1], firms[-1]],
                          "kind": ["partnership", "investment"], "start": ["2020", "2021"],
                          "end": [None, None], "weight": [1.0, 0.5]})
    variant = str(rng.choice(["edges_None", "edges_int", "edges_empty", "edges_missing",
                              "weight_nan", "weight_negative", "weight_str", "start_garbage",
                              "end_before_start", "unhashable", "weights_bad",
                              "combine_bad", "direction_bad", "as_of_bad", "network_frame",
                              "weighted_hhi_valid", "weighted_hhi_bad"]))
    if variant.startswith("edges_") or variant in ("weight_nan", "weight_negative",
                                                   "weight_str", "start_garbage",
                                                   "end_before_start", "unhashable"):
        e = edges.copy()
        arg = e
        if variant == "edges_None":
            arg = None
        elif variant == "edges_int":
            arg = 5
        elif variant == "edges_empty":
            arg = e.iloc[0:0]
        elif variant == "edges_missing":
            arg = e.drop(columns=["target"])
        elif variant == "weight_nan":
            e.loc[0, "weight"] = NAN
        elif variant == "weight_negative":
            e.loc[0, "weight"] = -1.0
        elif variant == "weight_str":
            e["weight"] = ["x", "y"]
        elif variant == "start_garbage":
            e.loc[0, "start"] = "not a date"
        elif variant == "end_before_start":
            e.loc[0, "end"] = "2000"
        else:
            e["source"] = [[firms[0]], [firms[1]]]
        expect = "either" if variant == "edges_empty" else "error"
        return Case("PartnershipNetwork", variant, cn.PartnershipNetwork, (arg,), {}, expect,
                    None, lambda r, o: True)
    net = cn.PartnershipNetwork(edges)
    if variant in ("weights_bad", "combine_bad", "direction_bad", "as_of_bad"):
        kw = {"weights_bad": {"weights": {"partnership": NAN}},
              "combine_bad": {"combine": "nope"}, "direction_bad": {"direction": 5},
              "as_of_bad": {"as_of": "not a date"}}[variant]
        return Case("partnership_weights", variant, cn.partnership_weights, (net, firms),
                    kw, "error")
    if variant == "network_frame":
        return Case("partnership_weights", "network_is_frame", cn.partnership_weights,
                    (edges, firms), {}, "error")
    s = market(rng, len(firms))
    K = np.eye(len(firms))
    i, j = 0, 1
    K[i, j] = K[j, i] = float(rng.uniform(0, 1))
    if variant == "weighted_hhi_valid":
        return Case("weighted_hhi", "valid_array", cn.weighted_hhi,
                    (dict(zip(firms, s)), K), {}, "oracle", O.weighted_hhi(s, K),
                    cmp_weighted)
    key = str(rng.choice(["nan", "above_one", "diag_not_one", "wrong_shape", "str",
                          "None", "negative"]))
    Kb = K.copy()
    if key == "nan":
        Kb[0, 1] = NAN
    elif key == "above_one":
        Kb[0, 1] = 1.5
    elif key == "diag_not_one":
        Kb[0, 0] = 0.5
    elif key == "wrong_shape":
        Kb = np.eye(len(firms) + 1)
    elif key == "negative":
        Kb[0, 1] = -0.5
    elif key == "str":
        Kb = "identity"
    else:
        Kb = None
    return Case("weighted_hhi", f"bad_weights_{key}", cn.weighted_hhi,
                (dict(zip(firms, s)), Kb), {}, "error")


def gen_guidelines_datasets(rng, cn):
    variant = str(rng.choice(["get_guideline", "classify_post", "classify_delta",
                              "classify_share", "classify_guidelines", "datasets_load",
                              "datasets_as_of", "datasets_vintage"]))
    key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
    value = BAD_VALUES[key]
    if variant == "get_guideline":
        return Case("get_guideline", f"bad_key_{key}", cn.get_guideline, (value,), {},
                    "error")
    classify = cn.guidelines.classify
    hi = 1.0 if variant == "classify_share" else 10_000.0
    legal = (isinstance(value, (int, float)) and not isinstance(value, bool)
             and (value != value or 0 <= value <= hi)) or isinstance(value, tuple)
    if variant in ("classify_post", "classify_delta", "classify_share") and legal:
        args = {"classify_post": (value, 200.0), "classify_delta": (2000.0, value),
                "classify_share": (2000.0, 200.0)}[variant]
        kw = {"combined_share": value} if variant == "classify_share" else {}
        return Case("guidelines.classify", f"{variant}_{key}", classify, args, kw,
                    "either", None, lambda r, o: isinstance(r, pd.DataFrame))
    if variant in ("classify_post", "classify_delta", "classify_share") and key == "list":
        return Case("guidelines.classify", f"{variant}_empty_list", classify,
                    {"classify_post": ([], 200.0), "classify_delta": (2000.0, []),
                     "classify_share": (2000.0, 200.0)}[variant],
                    {"combined_share": []} if variant == "classify_share" else {},
                    "either", None, lambda r, o: isinstance(r, pd.DataFrame) and len(r) == 0)
    if variant == "classify_post":
        return Case("guidelines.classify", f"bad_post_hhi_{key}", classify, (value, 200.0),
                    {}, "error")
    if variant == "classify_delta":
        return Case("guidelines.classify", f"bad_delta_hhi_{key}", classify,
                    (2000.0, value), {}, "error")
    if variant == "classify_share":
        if value is None or (isinstance(value, float) and value != value):
            return Case("guidelines.classify", f"combined_share_{key}", classify,
                        (2000.0, 200.0), {"combined_share": value}, "either", None,
                        lambda r, o: True)
        return Case("guidelines.classify", f"bad_combined_share_{key}", classify,
                    (2000.0, 200.0), {"combined_share": value}, "error")
    if variant == "classify_guidelines":
        return Case("guidelines.classify", f"bad_guidelines_{key}", classify,
                    (2000.0, 200.0), {"guidelines": value}, "error")
    load = cn.datasets.load
    if variant == "datasets_load":
        return Case("datasets.load", f"bad_name_{key}", load, (value,), {}, "error")
    names = list(cn.datasets.DATASETS)
    name = names[int(rng.integers(len(names)))] if names else "x"
    kw = "as_of" if variant == "datasets_as_of" else "vintage"
    if value is None and kw == "as_of":
        return Case("datasets.load", "as_of_None", load, (name,), {"as_of": None},
                    "either", None, lambda r, o: True)
    return Case("datasets.load", f"bad_{kw}_{key}", load, (name,), {kw: value}, "error")


def gen_stats(rng, cn):
    s = market(rng, int(rng.integers(2, 6)))
    data = dict(zip(labels(rng, s.size), s))
    variant = str(rng.choice(["interval_n_draws", "interval_level", "interval_method",
                              "interval_sample_size", "interval_measure", "interval_seed",
                              "interval_prior", "interval_bad_data", "sensitivity_bad",
                              "decomposition_bad", "regression_bad"]))
    st = cn.stats
    key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
    value = BAD_VALUES[key]
    base = {"sample_size": 200, "n_draws": 19, "seed": 1}
    if variant.startswith("interval_") and variant != "interval_bad_data":
        kw_name = variant.split("_", 1)[1]
        kw = dict(base)
        kw[kw_name] = value
        expect = "error"
        if value is None and kw_name in ("sample_size", "seed"):
            expect = "either"
        if kw_name == "seed" and isinstance(value, int) and not isinstance(value, bool) \
                and value >= 0:
            expect = "either"
        if kw_name == "n_draws" and isinstance(value, int) and value > 10**6:
            expect = "error"                        # must be refused, not attempted
        return Case("stats.index_interval", f"bad_{kw_name}_{key}", st.index_interval,
                    (data,), kw, expect, None, lambda r, o: True)
    if variant == "interval_bad_data":
        k = list(BAD_SHARE)[int(rng.integers(len(BAD_SHARE)))]
        vals = list(data.values())
        vals[0] = BAD_SHARE[k]
        return Case("stats.index_interval", f"bad_share_{k}", st.index_interval,
                    (dict(zip(data, vals)),), base, "error")
    if variant == "sensitivity_bad":
        k = str(rng.choice(["None", "int", "empty", "str"]))
        d = {"None": None, "int": 5, "empty": {}, "str": "x"}[k]
        return Case("stats.market_sensitivity", f"bad_definitions_{k}",
                    st.market_sensitivity, (data, d), {}, "error")
    if variant == "decomposition_bad":
        k = str(rng.choice(["None", "int", "one_period_dict", "nan"]))
        d = {"None": None, "int": 5, "one_period_dict": data,
             "nan": pd.DataFrame({"market": ["x", "x"], "period": ["1", "2"],
                                  "firm": ["A", "A"], "share": [NAN, 1.0]})}[k]
        return Case("stats.hhi_change_decomposition", f"bad_data_{k}",
                    st.hhi_change_decomposition, (d,), {}, "error")
    k = str(rng.choice(["None", "empty", "no_outcome", "bad_cov", "bad_method", "tol",
                        "max_iter"]))
    panel = pd.DataFrame({"market": ["a", "a", "b", "b"], "period": ["1", "2", "1", "2"],
                          "price": [1.0, 2.0, 1.5, NAN], "hhi": [1.0, 2.0, 3.0, 4.0],
                          "mhhi_delta": [0.0, 1.0, 0.0, 1.0]})
    args, kw = {"None": ((None,), {}), "empty": ((panel.iloc[0:0],), {}),
                "no_outcome": ((panel,), {"outcome": "nope"}),
                "bad_cov": ((panel,), {"cov_type": "nope"}),
                "bad_method": ((panel,), {"method": "nope"}),
                "tol": ((panel,), {"tol": -1.0}),
                "max_iter": ((panel,), {"max_iter": -(2**63)})}[k]
    return Case("stats.concentration_regression", f"bad_{k}", st.concentration_regression,
                args, kw, "error")


def gen_report(rng, cn, tmp):
    tag = f"r{int(rng.integers(10**9))}"
    variant = str(rng.choice(["nothing", "bad_shares", "output_dir_missing", "bad_config",
                              "bad_guidelines", "bad_progress", "output_int"]))
    path, df = _write_valid(tmp, rng, tag + ".parquet")
    out = os.path.join(tmp, tag + ".html")
    both = tuple(df["firm"].iloc[:2]) if df["firm"].nunique() > 1 else ("A", "B")
    kw = {"nothing": {"output": out},
          "bad_shares": {"shares": pd.DataFrame({"market": ["x"], "firm": ["A"],
                                                 "share": [NAN]}), "output": out},
          "output_dir_missing": {"shares": path,
                                 "output": os.path.join(tmp, tag, "no", "r.html")},
          "bad_config": {"config": {"nope": object()}, "output": out},
          "bad_guidelines": {"shares": path, "merging": both, "guidelines": ("nope",),
                             "output": out},
          "bad_progress": {"shares": path, "progress": 5, "output": out},
          "output_int": {"shares": path, "output": 5}}[variant]
    if variant in ("output_dir_missing", "nothing"):
        return Case("report", variant, cn.report, (), kw, "either", None, lambda r, o: True)
    if variant == "bad_shares":
        return Case("report", variant, cn.report, (), kw, "either", None,
                    lambda r, o: not any("indic" in str(s) for s in r.sections))
    return Case("report", variant, cn.report, (), kw, "error")


# ------------------------------------------------------------------------- registry

#: (generator, weight, needs a temporary directory)
GENERATORS = [
    (gen_measure_valid, 6, False),
    (gen_other_valid, 3, False),
    (gen_measure_bad_values, 5, False),
    (gen_measure_bad_keywords, 5, False),
    (gen_bounds_bad, 1, False),
    (gen_indices_bad, 1, False),
    (gen_screen, 3, False),
    (gen_divest, 1, False),
    (gen_overlap_valid, 5, False),
    (gen_overlap_bad_matrix, 4, False),
    (gen_overlap_bad_keywords, 3, False),
    (gen_overlap_frame, 2, False),
    (gen_readers, 2, True),
    (gen_write_parquet, 1, True),
    (gen_cli, 2, True),
    (gen_ownership, 2, True),
    (gen_network, 2, False),
    (gen_guidelines_datasets, 2, False),
    (gen_stats, 1, False),
    (gen_report, 1, True),
]

_SCHEDULE = [i for i, (_, w, _) in enumerate(GENERATORS) for _ in range(w)]

#: cases whose calls are slow (a subprocess-free but heavy call): fewer of them
SLOW = {"gen_report"}


def generator_of(index):
    return GENERATORS[_SCHEDULE[index % len(_SCHEDULE)]]


def make_case(seed, index, cn, tmp):
    gen, _, needs_tmp = generator_of(index)
    rng = np.random.default_rng([seed, index])
    return gen(rng, cn, tmp) if needs_tmp else gen(rng, cn)


# ------------------------------------------------------- wrong types for every keyword

def _is_num(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def legal(kind, value):
    """True: legal (any result of the call is fine), False: must be a typed error,
    None: may be either.  ``kind`` is the documented type of the keyword."""
    if kind == "any":
        return None
    if isinstance(kind, tuple):                       # a closed set of strings
        return True if value in kind else False
    if kind == "col":                                 # a column name: str or None
        return None if (value is None or isinstance(value, str)) else False
    if kind == "str":                                 # an open set of names
        return None if isinstance(value, str) else False
    if kind == "str_or_none":
        return None if (value is None or isinstance(value, str)) else False
    if kind == "bool":
        return True if isinstance(value, (bool, np.bool_)) else False
    if kind == "tolerance":
        if not _is_num(value) or value != value or value < 0:
            return False
        return None
    if kind == "pos_float":
        if not _is_num(value) or value != value or value <= 0:
            return False
        return None
    if kind == "int_ge1":
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            return False
        return None
    if kind == "seq_or_none":
        if value is None or isinstance(value, (list, tuple)):
            return None
        return False
    if kind == "collection_or_none":
        if value is None or isinstance(value, (list, tuple, dict, set, np.ndarray)):
            return None
        return False
    if kind == "mapping_or_none":
        return None if (value is None or isinstance(value, dict)) else False
    if kind == "path":                               # output path: str/PathLike or None
        return None if (value is None or isinstance(value, str)) else False
    if kind == "date":
        if value is None or isinstance(value, str) or _is_num(value):
            return None
        return False
    raise ValueError(kind)


SHARE_KWS = {"market": "col", "period": "col", "firm": "col", "share": "col",
             "value": "col", "scale": ("fraction", "percent"),
             "duplicates": ("error", "sum"), "tolerance": "tolerance"}


def _keyword_targets(rng, cn, tmp):
    """(entry, func, args, base kwargs, {keyword: kind}) for one random entry point."""
    n = int(rng.integers(3, 6))
    s = market(rng, n)
    firms = [f"F{i}" for i in range(n)]
    data = dict(zip(firms, s.tolist()))
    tag = f"k{int(rng.integers(10**9))}"
    choice = int(rng.integers(14))
    if choice == 0:
        return ("screen_merger", cn.screen_merger, (data, ("F0", "F1")), {},
                dict(SHARE_KWS, compute="any", client="any", parent="any"))
    if choice == 1:
        return ("divest", cn.divest, (data, ("F0", "F1"), min(s[0], s[1]) / 2),
                {"buyer": "F2"}, dict(SHARE_KWS, guidelines="str"))
    if choice == 2:
        return ("minimum_divestiture", cn.minimum_divestiture, (data, ("F0", "F1")),
                {"buyer": "F2"}, dict(SHARE_KWS, target="str", xtol="pos_float",
                                      guidelines="str"))
    if choice in (3, 4):
        path, _ = _write_valid(tmp, rng, tag + ".parquet")
        entry = "read_shares" if choice == 3 else "validate_shares"
        kws = dict(SHARE_KWS, filters="seq_or_none")
        if choice == 3:
            kws["engine"] = "str"
        return (entry, getattr(cn, entry), (path,), {}, kws)
    if choice == 5:
        hold = _holdings_frame(rng, firms)
        path = os.path.join(tmp, tag + "_h.parquet")
        hold.to_parquet(path, index=False)
        return ("read_holdings", cn.read_holdings, (path,), {},
                {"owner": "col", "firm": "col", "period": "col", "cash_flow": "col",
                 "control": "col", "scale": ("fraction", "percent"),
                 "duplicates": ("error", "sum"), "tolerance": "tolerance",
                 "filters": "seq_or_none", "engine": "str"})
    if choice in (6, 7):
        hold = _holdings_frame(rng, firms)
        path = os.path.join(tmp, tag + "_h.parquet")
        hold.to_parquet(path, index=False)
        H = cn.read_holdings(path)
        if choice == 6:
            return ("mhhi", cn.mhhi, (data, H), {},
                    dict(SHARE_KWS, holdings_period="any", compute="any", client="any",
                         control_model="str"))
        return ("profit_weights", cn.profit_weights, (H,), {},
                {"control_model": "str", "firms": "collection_or_none", "period": "any",
                 "output": "str", "compute": "any", "client": "any", "reduce": "any"})
    edges = pd.DataFrame({"source": ["F0", "F1"], "target": ["F1", "F2"],
                          "kind": ["partnership", "equity_investment"],
                          "start": ["2020", "2021"], "end": [None, None],
                          "weight": [1.0, 0.5]})
    if choice == 8:
        return ("PartnershipNetwork", cn.PartnershipNetwork, (edges,), {},
                {"source": "col", "target": "col", "kind": "col", "start": "col",
                 "end": "col", "weight": "col", "directed": "col", "entities": "any",
                 "resolve": "str_or_none", "consortia": "col",
                 "membership_kinds": "seq_or_none"})
    if choice == 9:
        net = cn.PartnershipNetwork(edges)
        return ("partnership_weights", cn.partnership_weights, (net, firms), {},
                {"weights": "mapping_or_none", "strength": "col", "combine": ("max", "union"),
                 "direction": ("both", "source"), "as_of": "date"})
    if choice == 10:
        K = np.eye(n)
        return ("weighted_hhi", cn.weighted_hhi, (data, K), {},
                {"firm": "col", "share": "col", "value": "col",
                 "scale": ("fraction", "percent"), "duplicates": ("error", "sum"),
                 "tolerance": "tolerance", "parent": "any"})
    if choice == 11:
        names = list(cn.datasets.DATASETS) or ["x"]
        return ("datasets.load", cn.datasets.load, (names[int(rng.integers(len(names)))],),
                {}, {"firms_only": "bool", "held_only": "bool", "as_of": "date",
                     "vintage": "str"})
    if choice == 12:
        df = pd.DataFrame({"market": ["x"] * 4, "period": ["1", "1", "2", "2"],
                           "firm": ["A", "B", "A", "B"], "share": [0.6, 0.4, 0.5, 0.5]})
        return ("stats.hhi_change_decomposition", cn.stats.hhi_change_decomposition, (df,),
                {}, {"market": "col", "period": "col", "firm": "col", "share": "col",
                     "value": "col", "owner": "col", "parent": "any",
                     "scale": ("fraction", "percent"), "tolerance": "tolerance"})
    return ("indices", cn.indices, (data,), {"measures": ("hhi", "hannah_kay")},
            dict(SHARE_KWS, alpha="pos_float", fringe=("ignore", "bounds", "as_firms"),
                 fringe_size="any", parent="any", compute="any", client="any"))


def gen_keywords(rng, cn, tmp):
    entry, func, args, base, kws = _keyword_targets(rng, cn, tmp)
    kw = sorted(kws)[int(rng.integers(len(kws)))]
    key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
    value = BAD_VALUES[key]
    verdict = legal(kws[kw], value)
    if kws[kw] == "col" and isinstance(args[0], dict) and kw in SHARE_KWS:
        verdict = None                    # no columns in a mapping: the names are unused
    expect = "error" if verdict is False else "either"
    kwargs = dict(base)
    kwargs[kw] = value
    compare = _has_errors if entry == "validate_shares" and expect == "error" else None
    if compare is not None:
        expect = "either"                 # the validator reports instead of raising
    return Case(entry, f"keyword_{kw}_{key}", func, args, kwargs, expect, None,
                compare or (lambda r, o: True))


GENERATORS.append((gen_keywords, 6, True))
_SCHEDULE[:] = [i for i, (_, w, _) in enumerate(GENERATORS) for _ in range(w)]


# ---------------------------------------------------------------- network methods

TIE_KINDS = ["acquisition", "joint_venture", "equity_investment", "licensing",
             "technology_partner", "chip_supply"]


def _random_edges(rng, k=None):
    k = int(rng.integers(2, 25)) if k is None else k
    firms = [f"N{i}" for i in range(k)]
    m = int(rng.integers(1, 3 * k))
    src = rng.integers(0, k, m)
    dst = (src + rng.integers(1, k, m)) % k             # no self-loops
    edges = pd.DataFrame({"source": [firms[i] for i in src],
                          "target": [firms[j] for j in dst],
                          "kind": [TIE_KINDS[int(x)] for x in rng.integers(0, len(TIE_KINDS), m)],
                          "start": [f"{int(y)}-01-01" for y in rng.integers(2015, 2020, m)],
                          "end": [None] * m})
    return firms, edges


def _sane_centrality(result, nodes):
    if not isinstance(result, pd.Series):
        return False
    v = result.to_numpy(dtype=float)
    return set(map(str, result.index)) <= set(nodes) and bool(np.all(np.isfinite(v))) \
        and bool(np.all(v >= -1e-12))


def gen_network_methods(rng, cn):
    firms, edges = _random_edges(rng)
    net = cn.PartnershipNetwork(edges)
    variant = str(rng.choice(["degree", "degree", "betweenness", "betweenness", "strength",
                              "pagerank", "bad_measure", "bad_option", "bad_weight_as",
                              "bad_directed", "bad_as_of", "bad_window", "bad_periods",
                              "overlap_bad_metric", "overlap_valid"]))
    if variant == "degree":
        nbrs = {}
        for a, b in zip(edges["source"], edges["target"]):
            nbrs.setdefault(a, set()).add(b)
            nbrs.setdefault(b, set()).add(a)
        n = len(nbrs)
        oracle = {f: len(v) / (n - 1) if n > 1 else 0.0 for f, v in nbrs.items()}
        return Case("PartnershipNetwork.centrality", "degree_valid", net.centrality,
                    ("degree",), {}, "oracle", oracle, _cmp_mapping)
    if variant in ("betweenness", "strength", "pagerank"):
        kw = {}
        if variant == "betweenness" and rng.random() < 0.5:
            kw["n_threads"] = int(rng.choice([1, 2, 64]))
        nodes = set(edges["source"]) | set(edges["target"])
        return Case("PartnershipNetwork.centrality", f"{variant}_valid", net.centrality,
                    (variant,), kw, "either", None,
                    lambda r, o, nodes=nodes: _sane_centrality(r, nodes))
    key = list(BAD_VALUES)[int(rng.integers(len(BAD_VALUES)))]
    value = BAD_VALUES[key]
    if variant == "bad_measure":
        return Case("PartnershipNetwork.centrality", f"bad_measure_{key}", net.centrality,
                    (value,), {}, "error")
    if variant == "bad_option":
        opt = str(rng.choice(["tol", "max_iter", "alpha", "normalized", "n_threads"]))
        measure = {"tol": "eigenvector", "max_iter": "pagerank", "alpha": "katz",
                   "normalized": "degree", "n_threads": "betweenness"}[opt]
        ok = legal({"tol": "tolerance", "max_iter": "int_ge1", "alpha": "pos_float",
                    "normalized": "bool", "n_threads": "int_ge1"}[opt], value)
        return Case("PartnershipNetwork.centrality", f"bad_{measure}_{opt}_{key}",
                    net.centrality, (measure,), {opt: value},
                    "error" if ok is False else "either", None, lambda r, o: True)
    if variant == "bad_weight_as":
        return Case("PartnershipNetwork.centrality", f"bad_weight_as_{key}",
                    net.centrality, ("degree",), {"weight_as": value},
                    "either" if value is None else "error", None, lambda r, o: True)
    if variant == "bad_directed":
        return Case("PartnershipNetwork.centrality", f"bad_directed_{key}",
                    net.centrality, ("degree",), {"directed": value},
                    "either" if isinstance(value, bool) else "error", None,
                    lambda r, o: True)
    if variant == "bad_as_of":
        v = str(rng.choice(["not a date", "2020-13-45", ""])) if rng.random() < 0.5 else value
        # a number is a timestamp to pandas (nanoseconds since 1970): legal
        return Case("PartnershipNetwork.as_of", f"bad_date_{v if isinstance(v, str) else key}",
                    net.as_of, (v,), {}, "either" if _is_num(v) else "error", None,
                    lambda r, o: True)
    if variant == "bad_window":
        return Case("PartnershipNetwork.window", "end_before_start", net.window,
                    ("2020-01-01", "2010-01-01"), {}, "error")
    if variant == "bad_periods":
        return Case("PartnershipNetwork.periods", f"bad_freq_{key}", net.periods, (value,),
                    {}, "error")
    if variant == "overlap_bad_metric":
        return Case("PartnershipNetwork.partner_overlap", f"bad_metric_{key}",
                    net.partner_overlap, (), {"metric": value}, "error")
    return Case("PartnershipNetwork.partner_overlap", "valid", net.partner_overlap, (),
                {}, "either", None, lambda r, o: True)


def _cmp_mapping(result, oracle):
    if not isinstance(result, pd.Series):
        return False
    got = {str(k): float(v) for k, v in result.items() if k in oracle or float(v) != 0}
    return set(got) == set(oracle) and all(close(got[k], oracle[k]) for k in oracle)


GENERATORS.append((gen_network_methods, 2, False))
_SCHEDULE[:] = [i for i, (_, w, _) in enumerate(GENERATORS) for _ in range(w)]
