"""Unilateral-effects screens: published worked examples, peers' definitions, profit weights.

Three kinds of reference numbers, kept apart and each with its source:

* ``PUBLISHED``: figures printed in a document (inputs and figures as printed);
* ``R_ANTITRUST_OUTPUT``: what R ``antitrust`` 0.99.29 (CRAN) printed, run under R 4.2.2 on
  the examples of its manual and on fixed random inputs (values as R printed them with
  ``sprintf("%.17g")``);
* ``FORMULA_CHECKS``: hand calculations from a paper's formula where no printed figure of
  the paper could be consulted (they check the algebra, not a publication).

The peers' definitions are also transcribed below as loops that follow their source code
(R ``antitrust`` 0.99.29: ``R/CMCRBertrandFunctions.R``, functions ``cmcr.bertrand`` and
``upp.bertrand``; ``R/CMCRCournotFunctions.R``, ``cmcr.cournot``, ``cmcr.cournot2`` and
``upp.cournot``; mergeron: ``src/mergeron/gen/upp_tests.py``, ``_upp_test_counts``, and
``src/mergeron/gen/data_generation_functions.py``, ``market_share_sampler`` and
``compute_merging_firm_diversion_ratios``), independently of the library's vectorised code,
checked against the recorded R output and compared on random inputs.  Conventions that
differ are tested as differing:

* R returns percentages, the library fractions;
* R's ownership matrices enter as ``ownerPost[j, k] / ownerPost[j, j]``, the library's
  profit weights κ directly; R requires the columns of the unique rows of ``ownerPost``
  to sum to one (each product's ownership shares);
* R's ``upp.bertrand`` stops on a negative ``mcDelta`` ("'mcDelta' must be positive"), so
  a marginal-cost saving cannot be entered there;
* R's ``cmcr.cournot(party = TRUE)`` ignores ``rel`` (always relative to cost);
  ``cmcr.cournot2`` and the library honour it;
* R 0.99.29's ``upp.cournot`` stops with an error before computing anything;
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
    "mergeron_guppi_from_delta": {
        "source": "mergeron (S. M. Kambhampaty), tests/core/test_guidelines_boundaries.py, "
                  "test_guppi_from_delta (commit 9c441a522b04): guppi_from_delta(dHHI, "
                  "r_bar) with the default m_star = 1; src/mergeron/core/"
                  "guidelines_boundaries.py defines it as m_star * r_bar * s / (1 - s), "
                  "s = sqrt(dHHI / 2) (the symmetric merging shares that give the dHHI, "
                  "diversion proportional to share with recapture r_bar), rounded to 0.005.",
        "rounding": 0.005,
        # (delta HHI, recapture rate, printed GUPPI)
        "cases": [(0.01, 4 / 5, 0.06), (0.02, 4 / 5, 0.09), (0.005, 6 / 7, 0.045),
                  (0.01, 6 / 7, 0.065)],
    },
    "mergeron_safeharbor_guppi": {
        "source": "mergeron, tests/core/test_guidelines_boundaries.py, "
                  "test_guidelines_thresholds (commit 9c441a522b04): "
                  "GuidelinesStandards(year).safeharbor has (delta, rec, guppi) = (0.005, "
                  "0.85, 0.045) for 1992, (0.01, 0.8, 0.06) for 2010, (0.01, 0.85, 0.065) "
                  "for 2023; mergeron derives these GUPPI bounds from the guidelines' dHHI "
                  "thresholds (margin 1), the guideline texts state none.",
        "rounding": 0.005,
        "cases": [(1992, 0.005, 0.85, 0.045), (2010, 0.01, 0.8, 0.06),
                  (2023, 0.01, 0.85, 0.065)],
    },
    "mergeron_share_from_guppi": {
        "source": "mergeron, tests/core/test_guidelines_boundaries.py, test_share_from_guppi "
                  "(commit 9c441a522b04): share_from_guppi(g, m_star, r_bar) is the "
                  "symmetric merging share on the GUPPI boundary, d/(1 + d) with "
                  "d = g/(m_star r_bar), rounded to 0.005.",
        "rounding": 0.005,
        # (GUPPI, margin, recapture rate, printed symmetric share)
        "cases": [(0.06, 1.00, 4 / 5, 0.070), (0.09, 0.40, 0.9, 0.200)],
    },
    "bds_critical_loss_table": {
        "source": "BDS Accountants (New Zealand), 'Should you be increasing your prices?', "
                  "bdsaccountants.co.nz/resources/should-you-be-increasing-your-prices: "
                  "table of the fall in sales a price rise can bear before gross profit is "
                  "below its present level ('at a 40% margin, a 10% increase in price could "
                  "sustain a 20% reduction in sales volume'), whole percent. A business-"
                  "advice page, not an agency text: the break-even critical loss "
                  "X / (X + m) of Harris and Simons (1989) in another trade.",
        "margins_pct": [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60],
        "rows": {   # price rise (%) -> printed loss (%) for each margin
            2: [29, 17, 12, 9, 7, 6, 5, 5, 4, 4, 4, 3],
            4: [44, 29, 21, 17, 14, 12, 10, 9, 8, 7, 7, 6],
            6: [55, 38, 29, 23, 19, 17, 15, 13, 12, 11, 10, 9],
            8: [62, 44, 35, 29, 24, 21, 19, 17, 15, 14, 13, 12],
            10: [67, 50, 40, 33, 29, 25, 22, 20, 18, 17, 15, 14],
            12: [71, 55, 44, 38, 32, 29, 26, 23, 21, 19, 18, 17],
            14: [74, 58, 48, 41, 36, 32, 29, 26, 24, 22, 20, 19],
            16: [76, 62, 52, 44, 39, 35, 31, 29, 26, 24, 23, 21],
            18: [78, 64, 55, 47, 42, 38, 34, 31, 29, 26, 25, 23],
            20: [80, 67, 57, 50, 44, 40, 36, 33, 31, 29, 27, 25],
            25: [83, 71, 62, 56, 50, 45, 42, 38, 36, 33, 31, 29],
            30: [86, 75, 67, 60, 55, 50, 46, 43, 40, 38, 35, 33],
        },
    },
    "medium_upp_examples": {
        "source": "'What is UPP in economics?', a Medium post by the account jonwlaw "
                  "(jonwlaw.medium.com/what-is-upp-in-economics-b029cf641249), Examples 1-3: "
                  "UPP = D (P - C) with D = .4, P = $100, C = $60 gives $16; D = .4, "
                  "P = $200, C = $60 gives $56; D = .2, P = $100, C = $60 gives $8. An "
                  "informal illustration of Farrell and Shapiro's UPP without efficiency "
                  "credit (symmetric products), not a paper.",
        # (diversion, price, cost, printed UPP in dollars)
        "cases": [(0.4, 100.0, 60.0, 16.0), (0.4, 200.0, 60.0, 56.0), (0.2, 100.0, 60.0, 8.0)],
    },
}

# What R antitrust 0.99.29 printed (CRAN source, R 4.2.2): the examples of ?cmcr.bertrand and
# ?cmcr.cournot, and fixed random inputs. The manual says its two grids reproduce Werden
# (1996, p. 412, Table 1) and Froeb and Werden (1998, p. 369, Table 1); those papers' printed
# tables could not be consulted here, so agreement with the papers is R's claim, not checked.
R_ANTITRUST_OUTPUT = {
    "source": "R antitrust 0.99.29 (CRAN), R 4.2.2; each value printed with sprintf('%.17g')",
    "cmcr_bertrand_manual": {
        "call": "p1 = 50; margin1 = .3; p2 = c(45,70); margin2 = c(.4,.6); isOne = c(1,0,0); "
                "diversions = matrix(c(-1,.5,.01,.6,-1,.1,.02,.2,-1),ncol=3); "
                "cmcr.bertrand(c(p1,p2), c(margin1,margin2), diversions, isOne); "
                "upp.bertrand(...)",
        "prices": (50.0, 45.0, 70.0), "margins": (0.3, 0.4, 0.6),
        "diversions_colmajor": (-1, .5, .01, .6, -1, .1, .02, .2, -1), "owner_pre": (1, 0, 0),
        "cmcr": (67.225501770956313, 73.097205824478564, 8.4246921909259811),
        "upp": (23.279999999999998, 16.666666666666668, 0.21428571428572241),
    },
    "werden_grid": {
        "call": "?cmcr.bertrand example: cmcr.bertrand(rep(1,2), rep(m,2), dMatrix, c(1,0))[1] "
                "with dMatrix[1,2] = dMatrix[2,1] = d; print(round(result,1))",
        "margins": (0.4, 0.5, 0.6, 0.7), "diversions": (0.05, 0.10, 0.15, 0.20, 0.25),
        "printed": ((3.5, 5.3, 7.9, 12.3), (7.4, 11.1, 16.7, 25.9), (11.8, 17.6, 26.5, 41.2),
                    (16.7, 25.0, 37.5, 58.3), (22.2, 33.3, 50.0, 77.8)),
    },
    "froeb_werden_grid": {
        "call": "?cmcr.cournot example: shares = sqrt(deltaHHI/(2*100^2)); "
                "cmcr.cournot(rep(share,2), elast)[1]; print(round(result,1))",
        "delta_hhi": (100, 500, 1000, 2500, 5000), "elasticities": (1, 2, 3),
        "printed": ((7.6, 3.7, 2.4), (18.8, 8.6, 5.6), (28.8, 12.6, 8.1), (54.7, 21.5, 13.4),
                    (100.0, 33.3, 20.0)),
    },
    "cmcr_cournot_manual": {
        "call": "shares = c(.05,.65); industryElast = 1.9; margins = shares/industryElast; "
                "cmcr.cournot(shares, industryElast, rel='cost'); ... rel='price'; "
                "cmcr.cournot2(margins, party=TRUE, rel='cost')",
        "shares": (0.05, 0.65), "elasticity": 1.9,
        "cost": 7.1823204419889501, "price": 4.8872180451127818,
        "cournot2_party_cost": (35.135135135135137, 4.0),
    },
    "upp_bertrand_cost_increase": {
        "call": "upp.bertrand(c(10,8), c(.4,.5), matrix(c(-1,.25,.3,-1),2), c(0,1), "
                "mcDelta=c(.1,0)); with mcDelta=c(-.1,0) R stops: 'mcDelta' must be positive",
        "upp": (18.000000000000004, 10.624999999999996),
    },
    "partial_owner_post": {
        "call": "cmcr.bertrand(c(10,8), c(.4,.5), matrix(c(-1,.25,.3,-1),2), c(0,1), "
                "ownerPost=matrix(c(1,0,.2,.8),2)); ownerPost=matrix(c(1,.5,.2,1),2) stops: "
                "'The columns of the matrix formed from the unique rows of 'ownerPost' must "
                "sum to 1'",
        "cmcr": (4.0000000000000036, 0.0),
    },
    "upp_cournot_error": "upp.cournot(5, c(.2,.35), c(0,1)) stops: Error in `diag<-`(`*tmp*`, "
                         "value = -1): only matrix diagonals can be replaced",
    # random inputs (owner: pre-deal owner of each product; post: R's ownerPost)
    "random_bertrand": [
        {"prices": [10.34, 41.91, 38.57], "margins": [0.517, 0.166, 0.313],
         "D": [[0.0, 0.147, 0.394], [0.123, 0.0, 0.435], [0.429, 0.237, 0.0]],
         "owner": [0, 1, 2], "post": [[1.0] * 3] * 3,
         "cmcr": [250.97884143600874, 36.698293783747395, 46.643736638593431],
         "cmcr_price": [121.22278041359222, 30.606377015645325, 32.044247070713688],
         "upp": [55.891850676982571, 14.099330207587693, 10.220800725952817]},
        {"prices": [65.17, 93.3, 8.48], "margins": [0.396, 0.243, 0.289],
         "D": [[0.0, 0.257, 0.211], [0.04, 0.0, 0.092], [0.086, 0.331, 0.0]],
         "owner": [0, 1, 1], "post": [[1.0] * 3] * 3,
         "cmcr": [19.017109571427284, 2.3294313874469634, 56.520298754292995],
         "cmcr_price": [11.486334181142077, 1.7633795602973512, 40.185932414302322],
         "upp": [9.7342031916526022, 1.1064231511254019, 26.172517924528304]},
        {"prices": [95.84, 97.59], "margins": [0.126, 0.677],
         "D": [[0.0, 0.922], [0.392, 0.0]], "owner": [0, 1],
         "post": [[0.71, 0.0], [0.29, 1.0]],
         "cmcr": [0.0, 4.3550543047189478], "cmcr_price": [0.0, 1.40668254042422],
         "upp": [0.0, 1.40668254042422]},
        {"prices": [96.2, 70.04], "margins": [0.421, 0.74],
         "D": [[0.0, 0.939], [0.673, 0.0]], "owner": [0, 1], "post": [[1.0] * 2] * 2,
         "cmcr": [362.24507797609698, 895.35484774262352],
         "cmcr_price": [209.73990014816013, 232.79226041308209],
         "upp": [50.590430769230757, 38.915811821816106]},
        {"prices": [42.83, 51.94, 28.23, 18.48], "margins": [0.088, 0.618, 0.506, 0.486],
         "D": [[0.0, 0.327, 0.117, 0.13], [0.059, 0.0, 0.02, 0.091],
               [0.155, 0.146, 0.0, 0.153], [0.088, 0.06, 0.412, 0.0]],
         "owner": [0, 1, 3, 2],
         "post": [[0.87, 0.0, 0.0, 0.0], [0.0, 0.76, 0.0, 0.0], [0.13, 0.0, 1.0, 0.04],
                  [0.0, 0.24, 0.0, 0.96]],
         "cmcr": [-1.521687259628778e-15, 0.0, 0.95985886935109443, 5.0689334984081977],
         "cmcr_price": [-1.3877787807814457e-15, 0.0, 0.47417028145944062,
                        2.6054318181818137],
         "upp": [2.7755575615628914e-15, 0.0, 0.46373216294721686, 2.6054318181818195]},
    ],
    # (shares, elasticity) -> {(party, rel): cmcr.cournot, ...}; cmcr.cournot2 on s/elast
    "random_cournot": [
        {"shares": [0.742, 0.201], "elast": 3.52,
         "cournot": {(False, "cost"): [10.93258124281858], (False, "price"): [8.9861901089366611],
                     (True, "cost"): [7.2354211663066961, 22.356131364868936],
                     (True, "price"): [7.2354211663066961, 22.356131364868936]},
         "cournot2_party_price": [5.7102272727272734, 21.079545454545453]},
        {"shares": [0.683, 0.228], "elast": 1.38,
         "cournot": {(False, "cost"): [42.161235780898259], (False, "price"): [24.773540781749638],
                     (True, "cost"): [32.711621233859404, 59.28819444444445],
                     (True, "price"): [32.711621233859404, 59.28819444444445]},
         "cournot2_party_price": [16.521739130434785, 49.492753623188413]},
        {"shares": [0.281, 0.581], "elast": 2.73,
         "cournot": {(False, "cost"): [16.859379017709159], (False, "price"): [13.875304896186567],
                     (True, "cost"): [23.723968966925277, 13.075849232201026],
                     (True, "price"): [23.723968966925277, 13.075849232201026]},
         "cournot2_party_price": [21.282051282051281, 10.293040293040294]},
        {"shares": [0.171, 0.678], "elast": 3.31,
         "cournot": {(False, "cost"): [9.9892084703814508], (False, "price"): [8.2512570324426466],
                     (True, "cost"): [21.59923542529468, 6.4969604863221884],
                     (True, "price"): [21.59923542529468, 6.4969604863221884]},
         "cournot2_party_price": [20.483383685800604, 5.166163141993958]},
    ],
}

# Hand calculations from a paper's formula (no printed figure of the paper consulted).
FORMULA_CHECKS = {
    "werden1996_symmetric": {
        "source": "Werden (1996), J. Industrial Economics 44(4), 409-413, the symmetric "
                  "two-product CMCR m D / ((1 - m)(1 - D)); with m = 0.4 and D = 0.2 that is "
                  ".08/.48 (hand calculation; R's grid above prints 16.7 for this cell).",
        "margin": 0.4, "diversion": 0.2, "cmcr": 0.08 / 0.48,
    },
    "farrell_shapiro_symmetric": {
        "source": "Farrell and Shapiro (2010), B.E. J. Theor. Econ. 10(1), s. 2: UPP_1 = "
                  "D12 (P2 - C2) - E1 C1; in the symmetric case UPP > 0 iff "
                  "D m / (1 - m) > E. With m = 0.4 and E = 0.10 the critical diversion is "
                  "E (1 - m)/m = 0.15 (hand calculation).",
        "margin": 0.4, "efficiency": 0.10, "critical_diversion": 0.15,
    },
    "harris_simons_breakeven": {
        "source": "Harris and Simons (1989), Research in Law and Economics 12: break-even "
                  "critical loss X/(X + m); a 5% SSNIP at a 40% margin gives 5/45 (hand "
                  "calculation).",
        "ssnip": 0.05, "margin": 0.40, "critical_loss": 0.05 / 0.45,
    },
}


def _round_to(x, step):
    return np.round(np.asarray(x) / step) * step


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
    # "for any SSNIP up to ten percent"
    assert bool(cn.hypothetical_monopolist_test(margin, diversion, ssnip=0.10)["passes"].iloc[0])
    assert not cn.hypothetical_monopolist_test(margin, diversion,
                                               ssnip=0.105)["passes"].iloc[0]
    # the predicted loss of a 5% rise (Lerner-consistent linear demand) is below critical loss
    assert t["predicted_loss"].iloc[0] == pytest.approx(0.05 * (2 / 3) / 0.4)
    assert t["predicted_loss"].iloc[0] < cn.critical_loss(margin)


def _symmetric_guppi(share, margin, recapture):
    """The library's GUPPI of two merging products of equal share (diversion ~ share).

    mergeron's ``m_star = 1`` is a normalisation (GUPPI per unit of margin) that the
    library refuses as a margin (margins are in [0, 1)); GUPPI is linear in the margin,
    so that case is computed at margin 1/2 and doubled.
    """
    shares = [share, share, 1 - 2 * share]
    D = cn.diversion_ratios(shares, recapture=recapture)[:2, :2]
    if margin == 1.0:
        return 2.0 * cn.guppi(D, [0.5, 0.5])
    return cn.guppi(D, [margin, margin])


def test_mergeron_guppi_bounds_from_delta_hhi():
    for key in ("mergeron_guppi_from_delta", "mergeron_safeharbor_guppi"):
        ex = PUBLISHED[key]
        for case in ex["cases"]:
            dhhi, r, printed = case[-3:]
            share = np.sqrt(dhhi / 2)                   # 2 s^2 = delta HHI
            g = _symmetric_guppi(share, 1.0, r)
            assert g[0] == pytest.approx(g[1], rel=1e-12)
            assert _round_to(g[0], ex["rounding"]) == pytest.approx(printed, abs=1e-12), case


def test_mergeron_share_on_the_guppi_boundary():
    ex = PUBLISHED["mergeron_share_from_guppi"]
    for g_bar, m, r, printed in ex["cases"]:
        lo, hi = 1e-9, 0.5 - 1e-9                      # bisection on the library's GUPPI
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _symmetric_guppi(mid, m, r)[0] < g_bar else (lo, mid)
        assert _round_to(lo, ex["rounding"]) == pytest.approx(printed, abs=1e-12)
        assert lo == pytest.approx(g_bar / (g_bar + m * r), rel=1e-9)


def test_critical_loss_table_of_a_pricing_guide():
    ex = PUBLISHED["bds_critical_loss_table"]
    m = np.array(ex["margins_pct"]) / 100
    for rise, printed in ex["rows"].items():
        got = 100 * cn.critical_loss(m, ssnip=rise / 100)
        # printed in whole percent
        assert np.all(np.abs(got - np.array(printed)) <= 0.5 + 1e-9), (rise, got.round(2))
    # the sentence quoted: 40% margin, 10% rise -> 20%
    assert cn.critical_loss(0.40, ssnip=0.10) == pytest.approx(0.20, rel=1e-12)


def test_upp_in_dollars_of_an_informal_example():
    for d, price, cost, printed in PUBLISHED["medium_upp_examples"]["cases"]:
        m = (price - cost) / price
        u = cn.upp([[0, d], [d, 0]], [m, m], [price, price])   # a fraction of price
        assert u * price == pytest.approx([printed, printed], rel=1e-12)


def test_werden_symmetric_and_farrell_shapiro_threshold():
    w = FORMULA_CHECKS["werden1996_symmetric"]
    D = [[0, w["diversion"]], [w["diversion"], 0]]
    assert cn.cmcr_bertrand(D, [w["margin"]] * 2) == pytest.approx([w["cmcr"]] * 2, rel=1e-12)
    fs = FORMULA_CHECKS["farrell_shapiro_symmetric"]
    d0 = fs["critical_diversion"]
    for d, sign in ((d0 - 0.01, -1), (d0 + 0.01, 1)):
        u = cn.upp([[0, d], [d, 0]], [fs["margin"]] * 2, efficiency=fs["efficiency"])
        assert np.sign(u[0]) == sign
    u0 = cn.upp([[0, d0], [d0, 0]], [fs["margin"]] * 2, efficiency=fs["efficiency"])
    assert u0 == pytest.approx([0, 0], abs=1e-15)


def test_harris_simons_critical_loss():
    hs = FORMULA_CHECKS["harris_simons_breakeven"]
    assert cn.critical_loss(hs["margin"], ssnip=hs["ssnip"]) == pytest.approx(
        hs["critical_loss"], rel=1e-12)
    # the profit-maximising form is smaller: X / (2X + m)
    assert cn.critical_loss(hs["margin"], ssnip=hs["ssnip"], form="profit_max_linear") \
        == pytest.approx(0.05 / 0.5, rel=1e-12)


# ---------------------------------------------------------------------------
# R antitrust 0.99.29, transcribed from its code (percentages, as R returns them)


class RStop(Exception):
    """Where R's function calls stop() (the message is R's)."""


def _r_owner_matrix(owner, nprod):
    """The ownership matrix as cmcr.bertrand / upp.bertrand build and check it."""
    owner = np.asarray(owner)
    if owner.ndim == 1:   # as.numeric(factor(ownerPre)); ownerPre[owners == o, owners == o] = 1
        if len(owner) != nprod:
            raise RStop("'prices'and 'ownerPre' vectors must be the same length")
        return (owner[:, None] == owner[None, :]).astype(float)
    o = owner.astype(float)
    if o.shape != (nprod, nprod) or (o < 0).any() or (o > 1).any():
        raise RStop("'ownerPre' must be a square matrix ...")
    _r_check_unique_rows(o, "ownerPre")
    return o


def _r_check_unique_rows(o, name):
    # isTRUE(all.equal(colSums(unique(o)), rep(1, nprod))): all.equal's tolerance is 1.5e-8
    rows = np.unique(o, axis=0)
    if not np.allclose(rows.sum(axis=0), 1.0, rtol=1.5e-8, atol=0):
        raise RStop(f"The columns of the matrix formed from the unique rows of '{name}' "
                    "must sum to 1")


def _r_check(prices, margins, diversions, owner_post):
    nprod = len(prices)
    if (np.asarray(prices) < 0).any():
        raise RStop("'prices'  must be non-negative")
    if (np.asarray(margins) <= 0).any():
        raise RStop("'margins' vector elements  must be positive")
    if (np.asarray(margins) > 1).any():
        raise RStop("'margins' vector elements  must be between 0 and 1")
    dv = np.asarray(diversions, dtype=float)
    if not (np.diag(dv) == -1).all():
        raise RStop("'diversions' diagonal elements must all equal -1")
    if (np.abs(dv) > 1).any():
        raise RStop("'diversions' elements must be between -1 and 1")
    post = np.asarray(owner_post, dtype=float)
    if post.shape != (nprod, nprod) or (post < 0).any() or (post > 1).any():
        raise RStop("'ownerPost' elements must be between 0 and 1")
    _r_check_unique_rows(post, "ownerPost")
    return dv, post


def r_upp_bertrand(prices, margins, diversions, owner_pre, owner_post, mc_delta=None):
    """upp.bertrand(prices, margins, diversions, ownerPre, ownerPost, output = TRUE, mcDelta).

    result <- (Bpost %*% marginsPost)/diag(ownerPost) - (Bpre %*% marginsPre)/diag(ownerPre),
    B = diversions * priceRatio * owner, priceRatio = tcrossprod(1/prices, prices).
    """
    k = len(prices)
    mc_delta = np.zeros(k) if mc_delta is None else np.asarray(mc_delta, dtype=float)
    dv, opost = _r_check(prices, margins, diversions, owner_post)
    if (mc_delta < 0).any():
        raise RStop("'mcDelta' must be positive")
    opre = _r_owner_matrix(owner_pre, k)
    mc_pre = [prices[j] * (1 - margins[j]) for j in range(k)]
    m_post = [1 - mc_pre[j] * (1 + mc_delta[j]) / prices[j] for j in range(k)]
    out = []
    for j in range(k):
        post = sum(dv[j][i] * prices[i] / prices[j] * opost[j][i] * m_post[i]
                   for i in range(k)) / opost[j][j]
        pre = sum(dv[j][i] * prices[i] / prices[j] * opre[j][i] * margins[i]
                  for i in range(k)) / opre[j][j]
        out.append(100 * (post - pre))
    return np.array(out)


def r_cmcr_bertrand(prices, margins, diversions, owner_pre, owner_post, rel="cost"):
    """cmcr.bertrand(prices, margins, diversions, ownerPre, ownerPost, output = TRUE, rel).

    marginPost = solve(Bpost) %*% ((diag(ownerPost)/diag(ownerPre)) * Bpre %*% margins),
    B = -diversions * priceRatio * owner; mcDelta = marginPost - margins, over
    (1 - margins) when rel = "cost".
    """
    k = len(prices)
    dv, opost = _r_check(prices, margins, diversions, owner_post)
    opre = _r_owner_matrix(owner_pre, k)
    bpre = np.empty((k, k))
    bpost = np.empty((k, k))
    for j in range(k):
        for i in range(k):
            bpre[j, i] = -dv[j][i] * prices[i] / prices[j] * opre[j][i]
            bpost[j, i] = -dv[j][i] * prices[i] / prices[j] * opost[j][i]
    rhs = [opost[j][j] / opre[j][j] * sum(bpre[j, i] * margins[i] for i in range(k))
           for j in range(k)]
    m_post = np.linalg.solve(bpost, rhs)
    delta = [m_post[j] - margins[j] for j in range(k)]
    if rel == "cost":
        delta = [delta[j] / (1 - margins[j]) for j in range(k)]
    return 100 * np.array(delta)


def r_cmcr_cournot(shares, elast, party=False, rel="cost"):
    """cmcr.cournot(shares, mktElast, party = FALSE, rel): ``rel`` is not used when party."""
    if party:
        return 100 * np.array([shares[1] / (elast - shares[0]), shares[0] / (elast - shares[1])])
    denom = elast * sum(shares)
    if rel == "cost":
        denom -= sum(s * s for s in shares)
    return 100 * 2 * shares[0] * shares[1] / denom


def r_cmcr_cournot2(margins, rel="cost", party=False):
    """cmcr.cournot2(margins, rel, party), margins the Cournot margins s / elasticity."""
    if party:
        out = [margins[1], margins[0]]
        if rel == "cost":
            out = [out[0] / (1 - margins[0]), out[1] / (1 - margins[1])]
        return 100 * np.array(out)
    num = 2 * margins[0] * margins[1]
    denom = margins[0] + margins[1]
    if rel == "cost":
        denom -= margins[0] ** 2 + margins[1] ** 2
    return 100 * num / denom


def r_upp_cournot(prices, margins, owner_pre, owner_post=None, mc_delta=None):
    """upp.cournot as shipped in 0.99.29: ``diversions <- rep(1,ncol=2,nrow=2)`` is a
    length-1 vector, and ``diag(diversions) <- -1`` then stops."""
    raise RStop("only matrix diagonals can be replaced")


def _kappa_from_r(owner):
    o = np.asarray(owner, dtype=float)
    if o.ndim == 1:
        o = (o[:, None] == o[None, :]).astype(float)
    return o / np.diag(o)[:, None]


def _r_diversions(colmajor):
    return np.asarray(colmajor, dtype=float).reshape(3, 3).T    # R's matrix() fills by column


def test_r_bertrand_manual_example_as_r_printed_it():
    ex = R_ANTITRUST_OUTPUT["cmcr_bertrand_manual"]
    dv = _r_diversions(ex["diversions_colmajor"])
    assert dv[0, 1] == 0.6 and dv[1, 0] == 0.5       # row j: diversion from product j
    prices, margins = np.array(ex["prices"]), np.array(ex["margins"])
    post = np.ones((3, 3))
    # the transcription reproduces what R printed
    np.testing.assert_allclose(r_cmcr_bertrand(prices, margins, dv, ex["owner_pre"], post),
                               ex["cmcr"], rtol=1e-13)
    np.testing.assert_allclose(r_upp_bertrand(prices, margins, dv, ex["owner_pre"], post),
                               ex["upp"], rtol=1e-12)
    # and so does the library
    D = np.where(np.eye(3, dtype=bool), 0.0, dv)
    kpre = _kappa_from_r(ex["owner_pre"])
    np.testing.assert_allclose(100 * cn.cmcr_bertrand(D, margins, prices, kappa=1.0,
                                                       kappa_pre=kpre), ex["cmcr"], rtol=1e-13)
    np.testing.assert_allclose(100 * cn.guppi(D, margins, prices, kappa=1.0, kappa_pre=kpre),
                               ex["upp"], rtol=1e-12)
    # hand check of product 1 (its rivals 2 and 3 were already one firm):
    # GUPPI_1 = .6*.4*45/50 + .02*.6*70/50
    assert cn.guppi(D, margins, prices, kappa_pre=kpre)[0] == pytest.approx(
        0.6 * 0.4 * 45 / 50 + 0.02 * 0.6 * 70 / 50)


def test_r_werden_and_froeb_werden_grids_as_r_printed_them():
    w = R_ANTITRUST_OUTPUT["werden_grid"]
    for i, d in enumerate(w["diversions"]):
        for j, m in enumerate(w["margins"]):
            got = 100 * cn.cmcr_bertrand([[0, d], [d, 0]], [m, m])[0]
            assert round(got, 1) == pytest.approx(w["printed"][i][j], abs=1e-9), (d, m)
    fw = R_ANTITRUST_OUTPUT["froeb_werden_grid"]
    for i, dh in enumerate(fw["delta_hhi"]):
        s = np.sqrt(dh / (2 * 100 ** 2))
        for j, e in enumerate(fw["elasticities"]):
            got = 100 * cn.cmcr_cournot([s, s], e, party=False)
            assert round(float(got), 1) == pytest.approx(fw["printed"][i][j], abs=1e-9), (dh, e)


def test_r_cournot_manual_example_as_r_printed_it():
    ex = R_ANTITRUST_OUTPUT["cmcr_cournot_manual"]
    s, e = ex["shares"], ex["elasticity"]
    assert 100 * cn.cmcr_cournot(s, e, party=False) == pytest.approx(ex["cost"], rel=1e-13)
    assert 100 * cn.cmcr_cournot(s, e, party=False, rel="price") == pytest.approx(
        ex["price"], rel=1e-13)
    np.testing.assert_allclose(100 * cn.cmcr_cournot(s, e), ex["cournot2_party_cost"],
                               rtol=1e-13)
    assert r_cmcr_cournot(s, e) == pytest.approx(ex["cost"], rel=1e-13)
    np.testing.assert_allclose(r_cmcr_cournot2(np.array(s) / e, party=True),
                               ex["cournot2_party_cost"], rtol=1e-13)


@pytest.mark.parametrize("case", range(len(R_ANTITRUST_OUTPUT["random_bertrand"])))
def test_fixed_random_inputs_as_r_printed_them(case):
    c = R_ANTITRUST_OUTPUT["random_bertrand"][case]
    p, m, D = np.array(c["prices"]), np.array(c["margins"]), np.array(c["D"])
    dv = D - np.eye(len(p))
    post = np.array(c["post"])
    for rel, key in (("cost", "cmcr"), ("price", "cmcr_price")):
        np.testing.assert_allclose(r_cmcr_bertrand(p, m, dv, c["owner"], post, rel=rel),
                                   c[key], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            100 * cn.cmcr_bertrand(D, m, p, kappa=_kappa_from_r(post),
                                   kappa_pre=_kappa_from_r(c["owner"]), rel=rel),
            c[key], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r_upp_bertrand(p, m, dv, c["owner"], post), c["upp"],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        100 * cn.guppi(D, m, p, kappa=_kappa_from_r(post), kappa_pre=_kappa_from_r(c["owner"])),
        c["upp"], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", range(len(R_ANTITRUST_OUTPUT["random_cournot"])))
def test_fixed_random_cournot_inputs_as_r_printed_them(case):
    c = R_ANTITRUST_OUTPUT["random_cournot"][case]
    s, e = c["shares"], c["elast"]
    for (party, rel), printed in c["cournot"].items():
        assert np.atleast_1d(r_cmcr_cournot(s, e, party=party, rel=rel)) == pytest.approx(
            printed, rel=1e-13)
        got = np.atleast_1d(100 * cn.cmcr_cournot(s, e, party=party, rel=rel))
        if party and rel == "price":
            # R's cmcr.cournot ignores rel when party = TRUE (it prints the cost figures);
            # the library, like R's cmcr.cournot2, gives kappa s_k / elasticity
            assert got == pytest.approx(c["cournot2_party_price"], rel=1e-13)
            assert got != pytest.approx(printed, rel=1e-3)
        else:
            assert got == pytest.approx(printed, rel=1e-13)
    np.testing.assert_allclose(r_cmcr_cournot2(np.array(s) / e, rel="price", party=True),
                               c["cournot2_party_price"], rtol=1e-13)


def _r_valid_post_ownership(rng, owner, k):
    """A partial ownerPost that R accepts: row j is the holdings of j's owner, each product's
    ownership shares across owners summing to one (unique rows' columns sum to 1)."""
    owners = sorted(set(owner))
    W = np.zeros((len(owners), k))
    for j, o in enumerate(owner):
        W[owners.index(o), j] = 1.0
    for j in range(k):
        src, dst = owners.index(owner[j]), int(rng.integers(len(owners)))
        if dst != src:
            t = float(rng.uniform(0, 0.6))
            W[src, j] -= t
            W[dst, j] += t
    return np.array([W[owners.index(o)] for o in owner])


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
    owner_pre = [0, 1] + [int(x) for x in rng.integers(0, k, k - 2)]   # two owners at least
    post = np.ones((k, k)) if seed % 3 == 0 else _r_valid_post_ownership(rng, owner_pre, k)
    kpost, kpre = _kappa_from_r(post), _kappa_from_r(owner_pre)
    np.testing.assert_allclose(
        100 * cn.guppi(D, margins, prices, kappa=kpost, kappa_pre=kpre),
        r_upp_bertrand(prices, margins, dv, owner_pre, post), rtol=1e-10, atol=1e-10)
    for rel in ("cost", "price"):
        np.testing.assert_allclose(
            100 * cn.cmcr_bertrand(D, margins, prices, kappa=kpost, kappa_pre=kpre, rel=rel),
            r_cmcr_bertrand(prices, margins, dv, owner_pre, post, rel=rel),
            rtol=1e-9, atol=1e-9)
    s = rng.dirichlet(np.ones(3))[:2]
    e = float(rng.uniform(max(s) + 0.1, 4))
    assert 100 * cn.cmcr_cournot(s, e, party=False) == pytest.approx(r_cmcr_cournot(s, e))
    assert 100 * cn.cmcr_cournot(s, e, party=False, rel="price") == pytest.approx(
        r_cmcr_cournot(s, e, rel="price"))
    np.testing.assert_allclose(100 * cn.cmcr_cournot(s, e), r_cmcr_cournot(s, e, party=True))
    for rel in ("cost", "price"):
        for party in (False, True):
            np.testing.assert_allclose(
                100 * cn.cmcr_cournot(s, e, party=party, rel=rel),
                r_cmcr_cournot2(s / e, rel=rel, party=party), rtol=1e-12)


def test_r_ownership_checks_and_a_partial_stake():
    prices, margins = np.array([10.0, 8.0]), np.array([0.4, 0.5])
    dv = np.array([[-1, 0.3], [0.25, -1]])
    # an ownerPost whose columns do not sum to one is an error in R
    with pytest.raises(RStop, match="unique rows"):
        r_cmcr_bertrand(prices, margins, dv, [0, 1], np.array([[1, 0.2], [0.5, 1]]))
    # a partial stake as R printed it: product 1's owner holds 20% of product 2 (row j of
    # ownerPost: the holdings of product j's owner), so kappa_12 = .2 and kappa_21 = 0
    post = np.array([[1, 0.2], [0, 0.8]])
    got = r_cmcr_bertrand(prices, margins, dv, [0, 1], post)
    np.testing.assert_allclose(got, R_ANTITRUST_OUTPUT["partial_owner_post"]["cmcr"],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        100 * cn.cmcr_bertrand(dv + np.eye(2), margins, prices, kappa=_kappa_from_r(post),
                               kappa_pre=_kappa_from_r([0, 1])),
        R_ANTITRUST_OUTPUT["partial_owner_post"]["cmcr"], rtol=1e-12, atol=1e-12)


def test_upp_with_efficiency_against_r_conventions():
    # R's upp.bertrand stops on a negative mcDelta, so a cost saving cannot be entered
    # there; the library's efficiency E is such a saving (Farrell-Shapiro's E_1 C_1).
    prices, margins = np.array([10.0, 8.0]), np.array([0.4, 0.5])
    D = np.array([[0, 0.3], [0.25, 0]])
    dv = D - np.eye(2)
    with pytest.raises(RStop, match="'mcDelta' must be positive"):
        r_upp_bertrand(prices, margins, dv, [0, 1], np.ones((2, 2)), mc_delta=[-0.1, 0])
    # a cost *increase* delta >= 0 is allowed: R values the sales diverted to product 1 at
    # its post-deal margin 1 - (1 - m_1)(1 + delta_1) and adds (1 - m_1) delta_1 for it
    delta = np.array([0.1, 0.0])
    r = r_upp_bertrand(prices, margins, dv, [0, 1], np.ones((2, 2)), mc_delta=delta)
    np.testing.assert_allclose(r, R_ANTITRUST_OUTPUT["upp_bertrand_cost_increase"]["upp"],
                               rtol=1e-12)
    m_post = 1 - (1 - margins) * (1 + delta)
    np.testing.assert_allclose(r, 100 * (cn.guppi(D, m_post, prices) + (1 - margins) * delta),
                               rtol=1e-12)
    # the library's UPP with a saving E_1 is GUPPI_1 - E_1 (1 - m_1), diverted sales at
    # pre-deal margins (Farrell-Shapiro)
    got = cn.upp(D, margins, prices, efficiency=[0.1, 0.0])
    assert got == pytest.approx(cn.guppi(D, margins, prices) - [0.1 * 0.6, 0.0], rel=1e-12)


# ---------------------------------------------------------------------------
# mergeron, transcribed


def mergeron_merging_diversion(form, r, s, aggr_purch_prob=None):
    """mergeron's merging-firm diversion ratios for one market (s: the two merging shares).

    src/mergeron/gen/data_generation_functions.py (commit 1325ffe97031):
    compute_merging_firm_diversion_ratios -- FIXED: r * s[::-1] / (1 - s); otherwise
    pp = aggr_purch_prob * s, pp[::-1] / (1 - pp); market_share_sampler sets, for INOUT,
    aggr_purch_prob = r / (1 - (1 - r) * min(s)); for OUTIN the Dirichlet draw's last
    column is the outside good, aggr_purch_prob = 1 - s_0, inside shares renormalised.
    """
    if form == "fixed":
        return [r * s[1] / (1 - s[0]), r * s[0] / (1 - s[1])]
    if form == "inside-out":
        aggr_purch_prob = r / (1 - (1 - r) * min(s[0], s[1]))
    pp = [aggr_purch_prob * s[0], aggr_purch_prob * s[1]]
    return [pp[1] / (1 - pp[0]), pp[0] / (1 - pp[1])]


def mergeron_upp(divr, pcm, price):
    """src/mergeron/gen/upp_tests.py (commit 010c7ac0a4b7), _upp_test_counts: guppi =
    divr * pcm[::-1] * price[::-1] / price; ipr = pcm * divr / (1 - divr);
    cmcr = ipr / (1 - pcm)."""
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
        g, i, _ = mergeron_upp(expected, pcm, price)
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
    # equal margins, prices and diversions: mergeron's ipr/(1-m) equals cmcr_bertrand,
    # and its ipr the CMCR as a fraction of price
    D = [[0, 0.3], [0.3, 0]]
    _, i, c = mergeron_upp([0.3, 0.3], [0.35, 0.35], [1, 1])
    assert cn.cmcr_bertrand(D, [0.35, 0.35]) == pytest.approx(c, rel=1e-12)
    assert cn.cmcr_bertrand(D, [0.35, 0.35], rel="price") == pytest.approx(i, rel=1e-12)
    assert cn.ipr(D, [0.35, 0.35]) == pytest.approx(i, rel=1e-12)
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


def test_r_upp_cournot_stops_and_its_stated_definition():
    # R 0.99.29's upp.cournot stops before computing (R_ANTITRUST_OUTPUT["upp_cournot_error"]);
    # what its code sets out to compute is upp.bertrand with diversions of 1 and one price
    m = np.array([0.2, 0.35])
    with pytest.raises(RStop, match="only matrix diagonals"):
        r_upp_cournot(5.0, m, [0, 1])
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
