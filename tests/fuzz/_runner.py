"""Runs fuzz cases in batches of worker subprocesses, each under a memory limit.

A worker that dies (a signal, an abnormal exit) or stops answering within the per-case
timeout loses only the case it was running: that case is recorded as ``crash`` or
``hang`` and the rest of its batch goes to a new worker.
"""

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "_worker.py")

#: cases run by default (the CI size); CONCENTRATION_FUZZ_CASES overrides
DEFAULT_CASES = 5000
DEFAULT_SEED = 20261201
#: wall-clock seconds one case may take before it counts as a hang
CASE_TIMEOUT = float(os.environ.get("CONCENTRATION_FUZZ_TIMEOUT", "30"))
#: address-space limit of a worker
MEMORY_LIMIT = int(float(os.environ.get("CONCENTRATION_FUZZ_MEMORY_GB", "3")) * 2**30)
BATCH = 200


def settings():
    cases = int(os.environ.get("CONCENTRATION_FUZZ_CASES", DEFAULT_CASES))
    seed = int(os.environ.get("CONCENTRATION_FUZZ_SEED", DEFAULT_SEED))
    workers = int(os.environ.get("CONCENTRATION_FUZZ_WORKERS", min(2, os.cpu_count() or 1)))
    return cases, seed, max(1, workers)


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setsid()


class _Worker:
    def __init__(self, seed, indices, tmp, n):
        self.indices = list(indices)
        self.out = os.path.join(tmp, f"worker{n}.jsonl")
        self.err = open(os.path.join(tmp, f"worker{n}.err"), "w+b")
        self.casedir = os.path.join(tmp, f"cases{n}")
        os.makedirs(self.casedir, exist_ok=True)
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONFAULTHANDLER="1",
                   OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        self.proc = subprocess.Popen(
            [sys.executable, WORKER, str(seed), self.out, self.casedir],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.err,
            cwd=self.casedir, env=env, preexec_fn=_limit)
        self.proc.stdin.write(json.dumps(self.indices).encode())
        self.proc.stdin.close()
        self.offset = 0
        self.buffer = b""
        self.done = {}
        self.current = None
        self.started_at = time.monotonic()
        self.any_started = False

    def read(self):
        try:
            with open(self.out, "rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except FileNotFoundError:
            return
        self.offset += len(chunk)
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            rec = json.loads(line)
            if rec.get("start"):
                self.current = rec["i"]
                self.started_at = time.monotonic()
                self.any_started = True
            else:
                self.done[rec["i"]] = rec
                self.current = None

    def stderr_tail(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read().decode(errors="replace").strip()[-600:]

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def run(seed, indices, workers=2, batch=BATCH, timeout=CASE_TIMEOUT, progress=None):
    """Run the cases ``indices``; return a dict index -> record."""
    results = {}
    pending = [list(indices[k:k + batch]) for k in range(0, len(indices), batch)]
    attempts = {}
    active = []
    n = 0
    startup = max(60.0, timeout)  # importing the library in a cold worker
    with tempfile.TemporaryDirectory(prefix="concentration-fuzz-") as tmp:
        while pending or active:
            while pending and len(active) < workers:
                active.append(_Worker(seed, pending.pop(0), tmp, n))
                n += 1
            time.sleep(0.02)
            for w in list(active):
                w.read()
                exited = w.proc.poll() is not None
                if exited:
                    w.read()
                limit = timeout if w.any_started else startup
                hung = not exited and time.monotonic() - w.started_at > limit
                if not (exited or hung):
                    continue
                if hung:
                    w.kill()
                results.update(w.done)
                rest = [i for i in w.indices if i not in w.done]
                if w.current is not None:
                    i = w.current
                    rest.remove(i)
                    if hung:
                        results[i] = {"i": i, "outcome": "hang",
                                      "message": f"no answer within {timeout:g} s"}
                    else:
                        rc = w.proc.returncode
                        how = (f"killed by signal {signal.Signals(-rc).name}" if rc < 0
                               else f"worker exited with code {rc}")
                        results[i] = {"i": i, "outcome": "crash",
                                      "message": f"{how}; {w.stderr_tail()}"}
                elif rest:
                    # died before its next case started (import failure, startup hang)
                    for i in rest:
                        attempts[i] = attempts.get(i, 0) + 1
                    if max(attempts[i] for i in rest) >= 3:
                        for i in rest:
                            results[i] = {"i": i, "outcome": "harness_error",
                                          "klass": "worker/startup",
                                          "message": f"worker failed to start: "
                                                     f"{w.stderr_tail()}"}
                        rest = []
                if rest:
                    pending.insert(0, rest)
                w.err.close()
                active.remove(w)
                if progress:
                    progress(len(results), len(indices))
    return results


def klass_of(seed, index):
    """Case class and entry of a case that left no record (it crashed or hung)."""
    import concentration as cn  # noqa: F401 - the generator builds library objects
    sys.path.insert(0, HERE)
    import _cases
    with tempfile.TemporaryDirectory() as tmp:
        try:
            case = _cases.make_case(seed, index, cn, tmp)
        except Exception:
            return "generator/?", "generator"
    return case.klass, case.entry
