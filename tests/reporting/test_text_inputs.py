"""The report reads CSV like Parquet, and lists the versions of what shaped it."""
import json

import pandas as pd
import pytest

import concentration as cn


@pytest.fixture
def inputs(tmp_path):
    shares = cn.datasets.load("ai_market_shares")
    shares = shares[shares["market"].isin(["ai_chatbot_statcounter", "cloud_infra_synergy"])]
    shares.to_parquet(tmp_path / "s.parquet")
    shares.to_csv(tmp_path / "s.csv", index=False)
    return tmp_path


@pytest.mark.filterwarnings("ignore::concentration.exceptions.FringeWarning")
def test_csv_shares_give_the_parquet_report_numbers(inputs):
    docs = {}
    for kind in ("parquet", "csv"):
        res = cn.report(shares=inputs / f"s.{kind}", output=inputs / f"{kind}.html")
        docs[kind] = json.loads((inputs / f"{kind}.json").read_text())
    a, b = (pd.DataFrame(docs[k]["sections"]["indices"]["rows"]) if "rows" in
            docs[k]["sections"]["indices"] else docs[k]["sections"]["indices"] for k in docs)
    assert json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True,
                                                                    default=str)
    prov = docs["csv"]["sections"]["provenance"]["inputs"][0]
    import hashlib
    assert prov["sha256"] == hashlib.sha256((inputs / "s.csv").read_bytes()).hexdigest()


@pytest.mark.filterwarnings("ignore::concentration.exceptions.FringeWarning")
def test_versions_list_the_packages_the_report_used(inputs):
    import networkx  # noqa: F401  (installed and imported: still not part of the report)

    cn.report(shares=inputs / "s.parquet", output=inputs / "v.html")
    versions = json.loads((inputs / "v.json").read_text())["sections"]["reproducibility"][
        "versions"]
    assert "networkx" not in versions
    assert {"concentration", "numpy", "pandas", "pyarrow", "jinja2"} <= set(versions)
