"""Options and output helpers shared by the command-line subcommands."""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import sys
import warnings
from typing import TYPE_CHECKING

from ..exceptions import DataFileError, InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["add_column_options", "column_kwargs", "write_output", "parse_list", "Progress",
           "add_output_option", "add_command", "add_duplicates_option", "add_named_columns",
           "read_shares_options", "emit", "fringe_reported", "option_message", "printable",
           "check_path", "add_force_option", "refuse_unnamed", "neutralise_formulas",
           "add_raw_csv_option", "read_input", "on_terminal", "number_or_mapping", "in_cli_terms", "FLAGS"]

#: Keyword arguments of the library and the command-line flags that set them.
FLAGS = {
    "market": "--market-col", "period": "--period-col", "firm": "--firm-col",
    "share": "--share-col", "value": "--value-col", "owner": "--owner-col",
    "control": "--control-col", "scale": "--scale", "duplicates": "--duplicates",
    "fringe": "--fringe", "fringe_size": "--fringe-size", "n_threads": "--threads",
    "top_k": "--top-k", "threshold": "--threshold", "metric": "--metric",
    "merging": "--merging", "guidelines": "--guidelines", "parent": "--entities",
    "entities": "--entities", "alpha": "--alpha", "weight_as": "--weight-as",
    "holdings_period": "--holdings-period", "max_age": "--max-age",
    "control_missing": "--control-missing", "control_model": "--control-model",
    "measures": "--measures", "k": "--k", "as_of": "--as-of", "markets": "--markets",
    "margins": "--margins", "prices": "--prices", "diversion": "--diversion",
    "recapture": "--recapture", "outside_share": "--outside-share",
    "efficiency": "--efficiency", "elasticity": "--elasticity",
    "guppi_threshold": "--guppi-threshold",
}

_KEYWORD = re.compile(r"\b([a-z_]+)=(<[^>]*>|'[^']*'|\"[^\"]*\"|\[[^\]]*\]|[-+\w.]+)")
_PARAMETER = re.compile(r"\bThe '([a-z_]+)' parameter of [\w.]+")
_NUMPY_SCALAR = re.compile(r"\bnp\.(?:float|int|uint|bool_)\d*\(([^()]*)\)")


#: ``--out`` help of the subcommands that print a table when no file is given.
OUT_HELP = "output file (.parquet, .csv, .json); a table on stdout if omitted"

#: ``--raw-csv`` help: CSV cells are neutralised against formula injection by default.
RAW_CSV_HELP = ("write text cells of CSV output exactly as they are (by default text that "
                "starts with =, +, -, @, a tab or a carriage return gets a leading ' so "
                "that spreadsheets do not run it as a formula)")

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def printable(text) -> str:
    """``text`` with what no terminal can print (undecodable bytes of a path) escaped."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def option_message(command, flag, expected, got, fix="") -> str:
    """The one-template message for a bad command-line option, in the CLI's own terms."""
    kind = "option" if str(flag).startswith("-") else "argument"
    msg = (f"The '{flag}' {kind} of concentration {command} must be {expected}. "
           f"Got {printable(got)} instead.")
    return f"{msg} {fix}".rstrip()


def check_path(command, flag, path):
    """``path`` itself, or DataFileError when its name is not valid UTF-8.

    A name with bytes that are not UTF-8 reaches Python with surrogate escapes; the
    Parquet reader and writer cannot open it.
    """
    if path is None:
        return None
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeError:
        raise DataFileError(option_message(
            command, flag, "a path whose name is valid UTF-8", repr(path),
            "Rename the file, or pass a link to it with a UTF-8 name.")) from None
    return path


def add_force_option(parser):
    """Add ``--force``: replace existing files the command writes without their being named."""
    parser.add_argument("--force", action="store_true",
                        help="replace existing files that this command writes but the "
                             "command line does not name (without it such a file is "
                             "kept and the command stops with exit code 2)")


def refuse_unnamed(command, path, what, fix, *, force):
    """Stop before replacing the existing file ``path`` that the command line does not name.

    ``what`` says which file it is (e.g. "the JSON twin of 'r.html'"); ``fix`` names the
    option that would name it.  Raises InvalidParameterError (exit code 2) unless
    ``force``; directories and absent paths pass (writing reports those).
    """
    if force or path is None or not os.path.lexists(path) or os.path.isdir(path):
        return
    raise InvalidParameterError(option_message(
        command, "--force", f"given to replace {path!r}, which exists and is "
        f"not named on the command line ({what})", "no --force",
        f"Pass --force to replace it, or {fix}."))


def add_raw_csv_option(parser):
    """Add ``--raw-csv``: CSV output without the neutralisation of formula-like text."""
    parser.add_argument("--raw-csv", action="store_true", help=RAW_CSV_HELP)


def _neutral(value):
    if (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _NUMBER.fullmatch(value)):
        return "'" + value
    return value


def _neutral_index(index):
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [_neutral_index(index.get_level_values(i)) for i in range(index.nlevels)],
            names=[_neutral(n) for n in index.names])
    if index.dtype == object or isinstance(index.dtype, (pd.StringDtype, pd.CategoricalDtype)):
        return pd.Index([_neutral(v) for v in index], name=_neutral(index.name),
                        dtype=object if index.dtype == object else None)
    return index.rename(_neutral(index.name))


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels cannot run as
    spreadsheet formulas.

    Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading single quote (OWASP's advice for CSV injection); numbers, and text that
    is only a number such as ``-0.5``, stay as they are.
    """
    import pandas as pd

    out = frame.copy()
    for i, col in enumerate(out.columns):
        values = out.iloc[:, i]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            out.isetitem(i, values.map(_neutral, na_action="ignore"))
        elif isinstance(values.dtype, pd.CategoricalDtype):
            out.isetitem(i, values.astype(object).map(_neutral, na_action="ignore"))
    out.columns = _neutral_index(out.columns)
    out.index = _neutral_index(out.index)
    return out


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


def on_terminal() -> bool:
    """True when stdout and stderr are terminals: the CLI then shows progress bars."""
    return _isatty(sys.stdout) and _isatty(sys.stderr)


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
    """Add ``--out``/``-o`` (output file whose format follows its extension) and ``--raw-csv``."""
    kwargs.setdefault("default", None)
    parser.add_argument("--out", "-o", help=help, **kwargs)
    add_raw_csv_option(parser)


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


def in_cli_terms(text, flags=None) -> str:
    """A library message rewritten in the command line's terms.

    ``share=<column name>`` becomes ``--share-col <column name>``, ``scale='percent'``
    becomes ``--scale percent``, and NumPy scalar reprs (``np.float64(-0.1)``) become
    plain numbers.  ``flags`` overrides :data:`FLAGS` for a command whose options
    differ (e.g. ``{"scale": "--holdings-scale"}`` for the holdings of ``mhhi``);
    keywords without a flag are left as they are.
    """
    table = {**FLAGS, **(flags or {})}

    def flag(m):
        name, value = m.group(1), m.group(2)
        if name not in table or value == "None":
            return m.group(0)
        if value[:1] in "'\"" and value[-1:] == value[:1]:
            value = value[1:-1]
        return f"{table[name]} {value}"

    def parameter(m):
        name = m.group(1)
        return f"The '{table[name]}' option" if name in table else m.group(0)

    text = _PARAMETER.sub(parameter, _NUMPY_SCALAR.sub(r"\1", str(text)))
    text = text.replace("concentration.list_guidelines()", "concentration screen --help")
    return _KEYWORD.sub(flag, text).replace(
        "--entities concentration.datasets.load('entities')", "--entities bundled")


def read_input(command, flag, source, *, labels=()):
    """The input named on the command line: Parquet paths as they are, text tables read.

    A path ending in ``.csv``, ``.tsv``, ``.tab`` or ``.txt`` (or ``-``, CSV on standard
    input) is read into a DataFrame by :func:`concentration.io.read_text_table` (with
    the SHA-256 of the bytes read in its provenance); a Parquet file, a directory or
    a hive-partitioned dataset is returned as the path, for the library's Parquet
    reader.  The same validation then applies to both.  Columns named in ``labels``
    (market, period, firm, ...) are read as text.
    """
    from ..io import is_text_table, read_text_table

    if source is None:
        return None
    check_path(command, flag, source)
    func = f"concentration {command}"
    if source == "-":
        return read_text_table(sys.stdin.buffer.read(), labels=labels, func=func,
                               name="<stdin>")
    if not is_text_table(source):
        return source
    return read_text_table(source, labels=labels, func=func)


def read_shares_options(args, source, *, name="source", **options):
    """Read the shares table ``source`` with the column and unit options of ``args``.

    Returns the frame and the column keywords (market, period, firm, share) that
    the library's analysis functions take for it: when shares were derived from
    ``--value-col`` they sit in the ``share`` column.  Call it inside
    :func:`fringe_reported` when the analysis reports the fringe itself.  ``name``
    is the argument that gave ``source`` (for error messages).
    """
    from ..io import read_shares

    kw = column_kwargs(args)
    source = read_input(args.command, name, source,
                        labels=(kw["market"], kw["period"], kw["firm"]))
    seen = {}
    for key in ("market", "period", "firm", "value" if kw["value"] is not None else "share"):
        flag = f"--{key}-col"
        if kw[key] in seen:
            raise InvalidParameterError(option_message(
                args.command, flag, f"a column other than that of {seen[kw[key]]}",
                repr(kw[key]), f"Name the {key} column with {flag}."))
        seen[kw[key]] = flag
    frame = read_shares(source, **kw, **options)
    columns = {"market": kw["market"], "period": kw["period"], "firm": kw["firm"],
               "share": kw["share"] if kw["value"] is None else "share"}
    return frame, columns


def emit(result: pd.DataFrame, args, *, provenance_from, index=True) -> int:
    """Attach the input's provenance to ``result``, write it to ``--out``; return 0."""
    result.attrs["provenance"] = provenance_from.attrs.get("provenance", {})
    write_output(result, args.out, index=index, raw_csv=getattr(args, "raw_csv", False),
                 command=getattr(args, "command", None))
    return 0


def number_or_mapping(command, flag, text):
    """A number, or a mapping from FIRM=VALUE pairs."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    out = {}
    for item in parse_list(text):
        firm, sep, value = item.partition("=")
        try:
            if not sep or not firm.strip():
                raise ValueError
            out[firm.strip()] = float(value)
        except ValueError:
            raise InvalidParameterError(option_message(
                command, flag, "a number or FIRM=VALUE pairs", repr(text),
                f"Write e.g. {flag} \"A=0.4,B=0.5\".")) from None
    return out


def parse_list(text):
    """Split a comma-separated option into a list of stripped, non-empty items."""
    return [t.strip() for t in str(text).split(",") if t.strip()]


def write_output(frame: pd.DataFrame, out, *, index=True, raw_csv=False, command=None):
    """Write ``frame`` to ``out`` (format from the extension) or print it to stdout.

    CSV text that a spreadsheet would run as a formula is neutralised (see
    :func:`neutralise_formulas`) unless ``raw_csv``.  ``command`` names the
    subcommand in error messages.
    """
    if out is None or out == "-":
        import pandas as pd

        with pd.option_context("display.max_rows", 200, "display.width", 160,
                               "display.max_columns", 30):
            sys.stdout.write(printable(frame.to_string()) + "\n")
        return
    ext = os.path.splitext(out)[1].lower()
    where = f" of concentration {command}" if command else ""
    if ext not in (".parquet", ".csv", ".json"):
        raise InvalidParameterError(
            f"The '--out' option{where} must end in .parquet, .csv or .json. Got "
            f"{out!r} instead. Choose one of those extensions, or omit --out to "
            "print a table.")
    if os.path.isdir(out):
        raise DataFileError(
            f"The '--out' option{where} must name a file. Got the directory "
            f"{out!r} instead. Name a file inside it, e.g. "
            f"{os.path.join(out, 'out' + ext)!r}.")
    try:
        if ext == ".parquet":
            from ..io import write_parquet

            check_path(command or "", "--out", out)
            write_parquet(frame.reset_index() if index else frame, out,
                          provenance=frame.attrs.get("provenance") or None)
        elif ext == ".csv":
            (frame if raw_csv else neutralise_formulas(frame)).to_csv(out, index=index)
        else:
            (frame.reset_index() if index else frame).to_json(out, orient="records", indent=1)
        sys.stderr.write(f"wrote {len(frame):,} rows to {printable(out)}\n")
    except OSError as exc:
        if isinstance(exc, DataFileError):
            raise
        raise DataFileError(
            f"The '--out' option{where} must name a file that can be written. Got "
            f"{out!r} instead ({exc.strerror or exc}). Check that the directory "
            "exists and is writable.") from None
