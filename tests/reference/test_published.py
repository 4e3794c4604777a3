"""Published-figure regression: every case of the shipped corpus is reproduced.

The corpus is the file the package ships, ``concentration._data/published_cases.json``
(``datasets/published_cases.json`` in the source tree), read through
:func:`concentration.testing.load_published_cases`; its SHA-256 is pinned here and in
``tests/reference/README.md``, so that an edit of the corpus is a deliberate one.

Cases of ``kind: "real"`` come from court opinions, agency complaints and
guideline texts; ``kind: "illustrative"`` cases are textbook or teaching worked
examples kept as arithmetic checks.  Cases whose source used another share basis
(or has an arithmetic slip) are kept and asserted to differ, with the reason in
the case note -- never hidden.
"""

import hashlib
import json
from pathlib import Path

import pytest

from concentration.datasets import bundled_file
from concentration.testing import (
    assert_matches_published,
    load_published_cases,
    reproduce_case,
    verify_published,
)

#: SHA-256 of the shipped corpus; change it (and README.md beside this file) with the corpus.
CORPUS_SHA256 = "cb3589eb6d26675c3e805adcf791eff418c44ff39e53b3ed6a786a10c1e318f0"

# the file load_published_cases() reads
SHIPPED = bundled_file("published_cases.json")
SOURCE = Path(__file__).resolve().parents[2] / "datasets" / "published_cases.json"
README = Path(__file__).with_name("README.md")

CASES = load_published_cases()
REAL = [c for c in CASES if c["kind"] == "real"]

#: Real cases currently in the corpus (court opinions, complaints, guideline texts).
#: The target is 15; raise this number as cases are added, never lower it.
REAL_CASES_AT_LEAST = 9

_REAL_SOURCES = {"court_opinion", "agency_complaint", "guideline_text", "paper"}


def test_corpus_size_and_citations():
    assert len(REAL) >= REAL_CASES_AT_LEAST
    assert len({c["case_id"] for c in CASES}) == len(CASES)
    for c in CASES:
        assert c["kind"] in ("real", "illustrative")
        for key in ("case_id", "title", "document", "pinpoint", "read_at", "published",
                    "tolerance"):
            assert c[key] != "", (c["case_id"], key)
        assert set(c["published"]) == set(c["tolerance"])
        if c["basis"] != "same":
            assert c["note"], c["case_id"]
        if "quote" in c:  # recorded for every case added since the field was introduced
            assert c["quote"].strip() and c.get("read_via", "").strip(), c["case_id"]
    for c in REAL:
        assert c["source_type"] in _REAL_SOURCES, c["case_id"]
        assert c["court_or_agency"] and c["date"], c["case_id"]
        assert c["read_at"].startswith("http"), c["case_id"]


def test_shipped_corpus_is_pinned():
    data = SHIPPED.read_bytes()
    assert hashlib.sha256(data).hexdigest() == CORPUS_SHA256, (
        "published_cases.json changed: check the edit, then update CORPUS_SHA256 here and "
        "the checksum in tests/reference/README.md")
    assert json.loads(data.decode("utf-8"))["cases"] == CASES
    assert CORPUS_SHA256 in README.read_text(encoding="utf-8")


@pytest.mark.skipif(not SOURCE.is_file(), reason="datasets/ is not beside tests/")
def test_source_corpus_is_the_shipped_one():
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == CORPUS_SHA256


@pytest.mark.parametrize("case", CASES, ids=[c["case_id"] for c in CASES])
def test_case_reproduced(case):
    table = verify_published([case])
    assert table["ok"].all(), table[~table["ok"]].to_string()
    assert (table["kind"] == case["kind"]).all()
    if case["basis"] == "same":
        assert (table["status"] == "pass").all()
    else:
        assert (table["status"] == "documented_mismatch").any()


# Each real case, asserted by hand as well (independently of verify_published).

def _case(case_id):
    return next(c for c in CASES if c["case_id"] == case_id)


def test_heinz_published_indices_differ_from_rounded_shares():
    got = reproduce_case(_case("heinz_2001_hhi"))
    # 2 x 17.4 x 15.4 = 535.92, not the published 510: another share basis (documented).
    assert got["delta_hhi"] == pytest.approx(2 * 17.4 * 15.4)
    assert got["pre_hhi"] == pytest.approx(65.0**2 + 17.4**2 + 15.4**2)
    assert abs(got["delta_hhi"] - 510) > 0.5


def test_heinz_combined_share():
    assert reproduce_case(_case("heinz_2001_combined_share"))["combined_share"] == \
        pytest.approx(32.8)


def test_hrblock_share_sum_and_combined_share():
    assert reproduce_case(_case("hrblock_2011_shares"))["share_sum"] == pytest.approx(90.6)
    got = reproduce_case(_case("hrblock_2011_combined_share"))
    assert got["combined_share"] == pytest.approx(28.4)
    # Below the 2023 share presumption (30%), whatever the HHI rule says.
    t = got["screen"].table
    assert not t.loc[t["guideline"] == "us2023", "rule"].str.contains("combined share").any()


def test_promedica_bound():
    got = reproduce_case(_case("promedica_2014_combined_above_50"))
    assert got["combined_share"] == pytest.approx(58.3)
    table = verify_published([_case("promedica_2014_combined_above_50")])
    assert table["published"].tolist() == ["> 50"]


@pytest.mark.parametrize("case_id", ["hmg1992_example_hhi_2600", "doj_hhi_explainer_2600"])
def test_guideline_hhi_example(case_id):
    assert reproduce_case(_case(case_id))["pre_hhi"] == pytest.approx(2600.0)


def test_guideline_delta_example():
    got = reproduce_case(_case("hmg1992_example_delta_100"))
    assert got["delta_hhi"] == pytest.approx(100.0)


def test_swedish_match_combined_share_and_presumptions():
    case = _case("swedish_match_2000_combined_share")
    got = reproduce_case(case)
    assert got["combined_share"] == pytest.approx(42 + 18)
    # The increase depends on the parties only: 2 x 42 x 18 = 1,512 points.
    assert got["delta_hhi"] == pytest.approx(2 * 42 * 18)
    # With only the parties listed the post-merger HHI is a lower bound (60^2 = 3,600),
    # already above every presumption threshold, so the verdicts do not depend on the fringe.
    assert got["post_hhi"] == pytest.approx(60.0**2)
    t = got["screen"].table.set_index("guideline")
    assert t.loc["us2023", "verdict"] == "presumed_anticompetitive"
    assert t.loc["us1992", "verdict"] == "presumed_anticompetitive"
    # The quote records the figures asserted.
    assert "approximately 60%" in case["quote"] and "42 percent" in case["quote"]


def test_every_real_case_has_a_hand_assertion():
    covered = {"heinz_2001_hhi", "heinz_2001_combined_share", "hrblock_2011_shares",
               "hrblock_2011_combined_share", "promedica_2014_combined_above_50",
               "hmg1992_example_hhi_2600", "doj_hhi_explainer_2600",
               "hmg1992_example_delta_100", "swedish_match_2000_combined_share"}
    assert {c["case_id"] for c in REAL} <= covered


def test_bound_that_fails_is_reported():
    case = dict(_case("promedica_2014_combined_above_50"))
    case["published"] = {"combined_share": {"gt": 60.0}}
    table = verify_published([case])
    assert table["status"].tolist() == ["fail"]


def test_assert_matches_published_raises():
    assert_matches_published(2600.2, 2600, tolerance=0.5)
    with pytest.raises(AssertionError, match="tolerance"):
        assert_matches_published(2601, 2600, tolerance=0.5, label="x")
