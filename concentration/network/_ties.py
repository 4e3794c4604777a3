"""The tie table of a partnership network: checked, dated, resolved to parents.

:func:`coerce_ties` turns a user's edge table into the tables a
:class:`~concentration.network.PartnershipNetwork` holds: one row per tie with
columns ``source``, ``target``, ``kind``, ``start``, ``end`` (``datetime64[ns]``,
NaT for "always" and "still live"), ``weight`` (positive floats) and ``directed``
(booleans), plus the caller's other columns.  On the way it

* reads dates given as ISO strings, years or datetimes (:func:`timestamp` reads one
  date argument the same way);
* resolves names to canonical names or ultimate parents, with parent links in force
  from their ``parent_since`` date on, splitting a tie that spans such a date;
* sets aside ties between two units of one parent (internal ties);
* projects memberships of organisations (consortia) onto firm-firm
  ``co_membership`` ties, one per shared organisation, live while both memberships
  are, of weight the product of the two membership weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._tables import resolve_key
from .._validation import as_list, check_choice, check_column_name, check_columns, param_message
from ..exceptions import InvalidParameterError, SchemaError

__all__ = ["MEMBERSHIP_KINDS"]

#: Tie kinds read as membership of a firm (source) in an organisation (target).
MEMBERSHIP_KINDS = ("consortium_membership",)


# --------------------------------------------------------------------------- dates

def timestamp(func, name, value, *, allow_none=False):
    """``value`` as a timezone-naive Timestamp (None passes when ``allow_none``)."""
    if value is None and allow_none:
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise InvalidParameterError(param_message(
            func, name, "a date (a string such as '2023-06-30', a datetime or a Timestamp)",
            value))
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _dates(frame, col, param, func, *, allow_missing):
    raw = frame[col]
    try:
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            # integer years (2019) rather than nanoseconds since 1970
            out = pd.to_datetime(raw.astype("Int64").astype("string"), format="%Y")
        else:
            out = pd.to_datetime(raw.astype("object").where(raw.notna(), None), format="mixed")
    except (TypeError, ValueError) as exc:
        raise SchemaError(
            f"{func}: the '{param}' column {col!r} could not be read as dates ({exc}). "
            "Use ISO dates ('2023-01-23', '2023-01' or '2023') or datetime values.") from None
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    out = out.astype("datetime64[ns]")
    if not allow_missing and out.isna().any():
        i = int(np.flatnonzero(out.isna().to_numpy())[0])
        raise SchemaError(
            f"{func}: the '{param}' column {col!r} has {int(out.isna().sum())} missing "
            f"date(s) (first in row {i}). A tie needs a start date; fill it (for example with "
            "the announcement year) or drop the row explicitly.")
    return out


# --------------------------------------------------------------------------- names

def _resolve_names(entities, resolve, func):
    """Name resolution in force over time: a list ``[(since, mapping), ...]``.

    ``mapping`` takes each raw name to its canonical name (``resolve="canonical"``)
    or to its ultimate parent through the parent links in force from ``since`` on;
    the first entry's ``since`` is None (before any dated link).  A link with a
    ``parent_since`` date holds from that date on; one without holds at every date.
    Without dated links the list has one entry.
    """
    from .._tables import map_parents

    if isinstance(entities, pd.DataFrame):
        name_col = next((c for c in ("name", "entity", "canonical", "firm")
                         if c in entities.columns), None)
        if name_col is None:
            raise SchemaError(
                f"{func}: the 'entities' table needs a name column ('name', 'entity', "
                f"'canonical' or 'firm'). Columns present: {list(entities.columns)}. "
                "Rename it, or pass a mapping {firm: parent}.")
        alias_map = {}
        if "aliases" in entities.columns:
            for canon, aliases in zip(entities[name_col], entities["aliases"]):
                if aliases is None or (np.isscalar(aliases) and pd.isna(aliases)):
                    continue
                items = aliases.split(";") if isinstance(aliases, str) else list(aliases)
                for a in items:
                    a = str(a).strip()
                    if a and a != canon:
                        if alias_map.get(a, canon) != canon:
                            raise InvalidParameterError(param_message(
                                func, "entities", "a table where each alias names one "
                                "organisation", f"alias {a!r} of {alias_map[a]!r} and {canon!r}"))
                        alias_map[a] = canon
        links = {}  # canonical name -> (parent, date the link began or NaT)
        if resolve == "parent":
            if "parent" not in entities.columns:
                raise SchemaError(
                    f"{func}: the 'entities' table has no 'parent' column. Columns present: "
                    f"{list(entities.columns)}. Add it, or pass resolve='canonical'.")
            since = (_dates(entities, "parent_since", "parent_since", func, allow_missing=True)
                     if "parent_since" in entities.columns
                     else pd.Series(pd.NaT, index=entities.index, dtype="datetime64[ns]"))
            for canon, parent, day in zip(entities[name_col], entities["parent"], since):
                if parent is not None and not (np.isscalar(parent) and pd.isna(parent)) \
                        and str(parent).strip() and parent != canon:
                    links[canon] = (parent, day)
        names = set(alias_map) | set(links) | set(entities[name_col])
        canon = {n: alias_map.get(n, n) for n in names}
        if not links:
            return [(None, canon)]
        keys = list(canon)
        raw = np.asarray([canon[k] for k in keys], dtype=object)
        epochs = []
        for start in [None] + sorted({d for _, d in links.values() if not pd.isna(d)}):
            parents = {c: p for c, (p, d) in links.items()
                       if pd.isna(d) or (start is not None and d <= start)}
            epochs.append((start, dict(zip(keys, map_parents(raw, parents, func)))))
        return epochs
    if isinstance(entities, pd.Series):
        mapping = entities.dropna().to_dict()
    elif isinstance(entities, Mapping):
        mapping = dict(entities)
    else:
        raise InvalidParameterError(param_message(
            func, "entities", "a DataFrame (name, aliases, parent) or a mapping {firm: parent}",
            type(entities).__name__))
    keys = list(mapping)
    return [(None, dict(zip(keys, map_parents(np.asarray(keys, dtype=object), mapping,
                                              func))))]


def _resolve_ties(frame, epochs):
    """Replace the ends of each tie by their resolved names, in force at the tie's dates.

    The names as given move to ``source_name`` and ``target_name``.  A tie live
    across a date from which an end resolves differently (a ``parent_since`` date)
    is split there: one row up to the date with the earlier names, one from the
    date on with the later ones.  ``epochs`` is the output of :func:`_resolve_names`.
    """
    src = frame["source"].to_numpy(dtype=object)
    tgt = frame["target"].to_numpy(dtype=object)
    frame = frame.assign(source_name=src, target_name=tgt)
    maps = [m for _, m in epochs]
    moving = {n for n in maps[0] if any(m[n] != maps[0][n] for m in maps[1:])}
    split = np.fromiter((a in moving or b in moving for a, b in zip(src, tgt)), dtype=bool,
                        count=len(src))
    frame["source"] = [maps[0].get(x, x) for x in src]
    frame["target"] = [maps[0].get(x, x) for x in tgt]
    if not split.any():
        return frame
    dates = np.asarray([since for since, _ in epochs[1:]], dtype="datetime64[ns]")
    starts = frame["start"].to_numpy(dtype="datetime64[ns]")
    ends = frame["end"].to_numpy(dtype="datetime64[ns]")
    rows, lo, hi, a_out, b_out = [], [], [], [], []
    for i in np.flatnonzero(split):
        first = 0 if np.isnat(starts[i]) else int(np.searchsorted(dates, starts[i], "right"))
        last = len(dates) if np.isnat(ends[i]) else \
            max(first, int(np.searchsorted(dates, ends[i], "left")))
        for k in range(first, last + 1):
            pair = (maps[k].get(src[i], src[i]), maps[k].get(tgt[i], tgt[i]))
            until = ends[i] if k == last else dates[k]
            if k > first and pair == (a_out[-1], b_out[-1]):
                hi[-1] = until  # same names on both sides of the date: one row
                continue
            rows.append(i)
            lo.append(starts[i] if k == first else dates[k - 1])
            hi.append(until)
            a_out.append(pair[0])
            b_out.append(pair[1])
    pieces = frame.iloc[rows].assign(source=a_out, target=b_out,
                                     start=np.asarray(lo, dtype="datetime64[ns]"),
                                     end=np.asarray(hi, dtype="datetime64[ns]"))
    whole = frame[~split]
    order = np.argsort(np.concatenate([np.flatnonzero(~split), np.asarray(rows)]),
                       kind="stable")
    return pd.concat([whole, pieces]).iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- memberships

def _project_memberships(members: pd.DataFrame) -> pd.DataFrame:
    """Firm-firm co-membership ties: one per shared organisation, live while both are."""
    rows = []
    for org, grp in members.groupby("target", sort=True):
        g = grp.sort_values(["source", "start"], kind="stable").reset_index(drop=True)
        src = g["source"].to_numpy(dtype=object)
        st = g["start"].to_numpy()
        en = g["end"].to_numpy()
        w = g["weight"].to_numpy(dtype=np.float64)
        for a in range(len(g)):
            for b in range(a + 1, len(g)):
                if src[a] == src[b]:
                    continue
                s = max(st[a], st[b])
                if np.isnat(en[a]):
                    e = en[b]
                elif np.isnat(en[b]):
                    e = en[a]
                else:
                    e = min(en[a], en[b])
                if not np.isnat(e) and e <= s:
                    continue
                u, v = (src[a], src[b]) if str(src[a]) <= str(src[b]) else (src[b], src[a])
                rows.append((u, v, "co_membership", s, e, w[a] * w[b], False, org))
    return pd.DataFrame(rows, columns=["source", "target", "kind", "start", "end", "weight",
                                       "directed", "via"]).astype(
        {"start": "datetime64[ns]", "end": "datetime64[ns]", "weight": "float64",
         "directed": "bool"})


# --------------------------------------------------------------------------- the tie table

def coerce_ties(func, edges, *, source, target, kind, start, end, weight, directed, entities,
                resolve, consortia, membership_kinds):
    """Check an edge table and build the tables of a network from it.

    Parameters
    ----------
    func : str
        The caller, named in error messages.
    edges : pandas.DataFrame
        One row per tie; it is not modified.
    source, target, kind, start, end, weight, directed : str or None
        Column names, as in :class:`~concentration.network.PartnershipNetwork`; an
        optional column left at its default name may be absent.
    entities, resolve, consortia, membership_kinds
        As in :class:`~concentration.network.PartnershipNetwork`.

    Returns
    -------
    ties : pandas.DataFrame
        The ties of the graph, co-membership ties included.
    memberships : pandas.DataFrame
        The membership ties (firm -> organisation) when ``consortia="project"``,
        else none.
    internal : pandas.DataFrame
        Ties whose two ends resolve to one organisation.
    config : dict
        ``consortia`` and ``membership_kinds`` (a tuple).

    Raises
    ------
    InvalidParameterError
        ``edges`` is not a DataFrame, or an option is not one of its choices.
    SchemaError
        A column is missing, or holds missing ends, kinds or start dates, dates that
        cannot be read, ties that end before they start, or weights or direction
        flags of the wrong kind.
    """
    if not isinstance(edges, pd.DataFrame):
        raise InvalidParameterError(param_message(
            func, "edges", "a pandas DataFrame with one row per tie", type(edges).__name__,
            "Build one with pd.DataFrame({'source': [...], 'target': [...], ...})."))
    check_choice(func, "consortia", consortia, ("project", "nodes"))
    check_choice(func, "resolve", resolve, ("parent", "canonical"))
    membership_kinds = tuple(as_list(membership_kinds))
    if not all(isinstance(k, str) and k for k in membership_kinds):
        raise InvalidParameterError(param_message(
            func, "membership_kinds", "a tie kind (str) or a list of tie kinds",
            membership_kinds, "Pass e.g. membership_kinds=['consortium_membership']."))
    for name, col in (("source", source), ("target", target)):
        if col is None:
            raise InvalidParameterError(param_message(
                func, name, "a column name (str)", col, f"Pass {name}='<column>'."))
    for name, col in (("source", source), ("target", target), ("kind", kind), ("start", start),
                      ("end", end), ("weight", weight), ("directed", directed)):
        if col is not None:
            check_column_name(func, name, col)
    check_columns(func, edges, {"source": source, "target": target})
    kind = resolve_key(edges, kind, "kind", "kind", func)
    start = resolve_key(edges, start, "start", "start", func)
    end = resolve_key(edges, end, "end", "end", func)
    weight = resolve_key(edges, weight, "weight", "weight", func)
    directed = resolve_key(edges, directed, "directed", "directed", func)

    frame = _ends(func, edges, source, target, kind)
    frame["start"] = _date_column(func, edges, start, "start", allow_missing=False)
    frame["end"] = _date_column(func, edges, end, "end", allow_missing=True)
    _check_spans(func, frame)
    frame["weight"] = _weights(func, edges, weight)
    frame["directed"] = _directions(func, edges, directed)
    used = {source, target, kind, start, end, weight, directed}
    for col in edges.columns:
        if col not in used and col not in frame.columns:
            frame[col] = edges[col].to_numpy()

    if entities is not None:
        frame = _resolve_ties(frame, _resolve_names(entities, resolve, func))
    self_loop = (frame["source"] == frame["target"]).to_numpy()
    internal = frame[self_loop].reset_index(drop=True)
    ties, memberships = _split_memberships(frame[~self_loop].reset_index(drop=True),
                                           consortia, membership_kinds)
    config = dict(consortia=consortia, membership_kinds=membership_kinds)
    return ties.reset_index(drop=True), memberships, internal, config


def _ends(func, edges, source, target, kind):
    """The ``source``, ``target`` and ``kind`` columns of the ties (kind "tie" by default)."""
    src = edges[source].to_numpy(dtype=object)
    tgt = edges[target].to_numpy(dtype=object)
    for name, col, vals in (("source", source, src), ("target", target, tgt)):
        try:
            pd.unique(vals)
        except TypeError:
            raise SchemaError(
                f"{func}: the '{name}' column {col!r} holds labels that cannot be compared "
                "(lists or dicts). Each end of a tie must be a firm name; convert the labels "
                "to text first.") from None
        bad = pd.isna(vals)
        if bad.any():
            raise SchemaError(
                f"{func}: the '{name}' column {col!r} has {int(bad.sum())} missing "
                f"value(s) (first in row {int(np.flatnonzero(bad)[0])}). Every tie needs "
                "both ends; fill or drop those rows first.")
    frame = pd.DataFrame({
        "source": src, "target": tgt,
        "kind": (edges[kind].astype("object").to_numpy() if kind is not None
                 else np.full(len(edges), "tie", dtype=object)),
    })
    if kind is not None and frame["kind"].isna().any():
        raise SchemaError(f"{func}: the 'kind' column {kind!r} has missing values. "
                          "Fill them (for example with 'tie').")
    return frame


def _date_column(func, edges, col, param, *, allow_missing):
    """The dates of column ``col`` as ``datetime64[ns]``; all NaT when there is no column."""
    if col is None:
        return np.full(len(edges), np.datetime64("NaT"), dtype="datetime64[ns]")
    return _dates(edges, col, param, func, allow_missing=allow_missing).to_numpy()


def _check_spans(func, frame):
    """Raise SchemaError if a tie ends before it starts."""
    bad = frame["end"].notna() & frame["start"].notna() & (frame["end"] < frame["start"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"{func}: {int(bad.sum())} tie(s) end before they start (first: row {i}, "
            f"{frame['start'].iloc[i].date()} to {frame['end'].iloc[i].date()}). Correct "
            "the dates.")


def _weights(func, edges, weight):
    """The tie weights as positive finite floats; all 1 when there is no column."""
    if weight is None:
        return np.ones(len(edges))
    w = edges[weight]
    if not pd.api.types.is_numeric_dtype(w) or pd.api.types.is_bool_dtype(w):
        raise SchemaError(
            f"{func}: the 'weight' column {weight!r} must be numeric; it has dtype "
            f"{w.dtype}. Convert it with pd.to_numeric.")
    wv = w.to_numpy(dtype=np.float64, na_value=np.nan)
    badw = ~np.isfinite(wv) | (wv <= 0)
    if badw.any():
        i = int(np.flatnonzero(badw)[0])
        raise SchemaError(
            f"{func}: the 'weight' column {weight!r} must hold positive finite "
            f"numbers; {int(badw.sum())} value(s) do not (first {wv[i]!r} in row {i}). "
            "Fill missing weights explicitly (e.g. with 1), or pass weight=None to "
            "give every tie weight 1.")
    return wv


def _directions(func, edges, directed):
    """The one-way flags as booleans; all False (undirected) when there is no column."""
    if directed is None:
        return np.zeros(len(edges), dtype=bool)
    d = edges[directed]
    if d.isna().any() or not (pd.api.types.is_bool_dtype(d)
                              or set(pd.unique(d)) <= {0, 1, True, False}):
        raise SchemaError(
            f"{func}: the 'directed' column {directed!r} must hold True/False for "
            "every tie. Fill missing values (False means undirected).")
    return d.astype(bool).to_numpy()


def _split_memberships(frame, consortia, membership_kinds):
    """``(ties, memberships)``: memberships apart and projected, or kept as ties."""
    if consortia != "project":
        return frame, frame.iloc[0:0]
    is_member = frame["kind"].isin(membership_kinds).to_numpy() if membership_kinds \
        else np.zeros(len(frame), dtype=bool)
    memberships = frame[is_member].reset_index(drop=True)
    ties = frame[~is_member]
    if len(memberships):
        proj = _project_memberships(memberships)
        ties = pd.concat([ties, proj], ignore_index=True) if len(ties) else proj
    return ties, memberships
