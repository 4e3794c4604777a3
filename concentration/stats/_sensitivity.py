"""An index or a merger screen over alternative market definitions.

:func:`market_sensitivity` recomputes an index (with the user's thresholds, e.g.
from the guideline registry of :mod:`concentration.guidelines`) or a merger screen
(:func:`concentration.screen_merger`) under each of several market definitions --
broader or narrower product groupings, a fringe kept, dropped or split into small
firms -- and follows every product or market across them to show where the verdict
flips.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._tables import DEFAULT_TOLERANCE, coerce_shares, resolve_key
from .._validation import as_list, check_choice, check_columns, check_number, param_message
from ..exceptions import InvalidParameterError, MissingDependencyError, SchemaError
from ..measures import indices
from ._common import check_measure, fringe_warnings_ignored

__all__ = ["market_sensitivity", "MarketSensitivity", "FRINGE_TREATMENTS"]

FRINGE_TREATMENTS = ("include", "exclude", "as_firms")
_SPEC_KEYS = ("products", "fringe", "fringe_size")


@dataclass(frozen=True, repr=False)
class MarketSensitivity(ResultMixin):
    """An index or a merger screen over alternative market definitions.

    Attributes
    ----------
    results : pandas.DataFrame
        Long table, one row per definition, market (as that definition draws it) and
        period: the index (or the screen's ``pre_hhi``, ``post_hhi``, ``delta_hhi``,
        ``combined_share``), ``share_sum`` (listed shares before any fringe
        treatment), and ``verdict`` (the screen's verdict, or the threshold band).
    by_unit : pandas.DataFrame
        One row per unit (product, or market when no product mapping is used) and
        period; for each definition the market the unit falls in, the value and the
        verdict, and ``flips`` (True where the verdicts differ across the definitions
        that include the unit).
    definitions : tuple of str
    mode : str
        ``"index"`` or ``"screen"``.
    value_name : str
        The column compared (the measure, or ``"post_hhi"`` for a screen).
    thresholds : tuple
    """

    results: pd.DataFrame
    by_unit: pd.DataFrame
    definitions: tuple
    mode: str
    value_name: str
    thresholds: tuple = ()

    @property
    def flips(self) -> pd.DataFrame:
        """The rows of :attr:`by_unit` whose verdict depends on the market definition."""
        return self.by_unit[self.by_unit["flips"]]

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`by_unit` (one row per unit and period)."""
        return self.by_unit

    def _summary_parts(self):
        facts = [("mode", self.mode), ("compared", self.value_name),
                 ("definitions", ", ".join(map(str, self.definitions))),
                 ("units", len(self.by_unit)), ("verdict flips", int(self.by_unit["flips"].sum()))]
        notes = []
        if self.mode == "index" and not self.thresholds:
            notes.append("No thresholds given: values only, no verdicts to compare.")
        if (self.results["share_sum"] < 1.0 - DEFAULT_TOLERANCE).any():
            notes.append("Some markets' listed shares sum below one; under fringe='include' "
                         "their HHI covers the listed firms only (a lower bound).")
        return "Market-definition sensitivity", facts, notes

    def plot(self, *, ax=None):
        """The compared value per unit under each definition; thresholds as lines.

        Drawn by :func:`concentration.plotting.plot_sensitivity`; returns the Axes.
        """
        from ..plotting import plot_sensitivity

        return plot_sensitivity(self.by_unit, definitions=self.definitions,
                                thresholds=self.thresholds, xlabel=self.value_name, ax=ax)


def _spec(func, name, spec):
    if spec is None:
        return {"products": None, "fringe": "include", "fringe_size": None}
    if not isinstance(spec, Mapping) or set(spec) - set(_SPEC_KEYS):
        raise InvalidParameterError(param_message(
            func, "definitions", "a mapping name -> None or a dict with keys "
            f"{list(_SPEC_KEYS)}", {name: spec},
            "For a product grouping write {'narrow': {'products': {'p1': 'm1', ...}}}."))
    out = {"products": spec.get("products"), "fringe": spec.get("fringe", "include"),
           "fringe_size": spec.get("fringe_size")}
    check_choice(func, f"definitions[{name!r}]['fringe']", out["fringe"], FRINGE_TREATMENTS)
    if out["fringe"] == "as_firms":
        out["fringe_size"] = check_number(func, f"definitions[{name!r}]['fringe_size']",
                                          out["fringe_size"], low=1e-4, high=1.0)
    if out["products"] is not None and not isinstance(out["products"], (Mapping, pd.Series)):
        raise InvalidParameterError(param_message(
            func, f"definitions[{name!r}]['products']", "a mapping product -> market",
            type(out["products"]).__name__))
    return out


def _bands(values, thresholds, labels):
    idx = np.searchsorted(np.asarray(thresholds), np.asarray(values, dtype=float), side="left")
    out = np.asarray(labels, dtype=object)[idx]
    return np.where(np.isnan(np.asarray(values, dtype=float)), None, out)


def market_sensitivity(data, definitions, *, measure="hhi", thresholds=None, labels=None,
                       merging=None, guidelines="us2023", market="market", period="period",
                       firm="firm", share="share", value=None, product="product",
                       scale="fraction", tolerance=DEFAULT_TOLERANCE):
    r"""Compute an index or a merger screen under alternative market definitions.

    Each definition says how markets are drawn and what is done with a fringe:

    ``products``
        A mapping product -> market (broader or narrower groupings).  The data need a
        ``product`` column and sales in ``value``; shares are each firm's sales in the
        market's products over the market's total.  A product mapped to ``None`` is
        left out of every market (and reported); a product missing from the mapping
        is an error.  Without ``products`` the ``market`` column is used as given.
    ``fringe``
        ``"include"`` (default): shares as given, so a fringe stays an outside mass
        and the HHI covers the listed firms (a lower bound); ``"exclude"``: the market
        is the listed firms only, shares rescaled to sum to one,
        :math:`s_j / \sum_k s_k`; ``"as_firms"``: the fringe split into firms of share
        ``fringe_size``.

    Each unit (a product, or a market without a product mapping) is followed across
    the definitions: the market it falls in, that market's value and verdict.  A
    *flip* is a unit whose verdict differs between two definitions that include it.

    Without ``merging`` the index ``measure`` is computed with
    :func:`concentration.indices`, and the verdict is the band of ``thresholds`` it
    falls in (a value equal to a threshold belongs to the lower band: band ``i`` is
    :math:`t_{i-1} < x \le t_i`).  Thresholds are the user's: take them from the
    guideline registry (:mod:`concentration.guidelines`) with their citation.  With
    ``merging`` each definition is screened by :func:`concentration.screen_merger`
    (edition ``guidelines``) and its ``verdict`` is compared.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table: ``market`` and/or ``product``, ``period`` (optional), ``firm``,
        and ``share`` or ``value``.
    definitions : mapping
        ``{name: None | {"products": mapping, "fringe": str, "fringe_size": float}}``;
        ``None`` means the markets and shares as given.
    measure : str, default "hhi"
        Any per-market measure of :func:`concentration.indices` (index mode).
    thresholds : sequence of float, optional
        Increasing cut points, in the measure's unit (index mode).
    labels : sequence of str, optional
        ``len(thresholds) + 1`` band names (default ``"<= t1"``, ``"(t1, t2]"``, ...,
        ``"> tn"``).
    merging : sequence or mapping, optional
        The merging parties, passed to :func:`concentration.screen_merger`.
    guidelines : str, default "us2023"
        One guideline key for the screen.
    market, period, firm, share, value, product, scale, tolerance
        Column names and options as for :func:`concentration.hhi`.

    Returns
    -------
    MarketSensitivity
        ``by_unit`` / ``to_frame()``, ``flips``, ``results``, ``summary()``, ``plot()``.

    See Also
    --------
    concentration.screen_merger : the merger screen compared with ``merging=``.
    concentration.indices : the measures compared without it.

    Examples
    --------
    Two products, each split evenly between two firms: as separate markets each HHI
    is 5,000; as one market (equal sales) the HHI is 4 x 25^2 = 2,500, which sits on
    the threshold and so in the lower band: the verdict flips.

    >>> import pandas as pd
    >>> import concentration as cn
    >>> df = pd.DataFrame({"product": ["p", "p", "q", "q"], "firm": ["A", "B", "C", "D"],
    ...                    "value": [50.0, 50.0, 50.0, 50.0]})
    >>> res = cn.stats.market_sensitivity(
    ...     df, {"narrow": {"products": {"p": "p", "q": "q"}},
    ...          "broad": {"products": {"p": "pq", "q": "pq"}}},
    ...     value="value", thresholds=[2500])
    >>> res.by_unit["narrow:value"].tolist(), res.by_unit["broad:value"].tolist()
    ([5000.0, 5000.0], [2500.0, 2500.0])
    >>> res.by_unit["broad:verdict"].tolist(), res.flips.index.tolist()
    (['<= 2500', '<= 2500'], ['p', 'q'])
    """
    func = "market_sensitivity"
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(param_message(func, "data", "a long DataFrame",
                                                  type(data).__name__))
    if not isinstance(definitions, Mapping) or len(definitions) < 2:
        raise InvalidParameterError(param_message(
            func, "definitions", "a mapping of at least two named market definitions",
            definitions, "E.g. {'as given': None, 'no fringe': {'fringe': 'exclude'}}."))
    specs = {name: _spec(func, name, spec) for name, spec in definitions.items()}
    mode = "screen" if merging is not None else "index"
    if mode == "index":
        measure = check_measure(func, measure)
    if thresholds is not None:
        if mode == "screen":
            raise InvalidParameterError(param_message(
                func, "thresholds", "None when merging= is given (the screen's verdict is "
                "compared)", thresholds))
        thresholds = tuple(check_number(func, "thresholds", t) for t in as_list(thresholds))
        if list(thresholds) != sorted(set(thresholds)) or not thresholds:
            raise InvalidParameterError(param_message(func, "thresholds",
                                                      "strictly increasing numbers",
                                                      thresholds))
        if labels is None:
            labels = ([f"<= {thresholds[0]:g}"]
                      + [f"({a:g}, {b:g}]" for a, b in zip(thresholds[:-1], thresholds[1:])]
                      + [f"> {thresholds[-1]:g}"])
        labels = as_list(labels)
        if len(labels) != len(thresholds) + 1:
            raise InvalidParameterError(param_message(
                func, "labels", f"{len(thresholds) + 1} names (one per band)", labels))
    else:
        thresholds = ()
    screen_merger = None
    if mode == "screen":
        if not isinstance(guidelines, str):
            raise InvalidParameterError(param_message(
                func, "guidelines", "one guideline key (verdicts of one edition are "
                "compared)", guidelines))
        try:
            from ..screen import screen_merger
        except ImportError:  # pragma: no cover - depends on the installed version
            raise MissingDependencyError(
                "market_sensitivity(merging=...) needs concentration.screen_merger, which "
                "this installation does not provide. Upgrade antitrust-concentration, or "
                "leave merging=None to compare an index.") from None
    uses_products = any(s["products"] is not None for s in specs.values())
    period_col = resolve_key(data, period, "period", "period", func)
    market_col = resolve_key(data, market, "market", "market", func)
    if uses_products:
        check_columns(func, data, {"product": product})
        if value is None:
            raise InvalidParameterError(param_message(
                func, "value", "a sales column when a definition regroups products", None,
                "Shares of different products cannot be added; pass value=<sales column>."))
        unit_col = product
    else:
        if market_col is None:
            raise SchemaError(f"{func}: a 'market' column is needed when no definition maps "
                              "products to markets. Pass market=<column>.")
        unit_col = market_col
    check_columns(func, data, {"firm": firm})
    keys = [unit_col] + ([period_col] if period_col else [])
    rows, unit_frames = [], []
    value_name = measure if mode == "index" else "post_hhi"
    for name, spec in specs.items():
        work = data[[c for c in dict.fromkeys(keys + [market_col, firm, value, share])
                     if c is not None and c in data.columns]].copy()
        if spec["products"] is not None:
            mapping = dict(spec["products"])
            unknown = ~work[product].isin(list(mapping))
            if unknown.any():
                missing = pd.unique(work.loc[unknown, product])[:5].tolist()
                raise InvalidParameterError(param_message(
                    func, f"definitions[{name!r}]['products']", "a mapping covering every "
                    "product in the data", f"no entry for {missing}",
                    "Map each product to a market, or to None to leave it out explicitly."))
            work["_mkt"] = work[product].map(mapping)
            work = work[work["_mkt"].notna()]
        else:
            work["_mkt"] = work[market_col] if market_col else "all"
        exclude = spec["fringe"] == "exclude"
        if value is None and not exclude:
            kw = {"share": share, "value": None}
        else:
            kw = {"share": share, "value": value if value is not None else share}
        table = coerce_shares(work, market="_mkt", period=period_col, firm=firm,
                              scale=scale if value is None and not exclude else "fraction",
                              duplicates="sum" if spec["products"] is not None else "error",
                              tolerance=tolerance, func=func, emit=False, **kw)
        listed = coerce_shares(work, market="_mkt", period=period_col, firm=firm,
                               share=share, value=value, scale=scale, tolerance=tolerance,
                               duplicates="sum" if spec["products"] is not None else "error",
                               func=func, emit=False).totals
        if spec["fringe"] == "as_firms":
            table = table.with_fringe_firms(spec["fringe_size"])
        shares = table.to_frame(share_name="share")
        if mode == "index":
            with fringe_warnings_ignored():
                vals = indices(shares, [measure], market="_mkt", period=period_col, firm=firm,
                               share="share")[[measure]]
            res = vals.copy()
            res["verdict"] = _bands(res[measure], thresholds, labels) if thresholds else None
        else:
            with fringe_warnings_ignored():
                screen = screen_merger(shares, merging, guidelines=guidelines, market="_mkt",
                                       period=period_col, firm=firm, share="share")
            sf = screen.to_frame()
            sf = sf.reset_index() if "_mkt" not in sf.columns else sf
            keep = [c for c in ("pre_hhi", "post_hhi", "delta_hhi", "combined_share",
                                "verdict", "rule", "citation") if c in sf.columns]
            res = sf.set_index(["_mkt"] + ([period_col] if period_col else []))[keep]
        res["share_sum"] = pd.Series(listed, index=table.groups).reindex(res.index).to_numpy()
        res = res.reset_index()
        res.insert(0, "definition", name)
        rows.append(res)
        # where each unit lands under this definition
        u = work[keys + ["_mkt"]].drop_duplicates(subset=keys)
        u = u.merge(res, on=["_mkt"] + ([period_col] if period_col else []), how="left")
        u = u.set_index(keys)
        unit_frames.append(pd.DataFrame({f"{name}:market": u["_mkt"],
                                         f"{name}:value": u[value_name],
                                         f"{name}:verdict": u["verdict"]}, index=u.index))
    results = pd.concat(rows, ignore_index=True).rename(columns={"_mkt": "market"})
    by_unit = pd.concat(unit_frames, axis=1).sort_index()
    verdict_cols = [f"{n}:verdict" for n in specs]
    by_unit["flips"] = by_unit[verdict_cols].apply(
        lambda r: r.dropna().nunique() > 1, axis=1).astype(bool)
    return MarketSensitivity(results=results, by_unit=by_unit, definitions=tuple(specs),
                             mode=mode, value_name=value_name, thresholds=tuple(thresholds))
