"""Options and output helpers shared by the command-line subcommands."""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import warnings

import pandas as pd

from ..exceptions import InvalidParameterError

__all__ = ["add_column_options", "column_kwargs", "write_output", "parse_list", "Progress",
           "add_output_option", "add_command", "add_duplicates_option", "add_named_columns",
           "read_shares_options", "emit", "fringe_reported"]

#: ``--out`` help of the subcommands that print a table when no file is given.
OUT_HELP = "output file (.parquet, .csv, .json); a table on stdout if omitted"


class Progress:
    """A tiny progress indicator on stderr, shown only when stdout and stderr are terminals.

    Use as a context manager; call :meth:`step` with the name of each step (the
    report passes it as its ``progress`` callback) or :meth:`update` with a count
    out of ``total``.  Nothing is written when the output is redirected, so piped
    and captured output stays clean.
    """

    def __init__(self, label, *, total=None, stream=None, enabled=None):
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = _isatty(sys.stdout) and _isatty(self.stream)
        self.enabled = bool(enabled)
        self.count = 0
        self._width = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
        return False

    def _show(self, text):
        if not self.enabled:
            return
        line = f"{self.label}: {text}"[:100]
        pad = max(0, self._width - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._width = len(line)

    def step(self, name):
        """Show that step ``name`` has started."""
        self.count += 1
        self._show(f"[{self.count}] {name} ...")

    def update(self, n=1):
        """Advance a counted loop by ``n``."""
        self.count += n
        if self.total:
            done = int(30 * self.count / self.total)
            self._show(f"[{'#' * done}{'.' * (30 - done)}] {self.count}/{self.total}")
        else:
            self._show(f"{self.count}")


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def add_command(sub, name, handler, *, help, inputs, **kwargs):
    """Add subcommand ``name`` run by ``handler``, with its positional input arguments.

    The handler's docstring is the command's ``--help`` description; ``inputs``
    maps each positional argument (the input tables, in order) to its help text;
    further keyword arguments go to ``add_parser`` (e.g. ``epilog``).
    """
    p = sub.add_parser(name, help=help, description=inspect.getdoc(handler), **kwargs)
    for arg, text in inputs.items():
        p.add_argument(arg, help=text)
    p.set_defaults(handler=handler)
    return p


def add_output_option(parser, *, help=OUT_HELP, **kwargs):
    """Add ``--out``/``-o``: output file whose format follows its extension."""
    kwargs.setdefault("default", None)
    parser.add_argument("--out", "-o", help=help, **kwargs)


def add_duplicates_option(parser):
    """Add ``--duplicates``: what to do with several rows of one firm in one market."""
    parser.add_argument("--duplicates", choices=("error", "sum"), default="error",
                        help="several rows of one firm in one market: error or sum")


def add_named_columns(container, names):
    """Add a ``--NAME-col`` option (default ``NAME``) for each column name in ``names``."""
    for name in names:
        container.add_argument(f"--{name}-col", default=name,
                               help=f"{name} column (default: {name})")


def add_column_options(parser):
    """Add the column-name and unit options every table-reading subcommand shares."""
    g = parser.add_argument_group("columns and units")
    g.add_argument("--market-col", default="market", help="market column (default: market)")
    g.add_argument("--period-col", default="period", help="period column (default: period)")
    g.add_argument("--firm-col", default="firm", help="firm column (default: firm)")
    g.add_argument("--share-col", default="share", help="share column (default: share)")
    g.add_argument("--value-col", default=None,
                   help="derive shares from this sales/revenue column instead")
    g.add_argument("--scale", choices=("fraction", "percent"), default="fraction",
                   help="unit of the share column (default: fraction)")


def column_kwargs(args) -> dict:
    """Keyword arguments for the library's share functions from the parsed options."""
    return {"market": args.market_col, "period": args.period_col, "firm": args.firm_col,
            "share": args.share_col, "value": args.value_col, "scale": args.scale}


@contextlib.contextmanager
def fringe_reported():
    """Silence :class:`FringeWarning` where the output itself reports the fringe."""
    from ..exceptions import FringeWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)
        yield


def read_shares_options(args, source, **options):
    """Read the shares table ``source`` with the column and unit options of ``args``.

    Returns the frame and the column keywords (market, period, firm, share) that
    the library's analysis functions take for it: when shares were derived from
    ``--value-col`` they sit in the ``share`` column.  Call it inside
    :func:`fringe_reported` when the analysis reports the fringe itself.
    """
    from ..io import read_shares

    kw = column_kwargs(args)
    frame = read_shares(source, **kw, **options)
    columns = {"market": kw["market"], "period": kw["period"], "firm": kw["firm"],
               "share": kw["share"] if kw["value"] is None else "share"}
    return frame, columns


def emit(result: pd.DataFrame, args, *, provenance_from, index=True) -> int:
    """Attach the input's provenance to ``result``, write it to ``--out``; return 0."""
    result.attrs["provenance"] = provenance_from.attrs.get("provenance", {})
    write_output(result, args.out, index=index)
    return 0


def parse_list(text):
    """Split a comma-separated option into a list of stripped, non-empty items."""
    return [t.strip() for t in str(text).split(",") if t.strip()]


def write_output(frame: pd.DataFrame, out, *, index=True):
    """Write ``frame`` to ``out`` (format from the extension) or print it to stdout."""
    if out is None or out == "-":
        with pd.option_context("display.max_rows", 200, "display.width", 160,
                               "display.max_columns", 30):
            sys.stdout.write(frame.to_string() + "\n")
        return
    ext = os.path.splitext(out)[1].lower()
    if ext == ".parquet":
        from ..io import write_parquet

        write_parquet(frame.reset_index() if index else frame, out,
                      provenance=frame.attrs.get("provenance") or None)
    elif ext == ".csv":
        frame.to_csv(out, index=index)
    elif ext == ".json":
        (frame.reset_index() if index else frame).to_json(out, orient="records", indent=1)
    else:
        raise InvalidParameterError(
            f"The '--out' option must end in .parquet, .csv or .json. Got {out!r} instead. "
            "Choose one of those extensions, or omit --out to print a table.")
