r"""Control models: how voting stakes become control weights γ.

A control model turns owner i's voting stake v_ij in firm j (the ``control`` column
of the holdings, or the cash-flow stake when control follows cash flow) into the
weight γ_ij that firm j's managers give owner i's interests.  Profit weights κ are
unchanged when a firm's γ row is multiplied by a positive constant, so the models
need not normalise γ.

* ``"proportional"`` and ``"voting"``: γ_ij = v_ij (cash-flow or voting stakes) [OS]_;
* ``"power"``: γ_ij ∝ v_ij^a, rescaled to the firm's voting mass;
* ``"size"``: γ_ij = v_ij / (size of owner i's portfolio), the ``kappa_CLWY`` of the
  Backus-Conlon-Sinkinson replication code [BCS]_;
* ``"sole"``: the largest blockholder above a threshold controls alone;
* ``"banzhaf"``: the Banzhaf power index of each blockholder in a weighted majority
  game with an oceanic fringe [Ban]_.

References
----------
.. [OS] O'Brien, D. P. and Salop, S. C. (2000). Competitive effects of partial
   ownership: financial interest and corporate control. Antitrust Law Journal
   67(3), 559-614.
.. [BCS] Backus, M., Conlon, C. and Sinkinson, M. (2021). Common ownership in
   America: 1980-2017. American Economic Journal: Microeconomics 13(3), 273-308.
.. [Ban] Banzhaf, J. F. (1965). Weighted voting doesn't work: a mathematical analysis.
   Rutgers Law Review 19(2), 317-343.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._validation import check_choice, check_int, check_number, param_message
from ..exceptions import InvalidHoldingsError, InvalidParameterError, SchemaError

__all__ = ["ControlModel", "CONTROL_MODELS", "resolve_model", "apply_model", "user_gamma"]

#: Names accepted by ``control_model``.
CONTROL_MODELS = ("proportional", "voting", "power", "size", "banzhaf", "sole")


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

    References
    ----------
    .. [BRV] Brito, D., Ribeiro, R. and Vasconcelos, H. (2018). Quantifying the coordinated
       effects of partial horizontal acquisitions. European Economic Review 110, 108-149.
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
        if self.name == "power":
            return f"power(a={self.exponent:g})"
        if self.name == "sole":
            return f"sole(threshold={self.threshold:g})"
        if self.name == "banzhaf":
            return f"banzhaf(quota={self.quota:g}, max_exact={self.max_exact})"
        return self.name


#: The model each name means (immutable: a name is always the same model).
_NAMED = {name: ControlModel(name) for name in CONTROL_MODELS}


def resolve_model(func, control_model, holdings):
    if isinstance(control_model, pd.DataFrame):
        return control_model
    if isinstance(control_model, ControlModel):
        model = control_model
    elif isinstance(control_model, str):
        model = _NAMED.get(control_model)
        if model is None:
            check_choice(func, "control_model", control_model, CONTROL_MODELS,
                         fix="Or pass ControlModel(name, ...) or a DataFrame of control "
                             "weights.")
            model = ControlModel(control_model)   # (check_choice raised: not a name)
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


def apply_model(model, V, P, notes):
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


def user_gamma(func, gamma, holdings, period, firm_index, owner_index):
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
