"""The bundled AI-industry datasets: schema, checksums, integrity, loading options, rebuild."""

import hashlib
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import concentration as cn
from concentration import datasets
from concentration.exceptions import FringeWarning, InvalidParameterError
from concentration.io import PROVENANCE_KEY

# SHA-256 of the committed files; a rebuild that changes them must update these.
CHECKSUMS = {
    "ai_market_shares": "0d4f0fb88c34166f25848824b5bee01277d50366cb101514b44323a04a3d69aa",
    "ai_partnerships": "64dc7abd9a5e54fefa45cb0639794f24306560880aa70f3e3d8645a7ae469f36",
    "ai_ownership": "815c042924727ac8979ed5a3d69109d363feab33bd3ea06d877bdbc339fa10de",
    "entities": "846d413eef88ad4085f12f55c7a791ac63e284f855ac39b3417673697a6ea224",
}
ROWS = {"ai_market_shares": 314, "ai_partnerships": 151, "ai_ownership": 79, "entities": 82}

S, F, B, D = pa.string(), pa.float64(), pa.bool_(), pa.date32()
SCHEMAS = {
    "ai_market_shares": [
        ("market", S), ("is_market", B), ("period", S), ("firm", S), ("parent", S),
        ("share", F), ("share_published", F), ("rounding_adjusted", B), ("row_kind", S),
        ("lower_bound", B), ("listed_share", F), ("unreported_firms", S), ("series_vintage", S),
        ("latest_vintage", B), ("share_alt", F), ("share_alt_source", S), ("share_note", S),
        ("period_type", S), ("period_start", D), ("period_end", D), ("market_name", S),
        ("metric", S), ("geography", S), ("research_firm", S), ("product", S),
        ("firm_as_published", S), ("firm_revenue_usd_bn", F), ("market_size_usd_bn", F),
        ("source_market_id", S), ("source_ref", S), ("source_url", S), ("confidence", S)],
    "ai_partnerships": [
        ("edge_id", S), ("source", S), ("target", S), ("kind", S), ("also_types", S),
        ("directed", B), ("start", D), ("start_precision", S), ("start_as_published", S),
        ("end", D), ("end_precision", S), ("end_as_published", S), ("status", S),
        ("amount_usd", F), ("amount_note", S), ("exclusive", B), ("description", S),
        ("source_kind", S), ("target_kind", S), ("source_as_published", S),
        ("target_as_published", S), ("correction", S), ("source_ref", S), ("source_url", S),
        ("confidence", S)],
    "ai_ownership": [
        ("stake_id", S), ("owner", S), ("firm", S), ("as_of", D), ("as_of_precision", S),
        ("as_of_as_published", S), ("valid_until", D), ("cash_flow", F), ("control", F),
        ("cash_flow_alt", F), ("cash_flow_alt_source", S), ("stake_status", S),
        ("owner_type", S), ("firm_listed", S), ("owner_as_published", S),
        ("firm_as_published", S), ("stake_note", S), ("control_note", S), ("correction", S),
        ("source_ref", S), ("source_url", S), ("confidence", S)],
    "entities": [
        ("entity", S), ("kind", S), ("parent", S), ("ultimate_parent", S),
        ("parent_since", D), ("aliases", S), ("note", S)],
}


def _bytes(name):
    return datasets.bundled_file(f"{name}.parquet").read_bytes()


def _schema(name):
    import io

    return pq.read_schema(io.BytesIO(_bytes(name)))


@pytest.fixture(scope="module")
def raw():
    """Every table with all rows (no default filtering)."""
    return {
        "ai_market_shares": datasets.load("ai_market_shares", firms_only=False, vintage="all"),
        "ai_partnerships": datasets.load("ai_partnerships"),
        "ai_ownership": datasets.load("ai_ownership"),
        "entities": datasets.load("entities"),
    }


@pytest.fixture(scope="module")
def shares():
    return datasets.load("ai_market_shares")


# ---------------------------------------------------------------- listing, files, schema
def test_list_datasets_lists_the_four_tables():
    listing = datasets.list_datasets()
    assert listing["name"].tolist() == list(datasets.DATASETS)
    assert list(listing.columns[:4]) == ["name", "description", "rows", "columns"]
    assert dict(zip(listing["name"], listing["rows"])) == ROWS
    assert dict(zip(listing["name"], listing["columns"])) == {
        k: len(v) for k, v in SCHEMAS.items()}
    assert listing["description"].str.len().min() > 20


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_checksum(name):
    digest = hashlib.sha256(_bytes(name)).hexdigest()
    assert digest == CHECKSUMS[name], (
        f"{name}.parquet changed (sha256 {digest}); if intended, rebuild with "
        "datasets/build.py and update CHECKSUMS")


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_arrow_schema_is_pinned(name):
    schema = _schema(name)
    assert [(f.name, f.type) for f in schema] == SCHEMAS[name]
    assert set(schema.metadata) == {PROVENANCE_KEY}  # no pandas or library-version metadata


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_loaded_dtypes_and_rows(name, raw):
    df = raw[name]
    assert len(df) == ROWS[name]
    assert list(df.columns) == [c for c, _ in SCHEMAS[name]]
    for col, typ in SCHEMAS[name]:
        dtype = df[col].dtype
        if typ == F:
            assert dtype == np.float64, col
        elif typ == B:
            assert dtype == np.bool_, col
        elif typ == D:
            assert pd.api.types.is_datetime64_dtype(dtype), col
        else:
            assert pd.api.types.is_string_dtype(dtype), col


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_provenance_in_attrs_and_key_value_metadata(name, tmp_path):
    prov = datasets.load(name).attrs["provenance"]
    assert prov["dataset"] == name
    for key in ("title", "source", "citation", "licence", "notes", "units"):
        assert prov[key], key
    # read_table (the generic reader) sees the same provenance
    path = tmp_path / f"{name}.parquet"
    path.write_bytes(_bytes(name))
    assert cn.read_table(path).attrs["provenance"] == prov


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_card_documents_every_column(name):
    text = datasets.card(name)
    assert "licence" in text.lower()
    for col, _ in SCHEMAS[name]:
        assert f"`{col}`" in text, f"column {col} of {name} is not in its card"


# ---------------------------------------------------------------- integrity
def test_every_name_resolves_to_an_entity(raw):
    ent = raw["entities"]
    names = set(ent["entity"])
    assert ent["entity"].is_unique
    sh = raw["ai_market_shares"]
    firms = sh[sh["row_kind"] == "firm"]
    assert set(firms["firm"]) <= names
    assert set(firms["parent"]) <= names
    assert sh.loc[sh["row_kind"] != "firm", "parent"].isna().all()
    own = raw["ai_ownership"]
    assert set(own["owner"]) <= names and set(own["firm"]) <= names
    edges = raw["ai_partnerships"]
    assert set(edges["source"]) <= names and set(edges["target"]) <= names
    assert set(ent["parent"].dropna()) <= names
    assert set(ent["ultimate_parent"]) <= names


def test_ultimate_parents(raw):
    ent = raw["entities"].set_index("entity")
    for name in ("Google", "DeepMind", "Alphabet"):
        assert ent.loc[name, "ultimate_parent"] == "Alphabet"
    # a top entity is its own ultimate parent, and the chain ends there
    top = ent[ent["parent"].isna()]
    assert (top.index == top["ultimate_parent"]).all()
    assert ent["ultimate_parent"].map(ent["parent"]).isna().all()
    # every alias names one entity, and no alias is another entity's name
    aliases = [a for s in ent["aliases"].dropna() for a in s.split(";")]
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & set(ent.index)
    # shares: parent is the firm's ultimate parent
    sh = raw["ai_market_shares"]
    firms = sh[sh["row_kind"] == "firm"]
    assert (firms["parent"] == firms["firm"].map(ent["ultimate_parent"])).all()


def test_shares_are_fractions_and_groups_never_sum_above_one(raw):
    sh = raw["ai_market_shares"]
    s = sh["share"].dropna()
    assert ((s >= 0) & (s <= 1)).all()
    body = sh[sh["row_kind"] != "aggregate"]
    sums = body.groupby(["market", "period", "series_vintage"])["share"].sum()
    assert (sums <= 1 + 1e-9).all(), sums[sums > 1 + 1e-9]


def test_default_load_sums_per_market_period(shares):
    sums = shares.groupby(["market", "period"])["share"].sum()
    assert (sums <= 1 + 1e-9).all()


def test_rounding_adjustment_is_flagged_and_exact(raw):
    sh = raw["ai_market_shares"]
    adj = sh[sh["rounding_adjusted"]]
    assert len(adj) > 0
    body = sh[(sh["row_kind"] != "aggregate") & sh["share"].notna()]
    totals = body.groupby(["market", "period", "series_vintage"])["share_published"].sum()
    for _, row in adj.iterrows():
        total = totals[(row["market"], row["period"], row["series_vintage"])]
        assert total > 1
        assert row["share"] == pytest.approx(row["share_published"] / total, rel=1e-12)
    untouched = sh[~sh["rounding_adjusted"]]
    pd.testing.assert_series_equal(untouched["share"], untouched["share_published"],
                                   check_names=False)
    # published peer-set 2022Q1 is 55 + 34 + 12 = 101 %
    q = adj[(adj["market"] == "dc_segment_rev_peerset") & (adj["period"] == "2022Q1")]
    assert q.set_index("firm")["share"].to_dict() == pytest.approx(
        {"Intel": 55 / 101, "Nvidia": 34 / 101, "AMD": 12 / 101})


def test_market_ids_never_mix_research_firms_or_definitions(raw):
    sh = raw["ai_market_shares"]
    for col in ("research_firm", "geography", "market_name", "source_market_id"):
        assert (sh.groupby("market")[col].nunique() == 1).all(), col
    # one metric per (market, period)
    assert (sh.groupby(["market", "period"])["metric"].nunique() == 1).all()


# ---------------------------------------------------------------- hhi on the default load
def test_default_load_has_one_row_per_market_period_firm(shares):
    assert not shares.duplicated(["market", "period", "firm"]).any()
    assert (shares["row_kind"] == "firm").all()
    assert shares["latest_vintage"].all() and shares["share"].notna().all()
    assert len(shares) == 284


def test_hhi_gives_one_value_per_market_period_and_flags_lower_bounds(shares):
    with pytest.warns(FringeWarning, match="lower bound"):
        h = cn.hhi(shares)
    groups = shares[["market", "period"]].drop_duplicates()
    assert len(h) == len(groups) == 85
    assert h.index.is_unique
    with pytest.warns(FringeWarning):
        ind = cn.indices(shares, ["hhi"])
    flags = shares.groupby(["market", "period"])["lower_bound"].first()
    pd.testing.assert_series_equal(ind["lower_bound"].sort_index(), flags.sort_index(),
                                   check_names=False)
    assert flags.sum() == 63


def test_hhi_hand_checked_values(shares):
    with pytest.warns(FringeWarning):
        h = cn.hhi(shares)
    # Synergy 2024Q4 top 3 only: 30^2 + 21^2 + 12^2 = 1,485 (a lower bound)
    assert h[("cloud_infra_synergy", "2024Q4")] == pytest.approx(1485.0)
    # Gartner IaaS 2023: 39.0^2 + 23.0^2 + 8.2^2 + 7.9^2 + 4.3^2 = 2,198.14
    assert h[("iaas_public_gartner", "2023")] == pytest.approx(2198.14)
    # peer set 2021Q1 (sums to 100): 68^2 + 25^2 + 7^2 = 5,298
    assert h[("dc_segment_rev_peerset", "2021Q1")] == pytest.approx(5298.0)


def test_merging_to_ultimate_parent_uses_entities(shares):
    ent = datasets.load("entities")
    parent = ent.drop(columns="parent").rename(columns={"entity": "firm",
                                                        "ultimate_parent": "parent"})
    one = shares[(shares["market"] == "ai_chatbot_statcounter_us")]
    # no two firms of this market share a parent: merging changes nothing
    assert cn.hhi(one, parent=parent[["firm", "parent"]]).iloc[0] == pytest.approx(
        cn.hhi(one).iloc[0])


# ---------------------------------------------------------------- options
def test_vintages(raw):
    latest = datasets.load("ai_market_shares")
    allv = datasets.load("ai_market_shares", vintage="all")
    key = (allv["market"] == "cloud_infra_canalys") & (allv["period"] == "2024Q1")
    assert set(allv.loc[key, "series_vintage"]) == {
        "as originally published", "revised series (Canalys, Aug 2024)"}
    ms = allv[key & (allv["firm"] == "Microsoft")].set_index("series_vintage")
    assert ms.loc["as originally published", "share_published"] == pytest.approx(0.233)
    assert ms.loc["revised series (Canalys, Aug 2024)", "share_published"] == pytest.approx(0.21)
    lk = (latest["market"] == "cloud_infra_canalys") & (latest["period"] == "2024Q1")
    assert set(latest.loc[lk, "series_vintage"]) == {"revised series (Canalys, Aug 2024)"}
    assert "Alibaba" not in set(latest.loc[lk, "firm"])  # only in the superseded release


def test_firms_only_false_keeps_others_and_aggregates():
    df = datasets.load("ai_market_shares", firms_only=False)
    assert {"others", "aggregate"} <= set(df["row_kind"])
    assert len(df) == 310  # 314 minus the 4 rows of the superseded Canalys 2024Q1 release
    assert df.loc[df["row_kind"] == "aggregate", "firm"].str.contains("combined").all()


def test_conflicting_values_kept_in_share_alt(raw):
    sh = raw["ai_market_shares"]
    alt = sh[sh["share_alt"].notna()].set_index(["period", "firm"])
    assert alt.loc[("2024Q2", "Google"), "share"] == pytest.approx(0.12)
    assert alt.loc[("2024Q2", "Google"), "share_alt"] == pytest.approx(0.13)
    assert alt["share_alt_source"].notna().all()


def test_shares_as_of_keeps_periods_ended_by_the_date():
    df = datasets.load("ai_market_shares", as_of="2024-12-31")
    assert (df["period_end"] <= pd.Timestamp("2024-12-31")).all()
    assert "2024Q4" in set(df["period"]) and "2025Q1" not in set(df["period"])
    assert len(df) < 284


def test_partnerships_live_at_a_date():
    # BigScience concluded 2022-07 (end mapped to 2022-07-31, inclusive)
    assert "E128" in set(datasets.load("ai_partnerships", as_of="2022-07-31")["edge_id"])
    assert "E128" not in set(datasets.load("ai_partnerships", as_of="2022-08-01")["edge_id"])
    # E015 announced "2016": start 2016-01-01
    assert "E015" in set(datasets.load("ai_partnerships", as_of="2016-01-01")["edge_id"])
    # the 2023 Microsoft-OpenAI extension ends on the recapitalisation day (inclusive)
    day = set(datasets.load("ai_partnerships", as_of="2025-10-28")["edge_id"])
    assert {"E004", "E006"} <= day
    assert "E004" not in set(datasets.load("ai_partnerships", as_of="2025-10-29")["edge_id"])


def test_partnership_dates_keep_their_precision(raw):
    e = raw["ai_partnerships"].set_index("edge_id")
    assert e.loc["E015", "start_precision"] == "year"
    assert e.loc["E016", "start"] == pd.Timestamp("2025-05-01")
    assert e.loc["E016", "start_as_published"] == "2025-05"
    assert e.loc["E035", "end"] == pd.Timestamp("2025-12-31")
    assert set(e["kind"]) <= {
        "equity_investment", "cloud_compute_supply", "chip_supply",
        "distribution_integration", "licensing", "research_collaboration",
        "consortium_membership", "joint_venture", "technology_partner", "acquisition",
        "board_participation", "governance_host"}
    assert not e.loc[e["kind"] == "research_collaboration", "directed"].any()
    assert e.loc[e["kind"] != "research_collaboration", "directed"].all()


def test_ownership_as_of_takes_latest_row_per_owner_firm():
    def msft_openai(**kw):
        df = datasets.load("ai_ownership", **kw)
        return df[(df["owner"] == "Microsoft") & (df["firm"] == "OpenAI")]

    assert msft_openai(as_of="2025-10-15")["cash_flow"].tolist() == [pytest.approx(0.325)]
    assert msft_openai(as_of="2025-11-01")["cash_flow"].tolist() == [pytest.approx(0.27)]
    old = msft_openai(as_of="2024-06-01")
    assert old["stake_status"].tolist() == ["reported_terms"]
    assert msft_openai(as_of="2024-06-01", held_only=True).empty
    df = datasets.load("ai_ownership", as_of="2025-12-31")
    assert not df.duplicated(["owner", "firm"]).any()


def test_ownership_status_and_fractions(raw):
    own = raw["ai_ownership"]
    assert set(own["stake_status"]) == {"held", "contingent", "reported_terms"}
    for col in ("cash_flow", "control"):
        v = own[col].dropna()
        assert ((v >= 0) & (v <= 1)).all()
    held = datasets.load("ai_ownership", held_only=True)
    assert (held["stake_status"] == "held").all()
    ent = raw["entities"].set_index("entity")
    assert ent.loc["OpenAI Foundation", "kind"] == "nonprofit"
    assert own.loc[own["firm_as_published"] == "Google DeepMind", "firm"].tolist() == [
        "DeepMind"]


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "nope"}, "'name' parameter"),
    ({"name": "ai_partnerships", "as_of": "not a date"}, "'as_of' parameter"),
    ({"name": "ai_partnerships", "as_of": 3}, "'as_of' parameter"),
    ({"name": "entities", "as_of": "2024-01-01"}, "not time-varying"),
    ({"name": "ai_ownership", "firms_only": False}, "ai_market_shares' only"),
    ({"name": "ai_market_shares", "vintage": "first"}, "'vintage' parameter"),
    ({"name": "ai_market_shares", "held_only": True}, "ai_ownership' only"),
    ({"name": "ai_market_shares", "firms_only": 1}, "'firms_only' parameter"),
])
def test_load_validates_arguments(kwargs, match):
    name = kwargs.pop("name")
    with pytest.raises(InvalidParameterError, match=match):
        datasets.load(name, **kwargs)


def test_load_returns_a_fresh_frame():
    a = datasets.load("entities")
    a.loc[0, "entity"] = "changed"
    assert datasets.load("entities").loc[0, "entity"] != "changed"


# ---------------------------------------------------------------- command line
def test_cli_list_and_export(tmp_path, capsys):
    from concentration.cli import main

    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    for name in datasets.DATASETS:
        assert name in out
    csv = tmp_path / "edges.csv"
    assert main(["datasets", "export", "ai_partnerships", "-o", str(csv),
                 "--as-of", "2020-01-01"]) == 0
    assert len(pd.read_csv(csv)) == len(datasets.load("ai_partnerships", as_of="2020-01-01"))
    pq_out = tmp_path / "shares.parquet"
    assert main(["datasets", "export", "ai_market_shares", "-o", str(pq_out)]) == 0
    back = cn.read_table(pq_out)
    assert len(back) == 284
    assert back.attrs["provenance"]["dataset"] == "ai_market_shares"
    assert main(["datasets", "export", "entities", "-o", str(tmp_path / "x.txt")]) == 2
    assert main(["datasets", "export", "nope", "-o", str(tmp_path / "x.csv")]) == 2


# ---------------------------------------------------------------- rebuild
def _build_script():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(here), "datasets", "build.py")


def test_build_script_reproduces_the_committed_bytes(tmp_path):
    script = _build_script()
    if not os.path.isfile(script):
        pytest.skip("datasets/build.py is not next to the tests (not a source checkout)")
    src = os.path.dirname(script)
    proc = subprocess.run([sys.executable, script, "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in datasets.DATASETS:
        committed = os.path.join(src, f"{name}.parquet")
        rebuilt = tmp_path / f"{name}.parquet"
        new = pq.read_table(rebuilt)
        old = pq.read_table(committed)
        assert new.equals(old), name
        assert new.schema.metadata == old.schema.metadata, name
        writer = pq.read_metadata(committed).created_by
        if writer != pq.read_metadata(rebuilt).created_by:
            pytest.skip(f"committed files were written by {writer!r}; byte equality needs "
                        "the same pyarrow (contents compared equal above)")
        assert rebuilt.read_bytes() == open(committed, "rb").read(), name
    # the installed copies are the committed ones
    for name in datasets.DATASETS:
        assert _bytes(name) == open(os.path.join(src, f"{name}.parquet"), "rb").read()


def test_build_uses_the_library_provenance_key():
    script = _build_script()
    if not os.path.isfile(script):
        pytest.skip("datasets/build.py is not next to the tests (not a source checkout)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("_datasets_build", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PROVENANCE_KEY == PROVENANCE_KEY


# ---------------------------------------------------------------- corrections (issue 17)
def test_corrected_ownership_rows(raw):
    own = raw["ai_ownership"].set_index("stake_id")
    # control encoded from the notes: no control = 0, the board-appointing holder = 1
    assert own.loc["S001", "control"] == 0.0 and own.loc["S009", "control"] == 0.0
    assert own.loc["S003", "control"] == 1.0
    for sid in ("S002", "S004", "S005", "S006", "S007", "S010", "S012", "S080"):
        assert own.loc[sid, "control"] == 0.0, sid
    assert own.loc["S008", "control"] == 1.0
    assert own.loc["S011", "control"] == 1.0  # Alphabet in DeepMind, as published
    # Amazon in Anthropic: size undisclosed in every source, so it stays unknown
    assert np.isnan(own.loc["S010", "cash_flow"])
    # one BlackRock-Microsoft figure for 2025; the other kept as the alternative
    assert "S030" not in own.index
    assert own.loc["S026", "cash_flow"] == pytest.approx(0.076)
    assert own.loc["S026", "cash_flow_alt"] == pytest.approx(0.0725)
    assert "TMGM" in own.loc["S026", "cash_flow_alt_source"]
    # the residual holders of OpenAI once SoftBank is itemised
    s080 = own.loc["S080"]
    assert (s080["owner"], s080["firm"]) == ("Employees and other investors (aggregate)",
                                             "OpenAI")
    assert s080["cash_flow"] == pytest.approx(0.36)
    assert s080["as_of"] == pd.Timestamp("2025-12-01")
    # the capped-profit terms and the pre-recapitalisation stake end the day before
    for sid in ("S002", "S006", "S007", "S008"):
        assert own.loc[sid, "valid_until"] == pd.Timestamp("2025-10-27"), sid
    assert own["valid_until"].notna().sum() == 4
    # every corrected or added row says why
    changed = {"S001", "S002", "S003", "S004", "S005", "S006", "S007", "S008", "S010",
               "S012", "S026", "S080"}
    assert set(own.index[own["correction"].notna()]) == changed
    card = datasets.card("ai_ownership")
    for sid in changed | {"S030"}:
        assert sid in card, sid


def test_corrected_partnership_rows(raw):
    e = raw["ai_partnerships"].set_index("edge_id")
    # E024 is incremental: $22.4B cumulative less E022's $11.9B
    assert e.loc["E022", "amount_usd"] == pytest.approx(11.9e9)
    assert e.loc["E024", "amount_usd"] == pytest.approx(10.5e9)
    assert "22.4B" in e.loc["E024", "amount_note"] and "E022" in e.loc["E024", "amount_note"]
    # the Azure exclusivity has a row of its own, with its dates
    x = e.loc["E151"]
    assert (x["source"], x["target"], x["kind"]) == ("Microsoft", "OpenAI",
                                                     "cloud_compute_supply")
    assert x["start"] == pd.Timestamp("2019-07-22") and x["end"] == pd.Timestamp("2025-01-21")
    assert x["exclusive"] and x["directed"]
    assert set(e.index[e["exclusive"]]) == {"E002", "E151"}
    # also_types kept for E001/E004 (read as extra tie kinds)
    assert e.loc["E001", "also_types"] == "cloud_compute_supply"
    assert set(e.index[e["correction"].notna()]) == {"E024", "E151"}


def test_also_types_encoding(raw):
    e = raw["ai_partnerships"]
    kinds = list(dict.fromkeys(SCHEMA_KINDS + ("equity_warrant", "acquihire", "data_supply")))
    order = {k: i for i, k in enumerate(kinds)}
    card = datasets.card("ai_partnerships")
    for kind in kinds:
        assert f"`{kind}`" in card, kind
    for _, row in e[e["also_types"].notna()].iterrows():
        parts = row["also_types"].split(";")
        assert all(p in order for p in parts), row["edge_id"]
        assert parts == sorted(set(parts), key=order.__getitem__), row["edge_id"]
        assert row["kind"] not in parts, row["edge_id"]
        assert " " not in row["also_types"]


SCHEMA_KINDS = (
    "equity_investment", "cloud_compute_supply", "chip_supply", "distribution_integration",
    "licensing", "research_collaboration", "consortium_membership", "joint_venture",
    "technology_partner", "acquisition", "board_participation", "governance_host")


def test_no_two_stakes_share_owner_firm_and_date(raw):
    own = raw["ai_ownership"]
    dup = own[own.duplicated(["owner", "firm", "as_of"], keep=False)]
    assert dup.empty, dup[["stake_id", "owner", "firm", "as_of"]]
    assert own["stake_id"].is_unique


def _snapshot(own, day, statuses):
    """Latest row per (owner, firm) on or before ``day``; rows ended before it dropped."""
    rows = own[own["stake_status"].isin(statuses) & (own["as_of"] <= day)]
    rows = rows.sort_values(["owner", "firm", "as_of", "stake_id"], kind="mergesort")
    rows = rows.drop_duplicates(["owner", "firm"], keep="last")
    return rows[rows["valid_until"].isna() | (rows["valid_until"] >= day)]


@pytest.mark.parametrize("statuses", [("held",), ("held", "contingent", "reported_terms")])
def test_holdings_snapshots_sum_to_at_most_one(raw, statuses):
    own = raw["ai_ownership"]
    days = pd.date_range("2018-12-31", "2026-06-30", freq="QE")
    assert len(days) == 31  # 2018Q4 .. 2026Q2
    for day in days:
        snap = _snapshot(own, day, statuses)
        totals = snap.groupby("firm")["cash_flow"].sum()
        assert (totals <= 1 + 1e-9).all(), (day, totals[totals > 1 + 1e-9])
    # OpenAI at the end of 2025: 27% + 26% + 11% + the 36% residual = 100%
    end25 = _snapshot(own, pd.Timestamp("2025-12-31"), ("held",))
    openai = end25[end25["firm"] == "OpenAI"].set_index("owner")["cash_flow"]
    assert openai.sum() == pytest.approx(1.0)
    assert openai["SoftBank"] == pytest.approx(0.11)
    # the held-only loader picks the same rows
    loaded = datasets.load("ai_ownership", as_of="2025-12-31", held_only=True)
    got = loaded[loaded["firm"] == "OpenAI"].set_index("owner")["cash_flow"]
    pd.testing.assert_series_equal(got.sort_index(), openai.sort_index(), check_names=False)


def test_every_published_name_resolves_through_entities(raw):
    ent = raw["entities"]
    names = {n: n for n in ent["entity"]}
    for entity, aliases in zip(ent["entity"], ent["aliases"]):
        if isinstance(aliases, str):
            for a in aliases.split(";"):
                assert a not in names, a
                names[a] = entity
    sh = raw["ai_market_shares"]
    firms = sh[sh["row_kind"] == "firm"]
    assert (firms["firm_as_published"].map(names) == firms["firm"]).all()
    own = raw["ai_ownership"]
    assert (own["owner_as_published"].map(names) == own["owner"]).all()
    assert (own["firm_as_published"].map(names) == own["firm"]).all()
    e = raw["ai_partnerships"]
    assert (e["source_as_published"].map(names) == e["source"]).all()
    assert (e["target_as_published"].map(names) == e["target"]).all()
    for alias, entity in [("Google Cloud", "Google"), ("GCP", "Google"),
                          ("Alphabet Inc.", "Alphabet"), ("Amazon Web Services", "Amazon"),
                          ("AWS", "Amazon"), ("Microsoft Azure", "Microsoft"),
                          ("Azure", "Microsoft"), ("Google DeepMind", "DeepMind"),
                          ("OpenAI Group PBC", "OpenAI")]:
        assert names[alias] == entity, alias


def test_parent_links_are_dated(raw):
    ent = raw["entities"].set_index("entity")
    assert ent.loc["Google", "parent"] == "Alphabet"
    assert ent.loc["Google", "parent_since"] == pd.Timestamp("2015-10-02")
    assert ent.loc["DeepMind", "parent_since"] == pd.Timestamp("2014-01-26")
    assert ent.loc["X Corp", "parent_since"] == pd.Timestamp("2025-03-28")
    linked = ent[ent["parent"].notna()]
    # only Alibaba's link is undated: it holds over the whole period covered
    assert set(linked.index[linked["parent_since"].isna()]) == {"Alibaba"}


def test_every_row_has_a_period_interval(raw):
    sh = raw["ai_market_shares"]
    assert sh["period_start"].notna().all() and sh["period_end"].notna().all()
    assert (sh["period_start"] <= sh["period_end"]).all()
    lab = sh.drop_duplicates(["market", "period"]).set_index(["market", "period"])
    assert lab.loc[("enterprise_llm_api_menlo", "2025-mid"), "period_start"] == pd.Timestamp(
        "2025-01-01")
    assert lab.loc[("enterprise_llm_api_menlo", "2025-late"), "period_end"] == pd.Timestamp(
        "2025-12-31")
    assert lab.loc[("genai_web_traffic_similarweb", "2025-12-mid"), "period_end"] == \
        pd.Timestamp("2025-12-15")
    # no market mixes years with quarters (a year would overlap its own quarters)
    types = sh.groupby("market")["period_type"].agg(set)
    assert not any({"year", "quarter"} <= t for t in types)
    can = sh[sh["source_market_id"] == "cloud_infra_canalys"]
    assert set(can.loc[can["period_type"] == "year", "market"]) == {"cloud_infra_canalys_annual"}
    e = raw["ai_partnerships"]
    assert (e["end"].isna() | (e["start"] <= e["end"])).all()


def test_is_market_flags_the_peer_set(raw, shares):
    sh = raw["ai_market_shares"]
    assert set(sh.loc[~sh["is_market"], "market"]) == {"dc_segment_rev_peerset"}
    assert (sh.groupby("market")["is_market"].nunique() == 1).all()
    assert shares["is_market"].sum() == len(shares) - (
        shares["market"] == "dc_segment_rev_peerset").sum()


def test_top_n_periods_name_the_firms_not_reported(raw):
    sh = raw["ai_market_shares"]
    g = sh.drop_duplicates(["market", "period"]).set_index(["market", "period"])
    for q in ("2023Q1", "2023Q2", "2023Q3"):
        row = g.loc[("cloud_infra_synergy", q)]
        assert "Amazon" in row["unreported_firms"].split(";"), q
        assert row["lower_bound"]
    assert "Amazon" not in (g.loc[("cloud_infra_synergy", "2023Q4"), "unreported_firms"] or "")
    assert g.loc[("cloud_infra_synergy", "2019Q4"), "unreported_firms"] == "Google"
    assert g.loc[("enterprise_llm_api_menlo", "2024"), "unreported_firms"] == "Google;OpenAI"
    # a group with unreported firms is a lower bound; names are entities
    flagged = g[g["unreported_firms"].notna()]
    assert flagged["lower_bound"].all()
    names = set(raw["entities"]["entity"])
    assert {f for s in flagged["unreported_firms"] for f in s.split(";")} <= names
    # an unreported firm has no row in that group
    for (market, period), row in flagged.iterrows():
        present = set(sh[(sh["market"] == market) & (sh["period"] == period)
                         & sh["share"].notna()]["firm"])
        assert not present & set(row["unreported_firms"].split(";")), (market, period)


def test_build_twice_gives_the_same_bytes(tmp_path):
    script = _build_script()
    if not os.path.isfile(script):
        pytest.skip("datasets/build.py is not next to the tests (not a source checkout)")
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        proc = subprocess.run([sys.executable, script, "--out", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        digests.append({n: hashlib.sha256((out / f"{n}.parquet").read_bytes()).hexdigest()
                        for n in datasets.DATASETS})
    assert digests[0] == digests[1]


def test_load_as_of_drops_terms_that_ended_before_the_date():
    # the 2023 profit-share terms and the pre-recapitalisation stakes end on 2025-10-27
    before = datasets.load("ai_ownership", as_of="2025-10-15")
    after = datasets.load("ai_ownership", as_of="2025-12-31")
    assert (before["valid_until"].notna()).any()
    assert not (after["valid_until"].notna() & (after["valid_until"] < "2025-12-31")).any()
    openai = after[after["firm"] == "OpenAI"]
    assert openai["cash_flow"].sum() == pytest.approx(1.0)
