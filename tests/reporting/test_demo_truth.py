"""The demo report tells the truth: time, entities, as-of holdings, formats, parties.

One demo report is built for the module (it takes a few seconds) and read through its
JSON twin, as a CI pipeline or an agency economist would read it.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration import cli
from concentration.reporting import demo_inputs, report


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "report.html"
    r = report(**demo_inputs(), output=out)
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    return r, data


def _rows(table):
    return [dict(zip(table["columns"], row)) for row in table["rows"]]


def test_every_market_periods_in_order_of_their_start_dates(demo):
    _, data = demo
    rows = _rows(data["sections"]["indices"]["table"])
    assert rows
    by_market: dict = {}
    for r in rows:
        by_market.setdefault(r["market"], []).append(r)
    for m, rs in by_market.items():
        starts = [r["period_start"] for r in rs]
        assert all(s is not None for s in starts), m
        assert starts == sorted(starts), (m, [r["period"] for r in rs])
    # the markets whose labels sort wrongly as text are in time order
    menlo = [r["period"] for r in by_market["enterprise_llm_api_menlo"]]
    assert menlo == ["2023", "2024", "2025-mid", "2025-late"]
    canalys = [r["period"] for r in by_market["cloud_infra_canalys"]]
    assert canalys.index("2018Q4") == 0 and canalys[-1] == "2024Q2"


def test_latest_period_is_each_markets_latest_start(demo):
    _, data = demo
    rows = _rows(data["sections"]["indices"]["table"])
    latest_start = {}
    for r in rows:
        latest_start[r["market"]] = max(latest_start.get(r["market"], ""), r["period_start"])
    wanted = {m: {r["period"] for r in rows if r["market"] == m
                  and r["period_start"] == s} for m, s in latest_start.items()}
    late = _rows(data["sections"]["indices"]["latest_shares"])
    got: dict = {}
    for r in late:
        got.setdefault(r["market"], set()).add(r["period"])
    assert got == wanted
    assert got["enterprise_llm_api_menlo"] == {"2025-late"}


def test_every_market_with_rows_has_a_trend_panel(demo):
    r, data = demo
    sec = data["sections"]["indices"]
    markets = sorted({row["market"] for row in _rows(sec["table"])})
    assert sec["trend_panels"] == markets and len(markets) > 9
    trend = r.html[r.html.index("<figure"):r.html.index("Figure 1.")]
    for m in markets:  # each panel's title is drawn
        assert f">{m}</text>" in trend, m


def test_non_markets_are_flagged_and_left_out(demo):
    _, data = demo
    shares = cn.datasets.load("ai_market_shares")
    if "is_market" not in shares.columns:
        pytest.skip("the bundled shares have no is_market column")
    flagged = set(shares.loc[~shares["is_market"].astype(bool), "market"])
    shown = {row["market"] for row in _rows(data["sections"]["indices"]["table"])}
    assert flagged and not (flagged & shown)
    excluded = {x["market"] for x in data["sections"]["indices"]["excluded_markets"]}
    assert flagged <= excluded


def test_lower_bound_markets_carry_their_hhi_bounds(demo):
    r, data = demo
    rows = _rows(data["sections"]["indices"]["table"])
    low = [x for x in rows if x["lower_bound"]]
    assert low
    for x in low:
        assert x["hhi_min"] == pytest.approx(x["hhi"])
        assert x["hhi_max"] >= x["hhi"] - 1e-9
    x = next(x for x in low if x["hhi_max"] > x["hhi"] + 1)
    shown = f"{round(x['hhi']):,}–{round(x['hhi_max']):,}"
    assert shown in r.html


def test_mhhi_holdings_are_never_dated_after_the_period_end(demo):
    _, data = demo
    rows = _rows(data["sections"]["mhhi"]["table"])
    if "holdings_as_of" not in data["sections"]["mhhi"]["table"]["columns"]:
        pytest.skip("mhhi() does not report holdings_as_of")
    dated = [x for x in rows if x["holdings_as_of"] is not None]
    assert dated
    for x in dated:
        assert x["holdings_as_of"] <= x["period_end"], x
    before = [x for x in rows if x["holdings_as_of"] is None]
    assert before, "the shares start before any holdings: some periods have none"
    for x in before:
        assert x["mhhi_delta"] == pytest.approx(0.0, abs=1e-9)
        assert x["holdings_note"], x  # the reason is stated
    # no stake of the end of 2025 applied to 2018
    early = [x for x in rows if x["period_end"] < "2019-01-01"]
    assert early and all(x["mhhi_delta"] == pytest.approx(0.0, abs=1e-9) for x in early)


def test_google_meets_alphabets_owners_and_partners(demo):
    _, data = demo
    firms = {x["firm"] for x in _rows(data["sections"]["indices"]["latest_shares"])}
    assert "Alphabet" in firms and "Google" not in firms
    owners = _rows(data["sections"]["mhhi"]["table"])
    menlo = [x for x in owners if x["market"] == "enterprise_llm_api_menlo"
             and x["period"] == "2025-late"]
    assert menlo and menlo[0]["mhhi_delta"] > 0
    if "top_pair" in data["sections"]["mhhi"]["table"]["columns"]:
        assert "Alphabet" in menlo[0]["top_pair"] and "Anthropic" in menlo[0]["top_pair"]
    screen = data["sections"]["screen"]
    assert screen["merging"] == ["Microsoft", "Google"]
    assert any(x["overlap"] for x in _rows(screen["table"]))


def test_findings_come_first_and_answer_the_question(demo):
    r, data = demo
    assert r.sections[0] == "Findings"
    topics = [i["topic"] for i in data["sections"]["findings"]["items"]]
    for t in ("concentration", "ownership", "merger", "centrality", "centralization",
              "partnership"):
        assert t in topics
    assert r.html.index("id='findings'") < r.html.index("id='indices'")


def test_network_over_time_and_partnership_adjusted_hhi(demo):
    _, data = demo
    net = data["sections"]["network"]
    over = _rows(net["centrality_over_time"])
    years = sorted({x["period"][:4] for x in over})
    assert len(years) >= 5
    cz = net["centralization_over_time"]["rows"]
    assert len(cz) == len(years) and all(0 <= v <= 1 for _, v in cz if v is not None)
    part = _rows(data["sections"]["partnership"]["table"])
    assert part and all(x["weighted_hhi"] >= x["hhi"] - 1e-9 for x in part)
    allied = [x for x in part if x["partnership_delta"] > 0.5]
    assert allied and all(x["allied_pairs"] for x in allied)


# ------------------------------------------------------------------ formats and labels


def _table_cells(html, section):
    body = html[html.index(f"id='{section}'"):]
    body = body[:body.index("</section>")]
    return body


def test_one_number_format_per_quantity(demo):
    r, data = demo
    body = _table_cells(r.html, "indices")
    tables = re.findall(r"<table>(.*?)</table>", body, flags=re.DOTALL)
    table = next(t for t in tables if "<th>HHI</th>" in t)  # the indices, not the markets
    head = re.findall(r"<th>(.*?)</th>", table)
    assert head[:3] == ["Market", "Period", "HHI"]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    hhi_col = head.index("HHI")
    cr4_col = head.index("CR4")
    eff_col = head.index("Effective number of firms")
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", cells[hhi_col]), cells[hhi_col]
        assert re.fullmatch(r"\d+\.\d%", cells[cr4_col]), cells[cr4_col]
        assert re.fullmatch(r"\d+\.\d\d", cells[eff_col]), cells[eff_col]


def test_codes_are_labels_in_the_page_and_codes_in_the_json(demo):
    r, data = demo
    assert "effective_number" in data["sections"]["indices"]["table"]["columns"]
    assert "Effective number of firms" in r.html
    verdicts = {x["verdict"] for x in _rows(data["sections"]["screen"]["table"])}
    assert "presumed_anticompetitive" in verdicts
    screen = _table_cells(r.html, "screen")
    assert "Presumed anticompetitive" in screen
    assert not re.search(r"<td[^>]*>presumed_anticompetitive</td>", r.html)
    assert not re.search(r"<th>effective_number</th>", r.html)


def test_figure_axes_have_thousands_separators(demo):
    r, _ = demo
    trend = r.html[r.html.index("<figure"):r.html.index("Figure 1.")]
    assert ">2,000</text>" in trend and ">2000</text>" not in trend
    assert "1,800, above which" in r.html and "1,000, below which" in r.html


def test_each_warning_is_shown_once(demo):
    r, data = demo
    msgs = [m for i in data["sections"]["provenance"]["inputs"] for m in i["validation"]]
    facts = [m.split(" Policy ")[0] for m in msgs]
    assert len(facts) == len(set(facts))
    assert "MHHI covers the listed firms only" in _table_cells(r.html, "mhhi")


def test_format_helpers():
    from concentration._format import format_as, verdict_label

    assert format_as("points", 1421.7) == "1,422"
    assert format_as("points", 1337.6) == "1,338"
    assert format_as("percent", 0.61394) == "61.4%"
    assert format_as("decimal", 1.7749) == "1.77"
    assert format_as("centrality", 0.3) == "0.300"
    assert format_as("count", 12) == "12"
    assert format_as("points", float("nan")) == "–"
    assert format_as("date", pd.Timestamp("2025-12-31")) == "2025-12-31"
    assert verdict_label("presumed_anticompetitive") == "Presumed anticompetitive"
    assert verdict_label("outside_safe_harbour") == "Outside the safe harbours"


# ------------------------------------------------------------------ merging parties


def test_a_merging_party_not_in_the_data_is_a_typed_error_naming_the_closest():
    kw = demo_inputs()
    kw["merging"] = ("Microsoft", "Nonexistent")
    with pytest.raises(cn.exceptions.InvalidParameterError, match="Nonexistent"):
        report(**kw, output=None)
    kw["merging"] = ("Microsft", "Gogle")
    with pytest.raises(ValueError) as info:  # also a ValueError
        report(**kw, output=None)
    msg = str(info.value)
    assert "'Microsft'" in msg and "'Microsoft'" in msg and "'Google'" in msg


def test_an_alias_is_a_merging_party_through_the_entities():
    kw = demo_inputs()
    kw["merging"] = ("Microsoft", "Google Cloud")
    r = report(**kw, output=None)
    assert "screen" in r.data["sections"]


def test_cli_exits_non_zero_naming_the_missing_party(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["report", "--demo", "--merging", "Microsoft,Nonexistent", "-o",
                     str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--merging" in err and "'Nonexistent'" in err and "Closest names" in err
    assert not (tmp_path / "r.html").exists()
    code = cli.main(["report", "--demo", "--merging", "Microsft,Google", "-o",
                     str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code == 2 and "'Microsoft'" in err


def test_markets_option_and_unknown_market():
    kw = demo_inputs()
    r = report(**kw, markets="cloud_infra_synergy,iaas_public_gartner", output=None)
    shown = {row[0] for row in r.data["sections"]["indices"]["table"]["rows"]}
    assert shown == {"cloud_infra_synergy", "iaas_public_gartner"}
    with pytest.raises(cn.exceptions.InvalidParameterError, match="cloud_infra_synergy"):
        report(**kw, markets=["cloud_infra_synergi"], output=None)


def test_as_of_leaves_out_later_periods_and_holdings():
    kw = demo_inputs()
    r = report(**kw, as_of="2023-12-31", output=None)
    rows = _rows(r.data["sections"]["indices"]["table"])
    assert rows and max(x["period_start"] for x in rows) <= "2023-12-31"
    assert r.data["sections"]["network"]["as_of"] == "2023-12-31"
    years = r.data["sections"]["network"]["centralization_over_time"]["rows"]
    assert years[-1][0] == "2023-01-01"  # no year after the as-of date
    mh = _rows(r.data["sections"]["mhhi"]["table"])
    assert all(x.get("holdings_as_of") is None or x["holdings_as_of"] <= "2023-12-31"
               for x in mh)


def test_bad_new_options_are_typed_errors():
    for kw in ({"as_of": "not a date"}, {"max_age": "-3D"}, {"control_missing": "maybe"},
               {"non_markets": "yes"}, {"markets": 3}):
        with pytest.raises(cn.exceptions.InvalidParameterError):
            report(shares=pd.DataFrame({"firm": ["A"], "share": [1.0]}), output=None, **kw)


def test_control_missing_is_stated(tmp_path):
    shares = pd.DataFrame({"market": "m", "firm": ["A", "B"], "share": [0.5, 0.5]})
    holdings = pd.DataFrame({"owner": ["I", "I"], "firm": ["A", "B"],
                             "cash_flow": [0.5, 0.5], "control": [0.5, np.nan]})
    a = report(shares=shares, holdings=holdings, control_missing="cash_flow", output=None)
    b = report(shares=shares, holdings=holdings, control_missing="none", output=None)
    da = a.data["sections"]["mhhi"]
    db = b.data["sections"]["mhhi"]
    assert da["control_missing"] == "cash_flow" and db["control_missing"] == "none"
    assert "cash_flow" in a.html and "'none'" in b.html
    mh = {k: _rows(v["table"])[0]["mhhi_delta"] for k, v in (("a", da), ("b", db))}
    # gamma_B = 0.5 (cash flow): each weighs the other fully, MHHI delta
    # 2 * 10,000 * 0.5 * 0.5 = 5,000; gamma_B = 0: B has no controlling owner (own
    # profit only), A's managers weigh B fully: 10,000 * 0.5 * 0.5 = 2,500
    assert mh["a"] == pytest.approx(5000.0)
    assert mh["b"] == pytest.approx(2500.0)
