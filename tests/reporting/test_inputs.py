"""A report's inputs: the SHA-256 stated for a file, a directory and a DataFrame."""

from __future__ import annotations

import hashlib

import pandas as pd

import concentration as cn
from concentration.reporting import report


def _shares(period):
    return pd.DataFrame({"market": "m", "period": period, "firm": ["A", "B"],
                         "share": [0.6, 0.4]})


def test_directory_checksum_covers_every_file_in_path_order(tmp_path):
    folder = tmp_path / "shares"
    (folder / "late").mkdir(parents=True)
    cn.write_parquet(_shares("2024"), folder / "a.parquet")
    cn.write_parquet(_shares("2025"), folder / "late" / "b.parquet")
    r = report(shares=str(folder), output=None)
    record = r.data["sections"]["provenance"]["inputs"][0]
    h = hashlib.sha256()
    for rel in ("a.parquet", "late/b.parquet"):  # names and bytes, sorted by path
        h.update(rel.encode("utf-8") + b"\0")
        h.update((folder / rel).read_bytes())
    assert record["kind"] == "directory" and record["rows"] == 4
    assert record["sha256"] == h.hexdigest()
    assert h.hexdigest() in r.html


def test_dataframe_checksum_follows_the_content():
    a = report(shares=_shares("2024"), output=None).data["sections"]["provenance"]["inputs"][0]
    b = report(shares=_shares("2024"), output=None).data["sections"]["provenance"]["inputs"][0]
    c = report(shares=_shares("2025"), output=None).data["sections"]["provenance"]["inputs"][0]
    assert a["kind"] == "DataFrame" and a["source"] == "shares (DataFrame)"
    assert a["sha256"] == b["sha256"] != c["sha256"]
