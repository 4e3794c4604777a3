r"""Partnership-adjusted concentration: alliances as partial common control.

A sensitivity measure, not an agency standard.  No merger guideline counts allied
firms as partly one firm; this module asks how concentration *would* look if close
allies weighed each other's profits, so that an analyst can see how much the
answer depends on the web of partnerships.

It has two parts:

1. :func:`partnership_weights` turns the live ties between the firms of a market into a
   profit-weight matrix :math:`K` (:math:`K_{jj} = 1`; :math:`K_{jk} \in [0, 1]` the
   weight firm :math:`j` places on firm :math:`k`'s profit) through an explicit,
   user-overridable mapping from tie kind (and optional strength) to a weight,
   :data:`DEFAULT_TIE_WEIGHTS`.
2. :func:`weighted_hhi` evaluates the quadratic form

   .. math:: \mathrm{HHI}_K = 10{,}000 \sum_j \sum_k s_j s_k K_{jk}

   the same form as the O'Brien-Salop MHHI [OS00]_ (:math:`K = \kappa`) and the HHI
   (:math:`K = I`), through :mod:`concentration._quadratic`; with :math:`K = I` it
   equals :func:`concentration.hhi`.

References
----------
.. [OS00] O'Brien, D. P. and Salop, S. C. (2000). Competitive effects of partial
   ownership: financial interest and corporate control. Antitrust Law Journal
   67(3), 559-614, section III and appendix C (the MHHI as a quadratic form).
.. [FTC25] Federal Trade Commission (2025). Partnerships Between Cloud Service
   Providers and AI Developers. FTC Staff Report, January 2025, section IV.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._quadratic import pair_terms, quadratic_form
from .._results import ResultMixin
from .._tables import DEFAULT_TOLERANCE, coerce_shares
from .._validation import check_choice, param_message
from ..exceptions import InvalidParameterError, SchemaError
from ._ties import kinds_of, timestamp

__all__ = ["DEFAULT_TIE_WEIGHTS", "partnership_weights", "weighted_hhi", "WeightedHHI",
           "partnership_hhi"]

#: Default weight in [0, 1] that one live tie of each kind gives to the partner's
#: profit.  Illustrative values for sensitivity analysis, ordered by how far each
#: kind of tie aligns the partners' incentives (an acquisition makes one firm; an
#: equity stake shares profits; a licence or distribution deal shares revenue on
#: some products; supply, research and consortium ties align little).  They are not
#: estimates: override them with ``weights=``.
DEFAULT_TIE_WEIGHTS = {
    "acquisition": 1.0,
    "joint_venture": 0.5,
    "equity_investment": 0.3,
    "equity_warrant": 0.3,
    "licensing": 0.2,
    "acquihire": 0.2,
    "distribution_integration": 0.15,
    "cloud_compute_supply": 0.1,
    "technology_partner": 0.1,
    "chip_supply": 0.05,
    "data_supply": 0.05,
    "research_collaboration": 0.05,
    "consortium_membership": 0.0,
    "co_membership": 0.0,
    "board_participation": 0.0,
    "governance_host": 0.0,
    "tie": 0.0,
}

_COMBINE = ("max", "union")
_DIRECTION = ("both", "source")


def partnership_weights(network, firms, *, weights=None, strength=None, combine="max",
                   direction="both", as_of=None) -> pd.DataFrame:
    r"""Profit-weight matrix :math:`K` for the firms of a market from their live ties.

    Each tie :math:`t` between firms :math:`j` and :math:`k` gets a weight

    .. math:: w_t = \max_{c \in \mathrm{kinds}_t} \mathrm{weights}[c] \times
              \mathrm{strength}_t \in [0, 1]

    over every kind of the deal (its ``kind`` and those of the network's
    ``also_kinds`` column: an equity investment that also made Azure the exclusive
    cloud counts as the larger of the two weights), and the ties of an ordered pair
    combine into

    .. math:: K_{jk} = \max_t w_t \quad (\text{``max''})
              \qquad\text{or}\qquad K_{jk} = 1 - \prod_t (1 - w_t) \quad (\text{``union''}),

    with :math:`K_{jj} = 1`.  :math:`K_{jk}` is the weight firm :math:`j`'s managers
    place on firm :math:`k`'s profit; it need not be symmetric (``direction``).

    Parameters
    ----------
    network : PartnershipNetwork
        The ties (use ``net.as_of(date)`` or ``as_of=`` for one date).  Names must
        match the share data (resolve parents the same way in both).
    firms : sequence
        The firms of the market, in the order of the shares.
    weights : mapping, optional
        ``{kind: weight in [0, 1]}``; updates :data:`DEFAULT_TIE_WEIGHTS` (pass the
        complete mapping you want to be explicit).  A live tie of a kind with no
        weight is an error.
    strength : str, optional
        Column of the ties holding a strength in [0, 1] (e.g. an equity stake as a
        fraction) that multiplies the kind's weight.  Missing values are an error.
    combine : {"max", "union"}, default "max"
        How several ties of one pair combine.
    direction : {"both", "source"}, default "both"
        ``"both"``: a tie aligns both partners (:math:`K_{jk}` and :math:`K_{kj}`).
        ``"source"``: a directed tie only makes its source weigh its target's profit
        (an investor in its investee); undirected ties still count both ways.
    as_of : date, optional
        Shortcut for ``network.as_of(as_of)``.

    Returns
    -------
    pandas.DataFrame
        Square, indexed and columned by ``firms``.

    Examples
    --------
    >>> import pandas as pd
    >>> from concentration.network import PartnershipNetwork
    >>> net = PartnershipNetwork(pd.DataFrame({"source": ["A"], "target": ["B"],
    ...                                        "kind": ["equity_investment"]}))
    >>> partnership_weights(net, ["A", "B", "C"]).loc["A"].tolist()
    [1.0, 0.3, 0.0]
    """
    func = "partnership_weights"
    from ._network import PartnershipNetwork

    if not isinstance(network, PartnershipNetwork):
        raise InvalidParameterError(param_message(
            func, "network", "a PartnershipNetwork", type(network).__name__))
    check_choice(func, "combine", combine, _COMBINE)
    check_choice(func, "direction", direction, _DIRECTION)
    table = dict(DEFAULT_TIE_WEIGHTS)
    if weights is not None:
        if not isinstance(weights, Mapping):
            raise InvalidParameterError(param_message(
                func, "weights", "a mapping {kind: weight in [0, 1]}", type(weights).__name__))
        for k, v in weights.items():
            if not isinstance(v, (int, float, np.floating, np.integer)) or isinstance(v, bool) \
                    or not 0.0 <= float(v) <= 1.0:
                raise InvalidParameterError(param_message(
                    func, "weights", "weights in [0, 1]", {k: v}))
        table.update({k: float(v) for k, v in weights.items()})
    if as_of is not None:
        network = network.as_of(as_of)
    firms = list(firms)
    index = pd.Index(firms, name="firm")
    if index.has_duplicates:
        raise InvalidParameterError(param_message(
            func, "firms", "distinct firm names", index[index.duplicated()].tolist()))
    ties = network.ties
    pos_s = index.get_indexer(ties["source"])
    pos_t = index.get_indexer(ties["target"])
    keep = (pos_s >= 0) & (pos_t >= 0)
    sub = ties[keep]
    pos_s, pos_t = pos_s[keep], pos_t[keep]
    per_tie = kinds_of(sub["kinds"] if "kinds" in sub.columns else sub["kind"])
    unknown = sorted({k for ks in per_tie for k in ks} - set(table))
    if unknown:
        raise InvalidParameterError(param_message(
            func, "weights", "a weight for every tie kind present", f"no weight for {unknown}",
            "Pass weights={kind: value} for these kinds."))
    w = np.asarray([max(table[k] for k in ks) for ks in per_tie], dtype=np.float64)
    if strength is not None:
        if strength not in sub.columns:
            raise SchemaError(
                f"{func}: the 'strength' column {strength!r} was not found among the ties' "
                f"columns {list(ties.columns)}. Pass strength=<column> or None.")
        st = pd.to_numeric(sub[strength], errors="coerce").to_numpy(dtype=np.float64)
        if (~np.isfinite(st) | (st < 0) | (st > 1)).any():
            raise InvalidParameterError(param_message(
                func, "strength", f"a column of numbers in [0, 1] ({strength!r})",
                "missing or out-of-range values", "Fill them explicitly (e.g. with 1)."))
        w = w * st
    one_way = sub["directed"].to_numpy(dtype=bool) & (direction == "source")
    rows = np.concatenate([pos_s, pos_t[~one_way]])
    cols = np.concatenate([pos_t, pos_s[~one_way]])
    vals = np.concatenate([w, w[~one_way]])
    n = len(firms)
    K = np.zeros((n, n))
    if combine == "max":
        np.maximum.at(K, (rows, cols), vals)
    else:
        keep_prob = np.ones((n, n))
        np.multiply.at(keep_prob, (rows, cols), 1.0 - vals)
        K = 1.0 - keep_prob
    np.fill_diagonal(K, 1.0)
    return pd.DataFrame(K, index=index, columns=pd.Index(firms, name="other"))


@dataclass(frozen=True, repr=False, eq=False)
class WeightedHHI(ResultMixin):
    """Partnership-adjusted HHI of one market (a sensitivity measure).

    Attributes
    ----------
    value : float
        :math:`10{,}000\\, s^\\top K s`, points.
    hhi : float
        The HHI of the same shares (:math:`K = I`).
    delta : float
        ``value - hhi``: the off-diagonal (partnership) terms.
    firms : tuple
    shares : numpy.ndarray
        Fractions.
    weights : pandas.DataFrame
        The :math:`K` used (firms x firms).
    unmatched : tuple
        Firms of the market absent from the given ``weights`` (given no ties).
    """

    value: float
    hhi: float
    delta: float
    firms: tuple
    shares: np.ndarray
    weights: pd.DataFrame
    unmatched: tuple = ()

    def by_pair(self) -> pd.DataFrame:
        """Ordered pairs ``j != k`` with a nonzero weight and their terms (sum = ``delta``).

        Columns ``firm`` (j), ``other`` (k), ``share``, ``other_share``, ``weight``
        (:math:`K_{jk}`) and ``contribution`` (:math:`10{,}000 s_j s_k K_{jk}`).
        """
        K = self.weights.to_numpy().copy()
        np.fill_diagonal(K, 0.0)
        return pair_terms(self.shares, K, self.firms)

    def to_frame(self) -> pd.DataFrame:
        """One row per firm: share, own term, partnership terms, total."""
        K = self.weights.to_numpy()
        s = self.shares
        own = 10_000.0 * s * s * np.diag(K)
        total = 10_000.0 * s * (K @ s)
        return pd.DataFrame({"share": s, "own": own, "partnership": total - own,
                             "total": total}, index=pd.Index(self.firms, name="firm"))

    def _summary_parts(self):
        facts = [("weighted HHI", f"{self.value:,.1f}"), ("HHI", f"{self.hhi:,.1f}"),
                 ("delta", f"{self.delta:,.1f}"), ("firms", len(self.firms))]
        notes = ["Partnership-adjusted HHI: a sensitivity measure, not an agency standard; "
                 "the profit weights K are assumptions (see DEFAULT_TIE_WEIGHTS)."]
        if self.unmatched:
            notes.append(f"No weights given for {list(self.unmatched)}: treated as having no "
                         "ties.")
        return "Partnership-adjusted HHI", facts, notes


def weighted_hhi(shares, weights, *, firm="firm", share="share", value=None,
                 scale="fraction", duplicates="error", parent=None,
                 tolerance=DEFAULT_TOLERANCE) -> WeightedHHI:
    r"""Partnership-adjusted HHI :math:`10{,}000 \sum_j \sum_k s_j s_k K_{jk}` of one market.

    A sensitivity measure, not an agency standard: it shows how concentration would
    look if allied firms weighed each other's profits by :math:`K`.  It is the
    quadratic form of the O'Brien-Salop MHHI [OS00]_ with :math:`K` from alliance
    ties (:func:`partnership_weights`) instead of ownership; with :math:`K = I` it is the
    HHI.

    Parameters
    ----------
    shares : mapping, pandas.Series, array_like or pandas.DataFrame
        One market's shares (fractions unless ``scale="percent"``); a DataFrame
        must hold one market (filter it first).
    weights : pandas.DataFrame or array_like or scipy sparse matrix
        :math:`K`.  A DataFrame is matched by firm labels (index = the weighing
        firm :math:`j`, columns = the weighed firm :math:`k`); firms of the market
        missing from it get no ties (listed in ``unmatched``), extra firms are not
        in this market and are not used.  An array must be square in the order of
        the shares.  Entries must lie in [0, 1] with a unit diagonal.
    firm, share, value, scale, duplicates, parent, tolerance
        As in :func:`concentration.hhi`.

    Returns
    -------
    WeightedHHI
        ``value``, ``hhi``, ``delta``, ``by_pair()``, ``to_frame()``, ``summary()``.

    Raises
    ------
    InvalidParameterError
        ``weights`` is not square, not in [0, 1], or has a diagonal other than 1.
    InvalidSharesError
        The shares fail validation.

    Examples
    --------
    >>> r = weighted_hhi({"A": 0.5, "B": 0.3, "C": 0.2},
    ...                  [[1, 0.5, 0], [0.5, 1, 0], [0, 0, 1]])
    >>> round(r.hhi, 6), round(r.value, 6), round(r.delta, 6)  # delta = 2*10,000*0.5*0.3*0.5
    (3800.0, 5300.0, 1500.0)
    """
    func = "weighted_hhi"
    table = coerce_shares(shares, market=None, period=None, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=parent,
                          tolerance=tolerance, func=func,
                          fringe_note="The weighted HHI covers the listed firms only.")
    s = table.shares
    n = s.size
    firms = tuple(table.firms) if table.firms is not None else tuple(range(n))
    unmatched = ()
    if isinstance(weights, pd.DataFrame):
        if table.firms is None:
            raise InvalidParameterError(param_message(
                func, "weights", "an array in the order of the shares when the shares have no "
                "firm labels", "a labelled DataFrame"))
        if not weights.index.equals(weights.columns) and \
                set(weights.index) != set(weights.columns):
            raise InvalidParameterError(param_message(
                func, "weights", "a square DataFrame with the same firms as index and columns",
                f"index {list(weights.index)[:5]} and columns {list(weights.columns)[:5]}"))
        unmatched = tuple(f for f in firms if f not in weights.index)
        K = weights.reindex(index=list(firms), columns=list(firms)).to_numpy(
            dtype=np.float64, na_value=np.nan).copy()
        missing = np.isnan(K)
        K[missing] = 0.0
        miss_firm = np.isin(np.asarray(firms, dtype=object), np.asarray(unmatched, dtype=object))
        K[miss_firm, miss_firm] = 1.0
    elif sp.issparse(weights):
        K = weights.toarray().astype(np.float64)
    else:
        try:
            K = np.array(weights, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(param_message(
                func, "weights", "a square matrix of weights in [0, 1] (array, sparse matrix or "
                "DataFrame)", weights, "Build it with partnership_weights(network, firms).")) \
                from None
    if K.shape != (n, n):
        raise InvalidParameterError(param_message(
            func, "weights", f"a square matrix of shape ({n}, {n}) (one row per firm)",
            f"shape {K.shape}"))
    if not np.isfinite(K).all() or (K < 0).any() or (K > 1).any():
        raise InvalidParameterError(param_message(
            func, "weights", "entries in [0, 1]", "entries outside it",
            "Partnership weights are fractions of a partner's profit."))
    if not np.allclose(np.diag(K), 1.0, rtol=0, atol=1e-12):
        raise InvalidParameterError(param_message(
            func, "weights", "a unit diagonal (each firm weighs its own profit fully)",
            np.diag(K)[:5].tolist()))
    Kdf = pd.DataFrame(K, index=pd.Index(firms, name="firm"),
                       columns=pd.Index(firms, name="other"))
    val = quadratic_form(s, K)
    base = quadratic_form(s, sp.identity(n, format="csr"))
    return WeightedHHI(value=val, hhi=base, delta=val - base, firms=firms, shares=s.copy(),
                       weights=Kdf, unmatched=unmatched)


def partnership_hhi(shares, network, *, market="market", period="period", firm="firm",
                    share="share", value=None, scale="fraction", duplicates="error",
                    parent=None, tolerance=DEFAULT_TOLERANCE, at="end", as_of=None,
                    weights=None, strength=None, combine="max", direction="both",
                    period_start="period_start", period_end="period_end") -> pd.DataFrame:
    r"""Partnership-adjusted HHI of every market and period of a long table, in one call.

    For each (market, period) group with shares :math:`s` it builds :math:`K` from
    the ties of ``network`` live on the period's last day (``at="end"``) or first
    day (``at="start"``) with :func:`partnership_weights`, and evaluates

    .. math:: \mathrm{HHI}_K = 10{,}000 \sum_j \sum_k s_j s_k K_{jk},
              \qquad \Delta_K = \mathrm{HHI}_K - \mathrm{HHI},

    as :func:`weighted_hhi` does for one market.  A sensitivity measure, not an
    agency standard.

    Parameters
    ----------
    shares : pandas.DataFrame
        Long table of shares, one row per (market, period, firm).
    market, period, firm, share : str or None, default "market", "period", "firm", "share"
        Columns, as in :func:`concentration.hhi` (``period=None``: one period).
    value : str, optional
        Column of sales to derive shares from, as in :func:`concentration.hhi`.
    scale : {"fraction", "percent"}, default "fraction"
        Units of ``share``.
    duplicates : {"error", "sum"}, default "error"
        Several rows of one firm in one group.
    tolerance : float
        Tolerance of the share checks, as in :func:`concentration.hhi`.
    period_start, period_end : str, default "period_start", "period_end"
        Columns of each period's first and last day; absent, the dates come from
        the period labels.
    network : PartnershipNetwork
        The ties.  Firm names must match the shares': give both the same ``parent``.
    parent : optional
        Firm -> parent links applied to the shares (see :func:`concentration.hhi`).
    at : {"end", "start"}, default "end"
        Which day of each period the ties are taken on.
    as_of : date, optional
        One date for every group instead (required when the table has no period).
    weights : mapping, optional
        As in :func:`partnership_weights`.
    strength : str, optional
        As in :func:`partnership_weights`.
    combine : {"max", "union"}, default "max"
        As in :func:`partnership_weights`.
    direction : {"both", "source"}, default "both"
        As in :func:`partnership_weights`.

    Returns
    -------
    pandas.DataFrame
        Indexed by the grouping columns, with ``hhi``, ``weighted_hhi`` and ``delta``
        (points), ``as_of`` (the date of the ties) and ``n_firms``.

    Examples
    --------
    >>> import pandas as pd
    >>> from concentration.network import PartnershipNetwork
    >>> net = PartnershipNetwork(pd.DataFrame({"source": ["A"], "target": ["B"],
    ...                                        "kind": ["equity_investment"],
    ...                                        "start": ["2021-01-01"]}))
    >>> shares = pd.DataFrame({"market": "m", "period": ["2020", "2020", "2021", "2021"],
    ...                        "firm": ["A", "B"] * 2, "share": [0.5, 0.5] * 2})
    >>> partnership_hhi(shares, net)["delta"].round(6).tolist()  # 2 x 10,000 x .25 x .3
    [0.0, 1500.0]
    """
    func = "partnership_hhi"
    from ._network import PartnershipNetwork

    if not isinstance(network, PartnershipNetwork):
        raise InvalidParameterError(param_message(
            func, "network", "a PartnershipNetwork", type(network).__name__))
    check_choice(func, "at", at, ("end", "start"))
    if not isinstance(shares, pd.DataFrame):
        raise InvalidParameterError(param_message(
            func, "shares", "a long DataFrame (market, period, firm, share)",
            type(shares).__name__, "For one market's shares use weighted_hhi."))
    table = coerce_shares(shares, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=parent,
                          tolerance=tolerance, func=func, period_start=period_start,
                          period_end=period_end,
                          fringe_note="The partnership-adjusted HHI covers the listed firms "
                                      "only.")
    if table.firms is None:
        raise InvalidParameterError(param_message(
            func, "firm", "a firm column naming each row's firm", firm,
            "The ties are matched to the shares by firm name."))
    n_groups = 1 if table.groups is None else len(table.groups)
    fixed = None
    if as_of is not None:
        fixed = timestamp(func, "as_of", as_of)
    elif table.intervals is None:
        raise InvalidParameterError(param_message(
            func, "as_of", "a date when the shares have no period", as_of,
            "Pass as_of='2025-12-31' (the ties live on that day)."))
    if table.intervals is not None and fixed is None:
        col = "period_end" if at == "end" else "period_start"
        dates = pd.DatetimeIndex(table.intervals[col].to_numpy(dtype="datetime64[ns]"))
    else:
        dates = pd.DatetimeIndex([fixed] * n_groups)
    snaps = {}
    order = np.argsort(table.codes, kind="stable")
    bounds = np.searchsorted(table.codes[order], np.arange(n_groups + 1))
    rows = []
    for g in range(n_groups):
        idx = order[bounds[g]:bounds[g + 1]]
        day = dates[g]
        if pd.isna(day):
            raise InvalidParameterError(param_message(
                func, "period", "periods that can be placed in time", table.groups[g],
                "Give the shares period_start/period_end columns, or pass as_of=."))
        if day not in snaps:
            snaps[day] = network.as_of(day)
        s = table.shares[idx]
        K = partnership_weights(snaps[day], list(table.firms[idx]), weights=weights,
                                strength=strength, combine=combine,
                                direction=direction).to_numpy()
        val = quadratic_form(s, K)
        base = quadratic_form(s, sp.identity(s.size, format="csr"))
        rows.append((base, val, val - base, day, idx.size))
    out = pd.DataFrame(rows, columns=["hhi", "weighted_hhi", "delta", "as_of", "n_firms"])
    if table.groups is not None:
        out.index = table.groups
    out.attrs["note"] = ("Partnership-adjusted HHI: a sensitivity measure, not an agency "
                         "standard; K from the ties live on each period's "
                         f"{'last' if at == 'end' else 'first'} day.")
    return out
