"""Exceptions and warnings raised by :mod:`concentration`.

Every exception derives from :class:`ConcentrationError` and from the matching
built-in exception, so ``except ValueError`` in user code keeps working.  Every
message follows one template: which argument (or column, or file), what was
expected, what was received, and how to fix it.
"""

__all__ = [
    "ConcentrationError",
    "InvalidParameterError",
    "InvalidSharesError",
    "InvalidHoldingsError",
    "InvalidMatrixError",
    "PeriodError",
    "SchemaError",
    "DataFileError",
    "ConvergenceError",
    "MissingDependencyError",
    "ResourceError",
    "ConcentrationWarning",
    "FringeWarning",
    "DataQualityWarning",
    "CappedParameterWarning",
]


class ConcentrationError(Exception):
    """Root of every error raised by :mod:`concentration`.

    Catch this to handle any failure of the library in one place.
    """


class InvalidParameterError(ConcentrationError, ValueError):
    """An argument has a value outside the documented set or range.

    Fix: pass one of the values listed in the message.
    """


class InvalidSharesError(ConcentrationError, ValueError):
    """Market shares are invalid: negative, NaN, duplicated, in the wrong unit, or summing above one.

    Fix: correct the data, or pass the option the message names (``scale="percent"``,
    ``duplicates="sum"``, ...).
    """


class InvalidHoldingsError(ConcentrationError, ValueError):
    """Ownership stakes are invalid: outside [0, 1], duplicated, or summing above one for a firm.

    Fix: correct the holdings table or the option named in the message.
    """


class InvalidMatrixError(ConcentrationError, ValueError):
    """A weight matrix is malformed: wrong ``indptr`` length, indices out of range or
    unsorted, NaN/inf weights, or negative weights where the metric forbids them.

    Fix: repair the matrix as the message says (for example ``W.sort_indices()``,
    ``W.data = np.nan_to_num(W.data)``), or choose a metric that accepts it.
    """


class PeriodError(ConcentrationError, ValueError):
    """A period label cannot be placed in time, so no order, "latest" or as-of match
    can be computed for it.

    Fix: give the data ``period_start`` and ``period_end`` columns (each period's first
    and last day), relabel the period as a year, half, quarter, month or date
    (``2024``, ``2024H1``, ``2024Q1``, ``2024-03``, ``2024-03-31``), or pass the
    periods as an ordered :class:`pandas.Categorical`.
    """


class SchemaError(ConcentrationError, KeyError):
    """A required column is missing or has the wrong type.

    Fix: pass the name of the column that holds the data (for example ``share="mkt_share"``),
    or convert the column to the type the message names.
    """

    def __str__(self):  # KeyError would quote the message; show it as written.
        return str(self.args[0]) if self.args else ""


class DataFileError(ConcentrationError, OSError):
    """A data file is missing, unreadable, truncated or not in the expected format.

    Fix: check the path, and that the file is a complete Parquet file (re-export it if needed).
    """


class ConvergenceError(ConcentrationError, RuntimeError):
    """An iterative method did not converge within its iteration limit.

    Fix: raise ``max_iter``, loosen ``tol``, or use a method that does not iterate.
    """


class MissingDependencyError(ConcentrationError, ImportError):
    """An optional dependency needed for this feature is not installed.

    Fix: install the extra named in the message, e.g. ``pip install antitrust-concentration[dask]``.
    """


class ResourceError(ConcentrationError, MemoryError):
    """The requested result would need more memory than this machine has available.

    Raised before the allocation, with the estimate, the memory available and the
    options that make the result fit (``top_k``, ``threshold``, fewer rows, Dask).
    Fix: pass one of the options the message names.
    """


class ConcentrationWarning(UserWarning):
    """Root of every warning issued by :mod:`concentration`."""


class FringeWarning(ConcentrationWarning):
    """Shares in a market sum to less than one (a fringe, an outside good, or top-N truncation).

    The message states the policy applied (``fringe="ignore"`` reports a lower bound).
    Filter it with ``warnings.filterwarnings("ignore", category=FringeWarning)``.
    """


class DataQualityWarning(ConcentrationWarning):
    """Input data passed validation but has a property the user should know about."""


class CappedParameterWarning(ConcentrationWarning):
    """A size argument above what the machine offers was lowered (e.g. ``n_threads``).

    The result is the same as with the lowered value; the message names both values.
    """
