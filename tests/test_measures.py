"""Concentration indices: analytic cases, properties and the grouped path."""

import os
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import concentration as cn
from concentration.exceptions import FringeWarning, InvalidParameterError, InvalidSharesError


def test_hhi_three_firms_is_3800():
    assert cn.hhi({"A": 0.5, "B": 0.3, "C": 0.2}) == pytest.approx(3800.0, abs=1e-9)


def test_monopoly_is_10000():
    assert cn.hhi({"A": 1.0}) == pytest.approx(10_000.0)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50])
def test_n_equal_firms(n):
    shares = np.full(n, 1.0 / n)
    assert cn.hhi(shares) == pytest.approx(10_000.0 / n)
    assert cn.effective_number(shares) == pytest.approx(n)
    assert cn.hannah_kay(shares, alpha=0.5) == pytest.approx(n)
    assert cn.hannah_kay(shares, alpha=1.0) == pytest.approx(n)
    assert cn.gini(shares) == pytest.approx(0.0, abs=1e-12)
    assert cn.entropy(shares) == pytest.approx(math.log(n), abs=1e-12)


def test_percent_scale_equals_fraction():
    assert cn.hhi([50, 30, 20], scale="percent") == pytest.approx(3800.0)


def test_cr4_known_shares():
    shares = {"A": 0.35, "B": 0.25, "C": 0.15, "D": 0.10, "E": 0.08, "F": 0.07}
    assert cn.concentration_ratio(shares, k=4) == pytest.approx(0.85)
    assert cn.concentration_ratio(shares, k=1) == pytest.approx(0.35)
    assert cn.concentration_ratio(shares, k=10) == pytest.approx(1.0)


def test_gini_and_lorenz_two_firms():
    assert cn.gini({"A": 0.75, "B": 0.25}) == pytest.approx(0.25)
    lz = cn.lorenz({"A": 0.75, "B": 0.25})
    assert lz["firm_fraction"].tolist() == [0.0, 0.5, 1.0]
    assert lz["share_fraction"].tolist() == pytest.approx([0.0, 0.25, 1.0])


def test_entropy_normalized_and_hk():
    shares = [0.5, 0.25, 0.25]
    h = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert cn.entropy(shares) == pytest.approx(h)
    assert cn.entropy(shares, normalize=True) == pytest.approx(h / math.log(3))
    assert cn.hannah_kay(shares, alpha=2) == pytest.approx(1 / (0.25 + 2 * 0.0625))
    assert cn.hannah_kay(shares, alpha=3) == pytest.approx((0.125 + 2 * 0.25 ** 3) ** (-0.5))


def test_dataframe_three_markets_returns_series(three_markets):
    out = cn.hhi(three_markets)
    assert isinstance(out, pd.Series)
    assert list(out.index.names) == ["market", "period"]
    assert out.to_numpy() == pytest.approx([5000.0, 5200.0, 10000.0])


def test_dataframe_without_period_column(three_markets):
    out = cn.hhi(three_markets.drop(columns="period"))
    assert out.index.name == "market"
    assert out.loc["y"] == pytest.approx(5200.0)


def test_period_none_and_market_none(three_markets):
    one = three_markets[three_markets["market"] == "y"]
    assert cn.hhi(one, market=None, period=None) == pytest.approx(5200.0)


def test_explicit_missing_column_is_schema_error(three_markets):
    with pytest.raises(cn.exceptions.SchemaError, match="segment"):
        cn.hhi(three_markets, market="segment")


def test_indices_table(three_markets):
    out = cn.indices(three_markets, ["hhi", "cr1", "n_firms", "gini", "effective_number"])
    assert out.loc[("y", "2024"), "cr1"] == pytest.approx(0.6)
    assert out.loc[("y", "2024"), "gini"] == pytest.approx(0.1)
    assert out["n_firms"].tolist() == [2, 2, 1]
    assert not out["lower_bound"].any()


def test_indices_rejects_unknown_measure():
    with pytest.raises(InvalidParameterError, match="measures"):
        cn.indices({"A": 1.0}, ["hhi", "herfindahl"])


def test_fringe_ignore_warns_and_flags_lower_bound():
    df = pd.DataFrame({"market": ["m"] * 3, "firm": list("ABC"), "share": [0.4, 0.3, 0.2]})
    with pytest.warns(FringeWarning, match="lower bound"):
        out = cn.indices(df, ["hhi"])
    assert bool(out["lower_bound"].iloc[0])
    assert out["share_sum"].iloc[0] == pytest.approx(0.9)


def test_fringe_bounds_and_as_firms():
    top = {"A": 0.4, "B": 0.3, "C": 0.2}
    b = cn.hhi(top, fringe="bounds")
    assert b["hhi_min"] == pytest.approx(2900.0)
    assert b["hhi_max"] == pytest.approx(3000.0)  # the 0.1 fringe as one firm of 0.1
    # fringe of 0.1 split into firms of 0.04: 0.04, 0.04, 0.02
    assert cn.hhi(top, fringe="as_firms", fringe_size=0.04) == pytest.approx(
        2900.0 + 10_000 * (2 * 0.0016 + 0.0004))


def test_hhi_bounds_with_known_fringe_size():
    top = {"A": 0.5, "B": 0.3}
    # fringe 0.2 across 4 firms: min spreads evenly, max packs into firms of 0.3 cap
    b = cn.hhi_bounds(top, n_fringe=4)
    assert b["hhi_min"] == pytest.approx(10_000 * (0.34 + 4 * 0.05 ** 2))
    assert b["hhi_max"] == pytest.approx(10_000 * (0.34 + 0.04))
    with pytest.raises(InvalidSharesError, match="n_fringe"):
        cn.hhi_bounds({"A": 0.5, "B": 0.1}, n_fringe=2)  # 0.4 cannot fit in 2 firms of <= 0.1


def test_value_derives_shares():
    df = pd.DataFrame({"market": ["m", "m", "n"], "firm": ["A", "B", "A"],
                       "sales": [30.0, 10.0, 5.0]})
    out = cn.hhi(df, value="sales")
    assert out.loc["m"] == pytest.approx(10_000 * (0.75 ** 2 + 0.25 ** 2))
    assert out.loc["n"] == pytest.approx(10_000.0)


def test_parent_aggregation_merges_google_and_deepmind():
    shares = {"Google": 0.2, "DeepMind": 0.1, "OpenAI": 0.7}
    parents = {"Google": "Alphabet", "DeepMind": "Google"}  # chains resolve
    assert cn.hhi(shares, parent=parents) == pytest.approx(10_000 * (0.09 + 0.49))
    table = pd.DataFrame({"firm": ["Google", "DeepMind"], "parent": ["Alphabet", "Alphabet"]})
    assert cn.hhi(shares, parent=table) == pytest.approx(5800.0)


def test_duplicates_sum():
    df = pd.DataFrame({"firm": ["A", "A", "B"], "share": [0.2, 0.3, 0.5]})
    assert cn.hhi(df, duplicates="sum") == pytest.approx(5000.0)


# -- properties ---------------------------------------------------------------

share_vectors = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1,
                         max_size=30).filter(lambda v: sum(v) > 1e-9)


@settings(max_examples=60, deadline=None)
@given(share_vectors)
def test_hhi_between_equal_firms_and_monopoly(raw):
    s = np.asarray(raw) / sum(raw)
    h = cn.hhi(s)
    n = s.size
    assert 10_000.0 / n - 1e-6 <= h <= 10_000.0 + 1e-6


@settings(max_examples=40, deadline=None)
@given(share_vectors, st.randoms(use_true_random=False))
def test_invariant_to_row_order(raw, rnd):
    s = list(np.asarray(raw) / sum(raw))
    df = pd.DataFrame({"market": ["m"] * len(s) + ["n"] * len(s),
                       "firm": [f"f{i}" for i in range(len(s))] * 2, "share": s + s})
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    a = cn.indices(df, ["hhi", "cr3", "gini", "entropy"])
    b = cn.indices(df.iloc[perm], ["hhi", "cr3", "gini", "entropy"])
    pd.testing.assert_frame_equal(a, b, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(share_vectors, st.lists(st.integers(0, 4), min_size=30, max_size=30))
def test_parent_aggregation_never_lowers_hhi(raw, groups):
    s = np.asarray(raw) / sum(raw)
    firms = [f"f{i}" for i in range(s.size)]
    parents = {f: f"p{groups[i]}" for i, f in enumerate(firms)}
    shares = dict(zip(firms, s))
    assert cn.hhi(shares, parent=parents) >= cn.hhi(shares) - 1e-9


def test_integer_keys_with_absent_combinations_match_pandas():
    # market 5 has no row in 2020, market 3 none at all: only the groups present appear
    df = pd.DataFrame({
        "market": np.array([0, 0, 5, 0, 5, 5], dtype=np.int32),
        "period": [2020, 2020, 2021, 2021, 2021, 2021],
        "firm": ["a", "b", "a", "a", "b", "c"],
        "share": [0.6, 0.4, 0.5, 1.0, 0.3, 0.2],
    })
    got = cn.hhi(df)
    want = (df["share"] ** 2).groupby([df["market"], df["period"]]).sum() * 10_000
    assert list(got.index) == [(0, 2020), (0, 2021), (5, 2021)]
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy())
    assert df["market"].dtype == np.int32  # the input is not modified


def test_int64_codes_used_without_copy_are_never_written():
    df = pd.DataFrame({"market": np.array([0, 1, 1], dtype=np.int64),
                       "firm": ["a", "a", "b"], "share": [1.0, 0.5, 0.5]})
    before = df.copy()
    assert cn.hhi(df).tolist() == [10_000.0, 5_000.0]
    pd.testing.assert_frame_equal(df, before)


# ---------------------------------------------------------------------------
# Hannah-Kay through logs, denormal-safe bounds, argument checks (issue 16)

from scipy.special import logsumexp  # noqa: E402

from concentration.exceptions import ResourceError  # noqa: E402


def _hk_oracle(s, alpha):
    """N(alpha) = exp(logsumexp(alpha ln s) / (1 - alpha)) with scipy's logsumexp."""
    s = np.asarray(s, dtype=float)
    s = s[s > 0]
    return float(np.exp(logsumexp(alpha * np.log(s)) / (1.0 - alpha)))


def test_hannah_kay_large_alpha_is_finite_and_tends_to_one_over_the_largest_share():
    # 50/50: sum s^a = 2 * 2^-a, so N = (2^(1-a))^(1/(1-a)) = 2 for every a
    assert cn.hannah_kay({"A": 0.5, "B": 0.5}, alpha=2000) == pytest.approx(2.0, rel=1e-14)
    assert cn.hannah_kay({"A": 0.5, "B": 0.5}, alpha=1e300) == pytest.approx(2.0, rel=1e-14)
    s = [0.5, 0.3, 0.2]
    for alpha in (50.0, 2000.0, 1e6):
        assert cn.hannah_kay(s, alpha=alpha) == pytest.approx(_hk_oracle(s, alpha), rel=1e-12)
    assert cn.hannah_kay(s, alpha=1e300) == pytest.approx(1 / 0.5, rel=1e-14)


@pytest.mark.parametrize("alpha", [0.05, 0.3, 0.5, 0.9, 1.4, 1.5, 1.6, 2.0, 3.0, 7.5])
def test_hannah_kay_matches_the_logsumexp_oracle(alpha):
    rng = np.random.default_rng(int(alpha * 100))
    s = rng.dirichlet(np.ones(12))
    assert cn.hannah_kay(s, alpha=alpha) == pytest.approx(_hk_oracle(s, alpha), rel=1e-12)


@pytest.mark.parametrize("d", [1e-12, -1e-12, 1e-9, -1e-7])
def test_hannah_kay_near_one_tends_to_the_entropy_form(d):
    s = {"A": 0.5, "B": 0.3, "C": 0.2}
    exact = math.exp(-(0.5 * math.log(0.5) + 0.3 * math.log(0.3) + 0.2 * math.log(0.2)))
    # N(1 + d) = exp(H) * (1 + O(d)); the direct power sum was off by 1e-4 at d = 1e-12
    assert cn.hannah_kay(s, alpha=1 + d) == pytest.approx(exact, rel=10 * abs(d) + 1e-14)
    assert cn.hannah_kay(s, alpha=1.0) == pytest.approx(exact, rel=1e-15)


def test_hannah_kay_alpha_two_is_the_effective_number_per_market():
    df = pd.DataFrame({"market": ["a", "a", "b", "b", "b"], "firm": list("xyxyz"),
                       "share": [0.7, 0.3, 0.5, 0.25, 0.25]})
    np.testing.assert_allclose(cn.hannah_kay(df, alpha=2.0), cn.effective_number(df),
                               rtol=1e-14)


def test_hhi_bounds_with_a_denormal_smallest_share_is_finite():
    b = cn.hhi_bounds({"A": 0.5, "B": 5e-324})
    # the fringe of 0.5 held by firms no larger than 5e-324 adds at most 0.5 * 5e-324
    assert b["hhi_min"] == pytest.approx(2500.0)
    assert b["hhi_max"] == pytest.approx(2500.0)
    assert np.isfinite(cn.hhi({"A": 0.5, "B": 5e-324}, fringe="bounds")["hhi_max"])


@pytest.mark.parametrize("shares,fringe_min", [
    ({"A": 0.4, "B": 0.3, "C": 0.2}, 0.1), ({"A": 0.5, "B": 0.1}, 0.4),
    ({"A": 0.3, "B": 0.1}, 0.6)])
def test_hhi_upper_bound_matches_the_firm_by_firm_construction(shares, fringe_min):
    # q firms of the smallest listed share, then the remainder, built one by one
    cap = min(shares.values())
    rest, fringe = 1.0 - sum(shares.values()), []
    while rest > 1e-12:
        fringe.append(min(cap, rest))
        rest -= fringe[-1]
    want = 1e4 * (sum(v * v for v in shares.values()) + sum(f * f for f in fringe))
    assert cn.hhi_bounds(shares)["hhi_max"] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("size,match", [
    (True, "finite real number"), ("0.01", "finite real number"), (0, r"in \(0"),
    (-0.1, r"in \(0"), (np.nan, "finite real number")])
def test_fringe_size_is_validated(size, match):
    with pytest.raises(InvalidParameterError, match=match):
        cn.hhi({"A": 0.5}, fringe="as_firms", fringe_size=size)


def test_fringe_size_percent_is_checked_in_percent():
    assert cn.hhi([50], scale="percent", fringe="as_firms", fringe_size=25) == \
        pytest.approx(10_000 * (0.25 + 2 * 0.0625))
    with pytest.raises(InvalidParameterError, match="fringe_size"):
        cn.hhi([50], scale="percent", fringe="as_firms", fringe_size=0.001)


@pytest.mark.parametrize("value", ["False", 0, 1, None])
def test_entropy_normalize_must_be_a_bool(value):
    with pytest.raises(InvalidParameterError, match="'normalize' parameter of entropy"):
        cn.entropy({"A": 0.5, "B": 0.5}, normalize=value)


@pytest.mark.parametrize("measures", [None, 5, ["hhi", 4], {"hhi": 1}])
def test_indices_measures_must_be_names(measures):
    with pytest.raises(InvalidParameterError, match="'measures' parameter of indices"):
        cn.indices({"A": 0.5, "B": 0.5}, measures=measures)


@pytest.mark.parametrize("k", [0, -1, True, 2.0, "4"])
def test_concentration_ratio_k_is_validated(k):
    with pytest.raises(InvalidParameterError, match="'k' parameter"):
        cn.concentration_ratio({"A": 0.5, "B": 0.5}, k=k)


def test_concentration_ratio_k_above_the_firm_count_sums_every_firm():
    df = pd.DataFrame({"market": ["a", "a", "b"], "firm": ["x", "y", "x"],
                       "share": [0.6, 0.4, 1.0]})
    got = cn.concentration_ratio(df, k=50_000)
    assert got.name == "cr50000"
    assert got.tolist() == pytest.approx([1.0, 1.0])
    assert cn.indices(df, ["cr20000"])["cr20000"].tolist() == pytest.approx([1.0, 1.0])


def test_concentration_ratio_memory_is_planned(monkeypatch):
    import concentration._validation as validation

    monkeypatch.setattr(validation, "available_memory", lambda: 1000)
    monkeypatch.setattr(validation, "UNCHECKED_BYTES", 0)
    shares = {f"f{i}": 0.01 for i in range(100)}
    with pytest.raises(ResourceError, match="concentration_ratio: the 100 largest shares"):
        cn.concentration_ratio(shares, k=10_000)
    with pytest.raises(ResourceError, match="indices"):
        cn.indices(shares, ["cr100"])


_CR_SCRIPT = r"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
import numpy as np, pandas as pd, concentration as cn
from concentration.exceptions import ResourceError
m = 200_000
# 200,000 two-firm markets: k=10,000 is clamped to 2 (no [200,000 x 10,000] buffer)
df = pd.DataFrame({"market": np.repeat(np.arange(m), 2), "share": np.tile([0.6, 0.4], m)})
assert np.allclose(cn.concentration_ratio(df, k=10_000, period=None, firm=None), 1.0)
# one market with 10,000 firms: the buffer really needs ~15 GiB and is refused first
big = pd.DataFrame({"market": np.concatenate([np.repeat(np.arange(m), 1),
                                              np.full(10_000, m)]),
                    "share": np.concatenate([np.ones(m), np.full(10_000, 1e-4)])})
try:
    cn.concentration_ratio(big, k=10_000, period=None, firm=None)
except ResourceError as exc:
    print("ResourceError:", exc)
    sys.exit(0)
sys.exit(3)
"""


def test_concentration_ratio_large_k_over_many_markets_in_a_memory_limit():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _CR_SCRIPT], capture_output=True, text=True,
                          timeout=300,
                          cwd=os.path.dirname(sys.executable))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "needs about" in proc.stdout and "smaller k" in proc.stdout


@pytest.mark.parametrize("call", [
    lambda d: cn.effective_number(d),
    lambda d: cn.hhi_bounds(d),
    lambda d: cn.hhi(d, fringe="bounds"),
    lambda d: cn.indices(d, ["hhi", "effective_number"]),
    lambda d: cn.indices(d, ["hhi_min", "hhi_max"]),
])
def test_a_market_without_a_positive_share_has_no_effective_number_or_bounds(call):
    zero = pd.DataFrame({"market": ["m", "m", "n"], "firm": ["A", "B", "A"],
                         "share": [0.0, 0.0, 1.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cn.exceptions.FringeWarning)
        with pytest.raises(cn.exceptions.InvalidSharesError, match="no firm with a positive"):
            call(zero)


# ---------------------------------------------------------------- time, bounds, entities

def _labelled(dates=True):
    """One market whose labels sort as text 2024 < 2025-late < 2025-mid."""
    df = pd.DataFrame({"market": "m",
                       "period": ["2024"] * 2 + ["2025-late"] * 2 + ["2025-mid"] * 2,
                       "firm": ["A", "B"] * 3, "share": [0.5, 0.5, 0.9, 0.1, 0.6, 0.4]})
    if dates:
        df["period_start"] = pd.to_datetime(["2024-01-01"] * 2 + ["2025-07-01"] * 2
                                            + ["2025-01-01"] * 2)
        df["period_end"] = pd.to_datetime(["2024-12-31"] * 2 + ["2025-12-31"] * 2
                                          + ["2025-06-30"] * 2)
    return df


def test_indices_follow_time_by_the_period_dates():
    out = cn.indices(_labelled(), ["hhi"])
    assert out.index.get_level_values("period").tolist() == ["2024", "2025-mid", "2025-late"]
    assert out["hhi"].tolist() == pytest.approx([5000.0, 5200.0, 8200.0])
    # the date columns under other names
    renamed = _labelled().rename(columns={"period_start": "from", "period_end": "to"})
    got = cn.indices(renamed, ["hhi"], period_start="from", period_end="to")
    assert got.index.get_level_values("period").tolist() == ["2024", "2025-mid", "2025-late"]


def test_indices_period_that_cannot_be_placed_is_a_period_error_naming_it():
    from concentration.exceptions import PeriodError

    with pytest.raises(PeriodError, match=r"'2025-late'.*period_start"):
        cn.indices(_labelled(dates=False), ["hhi"])
    # a market whose labels are all placeable is not reordered by another's label
    df = pd.concat([_labelled(), _labelled(dates=False).assign(
        market="q", period=["2024Q3"] * 2 + ["2023"] * 2 + ["2024Q1"] * 2)])
    df = df.drop(columns=["period_start", "period_end"])
    out = cn.indices(df[df["market"] == "q"], ["hhi"])
    assert out.index.get_level_values("period").tolist() == ["2023", "2024Q1", "2024Q3"]


def test_indices_carry_hhi_bounds_for_top_n_markets():
    # x: top-3 data summing to .9 -> the .1 fringe is one firm of .1 at most:
    #    [.16 + .09 + .04, + .01] = [2,900, 3,000]
    # y: complete -> both bounds are the HHI (.5^2 + .5^2 = 5,000)
    df = pd.DataFrame({"market": ["x"] * 3 + ["y"] * 2, "firm": ["A", "B", "C", "A", "B"],
                       "share": [0.4, 0.3, 0.2, 0.5, 0.5]})
    with pytest.warns(FringeWarning):
        out = cn.indices(df, ["hhi", "cr2"])
    assert list(out.columns[:3]) == ["hhi", "hhi_min", "hhi_max"]
    assert out.loc["x", ["hhi", "hhi_min", "hhi_max"]].tolist() == pytest.approx(
        [2900.0, 2900.0, 3000.0])
    assert out.loc["y", ["hhi", "hhi_min", "hhi_max"]].tolist() == pytest.approx([5000.0] * 3)
    assert out["lower_bound"].tolist() == [True, False]
    # the same numbers as hhi_bounds
    b = cn.hhi_bounds(df)
    np.testing.assert_allclose(out[["hhi_min", "hhi_max"]], b[["hhi_min", "hhi_max"]])
    with pytest.warns(FringeWarning):
        plain = cn.indices(df, ["hhi"], bounds=False)
    assert "hhi_max" not in plain.columns
    # a market without a positive share has an HHI of 0 and no bound
    with pytest.warns(FringeWarning):
        zero = cn.indices(pd.DataFrame({"market": ["z", "z", "w"], "firm": ["A", "B", "A"],
                                        "share": [0.0, 0.0, 1.0]}), ["hhi"])
    assert zero.loc["z", "hhi"] == 0 and np.isnan(zero.loc["z", "hhi_max"])
    assert zero.loc["w", "hhi_max"] == pytest.approx(10_000)
    with pytest.raises(InvalidParameterError, match="'bounds'"):
        cn.indices({"A": 1.0}, ["hhi"], bounds="yes")


def test_hhi_with_the_bundled_entities_table():
    entities = cn.datasets.load("entities")
    # "Google Cloud" is an alias of Google, whose parent is Alphabet; DeepMind's parent
    # is Alphabet since 2014-01-26: Alphabet holds .3 + .2 = .5 in 2024
    df = pd.DataFrame({"market": "m", "period": "2024",
                       "firm": ["Google Cloud", "DeepMind", "Microsoft", "Amazon"],
                       "share": [0.3, 0.2, 0.25, 0.25]})
    got = cn.hhi(df, parent=entities)
    assert got.loc[("m", "2024")] == pytest.approx(1e4 * (0.5 ** 2 + 2 * 0.25 ** 2))
    # before DeepMind's link existed it is its own firm
    early = df.assign(period="2013")
    assert cn.hhi(early, parent=entities).loc[("m", "2013")] == pytest.approx(
        1e4 * (0.3 ** 2 + 0.2 ** 2 + 2 * 0.25 ** 2))
    # the bundled shares, joined: Google's shares are Alphabet's
    shares = cn.datasets.load("ai_market_shares")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)
        joined = cn.indices(shares, ["hhi"], parent=entities)
        plain = cn.indices(shares, ["hhi"])
    assert (joined["hhi"] >= plain["hhi"] - 1e-9).all()
    assert joined.index.equals(plain.index)


def test_non_markets_are_flagged_or_left_out():
    from concentration.exceptions import DataQualityWarning, SchemaError

    df = pd.DataFrame({"market": ["m", "m", "peers", "peers"], "firm": ["A", "B", "A", "C"],
                       "share": [0.5, 0.5, 0.9, 0.1],
                       "is_market": [True, True, False, False]})
    kept = cn.indices(df, ["hhi"])
    assert kept["is_market"].to_dict() == {"m": True, "peers": False}
    with pytest.warns(DataQualityWarning, match="'peers'.*non_markets=True"):
        left = cn.indices(df, ["hhi"], non_markets=False)
    assert left.index.tolist() == ["m"] and "is_market" not in left.columns
    assert "is_market" not in cn.indices(df.assign(is_market=True), ["hhi"]).columns
    assert "is_market" not in cn.indices(df, ["hhi"], market_flag=None).columns
    with pytest.raises(SchemaError, match="True/False"):
        cn.indices(df.assign(is_market="yes"), ["hhi"])
    with pytest.raises(SchemaError, match="'flag'"):
        cn.indices(df, ["hhi"], market_flag="flag")
    with pytest.raises(InvalidParameterError, match="'non_markets'"):
        cn.indices(df[df["market"] == "peers"], ["hhi"], non_markets=False)
    # the bundled data flag the peer set of three firms' segment revenue
    shares = cn.datasets.load("ai_market_shares")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)
        flags = cn.indices(shares, ["hhi"])["is_market"]
    assert not flags.loc["dc_segment_rev_peerset"].any() and flags.drop(
        "dc_segment_rev_peerset", level="market").all()
