"""What the installed package holds: its subpackages, the report templates, the compiled kernels.

The package under test is the one ``import concentration`` finds (in CI a non-editable
install in site-packages; here it may be the editable checkout).  The source checkout,
when it is beside the tests (``pyproject.toml`` and ``concentration/`` two levels up),
supplies what the installed copy is compared with; without it those checks skip.
"""

import importlib
import importlib.machinery
import os
from importlib import resources
from pathlib import Path

import pytest

import concentration
from concentration._kernels import compiled_kernels, load

INSTALLED = Path(concentration.__file__).resolve().parent
CHECKOUT = Path(__file__).resolve().parents[2]
PYPROJECT = CHECKOUT / "pyproject.toml"
SOURCE = CHECKOUT / "concentration"
HAS_CHECKOUT = PYPROJECT.is_file() and SOURCE.is_dir()
needs_checkout = pytest.mark.skipif(not HAS_CHECKOUT,
                                    reason="the source checkout is not beside the tests")


def _subpackages(root):
    """Dotted names of every directory under ``root`` (the package) with an ``__init__.py``."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        if "__init__.py" in files:
            rel = Path(folder).relative_to(root)
            found.append(".".join(("concentration", *rel.parts)))
    return found


def _listed_packages():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(PYPROJECT, "rb") as fh:
        return tomllib.load(fh)["tool"]["setuptools"]["packages"]


SUBPACKAGES = _subpackages(INSTALLED)


def test_subpackages_are_found():
    assert {"concentration", "concentration._kernels", "concentration.cli",
            "concentration.reporting", "concentration.backends.dask"} <= set(SUBPACKAGES)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_is_importable_from_the_installed_package(name):
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent.is_relative_to(INSTALLED), module.__file__


@needs_checkout
def test_every_subpackage_is_listed_in_pyproject():
    listed = set(_listed_packages())
    missing = sorted((set(SUBPACKAGES) | set(_subpackages(SOURCE))) - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


@needs_checkout
def test_every_listed_package_is_importable():
    for name in _listed_packages():
        importlib.import_module(name)


def _modules(root):
    """Relative paths of the ``.py`` files under ``root``, the bundled datasets aside."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*.py")
            if p.relative_to(root).parts[0] != "_data"}


@needs_checkout
def test_installed_modules_have_a_source():
    # a stale build/ folder puts modules removed from the source into a wheel
    stale = sorted(_modules(INSTALLED) - _modules(SOURCE))
    assert not stale, f"installed modules with no source (a stale build?): {stale}"


def _files(folder):
    """Paths of every file below ``folder`` (a Path or an importlib.resources Traversable)."""
    out = set()
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                out |= {f"{entry.name}/{f}" for f in _files(entry)}
        else:
            out.add(entry.name)
    return out


@needs_checkout
def test_report_templates_are_installed():
    source = SOURCE / "reporting" / "templates"
    if not source.is_dir():
        pytest.skip("the source tree has no reporting/templates/")
    expected = _files(source)
    installed = resources.files("concentration.reporting").joinpath("templates")
    assert installed.is_dir(), "concentration/reporting/templates/ is not installed"
    missing = sorted(expected - _files(installed))
    assert not missing, f"templates not installed (pyproject package-data): {missing}"


# one compiled kernel per readable reference _<name>_ref.py beside it
KERNELS = sorted(p.name[:-len("_ref.py")] for p in (INSTALLED / "_kernels").glob("_*_ref.py"))


def test_kernels_are_found():
    assert {"_brandes", "_grouped", "_overlap"} <= set(KERNELS)


@pytest.mark.parametrize("name", KERNELS)
def test_kernel_is_a_compiled_extension_module(name):
    kernels = compiled_kernels()
    assert name in kernels, f"{name} is not compiled (found {sorted(kernels)})"
    path = kernels[name]
    assert path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), path
    assert load(name).__file__ == path
    assert isinstance(load(name).__loader__, importlib.machinery.ExtensionFileLoader)
