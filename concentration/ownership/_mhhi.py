r"""The O'Brien-Salop MHHI: HHI plus the common- and cross-ownership term, per market.

.. math:: \mathrm{MHHI} = 10{,}000 \sum_j \sum_k s_j s_k \kappa_{jk}
          = \mathrm{HHI} + \mathrm{MHHI}\Delta

with κ the profit weights of :func:`concentration.profit_weights` (rows: the firm
whose managers weigh) and s the market shares [OS]_, [BS]_.  The screens compare the
levels with the HHI zones of the merger guidelines and with Elhauge's proposal for
horizontal shareholding [EL]_.

References
----------
.. [OS] O'Brien, D. P. and Salop, S. C. (2000). Competitive effects of partial
   ownership: financial interest and corporate control. Antitrust Law Journal
   67(3), 559-614.
.. [BS] Bresnahan, T. F. and Salop, S. C. (1986). Quantifying the competitive effects
   of production joint ventures. International Journal of Industrial Organization
   4(2), 155-175.
.. [EL] Elhauge, E. (2016). Horizontal shareholding. Harvard Law Review 129(5),
   1267-1317.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._dispatch import dispatchable
from .._entities import coerce_entities
from .._progress import ProgressBar, check_progress, stage
from .._quadratic import pair_terms, quadratic_form, quadratic_forms
from .._results import DeferredFrame, FrameField, ResultMixin, built_state
from .._tables import DEFAULT_TOLERANCE, coerce_shares, small_market
from .._validation import check_choice, param_message
from ..exceptions import InvalidHoldingsError, InvalidParameterError, PeriodError
from ..guidelines import get_guideline
from ._control import resolve_model
from ._holdings import (
    AS_OF_MODES,
    ENTITY_COLUMNS,
    Holdings,
    check_max_age,
    holdings_dates,
    resolve_entities,
    select_as_of,
    snapshot_label,
    stakes_table,
)
from ._kappa import ABOVE_ONE_COLUMNS, ORIENTATION, explain_above_one, kappa_structure

__all__ = ["mhhi", "MHHI", "SCREEN_RULES", "resolve_holdings_period"]



_ELHAUGE = ("Elhauge, E. (2016). Horizontal Shareholding. Harvard Law Review 129(5), "
            "1267-1317: agencies should act against horizontal stock acquisitions that "
            "create a delta MHHI of over 200 in a market with an MHHI over 2500 (both "
            "strict), if they raised or are likely to raise prices; a screen, not a "
            "presumption")

#: MHHI screening thresholds as data, each with its citation: the first rule whose level
#: (above ``level_above``) and change (above ``delta_above``, when given) both hold
#: decides, both strict as the text says "over"; the last rule is the default.  The HHI
#: zones shown next to it come from the guideline registry.
SCREEN_RULES = (
    {"screen": "mhhi_elhauge2016", "measure": "mhhi", "verdict": "above_threshold",
     "level_above": 2500.0, "delta_above": 200.0,
     "citation": _ELHAUGE},
    {"screen": "mhhi_elhauge2016", "measure": "mhhi", "verdict": "below_threshold",
     "level_above": None, "delta_above": None,
     "citation": _ELHAUGE},
)


def resolve_holdings_period(func, periods, holdings_period):
    """The holdings period paired with shares that have no period column.

    ``periods`` are the holdings' periods, sorted; ``holdings_period=None`` is allowed
    only when there is exactly one.
    """
    if holdings_period is None:
        if len(periods) != 1:
            raise InvalidParameterError(param_message(
                func, "holdings_period", "one of the holdings' periods when the shares have "
                "no period column", None, f"Pass holdings_period=<one of {periods[:5]}>."))
        return periods[0]
    if holdings_period not in periods:
        raise InvalidParameterError(param_message(
            func, "holdings_period", f"one of {periods[:10]}", holdings_period))
    return holdings_period


def _screen_column(level, delta, screen):
    rules = [r for r in SCREEN_RULES if r["screen"] == screen]
    verdict = np.full(level.shape, rules[-1]["verdict"], dtype=object)
    cite = rules[0]["citation"]
    decided = np.zeros(level.shape, dtype=bool)
    for r in rules[:-1]:
        hit = level > r["level_above"]
        if r["delta_above"] is not None:
            hit &= delta > r["delta_above"]
        hit &= ~decided
        verdict[hit] = r["verdict"]
        decided |= hit
    return verdict, cite


@dataclass(frozen=True, repr=False, eq=False)
class MHHI(ResultMixin):
    r"""The modified HHI per market and period, with its decompositions.

    ``to_frame()`` has one row per (market, period) with columns ``hhi``, ``mhhi``,
    ``mhhi_delta`` (points, 0-10,000), ``n_firms``, ``n_no_holdings``, ``top_pair``
    (the firm pair ``"j & k"`` with the largest MHHIΔ term; j is the firm whose
    managers weigh more) and ``top_pair_delta`` (that pair's term
    10,000 · (s_j s_k κ_jk + s_k s_j κ_kj), points), ``holdings_as_of`` (the date
    of the holdings used, on or before the period's end; NaT for undated
    holdings) and ``holdings_note`` (why no ownership adjustment was made, e.g. a
    period before any holdings; else missing).

    .. math:: \mathrm{MHHI} = 10{,}000 \sum_j \sum_k s_j s_k \kappa_{jk},\qquad
              \Delta\mathrm{MHHI} = \mathrm{MHHI} - \mathrm{HHI}

    κ_jk (row j = the firm whose managers weigh, column k = the firm whose profit is
    weighed) is not symmetric.

    Attributes
    ----------
    frame : pandas.DataFrame
        The per-market table returned by :meth:`to_frame`.
    control_model : str
        The control model used.
    control_note : str
        Where control rights come from (explicit, or following cash flow).
    no_holdings : pandas.DataFrame
        Firms in a market with no holdings data (or no controlling owner): they get
        κ_jj = 1, κ_jk = 0.  Columns: the grouping columns, ``firm``, ``reason``.
    notes : tuple of str
        Modelling notes (cross-ownership, Banzhaf cap, ...).
    kappa_above_one : pandas.DataFrame
        Every κ_jk above one among the firms of a market, with its cause: the
        grouping columns, ``firm`` (j), ``other`` (k), ``kappa``,
        ``controlling_owners``, ``cause`` and ``explanation`` (as
        ``attrs["kappa_above_one"]`` of :func:`concentration.profit_weights`).
        O'Brien-Salop allow κ_jk > 1: it happens exactly when j's controlling owners
        hold, weighted by their control, more of k's profit than of j's.
    entities : pandas.DataFrame or None
        With ``parent=``: every name joined to another entity, columns ``role``
        (``"share firm"``, ``"holdings firm"``, ``"holdings owner"``), ``name`` and
        ``entity``; None without ``parent=``.
    as_of : str
        How holdings were matched to the share periods: ``"snapshot"``,
        ``"stake"``, ``"label"`` or ``"undated"`` (holdings or shares without a
        period).
    max_age : pandas.Timedelta or None
        The maximum age of holdings used.
    """

    # FrameField is a descriptor: the frames are given deferred and built when read
    frame: pd.DataFrame = FrameField()  # noqa: RUF009
    control_model: str
    control_note: str
    no_holdings: pd.DataFrame = FrameField()  # noqa: RUF009
    notes: tuple = ()
    kappa_above_one: pd.DataFrame = FrameField(  # noqa: RUF009
        default=lambda: pd.DataFrame(columns=list(ABOVE_ONE_COLUMNS)))
    entities: pd.DataFrame | None = None
    as_of: str = "snapshot"
    max_age: object = None
    _groups: object = field(default=None, repr=False)
    _blocks: tuple = field(default=(), repr=False)
    _structures: dict = field(default_factory=dict, repr=False)
    #: how many κ > 1 entries there are (known before the frame is built)
    _n_above_one: int | None = field(default=None, repr=False)
    #: one tuple per market, the values of :attr:`frame`'s columns (read without the frame)
    _records: tuple = field(default=(), repr=False)

    def __getstate__(self):
        return built_state(self)

    @property
    def n_above_one(self) -> int:
        """Number of κ_jk above one (the rows of :attr:`kappa_above_one`)."""
        n = self._n_above_one
        return len(self.kappa_above_one) if n is None else n

    def to_frame(self) -> pd.DataFrame:
        """Per market × period: ``hhi``, ``mhhi``, ``mhhi_delta``, ``n_firms``, ``n_no_holdings``,
        ``top_pair`` and ``top_pair_delta`` (see the class docstring)."""
        return self.frame.copy()

    def _value(self, col):
        if self._groups is None:
            if self._records and isinstance(self.__dict__["frame"], DeferredFrame):
                # one market: its number, without building the frame it comes from
                return float(self._records[0][_COLUMNS.index(col)])
            return float(self.frame[col].iloc[0])
        return self.frame[col].copy()

    @property
    def hhi(self):
        """HHI (float for one unlabelled market, else a Series)."""
        return self._value("hhi")

    @property
    def mhhi(self):
        """MHHI (float for one unlabelled market, else a Series)."""
        return self._value("mhhi")

    @property
    def mhhi_delta(self):
        """MHHI − HHI (float for one unlabelled market, else a Series)."""
        return self._value("mhhi_delta")

    def _group_columns(self, g):
        if self._groups is None:
            return {}
        lab = self._groups[g]
        names = list(self._groups.names)
        lab = lab if isinstance(lab, tuple) else (lab,)
        return dict(zip(names, lab))

    def by_pair(self) -> pd.DataFrame:
        r"""Each ordered pair's term 10,000 · s_j · s_k · κ_jk, per market.

        Columns: the grouping columns, ``firm`` (j, whose managers weigh), ``other``
        (k, whose profit is weighed), ``share``, ``other_share``, ``weight`` (κ_jk)
        and ``contribution``.  Rows with ``firm == other`` sum to the HHI; the others
        sum to MHHIΔ.  Pairs with κ_jk = 0 are omitted.
        """
        parts = []
        for g, firms, s, K, _ in self._blocks:
            pt = pair_terms(s, K, firms)
            for i, (k, v) in enumerate(self._group_columns(g).items()):
                pt.insert(i, k, v)
            parts.append(pt)
        return pd.concat(parts, ignore_index=True)

    def by_owner(self) -> pd.DataFrame:
        r"""Additive attribution of MHHIΔ to owners; sums exactly to MHHIΔ per market.

        .. math:: \Delta\mathrm{MHHI} = 10{,}000 \sum_j \sum_{k \ne j} s_j s_k
                  \frac{\sum_i \gamma_{ij}\beta_{ik}}{\sum_{i'} \gamma_{i'j}\beta_{i'j}}
                  = \sum_i c_i,\quad
                  c_i = 10{,}000 \sum_j \frac{s_j\,\gamma_{ij}}{D_j}
                        \sum_{k \ne j} s_k \beta_{ik}

        with D_j = Σ_i γ_ij β_ij: owner i's term is its control weight in each firm j
        times its cash-flow interest in j's rivals, scaled by j's control-weighted own
        interest.  Firm-owners (cross-ownership) appear under their firm label.

        Returns
        -------
        pandas.DataFrame
            The grouping columns, ``owner`` and ``contribution`` (points), nonzero
            contributions only, largest first within each market.
        """
        parts = []
        for g, firms, s, _, (period, rows) in self._blocks:
            st = self._structures[period]
            G = st.G[rows]
            B = st.B[rows]
            d = np.asarray(G.multiply(B).sum(axis=1)).ravel()
            Gs = sp.diags(s / d) @ G                          # s_j γ_ij / D_j
            total = np.asarray(Gs.sum(axis=0)).ravel() * (B.T @ s)   # Σ_j .. Σ_k s_k β_ik
            own = np.asarray(Gs.multiply(sp.diags(s) @ B).sum(axis=0)).ravel()
            c = 10_000.0 * (total - own)
            nz = np.flatnonzero(c != 0)
            order = nz[np.argsort(-c[nz], kind="stable")]
            part = pd.DataFrame({"owner": st.owners[order], "contribution": c[order]})
            for i, (k, v) in enumerate(self._group_columns(g).items()):
                part.insert(i, k, v)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def screen(self) -> pd.DataFrame:
        """The MHHI screen (Elhauge 2016) next to the HHI guideline screens.

        Columns: ``hhi``, ``hhi_us2010`` and ``hhi_us2023`` (the concentration level
        under each edition of the U.S. guidelines), ``mhhi``, ``mhhi_delta`` and
        ``mhhi_elhauge2016`` (``above_threshold`` when MHHI > 2,500 and MHHIΔ > 200,
        both strict: Elhauge's proposed enforcement threshold, which he makes
        conditional on actual or likely price effects, so it flags markets for
        scrutiny rather than presuming harm; else ``below_threshold``).  Elhauge
        (2016) proposes no second tier.  Citations are in ``attrs["citations"]``; the
        HHI zones are those of the guideline registry (:mod:`concentration.guidelines`)
        and the MHHI thresholds the data in :data:`SCREEN_RULES`.
        """
        f = self.frame
        out = pd.DataFrame(index=f.index)
        out["hhi"] = f["hhi"]
        cites = {}
        for key in ("us2010", "us2023"):  # zones from the guideline registry
            g = get_guideline(key)
            out[f"hhi_{key}"] = g.zone_of(f["hhi"].to_numpy())
            cites[f"hhi_{key}"] = g.citation()
        out["mhhi"] = f["mhhi"]
        out["mhhi_delta"] = f["mhhi_delta"]
        out["mhhi_elhauge2016"], cites["mhhi_elhauge2016"] = _screen_column(
            f["mhhi"].to_numpy(), f["mhhi_delta"].to_numpy(), "mhhi_elhauge2016")
        out.attrs["citations"] = cites
        return out

    def plot(self, *, ax=None, top=15):
        """Bar chart of MHHIΔ by owner (:meth:`by_owner`), summed over markets.

        Needs matplotlib (``pip install antitrust-concentration[plot]``); see
        :func:`concentration.plotting.plot_bar`.  Returns the Axes.
        """
        from ..plotting._charts import plot_bar

        owners = self.by_owner()
        totals = owners.groupby("owner", sort=True)["contribution"].sum()
        return plot_bar(totals, ax=ax, top=top, title="MHHIΔ by owner",
                        xlabel="contribution to MHHIΔ (points)")

    def _summary_parts(self):
        f = self.frame
        facts = [("markets", len(f)), ("control model", self.control_model),
                 ("max MHHI delta", f"{f['mhhi_delta'].max():,.1f}"),
                 ("firms without holdings", len(self.no_holdings))]
        if len(f) == 1:
            facts = [("HHI", f"{f['hhi'].iloc[0]:,.1f}"), ("MHHI", f"{f['mhhi'].iloc[0]:,.1f}"),
                     ("MHHI delta", f"{f['mhhi_delta'].iloc[0]:,.1f}")] + facts[1:]
        notes = [ORIENTATION, self.control_note] + list(self.notes)
        if self.as_of in ("snapshot", "stake"):
            age = "" if self.max_age is None else f", at most {self.max_age} old"
            rule = ("the latest holdings period on or before its end" if self.as_of ==
                    "snapshot" else "each owner-firm stake's latest value on or before its end")
            notes.append(f"Holdings matched to each share period as of its end: {rule}{age}.")
        unmatched = f["holdings_note"].notna() if "holdings_note" in f.columns else None
        if unmatched is not None and unmatched.any():
            notes.append(f"{int(unmatched.sum())} market-period(s) have no ownership "
                         "adjustment (MHHI delta 0): see the holdings_note column.")
        if self.entities is not None and len(self.entities):
            notes.append(f"{len(self.entities)} name(s) joined to their entity (parent=); "
                         "see .entities.")
        if self.n_above_one:
            notes.append(f"{self.n_above_one} profit weight(s) above one; see "
                         ".kappa_above_one for the owners and the cause.")
        if len(self.no_holdings):
            notes.append("Firms without holdings data get only their own profit weight "
                         "(kappa_jj = 1, kappa_jk = 0); see .no_holdings.")
        return "Modified HHI (O'Brien-Salop)", facts, notes


@dispatchable(data=("shares", "holdings"), keys=())
def mhhi(shares, holdings, *, control_model="proportional", market="market", period="period",
         firm="firm", share="share", value=None, scale="fraction", holdings_period=None,
         duplicates="error", tolerance=DEFAULT_TOLERANCE, parent=None, as_of="snapshot",
         max_age=None, period_start="period_start", period_end="period_end",
         progress=False) -> MHHI:
    r"""O'Brien-Salop modified HHI (MHHI) and MHHIΔ per market and period.

    .. math:: \mathrm{MHHI} = 10{,}000 \sum_j \sum_k s_j s_k \kappa_{jk}
              = \mathrm{HHI} + \underbrace{10{,}000 \sum_j \sum_{k \ne j} s_j s_k
              \frac{\sum_i \gamma_{ij}\beta_{ik}}{\sum_i \gamma_{ij}\beta_{ij}}}_{\Delta\mathrm{MHHI}}

    [BS]_, [OS]_ (§V and Appendix C).  Shares s are fractions; indices are points
    (0-10,000).  κ_jk is the weight firm j's managers (row) put on firm k's profit
    (column), computed per period by :func:`profit_weights`; it is not symmetric.
    Firms of a market without holdings data get κ_jj = 1 and κ_jk = 0 (own profit
    only) and are listed in ``result.no_holdings``.

    Parameters
    ----------
    shares : mapping, pandas.Series, pandas.DataFrame or dask.dataframe.DataFrame
        One market's shares ``{firm: share}`` or a long table (market, period, firm,
        share), validated like every share input.  Firm labels must match the
        holdings' firm labels (after ``parent=``, when given).
    holdings : Holdings or dask.dataframe.DataFrame
        From :func:`concentration.read_holdings` (a Dask DataFrame from
        ``read_holdings(..., engine="dask")``).
    control_model : str, ControlModel or pandas.DataFrame, default "proportional"
        See :class:`ControlModel`.
    market, period, firm, share, value : str or None, optional
        Columns of ``shares`` (``None`` or an absent default: one market / period).
        When both shares and holdings have periods they are matched by ``as_of``.
    scale : {"fraction", "percent"}, default "fraction"
        Unit of the shares.
    holdings_period : optional
        The holdings period to use when the shares have no period column.  Given
        when the shares have a period column, or when the holdings have none, it is
        an InvalidParameterError (it would have no effect).
    duplicates, tolerance
        As in :func:`concentration.hhi`.
    parent : mapping, pandas.Series, pandas.DataFrame or None, optional
        The entity model (firm -> parent, optionally dated, with aliases), applied
        to the shares and to the holdings alike, so that a subsidiary's market share
        meets its parent's owners (Google's share and Alphabet's 14 % of Anthropic,
        with the bundled ``concentration.datasets.load("entities")`` as it is).
        Share firms, holdings firms and owners are replaced by their ultimate
        parent using the links in force at each share period's end; a parent's
        stake in its own subsidiary is internal and dropped.  What was joined is in
        ``result.entities``.
    as_of : {"snapshot", "stake", "label"}, default "snapshot"
        How dated holdings are matched to each share period (both with periods).
        Holdings periods are dated by their last day (a date is its own day;
        ``2024Q4`` is 2024-12-31), share periods end on their ``period_end`` (the
        column, else the parsed label).  ``"snapshot"``: the latest holdings period
        on or before the share period's end, used whole (13F-style quarterly
        holdings).  ``"stake"``: each (owner, firm)'s latest stake on or before the
        end, carried forward; a row with zero cash flow and zero control ends it
        (event data such as the bundled ``ai_ownership`` read with
        ``period="as_of"``).  ``"label"``: the holdings period with the share
        period's label.  No stake dated after a period's end is used for it; a
        period before any holdings gets no ownership adjustment (MHHIΔ 0) and a
        ``holdings_note`` saying so.  With labels that are not dates (``1, 2``,
        ``"pre"``), ``"snapshot"`` matches by label.
    max_age : pandas.Timedelta, str or None, optional
        Leave out holdings older than this at the period's end (``"400D"``); a
        period whose holdings are all older gets no adjustment, with a note.
    period_start, period_end : str, optional
        Columns of the share periods' first and last days (used when present).

    progress : bool or callable, default False
        Show a progress bar over the holdings snapshots (``True``; tqdm when
        installed), or call ``progress(done, total, label)`` after each.  The stages
        are also logged at INFO level on the ``"concentration"`` logger.

    Returns
    -------
    MHHI
        ``to_frame()`` with columns ``hhi``, ``mhhi``, ``mhhi_delta``; ``by_pair()``,
        ``by_owner()``, ``screen()``, ``summary()``.

        With Dask input (``shares`` and/or ``holdings`` a Dask DataFrame; holdings
        with the columns of ``read_holdings(..., engine="dask")``), the same
        :class:`MHHI` as the in-memory call on the same rows: one task per period
        (per market when the shares have no period column) runs this function, and
        the per-task results are joined in group order on the client.

    Raises
    ------
    InvalidSharesError, InvalidHoldingsError, ConvergenceError, InvalidParameterError

    References
    ----------
    .. [BS] Bresnahan, T. F. and Salop, S. C. (1986). IJIO 4(2), 155-175.
    .. [OS] O'Brien, D. P. and Salop, S. C. (2000). Antitrust Law Journal 67(3), 559-614.
    .. [AST] Azar, J., Schmalz, M. C. and Tecu, I. (2018). Anticompetitive effects of
       common ownership. Journal of Finance 73(4), 1513-1565.

    Examples
    --------
    Two airlines with 50 % each, owned in the same proportions by the same owners:
    each weighs the other's profit as its own (κ = 1), so MHHI = 10,000:

    >>> import pandas as pd, concentration as cn
    >>> h = cn.read_holdings(pd.DataFrame({"owner": ["V", "V", "B", "B"],
    ...     "firm": ["AA", "UA", "AA", "UA"], "cash_flow": [0.1, 0.1, 0.05, 0.05]}))
    >>> r = cn.mhhi({"AA": 0.5, "UA": 0.5}, h)
    >>> r.hhi, r.mhhi, r.mhhi_delta
    (5000.0, 10000.0, 5000.0)
    """
    func = "mhhi"
    if not isinstance(holdings, Holdings):
        raise InvalidParameterError(param_message(
            func, "holdings", "a Holdings object", type(holdings).__name__,
            "Build it with concentration.read_holdings(df)."))
    if type(shares) is dict and value is None and parent is None and holdings_period is None \
            and max_age is None and progress is False and as_of == "snapshot" \
            and type(control_model) is str and not holdings.has_period:
        result = _one_small_market(shares, holdings, control_model,
                                   (market, period, firm, share, period_start, period_end),
                                   scale, tolerance, duplicates)
        if result is not None:   # one small clean market: no table, no kernel call
            return result
    check_choice(func, "as_of", as_of, AS_OF_MODES,
                 fix="'snapshot' uses the latest holdings period on or before each share "
                     "period's end; 'stake' carries each stake forward.")
    max_age = check_max_age(func, max_age)
    ent = coerce_entities(parent, func)
    model = resolve_model(func, control_model, holdings)
    started = stage(func, "validating the shares")
    table = coerce_shares(shares, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, tolerance=tolerance,
                          func=func, fringe_note="MHHI covers the listed firms only.",
                          parent=ent, period_start=period_start, period_end=period_end)
    stage(func, "%d market-period group(s); matching holdings (as_of=%r)", table.n_groups,
          as_of, start=started)
    if table.firms is None:
        raise InvalidParameterError(param_message(
            func, "firm", "a firm column (firm labels are matched to the holdings)", firm))
    # the holdings each share group is matched with
    keys = list(table.keys)
    pcol = period if (period is not None and period in keys) else None
    n_groups = table.n_groups
    gkey, plans, joined, gend = _match_holdings(func, table, holdings, pcol, holdings_period,
                                                as_of, max_age, ent, model)
    order = np.argsort(table.codes, kind="stable")
    bounds = np.searchsorted(table.codes[order], np.arange(n_groups + 1))
    structures, period_rows = {}, {}
    for p in dict.fromkeys(gkey):
        members = [g for g in range(n_groups) if gkey[g] == p]
        rows = np.concatenate([order[bounds[g]:bounds[g + 1]] for g in members])
        period_rows[p] = (members, rows)
        firms_p = list(pd.unique(table.firms[rows]))
        h_p, hp_p, model_p = plans[p][:3]
        structures[p] = kappa_structure(func, h_p, model_p, hp_p, firms_p, any_order=True)
    stage(func, "%d holdings snapshot(s) built; computing kappa and MHHI", len(structures),
          start=started)
    blocks, records, missing_rows = [], [], []
    kblocks = {}
    # per row of the shares: the firm has no holdings / no controlling owner
    no_h_row = np.zeros(len(order), dtype=bool)
    no_c_row = np.zeros(len(order), dtype=bool)
    bar = ProgressBar(check_progress(func, progress), len(structures), func)
    for p, st in structures.items():
        bar.update()
        members, rows = period_rows[p]
        # one lookup for the period, split per market
        sizes = bounds[np.asarray(members) + 1] - bounds[np.asarray(members)]
        allpos = st.positions(table.firms[rows])
        cuts = np.zeros(len(members) + 1, dtype=np.int64)
        np.cumsum(sizes, out=cuts[1:])
        cuts = cuts.tolist()
        pos_list = [allpos[a:b] for a, b in pairwise(cuts)]
        blocks_p = st.market_blocks(pos_list)
        kblocks.update(zip(members, zip(pos_list, blocks_p)))
        for flags, labels in ((no_h_row, st.no_holdings), (no_c_row, st.no_control)):
            if labels:
                flags[rows] = np.isin(allpos, st.positions(labels))
    no_h_count = np.bincount(table.codes, weights=no_h_row, minlength=n_groups)
    flagged_any = np.bincount(table.codes, weights=no_h_row | no_c_row, minlength=n_groups) > 0
    # shares and labels in group order: each market's are a slice
    sorted_shares = table.shares[order]
    sorted_labels = np.asarray(table.firms, dtype=object)[order]
    cuts = bounds.tolist()
    for g in range(n_groups):
        a, b = cuts[g], cuts[g + 1]
        s = sorted_shares[a:b]
        pos, K = kblocks[g]
        n = len(pos)
        note, when = plans[gkey[g]][4], plans[gkey[g]][3]
        if note is None and n and no_h_count[g] == n:
            end = gend[g]
            note = ("no holdings of these firms" if pd.isna(end) else
                    f"no holdings of these firms on or before {end.date()}")
            when = pd.NaT
        flagged = []
        if flagged_any[g]:
            nh, nc = structures[gkey[g]].no_sets
            flagged = [(f, note if note else "no holdings data" if f in nh
                        else "no controlling owner") for f in table.firms[order[a:b]]
                       if f in nh or f in nc]
        records.append((None, None, None, n, len(flagged), None, 0.0, when, note))
        for f, why in flagged:
            missing_rows.append((g, f, why))
        blocks.append((g, sorted_labels[a:b], s, K, (gkey[g], pos)))
    # HHI, MHHI, the driving pair and the kappa > 1 entries, all markets of one size at once
    hits: dict = {}
    for g, h, m, pair, pair_delta, hit in _block_terms(blocks):
        records[g] = (h, m, m - h) + records[g][3:5] + (pair, pair_delta) + records[g][7:]
        if hit[0].size:
            pos = np.asarray(blocks[g][4][1])
            hits.setdefault(gkey[g], []).append((g, pos[hit[0]], pos[hit[1]], hit[2]))
    groups = table.groups
    records = tuple(records)
    kappa_above = DeferredFrame(_explain_hits, {p: structures[p] for p in hits}, hits, groups)
    n_above = sum(f[1].size for found in hits.values() for f in found)
    notes = []
    for st in structures.values():
        notes += [n for n in st.notes if n not in notes]
    label = "user-supplied" if isinstance(model, pd.DataFrame) else model.label
    if ent is not None:
        parts = ([table.merged.assign(role="share firm").rename(columns={"firm": "name"})]
                 if table.merged is not None and len(table.merged) else []) + joined
        ents = (pd.concat(parts, ignore_index=True)[list(ENTITY_COLUMNS)].drop_duplicates()
                .reset_index(drop=True) if parts else
                pd.DataFrame(columns=list(ENTITY_COLUMNS)))
    else:
        ents = None
    bar.close()
    stage(func, "done", start=started)
    mode = plans[gkey[0]][5] if n_groups else as_of
    return MHHI(frame=DeferredFrame(_market_frame, records, groups), control_model=label,
                control_note=holdings.control_note,
                no_holdings=DeferredFrame(_no_holdings_frame, tuple(missing_rows), groups),
                notes=tuple(notes), kappa_above_one=kappa_above, _n_above_one=n_above,
                _records=records,
                entities=ents, as_of=mode, max_age=max_age,
                _groups=groups, _blocks=tuple(blocks), _structures=structures)


def _one_small_market(shares, holdings, control_model, names, scale, tolerance, duplicates):
    """The MHHI of one small market without a share table, or None.

    Taken for a dict of at most 64 plain numbers keyed by str that every check of
    :func:`coerce_shares` passes with no remainder (see
    :func:`concentration._tables.small_market`), holdings without periods and a
    built-in control model named by a str, every other option at its default.  The
    κ structure is the one the general path builds or finds for these firms
    (:func:`kappa_structure`), the κ block :meth:`KappaStructure.small_block` (the
    sums of the pair kernel, to the last bit), HHI and MHHI the matrix-vector and dot
    products that :func:`concentration._quadratic.quadratic_forms` makes for each
    market of a stack, and the top pair :func:`_top_pair_small`, the terms of
    :func:`_top_pair` in Python floats; the general path's stacked terms equal all of
    them to the last bit.  A firm without holdings or without a controlling owner, a
    block that is not small, or any finding of the checks returns None: the general
    path then reports it with its notes and messages.
    """
    func = "mhhi"
    if len(shares) < 2:
        return None   # the general path's terms of a one-firm market are another product
    for f in shares:
        if type(f) is not str:
            return None
    small = small_market(shares, names=names, scale=scale, tolerance=tolerance,
                         duplicates=duplicates)
    if small is None or 1.0 - small[1] >= 1e-12:
        return None   # a finding, or a remainder: the general path says what it means
    model = resolve_model(func, control_model, holdings)
    firms = list(shares)
    st = kappa_structure(func, holdings, model, None, firms, any_order=True)
    no_h, no_c = st.no_sets
    if (no_h or no_c) and any(f in no_h or f in no_c for f in firms):
        return None
    rows = st.text_rows(firms)
    if rows is None or -1 in rows:
        return None
    block = st.small_block(rows)
    if block is None:
        return None
    pos = np.array(rows, dtype=np.int64)
    s = np.array(small[0])
    K = np.array(block)
    labels = np.array(firms, dtype=object)
    # the one-market products quadratic_forms makes for this market (see its docstring)
    hhi, mhhi_ = float(10_000.0 * (s @ s)), float(10_000.0 * (s @ (K @ s)))
    pair, pair_delta, hit = _top_pair_small(small[0], block, firms)
    key = ("all", None)
    record = (hhi, mhhi_, mhhi_ - hhi, len(firms), 0, pair, pair_delta, pd.NaT, None)
    structures = {key: st}
    if hit:
        r, c = np.array(hit[0], dtype=np.int64), np.array(hit[1], dtype=np.int64)
        hits = {key: [(0, pos[r], pos[c], np.array(hit[2]))]}
    else:
        hits = {}
    return MHHI(frame=DeferredFrame(_market_frame, (record,), None),
                control_model=model.label, control_note=holdings.control_note,
                no_holdings=DeferredFrame(_no_holdings_frame, (), None),
                notes=tuple(dict.fromkeys(st.notes)),
                kappa_above_one=DeferredFrame(_explain_hits, structures if hits else {},
                                              hits, None),
                _n_above_one=len(hit[0]) if hit else 0, _records=(record,), entities=None,
                as_of="undated", max_age=None, _groups=None,
                _blocks=((0, labels, s, K, (key, pos)),), _structures=structures)


def _top_pair_small(s, K, firms):
    """:func:`_top_pair` of one small market in Python floats.

    ``s`` is a list of shares, ``K`` the κ block as a list of rows and ``firms`` the
    labels.  The terms are the elementwise products :func:`_top_pair` forms,
    ``(10,000 · s_j · s_k) · κ_jk`` and ``T_jk + T_kj``, so they are the same
    doubles; the largest is the first in row-major order, as ``argmax`` takes it.
    Returns ``(label, points, hits)`` with ``hits`` None or the lists ``(rows, cols,
    kappa)`` of the off-diagonal entries above one, in row-major order.
    """
    n = len(s)
    T = [[0.0 if j == k else 10_000.0 * s[j] * s[k] * K[j][k] for k in range(n)]
         for j in range(n)]
    best, a, b = 0.0, 0, 0
    rows, cols, vals = [], [], []
    for j in range(n):
        Kj, Tj = K[j], T[j]
        for k in range(n):
            u = Tj[k] + T[k][j]
            if u > best:
                best, a, b = u, j, k
            if j != k and Kj[k] > 1.0 + 1e-9:
                rows.append(j)
                cols.append(k)
                vals.append(Kj[k])
    hits = (rows, cols, vals) if rows else None
    if not best > 0:
        return None, 0.0, hits
    first, second = (a, b) if T[a][b] >= T[b][a] else (b, a)
    return f"{firms[first]!s} & {firms[second]!s}", best, hits


#: the columns of :attr:`MHHI.frame`, in the order of each market's record
_COLUMNS = ("hhi", "mhhi", "mhhi_delta", "n_firms", "n_no_holdings", "top_pair",
            "top_pair_delta", "holdings_as_of", "holdings_note")


def _market_frame(records, groups):
    """:attr:`MHHI.frame` from one record per market (the values of :data:`_COLUMNS`)."""
    frame = pd.DataFrame(list(records), columns=list(_COLUMNS))
    frame["holdings_as_of"] = pd.to_datetime(frame["holdings_as_of"])
    for col in ("top_pair", "holdings_note"):   # text or None, whatever the pieces hold
        i = _COLUMNS.index(col)
        frame[col] = pd.Series([r[i] for r in records], dtype=object)
    frame.index = groups if groups is not None else pd.Index(["all"], name="market")
    return frame


def _no_holdings_frame(missing_rows, groups):
    """:attr:`MHHI.no_holdings` from its ``(group, firm, reason)`` rows."""
    nh_cols = {}
    if groups is not None:
        for lvl, name in enumerate(groups.names):
            vals = (groups.get_level_values(lvl) if isinstance(groups, pd.MultiIndex)
                    else groups)
            nh_cols[name] = [vals[g] for g, _, _ in missing_rows]
    return pd.DataFrame({**nh_cols, "firm": [f for _, f, _ in missing_rows],
                         "reason": [w for _, _, w in missing_rows]})


def _match_holdings(func, table, holdings, pcol, holdings_period, as_of, max_age, ent, model):
    """The holdings of each share group.

    Returns ``(keys, plans, joined, ends)``: ``keys[g]`` names the holdings of group g;
    ``plans[key] = (holdings, holdings period for kappa_structure, control model,
    holdings_as_of, note, matching rule)``; ``joined`` lists frames of owner and firm
    names of the holdings joined to their entity; ``ends[g]`` is group g's last day.
    """
    n_groups = table.n_groups
    joined: list = []
    user_periods = isinstance(model, pd.DataFrame) and "period" in model.columns
    dates = holdings_dates(holdings) if holdings.has_period else {}

    def dated(label):
        d = dates.get(label, pd.NaT)
        return pd.NaT if pd.isna(d) else d

    def plan(key, h, hp, at, when, note, rule):
        t = stakes_table(h)
        if ent is not None and len(t):
            t = t if hp is None else t[t["period"] == hp]
            t, merged, _ = resolve_entities(t, ent, at, func, has_period=h.has_period,
                                            tolerance=h.tolerance)
            joined.append(merged.assign(role="holdings " + merged["role"]))
            h = replace(h, table=t, cross_owners=())
        m = model
        if user_periods and hp is not None and not h.has_period:
            m = model[model["period"] == hp].drop(columns="period")
        return key, (h, hp if h.has_period else None, m, when, note, rule)

    if pcol is None or not holdings.has_period:
        if pcol is None and holdings.has_period:
            holdings_period = resolve_holdings_period(func, holdings.periods, holdings_period)
        elif holdings_period is not None:
            why = ("None when the shares have a period column" if pcol is not None else
                   "None when the holdings have no period column")
            raise InvalidParameterError(param_message(
                func, "holdings_period", why, holdings_period,
                "The holdings apply to every market as they are; drop holdings_period=, or "
                "read holdings with a period column (read_holdings(..., period=<column>))."
                if not holdings.has_period else ""))
        when = dated(holdings_period) if holdings_period is not None else pd.NaT
        rule = "label" if holdings_period is not None else "undated"
        if ent is not None and pcol is not None and table.intervals is not None:
            # undated holdings meet each share period with the links in force at its end
            ends = pd.DatetimeIndex(table.intervals["period_end"].to_numpy(
                dtype="datetime64[ns]")).normalize()
            keys, plans = [], {}
            for e in ends:
                key = ("all", None, e)
                if key not in plans:
                    plans.update([plan(key, holdings, None, None if pd.isna(e) else e, when,
                                       None, rule)])
                keys.append(key)
            return keys, plans, joined, list(ends)
        at = None
        if ent is not None and holdings_period is not None:
            at = None if pd.isna(when) else when
        key, p = plan(("all", holdings_period), holdings, holdings_period, at, when, None, rule)
        return [key] * n_groups, {key: p}, joined, [pd.NaT] * n_groups
    if holdings_period is not None:
        raise InvalidParameterError(param_message(
            func, "holdings_period", "None when the shares have a period column",
            holdings_period))
    levels = (table.groups.get_level_values(pcol) if isinstance(table.groups, pd.MultiIndex)
              else table.groups)
    labels = list(levels)
    ends = (table.intervals["period_end"].to_numpy(dtype="datetime64[ns]")
            if table.intervals is not None else np.full(n_groups, np.datetime64("NaT")))
    ends = pd.DatetimeIndex(ends).normalize()
    rule = as_of
    if as_of != "label" and (pd.isna(ends).any() or any(pd.isna(d) for d in dates.values())):
        bad_share = [lab for lab, e in zip(labels, ends) if pd.isna(e)]
        bad_h = [lab for lab, d in dates.items() if pd.isna(d)]
        if as_of == "snapshot":
            rule = "label"     # labels that are not dates: matched by label
        else:
            what = (f"the share period {bad_share[0]!r}" if bad_share else
                    f"the holdings period {bad_h[0]!r}")
            raise PeriodError(
                f"{func}: {what} cannot be placed in time, so holdings cannot be matched "
                f"as of each period's end (as_of={as_of!r}). Give periods as dates, months, "
                "quarters or years (or a period_end column), or match holdings by label "
                "with as_of='label'.")
    if user_periods and rule == "stake":
        raise InvalidParameterError(param_message(
            func, "control_model", "control weights without a 'period' column with "
            "as_of='stake'", "a DataFrame with a 'period' column",
            "Stakes carried forward come from several holdings periods; give one weight "
            "per (owner, firm), or use as_of='snapshot'."))
    keys, plans = [], {}
    if rule == "label":
        missing = sorted(set(labels) - set(holdings.periods), key=str)
        if missing:
            raise InvalidHoldingsError(
                f"{func}: the shares have period(s) {missing[:5]} for which the holdings "
                f"have no rows (holdings periods: {holdings.periods[:5]}). Add holdings "
                "for those periods, filter the shares, or match holdings as of each "
                "period's end (as_of='snapshot' or 'stake').")
        for lab, e in zip(labels, ends):
            key = ("label", lab, e if ent is not None else None)
            if key not in plans:
                at = None if (ent is None or pd.isna(e)) else e
                plans.update([plan(key, holdings, lab, at, dated(lab), None, "label")])
            keys.append(key)
        return keys, plans, joined, list(ends)
    chosen: dict = {}
    for e in ends:
        if rule == "snapshot":
            if e not in chosen:
                chosen[e] = snapshot_label(dates, e, max_age)
            lab, when, note = chosen[e]
            key = (("snapshot", lab, e if ent is not None else None) if note is None
                   else ("none", e))
            if key not in plans:
                if note is None:
                    plans.update([plan(key, holdings, lab, e, when, None, "snapshot")])
                else:
                    plans[key] = (_empty(holdings), None, model, pd.NaT, note, "snapshot")
        else:
            key = ("stake", e)
            if key not in plans:
                t, when, note, _ = select_as_of(holdings, e, mode="stake", max_age=max_age,
                                                func=func)
                h = replace(holdings, table=t.reset_index(drop=True), has_period=False)
                if note is None:
                    plans.update([plan(key, h, None, e, when, None, "stake")])
                else:
                    plans[key] = (_empty(holdings), None, model, pd.NaT, note, "stake")
        keys.append(key)
    return keys, plans, joined, list(ends)


def _empty(holdings):
    """Holdings without a stake (a period before any holdings): κ is the identity."""
    t = stakes_table(holdings).iloc[:0][["owner", "firm", "cash_flow", "control"]]
    return replace(holdings, table=t, has_period=False, cross_owners=())


def _top_pair(s, K, firms):
    """The unordered firm pair with the largest MHHIΔ term, and the κ > 1 entries.

    Returns ``(label, points, (rows, cols, kappa))``: the pair's term
    10,000 · (s_j s_k κ_jk + s_k s_j κ_kj) in points, labelled ``"j & k"`` with j the
    firm whose managers weigh more (None and 0.0 when MHHIΔ is 0).
    """
    n = len(s)
    if sp.issparse(K) and n > 2000:
        return _top_pair_sparse(s, K.tocoo(), firms)
    D = K.toarray() if sp.issparse(K) else np.asarray(K)
    above = D > 1.0 + 1e-9
    above.flat[::n + 1] = False
    if above.any():
        r, c = np.nonzero(above)
        hit = (r, c, D[r, c])
    else:
        hit = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    T = (10_000.0 * s[:, None] * s[None, :]) * D
    T.flat[::n + 1] = 0.0
    U = T + T.T                      # symmetric, zero diagonal: argmax is off the diagonal
    best = int(np.argmax(U)) if n > 1 else 0
    if n < 2 or not U.flat[best] > 0:
        return None, 0.0, hit
    a, b = divmod(best, n)
    first, second = (a, b) if T[a, b] >= T[b, a] else (b, a)
    return f"{firms[first]!s} & {firms[second]!s}", float(U[a, b]), hit


def _block_terms(blocks):
    r"""HHI, MHHI and :func:`_top_pair` of every market block, vectorised over markets
    of one size.

    .. math:: \mathrm{HHI} = 10{,}000\, s^\top s,\qquad
              \mathrm{MHHI} = 10{,}000\, s^\top \kappa\, s

    Each block is ``(group, firms, shares, kappa, ...)``.  Yields ``(group, hhi,
    mhhi, label, points, (rows, cols, kappa))`` in group order; the indices are
    :func:`concentration._quadratic.quadratic_forms` of the stacked blocks, equal to
    the one-market :func:`concentration._quadratic.quadratic_form` to the last bit.
    """
    by_size: dict = {}
    for b in blocks:
        by_size.setdefault(len(b[2]), []).append(b)
    out = []
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    for n, bs in by_size.items():
        if n < 2 or n > 64 or not all(isinstance(b[3], np.ndarray) for b in bs):
            I = np.eye(n)   # dense: a small matvec, no sparse dispatch
            out += [(b[0], quadratic_form(b[2], I), quadratic_form(b[2], b[3]),
                     *_top_pair(b[2], b[3], b[1])) for b in bs]
            continue
        S = np.stack([b[2] for b in bs])                      # markets x n
        D = np.stack([np.asarray(b[3]) for b in bs])          # markets x n x n
        hhi, mhhi = quadratic_forms(S), quadratic_forms(S, D)
        T = (10_000.0 * S[:, :, None] * S[:, None, :]) * D
        idx = np.arange(n)
        T[:, idx, idx] = 0.0
        U = T + np.swapaxes(T, 1, 2)
        best = U.reshape(len(bs), -1).argmax(axis=1)
        a, c = np.divmod(best, n)
        val = U.reshape(len(bs), -1)[np.arange(len(bs)), best]
        fwd = T[np.arange(len(bs)), a, c] >= T[np.arange(len(bs)), c, a]
        above = D > 1.0 + 1e-9
        above[:, idx, idx] = False
        # every entry above one, market by market in row-major order
        im, ir, ic = np.nonzero(above)
        cut = np.zeros(len(bs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(im, minlength=len(bs)), out=cut[1:])
        hv = D[im, ir, ic]
        cut, val_l, fwd_l = cut.tolist(), val.tolist(), fwd.tolist()
        a_l, c_l, hhi_l, mhhi_l = a.tolist(), c.tolist(), hhi.tolist(), mhhi.tolist()
        for i, b in enumerate(bs):
            if val_l[i] > 0:
                j, k = (a_l[i], c_l[i]) if fwd_l[i] else (c_l[i], a_l[i])
                label, pts = f"{b[1][j]!s} & {b[1][k]!s}", val_l[i]
            else:
                label, pts = None, 0.0
            lo, hi = cut[i], cut[i + 1]
            hit = (ir[lo:hi], ic[lo:hi], hv[lo:hi]) if hi > lo else none
            out.append((b[0], hhi_l[i], mhhi_l[i], label, pts, hit))
    out.sort(key=lambda t: t[0])
    return out


def _top_pair_sparse(s, C, firms):
    """:func:`_top_pair` for a large sparse κ block (COO)."""
    off = C.row != C.col
    r, c, v = C.row[off], C.col[off], C.data[off]
    above = v > 1.0 + 1e-9
    hit = (r[above], c[above], v[above])
    terms = 10_000.0 * s[r] * s[c] * v
    keep = terms > 0
    if not keep.any():
        return None, 0.0, hit
    r, c, terms = r[keep], c[keep], terms[keep]
    lo, hi = np.minimum(r, c), np.maximum(r, c)
    n = len(s)
    codes, uniq = pd.factorize(lo.astype(np.int64) * n + hi)
    total = np.bincount(codes, weights=terms)
    best = int(np.argmax(total))
    a, b = divmod(int(uniq[best]), n)
    ab = terms[(r == a) & (c == b)].sum()
    ba = terms[(r == b) & (c == a)].sum()
    first, second = (a, b) if ab >= ba else (b, a)
    return f"{firms[first]!s} & {firms[second]!s}", float(total[best]), hit


def _explain_hits(structures, hits, groups):
    """The κ > 1 frame of :attr:`MHHI.kappa_above_one` from the entries found.

    ``hits[period]`` lists ``(group, rows, cols, kappa)`` (firm positions in that
    period's structure); one :func:`explain_above_one` call per holdings snapshot.
    """
    parts = []
    for p, found in hits.items():
        frame_p = explain_above_one(structures[p], *(np.concatenate([f[i] for f in found])
                                                     for i in (1, 2, 3)))
        frame_p.insert(0, "_group", np.repeat([f[0] for f in found],
                                              [f[1].size for f in found]))
        parts.append(frame_p)
    return _above_frame(parts, groups)


def _above_frame(parts, groups):
    """The κ > 1 rows of every market, with the grouping columns first."""
    names = [] if groups is None else list(groups.names)
    if not parts:
        return pd.DataFrame(columns=names + list(ABOVE_ONE_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    out = out.iloc[np.argsort(out["_group"].to_numpy(), kind="stable")].reset_index(drop=True)
    gi = out.pop("_group").to_numpy()
    for lvl, name in enumerate(names):
        vals = groups.get_level_values(lvl) if isinstance(groups, pd.MultiIndex) else groups
        out.insert(lvl, name, np.asarray(vals, dtype=object)[gi])
    return out
