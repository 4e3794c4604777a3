"""A report's inputs: reading them, their SHA-256 and provenance, and the demo data."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

import pandas as pd

from .._validation import param_message
from ..datasets import data_root, load
from ..exceptions import InvalidParameterError
from ..io import dataset_files, is_text_table, read_table, read_text_table

__all__ = ["Input", "load_input", "display_path", "demo_inputs"]


@dataclass
class Input:
    """One input table as read, with where it came from."""

    role: str  # "shares", "holdings" or "partnerships"
    label: str  # the source as shown in the report
    frame: pd.DataFrame
    sha256: str
    kind: str  # "file", "directory" or "DataFrame"
    provenance: dict


def load_input(role, obj, func="report", filters=None) -> Input | None:
    """Read input ``role`` from a Parquet path or take a DataFrame; None for None."""
    if obj is None:
        return None
    if isinstance(obj, pd.DataFrame):
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None when shares is a DataFrame", filters,
                "Filter the DataFrame before passing it."))
        return Input(role, str(obj.attrs.get("source_path", f"{role} (DataFrame)")), obj,
                     _sha256_frame(obj), "DataFrame",
                     dict(obj.attrs.get("provenance", {}) or {}))
    if isinstance(obj, (str, os.PathLike)):
        path = os.fspath(obj)
        if is_text_table(path):  # CSV/TSV: label columns stay text
            if filters is not None:
                raise InvalidParameterError(param_message(
                    func, "filters", "None for a CSV or TSV input", filters,
                    "Filter the rows first, or convert the file to Parquet."))
            frame = read_text_table(path, func=func, labels=(
                "market", "period", "firm", "owner", "source", "target", "kind"))
        else:
            frame = read_table(path, func=func, filters=filters)
        return Input(role, display_path(path), frame, _sha256_path(path),
                     "directory" if os.path.isdir(path) else "file",
                     dict(frame.attrs.get("provenance", {}) or {}))
    raise InvalidParameterError(param_message(
        func, role, "a path to a Parquet file or directory, a CSV/TSV file, or a pandas "
        "DataFrame",
        type(obj).__name__))


def _sha256_path(path: str) -> str:
    """SHA-256 of a file's bytes; of a directory's data files (names and bytes) in read order."""
    h = hashlib.sha256()
    if not os.path.isdir(path):
        _update_with_file(h, path)
        return h.hexdigest()
    for full in dataset_files(path):  # the files the readers read, each once
        h.update(os.path.relpath(full, path).replace(os.sep, "/").encode("utf-8"))
        h.update(b"\0")
        _update_with_file(h, full)
    return h.hexdigest()


def _update_with_file(h, path):
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)


def _sha256_frame(frame: pd.DataFrame) -> str:
    """SHA-256 of an in-memory table: its column names and its content."""
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in frame.columns]).encode("utf-8"))
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def display_path(path: str) -> str:
    """The path as shown in the report: bundled data relative to the package."""
    base = os.fspath(data_root())
    full = os.path.abspath(path)
    if full.startswith(base + os.sep):
        return "concentration._data/" + os.path.relpath(full, base).replace(os.sep, "/")
    return path


def _bundled_path(name):
    """Filesystem path of a bundled dataset file (installed as ``concentration._data``)."""
    return os.fspath(data_root().joinpath(name))


def demo_inputs() -> dict:
    """Keyword arguments of :func:`report` for the bundled AI-industry data.

    Cloud-infrastructure, model-API and chatbot shares over time (firm rows of the
    latest vintage with a published share; "others" and "top-N combined" rows
    excluded, so HHIs over top-N tables are lower bounds and say so), a screen of a
    hypothetical Microsoft-Google combination, the ownership stakes among Microsoft,
    OpenAI, Alphabet, Amazon and Anthropic, the alliance network, and the bundled
    entity table (so Google's shares meet Alphabet's owners and partners).

    Returns
    -------
    dict
        Keyword arguments for :func:`report`: the paths of the bundled share and
        partnership files, the held stakes as a pandas DataFrame, the entity table,
        the hypothetical deal, the title and the row filter applied to the shares.

    Examples
    --------
    >>> from concentration.reporting import demo_inputs
    >>> sorted(demo_inputs())[:3]
    ['entities', 'filters', 'holdings']
    """
    import pyarrow.compute as pc

    flt = ((pc.field("row_kind") == "firm") & pc.field("latest_vintage")
           & pc.field("share").is_valid())
    # MHHI needs stakes actually held by identified owners, each with its date (the
    # report matches them to every share period as of its end): no contingent warrants
    # or reported profit-sharing terms, no undisclosed sizes, and no "employees and
    # other investors" aggregate (a residual, not one owner).
    own = load("ai_ownership", held_only=True)
    own = own[own["cash_flow"].notna() & (own["owner_type"] != "aggregate")].reset_index(drop=True)
    own.attrs["source_path"] = "concentration._data/ai_ownership.parquet (held stakes, dated)"
    return {"shares": _bundled_path("ai_market_shares.parquet"),
            "holdings": own,
            "partnerships": _bundled_path("ai_partnerships.parquet"),
            "filters": flt, "merging": ("Microsoft", "Google"),
            "entities": load("entities"),
            "title": "Concentration in AI markets: cloud, model APIs and the alliance network"}
