"""Ownership-adjusted concentration: holdings, control, profit weights κ and the MHHI.

* :class:`Holdings` and :func:`read_holdings` -- who owns how much of which firm, with
  separate cash-flow and control rights, validated per period;
* :class:`ControlModel` -- how control rights turn into influence over managers;
* :func:`profit_weights` -- the O'Brien-Salop profit weights κ;
* :func:`kappa_above_one` -- every κ above one, with its cause;
* :func:`mhhi` and :class:`MHHI` -- the modified HHI, MHHIΔ and their screens;
* :func:`read_13f` and :func:`write_13f` -- the SEC's Form 13F data sets to holdings,
  with a per-quarter :class:`SEC13FReport`.
"""

from ._control import CONTROL_MODELS, ControlModel
from ._holdings import CONTROL_MISSING, HOLDINGS_TOLERANCE, Holdings, read_holdings
from ._kappa import ABOVE_ONE_CAUSES, ORIENTATION, kappa_above_one, profit_weights
from ._mhhi import MHHI, SCREEN_RULES, mhhi
from ._sec13f import SEC13F_CONTROL_RULES, SEC13FReport, read_13f, write_13f

__all__ = ["Holdings", "read_holdings", "HOLDINGS_TOLERANCE", "ControlModel", "CONTROL_MODELS",
           "profit_weights", "mhhi", "MHHI", "ORIENTATION", "SCREEN_RULES", "kappa_above_one",
           "ABOVE_ONE_CAUSES", "CONTROL_MISSING",
           "read_13f", "write_13f", "SEC13FReport", "SEC13F_CONTROL_RULES"]
