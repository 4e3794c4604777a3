"""The guideline registry: records, boundary semantics as written, table export."""

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import InvalidParameterError
from concentration.guidelines import GUIDELINES, VERDICTS, classify, get_guideline, to_markdown


def test_registry_keys_and_citations():
    assert set(GUIDELINES) == {"us2023", "us2010", "us1992", "us1982", "eu2004", "jp2007",
                               "usbank1995"}
    for g in GUIDELINES.values():
        assert g.title and g.issuer and g.date and g.section and g.url
        assert g.default_verdict in VERDICTS
        for r in g.rules:
            assert r.verdict in VERDICTS and r.section and r.text


def test_list_guidelines_frame():
    t = cn.list_guidelines()
    assert isinstance(t, pd.DataFrame)
    assert {"key", "conditions", "verdict", "section", "not_checked"} <= set(t.columns)
    us23 = t[t["key"] == "us2023"]
    assert us23["conditions"].tolist()[:2] == ["HHI > 1,800 and ΔHHI > 100",
                                               "combined share > 30% and ΔHHI > 100"]
    eu = t[(t["key"] == "eu2004") & t["rule"].str.contains("delta")]
    assert eu["not_checked"].str.contains("maverick").all()


def test_unknown_key_message():
    with pytest.raises(InvalidParameterError, match="'guidelines' parameter"):
        get_guideline("us2020")


@pytest.mark.parametrize("post, delta, expected", [
    (1800.0, 500.0, "no_presumption"),        # HHI must be greater than 1,800
    (1800.01, 100.0, "no_presumption"),       # change must be more than 100
    (1800.01, 100.01, "presumed_anticompetitive"),
])
def test_us2023_boundaries(post, delta, expected):
    assert classify(post, delta, guidelines="us2023")["verdict"].iloc[0] == expected


def test_us2023_share_rule_strict():
    v = classify(1000, 150, combined_share=[0.30, 0.3000001], guidelines="us2023")["verdict"]
    assert v.tolist() == ["no_presumption", "presumed_anticompetitive"]


@pytest.mark.parametrize("post, delta, expected", [
    (2600, 201, "presumed_anticompetitive"),
    (2600, 200, "potential_concern"),          # "between 100 and 200" is inclusive
    (2600, 100, "potential_concern"),
    (2500, 300, "potential_concern"),          # 2,500 is moderately concentrated
    (2000, 100, "not_addressed"),              # "less than 100" / "more than 100": a gap
    (2000, 99.9, "unlikely_concern"),
    (1499.9, 900, "unlikely_concern"),
    (1500, 900, "potential_concern"),
])
def test_us2010_boundaries(post, delta, expected):
    assert classify(post, delta, guidelines="us2010")["verdict"].iloc[0] == expected


@pytest.mark.parametrize("post, delta, expected", [
    (1801, 101, "presumed_anticompetitive"),
    (1801, 100, "potential_concern"),
    (1801, 50, "not_addressed"),
    (1800, 100, "not_addressed"),              # 1,800 is moderately concentrated
    (1800, 101, "potential_concern"),
    (999, 500, "unlikely_concern"),
])
def test_us1992_boundaries(post, delta, expected):
    assert classify(post, delta, guidelines="us1992")["verdict"].iloc[0] == expected


@pytest.mark.parametrize("post, delta, party, expected", [
    (1000, 249, 0.2, "safe_harbour"),
    (2000, 249.99, 0.2, "safe_harbour"),
    (2000, 250, 0.2, "outside_safe_harbour"),  # "delta below 250"
    (2001, 149, 0.2, "safe_harbour"),
    (2001, 149, 0.5, "outside_safe_harbour"),  # exception (f): a party with 50% or more
    (999, 900, 0.3, "safe_harbour"),
])
def test_eu2004_boundaries(post, delta, party, expected):
    out = classify(post, delta, combined_share=0.3, max_party_share=party, guidelines="eu2004")
    assert out["verdict"].iloc[0] == expected


def test_eu_exceptions_recorded_as_not_checked():
    out = classify(1500, 100, combined_share=0.3, max_party_share=0.2, guidelines="eu2004")
    assert "innovator" in out["not_checked"].iloc[0]


@pytest.mark.parametrize("post, delta, share, expected", [
    (1500, 900, 0.5, "safe_harbour"),          # not more than 1,500
    (2500, 250, 0.5, "safe_harbour"),
    (2500, 251, 0.35, "unlikely_concern"),     # <= 2,500 and share <= 35%
    (2500, 251, 0.36, "outside_safe_harbour"),
    (2501, 150, 0.6, "safe_harbour"),
    (2501, 151, 0.2, "outside_safe_harbour"),
])
def test_jp2007_boundaries(post, delta, share, expected):
    out = classify(post, delta, combined_share=share, guidelines="jp2007")
    assert out["verdict"].iloc[0] == expected


def test_bank_screen():
    v = classify([1801, 1800, 1801], [201, 500, 200], guidelines="usbank1995")["verdict"]
    assert v.tolist() == ["potential_concern", "unlikely_concern", "unlikely_concern"]


def test_markdown_page_matches_registry():
    md = to_markdown()
    for key in GUIDELINES:
        assert f"`{key}`" in md
    assert "HHI > 1,800 and ΔHHI > 100" in md


def test_every_record_names_its_url_and_the_texts_it_was_checked_against():
    from concentration.guidelines import GUIDELINES

    for g in GUIDELINES.values():
        assert g.url.startswith("http"), g.key
        assert g.checked_against, g.key
        for url, finding in g.checked_against:
            assert url.startswith("http") and finding, g.key


def test_jp2007_boundaries_as_read_in_the_2007_revision():
    # "HHI 1,500 or less"; "between 1,500 and 2,500 ... increase not greater than 250";
    # "more than 2,500 ... increase of 150 or less".
    from concentration.guidelines import classify

    v = classify([1500, 2500, 2500, 2501, 2501], [400, 250, 251, 150, 151],
                 guidelines="jp2007")["verdict"].tolist()
    assert v[:2] == ["safe_harbour", "safe_harbour"]
    assert v[3] == "safe_harbour"
    assert v[4] == "outside_safe_harbour"


def test_usbank1995_status_records_the_2024_withdrawal():
    from concentration.guidelines import get_guideline

    g = get_guideline("usbank1995")
    assert "2024-09-17" in g.status and "withdrew" in g.status


def test_us1992_boundaries_as_read_in_section_1_51():
    from concentration.guidelines import classify

    v = classify([1801, 1801, 1801, 1800, 1800], [101, 100, 50, 101, 100],
                 guidelines="us1992")["verdict"].tolist()
    assert v == ["presumed_anticompetitive", "potential_concern", "not_addressed",
                 "potential_concern", "not_addressed"]


@pytest.mark.parametrize("post,delta,name", [
    (np.nan, 100, "post_hhi"), (-5, 0, "post_hhi"), (20_000, 100, "post_hhi"),
    (np.inf, 100, "post_hhi"), (1000, -1, "delta_hhi"), (1000, 20_000, "delta_hhi"),
    (True, 100, "post_hhi"), ("2000", 100, "post_hhi"), (2000 + 1j, 100, "post_hhi"),
    ([2000, np.nan], 100, "post_hhi")])
def test_classify_refuses_impossible_hhis(post, delta, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of classify"):
        classify(post, delta)


def test_classify_refuses_a_change_above_the_post_merger_hhi():
    with pytest.raises(InvalidParameterError, match="at most post_hhi"):
        classify(1000, 2000)


@pytest.mark.parametrize("kw", [{"combined_share": 30}, {"combined_share": -0.1},
                                {"max_party_share": 1.5}])
def test_classify_shares_are_fractions(kw):
    with pytest.raises(InvalidParameterError, match="a share in \\[0, 1\\]"):
        classify(2000, 200, **kw)


def test_classify_bounds_and_missing_optional_metrics_still_work():
    assert classify(10_000, 5000)["verdict"].tolist() == ["presumed_anticompetitive"]
    assert classify(0, 0)["verdict"].tolist() == ["no_presumption"]
    # a missing change (NaN) makes the rules that need it not fire
    assert classify(2000, np.nan)["verdict"].tolist() == ["no_presumption"]
    assert classify([], [])["verdict"].tolist() == []


@pytest.mark.parametrize("guidelines", [1.5, False, None, 0, 1j])
def test_classify_guidelines_must_be_keys(guidelines):
    with pytest.raises(InvalidParameterError, match="'guidelines' parameter of classify"):
        classify(2000, 200, guidelines=guidelines)
