"""Time of ``import concentration`` against the imports it cannot avoid.

    python benchmarks/bench_import.py            # 7 runs of each
    python benchmarks/bench_import.py --runs 15

``import concentration`` needs numpy, pandas, pyarrow and scipy.sparse; everything else
(Dask, matplotlib, statsmodels, scipy.stats, networkx, the report templates) is imported
on first use.  Each import is timed inside a fresh interpreter (``time.perf_counter``
around the import statement, so interpreter start-up is not counted), the two commands
alternating, after one untimed warm-up run of each (file cache).  Printed: the median of
each, their ratio, and the modules of :data:`HEAVY` found in ``sys.modules`` after
``import concentration`` (there should be none).

Then the command line: the wall time of ``python -m concentration --help`` (whole
process: interpreter, package import, parser, help text) against ``python -c
"import concentration"`` and ``python -c pass``, and, inside one interpreter, the time
of building the parser (every subcommand registered) after the package is imported.
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

#: Optional dependencies (and core ones only some functions need) that ``import
#: concentration`` should not load.
HEAVY = ("dask", "distributed", "matplotlib", "statsmodels", "scipy.stats", "networkx",
         "sklearn", "jinja2")

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
    timed_import(BASELINE), timed_import(PACKAGE)  # warm-up, not counted
    base, pkg = [], []
    for _ in range(args.runs):
        base.append(timed_import(BASELINE)["seconds"])
        last = timed_import(PACKAGE)
        pkg.append(last["seconds"])
    t_base, t_pkg = statistics.median(base), statistics.median(pkg)
    print(f"concentration from {last['file']}; {args.runs} alternating runs each, "
          "fresh interpreters, medians")
    print(f"{BASELINE}: {t_base * 1000:.0f} ms")
    print(f"{PACKAGE}: {t_pkg * 1000:.0f} ms")
    print(f"{PACKAGE} / {BASELINE}: {t_pkg / t_base:.2f}")
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
    """Median wall times of ``--help``, a bare import and an empty interpreter."""
    cmds = {"python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import concentration'": [sys.executable, "-c", PACKAGE],
            "python -m concentration --help": [sys.executable, "-m", "concentration",
                                               "--help"]}
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
