"""Shared behaviour of result objects: summaries and safe notebook display.

Every composite result is a frozen dataclass that implements ``to_frame()`` and
``_summary_parts()``; :class:`ResultMixin` turns those into ``summary()`` (a
:class:`Summary` rendering as text, HTML, LaTeX and Markdown), a short
``__repr__`` and an escaped ``_repr_html_`` for notebooks.

The text and HTML displays show each quantity in one format (see
:mod:`concentration._format`: HHI in integer points, shares as percentages,
verdict codes as labels) and stay compact: long texts (rule, citation,
messages, any cell over 60 characters) become numbered notes below the table,
columns equal to another in every row (a ``_upper`` variant equal to its base)
are said once, and a value shared by every row is said above the table.  The
data are unchanged: ``to_frame()`` keeps the raw numbers and the codes.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._format import (LONG_TEXT_COLUMNS, VERDICT_LABELS, column_kind, column_label,
                      fact_kind, format_as, format_significant)


__all__ = ["Summary", "ResultMixin", "DisplayTable", "display_table", "display_value",
           "table_html", "html_block", "STYLE", "DeferredFrame", "FrameField", "built_state"]

_MAX_ROWS = 30
#: A text cell longer than this makes its column a column of notes.
_LONG_TEXT = 60
_TEXT_WIDTH = 100

# Columns that identify a row: never lifted above the table nor turned into notes.
_KEYS = frozenset({"market", "period", "deal", "guideline", "firm", "other", "owner", "source",
                   "target", "row", "row_other", "check", "severity", "group", "pair",
                   "kind", "year", "input", "column"})
_NUMERIC_KINDS = frozenset({"points", "percent", "decimal", "centrality", "count"})
_NUMBER_TEXT = re.compile(r"^[−-]?\d[\d,]*(\.\d+)?$")
_VERDICT_CODE = re.compile(r"\b(" + "|".join(sorted(VERDICT_LABELS, key=len, reverse=True))
                           + r")\b")

#: The CSS of the notebook display, scoped to ``.conc-summary``.
STYLE = (
    "<style>"
    ".conc-summary{font-size:13px;line-height:1.35;max-width:900px;overflow-x:auto}"
    ".conc-summary .conc-title{font-weight:600;font-size:14px;margin:0 0 4px}"
    ".conc-summary table{border-collapse:collapse;margin:4px 0;width:auto}"
    ".conc-summary th,.conc-summary td{padding:2px 6px;border:none;"
    "text-align:left;vertical-align:top}"
    ".conc-summary table.conc-table td{white-space:normal;min-width:3em}"
    ".conc-summary table.conc-table td.num,.conc-summary table.conc-table td.nw"
    "{white-space:nowrap}"
    ".conc-summary table.conc-table th{vertical-align:bottom;max-width:8em;"
    "white-space:normal;border-bottom:1px solid #999;font-weight:600}"
    ".conc-summary table.conc-table tbody tr:nth-child(even){background:rgba(127,127,127,.08)}"
    ".conc-summary td.num,.conc-summary th.num{text-align:right;"
    "font-variant-numeric:tabular-nums}"
    ".conc-summary table.conc-facts th{font-weight:normal;color:#555;white-space:nowrap}"
    ".conc-summary table.conc-facts td{white-space:normal;max-width:640px}"
    ".conc-summary .conc-same{margin:4px 0;color:#333}"
    ".conc-summary ol.conc-notes{margin:4px 0 0;padding-left:2.2em;font-size:12px;"
    "color:#333;max-width:860px}"
    ".conc-summary ol.conc-notes li{margin:1px 0}"
    ".conc-summary p.conc-note{margin:4px 0;font-size:12px;color:#333;max-width:860px}"
    ".conc-summary sup{font-size:10px}"
    "</style>"
)


def _cell(kind, v) -> str:
    """A cell's text: its quantity's format; a number of unknown quantity to 4 digits."""
    return format_significant(v) if kind == "auto" else format_as(kind, v)


def display_value(label, value) -> str:
    """Text of a summary fact ``(label, value)``: numbers in the label's format.

    Numbers, and texts that are plain numbers (``"3,800.0"``), take the format of
    the quantity the label names (``"MHHI delta"`` -> points); verdict codes in
    a text become their labels.
    """
    kind = fact_kind(label)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _cell(kind if kind != "auto" else "auto", value)
    text = str(value)
    if kind in _NUMERIC_KINDS - {"percent"} and _NUMBER_TEXT.match(text.strip()):
        try:
            number = float(text.strip().replace(",", "").replace("−", "-"))
        except ValueError:
            return text
        return _cell(kind, number)
    return _VERDICT_CODE.sub(lambda m: VERDICT_LABELS[m.group(1)], text)


@dataclass(frozen=True)
class DisplayTable:
    """A table made ready to show: texts, with what was taken out of it said aside.

    Attributes
    ----------
    frame : DataFrame
        One column per shown column (headers are labels), every cell a text.
    codes : tuple of str
        The column code of each shown column.
    numeric : tuple of bool
        Whether each shown column holds numbers (right-aligned).
    same : tuple of (label, text)
        Columns whose value is the same in every row, said once.
    equal : tuple of (code, code)
        Columns (``x_upper``) equal to their base column (``x``) in every row, left out.
    notes : tuple of str
        The numbered notes (long texts); the ``Note`` column of ``frame`` refers to them.
    hidden_rows : int
        Rows not shown (the table is cut at 30 rows; ``to_frame()`` has them all).
    ranges : tuple of str
        Codes of the bound columns shown inside their column as a range ``lo–hi``.
    empty : tuple of str
        Codes of the columns with no value in any row, left out.
    """

    frame: pd.DataFrame
    codes: tuple
    numeric: tuple
    same: tuple = ()
    equal: tuple = ()
    notes: tuple = ()
    hidden_rows: int = 0
    ranges: tuple = ()
    empty: tuple = ()


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame
    names = [n if n is not None else ("" if frame.index.nlevels == 1 else f"level_{i}")
             for i, n in enumerate(frame.index.names)]
    out = frame.copy()
    out.index = out.index.set_names(names)
    return out.reset_index()


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _long_text(code: str, series: pd.Series) -> bool:
    if code in _KEYS or not _is_text(series):
        return False
    if code in LONG_TEXT_COLUMNS:
        return True
    lengths = series.map(lambda v: len(v) if isinstance(v, str) else 0)
    return bool(len(lengths)) and int(lengths.max()) > _LONG_TEXT


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    try:
        return bool(a.reset_index(drop=True).equals(b.reset_index(drop=True)))
    except (TypeError, ValueError):
        return False


def _base_code(code: str):
    for suffix in ("_upper", "_lower", "_max", "_min"):
        if code.endswith(suffix):
            return code[: -len(suffix)]
    return None


def _same_as_base(df, by_code, code, c, i) -> bool:
    """Whether bound column ``code`` has its base column's value in row ``i``."""
    base = _base_code(code)
    if base not in by_code:
        return False
    try:
        return bool(df[c].iloc[i] == df[by_code[base]].iloc[i])
    except (TypeError, ValueError):
        return False


def display_table(frame: pd.DataFrame, *, max_rows: int = _MAX_ROWS) -> DisplayTable:
    """Prepare ``frame`` for display (see the module's docstring for what changes).

    The index becomes the leftmost columns; a column ``x_upper`` (``_lower``,
    ``_min``, ``_max``) equal to ``x`` in every row is left out and said once; a
    numeric one that differs is shown in ``x`` as a range ``lo–hi``, a text one
    (``zone_upper``) as a note, a verdict one in its own column;
    with two rows or more, a column that is not a key (market, period, deal,
    guideline, firm, ...) nor a verdict and has one value in every row is said
    above the table; long texts become numbered notes.
    """
    df = _flat(frame)
    hidden = max(len(df) - max_rows, 0)
    df = df.head(max_rows)
    codes = [str(c) for c in df.columns]
    by_code = dict(zip(codes, df.columns))
    # numeric bounds that differ from their column are shown in it, as a range lo–hi
    ranges = {}
    for c, code in zip(df.columns, codes):
        base = _base_code(code)
        if (base in by_code and column_kind(base) in _NUMERIC_KINDS
                and not _same_values(df[c], df[by_code[base]])):
            side = "hi" if code.endswith(("_upper", "_max")) else "lo"
            ranges.setdefault(base, {}).setdefault(side, c)
    in_range = {c for r in ranges.values() for c in r.values()}
    keep, same, equal, long_cols, texts, empty = [], [], [], [], {}, []
    for c, code in zip(df.columns, codes):
        col = df[c]
        base = _base_code(code)
        if base in by_code and _same_values(col, df[by_code[base]]):
            equal.append((code, base))
            continue
        if c in in_range:
            continue
        kind = column_kind(code)
        if _long_text(code, col) or (base in by_code and kind not in _NUMERIC_KINDS
                                     and kind != "verdict" and code not in _KEYS):
            long_cols.append((c, code))
            continue
        if len(df) and code not in _KEYS and all(_blank(v) for v in col):
            empty.append(code)
            continue
        cells = [_cell(kind, v) for v in col]
        if code in ranges:
            lo = ranges[code].get("lo", c)
            hi = ranges[code].get("hi", c)
            cells = [a if a == b else f"{a}–{b}" for a, b in zip(
                [_cell(kind, v) for v in df[lo]], [_cell(kind, v) for v in df[hi]])]
        if len(df) >= 2 and kind != "verdict" and len(set(cells)) == 1:
            same.append((column_label(code), cells[0]))
            continue
        keep.append((c, code))
        texts[c] = cells
    notes, marks = [], []
    if long_cols:
        numbers = {}
        for i in range(len(df)):
            parts = [f"{column_label(code)}: {_cell(column_kind(code), df[c].iloc[i])}"
                     for c, code in long_cols if not _blank(df[c].iloc[i])
                     and not _same_as_base(df, by_code, code, c, i)]
            if not parts:
                marks.append("")
                continue
            text = "; ".join(parts) if len(parts) > 1 else (
                parts[0] if len(long_cols) > 1 else
                _cell(column_kind(long_cols[0][1]), df[long_cols[0][0]].iloc[i]))
            if text not in numbers:
                notes.append(text)
                numbers[text] = len(notes)
            marks.append(f"[{numbers[text]}]")
    if same and (not keep or (not any(code not in _KEYS for _, code in keep)
                              and not any(marks))):
        # lifting would leave only the keys: keep the table whole instead
        lifted = {label for label, _ in same}
        keep = [(c, code) for c, code in zip(df.columns, codes)
                if (c, code) in keep or column_label(code) in lifted]
        same = []
    cols, shown_codes, numeric = {}, [], []
    for c, code in keep:
        kind = column_kind(code)
        label = column_label(code)
        while label in cols:
            label += " "
        cols[label] = texts[c] if c in texts else [_cell(kind, v) for v in df[c]]
        shown_codes.append(code)
        numeric.append(kind in _NUMERIC_KINDS or (
            kind == "auto" and pd.api.types.is_numeric_dtype(df[c].dtype)
            and not pd.api.types.is_bool_dtype(df[c].dtype)))
    if notes:
        label = "Note" if "Note" not in cols else "Notes "
        cols[label] = marks
        shown_codes.append("_notes")
        numeric.append(False)
    shown = pd.DataFrame(cols, index=pd.RangeIndex(len(df)))
    return DisplayTable(frame=shown, codes=tuple(shown_codes), numeric=tuple(numeric),
                        same=tuple(same), equal=tuple(equal), notes=tuple(notes),
                        hidden_rows=hidden, ranges=tuple(str(c) for c in df.columns
                                                         if c in in_range),
                        empty=tuple(empty))


def _range_text(ranges) -> str:
    return ("a–b: from the value on the listed firms to its bound (" + ", ".join(ranges)
            + " in to_frame()).")


def _empty_text(empty) -> str:
    return "No value in any row: " + ", ".join(column_label(c) for c in empty) + "."


def _equal_text(equal) -> str:
    return ("Not shown, equal in every row to the column they bound: "
            + ", ".join(code for code, _ in equal) + ".")


def _text_blocks(shown: DisplayTable) -> list:
    """The table as text, in blocks of columns at most 100 characters wide.

    The leading key columns (market, period, guidelines ...) start every block.
    """
    table = shown.frame
    widths = [max([len(str(c))] + [len(v) for v in table[c]]) for c in table.columns]
    n_keys = 0
    for code in shown.codes:
        if code not in _KEYS:
            break
        n_keys += 1
    keys = list(range(n_keys))
    if sum(widths[i] + 2 for i in keys) > _TEXT_WIDTH // 2:
        keys = []
    blocks, current = [], []
    for i in range(n_keys if keys else 0, len(widths)):
        used = sum(widths[j] + 2 for j in keys + current)
        if current and used + widths[i] > _TEXT_WIDTH:
            blocks.append(current)
            current = []
        current.append(i)
    if current or not blocks:
        blocks.append(current)
    lines = []
    for b, block in enumerate(blocks):
        cols = keys + block
        def row(cells):
            out = [str(cells[i]).rjust(widths[i]) if shown.numeric[i] else
                   str(cells[i]).ljust(widths[i]) for i in cols]
            return "  ".join(out).rstrip()
        if b:
            lines.append("")
        lines.append(row(list(table.columns)))
        lines.append("  ".join("-" * widths[i] for i in cols))
        lines += [row(list(r)) for r in table.itertuples(index=False)]
    return lines


def _frame_text(shown: DisplayTable) -> list:
    lines = []
    if shown.same:
        lines += textwrap.wrap("In every row: " + "; ".join(f"{k} {v}" for k, v in shown.same),
                               _TEXT_WIDTH, subsequent_indent="  ")
    if len(shown.frame.columns):
        lines += _text_blocks(shown)
    if shown.hidden_rows:
        lines.append(f"... {shown.hidden_rows} more rows (to_frame() has every row)")
    if shown.ranges:
        lines += textwrap.wrap(_range_text(shown.ranges), _TEXT_WIDTH, subsequent_indent="  ")
    if shown.empty:
        lines += textwrap.wrap(_empty_text(shown.empty), _TEXT_WIDTH, subsequent_indent="  ")
    if shown.equal:
        lines += textwrap.wrap(_equal_text(shown.equal), _TEXT_WIDTH, subsequent_indent="  ")
    for i, note in enumerate(shown.notes, 1):
        lines += textwrap.wrap(note, _TEXT_WIDTH, initial_indent=f"[{i}] ",
                               subsequent_indent=" " * (len(str(i)) + 3))
    return lines


def table_html(shown: DisplayTable) -> str:
    """The HTML of a :class:`DisplayTable` (every text escaped), without the style."""
    esc = html.escape
    parts = []
    if shown.same:
        parts.append("<p class='conc-same'>In every row: " + "; ".join(
            f"{esc(k)} <b>{esc(v)}</b>" for k, v in shown.same) + "</p>")
    table = shown.frame
    if len(table.columns):
        head = "".join(f"<th class='num'>{esc(str(c))}</th>" if num else
                       f"<th>{esc(str(c))}</th>" for c, num in zip(table.columns, shown.numeric))
        parts.append(f"<table class='conc-table'><thead><tr>{head}</tr></thead><tbody>")
        for r in table.itertuples(index=False):
            cells = []
            for v, num, code in zip(r, shown.numeric, shown.codes):
                if code == "_notes" and v:
                    n = v.strip("[]")
                    cells.append(f"<td><sup>{esc(n)}</sup></td>")
                else:
                    cls = "num" if num else ("nw" if column_kind(code) == "verdict"
                                             or len(v) <= 12 else "")
                    cells.append(f"<td class='{cls}'>{esc(v)}</td>" if cls else
                                 f"<td>{esc(v)}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    if shown.hidden_rows:
        parts.append(f"<p class='conc-note'>… {shown.hidden_rows} more rows "
                     "(<code>to_frame()</code> has every row)</p>")
    if shown.ranges:
        parts.append("<p class='conc-note'>" + esc(_range_text(shown.ranges)) + "</p>")
    if shown.empty:
        parts.append("<p class='conc-note'>" + esc(_empty_text(shown.empty)) + "</p>")
    if shown.equal:
        parts.append("<p class='conc-note'>" + esc(_equal_text(shown.equal)) + "</p>")
    if shown.notes:
        parts.append("<ol class='conc-notes'>" + "".join(
            f"<li>{esc(n)}</li>" for n in shown.notes) + "</ol>")
    return "".join(parts)


def html_block(title, facts=(), body: str = "", notes=()) -> str:
    """A display block: the style, the title, a table of facts, ``body`` (HTML), notes.

    ``title``, the facts and the notes are escaped here; ``body`` must be HTML
    built from escaped texts (:func:`table_html`).
    """
    esc = html.escape
    parts = [STYLE, f"<div class='conc-summary'><div class='conc-title'>{esc(str(title))}</div>"]
    if facts:
        parts.append("<table class='conc-facts'>")
        parts += [f"<tr><th>{esc(str(k))}</th><td>{esc(display_value(k, v))}</td></tr>"
                  for k, v in facts]
        parts.append("</table>")
    parts.append(body)
    parts += [f"<p class='conc-note'>{esc(str(n))}</p>" for n in notes]
    parts.append("</div>")
    return "".join(parts)


def _escape_latex(text: str) -> str:
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
    return "".join(repl.get(ch, ch) for ch in str(text))


@dataclass(frozen=True)
class Summary:
    """A printable summary: a title, ``(label, value)`` facts, a table and notes.

    Renders as plain text (``str``), HTML (``as_html`` / notebook display), LaTeX
    (``as_latex``) and Markdown (``as_markdown``).  Every string taken from the data
    is escaped in the HTML and LaTeX renderings.  The text and HTML show numbers
    in one format per quantity (HHI in integer points, shares as percentages) and
    long texts as numbered notes below the table (see :func:`display_table`).
    """

    title: str
    facts: tuple = ()
    table: pd.DataFrame | None = None
    notes: tuple = ()

    def _shown(self):
        return None if self.table is None else display_table(self.table)

    def as_text(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        facts = [(str(k), display_value(k, v)) for k, v in self.facts]
        width = max((len(k) for k, _ in facts), default=0)
        for k, v in facts:
            lines += textwrap.wrap(f"{k.ljust(width)} : {v}", _TEXT_WIDTH,
                                   subsequent_indent=" " * (width + 3)) or [k]
        shown = self._shown()
        if shown is not None:
            lines += [""] + _frame_text(shown)
        if self.notes:
            lines.append("")
            for n in self.notes:
                lines += textwrap.wrap(f"Note: {n}", _TEXT_WIDTH, subsequent_indent="      ")
        return "\n".join(lines)

    def as_html(self) -> str:
        shown = self._shown()
        body = "" if shown is None else table_html(shown)
        return html_block(self.title, self.facts, body, self.notes)

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


class DeferredFrame:
    """A DataFrame built when it is first read: ``build(*args)``.

    A result that many callers never display (a screen in a loop over deals, say)
    keeps its columns as arrays and makes the DataFrame only if someone asks for it.

    Parameters
    ----------
    build : callable
        Returns the DataFrame; a module-level function, so that the frame is the
        same whenever it is built.
    *args
        What ``build`` is called with.
    """

    __slots__ = ("args", "build")

    def __init__(self, build, *args):
        self.build = build
        self.args = args

    def __call__(self) -> pd.DataFrame:
        return self.build(*self.args)

    def __repr__(self) -> str:
        return "<DataFrame built when first read>"


class FrameField:
    """A DataFrame field of a frozen result dataclass that may be given deferred.

    Assigned a :class:`DeferredFrame`, the field builds the frame on first read and
    keeps it; assigned a DataFrame, it holds it as given.  The dataclass must keep a
    ``__dict__`` (no ``slots=True``); its ``__getstate__`` should return
    :func:`built_state` so that pickles hold DataFrames.

    Parameters
    ----------
    default : callable, optional
        Returns a new DataFrame: the field is then optional, and each instance left
        at the default builds its own frame when read.  None: a required field.
    """

    def __init__(self, default=None):
        self.default = default
        self.name = None

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            if self.default is None:
                raise AttributeError(self.name)   # no default: a required field
            return DeferredFrame(self.default)
        value = obj.__dict__[self.name]
        if isinstance(value, DeferredFrame):
            value = value()
            obj.__dict__[self.name] = value
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.name] = value


def built_state(obj) -> dict:
    """``obj.__dict__`` with every :class:`DeferredFrame` built (for pickling).

    Parameters
    ----------
    obj : object
        A result whose fields are :class:`FrameField` descriptors.

    Returns
    -------
    dict
        Its instance dictionary, each deferred frame built (and kept on ``obj``).
    """
    return {k: getattr(obj, k) if isinstance(v, DeferredFrame) else v
            for k, v in list(obj.__dict__.items())}


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
