"""The HTML report: determinism, escaping, provenance, JSON numbers, a real browser."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.reporting import demo_inputs, report

XSS = "<script>alert(1)</script>"


def _shares(firm_b="B"):
    return pd.DataFrame({
        "market": ["cloud"] * 6 + ["api"] * 4,
        "period": ["2023", "2023", "2024", "2024", "2025", "2025", "2024", "2024", "2025",
                   "2025"],
        "firm": ["A", firm_b, "A", firm_b, "A", firm_b, "X", "Y", "X", "Y"],
        "share": [0.6, 0.4, 0.5, 0.5, 0.7, 0.3, 0.9, 0.1, 0.8, 0.2],
    })


def test_two_runs_give_identical_bytes(tmp_path):
    paths = []
    for i in range(2):
        out = tmp_path / f"r{i}.html"
        r = report(shares=_shares(), output=out, json_output=tmp_path / "same.json"
                   if i == 0 else tmp_path / "same2.json")
        paths.append((out, r))
    (a, ra), (b, rb) = paths
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "same.json").read_bytes() == (tmp_path / "same2.json").read_bytes()
    assert ra.sha256 == rb.sha256 == hashlib.sha256(a.read_bytes()).hexdigest()
    assert "<svg" in ra.html  # a figure was rendered and still the bytes agree


def test_demo_report_is_deterministic(tmp_path):
    r1 = report(**demo_inputs(), output=tmp_path / "a.html")
    r2 = report(**demo_inputs(), output=tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert r1.sha256 == r2.sha256
    # no absolute path of this machine leaks into the document
    assert os.path.dirname(os.path.abspath(demo_inputs()["shares"])) not in r1.html


def test_integer_years_and_firm_ids_are_labels(tmp_path):
    # years and firm ids are labels: written as they are, the merging parties named as
    # text (as the command line gives them) are the firms with those ids
    df = pd.DataFrame({"market": ["m"] * 3 + ["n"] * 2, "period": [2024] * 5,
                       "firm": [12, 40, 7, 12, 7], "share": [0.5, 0.3, 0.2, 0.6, 0.4]})
    r = report(shares=df, merging="12,40", margins={"12": 0.4, "40": 0.5},
               output=tmp_path / "ids.html")
    text = (tmp_path / "ids.html").read_text(encoding="utf-8")
    assert "<td>2024</td>" in text and "2,024" not in text
    assert "<td>12</td>" in text
    screen = r.data["sections"]["screen"]
    assert screen["merging"] == [12, 40]
    assert "unilateral" in r.data["sections"]
    with pytest.raises(cn.exceptions.InvalidParameterError, match="'41'"):
        report(shares=df, merging="12,41", output=tmp_path / "bad.html")
    # market numbers named as text select those markets
    numbered = df.assign(market=df["market"].map({"m": 1, "n": 2}))
    r = report(shares=numbered, markets="2", output=tmp_path / "one.html")
    assert {row[0] for row in r.data["sections"]["indices"]["table"]["rows"]} == {2}
    with pytest.raises(cn.exceptions.InvalidParameterError, match="'3'"):
        report(shares=numbered, markets="3", output=tmp_path / "none.html")


def test_firm_names_are_escaped(tmp_path):
    df = _shares(firm_b=XSS)
    df.loc[df["market"] == "api", "market"] = '<img src=x onerror="alert(2)">'
    r = report(shares=df, output=tmp_path / "x.html", title=f"Title {XSS}")
    text = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "<img" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in text
    # the JSON keeps the name verbatim: it is data, not markup
    data = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    firms = [row[2] for row in data["sections"]["indices"]["latest_shares"]["rows"]]
    assert XSS in firms
    assert r.data["title"] == f"Title {XSS}"


def test_json_holds_the_numbers(tmp_path):
    r = report(shares=_shares(), output=tmp_path / "n.html")
    data = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(r.data))
    table = data["sections"]["indices"]["table"]
    cols = table["columns"]
    rows = {(row[cols.index("market")], row[cols.index("period")]): row for row in table["rows"]}
    hhi = cols.index("hhi")
    # hand-computed: 0.6^2 + 0.4^2 = 0.52; 0.5^2 * 2 = 0.5; 0.7^2 + 0.3^2 = 0.58; 0.81 + 0.01
    np.testing.assert_allclose(rows[("cloud", "2023")][hhi], 5200.0)
    np.testing.assert_allclose(rows[("cloud", "2024")][hhi], 5000.0)
    np.testing.assert_allclose(rows[("cloud", "2025")][hhi], 5800.0)
    np.testing.assert_allclose(rows[("api", "2024")][hhi], 8200.0)
    np.testing.assert_allclose(rows[("api", "2024")][cols.index("effective_number")],
                               10_000 / 8200)
    # the HTML shows the same numbers, formatted
    assert "5,200" in r.html and "8,200" in r.html


def test_provenance_sha_rows_and_metadata(tmp_path):
    path = tmp_path / "shares.parquet"
    cn.write_parquet(_shares(), path, provenance={"source": "Example survey <2025>",
                                                  "licence": "CC-BY-4.0"})
    r = report(shares=str(path), output=tmp_path / "p.html")
    inputs = r.data["sections"]["provenance"]["inputs"]
    assert inputs[0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert inputs[0]["rows"] == 10
    assert inputs[0]["provenance"]["source"] == "Example survey <2025>"
    assert "Example survey &lt;2025&gt;" in r.html
    assert inputs[0]["sha256"] in r.html


def test_validation_warnings_are_reported_not_raised(tmp_path):
    df = _shares()
    df.loc[1, "share"] = 0.2  # cloud 2023 sums to 0.8: a fringe
    r = report(shares=df, output=None)
    msgs = r.data["sections"]["provenance"]["inputs"][0]["validation"]
    assert any("FringeWarning" in m and "0.8" in m for m in msgs)
    cols = r.data["sections"]["indices"]["table"]["columns"]
    row = r.data["sections"]["indices"]["table"]["rows"][
        [tuple(x[:2]) for x in r.data["sections"]["indices"]["table"]["rows"]].index(
            ("cloud", "2023"))]
    assert row[cols.index("lower_bound")] is True


def test_no_external_resources_and_csp(tmp_path):
    r = report(**demo_inputs(), output=tmp_path / "d.html")
    text = r.html
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert "<script" not in text.lower() and "<link" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert not re.search(r"url\(\s*['\"]?https?:", text)
    assert "@import" not in text


def test_demo_sections_and_skips_are_stated(tmp_path):
    r = report(**demo_inputs(), output=tmp_path / "d.html")
    assert r.sections[0] == "Findings"
    assert "Data provenance" in r.sections
    assert "Concentration by market and period" in r.sections
    assert r.sections[-2:] == ("Methodology", "Library version and parameters")
    frame = r.to_frame()
    assert list(frame.columns) == ["section", "produced", "reason"]
    for s in r.skipped:  # anything not produced is said in the document
        assert s.split(":")[0] in r.html or "Sections not produced" in r.html


def test_config_file(tmp_path):
    cn.write_parquet(_shares(), tmp_path / "s.parquet")
    (tmp_path / "report.toml").write_text(
        'shares = "s.parquet"\ntitle = "From TOML"\noutput = "out.html"\n', encoding="utf-8")
    r = report(config=tmp_path / "report.toml")
    assert r.output == str(tmp_path / "out.html")
    assert os.path.exists(tmp_path / "out.html") and os.path.exists(tmp_path / "out.json")
    assert r.data["title"] == "From TOML"
    # explicit arguments win over the file
    r2 = report(config=tmp_path / "report.toml", title="Explicit", output=None)
    assert r2.data["title"] == "Explicit"


def test_config_unknown_key(tmp_path):
    (tmp_path / "bad.toml").write_text('sharez = "s.parquet"\n', encoding="utf-8")
    with pytest.raises(cn.exceptions.InvalidParameterError, match="sharez"):
        report(config=tmp_path / "bad.toml")


def test_bad_arguments():
    with pytest.raises(cn.exceptions.InvalidParameterError, match="'merging' parameter"):
        report(shares=_shares(), merging="A", output=None)
    with pytest.raises(cn.exceptions.InvalidParameterError, match="'shares' parameter"):
        report(shares=[1, 2], output=None)
    with pytest.raises(cn.exceptions.DataFileError):
        report(shares="/no/such/file.parquet", output=None)


def test_inputs_not_modified():
    df = _shares()
    before = df.copy()
    report(shares=df, output=None)
    pd.testing.assert_frame_equal(df, before)


def test_result_display():
    r = report(shares=_shares(), output=None)
    assert r.output is None and r.json_output is None
    assert len(repr(r).splitlines()) == 1
    assert "<table" in r._repr_html_()
    assert "Concentration report" in str(r.summary())


# --------------------------------------------------------------------------- browser

def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium():
    path = _chromium()
    if path is None:
        pytest.skip("headless browser test needs Chromium; install it with "
                    "'apt-get install -y chromium' (Debian) to run this test")
    return path


def _run_chromium(binary, args, tmp_path):
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0"] + args
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_report_in_headless_chromium(tmp_path, chromium):
    out = tmp_path / "demo.html"
    report(**demo_inputs(), output=out)
    url = out.resolve().as_uri()
    shot = tmp_path / "shot.png"
    proc = _run_chromium(chromium, [f"--screenshot={shot}", "--window-size=1200,1600",
                                    "--hide-scrollbars", url], tmp_path)
    assert shot.exists(), proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    assert console == [], "browser console messages:\n" + "\n".join(console)
    from matplotlib import image

    img = image.imread(str(shot))
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    gray = img[..., :3].mean(axis=2)
    assert gray.std() > 0.05, "the screenshot looks blank"
    assert (gray < 0.5).mean() > 0.005, "almost no dark (text) pixels in the screenshot"
    # the DOM as the browser parsed it contains the sections and an inline SVG figure
    dom = _run_chromium(chromium, ["--dump-dom", url], tmp_path).stdout
    assert "Data provenance" in dom and "<svg" in dom


def test_console_detection_works(tmp_path, chromium):
    """The check above would catch a script error or a blocked fetch (guards the guard)."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>undefinedFn();</script>"
                    "</body></html>", encoding="utf-8")
    proc = _run_chromium(chromium, ["--dump-dom", page.resolve().as_uri()], tmp_path)
    assert any(":CONSOLE" in ln and "undefinedFn" in ln for ln in proc.stderr.splitlines())


def test_mhhi_section_hand_checked(tmp_path):
    # I owns half of A and half of B (and nothing else): kappa_AB = kappa_BA = 1, so
    # MHHI delta = 2 * 10,000 * 0.5 * 0.3 = 3,000 points, all attributed to owner I.
    shares = pd.DataFrame({"market": "m", "firm": ["A", "B", "C"], "share": [0.5, 0.3, 0.2]})
    holdings = pd.DataFrame({"owner": ["I", "I", "J"], "firm": ["A", "B", "C"],
                             "cash_flow": [0.5, 0.5, 1.0]})
    r = report(shares=shares, holdings=holdings, output=None)
    sec = r.data["sections"]["mhhi"]
    cols = sec["table"]["columns"]
    row = sec["table"]["rows"][0]
    np.testing.assert_allclose(row[cols.index("hhi")], 3800.0)
    np.testing.assert_allclose(row[cols.index("mhhi_delta")], 3000.0)
    by_owner = dict((r_[-2], r_[-1]) for r_ in sec["by_owner"]["rows"])
    np.testing.assert_allclose(by_owner["I"], 3000.0)


def test_screen_section_cites_guidelines():
    r = report(shares=_shares(), merging=("X", "Y"), guidelines=("us2023", "us2010"),
               output=None)
    sec = r.data["sections"]["screen"]
    cols = sec["table"]["columns"]
    rows = [dict(zip(cols, row)) for row in sec["table"]["rows"]]
    api24 = [x for x in rows if x["market"] == "api" and x["period"] == "2024"]
    np.testing.assert_allclose([x["delta_hhi"] for x in api24], 2 * 10_000 * 0.9 * 0.1)
    assert {x["guideline"] for x in api24} == {"us2023", "us2010"}
    assert "Merger Guidelines" in r.html and "§" in r.html


# ------------------------------------------------------------------ period order


def _labelled_periods():
    # labels that name no interval: their dates come from the data, as in the bundled
    # datasets (as text "late" < "mid" < "early"; in the rows mid comes first)
    return pd.DataFrame({
        "market": "m", "period": ["2025-mid"] * 2 + ["2025-early"] * 2 + ["2025-late"] * 2,
        "period_start": pd.to_datetime(["2025-05-01"] * 2 + ["2025-01-01"] * 2
                                       + ["2025-09-01"] * 2),
        "period_end": pd.to_datetime(["2025-08-31"] * 2 + ["2025-04-30"] * 2
                                     + ["2025-12-31"] * 2),
        "firm": ["A", "B"] * 3, "share": [0.6, 0.4, 0.5, 0.5, 0.9, 0.1],
    })


def test_trend_chart_keeps_the_periods_order():
    from concentration.plotting import plot_hhi_trend

    table = cn.indices(_labelled_periods(), ["hhi"])
    ax = plot_hhi_trend(table, order=["2025-early", "2025-mid", "2025-late"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025-early", "2025-mid",
                                                             "2025-late"]
    line = ax.get_lines()[0]
    assert line.get_ydata().tolist() == pytest.approx([5000.0, 5200.0, 8200.0])


def test_report_uses_the_periods_dates(tmp_path):
    r = report(shares=_labelled_periods(), merging="A,B", output=tmp_path / "p.html")
    latest = r.data["sections"]["indices"]["latest_shares"]
    per = latest["columns"].index("period")
    assert {row[per] for row in latest["rows"]} == {"2025-late"}  # not "2025-mid"
    trend = r.html[r.html.index("<figure"):r.html.index("HHI over time")]
    ticks = [trend.find(f">{p}</text>") for p in ("2025-early", "2025-mid", "2025-late")]
    assert -1 not in ticks and ticks == sorted(ticks)
    for key in ("indices", "screen"):  # the tables too, in time order
        table = r.data["sections"][key]["table"]
        per = table["columns"].index("period")
        assert [row[per] for row in table["rows"]] == ["2025-early", "2025-mid", "2025-late"]
        start = table["columns"].index("period_start")
        assert [row[start] for row in table["rows"]] == ["2025-01-01", "2025-05-01",
                                                        "2025-09-01"]
    zones = r.html[r.html.rindex("<figure"):]
    assert ">m 2025-late</text>" in zones  # the zone chart shows the latest period


def test_a_label_that_cannot_be_placed_is_an_error_naming_it():
    df = _labelled_periods().drop(columns=["period_start", "period_end"])
    with pytest.raises(cn.exceptions.PeriodError, match="2025-"):
        report(shares=df, output=None)


def test_periods_order_per_market_not_over_the_mixed_column():
    # market a has a label 2025-mid placed by its dates; market b has plain quarters.
    # Each market's latest period is its latest in time, whatever the other holds.
    df = pd.DataFrame({
        "market": ["a"] * 4 + ["b"] * 6,
        "period": ["2025-mid", "2025-mid", "2024", "2024",
                   "2021Q2", "2021Q2", "2025Q3", "2025Q3", "2023Q1", "2023Q1"],
        "period_start": pd.to_datetime(["2025-01-01"] * 2 + ["2024-01-01"] * 2
                                       + ["2021-04-01"] * 2 + ["2025-07-01"] * 2
                                       + ["2023-01-01"] * 2),
        "firm": ["A", "B"] * 5, "share": [0.5, 0.5, 0.7, 0.3, 0.6, 0.4, 0.8, 0.2, 0.9, 0.1]})
    r = report(shares=df, output=None)
    t = r.data["sections"]["indices"]["table"]
    rows = [dict(zip(t["columns"], row)) for row in t["rows"]]
    assert [(x["market"], x["period"]) for x in rows] == [
        ("a", "2024"), ("a", "2025-mid"), ("b", "2021Q2"), ("b", "2023Q1"), ("b", "2025Q3")]
    late = r.data["sections"]["indices"]["latest_shares"]
    got = {row[0]: row[1] for row in late["rows"]}
    assert got == {"a": "2025-mid", "b": "2025Q3"}


# ----------------------------------------------------------------- output names


def test_json_output_path_leaves_both_files_distinct(tmp_path):
    r = report(shares=_shares(), output=tmp_path / "r.json")
    assert r.output == str(tmp_path / "r.html") and r.json_output == str(tmp_path / "r.json")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert html.startswith("<!DOCTYPE html>") and data["html_sha256"] == r.sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json"]


def test_json_output_path_with_an_explicit_json_output(tmp_path):
    r = report(shares=_shares(), output=tmp_path / "r.JSON", json_output=tmp_path / "d.json")
    assert (r.output, r.json_output) == (str(tmp_path / "r.html"), str(tmp_path / "d.json"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json", "r.html"]


@pytest.mark.parametrize("output, json_output", [("a.html", "a.html"), ("a.json", "a.html"),
                                                 ("a.html", "./a.html")])
def test_one_file_for_both_outputs_is_a_typed_error(tmp_path, output, json_output):
    with pytest.raises(cn.exceptions.InvalidParameterError,
                       match=r"The 'json_output' parameter of report must be a file other "
                             r"than the HTML file .* Got .* instead\. Name two different"):
        report(shares=_shares(), output=tmp_path / output, json_output=tmp_path / json_output)
    assert list(tmp_path.iterdir()) == []


def test_output_paths_rule():
    from concentration.reporting import output_paths

    assert output_paths("d/report.html") == ("d/report.html", "d/report.json")
    assert output_paths("r.json") == ("r.html", "r.json")
    assert output_paths("r") == ("r", "r.json")
    assert output_paths(None, "x.json") == (None, "x.json")
    assert output_paths("r.html", "x.json") == ("r.html", "x.json")
    with pytest.raises(cn.exceptions.InvalidParameterError, match="'output' parameter"):
        output_paths(5)


# ------------------------------------------------------------- mathtext names

BAD_TEX, MATH_TEX = "$\\undefined{}$", "$x^2$"


def test_dollar_firm_names_are_literal_text_in_the_svg(tmp_path):
    shares = pd.DataFrame({"market": [BAD_TEX] * 4 + [MATH_TEX] * 4,
                           "period": ["2024", "2024", "2025", "2025"] * 2,
                           "firm": [BAD_TEX, MATH_TEX] * 4,
                           "share": [0.6, 0.4, 0.5, 0.5, 0.3, 0.7, 0.2, 0.8]})
    funds = [f"{BAD_TEX} fund", f"{MATH_TEX} fund"]
    holdings = pd.DataFrame({"owner": funds + funds, "firm": [BAD_TEX] * 2 + [MATH_TEX] * 2,
                             "cash_flow": [0.2, 0.1, 0.1, 0.3],
                             "control": [0.2, 0.1, 0.1, 0.3]})
    ties = pd.DataFrame({"source": [BAD_TEX, MATH_TEX], "target": [MATH_TEX, "C"]})
    r = report(shares=shares, holdings=holdings, partnerships=ties,
               merging=(BAD_TEX, MATH_TEX), output=tmp_path / "r.html")
    assert not r.skipped
    svgs = re.findall(r"<svg.*?</svg>", r.html, flags=re.S)
    assert len(svgs) == 4  # trends, screen zones, MHHI by owner, network
    for svg in svgs[2:]:  # the figures that show firm and owner names
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert any(BAD_TEX in t for t in texts) and any(MATH_TEX in t for t in texts)
    assert BAD_TEX in svgs[0] and MATH_TEX in svgs[0]  # market names as panel titles


def test_config_that_is_not_text_and_bad_types_are_typed_errors(tmp_path):
    (tmp_path / "c.toml").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(cn.exceptions.InvalidParameterError,
                       match=r"The 'config' parameter of report must be a TOML file \(UTF-8 "
                             r"text\)\. Got .*c\.toml' instead\."):
        report(config=tmp_path / "c.toml", output=None)
    with pytest.raises(cn.exceptions.InvalidParameterError,
                       match=r"The 'guidelines' parameter of report must be a guideline key"):
        report(shares=_shares(), guidelines=5, output=None)
    with pytest.raises(cn.exceptions.InvalidParameterError,
                       match=r"The 'merging' parameter of report must be two or more"):
        report(shares=_shares(), merging=5, output=None)


def test_unwritable_json_writes_nothing(tmp_path):
    with pytest.raises(cn.exceptions.DataFileError, match=r"report: cannot write .*x\.json': "
                                                          r"its directory .* does not exist"):
        report(shares=_shares(), output=tmp_path / "r.html",
               json_output=tmp_path / "no" / "x.json")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(cn.exceptions.DataFileError, match=r"it is a directory"):
        report(shares=_shares(), output=tmp_path)


def test_unknown_guideline_and_bad_progress_are_typed_errors():
    with pytest.raises(cn.exceptions.InvalidParameterError,
                       match=r"The 'guidelines' parameter of report must be guideline keys "
                             r"among .* Got 'nope' instead\."):
        report(shares=_shares(), merging=("X", "Y"), guidelines=("nope",), output=None)
    with pytest.raises(cn.exceptions.InvalidParameterError,
                       match=r"The 'progress' parameter of report must be a callable"):
        report(shares=_shares(), progress=5, output=None)
    assert report(shares=_shares(), merging=("X", "Y"), guidelines="US2023", output=None)
