"""The back-end registry: found by name, imported on demand, reached through dispatch.

A loopback back end (a module made here, whose "frames" wrap pandas DataFrames) is
registered for each test, so the registry is exercised without Dask; the last tests
check that a real Dask DataFrame reaches the Dask back end through the same path.
"""

import inspect
import subprocess
import sys
import textwrap
import types

import pandas as pd
import pytest

import concentration as cn
from concentration import _dispatch
from concentration.exceptions import InvalidParameterError, MissingDependencyError

LOOPBACK = "concentration_loopback_backend"


class LoopFrame:
    """A back end's data structure: a pandas DataFrame in a wrapper."""

    def __init__(self, frame):
        self.frame = frame


LoopFrame.__module__ = LOOPBACK


class LoopBackend:
    def __init__(self):
        self.calls = []
        self.reads = []

    def recognises(self, obj):
        return isinstance(obj, LoopFrame)

    def call(self, spec, func, bound, options):
        self.calls.append((spec, dict(options)))
        args = dict(bound.arguments)
        for name in spec.data:
            if isinstance(args.get(name), LoopFrame):
                args[name] = args[name].frame
        out = func(**args)
        return out if options["compute"] else ("lazy", out)

    def read(self, kind, source, *, func, **kwargs):
        self.reads.append((kind, func, kwargs))
        return LoopFrame(source)


@pytest.fixture
def loopback(monkeypatch):
    module = types.ModuleType(LOOPBACK)
    module.BACKEND = LoopBackend()
    monkeypatch.setitem(sys.modules, LOOPBACK, module)
    monkeypatch.setitem(_dispatch.KNOWN_BACKENDS, "loopback",
                        (LOOPBACK, "antitrust-concentration[loopback]", (LOOPBACK,)))
    return module.BACKEND


def test_a_registered_backend_is_reached_for_its_objects(loopback, three_markets):
    expected = cn.hhi(three_markets)
    out = cn.hhi(LoopFrame(three_markets))
    pd.testing.assert_series_equal(out, expected)
    spec, options = loopback.calls[-1]
    assert spec.name == "hhi" and spec.module == "concentration.measures"
    assert spec.data == ("data",) and spec.keys == ("market", "period")
    assert options == {"compute": True, "client": None}


def test_backend_options_reach_the_backend(loopback, three_markets):
    lazy = cn.hhi(LoopFrame(three_markets), compute=False, client="a client")
    assert lazy[0] == "lazy"
    assert loopback.calls[-1][1] == {"compute": False, "client": "a client"}


def test_every_data_argument_is_looked_at(loopback, three_markets):
    table = cn.screen_merger(LoopFrame(three_markets), ["A", "B"]).to_frame()
    assert loopback.calls[-1][0].name == "screen_merger"
    assert table.equals(cn.screen_merger(three_markets, ["A", "B"]).to_frame())
    holdings = cn.read_holdings(pd.DataFrame({"owner": ["I", "I"], "firm": ["A", "B"],
                                              "cash_flow": [0.5, 0.5]}))
    cn.mhhi(three_markets, LoopFrame(holdings))   # the second data argument of mhhi
    assert loopback.calls[-1][0].name == "mhhi"
    assert loopback.calls[-1][0].data == ("shares", "holdings")


def test_readers_hand_engine_to_the_named_backend(loopback, three_markets):
    out = cn.read_shares(three_markets, engine="loopback", scale="fraction")
    assert isinstance(out, LoopFrame)
    kind, func, kwargs = loopback.reads[-1]
    assert (kind, func) == ("shares", "read_shares")
    assert kwargs["market"] == "market" and kwargs["scale"] == "fraction"
    frame = pd.DataFrame({"owner": ["I"], "firm": ["A"], "cash_flow": [0.5]})
    cn.read_holdings(frame, engine="loopback")
    assert loopback.reads[-1][:2] == ("holdings", "read_holdings")


def test_unknown_engine_names_the_choices(loopback, three_markets):
    with pytest.raises(InvalidParameterError, match="engine") as info:
        cn.read_shares(three_markets, engine="spark")
    assert "loopback" in str(info.value) and "pandas" in str(info.value)


def test_in_memory_data_reject_backend_options(three_markets):
    with pytest.raises(InvalidParameterError, match="compute"):
        cn.hhi(three_markets, compute=False)
    with pytest.raises(InvalidParameterError, match="client"):
        cn.concentration_ratio(three_markets, client=object())
    with pytest.raises(InvalidParameterError, match="reduce"):
        cn.profit_weights(cn.read_holdings(pd.DataFrame(
            {"owner": ["I"], "firm": ["A"], "cash_flow": [0.5]})), reduce=len)


def test_a_backend_that_cannot_be_imported_names_its_extra(monkeypatch, three_markets):
    monkeypatch.setitem(_dispatch.KNOWN_BACKENDS, "absent",
                        ("concentration_no_such_backend_module", "antitrust-concentration[absent]",
                         ("concentration_no_such_backend_module",)))
    with pytest.raises(MissingDependencyError, match=r"antitrust-concentration\[absent\]"):
        cn.read_shares(three_markets, engine="absent")


def test_in_memory_input_imports_no_backend(three_markets):
    assert _dispatch.backend_for(three_markets, {"A": 1.0}, None, [0.5, 0.5]) is None


def test_signature_and_docstring_carry_the_options():
    for func, extra in ((cn.hhi, ()), (cn.screen_merger, ()), (cn.mhhi, ()),
                        (cn.profit_weights, ("reduce",))):
        params = inspect.signature(func).parameters
        for name in ("compute", "client") + extra:
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
            assert f"\n    {name} : " in func.__doc__, (func.__name__, name)
        assert func.__dispatch_spec__.name == func.__name__
        # the options are documented inside Parameters, before Returns
        assert func.__doc__.index("client :") < func.__doc__.index("Returns\n")


def test_unknown_option_is_refused_at_definition():
    with pytest.raises(ValueError, match="unknown back-end options"):
        _dispatch.dispatchable(options=("partitions",))


def test_import_concentration_loads_no_backend(tmp_path):
    code = textwrap.dedent("""
        import sys
        import concentration as cn
        import pandas as pd
        cn.hhi(pd.DataFrame({"market": ["m", "m"], "firm": ["A", "B"], "share": [0.5, 0.5]}))
        cn.read_shares(pd.DataFrame({"firm": ["A"], "share": [1.0]}))
        loaded = [m for m in sys.modules
                  if m.split(".")[0] in ("dask", "distributed")
                  or m.startswith("concentration.backends")]
        print(loaded)
    """)
    # run outside the checkout, so that the package under test is the one imported
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path)
    assert out.stdout.strip() == "[]"


def test_dask_dataframe_reaches_the_dask_backend_through_the_registry(monkeypatch,
                                                                        three_markets):
    dd = pytest.importorskip("dask.dataframe")
    backend = _dispatch.get_backend("dask", func="test")
    seen = []
    real = type(backend).call

    def spy(self, spec, func, bound, options):
        seen.append(spec.name)
        return real(self, spec, func, bound, options)

    monkeypatch.setattr(type(backend), "call", spy)
    out = cn.hhi(dd.from_pandas(three_markets, npartitions=2))
    assert seen == ["hhi"]
    pd.testing.assert_series_equal(out, cn.hhi(three_markets))
    assert _dispatch.backend_for(dd.from_pandas(three_markets, npartitions=1)) is backend


def test_data_arguments_are_found_by_position_and_by_keyword(loopback, three_markets):
    cn.hhi(data=LoopFrame(three_markets))
    cn.screen_merger(shares=LoopFrame(three_markets), merging=["A", "B"])
    cn.screen_merger(LoopFrame(three_markets), merging=["A", "B"], guidelines="us2010")
    assert [c[0].name for c in loopback.calls] == ["hhi", "screen_merger", "screen_merger"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda d: cn.hhi(), "hhi() missing a required argument: 'data'"),
    (lambda d: cn.hhi(d, "market"), "hhi() too many positional arguments"),
    (lambda d: cn.hhi(d, data=d), "hhi() multiple values for argument 'data'"),
    (lambda d: cn.hhi(d, no_such_option=1),
     "hhi() got an unexpected keyword argument 'no_such_option'"),
    (lambda d: cn.screen_merger(d), "screen_merger() missing a required argument: 'merging'"),
    (lambda d: cn.hhi(d, nope=1, compute=False),
     "hhi() got an unexpected keyword argument 'nope'"),
    (lambda d: cn.screen_merger(d, merging=["A", "B"], guideline="us2010"),
     "screen_merger() got an unexpected keyword argument 'guideline'; "
     "did you mean guidelines=?"),
    (lambda d: cn.hhi(d, markt="market"),
     "hhi() got an unexpected keyword argument 'markt'; did you mean market=?")])
def test_a_bad_call_raises_the_type_error_of_binding_it(call, message, three_markets):
    # the TypeError Python gives, with the function's name and the closest parameter
    with pytest.raises(TypeError) as info:
        call(three_markets)
    assert str(info.value) == message
