"""The report adds unilateral-effects screens when margins are given."""
import json

import pandas as pd
import pytest

import concentration as cn

SHARES = pd.DataFrame({"market": "m", "period": "2024", "firm": ["A", "B", "C"],
                       "share": [0.3, 0.2, 0.5]})


def test_no_margins_no_section():
    r = cn.report(shares=SHARES, merging=("A", "B"), output=None)
    assert "unilateral" not in r.data["sections"]


def test_margins_add_the_section_with_hand_checked_guppi(tmp_path):
    r = cn.report(shares=SHARES, merging=("A", "B"), margins={"A": 0.4, "B": 0.5},
                  output=tmp_path / "u.html")
    sec = r.data["sections"]["unilateral"]
    assert sec["margins"] == {"A": 0.4, "B": 0.5} and sec["diversion"] == "proportional"
    t = pd.DataFrame(sec["table"]["rows"], columns=sec["table"]["columns"])
    # diversion A -> B = s_B / (1 - s_A) = 0.2 / 0.7; GUPPI_A = D_AB m_B = 0.5 * 2/7
    guppi_a = t.loc[t["firm"] == "A", "guppi"].iloc[0]
    assert guppi_a == pytest.approx(0.5 * 0.2 / 0.7)
    html = (tmp_path / "u.html").read_text()
    assert "Unilateral effects of the hypothetical merger" in html
    assert "No threshold stated by the text" in html and "§6.1" in html
    assert "14.3%" in html  # GUPPI_A as a percentage
    json.dumps(r.data)
