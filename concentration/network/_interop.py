"""Partnership networks to and from networkx graphs and GraphML files.

networkx is an optional extra (``pip install antitrust-concentration[network]``); it
is imported inside each function, so that ``import concentration`` never loads it,
and a missing install raises :class:`~concentration.exceptions.MissingDependencyError`
naming the method that needs it.  The public entry points are the methods
:meth:`~concentration.network.PartnershipNetwork.to_networkx`,
:meth:`~concentration.network.PartnershipNetwork.from_networkx` and
:meth:`~concentration.network.PartnershipNetwork.write_graphml`.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .._validation import check_bool, param_message
from ..exceptions import DataFileError, InvalidParameterError, MissingDependencyError


def require_networkx(func):
    """The networkx module; MissingDependencyError naming ``func`` when it is not installed."""
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is a test dependency
        raise MissingDependencyError(
            f"{func} needs networkx, which is not installed. Install the optional extra: "
            "pip install antitrust-concentration[network]") from None
    return nx


def networkx_graph(labels, strengths, ties, *, multigraph, directed):
    """A networkx graph of a network's firms and ties.

    Parameters
    ----------
    labels : pandas.Index
        The firms, in the order of the rows of ``strengths``.
    strengths : scipy.sparse.csr_matrix
        Combined strength of each pair (one edge per stored entry).
    ties : pandas.DataFrame
        The network's ties: their kinds (``kinds``: ``kind`` and the deal's extra
        kinds) label the edges of a simple graph; every
        tie is an edge, with all its columns, of a multigraph.
    multigraph, directed : bool
        The kind of graph, as in ``PartnershipNetwork.to_networkx``.

    Returns
    -------
    networkx.Graph, networkx.DiGraph, networkx.MultiGraph or networkx.MultiDiGraph
    """
    nx = require_networkx("PartnershipNetwork.to_networkx")
    if multigraph:
        G = nx.MultiDiGraph() if directed else nx.MultiGraph()
        G.add_nodes_from(labels)
        for rec in ties.to_dict("records"):
            attrs = {}
            for k, v in rec.items():
                if k in ("source", "target"):
                    continue
                if v is None or (np.isscalar(v) and pd.isna(v)) or v is pd.NaT:
                    continue
                if isinstance(v, (pd.Timestamp, np.datetime64)):
                    v = pd.Timestamp(v).date().isoformat()
                elif isinstance(v, np.generic):
                    v = v.item()
                attrs[k] = v
            G.add_edge(rec["source"], rec["target"], **attrs)
        return G
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(labels)
    kinds = {}
    col = ties["kinds"] if "kinds" in ties.columns else ties["kind"]
    for s_, t_, k_ in zip(ties["source"], ties["target"], col):
        kinds.setdefault(frozenset((s_, t_)), set()).update(str(k_).split(";"))
    coo = strengths.tocoo()
    for i, j, w in zip(coo.row, coo.col, coo.data):
        a, b = labels[i], labels[j]
        G.add_edge(a, b, weight=float(w), distance=float(1.0 / w),
                   kinds=";".join(sorted(kinds.get(frozenset((a, b)), ()))))
    return G


def ties_from_networkx(graph, *, kind, start, end, weight, **kwargs):
    """The edge table of a networkx graph and the options to build a network from it.

    Parameters
    ----------
    graph : networkx.Graph
        Any networkx graph; a multigraph gives one tie per parallel edge.
    kind, start, end, weight : str
        Edge attributes holding those columns; an absent ``weight`` is 1 for every
        tie, and an absent ``kind``, ``start`` or ``end`` column is not named.
    **kwargs
        Further options of ``PartnershipNetwork``; they take precedence.

    Returns
    -------
    frame : pandas.DataFrame
        One row per edge, its attributes as columns, and ``directed``.
    options : dict
        Keyword arguments of ``PartnershipNetwork`` for ``frame``.
    """
    require_networkx("PartnershipNetwork.from_networkx")
    rows = []
    multi = graph.is_multigraph()
    edges = graph.edges(keys=True, data=True) if multi else graph.edges(data=True)
    for e in edges:
        u, v, data = (e[0], e[1], e[3]) if multi else e
        rec = {"source": u, "target": v}
        rec.update({k: val for k, val in data.items() if k not in ("source", "target")})
        rows.append(rec)
    frame = pd.DataFrame(rows, columns=None if rows else ["source", "target"])
    frame["directed"] = graph.is_directed()
    if weight not in frame.columns:
        frame[weight] = 1.0
    options = dict(kind=kind if kind in frame.columns else None,
                   start=start if start in frame.columns else None,
                   end=end if end in frame.columns else None, weight=weight,
                   directed="directed")
    options.update(kwargs)
    return frame, options


def write_graphml(network, path, *, directed):
    """Write every tie of ``network`` (a multigraph, with its attributes) to GraphML.

    Parameters
    ----------
    network : PartnershipNetwork
        The network to write.
    path : str or os.PathLike
        The file to write.
    directed : bool
        Write a directed multigraph.

    Raises
    ------
    InvalidParameterError
        ``path`` is not a path, or ``directed`` not a bool.
    DataFileError
        The file cannot be written (a missing directory, a directory at ``path``, no
        permission).

    Notes
    -----
    Attribute values other than strings, integers, floats and booleans are written as
    their ``str``, as GraphML holds no other types.
    """
    func = "PartnershipNetwork.write_graphml"
    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str) \
            or not os.fspath(path):
        raise InvalidParameterError(param_message(
            func, "path", "a file path (str or os.PathLike)", path))
    directed = check_bool(func, "directed", directed)
    path = os.fspath(path)
    nx = require_networkx(func)
    G = network.to_networkx(multigraph=True, directed=directed)
    for _, _, data in G.edges(data=True):
        for k, v in list(data.items()):
            if not isinstance(v, (str, int, float, bool)):
                data[k] = str(v)
    try:
        nx.write_graphml(G, path)
    except OSError as exc:
        where = os.path.dirname(os.path.abspath(path))
        fix = (f"The directory {where!r} does not exist: create it first."
               if not os.path.isdir(where) else
               "Check that it is not a directory and that its folder is writable.")
        raise DataFileError(param_message(
            func, "path", "a file that can be written", path,
            f"({exc.strerror or exc}) {fix}")) from None
