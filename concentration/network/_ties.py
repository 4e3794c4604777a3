"""The tie table of a partnership network: checked, dated, resolved to parents.

:func:`coerce_ties` turns a user's edge table into the tables a
:class:`~concentration.network.PartnershipNetwork` holds: one row per tie with
columns ``source``, ``target``, ``kind``, ``start``, ``end`` (``datetime64[ns]``,
NaT for "always" and "still live"), ``weight`` (positive floats) and ``directed``
(booleans), plus the caller's other columns.  On the way it

* reads dates given as ISO strings, years or datetimes (:func:`timestamp` reads one
  date argument the same way);
* reads every kind of a deal: its ``kind`` and the extra kinds of its
  ``also_kinds`` column (``"cloud_compute_supply;chip_supply"``), as ``kinds``;
* sets each deal's strength by an explicit rule (:func:`tie_strengths`: the weight
  column, 1 per deal, the amount, or a strength per kind);
* resolves names to canonical names or ultimate parents through the shared entity
  model (:mod:`concentration._entities`), with the links in force at each tie's
  start, splitting a tie that spans a later ``parent_since`` date;
* sets aside ties between two units of one parent (internal ties), with a warning
  when the parent join made them;
* projects memberships of organisations (consortia) onto firm-firm
  ``co_membership`` ties, one per shared organisation, live while both memberships
  are, of weight the product of the two membership weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._entities import coerce_entities
from .._tables import resolve_key
from .._validation import (
    as_list,
    check_choice,
    check_column_name,
    check_columns,
    param_message,
    warn,
)
from ..exceptions import DataQualityWarning, InvalidParameterError, SchemaError

__all__ = ["MEMBERSHIP_KINDS", "KIND_SEPARATORS"]

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

def _link_dates(ent):
    """Sorted distinct ``parent_since`` dates of an :class:`Entities` (as datetime64)."""
    dates = {s for pairs in ent.links.values() for s, _ in pairs if not pd.isna(s)}
    return np.asarray(sorted(dates), dtype="datetime64[ns]")


def _resolve_at(ent, names, when, resolve):
    """Names resolved with the links in force at ``when`` (one date per name; NaT: all)."""
    if resolve == "canonical":
        return np.asarray([ent.canonical(x) for x in names], dtype=object)
    return ent.resolve(names, at=pd.DatetimeIndex(when))


def join_parents(frame, ent, resolve):
    """Replace the ends of each tie by their ultimate parents at the tie's start date.

    Each end is resolved with the links in force when the tie starts (the undated
    links only for a tie without a start, live since always).  A tie live across a later ``parent_since`` date at
    which an end resolves differently is split there: one row up to the date, one
    from it, resolved at that date.  The names as given move to ``source_name`` and
    ``target_name``.  Returns ``(ties, merged)``, ``merged`` listing each name that
    was replaced (columns ``firm``, ``entity``, ``since``: the first day it was).
    """
    src = frame["source"].to_numpy(dtype=object)
    tgt = frame["target"].to_numpy(dtype=object)
    starts = frame["start"].to_numpy(dtype="datetime64[ns]")
    ends = frame["end"].to_numpy(dtype="datetime64[ns]")
    frame = frame.assign(source_name=src, target_name=tgt)
    # a tie without a start is live since always: before every dated link
    first = np.where(np.isnat(starts), pd.Timestamp.min.to_datetime64(), starts)
    a0 = _resolve_at(ent, src, first, resolve)
    b0 = _resolve_at(ent, tgt, first, resolve)
    dates = _link_dates(ent) if resolve == "parent" else np.zeros(0, dtype="datetime64[ns]")
    rows, lo, hi, a_out, b_out = [], [], [], [], []
    for d in dates:
        live = (np.isnat(starts) | (starts < d)) & (np.isnat(ends) | (ends > d))
        if not live.any():
            continue
        idx = np.flatnonzero(live)
        at = np.full(idx.size, d)
        for i, a, b in zip(idx, _resolve_at(ent, src[idx], at, resolve),
                           _resolve_at(ent, tgt[idx], at, resolve)):
            rows.append(i)
            lo.append(d)
            a_out.append(a)
            b_out.append(b)
    frame["source"] = a0
    frame["target"] = b0
    if rows:
        # pieces: the tie from its start, then from each date; merge unchanged neighbours
        pieces = pd.DataFrame({"row": np.r_[np.arange(len(frame)), rows],
                               "lo": np.r_[starts, np.asarray(lo, dtype="datetime64[ns]")],
                               "a": np.r_[a0, np.asarray(a_out, dtype=object)],
                               "b": np.r_[b0, np.asarray(b_out, dtype=object)]})
        pieces = pieces.sort_values(["row", "lo"], kind="stable", na_position="first")
        same = (pieces["row"].eq(pieces["row"].shift()) & pieces["a"].eq(pieces["a"].shift())
                & pieces["b"].eq(pieces["b"].shift()))
        pieces = pieces[~same.to_numpy()]
        nxt_row = pieces["row"].shift(-1)
        hi = np.where(pieces["row"].eq(nxt_row).to_numpy(),
                      pieces["lo"].shift(-1).to_numpy(dtype="datetime64[ns]"),
                      ends[pieces["row"].to_numpy()])
        frame = frame.iloc[pieces["row"].to_numpy()].assign(
            source=pieces["a"].to_numpy(), target=pieces["b"].to_numpy(),
            start=pieces["lo"].to_numpy(dtype="datetime64[ns]"),
            end=np.asarray(hi, dtype="datetime64[ns]")).reset_index(drop=True)
    names = pd.DataFrame({
        "firm": np.r_[frame["source_name"].to_numpy(dtype=object),
                      frame["target_name"].to_numpy(dtype=object)],
        "entity": np.r_[frame["source"].to_numpy(dtype=object),
                        frame["target"].to_numpy(dtype=object)],
        "since": np.r_[frame["start"].to_numpy(), frame["start"].to_numpy()]})
    changed = names[(names["firm"] != names["entity"]).to_numpy()]
    merged = (changed.groupby(["firm", "entity"], sort=True, dropna=False)["since"].min()
              .reset_index())
    return frame, merged


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
                rows.append((u, v, "co_membership", "co_membership", s, e, w[a] * w[b],
                             False, org))
    return pd.DataFrame(rows, columns=["source", "target", "kind", "kinds", "start", "end",
                                       "weight", "directed", "via"]).astype(
        {"start": "datetime64[ns]", "end": "datetime64[ns]", "weight": "float64",
         "directed": "bool"})


# --------------------------------------------------------------------------- the tie table

def coerce_ties(func, edges, *, source, target, kind, start, end, weight, directed, parent,
                resolve, consortia, membership_kinds, also_kinds="also_types",
                strength="weight", amount="amount_usd"):
    """Check an edge table and build the tables of a network from it.

    Parameters
    ----------
    func : str
        The caller, named in error messages.
    edges : pandas.DataFrame
        One row per tie; it is not modified.
    source, target, kind, start, end, weight, directed, also_kinds, amount : str or None
        Column names, as in :class:`~concentration.network.PartnershipNetwork`; an
        optional column left at its default name may be absent.
    parent, resolve, consortia, membership_kinds, strength
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
        ``consortia``, ``membership_kinds`` (a tuple), ``strength`` (the rule, in
        words) and ``merged`` (the names replaced by their parents).

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
                      ("end", end), ("weight", weight), ("directed", directed),
                      ("also_kinds", also_kinds), ("amount", amount)):
        if col is not None:
            check_column_name(func, name, col)
    check_columns(func, edges, {"source": source, "target": target})
    kind = resolve_key(edges, kind, "kind", "kind", func)
    start = resolve_key(edges, start, "start", "start", func)
    end = resolve_key(edges, end, "end", "end", func)
    weight = resolve_key(edges, weight, "weight", "weight", func)
    directed = resolve_key(edges, directed, "directed", "directed", func)
    also_kinds = resolve_key(edges, also_kinds, "also_types", "also_kinds", func)
    ent = coerce_entities(parent, func, "parent")

    frame = _ends(func, edges, source, target, kind)
    frame["kinds"] = _all_kinds(func, edges, frame["kind"].to_numpy(dtype=object), also_kinds)
    frame["start"] = _date_column(func, edges, start, "start", allow_missing=False)
    frame["end"] = _date_column(func, edges, end, "end", allow_missing=True)
    _check_spans(func, frame)
    frame["weight"], rule = tie_strengths(func, edges, frame["kinds"], strength, weight, amount)
    frame["directed"] = _directions(func, edges, directed)
    used = {source, target, kind, start, end, weight, directed}
    for col in edges.columns:
        if col not in used and col not in frame.columns:
            frame[col] = edges[col].to_numpy()

    merged = pd.DataFrame({"firm": pd.Series(dtype=object), "entity": pd.Series(dtype=object),
                           "since": pd.Series(dtype="datetime64[ns]")})
    self_loop = (frame["source"] == frame["target"]).to_numpy()
    if ent is not None:
        frame, merged = join_parents(frame, ent, resolve)
        joined = (frame["source"] == frame["target"]).to_numpy()
        new_loops = joined & (frame["source_name"] != frame["target_name"]).to_numpy()
        self_loop = joined
        if new_loops.any():
            pairs = sorted({f"{a}-{b} ({c})" for a, b, c in zip(
                frame["source_name"][new_loops], frame["target_name"][new_loops],
                frame["source"][new_loops])})
            warn(
                f"{func}: {int(new_loops.sum())} tie(s) join two units of one parent after "
                f"the parent join and are left out of the graph (kept in net.internal): "
                f"{', '.join(map(str, pairs[:5]))}{' ...' if len(pairs) > 5 else ''}.",
                DataQualityWarning)
    internal = frame[self_loop].reset_index(drop=True)
    ties, memberships = _split_memberships(frame[~self_loop].reset_index(drop=True),
                                           consortia, membership_kinds)
    config = dict(consortia=consortia, membership_kinds=membership_kinds, strength=rule,
                  merged=merged)
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
    return _positive_column(func, edges, weight, "weight",
                            "Fill missing weights explicitly (e.g. with 1), or pass "
                            "weight=None to give every tie weight 1.")


def _positive_column(func, edges, col, param, fix):
    """Column ``col`` as positive finite floats, or SchemaError naming the first bad row."""
    w = edges[col]
    if not pd.api.types.is_numeric_dtype(w) or pd.api.types.is_bool_dtype(w):
        raise SchemaError(
            f"{func}: the '{param}' column {col!r} must be numeric; it has dtype "
            f"{w.dtype}. Convert it with pd.to_numeric.")
    wv = w.to_numpy(dtype=np.float64, na_value=np.nan)
    badw = ~np.isfinite(wv) | (wv <= 0)
    if badw.any():
        i = int(np.flatnonzero(badw)[0])
        raise SchemaError(
            f"{func}: the '{param}' column {col!r} must hold positive finite "
            f"numbers; {int(badw.sum())} value(s) do not (first {wv[i]!r} in row {i}). "
            + fix)
    return wv


#: Separators of the extra kinds of one deal in the ``also_kinds`` column.
KIND_SEPARATORS = (";", ",")


def _split_kinds(text):
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    for sep in KIND_SEPARATORS[1:]:
        text = text.replace(sep, KIND_SEPARATORS[0])
    return [t.strip() for t in text.split(KIND_SEPARATORS[0]) if t.strip()]


def _all_kinds(func, edges, primary, also_kinds):
    """Every kind of each deal, ``;``-joined: its ``kind`` first, then ``also_kinds``'s."""
    if also_kinds is None:
        return primary.astype(str).astype(object)
    col = edges[also_kinds]
    if not (pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col)):
        raise SchemaError(
            f"{func}: the 'also_kinds' column {also_kinds!r} must hold text (extra kinds "
            f"separated by ';' or ','); it has dtype {col.dtype}.")
    out = np.empty(len(primary), dtype=object)
    for i, (k, extra) in enumerate(zip(primary, col.to_numpy(dtype=object))):
        if extra is not None and not isinstance(extra, str) and not pd.isna(extra):
            raise SchemaError(
                f"{func}: the 'also_kinds' column {also_kinds!r} must hold text (extra kinds "
                f"separated by ';' or ','); row {i} holds {extra!r}.")
        out[i] = ";".join(dict.fromkeys([str(k), *_split_kinds(extra)]))
    return out


def kinds_of(kinds):
    """The kinds of each tie (a list per tie) from a ``kinds`` column."""
    return [str(k).split(";") for k in kinds]


def tie_strengths(func, edges, kinds, strength, weight, amount):
    """``(strength of each deal row, the rule in words)``.

    ``strength`` is ``"weight"`` (the weight column, 1 per row without one),
    ``"count"`` (1 per row: a pair's combined strength counts its deals),
    ``"amount"`` (the ``amount`` column) or a mapping ``{kind: strength}`` (the
    largest over the deal's kinds).
    """
    if isinstance(strength, Mapping):
        table = {}
        for k, v in strength.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(v) or v <= 0:
                raise InvalidParameterError(param_message(
                    func, "strength", "a mapping {kind: positive number}", {k: v},
                    "A tie of strength 0 is no tie: leave such kinds out of the edges."))
            table[str(k)] = float(v)
        per_tie = kinds_of(kinds)
        missing = sorted({k for ks in per_tie for k in ks} - set(table))
        if missing:
            raise InvalidParameterError(param_message(
                func, "strength", "a strength for every tie kind present (also those in "
                "the also_kinds column)", f"none for {missing}",
                "Add them to the mapping."))
        vals = np.asarray([max(table[k] for k in ks) for ks in per_tie], dtype=np.float64)
        return vals, "kind strengths " + ", ".join(f"{k} {v:g}" for k, v in table.items())
    check_choice(func, "strength", strength, ("weight", "count", "amount"),
                 fix="'weight': the weight column; 'count': 1 per deal row; 'amount': the "
                     "amount column; or a mapping {kind: strength}.")
    if strength == "count" or (strength == "weight" and weight is None):
        return np.ones(len(edges)), "1 per deal row (a pair's strength counts its deals)"
    if strength == "weight":
        return _weights(func, edges, weight), f"the {weight!r} column"
    if amount is None or amount not in edges.columns:
        raise SchemaError(
            f"{func}: strength='amount' needs the amount column {amount!r}, which is not "
            f"among the columns {list(edges.columns)}. Pass amount='<column>'.")
    return (_positive_column(func, edges, amount, "amount",
                             "Fill missing amounts explicitly (for example "
                             "edges.fillna({" + repr(amount) + ": value})), drop those deals, "
                             "or use strength='count' or a mapping {kind: strength}."),
            f"the {amount!r} column")


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
