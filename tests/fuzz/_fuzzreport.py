"""Outcome counts, failure groups and the summary line of a fuzz run."""

import re

import _runner
from _known import KNOWN_FAILURES

OK = ("typed_error", "oracle_equal", "accepted")
FAILURES = ("crash", "hang", "untyped_error", "mutated_input", "wrong_result",
            "harness_error")



class FuzzRun:
    def __init__(self, seed, records, seconds):
        self.seed = seed
        self.records = records
        self.seconds = seconds
        for rec in records.values():
            if "klass" not in rec:          # crashed or hung: rebuild its label
                rec["klass"], rec["entry"] = _runner.klass_of(seed, rec["i"])

    def count(self, outcome):
        return sum(r["outcome"] == outcome for r in self.records.values())

    def of(self, outcome, klass_prefix=None):
        return [r for r in self.records.values() if r["outcome"] == outcome
                and (klass_prefix is None or r["klass"].startswith(klass_prefix))]

    def repros(self, outcomes=FAILURES):
        """One shortest failing case per (outcome, case class)."""
        best = {}
        for r in self.records.values():
            if r["outcome"] in outcomes:
                key = (r["outcome"], r["klass"])
                if key not in best or len(r.get("call", "")) < len(best[key].get("call", "")):
                    best[key] = r
        return [best[k] for k in sorted(best)]

    def groups(self, outcomes=FAILURES):
        """Failures grouped by likely cause: outcome, entry point and exception site."""
        groups = {}
        for r in self.records.values():
            if r["outcome"] in outcomes:
                groups.setdefault(signature(r), []).append(r)
        return dict(sorted(groups.items()))

    def summary(self):
        n = len(self.records)
        warned = sum(bool(r.get("untyped_warnings")) for r in self.records.values())
        parts = [f"{n:,} cases", f"{self.count('typed_error'):,} typed errors",
                 f"{self.count('oracle_equal'):,} oracle-equal results",
                 f"{self.count('accepted'):,} other accepted results",
                 f"{self.count('crash'):,} crashes", f"{self.count('hang'):,} hangs",
                 f"{self.count('untyped_error'):,} untyped errors",
                 f"{self.count('mutated_input'):,} mutated inputs",
                 f"{self.count('wrong_result'):,} wrong results"]
        if self.count("harness_error"):
            parts.append(f"{self.count('harness_error'):,} harness errors")
        known = sum(r["outcome"] in FAILURES and r.get("klass") in KNOWN_FAILURES
                    for r in self.records.values())
        if known:
            parts.append(f"{known:,} of the failures in {len(KNOWN_FAILURES)} known "
                         "(xfail) case classes")
        parts.append(f"({warned:,} cases with a non-library warning; "
                     f"seed {self.seed}, {self.seconds:.0f} s)")
        return "fuzz: " + ", ".join(parts)


def signature(r):
    """(outcome, entry, cause): the exception type and site, or the case class."""
    msg = r.get("message", "")
    if r["outcome"] == "untyped_error":
        m = re.match(r"(\w+): .* at (\S+)$", msg, re.S)
        cause = f"{m.group(1)} at {m.group(2)}" if m else msg.split(":")[0]
    elif r["outcome"] == "crash":
        cause = msg.split(";")[0]
    else:
        cause = r["klass"].split("/", 1)[-1]
    return (r["outcome"], r.get("entry", "?"), cause)


def format_repro(r):
    return (f"[{r['outcome']}] {r['klass']}: {r.get('call', '?')}\n"
            f"      -> {r.get('message', '')}")


