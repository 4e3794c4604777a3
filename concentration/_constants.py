"""Names of the library's options that the command line needs before any data is read.

This module imports nothing, so that the command line can build its parser (and
answer ``--help``) without loading NumPy or pandas; the library's modules import
each constant from here.
"""

__all__ = ["OVERLAP_METRICS"]

#: Metric names accepted by :func:`concentration.overlap`.
OVERLAP_METRICS = ("dot", "cosine", "jaccard", "overlap", "weighted_jaccard",
                   "weighted_overlap", "kappa")
