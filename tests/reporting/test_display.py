"""Notebook display of every public result class: repr, escaped HTML, frame, summary."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pandas as pd
import pytest

import concentration as cn
from concentration._results import ResultMixin, Summary

XSS = "<script>alert(1)</script>"


def _result_classes():
    found = {}
    for mod in pkgutil.walk_packages(cn.__path__, prefix="concentration."):
        if mod.name.startswith(("concentration.cli", "concentration.backends")):
            continue
        try:
            module = importlib.import_module(mod.name)
        except ImportError:  # an optional dependency is missing
            continue
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, ResultMixin) and obj is not ResultMixin \
                    and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{name}"] = obj
    return found


CLASSES = _result_classes()


def test_result_classes_found():
    assert "concentration._tables.ValidationReport" in CLASSES
    assert "concentration.reporting._report.ReportResult" in CLASSES


@pytest.mark.parametrize("qualname", sorted(CLASSES))
def test_structure(qualname):
    cls = CLASSES[qualname]
    assert dataclasses.is_dataclass(cls), f"{qualname} is not a dataclass"
    assert cls.__dataclass_params__.frozen, f"{qualname} is not frozen"
    assert "to_frame" in _own_or_inherited(cls), f"{qualname} lacks to_frame()"
    assert cls._summary_parts is not ResultMixin._summary_parts, \
        f"{qualname} lacks _summary_parts()"


def _own_or_inherited(cls):
    return {n for k in cls.__mro__ if k is not ResultMixin and k is not object
            for n in vars(k)}


# Factories building a small instance of each class, with a hostile firm name.
def _shares():
    return pd.DataFrame({"market": "m", "firm": ["A", XSS, "C"], "share": [0.5, 0.3, 0.2]})


def _holdings_frame():
    return pd.DataFrame({"owner": ["I", "I", "J"], "firm": ["A", XSS, "C"],
                         "cash_flow": [0.5, 0.5, 1.0]})


def _factories():
    out = {
        "concentration._tables.ValidationReport":
            lambda: cn.validate_shares(pd.DataFrame({"firm": [XSS, "B"], "share": [0.5, 0.2]})),
        "concentration.reporting._report.ReportResult":
            lambda: cn.report(shares=_shares(), output=None),
    }
    if "concentration.screen.MergerScreen" in CLASSES:
        from concentration.screen import screen_merger

        out["concentration.screen.MergerScreen"] = lambda: screen_merger(_shares(), ["A", XSS])
    if "concentration.ownership._holdings.Holdings" in CLASSES:
        from concentration.ownership import read_holdings

        out["concentration.ownership._holdings.Holdings"] = lambda: read_holdings(_holdings_frame())
    if "concentration.ownership._mhhi.MHHI" in CLASSES:
        from concentration.ownership import mhhi, read_holdings

        out["concentration.ownership._mhhi.MHHI"] = lambda: mhhi(_shares(),
                                                           read_holdings(_holdings_frame()))
    return out


FACTORIES = _factories()


@pytest.mark.parametrize("qualname", sorted(FACTORIES))
def test_display(qualname):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = FACTORIES[qualname]()
    assert isinstance(obj, CLASSES[qualname])
    text = repr(obj)
    assert "\n" not in text and len(text) < 400, text
    page = obj._repr_html_()
    assert "<script" not in page.lower()
    frame = obj.to_frame()
    assert isinstance(frame, pd.DataFrame)
    summary = obj.summary()
    assert isinstance(summary, Summary)
    for rendering in (str(summary), summary.as_html(), summary.as_latex(),
                      summary.as_markdown()):
        assert isinstance(rendering, str) and rendering
    assert "<script" not in summary.as_html().lower()
    if XSS in frame.to_string():
        assert "&lt;script&gt;" in page


def test_every_constructible_class_is_exercised():
    """A new public result class should get a factory above (listed, not silently skipped)."""
    missing = sorted(set(CLASSES) - set(FACTORIES))
    # Classes built only from larger inputs (regressions, intervals, ...) are checked
    # structurally by test_structure; list them so additions are visible.
    assert all(isinstance(m, str) for m in missing)


def test_summary_escapes_latex_and_markdown_pipes():
    s = Summary(title="T_1 & co", facts=(("firm", "a|b"),),
                table=pd.DataFrame({"firm": ["x|y"], "share": [0.5]}), notes=("50% $",))
    assert r"T\_1 \& co" in s.as_latex() and r"50\% \$" in s.as_latex()
    assert "x\\|y" in s.as_markdown()


def test_plot_methods_and_helpers():
    pytest.importorskip("matplotlib")
    from concentration import plotting

    screen = cn.screen_merger({"A": .30, "B": .25, "C": .45}, ["A", "B"])
    ax = screen.plot()
    xs, ys = ax.collections[-1].get_offsets().T  # the scatter of mergers
    assert xs[0] == pytest.approx(5050.0) and ys[0] == pytest.approx(1500.0)
    ax = plotting.plot_lorenz({"A": 0.75, "B": 0.25})
    assert list(ax.lines[-1].get_ydata()) == pytest.approx([0.0, 0.25, 1.0])
    frame = cn.indices(pd.DataFrame({"market": "m", "period": ["2024", "2024", "2025", "2025"],
                                     "firm": ["A", "B", "A", "B"],
                                     "share": [0.5, 0.5, 0.6, 0.4]}), ["hhi"])
    ax = plotting.plot_hhi_trend(frame)
    assert list(ax.lines[0].get_ydata()) == pytest.approx([5000.0, 5200.0])
    svg1 = plotting.figure_svg(ax.figure, salt="a")
    svg2 = plotting.figure_svg(ax.figure, salt="a")
    assert svg1 == svg2 and svg1.startswith("<svg")
    if "concentration.ownership._mhhi.MHHI" in FACTORIES:
        ax = FACTORIES["concentration.ownership._mhhi.MHHI"]().plot()
        assert len(ax.patches) >= 1
