"""The fuzz run is shared by the tests of this folder and summarised in the log.

The cases run once per session (in worker subprocesses, see ``_runner``), the first
time a test asks for ``fuzz_results``.  ``pytest_terminal_summary`` prints one line
with the counts of every outcome and one minimal repro per failing case class.
"""

import json
import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _runner  # noqa: E402
from _fuzzreport import FAILURES, FuzzRun, format_repro  # noqa: E402

_STATE = {}


@pytest.fixture(scope="session")
def fuzz_results():
    if "run" not in _STATE:
        cases, seed, workers = _runner.settings()
        t0 = time.monotonic()
        records = _runner.run(seed, list(range(cases)), workers=workers)
        _STATE["run"] = FuzzRun(seed, records, time.monotonic() - t0)
    return _STATE["run"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    run = _STATE.get("run")
    if run is None:
        return
    tr = terminalreporter
    tr.section("fuzz")
    groups = run.groups()
    if groups:
        tr.write_line(f"{len(groups)} failure groups (outcome, entry point, cause), "
                      f"{len(run.repros())} failing case classes; one minimal repro each:")
        for (outcome, entry, cause), recs in groups.items():
            classes = sorted({r["klass"].split("/", 1)[-1] for r in recs})
            best = min(recs, key=lambda r: len(r.get("call", "")))
            tr.write_line(f"  {outcome} | {entry} | {cause} | {len(recs)} cases; classes: "
                          + ", ".join(classes[:12]) + (" ..." if len(classes) > 12 else ""))
            tr.write_line("      " + format_repro(best).replace("\n", "\n    "))
    dump = os.environ.get("CONCENTRATION_FUZZ_REPORT")
    if dump:
        with open(dump, "w") as fh:
            json.dump([r for r in run.records.values() if r["outcome"] in FAILURES], fh,
                      indent=1, default=str)
        tr.write_line(f"failing cases written to {dump}")
    warned = {}
    for r in run.records.values():
        for w in r.get("untyped_warnings") or ():
            warned.setdefault(w, r)
    if warned:
        tr.write_line(f"{len(warned)} distinct non-library warnings from the library:")
        for w, r in sorted(warned.items())[:20]:
            tr.write_line(f"  {w}  <- {r['klass']}")
    tr.write_line(run.summary())
