"""read_13f / write_13f on small data sets in the SEC's Form 13F layout.

Every data set here is written by ``sec13f_fixture`` from the SEC's documented
field list (fictional filers, CUSIPs and share counts).  Each rule has its own
test, and every expected stake is computed by hand in the test:
stake = shares held / shares outstanding.
"""

import os
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import (DataFileError, DataQualityWarning, InvalidHoldingsError,
                                      InvalidParameterError, SchemaError)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sec13f_fixture import filing, included_manager, position, write_dataset  # noqa: E402

Q4, Q1 = "31-DEC-2024", "31-MAR-2025"
ALPHA, BETA, GAMMA = "11111A101", "22222B202", "33333C303"
SECURITIES = pd.DataFrame({"cusip": [ALPHA, BETA, GAMMA], "firm": ["Alpha", "Beta", "Gamma"]})
OUTSTANDING = pd.DataFrame({"firm": ["Alpha", "Beta", "Gamma"],
                            "shares": [1_000_000, 2_000_000, 500_000]})


def acc(cik, n):
    return f"{cik:010d}-25-{n:06d}"


def read(tmp_path, filings, positions, included=(), *, name="2025q1_form13f.zip", **kw):
    path = write_dataset(tmp_path / name, filings, positions, included)
    kw.setdefault("securities", SECURITIES)
    kw.setdefault("shares_outstanding", OUTSTANDING)
    return cn.read_13f(path, **kw)


def stakes(h):
    t = h.to_frame()
    return {(o, f): (round(b, 12), round(g, 12))
            for o, f, b, g in zip(t["owner"], t["firm"], t["cash_flow"], t["control"])}


def panel(h):
    t = h.to_frame()
    return {(str(p), o, f): (round(b, 12), round(g, 12)) for p, o, f, b, g in
            zip(t["period"], t["owner"], t["firm"], t["cash_flow"], t["control"])}


def report(h):
    return h.provenance["sec13f_report"]


# -- the basic read ------------------------------------------------------------------
def test_holdings_report_gives_shares_over_outstanding(tmp_path):
    a = acc(1001, 1)
    h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
             [position(a, ALPHA, 100_000), position(a, BETA, 50_000)])
    # 100,000 / 1,000,000 and 50,000 / 2,000,000; sole voting on every share
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1), ("1001", "Beta"): (0.025, 0.025)}
    assert h.periods == ["2024Q4"]
    q = report(h).quarters.loc["2024Q4"]
    assert (q["filings"], q["holdings_reports"], q["rows_read"], q["rows_kept"]) == (1, 1, 2, 2)


def test_zip_and_extracted_folder_read_alike(tmp_path):
    a = acc(1001, 1)
    f = [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")]
    p = [position(a, ALPHA, 100_000), position(a, GAMMA, 5_000)]
    zipped = read(tmp_path, f, p)
    folder = read(tmp_path, f, p, name="2025q1_form13f")
    assert stakes(zipped) == stakes(folder) == {("1001", "Alpha"): (0.1, 0.1),
                                                ("1001", "Gamma"): (0.01, 0.01)}


# -- amendments and notices -----------------------------------------------------------
def test_restatement_replaces_the_original(tmp_path):
    a1, a2 = acc(1001, 1), acc(1001, 2)
    h = read(tmp_path, [filing(a1, cik=1001, quarter=Q4, filed="14-FEB-2025"),
                        filing(a2, cik=1001, quarter=Q4, filed="03-MAR-2025", kind="13F-HR/A",
                               amendment_type="RESTATEMENT", amendment_no=1)],
             [position(a1, ALPHA, 100_000), position(a1, GAMMA, 50_000),
              position(a2, ALPHA, 150_000), position(a2, BETA, 20_000)])
    # the restatement alone: 150,000 / 1,000,000 and 20,000 / 2,000,000; Gamma is gone
    assert stakes(h) == {("1001", "Alpha"): (0.15, 0.15), ("1001", "Beta"): (0.01, 0.01)}
    r = report(h)
    assert r.replaced["accession"].tolist() == [a1]
    assert r.replaced["replaced_by"].tolist() == [a2]
    q = r.quarters.loc["2024Q4"]
    assert (q["restatements"], q["filings_replaced"], q["rows_replaced"]) == (1, 1, 2)


def test_new_holdings_amendment_adds_to_the_original(tmp_path):
    a1, a2 = acc(1001, 1), acc(1001, 2)
    h = read(tmp_path, [filing(a1, cik=1001, quarter=Q4, filed="14-FEB-2025"),
                        filing(a2, cik=1001, quarter=Q4, filed="03-MAR-2025", kind="13F-HR/A",
                               amendment_type="NEW HOLDINGS", amendment_no=1)],
             [position(a1, ALPHA, 100_000), position(a2, BETA, 40_000),
              position(a2, ALPHA, 10_000)])
    # Alpha: (100,000 + 10,000) / 1,000,000; Beta: 40,000 / 2,000,000
    assert stakes(h) == {("1001", "Alpha"): (0.11, 0.11), ("1001", "Beta"): (0.02, 0.02)}
    q = report(h).quarters.loc["2024Q4"]
    assert (q["new_holdings_amendments"], q["filings_replaced"]) == (1, 0)


def test_latest_restatement_wins_over_earlier_new_holdings(tmp_path):
    a1, a2, a3 = acc(1001, 1), acc(1001, 2), acc(1001, 3)
    h = read(tmp_path, [filing(a1, cik=1001, quarter=Q4, filed="14-FEB-2025"),
                        filing(a2, cik=1001, quarter=Q4, filed="20-FEB-2025", kind="13F-HR/A",
                               amendment_type="NEW HOLDINGS"),
                        filing(a3, cik=1001, quarter=Q4, filed="10-APR-2025", kind="13F-HR/A",
                               amendment_type="RESTATEMENT")],
             [position(a1, ALPHA, 100_000), position(a2, BETA, 40_000),
              position(a3, GAMMA, 25_000)])
    assert stakes(h) == {("1001", "Gamma"): (0.05, 0.05)}   # 25,000 / 500,000
    assert sorted(report(h).replaced["accession"]) == [a1, a2]


def test_amendment_in_a_later_data_set_applies_to_its_quarter(tmp_path):
    a1, a2 = acc(1001, 1), acc(1001, 2)
    first = write_dataset(tmp_path / "2025q1_form13f.zip",
                          [filing(a1, cik=1001, quarter=Q4, filed="14-FEB-2025")],
                          [position(a1, ALPHA, 100_000)])
    later = write_dataset(tmp_path / "2025q2_form13f.zip",
                          [filing(a2, cik=1001, quarter=Q4, filed="15-MAY-2025",
                                  kind="13F-HR/A", amendment_type="RESTATEMENT")],
                          [position(a2, ALPHA, 300_000)])
    for source in ([later, first], [first, later], str(tmp_path)):
        h = cn.read_13f(source, securities=SECURITIES, shares_outstanding=OUTSTANDING)
        assert stakes(h) == {("1001", "Alpha"): (0.3, 0.3)}
        assert report(h).quarters.loc["2024Q4", "filings_replaced"] == 1


def test_notice_filing_carries_no_holdings_and_replaces_nothing(tmp_path):
    a1, n1, n2 = acc(1001, 1), acc(1001, 2), acc(1002, 1)
    h = read(tmp_path, [filing(a1, cik=1001, quarter=Q4, filed="14-FEB-2025"),
                        filing(n1, cik=1001, quarter=Q4, filed="01-MAR-2025", kind="13F-NT"),
                        filing(n2, cik=1002, quarter=Q4, filed="14-FEB-2025", kind="13F-NT")],
             [position(a1, ALPHA, 100_000)])
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1)}
    assert "1002" not in h.owners
    q = report(h).quarters.loc["2024Q4"]
    assert (q["notices"], q["filings_replaced"], q["holdings_reports"]) == (2, 0, 1)


# -- rows that are not shares ---------------------------------------------------------
def test_put_and_call_rows_are_excluded(tmp_path):
    a = acc(1001, 1)
    h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
             [position(a, ALPHA, 100_000), position(a, ALPHA, 400_000, putcall="Put"),
              position(a, ALPHA, 300_000, putcall="CALL")])
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1)}    # the share row alone
    assert report(h).quarters.loc["2024Q4", "put_call"] == 2


def test_principal_amount_rows_are_excluded(tmp_path):
    a = acc(1001, 1)
    h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
             [position(a, BETA, 200_000), position(a, BETA, 5_000_000, kind="PRN")])
    assert stakes(h) == {("1001", "Beta"): (0.1, 0.1)}     # 200,000 / 2,000,000
    assert report(h).quarters.loc["2024Q4", "principal"] == 1


# -- securities to firms --------------------------------------------------------------
def test_unmatched_cusip_is_reported_not_dropped_silently(tmp_path):
    a = acc(1001, 1)
    with pytest.warns(DataQualityWarning, match="1 share row"):
        h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
                 [position(a, ALPHA, 100_000),
                  position(a, "99999Z909", 7_000, issuer="UNLISTED HOLDINGS")])
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1)}
    un = report(h).unmatched
    assert un[["cusip", "issuer", "rows", "shares"]].values.tolist() == [
        ["99999Z909", "UNLISTED HOLDINGS", 1, 7000.0]]
    assert report(h).quarters.loc["2024Q4", "unmatched_rows"] == 1


def test_six_character_issuer_prefix_and_nine_character_precedence(tmp_path):
    a = acc(1001, 1)
    secs = pd.DataFrame({"cusip": ["11111A", "11111A903"], "firm": ["Alpha", "Beta"]})
    h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
             [position(a, "11111A101", 60_000), position(a, "11111A209", 40_000),
              position(a, "11111A903", 10_000)], securities=secs)
    # Alpha: both classes by the issuer prefix, 100,000 / 1,000,000; the 9-character
    # key sends 11111A903 to Beta: 10,000 / 2,000,000
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1), ("1001", "Beta"): (0.005, 0.005)}


def test_securities_and_outstanding_by_period(tmp_path):
    a4, a1 = acc(1001, 1), acc(1001, 2)
    secs = pd.DataFrame({"cusip": [ALPHA, ALPHA], "firm": ["Alpha", "Alpha Successor"],
                         "period": ["2024Q4", "2025-03-31"]})
    out = pd.DataFrame({"firm": ["Alpha", "Alpha Successor"], "shares": [1_000_000, 4_000_000],
                        "period": ["31-DEC-2024", "2025Q1"]})
    h = read(tmp_path, [filing(a4, cik=1001, quarter=Q4, filed="14-FEB-2025"),
                        filing(a1, cik=1001, quarter=Q1, filed="15-MAY-2025")],
             [position(a4, ALPHA, 100_000), position(a1, ALPHA, 100_000)],
             securities=secs, shares_outstanding=out)
    t = h.to_frame().sort_values("period")
    assert t[["period", "firm"]].values.tolist() == [["2024Q4", "Alpha"],
                                                     ["2025Q1", "Alpha Successor"]]
    np.testing.assert_allclose(t["cash_flow"], [0.1, 0.025])    # 100k/1M, 100k/4M


def test_shares_outstanding_per_security_sums_the_classes(tmp_path):
    a = acc(1001, 1)
    secs = pd.DataFrame({"cusip": ["11111A101", "11111A200", "11111A309"],
                         "firm": ["Alpha"] * 3})
    out = pd.DataFrame({"cusip": ["11111A101", "11111A200"], "shares": [800_000, 200_000]})
    with pytest.warns(DataQualityWarning):
        h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
                 [position(a, "11111A101", 80_000), position(a, "11111A200", 20_000),
                  position(a, "11111A309", 9_999)], securities=secs, shares_outstanding=out)
    # (80,000 + 20,000) / (800,000 + 200,000); the class without a count is reported
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1)}
    un = report(h).unmatched
    assert un[["cusip", "reason"]].values.tolist() == [["11111A309", "no shares outstanding"]]


# -- managers -------------------------------------------------------------------------
def test_manager_families_are_consolidated_before_stakes_are_summed(tmp_path):
    a1, a2, a3 = acc(3001, 1), acc(3002, 1), acc(3003, 1)
    h = read(tmp_path, [filing(a1, cik=3001, quarter=Q4, filed="14-FEB-2025"),
                        filing(a2, cik=3002, quarter=Q4, filed="14-FEB-2025"),
                        filing(a3, cik=3003, quarter=Q4, filed="14-FEB-2025")],
             [position(a1, ALPHA, 50_000), position(a2, ALPHA, 30_000),
              position(a2, BETA, 100_000), position(a3, ALPHA, 20_000)],
             managers={"0000003001": "Fictional Family", 3002: "Fictional Family"})
    # (50,000 + 30,000) / 1,000,000 for the family; 3003 stays itself
    assert stakes(h) == {("Fictional Family", "Alpha"): (0.08, 0.08),
                         ("Fictional Family", "Beta"): (0.05, 0.05),
                         ("3003", "Alpha"): (0.02, 0.02)}


def test_other_included_managers_as_the_filing_declares_them(tmp_path):
    a = acc(4001, 1)
    f = [filing(a, cik=4001, quarter=Q4, filed="14-FEB-2025")]
    p = [position(a, ALPHA, 100_000, other="1"), position(a, BETA, 200_000, other="1,2"),
         position(a, GAMMA, 50_000)]
    om = [included_manager(a, 1, cik=4002), included_manager(a, 2, cik=4003)]
    filer = read(tmp_path, f, p, om)
    assert stakes(filer) == {("4001", "Alpha"): (0.1, 0.1), ("4001", "Beta"): (0.1, 0.1),
                             ("4001", "Gamma"): (0.1, 0.1)}
    moved = read(tmp_path, f, p, om, included_managers="included", name="again.zip")
    # the row naming one included manager (sequence 1 -> CIK 4002) goes to it; the row
    # naming two stays with the filer
    assert stakes(moved) == {("4002", "Alpha"): (0.1, 0.1), ("4001", "Beta"): (0.1, 0.1),
                             ("4001", "Gamma"): (0.1, 0.1)}
    assert report(moved).quarters.loc["2024Q4", "rows_to_included_managers"] == 1


# -- stakes above one -------------------------------------------------------------------
def _double_filing():
    p, s = acc(2001, 1), acc(2002, 1)
    filings = [filing(p, cik=2001, quarter=Q4, filed="14-FEB-2025", name="Parent Fictional"),
               filing(s, cik=2002, quarter=Q4, filed="14-FEB-2025", name="Sub Fictional")]
    positions = [position(p, GAMMA, 300_000), position(p, ALPHA, 10_000),
                 position(s, GAMMA, 300_000), position(s, BETA, 2_000)]
    return filings, positions


def test_double_filing_above_one_is_an_error_naming_the_managers(tmp_path):
    with pytest.raises(InvalidHoldingsError) as err:
        read(tmp_path, *_double_filing())
    msg = str(err.value)
    # 2 x 300,000 / 500,000 = 1.2
    assert "'Gamma'" in msg and "1.2" in msg and "2001" in msg and "2002" in msg
    assert "33333C303: 300,000 shares by CIK 2001, 2002" in msg
    assert err.value.report["above_one"]["firm"].tolist() == ["Gamma"]


def test_double_filing_dropped_firm_quarter_is_reported(tmp_path):
    with pytest.warns(DataQualityWarning, match="1 firm-quarter"):
        h = read(tmp_path, *_double_filing(), above_one="drop")
    assert stakes(h) == {("2001", "Alpha"): (0.01, 0.01), ("2002", "Beta"): (0.001, 0.001)}
    above = report(h).above_one
    assert above[["period", "firm", "policy"]].values.tolist() == [["2024Q4", "Gamma", "drop"]]
    assert above["cash_flow"].iloc[0] == pytest.approx(1.2)
    assert above["managers"].iloc[0] == "2001 (0.6), 2002 (0.6)"


def test_consolidating_parent_and_subsidiary_sums_their_filings(tmp_path):
    # mapped to one family, the double filing is one manager holding 120 %: still an error
    with pytest.raises(InvalidHoldingsError, match="Fictional Group"):
        read(tmp_path, *_double_filing(), managers={2001: "Fictional Group",
                                                    2002: "Fictional Group"})


# -- voting authority -------------------------------------------------------------------
@pytest.mark.parametrize("rule, control, given", [
    ("cash_flow", 0.1, False),      # every share votes: 100,000 / 1,000,000
    ("sole_shared", 0.08, True),    # (50,000 + 30,000) / 1,000,000
    ("sole", 0.05, True),           # 50,000 / 1,000,000
])
def test_each_voting_rule(tmp_path, rule, control, given):
    a = acc(1001, 1)
    h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
             [position(a, ALPHA, 100_000, sole=50_000, shared=30_000, none=20_000)],
             control=rule)
    assert stakes(h) == {("1001", "Alpha"): (0.1, control)}
    assert h.control_given is given
    assert report(h).rules["control"] == rule


def test_voting_authority_above_the_shares_is_capped_and_counted(tmp_path):
    a = acc(1001, 1)
    h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
             [position(a, ALPHA, 100_000, sole=120_000, shared=0, none=0)], control="sole")
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1)}
    assert report(h).quarters.loc["2024Q4", "voting_mismatch_rows"] == 1


# -- kappa ------------------------------------------------------------------------------
def test_kappa_from_the_data_set_equals_kappa_from_hand_built_holdings(tmp_path):
    b, v, s, x = acc(5001, 1), acc(5002, 1), acc(5003, 1), acc(5004, 1)
    fs = [filing(a, cik=c, quarter=Q4, filed="14-FEB-2025")
          for a, c in ((b, 5001), (v, 5002), (s, 5003), (x, 5004))]
    fs.append(filing(acc(5004, 2), cik=5004, quarter=Q4, filed="01-MAR-2025", kind="13F-HR/A",
                     amendment_type="NEW HOLDINGS"))
    ps = [position(b, ALPHA, 70_000, sole=50_000, shared=0, none=20_000),
          position(b, BETA, 120_000, sole=100_000, shared=20_000, none=0),
          position(v, ALPHA, 80_000, sole=0, shared=80_000, none=0),
          position(v, GAMMA, 40_000, sole=10_000, shared=0, none=30_000),
          position(s, BETA, 300_000), position(s, BETA, 1_000, putcall="Put"),
          position(x, GAMMA, 25_000), position(acc(5004, 2), ALPHA, 10_000)]
    h = read(tmp_path, fs, ps, managers={5001: "Fund B", 5002: "Fund V", 5003: "Fund S",
                                         5004: "Fund X"})
    # the same positions by hand: shares held / outstanding, voting = sole + shared
    hand = pd.DataFrame({
        "owner": ["Fund B", "Fund B", "Fund V", "Fund V", "Fund S", "Fund X", "Fund X"],
        "firm": ["Alpha", "Beta", "Alpha", "Gamma", "Beta", "Gamma", "Alpha"],
        "cash_flow": [0.07, 0.06, 0.08, 0.08, 0.15, 0.05, 0.01],
        "control": [0.05, 0.06, 0.08, 0.02, 0.15, 0.05, 0.01]})
    expected = cn.profit_weights(cn.read_holdings(hand, period=None, control="control"))
    got = cn.profit_weights(h, period="2024Q4")
    got = got.loc[expected.index, expected.columns]
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float),
                               rtol=1e-12)
    assert not np.allclose(expected.to_numpy(dtype=float), expected.to_numpy(dtype=float).T)


# -- report -----------------------------------------------------------------------------
def test_report_is_kept_in_provenance_and_displays_escaped(tmp_path):
    a = acc(1001, 1)
    with pytest.warns(DataQualityWarning):
        h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
                 [position(a, ALPHA, 100_000),
                  position(a, "99999Z909", 5, issuer="<script>x</script>")])
    r = h.provenance["sec13f_report"]
    assert isinstance(r, cn.SEC13FReport)
    assert r.to_frame().index.tolist() == ["2024Q4"]
    html = r._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "rows read" in str(r.summary())
    assert h.provenance["rules"]["control"] == "sole_shared"
    assert r.to_dict()["quarters"]["2024Q4"]["unmatched_rows"] == 1
    # the Holdings' own display carries the quarter's validation report, escaped
    shown = h._repr_html_()
    assert "Form 13F validation: quarters 1, rows read 2" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_quarters_option_selects_report_quarters(tmp_path):
    a4, a1 = acc(1001, 1), acc(1001, 2)
    f = [filing(a4, cik=1001, quarter=Q4, filed="14-FEB-2025"),
         filing(a1, cik=1001, quarter=Q1, filed="15-MAY-2025")]
    p = [position(a4, ALPHA, 100_000), position(a1, ALPHA, 200_000)]
    h = read(tmp_path, f, p, quarters=["2025Q1"])
    assert h.periods == ["2025Q1"] and stakes(h) == {("1001", "Alpha"): (0.2, 0.2)}
    with pytest.raises(InvalidParameterError, match="quarters"):
        read(tmp_path, f, p, quarters="2019Q1", name="other.zip")


# -- errors -----------------------------------------------------------------------------
def test_invalid_options_and_inputs_are_typed_errors(tmp_path):
    a = acc(1001, 1)
    f = [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")]
    p = [position(a, ALPHA, 100_000)]
    path = write_dataset(tmp_path / "d.zip", f, p)
    kw = {"securities": SECURITIES, "shares_outstanding": OUTSTANDING}
    with pytest.raises(InvalidParameterError, match="'control' parameter of read_13f"):
        cn.read_13f(path, control="votes", **kw)
    with pytest.raises(InvalidParameterError, match="'above_one'"):
        cn.read_13f(path, above_one="cap", **kw)
    with pytest.raises(SchemaError, match="'securities' table needs column"):
        cn.read_13f(path, securities=SECURITIES.rename(columns={"firm": "name"}),
                    shares_outstanding=OUTSTANDING)
    with pytest.raises(InvalidParameterError, match="neither 9 characters"):
        cn.read_13f(path, securities=pd.DataFrame({"cusip": ["1234"], "firm": ["A"]}),
                    shares_outstanding=OUTSTANDING)
    with pytest.raises(InvalidParameterError, match="above zero"):
        cn.read_13f(path, securities=SECURITIES,
                    shares_outstanding=OUTSTANDING.assign(shares=0))
    with pytest.raises(DataFileError, match="does not exist"):
        cn.read_13f(tmp_path / "missing.zip", **kw)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match="holds no Form 13F data set"):
        cn.read_13f(tmp_path / "empty", **kw)
    broken = write_dataset(tmp_path / "broken", f, p)
    info = os.path.join(broken, "INFOTABLE.tsv")
    with open(info, encoding="utf-8") as fh:
        text = fh.read().replace("SSHPRNAMTTYPE", "SHARETYPE")
    with open(info, "w", encoding="utf-8") as fh:
        fh.write(text)
    with pytest.raises(SchemaError, match=r"INFOTABLE table .* no column\(s\) \['SSHPRNAMTTYPE'\]"):
        cn.read_13f(broken, **kw)


# -- many quarters: Parquet and Dask ------------------------------------------------------
def _two_quarters(tmp_path):
    a4, a1, b1 = acc(1001, 1), acc(1001, 2), acc(1002, 1)
    (tmp_path / "sets").mkdir()
    first = write_dataset(tmp_path / "sets" / "2025q1_form13f.zip",
                          [filing(a4, cik=1001, quarter=Q4, filed="14-FEB-2025")],
                          [position(a4, ALPHA, 100_000), position(a4, BETA, 10_000)])
    later = write_dataset(tmp_path / "sets" / "2025q2_form13f.zip",
                          [filing(a1, cik=1001, quarter=Q1, filed="15-MAY-2025"),
                           filing(b1, cik=1002, quarter=Q4, filed="16-MAY-2025",
                                  kind="13F-HR/A", amendment_type="NEW HOLDINGS")],
                          [position(a1, ALPHA, 200_000), position(b1, GAMMA, 50_000)])
    return [first, later]


@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_write_13f_parquet_reads_back_as_read_13f(tmp_path, engine):
    if engine == "dask":
        pytest.importorskip("dask")
    sources = _two_quarters(tmp_path)
    kw = {"securities": SECURITIES, "shares_outstanding": OUTSTANDING}
    out = tmp_path / "holdings"
    rep = cn.write_13f(sources, out, engine=engine, **kw)
    assert sorted(os.listdir(out)) == ["period=2024Q4", "period=2025Q1"]
    back = cn.read_holdings(out, control="control")
    direct = cn.read_13f(sources, **kw)
    # 2024Q4: 100,000 / 1M, 10,000 / 2M and the later new-holdings amendment of 1002
    # (no original) 50,000 / 500,000; 2025Q1: 200,000 / 1M
    assert panel(back) == panel(direct) == {
        ("2024Q4", "1001", "Alpha"): (0.1, 0.1), ("2024Q4", "1001", "Beta"): (0.005, 0.005),
        ("2024Q4", "1002", "Gamma"): (0.1, 0.1), ("2025Q1", "1001", "Alpha"): (0.2, 0.2)}
    assert rep.quarters.loc["2024Q4", "amendments_without_original"] == 1
    pd.testing.assert_frame_equal(rep.quarters, report(direct).quarters)
    assert back.provenance["source"] == "SEC Form 13F data sets"
    with pytest.raises(InvalidParameterError, match="new or empty folder"):
        cn.write_13f(sources, out, **kw)


def test_write_13f_takes_a_client_only_with_dask(tmp_path):
    with pytest.raises(InvalidParameterError, match="'client' parameter of write_13f"):
        cn.write_13f(_two_quarters(tmp_path), tmp_path / "o", securities=SECURITIES,
                     shares_outstanding=OUTSTANDING, client=object())


def test_quarter_label_accepts_sec_dates_and_labels():
    from concentration.ownership._sec13f import quarter_label

    assert [quarter_label(v) for v in ("31-DEC-2024", "2025q1", "2025-06-30",
                                       pd.Period("2025-08", "M"))] == \
        ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError):
            quarter_label("not a date")


def test_write_13f_on_a_cluster_equals_the_pandas_engine(tmp_path):
    distributed = pytest.importorskip("distributed")
    sources = _two_quarters(tmp_path)
    kw = {"securities": SECURITIES, "shares_outstanding": OUTSTANDING}
    local = cn.write_13f(sources, tmp_path / "local", **kw)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  memory_limit="1GiB") as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            remote = cn.write_13f(sources, tmp_path / "remote", engine="dask", client=client,
                                  **kw)
    pd.testing.assert_frame_equal(remote.quarters, local.quarters)
    assert panel(cn.read_holdings(tmp_path / "remote", control="control")) == \
        panel(cn.read_holdings(tmp_path / "local", control="control"))


def test_rows_with_the_wrong_number_of_fields_are_skipped_and_counted(tmp_path):
    a = acc(1001, 1)
    with pytest.warns(DataQualityWarning, match="1 information-table row"):
        h = read(tmp_path, [filing(a, cik=1001, quarter=Q4, filed="14-FEB-2025")],
                 [position(a, ALPHA, 100_000),
                  position(a, BETA, 500_000, issuer="BETA\tHOLDINGS")],   # a tab in the name
                 name="folder")
    assert stakes(h) == {("1001", "Alpha"): (0.1, 0.1)}
    assert report(h).quarters.loc["2024Q4", "rows_unparsable"] == 1
