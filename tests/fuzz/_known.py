"""Case classes that still fail on the current library, with one repro each.

Each key is a case class (``entry/variant``, as printed in the fuzz section of the
log).  Their cases are left out of the zero-failure tests and checked instead by
``test_known_failure[<class>]``, which is ``xfail(strict=True)``: once the library is
fixed that test passes unexpectedly and fails the suite, and the entry must be removed
here.  ``CONCENTRATION_FUZZ_KNOWN=fail`` runs them as plain (failing) tests.

``<edges>`` below is ``pd.DataFrame({"source": ["F0", "F1"], "target": ["F1", "F2"],
"kind": ["partnership", "equity_investment"], "start": ["2020", "2021"],
"end": [None, None], "weight": [1.0, 0.5]})``.
"""

KNOWN_FAILURES = {
    "PartnershipNetwork.periods/bad_freq_None":
        "untyped_error: net.periods(None) -> AttributeError: 'NoneType' object has no "
        "attribute 'rollback' at _network.py:304",
    "PartnershipNetwork/keyword_membership_kinds_-inf":
        "wrong_result: PartnershipNetwork(<edges>, membership_kinds=-inf) -> accepted "
        "(a non-sequence membership_kinds), returned a network of 2 ties",
    "PartnershipNetwork/keyword_source_dict":
        "untyped_error: PartnershipNetwork(<edges>, source={}) -> TypeError: unhashable "
        "type: 'dict' at _validation.py:114",
    "PartnershipNetwork/keyword_start_list":
        "untyped_error: PartnershipNetwork(<edges>, start=[]) -> TypeError: unhashable "
        "type: 'list' at _tables.py:225",
    "PartnershipNetwork/unhashable":
        "wrong_result: PartnershipNetwork(<edges> with source [['F0'], ['F1']]) -> "
        "accepted unhashable (list) firm labels, returned a network",
    "effective_number/bad_container_all_zero":
        "wrong_result: effective_number({'A': 0.0, 'B': 0.0}) -> returned inf (no firm "
        "has a share: 1/0, not a number of firms)",
    "hhi_bounds/bad_container_all_zero":
        "wrong_result: hhi_bounds({'A': 0.0, 'B': 0.0}) -> returned hhi_min 0, hhi_max "
        "10,000 (no fringe fits under a smallest share of 0)",
}
