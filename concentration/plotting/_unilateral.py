"""The bar chart of a unilateral-effects screen (matplotlib, imported lazily)."""

from __future__ import annotations

import numpy as np

from ._mpl import PALETTE, PLAIN, new_axes

__all__ = ["plot_unilateral"]

_LABELS = {"guppi": "GUPPI (% of own price)", "upp": "UPP net of efficiencies (% of price)",
           "ipr": "illustrative price rise (% of price)",
           "cmcr": "CMCR, Bertrand (% of marginal cost)",
           "cmcr_cournot": "CMCR, Cournot (% of marginal cost)"}


def plot_unilateral(frame, *, metric="guppi", ax=None, title=None):
    """Bars of a unilateral screen's ``metric`` per party product and market.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``UnilateralScreen.to_frame()`` (columns ``firm``, ``metric``, ``threshold``,
        ``guideline`` and the grouping columns).
    metric : {"guppi", "upp", "ipr", "cmcr", "cmcr_cournot"}, default "guppi"
        Column to draw, a fraction (shown in percent).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if metric not in _LABELS or metric not in frame.columns:
        raise KeyError(f"plot_unilateral: metric {metric!r} not in {sorted(_LABELS)}")
    ax = new_axes(ax)
    t = frame
    if "guideline" in t.columns and len(t):
        t = t[t["guideline"] == t["guideline"].iloc[0]]
    t = t[t[metric].notna()]
    keys = [c for c in ("deal", "market", "period") if c in t.columns]
    labels = [" ".join(str(v) for v in row) for row in t[keys + ["firm"]].itertuples(index=False)]
    y = 100 * t[metric].to_numpy(dtype=float)
    x = np.arange(len(y))
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(y))]
    ax.bar(x, y, color=colours)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7, **PLAIN)
    ax.set_ylabel(_LABELS[metric], **PLAIN)
    if metric == "guppi" and "threshold" in t.columns:
        for thr in sorted(set(t["threshold"].dropna())):
            ax.axhline(100 * thr, color="0.3", linestyle="--", linewidth=0.8)
    ax.axhline(0, color="0.5", linewidth=0.6)
    ax.set_title(title or f"Unilateral-effects screen: {metric}", **PLAIN)
    return ax
