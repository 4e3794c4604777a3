"""Registry of merger-guideline concentration screens, as data with citations.

Each record is one jurisdiction x edition: the document's title, issuer, date,
the concentration zones it defines and the structural rules (presumptions, safe
harbours, screens) it states, each with the section or paragraph it comes from
and the boundary semantics exactly as written ("more than" is ``>``, "not more
than" is ``<=``, "between X and Y" is inclusive).  Nothing in the screening code
contains a threshold: :func:`concentration.screen_merger` reads them from here.

Keys are the lowercase jurisdiction code plus the edition year:

=============  ==============================================================
``us2023``     U.S. DOJ & FTC, Merger Guidelines (18 Dec 2023), s. 2.1
``us2010``     U.S. DOJ & FTC, Horizontal Merger Guidelines (19 Aug 2010), s. 5.3
``us1992``     U.S. DOJ & FTC, Horizontal Merger Guidelines (2 Apr 1992, rev. 1997), s. 1.51
``us1982``     U.S. DOJ, Merger Guidelines (14 Jun 1982; thresholds kept in 1984), s. III.A
``eu2004``     European Commission, Horizontal Merger Guidelines, OJ C 31, 5.2.2004, paras 17-21
``jp2007``     JFTC, Business Combination Guidelines, HHI criteria introduced by the 2007 revision
``usbank1995`` U.S. DOJ and banking agencies, Bank Merger Competitive Review (1995), Screen A
=============  ==============================================================

Comparisons are made with a small tolerance so that inputs such as 0.3 and 0.25,
which are not exact in binary floating point, hit a boundary exactly as written:
an index within :data:`HHI_TOLERANCE` points (a share within
:data:`SHARE_TOLERANCE`) of a threshold counts as equal to it.

References
----------
.. [MG23] U.S. Department of Justice and Federal Trade Commission (2023). Merger
   Guidelines, 18 December 2023, Section 2.1 (Guideline 1).
.. [HMG10] U.S. Department of Justice and Federal Trade Commission (2010). Horizontal
   Merger Guidelines, 19 August 2010, Section 5.3.
.. [HMG92] U.S. Department of Justice and Federal Trade Commission (1992, revised
   1997). Horizontal Merger Guidelines, Section 1.51.
.. [MG82] U.S. Department of Justice (1982). Merger Guidelines, 47 Fed. Reg. 28,493
   (June 30, 1982), Section III.A; Merger Guidelines (1984), Section 3.11.
.. [EU04] European Commission (2004). Guidelines on the assessment of horizontal
   mergers under the Council Regulation on the control of concentrations between
   undertakings, OJ C 31, 5.2.2004, p. 5-18, paragraphs 17-21.
.. [JFTC] Japan Fair Trade Commission. Guidelines to Application of the
   Antimonopoly Act Concerning Review of Business Combination (2004; HHI criteria
   since the 2007 revision), Part IV.1(3).
.. [BANK95] U.S. Department of Justice, Federal Reserve Board, OCC, FDIC (1995).
   Bank Merger Competitive Review -- Introduction and Overview, Screen A.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ._validation import did_you_mean, param_message
from .exceptions import InvalidParameterError

__all__ = [
    "Condition",
    "Rule",
    "Zone",
    "Guideline",
    "VERDICTS",
    "METRICS",
    "HHI_TOLERANCE",
    "SHARE_TOLERANCE",
    "GUIDELINES",
    "get_guideline",
    "list_guidelines",
    "resolve_guidelines",
    "classify",
    "to_markdown",
    "UnilateralStatement",
    "UNILATERAL_STATEMENTS",
    "get_unilateral_statement",
]

#: Index values within this many points of a threshold count as equal to it.
HHI_TOLERANCE = 1e-6
#: Shares (fractions) within this distance of a threshold count as equal to it.
SHARE_TOLERANCE = 1e-9

#: Stable verdict codes, their severity (higher is more concerning) and meaning.
VERDICTS = {
    "presumed_anticompetitive": (4, "the text presumes the merger anticompetitive (or illegal)"),
    "likely_challenge": (4, "the agency states it is likely to challenge the merger"),
    "potential_concern": (3, "the text says the merger potentially raises significant "
                             "competitive concerns / warrants further review"),
    "outside_safe_harbour": (2, "outside every safe harbour the text states; no presumption"),
    "no_presumption": (2, "no structural presumption applies; the text states no safe harbour"),
    "not_addressed": (2, "the combination falls in a gap the text does not address "
                         "(e.g. a change of exactly the threshold where both sides are strict)"),
    "unlikely_concern": (1, "the text says adverse effects are unlikely / no further analysis"),
    "safe_harbour": (0, "inside a safe harbour stated by the text"),
    "no_overlap": (0, "the merging parties do not both sell in this market"),
}

#: Metrics a condition may test and their unit.
METRICS = {
    "post_hhi": "points",
    "delta_hhi": "points",
    "pre_hhi": "points",
    "combined_share": "fraction",
    "max_party_share": "fraction",
    "min_party_share": "fraction",
    "leading_party_share": "fraction",
}

_OPS = (">", ">=", "<", "<=")
_OP_TEXT = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


@dataclass(frozen=True)
class Condition:
    """One comparison ``metric op value``; ``value`` in points or as a fraction."""

    metric: str
    op: str
    value: float

    def __post_init__(self):
        if self.metric not in METRICS or self.op not in _OPS:
            raise InvalidParameterError(f"Bad condition {self.metric!r} {self.op!r}.")

    def evaluate(self, metrics: dict) -> np.ndarray:
        """Boolean array: the condition holds (False where the metric is NaN)."""
        x = np.asarray(metrics[self.metric], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            return self._compare(x)

    def _compare(self, x) -> np.ndarray:
        """:meth:`evaluate` on the float64 array ``x`` of the metric (under the
        caller's ``np.errstate(invalid="ignore")``)."""
        eps = HHI_TOLERANCE if METRICS[self.metric] == "points" else SHARE_TOLERANCE
        if self.op == ">":
            return x > self.value + eps
        if self.op == ">=":
            return x >= self.value - eps
        if self.op == "<":
            return x < self.value - eps
        return x <= self.value + eps

    def describe(self) -> str:
        """The condition as written, e.g. ``'ΔHHI > 100'``."""
        if METRICS[self.metric] == "fraction":
            val = f"{100 * self.value:g}%"
        else:
            val = f"{self.value:,.0f}"
        name = {"post_hhi": "HHI", "delta_hhi": "ΔHHI", "pre_hhi": "pre-merger HHI",
                "combined_share": "combined share", "max_party_share": "a party's share",
                "min_party_share": "smaller party's share",
                "leading_party_share": "leading party's share"}[self.metric]
        return f"{name} {_OP_TEXT[self.op]} {val}"


def _c(metric, op, value):
    return Condition(metric, op, float(value))


@dataclass(frozen=True)
class Rule:
    """A structural rule: when every condition holds, the text gives ``verdict``.

    ``unchecked`` lists conditions of the text that market shares alone cannot
    check (entry, innovation, maverick, cross-shareholdings, ...): the verdict is
    stated subject to them.
    """

    id: str
    verdict: str
    conditions: tuple
    section: str
    text: str
    unchecked: tuple = ()

    def describe(self) -> str:
        """The rule's conditions joined with "and"."""
        return " and ".join(c.describe() for c in self.conditions)


@dataclass(frozen=True)
class Zone:
    """A post-merger concentration zone ``low op_low HHI op_high high`` (None = open)."""

    name: str
    low: float | None
    low_op: str
    high: float | None
    high_op: str
    section: str

    def mask(self, post_hhi) -> np.ndarray:
        """Boolean array: which post-merger HHI values (points) fall in this zone."""
        x = np.asarray(post_hhi, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            return self._mask(x)

    @cached_property
    def _bounds(self) -> tuple:
        """The zone's bounds as conditions on the post-merger HHI."""
        return tuple(Condition("post_hhi", op, v) for op, v in
                     ((self.low_op, self.low), (self.high_op, self.high)) if v is not None)

    def _mask(self, x) -> np.ndarray:
        """:meth:`mask` of the float64 array ``x`` (under ``np.errstate(invalid="ignore")``)."""
        out = np.isfinite(x)
        for cond in self._bounds:
            out &= cond._compare(x)
        return out


@dataclass(frozen=True)
class Guideline:
    """One jurisdiction x edition of merger guidelines, as data.

    Rules are evaluated in order; the first whose conditions all hold gives the
    verdict.  When none holds, ``default_verdict`` applies (the text's silence).
    """

    key: str
    jurisdiction: str
    edition: int
    title: str
    issuer: str
    date: str
    section: str
    url: str
    status: str
    zones: tuple
    rules: tuple
    default_verdict: str
    default_text: str
    share_basis: str = ""
    notes: tuple = field(default_factory=tuple)
    #: Texts read to check the thresholds, boundaries and dates: ``(url, finding)`` pairs.
    checked_against: tuple = field(default_factory=tuple)

    def citation(self, section=None) -> str:
        """Short citation: issuer, title, date, section."""
        return f"{self.issuer}, {self.title} ({self.date}), {section or self.section}"

    def thresholds(self) -> dict:
        """The HHI and ΔHHI thresholds (points) of this guideline, each sorted ascending.

        Returns
        -------
        dict
            ``{"hhi": [...], "delta": [...]}``: the bounds of the HHI zones and the HHI
            values named by the rules, and the ΔHHI values named by the rules.

        Examples
        --------
        >>> get_guideline("us2023").thresholds()
        {'hhi': [1800.0], 'delta': [100.0]}
        """
        hs, ds = set(), set()
        for z in self.zones:
            hs.update(float(v) for v in (z.low, z.high) if v is not None)
        for r in self.rules:
            for c in r.conditions:
                if c.metric == "post_hhi":
                    hs.add(float(c.value))
                elif c.metric == "delta_hhi":
                    ds.add(float(c.value))
        return {"hhi": sorted(hs), "delta": sorted(ds)}

    def zone_of(self, hhi) -> np.ndarray:
        """The name of the zone each HHI value (points) falls in ("" for none), as objects."""
        x = np.atleast_1d(np.asarray(hhi, dtype=np.float64))
        with np.errstate(invalid="ignore"):
            return self._zone_of(x)

    def _zone_of(self, x) -> np.ndarray:
        zone = np.full(x.shape[0], "", dtype=object)
        for z in reversed(self.zones):
            zone[z._mask(x)] = z.name
        return zone

    @cached_property
    def _texts(self) -> tuple:
        """The default rule and citation, and ``(verdict, rule, citation, unchecked)``
        of each rule: the texts :meth:`classify` writes (made once per record)."""
        return (f"{self.key}: {self.default_text}", self.citation(),
                tuple((r.verdict, f"{self.key} {r.id}: {r.describe()}",
                       self.citation(r.section), "; ".join(r.unchecked)) for r in self.rules))

    def classify(self, metrics: dict):
        """Vectorised verdicts for arrays of metrics (see :func:`classify`).

        Returns ``(zone, verdict, rule, citation, unchecked)`` as object arrays.
        """
        with np.errstate(invalid="ignore"):
            zone = self._zone_of(np.atleast_1d(np.asarray(metrics["post_hhi"],
                                                          dtype=np.float64)))
            n = zone.shape[0]
            default_rule, default_cite, texts = self._texts
            verdict = np.full(n, self.default_verdict, dtype=object)
            rule = np.full(n, default_rule, dtype=object)
            cite = np.full(n, default_cite, dtype=object)
            unchecked = np.full(n, "", dtype=object)
            done = np.zeros(n, dtype=bool)
            values = {}
            for r, (r_verdict, r_rule, r_cite, r_unchecked) in zip(self.rules, texts):
                hit = ~done
                for cond in r.conditions:
                    x = values.get(cond.metric)
                    if x is None:
                        x = values[cond.metric] = np.asarray(metrics[cond.metric],
                                                             dtype=np.float64)
                    hit &= cond._compare(x)
                if hit.any():
                    verdict[hit] = r_verdict
                    rule[hit] = r_rule
                    cite[hit] = r_cite
                    unchecked[hit] = r_unchecked
                    done |= hit
        return zone, verdict, rule, cite, unchecked

    def classify_one(self, metrics: dict) -> tuple:
        """:meth:`classify` of one market: ``metrics`` maps each metric to a float.

        The same zones and rules, read in the same order with the same comparisons
        (:meth:`Condition._compare` on a float is the comparison of the float64
        array); a NaN metric satisfies no condition and is in no zone.  Returns
        ``(zone, verdict, rule, citation, unchecked)`` as str.  A screen of one small
        market reads its verdicts this way, without arrays.
        """
        x = metrics["post_hhi"]
        zone = ""
        if math.isfinite(x):
            for z in self.zones:
                for cond in z._bounds:
                    if not cond._compare(x):
                        break
                else:
                    zone = z.name
                    break
        default_rule, default_cite, texts = self._texts
        for r, (r_verdict, r_rule, r_cite, r_unchecked) in zip(self.rules, texts):
            for cond in r.conditions:
                if not cond._compare(metrics[cond.metric]):
                    break
            else:
                return zone, r_verdict, r_rule, r_cite, r_unchecked
        return zone, self.default_verdict, default_rule, default_cite, ""


# ---------------------------------------------------------------------------
# The registry

_US2023 = Guideline(
    key="us2023", jurisdiction="us", edition=2023, title="Merger Guidelines",
    issuer="U.S. Department of Justice and Federal Trade Commission", date="2023-12-18",
    section="§2.1 (Guideline 1)",
    url="https://www.justice.gov/atr/merger-guidelines",
    status="in force",
    zones=(Zone("highly_concentrated", 1800, ">", None, "", "§2.1"),
           Zone("not_highly_concentrated", None, "", 1800, "<=", "§2.1")),
    rules=(
        Rule("HHI", "presumed_anticompetitive",
             (_c("post_hhi", ">", 1800), _c("delta_hhi", ">", 100)), "§2.1 (Guideline 1)",
             "Markets with an HHI greater than 1,800 are highly concentrated, and a change of "
             "more than 100 is a significant increase; such a merger is presumed to "
             "substantially lessen competition or tend to create a monopoly."),
        Rule("share", "presumed_anticompetitive",
             (_c("combined_share", ">", 0.30), _c("delta_hhi", ">", 100)), "§2.1 (Guideline 1)",
             "A merger that creates a firm with a share over thirty percent is also presumed "
             "to substantially lessen competition or tend to create a monopoly if it also "
             "involves an increase in HHI of more than 100 points."),
    ),
    default_verdict="no_presumption",
    default_text="no structural presumption under Guideline 1 (the 2023 text states no safe "
                 "harbour)",
    share_basis="shares of the relevant market (§4.4); units, revenue or capacity as the "
                "market requires",
    notes=("The presumption is rebuttable (§3); the guidelines state no safe harbour.",),
    checked_against=(
        ("https://www.justice.gov/atr/merger-guidelines/applying-merger-guidelines/guideline-1",
         "s. 2.1 heading 'Guideline 1: Mergers Raise a Presumption of Illegality When They "
         "Significantly Increase Concentration in a Highly Concentrated Market' and the HHI "
         "definition read; the threshold sentences were read as quoted elsewhere: 'Markets "
         "with an HHI greater than 1,800 are highly concentrated, and a change of more than "
         "100 points is a significant increase' (strict '>' on both, as encoded)"),
        ("http://webiis06.mondaq.com/unitedstates/antitrust-eu-competition-/1405530/",
         "law-firm summary of the final 2023 text: HHI 1,800 / change 100 and a combined-"
         "share presumption at 30% with a change of 100; it paraphrases the share test as "
         "'30% or more', the text's 'over thirty percent' (strict '>') is kept"),
    ),
)

_US2010 = Guideline(
    key="us2010", jurisdiction="us", edition=2010, title="Horizontal Merger Guidelines",
    issuer="U.S. Department of Justice and Federal Trade Commission", date="2010-08-19",
    section="§5.3", url="https://www.justice.gov/atr/horizontal-merger-guidelines-08192010",
    status="superseded by us2023 (2023-12-18)",
    zones=(Zone("unconcentrated", None, "", 1500, "<", "§5.3"),
           Zone("moderately_concentrated", 1500, ">=", 2500, "<=", "§5.3"),
           Zone("highly_concentrated", 2500, ">", None, "", "§5.3")),
    rules=(
        Rule("highly>200", "presumed_anticompetitive",
             (_c("post_hhi", ">", 2500), _c("delta_hhi", ">", 200)), "§5.3",
             "Mergers resulting in highly concentrated markets that involve an increase in the "
             "HHI of more than 200 points will be presumed to be likely to enhance market power."),
        Rule("highly100-200", "potential_concern",
             (_c("post_hhi", ">", 2500), _c("delta_hhi", ">=", 100), _c("delta_hhi", "<=", 200)),
             "§5.3",
             "Highly concentrated markets with an increase of between 100 and 200 points "
             "potentially raise significant competitive concerns and often warrant scrutiny."),
        Rule("moderately>100", "potential_concern",
             (_c("post_hhi", ">=", 1500), _c("post_hhi", "<=", 2500), _c("delta_hhi", ">", 100)),
             "§5.3",
             "Moderately concentrated markets with an increase of more than 100 points "
             "potentially raise significant competitive concerns and often warrant scrutiny."),
        Rule("small-change", "unlikely_concern", (_c("delta_hhi", "<", 100),), "§5.3",
             "Mergers involving an increase in the HHI of less than 100 points are unlikely to "
             "have adverse competitive effects and ordinarily require no further analysis."),
        Rule("unconcentrated", "unlikely_concern", (_c("post_hhi", "<", 1500),), "§5.3",
             "Mergers resulting in unconcentrated markets are unlikely to have adverse "
             "competitive effects and ordinarily require no further analysis."),
    ),
    default_verdict="not_addressed",
    default_text="moderately concentrated with ΔHHI exactly 100: §5.3 says 'less than 100' "
                 "and 'more than 100'",
    share_basis="shares of the relevant market (§5.2)",
    checked_against=(
        ("https://9dok.net/document/zlg2n5r2-horizontal-merger-guidelines.html",
         "2010 text, issued 2010-08-19, table of contents: s. 5.3 Market Concentration at "
         "p. 18 (the section body could not be read here)"),
        ("https://www.investopedia.com/video/play/herfindahlhirschman-index-hhi/",
         "secondary: 1,500-2,500 moderately, above 2,500 highly concentrated, 200-point "
         "increase; consistent with the encoded thresholds, boundaries not verifiable there"),
    ),
)

_US1992 = Guideline(
    key="us1992", jurisdiction="us", edition=1992, title="Horizontal Merger Guidelines",
    issuer="U.S. Department of Justice and Federal Trade Commission",
    date="1992-04-02 (revised 1997-04-08)", section="§1.51",
    url="https://www.justice.gov/atr/hmerger/11250.htm",
    status="superseded by us2010 (2010-08-19)",
    zones=(Zone("unconcentrated", None, "", 1000, "<", "§1.51(a)"),
           Zone("moderately_concentrated", 1000, ">=", 1800, "<=", "§1.51(b)"),
           Zone("highly_concentrated", 1800, ">", None, "", "§1.51(c)")),
    rules=(
        Rule("highly>100", "presumed_anticompetitive",
             (_c("post_hhi", ">", 1800), _c("delta_hhi", ">", 100)), "§1.51(c)",
             "Where the post-merger HHI exceeds 1800, it will be presumed that mergers "
             "producing an increase in the HHI of more than 100 points are likely to create "
             "or enhance market power or facilitate its exercise."),
        Rule("highly>50", "potential_concern",
             (_c("post_hhi", ">", 1800), _c("delta_hhi", ">", 50)), "§1.51(c)",
             "Increases of more than 50 points in highly concentrated markets potentially "
             "raise significant competitive concerns."),
        Rule("highly<50", "unlikely_concern",
             (_c("post_hhi", ">", 1800), _c("delta_hhi", "<", 50)), "§1.51(c)",
             "Increases of less than 50 points, even in highly concentrated markets, are "
             "unlikely to have adverse competitive consequences."),
        Rule("moderately>100", "potential_concern",
             (_c("post_hhi", ">=", 1000), _c("post_hhi", "<=", 1800), _c("delta_hhi", ">", 100)),
             "§1.51(b)",
             "Increases of more than 100 points in moderately concentrated markets potentially "
             "raise significant competitive concerns."),
        Rule("moderately<100", "unlikely_concern",
             (_c("post_hhi", ">=", 1000), _c("post_hhi", "<=", 1800), _c("delta_hhi", "<", 100)),
             "§1.51(b)",
             "Increases of less than 100 points in moderately concentrated markets are "
             "unlikely to have adverse competitive consequences."),
        Rule("unconcentrated", "unlikely_concern", (_c("post_hhi", "<", 1000),), "§1.51(a)",
             "Mergers resulting in unconcentrated markets are unlikely to have adverse "
             "competitive effects and ordinarily require no further analysis."),
    ),
    default_verdict="not_addressed",
    default_text="ΔHHI exactly 50 (highly) or exactly 100 (moderately): §1.51 says 'less than' "
                 "and 'more than'",
    share_basis="shares of the relevant market (§1.41)",
    checked_against=(
        ("https://industrialorganization.blogspot.com",
         "s. 1.51(a)-(c) reproduced: below 1000 unconcentrated; between 1000 and 1800 with "
         "'less than 100' / 'more than 100'; above 1800 with 'less than 50' / 'more than 50' "
         "-- matches the encoded zones and strict boundaries"),
        ("https://brainmass.com/economics/regulated-industries/pricing-analysis-organizational-architecture-economics-70503",
         "s. 1.51(c) presumption reproduced: 'likely to create or enhance market power or "
         "facilitate its exercise' for an increase of more than 100 points in a highly "
         "concentrated market -- matches rule highly>100"),
        ("http://connectbrevard.org/knowledgebase/detail.php?category=9&linkID=604&xrefID=3246",
         "DOJ HHI explainer citing s. 1.51: 1000-1800 moderately, in excess of 1800 "
         "concentrated, more than 100 points presumptively raise concerns"),
    ),
)

_US1982 = Guideline(
    key="us1982", jurisdiction="us", edition=1982, title="Merger Guidelines",
    issuer="U.S. Department of Justice", date="1982-06-14", section="§III.A",
    url="https://www.justice.gov/archives/atr/1982-merger-guidelines",
    status="superseded (1984 revision kept these thresholds in §3.11; replaced in 1992)",
    zones=(Zone("unconcentrated", None, "", 1000, "<", "§III.A.1(a)"),
           Zone("moderately_concentrated", 1000, ">=", 1800, "<=", "§III.A.1(b)"),
           Zone("highly_concentrated", 1800, ">", None, "", "§III.A.1(c)")),
    rules=(
        Rule("leading-firm", "likely_challenge",
             (_c("leading_party_share", ">=", 0.35), _c("min_party_share", ">=", 0.01)),
             "§III.A.2",
             "The Department is likely to challenge the merger of any firm with a market share "
             "of at least 1 percent with the leading firm in the market, provided the leading "
             "firm has a market share that is at least 35 percent."),
        Rule("highly>50", "likely_challenge",
             (_c("post_hhi", ">", 1800), _c("delta_hhi", ">", 50)), "§III.A.1(c)",
             "Highly concentrated: likely to challenge increases of more than 50 points "
             "(only in extraordinary cases not when the increase exceeds 100 and the HHI "
             "substantially exceeds 1800).",
             ("unless the factors of §III.C show the merger is not likely substantially to "
              "lessen competition",)),
        Rule("highly<50", "unlikely_concern",
             (_c("post_hhi", ">", 1800), _c("delta_hhi", "<", 50)), "§III.A.1(c)",
             "Highly concentrated: unlikely to challenge increases of less than 50 points."),
        Rule("moderately>100", "likely_challenge",
             (_c("post_hhi", ">=", 1000), _c("post_hhi", "<=", 1800), _c("delta_hhi", ">", 100)),
             "§III.A.1(b)",
             "Moderately concentrated: likely to challenge increases of more than 100 points.",
             ("unless the factors of §III.C show the merger is not likely substantially to "
              "lessen competition",)),
        Rule("moderately<100", "unlikely_concern",
             (_c("post_hhi", ">=", 1000), _c("post_hhi", "<=", 1800), _c("delta_hhi", "<", 100)),
             "§III.A.1(b)",
             "Moderately concentrated: unlikely to challenge increases of less than 100 points."),
        Rule("unconcentrated", "unlikely_concern", (_c("post_hhi", "<", 1000),), "§III.A.1(a)",
             "Post-merger HHI below 1000: the Department is unlikely to challenge."),
    ),
    default_verdict="not_addressed",
    default_text="ΔHHI exactly 50 (highly) or exactly 100 (moderately): the text says "
                 "'less than' and 'more than'",
    share_basis="shares of the relevant market (§II.C)",
    notes=("Key us1982 covers the 1982 Guidelines and the 1984 revision (§3.11), which kept "
           "the 1000/1800 and 50/100 thresholds and the leading-firm proviso (§3.12).",),
    checked_against=(
        ("https://www.justice.gov/archives/atr/1982-merger-guidelines",
         "not read here: the 1982/1984 text could not be retrieved with the tools "
         "available; thresholds unchanged from the earlier record"),
    ),
)

_EU_EXCEPTIONS = (
    "(a) a party is a potential entrant or a recent entrant with a small market share",
    "(b) a party is an important innovator in ways not reflected in market shares",
    "(c) significant cross-shareholdings among market participants",
    "(d) a party is a maverick firm likely to disrupt coordinated conduct",
    "(e) indications of past or ongoing coordination, or facilitating practices",
)

_EU2004 = Guideline(
    key="eu2004", jurisdiction="eu", edition=2004,
    title="Guidelines on the assessment of horizontal mergers under the Council Regulation on "
          "the control of concentrations between undertakings (OJ C 31, 5.2.2004, p. 5)",
    issuer="European Commission", date="2004-02-05", section="paras 17-21",
    url="https://eur-lex.europa.eu/legal-content/EN/ALL/?uri=CELEX:52004XC0205(02)",
    status="in force",
    zones=(Zone("hhi_below_1000", None, "", 1000, "<", "para 19"),
           Zone("hhi_1000_2000", 1000, ">=", 2000, "<=", "para 20"),
           Zone("hhi_above_2000", 2000, ">", None, "", "para 20")),
    rules=(
        Rule("share>=50%", "potential_concern", (_c("combined_share", ">=", 0.50),), "para 17",
             "Very large market shares, 50% or more, may in themselves be evidence of the "
             "existence of a dominant market position."),
        Rule("share<=25%", "safe_harbour", (_c("combined_share", "<=", 0.25),), "para 18",
             "Where the market share of the undertakings concerned does not exceed 25%, the "
             "concentration is presumed not liable to impede effective competition "
             "(recital 32 of Regulation 139/2004)."),
        Rule("hhi<1000", "safe_harbour", (_c("post_hhi", "<", 1000),), "para 19",
             "The Commission is unlikely to identify horizontal competition concerns in a "
             "market with a post-merger HHI below 1 000."),
        Rule("1000-2000,delta<250", "safe_harbour",
             (_c("post_hhi", ">=", 1000), _c("post_hhi", "<=", 2000), _c("delta_hhi", "<", 250),
              _c("max_party_share", "<", 0.50)), "para 20",
             "Post-merger HHI between 1 000 and 2 000 and a delta below 250: unlikely to "
             "identify concerns, except in special circumstances (para 20(a)-(f)); exception "
             "(f), a party with a pre-merger share of 50% or more, is checked.",
             _EU_EXCEPTIONS),
        Rule(">2000,delta<150", "safe_harbour",
             (_c("post_hhi", ">", 2000), _c("delta_hhi", "<", 150),
              _c("max_party_share", "<", 0.50)), "para 20",
             "Post-merger HHI above 2 000 and a delta below 150: unlikely to identify concerns, "
             "except in special circumstances (para 20(a)-(f)); exception (f) is checked.",
             _EU_EXCEPTIONS),
    ),
    default_verdict="outside_safe_harbour",
    default_text="outside the para 18-20 indications; para 21: the levels do not give rise "
                 "to a presumption of concerns",
    share_basis="shares of the relevant market (paras 14-15), usually by sales value or volume",
    notes=("Para 21: HHI levels give no presumption either way; exceeding them calls for "
           "analysis.",),
    checked_against=(
        ("http://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=LEGISSUM:l26107&from=DA",
         "EUR-Lex summary: document OJ C 31, 5.2.2004, pp. 5-18, applies since 5 February "
         "2004 -- matches date and citation"),
        ("https://www.vogel-vogel.com/faq-items/hhi-herfindahl-hirschman-index-fr-eu/?lang=en",
         "secondary summary of paras 19-20: below 1,000; 1,000-2,000 with delta below 250; "
         "above 2,000 with delta below 150 -- matches; the para 20(a)-(f) exceptions were "
         "not re-read here"),
    ),
)

_JP2007 = Guideline(
    key="jp2007", jurisdiction="jp", edition=2007,
    title="Guidelines to Application of the Antimonopoly Act Concerning Review of Business "
          "Combination",
    issuer="Japan Fair Trade Commission", date="2004-05-31, HHI criteria from the 2007 revision",
    section="Part IV.1(3)", url="https://www.jftc.go.jp/en/legislation_gls/imonopoly_guidelines.html",
    status="in force (HHI criteria retained by the 2011 and 2019 revisions)",
    zones=(Zone("hhi_at_most_1500", None, "", 1500, "<=", "Part IV.1(3)(a)"),
           Zone("hhi_1500_2500", 1500, ">", 2500, "<=", "Part IV.1(3)(b)"),
           Zone("hhi_above_2500", 2500, ">", None, "", "Part IV.1(3)(c)")),
    rules=(
        Rule("a", "safe_harbour", (_c("post_hhi", "<=", 1500),), "Part IV.1(3)(a)",
             "HHI after the business combination is not more than 1,500."),
        Rule("b", "safe_harbour",
             (_c("post_hhi", ">", 1500), _c("post_hhi", "<=", 2500), _c("delta_hhi", "<=", 250)),
             "Part IV.1(3)(b)",
             "HHI after the combination more than 1,500 and not more than 2,500, with an "
             "increment of not more than 250."),
        Rule("c", "safe_harbour", (_c("post_hhi", ">", 2500), _c("delta_hhi", "<=", 150)),
             "Part IV.1(3)(c)",
             "HHI after the combination more than 2,500, with an increment of not more than 150."),
        Rule("2500/35%", "unlikely_concern",
             (_c("post_hhi", "<=", 2500), _c("combined_share", "<=", 0.35)), "Part IV.1(3)",
             "HHI not more than 2,500 and the combined group's share not more than 35%: the "
             "possibility of substantially restraining competition is usually small."),
    ),
    default_verdict="outside_safe_harbour",
    default_text="outside the Part IV.1(3) safe-harbour criteria; a full review follows",
    share_basis="shares of the particular field of trade (Part III), by sales quantity or value",
    notes=("The 2004 guidelines used share-based criteria; the HHI criteria encoded here were "
           "introduced by the 2007 revision (hence key jp2007) and kept in later editions.",),
    checked_against=(
        ("http://webiis06.mondaq.com/x/46090/Antitrust+Competition/JFTC+Proposes+Important+Changes+To+Japans+Merger+Guidelines",
         "draft revision published 2007-01-31 introduces the HHI safe harbours: HHI 1,500 or "
         "less; between 1,500 and 2,500 with an increase not greater than 250; more than "
         "2,500 with an increase of 150 or less -- matches rules a-c and their boundaries; "
         "key jp2007 is the edition of these thresholds"),
        ("https://www.lexology.com/library/detail.aspx?g=e4ce8964-0e49-4a5e-8484-b97a39b40a99",
         "the amendments were adopted (HHI replaces share-based criteria); the 2,500/35% "
         "criterion and later editions were not re-read here"),
    ),
)

_USBANK1995 = Guideline(
    key="usbank1995", jurisdiction="usbank", edition=1995,
    title="Bank Merger Competitive Review -- Introduction and Overview",
    issuer="U.S. Department of Justice, Federal Reserve Board, OCC and FDIC", date="1995",
    section="Screen A", url="https://www.justice.gov/atr/public/guidelines/6472.htm",
    status="DOJ withdrew from the 1995 guidelines on 2024-09-17 and applies the 2023 Merger "
           "Guidelines with a Banking Addendum; the FDIC and OCC issued new policy statements "
           "the same day and the Federal Reserve issued no new guidance",
    zones=(Zone("above_1800", 1800, ">", None, "", "Screen A"),
           Zone("at_most_1800", None, "", 1800, "<=", "Screen A")),
    rules=(
        Rule("1800/200", "potential_concern",
             (_c("post_hhi", ">", 1800), _c("delta_hhi", ">", 200)), "Screen A",
             "A post-merger HHI over 1800 with an increase of more than 200 exceeds the screen; "
             "applicants may provide additional information (Section 2).",
             ("computed on deposits in Federal Reserve predefined markets, thrift deposits "
              "weighted 50%",)),
    ),
    default_verdict="unlikely_concern",
    default_text="screen not exceeded: the banking agencies are unlikely to review the "
                 "competitive effects further",
    share_basis="deposits (thrift deposits at 50%) in Federal Reserve banking markets",
    checked_against=(
        ("https://paulweiss.com/practices/transactional/financial-services/publications/doj-fdic-and-occ-update-approaches-to-bank-merger-review?id=54628",
         "on 2024-09-17 the DOJ withdrew from the 1995 Bank Merger Guidelines and issued a "
         "Banking Addendum to the 2023 Merger Guidelines; FDIC and OCC issued new policy "
         "statements; the Federal Reserve issued no new guidance"),
        ("https://legalnewsline.com/stories/664337041-justice-department-withdraws-from-1995-bank-merger-guidelines",
         "DOJ announcement: the 2023 Merger Guidelines are its sole statement; the banking "
         "agencies 'may use their own methods for screening'. The 1,800/200 screen text was "
         "not re-read here"),
    ),
)

#: The registry, keyed ``<jurisdiction><edition>``.
GUIDELINES = {g.key: g for g in (_US2023, _US2010, _US1992, _US1982, _EU2004, _JP2007,
                                 _USBANK1995)}


def get_guideline(key) -> Guideline:
    """Return the :class:`Guideline` record for ``key`` (e.g. ``"us2023"``).

    Parameters
    ----------
    key : str or Guideline
        Registry key (case-insensitive); a record is returned unchanged.

    Returns
    -------
    Guideline
        The registry record.

    Examples
    --------
    >>> from concentration.guidelines import get_guideline
    >>> g = get_guideline("us2010")
    >>> g.rules[0].describe()
    'HHI > 2,500 and ΔHHI > 200'
    """
    if isinstance(key, Guideline):
        return key
    if not isinstance(key, str) or key.lower() not in GUIDELINES:
        raise InvalidParameterError(param_message(
            "get_guideline", "guidelines", "one of {" + ", ".join(
                repr(k) for k in GUIDELINES) + "} or 'all'", key,
            (did_you_mean(key, GUIDELINES) + " " if isinstance(key, str) else "")
            + "See concentration.list_guidelines() for the registry."))
    return GUIDELINES[key.lower()]


def resolve_guidelines(guidelines, func="screen_merger") -> tuple:
    """Normalise ``"all"``, one key or a list of keys to a tuple of records.

    Parameters
    ----------
    guidelines : str, Guideline or list of them
        ``"all"``, one registry key or record, or a list of them.
    func : str, default "screen_merger"
        Name of the calling function, used in error messages.

    Returns
    -------
    tuple of Guideline
        The records, in the order given.
    """
    if isinstance(guidelines, str) and guidelines.lower() == "all":
        return tuple(GUIDELINES.values())
    if isinstance(guidelines, (str, Guideline)):
        keys = [guidelines]
    elif isinstance(guidelines, Iterable) and not isinstance(guidelines, (bytes, Mapping)):
        keys = list(guidelines)
    else:
        raise InvalidParameterError(param_message(
            func, "guidelines", "a key, a list of keys or 'all'", guidelines,
            "See concentration.list_guidelines()."))
    if not keys:
        raise InvalidParameterError(param_message(
            func, "guidelines", "a key, a list of keys or 'all'", guidelines))
    out = []
    for k in keys:
        try:
            out.append(get_guideline(k))
        except InvalidParameterError:
            raise InvalidParameterError(param_message(
                func, "guidelines", "one of {" + ", ".join(repr(k) for k in GUIDELINES)
                + "} or 'all'", k, (did_you_mean(k, GUIDELINES) + " " if isinstance(k, str)
                                    else "") + "See concentration.list_guidelines().")
            ) from None
    return tuple(dict.fromkeys(out))


def list_guidelines() -> pd.DataFrame:
    """The registry as a DataFrame: one row per rule of every guideline.

    Columns: ``key``, ``jurisdiction``, ``edition``, ``title``, ``issuer``, ``date``,
    ``status``, ``rule``, ``conditions`` (as written, with their boundary semantics),
    ``verdict``, ``section``, ``text``, ``not_checked`` (conditions shares cannot check).
    The default verdict (when no rule holds) is the row whose ``rule`` is ``"default"``.

    Returns
    -------
    pandas.DataFrame
        One row per rule, with the columns above.

    Examples
    --------
    >>> from concentration.guidelines import list_guidelines
    >>> t = list_guidelines()
    >>> t.loc[t["key"] == "us2023", "conditions"].tolist()[:2]
    ['HHI > 1,800 and ΔHHI > 100', 'combined share > 30% and ΔHHI > 100']
    """
    rows = []
    for g in GUIDELINES.values():
        base = {"key": g.key, "jurisdiction": g.jurisdiction, "edition": g.edition,
                "title": g.title, "issuer": g.issuer, "date": g.date, "status": g.status}
        for r in g.rules:
            rows.append({**base, "rule": r.id, "conditions": r.describe(), "verdict": r.verdict,
                         "section": r.section, "text": r.text,
                         "not_checked": "; ".join(r.unchecked)})
        rows.append({**base, "rule": "default", "conditions": "no rule above holds",
                     "verdict": g.default_verdict, "section": g.section,
                     "text": g.default_text, "not_checked": ""})
    return pd.DataFrame(rows)


def classify(post_hhi, delta_hhi, *, combined_share=np.nan, guidelines="us2023",
             max_party_share=np.nan, min_party_share=np.nan, leading_party_share=np.nan):
    """Verdicts from published indices (no shares needed), one row per input x guideline.

    Useful to check a court's or agency's reading of the guidelines from the HHI
    figures it published.  Missing metrics (NaN) make the rules that need them not
    fire.

    Parameters
    ----------
    post_hhi, delta_hhi : float or array_like
        Post-merger HHI and its change, in points.
    combined_share : float or array_like, optional
        Merged firm's share as a fraction.
    guidelines : str or list of str, default "us2023"
        Registry keys, or ``"all"``.
    max_party_share, min_party_share, leading_party_share : float or array_like, optional
        The larger and the smaller merging party's share, and the share of the
        party that leads the market, as fractions, for the rules that use them
        (the U.S. 1982 leading-firm proviso, EU 2004 para 20).

    Returns
    -------
    pandas.DataFrame
        Columns ``guideline``, ``post_hhi``, ``delta_hhi``, ``combined_share``,
        ``zone``, ``verdict``, ``rule``, ``citation``, ``not_checked``.

    Examples
    --------
    >>> from concentration.guidelines import classify
    >>> classify(5285, 510, guidelines="us2010")["verdict"].tolist()
    ['presumed_anticompetitive']
    """
    gl = resolve_guidelines(guidelines, "classify")
    metrics = {k: _metric_array(k, v) for k, v in
               {"post_hhi": post_hhi, "delta_hhi": delta_hhi, "combined_share": combined_share,
                "max_party_share": max_party_share, "min_party_share": min_party_share,
                "leading_party_share": leading_party_share}.items()}
    sizes = {v.size for v in metrics.values()} - {1}
    if len(sizes) > 1:
        raise InvalidParameterError(param_message(
            "classify", "post_hhi", "arrays of one length (or scalars) for every metric",
            {k: v.size for k, v in metrics.items()}, "Pass one value per merger in each."))
    n = sizes.pop() if sizes else 1
    metrics = {k: np.broadcast_to(v, (n,)) for k, v in metrics.items()}
    post, delta = metrics["post_hhi"], metrics["delta_hhi"]
    bad = delta > post + HHI_TOLERANCE
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(param_message(
            "classify", "delta_hhi", "at most post_hhi (the pre-merger HHI, post - delta, "
            "cannot be negative)", float(delta[i]),
            f"post_hhi is {post[i]:g} there; check that the two figures are not swapped."))
    metrics["pre_hhi"] = metrics["post_hhi"] - metrics["delta_hhi"]
    frames = []
    for g in gl:
        zone, verdict, rule, cite, unchecked = g.classify(metrics)
        frames.append(pd.DataFrame({
            "guideline": g.key, "post_hhi": metrics["post_hhi"],
            "delta_hhi": metrics["delta_hhi"], "combined_share": metrics["combined_share"],
            "zone": zone, "verdict": verdict, "rule": rule, "citation": cite,
            "not_checked": unchecked}))
    return pd.concat(frames, ignore_index=True)


_METRIC_RANGE = {"post_hhi": (0.0, 10_000.0, False), "delta_hhi": (0.0, 10_000.0, True),
                 "combined_share": (0.0, 1.0, True), "max_party_share": (0.0, 1.0, True),
                 "min_party_share": (0.0, 1.0, True), "leading_party_share": (0.0, 1.0, True)}


def _metric_array(name, value):
    """One metric of :func:`classify` as a 1-D float array, checked against its range.

    HHIs are points in [0, 10,000] and shares fractions in [0, 1] (within the
    boundary tolerances).  ``post_hhi`` is required: NaN there is refused, as are
    bools, text and complex numbers; the other metrics may be NaN (missing), which
    makes the rules that need them not fire.
    """
    low, high, nan_ok = _METRIC_RANGE[name]
    unit = "points" if high > 1 else "a fraction"
    arr = np.atleast_1d(np.asarray(value))
    if arr.ndim != 1 or arr.dtype.kind not in "iuf" or isinstance(value, bool):
        raise InvalidParameterError(param_message(
            "classify", name, f"a real number or 1-D array of them ({unit})", value,
            "Booleans, text and complex numbers are not HHIs or shares."))
    arr = arr.astype(np.float64)
    tol = HHI_TOLERANCE if high > 1 else SHARE_TOLERANCE
    bad = ~((arr >= low - tol) & (arr <= high + tol))
    if nan_ok:
        bad &= ~np.isnan(arr)
    if bad.any():
        got = float(arr[np.flatnonzero(bad)[0]])
        expected = (f"a number in [{low:g}, {high:,.0f}] (points)" if high > 1 else
                    f"a share in [{low:g}, {high:g}] (a fraction)")
        if not nan_ok:
            expected += ", not missing"
        raise InvalidParameterError(param_message(
            "classify", name, expected, got,
            "Shares are fractions (0.3 for 30%)." if high <= 1 else
            "HHIs are in points (0-10,000) and must be known."))
    return arr


def to_markdown() -> str:
    """The guideline table page (Markdown) generated from the registry.

    The documentation's guideline table (``docs/guideline-table.md``) is generated
    from it at every build; print it with
    ``python -c "import concentration.guidelines as g; print(g.to_markdown())"``.

    Returns
    -------
    str
        The page, in Markdown.
    """
    lines = ["# Merger-guideline screens", "",
             "<!-- Generated by concentration.guidelines.to_markdown(); do not edit by hand. -->",
             "",
             "Every structural rule the screen applies, read from the registry "
             "`concentration.guidelines`. Rules are evaluated top to bottom; the first whose "
             "conditions all hold gives the verdict, otherwise the default applies. "
             "Boundaries are as written: `>` for \"more than\", `≥` for \"at least\" or an "
             "inclusive \"between\", `≤` for \"not more than\"/\"does not exceed\". Values "
             f"within {HHI_TOLERANCE:g} points (shares within {SHARE_TOLERANCE:g}) of a "
             "threshold count as equal to it, so that inputs such as 0.3 and 0.25 reach a "
             "boundary exactly.", "",
             "## Verdict codes", "", "| code | severity | meaning |", "|---|---|---|"]
    for code, (sev, meaning) in VERDICTS.items():
        lines.append(f"| `{code}` | {sev} | {meaning} |")
    for g in GUIDELINES.values():
        lines += ["", f"## `{g.key}`: {g.title}", "",
                  f"- Issuer: {g.issuer}", f"- Date: {g.date}", f"- Section: {g.section}",
                  f"- Status: {g.status}", f"- Source: <{g.url}>",
                  f"- Share basis: {g.share_basis or 'relevant-market shares'}"]
        if g.zones:
            lines.append("- Zones (post-merger HHI): " + "; ".join(
                f"`{z.name}` ({_zone_text(z)})" for z in g.zones))
        for n in g.notes:
            lines.append(f"- Note: {n}")
        for url, finding in g.checked_against:
            lines.append(f"- Checked against <{url}>: {finding}")
        lines += ["", "| rule | conditions | verdict | section | not checkable from shares |",
                  "|---|---|---|---|---|"]
        for r in g.rules:
            lines.append(f"| {r.id} | {r.describe()} | `{r.verdict}` | {r.section} | "
                         f"{'; '.join(r.unchecked) or '-'} |")
        lines.append(f"| default | no rule above holds | `{g.default_verdict}` | {g.section} | "
                     f"{g.default_text} |")
    return "\n".join(lines) + "\n"


def _zone_text(z: Zone) -> str:
    parts = []
    if z.low is not None:
        parts.append(f"HHI {_OP_TEXT[z.low_op]} {z.low:,.0f}")
    if z.high is not None:
        parts.append(f"HHI {_OP_TEXT[z.high_op]} {z.high:,.0f}")
    return " and ".join(parts)


# ---------------------------------------------------------------------------
# Unilateral-effects statements (GUPPI / value of diverted sales), as data


@dataclass(frozen=True)
class UnilateralStatement:
    """What one guideline text says about the value of diverted sales (GUPPI).

    ``threshold`` is the GUPPI (a fraction of price) the text names, or None when
    it states the test without a number; ``verdict_above`` / ``verdict_below`` are
    the verdicts on either side (only used when a threshold is stated).  Read by
    :func:`concentration.unilateral_screen`.
    """

    key: str
    title: str
    issuer: str
    date: str
    section: str
    text: str
    threshold: float | None = None
    verdict_above: str = "above_threshold"
    verdict_below: str = "at_or_below_threshold"
    url: str = ""
    checked_against: tuple = field(default_factory=tuple)

    def citation(self) -> str:
        """Short citation: issuer, title, date, section."""
        return f"{self.issuer}, {self.title} ({self.date}), {self.section}"


#: Statements on the value of diverted sales, keyed as :data:`GUIDELINES`.  Neither
#: U.S. text names a GUPPI number: a threshold is added here only with the sentence
#: of an agency text that states it.
UNILATERAL_STATEMENTS = {
    "us2010": UnilateralStatement(
        key="us2010", title="Horizontal Merger Guidelines",
        issuer="U.S. Department of Justice and Federal Trade Commission", date="2010-08-19",
        section="§6.1",
        text="the value of diverted sales (diversion ratio times the margin of the product "
             "recaptured) measures the upward pricing pressure; if it is proportionately "
             "small, significant unilateral price effects are unlikely (no number is "
             "stated)",
        url="https://www.justice.gov/atr/horizontal-merger-guidelines-08192010"),
    "us2023": UnilateralStatement(
        key="us2023", title="Merger Guidelines",
        issuer="U.S. Department of Justice and Federal Trade Commission", date="2023-12-18",
        section="§2.2 (Guideline 2)",
        text="diversion ratios and the margins of the products recaptured are evidence of "
             "substantial head-to-head competition between the parties (no GUPPI "
             "threshold is stated)",
        url="https://www.justice.gov/atr/merger-guidelines"),
}


def get_unilateral_statement(key) -> UnilateralStatement:
    """Return the :class:`UnilateralStatement` for ``key`` (e.g. ``"us2010"``).

    Parameters
    ----------
    key : str
        A key of :data:`UNILATERAL_STATEMENTS` (case-insensitive).

    Returns
    -------
    UnilateralStatement
        The record.

    Examples
    --------
    >>> get_unilateral_statement("us2010").section
    '§6.1'
    """
    if not isinstance(key, str) or key.lower() not in UNILATERAL_STATEMENTS:
        raise InvalidParameterError(param_message(
            "get_unilateral_statement", "guidelines", "one of {" + ", ".join(
                repr(k) for k in UNILATERAL_STATEMENTS) + "}", key,
            "These are the texts with a statement on diverted sales."))
    return UNILATERAL_STATEMENTS[key.lower()]
