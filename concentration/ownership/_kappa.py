r"""Profit weights (κ) from holdings: control models and cross-ownership.

The O'Brien-Salop / Bresnahan-Salop profit weight of firm j on firm k is

.. math:: \kappa_{jk} = \frac{\sum_i \gamma_{ij}\,\beta_{ik}}{\sum_i \gamma_{ij}\,\beta_{ij}}

with :math:`\beta_{ik}` owner i's cash-flow stake in firm k and :math:`\gamma_{ij}`
its control weight in firm j.  **κ is not symmetric**: ``kappa.loc[j, k]`` is the
weight firm j's managers (row) place on firm k's profit (column); κ_jj = 1.

Control models (:mod:`concentration.ownership._control`) turn voting stakes into
control weights γ_ij.

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
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._dispatch import dispatchable
from .._entities import coerce_entities
from .._kernels import load
from .._pairwise import overlap
from .._progress import ProgressBar, check_progress, stage
from .._validation import check_choice, param_message
from ..exceptions import ConvergenceError, InvalidHoldingsError, InvalidParameterError
from ._control import apply_model, resolve_model, user_gamma
from ._holdings import Holdings, kept_structures, label_codes, stakes_table, table_handed_out

_OVERLAP = load("_overlap")

#: Fewer within-market pairs than this are computed on one thread.
_ONE_THREAD_PAIRS = 20_000
#: Markets of at most this many firms get their κ block from the within-market pairs
#: (:meth:`KappaStructure.kappa_pair_blocks`); larger ones from the overlap kernel.
_PAIR_BLOCK_MAX = 128

#: :meth:`KappaStructure.small_block` computes a block in Python floats when it takes at
#: most this many products (firms times the market's stored cash-flow stakes): a
#: market of a few firms and owners, where the arrays of the kernel call cost more.
_SMALL_BLOCK_WORK = 2048

__all__ = ["profit_weights", "ORIENTATION", "KAPPA_OUTPUTS", "KappaStructure", "kappa_structure",
           "kappa_periods", "ABOVE_ONE_COLUMNS", "ABOVE_ONE_CAUSES", "explain_above_one",
           "kappa_above_one"]

#: The orientation of κ, stated in every result.
ORIENTATION = ("kappa.loc[j, k] is the weight firm j's managers (row) place on firm k's "
               "profit (column); kappa is not symmetric.")

#: Values accepted by ``output``.
KAPPA_OUTPUTS = ("frame", "dense", "sparse", "long")

#: Columns of the frame of profit weights above one (after the grouping columns).
ABOVE_ONE_COLUMNS = ("firm", "other", "kappa", "controlling_owners", "cause", "explanation")

#: Why κ_jk can exceed one (O'Brien & Salop 2000 allow it): the owners that control j
#: hold more of k's profit than of j's.
ABOVE_ONE_CAUSES = {
    "rival_controls": "firm k itself holds a controlling stake in j (cross-ownership) and "
                      "receives all of its own profit",
    "common_owners": "j's controlling owners hold directly a larger cash-flow stake in k "
                     "than in j (common ownership)",
    "indirect": "j's controlling owners hold more of k than of j through chains of "
                "cross-ownership (integrated cash-flow rights)",
}

#: κ_jk above 1 + this is flagged (rounding in a ratio of sums is far smaller).
_ABOVE_ONE_TOL = 1e-9

#: The κ structures kept on a Holdings object (:func:`kappa_structure`) hold at most
#: this many stored stakes (nonzeros of B) per row of its table, the newest excepted:
#: a period's structure for two control models, or every period's for one.
_KEPT_PER_ROW = 2

#: Below this many stored stakes (cash flow plus control nonzeros) κ is computed on one
#: thread; thread start-up dominates smaller problems on the kernel's OpenMP path.
_ONE_THREAD_NNZ = 200_000


#: At most this many firm rows are kept as Python objects by a structure for
#: :meth:`KappaStructure.small_block` (each of at most _SMALL_BLOCK_WORK entries).
_SMALL_ROWS_KEPT = 1_024

#: At most this many labels are looked up by :meth:`KappaStructure.positions` in a dict.
_LOOKUP_MAX = 1_000


@dataclass
class KappaStructure:
    """Control weights G and integrated cash flow B of one period (rows firms, columns owners)."""

    firms: pd.Index
    owners: pd.Index
    G: sp.csr_matrix
    B: sp.csr_matrix
    no_holdings: list = field(default_factory=list)
    no_control: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    #: direct cash-flow stakes plus each firm-owner's claim on its own profit (no
    #: chains), same shape as B; None when not kept
    D: sp.csr_matrix | None = None

    def positions(self, labels) -> np.ndarray:
        """The row of each firm label in :attr:`firms` (-1 when absent), as int64.

        What ``firms.get_indexer(labels)`` gives; up to :data:`_LOOKUP_MAX` text labels
        of text firms are looked up in a dict built once per structure, which costs far
        less than the Index's hash-table call for the few firms of one market.  Other
        labels go to ``get_indexer``, which tells ``True`` from ``1`` where a dict
        does not.
        """
        rows = self.text_rows(labels)
        if rows is None:
            return np.asarray(self.firms.get_indexer(labels), dtype=np.int64)
        return np.array(rows, dtype=np.int64)

    def text_rows(self, labels):
        """:meth:`positions` as a list when the dict lookup applies, else None.

        It applies to up to :data:`_LOOKUP_MAX` labels, all of type str, of text firms.
        """
        if len(labels) > _LOOKUP_MAX or self.firms.inferred_type != "string":
            return None
        for f in labels:
            if type(f) is not str:
                return None
        lookup = getattr(self, "_lookup", None)
        if lookup is None:
            lookup = self._lookup = dict(zip(self.firms.tolist(), range(len(self.firms))))
        return [lookup.get(f, -1) for f in labels]

    @property
    def no_sets(self):
        """(firms without holdings, firms without a controlling owner) as sets."""
        cached = getattr(self, "_no_sets", None)
        if cached is None:
            cached = self._no_sets = (set(self.no_holdings), set(self.no_control))
        return cached

    def _small_row(self, k):
        """Firm row k as Python objects for :meth:`small_block`, or None when it is long.

        ``({owner column: control weight}, B's owner columns, B's values)``, the
        columns sorted and unrepeated.  Rows of at most :data:`_SMALL_BLOCK_WORK`
        stored entries are kept on the structure (up to :data:`_SMALL_ROWS_KEPT` of
        them), so a loop over deals converts each firm's row once.
        """
        kept = self.__dict__.get("_small_rows")
        if kept is None:
            for M in (self.G, self.B):   # sorted, unrepeated owner columns
                if not M.has_canonical_format:
                    M.sum_duplicates()
            kept = self._small_rows = {}
        got = kept.get(k)
        if got is not None:
            return got
        G, B = self.G, self.B
        a, b = int(G.indptr[k]), int(G.indptr[k + 1])
        c, d = int(B.indptr[k]), int(B.indptr[k + 1])
        if d - c > _SMALL_BLOCK_WORK:
            return None
        got = (dict(zip(G.indices[a:b].tolist(), G.data[a:b].tolist())),
               B.indices[c:d].tolist(), B.data[c:d].tolist())
        if len(kept) < _SMALL_ROWS_KEPT and b - a <= _SMALL_BLOCK_WORK:
            kept[k] = got
        return got

    def kappa(self, rows=None, *, sparse=False):
        """κ for the firms at positions ``rows`` (all when None)."""
        G, B = (self.G, self.B) if rows is None else (self.G[rows], self.B[rows])
        return _kappa(B, G, sparse=sparse)

    def market_blocks(self, positions):
        """Dense κ block of each market (a list of firm positions), from its own rows only.

        A market's block never depends on the other markets of the call, so the same
        market gets the same κ to the last bit in one call over all markets and in a
        Dask task of its period or market.  Markets of up to :data:`_PAIR_BLOCK_MAX`
        firms go through :meth:`kappa_pair_blocks` together; a larger market is one
        call of the overlap kernel on its rows (:meth:`kappa`).
        """
        out = [None] * len(positions)
        small = [i for i, p in enumerate(positions) if len(p) <= _PAIR_BLOCK_MAX]
        if small:
            for i, K in zip(small, self.kappa_pair_blocks([positions[i] for i in small])):
                out[i] = K
        for i, p in enumerate(positions):
            if out[i] is None:
                K = np.asarray(self.kappa(np.asarray(p, dtype=np.int64)))
                np.fill_diagonal(K, 1.0)
                out[i] = K
        return out

    def kappa_pair_blocks(self, positions, *, n_threads=None):
        r"""Dense κ blocks, one per list of firm positions, from the within-block pairs only.

        Each entry is :math:`\langle g_j, b_k\rangle / \langle g_j, b_j\rangle`: row j
        of G is scattered into a dense owner vector and every row k of B of the block
        is gathered against it, summing over the owners in column order
        (:func:`_overlap.block_dots`).  For many small markets this is far less work
        than κ over all their firms.
        """
        for M in (self.G, self.B):   # sorted, unrepeated owner columns
            if not M.has_canonical_format:
                M.sum_duplicates()
        sizes = np.array([len(p) for p in positions], dtype=np.int64)
        allpos = (np.concatenate(positions).astype(np.int64) if len(positions)
                  else np.zeros(0, np.int64))
        starts = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        offsets = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes * sizes, out=offsets[1:])
        flat = np.empty(int(offsets[-1]))
        if n_threads is None:   # a thread team costs more than a few thousand products
            n_threads = 1 if flat.size < _ONE_THREAD_PAIRS else 0
        g, b = _csr_arrays(self.G), _csr_arrays(self.B, self.G.indices.dtype)
        _OVERLAP.block_dots(*g, *b, allpos, starts, offsets, self.G.shape[1], flat,
                            n_threads)
        # each row j of a block divided by its ⟨g_j, b_j⟩ > 0 (kappa_structure), then
        # κ_jj = 1: over the flat blocks at once (row j of block i starts at
        # offsets[i] + j·k, its diagonal entry is offsets[i] + j·(k + 1))
        block = np.repeat(np.arange(sizes.size), sizes)           # block of each row
        j = np.arange(int(starts[-1]), dtype=np.int64) - starts[block]
        diag = offsets[block] + j * (sizes[block] + 1)
        flat /= flat[diag][np.repeat(np.arange(diag.size), sizes[block])]
        flat[diag] = 1.0
        cuts, ks = offsets.tolist(), sizes.tolist()
        return [flat[cuts[i]:cuts[i + 1]].reshape(k, k) for i, k in enumerate(ks)]

    def small_block(self, positions):
        r"""The κ block of one small market in Python floats, or None when it is not small.

        The sums of :meth:`kappa_pair_blocks` for ``positions`` (a list of firm rows):
        :math:`\langle g_j, b_k\rangle` adds row k of B's stored entries in column
        order to one accumulator, ``acc + g_jo * b_ko`` with ``g_jo = 0`` where row j
        of G has no entry, as ``_overlap.block_dots`` does (the kernels are compiled
        with ``-ffp-contract=off``: no fused multiply-add), then row j is divided by
        its :math:`\langle g_j, b_j\rangle` and :math:`\kappa_{jj} = 1`.  The same
        operations on the same doubles give the same block to the last bit, without the
        arrays and the kernel call that cost more than the products for a few firms.
        Returns the rows as lists, or None when the block needs more than
        :data:`_SMALL_BLOCK_WORK` products or a diagonal is not positive and finite
        (the caller then takes :meth:`market_blocks`).
        """
        rows = []
        for k in positions:
            got = self._small_row(k)
            if got is None:
                return None
            rows.append(got)
        n = len(positions)
        if n * sum(len(r[1]) for r in rows) > _SMALL_BLOCK_WORK:
            return None
        block = []
        for x, (dense, _, _) in enumerate(rows):
            row = []
            for _, cols, vals in rows:
                acc = 0.0
                for c, v in zip(cols, vals):
                    acc = acc + dense.get(c, 0.0) * v
                row.append(acc)
            d = row[x]
            if not 0.0 < d < math.inf:
                return None
            row = [v / d for v in row]
            row[x] = 1.0
            block.append(row)
        return block


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
    r"""Spectral radius ρ of the non-negative firm-to-firm stake matrix C, or a bound.

    Only ``ρ < 1`` matters (the Leontief series converges), so a bound below one is
    returned as it is, and a radius of at least one may come back as a lower bound.
    Decided without an iterative eigensolver, so it cannot fail to converge:

    1. the largest column sum, then the largest row sum, bound ρ (a norm bound);
    2. otherwise ρ is the largest radius of C's strongly connected components (C is
       block triangular in their order).  A component of one firm has radius
       :math:`|C_{ff}|`, so stakes without cycles (a chain of wholly owned
       subsidiaries) give ρ = 0 exactly;
    3. a component :math:`C_S` with cycles: its own norm bounds, then its dense
       eigenvalues up to 3,000 firms; above, sparse solves (:func:`_component_radius`).
    """
    n = C.shape[0]
    if n == 0:
        return 0.0
    C = abs(sp.csr_matrix(C))
    colsum = np.asarray(C.sum(axis=0)).ravel()
    if colsum.max(initial=0.0) < 1.0:
        return float(colsum.max(initial=0.0))  # an upper bound below one suffices
    rowsum = np.asarray(C.sum(axis=1)).ravel()
    if rowsum.max(initial=0.0) < 1.0 - 1e-9:
        return float(rowsum.max(initial=0.0))
    import scipy.sparse.csgraph as csgraph

    n_comp, label = csgraph.connected_components(C, directed=True, connection="strong")
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(n_comp + 1))
    sizes = np.diff(bounds)
    rho = float(np.abs(C.diagonal())[sizes[label] == 1].max(initial=0.0))
    for c in np.flatnonzero(sizes > 1):
        idx = order[bounds[c]:bounds[c + 1]]
        rho = max(rho, _component_radius(C[idx][:, idx].tocsr()))
    return rho


def _component_radius(S, steps=40):
    r"""ρ of one strongly connected (irreducible, non-negative) block, or a bound.

    Above 3,000 firms, sparse LU solves decide: :math:`(I - S/t) x = 1` has a positive
    solution exactly when ρ < t (it is :math:`\sum_n (S/t)^n 1`; and a positive x
    with :math:`S x = t (x - 1) < t x` gives ρ ≤ max_i (S x)_i / x_i < t by
    Collatz-Wielandt).  One solve at :math:`t = 1 - 2 \cdot 10^{-9}` settles the
    check; the bound max_i (S x)_i / x_i is returned.  Otherwise ρ lies between that t
    and the norm bound, and ``steps`` bisections on t give the lower end returned
    (for the message).
    """
    bound = float(min(np.asarray(S.sum(axis=0)).max(), np.asarray(S.sum(axis=1)).max()))
    if bound < 1.0 - 1e-9:
        return bound
    if S.shape[0] <= 3000:
        return float(np.abs(np.linalg.eigvals(S.toarray())).max())
    t = 1.0 - 2e-9
    x = _positive_solution(S, t)
    if x is not None:
        return float(np.max((S @ x) / x))
    lo, hi = t, bound
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if _positive_solution(S, mid) is None:
            lo = mid
        else:
            hi = mid
    return lo


def _positive_solution(S, t):
    """The solution x of (I - S/t) x = 1 if it is positive and finite (ρ(S) < t), else None."""
    import scipy.sparse.linalg as spla

    n = S.shape[0]
    with np.errstate(all="ignore"):
        try:
            x = spla.splu((sp.identity(n, format="csc") - S / t).tocsc()).solve(np.ones(n))
        except RuntimeError:  # I - S/t singular: ρ = t
            return None
        return x if np.all(np.isfinite(x)) and x.min() > 0 else None


def kappa_structure(func, holdings: Holdings, model, period, firms, *, any_order=False):
    """The :class:`KappaStructure` of one holdings period, kept on ``holdings``.

    Its firms are ``firms`` in this order followed by the other firms with
    holdings, sorted (every firm with holdings, sorted, when ``firms`` is None).
    For a built-in control model the structure is kept on the Holdings object (see
    :class:`Holdings`) under (period, model, firms), so that :func:`profit_weights`
    and :func:`mhhi` on the same holdings build it once.  Once the table has been
    handed out (:func:`concentration.ownership._holdings.table_handed_out`), a kept
    structure is used only if a CRC-32 of the period's stake values (and of its row
    mask) taken on this call matches the one it was kept with.

    With ``any_order`` the caller needs only that every firm of ``firms`` has a row
    (it looks rows up by label, as :func:`mhhi` does): a kept structure over all
    the firms with holdings serves when it lists each of them and the control
    model is row-wise (every built-in model but ``"size"``, whose owner sizes are
    sums over the firms).  Such a structure has the same set of firms, so each
    firm's row of G and B holds the same values in the same owner order, and every
    κ block and decomposition is the same to the last bit.
    """
    t = stakes_table(holdings)
    if isinstance(model, pd.DataFrame):   # user control weights: built for this call
        return _build_structure(func, holdings, model, period, firms,
                                *_period_stakes(holdings, t, period))
    kept = kept_structures(holdings)
    if table_handed_out(holdings):
        # a caller may have edited the table: the stakes it holds now are checked
        arrays = _period_stakes(holdings, t, period)
        check = (len(t), *(zlib.crc32(np.ascontiguousarray(a)) for a in arrays
                           if a is not None))
    else:
        # the table read_holdings made, never handed out: it holds the values every
        # kept structure was built from (see Holdings)
        arrays, check = None, (len(t),)
    if any_order and firms is not None and model.name != "size":
        hit = kept.get((period, model, None))
        if hit is not None and hit[0] == check:
            st = hit[1]
            rows = st.text_rows(firms)
            if (-1 not in rows) if rows is not None else (st.positions(firms) >= 0).all():
                return st
    # labels with their types: (True, False) == (1, 0), but they are other firms
    key = (period, model, None if firms is None else tuple((type(f), f) for f in firms))
    hit = kept.get(key)
    if hit is not None and hit[0] == check:
        return hit[1]
    st = _build_structure(func, holdings, model, period, firms,
                          *(arrays or _period_stakes(holdings, t, period)))
    _keep(kept, key, check, st, len(t))
    return st


def _period_stakes(holdings, t, period):
    """``(rows, cash_flow, control)`` of ``period`` in table ``t`` (rows None: all)."""
    rows = (t["period"] == period).to_numpy() if holdings.has_period else None
    cash_flow, control = (t[c].to_numpy() for c in ("cash_flow", "control"))
    if rows is not None:
        cash_flow, control = cash_flow[rows], control[rows]
    return rows, cash_flow, control


def _keep(kept, key, check, st, n_rows):
    """Keep ``st`` under ``key``; drop the oldest structures while those kept hold
    more stored stakes than :data:`_KEPT_PER_ROW` times ``n_rows`` (the rows of the
    holdings table); the newest is kept whatever its size."""
    kept.pop(key, None)
    kept[key] = (check, st)
    held = list(kept.items())       # a copy: another thread may keep one meanwhile
    total = sum(v[1].B.nnz for _, v in held)
    for old, v in held[:-1]:
        if total <= _KEPT_PER_ROW * n_rows:
            break
        kept.pop(old, None)
        total -= v[1].B.nnz


def _build_structure(func, holdings, model, period, firms, rows, cash_flow, control):
    """The :class:`KappaStructure` of :func:`kappa_structure`, built from the stakes of
    the period's ``rows`` (all when None)."""
    # the label codes kept by read_holdings (labels looked up per distinct value)
    fcodes, hfirms = label_codes(holdings, "firm", rows)
    c, owner_labels = label_codes(holdings, "owner", rows)
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
    P, V = _stake_matrices(r, c, shape, cash_flow, control)
    if isinstance(model, pd.DataFrame):
        G = user_gamma(func, model, holdings, period, universe, owners)
    else:
        G = apply_model(model, V, P, notes)

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
    new_rows, new_cols = [], []
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
    direct = sp.csr_matrix((P.data, P.indices, P.indptr), shape=B.shape)
    if co.size:
        direct = direct + sp.csr_matrix((np.ones(co.size), (Fo, co)), shape=B.shape)
    if zero.size and new_rows:
        direct = direct + sp.csr_matrix((np.ones(len(new_rows)), (new_rows, new_cols)),
                                        shape=B.shape)
    return KappaStructure(firms=universe, owners=owners, G=G, B=B, no_holdings=no_holdings,
                          no_control=no_control, notes=notes, D=direct.tocsr())


def _stake_matrices(r, c, shape, cash_flow, control):
    """Cash-flow and control CSR matrices (firms x owners) of the stakes at (r[e], c[e]).

    Both share one sparsity pattern: the entries and both values are put in CSR order
    once, by two stable counting sorts (:func:`_overlap.coo_to_csr`), instead of
    sorting each matrix's rows.  A repeated (firm, owner) pair (not left by
    :func:`read_holdings`, which refuses or sums them) is added up as
    ``scipy.sparse`` does.
    """
    r = np.ascontiguousarray(r, dtype=np.int64)
    c = np.ascontiguousarray(c, dtype=np.int64)
    cash_flow = np.ascontiguousarray(cash_flow, dtype=np.float64)
    control = np.ascontiguousarray(control, dtype=np.float64)
    in_range = r.size == 0 or (r.min() >= 0 and c.min() >= 0 and r.max() < shape[0]
                               and c.max() < shape[1])
    if in_range:
        indptr, index, cf, ct, n_rep = _OVERLAP.coo_to_csr(r, c, cash_flow, control,
                                                           shape[0], shape[1], 0)
    if not in_range or n_rep:
        return (sp.csr_matrix((cash_flow, (r, c)), shape=shape),
                sp.csr_matrix((control, (r, c)), shape=shape))
    out = []
    for data in (cf, ct):
        M = sp.csr_matrix((data, index, indptr), shape=shape)
        M.has_sorted_indices = True
        out.append(M)
    return tuple(out)


def _csr_arrays(M, index_dtype=None):
    """``(indptr as int64, indices, data as float64)`` of CSR ``M``, C-contiguous, for the
    pair kernels (indices cast to ``index_dtype`` so both matrices share one type)."""
    ind = M.indices if index_dtype is None else M.indices.astype(index_dtype, copy=False)
    return (np.ascontiguousarray(M.indptr, dtype=np.int64), np.ascontiguousarray(ind),
            np.ascontiguousarray(M.data, dtype=np.float64))


def explain_above_one(st, rows, cols, values):
    """The frame of κ_jk > 1 for firm positions ``rows`` (j) and ``cols`` (k) of ``st``.

    Columns :data:`ABOVE_ONE_COLUMNS`: ``controlling_owners`` lists the owners with
    control in j whose (integrated) cash-flow stake in k exceeds their stake in j,
    largest excess first; ``cause`` is a key of :data:`ABOVE_ONE_CAUSES`.
    """
    owners = np.asarray(st.owners, dtype=object)
    firms = np.asarray(st.firms, dtype=object)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    uniq = np.unique(cols)
    # the owner column of each firm k that is itself an owner (-1 when it is not)
    owner_of = dict(zip(uniq.tolist(), st.owners.get_indexer(st.firms[uniq]).tolist()))
    G, B, D = st.G, st.B, st.D
    for M in (G, B, D):
        if not M.has_canonical_format:
            M.sum_duplicates()
    # every (pair, owner with control in j) entry: its control weight and stakes
    ptr = G.indptr.astype(np.int64)
    lens = np.diff(ptr)[rows]
    start = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(lens, out=start[1:])
    at = np.repeat(ptr[rows] - start[:-1], lens) + np.arange(int(start[-1]), dtype=np.int64)
    g_owner, g_val = G.indices[at], np.asarray(G.data, dtype=np.float64)[at]

    g_ptr, g_ind, _ = _csr_arrays(G)
    first = np.ascontiguousarray(start[:-1])

    def stakes(M, which):
        """M[which[p], i] at each entry (pair p, owner i) (0 where M has no entry)."""
        out = np.empty(int(start[-1]))
        _OVERLAP.pair_lookup(g_ptr, g_ind, *_csr_arrays(M, g_ind.dtype), rows,
                             np.ascontiguousarray(which), first, out)
        return out

    b_j, b_k = stakes(B, rows), stakes(B, cols)
    excess_all = g_val * (b_k - b_j)
    dk_all, dj_all = g_val * stakes(D, cols), g_val * stakes(D, rows)
    out = []
    for p, (j, k, kap) in enumerate(zip(rows.tolist(), cols.tolist(),
                                        np.asarray(values).tolist())):
        a, b = start[p], start[p + 1]
        gi, gv, bj, bk = g_owner[a:b], g_val[a:b], b_j[a:b], b_k[a:b]
        fj, fk = firms[j], firms[k]
        mass = sum(gv.tolist())
        pos = gv > 0
        excess = excess_all[a:b]
        cand = np.flatnonzero(pos & (excess > 0))
        ranked = cand[np.argsort(-excess[cand], kind="stable")]
        ko = owner_of[k]
        i_k = np.flatnonzero(pos & (gi == ko)) if ko >= 0 else ()
        if len(i_k):
            i = int(i_k[0])
            cause = "rival_controls"
            text = (f"{fk!s} holds {gv[i] / mass:.1%} of the control weight in {fj!s} and all "
                    f"of its own profit, against {bj[i]:.1%} of {fj!s}'s: {fj!s}'s "
                    f"managers weigh {fk!s}'s profit {kap:.3g} times their own.")
        else:
            num = sum(dk_all[a:b].tolist())
            den = sum(dj_all[a:b].tolist())
            direct = num > den * (1.0 + _ABOVE_ONE_TOL)
            cause = "common_owners" if direct else "indirect"
            top = int(ranked[0]) if ranked.size else int(np.argmax(gv))
            how = "directly" if direct else "through cross-ownership"
            text = (f"{owners[gi[top]]!s} ({gv[top] / mass:.1%} of the control weight in "
                    f"{fj!s}) holds {bk[top]:.1%} of {fk!s} and "
                    f"{bj[top]:.1%} of {fj!s} {how}: {fj!s}'s managers weigh "
                    f"{fk!s}'s profit {kap:.3g} times their own.")
        names = "; ".join(map(str, owners[gi[ranked]].tolist()))
        out.append((fj, fk, float(kap), names, cause, text))
    return pd.DataFrame(out, columns=list(ABOVE_ONE_COLUMNS))


def _above_one(st, K, n, period):
    """κ > 1 entries of the (n x n, dense or sparse) κ of the first n firms of ``st``."""
    if sp.issparse(K):
        C = K.tocoo()
        hit = (C.data > 1.0 + _ABOVE_ONE_TOL) & (C.row != C.col)
        r, c, v = C.row[hit], C.col[hit], C.data[hit]
    else:
        mask = K > 1.0 + _ABOVE_ONE_TOL
        np.fill_diagonal(mask, False)
        r, c = np.nonzero(mask)
        v = K[r, c]
    frame = explain_above_one(st, r, c, v)
    if period is not None:
        frame.insert(0, "period", period)
    return frame


def kappa_periods(func, holdings, period):
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


@dispatchable(data=("holdings",), keys=(), options=("reduce",))
def profit_weights(holdings, *, control_model="proportional", firms=None, period=None,
                   output="frame", parent=None, at=None, as_of="snapshot", max_age=None,
                   progress=False):
    r"""Profit weights κ_jk of every firm j on every firm k, from holdings.

    .. math:: \kappa_{jk} = \frac{\sum_i \gamma_{ij}\,\beta_{ik}}{\sum_i \gamma_{ij}\,\beta_{ij}}

    **Orientation: ``kappa.loc[j, k]`` = κ_jk is the weight firm j's managers (row)
    place on firm k's profit (column).  κ is not symmetric; κ_jj = 1.**  β_ik is
    owner i's cash-flow stake in firm k (integrated through chains of
    cross-ownership, see :mod:`concentration.ownership`), γ_ij its control weight in
    firm j from the chosen control model [OS]_, [BCS]_.

    Parameters
    ----------
    holdings : Holdings or dask.dataframe.DataFrame
        From :func:`concentration.read_holdings` (a Dask DataFrame from
        ``read_holdings(..., engine="dask")``).
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
    parent : mapping, pandas.Series, pandas.DataFrame or None, optional
        The entity model (as in :func:`concentration.read_holdings`): owners and
        firms of the holdings are joined to their ultimate parents with the links in
        force at each holdings period's end (or at ``at``), and the labels of
        ``firms`` with every link (or those in force at ``at``); what was joined is
        in ``attrs["entities"]`` (records with ``role``, ``name``, ``entity``).
    at : date, optional
        Use the holdings in force at this date (see :meth:`Holdings.as_of`): the
        result has one period, and ``attrs["holdings_as_of"]`` the date of the
        latest stake used.  Requires dated holdings; excludes ``period``.
    as_of : {"snapshot", "stake"}, default "snapshot"
        With ``at``: the latest holdings period used whole, or each stake carried
        forward (see :func:`concentration.mhhi`).
    max_age : pandas.Timedelta, str or None, optional
        With ``at``: leave out holdings older than this.

    progress : bool or callable, default False
        Show a progress bar over the holdings periods (``True``; tqdm when
        installed), or call ``progress(done, total, label)`` after each period.  Each
        stage (the cross-ownership structure, the κ kernel) is also logged at INFO
        level on the ``"concentration"`` logger.

    Returns
    -------
    pandas.DataFrame, numpy.ndarray or scipy.sparse.csr_matrix
        κ.  DataFrames carry ``attrs`` ``orientation``, ``control_model``,
        ``control_note``, ``no_holdings``, ``no_control``, ``notes`` and
        ``kappa_above_one``.

        ``attrs["kappa_above_one"]`` flags every κ_jk above one (as records, one dict
        per pair; :func:`kappa_above_one` returns them as a DataFrame), which
        O'Brien-Salop allow: κ_jk > 1 exactly when the owners that control j hold,
        weighted by their control, more of k's profit than of j's (Σ_i γ_ij β_ik >
        Σ_i γ_ij β_ij).  Keys ``period`` (with periods), ``firm`` (j), ``other``
        (k), ``kappa``, ``controlling_owners`` (the owners with control in j whose
        stake in k exceeds their stake in j, largest excess first, ``"; "``-joined),
        ``cause`` (``"rival_controls"``: k itself holds a controlling stake in j
        and all of its own profit; ``"common_owners"``: j's controlling owners hold
        more of k directly; ``"indirect"``: through chains of cross-ownership) and
        ``explanation`` (one sentence with the numbers).

        With a Dask DataFrame of holdings (columns as returned by
        ``read_holdings(..., engine="dask")``; each period is validated by
        :func:`concentration.read_holdings` in its task), the same pandas / NumPy /
        SciPy result as the in-memory call on the same rows, computed per period on
        the workers and assembled on the client; with ``reduce``, a dict of reduced
        values per period instead.

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
    ent = coerce_entities(parent, func)
    as_of_note = {}
    if at is not None:
        if period is not None:
            raise InvalidParameterError(param_message(
                func, "period", "None when at= is given", period,
                "Pass either a holdings period (period=) or a date (at=)."))
        check_choice(func, "as_of", as_of, ("snapshot", "stake"))
        holdings = holdings.as_of(at, mode=as_of, max_age=max_age)
        as_of_note = {"holdings_as_of": holdings.as_of_date,
                      "holdings_note": None if holdings.as_of_date is not None
                      else holdings.history[-1]}
    elif max_age is not None or as_of != "snapshot":
        raise InvalidParameterError(param_message(
            func, "as_of" if as_of != "snapshot" else "max_age",
            "the default when at= is not given", as_of if as_of != "snapshot" else max_age,
            "Pass at=<date> to match holdings as of a date."))
    if ent is not None:
        holdings = holdings.with_entities(ent, at=at)
        if firms is not None:
            firms = list(dict.fromkeys(ent.resolve(list(firms), None if at is None
                                                   else pd.Timestamp(at))))
    model = resolve_model(func, control_model, holdings)
    if firms is not None:
        if isinstance(firms, (str, bytes)) or not np.iterable(firms):
            raise InvalidParameterError(param_message(
                func, "firms", "a list of firm labels", firms,
                "Pass a list, e.g. firms=['A', 'B'] (a single firm as firms=['A'])."))
        firms = list(firms)
        if len(set(firms)) != len(firms):
            raise InvalidParameterError(param_message(func, "firms", "distinct firm labels",
                                                      firms))
    periods = kappa_periods(func, holdings, period)
    if output in ("dense", "sparse") and len(periods) > 1:
        raise InvalidParameterError(param_message(
            func, "period", f"one period when output={output!r}", None,
            f"Pass period=<one of {periods[:5]}>."))
    label = "user-supplied" if isinstance(model, pd.DataFrame) else model.label
    frames, longs = [], []
    attrs = {"orientation": ORIENTATION, "control_model": label,
             "control_note": holdings.control_note, "no_holdings": [], "no_control": [],
             "notes": [], **as_of_note}
    if ent is not None:
        attrs["entities"] = holdings.entities.to_dict("records")
    above = []
    progress = check_progress(func, progress)
    started = stage(func, "%d holdings period(s), %d owners, %d firms, control: %s",
                    len(periods), len(holdings.owners), len(holdings.firms), label)
    bar = ProgressBar(progress, len(periods), func)
    for p in periods:
        shown = "all holdings" if p is None else f"period {p}"
        t = stage(func, "%s: cross-ownership structure", shown)
        st = kappa_structure(func, holdings, model, p, firms)
        stage(func, "%s: %d firms, computing kappa", shown, len(st.firms), start=t)
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
        if output in ("frame", "long"):
            above.append(_above_one(st, K, n, p if holdings.has_period else None))
        labels = st.firms[:n]
        if output in ("dense", "sparse"):
            bar.close()
            stage(func, "done", start=started)
            return K
        if output == "long":
            C = K.tocoo()
            longs.append(pd.DataFrame({"period": p, "firm": labels[C.row],
                                       "other": labels[C.col], "kappa": C.data}))
            bar.update()
            continue
        frame = pd.DataFrame(K, index=pd.Index(labels, name="firm"),
                             columns=pd.Index(labels, name="other"))
        frames.append((p, frame))
        bar.update()
    bar.close()
    stage(func, "done", start=started)
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
    attrs["kappa_above_one"] = (pd.concat(above, ignore_index=True).to_dict("records")
                                if above else [])
    out.attrs.update(attrs)
    return out


def kappa_above_one(holdings, *, control_model="proportional", firms=None, period=None,
                    parent=None, at=None, as_of="snapshot", max_age=None):
    r"""Every profit weight κ_jk above one, with the owners and the cause behind it.

    O'Brien-Salop profit weights may exceed one:

    .. math:: \kappa_{jk} = \frac{\sum_i \gamma_{ij}\,\beta_{ik}}
              {\sum_i \gamma_{ij}\,\beta_{ij}} > 1
              \iff \sum_i \gamma_{ij}\,\beta_{ik} > \sum_i \gamma_{ij}\,\beta_{ij}

    -- the owners that control firm j hold, weighted by their control, more of firm
    k's profit than of j's, so j's managers serve k's profit more than j's own
    [OS]_.  The most common cause is cross-ownership: a rival k holding a voting
    stake in j receives all of its own profit, so κ_jk = γ_kj / Σ_i γ_ij β_ij (14 %
    of Anthropic held by Alphabet with proportional control and no other listed
    owner: κ = 0.14 / 0.14² ≈ 7.14).

    Parameters
    ----------
    holdings, control_model, firms, period, parent, at, as_of, max_age
        As in :func:`profit_weights` (whose ``attrs["kappa_above_one"]`` holds the
        same rows as records).

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair with κ_jk > 1: ``period`` (when the holdings have
        periods), ``firm`` (j, whose managers weigh), ``other`` (k), ``kappa``,
        ``controlling_owners`` (owners with control in j whose integrated
        cash-flow stake in k exceeds their stake in j, largest excess first,
        ``"; "``-joined), ``cause`` (a key of :data:`ABOVE_ONE_CAUSES`:
        ``"rival_controls"``, ``"common_owners"`` or ``"indirect"``) and
        ``explanation`` (one sentence with the numbers).

    Examples
    --------
    X holds 10 % of A and 50 % of B and is A's only owner; A's managers weigh B's
    profit at κ_AB = .1·.5 / .1² = 5:

    >>> import pandas as pd, concentration as cn
    >>> h = cn.read_holdings(pd.DataFrame({"owner": ["X", "X", "Y"],
    ...     "firm": ["A", "B", "B"], "cash_flow": [0.1, 0.5, 0.5]}))
    >>> from concentration.ownership import kappa_above_one
    >>> kappa_above_one(h).round(6)[["firm", "other", "kappa", "cause"]].values.tolist()
    [['A', 'B', 5.0, 'common_owners']]
    """
    k = profit_weights(holdings, control_model=control_model, firms=firms, period=period,
                       output="long", parent=parent, at=at, as_of=as_of, max_age=max_age)
    records = k.attrs.get("kappa_above_one", [])
    cols = (["period"] if records and "period" in records[0] else []) + list(ABOVE_ONE_COLUMNS)
    return pd.DataFrame(records, columns=cols)


# ------------------------------------------------------------------------------ MHHI

#: Elhauge's proposed enforcement threshold, in his words: action against "any horizontal
#: stock acquisitions that have created, or would create, a ΔMHHI of over 200 in a
#: market with an MHHI over 2500", if "those horizontal stock acquisitions raised prices
#: or are likely to do so".  One tier only; both comparisons strict ("over").
