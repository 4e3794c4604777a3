"""The library version, read from the installed distribution's metadata (set in pyproject.toml)."""

from importlib import metadata

__all__ = ["library_version"]


def library_version() -> str:
    """Return the installed version of ``antitrust-concentration`` (``"0+unknown"`` if not installed)."""
    try:
        return metadata.version("antitrust-concentration")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
