"""Cross-cutting command-line behaviour: help, exit codes, one-line errors, outputs."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

import concentration as cn
from concentration import cli
from concentration.cli._common import Progress, write_output

EXPECTED = {"indices", "screen", "report", "datasets"}


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _all_commands():
    out = []

    def walk(parser, prefix):
        for name, sub in _subparsers(parser).items():
            out.append(prefix + [name])
            walk(sub, prefix + [name])

    walk(cli.build_parser(), [])
    return out


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    names = set(_subparsers(cli.build_parser()))
    assert EXPECTED <= names
    for name in names:
        assert f"    {name}" in text
    assert "Exit codes" in text


@pytest.mark.parametrize("command", _all_commands(), ids=" ".join)
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(command + ["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: concentration " + " ".join(command))


def _one_line_error(capsys, argv):
    code = cli.main(argv)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return code, lines[0]


def test_missing_file_is_exit_1(capsys, tmp_path):
    code, line = _one_line_error(capsys, ["report", "--shares", str(tmp_path / "no.parquet"),
                                          "-o", str(tmp_path / "r.html")])
    assert code == 1
    assert line.startswith("concentration report: error: ") and "no.parquet" in line


@pytest.mark.parametrize("command", [["indices", "{f}"], ["report", "--shares", "{f}"]])
def test_corrupt_file_is_exit_1(capsys, tmp_path, command):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"this is not parquet")
    argv = [a.format(f=bad) for a in command]
    if command[0] == "report":
        argv += ["-o", str(tmp_path / "r.html")]
    code, line = _one_line_error(capsys, argv)
    assert code == 1
    assert "could not be read as Parquet" in line


def test_invalid_shares_is_exit_1(capsys, tmp_path):
    path = tmp_path / "s.parquet"
    cn.write_parquet(pd.DataFrame({"firm": ["A", "B"], "share": [0.7, 0.6]}), path)
    code, line = _one_line_error(capsys, ["indices", str(path)])
    assert code == 1 and "indices" in line


def test_usage_errors_are_exit_2(capsys, tmp_path):
    path = tmp_path / "s.parquet"
    cn.write_parquet(pd.DataFrame({"firm": ["A", "B"], "share": [0.6, 0.4]}), path)
    code, line = _one_line_error(capsys, ["indices", str(path), "--out", "x.xlsx"])
    assert code == 2 and ".parquet, .csv or .json" in line
    code, line = _one_line_error(capsys, ["report", "-o", str(tmp_path / "r.html")])
    assert code == 2 and "--demo" in line
    with pytest.raises(SystemExit) as exc:  # argparse's own usage errors
        cli.main(["report", "--no-such-option"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["no-such-command"])
    assert exc.value.code == 2


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(cn.exceptions.DataFileError):
        cli.main(["report", "--shares", str(tmp_path / "no.parquet"), "--debug"])
    with pytest.raises(cn.exceptions.DataFileError):
        cli.main(["--debug", "report", "--shares", str(tmp_path / "no.parquet")])


def test_report_demo_command(capsys, tmp_path):
    out = tmp_path / "report.html"
    assert cli.main(["report", "--demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {out} (")
    assert "sections: Data provenance;" in printed
    assert out.exists() and (tmp_path / "report.json").exists()
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["html_sha256"] in printed.replace("sha256 ", "sha256:") or \
        data["html_sha256"][:16] in printed


def test_report_demo_rejects_other_inputs(capsys, tmp_path):
    code, line = _one_line_error(capsys, ["report", "--demo", "--shares", "x.parquet",
                                          "-o", str(tmp_path / "r.html")])
    assert code == 2


def test_report_with_files_and_config(capsys, tmp_path):
    shares = pd.DataFrame({"market": "m", "period": ["2024", "2024", "2025", "2025"],
                           "firm": ["A", "B", "A", "B"], "share": [60.0, 40.0, 55.0, 45.0]})
    cn.write_parquet(shares, tmp_path / "s.parquet")
    out = tmp_path / "r.html"
    assert cli.main(["report", "--shares", str(tmp_path / "s.parquet"), "--scale", "percent",
                     "--merging", "A,B", "-o", str(out)]) == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert "screen" in data["sections"]
    (tmp_path / "r.toml").write_text('shares = "s.parquet"\nscale = "percent"\n'
                                     'output = "from_toml.html"\n', encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["report", "--config", str(tmp_path / "r.toml")]) == 0
    assert (tmp_path / "from_toml.html").exists()


@pytest.mark.parametrize("ext", [".parquet", ".csv", ".json"])
def test_out_format_follows_extension(tmp_path, ext):
    frame = pd.DataFrame({"hhi": [5200.0]}, index=pd.Index(["m"], name="market"))
    path = tmp_path / f"o{ext}"
    write_output(frame, str(path))
    if ext == ".parquet":
        back = pd.read_parquet(path)
    elif ext == ".csv":
        back = pd.read_csv(path)
    else:
        back = pd.read_json(path, orient="records")
    assert list(back.columns) == ["market", "hhi"]
    assert back["hhi"].iloc[0] == pytest.approx(5200.0)


def test_progress_is_silent_when_not_a_terminal(capsys):
    with Progress("x") as bar:
        bar.step("one")
        bar.update()
    assert capsys.readouterr().err == ""


def test_progress_draws_on_a_terminal():
    import io

    class TTY(io.StringIO):
        def isatty(self):
            return True

    stream = TTY()
    with Progress("report", stream=stream, enabled=True, total=4) as bar:
        bar.step("reading inputs")
        bar.update(2)
    text = stream.getvalue()
    assert "report: [1] reading inputs ..." in text and "3/4" in text
    assert text.endswith("\r")
