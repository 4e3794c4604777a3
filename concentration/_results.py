"""Shared behaviour of result objects: summaries and safe notebook display.

Every composite result is a frozen dataclass that implements ``to_frame()`` and
``_summary_parts()``; :class:`ResultMixin` turns those into ``summary()`` (a
:class:`Summary` rendering as text, HTML, LaTeX and Markdown), a short
``__repr__`` and an escaped ``_repr_html_`` for notebooks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

__all__ = ["Summary", "ResultMixin"]

_MAX_ROWS = 30


def _frame_text(frame: pd.DataFrame) -> str:
    with pd.option_context("display.max_rows", _MAX_ROWS, "display.width", 120,
                           "display.max_columns", 20):
        return frame.to_string(max_rows=_MAX_ROWS)


def _frame_html(frame: pd.DataFrame) -> str:
    # pandas escapes cell values and labels when escape=True (the default).
    return frame.to_html(max_rows=_MAX_ROWS, escape=True, border=0, classes="conc-table")


def _escape_latex(text: str) -> str:
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
    return "".join(repl.get(ch, ch) for ch in str(text))


@dataclass(frozen=True)
class Summary:
    """A printable summary: a title, ``(label, value)`` facts, a table and notes.

    Renders as plain text (``str``), HTML (``as_html`` / notebook display), LaTeX
    (``as_latex``) and Markdown (``as_markdown``).  Every string taken from the data
    is escaped in the HTML and LaTeX renderings.
    """

    title: str
    facts: tuple = ()
    table: pd.DataFrame | None = None
    notes: tuple = ()

    def as_text(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        width = max((len(str(k)) for k, _ in self.facts), default=0)
        lines += [f"{str(k).ljust(width)} : {v}" for k, v in self.facts]
        if self.table is not None:
            lines += ["", _frame_text(self.table)]
        if self.notes:
            lines += [""] + [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        esc = html.escape
        parts = [f"<div class='conc-summary'><strong>{esc(self.title)}</strong>"]
        if self.facts:
            parts.append("<table class='conc-facts'>")
            parts += [f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>"
                      for k, v in self.facts]
            parts.append("</table>")
        if self.table is not None:
            parts.append(_frame_html(self.table))
        parts += [f"<p class='conc-note'>{esc(str(n))}</p>" for n in self.notes]
        parts.append("</div>")
        return "".join(parts)

    def as_latex(self) -> str:
        lines = [r"\textbf{" + _escape_latex(self.title) + "}", ""]
        if self.facts:
            lines.append(r"\begin{tabular}{ll}")
            lines += [f"{_escape_latex(k)} & {_escape_latex(v)} \\\\" for k, v in self.facts]
            lines.append(r"\end{tabular}")
        if self.table is not None:
            shown = self.table.head(_MAX_ROWS).copy()
            shown.index = shown.index.map(lambda v: _escape_latex(v) if isinstance(v, str) else v)
            shown.columns = [_escape_latex(c) for c in shown.columns]
            shown = shown.map(lambda v: _escape_latex(v) if isinstance(v, str) else v)
            lines.append(shown.to_latex(escape=False))
        lines += [_escape_latex(n) for n in self.notes]
        return "\n".join(lines)

    def as_markdown(self) -> str:
        lines = [f"**{self.title}**", ""]
        lines += [f"- {k}: {v}" for k, v in self.facts]
        if self.table is not None:
            shown = self.table.head(_MAX_ROWS).reset_index()
            cols = [str(c) for c in shown.columns]
            lines += ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            for row in shown.itertuples(index=False):
                cells = [str(v).replace("|", "\\|") for v in row]
                lines.append("| " + " | ".join(cells) + " |")
        lines += [""] + [f"*{n}*" for n in self.notes] if self.notes else []
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


class ResultMixin:
    """Mixin for frozen result dataclasses.

    Subclasses implement ``to_frame()`` and ``_summary_parts()`` returning
    ``(title, facts, notes)``; the table shown is ``to_frame()``.
    """

    def _summary_parts(self):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def summary(self) -> Summary:
        """Return a :class:`Summary` (text with ``str()``, ``as_html``, ``as_latex``, ``as_markdown``)."""
        title, facts, notes = self._summary_parts()
        return Summary(title=title, facts=tuple(facts), table=self.to_frame(), notes=tuple(notes))

    def __repr__(self) -> str:
        title, facts, _ = self._summary_parts()
        shown = ", ".join(f"{k}={v}" for k, v in list(facts)[:4])
        return f"<{type(self).__name__}: {title}" + (f" ({shown})>" if shown else ">")

    def _repr_html_(self) -> str:
        return self.summary().as_html()
