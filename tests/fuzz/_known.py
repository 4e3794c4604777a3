"""Case classes that still fail on the current library, with one repro each.

Each key is a case class (``entry/variant``, as printed in the fuzz section of the
log).  Their cases are left out of the zero-failure tests and checked instead by
``test_known_failure``, which is ``xfail(strict=True)``: once the library is fixed the
test passes unexpectedly and fails the suite, and the entry must be removed here.
"""

KNOWN_FAILURES = {
}
