"""The report page's templates: shipped with the package, found, autoescaped."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pandas as pd
import pytest
from markupsafe import Markup

import concentration as cn
from concentration.reporting import report
from concentration.reporting._html import environment, render_page
from concentration.reporting._sections import Section

XSS = "<script>alert(1)</script>"
TEMPLATES = resources.files("concentration.reporting") / "templates"


@pytest.mark.parametrize("name", ["report.html", "report.css"])
def test_templates_are_in_the_installed_package(name):
    path = TEMPLATES / name
    assert path.is_file(), f"{name} is missing from the installed concentration.reporting"
    assert path.read_text(encoding="utf-8").strip()


def test_environment_finds_the_templates_and_autoescapes():
    env = environment()
    assert env.autoescape is True
    for name in ("report.html", "report.css"):
        env.get_template(name)  # raises TemplateNotFound when not shipped


def _page(**kw):
    args = dict(title="T", subtitle="S", version="1.0",
                sections=[Section("a", "A", [Markup("<p>body</p>")])], skipped=())
    args.update(kw)
    return render_page(**args)


def test_plain_text_is_escaped_by_the_template():
    page = _page(title=XSS, subtitle=f"Inputs: {XSS}", skipped=[f"Merger screen: {XSS}"],
                 sections=[Section("a", f"Title {XSS}", [Markup("<p>body</p>")])])
    assert "<script" not in page.lower()
    # <title> and <h1>, the subtitle, the skipped reason, the contents entry and <h2>
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 6
    assert "<p>body</p>" in page  # Markup fragments stay markup


def test_a_fragment_that_is_not_markup_is_shown_as_text():
    page = _page(sections=[Section("a", "A", [Markup("<p>ok</p>"), "<b>raw</b>"])])
    assert "<p>ok</p>" in page
    assert "<b>" not in page and "&lt;b&gt;raw&lt;/b&gt;" in page


def test_one_spelling_of_escaped_quotes():
    # the template escapes as the section builders do (html.escape): &quot; and &#x27;
    page = _page(title="\"a\" & 'b'")
    assert "<title>&quot;a&quot; &amp; &#x27;b&#x27;</title>" in page
    assert "&#34;" not in page and "&#39;" not in page


def test_stylesheet_reaches_the_page_verbatim():
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8").rstrip("\n")
    page = _page()
    assert f"<style>{css}</style>" in page
    assert page.endswith("</html>\n") and not page.endswith("\n\n")


def test_hostile_names_in_the_report_stay_escaped(tmp_path):
    shares = pd.DataFrame({"market": "m", "period": ["2024", "2024", "2025", "2025"],
                           "firm": ["A", XSS, "A", XSS], "share": [0.6, 0.4, 0.5, 0.5]})
    shares.attrs["source_path"] = f"dir/{XSS}.parquet"
    r = report(shares=shares, merging=("A", XSS), title=XSS, output=tmp_path / "x.html")
    text = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in text
    assert "<strong>A + &lt;script&gt;alert(1)&lt;/script&gt;</strong>" in text  # the deal
    assert "alert(1)&lt;/script&gt;.parquet" in text  # the source, in subtitle and table
    assert r.data["sections"]["screen"]["merging"] == ["A", XSS]  # the JSON keeps it as is


def test_config_dict_fills_defaults_and_rejects_unknown_keys():
    shares = pd.DataFrame({"market": "m", "firm": ["A", "B"], "share": [0.6, 0.4]})
    r = report(config={"shares": shares, "title": "From a dict"}, output=None)
    assert r.data["title"] == "From a dict"
    r = report(config={"shares": shares, "title": "From a dict"}, title="Explicit", output=None)
    assert r.data["title"] == "Explicit"
    with pytest.raises(cn.exceptions.InvalidParameterError, match="sharez"):
        report(config={"sharez": shares}, output=None)


def test_import_concentration_does_not_load_jinja2(tmp_path):
    code = ("import sys, concentration; "
            "print(sorted(m for m in ('jinja2', 'matplotlib') if m in sys.modules))")
    # run outside the checkout, so that the package under test is the one imported
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=tmp_path).stdout.strip()
    assert out == "[]"
