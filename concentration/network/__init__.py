"""Partnership networks over time: centrality, partner overlap and partnership-adjusted HHI.

* :class:`PartnershipNetwork` -- dated ties between firms (alliances, investments,
  consortium memberships), with snapshots, time windows and centrality;
* :func:`centralization_from_values` -- Freeman centralization of given scores;
* :func:`partnership_weights`, :func:`weighted_hhi` and :class:`WeightedHHI` -- the
  HHI with partners' profits weighted in, as a sensitivity measure;
  :func:`partnership_hhi` -- the same for every market and period of a long table.
"""

from ._centrality import MEASURES, centralization_from_values
from ._network import PartnershipNetwork
from ._partnership import (
    DEFAULT_TIE_WEIGHTS,
    WeightedHHI,
    partnership_hhi,
    partnership_weights,
    weighted_hhi,
)
from ._ties import MEMBERSHIP_KINDS

__all__ = ["PartnershipNetwork", "MEASURES", "MEMBERSHIP_KINDS", "centralization_from_values",
           "DEFAULT_TIE_WEIGHTS", "partnership_weights", "weighted_hhi", "WeightedHHI",
           "partnership_hhi"]
