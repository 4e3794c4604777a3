"""concentration: antitrust concentration analysis.

HHI and other concentration indices, merger screens under each edition of the
merger guidelines, ownership-adjusted concentration (O'Brien-Salop MHHI) and
partnership-network analysis over market-share data stored as Parquet.

Shares are fractions in [0, 1] inside the library (``scale="percent"`` accepts
0-100); the HHI and its relatives are reported in points (0-10,000).

Every public name is loaded on first use: ``import concentration`` itself imports
neither NumPy nor pandas, so the command line's ``--help`` answers at once, and
computing an index pays only for the modules it needs (not for the report's
templates and figures, or for the econometrics).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names as type checkers and IDEs see them; loaded on first use below
    from . import datasets, exceptions, guidelines, stats, testing
    from ._pairwise import overlap
    from ._pairwise_summary import OverlapSummary, describe_overlap
    from ._show_versions import show_versions
    from ._tables import ValidationReport
    from .guidelines import get_guideline, list_guidelines
    from .io import read_shares, read_table, validate_shares, write_parquet
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
    from .network import (
        PartnershipNetwork,
        WeightedHHI,
        partnership_hhi,
        partnership_weights,
        weighted_hhi,
    )
    from .ownership import (
        MHHI,
        ControlModel,
        Holdings,
        SEC13FReport,
        mhhi,
        profit_weights,
        read_13f,
        read_holdings,
        write_13f,
    )
    from .reporting import ReportResult, report
    from .screen import MergerScreen, divest, minimum_divestiture, screen_merger
    from .unilateral import (
        UnilateralScreen,
        cmcr_bertrand,
        cmcr_cournot,
        critical_loss,
        diversion_ratios,
        guppi,
        hypothetical_monopolist_test,
        ipr,
        unilateral_screen,
        upp,
    )

    __version__: str

# Silent until the application configures logging (see concentration._progress).
logging.getLogger(__name__).addHandler(logging.NullHandler())


def _names(module, *names):
    return {name: (module, name) for name in names}


# public name -> (module, attribute or None for the module itself), imported on first use
_LAZY = {
    **{name: (f"concentration.{name}", None)
       for name in ("datasets", "exceptions", "guidelines", "testing", "stats")},
    "__version__": ("concentration._version", None),
    **_names("concentration._show_versions", "show_versions"),
    **_names("concentration._tables", "ValidationReport"),
    **_names("concentration.measures", "hhi", "concentration_ratio", "effective_number",
             "entropy", "hannah_kay", "gini", "lorenz", "hhi_bounds", "indices"),
    **_names("concentration.io", "read_shares", "read_table", "validate_shares",
             "write_parquet"),
    **_names("concentration._pairwise", "overlap"),
    **_names("concentration._pairwise_summary", "describe_overlap", "OverlapSummary"),
    **_names("concentration.ownership", "Holdings", "read_holdings", "ControlModel",
             "profit_weights", "mhhi", "MHHI", "read_13f", "write_13f", "SEC13FReport"),
    **_names("concentration.guidelines", "get_guideline", "list_guidelines"),
    **_names("concentration.screen", "screen_merger", "MergerScreen", "divest",
             "minimum_divestiture"),
    **_names("concentration.reporting", "report", "ReportResult"),
    **_names("concentration.network", "PartnershipNetwork", "partnership_weights",
             "partnership_hhi", "weighted_hhi", "WeightedHHI"),
    **_names("concentration.unilateral", "unilateral_screen", "UnilateralScreen",
             "diversion_ratios", "guppi", "upp", "ipr", "cmcr_bertrand", "cmcr_cournot",
             "critical_loss", "hypothetical_monopolist_test"),
}
del _names


def __getattr__(name):
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'concentration' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if name == "__version__":
        value = value.library_version()  # the installed metadata, read once
    elif attr is not None:
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
