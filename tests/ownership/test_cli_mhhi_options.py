"""``concentration mhhi`` with --entities, --control-missing, --as-of and --max-age gives the
Python results."""

import warnings

import pandas as pd
import pytest

import concentration as cn
from concentration import cli


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("mhhi_cli")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shares = cn.datasets.load("ai_market_shares")
        stakes = cn.datasets.load("ai_ownership", held_only=True)
    stakes = stakes[stakes["cash_flow"].notna()][["owner", "firm", "as_of", "cash_flow",
                                                   "control"]]
    shares.to_parquet(root / "s.parquet")
    stakes.to_parquet(root / "h.parquet")
    return root, shares, stakes


@pytest.mark.parametrize("as_of, max_age", [("stake", None), ("snapshot", "400D")])
def test_cli_options_equal_python(files, as_of, max_age):
    root, shares, stakes = files
    out = root / f"out_{as_of}.csv"
    argv = ["mhhi", str(root / "s.parquet"), str(root / "h.parquet"),
            "--holdings-period-col", "as_of", "--control-col", "control",
            "--control-missing", "none", "--entities", "bundled", "--as-of", as_of,
            "-o", str(out)] + (["--max-age", max_age] if max_age else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert cli.main(argv) == 0
        h = cn.read_holdings(stakes, period="as_of", control="control", control_missing="none")
        want = cn.mhhi(shares, h, parent=cn.datasets.load("entities"), as_of=as_of,
                       max_age=max_age).to_frame().reset_index()
    got = pd.read_csv(out)
    assert list(got["market"]) == list(want["market"])
    pd.testing.assert_series_equal(got["mhhi_delta"], want["mhhi_delta"], rtol=1e-9)
    assert (got["top_pair"].isna() == want["top_pair"].isna()).all()
