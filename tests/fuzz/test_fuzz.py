"""Fuzz/property suite: every public entry point driven with generated inputs.

Each case runs in a worker subprocess (under a memory limit and a timeout) and must
end in a typed :class:`~concentration.exceptions.ConcentrationError` or a result equal
to an independent numpy oracle (``_oracle``), without a signal, a hang, or a change to
its inputs.  The case count is ``_runner.DEFAULT_CASES``.  Environment:

* ``CONCENTRATION_FUZZ_CASES`` (default 5000), ``CONCENTRATION_FUZZ_SEED``: a longer run
  or other cases, e.g. ``CONCENTRATION_FUZZ_CASES=50000 CONCENTRATION_FUZZ_SEED=7``;
* ``CONCENTRATION_FUZZ_WORKERS`` (default: 2 or the cores), ``CONCENTRATION_FUZZ_TIMEOUT``
  (seconds per case, 30), ``CONCENTRATION_FUZZ_MEMORY_GB`` (address space per worker, 3);
* ``CONCENTRATION_FUZZ_REPORT=path``: write every failing case (call, outcome, message)
  to a JSON file;
* ``CONCENTRATION_FUZZ_KNOWN=fail``: run the known failures of ``_known`` without their
  xfail marks.
"""

import os
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import concentration as cn  # noqa: E402

import _cases  # noqa: E402
import _runner  # noqa: E402
from _known import KNOWN_FAILURES  # noqa: E402
from _fuzzreport import FAILURES, format_repro  # noqa: E402

#: every public entry point the generator drives
ENTRY_POINTS = {
    "hhi", "concentration_ratio", "effective_number", "entropy", "hannah_kay", "gini",
    "lorenz", "hhi_bounds", "indices", "read_shares", "read_table", "validate_shares",
    "write_parquet", "overlap", "read_holdings", "ControlModel", "profit_weights", "mhhi",
    "get_guideline", "screen_merger", "divest", "minimum_divestiture", "report",
    "PartnershipNetwork", "partnership_weights", "weighted_hhi", "stats.index_interval",
    "stats.market_sensitivity", "stats.hhi_change_decomposition",
    "stats.concentration_regression", "guidelines.classify", "datasets.load", "cli",
    "PartnershipNetwork.centrality", "PartnershipNetwork.as_of", "PartnershipNetwork.window",
    "PartnershipNetwork.periods", "PartnershipNetwork.partner_overlap",
}

#: entry points with valid cases checked against the oracle
ORACLE_ENTRIES = {
    "hhi", "concentration_ratio", "effective_number", "entropy", "hannah_kay", "gini",
    "lorenz", "hhi_bounds", "indices", "screen_merger", "overlap", "mhhi", "weighted_hhi",
    "read_shares", "read_table", "cli", "PartnershipNetwork.centrality",
}


def _unknown(run, outcome):
    return [r for r in run.records.values()
            if r["outcome"] == outcome and r.get("klass") not in KNOWN_FAILURES]


def _failures(run, outcome):
    recs = _unknown(run, outcome)
    best = {}
    for r in recs:
        if r["klass"] not in best or len(r.get("call", "")) < len(best[r["klass"]]["call"]):
            best[r["klass"]] = r
    return f"{len(recs)} {outcome} cases in {len(best)} classes:\n" + "\n".join(
        format_repro(best[k]) for k in sorted(best))


def test_the_generator_is_deterministic():
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        for i in range(0, 400, 7):
            x = _cases.make_case(11, i, cn, a)
            y = _cases.make_case(11, i, cn, b)
            assert (x.klass, x.expect, repr(x.kwargs.keys())) == \
                (y.klass, y.expect, repr(y.kwargs.keys()))


def test_the_runner_survives_a_crash_and_a_hang():
    # -1 kills its worker with SIGSEGV, -2 never returns; the other cases still run
    got = _runner.run(0, [-3, -1, -4, -2, -5], workers=1, batch=5, timeout=3)
    assert got[-1]["outcome"] == "crash" and "SIGSEGV" in got[-1]["message"]
    assert got[-2]["outcome"] == "hang"
    assert all(got[i]["outcome"] == "accepted" for i in (-3, -4, -5))


def test_the_worker_classifies_outcomes():
    got = _runner.run(0, [-6, -7, -8], workers=1, batch=3, timeout=30)
    assert got[-6]["outcome"] == "mutated_input"
    assert got[-7]["outcome"] == "untyped_error" and "KeyError" in got[-7]["message"]
    assert got[-8]["outcome"] == "wrong_result"


def test_every_entry_point_is_exercised(fuzz_results):
    assert len(fuzz_results.records) == _runner.settings()[0]
    if len(fuzz_results.records) < 2000:
        pytest.skip("too few cases to reach every entry point")
    entries = {r.get("entry") for r in fuzz_results.records.values()}
    assert ENTRY_POINTS <= entries, sorted(ENTRY_POINTS - entries)
    oracle = {r.get("entry") for r in fuzz_results.records.values()
              if r.get("expect") == "oracle"}
    assert ORACLE_ENTRIES <= oracle, sorted(ORACLE_ENTRIES - oracle)


def test_no_harness_errors(fuzz_results):
    assert len(_unknown(fuzz_results, "harness_error")) == 0, \
        _failures(fuzz_results, "harness_error")


def test_no_crashes(fuzz_results):
    assert len(_unknown(fuzz_results, "crash")) == 0, \
        _failures(fuzz_results, "crash")


def test_no_hangs(fuzz_results):
    assert len(_unknown(fuzz_results, "hang")) == 0, \
        _failures(fuzz_results, "hang")


def test_no_untyped_errors(fuzz_results):
    assert len(_unknown(fuzz_results, "untyped_error")) == 0, \
        _failures(fuzz_results, "untyped_error")


def test_no_mutated_inputs(fuzz_results):
    assert len(_unknown(fuzz_results, "mutated_input")) == 0, \
        _failures(fuzz_results, "mutated_input")


def test_no_wrong_results(fuzz_results):
    assert len(_unknown(fuzz_results, "wrong_result")) == 0, \
        _failures(fuzz_results, "wrong_result")


_KNOWN_MARKS = os.environ.get("CONCENTRATION_FUZZ_KNOWN", "xfail") != "fail"


@pytest.mark.parametrize("klass", [
    pytest.param(k, marks=[pytest.mark.xfail(strict=True, reason=v)] if _KNOWN_MARKS else [])
    for k, v in sorted(KNOWN_FAILURES.items())])
def test_known_failure(fuzz_results, klass):
    recs = [r for r in fuzz_results.records.values() if r.get("klass") == klass]
    if not recs:
        pytest.skip(f"no case of {klass} in this run")
    bad = [r for r in recs if r["outcome"] in FAILURES]
    assert not bad, format_repro(min(bad, key=lambda r: len(r.get("call", ""))))
