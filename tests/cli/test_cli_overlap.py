"""The ``concentration overlap`` subcommand."""

import pandas as pd
import pytest

from concentration.cli import main


def test_cli_overlap_writes_pairs(tmp_path):
    src = tmp_path / "W.parquet"
    pd.DataFrame({"firm": ["a", "a", "b", "b", "c"],
                  "owner": ["o1", "o2", "o1", "o3", "o3"],
                  "stake": [0.5, 0.2, 0.1, 0.4, 0.3]}).to_parquet(src)
    out = tmp_path / "pairs.parquet"
    code = main(["overlap", str(src), "--metric", "kappa", "--row-col", "firm",
                 "--column-col", "owner", "--weight-col", "stake", "--out", str(out)])
    assert code == 0
    pairs = pd.read_parquet(out).set_index(["firm", "firm_other"])["kappa"]
    # kappa_cb = .3*.4 / (.3*.3): firm c's only owner holds more of b than of c
    assert pairs.loc[("c", "b")] == pytest.approx(0.12 / 0.09, rel=1e-12)
    assert pairs.loc[("a", "b")] == pytest.approx(0.05 / 0.29, rel=1e-12)
    assert ("a", "c") not in pairs.index  # zero scores are not listed
    code = main(["overlap", str(src), "--metric", "cosine", "--top-k", "0",
                 "--row-col", "firm", "--column-col", "owner", "--weight-col", "stake"])
    assert code == 2
    code = main(["overlap", str(tmp_path / "missing.parquet")])
    assert code == 1
