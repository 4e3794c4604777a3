"""``concentration network``: the same centralities as Python for the same data and options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from concentration import cli, datasets, exceptions as exc
from concentration.network import PartnershipNetwork


def _run(tmp_path, *argv):
    out = tmp_path / "o.parquet"
    assert cli.main(["network", "ai_partnerships", *argv, "-o", str(out)]) == 0
    return pd.read_parquet(out)


@pytest.mark.parametrize("measure, options, argv", [
    ("pagerank", {}, []),
    ("katz", {}, []),
    ("katz", {"alpha": 0.02}, ["--alpha", "0.02"]),
    ("pagerank", {"alpha": 0.5}, ["--alpha", "0.5"]),
    ("betweenness", {"endpoints": True}, ["--endpoints"]),
    ("closeness", {}, []),
])
def test_cli_and_python_agree_on_the_bundled_network(tmp_path, measure, options, argv):
    got = _run(tmp_path, "--measure", measure, "--as-of", "2025-11-18", *argv)
    net = PartnershipNetwork(datasets.load("ai_partnerships")).as_of("2025-11-18")
    want = net.centrality(measure, **options)
    got = got.set_index("firm")["value"].reindex(want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, atol=1e-14)


def test_cli_default_weights_are_strengths_as_in_python(tmp_path):
    got = _run(tmp_path, "--measure", "pagerank", "--as-of", "2025-11-18")
    net = PartnershipNetwork(datasets.load("ai_partnerships")).as_of("2025-11-18")
    strength = net.centrality("pagerank")
    plain = net.centrality("pagerank", weight_as=None)
    assert not np.allclose(strength, plain)
    np.testing.assert_allclose(got.set_index("firm")["value"].reindex(strength.index),
                               strength, rtol=1e-12)
    none = _run(tmp_path, "--measure", "pagerank", "--as-of", "2025-11-18",
                "--weight-as", "none")
    np.testing.assert_allclose(none.set_index("firm")["value"].reindex(plain.index), plain,
                               rtol=1e-12)


def test_cli_strength_and_parent_options(tmp_path):
    with pytest.warns(exc.DataQualityWarning, match="Google-DeepMind"):
        got = _run(tmp_path, "--measure", "strength", "--as-of", "2025-11-18", "--strength",
                   "count", "--combine", "max", "--entities", "bundled")
    with pytest.warns(exc.DataQualityWarning):
        net = PartnershipNetwork(datasets.load("ai_partnerships"), strength="count",
                                 parent=datasets.load("entities")).as_of("2025-11-18")
    want = net.centrality("strength", combine="max")
    assert "Alphabet" in want.index and "Google" not in want.index
    np.testing.assert_allclose(got.set_index("firm")["value"].reindex(want.index), want)


def test_cli_katz_alpha_too_large_names_the_bound(tmp_path, capsys):
    code = cli.main(["network", "ai_partnerships", "--measure", "katz", "--as-of",
                     "2025-11-18", "--alpha", "0.1"])
    assert code != 0
    assert "alpha must be below 1/rho(A)" in capsys.readouterr().err


def test_cli_option_of_another_measure_is_an_error(tmp_path, capsys):
    code = cli.main(["network", "ai_partnerships", "--measure", "degree,katz", "--alpha",
                     "0.01"])
    assert code != 0
    assert "--alpha" in capsys.readouterr().err
