"""Command-line input as CSV or TSV (a file or standard input) gives the Parquet numbers."""
import hashlib
import io
import sys

import pandas as pd
import pytest

from concentration.cli import main
from concentration.cli._common import read_input

ROWS = pd.DataFrame({"market": ["m", "m", "m", "n", "n"],
                     "period": ["2024", "2024", "2024", "2024", "2024"],
                     "firm": ["Alpha", "Beta", "Gamma", "Alpha", "Delta"],
                     "share": [0.5, 0.3, 0.2, 0.6, 0.4]})


@pytest.fixture
def files(tmp_path):
    paths = {"parquet": tmp_path / "s.parquet", "csv": tmp_path / "s.csv",
             "tsv": tmp_path / "s.tsv"}
    ROWS.to_parquet(paths["parquet"])
    ROWS.to_csv(paths["csv"], index=False)
    ROWS.to_csv(paths["tsv"], index=False, sep="\t")
    return paths


def _indices(path, tmp_path, name):
    out = tmp_path / f"{name}.parquet"
    assert main(["indices", str(path), "--measures", "hhi,cr4", "--out", str(out)]) == 0
    return pd.read_parquet(out)


def test_csv_and_tsv_give_the_parquet_numbers(files, tmp_path):
    ref = _indices(files["parquet"], tmp_path, "p")
    assert ref["hhi"].tolist() == pytest.approx([3800.0, 5200.0])  # 2500+900+400; 3600+1600
    for kind in ("csv", "tsv"):
        pd.testing.assert_frame_equal(_indices(files[kind], tmp_path, kind), ref,
                                      check_dtype=False)


def test_screen_reads_csv(files, tmp_path):
    out = tmp_path / "screen.csv"
    assert main(["screen", str(files["csv"]), "--merging", "Beta,Gamma", "--out",
                 str(out)]) == 0
    got = pd.read_csv(out)
    assert got.loc[got["market"] == "m", "delta_hhi"].iloc[0] == pytest.approx(1200.0)


def test_standard_input_is_csv(files, tmp_path, monkeypatch):
    data = files["csv"].read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = tmp_path / "stdin.parquet"
    assert main(["indices", "-", "--measures", "hhi", "--out", str(out)]) == 0
    assert pd.read_parquet(out)["hhi"].tolist() == pytest.approx([3800.0, 5200.0])


def test_text_input_carries_the_sha256_of_the_bytes_read(files):
    frame = read_input("indices", "source", str(files["csv"]))
    prov = frame.attrs["provenance"]
    assert prov["sha256"] == hashlib.sha256(files["csv"].read_bytes()).hexdigest()
    assert prov["format"] == "csv"
    assert read_input("indices", "source", str(files["parquet"])) == str(files["parquet"])


def test_a_broken_csv_names_the_argument_and_the_fix(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text('market,firm,share\n"m,A,0.5\nm,B\n')
    assert main(["indices", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "comma-separated" in err and "separator" in err
    assert "Traceback" not in err


def test_errors_name_flags_and_close_matches(tmp_path, capsys):
    path = tmp_path / "x.csv"
    pd.DataFrame({"market": ["m", "m"], "firm": ["A", "B"], "mkt_share": [60, 40]}).to_csv(
        path, index=False)
    assert main(["indices", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Did you mean 'mkt_share'?" in err and "--share-col" in err
    assert "share=<" not in err
    assert main(["indices", str(path), "--share-col", "mkt_share"]) == 1
    err = capsys.readouterr().err
    assert "--scale percent" in err and "scale='percent'" not in err


def test_in_cli_terms_rewrites_keywords_and_numpy_reprs():
    from concentration.cli._common import in_cli_terms

    assert in_cli_terms("Pass duplicates='sum' or top_k=5; got np.float64(-0.1); firm=None") \
        == "Pass --duplicates sum or --top-k 5; got -0.1; firm=None"
    assert in_cli_terms("The 'merging' parameter of screen_merger must be") == \
        "The '--merging' option must be"


def test_a_command_that_writes_a_file_says_so_in_one_line(files, tmp_path, capsys):
    out = tmp_path / "i.csv"
    assert main(["indices", str(files["csv"]), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err == f"wrote 2 rows to {out}\n"


@pytest.mark.parametrize("argv, flag, match", [
    (["indices", "{csv}", "--measures", "hhx"], "--measures", "Did you mean 'hhi'"),
    (["screen", "{csv}", "--merging", "Alpha,Betta"], "--merging", "'Betta': 'Beta'"),
    (["screen", "{csv}", "--merging", "Alpha,Beta", "--guidelines", "us2032"],
     "--guidelines", "Did you mean 'us2023'"),
    (["indices", "{csv}", "--share-col", "shares"], "--share-col", "Did you mean 'share'"),
])
def test_each_cli_error_class_names_the_flag_and_the_closest_match(files, capsys, argv, flag,
                                                                   match):
    code = main([a.format(csv=files["csv"]) for a in argv])
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert flag in err and match in err, err
    assert "list_guidelines()" not in err and "datasets.load(" not in err
    assert "=<" not in err and "np.float" not in err


def test_every_table_input_reads_csv(tmp_path):
    ties = pd.DataFrame({"source": ["A", "B", "A"], "target": ["B", "C", "C"],
                         "kind": ["alliance"] * 3, "start": ["2020-01-01"] * 3})
    ties.to_parquet(tmp_path / "t.parquet")
    ties.to_csv(tmp_path / "t.csv", index=False)
    outs = {}
    for kind in ("parquet", "csv"):
        out = tmp_path / f"n_{kind}.csv"
        assert main(["network", str(tmp_path / f"t.{kind}"), "--measure", "degree", "--out",
                     str(out)]) == 0
        outs[kind] = pd.read_csv(out)
    pd.testing.assert_frame_equal(outs["parquet"], outs["csv"])
    hold = pd.DataFrame({"owner": ["F", "F"], "firm": ["Alpha", "Beta"], "cash_flow": [0.2, 0.1]})
    hold.to_csv(tmp_path / "h.csv", index=False)
    ROWS.to_csv(tmp_path / "s.csv", index=False)
    out = tmp_path / "m.csv"
    assert main(["mhhi", str(tmp_path / "s.csv"), str(tmp_path / "h.csv"), "--out",
                 str(out)]) == 0
    got = pd.read_csv(out)
    # market m: kappa_AB = 0.2*0.1 / 0.2**2 = 0.5, kappa_BA = 0.1*0.2 / 0.1**2 = 2, so
    # MHHI delta = 10,000 x 0.5 x 0.3 x (0.5 + 2) = 3,750
    assert got.loc[got["market"] == "m", "mhhi_delta"].iloc[0] == pytest.approx(3750.0)
