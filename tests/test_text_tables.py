"""read_shares and the readers take CSV and TSV files as they take Parquet."""
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import DataFileError, InvalidParameterError

ROWS = pd.DataFrame({"market": ["m"] * 3 + ["n"] * 2, "period": ["2024"] * 5,
                     "firm": ["A", "B", "C", "A", "D"], "share": [0.5, 0.3, 0.2, 0.6, 0.4]})


def test_csv_and_tsv_read_like_parquet(tmp_path):
    ROWS.to_parquet(tmp_path / "s.parquet")
    ROWS.to_csv(tmp_path / "s.csv", index=False)
    ROWS.to_csv(tmp_path / "s.tsv", index=False, sep="\t")
    ref = cn.hhi(cn.read_shares(tmp_path / "s.parquet"))
    for name in ("s.csv", "s.tsv"):
        got = cn.read_shares(tmp_path / name)
        assert got["period"].tolist() == ["2024"] * 5  # labels stay text
        pd.testing.assert_series_equal(cn.hhi(got), ref, check_index_type=False)
        assert len(got.attrs["provenance"]["sha256"]) == 64
    assert ref.tolist() == pytest.approx([3800.0, 5200.0])


def test_text_tables_refuse_filters_and_report_bad_files(tmp_path):
    ROWS.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(InvalidParameterError, match="filters"):
        cn.read_shares(tmp_path / "s.csv", filters=[("market", "==", "m")])
    (tmp_path / "bad.csv").write_text('market,firm,share\n"m,A,0.5\n')
    with pytest.raises(DataFileError, match="comma-separated"):
        cn.read_shares(tmp_path / "bad.csv")
