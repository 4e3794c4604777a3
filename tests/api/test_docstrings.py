"""numpydoc validation of the public API.

Every function and class exported by ``concentration.__all__`` and by the
``__all__`` of each public submodule is validated with
:func:`numpydoc.validate.validate`, and so is every public method or property
defined on those classes.  The test fails on these error codes:

``GL08``  the object has no docstring;
``SS01``  no summary line;
``PR01``  a parameter of the signature is not documented (functions only);
``PR02``  a documented parameter is not in the signature (functions only);
``RT01``  a function that returns something has no Returns section (functions only);
``GL06``  an unknown section name (a typo hides the section from the rendered page).

Parameter and Returns checks apply to module-level functions, the public API
users call.  Classes are the library's results and records, built by the library
rather than by users (their fields are documented as Attributes, which numpydoc's
PR01 does not accept in place of Parameters), and methods are checked for a
docstring and a summary only.  Style codes (see-also, extended summary, periods,
examples on every method) are not enforced.
"""

import importlib
import inspect
import pkgutil

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import concentration  # noqa: E402

FUNCTION_CODES = {"GL08", "SS01", "PR01", "PR02", "RT01", "GL06"}
OTHER_CODES = {"GL08", "SS01", "GL06"}

# the public modules and subpackages (an optional dependency that is missing skips its module)
SUBMODULES = ["concentration", *(f"concentration.{name}" for name in (
    "measures", "io", "screen", "guidelines", "ownership", "network", "stats", "datasets",
    "reporting", "plotting", "exceptions", "testing", "unilateral"))]
# public names that are no Python API: the command line and the back-end registry
NOT_API = {"concentration.cli", "concentration.backends"}


def _public_objects():
    """``{import path: kind}`` for every public function, class and method."""
    found = {}
    for modname in SUBMODULES:
        try:
            module = importlib.import_module(modname)
        except ImportError:  # an optional dependency is missing: its own tests say so
            continue
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # submodules and constants
            if not getattr(obj, "__module__", "").startswith("concentration"):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            if inspect.isfunction(obj):
                found[path] = "function"
                continue
            found[path] = "class"
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if inspect.isfunction(value) or isinstance(
                        value, (classmethod, staticmethod, property)):
                    found[f"{path}.{attr}"] = "method"
    return found


OBJECTS = _public_objects()


def test_every_public_module_is_listed():
    public = {f"concentration.{info.name}" for info in pkgutil.iter_modules(concentration.__path__)
              if not info.name.startswith("_")}
    assert public - NOT_API == set(SUBMODULES) - {"concentration"}


def test_api_is_found():
    assert "concentration.measures.hhi" in OBJECTS
    assert len(OBJECTS) > 50


@pytest.mark.parametrize("path", sorted(OBJECTS))
def test_docstring(path):
    codes = FUNCTION_CODES if OBJECTS[path] == "function" else OTHER_CODES
    result = numpydoc_validate.validate(path)
    errors = [f"{code}: {msg}" for code, msg in result["errors"] if code in codes]
    assert not errors, f"{path}:\n" + "\n".join(errors)
