r"""Profit weights (κ) from holdings: control models and cross-ownership.

The O'Brien-Salop / Bresnahan-Salop profit weight of firm j on firm k is

.. math:: \kappa_{jk} = \frac{\sum_i \gamma_{ij}\,\beta_{ik}}{\sum_i \gamma_{ij}\,\beta_{ij}}

with :math:`\beta_{ik}` owner i's cash-flow stake in firm k and :math:`\gamma_{ij}`
its control weight in firm j.  **κ is not symmetric**: ``kappa.loc[j, k]`` is the
weight firm j's managers (row) place on firm k's profit (column); κ_jj = 1.

Control models turn voting stakes v_ij (the ``control`` column of the holdings, or
the cash-flow stakes when control follows cash flow) into control weights γ_ij.
κ is unchanged when a firm's γ row is multiplied by a positive constant, so models
need not normalise γ.

Cross-ownership (a firm's stake in a rival) enters as an owner that is itself a
firm.  Cash-flow rights are integrated through chains with the Leontief inverse
(Dietzenbacher, Smid and Volkerink 2000; Brito, Ribeiro and Vasconcelos 2018;
O'Brien and Salop 2000, Appendix): with A[f, j] the direct stake of firm f in
firm j and P[j, i] the direct stake of owner i in firm j,

.. math:: \tilde B = (I - A)^{-T} P + E

where E gives each firm-owner the claim on its own profit (a firm-owner's payoff is
its own profit plus its share of the profits of the firms it holds, through every
chain).  Control is exercised by the direct owners (firm-owners vote their stakes
as entities).  The series :math:`\sum_n A^n` must converge (spectral radius of A
below one); otherwise the holdings are rejected.

References
----------
.. [OS] O'Brien, D. P. and Salop, S. C. (2000). Competitive effects of partial
   ownership: financial interest and corporate control. Antitrust Law Journal
   67(3), 559-614.
.. [BS] Bresnahan, T. F. and Salop, S. C. (1986). Quantifying the competitive effects
   of production joint ventures. International Journal of Industrial Organization
   4(2), 155-175.
.. [BCS] Backus, M., Conlon, C. and Sinkinson, M. (2021). Common ownership in
   America: 1980-2017. American Economic Journal: Microeconomics 13(3), 273-308.
.. [DSV] Dietzenbacher, E., Smid, B. and Volkerink, B. (2000). Horizontal integration
   in the Dutch financial sector. International Journal of Industrial Organization
   18(8), 1223-1242.
.. [BRV] Brito, D., Ribeiro, R. and Vasconcelos, H. (2018). Quantifying the coordinated
   effects of partial horizontal acquisitions. European Economic Review 110, 108-149.
.. [Ban] Banzhaf, J. F. (1965). Weighted voting doesn't work: a mathematical analysis.
   Rutgers Law Review 19(2), 317-343.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..backends.dask import _groups as _dask
from .._quadratic import pair_terms, quadratic_form
from .._results import ResultMixin
from .._tables import DEFAULT_TOLERANCE, coerce_shares
from .._validation import check_choice, check_int, check_number, param_message
from ..exceptions import ConvergenceError, InvalidHoldingsError, InvalidParameterError, SchemaError
from ..guidelines import get_guideline
from ._holdings import Holdings
from .._pairwise import overlap

__all__ = ["ControlModel", "CONTROL_MODELS", "profit_weights", "mhhi", "MHHI", "ORIENTATION",
           "SCREEN_RULES", "KAPPA_OUTPUTS", "resolve_holdings_period"]

#: The orientation of κ, stated in every result.
ORIENTATION = ("kappa.loc[j, k] is the weight firm j's managers (row) place on firm k's "
               "profit (column); kappa is not symmetric.")

#: Names accepted by ``control_model``.
CONTROL_MODELS = ("proportional", "voting", "power", "size", "banzhaf", "sole")

KAPPA_OUTPUTS = ("frame", "dense", "sparse", "long")

#: mhhi computes one dense κ per period (then slices each market's block) when the
#: period has at most this many firm pairs (1.5e8 pairs = 1.2 GB) and firms recur
#: across markets; otherwise every market's block comes from one stacked,
#: block-diagonal call of the overlap kernel.
_DENSE_KAPPA_MAX = 1.5e8

#: Below this many stored stakes (cash flow plus control nonzeros) κ is computed on one
#: thread; thread start-up dominates smaller problems on the kernel's OpenMP path.
_ONE_THREAD_NNZ = 200_000


@dataclass(frozen=True)
class ControlModel:
    r"""A control model: how voting stakes v_ij become control weights γ_ij.

    Pass a name (``control_model="banzhaf"``) for the defaults, or an instance to
    set a parameter (``ControlModel("power", exponent=3)``).

    ``"proportional"``
        γ_ij = v_ij.  With no control column v = β, so γ = β: O'Brien-Salop
        proportional control [OS]_ (§IV.B) and the baseline of [BCS]_.
    ``"voting"``
        γ_ij = v_ij with explicit voting stakes (dual-class shares such as
        Alphabet's or Meta's Class B); requires a control column.
    ``"power"``
        γ_ij = v_ij^a · Σ_i v_ij / Σ_i v_ij^a (``exponent`` a > 0): convex (a > 1)
        control favours large blockholders, concave (a < 1) small ones; the firm's
        total control mass is kept.  A sensitivity family in the spirit of the
        alternative control assumptions of [BCS]_ (§V).
    ``"size"``
        γ_ij = v_ij / S_i with S_i = Σ_k β_ik, the sum of owner i's cash-flow
        stakes over every firm of the holdings in the period (its size in
        firm-equivalents): a diversified investor spreads its influence, so each
        of its stakes confers less control.  With control following cash flow this
        is exactly the ``"CLWY"`` control weight of the [BCS]_ replication package
        (openICPSR 120083, ``code/kappas.py``: ``calc_kappa(betas, 'CLWY')`` sets
        γ_sf = β_sf / Σ_g β_sg, the investor's stake divided by the sum of its
        stakes over all firms of the quarter, and κ_fg = Σ_s γ_sf β_sg /
        Σ_s γ_sf β_sf), reported there as the ``kappa_CLWY`` robustness series
        beside the power-control variants (a = 0.5, 2, 3).  Owners with S_i = 0
        have no control weight.
    ``"banzhaf"``
        γ_ij = the Banzhaf index of owner i in firm j [Ban]_: the probability that i
        is pivotal for a simple majority (yes votes > ``quota`` of all votes) when
        every other blockholder votes yes or no with probability 1/2 and the
        dispersed fringe 1 - Σ_i v_ij is oceanic (it splits exactly in half).
        Exact enumeration over the ``max_exact`` largest blockholders of each firm
        (2^m coalitions); smaller holders beyond the cap are treated as part of the
        oceanic fringe (γ = 0).  The number of firms where the cap binds is reported.
        See Azar (2012, PhD thesis, Princeton, ch. 1) and [BRV]_ for its use in
        common-ownership measurement.
    ``"sole"``
        If one owner's voting stake exceeds ``threshold`` (default 0.5, strictly),
        it has full control (γ = 1 for it, 0 for the others): [OS]_ (§IV.A, "total
        control").  Otherwise γ = v (proportional).

    A user-supplied γ is a DataFrame with columns ``owner``, ``firm``, ``control``
    (and ``period`` when the holdings have periods), passed as ``control_model``.
    """

    name: str = "proportional"
    exponent: float = 2.0
    threshold: float = 0.5
    max_exact: int = 12
    quota: float = 0.5

    def __post_init__(self):
        f = "ControlModel"
        check_choice(f, "name", self.name, CONTROL_MODELS)
        check_number(f, "exponent", self.exponent, low=0.0, low_open=True)
        check_number(f, "threshold", self.threshold, low=0.0, high=1.0, high_open=True)
        check_int(f, "max_exact", self.max_exact, low=1, high=20)
        check_number(f, "quota", self.quota, low=0.0, high=1.0, low_open=True, high_open=True)

    @property
    def label(self) -> str:
        """Short description used in results."""
        extra = {"power": f"(a={self.exponent:g})", "sole": f"(threshold={self.threshold:g})",
                 "banzhaf": f"(quota={self.quota:g}, max_exact={self.max_exact})"}
        return self.name + extra.get(self.name, "")


def _resolve_model(func, control_model, holdings):
    if isinstance(control_model, pd.DataFrame):
        return control_model
    if isinstance(control_model, ControlModel):
        model = control_model
    elif isinstance(control_model, str):
        check_choice(func, "control_model", control_model, CONTROL_MODELS,
                     fix="Or pass ControlModel(name, ...) or a DataFrame of control weights.")
        model = ControlModel(control_model)
    else:
        raise InvalidParameterError(param_message(
            func, "control_model", f"one of {CONTROL_MODELS}, a ControlModel or a DataFrame "
            "with columns owner, firm, control", type(control_model).__name__))
    if model.name == "voting" and not holdings.control_given:
        raise InvalidParameterError(param_message(
            func, "control_model", "'voting' only with holdings that have a control column",
            "voting", "Pass control=<column> to read_holdings, or use 'proportional'."))
    return model


# ----------------------------------------------------------------------- control models

def _row_ids(M):
    return np.repeat(np.arange(M.shape[0]), np.diff(M.indptr))


def _banzhaf_row(v, quota, max_exact):
    """Banzhaf indices of blockholders with votes ``v`` (fractions of the firm)."""
    total = max(1.0, float(v.sum()))
    w = v / total
    order = np.argsort(-w, kind="stable")
    m = min(len(w), max_exact)
    top = order[:m]
    fringe_half = (1.0 - w[top].sum()) / 2.0  # small holders beyond the cap join the ocean
    wt = w[top]
    sums = np.zeros(1)
    for x in wt:
        sums = np.concatenate([sums, sums + x])
    codes = np.arange(sums.size)
    out = np.zeros(len(w))
    eps = 1e-12
    for a in range(m):
        without = sums[((codes >> a) & 1) == 0] + fringe_half
        piv = (without <= quota + eps) & (without + wt[a] > quota + eps)
        out[top[a]] = piv.sum() / without.size
    return out, len(w) > max_exact


def _apply_model(model, V, P, notes):
    """Control weights G (firms x owners CSR) from voting stakes V and cash flow P."""
    G = V.copy()
    G.eliminate_zeros()
    rows = _row_ids(G)
    if model.name in ("proportional", "voting"):
        return G
    if model.name == "power":
        mass = np.asarray(G.sum(axis=1)).ravel()
        G.data = G.data ** model.exponent
        pmass = np.asarray(G.sum(axis=1)).ravel()
        scale = np.divide(mass, pmass, out=np.zeros_like(mass), where=pmass > 0)
        G.data *= scale[rows]
        return G
    if model.name == "size":
        size = np.asarray(P.sum(axis=0)).ravel()
        inv = np.divide(1.0, size, out=np.zeros_like(size), where=size > 0)
        G.data *= inv[G.indices]
        return G
    if model.name == "sole":
        for r in range(G.shape[0]):
            a, b = G.indptr[r], G.indptr[r + 1]
            if b > a and G.data[a:b].max() > model.threshold:
                top = a + int(np.argmax(G.data[a:b]))
                G.data[a:b] = 0.0
                G.data[top] = 1.0
        G.eliminate_zeros()
        return G
    # banzhaf
    capped = 0
    for r in range(G.shape[0]):
        a, b = G.indptr[r], G.indptr[r + 1]
        if b > a:
            G.data[a:b], hit = _banzhaf_row(G.data[a:b].copy(), model.quota, model.max_exact)
            capped += hit
    if capped:
        notes.append(f"Banzhaf: {capped} firm(s) have more than {model.max_exact} "
                     "blockholders; the smaller ones were treated as part of the oceanic "
                     "fringe (control weight 0).")
    G.eliminate_zeros()
    return G


def _user_gamma(func, gamma, holdings, period, firm_index, owner_index):
    need = {"owner", "firm", "control"} | ({"period"} if holdings.has_period else set())
    missing = need - set(gamma.columns)
    if missing:
        raise SchemaError(
            f"{func}: a DataFrame passed as control_model needs columns {sorted(need)}; "
            f"missing {sorted(missing)}. Rename the columns of the control weights.")
    g = gamma
    if holdings.has_period:
        g = g[g["period"] == period]
    vals = pd.to_numeric(g["control"], errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(vals).all() or (vals < 0).any():
        raise InvalidHoldingsError(
            f"{func}: user control weights must be finite and non-negative; correct the "
            "'control' column of the DataFrame passed as control_model.")
    r = firm_index.get_indexer(g["firm"])
    c = owner_index.get_indexer(g["owner"])
    if (c < 0).any():
        bad = g["owner"].to_numpy()[np.flatnonzero(c < 0)[0]]
        raise InvalidHoldingsError(
            f"{func}: the control weights name owner {bad!r}, which holds no stake in the "
            "holdings for this period. Add its stakes to the holdings (cash_flow may be 0).")
    keep = r >= 0
    return sp.csr_matrix((vals[keep], (r[keep], c[keep])),
                         shape=(len(firm_index), len(owner_index)))


# ------------------------------------------------------------------------- structure

@dataclass
class _Structure:
    """Private: G and integrated B for one period (rows = firms, columns = owners)."""

    firms: pd.Index
    owners: pd.Index
    G: sp.csr_matrix
    B: sp.csr_matrix
    no_holdings: list = field(default_factory=list)
    no_control: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def no_sets(self):
        """(firms without holdings, firms without a controlling owner) as sets."""
        cached = getattr(self, "_no_sets", None)
        if cached is None:
            cached = self._no_sets = (set(self.no_holdings), set(self.no_control))
        return cached

    def kappa(self, rows=None, *, sparse=False):
        """κ for the firms at positions ``rows`` (all when None)."""
        G, B = (self.G, self.B) if rows is None else (self.G[rows], self.B[rows])
        return _kappa(B, G, sparse=sparse)

    def kappa_blocks(self, positions):
        """Dense κ blocks, one per list of firm positions (one market each), in one call.

        The markets are stacked as a block-diagonal problem: each market gets its own
        copy of the owner columns, so one call of the overlap kernel (sparse output)
        computes every within-market pair and nothing across markets.
        """
        sizes = np.array([len(p) for p in positions], dtype=np.int64)
        allpos = np.concatenate(positions) if len(positions) else np.zeros(0, np.int64)
        n = int(allpos.size)
        gid = np.repeat(np.arange(len(positions), dtype=np.int64), sizes)
        Gc = self.G[allpos].tocoo()
        Bc = self.B[allpos].tocoo()
        n_own = np.int64(self.G.shape[1])
        keys = np.concatenate([gid[Gc.row] * n_own + Gc.col, gid[Bc.row] * n_own + Bc.col])
        codes, uniq = pd.factorize(keys)
        m = len(uniq)
        Gs = sp.csr_matrix((Gc.data, (Gc.row, codes[:Gc.nnz])), shape=(n, m))
        Bs = sp.csr_matrix((Bc.data, (Bc.row, codes[Gc.nnz:])), shape=(n, m))
        Gs.sort_indices()
        Bs.sort_indices()
        S = _kappa(Bs, Gs, sparse=True).tocoo()
        starts = np.concatenate([[0], np.cumsum(sizes)])
        offsets = np.concatenate([[0], np.cumsum(sizes * sizes)])
        flat = np.zeros(int(offsets[-1]))
        g = gid[S.row]
        flat[offsets[g] + (S.row - starts[g]) * sizes[g] + (S.col - starts[g])] = S.data
        blocks = []
        for i, k in enumerate(sizes):
            K = flat[offsets[i]:offsets[i + 1]].reshape(k, k)
            np.fill_diagonal(K, 1.0)
            blocks.append(K)
        return blocks


def _kappa(B, G, *, sparse=False):
    """κ = diag(<g_j, b_j>)^-1 · G Bᵀ (rows: firms that weigh; columns: firms weighed).

    Computed by the overlap kernel, :func:`concentration.overlap` with
    ``metric="kappa"`` (rows = firms, columns = owners).  Small problems (fewer than
    :data:`_ONE_THREAD_NNZ` stored stakes) run on one thread: starting the OpenMP team
    costs more than the work (measured: 0.5 ms on one thread vs 20 ms on two for a
    2-firm market; 11 ms vs 63 ms for 1,000 firms x 10,000 owners, 50,000 stakes).
    """
    nt = 1 if B.nnz + G.nnz < _ONE_THREAD_NNZ else None
    return overlap(B, metric="kappa", control=G, output="csr" if sparse else "dense",
                   n_threads=nt)


def _spectral_radius(C):
    n = C.shape[0]
    if n == 0:
        return 0.0
    colsum = np.asarray(abs(C).sum(axis=0)).ravel()
    if colsum.max(initial=0.0) < 1.0:
        return float(colsum.max(initial=0.0))  # an upper bound below one suffices
    if n <= 3000:
        return float(np.abs(np.linalg.eigvals(C.toarray())).max())
    from scipy.sparse.linalg import eigs

    return float(np.abs(eigs(C.astype(float), k=1, which="LM",
                             return_eigenvectors=False)).max())


def _structure(func, holdings: Holdings, model, period, firms):
    t = holdings.table
    if holdings.has_period:
        t = t[t["period"] == period]
    # factorize once; labels are looked up per distinct value, not per holding
    fcodes, hfirms = pd.factorize(t["firm"])
    c, owner_labels = pd.factorize(t["owner"])
    if firms is None:
        universe = pd.Index(sorted(hfirms, key=str))
    else:
        listed = set(firms)
        extra = [f for f in sorted(hfirms, key=str) if f not in listed]
        universe = pd.Index(list(firms) + extra)
    owners = pd.Index(owner_labels)
    notes: list = []
    r = universe.get_indexer(hfirms)[fcodes]
    shape = (len(universe), len(owners))
    P = sp.csr_matrix((t["cash_flow"].to_numpy(), (r, c)), shape=shape)
    V = sp.csr_matrix((t["control"].to_numpy(), (r, c)), shape=shape)
    if isinstance(model, pd.DataFrame):
        G = _user_gamma(func, model, holdings, period, universe, owners)
    else:
        G = _apply_model(model, V, P, notes)

    # cross-ownership: owners that are firms of the universe
    fo_pos = universe.get_indexer(owners)            # firm row of each owner, or -1
    co = np.flatnonzero(fo_pos >= 0)                  # owner columns that are firms
    Fo = fo_pos[co]                                   # their firm rows
    B = P
    if co.size:
        Pc = P[:, co].tocsc()                         # Pc[j, a] = A[Fo[a], j]
        A_oo = Pc[Fo, :].T.tocsr()                    # A[Fo[a], Fo[b]]
        rho = _spectral_radius(A_oo)
        if rho >= 1.0 - 1e-9:
            raise ConvergenceError(
                f"{func}: the cross-ownership stakes among firms form cycles whose "
                f"integrated ownership does not converge (spectral radius {rho:.4g} >= 1; "
                "e.g. two firms each holding all of the other). Check the firm-to-firm "
                "stakes: each firm's stakes held by other firms must sum below one along "
                "every cycle.")
        # rows of (I - A)^-1 for firm-owners: M_Fo = X (E_Fo + A[Fo, :] with Fo cols zeroed)
        X = np.linalg.inv(np.eye(co.size) - A_oo.toarray())
        A_rows = Pc.T.tocsr().tolil()
        A_rows[:, Fo] = 0.0
        E = sp.csr_matrix((np.ones(co.size), (np.arange(co.size), Fo)),
                          shape=(co.size, len(universe)))
        M_Fo = sp.csr_matrix(X) @ (E + A_rows.tocsr())
        N_Fo = (M_Fo - E).tocsr()                     # rows Fo of (I - A)^-1 - I
        B = (P + N_Fo.T @ P[Fo, :]).tocsr()
        B = B + sp.csr_matrix((np.ones(co.size), (Fo, co)), shape=shape)
        notes.append(f"Cross-ownership: {co.size} owner(s) are firms; cash-flow rights "
                     "integrated through (I - A)^-1.")
    B = sp.csr_matrix(B)
    B.eliminate_zeros()

    # firms without holdings data or without a controlling owner: own-profit weight only
    mass = np.asarray(G.sum(axis=1)).ravel()
    zero = np.flatnonzero(mass <= 0)
    in_holdings = set(hfirms)
    no_holdings = [universe[z] for z in zero if universe[z] not in in_holdings]
    no_control = [universe[z] for z in zero if universe[z] in in_holdings]
    if zero.size:
        # the firm's own entity controls it: an existing owner column when the firm is a
        # firm-owner (its integrated payoff is already there), else a new column whose
        # cash-flow claim is its own profit (its row of (I - A)^-1 is e_f).
        new_labels, gr, gc = [], [], []
        owner_pos = {o: i for i, o in enumerate(owners)}
        n_own = len(owners)
        for z in zero:
            lab = universe[z]
            gr.append(z)
            if lab in owner_pos:
                gc.append(owner_pos[lab])
            else:
                gc.append(n_own + len(new_labels))
                new_labels.append(lab)
        new_rows = [z for z, col in zip(gr, gc) if col >= n_own]
        new_cols = [col for col in gc if col >= n_own]
        br, bc, bv = new_rows, new_cols, np.ones(len(new_rows))
        n_cols = n_own + len(new_labels)
        G = sp.csr_matrix((G.data, G.indices, G.indptr), shape=(len(universe), n_cols))
        G = (G + sp.csr_matrix((np.ones(len(gr)), (gr, gc)), shape=G.shape)).tocsr()
        B = sp.csr_matrix((B.data, B.indices, B.indptr), shape=(len(universe), n_cols))
        B = (B + sp.csr_matrix((bv, (br, bc)), shape=B.shape)).tocsr()
        owners = owners.append(pd.Index(new_labels)) if new_labels else owners
    denom = np.asarray(G.multiply(B).sum(axis=1)).ravel()
    bad = np.flatnonzero(denom <= 0)
    if bad.size:
        raise InvalidHoldingsError(
            f"{func}: the owners that control firm {universe[bad[0]]!r} hold no cash-flow "
            f"rights in it (sum_i gamma_ij beta_ij = 0), so its profit weights are undefined "
            f"({bad.size} firm(s)). Add their cash-flow stakes, or strip their control.")
    G.sort_indices()
    B.sort_indices()
    return _Structure(firms=universe, owners=owners, G=G, B=B, no_holdings=no_holdings,
                      no_control=no_control, notes=notes)


def _periods(func, holdings, period):
    if not holdings.has_period:
        if period is not None:
            raise InvalidParameterError(param_message(
                func, "period", "None (these holdings have no period column)", period))
        return [None]
    present = holdings.periods
    if period is None:
        return present
    if period not in present:
        raise InvalidParameterError(param_message(
            func, "period", f"one of the holdings' periods {present[:10]}", period))
    return [period]


@_dask.dispatch_ownership("profit_weights")
def profit_weights(holdings, *, control_model="proportional", firms=None, period=None,
                   output="frame"):
    r"""Profit weights κ_jk of every firm j on every firm k, from holdings.

    .. math:: \kappa_{jk} = \frac{\sum_i \gamma_{ij}\,\beta_{ik}}{\sum_i \gamma_{ij}\,\beta_{ij}}

    **Orientation: ``kappa.loc[j, k]`` = κ_jk is the weight firm j's managers (row)
    place on firm k's profit (column).  κ is not symmetric; κ_jj = 1.**  β_ik is
    owner i's cash-flow stake in firm k (integrated through chains of
    cross-ownership, see :mod:`concentration.ownership`), γ_ij its control weight in
    firm j from the chosen control model [OS]_, [BCS]_.

    Parameters
    ----------
    holdings : Holdings
        From :func:`concentration.read_holdings`.
    control_model : str, ControlModel or pandas.DataFrame, default "proportional"
        One of ``"proportional"``, ``"voting"``, ``"power"``, ``"size"``,
        ``"banzhaf"``, ``"sole"`` (see :class:`ControlModel`), an instance with
        parameters, or user control weights (columns ``owner``, ``firm``,
        ``control`` and ``period`` when the holdings have periods).
    firms : list, optional
        Firms for the rows and columns, in this order (e.g. the firms of a market).
        Firms absent from the holdings get κ_jj = 1 and κ_jk = 0 (their own profit
        only) and are listed in ``attrs["no_holdings"]``.  Default: every firm with
        holdings, sorted.
    period : optional
        One period of the holdings; default every period.
    output : {"frame", "dense", "sparse", "long"}, default "frame"
        ``"frame"``: a square DataFrame (rows = firms that weigh, columns = firms
        weighed); with several periods the rows are indexed by (period, firm).
        ``"dense"`` / ``"sparse"``: a NumPy array / SciPy CSR matrix in the order of
        ``firms`` (one period only) for large inputs.  ``"long"``: columns
        ``period``, ``firm`` (j), ``other`` (k), ``kappa`` (nonzero weights).

    Returns
    -------
    pandas.DataFrame, numpy.ndarray or scipy.sparse.csr_matrix
        κ.  DataFrames carry ``attrs`` ``orientation``, ``control_model``,
        ``control_note``, ``no_holdings``, ``no_control`` and ``notes``.

    Raises
    ------
    InvalidParameterError
        Unknown option or period; ``"voting"`` without a control column.
    InvalidHoldingsError
        A firm's controlling owners hold none of its cash flow.
    ConvergenceError
        Cross-ownership cycles whose integrated ownership does not converge.

    See Also
    --------
    mhhi : the modified HHI built from these weights.
    concentration.overlap : the kernel that computes κ (``metric="kappa"``).

    Examples
    --------
    Owner X holds 50 % of A and 10 % of B; Y holds 50 % of B.  A's managers weigh B
    at κ_AB = .5·.1 / (.5·.5) = 0.2; B's weigh A at κ_BA = .1·.5 / (.1² + .5²) ≈ 0.1923:

    >>> import pandas as pd, concentration as cn
    >>> h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X", "Y"],
    ...     "firm": ["A", "B", "B"], "cash_flow": [0.5, 0.1, 0.5]}))
    >>> k = cn.profit_weights(h)
    >>> round(float(k.loc["A", "B"]), 4), round(float(k.loc["B", "A"]), 4)
    (0.2, 0.1923)
    """
    func = "profit_weights"
    if not isinstance(holdings, Holdings):
        raise InvalidParameterError(param_message(
            func, "holdings", "a Holdings object", type(holdings).__name__,
            "Build it with concentration.read_holdings(df)."))
    check_choice(func, "output", output, KAPPA_OUTPUTS)
    model = _resolve_model(func, control_model, holdings)
    if firms is not None:
        firms = list(firms)
        if len(set(firms)) != len(firms):
            raise InvalidParameterError(param_message(func, "firms", "distinct firm labels",
                                                      firms))
    periods = _periods(func, holdings, period)
    if output in ("dense", "sparse") and len(periods) > 1:
        raise InvalidParameterError(param_message(
            func, "period", f"one period when output={output!r}", None,
            f"Pass period=<one of {periods[:5]}>."))
    label = "user-supplied" if isinstance(model, pd.DataFrame) else model.label
    frames, longs = [], []
    attrs = {"orientation": ORIENTATION, "control_model": label,
             "control_note": holdings.control_note, "no_holdings": [], "no_control": [],
             "notes": []}
    for p in periods:
        st = _structure(func, holdings, model, p, firms)
        n = len(st.firms) if firms is None else len(firms)
        rows = np.arange(n)
        K = st.kappa(rows if n < len(st.firms) else None, sparse=output in ("sparse", "long"))
        if n < len(st.firms):
            K = K[:, :n]
        if sp.issparse(K):
            K = K.tolil()
            K.setdiag(1.0)
            K = K.tocsr()
        else:
            np.fill_diagonal(K, 1.0)
        attrs["no_holdings"] += [(p, f) if p is not None else f for f in st.no_holdings]
        attrs["no_control"] += [(p, f) if p is not None else f for f in st.no_control]
        attrs["notes"] += st.notes
        labels = st.firms[:n]
        if output in ("dense", "sparse"):
            return K
        if output == "long":
            C = K.tocoo()
            longs.append(pd.DataFrame({"period": p, "firm": labels[C.row],
                                       "other": labels[C.col], "kappa": C.data}))
            continue
        frame = pd.DataFrame(K, index=pd.Index(labels, name="firm"),
                             columns=pd.Index(labels, name="other"))
        frames.append((p, frame))
    if output == "long":
        out = pd.concat(longs, ignore_index=True)
        if not holdings.has_period:
            out = out.drop(columns="period")
        out = out.sort_values([c for c in ("period", "firm", "other") if c in out.columns],
                              kind="stable", ignore_index=True)
    elif len(frames) == 1:
        out = frames[0][1]
    else:
        out = pd.concat({p: f for p, f in frames}, names=["period", "firm"])
    out.attrs.update(attrs)
    return out


# ------------------------------------------------------------------------------ MHHI

#: Elhauge's proposed enforcement threshold, in his words: action against "any horizontal
#: stock acquisitions that have created, or would create, a ΔMHHI of over 200 in a
#: market with an MHHI over 2500", if "those horizontal stock acquisitions raised prices
#: or are likely to do so".  One tier only; both comparisons strict ("over").
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
    ``mhhi_delta`` (points, 0-10,000), ``n_firms`` and ``n_no_holdings``.

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
    """

    frame: pd.DataFrame
    control_model: str
    control_note: str
    no_holdings: pd.DataFrame
    notes: tuple = ()
    _groups: object = field(default=None, repr=False)
    _blocks: tuple = field(default=(), repr=False)
    _structures: dict = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Per market × period: ``hhi``, ``mhhi``, ``mhhi_delta``, ``n_firms``, ``n_no_holdings``."""
        return self.frame.copy()

    def _value(self, col):
        if self._groups is None:
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
        if len(self.no_holdings):
            notes.append("Firms without holdings data get only their own profit weight "
                         "(kappa_jj = 1, kappa_jk = 0); see .no_holdings.")
        return "Modified HHI (O'Brien-Salop)", facts, notes


@_dask.dispatch_ownership("mhhi")
def mhhi(shares, holdings, *, control_model="proportional", market="market", period="period",
         firm="firm", share="share", value=None, scale="fraction", holdings_period=None,
         duplicates="error", tolerance=DEFAULT_TOLERANCE) -> MHHI:
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
    shares : mapping, pandas.Series or pandas.DataFrame
        One market's shares ``{firm: share}`` or a long table (market, period, firm,
        share), validated like every share input.  Firm labels must match the
        holdings' firm labels.
    holdings : Holdings
        From :func:`concentration.read_holdings`.
    control_model : str, ControlModel or pandas.DataFrame, default "proportional"
        See :class:`ControlModel`.
    market, period, firm, share, value : str or None, optional
        Columns of ``shares`` (``None`` or an absent default: one market / period).
        When both shares and holdings have periods they are matched by label.
    scale : {"fraction", "percent"}, default "fraction"
        Unit of the shares.
    holdings_period : optional
        The holdings period to use when the shares have no period column.
    duplicates, tolerance
        As in :func:`concentration.hhi`.

    Returns
    -------
    MHHI
        ``to_frame()`` with columns ``hhi``, ``mhhi``, ``mhhi_delta``; ``by_pair()``,
        ``by_owner()``, ``screen()``, ``summary()``.

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
    model = _resolve_model(func, control_model, holdings)
    table = coerce_shares(shares, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, tolerance=tolerance,
                          func=func, fringe_note="MHHI covers the listed firms only.")
    if table.firms is None:
        raise InvalidParameterError(param_message(
            func, "firm", "a firm column (firm labels are matched to the holdings)", firm))
    # the holdings period of each share group
    keys = list(table.keys)
    pcol = period if (period is not None and period in keys) else None
    n_groups = table.n_groups
    if pcol is not None:
        if not holdings.has_period:
            gper = [None] * n_groups
        else:
            levels = (table.groups.get_level_values(pcol) if isinstance(table.groups,
                      pd.MultiIndex) else table.groups)
            gper = list(levels)
            missing = sorted(set(gper) - set(holdings.periods), key=str)
            if missing:
                raise InvalidHoldingsError(
                    f"{func}: the shares have period(s) {missing[:5]} for which the holdings "
                    f"have no rows (holdings periods: {holdings.periods[:5]}). Add holdings "
                    "for those periods or filter the shares.")
        if holdings_period is not None:
            raise InvalidParameterError(param_message(
                func, "holdings_period", "None when the shares have a period column",
                holdings_period))
    else:
        if holdings.has_period:
            holdings_period = resolve_holdings_period(func, holdings.periods, holdings_period)
        gper = [holdings_period] * n_groups
    order = np.argsort(table.codes, kind="stable")
    bounds = np.searchsorted(table.codes[order], np.arange(n_groups + 1))
    structures, period_rows = {}, {}
    for p in dict.fromkeys(gper):
        members = [g for g in range(n_groups) if gper[g] == p]
        rows = np.concatenate([order[bounds[g]:bounds[g + 1]] for g in members])
        period_rows[p] = (members, rows)
        firms_p = list(pd.unique(table.firms[rows]))
        structures[p] = _structure(func, holdings, model, p, firms_p)
    eye_cache = {}
    blocks, records, missing_rows = [], [], []
    kblocks = {}
    for p, st in structures.items():
        members, rows = period_rows[p]
        # one lookup for the period, split per market
        sizes = bounds[np.asarray(members) + 1] - bounds[np.asarray(members)]
        pos_list = np.split(st.firms.get_indexer(table.firms[rows]), np.cumsum(sizes)[:-1])
        n_u, total = len(st.firms), sum(len(q) for q in pos_list)
        if n_u * n_u <= _DENSE_KAPPA_MAX and total > n_u:
            # firms recur across markets: one dense κ for the period, sliced per market
            Kfull = st.kappa(None)
            blocks_p = []
            for q in pos_list:
                Kq = Kfull[np.ix_(q, q)]
                np.fill_diagonal(Kq, 1.0)
                blocks_p.append(Kq)
            del Kfull
        else:
            blocks_p = st.kappa_blocks(pos_list)
        kblocks.update(zip(members, zip(pos_list, blocks_p)))
    for g in range(n_groups):
        rows = order[bounds[g]:bounds[g + 1]]
        st = structures[gper[g]]
        firms_g = table.firms[rows]
        s = table.shares[rows]
        pos, K = kblocks[g]
        n = len(pos)
        I = eye_cache.get(n)
        if I is None:
            I = eye_cache[n] = sp.identity(n, format="csr")
        h = quadratic_form(s, I)
        m = quadratic_form(s, K)
        nh, nc = st.no_sets
        flagged = [(f, "no holdings data" if f in nh else "no controlling owner")
                   for f in firms_g if f in nh or f in nc]
        records.append((h, m, m - h, n, len(flagged)))
        for f, why in flagged:
            missing_rows.append((g, f, why))
        blocks.append((g, np.asarray(firms_g, dtype=object), s, K, (gper[g], pos)))
    frame = pd.DataFrame(records, columns=["hhi", "mhhi", "mhhi_delta", "n_firms",
                                           "n_no_holdings"])
    groups = table.groups
    frame.index = groups if groups is not None else pd.Index(["all"], name="market")
    nh_cols = {}
    if groups is not None:
        for lvl, name in enumerate(groups.names):
            vals = (groups.get_level_values(lvl) if isinstance(groups, pd.MultiIndex)
                    else groups)
            nh_cols[name] = [vals[g] for g, _, _ in missing_rows]
    no_h = pd.DataFrame({**nh_cols, "firm": [f for _, f, _ in missing_rows],
                         "reason": [w for _, _, w in missing_rows]})
    notes = []
    for st in structures.values():
        notes += [n for n in st.notes if n not in notes]
    label = "user-supplied" if isinstance(model, pd.DataFrame) else model.label
    return MHHI(frame=frame, control_model=label, control_note=holdings.control_note,
                no_holdings=no_h, notes=tuple(notes), _groups=groups, _blocks=tuple(blocks),
                _structures=structures)
