"""Parquet input and output, and the market-share data model.

Files are read through :mod:`pyarrow.dataset`, so a single file, a directory of
files and a hive-partitioned dataset (``period=2024Q1/part-0.parquet``) are all
accepted, with column projection and filters pushed down to the scan.
Provenance (source, citation, retrieval date, licence, library version) travels in
the Parquet key-value metadata under the key ``concentration.provenance`` and is
exposed as ``df.attrs["provenance"]``.

Directories are listed by :func:`dataset_files`: links are followed, but every real
directory is scanned once and every real file read once, so a link loop (a link to
the directory itself) never repeats rows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from ._dispatch import engines, get_backend
from ._tables import DEFAULT_TOLERANCE, ValidationReport, coerce_shares
from ._validation import check_bool, check_choice, check_column_name, param_message
from ._version import library_version
from .exceptions import DataFileError, InvalidParameterError, SchemaError

__all__ = ["PROVENANCE_KEY", "read_shares", "read_table", "validate_shares", "write_parquet"]

#: Key of the provenance JSON in the Parquet key-value metadata.
PROVENANCE_KEY = b"concentration.provenance"

_PROVENANCE_FIELDS = ("source", "citation", "retrieved", "licence", "notes")


def open_dataset(source, func, dictionary=()):
    """Open a file, directory or hive-partitioned dataset, with typed errors.

    Columns named in ``dictionary`` that hold text are read as Arrow dictionaries
    (pandas Categoricals): Parquet stores text columns dictionary-encoded, so the
    codes arrive without hashing a string.

    A directory is listed by :func:`dataset_files` (every real file once, no link
    loop), and the schemas of all its files are compared first
    (:func:`_check_file_schemas`): a column whose type differs between files in a
    way Arrow cannot widen (text in one file, numbers in another), or a hive key
    (``market=a/``) that is also a column of a file, is a SchemaError naming the
    files, instead of a silent cast or an Arrow error.

    :mod:`pyarrow.dataset` and :mod:`pyarrow.parquet` are imported by the functions
    that use them, not with the package.
    """
    import pyarrow.dataset as ds

    path = checked_path(func, source)
    if not os.path.exists(path):
        raise DataFileError(
            f"{func}: no file or directory at {path!r}. Check the path (relative paths are "
            f"resolved from {os.getcwd()!r}).")
    fmt = "parquet"
    if dictionary:
        fmt = ds.ParquetFileFormat(read_options=ds.ParquetReadOptions(
            dictionary_columns=list(dictionary)))
    try:
        if not os.path.isdir(path):
            return ds.dataset(path, format=fmt, partitioning="hive")
        files = dataset_files(path)
        schema = _dictionary_schema(_check_file_schemas(path, files, func), dictionary)
        return ds.dataset(files, format=fmt, partitioning="hive",
                          partition_base_dir=path, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataFileError(
            f"{func}: {path!r} could not be read as Parquet ({exc}). Expected a complete "
            "Parquet file, a directory of them or a hive-partitioned dataset; the file may be "
            "truncated or in another format (re-export it with write_parquet or "
            "DataFrame.to_parquet).") from None
    except (pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise SchemaError(
            f"{func}: the files under {path!r} do not share one schema ({exc}). Make each "
            "column the same type in every file, and keep hive keys (key=value directories) "
            "out of the files' columns.") from None


def _dictionary_schema(schema, dictionary):
    """``schema`` with its text columns named in ``dictionary`` as dictionaries."""
    if schema is None or not dictionary:
        return schema
    fields = []
    for fld in schema:
        if fld.name in dictionary and (pa.types.is_string(fld.type)
                                       or pa.types.is_large_string(fld.type)):
            fld = fld.with_type(pa.dictionary(pa.int32(), fld.type))
        fields.append(fld)
    return pa.schema(fields, metadata=schema.metadata)


def text_columns(schema, names):
    """The columns of ``names`` that ``schema`` stores as text (string or large_string)."""
    out = []
    for name in names:
        if name is None or name not in schema.names:
            continue
        t = schema.field(name).type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            out.append(name)
    return out


def _dictionary_columns(schema, names):
    """The columns of ``names`` that ``schema`` stores as Arrow dictionaries.

    Firm labels are read as dictionaries only when the file says they are one (it
    was written from a Categorical): a text column with many distinct labels is
    stored plainly once its dictionary outgrows a page, and building a dictionary
    while reading it would hash every string; read as text, the labels are hashed
    once, on their bytes, by the duplicate check.
    """
    return [n for n in names if n is not None and n in schema.names
            and pa.types.is_dictionary(schema.field(n).type)]


def checked_path(func, source, name="source") -> str:
    """``source`` as a str path, or an InvalidParameterError (not a path, NUL, not UTF-8)."""
    if not isinstance(source, (str, os.PathLike)):
        raise InvalidParameterError(param_message(
            func, name, "a file or directory path (str or os.PathLike)", source))
    path = os.fsdecode(os.fspath(source))
    if "\x00" in path:
        raise InvalidParameterError(param_message(
            func, name, "a path without NUL characters", path))
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name (surrogate escapes)
        raise InvalidParameterError(param_message(
            func, name, "a path whose name is valid UTF-8", path,
            "Rename the file, or pass a link to it with a UTF-8 name.")) from None
    return path


def dataset_files(root) -> list:
    """The data files under directory ``root``, each real file once, in sorted order.

    The rule for links: symbolic links are followed, but each real directory is
    scanned once (a link back into the tree, such as a link to the directory
    itself, is skipped, so a loop is never followed) and a file reached twice
    through links is read once, at its first path in the walk (top-down: a
    directory's files, sorted, before its subdirectories, sorted).  Names
    starting with ``.`` or ``_`` (``_SUCCESS``, ``.crc`` files) are skipped, as
    :mod:`pyarrow.dataset` does.  Paths are returned under ``root`` as walked, so
    hive keys in directory names are kept.
    """
    seen_dirs, seen_files, out = set(), set(), []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_"))
                             and os.path.realpath(os.path.join(dirpath, d)) not in seen_dirs)
        for name in sorted(filenames):
            if name.startswith((".", "_")):
                continue
            full = os.path.join(dirpath, name)
            key = os.path.realpath(full)
            if key in seen_files:
                continue
            seen_files.add(key)
            out.append(full)
    return out


def _check_file_schemas(root, files, func):
    """The schema of a directory's files, widened where they differ; or a SchemaError.

    Returns None when every file has the first file's column types (Arrow's default
    discovery is then exact), else the permissive union of all schemas (integers
    widen to floats, string to large_string).  Footers only are read.
    """
    import pyarrow.parquet as pq

    keys = {}
    for f in files:
        for part in os.path.relpath(os.path.dirname(f), root).split(os.sep):
            if "=" in part:
                keys.setdefault(part.split("=", 1)[0], part)
    if len(files) < 2 and not keys:
        return None
    schemas = []
    for f in files:
        try:
            schemas.append(pq.read_schema(f))
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataFileError(
                f"{func}: {f!r} (in {os.fspath(root)!r}) could not be read as Parquet ({exc}). "
                "Remove or re-export that file.") from None
    first = {}
    for f, sch in zip(files, schemas):
        for fld in sch:
            if fld.name in keys:
                raise SchemaError(
                    f"{func}: the hive directory {keys[fld.name]!r} under {os.fspath(root)!r} "
                    f"names a column, {fld.name!r}, that the file {f!r} also holds. A column is "
                    "stored either in the directory names or in the files, not both; drop it "
                    "from the files (DataFrame.to_parquet(partition_cols=...) does) or rename "
                    "the directories.")
            if fld.name not in first:
                first[fld.name] = (f, fld.type)
                continue
            f0, t0 = first[fld.name]
            if fld.type == t0:
                continue
            try:
                pa.unify_schemas([pa.schema([(fld.name, t0)]), pa.schema([fld])],
                                 promote_options="permissive")
            except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise SchemaError(
                    f"{func}: the column {fld.name!r} is {t0} in {f0!r} but {fld.type} in "
                    f"{f!r} (both under {os.fspath(root)!r}). Every file must give a column one "
                    "type; convert it (e.g. pd.to_numeric) and re-export the file.") from None
    if all(sch.remove_metadata().equals(schemas[0].remove_metadata(), check_metadata=False)
           for sch in schemas[1:]) or len(schemas) < 2:
        return None
    unified = pa.unify_schemas(schemas, promote_options="permissive")
    import pyarrow.dataset as ds

    parts = ds.dataset(files, format="parquet", partitioning="hive",
                       partition_base_dir=root).schema
    extra = [fld for fld in parts if fld.name not in unified.names]
    return pa.schema(list(unified) + extra, metadata=schemas[0].metadata)


def _dataset_provenance(dataset) -> dict:
    import pyarrow.parquet as pq

    meta = dataset.schema.metadata or {}
    raw = meta.get(PROVENANCE_KEY)
    if raw is None and getattr(dataset, "files", None):
        try:
            raw = (pq.read_schema(dataset.files[0]).metadata or {}).get(PROVENANCE_KEY)
        except (pa.ArrowInvalid, OSError):
            raw = None
    if raw is None:
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {"raw": raw.decode("utf-8", "replace")}


def read_table(source, *, columns=None, filters=None, required=None, func="read_table",
               dictionary=(), sort_categories=None):
    """Read a Parquet file, directory or hive-partitioned dataset into a DataFrame.

    A directory is read file by file as :func:`dataset_files` lists them: symbolic
    links are followed, but each real directory is scanned once (a link loop is
    skipped) and each real file read once; names starting with ``.`` or ``_`` are
    skipped.  Every file must give each column one type (integers in one file and
    floats in another are widened to float); a hive key (``period=2024Q1/``) must not
    also be a column of the files.

    Parameters
    ----------
    source : str or os.PathLike
        Path of a file or directory; a ``.csv``/``.txt`` (comma) or ``.tsv``/``.tab``
        (tab) file is read as delimited text with a header row (no ``filters``).
    columns : list of str, optional
        Columns to read (projection pushed down); all when omitted.
    filters : pyarrow.compute.Expression or list of tuples, optional
        Row filter pushed down to the scan, e.g. ``[("period", ">=", "2024Q1")]``
        (the DNF tuples of :func:`pyarrow.parquet.read_table`) or a
        :class:`pyarrow.compute.Expression`.
    required : dict, optional
        ``{parameter: column}`` that must exist; a missing one is a SchemaError.
    func : str
        Name of the public function, for messages.
    dictionary : sequence of str, optional
        Text columns to read as Categoricals: Parquet's dictionary pages become the
        codes, and no string is hashed per row.
    sort_categories : sequence of str, optional
        The columns of ``dictionary`` whose categories are put in sorted order (the
        order :func:`pandas.factorize` with ``sort=True`` gives); all of them when
        None.  The categories otherwise follow the files' dictionaries.

    Returns
    -------
    pandas.DataFrame
        With ``attrs["provenance"]`` (the stored provenance, possibly empty) and
        ``attrs["source_path"]``.

    Raises
    ------
    DataFileError
        The path does not exist or is not readable Parquet.
    SchemaError
        A required or requested column is missing, a column has different types in
        different files, or a hive key is also a column of a file.
    InvalidParameterError
        ``filters`` names a missing column or compares a column with a value of
        another type.
    """
    if required is not None and not isinstance(required, Mapping):
        raise InvalidParameterError(param_message(
            func, "required", "a dict {parameter: column}", required))
    if columns is not None:
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
            raise InvalidParameterError(param_message(
                func, "columns", "a list of column names", columns,
                "Pass e.g. columns=['market', 'share'], or None for all."))
        columns = list(columns)
        bad = [c for c in columns if not isinstance(c, str)]
        if bad:
            raise InvalidParameterError(param_message(
                func, "columns", "a list of column names (str)", bad[0]))
    if is_text_table(source):  # CSV/TSV: read whole, then checked like a Parquet file
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None for a CSV or TSV file", filters,
                "Filter the rows after reading, or convert the file to Parquet."))
        frame = read_text_table(source, func=func, labels=dictionary)
        names = list(frame.columns)
        for param, col in (required or {}).items():
            if col is not None and col not in names:
                raise SchemaError(
                    f"{func}: the '{param}' column {col!r} was not found in "
                    f"{os.fspath(source)!r}. Columns present: {names}. Pass "
                    f"{param}=<column name> to name the column that holds it.")
        missing = [c for c in (columns or []) if c not in names]
        if missing:
            raise SchemaError(f"{func}: column(s) {missing} not found in "
                              f"{os.fspath(source)!r}. Columns present: {names}.")
        if columns is not None:
            attrs = dict(frame.attrs)
            frame = frame[columns]
            frame.attrs.update(attrs)
        return frame
    dataset = open_dataset(source, func, dictionary)
    names = dataset.schema.names
    for param, col in (required or {}).items():
        if col is not None and col not in names:
            raise SchemaError(
                f"{func}: the '{param}' column {col!r} was not found in {os.fspath(source)!r}. "
                f"Columns present: {names}. Pass {param}=<column name> to name the column "
                "that holds it.")
    if columns is not None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise SchemaError(
                f"{func}: column(s) {missing} not found in {os.fspath(source)!r}. "
                f"Columns present: {names}.")
    expr = filter_expression(filters, func)
    if expr is not None:
        check_filter(dataset.schema, expr, filters, func)
    pool = read_pool()
    try:
        table = dataset.to_table(columns=columns, filter=expr, memory_pool=pool)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataFileError(
            f"{func}: reading {os.fspath(source)!r} failed ({exc}). The file may be truncated "
            "or the filter may name a missing column; re-export the file or fix the filter."
        ) from None
    frame = table.to_pandas(memory_pool=pool)
    for col in dictionary if sort_categories is None else sort_categories:
        if col in frame.columns and isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = _sorted_categories(frame[col])
    frame.attrs["provenance"] = _dataset_provenance(dataset)
    frame.attrs["source_path"] = os.fspath(source)
    return frame


def read_pool():
    """The Arrow memory pool the readers allocate from: jemalloc where pyarrow has it.

    A file of 10^8 rows needs gigabytes of fresh buffers: the first
    :func:`read_shares` of a 1.7 GB file (10^8 rows, text firm names) in a new
    process took 12-23 s with Arrow's default pool (mimalloc) and 9-16 s with
    jemalloc, against 7.5-11 s for a second read in the same process.  So the readers
    ask for jemalloc per call, and take the default pool where pyarrow is built
    without it (Windows).  The pool changes where the buffers live, not what they hold.
    """
    try:
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowNotImplementedError):
        return pa.default_memory_pool()


def _sorted_categories(series):
    """A categorical Series with its categories in sorted order (codes remapped)."""
    cats = series.cat.categories
    if cats.is_monotonic_increasing:
        return series
    order = cats.argsort()
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    codes = series.cat.codes.to_numpy()
    codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
    out = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats.take(order)))
    return pd.Series(out, index=series.index, name=series.name)


def filter_expression(filters, func):
    """``filters`` (DNF tuples or an Expression) as a pyarrow Expression, or None."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if filters is None or isinstance(filters, ds.Expression):
        return filters
    try:
        return pq.filters_to_expression(filters)
    except (TypeError, ValueError, pa.ArrowInvalid) as exc:
        raise InvalidParameterError(param_message(
            func, "filters", "a pyarrow Expression or a list of (column, op, value) tuples",
            filters, f"({exc})")) from None


def check_filter(schema, expr, filters, func):
    """Bind ``expr`` to ``schema`` on an empty table: wrong names or types are refused.

    A filter naming a missing column, or comparing a column with a value of another
    type (``("share", ">", "x")``, ``("market", "=", 3)`` on a text column), is an
    InvalidParameterError listing the columns and their types, before any row is read.
    """
    import pyarrow.dataset as ds

    try:
        ds.dataset(schema.empty_table()).to_table(filter=expr)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        cols = ", ".join(f"{f.name}: {getattr(f.type, 'value_type', f.type)}" for f in schema)
        detail = str(exc).splitlines()[0]
        if "FieldRef" in detail:  # "No match for FieldRef.Name(x) in <the schema>"
            detail = detail.split(" in ")[0]
        raise InvalidParameterError(param_message(
            func, "filters", "conditions on existing columns, with values of the column's "
            "type", filters, f"({detail}) Columns: {cols}.")) from None


#: File suffixes read as delimited text, with their separators.
TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".txt": ","}


def is_text_table(source) -> bool:
    """True when ``source`` is a path whose suffix names a delimited text table."""
    return (isinstance(source, (str, os.PathLike))
            and os.path.splitext(os.fspath(source))[1].lower() in TEXT_SUFFIXES)


def read_text_table(source, *, labels=(), func="read_shares", separator=None, name=None):
    """Read a CSV or TSV table (a path, or the bytes of one) into a DataFrame.

    The separator follows the suffix (``.csv``/``.txt`` comma, ``.tsv``/``.tab``
    tab) unless given.  Columns named in ``labels`` (market, period, firm, ...) are
    read as text, so that a period ``2024`` is the label it is in a Parquet file
    written from the same table.  ``attrs["provenance"]`` holds the source, the
    format and the SHA-256 of the bytes read; ``attrs["source_path"]`` the source.
    """
    import hashlib
    import io as _bytes_io

    import pyarrow.csv as pacsv

    if isinstance(source, (bytes, bytearray)):
        data, shown = bytes(source), name or "<bytes>"
        sep = separator or ","
    else:
        path = checked_path(func, source)
        shown = name or path
        sep = separator or TEXT_SUFFIXES.get(os.path.splitext(path)[1].lower(), ",")
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise DataFileError(
                f"{func}: {shown!r} could not be read ({exc.strerror or exc}). Check the "
                "path.") from None
    kind = "tab-separated" if sep == "\t" else "comma-separated"
    try:
        table = pacsv.read_csv(
            _bytes_io.BytesIO(data), parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in labels if isinstance(c, str)}))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataFileError(
            f"{func}: {shown!r} could not be read as a {kind} table with a header row "
            f"({str(exc).splitlines()[0]}). Check the separator and the quoting, or convert "
            "the file to Parquet.") from None
    frame = table.to_pandas()
    frame.attrs["provenance"] = {"source": str(shown), "format": "tsv" if sep == "\t"
                                 else "csv", "sha256": hashlib.sha256(data).hexdigest(),
                                 "bytes": str(len(data))}
    frame.attrs["source_path"] = str(shown)
    return frame


def read_shares(source, *, market="market", period="period", firm="firm", share="share",
                value=None, scale="fraction", filters=None, parent=None, duplicates="error",
                tolerance=DEFAULT_TOLERANCE, engine="pandas", period_start="period_start",
                period_end="period_end"):
    """Read and validate market shares from Parquet (or a DataFrame).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        A Parquet file, a directory, a hive-partitioned dataset, or a DataFrame.
    market, period, firm, share : str or None, optional
        Column names.  ``None``, or a default name that is absent, means one market
        (or one period).
    value : str, optional
        Column of sales/revenue; shares are derived per (market, period) as
        ``value / sum(value)``.
    scale : {"fraction", "percent"}, default "fraction"
        Unit of ``share``.  Shares are returned as fractions.
    filters : list of tuples or pyarrow.compute.Expression, optional
        Row filter pushed down to the Parquet scan.
    parent : mapping, pandas.Series or pandas.DataFrame, optional
        The entity model (see :mod:`concentration._entities`): ``{firm: parent}``, a
        Series, or a table with a firm column (``firm`` or ``entity``), ``parent``
        and optionally ``parent_since`` and ``aliases``, such as
        ``concentration.datasets.load("entities")``.  Shares are summed to ultimate
        parents (with the links in force at each period's end) before anything else,
        so Google and DeepMind count as one firm under Alphabet.
    duplicates : {"error", "sum"}, default "error"
        Several rows of one firm in one market are an error unless ``"sum"``.
    tolerance : float, default 0.01
        Allowed excess of a market's share sum over one.
    period_start, period_end : str or None, default "period_start", "period_end"
        Columns with each period's first and last day.  They place the periods in
        time (order, "latest", as-of matching of holdings); without them the period
        labels are parsed (years, halves, quarters, months, dates).  Absent default
        columns are ignored; the output keeps them.
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` reads a file, directory or hive-partitioned dataset lazily into a
        Dask DataFrame (needs ``pip install 'antitrust-concentration[dask]'``);
        each (market, period) group is validated and converted by this function
        when the frame is computed, and the partitions hold whole groups.  See
        ``docs/dask.md``.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        The grouping columns present, the firm column and ``share`` as fractions.
        ``attrs["provenance"]`` holds the file's provenance and
        ``attrs["validation"]`` a count of errors and warnings (pandas engine).

    Raises
    ------
    DataFileError
        Missing, truncated or non-Parquet file.
    SchemaError
        A named column is missing or not numeric.
    InvalidSharesError
        Negative/NaN shares, duplicate keys, wrong unit, sums above one.

    See Also
    --------
    validate_shares : the full validation report without raising.
    write_parquet : write a table with provenance.

    Examples
    --------
    >>> import pandas as pd, concentration as cn
    >>> df = pd.DataFrame({"market": ["m", "m"], "firm": ["A", "B"], "share": [60, 40]})
    >>> cn.read_shares(df, scale="percent")["share"].tolist()
    [0.6, 0.4]
    """
    if check_choice("read_shares", "engine", engine, engines()) != "pandas":
        return get_backend(engine, func="read_shares").read(
            "shares", source, func="read_shares", market=market, period=period, firm=firm,
            share=share, value=value, scale=scale, filters=filters, parent=parent,
            duplicates=duplicates, tolerance=tolerance, period_start=period_start,
            period_end=period_end)
    frame = _load_frame(source, market=market, period=period, firm=firm, share=share,
                        value=value, filters=filters, func="read_shares",
                        dates=(period_start, period_end))
    table = coerce_shares(frame, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=parent,
                          tolerance=tolerance, func="read_shares",
                          fringe_note="Indices over these rows cover the listed firms only.",
                          period_start=period_start, period_end=period_end)
    dated = isinstance(frame, pd.DataFrame) and any(
        c is not None and c in frame.columns for c in (period_start, period_end))
    out = table.to_frame(share_name=share if value is None else "share", dates=dated,
                         categorical=not isinstance(source, pd.DataFrame))
    attrs = getattr(frame, "attrs", None) or {}  # a mapping or array has none
    out.attrs["provenance"] = dict(attrs.get("provenance", {}) or {})
    if "source_path" in attrs:
        out.attrs["source_path"] = attrs["source_path"]
    out.attrs["validation"] = {"errors": len(table.report.errors),
                               "warnings": len(table.report.warnings)}
    return out


def validate_shares(source, *, market="market", period="period", firm="firm", share="share",
                    value=None, scale="fraction", filters=None, parent=None, duplicates="error",
                    tolerance=DEFAULT_TOLERANCE) -> ValidationReport:
    """Run every share check and return a :class:`ValidationReport` instead of raising.

    Row-level errors (missing or negative values) stop the later checks, which need
    clean numbers.

    Parameters
    ----------
    source, market, period, firm, share, value, scale, filters, parent, duplicates, tolerance
        As in :func:`read_shares`.

    Returns
    -------
    ValidationReport
        ``.issues`` lists each problem; ``.raise_if_errors()`` raises the first.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.validate_shares({"A": 0.5, "B": 0.2}).issues["check"].tolist()
    ['fringe']
    """
    frame = _load_frame(source, market=market, period=period, firm=firm, share=share,
                        value=value, filters=filters, func="validate_shares")
    from .exceptions import ConcentrationError

    try:
        table = coerce_shares(frame, market=market, period=period, firm=firm, share=share,
                              value=value, scale=scale, duplicates=duplicates, parent=parent,
                              tolerance=tolerance, func="validate_shares", raise_errors=False,
                              emit=False)
    except ConcentrationError as exc:
        if isinstance(exc, SchemaError):
            raise
        issues = pd.DataFrame([{"severity": "error", "check": "invalid", "column": share,
                                "group": None, "value": None, "message": str(exc)}])
        return ValidationReport(issues)
    return table.report


def _load_frame(source, *, market, period, firm, share, value, filters, func, dates=()):
    if isinstance(source, pd.DataFrame):
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None for a DataFrame input", filters,
                "Filter the DataFrame before passing it."))
        return source
    if not isinstance(source, (str, os.PathLike)):
        return source  # a mapping, Series or array: validated by coerce_shares
    if is_text_table(source):
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None for a CSV or TSV file", filters,
                "Filter the rows after reading, or convert the file to Parquet."))
        return read_text_table(source, labels=(market, period, firm), func=func)
    dataset = open_dataset(source, func)
    names = set(dataset.schema.names)
    wanted = []
    for param, col, default in (("market", market, "market"), ("period", period, "period"),
                                ("firm", firm, "firm")):
        if col is None:
            continue
        check_column_name(func, param, col)
        if col in names:
            wanted.append(col)
        elif col != default:
            wanted.append(col)  # reported as missing by read_table
    wanted.append(value if value is not None else share)
    if period is not None and period in names:
        wanted += [c for c in dates if c is not None and c in names]
    return read_table(source, columns=wanted, filters=filters, func=func,
                      required={"value" if value is not None else "share":
                                value if value is not None else share},
                      dictionary=text_columns(dataset.schema, (market, period))
                      + _dictionary_columns(dataset.schema, (firm,)),
                      sort_categories=(market, period))


#: Parquet codecs accepted by :func:`write_parquet` (``None`` is ``"none"``).
_CODECS = ("zstd", "snappy", "gzip", "brotli", "lz4", "none")


def _unwritable_column(df, exc) -> str:
    """The message for a frame Arrow cannot convert, naming the first bad column."""
    for col in df.columns:
        try:
            pa.array(df[col], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as col_exc:
            kinds = sorted({type(v).__name__ for v in df[col].dropna().head(1000)})
            return (f"write_parquet: the column {col!r} cannot be stored in Parquet "
                    f"({col_exc}); it holds values of types {kinds}. Give it one type, e.g. "
                    f"df[{col!r}] = df[{col!r}].astype(str) or pd.to_numeric(df[{col!r}]).")
    return (f"write_parquet: the frame cannot be stored in Parquet ({exc}). Give each column "
            "one type and use string column names.")


def write_parquet(df, path, *, provenance=None, index=False, compression="zstd"):
    """Write a DataFrame to Parquet with provenance in the key-value metadata.

    The output is deterministic: the same frame and provenance give the same bytes.

    Parameters
    ----------
    df : pandas.DataFrame
        Table to write (not modified).
    path : str or os.PathLike
        Destination file.
    provenance : dict, optional
        Keys such as ``source``, ``citation``, ``retrieved``, ``licence`` and ``notes``
        (any JSON-serialisable values).  ``library_version`` is added.
    index : bool, default False
        Whether to store the DataFrame index.
    compression : {"zstd", "snappy", "gzip", "brotli", "lz4", "none"} or None, default "zstd"
        Parquet compression codec (case-insensitive; ``None`` is ``"none"``).

    Returns
    -------
    str
        The path written.

    Raises
    ------
    InvalidParameterError
        ``provenance`` is not a dict with string keys and JSON-serialisable values
        (NaN and inf are refused), ``compression`` is not a codec listed above, or
        ``index`` is not a bool.
    SchemaError
        A column cannot be stored in Parquet (e.g. it mixes numbers and text).
    DataFileError
        The file cannot be written.

    Examples
    --------
    >>> import os, tempfile, pandas as pd, concentration as cn
    >>> p = os.path.join(tempfile.mkdtemp(), "s.parquet")
    >>> _ = cn.write_parquet(pd.DataFrame({"firm": ["A"], "share": [1.0]}), p,
    ...                      provenance={"source": "example"})
    >>> cn.read_shares(p).attrs["provenance"]["source"]
    'example'
    """
    import pyarrow.parquet as pq

    func = "write_parquet"
    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(param_message(func, "df", "a pandas DataFrame",
                                                  type(df).__name__))
    path = checked_path(func, path, "path")
    if provenance is not None and not isinstance(provenance, Mapping):
        raise InvalidParameterError(param_message(
            func, "provenance", "a dict such as {'source': ..., 'licence': ...}", provenance))
    prov = dict(provenance or {})
    bad_keys = [k for k in prov if not isinstance(k, str)]
    if bad_keys:
        raise InvalidParameterError(param_message(
            func, "provenance", "a dict with string keys", bad_keys[0],
            "Use keys such as 'source', 'citation', 'retrieved', 'licence', 'notes'."))
    prov.setdefault("library_version", library_version())
    try:
        blob = json.dumps(prov, sort_keys=True, default=str, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(param_message(
            func, "provenance", "JSON-serialisable values", provenance,
            f"({exc}) Replace NaN/inf and nested objects by text.")) from None
    if index is not None:
        index = check_bool(func, "index", index)
    codec = compression.lower() if isinstance(compression, str) else compression
    codec = "none" if codec is None else codec
    check_choice(func, "compression", codec, _CODECS,
                 fix="Use 'zstd' (the default), 'snappy', 'gzip' or None.")
    if codec != "none" and not pa.Codec.is_available(codec):
        raise InvalidParameterError(param_message(
            func, "compression", "a codec this pyarrow build supports", compression,
            "Use 'zstd', 'snappy' or None."))
    try:
        table = pa.Table.from_pandas(df, preserve_index=index)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise SchemaError(_unwritable_column(df, exc)) from None
    meta = dict(table.schema.metadata or {})
    meta[PROVENANCE_KEY] = blob
    table = table.replace_schema_metadata(meta)
    try:
        pq.write_table(table, os.fspath(path), compression=codec)
    except (OSError, pa.ArrowException) as exc:
        raise DataFileError(f"write_parquet: could not write {os.fspath(path)!r} ({exc}). "
                            "Check that the directory exists and is writable.") from None
    return os.fspath(path)
