"""Profit weights: orientation, a pure-Python triple-sum reference for every control
model, cross-ownership through (I - A)^-1, and published examples."""

import itertools

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import ConvergenceError, InvalidHoldingsError, InvalidParameterError


# ------------------------------------------------------------------ reference (pure Python)

def ref_gamma(stakes, model, **p):
    """stakes: {(owner, firm): (beta, vote)} -> {(owner, firm): gamma}, pure Python."""
    firms = sorted({f for _, f in stakes})
    out = {}
    for f in firms:
        holders = [(o, v) for (o, ff), (_, v) in stakes.items() if ff == f and v > 0]
        if model in ("proportional", "voting"):
            g = {o: v for o, v in holders}
        elif model == "power":
            a = p.get("exponent", 2.0)
            mass, pm = sum(v for _, v in holders), sum(v ** a for _, v in holders)
            g = {o: v ** a * mass / pm for o, v in holders}
        elif model == "size":
            size = {}
            for (o, _), (b, _) in stakes.items():
                size[o] = size.get(o, 0.0) + b
            g = {o: v / size[o] for o, v in holders}
        elif model == "sole":
            t = p.get("threshold", 0.5)
            big = [o for o, v in holders if v > t]
            g = {o: (1.0 if o == big[0] else 0.0) for o, _ in holders} if big else dict(holders)
        elif model == "banzhaf":
            total = max(1.0, sum(v for _, v in holders))
            w = {o: v / total for o, v in holders}
            half_fringe = (1.0 - sum(w.values())) / 2
            g = {}
            for o in w:
                others = [x for x in w if x != o]
                piv = 0
                for r in range(len(others) + 1):
                    for coal in itertools.combinations(others, r):
                        yes = sum(w[x] for x in coal) + half_fringe
                        piv += (yes <= 0.5 + 1e-12) and (yes + w[o] > 0.5 + 1e-12)
                g[o] = piv / 2 ** len(others)
        for o, v in g.items():
            out[(o, f)] = v
    return out


def ref_kappa(stakes, gamma, firms):
    """Triple sum: kappa[j][k] = sum_i g_ij b_ik / sum_i g_ij b_ij."""
    owners = sorted({o for o, _ in stakes})
    beta = {(o, f): b for (o, f), (b, _) in stakes.items()}
    out = {}
    for j in firms:
        den = sum(gamma.get((i, j), 0.0) * beta.get((i, j), 0.0) for i in owners)
        for k in firms:
            if den == 0:
                out[(j, k)] = 1.0 if j == k else 0.0
            else:
                out[(j, k)] = sum(gamma.get((i, j), 0.0) * beta.get((i, k), 0.0)
                                  for i in owners) / den
    return out


def random_stakes(rng, n_firms, n_owners, voting=False):
    stakes = {}
    for f in range(n_firms):
        owners = rng.choice(n_owners, size=rng.integers(1, n_owners + 1), replace=False)
        raw = rng.dirichlet(np.ones(len(owners) + 1))[:-1] * rng.uniform(0.3, 1.0)
        votes = rng.dirichlet(np.ones(len(owners) + 1))[:-1] if voting else raw
        for o, b, v in zip(owners, raw, votes):
            stakes[(f"o{o}", f"F{f}")] = (float(b), float(v))
    return stakes


def to_holdings(stakes, voting):
    df = pd.DataFrame([(o, f, b, v) for (o, f), (b, v) in stakes.items()],
                      columns=["owner", "firm", "cash_flow", "votes"])
    return cn.read_holdings(df, control="votes" if voting else None)


# --------------------------------------------------------------------- orientation

def test_asymmetric_toy_matches_hand_triple_sum_and_orientation():
    # X: 50% of A, 10% of B; Y: 50% of B; Z: 20% of A.
    df = pd.DataFrame({"owner": ["X", "X", "Y", "Z"], "firm": ["A", "B", "B", "A"],
                       "cash_flow": [0.5, 0.1, 0.5, 0.2]})
    k = cn.profit_weights(cn.read_holdings(df))
    # by hand: kappa_AB = (.5*.1 + .2*0) / (.5^2 + .2^2) = .05/.29
    #          kappa_BA = (.1*.5 + .5*0) / (.1^2 + .5^2) = .05/.26
    assert k.loc["A", "B"] == pytest.approx(0.05 / 0.29, rel=1e-12)
    assert k.loc["B", "A"] == pytest.approx(0.05 / 0.26, rel=1e-12)
    # a transposed kappa would swap these two numbers: the test above would fail
    assert abs(k.loc["A", "B"] - k.loc["B", "A"]) > 0.01
    assert k.index.name == "firm" and k.columns.name == "other"
    assert "row" in k.attrs["orientation"] and "not symmetric" in k.attrs["orientation"]
    np.testing.assert_allclose(np.diag(k.to_numpy()), 1.0)


@pytest.mark.parametrize("model", ["proportional", "voting", "power", "size", "banzhaf", "sole"])
def test_random_cases_match_triple_sum_for_every_control_model(model):
    rng = np.random.default_rng(7)
    for trial in range(12):
        voting = model == "voting" or trial % 2 == 1
        stakes = random_stakes(rng, int(rng.integers(2, 6)), int(rng.integers(2, 6)), voting)
        h = to_holdings(stakes, voting)
        firms = sorted({f for _, f in stakes})
        got = cn.profit_weights(h, control_model=model, firms=firms)
        want = ref_kappa(stakes, ref_gamma(stakes, model), firms)
        expect = np.array([[want[(j, k)] for k in firms] for j in firms])
        np.testing.assert_allclose(got.to_numpy(), expect, rtol=1e-10, atol=1e-12)


def test_model_parameters_and_user_gamma():
    rng = np.random.default_rng(3)
    stakes = random_stakes(rng, 4, 5)
    h = to_holdings(stakes, False)
    firms = sorted({f for _, f in stakes})
    got = cn.profit_weights(h, control_model=cn.ControlModel("power", exponent=3.5))
    want = ref_kappa(stakes, ref_gamma(stakes, "power", exponent=3.5), firms)
    np.testing.assert_allclose(got.to_numpy(), [[want[(j, k)] for k in firms] for j in firms])
    gamma = {key: rng.uniform(0.1, 1.0) for key in stakes}
    user = pd.DataFrame([(o, f, g) for (o, f), g in gamma.items()],
                        columns=["owner", "firm", "control"])
    got = cn.profit_weights(h, control_model=user)
    want = ref_kappa(stakes, gamma, firms)
    np.testing.assert_allclose(got.to_numpy(), [[want[(j, k)] for k in firms] for j in firms])


def test_sole_control_threshold():
    # X holds 60% of A (sole control) and 30% of B; Y holds 40% of A.
    df = pd.DataFrame({"owner": ["X", "Y", "X"], "firm": ["A", "A", "B"],
                       "cash_flow": [0.6, 0.4, 0.3]})
    h = cn.read_holdings(df)
    k = cn.profit_weights(h, control_model="sole")
    assert k.loc["A", "B"] == pytest.approx(0.3 / 0.6)        # X alone controls A
    kp = cn.profit_weights(h, control_model="proportional")
    assert kp.loc["A", "B"] == pytest.approx(0.6 * 0.3 / (0.36 + 0.16))


def test_banzhaf_hand_example():
    # Firm A: X 40%, Y 40%, fringe 20% (half votes yes).  Each blockholder is pivotal
    # only when the other votes yes: Banzhaf 1/2 each.  Firm B: X 10%, Y 60% -> Y decides.
    df = pd.DataFrame({"owner": ["X", "Y", "X", "Y"], "firm": ["A", "A", "B", "B"],
                       "cash_flow": [0.4, 0.4, 0.1, 0.6]})
    k = cn.profit_weights(cn.read_holdings(df), control_model="banzhaf")
    assert k.loc["A", "B"] == pytest.approx((0.5 * 0.1 + 0.5 * 0.6) / (0.5 * 0.4 + 0.5 * 0.4))
    assert k.loc["B", "A"] == pytest.approx(0.4 / 0.6)


def test_voting_requires_control_column():
    h = cn.read_holdings(pd.DataFrame({"owner": ["X"], "firm": ["A"], "cash_flow": [0.5]}))
    with pytest.raises(InvalidParameterError, match="voting"):
        cn.profit_weights(h, control_model="voting")
    with pytest.raises(InvalidParameterError, match="control_model"):
        cn.profit_weights(h, control_model="shapley")


def test_dual_class_changes_kappa():
    # Founders hold 10% of cash flow of G but 51% of votes (dual class).
    df = pd.DataFrame({"owner": ["Founders", "Index", "Index"], "firm": ["G", "G", "M"],
                       "cash_flow": [0.10, 0.20, 0.20], "votes": [0.51, 0.10, 0.20]})
    h = cn.read_holdings(df, control="votes")
    k = cn.profit_weights(h, control_model="voting")
    assert k.loc["G", "M"] == pytest.approx(0.10 * 0.20 / (0.51 * 0.10 + 0.10 * 0.20))
    k_cf = cn.profit_weights(cn.read_holdings(df), control_model="proportional")
    assert k_cf.loc["G", "M"] == pytest.approx(0.20 * 0.20 / (0.01 + 0.04))


# ------------------------------------------------------------------- missing / outputs

def test_firms_without_holdings_get_own_weight_only():
    h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X"], "firm": ["A", "B"],
                                       "cash_flow": [0.2, 0.2]}))
    k = cn.profit_weights(h, firms=["A", "B", "C"])
    assert k.loc["C", "C"] == 1 and k.loc["C", "A"] == 0 and k.loc["A", "C"] == 0
    assert k.attrs["no_holdings"] == ["C"]
    assert list(k.index) == ["A", "B", "C"]


def test_stripped_control_everywhere_is_reported():
    h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X"], "firm": ["A", "B"],
                                       "cash_flow": [0.2, 0.2]})).strip_control("X", "A")
    k = cn.profit_weights(h)
    assert k.loc["A", "B"] == 0 and k.loc["B", "A"] == 1
    assert k.attrs["no_control"] == ["A"]


def test_outputs_and_periods():
    df = pd.DataFrame({"period": [1, 1, 2, 2], "owner": ["X", "X", "X", "Y"],
                       "firm": ["A", "B", "A", "B"], "cash_flow": [0.5, 0.1, 0.5, 0.5]})
    h = cn.read_holdings(df)
    both = cn.profit_weights(h)
    assert both.index.names == ["period", "firm"]
    assert both.loc[(1, "A"), "B"] == pytest.approx(0.2)
    assert both.loc[(2, "A"), "B"] == 0
    dense = cn.profit_weights(h, period=1, output="dense")
    sparse = cn.profit_weights(h, period=1, output="sparse")
    np.testing.assert_allclose(dense, sparse.toarray())
    np.testing.assert_allclose(dense, both.loc[1].to_numpy())
    long = cn.profit_weights(h, output="long")
    assert list(long.columns) == ["period", "firm", "other", "kappa"]
    with pytest.raises(InvalidParameterError, match="one period"):
        cn.profit_weights(h, output="dense")
    with pytest.raises(InvalidParameterError, match="period"):
        cn.profit_weights(h, period=3)


# --------------------------------------------------------------------- cross-ownership

def test_silent_financial_interest_published_example():
    # Salop, "Competitive effects of partial ownership", GULC presentation (Jan. 28, 2014),
    # slides "Effect of financial interest": the owner of firm A buys a passive 25% interest
    # in firm B; A maximises profits of A + 25% x profits of B (O'Brien & Salop 2000, §III.A).
    df = pd.DataFrame({"owner": ["OwnerA", "OwnerB", "A"], "firm": ["A", "B", "B"],
                       "cash_flow": [1.0, 0.75, 0.25], "votes": [1.0, 0.75, 0.0]})
    k = cn.profit_weights(cn.read_holdings(df, control="votes"), control_model="voting")
    assert k.loc["A", "B"] == pytest.approx(0.25)
    assert k.loc["B", "A"] == 0.0   # silent: B's managers still answer to B's owner alone


def test_cross_ownership_chain_matches_leontief_inverse():
    # Fund holds 10% of A; A holds 30% of B; B holds 20% of C; owners P, Q control B, C.
    df = pd.DataFrame({"owner": ["Fund", "A", "Q", "B", "R", "Fund"],
                       "firm": ["A", "B", "B", "C", "C", "C"],
                       "cash_flow": [0.10, 0.30, 0.50, 0.20, 0.40, 0.05]})
    h = cn.read_holdings(df)
    assert set(h.cross_owners) == {"A", "B"}
    k = cn.profit_weights(h)
    # integrated stakes: Fund in C = 0.05 + 0.10*0.30*0.20; entity A in C = 0.30*0.20
    firms = ["A", "B", "C"]
    Amat = np.zeros((3, 3))
    Amat[0, 1], Amat[1, 2] = 0.30, 0.20
    M = np.linalg.inv(np.eye(3) - Amat)
    owners = ["Fund", "Q", "R", "A", "B"]
    P = np.zeros((3, 5))
    P[0, 0], P[1, 1], P[2, 2], P[2, 0] = 0.10, 0.50, 0.40, 0.05
    P[1, 3], P[2, 4] = 0.30, 0.20
    Bt = M.T @ P
    Bt[0, 3] += 1.0      # entity A's claim on its own profit
    Bt[1, 4] += 1.0      # entity B's claim on its own profit
    G = P                # proportional control by direct owners
    want = (G @ Bt.T) / np.sum(G * Bt, axis=1)[:, None]
    np.testing.assert_allclose(k.loc[firms, firms].to_numpy(), want, rtol=1e-12)
    # A's only owner is Fund: kappa_AC = Fund's integrated stake in C / its stake in A
    assert k.loc["A", "C"] == pytest.approx((0.05 + 0.10 * 0.30 * 0.20) / 0.10)
    assert "Cross-ownership" in " ".join(k.attrs["notes"])


def test_firm_owner_without_own_holders():
    # Microsoft holds 27% of OpenAI; Microsoft's own owners are not in the data.
    df = pd.DataFrame({"owner": ["Microsoft", "Foundation"], "firm": ["OpenAI", "OpenAI"],
                       "cash_flow": [0.27, 0.26]})
    k = cn.profit_weights(cn.read_holdings(df), firms=["Microsoft", "OpenAI", "Google"])
    assert k.loc["Microsoft", "OpenAI"] == pytest.approx(0.27)
    assert k.loc["OpenAI", "Microsoft"] == pytest.approx(0.27 / (0.27 ** 2 + 0.26 ** 2))
    assert k.loc["Google", "OpenAI"] == 0
    assert set(k.attrs["no_holdings"]) == {"Microsoft", "Google"}


def test_nonconvergent_cycle_is_an_error():
    df = pd.DataFrame({"owner": ["A", "B"], "firm": ["B", "A"], "cash_flow": [1.0, 1.0]})
    with pytest.raises(ConvergenceError, match="spectral radius"):
        cn.profit_weights(cn.read_holdings(df))
    ok = cn.profit_weights(cn.read_holdings(df.assign(cash_flow=[0.5, 0.5])))
    # A is controlled by its only owner, entity B, whose integrated payoff is row B of
    # (I - A)^-1 = [[4/3, 2/3], [2/3, 4/3]]: 2/3 on A, 4/3 on B, so kappa_AB = 2.
    assert ok.loc["A", "B"] == pytest.approx(2.0)


def test_controllers_without_cash_flow_is_an_error():
    df = pd.DataFrame({"owner": ["X"], "firm": ["A"], "cash_flow": [0.0], "votes": [0.6]})
    with pytest.raises(InvalidHoldingsError, match="no cash-flow"):
        cn.profit_weights(cn.read_holdings(df, control="votes"), control_model="voting")


def test_small_problems_run_the_kernel_on_one_thread(monkeypatch):
    import concentration.ownership._kappa as own

    seen = []
    real = own.overlap

    def spy(*args, **kwargs):
        seen.append(kwargs.get("n_threads"))
        return real(*args, **kwargs)

    monkeypatch.setattr(own, "overlap", spy)
    h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X", "Y"], "firm": ["A", "B", "B"],
                                       "cash_flow": [0.5, 0.1, 0.5]}))
    k = cn.profit_weights(h)
    assert seen == [1]
    assert k.loc["A", "B"] == pytest.approx(0.2)
    monkeypatch.setattr(own, "_ONE_THREAD_NNZ", 0)      # large problems: default threads
    k2 = cn.profit_weights(h)
    assert seen[-1] is None
    np.testing.assert_allclose(k2.to_numpy(), k.to_numpy(), rtol=1e-15)


# ------------------------------------------------------------------ spectral radius

def _subsidiary_chain(n):
    """An investor owns F0 outright; F(i-1) owns all of F(i) (a chain of subsidiaries)."""
    owners = ["Investor"] + [f"F{i}" for i in range(n - 1)]
    return pd.DataFrame({"owner": owners, "firm": [f"F{i}" for i in range(n)],
                         "cash_flow": 1.0})


def test_chain_of_3100_wholly_owned_subsidiaries_is_quick_and_exact():
    import time

    n = 3100
    t0 = time.perf_counter()
    K = cn.profit_weights(cn.read_holdings(_subsidiary_chain(n)), output="frame")
    elapsed = time.perf_counter() - t0
    assert elapsed < 60, elapsed   # ArpackNoConvergence after 32 s before
    # F(j) answers to F(j-1), whose integrated payoff is every firm from F(j-1) down the
    # chain: kappa_jk = 1 for k >= j - 1, else 0; the investor's F0 weighs every firm.
    j = np.array([int(f[1:]) for f in K.index])
    k = np.array([int(f[1:]) for f in K.columns])
    want = (k[None, :] >= j[:, None] - 1).astype(float)
    want[j == 0, :] = 1.0
    np.testing.assert_array_equal(K.to_numpy(), want)


def test_spectral_radius_without_an_iterative_eigensolver():
    import time

    import scipy.sparse as sp

    from concentration.ownership import _kappa

    n = 5000
    chain = sp.csr_matrix((np.ones(n - 1), (np.arange(n - 1), np.arange(1, n))), shape=(n, n))
    t0 = time.perf_counter()
    assert _kappa._spectral_radius(chain) == 0.0          # acyclic: nilpotent
    assert time.perf_counter() - t0 < 5
    # a 4,000-firm cycle (sparse solves) plus a chain and a self-stake
    m = 4000
    ring = sp.csr_matrix((np.full(m, 0.999), (np.arange(m), (np.arange(m) + 1) % m)),
                         shape=(m, m))
    mixed = sp.block_diag([ring, chain, sp.csr_matrix([[0.25]])]).tocsr()
    assert _kappa._spectral_radius(mixed) == pytest.approx(0.999, abs=1e-9)
    assert _kappa._spectral_radius(ring * (1 / 0.999)) >= 1 - 1e-9
    # a ring of unequal stakes: radius = their geometric mean (the sparse solve decides)
    w = np.linspace(0.5, 1.0, m)
    uneven = sp.csr_matrix((w, (np.arange(m), (np.arange(m) + 1) % m)), shape=(m, m))
    gmean = float(np.exp(np.log(w).mean()))
    assert gmean < 1 and gmean - 1e-9 <= _kappa._spectral_radius(uneven) < 1 - 1e-9
    big = _kappa._spectral_radius(uneven * (1.01 / gmean))
    assert big == pytest.approx(1.01, rel=1e-9)
    assert time.perf_counter() - t0 < 30
    # dense cases agree with the eigenvalues of the whole matrix
    rng = np.random.default_rng(4)
    for _ in range(20):
        D = rng.random((30, 30)) * (rng.random((30, 30)) < 0.1) * 1.5
        want = np.abs(np.linalg.eigvals(D)).max()
        got = _kappa._spectral_radius(sp.csr_matrix(D))
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12) or (got < 1 and want <= got)


@pytest.mark.parametrize("firms", [5, float("nan"), 10**12, b"x", "A"])
def test_firms_must_be_a_list(firms):
    h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X"], "firm": ["A", "B"],
                                       "cash_flow": [0.5, 0.1]}))
    with pytest.raises(InvalidParameterError, match="'firms'"):
        cn.profit_weights(h, firms=firms)
