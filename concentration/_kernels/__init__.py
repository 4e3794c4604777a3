"""Compiled kernels and their pure-NumPy references.

Each ``_<name>.pyx`` is compiled to an extension module; ``_<name>_ref.py`` beside it
is the readable specification that tests compare against.  The library imports
the compiled modules directly and never falls back to the references: a missing
compiled module is an import error with instructions.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os

__all__ = ["compiled_kernels", "load", "default_threads"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def load(name: str):
    """Import the compiled kernel ``concentration._kernels.<name>`` or fail loudly."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError as exc:  # pragma: no cover - exercised only on broken installs
        raise ImportError(
            f"The compiled kernel concentration._kernels.{name} could not be imported "
            f"({exc}). The package was not built: install it with `pip install .` "
            "from a source checkout (a C compiler is required), not by putting the "
            "source tree on sys.path."
        ) from exc


def compiled_kernels() -> dict:
    """Map each compiled kernel module name to the file it was loaded from."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    names = sorted({f.split(".")[0] for f in os.listdir(_HERE) if f.endswith(suffixes)})
    return {name: getattr(load(name), "__file__", "?") for name in names}


def default_threads() -> int:
    """The number of CPUs this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
