"""Time of ``import concentration`` against the imports it no longer makes.

    python benchmarks/bench_import.py            # 7 runs of each
    python benchmarks/bench_import.py --runs 15

``import concentration`` loads every public name on first use: it imports neither
numpy, pandas, pyarrow nor scipy, and the first call of a function pays for the
modules that function needs.  Each statement is timed inside a fresh interpreter
(``time.perf_counter`` around it, so interpreter start-up is not counted), the
statements alternating, after one untimed warm-up run of each (file cache).  Printed:
the median of each, the ratio of the package import to ``import numpy, pandas,
pyarrow, scipy.sparse``, the time of ``import concentration`` followed by the first
``hhi`` call (where the cost of those libraries now shows), and the modules of
:data:`HEAVY` found in ``sys.modules`` after ``import concentration`` (there should
be none).

Then the command line: the wall time of ``python -m concentration --help`` and of
``python -m concentration mhhi --help`` (whole process: interpreter, package import,
parser, help text) against ``python -c "import concentration"`` and ``python -c
pass``, and, inside one interpreter, the time of building the parser (every
subcommand registered) after the package is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

BASELINE = "import numpy, pandas, pyarrow, scipy.sparse"
PACKAGE = "import concentration"
FIRST_USE = "import concentration\nconcentration.hhi({'a': 0.5, 'b': 0.5})"

#: Optional dependencies (and core ones only some functions need) that ``import
#: concentration`` should not load.
HEAVY = ("numpy", "pandas", "pyarrow", "scipy", "dask", "distributed", "matplotlib",
         "statsmodels", "networkx", "sklearn", "jinja2")

_CHILD = """
import time
t0 = time.perf_counter()
{statement}
seconds = time.perf_counter() - t0
import json, sys
heavy = [h for h in {heavy!r} if any(m == h or m.startswith(h + ".") for m in sys.modules)]
where = getattr(sys.modules.get("concentration"), "__file__", None)
print(json.dumps({{"seconds": seconds, "heavy": heavy, "file": where}}))
"""


def timed_import(statement):
    """Run ``statement`` in a fresh interpreter: its seconds, heavy modules and package file."""
    code = _CHILD.format(statement=statement, heavy=HEAVY)
    # run beside this script (not in a checkout root), so the installed package is imported
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=os.path.dirname(os.path.abspath(__file__)))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="timed runs of each import")
    args = ap.parse_args(argv)
    timed_import(BASELINE), timed_import(PACKAGE), timed_import(FIRST_USE)  # warm-up
    base, pkg, first = [], [], []
    for _ in range(args.runs):
        base.append(timed_import(BASELINE)["seconds"])
        last = timed_import(PACKAGE)
        pkg.append(last["seconds"])
        first.append(timed_import(FIRST_USE)["seconds"])
    t_base, t_pkg = statistics.median(base), statistics.median(pkg)
    print(f"concentration from {last['file']}; {args.runs} alternating runs each, "
          "fresh interpreters, medians")
    print(f"{BASELINE}: {t_base * 1000:.0f} ms")
    print(f"{PACKAGE}: {t_pkg * 1000:.0f} ms")
    print(f"{PACKAGE} / {BASELINE}: {t_pkg / t_base:.2f}")
    print(f"{PACKAGE}, then the first hhi call (a dict of two shares): "
          f"{statistics.median(first) * 1000:.0f} ms")
    print("heavy or optional modules after import concentration: "
          + (", ".join(last["heavy"]) if last["heavy"] else "none"))
    cli_startup(args.runs)


_PARSER = """
import time
import concentration.cli as cli
t0 = time.perf_counter()
cli.build_parser().format_help()
print(time.perf_counter() - t0)
"""


def wall(cmd):
    """Wall seconds of running ``cmd`` (a list) to completion, output discarded."""
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True,
                   cwd=os.path.dirname(os.path.abspath(__file__)))
    return time.perf_counter() - t0


def cli_startup(runs):
    """Median wall times of two ``--help``, a bare import and an empty interpreter."""
    cmds = {"python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import concentration'": [sys.executable, "-c", PACKAGE],
            "python -m concentration --help": [sys.executable, "-m", "concentration",
                                               "--help"],
            "python -m concentration mhhi --help": [sys.executable, "-m", "concentration",
                                                    "mhhi", "--help"]}
    for cmd in cmds.values():
        wall(cmd)  # warm-up
    times = {k: [] for k in cmds}
    parser = []
    for _ in range(runs):
        for k, cmd in cmds.items():
            times[k].append(wall(cmd))
        out = subprocess.run([sys.executable, "-c", _PARSER], capture_output=True, text=True,
                             check=True, cwd=os.path.dirname(os.path.abspath(__file__)))
        parser.append(float(out.stdout.strip().splitlines()[-1]))
    print("command line start-up (wall time of the whole process, medians):")
    for k, v in times.items():
        print(f"  {k:<36s} {statistics.median(v) * 1000:7.0f} ms")
    print(f"  building the parser after the import  {statistics.median(parser) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
