"""Run the doctests of every module of the installed package.

The modules are the ones ``import concentration`` resolves to (in CI the installed,
non-editable package), walked with :mod:`pkgutil`; the source tree is never read
directly.  Each module's examples run with ``NORMALIZE_WHITESPACE | ELLIPSIS`` in a
copy of the module's namespace, and the test fails if any example fails.  Modules
that need an optional dependency that is not installed are skipped, by name.
"""

import doctest
import importlib
import pkgutil
import warnings

import pytest

import concentration

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS

# module -> the optional dependency its doctests need
OPTIONAL = {
    "concentration.backends.dask._groups": "dask",
    "concentration.plotting": "matplotlib",
    "concentration.plotting._charts": "matplotlib",
    "concentration.network": "scipy",
    "concentration.network._network": "scipy",
}


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


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name):
    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name])
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = finder.find(module, name, globs=dict(vars(module)))
    if not any(t.examples for t in tests):
        return  # nothing to run (private helpers, compiled kernels)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with warnings.catch_warnings():
        # Examples document the values; the warnings they trigger are tested elsewhere.
        warnings.simplefilter("ignore", concentration.exceptions.ConcentrationWarning)
        for test in tests:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed in {name}"
