"""The back-end registry: public functions that also run on other data structures.

A public in-memory function decorated with :func:`dispatchable` keeps its code
path for pandas and NumPy input.  When one of its data arguments is an object of a
back end's package (a Dask DataFrame, say), the call is handed to that back end,
which runs the in-memory function where the data are (for Dask: one task per whole
group) and joins the pieces.  No formula is implemented twice.

Back ends are found *by name*.  :data:`KNOWN_BACKENDS` maps a name to the module
that implements it and the extra that installs its dependencies; the module is
imported on first use by :func:`get_backend`, the one deliberate name-based import
of the package, so ``import concentration`` imports no back end and no Dask.
:func:`backend_for` recognises a back end's objects by the top-level package of
their type (``type(obj).__module__``): such an object can exist only if that
package is already imported, so recognising it costs no import.

A back-end module defines ``BACKEND``, an object with three methods:

``recognises(obj) -> bool``
    Whether ``obj`` is one of its data structures.
``call(spec, func, bound, options)``
    Run the in-memory ``func`` (undecorated) on the bound arguments ``bound``
    (:class:`inspect.BoundArguments`, defaults applied) with the back-end options
    ``options`` (a dict, e.g. ``compute``, ``client``); ``spec`` is the
    :class:`DispatchSpec` of the function.
``read(kind, source, *, func, **kwargs)``
    ``read_shares(..., engine=<name>)`` (``kind="shares"``) and
    ``read_holdings(..., engine=<name>)`` (``kind="holdings"``).

This follows networkx's ``utils/backends.py`` (back ends looked up by name and
imported on demand) and xarray's ``namedarray/parallelcompat.py`` (Dask as a
registered implementation of an interface the core defines).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import sys
from dataclasses import dataclass

from ._docstrings import BACKEND_OPTIONS, REDUCE_OPTION, append_to_section
from ._validation import check_choice, param_message
from .exceptions import InvalidParameterError, MissingDependencyError

__all__ = ["KNOWN_BACKENDS", "DispatchSpec", "dispatchable", "get_backend", "backend_for",
           "engines"]

#: name -> (module implementing the back end, extra that installs its dependencies,
#: top-level packages whose objects it takes).
KNOWN_BACKENDS = {
    "dask": ("concentration.backends.dask", "antitrust-concentration[dask]", ("dask",)),
}


#: Top-level packages of in-memory data (and of Python's own types), never a back end's.
_IN_MEMORY = frozenset({"builtins", "numpy", "pandas", "scipy"})

# option name -> (default, docstring block)
_OPTIONS = {
    "compute": (True, None),
    "client": (None, None),
    "reduce": (None, REDUCE_OPTION),
}
_COMMON_OPTIONS = ("compute", "client")


@dataclass(frozen=True)
class DispatchSpec:
    """How a public function dispatches: what its data and grouping arguments are.

    Attributes
    ----------
    name, module : str
        The public function and the module a worker imports it from.
    data : tuple of str
        Arguments that may hold a back end's data structure.
    keys : tuple of str
        Arguments naming the grouping columns (groups are handed whole to the
        in-memory function).
    options : tuple of str
        The back-end options the function takes (``compute``, ``client``, ...).
    signature : inspect.Signature
        The in-memory function's signature.
    """

    name: str
    module: str
    data: tuple
    keys: tuple
    options: tuple
    signature: inspect.Signature


def engines() -> tuple:
    """Values of the readers' ``engine=`` argument: ``"pandas"`` or a back end's name.

    Returns
    -------
    tuple of str
        ``("pandas", <each key of KNOWN_BACKENDS>)``.
    """
    return ("pandas",) + tuple(KNOWN_BACKENDS)


def get_backend(name, *, func):
    """The back end called ``name``, importing its module on first use.

    Parameters
    ----------
    name : str
        A key of :data:`KNOWN_BACKENDS`.
    func : str
        The public function asking (named in errors).

    Returns
    -------
    object
        The module's ``BACKEND``.

    Raises
    ------
    InvalidParameterError
        ``name`` is not a known back end.
    MissingDependencyError
        The back end's dependencies are not installed; the message names the extra.
    """
    check_choice(func, "engine", name, tuple(KNOWN_BACKENDS))
    module, extra, _ = KNOWN_BACKENDS[name]
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        if exc.name and exc.name.startswith("concentration."):  # a broken install
            raise
        raise MissingDependencyError(
            f"{func}: the {name} back end needs optional dependencies that are not installed "
            f"({exc}). Install them with: pip install '{extra}'") from None
    return mod.BACKEND


def backend_for(*objs):
    """The back end that takes one of ``objs``, or None for in-memory data.

    Only back ends whose package is already imported are asked, so this never
    imports anything for pandas or NumPy input.

    Parameters
    ----------
    *objs : object
        The values of a function's data arguments.

    Returns
    -------
    object or None
        A back end's ``BACKEND``.
    """
    for obj in objs:
        if obj is None:
            continue
        top = type(obj).__module__.partition(".")[0]
        if top in _IN_MEMORY:  # the usual case: one set lookup
            continue
        for name, (_, _, packages) in KNOWN_BACKENDS.items():
            if top in packages and top in sys.modules:
                backend = get_backend(name, func="dispatch")
                if backend.recognises(obj):
                    return backend
    return None


def _reject_options(name, options):
    """In-memory data: every back-end option must be left at its default."""
    names = [f"{which}=" for which in options]
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    for which, val in options.items():
        if val is not _OPTIONS[which][0]:
            raise InvalidParameterError(param_message(
                name, which, "left at its default for in-memory data",
                val if which == "compute" else type(val).__name__,
                f"{listed} apply to Dask DataFrames only."))


class _ArgumentLookup:
    """Where a function's data arguments are in a call, found without binding it.

    Built once per decorated function from its signature: the position of each
    positional parameter, the names a keyword may take, the required parameters.
    :meth:`accepts` says whether a call's arguments bind to the signature (when it
    cannot tell cheaply it says no, and the caller binds with
    :meth:`inspect.Signature.bind`, which raises the TypeError of a bad call);
    :meth:`values` reads the data arguments of a call that binds.
    """

    def __init__(self, sig, data):
        P = inspect.Parameter
        params = list(sig.parameters.values())
        positional = [p for p in params if p.kind in (P.POSITIONAL_ONLY,
                                                      P.POSITIONAL_OR_KEYWORD)]
        self.n_positional = len(positional)
        self.var_positional = any(p.kind is P.VAR_POSITIONAL for p in params)
        self.var_keyword = any(p.kind is P.VAR_KEYWORD for p in params)
        self.index = {p.name: i for i, p in enumerate(positional)}
        self.keywords = frozenset(p.name for p in params
                                  if p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY))
        self.positional_only = frozenset(p.name for p in positional
                                         if p.kind is P.POSITIONAL_ONLY)
        # required: (position or None, name, may be given by keyword)
        self.required = tuple(
            (self.index.get(p.name), p.name, p.name in self.keywords) for p in params
            if p.default is P.empty and p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD))
        # data argument: (position or None, name or None when not a keyword)
        self.data = tuple((self.index.get(a), a if a in self.keywords else None)
                          for a in data)

    def accepts(self, args, kwargs) -> bool:
        """Whether ``args`` and ``kwargs`` surely bind to the signature."""
        n = len(args)
        if n > self.n_positional and not self.var_positional:
            return False
        index = self.index
        for k in kwargs:
            if k in self.keywords:
                i = index.get(k)
                if i is not None and i < n:
                    return False  # given twice
            elif not self.var_keyword or k in self.positional_only:
                return False
        for i, name, by_keyword in self.required:
            if not ((i is not None and i < n) or (by_keyword and name in kwargs)):
                return False
        return True

    def values(self, args, kwargs) -> tuple:
        """The data arguments of a call that binds (None for those not given)."""
        n = len(args)
        return tuple(args[i] if i is not None and i < n else
                     (kwargs.get(name) if name is not None else None)
                     for i, name in self.data)


def _bind(name, sig, args, kwargs):
    """``sig.bind(*args, **kwargs)``, its TypeError naming the function as Python's own
    does (``hhi() got an unexpected keyword argument 'guideline'``) and, for a
    misspelt keyword, the parameter it is closest to."""
    try:
        return sig.bind(*args, **kwargs)
    except TypeError as exc:
        msg = f"{name}() {exc}"
        unknown = [k for k in kwargs if k not in sig.parameters]
        close = difflib.get_close_matches(unknown[0], list(sig.parameters), n=1) \
            if unknown else []
        if close:
            msg += f"; did you mean {close[0]}=?"
        raise TypeError(msg) from None


def dispatchable(*, data=("data",), keys=("market", "period"), options=()):
    """Decorate a public in-memory function so that a back end's data reach that back end.

    The function gains the keyword-only options ``compute=True`` and ``client=None``
    (plus ``options``, e.g. ``("reduce",)``), documented at the end of its
    Parameters section.  With in-memory data the options must stay at their defaults
    and the function runs as written; otherwise the back end recognised by
    :func:`backend_for` runs it.

    Parameters
    ----------
    data : tuple of str
        Arguments that may hold a back end's data structure.
    keys : tuple of str
        Arguments naming the grouping columns.
    options : tuple of str
        Back-end options beyond ``compute`` and ``client``.

    Returns
    -------
    callable
        The decorator.  The decorated function has ``__dispatch_spec__`` (a
        :class:`DispatchSpec`) and ``__wrapped__`` (the in-memory function).
    """
    names = _COMMON_OPTIONS + tuple(options)
    unknown = [o for o in names if o not in _OPTIONS]
    if unknown:
        raise ValueError(f"unknown back-end options {unknown}")

    def deco(func):
        sig = inspect.signature(func)
        spec = DispatchSpec(name=func.__name__, module=func.__module__, data=tuple(data),
                            keys=tuple(keys), options=names, signature=sig)
        params = list(sig.parameters.values())
        extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=_OPTIONS[n][0])
                 for n in names]
        if params and params[-1].kind is inspect.Parameter.VAR_KEYWORD:
            params = params[:-1] + extra + params[-1:]
        else:
            params = params + extra

        lookup = _ArgumentLookup(sig, spec.data)
        defaults = tuple((n, _OPTIONS[n][0]) for n in names)
        option_names = frozenset(names)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            given = bool(kwargs) and not option_names.isdisjoint(kwargs)
            opts = {n: kwargs.pop(n, d) for n, d in defaults} if given else None
            if lookup.accepts(args, kwargs):
                backend = backend_for(*lookup.values(args, kwargs))
            else:  # a bad call (raises its TypeError) or one to bind to be sure
                bound = _bind(spec.name, sig, args, kwargs)
                backend = backend_for(*(bound.arguments.get(a) for a in spec.data))
            if backend is None:
                if given:
                    for n, d in defaults:
                        if opts[n] is not d:
                            _reject_options(spec.name, opts)
                return func(*args, **kwargs)
            bound = _bind(spec.name, sig, args, kwargs)
            bound.apply_defaults()
            return backend.call(spec, func, bound, opts if given else dict(defaults))

        wrapper.__signature__ = sig.replace(parameters=params)
        if func.__doc__:
            doc = append_to_section(func.__doc__, "Parameters", BACKEND_OPTIONS)
            for n in options:
                doc = append_to_section(doc, "Parameters", _OPTIONS[n][1])
            wrapper.__doc__ = doc
        wrapper.__dispatch_spec__ = spec
        return wrapper

    return deco
