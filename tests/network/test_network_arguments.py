"""Bad arguments of PartnershipNetwork give typed errors with the message template."""

import pandas as pd
import pytest

from concentration.exceptions import InvalidParameterError, SchemaError
from concentration.network import PartnershipNetwork


def _edges():
    return pd.DataFrame({"source": ["F0", "F1"], "target": ["F1", "F2"],
                         "kind": ["partnership", "equity_investment"],
                         "start": ["2020", "2021"], "end": [None, None], "weight": [1.0, 0.5]})


@pytest.mark.parametrize("kw", [{"start": []}, {"source": {}}, {"target": ["a"]},
                                {"kind": True}, {"weight": {"w": 1}}])
def test_column_arguments_must_be_column_names(kw):
    name = next(iter(kw))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of PartnershipNetwork"):
        PartnershipNetwork(_edges(), **kw)


@pytest.mark.parametrize("kinds", [float("-inf"), [1, 2], [None]])
def test_membership_kinds_must_be_tie_kinds(kinds):
    with pytest.raises(InvalidParameterError, match="membership_kinds"):
        PartnershipNetwork(_edges(), membership_kinds=kinds)


def test_unhashable_firm_labels_are_refused():
    edges = _edges().assign(source=[["F0"], ["F1"]])
    with pytest.raises(SchemaError, match="cannot be compared"):
        PartnershipNetwork(edges)


@pytest.mark.parametrize("freq", [None, "fortnightly", 3.5])
def test_periods_needs_a_frequency(freq):
    net = PartnershipNetwork(_edges())
    with pytest.raises(InvalidParameterError, match="'freq' parameter"):
        net.periods(freq)
    assert list(net.periods("YS").year) == [2020, 2021]
