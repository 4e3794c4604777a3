"""Helpers shared by the analyses of :mod:`concentration.stats`.

:func:`check_measure` accepts the per-market measures of
:func:`concentration.indices` that the intervals and the sensitivity analysis
recompute; :func:`fringe_warnings_ignored` silences the fringe warning of those
repeated index calls, whose input has already been checked (and any fringe reported)
once.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

from .._validation import param_message
from ..exceptions import FringeWarning, InvalidParameterError
from ..measures import MEASURES

__all__ = ["check_measure", "fringe_warnings_ignored"]


def check_measure(func, measure):
    """Return ``measure`` if it is one per-market measure of :func:`concentration.indices`.

    ``"cr<k>"`` stands for any ``"cr"`` followed by digits; the HHI bounds
    (``"hhi_min"``, ``"hhi_max"``) are not measures of the shares alone.

    Raises
    ------
    InvalidParameterError
        Anything else, naming ``func`` and the accepted measures.
    """
    if not isinstance(measure, str) or not (
            measure in MEASURES and measure not in ("cr<k>", "hhi_min", "hhi_max")
            or (measure.startswith("cr") and measure[2:].isdigit())):
        raise InvalidParameterError(param_message(
            func, "measure", "'hhi', 'cr<k>', 'effective_number', 'entropy', "
            "'entropy_normalized', 'gini', 'hannah_kay' or 'n_firms'", measure))
    return measure


@contextmanager
def fringe_warnings_ignored():
    """Ignore :class:`~concentration.exceptions.FringeWarning` inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)
        yield
