"""Unilateral-effects screens: published worked examples, peers' definitions, profit weights.

Reference numbers live in ``PUBLISHED`` with their source.  The peers' definitions
(R ``antitrust`` 0.99.26, ``R/CMCRBertrandFunctions.R`` and
``R/CMCRCournotFunctions.R``; mergeron, ``src/mergeron/gen/upp_tests.py`` and
``gen/data_generation_functions.py``) are transcribed below as loops written from
their manuals and sources, independently of the library's vectorised code, and
compared on random inputs.  Conventions that differ are tested as differing:

* R returns percentages, the library fractions;
* R's ownership matrices enter as ``ownerPost[j, k] / ownerPost[j, j]``, the
  library's profit weights κ directly;
* mergeron's CMCR (``ipr / (1 - m)``) is Werden's symmetric formula applied with each
  product's own margin; the library's ``cmcr_bertrand`` solves the full system as R
  does, so the two agree only for symmetric deals.
"""

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import ConcentrationError, InvalidParameterError

# ---------------------------------------------------------------------------
# published worked examples (inputs and figures as printed, with the source)

PUBLISHED = {
    "hmg2010_example5": {
        "source": "U.S. DOJ and FTC, Horizontal Merger Guidelines (19 Aug 2010), s. 4.1.3, "
                  "Example 5: Products A and B each sell for $100, have incremental cost $60 "
                  "and sell 1200 units; for every dollar increase in the price of A, A loses "
                  "20 units to products outside the candidate market and 10 units to B (and "
                  "likewise for B). A profit-maximising hypothetical monopolist raises both "
                  "prices by ten percent, to $110, so the candidate market satisfies the test "
                  "for any SSNIP up to ten percent, although two-thirds of lost sales go "
                  "outside it.",
        "price": 100.0, "cost": 60.0, "units": 1200.0, "lost_outside": 20.0, "lost_to_b": 10.0,
        "monopoly_price": 110.0,
    },
    "r_cmcr_cournot_example": {
        "source": "R antitrust 0.99.26, ?cmcr.cournot, Examples: shares <- c(.05, .65); "
                  "industry_elasticity <- 1.9; cmcr.cournot(shares, industry_elasticity, "
                  "rel = 'cost'). The manual prints no output; the figure is the manual's "
                  "formula 2*prod(shares)/(mktElast*sum(shares) - sum(shares^2))*100 worked "
                  "by hand: 2*.05*.65 / (1.9*.70 - (.0025 + .4225)) = .065/.905.",
        "shares": (0.05, 0.65), "elasticity": 1.9, "cmcr_cost_pct": 100 * 0.065 / 0.905,
        "cmcr_price_pct": 100 * 0.065 / 1.33,
        "party_cost_pct": (100 * 0.65 / 1.85, 100 * 0.05 / 1.25),
    },
    "r_cmcr_bertrand_example": {
        "source": "R antitrust 0.99.26, ?cmcr.bertrand, Examples: prices <- c(50, 45, 70); "
                  "margins <- c(.3, .4, .6); diversions <- matrix(c(-1, .5, .01, .6, -1, .1, "
                  ".02, .2, -1), ncol = 3); cmcr.bertrand(prices, margins, diversions, "
                  "ownerPre = c(1, 0, 0)); upp.bertrand(...). The manual prints no output "
                  "(R is not installed here): the expected values come from the transcription "
                  "of R's code below.",
        "prices": (50.0, 45.0, 70.0), "margins": (0.3, 0.4, 0.6),
        "diversions_colmajor": (-1, .5, .01, .6, -1, .1, .02, .2, -1),
        "owner_pre": (1, 0, 0),
    },
    "werden1996_symmetric": {
        "source": "Werden (1996), J. Industrial Economics 44(4), 409-413: for a symmetric "
                  "two-product merger the compensating marginal-cost reduction is "
                  "m D / ((1 - m)(1 - D)); with m = 0.4 and D = 0.2 that is .08/.48.",
        "margin": 0.4, "diversion": 0.2, "cmcr": 0.08 / 0.48,
    },
    "farrell_shapiro_symmetric": {
        "source": "Farrell and Shapiro (2010), B.E. J. Theor. Econ. 10(1), s. 2: UPP_1 = "
                  "D12 (P2 - C2) - E1 C1; in the symmetric case UPP > 0 iff "
                  "D m / (1 - m) > E. With m = 0.4 and the efficiency credit E = 0.10 the "
                  "critical diversion is E (1 - m)/m = 0.15.",
        "margin": 0.4, "efficiency": 0.10, "critical_diversion": 0.15,
    },
    "harris_simons_breakeven": {
        "source": "Harris and Simons (1989), Research in Law and Economics 12: break-even "
                  "critical loss X/(X + m); a 5% SSNIP at a 40% margin gives 5/45.",
        "ssnip": 0.05, "margin": 0.40, "critical_loss": 0.05 / 0.45,
    },
}


def test_hmg2010_example5_from_its_primitives():
    ex = PUBLISHED["hmg2010_example5"]
    margin = (ex["price"] - ex["cost"]) / ex["price"]
    diversion = ex["lost_to_b"] / (ex["lost_to_b"] + ex["lost_outside"])
    # the example's linear demand, maximised by brute force over a common price
    a = ex["units"] + (ex["lost_outside"] + ex["lost_to_b"]) * ex["price"] \
        - ex["lost_to_b"] * ex["price"]
    grid = np.linspace(100, 130, 300_001)
    profit = (grid - ex["cost"]) * (a - ex["lost_outside"] * grid)
    assert grid[np.argmax(profit)] == pytest.approx(ex["monopoly_price"], abs=1e-3)
    t = cn.hypothetical_monopolist_test(margin, diversion)
    assert t["monopoly_price_rise"].iloc[0] == pytest.approx(
        ex["monopoly_price"] / ex["price"] - 1, rel=1e-12)
    assert bool(t["passes"].iloc[0])
    # the diversion at which a 5% SSNIP is just the monopolist's optimum: 2X/(2X + m)
    assert t["critical_diversion"].iloc[0] == pytest.approx(0.1 / 0.5, rel=1e-12)
    edge = cn.hypothetical_monopolist_test(margin, [0.2 - 1e-6, 0.2 + 1e-6])
    assert edge["passes"].tolist() == [False, True]
    # "for any SSNIP size up to ten percent"
    assert bool(cn.hypothetical_monopolist_test(margin, diversion, ssnip=0.10)["passes"].iloc[0])
    assert not cn.hypothetical_monopolist_test(margin, diversion,
                                               ssnip=0.105)["passes"].iloc[0]
    # the predicted loss of a 5% rise (Lerner-consistent linear demand) is below critical loss
    assert t["predicted_loss"].iloc[0] == pytest.approx(0.05 * (2 / 3) / 0.4)
    assert t["predicted_loss"].iloc[0] < cn.critical_loss(margin)


def test_cmcr_cournot_r_example():
    ex = PUBLISHED["r_cmcr_cournot_example"]
    got = cn.cmcr_cournot(ex["shares"], ex["elasticity"], party=False)
    assert 100 * got == pytest.approx(ex["cmcr_cost_pct"], rel=1e-12)
    assert 100 * cn.cmcr_cournot(ex["shares"], ex["elasticity"], party=False,
                                 rel="price") == pytest.approx(ex["cmcr_price_pct"], rel=1e-12)
    assert 100 * cn.cmcr_cournot(ex["shares"], ex["elasticity"]) == pytest.approx(
        ex["party_cost_pct"], rel=1e-12)


def test_werden_symmetric_and_farrell_shapiro_threshold():
    w = PUBLISHED["werden1996_symmetric"]
    D = [[0, w["diversion"]], [w["diversion"], 0]]
    assert cn.cmcr_bertrand(D, [w["margin"]] * 2) == pytest.approx([w["cmcr"]] * 2, rel=1e-12)
    fs = PUBLISHED["farrell_shapiro_symmetric"]
    d0 = fs["critical_diversion"]
    for d, sign in ((d0 - 0.01, -1), (d0 + 0.01, 1)):
        u = cn.upp([[0, d], [d, 0]], [fs["margin"]] * 2, efficiency=fs["efficiency"])
        assert np.sign(u[0]) == sign
    u0 = cn.upp([[0, d0], [d0, 0]], [fs["margin"]] * 2, efficiency=fs["efficiency"])
    assert u0 == pytest.approx([0, 0], abs=1e-15)


def test_harris_simons_critical_loss():
    hs = PUBLISHED["harris_simons_breakeven"]
    assert cn.critical_loss(hs["margin"], ssnip=hs["ssnip"]) == pytest.approx(
        hs["critical_loss"], rel=1e-12)
    # the profit-maximising form is smaller: X / (2X + m)
    assert cn.critical_loss(hs["margin"], ssnip=hs["ssnip"], form="profit_max_linear") \
        == pytest.approx(0.05 / 0.5, rel=1e-12)


# ---------------------------------------------------------------------------
# R antitrust, transcribed (loops over products; percentages as R returns them)


def _r_owner_matrix(owner):
    owner = np.asarray(owner)
    if owner.ndim == 2:
        return owner.astype(float)
    return (owner[:, None] == owner[None, :]).astype(float)


def r_upp_bertrand(prices, margins, diversions, owner_pre, owner_post, mc_delta=None):
    """upp.bertrand (output = TRUE), one product at a time."""
    k = len(prices)
    mc_delta = np.zeros(k) if mc_delta is None else np.asarray(mc_delta)
    opre, opost = _r_owner_matrix(owner_pre), _r_owner_matrix(owner_post)
    mc_pre = [prices[j] * (1 - margins[j]) for j in range(k)]
    m_post = [1 - mc_pre[j] * (1 + mc_delta[j]) / prices[j] for j in range(k)]
    out = []
    for j in range(k):
        post = sum(diversions[j][i] * prices[i] / prices[j] * opost[j][i] * m_post[i]
                   for i in range(k)) / opost[j][j]
        pre = sum(diversions[j][i] * prices[i] / prices[j] * opre[j][i] * margins[i]
                  for i in range(k)) / opre[j][j]
        out.append(100 * (post - pre))
    return np.array(out)


def r_cmcr_bertrand(prices, margins, diversions, owner_pre, owner_post, rel="cost"):
    """cmcr.bertrand (output = TRUE)."""
    k = len(prices)
    opre, opost = _r_owner_matrix(owner_pre), _r_owner_matrix(owner_post)
    bpre = np.empty((k, k))
    bpost = np.empty((k, k))
    for j in range(k):
        for i in range(k):
            bpre[j, i] = -diversions[j][i] * prices[i] / prices[j] * opre[j][i]
            bpost[j, i] = -diversions[j][i] * prices[i] / prices[j] * opost[j][i]
    rhs = [opost[j][j] / opre[j][j] * sum(bpre[j, i] * margins[i] for i in range(k))
           for j in range(k)]
    m_post = np.linalg.solve(bpost, rhs)
    delta = [m_post[j] - margins[j] for j in range(k)]
    if rel == "cost":
        delta = [delta[j] / (1 - margins[j]) for j in range(k)]
    return 100 * np.array(delta)


def r_cmcr_cournot(shares, elast, party=False, rel="cost"):
    if party:
        return 100 * np.array([shares[1] / (elast - shares[0]), shares[0] / (elast - shares[1])])
    denom = elast * sum(shares)
    if rel == "cost":
        denom -= sum(s * s for s in shares)
    return 100 * 2 * shares[0] * shares[1] / denom


def _kappa_from_r(owner):
    o = _r_owner_matrix(owner)
    return o / np.diag(o)[:, None]


def _r_diversions(colmajor):
    return np.asarray(colmajor, dtype=float).reshape(3, 3).T    # R's matrix() fills by column


def test_r_bertrand_manual_example():
    ex = PUBLISHED["r_cmcr_bertrand_example"]
    dv = _r_diversions(ex["diversions_colmajor"])
    assert dv[0, 1] == 0.6 and dv[1, 0] == 0.5       # row j: diversion from product j
    prices, margins = np.array(ex["prices"]), np.array(ex["margins"])
    post = np.ones((3, 3))
    expected_cmcr = r_cmcr_bertrand(prices, margins, dv, ex["owner_pre"], post)
    expected_upp = r_upp_bertrand(prices, margins, dv, ex["owner_pre"], post)
    D = np.where(np.eye(3, dtype=bool), 0.0, dv)
    kpre = _kappa_from_r(ex["owner_pre"])
    got_cmcr = cn.cmcr_bertrand(D, margins, prices, kappa=1.0, kappa_pre=kpre)
    got_upp = cn.guppi(D, margins, prices, kappa=1.0, kappa_pre=kpre)
    np.testing.assert_allclose(100 * got_cmcr, expected_cmcr, rtol=1e-12)
    np.testing.assert_allclose(100 * got_upp, expected_upp, rtol=1e-12, atol=1e-14)
    # hand check of product 1 (its rivals 2 and 3 were already one firm):
    # GUPPI_1 = .6*.4*45/50 + .02*.6*70/50
    assert got_upp[0] == pytest.approx(0.6 * 0.4 * 45 / 50 + 0.02 * 0.6 * 70 / 50)


@pytest.mark.parametrize("seed", range(25))
def test_random_inputs_match_r_antitrust(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    prices = rng.uniform(5, 100, k)
    margins = rng.uniform(0.05, 0.8, k)
    D = rng.uniform(0, 1, (k, k))
    np.fill_diagonal(D, 0)
    D = D / D.sum(axis=1, keepdims=True) * rng.uniform(0.1, 0.95, (k, 1))
    dv = D.copy()
    np.fill_diagonal(dv, -1)
    owner_pre = rng.integers(0, 2, k)
    owner_pre[:2] = [0, 1]                      # at least two owners before
    # a partial post-deal ownership matrix: rows of weights, diagonal 1
    post = rng.uniform(0, 1, (k, k))
    np.fill_diagonal(post, 1.0)
    pre_m = _r_owner_matrix(owner_pre)
    post = np.maximum(post, pre_m)
    np.testing.assert_allclose(
        100 * cn.guppi(D, margins, prices, kappa=post, kappa_pre=_kappa_from_r(owner_pre)),
        r_upp_bertrand(prices, margins, dv, owner_pre, post), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(
        100 * cn.cmcr_bertrand(D, margins, prices, kappa=post,
                               kappa_pre=_kappa_from_r(owner_pre)),
        r_cmcr_bertrand(prices, margins, dv, owner_pre, post), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        100 * cn.cmcr_bertrand(D, margins, prices, kappa=post,
                               kappa_pre=_kappa_from_r(owner_pre), rel="price"),
        r_cmcr_bertrand(prices, margins, dv, owner_pre, post, rel="price"),
        rtol=1e-9, atol=1e-9)
    s = rng.dirichlet(np.ones(3))[:2]
    e = float(rng.uniform(max(s) + 0.1, 4))
    assert 100 * cn.cmcr_cournot(s, e, party=False) == pytest.approx(r_cmcr_cournot(s, e))
    assert 100 * cn.cmcr_cournot(s, e, party=False, rel="price") == pytest.approx(
        r_cmcr_cournot(s, e, rel="price"))
    np.testing.assert_allclose(100 * cn.cmcr_cournot(s, e), r_cmcr_cournot(s, e, party=True))


def test_upp_with_efficiency_against_r_conventions():
    # R's mcDelta is a proportional cost *change*: an efficiency E on product 1 is
    # mcDelta = (-E, 0).  For product 1 R's GePP is Farrell-Shapiro's GUPPI - E (1 - m).
    # R values the sales product 2 diverts to product 1 at 1's *post-deal* margin
    # (Jaffe-Weyl GePP); the library at the pre-deal margin (Farrell-Shapiro): the
    # difference is D_21 (p_1/p_2) E_1 (1 - m_1).
    prices, margins = np.array([10.0, 8.0]), np.array([0.4, 0.5])
    D = np.array([[0, 0.3], [0.25, 0]])
    dv = D - np.eye(2)
    r = r_upp_bertrand(prices, margins, dv, [0, 1], np.ones((2, 2)), mc_delta=[-0.1, 0])
    got = cn.upp(D, margins, prices, efficiency=[0.1, 0.0])
    assert 100 * got[0] == pytest.approx(r[0], rel=1e-12)
    assert r[1] - 100 * got[1] == pytest.approx(100 * 0.25 * 10 / 8 * 0.1 * 0.6, rel=1e-12)


# ---------------------------------------------------------------------------
# mergeron, transcribed


def mergeron_merging_diversion(form, r, s, aggr_purch_prob=None):
    """compute_merging_firm_diversion_ratios for one market (s: the two merging shares)."""
    if form == "fixed":
        return [r * s[1] / (1 - s[0]), r * s[0] / (1 - s[1])]
    if form == "inside-out":
        aggr_purch_prob = r / (1 - (1 - r) * min(s[0], s[1]))
    pp = [aggr_purch_prob * s[0], aggr_purch_prob * s[1]]
    return [pp[1] / (1 - pp[0]), pp[0] / (1 - pp[1])]


def mergeron_upp(divr, pcm, price):
    guppi = [divr[i] * pcm[1 - i] * price[1 - i] / price[i] for i in range(2)]
    ipr = [pcm[i] * divr[i] / (1 - divr[i]) for i in range(2)]
    cmcr = [ipr[i] / (1 - pcm[i]) for i in range(2)]
    return guppi, ipr, cmcr


@pytest.mark.parametrize("seed", range(25))
def test_random_inputs_match_mergeron(seed):
    rng = np.random.default_rng(100 + seed)
    shares = rng.dirichlet(np.ones(int(rng.integers(3, 7))))
    r = float(rng.uniform(0.5, 1.0))
    pcm = rng.uniform(0.05, 0.9, 2)
    price = rng.uniform(1, 20, 2)
    for form, mine in (("fixed", "proportional"), ("inside-out", "inside-out")):
        expected = mergeron_merging_diversion(form, r, shares[:2])
        D = cn.diversion_ratios(shares, form=mine, recapture=r, parties=[0, 1])
        assert [D[0, 1], D[1, 0]] == pytest.approx(expected, rel=1e-12)
        g, i, c = mergeron_upp(expected, pcm, price)
        D2 = D[np.ix_([0, 1], [0, 1])]
        assert cn.guppi(D2, pcm, price) == pytest.approx(g, rel=1e-12)
        assert cn.ipr(D2, pcm) == pytest.approx(i, rel=1e-12)
    # outside-in: shares include the outside good as the last entry (mergeron OUTIN)
    s0 = float(rng.uniform(0.05, 0.5))
    inside = rng.dirichlet(np.ones(4))
    expected = mergeron_merging_diversion("outside-in", r, inside[:2], 1 - s0)
    D = cn.diversion_ratios(inside, form="outside-in", outside_share=s0)
    assert [D[0, 1], D[1, 0]] == pytest.approx(expected, rel=1e-12)


def test_mergeron_cmcr_is_werdens_symmetric_case():
    # equal margins, prices and diversions: mergeron's ipr/(1-m) equals cmcr_bertrand
    D = [[0, 0.3], [0.3, 0]]
    _, _, c = mergeron_upp([0.3, 0.3], [0.35, 0.35], [1, 1])
    assert cn.cmcr_bertrand(D, [0.35, 0.35]) == pytest.approx(c, rel=1e-12)
    # asymmetric margins: the conventions differ (documented in ipr and cmcr_bertrand)
    _, _, c = mergeron_upp([0.3, 0.3], [0.2, 0.6], [1, 1])
    assert not np.allclose(cn.cmcr_bertrand(D, [0.2, 0.6]), c)


def test_all_firm_diversion_matches_mergeron_layout():
    # compute_all_firm_diversion_ratios(FIXED): d[j, k] = r s_k / (1 - s_j), zero diagonal
    s = np.array([0.4, 0.35, 0.25])
    D = cn.diversion_ratios(s, recapture=0.8)
    for j in range(3):
        for k in range(3):
            assert D[j, k] == pytest.approx(0 if j == k else 0.8 * s[k] / (1 - s[j]))
    assert D.sum(axis=1) == pytest.approx([0.8] * 3)     # rows: recapture rate r


# ---------------------------------------------------------------------------
# profit weights: kappa = 1 is the full merger, kappa = 0 nothing; a minority stake


@pytest.mark.parametrize("seed", range(10))
def test_kappa_one_is_full_merger_and_zero_is_nothing(seed):
    rng = np.random.default_rng(200 + seed)
    D = rng.uniform(0, 0.45, (2, 2))
    np.fill_diagonal(D, 0)
    m, p = rng.uniform(0.1, 0.8, 2), rng.uniform(1, 10, 2)
    full = cn.guppi(D, m, p)
    assert full == pytest.approx([D[0, 1] * m[1] * p[1] / p[0], D[1, 0] * m[0] * p[0] / p[1]])
    for f in (cn.guppi, cn.cmcr_bertrand):
        assert f(D, m, p, kappa=1.0) == pytest.approx(f(D, m, p))
        assert f(D, m, p, kappa=np.ones((2, 2))) == pytest.approx(f(D, m, p))
        assert f(D, m, p, kappa=0.0) == pytest.approx([0, 0], abs=1e-15)
    assert cn.ipr(D, m, kappa=0.0) == pytest.approx([0, 0], abs=1e-15)
    assert cn.upp(D, m, p, kappa=0.0) == pytest.approx([0, 0], abs=1e-15)
    assert cn.cmcr_cournot([0.3, 0.2], 2.0, kappa=0.0) == pytest.approx([0, 0], abs=1e-15)
    assert cn.cmcr_cournot([0.3, 0.2], 2.0, kappa=1.0) == pytest.approx(
        cn.cmcr_cournot([0.3, 0.2], 2.0))
    # the same kappa before and after: no change, no pressure
    k = rng.uniform(0, 1, (2, 2))
    assert cn.guppi(D, m, p, kappa=k, kappa_pre=k) == pytest.approx([0, 0], abs=1e-15)
    assert cn.cmcr_bertrand(D, m, p, kappa=k, kappa_pre=k) == pytest.approx([0, 0], abs=1e-12)


def _minority_holdings():
    # owner X controls and owns all of A (a cloud provider's shareholders) and 20% of B
    # (a model lab); Y holds the other 80% of B. Control follows cash flow.
    return cn.read_holdings(pd.DataFrame({"owner": ["X", "Y", "X"], "firm": ["A", "B", "B"],
                                          "cash_flow": [1.0, 0.8, 0.2]}))


def test_minority_stake_by_hand():
    kappa = cn.profit_weights(_minority_holdings())
    # kappa_AB = 1*.2 / (1*1); kappa_BA = (.2*1) / (.8*.8 + .2*.2)
    assert kappa.loc["A", "B"] == pytest.approx(0.2)
    assert kappa.loc["B", "A"] == pytest.approx(0.2 / 0.68)
    shares = {"A": 0.5, "B": 0.2, "C": 0.3}
    s = cn.unilateral_screen(shares, ["A", "B"], margins={"A": 0.3, "B": 0.6}, kappa=kappa)
    t = s.to_frame().set_index("firm")
    # D_AB = .2/(1-.5) = .4, D_BA = .5/(1-.2) = .625; equal prices
    assert t.loc["A", "guppi"] == pytest.approx(0.2 * 0.4 * 0.6)
    assert t.loc["B", "guppi"] == pytest.approx(0.2 / 0.68 * 0.625 * 0.3)
    full = cn.unilateral_screen(shares, ["A", "B"], margins={"A": 0.3, "B": 0.6}).to_frame()
    assert full.set_index("firm").loc["A", "guppi"] == pytest.approx(0.4 * 0.6)
    # the Cournot and Bertrand CMCR of the stake: by hand for the Cournot one
    s2 = cn.unilateral_screen(shares, ["A", "B"], margins={"A": 0.3, "B": 0.6}, kappa=kappa,
                              elasticity=1.5).to_frame().set_index("firm")
    assert s2.loc["A", "cmcr_cournot"] == pytest.approx(0.2 * 0.2 / (1.5 - 0.5))


def test_acquiring_more_of_a_stake_uses_the_change_in_kappa():
    D = [[0, 0.4], [0.3, 0]]
    before, after = [[0, 0.1], [0, 0]], [[0, 0.3], [0, 0]]
    got = cn.guppi(D, [0.5, 0.5], kappa=after, kappa_pre=before)
    assert got == pytest.approx([0.2 * 0.4 * 0.5, 0.0])


# ---------------------------------------------------------------------------
# vectorised over deals, diversion forms


def test_many_deals_equal_one_at_a_time():
    rng = np.random.default_rng(7)
    n = 50
    D = rng.uniform(0, 0.5, (n, 2, 2))
    m = rng.uniform(0.1, 0.7, (n, 2))
    p = rng.uniform(1, 5, (n, 2))
    k = rng.uniform(0, 1, (n, 2, 2))
    for f in (cn.guppi, cn.cmcr_bertrand):
        many = f(D, m, p, kappa=k)
        one = np.array([f(D[i], m[i], p[i], kappa=k[i]) for i in range(n)])
        np.testing.assert_allclose(many, one, rtol=1e-12)
    assert cn.ipr(D, m).shape == (n, 2)
    s = rng.dirichlet(np.ones(3), n)[:, :2]
    np.testing.assert_allclose(cn.cmcr_cournot(s, 2.0),
                               np.array([cn.cmcr_cournot(x, 2.0) for x in s]), rtol=1e-12)


def test_diversion_forms_by_hand():
    D = cn.diversion_ratios({"A": 0.5, "B": 0.3, "C": 0.2}, recapture=0.5)
    assert D.loc["A", "B"] == pytest.approx(0.5 * 0.3 / 0.5)
    assert list(D.index) == ["A", "B", "C"] and D.index.name == "from"
    D = cn.diversion_ratios([0.5, 0.5], form="outside-in", outside_share=0.2)
    assert D[0, 1] == pytest.approx(0.4 / 0.6)
    # inside-out: the smaller party's recapture rate is r
    s = np.array([0.5, 0.2, 0.3])
    D = cn.diversion_ratios(s, form="inside-out", recapture=0.7, parties=[0, 1])
    assert D[1].sum() == pytest.approx(0.7)


def test_critical_loss_and_test_forms():
    assert cn.critical_loss([0.2, 0.6]) == pytest.approx([0.05 / 0.25, 0.05 / 0.65])
    t = cn.hypothetical_monopolist_test([0.4, 0.4], [0.10, 0.12], form="breakeven")
    # break-even critical diversion X/(X+m) = .1111 (Katz-Shapiro)
    assert t["critical_diversion"].tolist() == pytest.approx([0.05 / 0.45] * 2)
    assert t["passes"].tolist() == [False, True]


# ---------------------------------------------------------------------------
# the screen over share tables


@pytest.fixture
def panel():
    return pd.DataFrame({
        "market": ["m1"] * 3 + ["m2"] * 3 + ["m3"] * 2,
        "firm": ["A", "B", "C", "A", "B", "C", "A", "C"],
        "share": [0.3, 0.2, 0.5, 0.1, 0.6, 0.3, 0.4, 0.6]})


def test_screen_over_markets(panel):
    s = cn.unilateral_screen(panel, ["A", "B"], margins={"A": 0.4, "B": 0.5},
                             prices={"A": 2.0, "B": 1.0})
    t = s.to_frame()
    assert list(t.columns[:3]) == ["market", "guideline", "firm"]
    row = t[(t["market"] == "m2") & (t["firm"] == "A")].iloc[0]
    assert row["guppi"] == pytest.approx(0.6 / 0.9 * 0.5 * 1.0 / 2.0)
    m3 = t[t["market"] == "m3"]
    assert (m3["verdict"] == "no_overlap").all() and m3["guppi"].isna().all()
    assert set(t.loc[t["market"] != "m3", "verdict"]) == {"no_threshold_stated"}
    assert t["citation"].iloc[0].endswith("§6.1")
    # vectorised rows equal the array functions market by market
    for mk, g in t[t["overlap"]].groupby("market"):
        sh = panel[panel["market"] == mk].set_index("firm")["share"]
        D = cn.diversion_ratios(sh).loc[["A", "B"], ["A", "B"]].to_numpy()
        assert g["guppi"].to_numpy() == pytest.approx(cn.guppi(D, [0.4, 0.5], [2.0, 1.0]))


def test_user_threshold_and_guidelines(panel):
    s = cn.unilateral_screen(panel, "A,B", margins=0.4, guppi_threshold=0.1,
                             guidelines=["us2010", "us2023"])
    t = s.to_frame()
    assert set(t["guideline"]) == {"us2010", "us2023"}
    ov = t[t["overlap"]]
    assert ((ov["guppi"] > 0.1) == (ov["verdict"] == "above_threshold")).all()
    assert (ov["citation"].str.contains("user")).all()
    with pytest.raises(InvalidParameterError, match="guidelines"):
        cn.unilateral_screen(panel, ["A", "B"], margins=0.4, guidelines="eu2004")


def test_margins_by_market_and_user_diversion_matrix(panel):
    margins = pd.Series([0.3, 0.4, 0.5, 0.6, 0.2, 0.2],
                        index=pd.MultiIndex.from_product([["m1", "m2", "m3"], ["A", "B"]],
                                                         names=["market", "firm"]))
    t = cn.unilateral_screen(panel, ["A", "B"], margins=margins).to_frame()
    assert t.set_index(["market", "firm"]).loc[("m2", "A"), "margin"] == pytest.approx(0.5)
    survey = pd.DataFrame([[0, 0.25], [0.4, 0]], index=["A", "B"], columns=["A", "B"])
    t = cn.unilateral_screen(panel, ["A", "B"], margins=0.5, diversion=survey).to_frame()
    ov = t[t["overlap"]].set_index(["market", "firm"])
    assert ov.loc[("m1", "A"), "guppi"] == pytest.approx(0.125)
    assert ov.loc[("m2", "B"), "diversion"] == pytest.approx(0.4)


def test_several_deals_and_result_display(panel):
    s = cn.unilateral_screen(panel, {"A+B": ["A", "B"], "B+C": ["B", "C"]}, margins=0.4)
    t = s.to_frame()
    assert set(t["deal"]) == {"A+B", "B+C"}
    assert "Unilateral-effects screen" in str(s.summary())
    assert "<UnilateralScreen" in repr(s)
    html = s._repr_html_()
    assert "<script" not in html
    bad = pd.DataFrame({"firm": ["<b>x</b>", "y", "z"], "share": [0.3, 0.3, 0.4]})
    html = cn.unilateral_screen(bad, ["<b>x</b>", "y"], margins=0.3)._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_plot(panel):
    pytest.importorskip("matplotlib")
    ax = cn.unilateral_screen(panel, ["A", "B"], margins=0.4).plot()
    assert len(ax.patches) == 4
    with pytest.raises(KeyError):
        cn.unilateral_screen(panel, ["A", "B"], margins=0.4).plot(metric="nope")


# ---------------------------------------------------------------------------
# validation at the boundary


@pytest.mark.parametrize("call", [
    lambda: cn.guppi([[0, 0.2], [0.2, 0]], [0.4, 1.0]),            # margin 1
    lambda: cn.guppi([[0, 0.2], [0.2, 0]], [0.4, -0.1]),           # negative margin
    lambda: cn.guppi([[0, 0.2], [0.2, 0]], [0.4, 0.4], [1, 0]),    # price 0
    lambda: cn.guppi([[0, 1.2], [0.2, 0]], [0.4, 0.4]),            # diversion > 1
    lambda: cn.guppi([[0, 0.6, 0.6], [0, 0, 0], [0, 0, 0]], [0.4] * 3),  # row sum > 1
    lambda: cn.guppi([0.2, 0.3], [0.4, 0.4]),                      # not square
    lambda: cn.guppi([[0, 0.2], [0.2, 0]], [True, False]),         # booleans
    lambda: cn.guppi([[0, 0.2], [0.2, 0]], [0.4, 0.4], kappa=-0.1),
    lambda: cn.guppi([[0, 0.2], [0.2, 0]], [0.4, 0.4, 0.4]),       # wrong length
    lambda: cn.upp([[0, 0.2], [0.2, 0]], [0.4, 0.4], efficiency=1.0),
    lambda: cn.cmcr_bertrand([[0, 0.2], [0.2, 0]], [0.4, 0.4], rel="margin"),
    lambda: cn.cmcr_cournot([0.3, 0.2], 0.25),                     # elasticity below a share
    lambda: cn.cmcr_cournot([0.3, 0.2, 0.1], 2.0),
    lambda: cn.critical_loss(0.4, ssnip=0),
    lambda: cn.critical_loss(0.4, form="isoelastic"),
    lambda: cn.hypothetical_monopolist_test(0.4, 1.0),
    lambda: cn.diversion_ratios([0.6, 0.6]),
    lambda: cn.diversion_ratios([0.5, 0.3], form="inside-out"),    # parties needed
    lambda: cn.diversion_ratios([0.5, 0.3], recapture=1.5),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A"], margins=0.3),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "Z"], margins=0.3),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins={"A": 0.3}),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins=0.3,
                                 diversion="logit"),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins=0.3,
                                 kappa="half"),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins=0.3,
                                 guidelines=[]),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins=0.3,
                                 guidelines=5),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins="margin"),
    lambda: cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins=0.3,
                                 guppi_threshold=-1),
])
def test_bad_arguments_are_typed_errors(call):
    with pytest.raises(ConcentrationError) as info:
        call()
    assert isinstance(info.value, ValueError)
    assert "parameter of" in str(info.value) or "must" in str(info.value)


def test_kappa_dataframe_must_name_the_parties():
    kappa = pd.DataFrame(np.eye(2), index=["A", "Z"], columns=["A", "Z"])
    with pytest.raises(InvalidParameterError, match="kappa"):
        cn.unilateral_screen({"A": 0.5, "B": 0.5}, ["A", "B"], margins=0.3, kappa=kappa)


def test_merger_to_monopoly_needs_an_infinite_cost_reduction():
    # two firms, all lost sales recaptured by the other: no finite CMCR restores prices,
    # and one such deal does not stop the others of a batch
    D = np.array([[[0, 1.0], [1.0, 0]], [[0, 0.2], [0.2, 0]]])
    got = cn.cmcr_bertrand(D, [[0.4, 0.4], [0.4, 0.4]])
    assert np.isinf(got[0]).all()
    assert got[1] == pytest.approx([0.08 / 0.48] * 2)
    assert np.isinf(cn.ipr(D, [[0.4, 0.4], [0.4, 0.4]])[0]).all()


def test_three_party_deal_in_a_table_equals_the_array_functions():
    shares = {"A": 0.3, "B": 0.2, "C": 0.1, "D": 0.4}
    margins = {"A": 0.3, "B": 0.4, "C": 0.5}
    prices = {"A": 3.0, "B": 2.0, "C": 1.0}
    s = cn.unilateral_screen(shares, ["A", "B", "C"], margins=margins, prices=prices,
                             elasticity=2.0)
    t = s.to_frame().set_index("firm")
    D = cn.diversion_ratios(shares).loc[["A", "B", "C"], ["A", "B", "C"]].to_numpy()
    m, p = np.array([0.3, 0.4, 0.5]), np.array([3.0, 2.0, 1.0])
    assert t["guppi"].to_numpy() == pytest.approx(cn.guppi(D, m, p))
    assert t["cmcr"].to_numpy() == pytest.approx(
        r_cmcr_bertrand(p, m, D - np.eye(3), [0, 1, 2], np.ones((3, 3))) / 100)
    assert t["cmcr_cournot"].isna().all() and "two-party" in s.notes[-1]


def test_kappa_of_several_periods_is_matched_to_each_market_period():
    holdings = cn.read_holdings(pd.DataFrame({
        "owner": ["X", "Y", "X", "X", "Y"], "firm": ["A", "B", "B", "A", "B"],
        "cash_flow": [1.0, 0.8, 0.2, 1.0, 1.0],
        "period": ["2024", "2024", "2024", "2025", "2025"]}))
    kappa = cn.profit_weights(holdings)           # rows (period, firm)
    shares = pd.DataFrame({"period": ["2024"] * 3 + ["2025"] * 3,
                           "firm": ["A", "B", "C"] * 2, "share": [0.5, 0.2, 0.3] * 2})
    t = cn.unilateral_screen(shares, ["A", "B"], margins={"A": 0.3, "B": 0.6}, kappa=kappa,
                             elasticity=1.5).to_frame().set_index(["period", "firm"])
    assert t.loc[("2024", "A"), "guppi"] == pytest.approx(0.2 * 0.4 * 0.6)   # as by hand
    assert t.loc[("2025", "A"), "guppi"] == 0.0                             # stake sold
    assert t.loc[("2024", "A"), "cmcr_cournot"] == pytest.approx(0.2 * 0.2 / 1.0)
    other = shares.assign(period=["2023"] * 3 + ["2025"] * 3)
    with pytest.raises(InvalidParameterError, match="2023"):
        cn.unilateral_screen(other, ["A", "B"], margins=0.3, kappa=kappa)
    with pytest.raises(InvalidParameterError, match="period"):
        cn.unilateral_screen(shares.drop(columns="period").iloc[:3], ["A", "B"],
                             margins=0.3, kappa=kappa)


def test_r_upp_cournot_is_guppi_with_full_diversion():
    # upp.cournot(prices, margins, ownerPre): upp.bertrand with diversions of 1 and one price
    m = np.array([0.2, 0.35])
    r = r_upp_bertrand(np.array([5.0, 5.0]), m, np.array([[-1.0, 1], [1, -1]]), [0, 1],
                       np.ones((2, 2)))
    assert 100 * cn.guppi([[0, 1.0], [1.0, 0]], m) == pytest.approx(r)


@pytest.mark.parametrize("form, kw", [("outside-in", {"outside_share": 0.3}),
                                      ("inside-out", {"recapture": 0.6}),
                                      ("proportional", {"recapture": 0.8})])
def test_screen_diversion_forms_equal_diversion_ratios(panel, form, kw):
    t = cn.unilateral_screen(panel, ["A", "B"], margins=0.4, diversion=form,
                             **kw).to_frame()
    for mk, g in t[t["overlap"]].groupby("market"):
        sh = panel[panel["market"] == mk].set_index("firm")["share"]
        D = cn.diversion_ratios(sh, form=form, parties=["A", "B"], **kw)
        expected = [D.loc["A", "B"], D.loc["B", "A"]]
        assert g.set_index("firm").loc[["A", "B"], "diversion"].tolist() == pytest.approx(
            expected, rel=1e-12)


def test_margins_and_prices_from_columns_of_the_shares(panel):
    data = panel.assign(m=[0.3, 0.4, 0.5, 0.2, 0.6, 0.5, 0.1, 0.1],
                        p=[2.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0])
    t = cn.unilateral_screen(data, ["A", "B"], margins="m", prices="p").to_frame()
    ov = t[t["overlap"]].set_index(["market", "firm"])
    # m2: D_AB = .6/.9, GUPPI_A = D_AB * m_B * p_B / p_A
    assert ov.loc[("m2", "A"), "guppi"] == pytest.approx(0.6 / 0.9 * 0.6 * 3.0 / 1.0)
    assert ov.loc[("m1", "B"), "margin"] == pytest.approx(0.4)
    with pytest.raises(InvalidParameterError, match="margins"):
        cn.unilateral_screen(data, ["A", "B"], margins="nope")
    twice = pd.concat([data, data.assign(m=0.9)]).assign(share=lambda d: d["share"] / 2)
    with pytest.raises(InvalidParameterError, match="one value"):
        cn.unilateral_screen(twice, ["A", "B"], margins="m", duplicates="sum")


def test_verdicts_pivot(panel):
    s = cn.unilateral_screen(panel, ["A", "B"], margins=0.4, guidelines=["us2010", "us2023"])
    v = s.verdicts()
    assert list(v.columns) == ["us2010", "us2023"]
    assert v.loc[("m3", "A"), "us2023"] == "no_overlap"
    assert v.loc[("m1", "B"), "us2010"] == "no_threshold_stated"
