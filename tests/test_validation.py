"""The boundary checks shared by every public function: threads and memory."""

import pytest

from concentration import _validation as v
from concentration._kernels import default_threads
from concentration.exceptions import (CappedParameterWarning, InvalidParameterError,
                                      ResourceError)


def test_threads_none_means_every_available_cpu():
    assert v.check_threads("f", None) == default_threads()


@pytest.mark.parametrize("bad", [0, -1, 2.5, "2", True])
def test_threads_must_be_a_positive_int(bad):
    with pytest.raises(InvalidParameterError, match="n_threads"):
        v.check_threads("f", bad)


@pytest.mark.parametrize("many", [2000, 100_000, 2**62])
def test_threads_above_the_cpus_are_capped_with_a_warning(many):
    with pytest.warns(CappedParameterWarning, match=f"n_threads={many}"):
        assert v.check_threads("f", many) == default_threads()


def test_available_memory_is_positive_and_below_physical():
    import os

    phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < v.available_memory() <= phys


def test_memory_check_names_the_estimate_available_memory_and_fix():
    nbytes = 200_000 * 200_000 * 8
    with pytest.raises(ResourceError) as info:
        v.check_memory("overlap", nbytes, what="a dense 200,000 x 200,000 result",
                       fits="Pass top_k= or threshold=.")
    msg = str(info.value)
    assert "298.0 GiB" in msg and "available" in msg and "top_k=" in msg
    assert isinstance(info.value, MemoryError)
    assert v.check_memory("f", 1024, what="a small result") == 1024
    with pytest.raises(ResourceError, match="needs about"):
        v.check_memory("f", 10**30, what="a result")   # a Python int beyond int64
    for size in (-1.0, -(2**63), 10**400, float("nan")):   # overflowed estimates
        with pytest.raises(ResourceError, match="f: the size of a result overflows"):
            v.check_memory("f", size, what="a result")
    assert v.check_memory("f", 0, what="nothing") == 0
    with pytest.raises(ResourceError):
        v.check_memory("f", float("inf"), what="an overflowing size")


def test_format_bytes():
    assert v.format_bytes(512) == "512 B"
    assert v.format_bytes(1536) == "1.5 KiB"
    assert v.format_bytes(3 * 2**30) == "3.0 GiB"
