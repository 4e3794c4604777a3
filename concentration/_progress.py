"""What long work says while it runs: the package logger and ``progress=``.

The package logs to ``logging.getLogger("concentration")``, which is silent until the
application configures logging (``logging.basicConfig(level="INFO")`` shows one line
per stage of the work that can take seconds: reading, validating, building matrices,
running a kernel).  Functions that loop over many markets, periods or blocks also
take ``progress=``: ``True`` shows a progress bar (tqdm's when it is installed,
``pip install 'antitrust-concentration[progress]'``; else a one-line bar on stderr),
a callable is called with ``(done, total, label)`` after each step, and ``False`` (the
default) shows nothing.  Neither changes any result.
"""
from __future__ import annotations

import logging
import sys
import time

from ._validation import param_message
from .exceptions import InvalidParameterError

__all__ = ["logger", "stage", "check_progress", "ProgressBar"]

#: The package logger (``concentration/__init__.py`` gives it a NullHandler).
logger = logging.getLogger("concentration")


def stage(func, message, *args, start=None):
    """Log one INFO line ``"<func>: <message>"`` (with the elapsed time since ``start``).

    Returns the current :func:`time.perf_counter` so that stages can be chained:
    ``t = stage("mhhi", "read %d rows", n)`` then ``stage("mhhi", "kappa", start=t)``.
    """
    now = time.perf_counter()
    if logger.isEnabledFor(logging.INFO):
        text = f"{func}: {message}" + (f" ({now - start:.2f} s)" if start is not None else "")
        logger.info(text, *args)
    return now


def check_progress(func, progress):
    """``progress`` if it is a bool or a callable; InvalidParameterError otherwise."""
    if isinstance(progress, bool) or progress is None or callable(progress):
        return bool(progress) if progress is None else progress
    raise InvalidParameterError(param_message(
        func, "progress", "True, False or a callable(done, total, label)", progress,
        "Pass progress=True to show a progress bar."))


class ProgressBar:
    """A progress display over ``total`` steps, for ``progress=`` options.

    ``progress`` is ``False`` (nothing), ``True`` (tqdm when installed, else a bar on
    ``stream``, by default stderr) or a callable ``(done, total, label)``.  Use as a
    context manager and call :meth:`update` after each step.
    """

    def __init__(self, progress, total, label, *, stream=None):
        self.total = int(total)
        self.label = label
        self.done = 0
        self._callback = progress if callable(progress) and progress is not True else None
        self._tqdm = None
        self._stream = None
        if progress is True:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self._stream = stream or sys.stderr
            else:
                self._tqdm = tqdm(total=self.total, desc=label, leave=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Remove the bar (idempotent)."""
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
        elif self._stream is not None:
            self._stream.write("\r" + " " * 70 + "\r")
            self._stream.flush()
            self._stream = None

    def update(self, n=1):
        """Advance by ``n`` steps."""
        self.done += n
        if self._callback is not None:
            self._callback(self.done, self.total, self.label)
        elif self._tqdm is not None:
            self._tqdm.update(n)
        elif self._stream is not None:
            filled = int(30 * self.done / max(self.total, 1))
            self._stream.write(f"\r{self.label[:30]}: [{'#' * filled}{'.' * (30 - filled)}] "
                               f"{self.done}/{self.total}")
            self._stream.flush()
