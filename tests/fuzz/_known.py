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
}
