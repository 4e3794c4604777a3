"""Run the doctests of every module of the installed package.

The modules are the ones ``import concentration`` resolves to (in CI the installed,
non-editable package), walked with :mod:`pkgutil`; the source tree is never read
directly.  Each module's examples run with ``NORMALIZE_WHITESPACE | ELLIPSIS`` in a
copy of the module's namespace, and the test fails if any example fails.

A module that needs an optional dependency that is not installed is skipped: every
module under a package of :data:`OPTIONAL` (by prefix, so splitting a module needs no
edit here), and every module whose examples import one of :data:`EXAMPLE_DEPENDENCIES`
(``import networkx as nx`` in an example of ``concentration.network``, say).
"""

import doctest
import importlib
import pkgutil
import re
import warnings

import pytest

import concentration

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS

# package prefix -> the optional dependencies every module under it needs
OPTIONAL = {
    "concentration.backends.dask": ("dask",),
    "concentration.plotting": ("matplotlib",),
}

# optional dependencies that an example may import (scipy is a core dependency)
EXAMPLE_DEPENDENCIES = ("networkx", "matplotlib", "dask", "distributed", "sklearn")

_IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", re.M)


def _needs(name):
    """The optional dependencies of module ``name``, from :data:`OPTIONAL`."""
    return [dep for prefix, deps in OPTIONAL.items()
            if name == prefix or name.startswith(prefix + ".") for dep in deps]


def _example_imports(tests):
    """The optional dependencies that the examples of ``tests`` import."""
    found = {m for t in tests for ex in t.examples for m in _IMPORT.findall(ex.source)}
    return [dep for dep in EXAMPLE_DEPENDENCIES if dep in found]


def _modules():
    names = [concentration.__name__]
    for info in pkgutil.walk_packages(concentration.__path__, prefix="concentration."):
        names.append(info.name)
    return sorted(names)


MODULES = _modules()


def test_modules_found():
    # the walk sees the installed package, compiled kernels included
    assert "concentration.measures" in MODULES
    assert any(name.startswith("concentration._kernels.") for name in MODULES)


def test_optional_dependencies_by_prefix():
    assert _needs("concentration.backends.dask") == ["dask"]
    assert _needs("concentration.backends.dask._any_new_module") == ["dask"]
    assert _needs("concentration.plotting._charts") == ["matplotlib"]
    assert _needs("concentration.plotting_extra") == []
    assert _needs("concentration.measures") == []
    assert all(any(m == p or m.startswith(p + ".") for m in MODULES) for p in OPTIONAL)
    example = doctest.DocTestParser().get_doctest(
        ">>> import networkx as nx\n>>> from concentration import hhi\n", {}, "x", None, 0)
    assert _example_imports([example]) == ["networkx"]


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name):
    for dep in _needs(name):
        pytest.importorskip(dep)
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = finder.find(module, name, globs=dict(vars(module)))
    if not any(t.examples for t in tests):
        return  # nothing to run (private helpers, compiled kernels)
    for dep in _example_imports(tests):
        pytest.importorskip(dep)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with warnings.catch_warnings():
        # Examples document the values; the warnings they trigger are tested elsewhere.
        warnings.simplefilter("ignore", concentration.exceptions.ConcentrationWarning)
        for test in tests:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed in {name}"
