"""``show_versions``: the library, its dependencies and the compiled kernels in use."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

__all__ = ["show_versions", "versions"]

_DEPENDENCIES = ("numpy", "pandas", "pyarrow", "scipy", "statsmodels", "Cython", "matplotlib",
                 "networkx", "dask", "distributed")


def versions() -> dict:
    """Return the information printed by :func:`show_versions` as a dict."""
    from ._kernels import compiled_kernels, load
    from ._version import library_version

    info = {"concentration": library_version(),
            "python": sys.version.split()[0], "platform": platform.platform()}
    for dep in _DEPENDENCIES:
        info[dep] = _version(dep)
    grouped = load("_grouped")
    info["openmp"] = bool(grouped.HAVE_OPENMP)
    info["threads"] = int(grouped.max_threads())
    info["kernels"] = compiled_kernels()
    return info


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def show_versions(file=None):
    """Print the versions of the library, its dependencies, and the compiled kernels in use.

    Parameters
    ----------
    file : file-like, optional
        Where to write (default ``sys.stdout``).

    Examples
    --------
    >>> import concentration
    >>> concentration.show_versions()  # doctest: +SKIP
    """
    out = file or sys.stdout
    info = versions()
    kernels = info.pop("kernels")
    width = max(len(k) for k in info)
    out.write("concentration: versions\n")
    for key, val in info.items():
        out.write(f"{key.rjust(width)}: {'not installed' if val is None else val}\n")
    out.write("compiled kernels in use:\n")
    for name, path in kernels.items():
        out.write(f"  {name}: compiled ({path})\n")
