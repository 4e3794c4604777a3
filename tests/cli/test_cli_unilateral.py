"""The ``concentration unilateral`` subcommand."""

import pandas as pd
import pytest

from concentration.cli import main


@pytest.fixture
def shares_file(tmp_path):
    src = tmp_path / "shares.parquet"
    pd.DataFrame({"market": ["m1"] * 3 + ["m2"] * 2,
                  "firm": ["A", "B", "C", "A", "C"],
                  "share": [0.3, 0.2, 0.5, 0.4, 0.6]}).to_parquet(src)
    return src


def test_cli_unilateral_writes_the_screen(shares_file, tmp_path):
    out = tmp_path / "u.csv"
    code = main(["unilateral", str(shares_file), "--merging", "A,B", "--margins",
                 "A=0.4,B=0.5", "--guppi-threshold", "0.1", "--out", str(out)])
    assert code == 0
    t = pd.read_csv(out).set_index(["market", "firm"])
    # D_AB = .2/.7, GUPPI_A = D_AB * m_B; D_BA = .3/.8, GUPPI_B = D_BA * m_A
    assert t.loc[("m1", "A"), "guppi"] == pytest.approx(0.2 / 0.7 * 0.5)
    assert t.loc[("m1", "B"), "guppi"] == pytest.approx(0.3 / 0.8 * 0.4)
    assert t.loc[("m1", "A"), "verdict"] == "above_threshold"
    assert t.loc[("m2", "A"), "verdict"] == "no_overlap"


def test_cli_unilateral_minority_stake_and_efficiency(shares_file, tmp_path):
    out = tmp_path / "u.parquet"
    code = main(["unilateral", str(shares_file), "--merging", "A,B", "--margins", "0.4",
                 "--kappa", "0.25", "--efficiency", "0.1", "--elasticity", "1.5",
                 "--out", str(out)])
    assert code == 0
    t = pd.read_parquet(out).set_index(["market", "firm"])
    g = 0.25 * 0.2 / 0.7 * 0.4
    assert t.loc[("m1", "A"), "guppi"] == pytest.approx(g)
    assert t.loc[("m1", "A"), "upp"] == pytest.approx(g - 0.1 * 0.6)
    assert t.loc[("m1", "A"), "cmcr_cournot"] == pytest.approx(0.25 * 0.2 / (1.5 - 0.3))


def test_cli_unilateral_errors(shares_file, capsys):
    assert main(["unilateral", str(shares_file), "--merging", "A,B", "--margins",
                 "A:0.4"]) == 2
    assert "--margins" in capsys.readouterr().err
    assert main(["unilateral", str(shares_file), "--merging", "A,B", "--margins",
                 "1.2"]) == 2
    assert "margins" in capsys.readouterr().err
    assert main(["unilateral", str(shares_file), "--merging", "A,Z", "--margins",
                 "0.4"]) == 2
    assert main(["unilateral", str(shares_file) + ".missing", "--merging", "A,B",
                 "--margins", "0.4"]) == 1


def test_cli_unilateral_prints_a_table(shares_file, capsys):
    assert main(["unilateral", str(shares_file), "--merging", "A,B", "--margins", "0.4",
                 "--prices", "A=10,B=8"]) == 0
    text = capsys.readouterr().out
    assert "guppi" in text and "no_threshold_stated" in text


def test_cli_unilateral_weights_from_holdings(shares_file, tmp_path):
    holdings = tmp_path / "h.parquet"
    # X owns all of A and 20% of B; Y the other 80% of B (control follows cash flow)
    pd.DataFrame({"owner": ["X", "Y", "X"], "firm": ["A", "B", "B"],
                  "cash_flow": [1.0, 0.8, 0.2]}).to_parquet(holdings)
    out = tmp_path / "u.json"
    assert main(["unilateral", str(shares_file), "--merging", "A,B", "--margins", "0.5",
                 "--holdings", str(holdings), "--out", str(out)]) == 0
    t = pd.read_json(out).set_index(["market", "firm"])
    assert t.loc[("m1", "A"), "guppi"] == pytest.approx(0.2 * 0.2 / 0.7 * 0.5)
    assert t.loc[("m1", "B"), "guppi"] == pytest.approx(0.2 / 0.68 * 0.3 / 0.8 * 0.5)
    assert main(["unilateral", str(shares_file), "--merging", "A,B", "--margins", "0.5",
                 "--holdings", str(holdings), "--kappa", "0.3"]) == 2


def test_cli_unilateral_margins_and_prices_from_columns(tmp_path):
    src = tmp_path / "s.parquet"
    pd.DataFrame({"market": ["m1"] * 3, "period": ["2025"] * 3, "firm": ["A", "B", "C"],
                  "share": [0.3, 0.2, 0.5], "m": [0.3, 0.4, 0.5],
                  "p": [2.0, 1.0, 1.0]}).to_parquet(src)
    out = tmp_path / "u.csv"
    assert main(["unilateral", str(src), "--merging", "A,B", "--margins-col", "m",
                 "--prices-col", "p", "--out", str(out)]) == 0
    t = pd.read_csv(out).set_index("firm")
    assert t.loc["A", "guppi"] == pytest.approx(0.2 / 0.7 * 0.4 * 1.0 / 2.0)
    assert t.loc["B", "guppi"] == pytest.approx(0.3 / 0.8 * 0.3 * 2.0 / 1.0)
    assert main(["unilateral", str(src), "--merging", "A,B", "--margins-col", "nope"]) == 1
    with pytest.raises(SystemExit):      # --margins and --margins-col exclude each other
        main(["unilateral", str(src), "--merging", "A,B", "--margins", "0.3",
              "--margins-col", "m"])


def test_integer_firm_ids_are_named_on_the_command_line(tmp_path, capsys):
    # every flag is text: "12" names firm 12 of an integer firm column
    src = tmp_path / "ids.parquet"
    pd.DataFrame({"market": ["m"] * 3 + ["n"] * 2, "firm": [12, 40, 7, 12, 7],
                  "share": [0.5, 0.3, 0.2, 0.6, 0.4]}).to_parquet(src)
    out = tmp_path / "screen.csv"
    assert main(["screen", str(src), "--merging", "12,40", "-o", str(out)]) == 0
    t = pd.read_csv(out).set_index("market")
    assert t.loc["m", "delta_hhi"] == pytest.approx(2 * 5000 * 0.3)   # 2 s_12 s_40
    assert not t.loc["n", "overlap"]
    out = tmp_path / "u.csv"
    assert main(["unilateral", str(src), "--merging", "12,40", "--margins", "12=0.4,40=0.5",
                 "-o", str(out)]) == 0
    t = pd.read_csv(out).set_index(["market", "firm"])
    assert t.loc[("m", 12), "guppi"] == pytest.approx(0.3 / 0.5 * 0.5)
    # a name that is no id stays a name, reported as absent in the CLI's terms
    assert main(["screen", str(src), "--merging", "12,41"]) == 2
    assert "The '--merging' option" in capsys.readouterr().err
    assert main(["unilateral", str(src), "--merging", "12,40", "--margins",
                 "12=0.4,41=0.5"]) == 2
    err = capsys.readouterr().err
    assert "The '--margins' option" in err and "unilateral_screen" not in err
