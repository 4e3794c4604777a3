"""Econometrics and uncertainty for concentration measures.

* :func:`concentration_regression` -- the price-concentration regression of the
  common-ownership literature (outcome on HHI and MHHI delta with market and time
  fixed effects, standard errors clustered by market), fitted with statsmodels OLS.
* :func:`index_interval` -- confidence intervals for an index when the shares are
  estimates: a bootstrap from the underlying observations, a multinomial or Dirichlet
  model for survey shares with a stated sample size, and the delta method.
* :func:`market_sensitivity` -- an index or a merger screen over alternative market
  definitions, and where the verdict flips.
* :func:`hhi_change_decomposition` -- the change of the HHI between periods split
  exactly into entry, exit, reallocation among incumbents and ownership change.

Every HHI here comes from :mod:`concentration.measures` or the quadratic form of
:mod:`concentration._quadratic`; nothing re-implements it.

References
----------
.. [AST] Azar, J., Schmalz, M. C. and Tecu, I. (2018). Anticompetitive effects of
   common ownership. Journal of Finance 73(4), 1513-1565.
.. [SI] Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688.
.. [EF] Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
   New York: Chapman & Hall, ch. 13 (percentile intervals).
.. [CG] Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to
   cluster-robust inference. Journal of Human Resources 50(2), 317-372.
.. [GU] Guimaraes, P. and Portugal, P. (2010). A simple feasible procedure to fit
   models with high-dimensional fixed effects. Stata Journal 10(4), 628-649.
.. [SH] Shapley, L. S. (1953). A value for n-person games. In Contributions to the
   Theory of Games II, Annals of Mathematics Studies 28, 307-317.
"""

from ._decomposition import HHIChangeDecomposition, hhi_change_decomposition
from ._intervals import INTERVAL_METHODS, IndexInterval, index_interval
from ._regression import COV_TYPES, REG_METHODS, ConcentrationRegression, concentration_regression
from ._sensitivity import FRINGE_TREATMENTS, MarketSensitivity, market_sensitivity

__all__ = [
    "concentration_regression",
    "ConcentrationRegression",
    "index_interval",
    "IndexInterval",
    "market_sensitivity",
    "MarketSensitivity",
    "hhi_change_decomposition",
    "HHIChangeDecomposition",
    "COV_TYPES",
    "REG_METHODS",
    "INTERVAL_METHODS",
    "FRINGE_TREATMENTS",
]
