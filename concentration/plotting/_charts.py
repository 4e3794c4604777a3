"""Figures for concentration results (matplotlib, imported lazily).

Each ``plot_*`` function draws on a given :class:`matplotlib.axes.Axes` (or a new
figure when ``ax`` is omitted) and returns the axes, so figures can be composed and
styled by the caller.  The result classes' ``plot()`` methods call these functions.

Every label drawn from the data or the arguments (titles, axis and tick labels,
legends, annotations, network node labels) is plain text, never mathtext: a firm
named ``$x^2$`` appears as written.

matplotlib is an optional dependency: install it with
``pip install antitrust-concentration[plot]``.  Figures are built with
:class:`matplotlib.figure.Figure` directly (no ``pyplot`` state), and
:func:`figure_svg` renders one to SVG text that is byte-for-byte reproducible: no
date, a fixed hash salt for element ids, text kept as text.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from .._tables import group_label, period_order
from ._mpl import PALETTE, PLAIN, figure_svg, new_axes, plain_legend

__all__ = [
    "plot_hhi_trend",
    "plot_lorenz",
    "plot_screen_zones",
    "plot_network",
    "plot_bar",
    "plot_intervals",
    "plot_coefficients",
    "plot_decomposition",
    "plot_sensitivity",
    "figure_svg",
]

def plot_hhi_trend(frame, *, column="hhi", period="period", market="market", ax=None,
                   thresholds=(1000.0, 1800.0), title=None, max_ticks=10, order=None):
    """Plot an index over time, one line per market.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per (market, period), e.g. the output of
        :func:`concentration.indices`; the market and period may be index levels or
        columns.
    column : str, default "hhi"
        Column to plot (HHI in points, 0-10,000).
    period, market : str
        Names of the period and market levels/columns.  Periods keep their natural
        order: chronological when every label is a date, month, quarter or year
        (``2024``, ``2024Q1``, ``Q1 2024``, ``2024-03``), ascending for numbers, the
        categories' order for an ordered :class:`pandas.Categorical`, and otherwise
        the order in which they first appear in ``frame`` (labels are never sorted
        as text: ``2025-late`` does not come before ``2025-mid``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    thresholds : sequence of float, default (1000, 1800)
        Horizontal reference lines (points); ``()`` for none.  The defaults are the
        moderately/highly concentrated boundaries of the 2023 U.S. Merger Guidelines
        (Guideline 1: above 1,800 is highly concentrated) and 1,000 for reference.
    title : str, optional
    max_ticks : int, default 10
        At most this many period labels on the x axis.
    order : sequence, optional
        The periods in display order (e.g. their natural order in the data before
        aggregation); periods of ``frame`` not listed follow in their natural order.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    data = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    if column not in data.columns:
        raise KeyError(f"plot_hhi_trend: column {column!r} not in {list(data.columns)}")
    has_market = market in data.columns
    groups = data.groupby(market, sort=True) if has_market else [(None, data)]
    periods = []
    if period in data.columns:
        present = period_order(data[period])
        periods = [p for p in dict.fromkeys(order) if p in set(present)] if order is not None \
            else []
        periods += [p for p in present if p not in set(periods)]
    pos = {p: i for i, p in enumerate(periods)}
    lines = []
    for i, (name, g) in enumerate(groups):
        if period in g.columns:
            x = g[period].map(pos).to_numpy(dtype=float)
            g = g.iloc[np.argsort(x, kind="stable")]
            x = np.sort(x, kind="stable")
        else:
            x = list(range(len(g)))
        lines += ax.plot(x, g[column].to_numpy(dtype=float), marker="o", markersize=3,
                         linewidth=1.4, color=PALETTE[i % len(PALETTE)],
                         label=None if name is None else group_label(name))
    for t in thresholds:
        ax.axhline(float(t), color="#888888", linewidth=0.8, linestyle="--")
    if periods:
        step = max(1, -(-len(periods) // max_ticks))
        ax.set_xticks(range(0, len(periods), step))
        ax.set_xticklabels([str(p) for p in periods[::step]], rotation=45, ha="right",
                           **PLAIN)
    ax.set_ylabel("HHI (points)" if column == "hhi" else str(column), **PLAIN)
    if has_market:
        plain_legend(ax, lines, fontsize=7, frameon=False)
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def plot_lorenz(data, *, ax=None, title=None, **kwargs):
    """Plot the Lorenz curve of firm sizes with the line of equality.

    Parameters
    ----------
    data : mapping, pandas.Series, array_like or pandas.DataFrame
        Shares as accepted by :func:`concentration.lorenz` (one market), or the
        DataFrame that :func:`concentration.lorenz` returned.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    **kwargs
        Passed to :func:`concentration.lorenz` (``scale=`` ...).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..measures import lorenz

    pts = data if isinstance(data, pd.DataFrame) and "share_fraction" in data.columns \
        else lorenz(data, **kwargs)
    ax = new_axes(ax, size=(4.0, 4.0))
    ax.plot([0, 1], [0, 1], color="#888888", linewidth=0.8, linestyle="--",
            label="equal sizes")
    ax.plot(pts["firm_fraction"], pts["share_fraction"], marker="o", markersize=3,
            color=PALETTE[0], label="Lorenz curve")
    ax.set_xlabel("cumulative fraction of firms (smallest first)")
    ax.set_ylabel("cumulative fraction of shares")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def plot_screen_zones(post_hhi, delta_hhi, *, labels=None, thresholds=None, ax=None,
                      title=None):
    """Place mergers on the (post-merger HHI, ΔHHI) plane with the guideline lines.

    Parameters
    ----------
    post_hhi, delta_hhi : float or array_like
        Post-merger HHI and its change, in points.
    labels : sequence of str, optional
        One label per merger.
    thresholds : mapping, optional
        ``{"hhi": [...], "delta": [...]}`` in points: vertical lines at the HHI
        boundaries and horizontal lines at the ΔHHI boundaries.  Defaults to the
        2023 U.S. Merger Guidelines, Guideline 1 (HHI > 1,800 and ΔHHI > 100 presumed
        to substantially lessen competition).
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    post = np.atleast_1d(np.asarray(post_hhi, dtype=float))
    delta = np.atleast_1d(np.asarray(delta_hhi, dtype=float))
    th = {"hhi": [1800.0], "delta": [100.0]} if thresholds is None else thresholds
    ax = new_axes(ax, size=(5.0, 3.6))
    hmax = max([10_000.0 if post.size == 0 else min(10_000.0, post.max() * 1.25 + 100)]
               + [float(v) * 1.2 for v in th.get("hhi", [])])
    dmax = max([200.0 if delta.size == 0 else delta.max() * 1.3 + 20]
               + [float(v) * 1.5 for v in th.get("delta", [])])
    hs = [float(v) for v in th.get("hhi", [])]
    ds = [float(v) for v in th.get("delta", [])]
    if hs and ds:  # shade the presumption zone: above the top HHI line and delta line
        ax.fill_between([max(hs), hmax], max(ds), dmax, color="#D55E00", alpha=0.12,
                        linewidth=0, label="presumption zone")
    for v in hs:
        ax.axvline(v, color="#D55E00", linewidth=0.9, linestyle="--")
    for v in ds:
        ax.axhline(v, color="#D55E00", linewidth=0.9, linestyle=":")
    ax.scatter(post, delta, color=PALETTE[0], zorder=3, s=18)
    for i, lab in enumerate(labels or []):
        if i < post.size:
            ax.annotate(str(lab), (post[i], delta[i]), textcoords="offset points",
                        xytext=(4, 4), fontsize=7, **PLAIN)
    ax.set_xlim(0, hmax)
    ax.set_ylim(0, dmax)
    ax.set_xlabel("post-merger HHI (points)")
    ax.set_ylabel("ΔHHI (points)")
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def plot_bar(values, *, ax=None, title=None, xlabel=None, top=15):
    """Horizontal bar chart of a labelled Series (largest at the top).

    Parameters
    ----------
    values : pandas.Series
        Values indexed by label (e.g. an MHHI decomposition by owner, or a centrality).
    ax : matplotlib.axes.Axes, optional
    title, xlabel : str, optional
    top : int, default 15
        Number of bars shown (largest absolute values).

    Returns
    -------
    matplotlib.axes.Axes
    """
    s = pd.Series(values, dtype=float)
    order = np.lexsort((np.asarray([str(i) for i in s.index]), -np.abs(s.to_numpy())))
    s = s.iloc[order[:top]][::-1]
    ax = new_axes(ax, size=(5.5, max(1.6, 0.26 * len(s) + 0.8)))
    ax.barh(range(len(s)), s.to_numpy(), color=PALETTE[0])
    ax.set_yticks(range(len(s)))
    ax.set_yticklabels([group_label(i) for i in s.index], fontsize=7, **PLAIN)
    if xlabel:
        ax.set_xlabel(xlabel, **PLAIN)
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def _layout(nodes, edges, size):
    """Deterministic layout: most central nodes on an inner ring, the rest outside."""
    order = sorted(nodes, key=lambda n: (-size.get(n, 0.0), str(n)))
    n = len(order)
    inner = order[: min(n, max(1, n // 4))] if n > 8 else order
    outer = [v for v in order if v not in set(inner)]
    pos = {}
    for ring, radius in ((inner, 0.45 if outer else 1.0), (outer, 1.0)):
        m = len(ring)
        for i, v in enumerate(ring):
            a = 2 * np.pi * i / max(m, 1) + (0.0 if radius == 1.0 else np.pi / max(m, 1))
            pos[v] = (radius * np.cos(a), radius * np.sin(a))
    return pos


def plot_network(edges, *, source="source", target="target", weight=None, size=None,
                 ax=None, title=None, label_top=12):
    """Draw a partnership network with a deterministic ring layout.

    Parameters
    ----------
    edges : pandas.DataFrame
        One row per tie with ``source`` and ``target`` columns (and an optional
        ``weight``: a strength, larger is closer).
    source, target, weight : str
        Column names.
    size : mapping, optional
        Node -> size (e.g. a centrality); larger nodes are drawn bigger and placed on
        the inner ring.  Degree when omitted.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    label_top : int, default 12
        Label this many of the largest nodes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    e = edges[[source, target] + ([weight] if weight else [])].dropna(subset=[source, target])
    nodes = sorted({str(v) for v in e[source]} | {str(v) for v in e[target]})
    if size is None:
        deg = pd.concat([e[source].astype(str), e[target].astype(str)]).value_counts()
        size = {k: float(v) for k, v in deg.items()}
    size = {str(k): float(v) for k, v in dict(size).items()}
    pos = _layout(nodes, e, size)
    ax = new_axes(ax, size=(6.0, 6.0))
    w = e[weight].to_numpy(dtype=float) if weight else np.ones(len(e))
    wmax = w.max() if w.size and w.max() > 0 else 1.0
    for (a, b), wi in zip(zip(e[source].astype(str), e[target].astype(str)), w):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot([x0, x1], [y0, y1], color="#777777", alpha=0.35, linewidth=0.4 + 1.6 * wi / wmax)
    smax = max(size.values(), default=1.0) or 1.0
    xs = [pos[v][0] for v in nodes]
    ys = [pos[v][1] for v in nodes]
    ss = [20 + 260 * size.get(v, 0.0) / smax for v in nodes]
    ax.scatter(xs, ys, s=ss, color=PALETTE[0], edgecolor="white", linewidth=0.6, zorder=3)
    for v in sorted(nodes, key=lambda n: (-size.get(n, 0.0), n))[:label_top]:
        ax.annotate(v, pos[v], textcoords="offset points", xytext=(5, 5), fontsize=7, zorder=4,
                    **PLAIN)
    ax.set_aspect("equal")
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.25, 1.25)
    ax.axis("off")
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def plot_intervals(frame, *, estimate="estimate", lower="lower", upper="upper",
                   reference=None, xlabel=None, ax=None, title=None):
    """Plot point estimates with their confidence intervals, one row per label.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per estimate, labelled by the index (tuples such as
        ``(market, period)`` are shown joined by " / "), e.g. the table of
        :func:`concentration.stats.index_interval`.
    estimate, lower, upper : str, default "estimate", "lower", "upper"
        Columns of the point estimate and of the interval's limits.
    reference : float, optional
        A vertical reference line (e.g. 0 for coefficients).
    xlabel : str, optional
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    y = np.arange(len(frame))
    est = frame[estimate].to_numpy()
    ax.errorbar(est, y, xerr=[est - frame[lower].to_numpy(), frame[upper].to_numpy() - est],
                fmt="o", color=PALETTE[0], capsize=3)
    if reference is not None:
        ax.axvline(float(reference), color="0.5", lw=0.8)
    ax.set_yticks(y, [group_label(v) for v in frame.index], **PLAIN)
    if xlabel:
        ax.set_xlabel(xlabel, **PLAIN)
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def plot_coefficients(frame, *, xlabel=None, ax=None, title=None):
    """Plot regression coefficients with their confidence intervals and a line at zero.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per term (the index) with columns ``coef``, ``lower`` and ``upper``,
        e.g. :meth:`concentration.stats.ConcentrationRegression.to_frame`.
    xlabel : str, optional
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    return plot_intervals(frame, estimate="coef", reference=0.0, xlabel=xlabel, ax=ax,
                          title=title)


#: Colours of the parts of an HHI change, in the order of the parts.
_PART_COLORS = (PALETTE[2], PALETTE[1], PALETTE[0], PALETTE[3])


def plot_decomposition(frame, *, parts=("entry", "exit", "reallocation", "ownership"),
                       total="delta_hhi", market="market", ax=None, title=None):
    """Plot the sources of each change of the HHI as stacked bars, the total marked.

    Positive parts stack upwards from zero and negative parts downwards; a black
    dash marks the total change of each transition.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per transition with the columns ``period_from``, ``period_to``, the
        parts and the total (points), and optionally the market, e.g. the table of
        :func:`concentration.stats.hhi_change_decomposition`.
    parts : sequence of str, default ("entry", "exit", "reallocation", "ownership")
        The columns stacked, in order.
    total : str, default "delta_hhi"
        Column of the total change.
    market : str or None, default "market"
        Column of the market, shown in the labels when present (None: no market).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    t = frame
    x = np.arange(len(t))
    colors = _PART_COLORS + tuple(c for c in PALETTE if c not in _PART_COLORS)
    pos = np.zeros(len(t))
    neg = np.zeros(len(t))
    handles = []
    for i, part in enumerate(parts):
        vals = t[part].to_numpy()
        base = np.where(vals >= 0, pos, neg)
        handles.append(ax.bar(x, vals, bottom=base, color=colors[i % len(colors)],
                              label=str(part)))
        pos += np.clip(vals, 0, None)
        neg += np.clip(vals, None, 0)
    handles = ax.plot(x, t[total].to_numpy(), "k_", markersize=14, label="change in HHI") \
        + handles  # the total first, as matplotlib's own legend lists it
    ax.axhline(0.0, color="0.5", lw=0.8)
    has_market = market is not None and market in t.columns
    labels = [(f"{m}: " if has_market else "") + f"{a}->{b}"
              for m, a, b in zip(t[market] if has_market else [None] * len(t),
                                 t["period_from"], t["period_to"])]
    ax.set_xticks(x, labels, rotation=45, ha="right", **PLAIN)
    ax.set_ylabel("points")
    plain_legend(ax, handles, frameon=False, fontsize="small")
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def plot_sensitivity(frame, *, definitions=None, thresholds=(), xlabel=None, ax=None,
                     title=None):
    """Plot a value per unit under each market definition, with threshold lines.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit (the index: a product or market, or tuples with the period)
        with a column ``"<definition>:value"`` per definition, e.g.
        :attr:`concentration.stats.MarketSensitivity.by_unit`.
    definitions : sequence of str, optional
        The definitions drawn, in order; by default every ``"<name>:value"`` column.
    thresholds : sequence of float, default ()
        Vertical dashed lines at the verdict thresholds.
    xlabel : str, optional
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if definitions is None:
        definitions = [str(c)[:-len(":value")] for c in frame.columns
                       if str(c).endswith(":value")]
    ax = new_axes(ax)
    y = np.arange(len(frame))
    colors = PALETTE[:6]
    handles = []
    for i, d in enumerate(definitions):
        handles += ax.plot(frame[f"{d}:value"].to_numpy(dtype=float), y, "o",
                           color=colors[i % len(colors)], label=str(d))
    for thr in thresholds:
        ax.axvline(thr, color="0.5", lw=0.8, ls="--")
    ax.set_yticks(y, [group_label(v) for v in frame.index], **PLAIN)
    if xlabel:
        ax.set_xlabel(xlabel, **PLAIN)
    plain_legend(ax, handles, frameon=False, fontsize="small")
    if title:
        ax.set_title(title, **PLAIN)
    return ax
