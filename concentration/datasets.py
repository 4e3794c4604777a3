"""Bundled example datasets on the AI industry, shipped inside the package.

Four tables, built by ``datasets/build.py`` from hand-compiled, sourced CSV files
and installed as ``concentration._data``:

``ai_market_shares``
    Market shares in cloud infrastructure, data-center chips, enterprise model APIs
    and AI chatbots (2018-2026), one market per research firm and definition.
``ai_partnerships``
    Alliances, investments, supply, licensing and consortium ties (directed edges).
``ai_ownership``
    Ownership stakes with cash-flow and (where known) voting shares.
``entities``
    One canonical name per organisation with aliases and ultimate parent; every
    firm, owner, source and target in the other tables is an entity.

Each table has a card (``datasets/<name>.md``) with its sources, licence, schema
and known gaps; :func:`card` returns it.
"""

from __future__ import annotations

import datetime as _dt
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ._validation import check_bool, check_choice, param_message
from .exceptions import DataFileError, InvalidParameterError
from .io import PROVENANCE_KEY

__all__ = ["list_datasets", "load", "card", "DATASETS"]

#: Names of the bundled datasets, in the order :func:`list_datasets` lists them.
DATASETS = ("ai_market_shares", "ai_partnerships", "ai_ownership", "entities")

_PACKAGE = "concentration._data"
_VINTAGES = ("latest", "all")


def data_root():
    """The installed ``concentration._data`` package, or ``datasets/`` in a source tree.

    The one place that knows where the bundled files are; everything else asks it.
    """
    try:
        return resources.files(_PACKAGE)
    except ModuleNotFoundError:
        # Running from a source checkout (build_ext --inplace): pyproject maps the
        # top-level datasets/ folder to concentration._data only when installing.
        tree = Path(__file__).resolve().parent.parent / "datasets"
        if (tree / "build.py").is_file():
            return tree
        raise DataFileError(
            f"The bundled data package {_PACKAGE!r} is not installed. Reinstall "
            "antitrust-concentration (pip install --force-reinstall antitrust-concentration)."
        ) from None


def bundled_file(filename):
    """The bundled file ``filename`` (a :mod:`importlib.resources` traversable), or DataFileError."""
    res = data_root().joinpath(filename)
    if not res.is_file():
        raise DataFileError(
            f"The bundled file {filename!r} is missing from {_PACKAGE!r}. The installation "
            "is incomplete; reinstall antitrust-concentration.")
    return res


def _check_name(func, name):
    return check_choice(func, "name", name, DATASETS,
                        fix="Call concentration.datasets.list_datasets() to see them.")


def _read_arrow(name):
    import pyarrow.parquet as pq

    res = bundled_file(f"{name}.parquet")
    with resources.as_file(res) as path:
        return pq.read_table(path)


def _provenance(schema) -> dict:
    raw = (schema.metadata or {}).get(PROVENANCE_KEY)
    return {} if raw is None else json.loads(raw.decode("utf-8"))


def list_datasets() -> pd.DataFrame:
    """List the bundled datasets.

    Returns
    -------
    pandas.DataFrame
        One row per dataset with columns ``name``, ``description``, ``rows``,
        ``columns`` (the number of columns) and ``column_names`` (comma-separated).

    Examples
    --------
    >>> from concentration import datasets
    >>> datasets.list_datasets()["name"].tolist()
    ['ai_market_shares', 'ai_partnerships', 'ai_ownership', 'entities']
    """
    import pyarrow.parquet as pq

    records = []
    for name in DATASETS:
        res = bundled_file(f"{name}.parquet")
        with resources.as_file(res) as path:
            meta = pq.read_metadata(path)
            schema = pq.read_schema(path)
        records.append({
            "name": name,
            "description": _provenance(schema).get("title", ""),
            "rows": int(meta.num_rows),
            "columns": len(schema.names),
            "column_names": ", ".join(schema.names),
        })
    return pd.DataFrame.from_records(
        records, columns=["name", "description", "rows", "columns", "column_names"])


def card(name) -> str:
    """Return the dataset card of ``name`` (Markdown): sources, licence, schema, gaps.

    Parameters
    ----------
    name : {"ai_market_shares", "ai_partnerships", "ai_ownership", "entities"}
        Dataset whose card to return.

    Returns
    -------
    str
        The card's Markdown text (the file ``datasets/<name>.md``).

    Examples
    --------
    >>> from concentration import datasets
    >>> datasets.card("entities").splitlines()[0]
    '# `entities`: canonical organisations, aliases and ultimate parents'
    """
    _check_name("card", name)
    return bundled_file(f"{name}.md").read_text(encoding="utf-8")


def _as_date(func, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(
            value, (str, _dt.date, _dt.datetime, pd.Timestamp, np.datetime64)):
        raise InvalidParameterError(param_message(
            func, "as_of", "a date ('2024-06-30', datetime.date or pandas.Timestamp)", value))
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        ts = None
    if ts is None or pd.isna(ts):
        raise InvalidParameterError(param_message(
            func, "as_of", "a date ('2024-06-30', datetime.date or pandas.Timestamp)", value,
            "Write dates as YYYY-MM-DD."))
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def load(name, *, as_of=None, firms_only=True, vintage="latest", held_only=False):
    """Load a bundled dataset as a DataFrame.

    Parameters
    ----------
    name : {"ai_market_shares", "ai_partnerships", "ai_ownership", "entities"}
        Dataset to load.
    as_of : str, datetime.date or pandas.Timestamp, optional
        Restrict to what describes the state at that date:

        * ``ai_market_shares``: rows whose period ended on or before ``as_of``
          (``period_end <= as_of``).
        * ``ai_partnerships``: edges live on ``as_of``, that is
          ``start <= as_of`` and (``end`` missing or ``as_of <= end``).
        * ``ai_ownership``: for each (owner, firm), the row with the latest
          ``as_of`` on or before the date (ties: the later ``stake_id``), unless
          that row's ``valid_until`` is before the date (terms that ended, such
          as the pre-recapitalisation OpenAI stakes): then the pair has no row.
        * ``entities``: not time-varying; ``as_of`` is an error.
    firms_only : bool, default True
        ``ai_market_shares`` only.  Keep only rows of one firm (``row_kind ==
        "firm"``) with a stated share, so :func:`concentration.hhi` never counts an
        "Others" residual or a "top 3 combined" aggregate as a firm.  ``False``
        returns every row.
    vintage : {"latest", "all"}, default "latest"
        ``ai_market_shares`` only.  ``"latest"`` keeps, for each (market, period),
        the rows of the latest release (``latest_vintage``), so every (market,
        period, firm) appears once; ``"all"`` keeps superseded releases too.
    held_only : bool, default False
        ``ai_ownership`` only.  Keep only ``stake_status == "held"`` (drop
        ``reported_terms`` profit-sharing terms and ``contingent`` warrants) before
        the ``as_of`` selection; use it for MHHI inputs.

    Returns
    -------
    pandas.DataFrame
        Ids and text as strings, shares as float64 fractions, dates as
        ``datetime64``.  ``attrs["provenance"]`` holds the file's provenance
        (title, source, citation, licence, notes, units) and ``attrs["dataset"]``
        the name and the options applied.

    Raises
    ------
    InvalidParameterError
        Unknown dataset, a bad ``as_of``, or an option that does not apply to it.
    DataFileError
        The bundled file is missing (incomplete installation).

    Notes
    -----
    Share rows flagged ``lower_bound`` cover less than 99 % of their market (top-N
    data): any index computed from them is a lower bound, and
    :func:`concentration.indices` reports the same in its ``lower_bound`` column.
    HHI is :math:`10{,}000 \\sum_i s_i^2` over the listed firms [1]_.

    References
    ----------
    .. [1] U.S. Department of Justice and Federal Trade Commission, *Merger
       Guidelines* (2023), section 2.1 and note 22 (HHI in points).

    Examples
    --------
    >>> import concentration as cn
    >>> df = cn.datasets.load("ai_market_shares")
    >>> q = df[(df["market"] == "dc_segment_rev_peerset") & (df["period"] == "2021Q1")]
    >>> round(float(cn.hhi(q[["firm", "share"]].set_index("firm")["share"])), 1)  # 68²+25²+7²
    5298.0
    """
    func = "concentration.datasets.load"
    _check_name(func, name)
    date = _as_date(func, as_of)
    firms_only = check_bool(func, "firms_only", firms_only)
    check_choice(func, "vintage", vintage, _VINTAGES)
    held_only = check_bool(func, "held_only", held_only)
    if name != "ai_market_shares" and (firms_only is not True or vintage != "latest"):
        raise InvalidParameterError(param_message(
            func, "firms_only/vintage", "left at their defaults for " + repr(name),
            {"firms_only": firms_only, "vintage": vintage},
            "These options apply to 'ai_market_shares' only."))
    if name != "ai_ownership" and held_only:
        raise InvalidParameterError(param_message(
            func, "held_only", f"False for {name!r}", held_only,
            "The option applies to 'ai_ownership' only."))
    if name == "entities" and date is not None:
        raise InvalidParameterError(param_message(
            func, "as_of", "None for 'entities'", as_of,
            "The entity table is not time-varying; parent_since dates when a parent link "
            "began."))

    table = _read_arrow(name)
    prov = _provenance(table.schema)
    df = table.to_pandas(date_as_object=False)

    if name == "ai_market_shares":
        keep = np.ones(len(df), dtype=bool)
        if firms_only:
            keep &= (df["row_kind"] == "firm").to_numpy() & df["share"].notna().to_numpy()
        if vintage == "latest":
            keep &= df["latest_vintage"].to_numpy(dtype=bool)
        if date is not None:
            keep &= (df["period_end"] <= date).to_numpy()
        df = df[keep]
    elif name == "ai_partnerships" and date is not None:
        live = (df["start"] <= date) & (df["end"].isna() | (df["end"] >= date))
        df = df[live.to_numpy(dtype=bool)]
    elif name == "ai_ownership":
        if held_only:
            df = df[(df["stake_status"] == "held").to_numpy()]
        if date is not None:
            df = df[(df["as_of"] <= date).to_numpy()]
            order = df.sort_values(["owner", "firm", "as_of", "stake_id"], kind="mergesort")
            last = order.drop_duplicates(["owner", "firm"], keep="last").index
            df = df.loc[df.index.isin(last)]
            if "valid_until" in df.columns:
                df = df[~(df["valid_until"].notna() & (df["valid_until"] < date)).to_numpy()]
    df = df.reset_index(drop=True)
    df.attrs["provenance"] = prov
    df.attrs["dataset"] = {"name": name, "as_of": None if date is None else str(date.date()),
                           "firms_only": firms_only if name == "ai_market_shares" else None,
                           "vintage": vintage if name == "ai_market_shares" else None,
                           "held_only": held_only if name == "ai_ownership" else None}
    return df
