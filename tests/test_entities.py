"""The entity model: aliases, dated parents, chains, and its use by the share table."""
import pandas as pd
import pytest

import concentration as cn
from concentration._entities import coerce_entities
from concentration._tables import coerce_shares
from concentration.exceptions import InvalidParameterError, SchemaError

T = pd.Timestamp

TABLE = pd.DataFrame({
    "entity": ["Google", "DeepMind", "Target", "Alphabet"],
    "parent": ["Alphabet", "Google", "Acquirer", None],
    "parent_since": [pd.NaT, T("2014-01-26"), T("2024-06-15"), pd.NaT],
    "aliases": ["Google Cloud;GCP", None, None, "Alphabet Inc."],
})


def test_aliases_and_chains_resolve_to_the_ultimate_parent():
    ent = coerce_entities(TABLE, "hhi")
    assert list(ent.resolve(["GCP", "DeepMind", "Alphabet Inc.", "Other"])) == \
        ["Alphabet", "Alphabet", "Alphabet", "Other"]


def test_a_dated_link_applies_from_its_date():
    ent = coerce_entities(TABLE, "hhi")
    out = ent.resolve(["Target", "Target", "DeepMind"],
                      at=[T("2024-03-31"), T("2024-06-30"), T("2013-12-31")])
    # the acquisition closed on 2024-06-15: Q1 stays separate, Q2 joins; DeepMind
    # before 2014-01-26 is not yet Google's
    assert list(out) == ["Target", "Acquirer", "DeepMind"]


def test_dated_parents_in_hhi_hand_computed():
    # Acquirer 30%, Target 20%, Other 50% in 2024Q1 and 2024Q2; Target joins on 2024-06-15
    rows = [(p, f, s) for p in ("2024Q1", "2024Q2")
            for f, s in (("Acquirer", 0.3), ("Target", 0.2), ("Other", 0.5))]
    df = pd.DataFrame(rows, columns=["period", "firm", "share"])
    h = cn.hhi(df, parent=TABLE)
    assert h["2024Q1"] == pytest.approx(10_000 * (0.09 + 0.04 + 0.25))  # 3,800
    assert h["2024Q2"] == pytest.approx(10_000 * (0.25 + 0.25))         # 5,000
    t = coerce_shares(df, parent=TABLE)
    assert t.merged.to_dict("records") == [{"firm": "Target", "entity": "Acquirer"}]


@pytest.mark.filterwarnings("ignore::concentration.exceptions.FringeWarning")
def test_the_bundled_entity_table_works_as_it_is():
    shares = cn.datasets.load("ai_market_shares")
    h = cn.hhi(shares, parent=cn.datasets.load("entities"))
    t = coerce_shares(shares, parent=cn.datasets.load("entities"), emit=False)
    assert "Google" not in set(t.firms) and "Alphabet" in set(t.firms)
    assert h.notna().all()


def test_mapping_and_series_forms():
    assert list(coerce_entities({"a": "b", "b": "c"}, "f").resolve(["a"])) == ["c"]
    assert list(coerce_entities(pd.Series({"a": "b"}), "f").resolve(["a", "z"])) == ["b", "z"]


def test_bad_entity_tables_are_refused():
    with pytest.raises(InvalidParameterError, match="acyclic"):
        coerce_entities({"a": "b", "b": "a"}, "hhi")
    with pytest.raises(SchemaError, match="'parent'"):
        coerce_entities(pd.DataFrame({"entity": ["a"]}), "hhi")
    with pytest.raises(InvalidParameterError, match="two parents"):
        coerce_entities(pd.DataFrame({"firm": ["a", "a"], "parent": ["b", "c"]}), "hhi")
    with pytest.raises(InvalidParameterError, match="alias"):
        coerce_entities(pd.DataFrame({"firm": ["a", "b"], "parent": [None, None],
                                      "aliases": ["x", "x"]}), "hhi")
    with pytest.raises(InvalidParameterError, match="parent"):
        coerce_entities(42, "hhi")
    with pytest.raises(InvalidParameterError, match="parent_since"):
        coerce_entities(pd.DataFrame({"firm": ["a"], "parent": ["b"], "parent_since": ["x"]}),
                        "hhi")
