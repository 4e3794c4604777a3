"""Published MHHI / profit-weight examples and published rules, reproduced.

The cases live in ``tests/reference/mhhi_published.json``, each with its source, the
address where its text was read, the quoted words the numbers come from, and how
the source's setting maps onto this library's inputs (``normalisation``).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.ownership._mhhi import _screen_column

DATA = Path(__file__).parent / "mhhi_published.json"
CASES = {c["id"]: c for c in json.loads(DATA.read_text(encoding="utf-8"))["cases"]}


def _holdings(case):
    inp = case["inputs"]
    df = pd.DataFrame(inp["holdings"], columns=inp["holdings_columns"])
    control = "votes" if inp["control_model"] == "voting" else None
    return cn.read_holdings(df, control=control)


def test_every_case_is_cited():
    assert len(CASES) >= 4
    for c in CASES.values():
        for key in ("source", "pinpoint", "url", "quote", "normalisation", "expected"):
            assert c[key], (c["id"], key)
        assert c["url"].startswith("https://")
        assert c["kind"] in ("published_figure", "published_rule", "definition")


@pytest.mark.parametrize("cid", [c for c in CASES if "kappa" in CASES[c]["expected"]])
def test_kappa_cases(cid):
    case = CASES[cid]
    k = cn.profit_weights(_holdings(case), control_model=case["inputs"]["control_model"])
    for pair, want in case["expected"]["kappa"].items():
        j, other = pair.split("|")
        # row j = the firm whose managers weigh, column = the firm whose profit is weighed
        assert k.loc[j, other] == pytest.approx(want, abs=case["tolerance"]), pair


def test_salop_silent_interest_is_not_symmetric():
    case = CASES["salop2014_passive_25pct_interest"]
    k = cn.profit_weights(_holdings(case), control_model="voting")
    # transposing kappa would give A weight 0 on B and B weight .25 on A: both fail
    assert k.loc["A", "B"] != k.loc["B", "A"]


def test_two_equal_airlines():
    case = CASES["two_equal_airlines_common_owners"]
    r = cn.mhhi(case["inputs"]["shares"], _holdings(case),
                control_model=case["inputs"]["control_model"])
    for col, want in case["expected"].items():
        assert getattr(r, col) == pytest.approx(want, abs=case["tolerance"]), col


def test_elhauge_threshold_points():
    case = CASES["elhauge2016_enforcement_threshold"]
    pts = np.array(case["inputs"]["points"])
    verdicts, cite = _screen_column(pts[:, 0], pts[:, 1], "mhhi_elhauge2016")
    assert list(verdicts) == case["expected"]["verdicts"]
    assert "Harvard Law Review 129" in cite


def _bcs_calc_kappa_clwy(betas):
    """Transcription of the replication package's formula (investors x firms)."""
    gamma = betas / np.maximum(betas.sum(axis=1), 1e-10)[:, None]
    numer = gamma.T @ betas
    return numer / np.diag(numer)[:, None]


def test_size_model_is_bcs_clwy_on_random_holdings():
    rng = np.random.default_rng(2021)
    for _ in range(10):
        n_inv, n_firm = int(rng.integers(2, 7)), int(rng.integers(2, 6))
        betas = rng.uniform(0.0, 0.2, size=(n_inv, n_firm))
        betas[rng.random(betas.shape) < 0.35] = 0.0
        betas[0] = np.maximum(betas[0], 0.01)   # every firm has a holder
        rows = [(f"s{i}", f"f{j}", float(betas[i, j]))
                for i in range(n_inv) for j in range(n_firm) if betas[i, j] > 0]
        h = cn.read_holdings(pd.DataFrame(rows, columns=["owner", "firm", "cash_flow"]))
        firms = [f"f{j}" for j in range(n_firm)]
        k = cn.profit_weights(h, control_model="size", firms=firms).to_numpy()
        np.testing.assert_allclose(k, _bcs_calc_kappa_clwy(betas), rtol=1e-12, atol=1e-14)


def test_size_model_differs_from_proportional_on_the_hand_case():
    case = CASES["bcs2021_clwy_size_control"]
    k = cn.profit_weights(_holdings(case), control_model="proportional")
    assert k.loc["A", "B"] == pytest.approx(0.2)
