"""Helpers to regress pipelines against published concentration figures.

The package ships a corpus of figures read in court opinions, agency
complaints and guideline texts (``kind: "real"``), plus textbook and teaching
worked examples kept as arithmetic checks (``kind: "illustrative"``)
(``concentration._data/published_cases.json``; card ``published_cases.md``).
Each case carries its citation, the tolerance its rounding implies and whether
the source used the same share basis as the listed shares.  Where a source
states only a bound ("a share above 50%"), the published figure is written
``{"gt": 50}`` (also ``"ge"``, ``"lt"``, ``"le"``) and checked as that bound.
:func:`verify_published` reproduces every case with this library;
``concentration verify`` prints the result per case.  Use
:func:`assert_matches_published` in your own CI to check your figures against
a published number with the tolerance its rounding implies.

A published index rounded to whole points implies a tolerance of 0.5 points; a
share given to one decimal of a percent, 0.05 percentage points.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from ._validation import check_number
from .datasets import bundled_file
from .exceptions import FringeWarning
from .guidelines import classify
from .measures import hhi

__all__ = ["load_published_cases", "reproduce_case", "verify_published",
           "assert_matches_published"]

_FIGURES = ("pre_hhi", "post_hhi", "delta_hhi", "combined_share", "share_sum")
_BOUNDS = {"gt": (">", lambda c, v: c > v), "ge": (">=", lambda c, v: c >= v),
           "lt": ("<", lambda c, v: c < v), "le": ("<=", lambda c, v: c <= v)}


def _within(computed, published, tol):
    """``(holds, published_text)`` for a figure or a stated bound."""
    if isinstance(published, dict):
        (op, value), = published.items()
        sym, fn = _BOUNDS[op]
        return bool(fn(computed, float(value))), f"{sym} {float(value):g}"
    pub = float(published)
    return bool(abs(computed - pub) <= tol + 1e-9 * max(1.0, abs(pub))), pub


def load_published_cases() -> list:
    """Return the shipped corpus as a list of case dicts (see the dataset card).

    Returns
    -------
    list of dict
        One dict per case: citation, shares, merging parties, published figures
        and the tolerance their rounding implies.
    """
    path = bundled_file("published_cases.json")
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


def assert_matches_published(computed, published, *, tolerance, label="figure"):
    """Raise AssertionError unless ``|computed - published| <= tolerance``.

    Parameters
    ----------
    computed, published : float
        Your figure and the published one, in the same unit.
    tolerance : float
        What the published rounding implies (0.5 for an index rounded to points).
    label : str
        Named in the message.

    Examples
    --------
    >>> import concentration as cn
    >>> from concentration.testing import assert_matches_published
    >>> assert_matches_published(cn.hhi([30, 30, 20, 20], scale="percent"), 2600,
    ...                          tolerance=0.5, label="1992 HMG example")
    """
    tolerance = check_number("assert_matches_published", "tolerance", tolerance, low=0.0)
    diff = abs(float(computed) - float(published))
    if not diff <= tolerance + 1e-9 * max(1.0, abs(float(published))):
        raise AssertionError(
            f"{label}: computed {float(computed):.6g} differs from the published "
            f"{float(published):.6g} by {diff:.4g}, more than the tolerance {tolerance:g} "
            "its rounding implies.")


def reproduce_case(case) -> dict:
    """Compute a case's figures with this library (shares in percent, indices in points).

    Parameters
    ----------
    case : dict
        One case of :func:`load_published_cases`.

    Returns
    -------
    dict
        ``pre_hhi``, ``share_sum`` and, when the case names merging parties,
        ``post_hhi``, ``delta_hhi``, ``combined_share`` and ``screen`` (the
        :class:`~concentration.screen.MergerScreen` under every guideline).
    """
    from .screen import screen_merger

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)  # partial lists are part of the corpus
        if "value" in case:
            data = pd.DataFrame({"firm": list(case["value"]),
                                 "sales": [float(v) for v in case["value"].values()]})
            kw = dict(value="sales", market=None, period=None)
            out["pre_hhi"] = hhi(data, **kw)
            out["share_sum"] = 100.0
        else:
            data = {k: float(v) for k, v in case["shares"].items()}
            kw = dict(scale="percent")
            out["pre_hhi"] = hhi(data, **kw)
            out["share_sum"] = float(sum(data.values()))
        if case.get("merging"):
            s = screen_merger(data, list(case["merging"]), guidelines="all", **kw)
            row = s.table.iloc[0]
            out.update(post_hhi=float(row["post_hhi"]), delta_hhi=float(row["delta_hhi"]),
                       combined_share=100.0 * float(row["combined_share"]), screen=s)
    return out


def verify_published(cases=None) -> pd.DataFrame:
    """Reproduce every published figure and verdict of the corpus.

    Parameters
    ----------
    cases : list of dict, optional
        Cases to check; by default the whole shipped corpus.

    Returns
    -------
    pandas.DataFrame
        One row per (case, figure): ``case_id``, ``kind`` (``"real"`` or
        ``"illustrative"``), ``figure``, ``published`` (a number, or a bound
        such as ``"> 50"``),
        ``computed``, ``tolerance``, ``basis``, ``status`` and ``ok``.  ``status`` is
        ``"pass"`` (within tolerance), ``"fail"``, or, for cases whose source used
        another share basis or contains an arithmetic slip, ``"documented_mismatch"``
        (the mismatch is expected and explained in the case note) -- or ``"fail"``
        if such a case unexpectedly matches, since the note would then be wrong.
        ``ok`` is False only for ``"fail"``.

    Examples
    --------
    >>> from concentration.testing import verify_published
    >>> bool(verify_published()["ok"].all())
    True
    """
    cases = load_published_cases() if cases is None else cases
    rows = []
    for case in cases:
        got = reproduce_case(case)
        basis = case.get("basis", "same")
        for fig, pub in case.get("published", {}).items():
            tol = float(case["tolerance"][fig])
            comp = got.get(fig, np.nan)
            within, pub = _within(comp, pub, tol)
            if basis == "same":
                status = "pass" if within else "fail"
            else:
                status = "documented_mismatch" if not within else "fail"
            rows.append({"case_id": case["case_id"], "kind": case.get("kind", "real"),
                         "figure": fig, "published": pub, "computed": float(comp),
                         "tolerance": tol, "basis": basis, "status": status})
        for exp in case.get("expected", []):
            if exp.get("from") == "published":
                pub = case["published"]
                post = pub.get("post_hhi", pub.get("pre_hhi", np.nan) + pub.get("delta_hhi", 0))
                verdict = classify(post, pub.get("delta_hhi", np.nan),
                                   guidelines=exp["guideline"])["verdict"].iloc[0]
            else:
                t = got["screen"].table
                verdict = t.loc[t["guideline"] == exp["guideline"], "verdict"].iloc[0]
            rows.append({"case_id": case["case_id"], "kind": case.get("kind", "real"),
                         "figure": f"verdict[{exp['guideline']}]",
                         "published": exp["verdict"], "computed": verdict, "tolerance": 0.0,
                         "basis": "published indices" if exp.get("from") == "published"
                         else "shares",
                         "status": "pass" if verdict == exp["verdict"] else "fail"})
    frame = pd.DataFrame(rows, columns=["case_id", "kind", "figure", "published", "computed",
                                        "tolerance", "basis", "status"])
    frame["ok"] = frame["status"] != "fail"
    return frame
