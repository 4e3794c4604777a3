"""Partnership networks over time: ties, snapshots, centrality, overlap between rivals.

A :class:`PartnershipNetwork` holds a long table of ties between organisations, one
row per tie (an investment, a cloud contract, a licence, a consortium membership),
each live from its ``start`` until its ``end``.  It answers three questions: who
sits at the centre of the web of alliances and how that changed (centrality per
snapshot, Freeman centralization); how much two rivals' partner sets overlap
(:meth:`PartnershipNetwork.partner_overlap`, through :func:`concentration.overlap`);
and, with :mod:`concentration.network`, what concentration looks like when
close allies are counted as partly one firm.

This module holds the class: time filters, snapshots and the graph built from the
live ties.  The edge table is checked and prepared by
:func:`~concentration.network._ties.coerce_ties`, the measures are computed on the
graph's sparse matrices in :mod:`concentration.network._centrality`, and networkx
conversion lives in :mod:`concentration.network._interop`.

What an edge weight means
-------------------------
Each deal row has one value, set by the network's ``strength`` rule (the weight
column, 1 per deal, the amount, or a strength per kind).  Every method that uses
it takes ``weight_as``, with the same default in Python, the command line and the
report:

``"strength"`` (default)
    The value is a tie strength: more is a closer tie (an amount, a count of
    deals).  Spectral measures (eigenvector, PageRank, Katz) and
    ``strength`` use it as is; path-based measures (betweenness, closeness,
    harmonic) use the length ``1 / strength``.
``"distance"``
    The value is a length: more is a weaker tie (declare it only for a ``weight``
    column that holds lengths).  Path-based measures
    use it as is; spectral measures and ``strength`` use ``1 / distance``.
``None``
    Weights are ignored: every live pair of firms is one tie of strength and
    length 1.

Several live ties between one pair are combined into one edge: their strengths are
summed (``combine="sum"``) or the largest is kept (``combine="max"``); under
``weight_as="distance"`` the shortest length is kept.

References
----------
The works cited by the centrality methods below (B01, F79, BP98, K53, B87, WF94,
MR00) are listed in :mod:`concentration.network._centrality`, with the measures.

.. [FTC25] Federal Trade Commission (2025). Partnerships Between Cloud Service
   Providers and AI Developers. FTC Staff Report, January 2025.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._pairwise import overlap
from .._validation import as_list, check_bool, check_choice, param_message
from ..exceptions import InvalidParameterError
from ._centrality import (
    EDGE_OPTIONS,
    FIRM_OPTIONS,
    check_edge_options,
    check_measure,
    compute_centrality,
    edge_betweenness,
    firm_positions,
    firm_vector,
    freeman_centralization,
    measure_options,
)
from ._interop import networkx_graph, require_networkx, ties_from_networkx, write_graphml
from ._display import network_html
from ._ties import MEMBERSHIP_KINDS, coerce_ties, kinds_of, timestamp

__all__ = ["PartnershipNetwork"]

_WEIGHT_AS = ("strength", "distance", None)
_COMBINE = ("sum", "max")


# --------------------------------------------------------------------------- the network

class PartnershipNetwork:
    r"""Ties between organisations over time (alliances, investments, supply, memberships).

    Each row of ``edges`` is one tie from ``source`` to ``target``, live from its
    ``start`` (inclusive) until its ``end`` (exclusive); a missing ``end`` means the
    tie is still live.  Several rows for one pair (tranches, renewals, ties of
    different kinds) are kept; they are combined only when a graph is built.

    Parameters
    ----------
    edges : pandas.DataFrame
        One row per tie.  Other columns (``amount_usd``, ``confidence`` ...) are kept
        in :attr:`ties`.
    source, target : str, default "source", "target"
        Columns naming the two organisations.  For a directed tie the direction is
        the data's (for the bundled AI data: the supplier of capital, compute, chips,
        a model, or membership, to its recipient).
    kind : str, default "kind"
        Column of tie kinds (``"equity_investment"``, ``"consortium_membership"``
        ...).  When the default column is absent every tie has kind ``"tie"``.
    start, end : str, default "start", "end"
        Columns of dates (ISO strings such as ``"2019"``, ``"2019-07"``,
        ``"2019-07-22"``, dates or timestamps; a year means its first day).  A
        missing ``start`` is an error; a missing ``end`` means "still live".  When
        the default ``start`` column is absent every tie is live at every date.
    weight : str, default "weight"
        Column of tie weights (positive numbers; see ``weight_as`` in
        :meth:`centrality` for what they mean).  When the default column is absent
        every tie weighs 1.  Missing values are an error: fill them explicitly.
    directed : str, default "directed"
        Boolean column: True for a one-way tie.  When absent every tie is undirected.
        It matters only for analyses run with ``directed=True``.
    also_kinds : str, default "also_types"
        Column of the extra kinds of each deal, separated by ``;`` or ``,`` (a $10B
        equity investment that also made Azure the exclusive cloud:
        ``kind="equity_investment"``, ``also_types="cloud_compute_supply"``).  Every
        kind of a deal is in the ``kinds`` column of :attr:`ties` (``;``-joined,
        ``kind`` first) and counts in :meth:`of_kind`, in ``strength`` by kind, in
        :func:`partnership_weights` and in :meth:`to_networkx`.  When the default
        column is absent each deal has its ``kind`` only.
    strength : {"weight", "count", "amount"} or mapping, default "weight"
        What one deal row adds to the strength of its pair (several live rows of a
        pair add up with ``combine="sum"``):

        ``"weight"``
            The ``weight`` column; without one, 1 per row, as ``"count"``.
        ``"count"``
            1 per deal row: a pair's strength is its number of live deals (the
            bundled data have 6 Google-Anthropic rows: tranches and contracts).
        ``"amount"``
            The ``amount`` column (US dollars in the bundled data).  Missing
            amounts are an error: fill them explicitly or choose another rule.
        mapping ``{kind: strength}``
            A positive strength per kind, the largest over the deal's kinds.

        The rule is recorded in :attr:`strength`.
    amount : str, default "amount_usd"
        Column of deal amounts, for ``strength="amount"``.
    parent : mapping, pandas.Series or pandas.DataFrame, optional
        Firm -> parent links: a mapping ``{firm: parent}``, a Series, or a table
        with a firm column (``firm`` or ``entity``), ``parent`` and optionally
        ``parent_since`` and ``aliases`` (``;``-separated), such as
        ``concentration.datasets.load("entities")``.  Aliases become canonical
        names and chains are followed to the ultimate parent, with the links in
        force at each tie's start date (a link without ``parent_since`` always
        holds).  A tie live across a later ``parent_since`` date is split there,
        the later part resolved at that date.  A tie whose two ends resolve to one
        organisation becomes internal: it is kept in :attr:`internal`, not in the
        graph, with a :class:`~concentration.exceptions.DataQualityWarning`.  What
        was merged into what is :attr:`merged`.
    entities : optional
        The same as ``parent`` (the earlier name); pass one of the two.
    resolve : {"parent", "canonical"}, default "parent"
        With ``parent``: map names to their ultimate parent, or only aliases to
        canonical names.
    consortia : {"project", "nodes"}, default "project"
        How membership ties (``kind`` in ``membership_kinds``: firm -> organisation)
        enter the graph.  ``"project"`` keeps them as a bipartite firm x
        organisation graph (:meth:`memberships_matrix`) and adds, for every pair of
        members of one organisation, a ``"co_membership"`` tie (weight the product
        of the two membership weights, live while both memberships are, column
        ``via`` naming the organisation); ``"nodes"`` keeps organisations as nodes.
    membership_kinds : sequence of str, default ("consortium_membership",)
        Tie kinds that are memberships.

    Attributes
    ----------
    ties : pandas.DataFrame
        Ties in the graph, columns ``source``, ``target``, ``kind``, ``start``,
        ``end``, ``weight``, ``directed`` (plus ``via`` for co-memberships,
        ``source_name``/``target_name`` before resolution, and the extra columns;
        with dated parent links one input tie may give two rows, split at the date).
    memberships : pandas.DataFrame
        Membership ties (firm -> organisation) when ``consortia="project"``.
    internal : pandas.DataFrame
        Ties between two units of one parent, left out of the graph.
    merged : pandas.DataFrame
        Names replaced by their parent (or canonical name): columns ``firm``,
        ``entity`` and ``since`` (the first tie start at which the join applied);
        empty without ``parent``.
    strength : str
        The tie-strength rule, in words (see ``strength``).

    Notes
    -----
    Every method returning a network (:meth:`as_of`, :meth:`window`,
    :meth:`snapshots`) filters ties by time; the firms of a snapshot are those with a
    live tie.  The FTC's staff report on AI partnerships [FTC25]_ studies ties of
    exactly this kind.

    Examples
    --------
    >>> import pandas as pd
    >>> edges = pd.DataFrame({"source": ["A", "A", "B"], "target": ["B", "C", "C"],
    ...                       "start": ["2019", "2020", "2021"],
    ...                       "end": [None, "2021", None]})
    >>> net = PartnershipNetwork(edges)
    >>> net.as_of("2020-06-30").centrality("degree", weight_as=None).to_dict()
    {'A': 1.0, 'B': 0.5, 'C': 0.5}
    """

    def __init__(self, edges, *, source="source", target="target", kind="kind", start="start",
                 end="end", weight="weight", directed="directed", also_kinds="also_types",
                 strength="weight", amount="amount_usd", parent=None, entities=None,
                 resolve="parent", consortia="project", membership_kinds=MEMBERSHIP_KINDS):
        func = "PartnershipNetwork"
        if entities is not None:
            if parent is not None:
                raise InvalidParameterError(param_message(
                    func, "entities", "None when parent= is given (they are one option)",
                    type(entities).__name__, "Pass the table as parent= only."))
            parent = entities
        ties, memberships, internal, config = coerce_ties(
            func, edges, source=source, target=target, kind=kind, start=start,
            end=end, weight=weight, directed=directed, also_kinds=also_kinds,
            strength=strength, amount=amount, parent=parent, resolve=resolve,
            consortia=consortia, membership_kinds=membership_kinds)
        self._set(ties, memberships, internal, config, None)

    @property
    def merged(self) -> pd.DataFrame:
        """Names replaced by their parent: ``firm``, ``entity``, ``since`` (see ``parent``)."""
        return self._config["merged"]

    @property
    def strength(self) -> str:
        """The tie-strength rule of this network, in words."""
        return self._config["strength"]

    # -- construction helpers
    def _set(self, ties, memberships, internal, config, span):
        self.ties = ties
        self.memberships = memberships
        self.internal = internal
        self._config = config
        self._span = span  # (start, end) of the time filter that made this network
        self._cache = {}
        self._nodes = None  # fixed node set (snapshots with nodes="all"), else live firms
        self.attrs = {}

    def _derive(self, mask_ties, mask_members, mask_internal, span, nodes=None):
        new = object.__new__(type(self))
        new._set(self.ties[mask_ties].reset_index(drop=True),
                 self.memberships[mask_members].reset_index(drop=True),
                 self.internal[mask_internal].reset_index(drop=True), self._config, span)
        new.attrs = dict(self.attrs)
        new._nodes = nodes if nodes is not None else self._nodes
        return new

    def _node_set(self, func, nodes):
        check_choice(func, "nodes", nodes, ("live", "all"),
                     fix="'live': firms with a live tie in the period; 'all': every firm of "
                         "the whole network in every period (isolated ones score 0).")
        return self.firms if nodes == "all" else None

    @classmethod
    def from_parquet(cls, path, *, filters=None, **kwargs):
        """Read ties from a Parquet file, directory or hive dataset and build a network.

        Parameters
        ----------
        path : str or os.PathLike
            Parquet source (see :func:`concentration.read_table`).
        filters : list of tuples or pyarrow Expression, optional
            Row filter pushed down to the scan.
        **kwargs
            Column names and options of :class:`PartnershipNetwork`.

        Returns
        -------
        PartnershipNetwork
            With ``attrs`` holding the file's provenance.
        """
        from ..io import read_table

        frame = read_table(path, filters=filters, func="PartnershipNetwork.from_parquet",
                           required={"source": kwargs.get("source", "source"),
                                     "target": kwargs.get("target", "target")})
        net = cls(frame, **kwargs)
        net.attrs = dict(frame.attrs)
        return net

    # -- time
    def _live(self, table, lo, hi):
        """Mask of ties live at some time in [lo, hi) (lo == hi: live at the instant lo)."""
        st, en = table["start"], table["end"]
        started = st.isna() | ((st <= lo) if hi is None else (st < hi))
        not_ended = en.isna() | (en > lo)
        return (started & not_ended).to_numpy()

    def as_of(self, date, *, nodes="live"):
        """The network of ties live at ``date``: ``start <= date < end`` (no end: live).

        Parameters
        ----------
        date : str, datetime or pandas.Timestamp
        nodes : {"live", "all"}, default "live"
            The firms of the result: those with a live tie, or every firm of this
            network (firms without a live tie are isolated nodes).

        Returns
        -------
        PartnershipNetwork
        """
        func = "PartnershipNetwork.as_of"
        t = timestamp(func, "date", date)
        return self._derive(self._live(self.ties, t, None), self._live(self.memberships, t, None),
                            self._live(self.internal, t, None), (t, t),
                            self._node_set(func, nodes))

    def window(self, start, end, *, nodes="live"):
        """The network of ties live at some time in ``[start, end)``.

        A tie is kept when ``tie.start < end`` and (``tie.end`` is missing or
        ``tie.end > start``): the window includes its start and excludes its end, as
        each tie does.

        Parameters
        ----------
        start, end : str, datetime or pandas.Timestamp
            ``start < end``.
        nodes : {"live", "all"}, default "live"
            As in :meth:`as_of`.

        Returns
        -------
        PartnershipNetwork
        """
        func = "PartnershipNetwork.window"
        lo = timestamp(func, "start", start)
        hi = timestamp(func, "end", end)
        if not hi > lo:
            raise InvalidParameterError(param_message(
                func, "end", f"a date after start ({lo.date()})", end))
        return self._derive(self._live(self.ties, lo, hi), self._live(self.memberships, lo, hi),
                            self._live(self.internal, lo, hi), (lo, hi),
                            self._node_set(func, nodes))

    def of_kind(self, kinds):
        """The network of the ties having one of ``kinds`` among their kinds.

        A deal's kinds are its ``kind`` and the extra kinds of the ``also_kinds``
        column, so the Microsoft-OpenAI equity investments of 2019 and 2023, which
        also made Azure OpenAI's exclusive cloud, are cloud ties too.

        Parameters
        ----------
        kinds : str or list of str
            Tie kinds; a tie is kept when any of its kinds is one of them.

        Returns
        -------
        PartnershipNetwork

        Examples
        --------
        >>> import pandas as pd
        >>> edges = pd.DataFrame({"source": ["Microsoft", "Google"],
        ...                       "target": ["OpenAI", "Anthropic"],
        ...                       "kind": ["equity_investment", "cloud_compute_supply"],
        ...                       "also_types": ["cloud_compute_supply", None]})
        >>> sorted(PartnershipNetwork(edges).of_kind("cloud_compute_supply").firms)
        ['Anthropic', 'Google', 'Microsoft', 'OpenAI']
        """
        func = "PartnershipNetwork.of_kind"
        wanted = as_list(kinds)
        if not wanted or not all(isinstance(k, str) and k for k in wanted):
            raise InvalidParameterError(param_message(
                func, "kinds", "a tie kind (str) or a list of tie kinds", kinds))
        wanted = set(wanted)

        def mask(table):
            col = table["kinds"] if "kinds" in table.columns else table["kind"]
            return np.fromiter((bool(wanted.intersection(ks)) for ks in kinds_of(col)),
                               dtype=bool, count=len(table))

        return self._derive(mask(self.ties), mask(self.memberships), mask(self.internal),
                            self._span)

    def periods(self, freq="YS", *, start=None, end=None):
        """Start dates of the periods of frequency ``freq`` covering the ties.

        The first period contains the earliest tie start (or ``start``); the last
        contains the latest start or end date in the data (or ``end``).  Internal
        ties (within one parent) count for this span.
        """
        func = "PartnershipNetwork.periods"
        try:
            offset = pd.tseries.frequencies.to_offset(freq) if freq is not None else None
        except (TypeError, ValueError):
            offset = None
        if offset is None:
            raise InvalidParameterError(param_message(
                func, "freq", "a pandas frequency such as 'YS' (years), 'QS' or 'MS'",
                freq))
        dates = pd.concat([t[c] for t in (self.ties, self.memberships, self.internal)
                           for c in ("start", "end")]).dropna()
        lo = timestamp(func, "start", start, allow_none=True)
        hi = timestamp(func, "end", end, allow_none=True)
        if lo is None:
            if dates.empty:
                return pd.DatetimeIndex([], name="period")
            lo = dates.min()
        if hi is None:
            hi = dates.max() if not dates.empty else lo
        first = offset.rollback(lo.normalize())
        return pd.date_range(first, hi, freq=offset, name="period")

    def snapshots(self, freq="YS", *, how="window", start=None, end=None, nodes="live"):
        """One network per period: ``{period start: PartnershipNetwork}``.

        Parameters
        ----------
        freq : str, default "YS"
            A pandas frequency: ``"YS"`` calendar years, ``"QS"`` quarters, ``"MS"``
            months.
        how : {"window", "as_of"}, default "window"
            ``"window"``: ties live at any time during the period ``[p, next p)``;
            ``"as_of"``: ties live on the period's first day.
        start, end : date, optional
            Limits of the periods (default: the span of the data).
        nodes : {"live", "all"}, default "live"
            ``"live"``: each snapshot's firms are those with a live tie;
            ``"all"``: every firm of this network is a node of every snapshot, so
            values (and their normalisation by ``n - 1``) compare across periods.

        Returns
        -------
        dict
            Ordered by period.
        """
        func = "PartnershipNetwork.snapshots"
        check_choice(func, "how", how, ("window", "as_of"))
        self._node_set(func, nodes)
        periods = self.periods(freq, start=start, end=end)
        offset = pd.tseries.frequencies.to_offset(freq)
        out = {}
        for p in periods:
            out[p] = self.as_of(p, nodes=nodes) if how == "as_of" else \
                self.window(p, p + offset, nodes=nodes)
        return out

    # -- graph
    @property
    def firms(self) -> pd.Index:
        """Nodes of the graph: every organisation with a tie in this network, sorted."""
        return self._graph(False, None, "sum")[0]

    def __len__(self):
        return len(self.ties)

    def __repr__(self):
        starts = self.ties["start"].dropna()
        span = f", {starts.min().year}-{starts.max().year}" if len(starts) else ""
        return (f"<PartnershipNetwork: {len(self.ties)} ties, {len(self.firms)} firms"
                f"{span}; strength: {self.strength}>")

    def _graph(self, directed, weight_as, combine):
        """(labels, A strength CSR, L length CSR) for the live ties; cached."""
        key = (bool(directed), weight_as, combine)
        if key in self._cache:
            return self._cache[key]
        t = self.ties
        labels, codes = None, None
        both = np.concatenate([t["source"].to_numpy(dtype=object),
                               t["target"].to_numpy(dtype=object)])
        if self._nodes is not None:
            labels = pd.Index(self._nodes, name="firm")
            codes = labels.get_indexer(both)
        else:
            try:
                codes, labels = pd.factorize(both, sort=True)
            except TypeError:
                codes, labels = pd.factorize(both, sort=False)
            labels = pd.Index(labels, name="firm")
        n = len(labels)
        m = len(t)
        u, v = codes[:m], codes[m:]
        w = t["weight"].to_numpy(dtype=np.float64)
        if weight_as is None:
            s = np.ones(m)
        elif weight_as == "strength":
            s = w
        else:
            s = 1.0 / w
        one_way = t["directed"].to_numpy(dtype=bool) if directed else np.zeros(m, dtype=bool)
        rows = np.concatenate([u, v[~one_way]])
        cols = np.concatenate([v, u[~one_way]])
        vals = np.concatenate([s, s[~one_way]])
        pairs = pd.DataFrame({"r": rows, "c": cols, "s": vals})
        if weight_as is None:
            agg = pairs.groupby(["r", "c"], sort=True)["s"].max()
        elif weight_as == "distance":
            agg = pairs.groupby(["r", "c"], sort=True)["s"].max()  # max strength = min length
        else:
            agg = pairs.groupby(["r", "c"], sort=True)["s"].agg(combine)
        r = agg.index.get_level_values(0).to_numpy(dtype=np.int64)
        c = agg.index.get_level_values(1).to_numpy(dtype=np.int64)
        sv = agg.to_numpy(dtype=np.float64)
        A = sp.csr_matrix((sv, (r, c)), shape=(n, n))
        L = sp.csr_matrix((1.0 / sv, (r, c)), shape=(n, n))
        A.sort_indices()
        L.sort_indices()
        self._cache[key] = (labels, A, L)
        return self._cache[key]

    def adjacency(self, *, weight_as="strength", directed=False, combine="sum"):
        """The adjacency matrix as a labelled scipy CSR: ``(matrix, firms)``.

        Entry ``[i, j]`` is the combined strength of the live ties from firm ``i`` to
        firm ``j`` (both directions for undirected ties, or when ``directed=False``);
        see the module notes for ``weight_as`` and ``combine``.
        """
        func = "PartnershipNetwork.adjacency"
        self._check_graph_args(func, weight_as, directed, combine)
        labels, A, _ = self._graph(directed, weight_as, combine)
        return A, labels

    def _check_graph_args(self, func, weight_as, directed, combine):
        check_choice(func, "weight_as", weight_as, _WEIGHT_AS,
                     fix="'strength': larger weight = closer tie; 'distance': larger weight = "
                         "longer path; None: ignore weights.")
        check_bool(func, "directed", directed)
        check_choice(func, "combine", combine, _COMBINE)

    # -- centrality
    def centrality(self, measure, *, weight_as="strength", directed=False, combine="sum",
                   **options):
        r"""Centrality of every firm in this network (one snapshot).

        Parameters
        ----------
        measure : str
            ``"degree"``
                Number of partners (distinct neighbours), divided by ``n - 1`` when
                ``normalized=True`` (default).  Weights are ignored.
            ``"strength"``
                Sum of tie strengths :math:`\sum_j a_{ij}` (``normalized=False``
                by default).
            ``"eigenvector"``
                The leading eigenvector :math:`A^\top x = \lambda x`, scaled to unit
                Euclidean norm and positive [B87]_ (networkx's scaling; igraph
                scales to a largest entry of 1: divide by ``x.max()``).  Options
                ``tol`` (0: machine precision), ``max_iter``.  Raises
                ConvergenceError when it does not converge or is not unique
                (repeated or zero leading eigenvalue, e.g. two equal components).
            ``"pagerank"``
                :math:`x = \alpha P^\top x + \alpha (d^\top x) q + (1-\alpha) p`
                with :math:`P` row-normalised strengths, :math:`d` the dangling
                nodes (no out-ties), :math:`p` uniform or ``personalization``,
                :math:`q` = ``dangling`` (default :math:`p`) [BP98]_.  Power
                iteration stops when the bound :math:`\frac{\alpha}{1-\alpha}
                \lVert x_k - x_{k-1}\rVert_1` on the L1 error of the scores (which
                sum to 1) is below ``tol``.  Options ``alpha`` (0.85), ``tol``
                (1e-10), ``max_iter`` (1000), ``personalization`` and ``dangling``
                (mappings ``{firm: weight}``).
            ``"katz"``
                :math:`x = \sum_{k \ge 0} \alpha^k (A^\top)^k \beta 1`, the solution
                of :math:`(I - \alpha A^\top) x = \beta 1` (solved directly to a
                relative residual ``tol``); unit norm when ``normalized=True``
                [K53]_.  The series converges only for
                :math:`\alpha < 1/\rho(A)`; the default ``alpha=None`` is
                :math:`0.5/\rho(A)` (recorded in ``result.attrs["alpha"]``), and a
                larger ``alpha`` raises ConvergenceError naming :math:`1/\rho(A)`.
                Options ``alpha``, ``beta`` (1), ``tol`` (1e-12), ``max_iter``.
            ``"betweenness"``
                :math:`\sum_{s \ne v \ne t} \sigma_{st}(v)/\sigma_{st}` by Brandes'
                algorithm [B01]_ (compiled, parallel over sources), over shortest
                paths by length; two lengths within a relative 1e-10 of each other
                are one length (tied paths all count).  The sum runs over ordered
                pairs; an undirected graph's unnormalised value counts each
                unordered pair once (half the sum).  ``normalized=True`` divides
                the ordered-pair sum by :math:`(n-1)(n-2)`, the ordered pairs not
                involving :math:`v`: for an undirected graph that is the
                unnormalised value divided by :math:`(n-1)(n-2)/2`.  ``k=`` samples
                k sources (with ``seed``: the sources
                ``random.Random(seed).sample`` picks, as networkx) and rescales as
                networkx does; ``endpoints=True`` counts each path's ends too;
                ``sources=``/``targets=`` (firms) restrict the pairs, as
                networkx's ``betweenness_centrality_subset``; ``n_threads``.
            ``"closeness"``
                :math:`\frac{r-1}{\sum_v d(v,u)} \cdot \frac{r-1}{n-1}` over the
                :math:`r-1` nodes that reach :math:`u` (Wasserman-Faust
                [WF94]_; ``wf_improved=False`` drops the second factor).  ``u=``
                (a firm or a list) computes it for those firms only; ``n_threads``.
            ``"harmonic"``
                :math:`\sum_{v \ne u} 1/d(v, u)` (0 for unreachable nodes) [MR00]_:
                the closeness to use on disconnected graphs.  ``nbunch=`` (firms to
                score) and ``sources=`` (the :math:`v` to sum over), as networkx;
                ``n_threads``.
        weight_as : {"strength", "distance", None}, default "strength"
            What the tie values (see ``strength`` of the network) mean: spectral
            measures use strengths, path measures lengths; ``1/w`` converts (see
            the module notes).  A graph whose edges all have one value runs the
            unweighted (BFS) kernels whatever ``weight_as`` says.
        directed : bool, default False
            False: every tie is undirected.  True: ties flagged ``directed`` are
            one-way (source -> target); spectral measures then score the *receiving*
            end (in-links), and closeness/harmonic use distances *to* the firm, as
            networkx does.
        combine : {"sum", "max"}, default "sum"
            How several live ties of one pair combine into one strength.
        **options
            Options of the measure, listed above.  An unknown option is an error.

        Returns
        -------
        pandas.Series
            Indexed by firm (sorted; the firms of ``u`` or ``nbunch`` when given),
            named after the measure, ``attrs["weight_as"]`` set (and
            ``attrs["alpha"]`` for Katz).  Empty when no tie is live.

        Raises
        ------
        ConvergenceError
            Eigenvector, PageRank or Katz did not converge (or eigenvector
            centrality is not unique).
        InvalidParameterError
            An unknown measure or option, or an option out of range.

        Notes
        -----
        The values equal networkx's (``degree_centrality``, ``pagerank``,
        ``eigenvector_centrality_numpy``, ``katz_centrality_numpy``,
        ``betweenness_centrality``, ``closeness_centrality``,
        ``harmonic_centrality``) when networkx gets the strengths as ``weight`` for
        spectral measures and the lengths as ``weight`` for path measures, except
        where networkx misses tied shortest paths (it compares float lengths
        exactly, so lengths such as 1/3 + 1/4 and 1/4 + 1/3 may differ).
        Betweenness costs O(nm) time (O(nm + n^2 log n) weighted), or O(km) with
        ``k`` sources; closeness and harmonic O(nm) with O(n) memory per row block.

        References
        ----------
        .. [B01] Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal
           of Mathematical Sociology 25(2), 163-177.
        .. [BP98] Brin, S. and Page, L. (1998). The anatomy of a large-scale hypertextual
           Web search engine. Computer Networks and ISDN Systems 30, 107-117.
        .. [K53] Katz, L. (1953). A new status index derived from sociometric analysis.
           Psychometrika 18(1), 39-43.
        .. [B87] Bonacich, P. (1987). Power and centrality: a family of measures. American
           Journal of Sociology 92(5), 1170-1182.
        .. [WF94] Wasserman, S. and Faust, K. (1994). Social Network Analysis. Cambridge
           University Press, section 5.3.1 (closeness with unreachable nodes).
        .. [MR00] Marchiori, M. and Latora, V. (2000). Harmony in the small-world. Physica A
           285(3-4), 539-546 (harmonic centrality).

        Examples
        --------
        >>> import pandas as pd
        >>> star = PartnershipNetwork(pd.DataFrame({"source": ["hub"] * 3,
        ...                                         "target": ["a", "b", "c"]}))
        >>> star.centrality("betweenness").to_dict()
        {'a': 0.0, 'b': 0.0, 'c': 0.0, 'hub': 1.0}
        """
        func = "PartnershipNetwork.centrality"
        check_measure(func, measure)
        self._check_graph_args(func, weight_as, directed, combine)
        opts = measure_options(func, measure, options)
        labels, A, L = self._graph(directed, weight_as, combine)
        for name in ("personalization", "dangling"):
            if measure == "pagerank" and opts[name] is not None:
                opts[name] = firm_vector(func, name, opts[name], labels)
        for name in FIRM_OPTIONS.get(measure, ()):
            if opts[name] is not None:
                opts[name] = firm_positions(func, name, opts[name], labels)
        values = compute_centrality(measure, A, L, weighted=weight_as is not None,
                                    directed=directed, opts=opts, func=func)
        index = labels
        subset = opts.get("u") if measure == "closeness" else opts.get("nbunch")
        if measure in ("closeness", "harmonic") and subset is not None:
            index = labels[subset]
        out = pd.Series(values, index=index, name=measure, dtype=np.float64)
        out.attrs["weight_as"] = weight_as
        if measure == "katz":
            out.attrs["alpha"] = opts["alpha"]
        return out

    def edge_betweenness(self, *, weight_as="strength", directed=False, combine="sum",
                         **options):
        r"""Betweenness of every edge: the share of shortest paths that use it.

        .. math:: c_B(e) = \sum_{s \ne t} \frac{\sigma_{st}(e)}{\sigma_{st}}

        over ordered pairs, divided by :math:`n (n - 1)` when ``normalized`` (as
        networkx's ``edge_betweenness_centrality``); undirected values count each
        unordered pair once.  Computed in the same compiled Brandes pass as node
        betweenness [B01]_, with the same tie-tolerant comparison of path lengths.

        Parameters
        ----------
        weight_as : {"strength", "distance", None}, default "strength"
            As in :meth:`centrality` (lengths are ``1 / strength`` by default).
        directed : bool, default False
            As in :meth:`centrality`.
        combine : {"sum", "max"}, default "sum"
            As in :meth:`centrality`.
        **options
            ``normalized`` (True), ``k`` (sample k sources, rescaled by n / k),
            ``seed``, ``n_threads``.

        Returns
        -------
        pandas.Series
            Indexed by (``source``, ``target``): each undirected edge once, with
            ``source`` before ``target`` in the order of :attr:`firms`.

        Examples
        --------
        >>> import pandas as pd
        >>> path = PartnershipNetwork(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}))
        >>> path.edge_betweenness(normalized=False).tolist()  # a-b on paths a-b, a-c
        [2.0, 2.0]

        References
        ----------
        .. [B01] Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal
           of Mathematical Sociology 25(2), 163-177.
        """
        func = "PartnershipNetwork.edge_betweenness"
        self._check_graph_args(func, weight_as, directed, combine)
        opts = measure_options(func, "edge betweenness", options, EDGE_OPTIONS)
        k, seed, nt, normalized = check_edge_options(func, opts)
        labels, _, L = self._graph(directed, weight_as, combine)
        weighted = weight_as is not None and not (L.nnz and np.ptp(L.data) == 0.0)
        rows, cols, vals = edge_betweenness(L, weighted=weighted, directed=directed,
                                            normalized=normalized, k=k, seed=seed,
                                            n_threads=nt, func=func)
        index = pd.MultiIndex.from_arrays([labels[rows], labels[cols]],
                                          names=["source", "target"])
        out = pd.Series(vals, index=index, name="edge_betweenness", dtype=np.float64)
        out.attrs["weight_as"] = weight_as
        return out

    def centralization(self, measure, *, weight_as=None, combine="sum", **options):
        r"""Freeman centralization of this (undirected) network [F79]_.

        .. math:: C = \frac{\sum_i (c^* - c_i)}{\max_{\text{star}} \sum_i (c^* - c_i)}

        1 for a star, 0 when every firm is equally central; NaN with fewer than three
        firms.  ``weight_as`` defaults to None because the reference star is
        unweighted.  See :func:`centralization_from_values`.

        Returns
        -------
        float

        References
        ----------
        .. [F79] Freeman, L. C. (1979). Centrality in social networks: conceptual
           clarification. Social Networks 1(3), 215-239.
        """
        func = "PartnershipNetwork.centralization"
        values = self.centrality(measure, weight_as=weight_as, combine=combine, **options)
        opts = measure_options(func, measure, options)
        return freeman_centralization(values.to_numpy(), measure, opts)

    def centrality_over_time(self, measure, *, freq="YS", how="window", start=None, end=None,
                             nodes="live", weight_as="strength", directed=False, combine="sum",
                             **options):
        """Centrality per period, as a tidy table.

        Parameters
        ----------
        measure : str or list of str
            One or more of :data:`MEASURES`.
        freq, how, start, end, nodes
            The periods and their firms, as in :meth:`snapshots` (default: calendar
            years, ties live at any time in the year, the firms with a live tie).
        weight_as, directed, combine, **options
            As in :meth:`centrality`.

        Returns
        -------
        pandas.DataFrame
            Columns ``firm``, ``period`` (the period's first day), ``measure``,
            ``value``; one row per firm of each snapshot (``nodes``).  Periods
            without a live tie have no rows.

        Examples
        --------
        >>> import pandas as pd
        >>> edges = pd.DataFrame({"source": ["A", "A"], "target": ["B", "C"],
        ...                       "start": ["2019-05-01", "2020-02-01"]})
        >>> t = PartnershipNetwork(edges).centrality_over_time("degree", weight_as=None)
        >>> t.pivot(index="period", columns="firm", values="value").iloc[:, 0].tolist()
        [1.0, 1.0]
        """
        func = "PartnershipNetwork.centrality_over_time"
        measures = as_list(measure)
        for m in measures:
            check_measure(func, m)
            measure_options(func, m, options)
        self._check_graph_args(func, weight_as, directed, combine)
        frames = []
        snaps = self.snapshots(freq, how=how, start=start, end=end, nodes=nodes)
        for period, snap in snaps.items():
            if len(snap.ties) == 0:
                continue
            for m in measures:
                s = snap.centrality(m, weight_as=weight_as, directed=directed, combine=combine,
                                    **options)
                frames.append(pd.DataFrame({"firm": s.index.to_numpy(dtype=object),
                                            "period": period, "measure": m,
                                            "value": s.to_numpy()}))
        if not frames:
            return pd.DataFrame({"firm": pd.Series(dtype=object),
                                 "period": pd.Series(dtype="datetime64[ns]"),
                                 "measure": pd.Series(dtype=object),
                                 "value": pd.Series(dtype=np.float64)})
        out = pd.concat(frames, ignore_index=True)
        out.attrs["weight_as"] = weight_as
        return out

    def centralization_over_time(self, measure, *, freq="YS", how="window", start=None,
                                 end=None, weight_as=None, combine="sum", **options):
        """Freeman centralization per period: a Series indexed by period start."""
        vals = {}
        for period, snap in self.snapshots(freq, how=how, start=start, end=end).items():
            if len(snap.ties):
                vals[period] = snap.centralization(measure, weight_as=weight_as,
                                                   combine=combine, **options)
        return pd.Series(vals, name=f"{measure}_centralization", dtype=np.float64).rename_axis(
            "period")

    # -- memberships
    def memberships_matrix(self):
        """Bipartite firm x organisation membership matrix: ``(CSR, firms, organisations)``.

        Entry ``[i, j]`` is the weight of firm ``i``'s membership of organisation
        ``j`` (summed over rows).  Its projection ``B @ B.T`` counts shared
        memberships; the ``co_membership`` ties of the graph carry the same weights,
        split by organisation and dated.
        """
        m = self.memberships
        f_codes, firms = pd.factorize(m["source"], sort=True)
        o_codes, orgs = pd.factorize(m["target"], sort=True)
        B = sp.csr_matrix((m["weight"].to_numpy(dtype=np.float64), (f_codes, o_codes)),
                          shape=(len(firms), len(orgs)))
        B.sum_duplicates()
        return B, pd.Index(firms, name="firm"), pd.Index(orgs, name="organisation")

    # -- overlap
    def partner_overlap(self, *, metric="jaccard", firms=None, others=None, weight_as=None,
                        combine="sum", **options):
        r"""Overlap of partner sets for pairs of firms (e.g. cloud providers vs model labs).

        Each firm's partners are its neighbours in the undirected graph (row
        :math:`w_j` of the adjacency matrix).  ``jaccard`` is
        :math:`|N_j \cap N_k| / |N_j \cup N_k|`, ``cosine``
        :math:`\langle w_j, w_k\rangle / \lVert w_j \rVert \lVert w_k \rVert`,
        ``weighted_jaccard`` :math:`\sum_i \min(w_{ji}, w_{ki}) / \sum_i \max(w_{ji},
        w_{ki})` (with ``weight_as`` set); ``overlap``, ``weighted_overlap`` and
        ``dot`` too.  Computed by :func:`concentration.overlap` (one kernel for every
        pairwise score in the library).

        Parameters
        ----------
        metric : str, default "jaccard"
            A metric of :func:`concentration.overlap`.
        firms : list, optional
            Row firms (the "from" set); all firms when omitted.
        others : list, optional
            Column firms (the "to" set); the same as ``firms`` when omitted.
        weight_as : {None, "strength", "distance"}, default None
            None: partner sets (0/1).  Otherwise the partner vectors hold strengths.
        combine : {"sum", "max"}
        **options
            Passed to :func:`concentration.overlap`.

        Returns
        -------
        pandas.DataFrame
            ``firms`` x ``others``.
        """
        func = "PartnershipNetwork.partner_overlap"
        self._check_graph_args(func, weight_as, False, combine)
        labels, A, _ = self._graph(False, weight_as, combine)
        rows = self._firm_positions(func, "firms", firms, labels)
        cols = self._firm_positions(func, "others", others, labels) if others is not None \
            else None
        W_rows = A[rows]
        if cols is None:
            res = overlap(W_rows, metric=metric, **options)
            col_labels = labels[rows]
        else:
            res = overlap(W_rows, metric=metric, other=A[cols], **options)
            col_labels = labels[cols]
        if isinstance(res, pd.DataFrame):
            res = res.to_numpy()
        if sp.issparse(res):
            res = res.toarray()
        out = pd.DataFrame(np.asarray(res, dtype=np.float64),
                           index=pd.Index(labels[rows], name="firm"),
                           columns=pd.Index(col_labels, name="other"))
        out.attrs["metric"] = metric
        return out

    @staticmethod
    def _firm_positions(func, name, firms, labels):
        if firms is None:
            return np.arange(len(labels))
        return firm_positions(func, name, as_list(firms), labels, unique=False)

    # -- figure
    def plot(self, **kwargs):
        """Draw the network: :func:`concentration.plotting.plot_network` of this network.

        Needs matplotlib (the ``plot`` extra); ``**kwargs`` go to ``plot_network``.
        Returns what it returns (the matplotlib Axes).
        """
        from .. import plotting

        return plotting.plot_network(self, **kwargs)

    # -- interop
    def to_networkx(self, *, multigraph=False, directed=False, weight_as="strength",
                    combine="sum"):
        """Return the network as a networkx graph (networkx is an optional extra).

        ``multigraph=False``: a ``Graph`` (or ``DiGraph``) with one edge per pair and
        attributes ``weight`` (combined strength, see ``weight_as``), ``distance``
        (``1 / weight``) and ``kinds`` (sorted, ``;``-joined).  ``multigraph=True``:
        a ``MultiGraph``/``MultiDiGraph`` with every tie and all its columns
        (dates as ISO strings; missing values omitted).
        """
        func = "PartnershipNetwork.to_networkx"
        require_networkx(func)  # a missing extra is reported before any argument
        self._check_graph_args(func, weight_as, directed, combine)
        check_bool(func, "multigraph", multigraph)
        labels, A, _ = self._graph(directed, weight_as, combine)
        return networkx_graph(labels, A, self.ties, multigraph=multigraph, directed=directed)

    @classmethod
    def from_networkx(cls, graph, *, kind="kind", start="start", end="end", weight="weight",
                      **kwargs):
        """Build a network from a networkx graph.

        Each edge becomes a tie; its attributes named by ``kind``, ``start``, ``end``
        and ``weight`` fill those columns (absent: kind ``"tie"``, always live, weight
        1), the others are kept.  Edges of a directed graph are directed ties.
        """
        frame, options = ties_from_networkx(graph, kind=kind, start=start, end=end,
                                            weight=weight, **kwargs)
        return cls(frame, **options)

    def write_graphml(self, path, *, directed=False):
        """Write every tie (a multigraph, with its attributes) to a GraphML file.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write; its directory must exist.
        directed : bool, default False
            Write a directed multigraph.

        Raises
        ------
        DataFileError
            The file cannot be written (for example its directory does not exist).
        InvalidParameterError
            ``path`` is not a path or ``directed`` not a bool.
        """
        write_graphml(self, path, directed=directed)

    # -- notebook display
    def _repr_html_(self):
        """Firms, ties by kind, the period covered, the most central firms and a small figure."""
        return network_html(self)
