"""The Dask back end: same answers as the pandas path, on a real LocalCluster too."""

import sys

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import InvalidParameterError, MissingDependencyError, SchemaError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

PERIODS = ["2023Q3", "2023Q4", "2024Q1", "2024Q2"]


def _panel(seed=7, n_markets=40):
    """A long share table: markets x periods, 1-6 firms each, shares summing to one."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in PERIODS:
        for m in range(n_markets):
            n = int(rng.integers(1, 7))
            s = rng.dirichlet(np.ones(n))
            rows += [(f"m{m:02d}", p, f"f{j}", float(s[j])) for j in range(n)]
    return pd.DataFrame(rows, columns=["market", "period", "firm", "share"])


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A hive-partitioned Parquet dataset (one directory per period) and its pandas twin."""
    root = tmp_path_factory.mktemp("dask") / "shares"
    frame = _panel()
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), str(root),
                        partition_cols=["period"])
    # the pandas reference reads the same files through the pandas engine
    return str(root), cn.read_shares(str(root))


@pytest.fixture(scope="module")
def client():
    """A real two-worker cluster on loopback, shut down at the end of the module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  memory_limit="1GiB") as cluster:
        with distributed.Client(cluster, set_as_default=False) as c:
            yield c


def _hand_checkable():
    return pd.DataFrame({"market": ["x", "x", "y", "y", "z"],
                         "period": ["2024"] * 5,
                         "firm": ["A", "B", "A", "C", "A"],
                         "share": [0.5, 0.5, 0.6, 0.4, 1.0]})


def test_hand_checked_hhi_local_scheduler():
    ddf = dd.from_pandas(_hand_checkable(), npartitions=2)
    out = cn.hhi(ddf)
    assert out.loc[("x", "2024")] == pytest.approx(5000.0)
    assert out.loc[("y", "2024")] == pytest.approx(5200.0)
    assert out.loc[("z", "2024")] == pytest.approx(10000.0)


def test_hhi_and_indices_equal_pandas_local_scheduler(dataset):
    path, ref = dataset
    ddf = dd.read_parquet(path)
    assert ddf.npartitions == len(PERIODS)
    pd.testing.assert_series_equal(cn.hhi(ddf), cn.hhi(ref), check_exact=True)
    measures = ["hhi", "cr2", "effective_number", "entropy", "gini", "n_firms"]
    pd.testing.assert_frame_equal(cn.indices(ddf, measures), cn.indices(ref, measures),
                                  check_exact=True)


def test_fringe_warning_reaches_the_caller_on_the_local_scheduler():
    frame = _hand_checkable().assign(share=[0.5, 0.4, 0.6, 0.4, 1.0])
    with pytest.warns(cn.exceptions.FringeWarning, match="0.9"):
        out = cn.hhi(dd.from_pandas(frame, npartitions=2))
    assert out.loc[("x", "2024")] == pytest.approx(4100.0)


def test_groups_split_across_partitions_are_shuffled_in_order(dataset):
    _, ref = dataset
    mixed = ref.sample(frac=1.0, random_state=3).reset_index(drop=True)
    ddf = dd.from_pandas(mixed, npartitions=5, sort=False)
    # lorenz subtracts running sums over the whole table, so it agrees to rounding only
    pd.testing.assert_frame_equal(cn.lorenz(ddf), cn.lorenz(mixed), rtol=0, atol=1e-12)
    pd.testing.assert_series_equal(cn.concentration_ratio(ddf, 3),
                                   cn.concentration_ratio(mixed, 3), check_exact=True)
    pd.testing.assert_frame_equal(cn.hhi(ddf, fringe="bounds"),
                                  cn.hhi(mixed, fringe="bounds"), check_exact=True)


def test_read_shares_engine_dask(dataset):
    path, ref = dataset
    lazy = cn.read_shares(path, engine="dask")
    assert isinstance(lazy, dd.DataFrame)
    computed = lazy.compute()
    expected = ref.sort_values(["market", "period", "firm"]).reset_index(drop=True)
    computed = computed.sort_values(["market", "period", "firm"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(computed[expected.columns], expected, check_exact=True)
    pd.testing.assert_series_equal(cn.hhi(lazy), cn.hhi(ref), check_exact=True)


def test_read_shares_engine_dask_filters_and_percent(tmp_path):
    frame = _hand_checkable().assign(share=lambda d: d["share"] * 100)
    frame.to_parquet(tmp_path / "s.parquet")
    lazy = cn.read_shares(tmp_path / "s.parquet", engine="dask", scale="percent",
                          filters=[("market", "!=", "z")])
    out = cn.hhi(lazy)
    assert list(out.index.get_level_values("market")) == ["x", "y"]
    assert out.tolist() == pytest.approx([5000.0, 5200.0])


def test_lazy_result_and_errors_surface_as_in_pandas():
    ddf = dd.from_pandas(_hand_checkable(), npartitions=2)
    lazy = cn.hhi(ddf, compute=False)
    assert hasattr(lazy, "compute")
    pd.testing.assert_series_equal(lazy.compute(), cn.hhi(_hand_checkable()))
    bad = _hand_checkable().assign(share=[50, 50, 60, 40, 100])
    with pytest.raises(cn.exceptions.InvalidSharesError, match="percent"):
        cn.hhi(dd.from_pandas(bad, npartitions=2))
    with pytest.raises(SchemaError, match="mkt"):
        cn.hhi(ddf, market="mkt")
    with pytest.raises(InvalidParameterError, match="compute"):
        cn.hhi(_hand_checkable(), compute=False)
    with pytest.raises(InvalidParameterError, match="engine"):
        cn.read_shares(_hand_checkable(), engine="spark")


def test_equal_pandas_on_local_cluster(dataset, client):
    path, ref = dataset
    ddf = dd.read_parquet(path)
    pd.testing.assert_series_equal(cn.hhi(ddf, client=client), cn.hhi(ref), check_exact=True)
    mixed = ref.sample(frac=1.0, random_state=11).reset_index(drop=True)
    shuffled = dd.from_pandas(mixed, npartitions=3, sort=False)
    got = cn.indices(shuffled, ["hhi", "cr4", "gini"], client=client)
    expected = cn.indices(mixed, ["hhi", "cr4", "gini"])
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    future = cn.hhi(ddf, client=client, compute=False)
    pd.testing.assert_series_equal(future.result(), cn.hhi(ddf, client=client),
                                   check_exact=True)


def test_global_client_is_used(dataset, client):
    path, _ = dataset
    ddf = dd.read_parquet(path)
    with client.as_current(), distributed.get_task_stream(client) as stream:
        out = cn.hhi(ddf)
    assert out.index.names == ["market", "period"]
    assert any("_call_public" in t["key"][0] if isinstance(t["key"], tuple) else
               "_call_public" in t["key"] for t in stream.data)


def test_missing_dask_names_the_extra(monkeypatch, dataset):
    path, _ = dataset
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    with pytest.raises(MissingDependencyError, match=r"antitrust-concentration\[dask\]"):
        cn.read_shares(path, engine="dask")
    # in-memory calls do not need Dask
    assert cn.hhi({"A": 0.5, "B": 0.5}) == pytest.approx(5000.0)


def _deal_panel(seed=5, n_markets=12):
    """Parties A and B plus 0-3 rivals in every market-period; shares sum to one."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in PERIODS:
        for m in range(n_markets):
            names = ["A", "B"] + [f"r{j}" for j in range(int(rng.integers(0, 4)))]
            s = rng.dirichlet(np.ones(len(names)))
            rows += [(f"m{m:02d}", p, f, float(v)) for f, v in zip(names, s)]
    return pd.DataFrame(rows, columns=["market", "period", "firm", "share"])


def test_screen_merger_equals_pandas(client):
    screen = pytest.importorskip("concentration.screen")
    frame = _deal_panel()
    ddf = dd.from_pandas(frame.sample(frac=1.0, random_state=2), npartitions=3, sort=False)
    mixed = frame.sample(frac=1.0, random_state=2)
    expected = screen.screen_merger(mixed, ["A", "B"], guidelines=["us2023", "us2010"])
    for kwargs in ({}, {"client": client}):
        got = screen.screen_merger(ddf, ["A", "B"], guidelines=["us2023", "us2010"], **kwargs)
        assert type(got) is type(expected)
        pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), check_exact=True)
        assert got.guidelines == expected.guidelines and got.deals == expected.deals


# ---------------------------------------------------------------------------
# ownership: profit_weights and mhhi over Dask DataFrames, read_holdings(engine="dask")

def _holdings_panel(seed=3, n_owners=6, n_firms=8):
    """Owners o0..o5 with 4 stakes of 1-10 % each per period (firm totals below 0.6)."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in PERIODS:
        for o in range(n_owners):
            for f in rng.choice(n_firms, size=4, replace=False):
                cf = float(rng.uniform(0.01, 0.1))
                vote = cf * float(rng.choice([1.0, 1.0, 2.0]))   # some dual-class votes
                rows.append((p, f"o{o}", f"F{f}", cf, vote))
    return pd.DataFrame(rows, columns=["period", "owner", "firm", "cash_flow", "votes"])


def _mhhi_shares(seed=4, n_markets=5, n_firms=9):
    """Markets of 3 firms drawn from F0..F8 (F8 never has holdings)."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in PERIODS:
        for m in range(n_markets):
            firms = rng.choice(n_firms, size=3, replace=False)
            s = rng.dirichlet(np.ones(3))
            rows += [(f"m{m}", p, f"F{f}", float(x)) for f, x in zip(firms, s)]
    return pd.DataFrame(rows, columns=["market", "period", "firm", "share"])


@pytest.fixture(scope="module")
def ownership_data(tmp_path_factory):
    """Hive datasets (one directory per period) of holdings and shares."""
    root = tmp_path_factory.mktemp("dask_own")
    hpath, spath = root / "holdings", root / "shares"
    pq.write_to_dataset(pa.Table.from_pandas(_holdings_panel(), preserve_index=False),
                        str(hpath), partition_cols=["period"])
    pq.write_to_dataset(pa.Table.from_pandas(_mhhi_shares(), preserve_index=False),
                        str(spath), partition_cols=["period"])
    return str(hpath), str(spath)


def _assert_mhhi_equal(got, expected):
    assert type(got) is type(expected)
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), check_exact=True)
    pd.testing.assert_frame_equal(got.by_pair(), expected.by_pair(), check_exact=True)
    pd.testing.assert_frame_equal(got.by_owner(), expected.by_owner(), check_exact=True)
    pd.testing.assert_frame_equal(got.no_holdings, expected.no_holdings, check_exact=True)
    assert got.notes == expected.notes and got.control_model == expected.control_model


def test_profit_weights_hand_checked_on_dask():
    # X holds 50 % of A and 10 % of B; Y holds 50 % of B (the docstring example):
    # kappa_AB = .5*.1/.5**2 = 0.2, kappa_BA = .1*.5/(.1**2 + .5**2) = 0.05/0.26
    frame = pd.DataFrame({"owner": ["X", "X", "Y"], "firm": ["A", "B", "B"],
                          "cash_flow": [0.5, 0.1, 0.5]})
    k = cn.profit_weights(dd.from_pandas(frame, npartitions=2))
    assert k.loc["A", "B"] == pytest.approx(0.2)
    assert k.loc["B", "A"] == pytest.approx(0.05 / 0.26)


def test_profit_weights_equals_pandas_on_local_cluster(ownership_data, client):
    hpath, _ = ownership_data
    ddf = dd.read_parquet(hpath)
    assert ddf.npartitions == len(PERIODS)
    h = cn.read_holdings(hpath)
    for kwargs in ({}, {"output": "long"}, {"control_model": "power"}):
        got = cn.profit_weights(ddf, client=client, **kwargs)
        expected = cn.profit_weights(h, **kwargs)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert got.attrs == expected.attrs
    one = cn.profit_weights(ddf, period="2024Q1", output="dense", client=client)
    np.testing.assert_array_equal(one, cn.profit_weights(h, period="2024Q1", output="dense"))


def test_profit_weights_explicit_control_and_reduce(ownership_data, client):
    hpath, _ = ownership_data
    lazy = cn.read_holdings(hpath, engine="dask", control="votes")
    assert list(lazy.columns) == ["period", "owner", "firm", "cash_flow", "control"]
    h = cn.read_holdings(hpath, control="votes")
    got = cn.profit_weights(lazy, control_model="voting", client=client)
    expected = cn.profit_weights(h, control_model="voting")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # reduce on the workers: one number per period, the kappa matrices stay there
    means = cn.profit_weights(lazy, control_model="voting", output="dense", client=client,
                              reduce=lambda k: float(k.mean()))
    assert list(means) == PERIODS
    for p in PERIODS:
        dense = cn.profit_weights(h, control_model="voting", period=p, output="dense")
        assert means[p] == float(dense.mean())


def test_mhhi_equals_pandas_on_local_cluster(ownership_data, client):
    hpath, spath = ownership_data
    h = cn.read_holdings(hpath)
    shares = cn.read_shares(spath)
    expected = cn.mhhi(shares, h)
    assert expected.no_holdings["firm"].eq("F8").any()   # the no-holdings path is exercised
    lazy_h = cn.read_holdings(hpath, engine="dask")
    lazy_s = cn.read_shares(spath, engine="dask")
    _assert_mhhi_equal(cn.mhhi(dd.read_parquet(spath), lazy_h, client=client), expected)
    _assert_mhhi_equal(cn.mhhi(lazy_s, h, client=client), expected)
    _assert_mhhi_equal(cn.mhhi(shares, dd.read_parquet(hpath)), expected)   # local scheduler
    future = cn.mhhi(lazy_s, lazy_h, client=client, compute=False)
    _assert_mhhi_equal(future.result(), expected)


def test_mhhi_shares_without_period_on_dask(ownership_data):
    hpath, spath = ownership_data
    h = cn.read_holdings(hpath)
    cross = cn.read_shares(spath)
    cross = cross[cross["period"] == "2024Q2"].drop(columns="period").reset_index(drop=True)
    expected = cn.mhhi(cross, h, holdings_period="2024Q2")
    got = cn.mhhi(dd.from_pandas(cross, npartitions=2), cn.read_holdings(hpath, engine="dask"),
                  holdings_period="2024Q2")
    _assert_mhhi_equal(got, expected)
    with pytest.raises(InvalidParameterError, match="holdings_period"):
        cn.mhhi(cross, dd.read_parquet(hpath))


def test_read_holdings_engine_dask_round_trip(tmp_path):
    frame = _holdings_panel().drop(columns="votes").assign(cash_flow=lambda d: d.cash_flow * 100)
    frame = frame.rename(columns={"owner": "investor", "cash_flow": "pct"})
    path = tmp_path / "h"
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), str(path),
                        partition_cols=["period"])
    kwargs = {"owner": "investor", "cash_flow": "pct", "scale": "percent"}
    lazy = cn.read_holdings(path, engine="dask", filters=[("period", ">=", "2024Q1")],
                            **kwargs)
    assert isinstance(lazy, dd.DataFrame)
    got = lazy.compute().reset_index(drop=True)
    expected = cn.read_holdings(path, filters=[("period", ">=", "2024Q1")], **kwargs).table
    pd.testing.assert_frame_equal(got, expected.drop(columns="control"), check_exact=True)
    assert sorted(got["period"].unique()) == ["2024Q1", "2024Q2"]


def test_holdings_errors_surface_as_in_pandas(ownership_data):
    hpath, _ = ownership_data
    ddf = dd.read_parquet(hpath)
    with pytest.raises(InvalidParameterError, match="one period when output='dense'"):
        cn.profit_weights(ddf, output="dense")
    with pytest.raises(InvalidParameterError, match="2030Q1"):
        cn.profit_weights(ddf, period="2030Q1")
    with pytest.raises(InvalidParameterError, match="reduce"):
        cn.profit_weights(cn.read_holdings(hpath), reduce=len)
    with pytest.raises(SchemaError, match="cash_flow"):
        cn.profit_weights(ddf.rename(columns={"cash_flow": "cf"}))
    with pytest.raises(SchemaError, match="stake"):
        cn.read_holdings(hpath, engine="dask", cash_flow="stake")
    over = _holdings_panel().assign(cash_flow=lambda d: d.cash_flow * 20)   # totals above one
    with pytest.raises(cn.exceptions.InvalidHoldingsError, match="above one"):
        cn.profit_weights(dd.from_pandas(over, npartitions=2))


def test_read_holdings_without_dask_names_the_extra(monkeypatch, ownership_data):
    hpath, _ = ownership_data
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    with pytest.raises(MissingDependencyError, match=r"antitrust-concentration\[dask\]"):
        cn.read_holdings(hpath, engine="dask")
    assert cn.read_holdings(hpath).has_period   # the in-memory path does not need Dask


def test_dask_engine_reads_each_file_once_like_the_pandas_engine(tmp_path, three_markets):
    root = tmp_path / "shares"
    root.mkdir()
    cn.write_parquet(three_markets, root / "part.parquet")
    (root / "loop").symlink_to(root, target_is_directory=True)   # a link back into the tree
    lazy = cn.read_shares(str(root), engine="dask")
    got = lazy.compute().sort_values(["market", "firm"]).reset_index(drop=True)
    want = cn.read_shares(str(root)).sort_values(["market", "firm"]).reset_index(drop=True)
    assert len(got) == len(three_markets)
    pd.testing.assert_frame_equal(got[list(want.columns)], want, check_dtype=False,
                                  check_categorical=False)


def test_dask_keeps_the_period_dates_and_the_time_order(tmp_path):
    rows = [("m", p, s, f, v) for p, s in (("2025-late", "2025-09-01"), ("2024", "2024-01-01"),
                                          ("2025-mid", "2025-05-01"))
            for f, v in (("A", 0.6), ("B", 0.4))]
    df = pd.DataFrame(rows, columns=["market", "period", "period_start", "firm", "share"])
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = df["period_start"] + pd.offsets.MonthEnd(1)
    path = tmp_path / "s.parquet"
    df.to_parquet(path)
    lazy = cn.read_shares(path, engine="dask")
    assert {"period_start", "period_end"} <= set(lazy.columns)
    got = cn.hhi(lazy)
    assert list(got.index.get_level_values("period")) == ["2024", "2025-mid", "2025-late"]
    pd.testing.assert_series_equal(got, cn.hhi(df), check_index_type=False)


def test_dask_orders_free_labels_by_the_datas_dates():
    dd = pytest.importorskip("dask.dataframe")
    rows = [("m", p, s, f, v) for p, s in (("2025-12-mid", "2025-12-10"), ("2026-01-02", "2026-01-02"),
                                          ("2025-12-05", "2025-12-05"))
            for f, v in (("A", 0.6), ("B", 0.4))]
    df = pd.DataFrame(rows, columns=["market", "period", "period_start", "firm", "share"])
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = df["period_start"]
    got = cn.hhi(dd.from_pandas(df, npartitions=3))
    assert list(got.index.get_level_values("period")) == ["2025-12-05", "2025-12-mid",
                                                          "2026-01-02"]
    pd.testing.assert_series_equal(got, cn.hhi(df), check_index_type=False)
