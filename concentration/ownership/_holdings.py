"""The holdings data model: who owns how much of which firm, with cash-flow and control rights.

One row per (period, owner, firm) with the owner's cash-flow stake ``cash_flow``
(β, the fraction of the firm's profit it receives) and, optionally, its voting
stake ``control`` (the fraction of the votes it casts; dual-class shares make the
two differ).  When no control column is given, control follows cash flow
(γ = β) and the :class:`Holdings` object says so.

Owners that are themselves firms (Microsoft holding a stake in OpenAI) are
cross-ownership: :func:`concentration.profit_weights` resolves chains of such
stakes through the Leontief inverse (I - A)^{-1} (see :mod:`concentration.ownership`).

Scenario methods (:meth:`Holdings.merge_owners`, :meth:`Holdings.divest`,
:meth:`Holdings.strip_control`, :meth:`Holdings.with_stake`) return new
:class:`Holdings`; the original is never modified.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .._dispatch import engines, get_backend
from .._entities import coerce_entities
from .._kernels import load
from .._periods import period_bounds
from .._progress import stage
from .._results import ResultMixin
from .._tables import ValidationReport, issues_frame, numeric_column
from .._validation import (
    check_choice,
    check_column_name,
    check_columns,
    check_number,
    param_message,
    scale_factor,
)
from ..exceptions import InvalidHoldingsError, InvalidParameterError, PeriodError

__all__ = ["Holdings", "read_holdings", "HOLDINGS_TOLERANCE", "CONTROL_MISSING", "AS_OF_MODES",
           "holdings_dates", "check_max_age", "select_as_of", "snapshot_label",
           "resolve_entities", "label_codes", "kept_structures", "stakes_table",
           "table_handed_out", "ENTITY_COLUMNS"]

#: A firm's stakes may sum above one by this much (rounding in filings) before the
#: data are rejected.
HOLDINGS_TOLERANCE = 0.01

#: Values accepted by ``control_missing``: how a missing value of the control column
#: is read (``"error"``: refused; ``"cash_flow"``: γ = β for that row; ``"none"``: the
#: owner has no votes in that firm, γ = 0).
CONTROL_MISSING = ("error", "cash_flow", "none")

_COLUMNS = ("period", "owner", "firm", "cash_flow", "control")

_OVERLAP = load("_overlap")
_GROUPED = load("_grouped")

#: How dated holdings are matched to a date (a share period's end):
#: ``"snapshot"`` -- the latest holdings period on or before the date, used whole
#: (13F-style quarterly holdings); ``"stake"`` -- each (owner, firm)'s latest stake on
#: or before the date, carried forward until a later row replaces it (a zero stake
#: ends it; event data such as the bundled ``ai_ownership``); ``"label"`` -- the
#: holdings period with the same label as the share period (no dates needed).
AS_OF_MODES = ("snapshot", "stake", "label")

#: Columns of the frame of names joined to another entity.
ENTITY_COLUMNS = ("role", "name", "entity")


class _TableField:
    """The ``table`` field of :class:`Holdings`: it notes when the table is handed out.

    A table that :func:`read_holdings` made is the object's own: no caller holds it
    until ``Holdings.table`` is read.  Reading the attribute marks it as handed out
    (the caller may now edit it in place), as does assigning it (the caller passing
    it in keeps it), so kept structures are then checked against the stake values on
    each call (see :func:`table_handed_out`).  The library's own reads go through
    :func:`stakes_table`, which marks nothing.  The mark is a one-element list that a
    shallow copy of the object shares with the original, since both hold one table.
    """

    def __get__(self, obj, owner=None):
        if obj is None:
            raise AttributeError("table")   # a required field
        d = obj.__dict__
        d.setdefault("_table_handed_out", [True])[0] = True
        return d["table"]

    def __set__(self, obj, value):
        obj.__dict__["table"] = value
        obj.__dict__["_table_handed_out"] = [True]


@dataclass(frozen=True, repr=False, eq=False)
class Holdings(ResultMixin):
    """Validated ownership stakes (fractions) with cash-flow and control rights.

    Build it with :func:`read_holdings`.  Stakes are fractions of each firm in [0, 1].

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``period`` (only when the data have periods), ``owner``, ``firm``,
        ``cash_flow`` (β_ij) and ``control`` (the voting stake; equal to ``cash_flow``
        when ``control_given`` is False).  Treat it as read-only; :meth:`to_frame`
        returns a copy.
    control_given : bool
        False when no control column was supplied: control follows cash flow.
    has_period : bool
        Whether the data carry a period column.
    cross_owners : tuple
        Owners that also appear as firms (cross-ownership).
    report : ValidationReport
        What validation found (errors raise; warnings and notes are kept here).
    tolerance : float
        Allowed excess of a firm's total stakes over one.
    provenance : dict
        Provenance of the source file, when read from Parquet.
    history : tuple of str
        Scenario steps applied to the data read, in order.
    control_missing : {"error", "cash_flow", "none"}
        How missing values of the control column were read (see
        :func:`read_holdings`).
    n_control_missing : int or None
        Rows whose control value was missing and was filled by that policy (None
        when not counted: holdings rebuilt from a Dask DataFrame).
    entities : pandas.DataFrame or None
        With ``parent=``: the names joined to another entity, columns ``role``
        (``"owner"`` or ``"firm"``), ``name`` and ``entity``; None otherwise.
    as_of_date : pandas.Timestamp or None
        For holdings built by :meth:`as_of`: the date of the latest stake used.

    Notes
    -----
    The object keeps what it has computed from its table with it, so that later
    calls on the same holdings do not compute it again: the codes of the owner and
    firm labels, and the profit-weight structures (control weights γ and integrated
    cash flow β, firms x owners sparse matrices) built by
    :func:`concentration.profit_weights` and :func:`concentration.mhhi` for a
    built-in control model.  The structures kept hold together at most about
    twice as many stored stakes as the table has rows (each holds three sparse
    matrices of its period's stakes, about the memory of the table itself; the
    newest one is always kept, older ones are dropped first), and are not
    pickled.  A structure is used again only for the same table object, period,
    control model and ``firms``, with the same stake and period values; treat the
    table as read-only all the same, as the label codes follow the table object.
    While the table is still the one :func:`read_holdings` made and nobody has read
    the attribute :attr:`table`, no caller holds it, so its values are the ones the
    structures were built from and nothing is checked (a loop of small
    :func:`concentration.mhhi` calls pays nothing for it).  Once :attr:`table` has
    been read (or a table passed to the constructor), each call checks a checksum of
    the stake and period columns, and the first call after that builds the
    structure again.  A shallow copy, and the holdings :meth:`as_of` and
    :meth:`with_entities` derive (whose columns may be views of this table), share
    the mark: reading either table counts for both.  :meth:`to_frame`, :meth:`summary` and the other methods do
    not count as reading it.
    """

    # a descriptor: reading the table marks it as handed out (see _TableField)
    table: pd.DataFrame = _TableField()  # noqa: RUF009
    control_given: bool
    has_period: bool
    cross_owners: tuple = ()
    report: ValidationReport = field(default_factory=ValidationReport)
    tolerance: float = HOLDINGS_TOLERANCE
    provenance: dict = field(default_factory=dict)
    history: tuple = ()
    control_missing: str = "error"
    n_control_missing: int | None = 0
    entities: pd.DataFrame | None = None
    as_of_date: object = None

    def __getstate__(self):
        # the kept profit-weight structures are rebuilt on demand, not pickled
        return {k: v for k, v in self.__dict__.items() if k != _KEPT_STRUCTURES}

    # -- descriptive -----------------------------------------------------------------
    @property
    def control_note(self) -> str:
        """One sentence stating where control rights come from."""
        if self.control_given:
            note = "Control rights are the supplied voting stakes (column 'control')."
            how = ("follow cash flow (gamma = beta)" if self.control_missing == "cash_flow"
                   else "carry no control (gamma = 0)")
            if self.n_control_missing is None and self.control_missing != "error":
                # counted per partition (Dask): the policy is known, the count is not
                note += (f" Stakes without a control value {how}: "
                         f"control_missing={self.control_missing!r}.")
            elif self.n_control_missing:
                note += (f" {self.n_control_missing} stake(s) without a control value "
                         f"{how}: control_missing={self.control_missing!r}.")
            return note
        return ("No control column was supplied: control follows cash flow "
                "(gamma = beta, proportional control).")

    @property
    def periods(self) -> list:
        """The periods present (``[None]`` when the data have no period)."""
        if not self.has_period:
            return [None]
        return sorted(pd.unique(stakes_table(self)["period"]).tolist())

    @property
    def firms(self) -> list:
        """Firms with at least one stake recorded, sorted."""
        return sorted(label_codes(self, "firm")[1].tolist(), key=str)

    @property
    def owners(self) -> list:
        """Owners, sorted."""
        return sorted(label_codes(self, "owner")[1].tolist(), key=str)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`table` (stakes as fractions)."""
        return stakes_table(self).copy()

    def _summary_parts(self):
        facts = [("rows", len(stakes_table(self))), ("owners", len(self.owners)),
                 ("firms", len(self.firms)),
                 ("periods", len(self.periods) if self.has_period else "one"),
                 ("control", "explicit" if self.control_given else "follows cash flow")]
        if self.control_given:
            count = "?" if self.n_control_missing is None else self.n_control_missing
            facts.append(("missing control",
                          f"{count} (control_missing={self.control_missing!r})"))
        notes = [self.control_note]
        if self.cross_owners:
            shown = ", ".join(map(str, self.cross_owners[:5]))
            notes.append(f"{len(self.cross_owners)} owner(s) are also firms (cross-ownership): "
                         f"{shown}.")
        if self.entities is not None and len(self.entities):
            shown = ", ".join(f"{n} -> {e}" for n, e in
                              self.entities[["name", "entity"]].head(5).itertuples(
                                  index=False, name=None))
            notes.append(f"{len(self.entities)} name(s) joined to their entity: {shown}.")
        notes += [f"Scenario: {h}" for h in self.history]
        report = self.provenance.get("sec13f_report") if isinstance(self.provenance, dict) \
            else None
        if report is not None and hasattr(report, "summary"):  # from read_13f
            rep = report.summary()
            notes.append("Form 13F validation: " + ", ".join(f"{k} {v:,}" if isinstance(
                v, (int, np.integer)) else f"{k} {v}" for k, v in rep.facts) + ".")
            notes += list(rep.notes)
        return "Holdings", facts, notes

    def as_of(self, date, *, mode="snapshot", max_age=None) -> Holdings:
        """The holdings in force at ``date``, as one snapshot without a period.

        Each holdings period is dated by its last day (a date is its own day;
        ``2024Q4`` is 2024-12-31).  ``mode="snapshot"``: the latest holdings period
        on or before ``date``, used whole (13F-style quarterly holdings).
        ``mode="stake"``: each (owner, firm)'s latest stake on or before ``date``,
        carried forward until a later row replaces it; a row with zero cash flow
        and zero control ends the stake (event data, such as the bundled
        ``ai_ownership``).  ``max_age`` (a :class:`pandas.Timedelta` or a string
        such as ``"400D"``) leaves out holdings older than that.  Nothing dated
        after ``date`` is ever used.  When nothing qualifies the result has no
        stakes and its history says why.

        Examples
        --------
        >>> import pandas as pd, concentration as cn
        >>> h = cn.read_holdings(pd.DataFrame({"period": ["2024-01-31", "2024-06-30"],
        ...     "owner": ["X", "Y"], "firm": ["A", "A"], "cash_flow": [0.2, 0.1]}))
        >>> h.as_of("2024-12-31", mode="stake").to_frame()["owner"].tolist()
        ['X', 'Y']
        >>> h.as_of("2024-12-31").to_frame()["owner"].tolist()
        ['Y']
        """
        func = "Holdings.as_of"
        check_choice(func, "mode", mode, AS_OF_MODES[:2])
        max_age = check_max_age(func, max_age)
        if not self.has_period:
            raise InvalidParameterError(param_message(
                func, "self", "holdings with a period column", "holdings without one",
                "Read the holdings with period=<date column>."))
        at = pd.Timestamp(date)
        if pd.isna(at):
            raise InvalidParameterError(param_message(func, "date", "a date", date))
        table, when, reason, _ = select_as_of(self, at.normalize(), mode=mode,
                                              max_age=max_age, func=func)
        step = (f"as of {at.date()} ({mode}): " +
                (reason if reason else f"holdings dated {pd.Timestamp(when).date()}"))
        out = replace(self, table=table.reset_index(drop=True), has_period=False,
                      cross_owners=_cross_owners(table), history=self.history + (step,),
                      as_of_date=None if reason else when)
        return _share_mark(out, self)   # its columns may be views of this table's

    def with_entities(self, parent, *, at=None) -> Holdings:
        """Owners and firms joined to their entities (ultimate parents, aliases resolved).

        ``parent`` is an entity model as in :func:`read_holdings`.  Links apply as in
        force at ``at`` (a date); by default at each row's period end when the
        periods are dates, else every link.  A parent's stake in its own
        subsidiary is dropped; stakes that fall on one key are summed.  What was
        joined is added to :attr:`entities`.

        Examples
        --------
        >>> import pandas as pd, concentration as cn
        >>> h = cn.read_holdings(pd.DataFrame({"owner": ["The Vanguard Group", "Alphabet"],
        ...     "firm": ["Google", "DeepMind"], "cash_flow": [0.07, 1.0]}))
        >>> ent = pd.DataFrame({"entity": ["Google", "DeepMind", "Vanguard"],
        ...     "parent": ["Alphabet", "Alphabet", None],
        ...     "aliases": [None, None, "The Vanguard Group"]})
        >>> h.with_entities(ent).to_frame()[["owner", "firm"]].values.tolist()
        [['Vanguard', 'Alphabet']]
        """
        func = "Holdings.with_entities"
        ent = coerce_entities(parent, func)
        if ent is None:
            return self
        rows_at = None
        if at is not None:
            rows_at = pd.Timestamp(at)
        elif self.has_period:
            ends = holdings_dates(self)
            if not any(pd.isna(d) for d in ends.values()):
                rows_at = stakes_table(self)["period"].map(ends).to_numpy(
                    dtype="datetime64[ns]")
        table, merged, n_internal = resolve_entities(
            stakes_table(self), ent, rows_at, func, has_period=self.has_period,
            tolerance=self.tolerance)
        if self.entities is not None:
            merged = pd.concat([self.entities, merged], ignore_index=True).drop_duplicates()
        step = f"joined {len(merged)} name(s) to their entity"
        if n_internal:
            step += f", dropped {n_internal} internal stake(s)"
        out = replace(self._derive(table, step), entities=merged.reset_index(drop=True))
        return _share_mark(out, self)   # its columns may be views of this table's

    # -- scenarios ---------------------------------------------------------------------
    def _rows(self, func, *, owner=None, firm=None, period=None):
        t = stakes_table(self)
        mask = np.ones(len(t), dtype=bool)
        if owner is not None:
            if owner not in set(t["owner"]):
                raise InvalidParameterError(param_message(
                    f"Holdings.{func}", "owner", "an owner present in the holdings", owner,
                    "See Holdings.owners for the owners recorded."))
            mask &= (t["owner"] == owner).to_numpy()
        if firm is not None:
            fm = (t["firm"] == firm).to_numpy()
            if not (mask & fm).any():
                raise InvalidParameterError(param_message(
                    f"Holdings.{func}", "firm", f"a firm in which {owner!r} holds a stake",
                    firm, "See Holdings.to_frame() for the stakes recorded."))
            mask &= fm
        if period is not None:
            if not self.has_period:
                raise InvalidParameterError(param_message(
                    f"Holdings.{func}", "period", "None (these holdings have no period)",
                    period))
            pm = (t["period"] == period).to_numpy()
            if not (mask & pm).any():
                raise InvalidParameterError(param_message(
                    f"Holdings.{func}", "period", "a period in which the stake exists", period))
            mask &= pm
        return mask

    def _derive(self, table, step, *, control_given=None):
        table = table.reset_index(drop=True)
        return replace(self, table=table, cross_owners=_cross_owners(table),
                       control_given=self.control_given if control_given is None
                       else control_given, history=self.history + (step,))

    def merge_owners(self, owners, into=None) -> Holdings:
        """Combine several owners into one (e.g. a BlackRock + Vanguard merger).

        The merged owner's cash-flow and control stakes in each firm are the sums of
        the parties' stakes.  Returns a new :class:`Holdings`.

        Parameters
        ----------
        owners : list
            Two or more owners present in the holdings.
        into : hashable, optional
            Label of the merged owner; default ``" + ".join(owners)``.

        Examples
        --------
        >>> import pandas as pd, concentration as cn
        >>> h = cn.read_holdings(pd.DataFrame({"owner": ["BR", "VG", "BR"],
        ...     "firm": ["A", "A", "B"], "cash_flow": [0.1, 0.08, 0.05]}))
        >>> h.merge_owners(["BR", "VG"], into="BRVG").to_frame().round(2).values.tolist()
        [['BRVG', 'A', 0.18, 0.18], ['BRVG', 'B', 0.05, 0.05]]
        """
        owners = list(owners) if not isinstance(owners, (str, bytes)) else [owners]
        if len(owners) < 2 or len(set(owners)) != len(owners):
            raise InvalidParameterError(param_message(
                "Holdings.merge_owners", "owners", "two or more distinct owners", owners))
        for o in owners:
            self._rows("merge_owners", owner=o)
        label = " + ".join(map(str, owners)) if into is None else into
        t = stakes_table(self).copy()
        t.loc[t["owner"].isin(owners), "owner"] = label
        keys = (["period"] if self.has_period else []) + ["owner", "firm"]
        t = t.groupby(keys, sort=False, as_index=False)[["cash_flow", "control"]].sum()
        return self._derive(t, f"merge owners {owners} into {label!r}")

    def divest(self, owner, firm=None, *, fraction=1.0, to=None, period=None) -> Holdings:
        """Sell all or part of an owner's stake (in one firm, or in every firm).

        Cash-flow and control stakes are reduced by the same ``fraction``.  The stake
        sold goes to owner ``to`` (added to its stake) or, when ``to`` is None, to
        dispersed shareholders outside the data (dropped from the table).

        Examples
        --------
        >>> import pandas as pd, concentration as cn
        >>> h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X"], "firm": ["A", "B"],
        ...                                    "cash_flow": [0.4, 0.2]}))
        >>> h.divest("X", "A", fraction=0.5).to_frame()["cash_flow"].tolist()
        [0.2, 0.2]
        """
        fraction = check_number("Holdings.divest", "fraction", fraction, low=0.0, high=1.0)
        mask = self._rows("divest", owner=owner, firm=firm, period=period)
        t = stakes_table(self).copy()
        sold = t.loc[mask].copy()
        sold[["cash_flow", "control"]] *= fraction
        t.loc[mask, ["cash_flow", "control"]] *= (1.0 - fraction)
        t = t.loc[~(mask & (t["cash_flow"] <= 0) & (t["control"] <= 0))]
        what = "all stakes" if firm is None else f"its stake in {firm!r}"
        step = f"{owner!r} divests {fraction:.0%} of {what}"
        if to is not None:
            sold["owner"] = to
            keys = (["period"] if self.has_period else []) + ["owner", "firm"]
            t = pd.concat([t, sold], ignore_index=True)
            t = t.groupby(keys, sort=False, as_index=False)[["cash_flow", "control"]].sum()
            if (t["owner"] == t["firm"]).any():
                raise InvalidParameterError(param_message(
                    "Holdings.divest", "to", "an owner other than the firm itself", to,
                    "A firm cannot hold its own shares in this model (treasury stock)."))
            step += f" to {to!r}"
        return self._derive(t, step)

    def strip_control(self, owner, firm=None, *, period=None) -> Holdings:
        """Remove an owner's control rights but keep its cash-flow rights.

        Models a silent financial interest (O'Brien & Salop 2000, §III.A), e.g. a
        49% profit interest with no board seat.  The result has explicit control.

        Examples
        --------
        >>> import pandas as pd, concentration as cn
        >>> h = cn.read_holdings(pd.DataFrame({"owner": ["X"], "firm": ["A"],
        ...                                    "cash_flow": [0.49]}))
        >>> h.strip_control("X").to_frame()[["cash_flow", "control"]].values.tolist()
        [[0.49, 0.0]]
        """
        mask = self._rows("strip_control", owner=owner, firm=firm, period=period)
        t = stakes_table(self).copy()
        t.loc[mask, "control"] = 0.0
        what = "all firms" if firm is None else repr(firm)
        return self._derive(t, f"strip control of {owner!r} in {what}", control_given=True)

    def with_stake(self, owner, firm, cash_flow, control=None, *, period=None) -> Holdings:
        """Set (add or replace) one stake; ``control`` defaults to ``cash_flow``.

        Validated like the input: the firm's totals may not exceed one beyond the
        tolerance.

        Examples
        --------
        >>> import pandas as pd, concentration as cn
        >>> h = cn.read_holdings(pd.DataFrame({"owner": ["X"], "firm": ["A"],
        ...                                    "cash_flow": [0.3]}))
        >>> h.with_stake("X", "B", 0.25).to_frame()["firm"].tolist()
        ['A', 'B']
        """
        func = "Holdings.with_stake"
        cash_flow = check_number(func, "cash_flow", cash_flow, low=0.0, high=1.0)
        control = cash_flow if control is None else check_number(func, "control", control,
                                                                  low=0.0, high=1.0)
        if self.has_period and period is None:
            raise InvalidParameterError(param_message(
                func, "period", "one of the holdings' periods", period))
        if owner == firm:
            raise InvalidParameterError(param_message(
                func, "owner", "an owner other than the firm itself", owner))
        t = stakes_table(self).copy()
        mask = (t["owner"] == owner) & (t["firm"] == firm)
        if self.has_period:
            mask &= t["period"] == period
        t = t.loc[~mask]
        row = {"owner": [owner], "firm": [firm], "cash_flow": [cash_flow], "control": [control]}
        if self.has_period:
            row = {"period": [period], **row}
        t = pd.concat([t, pd.DataFrame(row)], ignore_index=True)
        _check_totals(t, self.has_period, self.tolerance, func)
        control_given = self.control_given or control != cash_flow
        return self._derive(t, f"set stake of {owner!r} in {firm!r} to "
                               f"cash flow {cash_flow:g}, control {control:g}",
                            control_given=control_given)


class _Labels:
    """Integer codes of a label column and its distinct labels (``pd.factorize`` order)."""

    def __init__(self, codes, labels):
        self.codes, self.labels = codes, labels

    def __getitem__(self, i):
        return self.labels[self.codes[i]]


def _label_array(col):
    """A label column as the table keeps it: text as read (Arrow-backed ``str`` stays
    as it is, without a round trip through Python objects), anything else as objects."""
    if isinstance(col.dtype, pd.StringDtype):
        return col.array
    return col.to_numpy(dtype=object)


def _plain_text(arrow_type):
    """Whether a stored column type is plain text (string or large_string, not a
    dictionary: a stored Categorical is read as one, as before)."""
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _decoded_labels(cat):
    """A text column read as a Categorical from Parquet's dictionary pages, decoded.

    Returns ``(column, (codes, labels))``: the column as a plain read of the text
    gives it (:func:`_label_array` of the frame Arrow converts it to) and
    ``pd.factorize(column)``, taken from the categorical codes (labels in order of
    first appearance, :func:`_grouped.first_appearance`), so no label is hashed per
    row.  With a missing label the column is factorized as read (the caller refuses
    it).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def as_read(values):
        return _label_array(pa.table({"v": values}).to_pandas()["v"])

    dictionary = pa.array(cat.categories.array)
    inner = np.asarray(cat.codes)
    missing = inner < 0
    column = as_read(pc.take(dictionary, pa.array(inner, mask=missing)))
    if missing.any():
        return column, pd.factorize(column)
    # pd.factorize(inner) in one pass over the dictionary's range
    codes, used = _GROUPED.first_appearance(
        np.ascontiguousarray(inner, dtype=np.int32 if len(dictionary) < 2**31 else np.int64),
        len(dictionary))
    return column, (codes, as_read(pc.take(dictionary, pa.array(used))))


def _repeated_keys(table, keys, owners, firms):
    """Rows whose (period, owner, firm) key is repeated (every copy flagged).

    On the label codes, with the shares' kernels: the (period, firm) group and owner
    of each row as one packed word (:func:`_grouped.count_repeats`, a parallel radix
    sort by group and a bitmap of the owners per thread), and only when that finds
    repeats the first row of each key (:func:`_grouped.first_rows`), so no label is
    hashed again.  pandas compares the rows when the codes do not fit.
    """
    n_o, n_f = max(len(owners.labels), 1), max(len(firms.labels), 1)
    group, n_groups = firms.codes.astype(np.int64), n_f
    if "period" in keys:
        pc, pu = pd.factorize(table["period"])
        n_groups = n_f * max(len(pu), 1)
        if (pc < 0).any() or n_groups > max(4 * len(table), 1 << 16):
            return table.duplicated(keys, keep=False).to_numpy()
        group = pc.astype(np.int64) * n_f + group
    n = len(table)
    dup = np.zeros(n, dtype=bool)
    if n < 2:
        return dup
    own = np.ascontiguousarray(owners.codes, dtype=np.int32 if n_o < 2**31 else np.int64)
    group = np.ascontiguousarray(group)
    counts = np.bincount(group, minlength=n_groups)
    key_bits = max(n_o - 1, 1).bit_length()
    if (n_groups - 1).bit_length() + key_bits > 64 or n >= 2**32:
        return table.duplicated(keys, keep=False).to_numpy()
    if _GROUPED.count_repeats(group, own, counts, key_bits, n_o) == 0:
        return dup
    rep = _GROUPED.first_rows(group, own, counts, n_o, None, True)[4]
    dup = rep != np.arange(n)
    dup[rep[dup]] = True
    return dup


#: Attribute of a Holdings object that keeps its profit-weight structures.
_KEPT_STRUCTURES = "_kept_structures"


def _kept(holdings, name):
    """The dict kept on ``holdings`` under attribute ``name`` for its current table.

    A new, empty dict replaces the kept one when ``holdings.table`` is no longer the
    table it was kept for.
    """
    table = stakes_table(holdings)
    kept = getattr(holdings, name, None)
    if kept is None or kept[0] is not table:
        kept = (table, {})
        object.__setattr__(holdings, name, kept)
    return kept[1]


def stakes_table(holdings) -> pd.DataFrame:
    """``holdings.table`` without marking it as handed out (the library's own reads).

    Parameters
    ----------
    holdings : Holdings

    Returns
    -------
    pandas.DataFrame
        The table itself (not a copy): read it, never change it.
    """
    return holdings.__dict__["table"]


def table_handed_out(holdings) -> bool:
    """Whether a caller may hold ``holdings.table`` (and so may have edited it).

    False only for a table :func:`read_holdings` made that nobody has read through
    :attr:`Holdings.table` since (see :class:`Holdings`): its values are then the
    ones every structure kept on the object was built from.
    """
    return holdings.__dict__.get("_table_handed_out", [True])[0]


def _share_mark(derived, source):
    """Give ``derived`` the handed-out mark of ``source`` and return it.

    For a derived object whose table may share its column buffers with the table of
    ``source`` (a selection of rows, a frame with columns replaced): an edit through
    either table reaches both (``Series.array`` writes in place even under
    copy-on-write), so handing out either hands out both.
    """
    derived.__dict__["_table_handed_out"] = source.__dict__.setdefault(
        "_table_handed_out", [True])
    return derived


def _own_table(holdings):
    """Mark the table of ``holdings`` as the object's own (made by this call, not
    handed out)."""
    holdings.__dict__["_table_handed_out"] = [False]


def kept_structures(holdings):
    """The profit-weight structures kept on ``holdings`` (see :class:`Holdings`).

    Returns
    -------
    dict
        Insertion-ordered (oldest first); emptied when the table was replaced.
        The caller (:func:`concentration.ownership._kappa.kappa_structure`) decides
        the keys and what is kept.
    """
    return _kept(holdings, _KEPT_STRUCTURES)


def _remember_codes(holdings, codes):
    """Keep ``{column: (codes, labels)}`` of ``holdings.table`` on the object (see
    :func:`label_codes`); the table is the object's own, so they stay valid."""
    _kept(holdings, "_label_codes").update(codes)


def label_codes(holdings, column, rows=None):
    """``pd.factorize(holdings.table[column][rows])``, from codes kept at reading time.

    Parameters
    ----------
    holdings : Holdings
    column : {"owner", "firm"}
    rows : numpy.ndarray of bool, optional
        A row mask (one period's rows).

    Returns
    -------
    (numpy.ndarray, pandas.Index)
        Codes and distinct labels in order of first appearance among the rows, as
        ``pd.factorize`` gives them.  Holdings built by :func:`read_holdings` keep
        the codes of their label columns, so no label is hashed again; others are
        factorized on the first call and remembered.
    """
    store = _kept(holdings, "_label_codes")
    if column not in store:
        store[column] = pd.factorize(stakes_table(holdings)[column])
    codes, labels = store[column]
    if rows is None:
        return codes, pd.Index(labels)
    sub, used = pd.factorize(codes[rows])
    return sub, pd.Index(labels).take(used)


def _cross_owners(table):
    """The owners that are also firms of ``table``, sorted by label."""
    owners = pd.Index(pd.unique(table["owner"]))
    return tuple(sorted(owners[owners.isin(pd.unique(table["firm"]))].tolist(), key=str))


def _check_totals(t, has_period, tolerance, func, issues=None, firm_codes=None):
    """Refuse (or, with ``issues``, record) a firm whose stakes sum above one.

    ``firm_codes`` (the firm column's codes and labels) lets the sums be taken over
    the codes, without grouping the labels again.
    """
    keys = (["period"] if has_period else []) + ["firm"]
    if firm_codes is not None:
        group, n = firm_codes.codes.astype(np.int64), len(firm_codes.labels)
        if has_period:
            pc, pu = pd.factorize(t["period"])
            group, n = pc.astype(np.int64) * n + group, n * len(pu)
        if n <= max(4 * len(t), 1 << 16) and (group >= 0).all():
            # sums in row order; a total within 1e-12 of the limit is left to the
            # grouped sums below, so the decision is theirs exactly
            near = 1.0 + tolerance - 1e-12
            if not any((np.bincount(group, weights=t[col].to_numpy(), minlength=n)
                        > near).any() for col in ("cash_flow", "control")):
                return
    totals = t.groupby(keys, sort=True)[["cash_flow", "control"]].sum()
    for col in ("cash_flow", "control"):
        over = totals[col] > 1.0 + tolerance
        if over.any():
            where = totals.index[over.to_numpy()][0]
            val = float(totals.loc[where, col])
            msg = (f"{func}: the {col} stakes in firm {where!r} sum to {val:.4g}, above one "
                   f"(tolerance {tolerance:g}); {int(over.sum())} firm(s) fail this check. "
                   "Stakes are fractions of each firm: check for double-counted filings "
                   "(e.g. a fund family and its funds), or pass scale='percent' if the "
                   "stakes are in percent.")
            if issues is None:
                raise InvalidHoldingsError(msg)
            issues.append({"severity": "error", "check": f"{col}_sum_above_one",
                           "column": col, "group": where, "value": val, "message": msg})


def holdings_dates(holdings) -> dict:
    """``{period label: its last day}`` of dated holdings (``NaT`` where a label has no date)."""
    labels = holdings.periods
    end = period_bounds(pd.Series(labels, dtype=object))[1]
    return {lab: pd.Timestamp(e).normalize() if not pd.isna(e) else pd.NaT
            for lab, e in zip(labels, end)}


def check_max_age(func, max_age):
    """``max_age`` as a positive :class:`pandas.Timedelta`, or None."""
    if max_age is None:
        return None
    try:
        age = pd.Timedelta(max_age)
    except (ValueError, TypeError):
        age = None
    if age is None or pd.isna(age) or age < pd.Timedelta(0) or isinstance(max_age, bool):
        raise InvalidParameterError(param_message(
            func, "max_age", "a non-negative duration (pandas.Timedelta or a string such as "
            "'400D')", max_age, "Pass max_age=None to use holdings of any age."))
    return age


def snapshot_label(dates, at, max_age=None):
    """The holdings period used whole at day ``at``: ``(label, its date, reason)``.

    ``dates`` maps each holdings period to its day; ``reason`` is None when the
    latest period on or before ``at`` (no older than ``max_age``) exists, else why
    none is used (``label`` is then None, or the period that is too old).
    """
    earlier = {lab: d for lab, d in dates.items() if d <= at}
    if not earlier:
        return None, pd.NaT, f"no holdings on or before {at.date()}"
    label = max(earlier, key=lambda lab: (earlier[lab], str(lab)))
    when = earlier[label]
    if max_age is not None and at - when > max_age:
        return (label, when, (f"the latest holdings ({when.date()}) are older than "
                              f"max_age={max_age} on {at.date()}"))
    return label, when, None


def select_as_of(holdings, at, *, mode, max_age, func):
    """Stakes in force at day ``at``: ``(table without period, as-of date, reason, label)``.

    ``reason`` is None when stakes were found, else why none are used (the table is
    then empty); ``label`` is the holdings period used (``"snapshot"``) or None.
    """
    dates = holdings_dates(holdings)
    cols = ["owner", "firm", "cash_flow", "control"]
    empty = stakes_table(holdings).iloc[:0][cols]
    placed = {lab: d for lab, d in dates.items() if not pd.isna(d)}
    if len(placed) < len(dates):
        bad = next(lab for lab, d in dates.items() if pd.isna(d))
        raise PeriodError(
            f"{func}: the holdings period {bad!r} cannot be placed in time, so holdings "
            "cannot be matched to dates. Give the holdings periods as dates (2024-12-31), "
            "months, quarters or years, or match by label (as_of='label').")
    t = stakes_table(holdings)
    if mode == "snapshot":
        label, when, reason = snapshot_label(placed, at, max_age)
        if reason is not None:
            return empty, when, reason, label
        return t.loc[t["period"] == label, cols], when, None, label
    if not any(d <= at for d in placed.values()):
        return empty, pd.NaT, f"no holdings on or before {at.date()}", None
    row_date = t["period"].map(placed)
    keep = (row_date <= at).to_numpy(copy=True)
    if max_age is not None:
        keep &= (row_date >= at - max_age).to_numpy()
    if not keep.any():
        return (empty, pd.NaT, (f"no stake dated between {(at - max_age).date()} and "
                                f"{at.date()} (max_age={max_age})"), None)
    sub = t.loc[keep, cols].assign(_d=row_date[keep].to_numpy())
    sub = sub.sort_values("_d", kind="stable").groupby(["owner", "firm"], sort=False).tail(1)
    live = (sub["cash_flow"] > 0) | (sub["control"] > 0)
    when = pd.Timestamp(sub["_d"].max())
    sub = sub.loc[live.to_numpy()].sort_index()
    if sub.empty:
        return empty, when, f"every stake on or before {at.date()} has ended (zero)", None
    _check_totals(sub, False, holdings.tolerance,
                  f"{func} (stakes carried forward to {at.date()})")
    return sub.drop(columns="_d"), pd.Timestamp(sub["_d"].max()), None, None


def resolve_entities(table, ent, at, func, *, has_period=False, tolerance=HOLDINGS_TOLERANCE):
    """Owners and firms of a holdings table joined to their entities.

    Returns ``(table, merged, n_internal)``: stakes of one entity in itself (a
    parent's stake in its subsidiary) are dropped and counted; stakes that now
    share a key are summed.  ``at`` is None, one date or one date per row.
    """
    owners = ent.resolve(table["owner"].to_numpy(dtype=object), at)
    firms = ent.resolve(table["firm"].to_numpy(dtype=object), at)
    rows = []
    for role, before, after in (("owner", table["owner"].to_numpy(dtype=object), owners),
                                ("firm", table["firm"].to_numpy(dtype=object), firms)):
        changed = np.asarray([a != b for a, b in zip(before, after)], dtype=bool)
        rows.append(pd.DataFrame({"role": role, "name": before[changed],
                                  "entity": after[changed]}))
    merged = pd.concat(rows, ignore_index=True).drop_duplicates().reset_index(drop=True)
    out = table.assign(owner=owners, firm=firms)
    internal = (owners == firms)
    out = out.loc[~internal]
    keys = (["period"] if has_period else []) + ["owner", "firm"]
    if out.duplicated(keys).any():
        out = out.groupby(keys, sort=False, as_index=False)[["cash_flow", "control"]].sum()
    _check_totals(out, has_period, tolerance, f"{func} (after joining entities)")
    return out.reset_index(drop=True), merged, int(internal.sum())


def read_holdings(source, *, owner="owner", firm="firm", period="period", cash_flow="cash_flow",
                  control=None, control_missing="error", parent=None, scale="fraction",
                  duplicates="error", tolerance=HOLDINGS_TOLERANCE, filters=None,
                  engine="pandas") -> Holdings:
    """Read and validate ownership stakes from Parquet or a DataFrame.

    Each row is one owner's stake in one firm (in one period): the cash-flow stake
    β_ij (the fraction of firm j's profit owner i receives) and, optionally, the
    voting stake (the fraction of j's votes i casts).  Without a control column,
    control follows cash flow (γ = β) and the result says so.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        A Parquet file, directory or hive-partitioned dataset (read through
        :func:`concentration.read_table`), or a DataFrame (not modified).
    owner, firm, cash_flow : str, optional
        Column names (defaults ``"owner"``, ``"firm"``, ``"cash_flow"``).
    period : str or None, default "period"
        Period column; ``None``, or the default name when absent, means one period.
    control : str, optional
        Column of voting stakes (dual-class shares, golden shares, proxies).
        Omitted: control follows cash flow.
    control_missing : {"error", "cash_flow", "none"}, default "error"
        How a missing value of the ``control`` column is read (a partial control
        column: the source gave the voting share for some stakes only).
        ``"error"``: refused, naming the rows; ``"cash_flow"``: that owner's control
        follows its cash flow (γ_ij = β_ij, proportional control [OS]_ §IV.B);
        ``"none"``: that owner has no control over the firm (γ_ij = 0, a silent
        financial interest [OS]_ §III.A).  The choice and the number of rows it
        filled are stated in ``Holdings.control_note`` (and so in the
        ``control_note`` of :func:`concentration.profit_weights` and
        :func:`concentration.mhhi`).  Only with ``control=<column>``.
    parent : mapping, pandas.Series, pandas.DataFrame or None, optional
        The entity model (firm -> parent, optionally dated, with aliases): a
        mapping ``{firm: parent}``, a Series, or a table with a firm column
        (``firm`` or ``entity``), ``parent`` and optionally ``parent_since`` and
        ``aliases`` -- the bundled ``concentration.datasets.load("entities")`` as it
        is.  Owners and firms are both replaced by their ultimate parent (aliases
        first: ``"The Vanguard Group"`` -> ``Vanguard``; ``Google`` -> ``Alphabet``),
        using at each row the links in force at its period's last day (every link
        when the periods are not dates).  A parent's stake in its own subsidiary
        (Alphabet in DeepMind) is internal and dropped; stakes that fall on one
        (period, owner, firm) are summed.  What was joined is in
        ``Holdings.entities``.
    scale : {"fraction", "percent"}, default "fraction"
        Unit of the stake columns.  Fractions above one (when declared fractions) are
        an error that suggests ``scale="percent"``.
    duplicates : {"error", "sum"}, default "error"
        Several rows for one (period, owner, firm): an error, or summed.
    tolerance : float, default 0.01
        Allowed excess of a firm's total cash-flow (or control) stakes over one.
    filters : list of tuples or pyarrow.compute.Expression, optional
        Row filter pushed down to the Parquet scan (files only).
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` reads a file, directory or hive-partitioned dataset (or takes a
        Dask DataFrame) lazily (needs ``pip install "antitrust-concentration[dask]"``);
        each period is validated by this function when the frame is computed, and
        the partitions hold whole periods.  See ``docs/dask.md``.

    Returns
    -------
    Holdings or dask.dataframe.DataFrame
        Stakes as fractions; ``cross_owners`` lists owners that are also firms
        (cross-ownership, resolved by :func:`concentration.profit_weights`).
        With ``engine="dask"``: a lazy Dask DataFrame with columns ``period`` (when
        present), ``owner``, ``firm``, ``cash_flow`` and ``control`` (only when a
        control column is named), which :func:`concentration.profit_weights` and
        :func:`concentration.mhhi` accept in place of a Holdings object.

    Raises
    ------
    InvalidHoldingsError
        Stakes outside [0, 1] or missing, a firm's total above one beyond the
        tolerance, duplicate keys, missing owner/firm labels, a firm holding itself.
    SchemaError
        A named column is missing or not numeric.
    DataFileError
        The file is missing or not Parquet.

    References
    ----------
    .. [OS] O'Brien, D. P. and Salop, S. C. (2000). Competitive effects of partial
       ownership: financial interest and corporate control. Antitrust Law Journal
       67(3), 559-614.

    Examples
    --------
    >>> import pandas as pd, concentration as cn
    >>> h = cn.read_holdings(pd.DataFrame({"owner": ["BlackRock", "BlackRock"],
    ...     "firm": ["Delta", "United"], "cash_flow": [7.0, 6.5]}), scale="percent")
    >>> h.to_frame()["cash_flow"].tolist()
    [0.07, 0.065]
    >>> h.control_given
    False

    A control column given for some stakes only; the rest carry no votes:

    >>> h = cn.read_holdings(pd.DataFrame({"owner": ["X", "Y"], "firm": ["A", "A"],
    ...     "cash_flow": [0.3, 0.2], "control": [0.5, None]}), control="control",
    ...     control_missing="none")
    >>> h.to_frame()["control"].tolist()
    [0.5, 0.0]
    """
    func = "read_holdings"
    started = stage(func, "reading %s", "a DataFrame" if isinstance(source, pd.DataFrame)
                    else "holdings")
    ent = coerce_entities(parent, func)
    check_choice(func, "control_missing", control_missing, CONTROL_MISSING,
                 fix="'cash_flow' reads a missing control value as gamma = beta, 'none' as "
                     "gamma = 0.")
    if control is None and control_missing != "error":
        raise InvalidParameterError(param_message(
            func, "control_missing", "'error' (the default) when no control column is named",
            control_missing, "Name the voting-stake column with control=<column>; without "
            "one, control follows cash flow for every stake."))
    if check_choice(func, "engine", engine, engines()) != "pandas":
        scale_factor(func, scale)
        check_choice(func, "duplicates", duplicates, ("error", "sum"))
        check_number(func, "tolerance", tolerance, low=0.0, high=1.0)
        return get_backend(engine, func=func).read(
            "holdings", source, func=func, owner=owner, firm=firm, period=period,
            cash_flow=cash_flow, control=control, control_missing=control_missing,
            parent=parent, scale=scale, duplicates=duplicates, tolerance=tolerance,
            filters=filters)
    factor = scale_factor(func, scale)
    check_choice(func, "duplicates", duplicates, ("error", "sum"),
                 fix="Use duplicates='sum' to add up several filings of one owner in one firm.")
    tolerance = check_number(func, "tolerance", tolerance, low=0.0, high=1.0)
    for name, val in (("owner", owner), ("firm", firm), ("cash_flow", cash_flow)):
        if not isinstance(val, str):
            raise InvalidParameterError(param_message(func, name, "a column name (str)", val))
    encoded: list = []   # label columns read as dictionaries
    if isinstance(source, pd.DataFrame):
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None for a DataFrame input", filters,
                "Filter the DataFrame before passing it."))
        frame = source
    elif isinstance(source, (str, os.PathLike)):
        from ..io import is_text_table, open_dataset, read_table, read_text_table

        for name, col in (("period", period), ("control", control)):
            if col is not None:
                check_column_name(func, name, col)
        if is_text_table(source):  # CSV/TSV: the header names the columns
            names = set(read_text_table(source, func=func).columns)
        else:
            schema = open_dataset(source, func).schema
            names = set(schema.names)
            # label columns stored as plain text: read from the dictionary pages
            # (decoded once, _decoded_labels), so that no label is hashed per row
            encoded = [c for c in dict.fromkeys((owner, firm)) if c in names
                       and _plain_text(schema.field(c).type)]
        cols = [owner, firm, cash_flow] + [c for c in (control,) if c is not None]
        if period is not None and (period in names or period != "period"):
            cols.insert(0, period)
        frame = read_table(source, columns=cols, filters=filters, func=func,
                           required={"owner": owner, "firm": firm, "cash_flow": cash_flow,
                                     "control": control},
                           dictionary=encoded, sort_categories=())
        stage(func, "read %d rows", len(frame), start=started)
    else:
        raise InvalidParameterError(param_message(
            func, "source", "a Parquet path or a pandas DataFrame", type(source).__name__))

    check_columns(func, frame, {"owner": owner, "firm": firm, "cash_flow": cash_flow,
                                "control": control})
    has_period = period is not None and period in frame.columns
    if period is not None and not has_period and period != "period":
        check_columns(func, frame, {"period": period})

    issues: list = []
    columns, codes = {}, {}
    for lab, col in (("owner", owner), ("firm", firm)):
        # text columns stay as they are read (no object round trip); one factorize each
        if col in encoded and isinstance(frame[col].dtype, pd.CategoricalDtype):
            columns[lab], codes[lab] = _decoded_labels(frame[col].array)
        else:
            columns[lab] = _label_array(frame[col])
            codes[lab] = pd.factorize(columns[lab])
        n_missing = int((codes[lab][0] < 0).sum())
        if n_missing:
            raise InvalidHoldingsError(
                f"{func}: the '{lab}' column {col!r} has {n_missing} missing "
                f"value(s). Every stake needs an owner and a firm; fill or drop them first.")
    owners, firms = _Labels(*codes["owner"]), _Labels(*codes["firm"])
    if has_period and frame[period].isna().any():
        raise InvalidHoldingsError(
            f"{func}: the 'period' column {period!r} has missing values. Fill or drop them, "
            "or pass period=None if the data have one period.")
    beta = numeric_column(frame, cash_flow, "cash_flow", func) / factor
    gamma = (numeric_column(frame, control, "control", func) / factor if control is not None
             else beta.copy())
    n_filled = 0
    if control is not None:
        absent = np.isnan(gamma)
        if absent.any():
            n_filled = int(absent.sum())
            if control_missing == "error":
                where = np.flatnonzero(absent)
                shown = "; ".join(f"{owners[i]!r} in {firms[i]!r}" for i in where[:3])
                raise InvalidHoldingsError(
                    f"{func}: the 'control' column {control!r} has {n_filled} missing "
                    f"value(s) (of {len(gamma)} rows), e.g. {shown}. Say how to read them: "
                    "control_missing='cash_flow' (that owner's votes follow its cash flow, "
                    "gamma = beta) or control_missing='none' (no votes, gamma = 0), or "
                    "fill the column.")
            gamma = gamma.copy()
            gamma[absent] = beta[absent] if control_missing == "cash_flow" else 0.0
    for col, arr, param in ((cash_flow, beta, "cash_flow"), (control, gamma, "control")):
        if col is None:
            continue
        if not np.isfinite(arr).all():
            raise InvalidHoldingsError(
                f"{func}: the '{param}' column {col!r} has {int((~np.isfinite(arr)).sum())} "
                "missing or infinite value(s). A stake cannot be guessed: fill or drop them.")
        if (arr < 0).any():
            i = int(np.flatnonzero(arr < 0)[0])
            raise InvalidHoldingsError(
                f"{func}: the '{param}' column {col!r} has negative stakes (e.g. "
                f"{float(arr[i] * factor)!r} for owner {owners[i]!r} in {firms[i]!r}). Stakes are "
                "fractions in [0, 1]; short positions are not ownership.")
        if (arr > 1.0).any():
            i = int(np.flatnonzero(arr > 1.0)[0])
            hint = (" The values look like percent: pass scale='percent'."
                    if scale == "fraction" and arr.max() <= 100.0 else "")
            raise InvalidHoldingsError(
                f"{func}: the '{param}' column {col!r} has stakes above one (e.g. "
                f"{float(arr[i] * factor)!r} for owner {owners[i]!r} in {firms[i]!r}) with "
                f"scale={scale!r}.{hint}")
    # a firm listed as its own owner: the owner label of each firm label, by code
    firm_as_owner = pd.Index(owners.labels).get_indexer(firms.labels)
    # (no row to look at when no firm label is also an owner label)
    self_held = firm_as_owner[firms.codes] == owners.codes \
        if (firm_as_owner >= 0).any() else np.zeros(0, dtype=bool)
    if self_held.any():
        i = int(np.flatnonzero(self_held)[0])
        raise InvalidHoldingsError(
            f"{func}: firm {firms[i]!r} is listed as an owner of itself. Treasury shares "
            "carry no cash-flow or voting rights; drop these rows.")
    # read from a file, every array is this call's own: the table keeps them as they
    # are (a caller's DataFrame may share its label arrays, so those are copied)
    table = pd.DataFrame({"owner": columns["owner"], "firm": columns["firm"],
                          "cash_flow": beta, "control": gamma},
                         copy=isinstance(source, pd.DataFrame))
    if has_period:
        table.insert(0, "period", frame[period].to_numpy())
    keys = (["period"] if has_period else []) + ["owner", "firm"]
    dup = _repeated_keys(table, keys, owners, firms)
    if dup.any():
        if duplicates == "error":
            i = int(np.flatnonzero(dup)[0])
            raise InvalidHoldingsError(
                f"{func}: {int(dup.sum())} rows repeat an (period, owner, firm) key, e.g. "
                f"owner {owners[i]!r} in firm {firms[i]!r}. Pass duplicates='sum' to add "
                "them up (several filings of one owner), or drop the repeats.")
        table = table.groupby(keys, sort=False, as_index=False)[["cash_flow", "control"]].sum()
        issues.append({"severity": "warning", "check": "duplicate_key", "column": owner,
                       "group": None, "value": int(dup.sum()),
                       "message": f"{int(dup.sum())} duplicated rows were summed "
                                  "(duplicates='sum')."})
    merged = None
    if ent is not None:
        at = None
        if has_period:
            ends = holdings_dates(Holdings(table=table, control_given=True, has_period=True))
            if not any(pd.isna(d) for d in ends.values()):
                at = table["period"].map(ends).to_numpy(dtype="datetime64[ns]")
        _check_totals(table, has_period, tolerance, func)
        table, merged, n_internal = resolve_entities(table, ent, at, func,
                                                     has_period=has_period,
                                                     tolerance=tolerance)
        if n_internal:
            issues.append({"severity": "warning", "check": "internal_stake", "column": owner,
                           "group": None, "value": n_internal,
                           "message": f"{n_internal} stake(s) of an entity in itself (a "
                                      "parent in its subsidiary) were dropped after "
                                      "joining entities."})
    unchanged = not dup.any() and ent is None   # the codes still describe the table
    if unchanged:
        _check_totals(table, has_period, tolerance, func, firm_codes=firms)
        # the owners that are firms: found by the firm-as-owner lookup above
        held = pd.Index(owners.labels)[np.sort(firm_as_owner[firm_as_owner >= 0])]
        cross = tuple(sorted(held.tolist(), key=str))
    else:
        _check_totals(table, has_period, tolerance, func)
        cross = _cross_owners(table)
    if cross:
        issues.append({"severity": "warning", "check": "cross_ownership", "column": owner,
                       "group": None, "value": len(cross),
                       "message": f"{len(cross)} owner(s) are also firms (cross-ownership), "
                                  f"e.g. {cross[0]!r}; profit_weights resolves chains of "
                                  "stakes through (I - A)^-1."})
    if control is None:
        issues.append({"severity": "warning", "check": "control_follows_cash_flow",
                       "column": cash_flow, "group": None, "value": None,
                       "message": "No control column: control follows cash flow."})
    if n_filled:
        how = "gamma = beta" if control_missing == "cash_flow" else "gamma = 0"
        issues.append({"severity": "warning", "check": "control_missing", "column": control,
                       "group": None, "value": n_filled,
                       "message": f"{n_filled} missing control value(s) read as {how} "
                                  f"(control_missing={control_missing!r})."})
    stage(func, "%d stakes of %d owners in %d firms validated", len(table),
          len(owners.labels) if unchanged else table["owner"].nunique(),
          len(firms.labels) if unchanged else table["firm"].nunique(), start=started)
    result = Holdings(table=table, control_given=control is not None, has_period=has_period,
                      cross_owners=cross, report=ValidationReport(issues_frame(issues)),
                      tolerance=tolerance, provenance=dict(frame.attrs.get("provenance", {})),
                      control_missing=control_missing, n_control_missing=n_filled,
                      entities=merged)
    _own_table(result)   # made here from copies: no caller holds it
    if unchanged:
        _remember_codes(result, {"owner": codes["owner"], "firm": codes["firm"]})
    return result
