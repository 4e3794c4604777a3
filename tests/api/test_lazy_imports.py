"""``import concentration`` stays light, and no public name hides a module.

The heavy optional dependencies (and the parts of the core ones that only some
functions need) are imported on first use, never by ``import concentration`` or by
an in-memory ``hhi``.  This is checked in a fresh interpreter, since the test process
itself has imported everything by now.

A function or class of ``concentration.__all__`` named like a submodule would shadow
it: ``import concentration.<name> as m`` would then give the function.
"""

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import concentration

HEAVY = ("dask", "distributed", "matplotlib", "statsmodels", "scipy.stats", "networkx")

_PROBE = """
import json, sys

def heavy():
    return [h for h in {heavy!r}
            if any(m == h or m.startswith(h + ".") for m in sys.modules)]

import concentration as cn
assert cn.__file__ == {file!r}, cn.__file__
after_import = heavy()

import pandas as pd
df = pd.DataFrame({{"market": ["m", "m", "n"], "firm": ["A", "B", "A"],
                    "share": [0.6, 0.4, 1.0]}})
cn.hhi(df)
after_hhi = heavy()
print(json.dumps({{"import": after_import, "hhi": after_hhi}}))
"""


def _fresh_interpreter(code):
    """Run ``code`` in a new interpreter that finds the package this test imported."""
    env = dict(os.environ)
    package_parent = str(Path(concentration.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=os.path.dirname(package_parent), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_and_hhi_load_no_heavy_module():
    code = _PROBE.format(heavy=HEAVY, file=concentration.__file__)
    loaded = _fresh_interpreter(code)
    assert loaded["import"] == [], f"import concentration loads {loaded['import']}"
    assert loaded["hhi"] == [], f"cn.hhi on a DataFrame loads {loaded['hhi']}"


def test_import_submodule_as_gives_the_module():
    import concentration.measures as m

    assert isinstance(m, types.ModuleType)
    assert m.__name__ == "concentration.measures"


def _module_names():
    """Last component of every module and subpackage of the package (walked with pkgutil)."""
    return {info.name.rsplit(".", 1)[-1]
            for info in pkgutil.walk_packages(concentration.__path__, prefix="concentration.")}


def test_no_public_function_or_class_is_named_like_a_module():
    modules = _module_names()
    assert {"measures", "ownership", "cli", "_pairwise"} <= modules
    clash = sorted(name for name in concentration.__all__
                   if (inspect.isfunction(obj := getattr(concentration, name))
                       or inspect.isclass(obj)) and name in modules)
    assert not clash, f"public functions or classes named like a module: {clash}"


def test_every_top_level_module_is_the_package_attribute_of_its_name():
    for info in pkgutil.iter_modules(concentration.__path__):
        module = importlib.import_module(f"concentration.{info.name}")
        assert getattr(concentration, info.name) is module, info.name
