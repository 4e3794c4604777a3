"""Column and seed arguments of the wrong type, found by the fuzz suite with other seeds."""

import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import (InvalidParameterError, InvalidSharesError, SchemaError)


@pytest.fixture
def shares_path(tmp_path):
    path = tmp_path / "s.parquet"
    cn.write_parquet(pd.DataFrame({"market": ["m", "m"], "firm": ["a", "b"],
                                   "share": [0.5, 0.5]}), path)
    return str(path)


@pytest.mark.parametrize("call", [
    lambda p: cn.read_shares(p, firm=[]),
    lambda p: cn.validate_shares(p, firm={}),
    lambda p: cn.read_holdings(p, period=[]),
])
def test_column_keywords_of_the_wrong_type_when_reading(shares_path, call):
    with pytest.raises(InvalidParameterError, match="column name"):
        call(shares_path)


def test_share_column_none_is_a_typed_error():
    df = pd.DataFrame({"firm": ["a", "b"], "share": [0.5, 0.5]})
    with pytest.raises(InvalidParameterError, match="'share' parameter"):
        cn.entropy(df, share=None)


def test_network_ends_must_be_named():
    edges = pd.DataFrame({"source": ["a"], "target": ["b"], "start": ["2020"]})
    with pytest.raises(InvalidParameterError, match="'source' parameter"):
        cn.PartnershipNetwork(edges, source=None)
    with pytest.raises(InvalidParameterError, match="membership_kinds"):
        cn.PartnershipNetwork(edges, membership_kinds="")


def test_negative_seed_and_non_matrix_weights():
    with pytest.raises(InvalidParameterError, match="'seed' parameter"):
        cn.stats.index_interval({"a": 0.5, "b": 0.5}, sample_size=200, n_draws=19, seed=-1)
    with pytest.raises(InvalidParameterError, match="'weights' parameter"):
        cn.weighted_hhi({"a": 0.5, "b": 0.5}, "identity")


@pytest.mark.parametrize("func", [cn.hhi_bounds, cn.lorenz, cn.hhi])
def test_complex_share_columns_are_refused(func):
    df = pd.DataFrame({"firm": ["a", "b"], "share": [0.5 + 0j, 0.3 + 0.1j]})
    with pytest.raises(SchemaError, match="numeric"):
        func(df)


@pytest.mark.filterwarnings("ignore::concentration.exceptions.FringeWarning")
def test_hannah_kay_of_a_market_without_a_positive_share():
    with pytest.raises(InvalidSharesError, match="no firm with a positive share"):
        cn.hannah_kay({"a": 0.0, "b": 0.0})


class _NotAnArray:
    """A hashable label whose array conversion fails, as some user objects' does."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array of this")

    def __repr__(self):
        return "NotAnArray()"


@pytest.mark.parametrize("other", [0.5, float("nan")])
def test_a_mapping_key_is_a_label_never_read_as_an_array(other):
    key = _NotAnArray()
    shares = {key: 0.5, "B": other}
    if other == other:
        assert cn.hhi(shares) == 5000.0
        assert cn.hhi(shares, duplicates="sum") == 5000.0
        frame = cn.screen_merger(shares, ["B", key]).to_frame()
        assert frame["delta_hhi"].iloc[0] == 5000.0
    else:   # the general path's message, not the label's exception
        with pytest.raises(cn.exceptions.InvalidSharesError, match="missing or infinite"):
            cn.hhi(shares)
    # tuple keys are one label each, as a dict holds them
    assert cn.hhi({("A", 1): 0.25, ("B", 2): 0.75}) == 6250.0
