"""Tests for every public function of concentration.plotting, on small inputs.

Figures are drawn with matplotlib's Agg backend and inspected through their artists:
lines, bars, points, tick labels and legend entries.
"""

import builtins
import re
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from concentration import plotting
from concentration.exceptions import MissingDependencyError

INSTALL = r"pip install antitrust-concentration\[plot\]"


@pytest.fixture
def mpl():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    return matplotlib


def _ticks(labels):
    return [t.get_text() for t in labels]


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _hlines(ax):
    """y of the horizontal reference lines (axhline: x spans the axes)."""
    return [line.get_ydata()[0] for line in ax.lines
            if line.get_transform() is ax.get_yaxis_transform(which="grid")]


def _vlines(ax):
    """x of the vertical reference lines (axvline: y spans the axes)."""
    return [line.get_xdata()[0] for line in ax.lines
            if line.get_transform() is ax.get_xaxis_transform(which="grid")]


# one small call of every public drawing function
def _trend(**kw):
    frame = pd.DataFrame({"market": ["m", "m", "m", "n", "n", "n"],
                          "period": ["2024Q1", "2023Q4", "2024Q2"] * 2,
                          "hhi": [2000.0, 1500.0, 2500.0, 900.0, 800.0, 1000.0]})
    return plotting.plot_hhi_trend(frame.set_index(["market", "period"]), **kw)


CALLS = {
    "plot_hhi_trend": _trend,
    "plot_lorenz": lambda **kw: plotting.plot_lorenz({"A": 0.75, "B": 0.25}, **kw),
    "plot_screen_zones": lambda **kw: plotting.plot_screen_zones(
        [2000.0, 1200.0, 3000.0], [150.0, 40.0, 300.0], labels=["x", "y", "z"], **kw),
    "plot_network": lambda **kw: plotting.plot_network(
        pd.DataFrame({"source": ["A", "A", "B"], "target": ["B", "C", "C"]}), **kw),
    "plot_bar": lambda **kw: plotting.plot_bar(pd.Series({"a": 1.0, "b": -3.0, "c": 2.0}),
                                               **kw),
    "plot_intervals": lambda **kw: plotting.plot_intervals(
        pd.DataFrame({"estimate": [5000.0, 3000.0], "lower": [4500.0, 2000.0],
                      "upper": [5600.0, 3500.0]}, index=["x", "y"]), **kw),
    "plot_coefficients": lambda **kw: plotting.plot_coefficients(
        pd.DataFrame({"coef": [0.5, -0.2], "lower": [0.1, -0.6], "upper": [0.9, 0.2]},
                     index=["hhi", "mhhi_delta"]), **kw),
    "plot_decomposition": lambda **kw: plotting.plot_decomposition(
        pd.DataFrame({"period_from": [1], "period_to": [2], "delta_hhi": [-1200.0],
                      "entry": [400.0], "exit": [0.0], "reallocation": [-1600.0],
                      "ownership": [0.0]}), **kw),
    "plot_sensitivity": lambda **kw: plotting.plot_sensitivity(
        pd.DataFrame({"a:value": [5000.0, 2500.0], "b:value": [2500.0, 2500.0]},
                     index=["p", "q"]), **kw),
    "plot_centrality_trend": lambda **kw: plotting.plot_centrality_trend(
        pd.DataFrame({"firm": ["A", "B", "A", "B"],
                      "period": pd.to_datetime(["2024-01-01"] * 2 + ["2025-01-01"] * 2),
                      "measure": "degree", "value": [1.0, 0.5, 0.5, 1.0]}),
        centralization=pd.Series([0.5, 0.2], index=pd.to_datetime(["2024-01-01",
                                                                    "2025-01-01"])), **kw),
    "plot_unilateral": lambda **kw: plotting.plot_unilateral(
        pd.DataFrame({"market": "m", "firm": ["A", "B"], "guppi": [0.04, 0.09],
                      "threshold": [0.05, 0.05], "guideline": "us2023"}), **kw),
}


def test_every_public_function_is_tested():
    public = {name for name in plotting.__all__ if callable(getattr(plotting, name))}
    assert public == set(CALLS) | {"figure_svg", "spring_layout"}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_returns_axes_of_a_new_figure(mpl, name):
    from matplotlib.axes import Axes

    ax = CALLS[name]()
    assert isinstance(ax, Axes) and ax.has_data()
    assert ax.figure.get_layout_engine() is not None  # the house style's constrained layout


@pytest.mark.parametrize("name", sorted(CALLS))
def test_draws_on_a_given_axes(mpl, name):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert CALLS[name](ax=ax) is ax
    assert fig.axes == [ax]


# plot_lorenz and plot_unilateral give their figure a title of their own by default
@pytest.mark.parametrize("name", sorted(set(CALLS) - {"plot_lorenz", "plot_unilateral"}))
def test_title(mpl, name):
    assert CALLS[name](title="T").get_title() == "T"
    assert CALLS[name]().get_title() == ""


def test_hhi_trend_periods_in_natural_order_and_thresholds(mpl):
    ax = _trend()
    assert _ticks(ax.get_xticklabels()) == ["2023Q4", "2024Q1", "2024Q2"]
    m, n = ax.lines[0], ax.lines[1]
    assert list(m.get_ydata()) == [1500.0, 2000.0, 2500.0]  # sorted by period
    assert list(n.get_xdata()) == [0.0, 1.0, 2.0]
    assert m.get_color() == plotting.PALETTE[0] and n.get_color() == plotting.PALETTE[1]
    assert len(ax.lines) == 2 + 2 and _hlines(ax) == [1000.0, 1800.0]
    assert _legend(ax) == ["m", "n"]
    assert ax.get_ylabel() == "HHI (points)"
    ax = _trend(thresholds=())
    assert len(ax.lines) == 2 and _hlines(ax) == []
    ax = _trend(thresholds=[2500], order=["2024Q2"])
    assert _ticks(ax.get_xticklabels()) == ["2024Q2", "2023Q4", "2024Q1"]
    assert _hlines(ax) == [2500.0]


def test_hhi_trend_max_ticks(mpl):
    frame = pd.DataFrame({"period": [str(2000 + i) for i in range(12)],
                          "hhi": np.linspace(1000, 2000, 12)})
    ax = plotting.plot_hhi_trend(frame, max_ticks=4)
    assert _ticks(ax.get_xticklabels()) == ["2000", "2003", "2006", "2009"]
    assert ax.get_legend() is None  # one unnamed series


def test_hhi_trend_unknown_column(mpl):
    with pytest.raises(KeyError, match="'cr4'"):
        _trend(column="cr4")


def test_lorenz(mpl):
    ax = plotting.plot_lorenz({"A": 0.75, "B": 0.25})
    equal, curve = ax.lines
    assert list(equal.get_ydata()) == [0, 1]
    assert list(curve.get_ydata()) == pytest.approx([0.0, 0.25, 1.0])
    assert _legend(ax) == ["equal sizes", "Lorenz curve"]
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0)


def test_screen_zones_points_labels_and_guideline_lines(mpl):
    ax = CALLS["plot_screen_zones"]()
    points = ax.collections[-1].get_offsets()
    assert_allclose(points, [[2000, 150], [1200, 40], [3000, 300]])
    assert [t.get_text() for t in ax.texts] == ["x", "y", "z"]
    assert _vlines(ax) == [1800.0] and _hlines(ax) == [100.0]
    assert len(ax.collections) == 2  # presumption zone and the points
    ax = plotting.plot_screen_zones(2500.0, 80.0,
                                    thresholds={"hhi": [1000, 1800], "delta": [100, 200]})
    assert _vlines(ax) == [1000.0, 1800.0] and _hlines(ax) == [100.0, 200.0]
    assert len(ax.collections[-1].get_offsets()) == 1 and len(ax.texts) == 0
    ax = plotting.plot_screen_zones([2500.0], [80.0], thresholds={"hhi": [1800]})
    assert len(ax.collections) == 1  # no zone without a delta line


def test_bar_keeps_the_largest_magnitudes_largest_on_top(mpl):
    values = pd.Series(np.arange(1.0, 21.0), index=[f"k{i}" for i in range(1, 21)])
    ax = plotting.plot_bar(values, top=5, xlabel="points")
    assert len(ax.patches) == 5
    assert [p.get_width() for p in ax.patches] == [16.0, 17.0, 18.0, 19.0, 20.0]
    assert _ticks(ax.get_yticklabels())[-1] == "k20"
    assert ax.get_xlabel() == "points"
    ax = CALLS["plot_bar"]()
    assert [p.get_width() for p in ax.patches] == [1.0, 2.0, -3.0]  # by |value|
    ax = plotting.plot_bar(pd.Series([1.0], index=[("m", 2024)]))
    assert _ticks(ax.get_yticklabels()) == ["m / 2024"]


def test_network_nodes_edges_and_labels(mpl):
    edges = pd.DataFrame({"source": ["A", "A", "B", "D"], "target": ["B", "C", "C", "A"],
                          "w": [1.0, 2.0, 4.0, 1.0]})
    ax = plotting.plot_network(edges, weight="w", label_top=2)
    assert len(ax.lines) == 4  # one per tie
    assert [line.get_linewidth() for line in ax.lines] == pytest.approx(
        [0.8, 1.2, 2.0, 0.8])  # 0.4 + 1.6 * w / max(w)
    assert len(ax.collections[-1].get_offsets()) == 4  # one point per node
    # the two of highest degree (A: 3; B and C: 2, ties by name)
    assert sorted(t.get_text() for t in ax.texts) == ["A", "B"]
    assert not ax.axison
    ax = plotting.plot_network(edges, size={"D": 10.0}, label_top=1)
    assert [t.get_text() for t in ax.texts] == ["D"]


def test_intervals(mpl):
    frame = pd.DataFrame({"estimate": [5000.0, 3000.0], "lower": [4500.0, 2000.0],
                          "upper": [5600.0, 3500.0]},
                         index=pd.MultiIndex.from_tuples([("m", 2023), ("m", 2024)]))
    ax = plotting.plot_intervals(frame, xlabel="HHI")
    x, y = ax.containers[0].lines[0].get_data()
    assert list(x) == [5000.0, 3000.0] and list(y) == [0, 1]
    segments = ax.containers[0].lines[2][0].get_segments()
    assert_allclose([s[:, 0] for s in segments], [[4500, 5600], [2000, 3500]])
    assert _ticks(ax.get_yticklabels()) == ["m / 2023", "m / 2024"]
    assert ax.get_xlabel() == "HHI" and _vlines(ax) == []
    ax = plotting.plot_intervals(frame, reference=4000)
    assert _vlines(ax) == [4000.0] and ax.get_xlabel() == ""


def test_coefficients_with_zero_line(mpl):
    ax = CALLS["plot_coefficients"](xlabel="effect")
    x, _ = ax.containers[0].lines[0].get_data()
    assert list(x) == [0.5, -0.2]
    assert _ticks(ax.get_yticklabels()) == ["hhi", "mhhi_delta"]
    assert _vlines(ax) == [0.0] and ax.get_xlabel() == "effect"


def test_decomposition_stacks_parts_by_sign(mpl):
    frame = pd.DataFrame({"market": ["m", "n"], "period_from": [1, 1], "period_to": [2, 2],
                          "delta_hhi": [-1200.0, 500.0], "entry": [400.0, 0.0],
                          "exit": [0.0, 200.0], "reallocation": [-1600.0, 100.0],
                          "ownership": [0.0, 200.0]})
    ax = plotting.plot_decomposition(frame)
    assert len(ax.patches) == 4 * 2
    bars = {(lab, i): p for lab, cont in zip(["entry", "exit", "reallocation", "ownership"],
                                             ax.containers) for i, p in enumerate(cont)}
    assert bars["reallocation", 0].get_y() == 0.0  # negatives start below zero
    assert bars["reallocation", 0].get_height() == -1600.0
    assert bars["ownership", 1].get_y() == 300.0  # on top of exit and reallocation
    assert bars["entry", 0].get_facecolor()[:3] == pytest.approx(
        tuple(int(plotting.PALETTE[2][i:i + 2], 16) / 255 for i in (1, 3, 5)))
    total = [line for line in ax.lines if line.get_label() == "change in HHI"][0]
    assert list(total.get_ydata()) == [-1200.0, 500.0]
    assert _hlines(ax) == [0.0]
    assert _ticks(ax.get_xticklabels()) == ["m: 1->2", "n: 1->2"]
    assert _legend(ax) == ["change in HHI", "entry", "exit", "reallocation", "ownership"]
    ax = plotting.plot_decomposition(frame.drop(columns="market"), parts=["entry", "exit"])
    assert len(ax.patches) == 2 * 2
    assert _ticks(ax.get_xticklabels()) == ["1->2", "1->2"]


def test_sensitivity_definitions_and_thresholds(mpl):
    ax = CALLS["plot_sensitivity"](thresholds=[2500, 4000], xlabel="hhi")
    points = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert [line.get_label() for line in points] == ["a", "b"]  # from the ':value' columns
    assert list(points[0].get_xdata()) == [5000.0, 2500.0]
    assert _vlines(ax) == [2500.0, 4000.0]
    assert _ticks(ax.get_yticklabels()) == ["p", "q"]
    assert _legend(ax) == ["a", "b"] and ax.get_xlabel() == "hhi"
    ax = CALLS["plot_sensitivity"](definitions=["b"])
    assert len(ax.lines) == 1 and ax.lines[0].get_label() == "b"


def test_figure_svg_reproducible_and_salted(mpl):
    svg1 = plotting.figure_svg(_trend().figure, salt="a")
    svg2 = plotting.figure_svg(_trend().figure, salt="a")
    assert svg1.startswith("<svg") and svg1.rstrip().endswith("</svg>")
    assert "<?xml" not in svg1 and "Date" not in svg1
    assert svg1 == svg2  # byte-identical for two renders
    svg3 = plotting.figure_svg(_trend().figure, salt="b")
    ids1 = re.findall(r'id="([^"]+)"', svg1)
    ids3 = re.findall(r'id="([^"]+)"', svg3)
    assert ids1 and len(ids1) == len(ids3)
    salted = [(a, b) for a, b in zip(ids1, ids3) if a != b]
    assert salted  # clip-path ids depend on the salt
    for a, b in salted:
        svg1 = svg1.replace(a, b)
    assert svg1 == svg3  # ... and nothing else does


def _without_matplotlib(monkeypatch, how):
    if how == "sys.modules":
        for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
            monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.setitem(sys.modules, "matplotlib", None)
    else:
        real_import = builtins.__import__

        def fake_import(name, *args, **kwargs):
            if name == "matplotlib" or name.startswith("matplotlib."):
                raise ImportError(f"No module named {name!r}")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", fake_import)


@pytest.mark.parametrize("how", ["sys.modules", "__import__"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_missing_matplotlib_names_the_install_command(monkeypatch, how, name):
    _without_matplotlib(monkeypatch, how)
    with pytest.raises(MissingDependencyError, match=INSTALL):
        CALLS[name]()


@pytest.mark.parametrize("how", ["sys.modules", "__import__"])
def test_figure_svg_without_matplotlib(monkeypatch, how):
    _without_matplotlib(monkeypatch, how)
    with pytest.raises(MissingDependencyError, match=INSTALL):
        plotting.figure_svg(object())


# names that matplotlib would parse as mathtext: one it cannot parse, one it can
BAD, MATH = "$\\undefined{}$", "$x^2$"

MATH_CALLS = {
    "plot_hhi_trend": lambda: plotting.plot_hhi_trend(
        pd.DataFrame({"market": [BAD, BAD, MATH, MATH], "period": [BAD, MATH] * 2,
                      "hhi": [1.0, 2.0, 3.0, 4.0]}).set_index(["market", "period"]),
        title=BAD, order=[BAD, MATH]),
    "plot_lorenz": lambda: plotting.plot_lorenz({BAD: 0.75, MATH: 0.25}, title=BAD + MATH),
    "plot_screen_zones": lambda: plotting.plot_screen_zones(
        [2000.0, 1200.0], [150.0, 40.0], labels=[BAD, MATH], title=BAD),
    "plot_network": lambda: plotting.plot_network(
        pd.DataFrame({"source": [BAD, BAD], "target": [MATH, "C"]}), title=MATH),
    "plot_bar": lambda: plotting.plot_bar(pd.Series({BAD: 1.0, MATH: 2.0}), title=BAD,
                                          xlabel=MATH),
    "plot_intervals": lambda: plotting.plot_intervals(
        pd.DataFrame({"estimate": [1.0, 2.0], "lower": [0.0, 1.0], "upper": [2.0, 3.0]},
                     index=[BAD, MATH]), xlabel=BAD, title=MATH),
    "plot_coefficients": lambda: plotting.plot_coefficients(
        pd.DataFrame({"coef": [0.5, -0.2], "lower": [0.1, -0.6], "upper": [0.9, 0.2]},
                     index=[BAD, MATH]), xlabel=MATH, title=BAD),
    "plot_decomposition": lambda: plotting.plot_decomposition(
        pd.DataFrame({"market": [BAD], "period_from": [MATH], "period_to": [2],
                      "delta_hhi": [1.0], BAD: [1.0], MATH: [0.0]}), parts=[BAD, MATH],
        title=BAD),
    "plot_sensitivity": lambda: plotting.plot_sensitivity(
        pd.DataFrame({f"{BAD}:value": [1.0, 2.0], f"{MATH}:value": [2.0, 1.0]},
                     index=[BAD, MATH]), xlabel=BAD, title=MATH),
    "plot_centrality_trend": lambda: plotting.plot_centrality_trend(
        pd.DataFrame({"firm": [BAD, MATH], "period": pd.to_datetime(["2024-01-01"] * 2),
                      "value": [1.0, 0.5]}), title=BAD),
    "plot_unilateral": lambda: plotting.plot_unilateral(
        pd.DataFrame({"market": BAD, "firm": [MATH, "B"], "guppi": [0.04, 0.09],
                      "threshold": [0.05, 0.05], "guideline": "us2023"}), title=BAD),
}


def test_every_public_function_has_a_mathtext_case():
    assert set(MATH_CALLS) == set(CALLS)


@pytest.mark.parametrize("name", sorted(MATH_CALLS))
def test_dollar_names_are_drawn_as_plain_text(mpl, name):
    ax = MATH_CALLS[name]()
    svg = plotting.figure_svg(ax.figure)  # draws every text: mathtext would raise here
    assert BAD in svg and MATH in svg
    texts = [t for t in ax.figure.findobj(mpl.text.Text) if "$" in t.get_text()]
    assert texts and not any(t.get_parse_math() for t in texts)


def test_legend_keeps_a_label_that_starts_with_an_underscore(mpl):
    frame = pd.DataFrame({"market": ["_m", "_m", "n", "n"], "period": [1, 2, 1, 2],
                          "hhi": [1.0, 2.0, 3.0, 4.0]})
    assert _legend(plotting.plot_hhi_trend(frame)) == ["_m", "n"]


# ------------------------------------------------------------------ time, bands, layout


def test_hhi_trend_places_periods_in_time_and_names_a_label_it_cannot_place(mpl):
    from concentration.exceptions import PeriodError

    frame = pd.DataFrame({"period": ["2025-mid", "2024", "2025-late"],
                          "hhi": [2000.0, 1500.0, 2500.0]})
    with pytest.raises(PeriodError, match="2025-mid"):
        plotting.plot_hhi_trend(frame)
    dated = frame.assign(start=pd.to_datetime(["2025-01-01", "2024-01-01", "2025-07-01"]))
    ax = plotting.plot_hhi_trend(dated, start="start")
    assert _ticks(ax.get_xticklabels()) == ["2024", "2025-mid", "2025-late"]
    assert ax.lines[0].get_ydata().tolist() == [1500.0, 2000.0, 2500.0]
    x = ax.lines[0].get_xdata()
    # at their start dates: half a year from 2025-01-01 to 2025-07-01, a year before
    assert x[1] - x[0] == pytest.approx(366.0) and x[2] - x[1] == pytest.approx(181.0)


def test_hhi_trend_band_and_thousands_separators(mpl):
    frame = pd.DataFrame({"period": ["2023", "2024"], "hhi": [1200.0, 1500.0],
                          "lo": [1200.0, 1500.0], "hi": [2400.0, 1500.0]})
    ax = plotting.plot_hhi_trend(frame, band=("lo", "hi"))
    bands = [c for c in ax.collections if c.get_paths()]
    assert len(bands) == 1
    top = bands[0].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(2400.0)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "2,000" in labels and all("," in t or len(t) <= 3 for t in labels)


def test_spring_layout_is_deterministic_and_keeps_ties_close():
    nodes = list("ABCDEFGH")
    pairs = [("A", "B"), ("A", "C"), ("B", "C"), ("F", "G"), ("G", "H"), ("F", "H"),
             ("C", "D")]
    p1 = plotting.spring_layout(nodes, pairs, seed=3)
    p2 = plotting.spring_layout(nodes, pairs, seed=3)
    assert p1 == p2
    assert all(-1.0 <= v <= 1.0 for xy in p1.values() for v in xy)

    def dist(a, b):
        return np.hypot(p1[a][0] - p1[b][0], p1[a][1] - p1[b][1])
    # a tie is shorter than the mean distance between untied nodes of two triangles
    untied = np.mean([dist(a, b) for a in "ABC" for b in "FGH"])
    assert max(dist(a, b) for a, b in pairs) < untied


def test_plot_network_takes_a_partnership_network(mpl):
    from concentration.network import PartnershipNetwork

    net = PartnershipNetwork(pd.DataFrame({"source": ["A", "A", "A", "B"],
                                           "target": ["B", "C", "D", "C"]}))
    ax = plotting.plot_network(net, label_top=2)
    assert sorted(t.get_text() for t in ax.texts) == ["A", "B"]  # A then B/C by degree
    with pytest.raises(TypeError, match="PartnershipNetwork or a DataFrame"):
        plotting.plot_network([("A", "B")])


def _text_boxes(mpl, ax):
    """The drawn boxes of the annotations' text (without their leader lines)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [mpl.text.Text.get_window_extent(t, renderer) for t in ax.texts]


def test_network_labels_do_not_overlap(mpl):
    edges = pd.DataFrame({"source": ["Hub"] * 12, "target": [f"Firm {i}" for i in range(12)]})
    ax = plotting.plot_network(edges, label_top=13)
    boxes = _text_boxes(mpl, ax)
    overlaps = sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert len(boxes) == 13 and overlaps == 0


def test_screen_zone_labels_do_not_overlap(mpl):
    post = [2010.0, 2009.0, 2575.0, 6427.0, 6618.0, 4738.0]
    delta = [412.0, 588.0, 377.0, 45.0, 51.0, 48.0]
    labels = [f"market {i} 2025Q{i % 4 + 1}" for i in range(6)]
    ax = plotting.plot_screen_zones(post, delta, labels=labels)
    boxes = _text_boxes(mpl, ax)
    assert len(boxes) == 6
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
