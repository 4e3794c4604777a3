"""Build the bundled AI-industry Parquet datasets from the CSV files in ``sources/``.

Usage::

    python datasets/build.py            # rewrite datasets/*.parquet in place
    python datasets/build.py --out DIR  # write the four files into DIR instead

The output is deterministic: the same source files give the same bytes on every
run (rows sorted by stable keys, schemas pinned with pyarrow, no timestamps, no
pandas or library-version metadata, no compression).  The only outside input to
the bytes is the Parquet writer's ``created_by`` string, which names the pyarrow
version.

This script uses the standard library and pyarrow only, so it runs from a source
tree without a compiled :mod:`concentration`.  Every name in the three source
files is resolved to one canonical organisation in :data:`ENTITIES`; an unknown
name, an unknown period label or a share group above one stops the build.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import hashlib
import json
import os
import re
import sys

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "sources")

#: Same bytes as ``concentration.io.PROVENANCE_KEY`` (checked by the tests).
PROVENANCE_KEY = b"concentration.provenance"

LICENCE = ("BSD-3-Clause, the licence of the antitrust-concentration package, for this "
           "compilation (selection, arrangement, notes). The figures are facts reported by the "
           "publishers named in each row's source column; cite them, not this package, as "
           "the originators.")

#: Share groups may exceed one by this much (published figures rounded to whole
#: points), the tolerance of ``concentration._tables.DEFAULT_TOLERANCE``.
SUM_TOLERANCE = 0.01

DATASETS = ("ai_market_shares", "ai_partnerships", "ai_ownership", "entities")

# ---------------------------------------------------------------------------
# Entities: one canonical name per organisation (or person, or aggregate holder).
# (canonical, kind, parent, parent_since, aliases, note)
# Parents are recorded only where the source files state the link.
# ---------------------------------------------------------------------------
ENTITIES = [
    # listed technology groups and their subsidiaries
    ("Alphabet", "company", None, None, ("Alphabet Inc.",), "Parent of Google and DeepMind."),
    ("Google", "company", "Alphabet", None, ("Google Cloud", "GCP"),
     "Google and Google Cloud; Synergy, Canalys and Gartner report Google Cloud as 'Google'."),
    ("DeepMind", "company", "Alphabet", "2014-01-26", ("Google DeepMind",),
     "Acquired by Google in 2014; merged with Google Brain into Google DeepMind in 2023. "
     "The partnership edges keep it as its own node."),
    ("Amazon", "company", None, None, ("AWS", "Amazon Web Services"), ""),
    ("Microsoft", "company", None, None, ("Azure", "Microsoft Azure"), ""),
    ("Meta", "company", None, None, ("Facebook", "Meta Platforms"),
     "Named Meta for events before the 2021 rename as well."),
    ("Apple", "company", None, None, (), ""),
    ("Oracle", "company", None, None, ("OCI", "Oracle Cloud Infrastructure"), ""),
    ("IBM", "company", None, None, (), ""),
    ("Salesforce", "company", None, None, ("Salesforce Ventures",), ""),
    ("SAP", "company", None, None, (), ""),
    ("NTT", "company", None, None, (), ""),
    ("Alibaba Group", "company", None, None, (), "Parent of Alibaba (Alibaba Cloud)."),
    ("Alibaba", "company", "Alibaba Group", None, ("Alibaba Cloud",),
     "The cloud and model business reported as 'Alibaba' in the sources."),
    ("Tencent", "company", None, None, (), ""),
    ("Huawei", "company", None, None, (), ""),
    ("Baidu", "company", None, None, (), ""),
    ("Samsung", "company", None, None, (), ""),
    ("Nvidia", "company", None, None, ("NVIDIA",), ""),
    ("Intel", "company", None, None, ("Intel Capital",), ""),
    ("AMD", "company", None, None, ("Advanced Micro Devices", "AMD Ventures"), ""),
    ("Qualcomm", "company", None, None, (), ""),
    ("Broadcom", "company", None, None, (), ""),
    ("Arm", "company", None, None, (), ""),
    ("TSMC", "company", None, None, (), ""),
    ("ASML", "company", None, None, (), ""),
    ("SK Hynix", "company", None, None, (), ""),
    ("SK Telecom", "company", None, None, (), ""),
    ("AT&T", "company", None, None, (), ""),
    ("Nokia", "company", None, None, (), ""),
    ("ZTE", "company", None, None, (), ""),
    ("Zoom", "company", None, None, ("Zoom Ventures",), ""),
    ("SoftBank", "company", None, None, ("SoftBank Vision Fund 2",), ""),
    ("MGX", "company", None, None, (), ""),
    ("G42", "company", None, None, (), ""),
    ("FTX", "company", None, None, (), "Stake later sold by the FTX bankruptcy estate."),
    ("Berkshire Hathaway", "company", None, None, (), ""),
    # AI labs and AI infrastructure firms
    ("OpenAI", "company", None, None,
     ("OpenAI Group PBC", "OpenAI (for-profit, pre-recapitalisation)",
      "OpenAI Global LLC (capped-profit)", "OpenAI Global LLC"),
     "The for-profit OpenAI (OpenAI Global LLC until the 2025-10-28 recapitalisation, then "
     "OpenAI Group PBC), controlled by the OpenAI Foundation. Kept as its own ultimate "
     "parent, as in the share sources."),
    ("OpenAI Foundation", "nonprofit", None, None, ("OpenAI nonprofit",),
     "The nonprofit that controls OpenAI; called the OpenAI nonprofit before 2025-10-28."),
    ("Anthropic", "company", None, None, (), ""),
    ("xAI", "company", None, None, (), "Combined with X Corp in March 2025 (all-stock)."),
    ("X Corp", "company", "xAI", "2025-03-28", ("X", "Twitter"),
     "Acquired by xAI in an all-stock combination announced 2025-03-28."),
    ("Mistral AI", "company", None, None, ("Mistral",), ""),
    ("Cohere", "company", None, None, (), ""),
    ("AI21 Labs", "company", None, None, (), ""),
    ("Inflection AI", "company", None, None, ("Inflection",), ""),
    ("Character.AI", "company", None, None, (), ""),
    ("Perplexity AI", "company", None, None, ("Perplexity",), ""),
    ("DeepSeek", "company", None, None, (), ""),
    ("Scale AI", "company", None, None, (), ""),
    ("Hugging Face", "company", None, None, (), ""),
    ("Databricks", "company", None, None, ("Databricks Ventures",), ""),
    ("CoreWeave", "company", None, None, (), ""),
    # joint ventures, consortia, research bodies, nonprofits
    ("Stargate LLC", "joint_venture", None, None, ("Stargate", "Stargate Project"),
     "Joint venture of SoftBank, OpenAI, Oracle and MGX announced 2025-01-21."),
    ("Partnership on AI", "consortium", None, None, ("PAI",), ""),
    ("MLCommons", "consortium", None, None, (), ""),
    ("AI Alliance", "consortium", None, None, (), ""),
    ("Frontier Model Forum", "consortium", None, None, (), ""),
    ("LF AI & Data", "consortium", None, None, ("LF Deep Learning", "LF AI"),
     "Hosted by the Linux Foundation (a governance_host edge, not ownership)."),
    ("Linux Foundation", "nonprofit", None, None, (), ""),
    ("BigScience", "research_project", None, None, ("BigScience workshop",),
     "Open research workshop that trained BLOOM (2021-2022)."),
    ("Allen Institute for AI", "research_org", None, None, ("Ai2", "AI2"), ""),
    ("EMBL-EBI", "research_org", None, None, (), ""),
    ("GENCI/IDRIS", "research_org", None, None, ("GENCI", "IDRIS"), ""),
    # investors and individuals
    ("Vanguard", "institutional_investor", None, None, ("The Vanguard Group",), ""),
    ("BlackRock", "institutional_investor", None, None, (), ""),
    ("State Street", "institutional_investor", None, None, (), ""),
    ("FMR (Fidelity)", "institutional_investor", None, None, ("FMR", "Fidelity"), ""),
    ("JPMorgan Chase", "institutional_investor", None, None, (), ""),
    ("Geode Capital", "institutional_investor", None, None, (), ""),
    ("Jeff Bezos", "individual", None, None, ("Jeff Bezos (Bezos Expeditions)",
                                              "Bezos Expeditions"), ""),
    ("MacKenzie Scott", "individual", None, None, (), ""),
    ("Bill Gates", "individual", None, None, (), ""),
    ("Steve Ballmer", "individual", None, None, (), ""),
    ("Larry Page", "individual", None, None, (), ""),
    ("Sergey Brin", "individual", None, None, (), ""),
    ("Eric Schmidt", "individual", None, None, (), ""),
    ("Mark Zuckerberg", "individual", None, None, (), ""),
    ("Jensen Huang", "individual", None, None, (), ""),
    ("Larry Ellison", "individual", None, None, (), ""),
    # holders reported only in aggregate
    ("Employees and other investors (aggregate)", "aggregate", None, None, (),
     "Residual holders of OpenAI Group PBC after the 2025 recapitalisation, as reported."),
    ("Other OpenAI investors (aggregate)", "aggregate", None, None, (),
     "Investors other than Microsoft in OpenAI's capped-profit terms, as reported."),
]

#: Conflicting figures for the same (market_id, period, firm) that the source gives
#: only in its note: the alternative share (percent) and who reported it.
ALTERNATIVE_SHARES = {
    ("cloud_infra_synergy", "2024Q2", "Google"): (13.0, "The Register, 2024-08-05"),
    ("cloud_infra_synergy", "2024Q3", "Google"): (12.0, "InfoTechLead, Q3-2024 ranking"),
    ("cloud_infra_synergy", "2025Q4", "Google"): (15.0, "TechTarget item 366638805"),
}

#: Release order of the series vintages (higher is later).  Rows of a (market,
#: period) carry the latest vintage present for it as ``latest_vintage``.
VINTAGE_ORDER = {
    "as published": 0,
    "as originally published": 0,
    "revised series (Canalys, Aug 2024)": 1,
    "Gartner 2019 release": 0,
    "Gartner June-2021 table": 1,
    "Gartner June-2022 table": 2,
    "Gartner July-2024 table": 3,
}

#: Markets split off a source market_id because one id holds two definitions.
#: (market_id, column, value) -> market
MARKET_SPLITS = {
    ("ai_chatbot_statcounter", "geography", "United States"): "ai_chatbot_statcounter_us",
    ("dc_gpu_techinsights", "metric", "share of revenue"): "dc_gpu_techinsights_revenue",
}

RELATIONSHIP_KINDS = (
    "equity_investment", "cloud_compute_supply", "chip_supply", "distribution_integration",
    "licensing", "research_collaboration", "consortium_membership", "joint_venture",
    "technology_partner", "acquisition", "board_participation", "governance_host",
)
ALSO_TYPES = RELATIONSHIP_KINDS + ("equity_warrant", "acquihire", "data_supply")
UNDIRECTED_KINDS = ("research_collaboration",)
STAKE_STATUSES = ("held", "contingent", "reported_terms")
ROW_KINDS = ("firm", "others", "aggregate")
CONFIDENCE = ("verified", "reported")


class BuildError(Exception):
    """The source files contain something the build does not know how to map."""


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def read_csv(name):
    path = os.path.join(SOURCES, name)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for key, val in row.items():
            row[key] = val.strip()
    return rows


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def blank(text):
    return None if text is None or text == "" else text


def to_float(text, scale=1.0):
    return None if text in ("", None) else float(text) / scale


def last_day(year, month):
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def parse_partial_date(text, *, end=False):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (first match in ``text``) -> (date, precision).

    Imprecise dates map to the first day of the stated period, or to its last day
    when ``end`` is true.
    """
    m = _DATE.search(text)
    if m is None:
        raise BuildError(f"no date in {text!r}")
    year, month, day = m.group(1), m.group(2), m.group(3)
    y = int(year)
    if day is not None:
        return dt.date(y, int(month), int(day)), "day"
    if month is not None:
        mo = int(month)
        return (last_day(y, mo) if end else dt.date(y, mo, 1)), "month"
    return (dt.date(y, 12, 31) if end else dt.date(y, 1, 1)), "year"


def period_bounds(period, period_type):
    """First and last day a share figure refers to (documented in ai_market_shares.md)."""
    if period_type == "quarter":
        m = re.fullmatch(r"(\d{4})Q([1-4])", period)
        if m is None:
            raise BuildError(f"bad quarter {period!r}")
        y, q = int(m.group(1)), int(m.group(2))
        return dt.date(y, 3 * q - 2, 1), last_day(y, 3 * q)
    if period_type in ("year", "survey_year") and re.fullmatch(r"\d{4}", period):
        y = int(period)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if period_type == "survey_period":
        m = re.fullmatch(r"(\d{4})-(mid|late)", period)
        if m is None:
            raise BuildError(f"bad survey period {period!r}")
        y = int(m.group(1))
        if m.group(2) == "mid":
            return dt.date(y, 1, 1), dt.date(y, 6, 30)
        return dt.date(y, 7, 1), dt.date(y, 12, 31)
    if period_type in ("month", "snapshot"):
        if re.fullmatch(r"\d{4}-\d{2}", period):
            y, mo = map(int, period.split("-"))
            return dt.date(y, mo, 1), last_day(y, mo)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
            d = dt.date.fromisoformat(period)
            return d, d
        m = re.fullmatch(r"(\d{4})-(\d{2})-mid", period)
        if m is not None:
            d = dt.date(int(m.group(1)), int(m.group(2)), 15)
            return d, d
    raise BuildError(f"unknown period {period!r} of type {period_type!r}")


class Resolver:
    """Canonical entity name for every name or alias used in the sources."""

    def __init__(self, entities):
        self.canonical = {}
        self.parent = {}
        for name, _kind, parent, _since, aliases, _note in entities:
            for label in (name,) + tuple(aliases):
                if label in self.canonical and self.canonical[label] != name:
                    raise BuildError(f"alias {label!r} names two entities")
                self.canonical[label] = name
            self.parent[name] = parent
        for name, parent in self.parent.items():
            if parent is not None and parent not in self.parent:
                raise BuildError(f"parent {parent!r} of {name!r} is not an entity")

    def __call__(self, label):
        try:
            return self.canonical[label]
        except KeyError:
            raise BuildError(f"{label!r} is not an entity or alias; add it to ENTITIES") from None

    def ultimate(self, name):
        seen = [name]
        while self.parent[seen[-1]] is not None:
            nxt = self.parent[seen[-1]]
            if nxt in seen:
                raise BuildError(f"parent cycle {seen + [nxt]}")
            seen.append(nxt)
        return seen[-1]


def check_vocab(values, allowed, what):
    bad = sorted({v for v in values if v is not None and v not in allowed})
    if bad:
        raise BuildError(f"unknown {what}: {bad}")


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------
def build_entities(resolver):
    rows = []
    for name, kind, parent, since, aliases, note in ENTITIES:
        rows.append({
            "entity": name,
            "kind": kind,
            "parent": parent,
            "ultimate_parent": resolver.ultimate(name),
            "parent_since": None if since is None else dt.date.fromisoformat(since),
            "aliases": ";".join(aliases) if aliases else None,
            "note": blank(note),
        })
    rows.sort(key=lambda r: r["entity"])
    schema = pa.schema([
        ("entity", pa.string(), False),
        ("kind", pa.string(), False),
        ("parent", pa.string()),
        ("ultimate_parent", pa.string(), False),
        ("parent_since", pa.date32()),
        ("aliases", pa.string()),
        ("note", pa.string()),
    ])
    return rows, schema


def build_market_shares(resolver):
    src = read_csv("ai_market_shares.csv")
    check_vocab([r["row_kind"] for r in src], ROW_KINDS, "row_kind")
    check_vocab([r["confidence"] for r in src], CONFIDENCE, "confidence")
    check_vocab([r["series_vintage"] for r in src], VINTAGE_ORDER, "series_vintage")
    rows = []
    for r in src:
        market = r["market_id"]
        for (mid, col, val), new in MARKET_SPLITS.items():
            if r["market_id"] == mid and r[col] == val:
                market = new
        start, end = period_bounds(r["period"], r["period_type"])
        if r["row_kind"] == "firm":
            firm = resolver(r["firm"])
            parent = resolver.ultimate(firm)
            if blank(r["parent_company"]) is not None \
                    and resolver(r["parent_company"]) != parent:
                raise BuildError(f"parent of {firm!r}: source says {r['parent_company']!r}, "
                                 f"entities say {parent!r}")
        else:
            firm, parent = r["firm"], None
        alt = ALTERNATIVE_SHARES.get((r["market_id"], r["period"], r["firm"]))
        rows.append({
            "market": market,
            "period": r["period"],
            "firm": firm,
            "parent": parent,
            "share": to_float(r["share_pct"], 100.0),
            "share_published": to_float(r["share_pct"], 100.0),
            "rounding_adjusted": False,
            "row_kind": r["row_kind"],
            "lower_bound": None,  # filled below
            "listed_share": None,
            "series_vintage": r["series_vintage"],
            "latest_vintage": None,
            "share_alt": None if alt is None else alt[0] / 100.0,
            "share_alt_source": None if alt is None else alt[1],
            "share_note": blank(r["share_note"]),
            "period_type": r["period_type"],
            "period_start": start,
            "period_end": end,
            "market_name": r["market"],
            "metric": r["metric"],
            "geography": r["geography"],
            "research_firm": r["research_firm"],
            "product": blank(r["product"]),
            "firm_as_published": r["firm"],
            "firm_revenue_usd_bn": to_float(r["firm_revenue_usd_bn"]),
            "market_size_usd_bn": to_float(r["market_size_usd_bn"]),
            "source_market_id": r["market_id"],
            "source_ref": r["source"],
            "source_url": blank(r["source_url"]),
            "confidence": r["confidence"],
        })
    # Published figures are rounded; where a group's firm and "others" rows add up to
    # more than 100%, share = published / group total (flagged, published kept).
    published = {}
    for r in rows:
        if r["row_kind"] != "aggregate" and r["share"] is not None:
            key = (r["market"], r["period"], r["series_vintage"])
            published[key] = published.get(key, 0.0) + r["share_published"]
    for r in rows:
        total = published.get((r["market"], r["period"], r["series_vintage"]), 0.0)
        if r["row_kind"] != "aggregate" and r["share"] is not None and total > 1.0 + 1e-12:
            if total > 1.0 + SUM_TOLERANCE + 1e-9:
                raise BuildError(f"published shares of {r['market']} {r['period']} sum to "
                                 f"{total:.4f}, more than rounding explains")
            r["share"] = r["share_published"] / total
            r["rounding_adjusted"] = True
    # latest vintage per (market, period); coverage per (market, period, vintage)
    latest = {}
    for r in rows:
        key = (r["market"], r["period"])
        latest[key] = max(latest.get(key, -1), VINTAGE_ORDER[r["series_vintage"]])
    listed = {}
    for r in rows:
        key = (r["market"], r["period"], r["series_vintage"])
        if r["row_kind"] == "firm" and r["share"] is not None:
            listed[key] = listed.get(key, 0.0) + r["share"]
    for r in rows:
        r["latest_vintage"] = VINTAGE_ORDER[r["series_vintage"]] == latest[(r["market"],
                                                                             r["period"])]
        total = listed.get((r["market"], r["period"], r["series_vintage"]), 0.0)
        r["listed_share"] = round(total, 12)
        r["lower_bound"] = total < 1.0 - SUM_TOLERANCE
    # integrity: one row per (market, period, vintage, firm) among firm rows; sums <= 1
    seen = set()
    sums = {}
    for r in rows:
        key = (r["market"], r["period"], r["series_vintage"], r["firm"])
        if key in seen:
            raise BuildError(f"duplicate share row {key}")
        seen.add(key)
        if r["row_kind"] != "aggregate" and r["share"] is not None:
            gk = key[:3]
            sums[gk] = sums.get(gk, 0.0) + r["share"]
    over = {k: v for k, v in sums.items() if v > 1.0 + 1e-9}
    if over:
        raise BuildError(f"share groups above one: {over}")
    kind_order = {k: i for i, k in enumerate(ROW_KINDS)}
    rows.sort(key=lambda r: (r["market"], r["period_start"], r["period_end"], r["period"],
                             VINTAGE_ORDER[r["series_vintage"]], kind_order[r["row_kind"]],
                             -(r["share"] if r["share"] is not None else -1.0), r["firm"]))
    schema = pa.schema([
        ("market", pa.string(), False),
        ("period", pa.string(), False),
        ("firm", pa.string(), False),
        ("parent", pa.string()),
        ("share", pa.float64()),
        ("share_published", pa.float64()),
        ("rounding_adjusted", pa.bool_(), False),
        ("row_kind", pa.string(), False),
        ("lower_bound", pa.bool_(), False),
        ("listed_share", pa.float64(), False),
        ("series_vintage", pa.string(), False),
        ("latest_vintage", pa.bool_(), False),
        ("share_alt", pa.float64()),
        ("share_alt_source", pa.string()),
        ("share_note", pa.string()),
        ("period_type", pa.string(), False),
        ("period_start", pa.date32(), False),
        ("period_end", pa.date32(), False),
        ("market_name", pa.string(), False),
        ("metric", pa.string(), False),
        ("geography", pa.string(), False),
        ("research_firm", pa.string(), False),
        ("product", pa.string()),
        ("firm_as_published", pa.string(), False),
        ("firm_revenue_usd_bn", pa.float64()),
        ("market_size_usd_bn", pa.float64()),
        ("source_market_id", pa.string(), False),
        ("source_ref", pa.string(), False),
        ("source_url", pa.string()),
        ("confidence", pa.string(), False),
    ])
    return rows, schema


def build_partnerships(resolver):
    src = read_csv("ai_partnerships.csv")
    check_vocab([r["relationship_type"] for r in src], RELATIONSHIP_KINDS, "relationship_type")
    check_vocab([t for r in src for t in r["also_types"].split(";") if t], ALSO_TYPES,
                "also_types")
    check_vocab([r["confidence"] for r in src], CONFIDENCE, "confidence")
    rows = []
    for r in src:
        start, start_prec = parse_partial_date(r["announced_date"])
        if r["end_date"]:
            end, end_prec = parse_partial_date(r["end_date"], end=True)
        else:
            end, end_prec = None, None
        rows.append({
            "edge_id": r["edge_id"],
            "source": resolver(r["firm_a"]),
            "target": resolver(r["firm_b"]),
            "kind": r["relationship_type"],
            "also_types": blank(r["also_types"]),
            "directed": r["relationship_type"] not in UNDIRECTED_KINDS,
            "start": start,
            "start_precision": start_prec,
            "start_as_published": r["announced_date"],
            "end": end,
            "end_precision": end_prec,
            "end_as_published": blank(r["end_date"]),
            "status": blank(r["status"]),
            "amount_usd": to_float(r["amount_usd"]),
            "amount_note": blank(r["amount_note"]),
            "description": r["description"],
            "source_kind": r["firm_a_kind"],
            "target_kind": r["firm_b_kind"],
            "source_as_published": r["firm_a"],
            "target_as_published": r["firm_b"],
            "source_ref": r["source"],
            "source_url": blank(r["source_url"]),
            "confidence": r["confidence"],
        })
    if len({r["edge_id"] for r in rows}) != len(rows):
        raise BuildError("duplicate edge_id")
    rows.sort(key=lambda r: r["edge_id"])
    schema = pa.schema([
        ("edge_id", pa.string(), False),
        ("source", pa.string(), False),
        ("target", pa.string(), False),
        ("kind", pa.string(), False),
        ("also_types", pa.string()),
        ("directed", pa.bool_(), False),
        ("start", pa.date32(), False),
        ("start_precision", pa.string(), False),
        ("start_as_published", pa.string(), False),
        ("end", pa.date32()),
        ("end_precision", pa.string()),
        ("end_as_published", pa.string()),
        ("status", pa.string()),
        ("amount_usd", pa.float64()),
        ("amount_note", pa.string()),
        ("description", pa.string(), False),
        ("source_kind", pa.string(), False),
        ("target_kind", pa.string(), False),
        ("source_as_published", pa.string(), False),
        ("target_as_published", pa.string(), False),
        ("source_ref", pa.string(), False),
        ("source_url", pa.string()),
        ("confidence", pa.string(), False),
    ])
    return rows, schema


def build_ownership(resolver):
    src = read_csv("ai_ownership.csv")
    check_vocab([r["stake_status"] for r in src], STAKE_STATUSES, "stake_status")
    check_vocab([r["confidence"] for r in src], CONFIDENCE, "confidence")
    rows = []
    for i, r in enumerate(src, start=1):
        text = r["as_of_date"]
        as_of, prec = parse_partial_date(text)
        approximate = bool(re.search(r"undated|c\.", text))
        rows.append({
            "stake_id": f"S{i:03d}",
            "owner": resolver(r["owner"]),
            "firm": resolver(r["firm"]),
            "as_of": as_of,
            "as_of_precision": prec + ("_approximate" if approximate else ""),
            "as_of_as_published": text,
            "cash_flow": to_float(r["economic_stake_pct"], 100.0),
            "control": to_float(r["voting_stake_pct"], 100.0),
            "stake_status": r["stake_status"],
            "owner_type": r["owner_type"],
            "firm_listed": r["firm_listed"],
            "owner_as_published": r["owner"],
            "firm_as_published": r["firm"],
            "stake_note": blank(r["stake_note"]),
            "control_note": blank(r["control_note"]),
            "source_ref": r["source"],
            "source_url": blank(r["source_url"]),
            "confidence": r["confidence"],
        })
    for r in rows:
        for col in ("cash_flow", "control"):
            v = r[col]
            if v is not None and not 0.0 <= v <= 1.0:
                raise BuildError(f"{col} {v} outside [0, 1] in {r['stake_id']}")
    schema = pa.schema([
        ("stake_id", pa.string(), False),
        ("owner", pa.string(), False),
        ("firm", pa.string(), False),
        ("as_of", pa.date32(), False),
        ("as_of_precision", pa.string(), False),
        ("as_of_as_published", pa.string(), False),
        ("cash_flow", pa.float64()),
        ("control", pa.float64()),
        ("stake_status", pa.string(), False),
        ("owner_type", pa.string(), False),
        ("firm_listed", pa.string(), False),
        ("owner_as_published", pa.string(), False),
        ("firm_as_published", pa.string(), False),
        ("stake_note", pa.string()),
        ("control_note", pa.string()),
        ("source_ref", pa.string(), False),
        ("source_url", pa.string()),
        ("confidence", pa.string(), False),
    ])
    return rows, schema


PROVENANCE = {
    "ai_market_shares": {
        "title": "Market shares in cloud infrastructure, AI chips, model APIs and AI chatbots, "
                 "2018-2026, by research firm",
        "source_file": "sources/ai_market_shares.csv",
        "units": {"share": "fraction of the market (0-1)", "share_published": "fraction",
                  "listed_share": "fraction",
                  "share_alt": "fraction", "firm_revenue_usd_bn": "US$ billions",
                  "market_size_usd_bn": "US$ billions", "period_start": "date",
                  "period_end": "date"},
        "notes": "One market per research firm and definition (column market). Rows with "
                 "row_kind 'others' or 'aggregate' are not firms. lower_bound is true where "
                 "the named firms cover less than 99% of the market (top-N data): indices over "
                 "them are lower bounds. Conflicting vintages are kept; latest_vintage marks "
                 "the latest release per (market, period). Where rounded published figures of a "
                 "group add up to more than 100%, share is rescaled to sum to one "
                 "(rounding_adjusted; the published figure is in share_published).",
    },
    "ai_partnerships": {
        "title": "Alliances, investments, supply and membership ties among AI-industry "
                 "organisations, 2014-2025 (one row per directed edge)",
        "source_file": "sources/ai_partnerships.csv",
        "units": {"amount_usd": "US dollars", "start": "date", "end": "date (inclusive)"},
        "notes": "source supplies target (capital, compute, chips, a model, membership); "
                 "research_collaboration edges are undirected. Imprecise dates: start is the "
                 "first day and end the last day of the stated month or year; the original "
                 "text and precision are kept.",
    },
    "ai_ownership": {
        "title": "Ownership stakes in AI labs and listed technology firms (cash-flow and "
                 "voting shares), 2014-2025",
        "source_file": "sources/ai_ownership.csv",
        "units": {"cash_flow": "fraction of cash-flow rights (0-1)",
                  "control": "fraction of voting rights (0-1)", "as_of": "date"},
        "notes": "stake_status 'reported_terms' (profit-sharing terms) and 'contingent' "
                 "(unexercised warrant) are not share ownership: exclude them before an MHHI. "
                 "Percentages come from different dates and sources and need not sum to one "
                 "per firm. Imprecise as_of dates map to the first day of the stated period.",
    },
    "entities": {
        "title": "Canonical names, aliases, kinds and ultimate parents of every organisation "
                 "in the AI-industry datasets",
        "source_file": None,
        "units": {"parent_since": "date"},
        "notes": "Every firm, owner, source and target in the other three tables is an entity. "
                 "ultimate_parent follows parent links to the top (an entity without a parent "
                 "is its own ultimate parent). Parents are recorded only where the source files "
                 "state them.",
    },
}


def provenance(name):
    meta = PROVENANCE[name]
    prov = {
        "dataset": name,
        "title": meta["title"],
        "source": ("Hand-compiled from public press releases, news articles, blogs and "
                   "aggregator pages; each row names its source and confidence "
                   "(verified = the originator's own text, reported = second-hand)."),
        "citation": f"antitrust-concentration bundled dataset '{name}'; cite the originator "
                    "named in each row.",
        "licence": LICENCE,
        "notes": meta["notes"],
        "units": meta["units"],
        "build": "datasets/build.py",
    }
    if meta["source_file"] is not None:
        path = os.path.join(HERE, meta["source_file"])
        prov["source_file"] = meta["source_file"]
        prov["source_sha256"] = sha256(path)
    return prov


def to_table(rows, schema, prov):
    arrays = [pa.array([r[f.name] for r in rows], type=f.type) for f in schema]
    table = pa.Table.from_arrays(arrays, schema=schema)
    blob = json.dumps(prov, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return table.replace_schema_metadata({PROVENANCE_KEY: blob})


def write(table, path):
    """Write one table with fixed writer options (deterministic bytes)."""
    pq.write_table(table, path, compression="none", use_dictionary=True,
                   write_statistics=True, version="2.6", data_page_version="1.0",
                   row_group_size=1 << 20, store_schema=True)


def build_tables():
    """Return ``{name: pyarrow.Table}`` for the four datasets."""
    resolver = Resolver(ENTITIES)
    builders = {
        "ai_market_shares": build_market_shares,
        "ai_partnerships": build_partnerships,
        "ai_ownership": build_ownership,
        "entities": build_entities,
    }
    tables = {}
    for name in DATASETS:
        rows, schema = builders[name](resolver)
        tables[name] = to_table(rows, schema, provenance(name))
    return tables


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=HERE,
                        help="output directory (default: the datasets/ folder)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    try:
        tables = build_tables()
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    for name, table in tables.items():
        path = os.path.join(args.out, f"{name}.parquet")
        write(table, path)
        print(f"{path}: {table.num_rows} rows, sha256 {sha256(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
