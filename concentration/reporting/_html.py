"""The report's HTML: escaping, number formatting, tables, figures and the page.

The page is rendered from ``templates/report.html`` (which includes
``templates/report.css``) with autoescaping on: any plain string that reaches the
template is escaped there.  The fragments the section builders make (tables, lists,
paragraphs) are :class:`markupsafe.Markup` because they are built from
:func:`escape`-d text; inline SVG figures are Markup because matplotlib's SVG writer
escapes the text it draws.  Every fragment of the page, from the templates or from
the builders, uses one spelling of the escaped characters (that of
:func:`html.escape`).
"""

from __future__ import annotations

import functools
import html
import math

import numpy as np
import pandas as pd
from markupsafe import Markup

from .._format import column_kind, column_label, format_as

__all__ = ["escape", "format_value", "table_html", "facts_html", "warnings_html", "Figures",
           "render_page"]


def escape(value) -> Markup:
    """``value`` as HTML text (``&``, ``<``, ``>``, ``"`` and ``'`` escaped).

    Markup (anything with ``__html__``) is already HTML and passes unchanged.
    """
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(html.escape(str(value)))


def format_value(v) -> str:
    """A cell of a quantity without its own format: integers above 100, else four digits.

    Thousands separators; – for missing.
    """
    if v is None or v is pd.NA:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f):
            return "–"
        return f"{f:,.0f}" if abs(f) >= 100 else f"{f:.4g}"
    try:
        if pd.isna(v):
            return "–"
    except (TypeError, ValueError):
        pass
    return str(v)


def _cell(v, kind) -> str:
    # numbers align right; labels (a year, a firm id) align as the text beside them
    num = kind != "text" and isinstance(v, (int, float, np.integer, np.floating)) \
        and not isinstance(v, (bool, np.bool_))
    text = escape(format_as(kind, v) if kind != "auto" else format_value(v))
    if kind == "verdict" and str(v) in _CONCERN:
        return f"<td class='verdict-presumed'>{text}</td>"
    return f"<td class='num'>{text}</td>" if num else f"<td>{text}</td>"


#: Verdicts drawn in the table's warning colour.
_CONCERN = ("presumed_anticompetitive", "likely_challenge")


def table_html(frame: pd.DataFrame, *, max_rows=200, caption=None) -> Markup:
    """An escaped HTML table (index reset into columns), at most ``max_rows`` rows.

    Columns named by a known code (``hhi``, ``cr4``, ``verdict`` ...) get their human
    label and their quantity's one format (see ``concentration._format``); other columns are shown
    as named, numbers with :func:`format_value`.
    """
    unnamed = not isinstance(frame.index, pd.MultiIndex) and frame.index.name is None
    df = frame.reset_index(drop=unnamed) if not isinstance(frame.index, pd.RangeIndex) \
        or unnamed else frame
    kinds = [column_kind(c) for c in df.columns]
    out = ["<div class='tbl'><table>"]
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(column_label(c))}</th>"
                                       for c in df.columns) + "</tr></thead><tbody>")
    for row in df.head(max_rows).itertuples(index=False):
        out.append("<tr>" + "".join(_cell(v, k) for v, k in zip(row, kinds)) + "</tr>")
    out.append("</tbody></table></div>")
    if len(df) > max_rows:
        out.append(f"<p class='note'>Showing {max_rows:,} of {len(df):,} rows; the JSON "
                   "file holds them all.</p>")
    return Markup("".join(out))


def facts_html(facts) -> Markup:
    """A two-column table of ``(label, value)`` pairs, escaped."""
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(format_value(v))}</td></tr>"
                   for k, v in facts)
    return Markup(f"<table class='facts'>{rows}</table>")


def warnings_html(msgs) -> Markup:
    """A warning box listing ``msgs`` (escaped); empty without messages."""
    if not msgs:
        return Markup("")
    items = "".join(f"<li>{escape(m)}</li>" for m in msgs)
    return Markup(f"<div class='warn'><strong>Warnings</strong><ul>{items}</ul></div>")


class Figures:
    """Numbered figures with distinct, deterministic SVG id salts."""

    def __init__(self):
        self.n = 0

    def svg(self, ax_or_fig, caption) -> Markup:
        """The figure as inline SVG in a ``<figure>`` with its numbered, escaped caption."""
        from ..plotting import figure_svg

        self.n += 1
        fig = getattr(ax_or_fig, "figure", ax_or_fig)
        # matplotlib's SVG writer escapes the text it draws (labels, firm names)
        svg = figure_svg(fig, salt=f"concentration-fig{self.n}")
        return Markup(f"<figure>{svg}<figcaption>Figure {self.n}. {escape(caption)}"
                      "</figcaption></figure>")


@functools.cache
def environment():
    """The Jinja environment of the report templates (autoescaping on).

    jinja2 is imported here, on the first page, not with the package.  Jinja drops
    each template's last newline (keep_trailing_newline is off), so the stylesheet
    ends flush with ``</style>``; :func:`render_page` adds the page's final newline.
    """
    from jinja2 import Environment, PackageLoader

    return Environment(loader=PackageLoader("concentration.reporting", "templates"),
                       autoescape=True, finalize=escape)


def render_page(title, subtitle, sections, version, skipped=()) -> str:
    """The whole HTML document.

    ``sections`` have ``key``, ``title`` and ``body`` (a list of Markup fragments);
    ``title``, ``subtitle``, ``version`` and the ``skipped`` reasons are plain text,
    escaped by the template.
    """
    page = environment().get_template("report.html").render(
        title=title, subtitle=subtitle, sections=sections, version=version,
        skipped=list(skipped))
    return page + "\n"
