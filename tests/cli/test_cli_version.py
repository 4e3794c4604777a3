"""``concentration --version`` prints the installed version and exits with code 0."""

import pytest

import concentration
from concentration.cli import main


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    out = capsys.readouterr()
    assert out.out == f"concentration {concentration.__version__}\n"
    assert out.err == ""


def test_version_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--version" in capsys.readouterr().out
