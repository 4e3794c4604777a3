"""concentration: antitrust concentration analysis.

HHI and other concentration indices, merger screens under each edition of the
merger guidelines, ownership-adjusted concentration (O'Brien-Salop MHHI) and
partnership-network analysis over market-share data stored as Parquet.

Shares are fractions in [0, 1] inside the library (``scale="percent"`` accepts
0-100); the HHI and its relatives are reported in points (0-10,000).

The report (:func:`report`, :class:`ReportResult`) and :mod:`concentration.stats` are
loaded on first use, so that computing an index does not pay for the report's
templates and figures or for the econometrics.
"""

import importlib
import logging

from . import datasets
from . import exceptions
from ._show_versions import show_versions
from ._tables import ValidationReport
from ._version import library_version
from .measures import (
    concentration_ratio,
    effective_number,
    entropy,
    gini,
    hannah_kay,
    hhi,
    hhi_bounds,
    indices,
    lorenz,
)
from .io import read_shares, read_table, validate_shares, write_parquet
from ._pairwise import overlap
from ._pairwise_summary import OverlapSummary, describe_overlap
from .ownership import MHHI, ControlModel, Holdings, mhhi, profit_weights, read_holdings
from .ownership import SEC13FReport, read_13f, write_13f
from . import guidelines
from . import testing
from .guidelines import get_guideline, list_guidelines
from .screen import MergerScreen, divest, minimum_divestiture, screen_merger
from .network import (
    PartnershipNetwork,
    WeightedHHI,
    partnership_hhi,
    partnership_weights,
    weighted_hhi,
)
from .unilateral import (UnilateralScreen, cmcr_bertrand, cmcr_cournot, critical_loss,
                         diversion_ratios, guppi, hypothetical_monopolist_test, ipr,
                         unilateral_screen, upp)

__version__ = library_version()

# Silent until the application configures logging (see concentration._progress).
logging.getLogger(__name__).addHandler(logging.NullHandler())

# public name -> (module, attribute or None for the module itself), imported on first use
_LAZY = {
    "stats": ("concentration.stats", None),
    "report": ("concentration.reporting", "report"),
    "ReportResult": ("concentration.reporting", "ReportResult"),
}


def __getattr__(name):
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'concentration' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "__version__",
    "exceptions",
    "datasets",
    "stats",
    "show_versions",
    "ValidationReport",
    "hhi",
    "concentration_ratio",
    "effective_number",
    "entropy",
    "hannah_kay",
    "gini",
    "lorenz",
    "hhi_bounds",
    "indices",
    "read_shares",
    "read_table",
    "validate_shares",
    "write_parquet",
    "overlap",
    "describe_overlap",
    "OverlapSummary",
    "Holdings",
    "read_holdings",
    "ControlModel",
    "profit_weights",
    "mhhi",
    "MHHI",
    "read_13f",
    "write_13f",
    "SEC13FReport",
    "guidelines",
    "testing",
    "get_guideline",
    "list_guidelines",
    "screen_merger",
    "MergerScreen",
    "divest",
    "minimum_divestiture",
    "report",
    "ReportResult",
    "PartnershipNetwork",
    "partnership_weights",
    "partnership_hhi",
    "weighted_hhi",
    "WeightedHHI",
    "unilateral_screen",
    "UnilateralScreen",
    "diversion_ratios",
    "guppi",
    "upp",
    "ipr",
    "cmcr_bertrand",
    "cmcr_cournot",
    "critical_loss",
    "hypothetical_monopolist_test",
]
