"""Entities: which firms are one economic unit, and since when.

Market shares name the firm that sells (Google, DeepMind); holdings and alliances
often name the group that owns it (Alphabet).  An entity table says, for each
firm, its parent (and from what date), and which other names it goes by.  Every
analysis that takes ``parent=`` resolves names through it the same way:

1. an alias is replaced by the entity it names (``"Google Cloud"`` -> ``"Google"``);
2. the entity is replaced by its parent, repeatedly, up to the ultimate parent
   (``DeepMind`` -> ``Google`` -> ``Alphabet``), using at a date ``t`` only the links
   in force at ``t`` (``parent_since`` missing or on or before ``t``).

A share period is joined with the links in force at its end (an acquisition that
closed during the quarter counts for that quarter).  The accepted inputs are a
mapping ``{firm: parent}``, a Series indexed by firm, or a table with a firm column
(``firm`` or ``entity``), ``parent`` and optionally ``parent_since`` and
``aliases`` (text separated by ``;``): the bundled ``entities`` dataset works as it
is.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._periods import to_dates
from ._results import ResultMixin
from ._validation import param_message
from .exceptions import InvalidParameterError, SchemaError

__all__ = ["Entities", "coerce_entities", "ALIAS_SEPARATOR"]

ALIAS_SEPARATOR = ";"
_FIRM_COLUMNS = ("firm", "entity")
_SINCE_COLUMNS = ("parent_since", "since")


@dataclass(frozen=True, repr=False)
class Entities(ResultMixin):
    """Firm -> parent links (optionally dated) and aliases.  Build with :func:`coerce_entities`.

    Attributes
    ----------
    links : dict
        ``{firm: ((since, parent), ...)}``: the direct parents of each firm, oldest
        first; ``since`` is a :class:`pandas.Timestamp` or ``NaT`` (always).
    aliases : dict
        ``{alias: entity}``.
    """

    links: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)

    def canonical(self, name):
        """The entity an alias names (``name`` itself when it is no alias)."""
        try:
            return self.aliases.get(name, name)
        except TypeError:  # unhashable
            return name

    def names(self) -> list:
        """Every name the table knows: entities, parents and aliases."""
        out = dict.fromkeys(self.links)
        for pairs in self.links.values():
            out.update(dict.fromkeys(p for _, p in pairs))
        out.update(dict.fromkeys(self.aliases))
        return list(out)

    def parent_at(self, firm, at=None):
        """The direct parent of ``firm`` at date ``at`` (``None``: the latest link), or ``None``."""
        pairs = self.links.get(firm)
        if not pairs:
            return None
        if at is None or pd.isna(at):
            return pairs[-1][1]
        current = None
        for since, parent in pairs:
            if pd.isna(since) or since <= at:
                current = parent
        return current

    def ultimate(self, name, at=None):
        """The ultimate parent of ``name`` (after alias resolution) at date ``at``."""
        cur = self.canonical(name)
        seen = {cur}
        while True:
            nxt = self.parent_at(cur, at)
            if nxt is None or nxt == cur:
                return cur
            nxt = self.canonical(nxt)
            if nxt in seen:  # cycles are refused when the table is built
                return cur
            seen.add(nxt)
            cur = nxt

    def resolve(self, firms, at=None) -> np.ndarray:
        """Ultimate parent of each firm (object array), using the links in force at ``at``.

        ``at`` is ``None`` (every link applies), one date, or one date per firm.
        Names unknown to the table stay as they are.
        """
        firms = np.asarray(firms, dtype=object)
        if not self.links and not self.aliases:
            return firms.copy()
        if at is None or np.ndim(at) == 0:
            when = None if at is None else pd.Timestamp(at)
            cache: dict = {}
            out = np.empty(firms.size, dtype=object)
            for i, f in enumerate(firms.ravel()):
                try:
                    out[i] = cache[f]
                except KeyError:
                    out[i] = cache[f] = self.ultimate(f, when)
                except TypeError:
                    out[i] = f
            return out.reshape(firms.shape)
        when = pd.to_datetime(pd.Series(np.asarray(at).ravel()), errors="coerce")
        if when.size != firms.size:
            raise ValueError("one date per firm is needed")
        frame = pd.DataFrame({"f": firms.ravel(), "t": when})
        key = frame.drop_duplicates()
        mapped = {(f, t): self.ultimate(f, None if pd.isna(t) else t)
                  for f, t in zip(key["f"], key["t"])}
        return np.asarray([mapped[(f, t)] for f, t in zip(frame["f"], frame["t"])],
                          dtype=object)

    def merged(self, firms, at=None) -> pd.DataFrame:
        """The firms of ``firms`` that resolve to another name: columns ``firm``, ``entity``."""
        firms = np.asarray(firms, dtype=object)
        resolved = self.resolve(firms, at)
        changed = np.asarray([a != b for a, b in zip(firms, resolved)], dtype=bool)
        out = pd.DataFrame({"firm": firms[changed], "entity": resolved[changed]})
        return out.drop_duplicates().reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per link (firm, parent, parent_since) and per alias (alias, entity)."""
        rows = [(f, p, s, None) for f, pairs in self.links.items() for s, p in pairs]
        rows += [(e, None, pd.NaT, a) for a, e in self.aliases.items()]
        return pd.DataFrame(rows, columns=["entity", "parent", "parent_since", "alias"])

    def _summary_parts(self):
        n_links = sum(len(p) for p in self.links.values())
        return ("Entities", [("firms with a parent", f"{len(self.links):,}"),
                             ("links", f"{n_links:,}"),
                             ("aliases", f"{len(self.aliases):,}")], [])

    def __repr__(self):
        return (f"Entities({len(self.links):,} firms with a parent, "
                f"{len(self.aliases):,} aliases)")


def _column(frame, names):
    return next((c for c in names if c in frame.columns), None)


def _from_frame(frame: pd.DataFrame, func, param):
    firm_col = _column(frame, _FIRM_COLUMNS)
    if firm_col is None or "parent" not in frame.columns:
        missing = [c for c, ok in (("firm (or entity)", firm_col is not None),
                                   ("parent", "parent" in frame.columns)) if not ok]
        raise SchemaError(
            f"{func}: the {param!r} table needs a firm column ('firm' or 'entity') and a "
            f"'parent' column; missing {missing}. Columns present: {list(frame.columns)}. "
            "Rename them, or pass a mapping {firm: parent}.")
    since_col = _column(frame, _SINCE_COLUMNS)
    firms = frame[firm_col].to_numpy(dtype=object)
    parents = frame["parent"].to_numpy(dtype=object)
    if since_col is not None:
        since = list(to_dates(frame[since_col]))
        bad = frame[since_col].notna().to_numpy() & pd.isna(np.asarray(since, dtype=object))
        if bad.any():
            v = frame[since_col].to_numpy(dtype=object)[np.flatnonzero(bad)[0]]
            raise InvalidParameterError(param_message(
                func, param, f"dates in {since_col!r}", v,
                "Give parent_since as dates (e.g. 2015-10-02) or leave it empty."))
    else:
        since = [pd.NaT] * len(frame)
    links: dict = {}
    for f, p, s in zip(firms, parents, since):
        if pd.isna(f):
            raise InvalidParameterError(param_message(
                func, param, f"a name in every row of {firm_col!r}", "a missing name",
                "Drop the rows without a firm name."))
        if pd.isna(p) or p == f:
            continue
        links.setdefault(f, []).append((pd.NaT if pd.isna(s) else pd.Timestamp(s), p))
    aliases: dict = {}
    if "aliases" in frame.columns:
        for f, text in zip(firms, frame["aliases"].to_numpy(dtype=object)):
            if not isinstance(text, str):
                continue
            for a in (t.strip() for t in text.split(ALIAS_SEPARATOR)):
                if a and a != f:
                    if a in aliases and aliases[a] != f:
                        raise InvalidParameterError(param_message(
                            func, param, "each alias naming one entity",
                            f"alias {a!r} of both {aliases[a]!r} and {f!r}",
                            "Keep the alias on one row."))
                    aliases[a] = f
    return links, aliases


def _sorted_links(links, func, param):
    out = {}
    for f, pairs in links.items():
        pairs = sorted(pairs, key=lambda sp: (pd.Timestamp.min if pd.isna(sp[0]) else sp[0]))
        dates = [s for s, _ in pairs]
        if len(pairs) > 1 and len(set(map(str, dates))) < len(dates):
            raise InvalidParameterError(param_message(
                func, param, "one parent per firm and date", f"two parents for {f!r} on "
                f"{dates[0] if pd.isna(dates[0]) else dates[0].date()}",
                "Keep one row per firm, or give each parent its parent_since date."))
        out[f] = tuple(pairs)
    return out


def _check_acyclic(ent: Entities, func, param):
    dates = {s for pairs in ent.links.values() for s, _ in pairs if not pd.isna(s)}
    for start in ent.links:
        for when in [None, *sorted(dates)]:
            seen, cur = [start], start
            while True:
                nxt = ent.parent_at(cur, when)
                if nxt is None or nxt == cur:
                    break
                nxt = ent.canonical(nxt)
                if nxt in seen:
                    raise InvalidParameterError(param_message(
                        func, param, "an acyclic firm -> parent mapping",
                        " -> ".join(map(str, seen + [nxt])), "Remove the cycle."))
                seen.append(nxt)
                cur = nxt


def coerce_entities(parent, func, param="parent") -> Entities | None:
    """Build :class:`Entities` from a mapping, a Series or an entity table (``None`` -> ``None``).

    See the module docstring for the accepted forms and the dated rule.  Cycles
    (``A -> B -> A`` at some date), two parents of one firm on one date and an alias
    of two entities are refused with :class:`InvalidParameterError`.
    """
    if parent is None:
        return None
    if isinstance(parent, Entities):
        return parent
    if isinstance(parent, pd.DataFrame):
        links, aliases = _from_frame(parent, func, param)
    elif isinstance(parent, (pd.Series, Mapping)):
        items = parent.dropna().items() if isinstance(parent, pd.Series) else parent.items()
        links = {}
        for f, p in items:
            if not isinstance(f, Hashable) or not isinstance(p, Hashable):
                raise InvalidParameterError(param_message(
                    func, param, "firm and parent names that are text or numbers",
                    type(p if isinstance(f, Hashable) else f).__name__))
            if p is None or (isinstance(p, float) and np.isnan(p)) or p == f:
                continue
            links[f] = [(pd.NaT, p)]
        aliases = {}
    else:
        raise InvalidParameterError(param_message(
            func, param, "a mapping {firm: parent}, a Series, or a table with columns "
            "'firm' (or 'entity') and 'parent' (optionally 'parent_since' and 'aliases'), "
            "such as concentration.datasets.load('entities')", type(parent).__name__))
    ent = Entities(links=_sorted_links(links, func, param), aliases=aliases)
    _check_acyclic(ent, func, param)
    return ent
