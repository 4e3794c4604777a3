"""The package logger, progress displays and warnings attributed to the caller."""
import io
import logging
import warnings

import pytest

import concentration as cn
from concentration._progress import ProgressBar, check_progress, stage
from concentration._validation import check_threads


def test_the_package_logger_is_silent_by_default_and_logs_stages(caplog):
    assert any(isinstance(h, logging.NullHandler)
               for h in logging.getLogger("concentration").handlers)
    with caplog.at_level(logging.INFO, logger="concentration"):
        t = stage("mhhi", "read %d rows", 12)
        stage("mhhi", "kappa", start=t)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "mhhi: read 12 rows"
    assert lines[1].startswith("mhhi: kappa (") and lines[1].endswith(" s)")


def test_progress_callable_and_bar():
    seen = []
    with ProgressBar(lambda d, t, lab: seen.append((d, t, lab)), 3, "periods") as bar:
        for _ in range(3):
            bar.update()
    assert seen == [(1, 3, "periods"), (2, 3, "periods"), (3, 3, "periods")]
    out = io.StringIO()
    bar = ProgressBar(True, 2, "x", stream=out)
    if bar._tqdm is None:
        with bar:
            bar.update(2)
        assert "2/2" in out.getvalue()
    with ProgressBar(False, 5, "quiet") as quiet:
        quiet.update()
    assert quiet.done == 1


def test_progress_argument_is_checked():
    assert check_progress("f", True) is True
    with pytest.raises(cn.exceptions.InvalidParameterError, match="progress"):
        check_progress("f", "yes")


def test_a_warning_points_at_the_callers_line():
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        check_threads("overlap", 10_000)
    assert got and got[0].filename == __file__


def test_a_fringe_warning_points_at_the_callers_line():
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        cn.hhi({"A": 0.5, "B": 0.2})
    assert [w.filename for w in got] == [__file__]


def test_overlap_logs_its_plan_and_kernel(caplog):
    import numpy as np

    import scipy.sparse as sp

    with caplog.at_level(logging.INFO, logger="concentration"):
        cn.overlap(sp.eye(3, format="csr"), metric="cosine")
    text = [r.getMessage() for r in caplog.records if r.name == "concentration"]
    assert text[0].startswith("overlap: cosine of 3 x 3 rows (3 and 3 weights)")
    assert text[1].startswith("overlap: kernel done (9 scores kept)")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="concentration"):
        cn.overlap(np.eye(3), metric="cosine")
    text = [r.getMessage() for r in caplog.records if r.name == "concentration"]
    assert text == ["overlap: cosine of 3 x 3 rows: a small dense input, one BLAS product"]


def test_data_quality_warnings_point_at_the_callers_line():
    import pandas as pd

    from concentration.network import PartnershipNetwork

    edges = pd.DataFrame({"source": ["Google"], "target": ["DeepMind"],
                          "kind": ["acquisition"], "start": ["2020-01-01"]})
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        PartnershipNetwork(edges, parent={"Google": "Alphabet", "DeepMind": "Alphabet"})
    assert got and {w.filename for w in got} == {__file__}
    shares = pd.DataFrame({"market": ["m", "m", "x"], "firm": ["A", "B", "A"],
                           "share": [0.5, 0.5, 1.0], "is_market": [True, True, False]})
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        cn.indices(shares, ["hhi"], non_markets=False)
    assert got and {w.filename for w in got} == {__file__}
