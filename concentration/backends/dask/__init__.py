"""The Dask back end: the public functions over Dask DataFrames, one group at a time.

Registered in :data:`concentration._dispatch.KNOWN_BACKENDS` under ``"dask"`` and
imported only when a Dask object reaches a public function or a reader is called
with ``engine="dask"``.  Dask itself is imported inside the functions, on first use.

* :mod:`._groups` -- the generic path: partitions that hold whole groups, each
  handed to the in-memory function, results joined in group order;
* :mod:`._readers` -- ``read_shares`` / ``read_holdings`` with ``engine="dask"``;
* :mod:`._ownership` -- ``profit_weights`` and ``mhhi``: one task per period.

Functions with an implementation of their own are looked up by name in
:attr:`DaskBackend.implementations`, as networkx back ends implement algorithms by
name; every other dispatchable function takes the generic path.
"""

from __future__ import annotations

from ..._validation import check_bool, check_choice, param_message
from ...exceptions import InvalidParameterError
from ._groups import INSTALL, finish, is_dask, map_groups, require
from ._ownership import mhhi_graph, profit_weights_graph
from ._readers import read_holdings, read_shares
from ._sec13f import write_13f_graph

__all__ = ["DaskBackend", "BACKEND", "INSTALL"]


class DaskBackend:
    """The interface of :mod:`concentration._dispatch`, implemented with Dask."""

    name = "dask"

    #: public function name -> builder of its task graph (lazy result)
    implementations = {"profit_weights": profit_weights_graph, "mhhi": mhhi_graph,
                       "write_13f": write_13f_graph}

    @staticmethod
    def recognises(obj) -> bool:
        """True for a Dask DataFrame or Series (without importing Dask)."""
        return is_dask(obj)

    def call(self, spec, func, bound, options):
        """Run ``func`` (the in-memory function of ``spec``) on Dask data."""
        require(spec.name)
        check_bool(spec.name, "compute", options["compute"])
        reduce = options.get("reduce")
        if reduce is not None and not callable(reduce):
            raise InvalidParameterError(param_message(
                spec.name, "reduce", "a callable or None", type(reduce).__name__))
        arguments = dict(bound.arguments)
        client = options["client"]
        if spec.name in self.implementations:
            extra = {"reduce": reduce} if "reduce" in spec.options else {}
            lazy = self.implementations[spec.name](func, arguments, client=client, **extra)
            return finish(lazy, options["compute"], client)
        return map_groups(spec, arguments, options["compute"], client)

    @staticmethod
    def read(kind, source, *, func, **kwargs):
        """``read_shares`` (``kind="shares"``) or ``read_holdings`` (``"holdings"``) lazily."""
        check_choice(func, "kind", kind, ("shares", "holdings"))
        reader = read_shares if kind == "shares" else read_holdings
        return reader(source, func=func, **kwargs)


#: The back end object :func:`concentration._dispatch.get_backend` returns.
BACKEND = DaskBackend()
