r"""Unilateral-effects screens beside the HHI: diversion, GUPPI/UPP, IPR, CMCR, critical loss.

Every screen here measures the pricing pressure a deal creates by making the
managers of product *j* weigh the profit on the sales that a price rise on *j*
diverts to the other parties' products.  With profit weights κ (the O'Brien-Salop
weights of :func:`concentration.profit_weights`, ``kappa.loc[j, k]`` = the weight
firm j's managers place on firm k's profit; κ is not symmetric) the change in weight
is :math:`\Delta\kappa_{jk} = \kappa^{post}_{jk} - \kappa^{pre}_{jk}`, and

.. math::

    \mathrm{GUPPI}_j = \sum_{k \ne j} \Delta\kappa_{jk}\, D_{jk}\, m_k\, \frac{p_k}{p_j},
    \qquad
    \frac{\mathrm{UPP}_j}{p_j} = \mathrm{GUPPI}_j - E_j\,(1 - m_j),

with :math:`D_{jk}` the diversion ratio from j to k (the fraction of the sales j
loses to a small price rise that go to k), :math:`m_k = (p_k - c_k)/p_k` the
price-cost margin (a fraction of price), :math:`p` prices and :math:`E_j` the
marginal-cost saving credited to j (a fraction of its marginal cost).  A full merger
is :math:`\kappa^{post}_{jk} = 1` between the parties (:math:`\kappa^{pre} = 0`):
then GUPPI is Salop and Moresi's (2009) and UPP Farrell and Shapiro's (2010,
eq. 1) :math:`\mathrm{UPP}_1 = D_{12}(P_2 - C_2) - E_1 C_1`.  A minority stake is
a :math:`\kappa^{post}` strictly between 0 and 1 (O'Brien and Salop 2000); κ = 0
gives zero pressure.

The compensating marginal-cost reductions (CMCR) solve the post-deal first-order
conditions at the pre-deal prices (Werden 1996, for Bertrand; Froeb and Werden 1998,
for Cournot), as R ``antitrust`` computes them in ``cmcr.bertrand`` and
``cmcr.cournot``.  Critical loss (Harris and Simons 1989) and the hypothetical-
monopolist test from margins and diversion follow the 2010 U.S. Horizontal Merger
Guidelines, s. 4.1.3 (Example 5).

Units: shares, margins, diversion ratios, GUPPI, UPP (as a fraction of the
product's price), IPR, CMCR (as a fraction of marginal cost, or of price with
``rel="price"``), critical loss and SSNIPs are all fractions (0.05 for 5%).

References
----------
.. [FS10] Farrell, J. and Shapiro, C. (2010). Antitrust evaluation of horizontal
   mergers: an economic alternative to market definition. The B.E. Journal of
   Theoretical Economics 10(1), Article 9, Section 2, eq. (1)-(3).
.. [SM09] Salop, S. C. and Moresi, S. (2009). Updating the merger guidelines:
   comments. Public comment to the FTC/DOJ, Horizontal Merger Guidelines Review
   Project (the GUPPI).
.. [W96] Werden, G. J. (1996). A robust test for consumer welfare enhancing mergers
   among sellers of differentiated products. Journal of Industrial Economics 44(4),
   409-413.
.. [FW98] Froeb, L. M. and Werden, G. J. (1998). A robust test for consumer welfare
   enhancing mergers among sellers of a homogeneous product. Economics Letters
   58(3), 367-369.
.. [OS00] O'Brien, D. P. and Salop, S. C. (2000). Competitive effects of partial
   ownership: financial interest and corporate control. Antitrust Law Journal
   67(3), 559-614.
.. [HS89] Harris, B. C. and Simons, J. J. (1989). Focusing market definition: how
   much substitution is necessary? Research in Law and Economics 12, 207-226.
.. [KS03] Katz, M. L. and Shapiro, C. (2003). Critical loss: let's tell the whole
   story. Antitrust 17(2), 49-56.
.. [HMG10] U.S. DOJ and FTC (2010). Horizontal Merger Guidelines, s. 4.1.3
   (Example 5) and s. 6.1.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._results import ResultMixin
from ._tables import DEFAULT_TOLERANCE, coerce_shares
from ._validation import check_choice, check_number, param_message
from .exceptions import InvalidParameterError, InvalidSharesError
from .guidelines import get_unilateral_statement

__all__ = [
    "diversion_ratios",
    "guppi",
    "upp",
    "ipr",
    "cmcr_bertrand",
    "cmcr_cournot",
    "critical_loss",
    "hypothetical_monopolist_test",
    "unilateral_screen",
    "UnilateralScreen",
    "DIVERSION_FORMS",
]

#: Diversion forms of :func:`diversion_ratios` and their definition.
DIVERSION_FORMS = {
    "proportional": "D_jk = r s_k / (1 - s_j): a fraction r (the recapture rate) of "
                    "lost sales stays in the market, split in proportion to share "
                    "(mergeron RECForm.FIXED)",
    "outside-in": "D_jk = pi_k / (1 - pi_j) with purchase probabilities pi = (1 - s0) s: "
                  "logit with an outside good of share s0 (mergeron RECForm.OUTIN)",
    "inside-out": "as outside-in, with the outside share implied by the recapture rate r "
                  "of the smaller party: pi = r / (1 - (1 - r) s_min) (mergeron "
                  "RECForm.INOUT)",
}

_TOL = 1e-9


# ---------------------------------------------------------------------------
# validation helpers


def _array(func, name, value, *, low=None, high=None, high_open=False, low_open=False,
           what="a real number or array of them"):
    """``value`` as a float array, every entry finite and within the bounds."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise InvalidParameterError(param_message(func, name, what, value))
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(param_message(func, name, what, value)) from None
    if np.asarray(value).dtype.kind in "bcOUS" and arr.size:
        raise InvalidParameterError(param_message(
            func, name, what, value, "Booleans, complex numbers and text are refused."))
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low - _TOL)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high + _TOL)
    if bad.any():
        lb, hb = ("(" if low_open else "["), (")" if high_open else "]")
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        rng = f"{lb}{lo}, {hi}{hb}"
        raise InvalidParameterError(param_message(
            func, name, f"finite numbers in {rng} (fractions)", float(arr[bad].flat[0]),
            "Margins, shares and diversion ratios are fractions (0.4 for 40%)."))
    return arr


def _margins(func, margins):
    return _array(func, "margins", margins, low=0.0, high=1.0, high_open=True)


def _prices(func, prices, shape):
    if prices is None:
        return np.ones(shape)
    p = _array(func, "prices", prices, low=0.0, low_open=True)
    return _broadcast(func, "prices", p, shape)


def _broadcast(func, name, arr, shape):
    try:
        return np.broadcast_to(arr, shape).astype(np.float64, copy=False)
    except ValueError:
        raise InvalidParameterError(param_message(
            func, name, f"an array that broadcasts to shape {shape}", f"shape {arr.shape}",
            "Give one value per product (the last axis), or one per deal and product."
        )) from None


def _diversion(func, diversion):
    d = _array(func, "diversion", diversion, low=0.0, high=1.0)
    if d.ndim < 2 or d.shape[-1] != d.shape[-2]:
        raise InvalidParameterError(param_message(
            func, "diversion", "a square matrix (k x k) or a stack of them (n x k x k)",
            f"shape {d.shape}", "Row j holds the diversion ratios from product j."))
    k = d.shape[-1]
    d = d.copy()
    d[..., np.arange(k), np.arange(k)] = 0.0
    rows = d.sum(axis=-1)
    if (rows > 1.0 + 1e-6).any():
        raise InvalidParameterError(param_message(
            func, "diversion", "rows that sum to at most 1 (a product cannot divert more "
            "than all its lost sales)", float(rows.max()),
            "Check that row j holds the diversion ratios *from* product j."))
    return d


def _weights(func, name, kappa, shape, default):
    """Profit weights κ (..., k, k) with a zero diagonal; a scalar fills the off-diagonal."""
    if kappa is None:
        kappa = default
    if isinstance(kappa, pd.DataFrame):
        kappa = kappa.to_numpy(dtype=np.float64)
    w = _array(func, name, kappa, low=0.0)
    k = shape[-1]
    if w.ndim == 0:
        w = np.full(shape, float(w))
    else:
        w = _broadcast(func, name, w, shape).copy()
    w[..., np.arange(k), np.arange(k)] = 0.0
    return w


def _delta_kappa(func, kappa, kappa_pre, shape):
    post = _weights(func, "kappa", kappa, shape, 1.0)
    pre = _weights(func, "kappa_pre", kappa_pre, shape, 0.0)
    return post, pre


def _pair_inputs(func, diversion, margins, prices):
    d = _diversion(func, diversion)
    m = _broadcast(func, "margins", _margins(func, margins), d.shape[:-1])
    p = _prices(func, prices, d.shape[:-1])
    return d, m, p


# ---------------------------------------------------------------------------
# diversion


def diversion_ratios(shares, *, form="proportional", recapture=1.0, outside_share=0.0,
                     parties=None):
    r"""Diversion ratios between products from their shares.

    Row j, column k is :math:`D_{jk}`, the fraction of the sales product j loses to a
    small price rise that go to product k (the diagonal is 0):

    * ``"proportional"``: :math:`D_{jk} = r\,s_k/(1 - s_j)` -- a fraction r of lost
      sales is recaptured in the market and split in proportion to share (the
      diversion-proportional-to-share benchmark; mergeron's ``RECForm.FIXED``);
    * ``"outside-in"``: :math:`D_{jk} = \pi_k/(1 - \pi_j)`,
      :math:`\pi = (1 - s_0)\,s` -- logit demand with an outside good of share
      :math:`s_0` (``outside_share``); mergeron's ``RECForm.OUTIN``;
    * ``"inside-out"``: as ``"outside-in"``, with the outside good implied by the
      recapture rate r of the party with the smaller share,
      :math:`1 - s_0 = r/(1 - (1 - r)\,s_{min})`; mergeron's ``RECForm.INOUT``.

    Parameters
    ----------
    shares : array_like or mapping
        Shares of the products in the market, fractions summing to at most one; a
        1-D array or mapping (one market) or a 2-D array (one market per row).  A
        mapping gives a labelled DataFrame.  Each ratio depends on the two products'
        shares only (and, for ``"inside-out"``, on the parties'), so the shares of
        the merging parties alone give their block of the matrix exactly.
    form : {"proportional", "outside-in", "inside-out"}, default "proportional"
        The recapture form.
    recapture : float, default 1.0
        Recapture rate r in [0, 1] (``"proportional"`` and ``"inside-out"``).
    outside_share : float, default 0.0
        Share :math:`s_0` in [0, 1) of the outside good (``"outside-in"``).
    parties : sequence of int or labels, optional
        The merging parties (positions, or labels for a mapping), for
        ``"inside-out"``.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        ``(k, k)`` (or ``(n, k, k)``) diversion matrix; a DataFrame (rows: from,
        columns: to) when ``shares`` is a mapping.

    References
    ----------
    .. [1] mergeron, ``mergeron.RECForm`` and
       ``gen.data_generation_functions.compute_all_firm_diversion_ratios``
       (S. Murthy Kambhampaty, 2024-2026).
    .. [2] Shapiro, C. (1996). Mergers with differentiated products. Antitrust
       10(2), 23-30 (diversion proportional to share).

    Examples
    --------
    >>> import concentration as cn
    >>> D = cn.diversion_ratios({"A": .5, "B": .3, "C": .2})
    >>> float(D.loc["A", "B"]), float(D.loc["B", "A"])     # .3/(1-.5), .5/(1-.3)
    (0.6, 0.7142857142857143)
    """
    func = "diversion_ratios"
    check_choice(func, "form", form, tuple(DIVERSION_FORMS))
    labels = None
    if isinstance(shares, Mapping):
        labels = list(shares)
        shares = list(shares.values())
    elif isinstance(shares, pd.Series):
        labels = list(shares.index)
        shares = shares.to_numpy()
    s = _array(func, "shares", shares, low=0.0, high=1.0)
    if s.ndim not in (1, 2) or s.shape[-1] < 2:
        raise InvalidParameterError(param_message(
            func, "shares", "a 1-D array of at least two shares (or a 2-D array, one "
            "market per row)", f"shape {s.shape}"))
    if (s.sum(axis=-1) > 1.0 + DEFAULT_TOLERANCE).any():
        raise InvalidSharesError(param_message(
            func, "shares", "shares summing to at most one in each market",
            float(s.sum(axis=-1).max()), "Shares are fractions of the market."))
    r = check_number(func, "recapture", recapture, low=0.0, high=1.0)
    if form == "proportional":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = r * s[..., None, :] / (1.0 - s[..., :, None])
    else:
        if form == "outside-in":
            inside = 1.0 - check_number(func, "outside_share", outside_share, low=0.0,
                                        high=1.0, high_open=True)
            inside = np.full(s.shape[:-1], inside)
        else:
            pos = _positions(func, parties, labels, s.shape[-1])
            smin = s[..., pos].min(axis=-1)
            inside = r / (1.0 - (1.0 - r) * smin)
        pi = inside[..., None] * s
        with np.errstate(divide="ignore", invalid="ignore"):
            d = pi[..., None, :] / (1.0 - pi[..., :, None])
    k = s.shape[-1]
    d[..., np.arange(k), np.arange(k)] = 0.0
    d = np.nan_to_num(d, nan=0.0, posinf=0.0)
    if labels is not None:
        return pd.DataFrame(d, index=pd.Index(labels, name="from"),
                            columns=pd.Index(labels, name="to"))
    return d


def _positions(func, parties, labels, k):
    if parties is None or isinstance(parties, str) or len(list(parties)) < 2:
        raise InvalidParameterError(param_message(
            func, "parties", "two or more merging parties (for form='inside-out')", parties,
            "Pass e.g. parties=['A', 'B'] (labels of a mapping) or parties=[0, 1]."))
    out = []
    for p in parties:
        if labels is not None and p in labels:
            out.append(labels.index(p))
        elif isinstance(p, numbers.Integral) and not isinstance(p, bool) and 0 <= p < k:
            out.append(int(p))
        else:
            raise InvalidParameterError(param_message(
                func, "parties", "labels of the shares or positions 0..k-1", p))
    return np.asarray(out)


# ---------------------------------------------------------------------------
# pricing pressure


def guppi(diversion, margins, prices=None, *, kappa=None, kappa_pre=None):
    r"""Gross upward pricing pressure index of every product of a deal.

    .. math:: \mathrm{GUPPI}_j = \sum_{k \ne j} (\kappa^{post}_{jk} - \kappa^{pre}_{jk})
              \, D_{jk}\, m_k\, p_k / p_j

    a fraction of product j's price (the value of diverted sales, 2010 HMG s. 6.1).
    With the defaults (full merger: κ = 1 after, 0 before) and two products,
    :math:`\mathrm{GUPPI}_1 = D_{12}\, m_2\, p_2/p_1` (Salop and Moresi 2009;
    Farrell and Shapiro 2010, Section 2).

    Parameters
    ----------
    diversion : array_like
        ``(k, k)`` diversion ratios among the deal's products (row j: from j), or a
        stack ``(n, k, k)`` for n deals; the diagonal is ignored.
    margins : array_like
        Price-cost margins :math:`(p - c)/p` in [0, 1), shape ``(k,)`` or ``(n, k)``.
    prices : array_like, optional
        Prices (> 0, any currency); equal prices when omitted.
    kappa, kappa_pre : float, array_like or pandas.DataFrame, optional
        Profit weights after and before the deal (``kappa[j, k]``: weight j's managers
        place on k's profit; not symmetric).  Defaults 1 and 0 (a full merger).  A
        scalar fills every off-diagonal entry; diagonals are ignored.

    Returns
    -------
    numpy.ndarray
        GUPPI per product, shape ``(k,)`` or ``(n, k)``.

    Examples
    --------
    >>> import concentration as cn
    >>> D = [[0, .2], [.3, 0]]
    >>> cn.guppi(D, [.4, .5], [10, 8]).round(6).tolist()      # .2*.5*8/10, .3*.4*10/8
    [0.08, 0.15]
    >>> cn.guppi(D, [.4, .5], [10, 8], kappa=[[1, .25], [0, 1]]).round(6).tolist()
    [0.02, 0.0]
    """
    func = "guppi"
    d, m, p = _pair_inputs(func, diversion, margins, prices)
    post, pre = _delta_kappa(func, kappa, kappa_pre, d.shape)
    return ((post - pre) * d * (m * p)[..., None, :]).sum(axis=-1) / p


def upp(diversion, margins, prices=None, *, efficiency=0.0, kappa=None, kappa_pre=None):
    r"""Net upward pricing pressure (Farrell and Shapiro 2010) as a fraction of price.

    .. math:: \frac{\mathrm{UPP}_j}{p_j} = \mathrm{GUPPI}_j - E_j\,(1 - m_j)

    i.e. :math:`\mathrm{UPP}_1 = D_{12}(P_2 - C_2) - E_1 C_1` divided by
    :math:`P_1` for a full two-product merger (Farrell and Shapiro 2010, eq. 1),
    with the diverted sales valued at pre-deal margins.  Positive values flag
    upward pressure net of the efficiency credit; the symmetric test
    :math:`D\,m/(1 - m) > E` is their eq. (3).

    Parameters
    ----------
    diversion, margins, prices, kappa, kappa_pre
        As in :func:`guppi`.
    efficiency : float or array_like, default 0.0
        Marginal-cost saving :math:`E_j` credited to each product, a fraction of its
        pre-deal marginal cost in [0, 1) (Farrell and Shapiro suggest a standard
        deduction such as 0.10).

    Returns
    -------
    numpy.ndarray
        UPP per product, as a fraction of the product's price.

    Examples
    --------
    >>> import concentration as cn
    >>> D = [[0, .2], [.2, 0]]                       # symmetric: margin 40%, E = 10%
    >>> cn.upp(D, [.4, .4], efficiency=.1).round(6).tolist()   # .2*.4 - .1*.6
    [0.02, 0.02]
    """
    func = "upp"
    g = guppi(diversion, margins, prices, kappa=kappa, kappa_pre=kappa_pre)
    m = _broadcast(func, "margins", _margins(func, margins), g.shape)
    e = _broadcast(func, "efficiency",
                   _array(func, "efficiency", efficiency, low=0.0, high=1.0, high_open=True),
                   g.shape)
    return g - e * (1.0 - m)


def ipr(diversion, margins, *, kappa=None, kappa_pre=None):
    r"""Illustrative price rise (IPR) of every product, as mergeron defines it.

    .. math:: \mathrm{IPR}_j = \frac{m_j\, \delta_j}{1 - \delta_j}, \qquad
              \delta_j = \sum_{k \ne j} \Delta\kappa_{jk}\, D_{jk}

    (mergeron ``gen.upp_tests._upp_test_counts``: ``ipr = pcm * divr / (1 - divr)``);
    with κ the diversion is the weighted one.  For a symmetric two-product merger
    (equal margins, prices and diversions) it equals Werden's (1996) compensating
    marginal-cost reduction as a fraction of price, :math:`mD/(1 - D)`, i.e.
    :func:`cmcr_bertrand` with ``rel="price"``.  It uses the product's own margin
    only: with asymmetric margins or prices it differs from :func:`cmcr_bertrand`,
    which solves the full system as R ``antitrust`` does.

    Parameters
    ----------
    diversion, margins, kappa, kappa_pre
        As in :func:`guppi`.

    Returns
    -------
    numpy.ndarray
        IPR per product (a fraction of price).

    Examples
    --------
    >>> import concentration as cn
    >>> cn.ipr([[0, .2], [.2, 0]], [.4, .4]).round(6).tolist()     # .4*.2/.8
    [0.1, 0.1]
    """
    func = "ipr"
    d = _diversion(func, diversion)
    m = _broadcast(func, "margins", _margins(func, margins), d.shape[:-1])
    post, pre = _delta_kappa(func, kappa, kappa_pre, d.shape)
    delta = ((post - pre) * d).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(delta >= 1.0, np.inf, m * delta / (1.0 - delta))


def cmcr_bertrand(diversion, margins, prices=None, *, kappa=None, kappa_pre=None,
                  rel="cost"):
    r"""Compensating marginal-cost reductions, differentiated Bertrand (Werden 1996).

    The marginal-cost changes that leave the post-deal first-order conditions
    satisfied at the pre-deal prices.  With :math:`A_{jk} = \kappa_{jk} D_{jk}
    p_k/p_j` off the diagonal and :math:`A_{jj} = -1`, the post-deal margins
    :math:`m'` solve :math:`A^{post} m' = A^{pre} m`; the CMCR of product j is
    :math:`(m'_j - m_j)/(1 - m_j)` (fraction of marginal cost) or
    :math:`m'_j - m_j` (fraction of price, ``rel="price"``).  For a full
    two-product merger (Werden 1996, eq. 6):

    .. math:: \mathrm{CMCR}_1 = \frac{m_1 D_{12} D_{21} + m_2 D_{12}\, p_2/p_1}
              {(1 - m_1)(1 - D_{12} D_{21})}

    This is R ``antitrust``'s ``cmcr.bertrand(prices, margins, diversions,
    ownerPre, ownerPost)`` with ``kappa = ownerPost / diag(ownerPost)`` (row-wise),
    reported as a fraction instead of a percentage.

    Parameters
    ----------
    diversion, margins, prices, kappa, kappa_pre
        As in :func:`guppi` (the deal's products only).
    rel : {"cost", "price"}, default "cost"
        Relative to pre-deal marginal cost or to price.

    Returns
    -------
    numpy.ndarray
        CMCR per product (fractions; positive = a cost reduction needed); ``inf``
        where the post-deal system is singular (the parties recapture all of each
        other's lost sales, e.g. a two-firm market with diversion 1 both ways).

    Examples
    --------
    >>> import concentration as cn
    >>> cn.cmcr_bertrand([[0, .2], [.2, 0]], [.4, .4]).round(6).tolist()  # .4*.2/(.6*.8)
    [0.166667, 0.166667]
    """
    func = "cmcr_bertrand"
    check_choice(func, "rel", rel, ("cost", "price"))
    d, m, p = _pair_inputs(func, diversion, margins, prices)
    post, pre = _delta_kappa(func, kappa, kappa_pre, d.shape)
    k = d.shape[-1]
    ratio = p[..., None, :] / p[..., :, None]
    eye = np.eye(k)
    a_post = post * d * ratio - eye
    a_pre = pre * d * ratio - eye
    rhs = np.einsum("...jk,...k->...j", a_pre, m)
    # singular where the parties recapture all of each other's lost sales (D = 1 both
    # ways at full weight): no finite cost reduction restores the pre-deal prices
    if k == 2:  # Cramer's rule: the common two-party case without a batched LAPACK call
        a, b = a_post[..., 0, 0], a_post[..., 0, 1]
        c, e = a_post[..., 1, 0], a_post[..., 1, 1]
        det = a * e - b * c
        singular = np.abs(det) < 1e-12
        with np.errstate(divide="ignore", invalid="ignore"):
            m_post = np.stack([(e * rhs[..., 0] - b * rhs[..., 1]) / det,
                               (a * rhs[..., 1] - c * rhs[..., 0]) / det], axis=-1)
    else:
        singular = np.abs(np.linalg.det(a_post)) < 1e-12
        a_post = np.where(singular[..., None, None], -eye, a_post)
        m_post = np.linalg.solve(a_post, rhs[..., None])[..., 0]
    m_post = np.where(singular[..., None], np.inf, m_post)
    out = m_post - m
    return out / (1.0 - m) if rel == "cost" else out


def cmcr_cournot(shares, elasticity, *, kappa=None, rel="cost", party=True):
    r"""Compensating marginal-cost reductions, homogeneous-product Cournot (Froeb and Werden 1998).

    With quantity shares s, market demand elasticity ε (positive) and the
    Cournot margins :math:`m_j = (s_j + \kappa_{jk} s_k)/\varepsilon`, the cost
    reduction that keeps party j's output (and the price) unchanged is

    .. math:: \mathrm{CMCR}_j = \frac{\kappa_{jk}\, s_k}{\varepsilon - s_j}
              \;\text{(fraction of cost)}, \qquad
              \frac{\kappa_{jk}\, s_k}{\varepsilon}\;\text{(fraction of price)}

    and the share-weighted average (``party=False``) is
    :math:`(\kappa_{12} + \kappa_{21}) s_1 s_2 / (\varepsilon (s_1 + s_2) - s_1^2
    - s_2^2)` (of cost) or :math:`(\kappa_{12} + \kappa_{21}) s_1 s_2/(\varepsilon
    (s_1 + s_2))` (of price).  With κ = 1 these are R ``antitrust``'s
    ``cmcr.cournot(shares, mktElast, party, rel)`` divided by 100, except per party
    with ``rel="price"``: R's ``cmcr.cournot`` ignores ``rel`` when ``party = TRUE``
    (it returns the figures relative to cost), and the library gives
    :math:`\kappa_{jk} s_k/\varepsilon`, as R's ``cmcr.cournot2(shares / mktElast,
    party = TRUE, rel = "price")`` does.

    Parameters
    ----------
    shares : array_like
        The two parties' quantity shares, shape ``(2,)`` or ``(n, 2)``.
    elasticity : float or array_like
        Market demand elasticity, positive and above each party's share.
    kappa : float or array_like, optional
        Profit weights after the deal (``kappa[j, k]``); default 1 (full merger).
    rel : {"cost", "price"}, default "cost"
        Relative to pre-deal marginal cost or to price.
    party : bool, default True
        Per party (``(..., 2)``) or the share-weighted average (``(...,)``).

    Returns
    -------
    numpy.ndarray
        CMCR per party, or the average.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.cmcr_cournot([.05, .65], 1.9, party=False).round(6)   # R antitrust's example
    np.float64(0.071823)
    """
    func = "cmcr_cournot"
    check_choice(func, "rel", rel, ("cost", "price"))
    s = _array(func, "shares", shares, low=0.0, high=1.0)
    if s.ndim not in (1, 2) or s.shape[-1] != 2:
        raise InvalidParameterError(param_message(
            func, "shares", "the two parties' shares, shape (2,) or (n, 2)", f"shape {s.shape}"))
    eps = _broadcast(func, "elasticity",
                     _array(func, "elasticity", elasticity, low=0.0, low_open=True),
                     s.shape[:-1])
    if (eps[..., None] <= s).any():
        raise InvalidParameterError(param_message(
            func, "elasticity", "above each party's share (a Cournot margin s/ε below 1)",
            float(np.min(eps)), "Market elasticities are positive numbers, e.g. 1.9."))
    w = _weights(func, "kappa", kappa, s.shape + (2,), 1.0)
    k12, k21 = w[..., 0, 1], w[..., 1, 0]
    other = np.stack([k12 * s[..., 1], k21 * s[..., 0]], axis=-1)
    if party:
        return other / ((eps[..., None] - s) if rel == "cost" else eps[..., None])
    num = (k12 + k21) * s[..., 0] * s[..., 1]
    den = eps * s.sum(axis=-1)
    if rel == "cost":
        den = den - (s * s).sum(axis=-1)
    return num / den


# ---------------------------------------------------------------------------
# critical loss and the hypothetical-monopolist test

CRITICAL_LOSS_FORMS = ("breakeven", "profit_max_linear")


def critical_loss(margins, *, ssnip=0.05, form="breakeven"):
    r"""Critical loss: the largest fraction of sales a price rise of X can lose and pay.

    .. math:: \mathrm{CL}_{breakeven} = \frac{X}{X + m}, \qquad
              \mathrm{CL}_{profit\ max,\ linear} = \frac{X}{2X + m}

    The break-even form is Harris and Simons (1989): the SSNIP X is unprofitable if
    more than CL of sales are lost.  The second is the loss below which X is no
    larger than the hypothetical monopolist's profit-maximising price rise when
    demand is linear (the test the 2010 HMG s. 4.1.3 states, not break-even).  The
    matching critical elasticities are CL / X.

    Parameters
    ----------
    margins : float or array_like
        Price-cost margin m in [0, 1) of the candidate market.
    ssnip : float, default 0.05
        The price rise X, a fraction in (0, 1].
    form : {"breakeven", "profit_max_linear"}, default "breakeven"

    Returns
    -------
    numpy.ndarray or float
        Critical loss, a fraction of sales.

    Examples
    --------
    >>> import concentration as cn
    >>> round(float(cn.critical_loss(.4)), 6), round(float(cn.critical_loss(.4, form="profit_max_linear")), 6)
    (0.111111, 0.1)
    """
    func = "critical_loss"
    check_choice(func, "form", form, CRITICAL_LOSS_FORMS)
    m = _margins(func, margins)
    x = check_number(func, "ssnip", ssnip, low=0.0, high=1.0, low_open=True)
    out = x / (x + m) if form == "breakeven" else x / (2 * x + m)
    return float(out) if out.ndim == 0 else out


def hypothetical_monopolist_test(margins, diversion, *, ssnip=0.05, form="profit_max_linear"):
    r"""The hypothetical-monopolist test of a candidate market from margins and diversion.

    For symmetric products with margin m and aggregate diversion A (the fraction of
    one product's lost sales recaptured by the other products of the candidate
    market), with pre-deal margins consistent with Bertrand pricing (elasticity
    1/m):

    * predicted loss of a uniform SSNIP X: :math:`X (1 - A)/m`;
    * critical diversion, break-even (Katz and Shapiro 2003): :math:`X/(X + m)`;
    * the monopolist's profit-maximising price rise, linear demand:
      :math:`m A / (2(1 - A))`, passing when at least X, i.e. when
      :math:`A \ge 2X/(2X + m)`.

    The 2010 HMG, s. 4.1.3, Example 5 (price $100, cost $60, 30 units lost per
    dollar of which 10 go to the other product: m = 0.4, A = 1/3) states a 10%
    rise, so the test passes for any SSNIP up to 10%.

    Parameters
    ----------
    margins : float or array_like
        Margin m in [0, 1).
    diversion : float or array_like
        Aggregate diversion ratio A in [0, 1).
    ssnip : float, default 0.05
        The price rise tested, X in (0, 1].
    form : {"profit_max_linear", "breakeven"}, default "profit_max_linear"
        Which criterion gives ``passes``.

    Returns
    -------
    pandas.DataFrame
        Columns ``margin``, ``diversion``, ``ssnip``, ``critical_loss``,
        ``predicted_loss``, ``critical_diversion``, ``monopoly_price_rise``,
        ``passes``, ``form``.

    Examples
    --------
    >>> import concentration as cn
    >>> t = cn.hypothetical_monopolist_test(.4, 1/3)      # 2010 HMG Example 5
    >>> round(float(t["monopoly_price_rise"].iloc[0]), 6), bool(t["passes"].iloc[0])
    (0.1, True)
    """
    func = "hypothetical_monopolist_test"
    check_choice(func, "form", form, CRITICAL_LOSS_FORMS)
    m = np.atleast_1d(_margins(func, margins))
    a = np.atleast_1d(_array(func, "diversion", diversion, low=0.0, high=1.0, high_open=True))
    m, a = np.broadcast_arrays(m, a)
    x = check_number(func, "ssnip", ssnip, low=0.0, high=1.0, low_open=True)
    with np.errstate(divide="ignore"):
        predicted = x * (1.0 - a) / m
    rise = m * a / (2.0 * (1.0 - a))
    cl = critical_loss(m, ssnip=x, form=form)
    if form == "breakeven":
        critical_d = x / (x + m)
        passes = a >= critical_d - _TOL
    else:
        critical_d = 2 * x / (2 * x + m)
        passes = rise >= x - _TOL
    return pd.DataFrame({"margin": m, "diversion": a, "ssnip": x, "critical_loss": cl,
                         "predicted_loss": predicted, "critical_diversion": critical_d,
                         "monopoly_price_rise": rise, "passes": passes, "form": form})


# ---------------------------------------------------------------------------
# the screen over share tables


@dataclass(frozen=True, repr=False)
class UnilateralScreen(ResultMixin):
    """Result of :func:`unilateral_screen`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (deal,) market x period x party product x guideline, with
        ``share``, ``margin``, ``price``, ``diversion`` (to the other parties, κ-
        unweighted), ``kappa`` (the weight change on the other parties, diversion-
        weighted mean), ``guppi``, ``upp``, ``ipr``, ``cmcr`` (Bertrand, fraction of
        cost), ``cmcr_cournot`` (when an elasticity is given), ``threshold``,
        ``verdict``, ``rule``, ``citation``.
    deals : dict
        Deal name -> parties.
    keys : tuple
        Grouping columns present.
    options : dict
        The diversion form, recapture, efficiency and ownership settings used.
    notes : tuple
        Policies applied.
    """

    table: pd.DataFrame
    deals: dict
    keys: tuple = ()
    options: dict = field(default_factory=dict)
    notes: tuple = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """The screen as a tidy DataFrame (a copy)."""
        return self.table.copy()

    def verdicts(self) -> pd.DataFrame:
        """Verdicts pivoted: one row per (deal,) market x period x party, one column per guideline."""
        idx = [c for c in ("deal",) + tuple(self.keys) + ("firm",) if c in self.table.columns]
        return self.table.pivot_table(index=idx, columns="guideline", values="verdict",
                                      aggfunc="first")

    def plot(self, *, metric="guppi", ax=None):
        """Bar chart of ``metric`` per party product and market, with the threshold.

        See :func:`concentration.plotting.plot_unilateral`.  Needs matplotlib.
        Returns the Axes.
        """
        from .plotting import plot_unilateral

        return plot_unilateral(self.table, metric=metric, ax=ax)

    def _summary_parts(self):
        t = self.table
        facts = [("deals", "; ".join(f"{k}: {' + '.join(map(str, v))}"
                                     for k, v in self.deals.items())),
                 ("diversion", self.options.get("diversion", "")),
                 ("ownership", self.options.get("ownership", "")),
                 ("rows", len(t))]
        if len(t) and t["guppi"].notna().any():
            facts.append(("max GUPPI", f"{100 * t['guppi'].max():.2f}%"))
        counts = t["verdict"].value_counts()
        facts.append(("verdicts", ", ".join(f"{k} {v}" for k, v in counts.items())))
        return "Unilateral-effects screen", facts, list(self.notes)


def _column_values(func, name, value, shares, table, firm, parent):
    """A column of the shares table named by ``value``, as a Series by (keys, firm)."""
    if not isinstance(value, str):
        return value
    if not isinstance(shares, pd.DataFrame) or value not in shares.columns:
        raise InvalidParameterError(param_message(
            func, name, "a number, a mapping firm -> value, a Series, or the name of a "
            "column of the shares DataFrame", value))
    if parent is not None:
        raise InvalidParameterError(param_message(
            func, name, "given per parent (a mapping or Series) when shares are summed to "
            "parents", value, "Aggregate the column to the parents first."))
    index = list(table.keys) + [firm]
    col = shares.set_index(index)[value]
    if col.index.has_duplicates:
        if (col.groupby(level=list(range(len(index)))).nunique(dropna=False) > 1).any():
            raise InvalidParameterError(param_message(
                func, name, f"one value of column {value!r} per market, period and firm",
                "different values for one firm", "Keep one row per firm in each market."))
        col = col[~col.index.duplicated()]
    return col


def _per_firm(func, name, value, table, parties, default=None):
    """(n_groups, p) values of ``name`` for each party: scalar, by firm, or by group and firm."""
    n, p = table.n_groups, len(parties)
    if value is None:
        if default is None:
            raise InvalidParameterError(param_message(
                func, name, "a number, a mapping firm -> value or a Series", None))
        return np.full((n, p), float(default))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return np.full((n, p), float(value))
    if isinstance(value, Mapping):
        value = pd.Series(dict(value), dtype=object)
    if not isinstance(value, pd.Series):
        raise InvalidParameterError(param_message(
            func, name, "a number, a mapping firm -> value, or a Series indexed by firm "
            "(or by the grouping columns and firm)", type(value).__name__))
    if isinstance(value.index, pd.MultiIndex) and table.groups is not None:
        keys = list(table.keys)
        if list(value.index.names) != keys + [table.firm_name]:
            raise InvalidParameterError(param_message(
                func, name, f"a Series indexed by {keys + [table.firm_name]}",
                list(value.index.names)))
        gl = table.groups
        rows = []
        for party in parties:
            if isinstance(gl, pd.MultiIndex):
                idx = pd.MultiIndex.from_tuples([(*g, party) for g in gl])
            else:
                idx = pd.MultiIndex.from_tuples([(g, party) for g in gl])
            rows.append(value.reindex(idx).to_numpy())
        out = np.stack(rows, axis=1)
    else:
        out = np.tile(value.reindex(list(parties)).to_numpy(), (n, 1))
    try:
        out = out.astype(np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(param_message(
            func, name, "real numbers", out.ravel()[:3].tolist())) from None
    return out


def _kappa_matrix(func, name, kappa, parties, default, table=None):
    """Weights among the parties: (p, p), or (n_groups, p, p) for κ by period.

    ``kappa`` is a number, a DataFrame from :func:`concentration.profit_weights` (firm
    rows and columns), or its several-period form (rows indexed by period and firm),
    whose period level is matched to the shares' grouping column of that name.
    """
    p = len(parties)
    if kappa is None:
        kappa = default
    if isinstance(kappa, pd.DataFrame) and isinstance(kappa.index, pd.MultiIndex):
        return _kappa_by_period(func, name, kappa, parties, default, table)
    if isinstance(kappa, pd.DataFrame):
        missing = [x for x in parties if x not in kappa.index or x not in kappa.columns]
        if missing:
            raise InvalidParameterError(param_message(
                func, name, "a DataFrame whose rows and columns include every party "
                "(e.g. cn.profit_weights(holdings, firms=parties))", missing))
        w = kappa.loc[list(parties), list(parties)].to_numpy(dtype=np.float64)
    elif isinstance(kappa, numbers.Real) and not isinstance(kappa, bool):
        w = np.full((p, p), float(kappa))
    else:
        raise InvalidParameterError(param_message(
            func, name, "a number in [0, 1] or a DataFrame of profit weights", kappa))
    return _weights(func, name, w, (p, p), default)


def _kappa_by_period(func, name, kappa, parties, default, table):
    level = kappa.index.names[0]
    keys = () if table is None else tuple(table.keys)
    if kappa.index.nlevels != 2 or level not in keys:
        raise InvalidParameterError(param_message(
            func, name, "profit weights with rows indexed by (period, firm), the period "
            "level named like a grouping column of the shares", list(kappa.index.names),
            f"The shares are grouped by {list(keys)}; or pass one period's weights, "
            "cn.profit_weights(holdings, period=...)."))
    groups = table.groups
    periods = (groups.get_level_values(level) if isinstance(groups, pd.MultiIndex)
               else groups)
    out = np.empty((len(periods), len(parties), len(parties)))
    blocks = {}
    for g, per in enumerate(periods):
        if per not in blocks:
            if per not in kappa.index.get_level_values(0):
                raise InvalidParameterError(param_message(
                    func, name, f"weights for every {level} of the shares", per,
                    "Compute kappa for that period, or pass one period's weights."))
            blocks[per] = _kappa_matrix(func, name, kappa.xs(per, level=0), parties, default)
        out[g] = blocks[per]
    return out


def _statement_verdicts(values, gl, threshold):
    """Per-row (threshold, verdict, rule, citation) for one guideline statement."""
    n = values.shape[0]
    if threshold is not None:
        thr = np.full(n, threshold)
        above = values > threshold + _TOL
        verdict = np.where(above, "above_threshold", "at_or_below_threshold").astype(object)
        rule = np.full(n, f"user threshold: GUPPI > {100 * threshold:g}%", dtype=object)
        cite = np.full(n, "threshold supplied by the user (guppi_threshold)", dtype=object)
        return thr, verdict, rule, cite
    st = get_unilateral_statement(gl)
    thr = np.full(n, np.nan if st.threshold is None else st.threshold)
    if st.threshold is None:
        verdict = np.full(n, "no_threshold_stated", dtype=object)
    else:
        verdict = np.where(values > st.threshold + _TOL, st.verdict_above,
                           st.verdict_below).astype(object)
    return thr, verdict, np.full(n, f"{st.key}: {st.text}", dtype=object), \
        np.full(n, st.citation(), dtype=object)


def unilateral_screen(shares, merging, *, margins, prices=None, diversion="proportional",
                      recapture=1.0, outside_share=0.0, efficiency=0.0, kappa=None,
                      kappa_pre=None, elasticity=None, guidelines="us2010",
                      guppi_threshold=None, market="market", period="period", firm="firm",
                      share="share", value=None, scale="fraction", duplicates="error",
                      parent=None, tolerance=DEFAULT_TOLERANCE) -> UnilateralScreen:
    r"""GUPPI, UPP, IPR and CMCR of a deal in every market and period, with verdicts.

    For each market x period where the parties both sell, the parties' diversion
    ratios come from the shares (:func:`diversion_ratios`) or from a user matrix,
    and the screens of :func:`guppi`, :func:`upp`, :func:`ipr`,
    :func:`cmcr_bertrand` (and :func:`cmcr_cournot` with ``elasticity``) are
    computed for every party product, vectorised over markets:

    .. math:: \mathrm{GUPPI}_j = \sum_{k \in P,\, k \ne j} \Delta\kappa_{jk}
              D_{jk}\, m_k\, p_k/p_j

    Parameters
    ----------
    shares : mapping, pandas.Series or pandas.DataFrame
        Shares as in :func:`concentration.screen_merger` (one market, or a long
        table with market, period, firm and share columns).
    merging : sequence, str or mapping
        The parties (two or more), ``"A,B"``, or ``{deal: parties}``.
    margins : float, mapping, pandas.Series or str
        Price-cost margins in [0, 1): one number, ``{firm: margin}``, a Series
        indexed by firm or by (market, period, firm) as the shares are grouped, or
        the name of a column of the shares DataFrame.
    prices : float, mapping, pandas.Series or str, optional
        Prices (> 0), as ``margins``; equal prices when omitted.
    diversion : str or pandas.DataFrame, default "proportional"
        A form of :data:`DIVERSION_FORMS` (from shares, per market), or a matrix of
        diversion ratios (rows: from, columns: to; a survey or an estimate) that
        applies to every market.
    recapture, outside_share
        Parameters of the diversion form (see :func:`diversion_ratios`).
    efficiency : float, default 0.0
        Marginal-cost saving credited to every party product (fraction of cost).
    kappa, kappa_pre : float or pandas.DataFrame, optional
        Profit weights after and before the deal among the parties (``kappa.loc[j,
        k]``, e.g. from :func:`concentration.profit_weights`; not symmetric).
        Defaults: a full merger (1 after, 0 before).  A minority stake of a cloud
        provider in a model lab is a DataFrame from the holdings, or a number.
        Weights of several periods (rows indexed by period and firm, as
        ``profit_weights`` returns them) are matched to each market's period.
    elasticity : float, optional
        Market demand elasticity for the Cournot CMCR (two-party deals).
    guidelines : str or list of str, default "us2010"
        Keys of :data:`concentration.guidelines.UNILATERAL_STATEMENTS`: each row
        gets that text's threshold and citation (``no_threshold_stated`` where the
        text names none).
    guppi_threshold : float, optional
        A GUPPI threshold of your own (fraction); replaces the statements' verdict
        and is cited as user-supplied.
    market, period, firm, share, value, scale, duplicates, parent, tolerance
        As in :func:`concentration.hhi`.

    Returns
    -------
    UnilateralScreen
        ``to_frame()`` has one row per (deal,) market x period x party x guideline;
        markets where the parties do not both sell have verdict ``"no_overlap"``.

    Examples
    --------
    >>> import concentration as cn
    >>> s = cn.unilateral_screen({"A": .3, "B": .2, "C": .5}, ["A", "B"], margins=.4)
    >>> s.to_frame()[["firm", "diversion", "guppi"]].round(4).values.tolist()
    [['A', 0.2857, 0.1143], ['B', 0.375, 0.15]]
    """
    func = "unilateral_screen"
    deals = _named_deals(func, merging)
    try:
        keys_gl = [guidelines] if isinstance(guidelines, str) else list(guidelines)
    except TypeError:
        keys_gl = [guidelines]
    if not keys_gl:
        raise InvalidParameterError(param_message(
            func, "guidelines", "one key or a non-empty list of keys", guidelines,
            "Pass e.g. guidelines='us2010'."))
    for g in keys_gl:
        get_unilateral_statement(g)
    if guppi_threshold is not None:
        guppi_threshold = check_number(func, "guppi_threshold", guppi_threshold, low=0.0)
    if isinstance(diversion, str):
        check_choice(func, "diversion", diversion, tuple(DIVERSION_FORMS),
                     fix="Or pass a DataFrame of diversion ratios (rows: from, columns: to).")
    elif not isinstance(diversion, pd.DataFrame):
        raise InvalidParameterError(param_message(
            func, "diversion", "a form name or a DataFrame of diversion ratios", diversion))
    check_number(func, "recapture", recapture, low=0.0, high=1.0)
    table = coerce_shares(shares, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=parent,
                          tolerance=tolerance, func=func,
                          fringe_note="Policy of unilateral_screen: diversion is computed "
                                      "from the listed shares (an unlisted fringe is "
                                      "treated as outside the market).")
    if table.firms is None:
        raise InvalidParameterError(param_message(
            func, "shares", "labelled by firm", "unlabelled shares",
            "Name the firms so that the merging parties can be found."))
    margins = _column_values(func, "margins", margins, shares, table, firm, parent)
    prices = _column_values(func, "prices", prices, shares, table, firm, parent)
    frames = []
    for name, parties in deals.items():
        frames.append(_deal_rows(func, table, name if isinstance(merging, Mapping) else None,
                                 parties, margins, prices, diversion, recapture,
                                 outside_share, efficiency, kappa, kappa_pre, elasticity,
                                 keys_gl, guppi_threshold))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    ownership = ("full merger (kappa 1 after, 0 before)" if kappa is None and kappa_pre is None
                 else "profit weights kappa given (partial or common ownership)")
    form = diversion if isinstance(diversion, str) else "user matrix"
    notes = ["Diversion among the parties: " + (DIVERSION_FORMS[form] if form in DIVERSION_FORMS
                                                  else "the matrix supplied") + ".",
             "GUPPI and UPP are fractions of the product's own price; CMCR of its "
             "marginal cost; diverted sales valued at pre-deal margins."]
    if elasticity is not None and any(len(v) != 2 for v in deals.values()):
        notes.append("The Cournot CMCR (elasticity) is defined for two-party deals; it is "
                     "NaN for the deals with more parties.")
    return UnilateralScreen(table=frame, deals=deals, keys=tuple(table.keys),
                            options={"diversion": form, "recapture": recapture,
                                     "outside_share": outside_share, "efficiency": efficiency,
                                     "ownership": ownership, "guidelines": tuple(keys_gl)},
                            notes=tuple(notes))


def _named_deals(func, merging) -> dict:
    """``{deal: parties}`` from a list, a "A,B" string or a mapping of them."""
    raw = dict(merging) if isinstance(merging, Mapping) else {"deal": merging}
    deals = {}
    for name, parties in raw.items():
        if isinstance(parties, str):
            parties = [x.strip() for x in parties.split(",") if x.strip()]
        try:
            parties = tuple(parties)
            ok = len(parties) >= 2 and len(set(parties)) == len(parties)
        except TypeError:
            ok = False
        if not ok:
            raise InvalidParameterError(param_message(
                func, "merging", "two or more distinct parties (or a mapping deal -> "
                "parties)", merging, "Pass e.g. ['A', 'B'] or {'deal 1': ['A', 'B']}."))
        deals[str(name)] = parties
    return deals


def _deal_rows(func, table, deal, parties, margins, prices, diversion, recapture,
               outside_share, efficiency, kappa, kappa_pre, elasticity, keys_gl, threshold):
    n, p = table.n_groups, len(parties)
    firms = pd.Index(table.firms)
    missing = [x for x in parties if not (firms == x).any()]
    if missing:
        raise InvalidParameterError(param_message(
            func, "merging", "firms present in the data", missing,
            "Check the spelling of the merging parties (firm labels are case-sensitive)."))
    S = np.zeros((n, p))
    for i, party in enumerate(parties):
        mask = np.asarray(firms == party)
        S[:, i] = np.bincount(table.codes[mask], weights=table.shares[mask], minlength=n)
    present = (S > 0).sum(axis=1) >= 2
    m = _per_firm(func, "margins", margins, table, parties)
    pr = _per_firm(func, "prices", prices, table, parties, default=1.0)
    for name, arr in (("margins", m), ("prices", pr)):
        ok = np.isfinite(arr[present])
        if not ok.all():
            raise InvalidParameterError(param_message(
                func, name, "a value for every party in every market where the parties "
                "overlap", "missing values", f"Give {name} for {list(parties)}."))
    m[~present] = 0.0
    pr[~present] = 1.0
    m = _margins(func, m)
    pr = _prices(func, pr, pr.shape)
    if isinstance(diversion, pd.DataFrame):
        missing = [x for x in parties if x not in diversion.index or x not in diversion.columns]
        if missing:
            raise InvalidParameterError(param_message(
                func, "diversion", "a matrix whose rows and columns include every party",
                missing))
        D = np.broadcast_to(_diversion(func, diversion.loc[list(parties), list(parties)]
                                       .to_numpy(dtype=np.float64)), (n, p, p)).copy()
    elif diversion == "proportional":
        with np.errstate(divide="ignore", invalid="ignore"):
            D = recapture * S[:, None, :] / (1.0 - S[:, :, None])
    else:
        if diversion == "outside-in":
            inside = np.full(n, 1.0 - check_number(func, "outside_share", outside_share,
                                                   low=0.0, high=1.0, high_open=True))
        else:
            smin = np.where(S > 0, S, np.inf).min(axis=1)
            smin[~np.isfinite(smin)] = 0.0
            inside = recapture / (1.0 - (1.0 - recapture) * smin)
        pi = inside[:, None] * S
        with np.errstate(divide="ignore", invalid="ignore"):
            D = pi[:, None, :] / (1.0 - pi[:, :, None])
    D = np.nan_to_num(D, nan=0.0, posinf=0.0)
    D[:, np.arange(p), np.arange(p)] = 0.0
    D[~present] = 0.0
    post = _kappa_matrix(func, "kappa", kappa, parties, 1.0, table)
    pre = _kappa_matrix(func, "kappa_pre", kappa_pre, parties, 0.0, table)
    g = guppi(D, m, pr, kappa=post, kappa_pre=pre)
    u = upp(D, m, pr, efficiency=efficiency, kappa=post, kappa_pre=pre)
    ip = ipr(D, m, kappa=post, kappa_pre=pre)
    cm = cmcr_bertrand(D, m, pr, kappa=post, kappa_pre=pre)
    cc = np.full((n, p), np.nan)
    if elasticity is not None and p == 2:
        cc[present] = cmcr_cournot(S[present], elasticity,
                                   kappa=np.broadcast_to(post, (n, 2, 2))[present])
    dk = np.broadcast_to(post - pre, D.shape)
    div = D.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        wk = np.where(div > 0, (dk * D).sum(axis=2) / div, dk.sum(axis=2) / max(p - 1, 1))
    cols = {}
    rep = n * p
    if deal is not None:
        cols["deal"] = np.full(rep, deal, dtype=object)
    if table.groups is not None:  # the grouping columns, one row per party
        labels = table.groups.to_frame(index=False).iloc[np.repeat(np.arange(n), p)]
        cols.update({c: labels[c].to_numpy() for c in labels.columns})
    cols["firm"] = np.tile(np.array(parties, dtype=object), n)
    cols.update(share=S.ravel(), margin=m.ravel(), price=pr.ravel(), diversion=div.ravel(),
                kappa=wk.ravel(), guppi=g.ravel(), upp=u.ravel(), ipr=ip.ravel(),
                cmcr=cm.ravel(), cmcr_cournot=cc.ravel(),
                overlap=np.repeat(present, p))
    base = pd.DataFrame(cols)
    metric_cols = ["margin", "price", "diversion", "kappa", "guppi", "upp", "ipr", "cmcr",
                   "cmcr_cournot"]
    base.loc[~base["overlap"], metric_cols] = np.nan
    out = []
    for gl in keys_gl:
        f = base.copy()
        f.insert(f.columns.get_loc("firm"), "guideline", gl)
        thr, verdict, rule, cite = _statement_verdicts(f["guppi"].to_numpy(), gl, threshold)
        no = ~f["overlap"].to_numpy()
        verdict[no] = "no_overlap"
        rule[no] = "the merging parties do not both have a positive share in this market"
        f["threshold"] = thr
        f["verdict"] = verdict.astype(str)
        f["rule"] = rule.astype(str)
        f["citation"] = cite.astype(str)
        out.append(f)
    return pd.concat(out, ignore_index=True) if len(out) > 1 else out[0]

