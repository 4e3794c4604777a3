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


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint16", "int8"])
@pytest.mark.parametrize("duplicates", ["error", "sum"])
def test_integer_firm_labels_keep_their_dtype(tmp_path, dtype, duplicates):
    # integer firm ids come back as the integers they are, not as Python objects
    firm = np.array([7, 3, 5] + ([5] if duplicates == "sum" else []), dtype=dtype)
    df = pd.DataFrame({"market": ["m"] * len(firm), "firm": firm,
                       "share": [0.2, 0.3, 0.25, 0.25][:len(firm)]})
    if duplicates == "error":
        df.loc[2, "share"] = 0.5
    path = tmp_path / "ints.parquet"
    df.to_parquet(path)
    for source in (df, path):
        out = cn.read_shares(source, duplicates=duplicates)
        assert out["firm"].dtype == np.dtype(dtype)
        assert out["firm"].tolist() == [7, 3, 5]
        assert out["share"].tolist() == pytest.approx([0.2, 0.3, 0.5])


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


# ---------------------------------------------------------------------------
# directories: links, types across files, hive keys, filters (issue 16)

from concentration.exceptions import InvalidParameterError  # noqa: E402

TWO = pd.DataFrame({"market": ["a", "a"], "firm": ["x", "y"], "share": [0.5, 0.5]})


def test_a_directory_linking_to_itself_is_read_once(tmp_path):
    root = tmp_path / "loop"
    root.mkdir()
    TWO.to_parquet(root / "p.parquet")
    os.symlink(root, root / "self")
    assert len(cn.read_table(root)) == 2
    df = cn.read_shares(root)
    assert len(df) == 2 and cn.hhi(df).tolist() == pytest.approx([5000.0])
    assert cn.validate_shares(root).ok


def test_a_file_reached_twice_through_links_is_read_once(tmp_path):
    data, root = tmp_path / "data", tmp_path / "root"
    data.mkdir()
    root.mkdir()
    TWO.to_parquet(data / "p.parquet")
    os.symlink(data, root / "first")
    os.symlink(data, root / "second")
    os.symlink(data / "p.parquet", root / "z.parquet")
    assert len(cn.read_table(root)) == 2
    from concentration.io import dataset_files

    # top-down: the root's own files come before its subdirectories
    assert [os.path.relpath(f, root) for f in dataset_files(root)] == ["z.parquet"]


def test_a_link_to_a_directory_outside_is_followed(tmp_path):
    other, root = tmp_path / "other", tmp_path / "root"
    other.mkdir()
    root.mkdir()
    TWO.to_parquet(root / "a.parquet")
    TWO.assign(market="b").to_parquet(other / "b.parquet")
    os.symlink(other, root / "more")
    assert sorted(cn.read_shares(root)["market"].unique()) == ["a", "b"]


def test_text_shares_in_a_second_file_are_a_schema_error(tmp_path):
    root = tmp_path / "mixed"
    root.mkdir()
    TWO.to_parquet(root / "a.parquet")
    TWO.assign(market="b", share=["0.5", "0.5"]).to_parquet(root / "b.parquet")
    for call in (cn.read_shares, cn.read_table, cn.validate_shares):
        with pytest.raises(SchemaError, match=r"column 'share' is double in .*a\.parquet.* "
                                              r"but \w*string in .*b\.parquet"):
            call(root)


def test_integer_and_float_files_are_widened_to_float(tmp_path):
    root = tmp_path / "widen"
    root.mkdir()
    pd.DataFrame({"market": ["a"], "firm": ["x"], "sales": [3]}).to_parquet(root / "a.parquet")
    pd.DataFrame({"market": ["a"], "firm": ["y"], "sales": [1.5]}).to_parquet(
        root / "b.parquet")
    df = cn.read_shares(root, value="sales")
    assert df["share"].tolist() == pytest.approx([2 / 3, 1 / 3])


def _contradicting_hive(tmp_path):
    root = tmp_path / "hive"
    (root / "market=zz").mkdir(parents=True)
    TWO.to_parquet(root / "market=zz" / "p.parquet")  # the file says market 'a'
    return root


@pytest.mark.parametrize("call", [
    lambda p: cn.read_table(p), lambda p: cn.read_shares(p), lambda p: cn.validate_shares(p),
    lambda p: cn.read_holdings(p, owner="market", cash_flow="share"),
    lambda p: cn.report(shares=p, output=None)],
    ids=["read_table", "read_shares", "validate_shares", "read_holdings", "report"])
def test_hive_key_contradicting_a_file_column_is_a_schema_error(tmp_path, call):
    root = _contradicting_hive(tmp_path)
    with pytest.raises(SchemaError, match=r"hive directory 'market=zz' .* names a column, "
                                          r"'market', that the file"):
        call(root)


@pytest.mark.parametrize("filters", [[("share", ">", "x")], [("market", "=", 3)],
                                     [("nope", "=", 1)]])
def test_wrongly_typed_filters_are_invalid_parameters(tmp_path, filters):
    path = tmp_path / "p.parquet"
    TWO.to_parquet(path)
    with pytest.raises(InvalidParameterError, match=r"'filters' parameter of read_shares .* "
                                                    r"Columns: market: \w*string, firm"):
        cn.read_shares(path, filters=filters)
    assert len(cn.read_shares(path, filters=[("share", ">", 0.1)])) == 2


def test_read_shares_of_a_mapping_returns_the_validated_frame():
    out = cn.read_shares({"A": 0.5, "B": 0.5})
    assert out["share"].tolist() == [0.5, 0.5] and out["firm"].tolist() == ["A", "B"]
    assert out.attrs["provenance"] == {}
    assert out.attrs["validation"] == {"errors": 0, "warnings": 0}


@pytest.mark.parametrize("kw,error,match", [
    ({"provenance": [1]}, InvalidParameterError, "'provenance' parameter of write_parquet"),
    ({"provenance": "x"}, InvalidParameterError, "must be a dict"),
    ({"provenance": {1: "x"}}, InvalidParameterError, "string keys"),
    ({"provenance": {"n": float("nan")}}, InvalidParameterError, "JSON-serialisable"),
    ({"compression": "bogus"}, InvalidParameterError, "'compression' parameter"),
    ({"compression": 5}, InvalidParameterError, "'compression' parameter"),
    ({"index": "yes"}, InvalidParameterError, "'index' parameter"),
])
def test_write_parquet_refuses_bad_arguments(tmp_path, kw, error, match):
    with pytest.raises(error, match=match):
        cn.write_parquet(TWO, tmp_path / "p.parquet", **kw)
    assert not (tmp_path / "p.parquet").exists()


def test_write_parquet_mixed_type_column_is_a_schema_error(tmp_path):
    with pytest.raises(SchemaError, match=r"column 'a' cannot be stored in Parquet .* "
                                          r"types \['int', 'str'\]"):
        cn.write_parquet(pd.DataFrame({"a": [1, "x"]}), tmp_path / "p.parquet")


@pytest.mark.parametrize("codec", ["snappy", "ZSTD", None, "none", "gzip"])
def test_write_parquet_accepts_the_codecs(tmp_path, codec):
    path = tmp_path / "p.parquet"
    cn.write_parquet(TWO, path, compression=codec)
    assert cn.read_shares(path)["share"].tolist() == [0.5, 0.5]


@pytest.mark.parametrize("kw,match", [
    ({"columns": 5}, "'columns' parameter of read_table"),
    ({"columns": "share"}, "'columns' parameter of read_table"),
    ({"columns": [1]}, "'columns' parameter of read_table"),
    ({"required": ["market"]}, "'required' parameter of read_table")])
def test_read_table_arguments_are_validated(tmp_path, kw, match):
    path = tmp_path / "p.parquet"
    TWO.to_parquet(path)
    with pytest.raises(InvalidParameterError, match=match):
        cn.read_table(path, **kw)


@pytest.mark.parametrize("source", [None, 5, ["a.parquet"], "a\x00b.parquet"])
def test_paths_are_validated(tmp_path, source):
    with pytest.raises(InvalidParameterError, match="'source' parameter of read_table"):
        cn.read_table(source)
    with pytest.raises(InvalidParameterError, match="'path' parameter of write_parquet"):
        cn.write_parquet(TWO, source)


def test_a_path_that_is_not_utf8_is_a_typed_error(tmp_path):
    bad = os.path.join(str(tmp_path), "s\udcff.parquet")
    with pytest.raises(cn.exceptions.InvalidParameterError, match="UTF-8"):
        cn.read_shares(bad)


def test_the_readers_pool_reads_what_pyarrow_reads(tmp_path):
    import pyarrow as pa

    from concentration import io as cio

    pool = cio.read_pool()
    assert isinstance(pool, pa.MemoryPool)
    frame = pd.DataFrame({"market": ["m1", "m2"] * 50, "firm": [f"f{i}" for i in range(100)],
                          "share": np.full(100, 0.02)})
    path = tmp_path / "shares.parquet"
    frame.to_parquet(path)
    got = cio.read_table(path)
    pd.testing.assert_frame_equal(got, pd.read_parquet(path))
