"""``write_13f(..., engine="dask")``: one task per Form 13F data set, one per quarter.

The plan (which filings stand, the user's tables) is built on the client from the
small tables of every data set and shipped to the cluster once.  Each data set's
information table is then read by one task (:func:`concentration.ownership._sec13f.read_positions`),
which returns its share rows split by quarter; each quarter is one task
(:func:`concentration.ownership._sec13f.write_quarter`) that takes the pieces of the
data sets holding its filings (its own and, for late amendments, later ones),
computes the stakes, validates them with :func:`concentration.read_holdings` and
writes ``period=<quarter>/part-0.parquet``.  Only the per-quarter reports travel
back to the client.  A worker holds one data set's rows and one quarter's stakes at
a time, whatever the number of quarters.
"""

from __future__ import annotations

import operator

from ...ownership._sec13f import read_positions, write_quarter
from ._groups import require

__all__ = ["write_13f_graph"]


def _piece(pieces, period):
    return pieces.get(period)


def _quarter(plan, period, destination, *pieces):
    return write_quarter(plan, period, [p for p in pieces if p is not None],
                         destination=destination)


def write_13f_graph(plan, destination, *, client=None):
    """Run the quarters of ``plan`` on Dask; returns the per-quarter report parts."""
    require(plan.func)
    import dask

    # the plan goes to the cluster once, not once per task
    shipped = client.scatter(plan, broadcast=True) if client is not None else \
        dask.delayed(plan, traverse=False)
    reads = {i: dask.delayed(read_positions, pure=True)(shipped, i)
             for i in sorted({i for p in plan.periods for i in plan.sources(p)})}
    tasks = []
    for period in plan.periods:
        pieces = [dask.delayed(_piece, pure=True)(reads[i], period) for i in plan.sources(period)]
        tasks.append(dask.delayed(_quarter, pure=True)(shipped, period, destination, *pieces))
    if client is not None:
        futures = client.compute(tasks)
        parts = client.gather(futures)
    else:
        parts = list(dask.compute(*tasks))
    return sorted(parts, key=operator.itemgetter("period"))
