"""The notebook displays, rendered in a real headless Chromium.

Each display (a screen under every edition of the guidelines, an MHHI result, an
indices table, an overlap summary, a network, a validation report) is written
into an HTML page at a notebook's width; Chromium lays it out and a script writes
the page's width and every cell that overflows its box into the DOM, which
``--dump-dom`` returns.  The page must fit 1000 px and no cell may be cut.

Run as a script, this module writes screenshots of the displays
(``python tests/api/test_display_browser.py docs/_static``).
"""

from __future__ import annotations

import html
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import warnings

import pandas as pd
import pytest

import concentration as cn
from concentration._results import Summary

MAX_WIDTH = 1000
VIEWPORT = 1000  # a notebook's output area on a laptop screen, px

_PROBE = """
<script>
window.addEventListener('load', function () {
  var cut = [], right = 0, bottom = 0;
  document.querySelectorAll('.output td, .output th, .output li, .output p, .output table, '
                            + '.output .conc-summary').forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) {
      cut.push(el.tagName + ': ' + el.textContent.slice(0, 60));
    }
  });
  document.querySelectorAll('.output *').forEach(function (el) {
    var box = el.getBoundingClientRect();
    right = Math.max(right, box.right);
    bottom = Math.max(bottom, box.bottom);
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({width: Math.ceil(right),
                                    scroll: document.documentElement.scrollWidth,
                                    height: Math.ceil(bottom) + 12,
                                    viewport: window.innerWidth, cut: cut});
  document.body.appendChild(out);
});
</script>
"""


_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium():
    """The path of a Chromium on PATH, or None."""
    return next(filter(None, map(shutil.which, _BROWSERS)), None)


def page(fragment: str, *, probe: bool = True) -> str:
    """A notebook-like page around a display's HTML."""
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
            "<style>body{margin:0;padding:12px 16px;font-family:system-ui,-apple-system,"
            "'Segoe UI',Roboto,sans-serif;background:#fff;color:#111}</style></head><body>"
            f"<div class='output'>{fragment}</div>" + (_PROBE if probe else "")
            + "</body></html>")


# -- the displays ------------------------------------------------------------------------
def _shares():
    return pd.DataFrame({"market": "cloud", "period": "2024",
                         "firm": ["Alpha", "Beta", "Gamma", "Delta"],
                         "share": [0.32, 0.24, 0.26, 0.18]})


def display_screen():
    return cn.screen_merger(_shares(), ["Alpha", "Beta"], guidelines="all")._repr_html_()


def display_screen_markets():
    shares = {"cloud": [0.32, 0.24, 0.26, 0.18], "chips": [0.08, 0.05, 0.80, 0.07],
              "models": [0.15, 0.10, 0.40, 0.35]}
    frame = pd.concat([_shares().assign(market=m, share=v) for m, v in shares.items()])
    return cn.screen_merger(frame, ["Alpha", "Beta"], guidelines=["us2023", "eu2004"])._repr_html_()


def display_screen_top_n():
    """Top-N data: the bounds differ, shown as ranges; the verdict must not be cut."""
    frame = pd.DataFrame({"market": ["cloud"] * 4 + ["chips"] * 4, "period": "2024",
                          "firm": ["Alpha", "Beta", "Gamma", "Delta"] * 2,
                          "share": [0.30, 0.20, 0.15, 0.10, 0.40, 0.05, 0.25, 0.10]})
    return cn.screen_merger(frame, ["Alpha", "Beta"],
                            guidelines=["us2023", "eu2004", "us2010"])._repr_html_()


def display_mhhi():
    holdings = cn.read_holdings(pd.DataFrame({
        "owner": ["Index fund", "Index fund", "Index fund", "Founder", "Founder", "State"],
        "firm": ["Alpha", "Beta", "Gamma", "Alpha", "Delta", "Gamma"],
        "cash_flow": [0.10, 0.12, 0.08, 0.40, 0.50, 0.30]}))
    return cn.mhhi(_shares(), holdings)._repr_html_()


def display_indices():
    later = _shares().assign(period="2025", share=[0.36, 0.22, 0.28, 0.14])
    frame = pd.concat([_shares().assign(period="2024"), later])
    table = cn.indices(frame, ["hhi", "cr4", "effective_number", "n_firms"])
    return Summary(title="Concentration indices", table=table).as_html()


def display_overlap():
    weights = pd.DataFrame({"row": ["Alpha", "Alpha", "Beta", "Gamma", "Gamma", "Delta"],
                            "column": ["I", "J", "I", "J", "K", "K"],
                            "weight": [0.5, 0.5, 1.0, 0.3, 0.7, 1.0]})
    return cn.describe_overlap(cn.overlap(weights, metric="cosine"), metric="cosine")._repr_html_()


def display_network():
    from concentration.network import PartnershipNetwork

    return PartnershipNetwork(cn.datasets.load("ai_partnerships"))._repr_html_()


def display_validation():
    bad = pd.DataFrame({"market": ["m", "m", "n", "n"], "firm": ["A", "B", "A", "<b>X</b>"],
                        "share": [0.5, 0.2, 0.7, 0.6]})
    return cn.validate_shares(bad)._repr_html_()


DISPLAYS = {"screen": display_screen, "screen-markets": display_screen_markets,
            "screen-top-n": display_screen_top_n,
            "mhhi": display_mhhi, "indices": display_indices, "overlap": display_overlap,
            "network": display_network, "validation": display_validation}


def _build(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DISPLAYS[name]()


def _dump_dom(browser, path: pathlib.Path) -> str:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--window-size={VIEWPORT},900", "--virtual-time-budget=5000", "--dump-dom",
           path.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return done.stdout


def measure(browser, fragment: str, tmp: pathlib.Path) -> dict:
    path = tmp / "display.html"
    path.write_text(page(fragment), encoding="utf-8")
    dom = _dump_dom(browser, path)
    found = re.search(r"<pre id=\"probe\">(.*?)</pre>", dom, re.S)
    assert found, f"the probe did not run; Chromium returned {dom[:300]!r}"
    return json.loads(html.unescape(found.group(1)))


# -- the tests -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    path = chromium()
    if path is None:
        pytest.skip("no Chromium (chromium / chromium-browser) on PATH")
    return path


@pytest.mark.parametrize("name", sorted(DISPLAYS))
def test_display_fits_and_no_cell_is_cut(browser, name, tmp_path):
    fragment = _build(name)
    assert "<script" not in fragment.lower()
    got = measure(browser, fragment, tmp_path)
    assert got["width"] <= MAX_WIDTH, f"{name}: the page is {got['width']} px wide"
    assert got["scroll"] <= got["viewport"], f"{name}: wider than the window: {got}"
    assert not got["cut"], f"{name}: cells cut: {got['cut']}"


def test_screen_under_every_edition_is_compact(browser, tmp_path):
    fragment = _build("screen")
    # the verdict of every edition is shown as its label, long texts as notes
    assert "Presumed anticompetitive" in fragment and "<ol class='conc-notes'>" in fragment
    assert "Merger Guidelines (2023-12-18)" in fragment  # the citation, as a note
    got = measure(browser, fragment, tmp_path)
    assert got["width"] <= 900 + 2 * 16 and not got["cut"]


def test_probe_sees_a_cut_cell(browser, tmp_path):
    """The check can fail: a cell narrower than its text is reported."""
    fragment = ("<table><tr><td style='max-width:40px;overflow:hidden;white-space:nowrap'>"
                "a text much wider than forty pixels</td></tr></table>"
                "<div style='width:1400px'>wide</div>")
    got = measure(browser, fragment, tmp_path)
    assert got["cut"] and got["width"] > MAX_WIDTH


def screenshots(out: pathlib.Path, names=("screen", "mhhi", "network", "overlap")) -> list:
    """Write ``display-<name>.png`` for each display into ``out``; return the paths."""
    browser = chromium()
    if browser is None:
        raise SystemExit("no Chromium on PATH")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            fragment = _build(name)
            got = measure(browser, fragment, pathlib.Path(tmp))
            src = pathlib.Path(tmp) / f"{name}.html"
            src.write_text(page(fragment, probe=False), encoding="utf-8")
            target = out / f"display-{name}.png"
            width = min(max(got["width"] + 16, 480), VIEWPORT)
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            "--hide-scrollbars", f"--window-size={width},{got['height']}",
                            f"--screenshot={target}", "--virtual-time-budget=5000",
                            src.as_uri()], capture_output=True, timeout=120, check=True)
            written.append(target)
    return written


if __name__ == "__main__":  # pragma: no cover - writes the documentation's screenshots
    for p in screenshots(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/_static")):
        print(p)
