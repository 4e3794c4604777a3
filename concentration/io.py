"""Parquet input and output, and the market-share data model.

Files are read through :mod:`pyarrow.dataset`, so a single file, a directory of
files and a hive-partitioned dataset (``period=2024Q1/part-0.parquet``) are all
accepted, with column projection and filters pushed down to the scan.
Provenance (source, citation, retrieval date, licence, library version) travels in
the Parquet key-value metadata under the key ``concentration.provenance`` and is
exposed as ``df.attrs["provenance"]``.
"""

from __future__ import annotations

import json
import os

import pandas as pd
import pyarrow as pa

from ._dispatch import engines, get_backend
from ._tables import DEFAULT_TOLERANCE, ValidationReport, coerce_shares
from ._validation import check_choice, param_message
from ._version import library_version
from .exceptions import DataFileError, InvalidParameterError, SchemaError

__all__ = ["read_shares", "validate_shares", "write_parquet", "read_table", "PROVENANCE_KEY"]

#: Key of the provenance JSON in the Parquet key-value metadata.
PROVENANCE_KEY = b"concentration.provenance"

_PROVENANCE_FIELDS = ("source", "citation", "retrieved", "licence", "notes")


def open_dataset(source, func):
    """Open a file, directory or hive-partitioned dataset, with typed errors.

    :mod:`pyarrow.dataset` and :mod:`pyarrow.parquet` are imported by the functions
    that use them, not with the package.
    """
    import pyarrow.dataset as ds

    path = os.fspath(source)
    if not os.path.exists(path):
        raise DataFileError(
            f"{func}: no file or directory at {path!r}. Check the path (relative paths are "
            f"resolved from {os.getcwd()!r}).")
    try:
        return ds.dataset(path, format="parquet", partitioning="hive")
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataFileError(
            f"{func}: {path!r} could not be read as Parquet ({exc}). Expected a complete "
            "Parquet file, a directory of them or a hive-partitioned dataset; the file may be "
            "truncated or in another format (re-export it with write_parquet or "
            "DataFrame.to_parquet).") from None


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


def read_table(source, *, columns=None, filters=None, required=None, func="read_table"):
    """Read a Parquet file, directory or hive-partitioned dataset into a DataFrame.

    Parameters
    ----------
    source : str or os.PathLike
        Path of a file or directory.
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
        A required or requested column is missing.
    """
    dataset = open_dataset(source, func)
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
    try:
        table = dataset.to_table(columns=columns, filter=expr)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataFileError(
            f"{func}: reading {os.fspath(source)!r} failed ({exc}). The file may be truncated "
            "or the filter may name a missing column; re-export the file or fix the filter."
        ) from None
    frame = table.to_pandas()
    frame.attrs["provenance"] = _dataset_provenance(dataset)
    frame.attrs["source_path"] = os.fspath(source)
    return frame


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


def read_shares(source, *, market="market", period="period", firm="firm", share="share",
                value=None, scale="fraction", filters=None, parent=None, duplicates="error",
                tolerance=DEFAULT_TOLERANCE, engine="pandas"):
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
        Firm -> ultimate parent (a table needs columns ``firm`` and ``parent``).
        Shares are summed to parents before anything else, so Google and DeepMind
        count as one firm under Alphabet.
    duplicates : {"error", "sum"}, default "error"
        Several rows of one firm in one market are an error unless ``"sum"``.
    tolerance : float, default 0.01
        Allowed excess of a market's share sum over one.
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
            duplicates=duplicates, tolerance=tolerance)
    frame = _load_frame(source, market=market, period=period, firm=firm, share=share,
                        value=value, filters=filters, func="read_shares")
    table = coerce_shares(frame, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=parent,
                          tolerance=tolerance, func="read_shares",
                          fringe_note="Indices over these rows cover the listed firms only.")
    out = table.to_frame(share_name=share if value is None else "share")
    out.attrs["provenance"] = dict(frame.attrs.get("provenance", {}))
    if "source_path" in frame.attrs:
        out.attrs["source_path"] = frame.attrs["source_path"]
    out.attrs["validation"] = {"errors": int(len(table.report.errors)),
                               "warnings": int(len(table.report.warnings))}
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


def _load_frame(source, *, market, period, firm, share, value, filters, func):
    if isinstance(source, pd.DataFrame):
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None for a DataFrame input", filters,
                "Filter the DataFrame before passing it."))
        return source
    if not isinstance(source, (str, os.PathLike)):
        return source  # a mapping, Series or array: validated by coerce_shares
    dataset = open_dataset(source, func)
    names = set(dataset.schema.names)
    wanted = []
    for param, col, default in (("market", market, "market"), ("period", period, "period"),
                                ("firm", firm, "firm")):
        if col is None:
            continue
        if col in names:
            wanted.append(col)
        elif col != default:
            wanted.append(col)  # reported as missing by read_table
    wanted.append(value if value is not None else share)
    return read_table(source, columns=wanted, filters=filters, func=func,
                      required={"value" if value is not None else "share":
                                value if value is not None else share})


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
    compression : str, default "zstd"
        Parquet compression codec.

    Returns
    -------
    str
        The path written.

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

    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(param_message("write_parquet", "df", "a pandas DataFrame",
                                                  type(df).__name__))
    prov = dict(provenance or {})
    if not isinstance(prov, dict):
        raise InvalidParameterError(param_message("write_parquet", "provenance", "a dict",
                                                  provenance))
    prov.setdefault("library_version", library_version())
    try:
        blob = json.dumps(prov, sort_keys=True, default=str).encode("utf-8")
    except (TypeError, ValueError) as exc:  # pragma: no cover - default=str makes this rare
        raise InvalidParameterError(param_message(
            "write_parquet", "provenance", "JSON-serialisable values", provenance,
            str(exc))) from None
    table = pa.Table.from_pandas(df, preserve_index=index)
    meta = dict(table.schema.metadata or {})
    meta[PROVENANCE_KEY] = blob
    table = table.replace_schema_metadata(meta)
    try:
        pq.write_table(table, os.fspath(path), compression=compression)
    except OSError as exc:
        raise DataFileError(f"write_parquet: could not write {os.fspath(path)!r} ({exc}). "
                            "Check that the directory exists and is writable.") from None
    return os.fspath(path)
