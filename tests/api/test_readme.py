"""The README's tour runs as written (Python blocks and command-line lines)."""

import re
import shlex
import warnings
from pathlib import Path

import pytest

from concentration import cli

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.skipif(not README.exists(), reason="README.md is not beside tests/")


def _blocks(lang):
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.S | re.M)


def test_python_blocks_run(tmp_path, monkeypatch):
    blocks = _blocks("python")
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace = {}
    with warnings.catch_warnings():
        # the tour states its policies (fringe="bounds", ...): it runs without a warning
        warnings.simplefilter("error")
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    assert namespace["cn"].hhi({"A": 0.5, "B": 0.3, "C": 0.2}) == 3800.0
    assert (tmp_path / "chatbots.parquet").exists()


def test_command_line_lines_run(tmp_path, monkeypatch, capsys):
    # the set-up block (the first) is run by CI itself; the tour's command lines here
    lines = [ln.split("#")[0].strip() for block in _blocks("bash")[1:] for ln in block.splitlines()]
    commands = [ln for ln in lines if ln.startswith("concentration ")]
    assert len(commands) >= 4
    monkeypatch.chdir(tmp_path)
    for line in commands:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = cli.main(shlex.split(line)[1:])
        assert code == 0, (line, capsys.readouterr())
    assert (tmp_path / "screen.csv").exists() and (tmp_path / "indices.csv").exists()
    # CSV input gives the numbers of the same data in Parquet
    pq = __import__("pandas").read_csv(tmp_path / "indices.csv")
    csv = __import__("pandas").read_csv(tmp_path / "indices_from_csv.csv")
    assert (pq["hhi"].round(6) == csv["hhi"].round(6)).all()
