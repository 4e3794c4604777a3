"""matplotlib on demand, the house style, and reproducible SVG output.

matplotlib is imported by :func:`import_mpl`, on the first figure, never when the
package is imported.  Figures are made with :class:`matplotlib.figure.Figure`
directly, so no ``pyplot`` state is touched.
"""

from __future__ import annotations

import io

from ..exceptions import MissingDependencyError

__all__ = ["PALETTE", "HOUSE_STYLE", "PLAIN", "import_mpl", "new_axes", "plain_legend",
           "figure_svg"]

#: Colours used in turn for series (colour-blind safe, Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000")

#: matplotlib rc parameters of every figure.
HOUSE_STYLE = {
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "concentration",
    "path.simplify": True,
}

#: Text properties of every label a figure draws (titles, axis and tick labels,
#: annotations, node labels): plain text, never mathtext, so a firm named ``$x^2$``
#: is drawn as written and one named ``$\undefined{}$`` cannot break the figure.
PLAIN = {"parse_math": False}


def import_mpl():
    """Import matplotlib or raise MissingDependencyError with the install command."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - matplotlib is installed in the test env
        raise MissingDependencyError(
            "Figures need matplotlib, which is not installed. Install it with "
            "'pip install antitrust-concentration[plot]' (or 'pip install matplotlib')."
        ) from None
    return matplotlib, Figure


def new_axes(ax, size=(6.4, 3.6)):
    """``ax`` itself, or the axes of a new figure in the house style (no pyplot state)."""
    if ax is not None:
        return ax
    matplotlib, Figure = import_mpl()
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=size, layout="constrained")
        return fig.add_subplot()


def plain_legend(ax, handles, **kwargs):
    """A legend of ``handles`` with their labels as plain text; return it.

    The labels are passed explicitly, so a label that starts with ``_`` (which
    matplotlib's automatic legend would drop) is listed like any other.
    """
    legend = ax.legend(handles, [str(h.get_label()) for h in handles], **kwargs)
    for text in legend.get_texts():
        text.set_parse_math(False)
    return legend


def figure_svg(fig, *, salt="concentration") -> str:
    """Render a figure to SVG text, reproducibly.

    The XML prologue is dropped so the result can be inlined in HTML.  ``salt``
    seeds the element ids; give each figure of one document its own salt so their
    ids do not collide.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (e.g. ``ax.figure``).
    salt : str, default "concentration"
        Hash salt for the ids of clip paths and glyphs.

    Returns
    -------
    str
        ``<svg ...>...</svg>``.
    """
    matplotlib, _ = import_mpl()
    buf = io.StringIO()
    with matplotlib.rc_context({**HOUSE_STYLE, "svg.hashsalt": str(salt)}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text
