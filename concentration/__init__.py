"""concentration: antitrust concentration analysis.

HHI and other concentration indices, merger screens under each edition of the
merger guidelines, ownership-adjusted concentration (O'Brien-Salop MHHI) and
partnership-network analysis over market-share data stored as Parquet.

Shares are fractions in [0, 1] inside the library (``scale="percent"`` accepts
0-100); the HHI and its relatives are reported in points (0-10,000).
"""

from . import datasets
from . import exceptions
from . import stats
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
from .ownership import MHHI, ControlModel, Holdings, mhhi, profit_weights, read_holdings
from . import guidelines
from . import testing
from .guidelines import get_guideline, list_guidelines
from .screen import MergerScreen, divest, minimum_divestiture, screen_merger
from .reporting import ReportResult, report
from .network import PartnershipNetwork, WeightedHHI, partnership_weights, weighted_hhi

__version__ = library_version()

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
    "Holdings",
    "read_holdings",
    "ControlModel",
    "profit_weights",
    "mhhi",
    "MHHI",
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
    "weighted_hhi",
    "WeightedHHI",
]
