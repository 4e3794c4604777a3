"""Worker process of the fuzz suite: runs a batch of cases and reports each one.

Usage: ``python _worker.py SEED OUT TMPDIR`` with the case indices as a JSON list on
standard input.  For every case it appends to OUT a line ``{"i": i, "start": true}``
before the call and a line with the outcome after it, so that the parent knows which
case was running when the process died or stopped answering.
"""

import contextlib
import copy
import dataclasses
import io
import json
import math
import os
import signal
import sys
import time
import traceback
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import concentration as cn  # noqa: E402
from concentration.exceptions import ConcentrationError, ConcentrationWarning  # noqa: E402

import _cases  # noqa: E402


def same(a, b, depth=0):
    """Deep equality for the inputs of a case (NaN equals NaN, dtypes must match)."""
    if depth > 8:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError:
            return False
        return a.attrs == b.attrs
    if isinstance(a, pd.Series):
        try:
            pd.testing.assert_series_equal(a, b, check_exact=True)
        except AssertionError:
            return False
        return True
    if isinstance(a, pd.Index):
        return a.equals(b) and a.dtype == b.dtype and a.names == b.names
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype == object:
            return all(same(x, y, depth + 1) for x, y in zip(a.ravel(), b.ravel()))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if sp.issparse(a):
        if a.shape != b.shape or a.format != b.format:
            return False
        if a.format in ("csr", "csc"):
            return (same(a.data, b.data) and same(a.indices, b.indices)
                    and same(a.indptr, b.indptr))
        if a.format == "coo":
            return same(a.data, b.data) and same(a.row, b.row) and same(a.col, b.col)
        return (a != b).nnz == 0
    if isinstance(a, dict):
        return (list(a.keys()) == list(b.keys())
                and all(same(a[k], b[k], depth + 1) for k in a))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, depth + 1) for x, y in zip(a, b))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (str, bytes, int, bool, complex, set, frozenset, type(None))):
        return a == b
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name), depth + 1)
                   for f in dataclasses.fields(a))
    if type(a) is object:
        return True
    if hasattr(a, "__dict__"):
        return same(vars(a), vars(b), depth + 1)
    try:
        return bool(a == b)
    except Exception:
        return True


def short(obj, limit=400):
    try:
        if isinstance(obj, np.ndarray):
            text = f"np.array({obj.tolist()!r}, dtype={obj.dtype})"
        elif sp.issparse(obj):
            text = (f"{type(obj).__name__}(shape={obj.shape}, data={obj.data.tolist()!r}, "
                    + (f"indices={obj.indices.tolist()!r}, indptr={obj.indptr.tolist()!r}"
                       if obj.format in ("csr", "csc") else "")
                    + ")")
        elif isinstance(obj, pd.DataFrame):
            text = f"pd.DataFrame({obj.to_dict(orient='list')!r})"
        elif isinstance(obj, pd.Series):
            text = f"pd.Series({obj.tolist()!r}, index={obj.index.tolist()!r})"
        elif isinstance(obj, (list, tuple)):
            inner = ", ".join(short(x, limit) for x in obj)
            text = f"[{inner}]" if isinstance(obj, list) else f"({inner}{',' if len(obj) == 1 else ''})"
        elif isinstance(obj, dict):
            text = "{" + ", ".join(f"{k!r}: {short(v, limit)}" for k, v in obj.items()) + "}"
        else:
            text = repr(obj)
    except Exception:
        text = f"<{type(obj).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def where(exc):
    """The innermost frame of the library in a traceback, as 'module.py:line'."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "concentration" in f.filename and "tests" not in f.filename]
    f = (ours or frames or [None])[-1]
    return f"{os.path.basename(f.filename)}:{f.lineno}" if f else ""


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    from concentration.cli import main
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = exc.code
    return rc, err.getvalue()


def _self_test(index):
    """Negative indices exercise the runner: -1 dies of SIGSEGV, -2 never returns."""
    if index == -1:
        os.kill(os.getpid(), signal.SIGSEGV)
    if index == -2:
        while True:
            time.sleep(1)
    return {"i": index, "outcome": "accepted", "klass": "selftest/ok", "entry": "selftest"}


def _mutate(df):
    df.iloc[0, 0] = 9.0
    return 1.0


def _self_test_case(index):
    """Cases -6, -7, -8: a call that modifies its input, raises TypeError, or is wrong."""
    frame = pd.DataFrame({"share": [0.5, 0.5]})
    if index == -6:
        return _cases.Case("selftest", "mutates", _mutate, (frame,), {}, "either", 1.0,
                           _cases.cmp_scalar)
    if index == -7:
        return _cases.Case("selftest", "untyped", lambda df: df["nope"], (frame,), {},
                           "error")
    return _cases.Case("selftest", "wrong", lambda df: 1.0, (frame,), {}, "oracle", 2.0,
                       _cases.cmp_scalar)


def run_case(seed, index, tmp):
    if index < 0 and index > -6:
        return _self_test(index)
    rec = {"i": index}
    try:
        case = (_self_test_case(index) if index < 0
                else _cases.make_case(seed, index, cn, tmp))
    except Exception as exc:  # a bug of the generator (or the library used to build inputs)
        rec.update(outcome="harness_error", klass=f"generator/{index}",
                   entry="generator", message=f"{type(exc).__name__}: {exc} at {where(exc)}")
        return rec
    rec.update(klass=case.klass, entry=case.entry, expect=case.expect)
    if case.cli:
        argv, out_csv = case.args
        rec["call"] = "python -m concentration " + " ".join(argv)
    else:
        rec["call"] = (f"{case.entry}(" + ", ".join(
            [short(a) for a in case.args]
            + [f"{k}={short(v)}" for k, v in case.kwargs.items()]) + ")")
    try:
        snapshot = copy.deepcopy((case.args, case.kwargs))
    except Exception:
        snapshot = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if case.cli:
            try:
                rc, err = run_cli(argv)
            except BaseException as exc:  # noqa: B902 - anything escaping main() is a bug
                rec.update(outcome="untyped_error",
                           message=f"{type(exc).__name__}: {exc} at {where(exc)}"[:500])
            else:
                if rc == 0:
                    if case.expect == "error":
                        rec.update(outcome="wrong_result",
                                   message="exit code 0 for invalid arguments")
                    elif case.compare((rc, out_csv), case.oracle):
                        rec["outcome"] = "oracle_equal"
                    else:
                        rec.update(outcome="wrong_result", message="output differs from oracle")
                elif rc in (1, 2) and "Traceback" not in err:
                    rec.update(outcome="typed_error", message=err.strip()[-300:])
                else:
                    rec.update(outcome="untyped_error",
                               message=f"exit code {rc!r}: {err.strip()[-400:]}")
        else:
            try:
                result = case.func(*case.args, **case.kwargs)
            except ConcentrationError as exc:
                rec.update(outcome="typed_error", message=f"{type(exc).__name__}: {exc}"[:300])
            except (KeyboardInterrupt, SystemExit) as exc:
                rec.update(outcome="untyped_error", message=f"{type(exc).__name__}: {exc}")
            except BaseException as exc:  # noqa: B902
                rec.update(outcome="untyped_error",
                           message=f"{type(exc).__name__}: {exc} at {where(exc)}"[:500])
            else:
                if case.expect == "error":
                    rec.update(outcome="wrong_result",
                               message=f"accepted invalid input, returned {short(result, 200)}")
                else:
                    try:
                        ok = case.compare(result, case.oracle)
                    except Exception as exc:
                        ok = False
                        rec["message"] = f"comparison failed: {exc}"
                    if ok:
                        rec["outcome"] = "oracle_equal" if case.oracle is not None else "accepted"
                    else:
                        rec["outcome"] = "wrong_result"
                        rec["message"] = (f"returned {short(result, 250)}; "
                                          f"oracle {short(case.oracle, 250)}")
    rec["untyped_warnings"] = sorted({
        f"{w.category.__name__}: {str(w.message)[:120]}" for w in caught
        if not issubclass(w.category, ConcentrationWarning)
        and issubclass(w.category, (RuntimeWarning, UserWarning))
        and "concentration" in (w.filename or "")})
    if snapshot is not None and not same((case.args, case.kwargs), snapshot):
        rec["message"] = f"input modified (outcome was {rec['outcome']}); " + rec.get("message", "")
        rec["outcome"] = "mutated_input"
    return rec


def main():
    seed, out_path, tmp = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    indices = json.loads(sys.stdin.read())
    with open(out_path, "a", buffering=1) as out:
        for i in indices:
            out.write(json.dumps({"i": i, "start": True}) + "\n")
            out.flush()
            t0 = time.perf_counter()
            rec = run_case(seed, i, tmp)
            rec["seconds"] = round(time.perf_counter() - t0, 4)
            out.write(json.dumps(rec, default=str) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
