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


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default report.html must not exist already
    with pytest.raises(cn.exceptions.DataFileError):
        cli.main(["report", "--shares", str(tmp_path / "no.parquet"), "--debug"])
    with pytest.raises(cn.exceptions.DataFileError):
        cli.main(["--debug", "report", "--shares", str(tmp_path / "no.parquet")])


def test_report_demo_command(capsys, tmp_path):
    out = tmp_path / "report.html"
    assert cli.main(["report", "--demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {out} (")
    assert "sections: Findings;" in printed and "Data provenance" in printed
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


# ------------------------------------------------------------- --force


def test_report_json_twin_is_kept_without_force(capsys, tmp_path):
    out, twin = tmp_path / "r.html", tmp_path / "r.json"
    twin.write_text("precious", encoding="utf-8")
    code, line = _one_line_error(capsys, ["report", "--demo", "-o", str(out)])
    assert code == 2
    assert line == (
        f"concentration report: error: The '--force' option of concentration report must "
        f"be given to replace '{twin}', which exists and is not named on the command line "
        f"(the JSON twin of '{out}'). Got no --force instead. Pass --force to replace it, "
        "or name the JSON file with --json.")
    assert twin.read_text(encoding="utf-8") == "precious" and not out.exists()
    assert cli.main(["report", "--demo", "-o", str(out), "--force"]) == 0
    assert json.loads(twin.read_text(encoding="utf-8"))["html_sha256"]
    # named with --json: replaced as asked, no --force needed
    assert cli.main(["report", "--demo", "-o", str(out), "--json", str(twin)]) == 0


def test_report_json_output_writes_html_beside_it(capsys, tmp_path):
    out = tmp_path / "r.json"
    assert cli.main(["report", "--demo", "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'r.html'} (")
    assert json.loads(out.read_text(encoding="utf-8"))["title"]
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, line = _one_line_error(capsys, ["report", "--demo", "-o", str(out)])
    assert code == 2 and f"'{tmp_path / 'r.html'}'" in line and "--force" in line
    assert "(the HTML of --output" in line
    assert cli.main(["report", "--demo", "-o", str(out), "--force"]) == 0


def test_report_default_output_is_not_named(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report", "--demo"]) == 0
    code, line = _one_line_error(capsys, ["report", "--demo"])
    assert code == 2 and "'report.html'" in line and "(the default --output)" in line


def test_report_one_file_for_html_and_json_is_exit_2(capsys, tmp_path):
    out = str(tmp_path / "r.html")
    code, line = _one_line_error(capsys, ["report", "--demo", "-o", out, "--json", out])
    assert code == 2
    assert "The '--json' option of concentration report must be a file other than" in line
    assert list(tmp_path.iterdir()) == []


def test_every_writing_subcommand_offers_raw_csv_and_report_force():
    parser = cli.build_parser()
    subs = _subparsers(parser)
    for name in ("indices", "screen", "mhhi", "network", "overlap", "verify"):
        assert "--raw-csv" in subs[name]._option_string_actions, name
    assert "--raw-csv" in _subparsers(subs["datasets"])["export"]._option_string_actions
    assert "--force" in subs["report"]._option_string_actions


# ----------------------------------------------------------- CSV injection

EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _evil_shares(tmp_path):
    firms = EVIL + ["plain"]
    frame = pd.DataFrame({"market": "=m", "period": "2024", "firm": firms,
                          "share": [0.1] * len(firms)})
    path = tmp_path / "s.parquet"
    cn.write_parquet(frame, path)
    return path


def test_csv_output_neutralises_formulas(tmp_path):
    src = _evil_shares(tmp_path)
    out = tmp_path / "o.csv"
    assert cli.main(["screen", str(src), "--merging", f"{EVIL[1]},plain", "-o", str(out)]) == 0
    back = pd.read_csv(out, keep_default_na=False)
    assert set(back["market"]) == {"'=m"}
    assert back["delta_hhi"].dtype.kind == "f"  # numbers stay numbers
    assert set(back["guideline"]) == {"us2023"}


def test_network_csv_neutralises_firm_names(tmp_path):
    evil = EVIL[:5]  # pandas writes a carriage return unquoted: read back it splits the row
    ties = pd.DataFrame({"source": evil, "target": ["plain"] * len(evil)})
    src = tmp_path / "t.parquet"
    cn.write_parquet(ties, src)
    out = tmp_path / "o.csv"
    assert cli.main(["network", str(src), "--as-of", "2024-01-01", "--nodes", "all",
                     "-o", str(out)]) == 0
    back = pd.read_csv(out, keep_default_na=False)
    assert sorted(back["firm"]) == sorted(["'" + e for e in evil] + ["plain"])
    assert back["value"].dtype.kind == "f"
    assert cli.main(["network", str(src), "--as-of", "2024-01-01", "--nodes", "all",
                     "-o", str(out), "--raw-csv"]) == 0
    assert sorted(pd.read_csv(out, keep_default_na=False)["firm"]) == sorted(evil + ["plain"])


def test_csv_neutralises_every_formula_start_and_keeps_numbers():
    from concentration.cli._common import neutralise_formulas

    frame = pd.DataFrame({"name": EVIL + ["-0.5", "ok", None], "x": [-0.5] * 9},
                         index=pd.Index(["=i"] * 9, name="@idx"))
    out = neutralise_formulas(frame)
    assert list(out["name"][:6]) == ["'" + e for e in EVIL]
    assert list(out["name"][6:8]) == ["-0.5", "ok"] and pd.isna(out["name"].iloc[8])
    assert list(out["x"]) == [-0.5] * 9 and out["x"].dtype == float
    assert list(out.index) == ["'=i"] * 9 and out.index.name == "'@idx"
    assert list(frame["name"][:1]) == [EVIL[0]]  # the input is not modified


def test_raw_csv_writes_text_as_it_is(tmp_path):
    src = _evil_shares(tmp_path)
    out = tmp_path / "o.csv"
    assert cli.main(["screen", str(src), "--merging", f"{EVIL[1]},plain", "-o", str(out),
                     "--raw-csv"]) == 0
    back = pd.read_csv(out, keep_default_na=False)
    assert set(back["market"]) == {"=m"}


def test_indices_csv_neutralises_the_index(tmp_path):
    src = _evil_shares(tmp_path)
    out = tmp_path / "o.csv"
    assert cli.main(["indices", str(src), "-o", str(out)]) == 0
    assert pd.read_csv(out)["market"].tolist() == ["'=m"]


# ------------------------------------------------------------- paths


def test_non_utf8_paths_are_one_line_errors(capsys, tmp_path):
    import os

    bad = os.fsdecode(os.fsencode(str(tmp_path)) + b"/s\xff.parquet")
    code, line = _one_line_error(capsys, ["indices", bad])
    assert code == 1
    assert "The 'source' argument of concentration indices must be a path whose name is " \
           "valid UTF-8" in line and "unexpected" not in line
    src = _evil_shares(tmp_path)
    out = os.fsdecode(os.fsencode(str(tmp_path)) + b"/o\xff.parquet")
    code, line = _one_line_error(capsys, ["indices", str(src), "-o", out])
    assert code == 1 and "'--out' option of concentration indices" in line
    html = os.fsdecode(os.fsencode(str(tmp_path)) + b"/r\xff.html")
    assert cli.main(["report", "--demo", "-o", html]) == 0
    assert "\\udcff" in capsys.readouterr().out


# ------------------------------------------- bad inputs never reach the catch-all


@pytest.fixture
def bad_inputs(tmp_path):
    cn.write_parquet(pd.DataFrame({"market": "m", "period": "2024", "firm": ["A", "B"],
                                   "share": [0.6, 0.4]}), tmp_path / "s.parquet")
    pd.DataFrame({"a": []}).to_parquet(tmp_path / "nocols.parquet")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "adir").mkdir()
    (tmp_path / "shares.toml").write_bytes((tmp_path / "s.parquet").read_bytes())
    (tmp_path / "int.toml").write_text(f'shares = "{tmp_path / "s.parquet"}"\nmerging = 5\n'
                                       "guidelines = 5\n", encoding="utf-8")
    return tmp_path


BAD_ARGV = [
    ["indices", "{d}/s.parquet", "--share-col", "firm"],
    ["indices", "{d}/s.parquet", "--value-col", "firm"],
    ["indices", "{d}/s.parquet", "--period-col", "share"],
    ["indices", "{d}/adir"], ["indices", "{d}/empty.csv"], ["indices", "{d}/nocols.parquet"],
    ["indices", "{d}/s.parquet", "-o", "{d}/adir.csv"],
    ["indices", "{d}/s.parquet", "-o", "{d}/nodir/o.csv"],
    ["overlap", "{d}/s.parquet"], ["network", "{d}/empty.csv"],
    ["report", "--config", "{d}/shares.toml", "-o", "{d}/r.html"],
    ["report", "--config", "{d}/int.toml", "-o", "{d}/r.html"],
    ["report", "--demo", "-o", "{d}/r.html", "--json", "{d}/nodir/r.json"],
    ["report", "--demo", "-o", "{d}/adir"],
    ["datasets", "export", "ai_ownership", "-o", "{d}/nodir/x.csv"],
]


@pytest.mark.parametrize("argv", BAD_ARGV, ids=lambda a: " ".join(a).replace("{d}/", ""))
def test_bad_inputs_are_one_line_typed_errors(capsys, bad_inputs, argv):
    argv = [a.format(d=bad_inputs) for a in argv]
    if argv[-1] == str(bad_inputs / "adir.csv"):
        (bad_inputs / "adir.csv").mkdir()
    code, line = _one_line_error(capsys, argv)
    assert code in (1, 2)
    assert line.startswith(f"concentration {argv[0]}: error: ")
    assert "unexpected" not in line
    assert f"error: concentration {argv[0]}:" not in line  # the command is named once
    assert not (bad_inputs / "r.html").exists()  # nothing half-written


def test_column_flags_must_name_distinct_columns(capsys, bad_inputs):
    code, line = _one_line_error(capsys, ["indices", str(bad_inputs / "s.parquet"),
                                          "--share-col", "firm"])
    assert code == 2
    assert line == ("concentration indices: error: The '--share-col' option of concentration "
                    "indices must be a column other than that of --firm-col. Got 'firm' "
                    "instead. Name the share column with --share-col.")
