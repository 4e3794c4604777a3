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
