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
    ("Google", "company", "Alphabet", "2015-10-02",
     ("Google Cloud", "GCP", "Google Cloud Platform", "Google Inc.", "Google LLC"),
     "Google and Google Cloud; Synergy, Canalys and Gartner report Google Cloud as 'Google'. "
     "A subsidiary of Alphabet since the holding-company reorganisation completed on "
     "2015-10-02 (Alphabet Inc., Form 8-K12B filed with the SEC on 2015-10-02; announced "
     "on the Google blog, 'G is for Google', 2015-08-10); the top company before that."),
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
    # Canalys' full-year 2019 figures overlap its 2019 quarters: a year is its own series.
    ("cloud_infra_canalys", "period_type", "year"): "cloud_infra_canalys_annual",
}

#: Row sets that are not a market (``is_market`` false): the data card explains why.
#: ``dc_segment_rev_peerset`` divides each firm's data-center *segment* revenue (CPUs,
#: networking and more) by the three firms' total; it leaves out Broadcom, Google's
#: TPUs and every other accelerator (sources/README.md, "Caveats").
NOT_MARKETS = ("dc_segment_rev_peerset",)

#: Firms not reported in a period although another source shows them in the market then
#: (added to the interior gaps ``build_market_shares`` finds): (market, period) -> firms.
#: Synergy 2019Q4 and 2020Q1 list Amazon and Microsoft only; Google Cloud had 6% of the
#: same market in both quarters per Canalys (rows cloud_infra_canalys 2019Q4, 2020Q1).
KNOWN_UNREPORTED = {
    ("cloud_infra_synergy", "2019Q4"): ("Google",),
    ("cloud_infra_synergy", "2020Q1"): ("Google",),
}

# ---------------------------------------------------------------------------
# Corrections.  The raw CSV files stay as compiled; every change the build makes to
# a row is listed here with the note or source it rests on, checked against the raw
# value (a changed raw table stops the build) and written to the row's ``correction``
# column.  The dataset cards list them again.
# ---------------------------------------------------------------------------
_NO_CONTROL_PBC = ("S001 control_note: 'no control; the OpenAI Foundation controls the PBC "
                   "board' (CNBC, 2025-10-28, quoting Microsoft/OpenAI statements)")
_NONPROFIT_GP = ("S006 control_note: 'no control (nonprofit general partner controlled the "
                 "entity)'; S008: 'control via the nonprofit general partner' (Clubic, "
                 "2023-01, citing Semafor)")

#: stake_id -> ((column, raw value, corrected value), ...), reason.
OWNERSHIP_CORRECTIONS = {
    "S001": ((("control", None, 0.0),),
             "control 0 (was null): " + _NO_CONTROL_PBC + "; encoded like S009 (no votes = 0)"),
    "S002": ((("control", None, 0.0), ("valid_until", None, "2025-10-27")),
             "control 0 (was null): before the recapitalisation the for-profit was controlled "
             "by the nonprofit general partner, " + _NONPROFIT_GP + "; valid_until 2025-10-27: "
             "replaced by S001 at the 2025-10-28 recapitalisation (CNBC, 2025-10-28)"),
    "S003": ((("control", None, 1.0),),
             "control 1 (was null): the Foundation 'controls the PBC (appoints its board)' "
             "(S003 control_note; CNBC, 2025-10-28, quoting OpenAI)"),
    "S004": ((("control", None, 0.0),),
             "control 0 (was null): the OpenAI Foundation controls the PBC board "
             "(" + _NO_CONTROL_PBC + "). The 47% residual was computed before SoftBank's "
             "stake was itemised and includes it: from 2025-12 the residual is S080"),
    "S005": ((("control", None, 0.0),),
             "control 0 (was null): the OpenAI Foundation controls the PBC board "
             "(" + _NO_CONTROL_PBC + ")"),
    "S006": ((("control", None, 0.0), ("valid_until", None, "2025-10-27")),
             "control 0 (was null): control_note 'no control (nonprofit general partner "
             "controlled the entity)'; valid_until 2025-10-27: the capped-profit terms ended "
             "with the 2025-10-28 recapitalisation (partnerships E004 ends 2025-10-28; CNBC, "
             "2025-10-28)"),
    "S007": ((("control", None, 0.0), ("valid_until", None, "2025-10-27")),
             "control 0 (was null): the nonprofit general partner controlled the entity "
             "(" + _NONPROFIT_GP + "); valid_until 2025-10-27: terms ended with the "
             "2025-10-28 recapitalisation"),
    "S008": ((("control", None, 1.0), ("valid_until", None, "2025-10-27")),
             "control 1 (was null): control_note 'control via the nonprofit general "
             "partner'; valid_until 2025-10-27: terms ended with the 2025-10-28 "
             "recapitalisation (the Foundation's stake is S003 from then)"),
    "S010": ((("control", None, 0.0),),
             "control 0 (was null): control_note 'minority investor without control' "
             "(WallStreetPit and Quartz, 2024-11-22). cash_flow stays null: the size of the "
             "stake is undisclosed in every source of the raw tables"),
    "S012": ((("control", None, 0.0),),
             "control 0 (was null): control_note 'minority; Scale remains independent'; "
             "stake_note: some reports say the stake carries no voting rights (AP via Star "
             "Tribune, 2025-06-13; Dawn Liphardt)"),
    "S026": ((("cash_flow_alt", None, 0.0725),
              ("cash_flow_alt_source", None, "TMGM market commentary, undated (2025): 538.9M "
                                             "shares (raw row S030, dropped)")),
             "one row per (owner, firm, as_of): S030 (TMGM, 'undated (2025)', 7.25%) gave a "
             "second BlackRock-Microsoft figure for 2025; kept here as cash_flow_alt. S026 is "
             "kept because it is dated (2025) and comes from the same compilation as the other "
             "2025 Microsoft holders (CoinCodex: Vanguard, Ballmer, Gates; shares outstanding "
             "7.433B), so the 2025 snapshot is one source's"),
}

#: Raw ownership rows dropped (their figure lives on in another row): stake_id -> reason.
OWNERSHIP_DROPPED = {
    "S030": "duplicate (BlackRock, Microsoft, 2025) figure; kept as cash_flow_alt of S026",
}

#: Ownership rows the build adds (not in the raw table), with their derivation.
OWNERSHIP_ADDED = [
    {"stake_id": "S080", "owner": "Employees and other investors (aggregate)",
     "firm": "OpenAI Group PBC", "as_of_date": "2025-12", "economic_stake_pct": 36.0,
     "control": 0.0, "stake_status": "held", "owner_type": "aggregate",
     "firm_listed": "private",
     "stake_note": "residual after Microsoft (~27%, S001), the OpenAI Foundation (26%, S003) "
                   "and SoftBank (~11%, S005): the 47% residual of 2025-10-28 (S004) less "
                   "SoftBank's stake, which it included; assumes the 27% and 26% (reported on "
                   "an as-converted, diluted basis) still hold",
     "control_note": "no control; the OpenAI Foundation controls the PBC board",
     "source": "derived from CNBC, 2025-10-28 (S004) and EconoTimes citing CNBC, 2025-12 (S005)",
     "source_url": "", "confidence": "reported",
     "correction": "added: 100% - 27% - 26% - 11% = 36%, so that OpenAI's end-2025 stakes "
                   "(27% + 26% + 47% + 11% = 111% in the raw table) no longer count SoftBank "
                   "twice"},
]

#: edge_id -> ((column, raw value, corrected value), ...), reason.
PARTNERSHIP_CORRECTIONS = {
    "E024": ((("amount_usd", 22.4e9, 10.5e9),
              ("amount_note", "cumulative value including the March 2025 contract",
               "incremental: about $4B (May 2025) plus up to $6.5B (Sept 2025); total "
               "contract value about $22.4B including the March 2025 contract (E022, "
               "$11.9B)")),
             "amount_usd made incremental: the $22.4B published is cumulative and includes "
             "E022's $11.9B; $22.4B - $11.9B = $10.5B = the $4B + $6.5B expansions the "
             "description names (Reuters, 2025-09-25, via AnyFans News)"),
}

#: Edges the build adds (not in the raw table): one deal term with its own dates.
PARTNERSHIPS_ADDED = [
    {"edge_id": "E151", "firm_a": "Microsoft", "firm_a_kind": "company", "firm_b": "OpenAI",
     "firm_b_kind": "company", "relationship_type": "cloud_compute_supply", "also_types": "",
     "description": "Azure as OpenAI's exclusive cloud provider: agreed with the 2019 "
                    "investment (E001), kept in the 2023 extension (E004), replaced for new "
                    "compute by a Microsoft right of first refusal on 2025-01-21 (E005)",
     "announced_date": "2019-07-22", "amount_usd": "", "amount_note": "",
     "status": "ended (replaced by a right of first refusal)", "end_date": "2025-01-21",
     "source": "Fortune, 2019-07-22 https://fortune.com/2019/07/22/microsoft-openai-partnership "
               "(E001); Los Angeles Times, 2023-01-23 (E004); ITBear, 2025-01-22, summarising "
               "Microsoft's announcement (E005)",
     "source_url": "https://fortune.com/2019/07/22/microsoft-openai-partnership",
     "confidence": "reported", "exclusive": True,
     "correction": "added: the exclusivity was only in the descriptions of E001 and E004 and "
                   "the also_types of E001/E004 (cloud_compute_supply, without an end); its "
                   "own row carries its dates"},
]

#: Edges whose description states an exclusive term (``exclusive`` true).
EXCLUSIVE_EDGES = ("E002",)

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
    # Firms not reported in a period: listed (with a share, latest release) in an earlier
    # and in a later period of the same market but not in this one.  Top-N releases drop
    # firms that are still in the market (Synergy 2023Q1-Q3 give Amazon only as a 32-34%
    # band), so their absence is "not reported", never exit and re-entry.
    listed_in = {}
    spans = {}
    for r in rows:
        key = (r["market"], r["period"])
        spans[key] = (r["period_start"], r["period_end"])
        if r["row_kind"] == "firm" and r["share"] is not None and r["latest_vintage"]:
            listed_in.setdefault(key, set()).add(r["firm"])
    unreported = {}
    for (market, period), (start, end) in spans.items():
        before, after = set(), set()
        for (m2, p2), (s2, e2) in spans.items():
            if m2 != market:
                continue
            if e2 < start:
                before |= listed_in.get((m2, p2), set())
            elif s2 > end:
                after |= listed_in.get((m2, p2), set())
        missing = (before & after | set(KNOWN_UNREPORTED.get((market, period), ()))) \
            - listed_in.get((market, period), set())
        unreported[(market, period)] = ";".join(sorted(missing)) if missing else None
    for key in list(NOT_MARKETS) + [k[0] for k in KNOWN_UNREPORTED]:
        if key not in {m for m, _ in spans}:
            raise BuildError(f"unknown market {key!r} in NOT_MARKETS or KNOWN_UNREPORTED")
    for r in rows:
        r["unreported_firms"] = unreported[(r["market"], r["period"])]
        r["lower_bound"] = r["listed_share"] < 1.0 - SUM_TOLERANCE or \
            r["unreported_firms"] is not None
        r["is_market"] = r["market"] not in NOT_MARKETS
        if r["period_start"] > r["period_end"]:
            raise BuildError(f"{r['market']} {r['period']} ends before it starts")
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
        ("is_market", pa.bool_(), False),
        ("period", pa.string(), False),
        ("firm", pa.string(), False),
        ("parent", pa.string()),
        ("share", pa.float64()),
        ("share_published", pa.float64()),
        ("rounding_adjusted", pa.bool_(), False),
        ("row_kind", pa.string(), False),
        ("lower_bound", pa.bool_(), False),
        ("listed_share", pa.float64(), False),
        ("unreported_firms", pa.string()),
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
    for r in src:
        r["exclusive"] = r["edge_id"] in EXCLUSIVE_EDGES
        r["correction"] = ""
    src += [dict(a) for a in PARTNERSHIPS_ADDED]
    check_vocab([r["relationship_type"] for r in src], RELATIONSHIP_KINDS, "relationship_type")
    check_vocab([t for r in src for t in r["also_types"].split(";") if t], ALSO_TYPES,
                "also_types")
    check_vocab([r["confidence"] for r in src], CONFIDENCE, "confidence")
    order = {k: i for i, k in enumerate(ALSO_TYPES)}
    for r in src:
        # also_types: one separator (";", no spaces), no repeats, not the main kind,
        # in vocabulary order; anything else in the raw table stops the build.
        kinds = r["also_types"].split(";") if r["also_types"] else []
        clean = sorted(set(kinds), key=order.__getitem__)
        if kinds != clean or r["relationship_type"] in kinds:
            raise BuildError(f"also_types of {r['edge_id']} not in canonical form: "
                             f"{r['also_types']!r}")
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
            "exclusive": r["exclusive"],
            "description": r["description"],
            "source_kind": r["firm_a_kind"],
            "target_kind": r["firm_b_kind"],
            "source_as_published": r["firm_a"],
            "target_as_published": r["firm_b"],
            "correction": blank(r["correction"]),
            "source_ref": r["source"],
            "source_url": blank(r["source_url"]),
            "confidence": r["confidence"],
        })
    if len({r["edge_id"] for r in rows}) != len(rows):
        raise BuildError("duplicate edge_id")
    _apply_corrections(rows, "edge_id", PARTNERSHIP_CORRECTIONS, "edge")
    for r in rows:
        if r["end"] is not None and r["end"] < r["start"]:
            raise BuildError(f"{r['edge_id']} ends before it starts")
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
        ("exclusive", pa.bool_(), False),
        ("description", pa.string(), False),
        ("source_kind", pa.string(), False),
        ("target_kind", pa.string(), False),
        ("source_as_published", pa.string(), False),
        ("target_as_published", pa.string(), False),
        ("correction", pa.string()),
        ("source_ref", pa.string(), False),
        ("source_url", pa.string()),
        ("confidence", pa.string(), False),
    ])
    return rows, schema


def _apply_corrections(rows, key, corrections, what):
    """Apply ``corrections`` (id -> ((column, raw, new), ...), reason) to ``rows``."""
    by_id = {r[key]: r for r in rows}
    for rid, (changes, reason) in corrections.items():
        if rid not in by_id:
            raise BuildError(f"correction of unknown {what} {rid}")
        row = by_id[rid]
        for col, raw, new in changes:
            if row[col] != raw:
                raise BuildError(f"{what} {rid}: {col} is {row[col]!r}, the correction "
                                 f"expects {raw!r}; review the correction")
            row[col] = new
        row["correction"] = reason


def _date_or_none(text):
    return None if text is None else dt.date.fromisoformat(text)


def holdings_snapshot(rows, date, statuses=("held",)):
    """{firm: {owner: cash_flow}} of the latest row per (owner, firm) on or before ``date``.

    Rows with ``valid_until`` before ``date`` have ended and count for nothing; rows
    whose status is not in ``statuses`` are dropped first (as ``load(held_only=True)``).
    """
    latest = {}
    for r in rows:
        if r["stake_status"] not in statuses or r["as_of"] > date:
            continue
        key = (r["owner"], r["firm"])
        if key not in latest or (r["as_of"], r["stake_id"]) > (latest[key]["as_of"],
                                                                 latest[key]["stake_id"]):
            latest[key] = r
    out = {}
    for (owner, firm), r in latest.items():
        if r["valid_until"] is not None and r["valid_until"] < date:
            continue
        if r["cash_flow"] is not None:
            out.setdefault(firm, {})[owner] = r["cash_flow"]
    return out


def quarter_ends(first_year, last_year):
    return [last_day(y, m) for y in range(first_year, last_year + 1) for m in (3, 6, 9, 12)]


def build_ownership(resolver):
    src = read_csv("ai_ownership.csv")
    check_vocab([r["stake_status"] for r in src], STAKE_STATUSES, "stake_status")
    check_vocab([r["confidence"] for r in src], CONFIDENCE, "confidence")
    for i, r in enumerate(src, start=1):
        r["stake_id"] = f"S{i:03d}"
        r["correction"] = ""
        r["control"] = to_float(r["voting_stake_pct"], 100.0)
        r["economic_stake_pct"] = to_float(r["economic_stake_pct"])
    src = [r for r in src if r["stake_id"] not in OWNERSHIP_DROPPED]
    src += [dict(a) for a in OWNERSHIP_ADDED]
    rows = []
    for r in src:
        text = r["as_of_date"]
        as_of, prec = parse_partial_date(text)
        approximate = bool(re.search(r"undated|c\.", text))
        pct = r["economic_stake_pct"]
        rows.append({
            "stake_id": r["stake_id"],
            "owner": resolver(r["owner"]),
            "firm": resolver(r["firm"]),
            "as_of": as_of,
            "as_of_precision": prec + ("_approximate" if approximate else ""),
            "as_of_as_published": text,
            "valid_until": None,
            "cash_flow": None if pct is None else pct / 100.0,
            "control": r["control"],
            "cash_flow_alt": None,
            "cash_flow_alt_source": None,
            "stake_status": r["stake_status"],
            "owner_type": r["owner_type"],
            "firm_listed": r["firm_listed"],
            "owner_as_published": r["owner"],
            "firm_as_published": r["firm"],
            "stake_note": blank(r["stake_note"]),
            "control_note": blank(r["control_note"]),
            "correction": blank(r["correction"]),
            "source_ref": r["source"],
            "source_url": blank(r["source_url"]),
            "confidence": r["confidence"],
        })
    _apply_corrections(rows, "stake_id", OWNERSHIP_CORRECTIONS, "stake")
    for r in rows:
        r["valid_until"] = (_date_or_none(r["valid_until"]) if isinstance(r["valid_until"], str)
                            else r["valid_until"])
        for col in ("cash_flow", "control", "cash_flow_alt"):
            v = r[col]
            if v is not None and not 0.0 <= v <= 1.0:
                raise BuildError(f"{col} {v} outside [0, 1] in {r['stake_id']}")
        if r["valid_until"] is not None and r["valid_until"] < r["as_of"]:
            raise BuildError(f"{r['stake_id']} ends before its as_of date")
    # integrity: one row per (owner, firm, as_of); per firm, the cash-flow stakes of a
    # snapshot (latest row per pair, ended rows dropped) sum to at most one at every
    # quarter end, over held stakes and over every status.
    seen = {}
    for r in rows:
        key = (r["owner"], r["firm"], r["as_of"])
        if key in seen:
            raise BuildError(f"two stakes for {key}: {seen[key]} and {r['stake_id']}")
        seen[key] = r["stake_id"]
    for day in quarter_ends(2014, 2026):
        for statuses in (("held",), STAKE_STATUSES):
            for firm, stakes in holdings_snapshot(rows, day, statuses).items():
                if sum(stakes.values()) > 1.0 + 1e-9:
                    raise BuildError(f"stakes in {firm} on {day} sum to "
                                     f"{sum(stakes.values()):.4f}: {stakes}")
    rows.sort(key=lambda r: r["stake_id"])
    schema = pa.schema([
        ("stake_id", pa.string(), False),
        ("owner", pa.string(), False),
        ("firm", pa.string(), False),
        ("as_of", pa.date32(), False),
        ("as_of_precision", pa.string(), False),
        ("as_of_as_published", pa.string(), False),
        ("valid_until", pa.date32()),
        ("cash_flow", pa.float64()),
        ("control", pa.float64()),
        ("cash_flow_alt", pa.float64()),
        ("cash_flow_alt_source", pa.string()),
        ("stake_status", pa.string(), False),
        ("owner_type", pa.string(), False),
        ("firm_listed", pa.string(), False),
        ("owner_as_published", pa.string(), False),
        ("firm_as_published", pa.string(), False),
        ("stake_note", pa.string()),
        ("control_note", pa.string()),
        ("correction", pa.string()),
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
                 "(rounding_adjusted; the published figure is in share_published). "
                 "unreported_firms names firms in the market that a top-N release left out "
                 "(not exits). is_market is false for a row set that is not a market "
                 "(dc_segment_rev_peerset): leave it out of concentration tables.",
    },
    "ai_partnerships": {
        "title": "Alliances, investments, supply and membership ties among AI-industry "
                 "organisations, 2014-2025 (one row per directed edge)",
        "source_file": "sources/ai_partnerships.csv",
        "units": {"amount_usd": "US dollars (incremental)", "start": "date",
                  "end": "date (inclusive)"},
        "notes": "source supplies target (capital, compute, chips, a model, membership); "
                 "research_collaboration edges are undirected. Imprecise dates: start is the "
                 "first day and end the last day of the stated month or year; the original "
                 "text and precision are kept. amount_usd is incremental (this deal or "
                 "tranche only). also_types: ';'-separated further kinds from a fixed "
                 "vocabulary. exclusive: the tie's description states an exclusive term. "
                 "correction names every change the build made to a raw row.",
    },
    "ai_ownership": {
        "title": "Ownership stakes in AI labs and listed technology firms (cash-flow and "
                 "voting shares), 2014-2025",
        "source_file": "sources/ai_ownership.csv",
        "units": {"cash_flow": "fraction of cash-flow rights (0-1)",
                  "control": "fraction of control rights (0-1)",
                  "cash_flow_alt": "fraction of cash-flow rights (0-1)", "as_of": "date",
                  "valid_until": "date (inclusive)"},
        "notes": "stake_status 'reported_terms' (profit-sharing terms) and 'contingent' "
                 "(unexercised warrant) are not share ownership: exclude them before an MHHI. "
                 "Percentages come from different dates and sources and need not sum to one "
                 "per firm. Imprecise as_of dates map to the first day of the stated period. "
                 "control is the holder's fraction of the firm's control rights: the stated "
                 "voting share, 1 for the holder that controls the firm (appoints its board), "
                 "0 where the notes say no control or another holder controls; null where "
                 "unknown. valid_until is the last day of a stake that ended. At most one row "
                 "per (owner, firm, as_of); each firm's snapshot sums to at most one. "
                 "correction names every change the build made to a raw row.",
    },
    "entities": {
        "title": "Canonical names, aliases, kinds and ultimate parents of every organisation "
                 "in the AI-industry datasets",
        "source_file": None,
        "units": {"parent_since": "date"},
        "notes": "Every firm, owner, source and target in the other three tables is an entity. "
                 "ultimate_parent follows parent links to the top (an entity without a parent "
                 "is its own ultimate parent). Parents are recorded only where the source files "
                 "state them; parent_since is the first day of the link (Google -> Alphabet "
                 "from 2015-10-02), null where the link holds for the whole period covered.",
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
