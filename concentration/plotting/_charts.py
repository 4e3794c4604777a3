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

from .._periods import period_order
from .._tables import group_label
from ._mpl import PALETTE, PLAIN, figure_svg, new_axes, plain_legend

__all__ = [
    "plot_hhi_trend",
    "plot_lorenz",
    "plot_screen_zones",
    "plot_network",
    "plot_centrality_trend",
    "spring_layout",
    "plot_bar",
    "plot_intervals",
    "plot_coefficients",
    "plot_decomposition",
    "plot_sensitivity",
    "figure_svg",
]

def plot_hhi_trend(frame, *, column="hhi", period="period", market="market", ax=None,
                   thresholds=(1000.0, 1800.0), title=None, max_ticks=10, order=None,
                   start=None, band=None):
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
        Names of the period and market levels/columns.  Periods are placed in time:
        by the dates of ``start`` when given, else by their labels (years, halves,
        quarters, months, dates; see :func:`concentration.period_bounds`), or in
        the categories' order of an ordered :class:`pandas.Categorical`.  A label
        that cannot be placed is a :class:`~concentration.exceptions.PeriodError`
        unless ``order`` lists it.  Labels are never sorted as text.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    thresholds : sequence of float, default (1000, 1800)
        Horizontal reference lines (points); ``()`` for none.  1,800: above it a
        market is highly concentrated under the 2023 U.S. Merger Guidelines
        (Guideline 1, §2.1); 1,000: below it a market is unconcentrated under the
        1982 and 1992 U.S. guidelines and inside the safe harbour of the EU's 2004
        Horizontal Merger Guidelines (para 19).
    title : str, optional
    max_ticks : int, default 10
        At most this many period labels on the x axis.
    order : sequence, optional
        The periods in display order (e.g. their order in the data before
        aggregation); periods of ``frame`` not listed follow in time order.  Ignored
        when ``start`` is given.
    start : str, optional
        Column (or index level) of each period's first day: the x axis is then time
        (periods at their start dates, so gaps in the data show as gaps), with the
        period labels as tick labels.
    band : tuple of two str, optional
        Columns of a lower and an upper value (e.g. ``("hhi_min", "hhi_max")`` from
        :func:`concentration.hhi_bounds` for top-N data) drawn as a shaded band
        around each line; rows where they are missing or equal draw no band.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    data = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    if column not in data.columns:
        raise KeyError(f"plot_hhi_trend: column {column!r} not in {list(data.columns)}")
    for c in ([start] if start is not None else []) + list(band or ()):
        if c not in data.columns:
            raise KeyError(f"plot_hhi_trend: column {c!r} not in {list(data.columns)}")
    has_market = market is not None and market in data.columns
    groups = data.groupby(market, sort=True) if has_market else [(None, data)]
    timed = start is not None and period in data.columns
    ticks: dict = {}
    if timed:
        xs = _date_numbers(data[start])
        for p, x in zip(data[period], xs):
            ticks.setdefault(x, p)
        pos = None
    else:
        periods = []
        if period in data.columns:
            listed = list(dict.fromkeys(order)) if order is not None else []
            rest = [p for p in pd.unique(data[period]) if p not in set(listed)]
            present = set(data[period])
            periods = [p for p in listed if p in present]
            if rest:
                periods += [p for p in period_order(pd.Series(rest, dtype=data[period].dtype)
                                                    if isinstance(data[period].dtype,
                                                                  pd.CategoricalDtype)
                                                    else rest, func="plot_hhi_trend")
                            if p not in set(periods)]
        pos = {p: float(i) for i, p in enumerate(periods)}
        ticks = {float(i): p for i, p in enumerate(periods)}
    lines = []
    top = 0.0
    for i, (name, g) in enumerate(groups):
        if timed:
            x = _date_numbers(g[start])
        elif period in g.columns:
            x = g[period].map(pos).to_numpy(dtype=float)
        else:
            x = np.arange(len(g), dtype=float)
        ordr = np.argsort(x, kind="stable")
        g, x = g.iloc[ordr], x[ordr]
        y = g[column].to_numpy(dtype=float)
        color = PALETTE[i % len(PALETTE)]
        if band is not None:
            lo = g[band[0]].to_numpy(dtype=float)
            hi = g[band[1]].to_numpy(dtype=float)
            wide = np.isfinite(lo) & np.isfinite(hi) & (hi > lo + 1e-9)
            if wide.any():
                ax.fill_between(x, np.where(wide, lo, y), np.where(wide, hi, y), color=color,
                                alpha=0.18, linewidth=0)
                top = max(top, float(np.nanmax(hi)))
        lines += ax.plot(x, y, marker="o", markersize=3, linewidth=1.4, color=color,
                         label=None if name is None else group_label(name))
        if y.size:
            top = max(top, float(np.nanmax(y)))
    for t in thresholds:
        ax.axhline(float(t), color="#888888", linewidth=0.8, linestyle="--")
    if ticks:
        where = sorted(ticks)
        if timed:  # labels at least a fraction of the time span apart, first and last kept
            gap = (where[-1] - where[0]) / max(max_ticks, 1) * 0.9
            chosen = [where[0]]
            for x in where[1:]:
                if x - chosen[-1] >= gap:
                    chosen.append(x)
            if where[-1] != chosen[-1]:
                if len(chosen) > 1 and where[-1] - chosen[-1] < gap:
                    chosen[-1] = where[-1]
                else:
                    chosen.append(where[-1])
        else:
            step = max(1, -(-len(where) // max_ticks))
            chosen = where[::step]
        ax.set_xticks(chosen)
        ax.set_xticklabels([str(ticks[x]) for x in chosen], rotation=45, ha="right", **PLAIN)
        if len(where) == 1:
            ax.set_xlim(where[0] - 1.0, where[0] + 1.0)
    if column in ("hhi", "mhhi", "post_hhi", "pre_hhi"):
        limit = max([top] + [float(t) for t in thresholds])
        ax.set_ylim(0.0, min(10_000.0, limit * 1.12 + 50.0))
    ax.yaxis.set_major_formatter(_thousands())
    ax.set_ylabel("HHI (points)" if column == "hhi" else str(column), **PLAIN)
    if has_market:
        plain_legend(ax, lines, fontsize=7, frameon=False)
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def _date_numbers(values) -> np.ndarray:
    """Dates as matplotlib's date numbers (days since 1970-01-01)."""
    t = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    days = (t - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    return days.to_numpy(dtype=float)


def _thousands():
    """A tick formatter with thousands separators: 10000 -> 10,000."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:g}")


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
    labels = [str(v) for v in (labels or [])][:post.size]
    if labels:
        # labels in a column right of the plot, in the order of their points' ΔHHI and
        # spaced apart, each with a leader line: no two labels overlap
        n = len(labels)
        want = np.clip(np.asarray(delta[:n], dtype=float) / dmax, 0.0, 1.0)
        order = np.lexsort((np.arange(n), -want))
        gap = min(0.09, 0.96 / max(n, 1))
        ys = np.empty(n)
        prev = 1.0 + gap
        for i in order:
            ys[i] = min(want[i], prev - gap)
            prev = ys[i]
        if ys[order[-1]] < 0.0:  # shift up what ran below the axes
            floor = 0.0
            for i in order[::-1]:
                ys[i] = max(ys[i], floor)
                floor = ys[i] + gap
        for i in range(n):
            ax.annotate(labels[i], (post[i], delta[i]), xycoords="data",
                        xytext=(1.03, ys[i]), textcoords="axes fraction", fontsize=7,
                        va="center", ha="left",
                        arrowprops={"arrowstyle": "-", "color": "#999999",
                                    "linewidth": 0.5, "shrinkA": 0, "shrinkB": 3},
                        **PLAIN)
    ax.set_xlim(0, hmax)
    ax.set_ylim(0, dmax)
    ax.xaxis.set_major_formatter(_thousands())
    ax.yaxis.set_major_formatter(_thousands())
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


def spring_layout(nodes, pairs, weights=None, *, seed=0, iterations=300):
    """Deterministic force-directed (Fruchterman-Reingold) positions, computed in NumPy.

    Tied nodes attract (in proportion to the tie's weight), all nodes repel, and a
    weak pull toward the centre keeps separate components on the page.  The start
    is a circle in the nodes' sorted order plus jitter from
    ``numpy.random.default_rng(seed)``, and the cooling schedule is fixed, so the same
    nodes and ties give the same picture.

    Parameters
    ----------
    nodes : sequence of str
    pairs : sequence of (str, str)
        The ties (both ends among ``nodes``).
    weights : sequence of float, optional
        One strength per tie (larger is closer); 1 when omitted.
    seed : int, default 0
    iterations : int, default 300

    Returns
    -------
    dict
        ``{node: (x, y)}`` within [-1, 1].
    """
    order = sorted(str(v) for v in nodes)
    n = len(order)
    if n == 0:
        return {}
    if n == 1:
        return {order[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(order)}
    A = np.zeros((n, n))
    w = np.ones(len(pairs)) if weights is None else np.asarray(weights, dtype=float)
    for (a, b), wi in zip(pairs, w):
        i, j = index[str(a)], index[str(b)]
        if i != j:
            A[i, j] += wi
            A[j, i] += wi
    if A.max() > 0:
        A = A / A.max()
    A = np.where(A > 0, 0.35 + 0.65 * A, 0.0)  # every tie pulls; strong ties pull more
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * np.arange(n) / n
    pos = np.column_stack([np.cos(angle), np.sin(angle)]) + rng.normal(0, 0.05, (n, 2))
    k = 1.8 / np.sqrt(n)
    temp = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta ** 2).sum(axis=-1))
        np.fill_diagonal(dist, 1.0)
        dist = np.maximum(dist, 1e-3)
        force = k * k / dist ** 2 - A * dist / k
        np.fill_diagonal(force, 0.0)
        disp = (delta * force[:, :, None]).sum(axis=1) - 0.6 * pos * np.sqrt(
            (pos ** 2).sum(axis=1, keepdims=True))
        length = np.sqrt((disp ** 2).sum(axis=1))
        length = np.where(length > 0, length, 1.0)
        pos = pos + disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp = max(temp * 0.985, 0.002)
    pos = pos - np.median(pos, axis=0)
    scale = np.abs(pos).max() or 1.0
    pos = pos / scale
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for i, v in enumerate(order)}


def _place_labels(ax, points, labels, *, fontsize=7, span=2.7, inches=6.0):
    """Annotate ``points`` with ``labels``, moving each label to a free spot near its point.

    Greedy and deterministic: labels are placed in the order given (the most
    important first), each at the first of eight offsets whose box (estimated from
    the text length) overlaps no label placed before it; a label with no free
    offset is placed further out with a leader line.
    """
    unit = span / (inches * 72.0)  # data units per point
    h = fontsize * 1.25 * unit
    boxes = []
    offsets = [(6, 4), (6, -10), (-6, 4), (-6, -10), (0, 9), (0, -14), (12, 0), (-12, 0)]

    def box(x, y, dx, dy, width):
        x0 = x + dx * unit if dx >= 0 else x + dx * unit - width
        if dx == 0:
            x0 = x - width / 2
        y0 = y + dy * unit
        return (x0, y0, x0 + width, y0 + h)

    def free(b):
        return all(b[2] < o[0] or b[0] > o[2] or b[3] < o[1] or b[1] > o[3] for o in boxes)

    for (x, y), text in zip(points, labels):
        width = len(str(text)) * fontsize * 0.56 * unit
        chosen = None
        for dx, dy in offsets:
            b = box(x, y, dx, dy, width)
            if free(b):
                chosen = (dx, dy, b)
                break
        arrow = None
        if chosen is None:
            for r in (22, 34, 46, 60):
                for dx, dy in ((r, r / 2), (-r, r / 2), (r, -r / 2), (-r, -r / 2), (0, r),
                               (0, -r)):
                    b = box(x, y, dx, dy, width)
                    if free(b):
                        chosen = (dx, dy, b)
                        break
                if chosen:
                    break
            arrow = {"arrowstyle": "-", "color": "#999999", "linewidth": 0.5}
        if chosen is None:
            chosen = (6, 4, box(x, y, 6, 4, width))
        dx, dy, b = chosen
        boxes.append(b)
        ha = "left" if dx > 0 else ("right" if dx < 0 else "center")
        ax.annotate(str(text), (x, y), textcoords="offset points", xytext=(dx, dy),
                    fontsize=fontsize, ha=ha, va="bottom", zorder=4, arrowprops=arrow,
                    bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.75}, **PLAIN)


def plot_network(edges, *, source="source", target="target", weight=None, size=None,
                 ax=None, title=None, label_top=12, seed=0):
    """Draw a partnership network with a deterministic force-directed layout.

    Parameters
    ----------
    edges : PartnershipNetwork or pandas.DataFrame
        A :class:`concentration.network.PartnershipNetwork` (its :attr:`ties`, with
        their weights; node size by degree centrality unless ``size`` is given), or
        one row per tie with ``source`` and ``target`` columns (and an optional
        ``weight``: a strength, larger is closer).
    source, target, weight : str
        Column names (of a DataFrame).
    size : mapping, optional
        Node -> size (e.g. a centrality); larger nodes are drawn bigger and labelled
        first.  Degree when omitted.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    label_top : int, default 12
        Label this many of the largest nodes (labels are moved apart so they do not
        overlap).
    seed : int, default 0
        Seed of the layout's starting jitter (see :func:`spring_layout`).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from concentration.network import PartnershipNetwork
    >>> net = PartnershipNetwork(pd.DataFrame({"source": ["A", "A"], "target": ["B", "C"]}))
    >>> ax = plot_network(net)
    >>> sorted(t.get_text() for t in ax.texts)
    ['A', 'B', 'C']
    """
    if hasattr(edges, "ties") and hasattr(edges, "centrality"):  # a PartnershipNetwork
        net = edges
        edges = net.ties
        source, target = "source", "target"
        weight = "weight" if "weight" in edges.columns else None
        if size is None and len(edges):
            size = net.centrality("degree", weight_as=None).to_dict()
    if not isinstance(edges, pd.DataFrame):
        raise TypeError("plot_network: edges must be a PartnershipNetwork or a DataFrame of "
                        f"ties, not {type(edges).__name__}")
    e = edges[[source, target] + ([weight] if weight else [])].dropna(subset=[source, target])
    nodes = sorted({str(v) for v in e[source]} | {str(v) for v in e[target]})
    if size is None:
        deg = pd.concat([e[source].astype(str), e[target].astype(str)]).value_counts()
        size = {k: float(v) for k, v in deg.items()}
    size = {str(k): float(v) for k, v in dict(size).items()}
    w = e[weight].to_numpy(dtype=float) if weight else np.ones(len(e))
    pairs = list(zip(e[source].astype(str), e[target].astype(str)))
    pos = spring_layout(nodes, pairs, w, seed=seed)
    ax = new_axes(ax, size=(7.0, 6.0))
    wmax = w.max() if w.size and w.max() > 0 else 1.0
    for (a, b), wi in zip(pairs, w):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot([x0, x1], [y0, y1], color="#777777", alpha=0.3,
                linewidth=0.4 + 1.6 * wi / wmax, zorder=1)
    smax = max(size.values(), default=1.0) or 1.0
    ranked = sorted(nodes, key=lambda n: (-size.get(n, 0.0), n))
    top = set(ranked[:label_top])
    xs = [pos[v][0] for v in nodes]
    ys = [pos[v][1] for v in nodes]
    ss = [14 + 300 * size.get(v, 0.0) / smax for v in nodes]
    colors = [PALETTE[1] if v in top else PALETTE[0] for v in nodes]
    ax.scatter(xs, ys, s=ss, color=colors, edgecolor="white", linewidth=0.6, zorder=3)
    _place_labels(ax, [pos[v] for v in ranked[:label_top]], ranked[:label_top])
    ax.set_aspect("equal")
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.15, 1.15)
    ax.axis("off")
    if title:
        ax.set_title(title, **PLAIN)
    return ax


def plot_centrality_trend(frame, *, firms=None, top=6, measure=None, centralization=None,
                          ax=None, title=None):
    """Plot each firm's centrality by period, and optionally the network's centralization.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``firm``, ``period`` (dates), ``value`` and optionally ``measure``, as
        returned by :meth:`concentration.network.PartnershipNetwork.centrality_over_time`.
    firms : sequence of str, optional
        The firms drawn; by default the ``top`` most central in the last period.
    top : int, default 6
    measure : str, optional
        The measure drawn when ``frame`` holds several (default: the first).
    centralization : pandas.Series, optional
        Centralization by period (dates), e.g. from
        :meth:`~concentration.network.PartnershipNetwork.centralization_over_time`;
        drawn as a dashed black line.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    df = frame
    if "measure" in df.columns and len(df):
        m = measure if measure is not None else df["measure"].iloc[0]
        df = df[df["measure"] == m]
    else:
        m = measure or "centrality"
    if firms is None and len(df):
        last = df[df["period"] == df["period"].max()]
        last = last.assign(_neg=-last["value"]).sort_values(["_neg", "firm"], kind="stable")
        firms = list(last["firm"].head(top))
    handles = []
    for i, f in enumerate(firms or []):
        g = df[df["firm"] == f].sort_values("period", kind="stable")
        handles += ax.plot(_date_numbers(g["period"]), g["value"].to_numpy(dtype=float),
                           marker="o", markersize=3, linewidth=1.4,
                           color=PALETTE[i % len(PALETTE)], label=str(f))
    if centralization is not None and len(centralization):
        c = pd.Series(centralization).dropna()
        handles += ax.plot(_date_numbers(pd.Series(c.index)), c.to_numpy(dtype=float),
                           color="black", linestyle="--", linewidth=1.2,
                           label="centralization")
    years = sorted(set(pd.to_datetime(df["period"]).dt.year)) if len(df) else []
    if years:
        step = max(1, -(-len(years) // 12))
        shown = years[::step]
        ax.set_xticks(_date_numbers(pd.Series([pd.Timestamp(year=y, month=1, day=1)
                                               for y in shown])))
        ax.set_xticklabels([str(y) for y in shown], **PLAIN)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"{m} centrality" if m != "centrality" else "centrality", **PLAIN)
    if handles:
        plain_legend(ax, handles, fontsize=7, frameon=False, loc="upper left",
                     bbox_to_anchor=(1.0, 1.0))
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
