"""The ``concentration indices`` subcommand."""

import pandas as pd
import pytest

from concentration.cli import main


def test_indices_to_parquet(shares_file, tmp_path):
    out = tmp_path / "result.parquet"
    assert main(["indices", str(shares_file), "--measures", "hhi,cr4", "--out", str(out)]) == 0
    df = pd.read_parquet(out)
    assert df["hhi"].tolist() == pytest.approx([5000.0, 5200.0, 10000.0])
    assert df["cr4"].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_indices_to_csv_and_stdout(shares_file, tmp_path, capsys):
    out = tmp_path / "result.csv"
    assert main(["indices", str(shares_file), "--out", str(out)]) == 0
    assert pd.read_csv(out)["hhi"].tolist() == pytest.approx([5000.0, 5200.0, 10000.0])
    assert main(["indices", str(shares_file), "--measures", "hhi"]) == 0
    assert "5200.0" in capsys.readouterr().out


def test_indices_bad_file_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    assert main(["indices", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_indices_bad_measure_exit_2(shares_file, capsys):
    assert main(["indices", str(shares_file), "--measures", "hhx"]) == 2


def test_help_lists_indices(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "indices" in capsys.readouterr().out


def _cloud_file(tmp_path):
    df = pd.DataFrame({"market": "cloud", "period": ["2024Q4"] * 4 + ["2013"] * 4,
                       "firm": ["Google Cloud", "DeepMind", "Microsoft", "Amazon"] * 2,
                       "share": [0.3, 0.2, 0.25, 0.25] * 2})
    path = tmp_path / "cloud.parquet"
    df.to_parquet(path)
    return path


def test_indices_entities_bundled_and_time_order(tmp_path):
    out = tmp_path / "result.csv"
    assert main(["indices", str(_cloud_file(tmp_path)), "--measures", "hhi",
                 "--entities", "bundled", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert df["period"].astype(str).tolist() == ["2013", "2024Q4"]  # time, not text
    # 2024Q4: Google Cloud (alias of Google) and DeepMind are Alphabet: .5^2 + 2 x .25^2;
    # 2013: no link in force yet: .3^2 + .2^2 + 2 x .25^2
    assert df["hhi"].tolist() == pytest.approx([900 + 400 + 1250, 2500 + 1250])
    assert {"hhi_min", "hhi_max"} <= set(df.columns)


def test_indices_entities_from_a_csv_table(tmp_path):
    table = tmp_path / "entities.csv"
    pd.DataFrame({"firm": ["DeepMind", "Google Cloud"],
                  "parent": ["Microsoft", "Microsoft"]}).to_csv(table, index=False)
    out = tmp_path / "result.csv"
    assert main(["indices", str(_cloud_file(tmp_path)), "--measures", "hhi",
                 "--entities", str(table), "--out", str(out)]) == 0
    # Microsoft .2 + .3 + .25 = .75: .75^2 + .25^2 in both periods (undated links)
    assert pd.read_csv(out)["hhi"].tolist() == pytest.approx([5625 + 625, 5625 + 625])


def test_indices_missing_entities_file_is_an_error(tmp_path, capsys):
    assert main(["indices", str(_cloud_file(tmp_path)), "--entities",
                 str(tmp_path / "nope.parquet")]) != 0
    err = capsys.readouterr().err
    assert "nope.parquet" in err and "Traceback" not in err
