"""The one docstring-editing mechanism: placeholders and sections, failing loudly."""

import pytest

from concentration import _docstrings as ds

DOC = """Sum the shares.

    Parameters
    ----------
    x : int
        The first.
    {more}

    Returns
    -------
    int
        The sum.
    """


def test_sections_finds_numpydoc_titles():
    spans = ds.sections(DOC)
    assert list(spans) == ["Parameters", "Returns"]
    start, end = spans["Returns"]
    assert DOC[start:end].strip() == "int\n        The sum."


def test_append_to_section_adds_at_the_end_of_the_section_only():
    out = ds.append_to_section(DOC, "Parameters", "y : int\n        The second.")
    params = out[slice(*ds.sections(out)["Parameters"])]
    assert params.rstrip().endswith("y : int\n        The second.")
    assert out.index("y : int") < out.index("Returns")
    assert out.endswith("The sum.\n    ")          # the rest is untouched


def test_append_to_last_section():
    doc = "One.\n\n    Parameters\n    ----------\n    x : int\n        X.\n    "
    out = ds.append_to_section(doc, "Parameters", "y : int\n        Y.")
    assert out == "One.\n\n    Parameters\n    ----------\n    x : int\n        X.\n    y : int\n        Y.\n    "


def test_missing_section_is_an_error():
    with pytest.raises(ValueError, match="'Raises'"):
        ds.append_to_section(DOC, "Raises", "ValueError\n        Never.")


def test_substitute_fills_placeholders_and_refuses_missing_ones():
    def f():
        pass

    f.__doc__ = DOC
    ds.substitute(more="z : int\n        Third.")(f)
    assert "{more}" not in f.__doc__ and "z : int" in f.__doc__
    with pytest.raises(ValueError, match=r"\{more\}"):
        ds.substitute(more="again")(f)


def test_public_docstrings_have_no_unfilled_placeholder():
    import concentration as cn

    for name in ("hhi", "concentration_ratio", "indices", "hhi_bounds", "screen_merger",
                 "divest", "minimum_divestiture"):
        doc = getattr(cn, name).__doc__
        assert "{common}" not in doc and "{fringe}" not in doc and "{params}" not in doc
        assert "tolerance : float" in doc or "tolerance" in doc
