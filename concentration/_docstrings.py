"""Shared numpydoc blocks and the one way the package edits a docstring.

Several public functions take the same arguments (the share-table columns, the
fringe policy, the back-end options added by :func:`concentration._dispatch.dispatchable`),
and their docstrings say so once, here.  A docstring is edited by *section*, as
numpydoc lays it out (a title line underlined with dashes), never by searching for
exact lines:

* :func:`substitute` fills ``{name}`` placeholders written in the source;
* :func:`append_to_section` adds a block at the end of a named section, for text that
  belongs to a signature built at definition time.

Both raise :class:`ValueError` at import time when the placeholder or the section is
missing, so a docstring cannot silently lose a block.
"""

from __future__ import annotations

import re

__all__ = ["SHARE_PARAMETERS", "FRINGE_PARAMETERS", "MERGER_PARAMETERS", "BACKEND_OPTIONS",
           "REDUCE_OPTION", "substitute", "append_to_section", "sections"]

#: The arguments that describe a long share table (measures and screens).
SHARE_PARAMETERS = """data : mapping, pandas.Series, array_like or pandas.DataFrame
        One market's shares (``{firm: share}``, a Series indexed by firm, or a 1-D
        array), or a long table with one row per market, period and firm.  A Series
        with a MultiIndex (``df.set_index(["market", "firm"])["share"]``) is read by
        its level names, as a DataFrame's columns of those names would be; other
        level names are refused.  Shares are real numbers: booleans, complex numbers
        and text are refused on every input path.
    market, period, firm, share : str or None, optional
        Column names in a DataFrame (defaults ``"market"``, ``"period"``, ``"firm"``,
        ``"share"``).  ``None``, or a default name that is absent, means one market
        (or one period).  Without a firm column the rows are taken to be distinct
        firms and duplicates cannot be checked.
    value : str, optional
        Column of sales or revenue from which shares are derived per (market, period)
        (values whose sum overflows float64 are divided by the market's largest first).
    scale : {"fraction", "percent"}, default "fraction"
        Unit of ``share``.  Input that looks like the other unit is an error.
    duplicates : {"error", "sum"}, default "error"
        What to do with several rows of one firm in one market.
    parent : mapping, pandas.Series or pandas.DataFrame, optional
        The entity model: ``{firm: parent}``, a Series, or a table with a firm column
        (``firm`` or ``entity``), ``parent`` and optionally ``parent_since`` and
        ``aliases`` (``";"``-separated), such as
        ``concentration.datasets.load("entities")``.  Aliases become their entity and
        each firm its ultimate parent, with the links in force at the end of each
        period (``parent_since`` on or before it); shares are then summed per parent.
        Periods are placed in time by the data's ``period_start`` and ``period_end``
        columns when present, else by their labels (years, halves, quarters, months,
        dates); results list each market's periods in time order.
    tolerance : float, default 0.01
        Allowed excess of a market's share sum over 1 (rounding)."""

#: The fringe policy of the indices (shares summing below one).
FRINGE_PARAMETERS = """fringe : {"ignore", "bounds", "as_firms"}, default "ignore"
        Policy when a market's shares sum to less than one.  ``"ignore"`` computes the
        index over the listed firms (for the HHI, a lower bound) and issues a
        :class:`~concentration.exceptions.FringeWarning`; ``"bounds"`` returns the
        smallest and largest values consistent with the fringe (see
        :func:`hhi_bounds`); ``"as_firms"`` splits the fringe into firms of share
        ``fringe_size`` (the last one smaller).
    fringe_size : float, optional
        Share of each fringe firm for ``fringe="as_firms"``, in the unit of ``scale``
        (a real number in [0.0001, 1] as a fraction, [0.01, 100] in percent)."""

#: The arguments of the merger screens.
MERGER_PARAMETERS = """shares : mapping, pandas.Series or pandas.DataFrame
        One market's shares (``{firm: share}`` or a Series indexed by firm) or a
        long table with one row per market, period and firm.
    merging : sequence of str, str or mapping
        The merging parties (two or more), a comma-separated string ``"A,B"``, or a
        mapping ``{deal name: parties}`` to screen several deals in one call (a
        ``deal`` column is added).
    guidelines : str or list of str, default "us2023"
        Registry keys (see :func:`concentration.list_guidelines`) or ``"all"``.
    market, period, firm, share, value, scale, duplicates, parent, tolerance
        As in :func:`concentration.hhi`.  Shares summing below one are screened
        over the listed firms (``lower_bound`` is True; a FringeWarning is issued)."""

#: The options every dispatchable function gains (see ``concentration._dispatch``).
BACKEND_OPTIONS = """compute : bool, default True
        Dask input only.  ``True`` computes and returns the pandas result the
        in-memory call returns on the same rows; ``False`` returns a lazy
        :class:`dask.delayed.Delayed` whose ``.compute()`` gives that result (or a
        :class:`distributed.Future` when ``client`` is given).
    client : distributed.Client, optional
        Dask input only.  The cluster to run on.  Without it, the global client
        (the last ``distributed.Client`` created) is used if there is one, and
        Dask's local scheduler otherwise.  See ``docs/dask.md``."""

#: The extra option of :func:`concentration.profit_weights` on a back end.
REDUCE_OPTION = """reduce : callable, optional
        Dask input only.  Applied on the worker to each period's κ (what the
        in-memory call returns for that period alone, in the requested ``output``)
        before anything is gathered; the call then returns a dict
        ``{period: reduce(kappa_p)}`` in period order (key ``None`` when the holdings
        have no period).  With ``reduce``, ``output="dense"`` or ``"sparse"`` may
        span several periods (each is reduced on its own).  This keeps a 13F
        panel's κ matrices (8,000 firms: 512 MB each) on the workers, e.g.
        ``reduce=lambda k: k.mean()``."""

_HEADER = re.compile(r"^(?P<indent>[ \t]*)(?P<title>[A-Z][A-Za-z ]*)\n(?P=indent)-+[ \t]*$", re.M)


def sections(doc: str) -> dict:
    """Map each numpydoc section title of ``doc`` to the ``(start, end)`` of its body.

    Parameters
    ----------
    doc : str
        A numpydoc docstring.

    Returns
    -------
    dict
        ``{title: (start, end)}`` character offsets of the text between the title's
        underline and the next title (or the end of the docstring).

    Examples
    --------
    >>> list(sections("Sum.\\n\\n    Parameters\\n    ----------\\n    x : int\\n"))
    ['Parameters']
    """
    found = list(_HEADER.finditer(doc))
    out = {}
    for i, m in enumerate(found):
        start = m.end() + 1
        end = found[i + 1].start() if i + 1 < len(found) else len(doc)
        out[m.group("title").strip()] = (start, end)
    return out


def append_to_section(doc: str, title: str, block: str) -> str:
    """Return ``doc`` with ``block`` added at the end of section ``title``.

    ``block`` is written as the section's entries are (first line unindented, later
    lines with the docstring's indentation), like the constants of this module.

    Parameters
    ----------
    doc : str
        A numpydoc docstring.
    title : str
        The section, e.g. ``"Parameters"``.
    block : str
        The text to add.

    Returns
    -------
    str
        The edited docstring.

    Raises
    ------
    ValueError
        ``doc`` has no section ``title``.
    """
    spans = sections(doc)
    if title not in spans:
        raise ValueError(f"the docstring has no {title!r} section to extend")
    start, end = spans[title]
    body = doc[start:end].rstrip()
    indent = re.match(r"[ \t]*", doc[start:end]).group(0)
    trailing = doc[start + len(body):end]
    return doc[:start] + body + "\n" + indent + block + (trailing or "\n") + doc[end:]


def substitute(**blocks):
    """Decorator: replace each ``{name}`` placeholder of the docstring by ``blocks[name]``.

    Parameters
    ----------
    **blocks : str
        Placeholder name -> text.

    Returns
    -------
    callable
        A decorator that edits ``func.__doc__`` in place and returns ``func``.

    Raises
    ------
    ValueError
        A placeholder named in ``blocks`` does not occur in the docstring.
    """

    def deco(func):
        doc = func.__doc__ or ""
        for name, text in blocks.items():
            token = "{" + name + "}"
            if token not in doc:
                raise ValueError(f"{func.__qualname__}: the docstring has no {token} placeholder")
            doc = doc.replace(token, text)
        func.__doc__ = doc
        return func

    return deco
