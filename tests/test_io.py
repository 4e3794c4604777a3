"""Parquet input/output and validation of bad input: typed errors, nothing changed."""

import hashlib
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import concentration as cn
from concentration.exceptions import (
    ConcentrationError,
    DataFileError,
    FringeWarning,
    InvalidSharesError,
    SchemaError,
)


def _sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_round_trip_with_provenance(shares_file):
    df = cn.read_shares(shares_file)
    assert df.attrs["provenance"]["source"] == "hand-made"
    assert df.attrs["provenance"]["library_version"] == cn.__version__
    assert cn.hhi(df).to_numpy() == pytest.approx([5000.0, 5200.0, 10000.0])


def test_write_parquet_is_deterministic(tmp_path, three_markets):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    cn.write_parquet(three_markets, a, provenance={"source": "x"})
    cn.write_parquet(three_markets, b, provenance={"source": "x"})
    assert _sha(a) == _sha(b)


def test_directory_and_hive_partitions(tmp_path, three_markets):
    root = tmp_path / "hive"
    pq.write_to_dataset(pa.Table.from_pandas(three_markets, preserve_index=False), root,
                        partition_cols=["market"])
    df = cn.read_shares(root)
    out = cn.hhi(df)
    assert out.to_numpy() == pytest.approx([5000.0, 5200.0, 10000.0])
    only_y = cn.read_shares(root, filters=[("market", "=", "y")])
    assert set(only_y["market"].astype(str)) == {"y"}


def test_column_projection_reads_only_needed_columns(tmp_path, three_markets):
    wide = three_markets.assign(notes=["a", "b", "c", "d", "e"], revenue=1.0)
    path = tmp_path / "wide.parquet"
    cn.write_parquet(wide, path)
    df = cn.read_shares(path)
    assert "notes" not in df.columns and "revenue" not in df.columns


def test_value_column_from_file(tmp_path):
    df = pd.DataFrame({"market": ["m", "m"], "firm": ["A", "B"], "sales": [3, 1]})
    path = tmp_path / "sales.parquet"
    cn.write_parquet(df, path)
    out = cn.read_shares(path, value="sales")
    assert out["share"].tolist() == pytest.approx([0.75, 0.25])


def test_missing_file_is_datafileerror(tmp_path):
    with pytest.raises(DataFileError, match="no file"):
        cn.read_shares(tmp_path / "nope.parquet")


def test_not_parquet_is_datafileerror(tmp_path):
    path = tmp_path / "shares.parquet"
    path.write_text("market,firm,share\nm,A,1.0\n")
    before = _sha(path)
    with pytest.raises(DataFileError, match="Parquet"):
        cn.read_shares(path)
    assert _sha(path) == before


def test_truncated_parquet_is_datafileerror(shares_file):
    data = open(shares_file, "rb").read()
    with open(shares_file, "wb") as fh:
        fh.write(data[: len(data) // 2])
    with pytest.raises(DataFileError):
        cn.read_shares(shares_file)
    assert isinstance(DataFileError("x"), OSError)


def test_missing_column_names_it(shares_file):
    with pytest.raises(SchemaError) as info:
        cn.read_shares(shares_file, share="mkt_share")
    msg = str(info.value)
    assert "mkt_share" in msg and "share=" in msg and "Columns present" in msg
    assert isinstance(info.value, KeyError)


def test_wrong_dtype_is_schema_error(tmp_path):
    df = pd.DataFrame({"firm": ["A", "B"], "share": ["0.5", "0.5"]})
    path = tmp_path / "s.parquet"
    cn.write_parquet(df, path)
    with pytest.raises(SchemaError, match="numeric"):
        cn.read_shares(path)


BAD = [
    ("negative", [0.5, -0.1, 0.6], {}, "negative"),
    ("nan", [0.5, np.nan, 0.5], {}, "missing"),
    ("percent_as_fraction", [50.0, 30.0, 20.0], {}, "scale='percent'"),
    ("fraction_as_percent", [0.5, 0.3, 0.2], {"scale": "percent"}, "scale='fraction'"),
    ("sum_above_one", [0.6, 0.5, 0.2], {}, "sum to 1.3"),
    ("above_100", [150.0, 30.0, 20.0], {}, "above 1"),
]


@pytest.mark.parametrize("name,values,kw,match", BAD, ids=[b[0] for b in BAD])
def test_bad_shares_raise_and_leave_input_unchanged(name, values, kw, match, tmp_path):
    df = pd.DataFrame({"market": ["m"] * 3, "firm": list("ABC"), "share": values})
    original = df.copy(deep=True)
    with pytest.raises(InvalidSharesError, match=match) as info:
        cn.hhi(df, **kw)
    assert isinstance(info.value, ValueError) and isinstance(info.value, ConcentrationError)
    pd.testing.assert_frame_equal(df, original)
    path = tmp_path / "bad.parquet"
    cn.write_parquet(df, path)
    before = _sha(path)
    with pytest.raises(InvalidSharesError, match=match):
        cn.read_shares(path, **kw)
    assert _sha(path) == before


def test_duplicate_keys_error_and_sum():
    df = pd.DataFrame({"market": ["m", "m", "m"], "firm": ["A", "A", "B"],
                       "share": [0.2, 0.3, 0.5]})
    with pytest.raises(InvalidSharesError, match="duplicates='sum'"):
        cn.read_shares(df)
    out = cn.read_shares(df, duplicates="sum")
    assert out.set_index("firm")["share"].to_dict() == pytest.approx({"A": 0.5, "B": 0.5})


def test_validation_report_lists_issues():
    df = pd.DataFrame({"market": ["m", "m", "n"], "firm": ["A", "B", "A"],
                       "share": [0.5, 0.2, 0.9]})
    report = cn.validate_shares(df)
    assert report.ok
    assert report.issues["check"].tolist() == ["fringe", "fringe"]
    assert "Validation report" in str(report.summary())
    bad = cn.validate_shares(df.assign(share=[0.9, 0.9, 0.9]))
    assert not bad.ok
    with pytest.raises(InvalidSharesError, match="sum to 1.8"):
        bad.raise_if_errors()


def test_fringe_warning_names_policy():
    df = pd.DataFrame({"firm": ["A", "B"], "share": [0.5, 0.2]})
    with pytest.warns(FringeWarning, match="fringe='ignore'"):
        cn.hhi(df)


def test_read_shares_with_parent_table(tmp_path):
    df = pd.DataFrame({"market": ["cloud"] * 3, "firm": ["Google", "DeepMind", "Amazon"],
                       "share": [0.3, 0.1, 0.6]})
    parents = pd.DataFrame({"firm": ["Google", "DeepMind"], "parent": ["Alphabet", "Alphabet"]})
    out = cn.read_shares(df, parent=parents)
    assert sorted(out["firm"]) == ["Alphabet", "Amazon"]
    assert cn.hhi(out).iloc[0] == pytest.approx(10_000 * (0.16 + 0.36))


def test_schema_error_message_is_readable(three_markets):
    with pytest.raises(SchemaError) as info:
        cn.hhi(three_markets, share="pct")
    assert not str(info.value).startswith("'")  # KeyError would quote it
    assert os.path.sep not in "x"
