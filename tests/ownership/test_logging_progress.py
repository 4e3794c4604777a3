"""Long ownership work logs its stages and can show its progress."""
import logging

import pandas as pd
import pytest

import concentration as cn


@pytest.fixture
def holdings():
    rows = [(p, o, f, c) for p in ("2024Q1", "2024Q2")
            for o, f, c in (("Fund", "A", 0.2), ("Fund", "B", 0.1), ("Founder", "B", 0.5))]
    return cn.read_holdings(pd.DataFrame(rows, columns=["period", "owner", "firm",
                                                        "cash_flow"]))


def test_profit_weights_logs_its_stages(holdings, caplog):
    with caplog.at_level(logging.INFO, logger="concentration"):
        cn.profit_weights(holdings)
    text = [r.getMessage() for r in caplog.records if r.name == "concentration"]
    assert text[0].startswith("profit_weights: 2 holdings period(s), 2 owners, 2 firms")
    assert any("period 2024Q2: cross-ownership structure" in t for t in text)
    assert text[-1].startswith("profit_weights: done (")


def test_nothing_is_logged_by_default(holdings, capsys):
    cn.profit_weights(holdings)
    assert capsys.readouterr().err == ""


def test_progress_callbacks_count_the_periods(holdings):
    seen = []
    cn.profit_weights(holdings, progress=lambda d, t, lab: seen.append((d, t, lab)))
    assert seen == [(1, 2, "profit_weights"), (2, 2, "profit_weights")]
    shares = pd.DataFrame({"period": ["2024Q1"] * 2 + ["2024Q2"] * 2, "firm": ["A", "B"] * 2,
                           "share": [0.6, 0.4, 0.5, 0.5]})
    seen.clear()
    cn.mhhi(shares, holdings, progress=lambda d, t, lab: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]
    with pytest.raises(cn.exceptions.InvalidParameterError, match="progress"):
        cn.profit_weights(holdings, progress="yes")
