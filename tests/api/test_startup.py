"""``import concentration`` and the command line's help load no numerical library.

Every public name of the package is loaded on first use, and the command line
imports what a command needs only inside the function that runs it, so that
``import concentration``, ``concentration --help``, ``concentration COMMAND --help``
and ``concentration --version`` answer without importing NumPy, pandas, PyArrow or
SciPy.  Each check runs in a fresh interpreter (the test process has imported
everything by now); the same interpreter then computes an HHI, so that the names
loaded on first use still work after the help was printed.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import concentration

NUMERICAL = ("numpy", "pandas", "pyarrow", "scipy")

_PROBE = """
import contextlib, io, json, sys

def loaded():
    return sorted({{m.partition(".")[0] for m in sys.modules}} & set({numerical!r}))

out = {{}}
import concentration as cn
assert cn.__file__ == {file!r}, cn.__file__
out["import concentration"] = loaded()

from concentration.cli import build_parser, main

def commands(parser, prefix=()):
    # every subcommand (and sub-subcommand) of the parser, as argv prefixes
    for action in parser._actions:
        if isinstance(action.choices, dict):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from commands(sub, (*prefix, name))

argvs = [["--help"], ["--version"]] + [[*c, "--help"] for c in commands(build_parser())]
out["commands"] = [" ".join(c) for c in commands(build_parser())]
for argv in argvs:
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        try:
            main(argv)
        except SystemExit as exc:
            assert exc.code == 0, (argv, exc.code)
    assert text.getvalue().strip(), argv
    out[" ".join(argv)] = loaded()

out["hhi"] = cn.hhi({{"a": .5, "b": .5}})
out["after hhi"] = loaded()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probe():
    """What the fresh interpreter of :data:`_PROBE` found loaded after each step."""
    env = dict(os.environ)
    package_parent = str(Path(concentration.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    code = _PROBE.format(numerical=NUMERICAL, file=concentration.__file__)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=os.path.dirname(package_parent), timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_loads_no_numerical_library(probe):
    assert probe["import concentration"] == []


def test_every_subcommand_is_probed(probe):
    assert {"indices", "screen", "verify", "report", "datasets", "datasets export", "mhhi",
            "network", "overlap", "unilateral"} <= set(probe["commands"])


@pytest.mark.parametrize("step", ["--help", "--version"])
def test_top_level_help_and_version_load_no_numerical_library(probe, step):
    assert probe[step] == [], f"concentration {step} loads {probe[step]}"


def test_subcommand_help_loads_no_numerical_library(probe):
    loaded = {c: probe[f"{c} --help"] for c in probe["commands"]}
    assert all(v == [] for v in loaded.values()), {c: v for c, v in loaded.items() if v}


def test_names_still_load_on_first_use_after_the_help(probe):
    assert probe["hhi"] == pytest.approx(5000.0)
    assert "numpy" in probe["after hhi"]


def test_every_public_name_resolves():
    missing = [name for name in concentration.__all__ if not hasattr(concentration, name)]
    assert not missing, missing
    assert set(concentration.__all__) <= set(dir(concentration))


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'hhj'"):
        concentration.hhj  # noqa: B018


def test_constants_module_imports_nothing():
    """The command line reads its option choices there before any library is loaded."""
    path = Path(concentration.__file__).parent / "_constants.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = [node.lineno for node in ast.walk(tree)
               if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not imports, f"concentration/_constants.py imports at lines {imports}"
