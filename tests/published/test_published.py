"""Published-figure regression: every case of the shipped corpus is reproduced.

Cases whose source used another share basis (or has an arithmetic slip) are kept and
asserted to differ, with the reason in the case note -- never hidden.
"""

import json
from pathlib import Path

import pytest

from concentration.testing import (assert_matches_published, load_published_cases,
                                   verify_published)

HERE = Path(__file__).parent
CASES = json.loads((HERE / "published_cases.json").read_text(encoding="utf-8"))["cases"]


def test_corpus_size_and_citations():
    assert len(CASES) >= 15
    for c in CASES:
        for key in ("case_id", "document", "pinpoint", "read_at", "published", "tolerance"):
            assert c[key] != "" or key == "pinpoint"
        assert set(c["published"]) == set(c["tolerance"])
        if c["basis"] != "same":
            assert c["note"], c["case_id"]


def test_shipped_copy_is_the_same_corpus():
    assert load_published_cases() == CASES


@pytest.mark.parametrize("case", CASES, ids=[c["case_id"] for c in CASES])
def test_case_reproduced(case):
    table = verify_published([case])
    assert table["ok"].all(), table[~table["ok"]].to_string()
    if case["basis"] == "same":
        assert (table["status"] == "pass").all()
    else:
        assert (table["status"] == "documented_mismatch").any()


def test_assert_matches_published_raises():
    assert_matches_published(2600.2, 2600, tolerance=0.5)
    with pytest.raises(AssertionError, match="tolerance"):
        assert_matches_published(2601, 2600, tolerance=0.5, label="x")
