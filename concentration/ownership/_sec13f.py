"""The SEC's Form 13F data sets to :class:`Holdings`, with the hygiene common-ownership work needs.

The SEC publishes the Form 13F filings of institutional investment managers as the
quarterly "Form 13F data sets": tab-separated tables joined by ``ACCESSION_NUMBER``
(one accession number per filing), documented in the readme shipped with every
data set ([SEC]_).  This module reads five of them:

``SUBMISSION``
    ``ACCESSION_NUMBER``, ``FILING_DATE``, ``SUBMISSIONTYPE`` (``13F-HR``,
    ``13F-HR/A``, ``13F-NT``, ``13F-NT/A``), ``CIK`` (the filing manager) and
    ``PERIODOFREPORT``.
``COVERPAGE``
    ``REPORTCALENDARORQUARTER`` (the quarter the report covers), ``ISAMENDMENT``
    (``Y``/``N``), ``AMENDMENTNO``, ``AMENDMENTTYPE`` (``RESTATEMENT`` or ``NEW
    HOLDINGS``), ``FILINGMANAGER_NAME`` and ``REPORTTYPE`` (``13F HOLDINGS REPORT``,
    ``13F NOTICE``, ``13F COMBINATION REPORT``).
``OTHERMANAGER2``
    The "other included managers" of a report: ``SEQUENCENUMBER``, ``CIK``, ``NAME``.
``INFOTABLE``
    One row per position: ``CUSIP``, ``NAMEOFISSUER``, ``SSHPRNAMT`` (shares or
    principal amount), ``SSHPRNAMTTYPE`` (``SH`` or ``PRN``), ``PUTCALL``,
    ``OTHERMANAGER`` (sequence numbers of the included managers sharing the
    position, comma-separated), ``VOTING_AUTH_SOLE``, ``VOTING_AUTH_SHARED`` and
    ``VOTING_AUTH_NONE`` (shares by voting authority).

Dates are ``DD-MON-YYYY`` (``31-DEC-2024``).  A data set is the zip the SEC posts or
the folder it extracts to (``SUBMISSION.tsv``, ``COVERPAGE.tsv``, ...).

The rules applied, each reported per quarter in :class:`SEC13FReport`:

1. **Quarter** of a filing: ``REPORTCALENDARORQUARTER`` (``PERIODOFREPORT`` when
   the cover page is missing), as a label ``"2024Q4"``.
2. **Amendments.**  Per manager (CIK) and quarter, filings are taken in filing order
   (``FILING_DATE``, then accession number).  An original report and an amendment
   of type ``RESTATEMENT`` replace everything filed before them; a ``NEW HOLDINGS``
   amendment adds its rows to what stands.  So the latest restatement (or original)
   wins, with the new-holdings amendments filed after it.  Replaced filings are
   listed in :attr:`SEC13FReport.replaced`.  An amendment whose type is missing is
   treated as a restatement.
3. **Notices.**  ``13F-NT`` filings (report type ``13F NOTICE``) state that another
   manager reports the holdings: they carry none, and replace nothing.
4. **Rows.**  Put and call rows (``PUTCALL`` set) are options, not shares held, and
   are excluded; rows whose ``SSHPRNAMTTYPE`` is ``PRN`` are principal amounts of
   debt and are excluded; ``SH`` rows are kept.
5. **Securities to firms** through the user's table keyed by CUSIP, the 9-character
   security identifier or its 6-character issuer prefix (the 9-character key wins),
   and optionally period.  Rows whose CUSIP matches no firm are excluded and listed
   in :attr:`SEC13FReport.unmatched`, never dropped silently.
6. **Managers.**  Filer CIKs are mapped to ultimate managers by the user's table
   (the BlackRock entities to BlackRock, as in the manager consolidation of Backus,
   Conlon and Sinkinson [BCS]_) before stakes are summed; unmapped filers are their
   own manager, labelled by CIK.  Positions declared as held with "other included
   managers" stay with the filer (``included_managers="filer"``), or go to the
   included manager when a row names exactly one (``"included"``).
7. **Stakes.**  Cash flow β = shares held / shares outstanding, summed over the
   manager's filers and rows in the firm's securities; control γ from voting
   authority under :data:`SEC13F_CONTROL_RULES`.
8. **Stakes above one.**  A firm whose stakes sum above one (beyond the tolerance) is
   reported with the managers responsible and the positions reported identically by
   two filers (a parent and its subsidiary filing one position twice is the usual
   cause), then an error is raised or the firm-quarter left out (``above_one``).

References
----------
.. [SEC] U.S. Securities and Exchange Commission, Division of Economic and Risk
   Analysis. "Form 13F Data Sets" (readme of the quarterly data sets: overview,
   table definitions of SUBMISSION, COVERPAGE, OTHERMANAGER, SIGNATURE, SUMMARYPAGE,
   OTHERMANAGER2 and INFOTABLE).
   https://www.sec.gov/data-research/sec-markets-data/form-13f-data-sets
.. [BCS] Backus, M., Conlon, C. and Sinkinson, M. (2021). Common ownership in
   America: 1980-2017. American Economic Journal: Microeconomics 13(3), 273-308.
.. [AST] Azar, J., Schmalz, M. C. and Tecu, I. (2018). Anticompetitive effects of
   common ownership. Journal of Finance 73(4), 1513-1565.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._dispatch import get_backend
from .._docstrings import substitute
from .._results import ResultMixin
from .._validation import check_choice, check_number, param_message, warn
from ..exceptions import (
    DataFileError,
    DataQualityWarning,
    InvalidHoldingsError,
    InvalidParameterError,
    SchemaError,
)
from ._holdings import HOLDINGS_TOLERANCE, Holdings, read_holdings

__all__ = ["read_13f", "write_13f", "SEC13FReport", "SEC13F_CONTROL_RULES", "SEC13F_TABLES",
           "DataSet13F", "Plan13F", "find_datasets", "plan_13f", "read_positions",
           "quarter_stakes", "write_quarter", "quarter_label"]

#: Columns read from each table of a data set (the names of the SEC's readme).
SEC13F_TABLES = {
    "SUBMISSION": ("ACCESSION_NUMBER", "FILING_DATE", "SUBMISSIONTYPE", "CIK", "PERIODOFREPORT"),
    "COVERPAGE": ("ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "ISAMENDMENT", "AMENDMENTNO",
                  "AMENDMENTTYPE", "FILINGMANAGER_NAME", "REPORTTYPE"),
    "OTHERMANAGER2": ("ACCESSION_NUMBER", "SEQUENCENUMBER", "CIK", "NAME"),
    "INFOTABLE": ("ACCESSION_NUMBER", "NAMEOFISSUER", "CUSIP", "SSHPRNAMT", "SSHPRNAMTTYPE",
                  "PUTCALL", "OTHERMANAGER", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED",
                  "VOTING_AUTH_NONE"),
}
_NUMERIC = {"SSHPRNAMT", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE"}
_OPTIONAL_TABLES = {"COVERPAGE", "OTHERMANAGER2"}

#: Control rules: name -> (the shares of a position that vote, the source).
SEC13F_CONTROL_RULES = {
    "cash_flow": ("every share held votes: control follows cash flow (gamma = beta)",
                  "proportional control, the main specification of Backus, Conlon and "
                  "Sinkinson (2021)"),
    "sole_shared": ("shares with sole or shared voting authority vote; shares with no "
                    "voting authority do not (VOTING_AUTH_SOLE + VOTING_AUTH_SHARED)",
                    "Backus, Conlon and Sinkinson (2021), beta_soleshared = (shares - no) / "
                    "shares outstanding; Azar, Schmalz and Tecu (2018), voting-authority "
                    "robustness"),
    "sole": ("only shares with sole voting authority vote (VOTING_AUTH_SOLE)",
             "Backus, Conlon and Sinkinson (2021), beta_sole = (shares - no - shared) / "
             "shares outstanding"),
}

_INCLUDED = ("filer", "included")
_ABOVE_ONE = ("error", "drop")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
_SEC_DATE = "%d-%b-%Y"
_SHOWN = 5


# --------------------------------------------------------------------------------------
# data sets on disk
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataSet13F:
    """One quarterly Form 13F data set: a zip the SEC posts, or its extracted folder.

    ``members`` maps a table name (``"INFOTABLE"``) to the member of the zip, or the
    file in the folder, that holds it.
    """

    path: str
    is_zip: bool
    members: tuple

    @property
    def name(self) -> str:
        """The file or folder name."""
        return os.path.basename(self.path.rstrip(os.sep))

    def member(self, table):
        """The member (or file) holding ``table``, or None."""
        return dict(self.members).get(table)

    def read(self, table, func, skipped=None):
        """Read the columns :data:`SEC13F_TABLES` lists for ``table`` with pyarrow.

        Strings are dictionary-encoded (CIK, CUSIP and accession numbers stay text, so
        leading zeros survive); share counts are float64.  With a list ``skipped``,
        rows with the wrong number of fields (a tab inside a name) are skipped and the
        first field of each (its accession number) is appended to the list, so that
        they can be counted; without it they are an error.
        """
        import pyarrow as pa
        import pyarrow.csv as pacsv

        member = self.member(table)
        columns = SEC13F_TABLES[table]
        where = f"{self.path} ({member})" if self.is_zip else member
        with self._open(member, func) as fh:
            header = fh.readline().decode("utf-8-sig").rstrip("\r\n").split("\t")
        missing = [c for c in columns if c not in header]
        if missing:
            raise SchemaError(
                f"{func}: the {table} table {where} has no column(s) {missing}. "
                f"Columns present: {header[:20]}. The Form 13F data sets name them as "
                "in the SEC's readme; pass the SEC's files unmodified.")
        types = {c: pa.float64() if c in _NUMERIC else pa.dictionary(pa.int32(), pa.string())
                 for c in columns}
        if self.is_zip:   # the whole member in memory: pyarrow parses it on every core
            with self._open(member, func) as fh:
                source = pa.BufferReader(fh.read())
        else:
            source = member
        try:
            return pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1,
                                               block_size=1 << 24),
                parse_options=pacsv.ParseOptions(
                    delimiter="\t", quote_char=False,
                    invalid_row_handler=None if skipped is None else
                    lambda row: skipped.append((row.text or "").split("\t", 1)[0]) or "skip"),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(columns), column_types=types,
                    strings_can_be_null=True, quoted_strings_can_be_null=True))
        except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
            if "Empty CSV file" in str(exc):
                return pa.table({c: pa.array([], type=types[c]) for c in columns})
            raise DataFileError(
                f"{func}: the {table} table {where} could not be read as the SEC's "
                f"tab-separated layout ({exc}). Re-download the data set.") from None

    def _open(self, member, func):
        if not self.is_zip:
            return open(member, "rb")
        import zipfile

        try:
            return zipfile.ZipFile(self.path).open(member)
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise DataFileError(f"{func}: {self.path!r} is not a readable zip ({exc}). "
                                "Re-download the data set.") from None


def _members(names, strip):
    """table name -> member, from the names of a zip or a folder (``*.tsv``, any case)."""
    found = {}
    for n in names:
        stem, ext = os.path.splitext(os.path.basename(n))
        if ext.lower() in (".tsv", ".txt") and stem.upper() in SEC13F_TABLES:
            found.setdefault(stem.upper(), strip(n))
    return found


def _dataset(path, func):
    """A :class:`DataSet13F` for a zip or a folder, or None when ``path`` holds no data set."""
    if os.path.isdir(path):
        found = _members(os.listdir(path), lambda n: os.path.join(path, n))
        is_zip = False
    elif path.lower().endswith(".zip") and os.path.isfile(path):
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                found = _members(zf.namelist(), lambda n: n)
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataFileError(f"{func}: {path!r} is not a readable zip ({exc}). "
                                "Re-download the data set.") from None
        is_zip = True
    else:
        return None
    if "INFOTABLE" not in found and "SUBMISSION" not in found:
        return None
    missing = [t for t in SEC13F_TABLES if t not in found and t not in _OPTIONAL_TABLES]
    if missing:
        raise DataFileError(
            f"{func}: the Form 13F data set {path!r} has no {missing} table. A data set "
            "holds SUBMISSION.tsv, COVERPAGE.tsv, OTHERMANAGER2.tsv and INFOTABLE.tsv "
            "(among others); pass the SEC's zip or the folder it extracts to.")
    return DataSet13F(path=path, is_zip=is_zip, members=tuple(sorted(found.items())))


def find_datasets(source, func="read_13f") -> tuple:
    """The data sets in ``source``: a zip, a folder, a folder of those, or a list of paths.

    A folder that holds the tables is one data set; otherwise its zips and
    sub-folders that are data sets are taken, in name order.
    """
    paths = [source] if isinstance(source, (str, os.PathLike)) else source
    if not isinstance(paths, (list, tuple)) or not paths or not all(
            isinstance(p, (str, os.PathLike)) for p in paths):
        raise InvalidParameterError(param_message(
            func, "source", "a Form 13F data set (zip or folder), a folder of data sets, "
            "or a list of such paths", source))
    out = []
    for p in paths:
        p = os.fspath(p)
        if not os.path.exists(p):
            raise DataFileError(f"{func}: {p!r} does not exist. Pass the path of a Form 13F "
                                "data set (the SEC's zip or its extracted folder).")
        ds = _dataset(p, func)
        if ds is None and os.path.isdir(p):
            inner = [_dataset(os.path.join(p, n), func) for n in sorted(os.listdir(p))
                     if not n.startswith((".", "_"))]
            inner = [d for d in inner if d is not None]
            if not inner:
                raise DataFileError(
                    f"{func}: {p!r} holds no Form 13F data set (no INFOTABLE.tsv, and no zip "
                    "or folder holding one).")
            out += inner
        elif ds is None:
            raise DataFileError(f"{func}: {p!r} is not a Form 13F data set (a .zip or a "
                                "folder holding INFOTABLE.tsv and SUBMISSION.tsv).")
        else:
            out.append(ds)
    return tuple(out)


# --------------------------------------------------------------------------------------
# labels and user tables
# --------------------------------------------------------------------------------------
def quarter_label(value) -> str:
    """The calendar quarter of ``value`` as ``"YYYYQn"``.

    Accepts a quarter label (``"2024Q4"``, ``"2024-Q4"``), a date (``"31-DEC-2024"`` as
    the SEC writes it, ``"2024-12-31"``, a Timestamp) or a :class:`pandas.Period`.

    Examples
    --------
    >>> quarter_label("31-DEC-2024"), quarter_label("2025q1")
    ('2024Q4', '2025Q1')
    """
    if isinstance(value, pd.Period):
        q = value.asfreq("Q")
        return f"{q.year}Q{q.quarter}"
    if isinstance(value, str):
        m = _QUARTER.match(value)
        if m:
            return f"{m.group(1)}Q{m.group(2)}"
        try:
            ts = pd.to_datetime(value.strip(), format=_SEC_DATE)
        except (ValueError, TypeError):
            ts = pd.Timestamp(value)
    else:
        ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise ValueError("missing date")
    return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"


def _labels(values, func, what):
    """Quarter labels of an array (parsed once per distinct value)."""
    values = pd.Series(values, dtype=object)
    out = {}
    for v in pd.unique(values.dropna()):
        try:
            out[v] = quarter_label(v)
        except (ValueError, TypeError):
            raise InvalidParameterError(
                f"{func}: {what} {v!r} is not a quarter. Use labels such as '2024Q4' or "
                "dates such as '2024-12-31' (the SEC writes '31-DEC-2024').") from None
    return values.map(out).to_numpy(dtype=object)


def _cik(values):
    """CIKs as text without leading zeros ("0001364742" -> "1364742")."""
    s = pd.Series(values, dtype=object).astype(str).str.strip()
    s = s.str.replace(r"\.0$", "", regex=True).str.lstrip("0")
    return s.to_numpy(dtype=object)


def _cusip(values):
    return pd.Series(values, dtype=object).astype(str).str.strip().str.upper().to_numpy(
        dtype=object)


def _table(func, name, value, required, optional=()):
    if not isinstance(value, pd.DataFrame):
        raise InvalidParameterError(param_message(
            func, name, f"a DataFrame with columns {list(required)}", type(value).__name__,
            f"Build a table with columns {list(required) + list(optional)}."))
    missing = [c for c in required if c not in value.columns]
    if missing:
        raise SchemaError(
            f"{func}: the '{name}' table needs column(s) {missing}; columns present: "
            f"{list(value.columns)[:20]}. Rename them (optional: {list(optional)}).")
    for c in required:
        if value[c].isna().any():
            raise InvalidParameterError(
                f"{func}: the '{name}' table has missing values in column {c!r}. Fill or "
                "drop those rows.")
    return value


def _period_column(func, name, frame):
    if "period" not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    per = frame["period"]
    out = np.full(len(frame), None, dtype=object)
    given = per.notna().to_numpy()
    out[given] = _labels(per[given], func, f"the '{name}' table's period")
    return out


def _securities(func, securities):
    t = _table(func, "securities", securities, ("cusip", "firm"), ("period",))
    cusip = _cusip(t["cusip"])
    bad = np.array([len(c) not in (6, 9) for c in cusip], dtype=bool)
    if bad.any():
        raise InvalidParameterError(
            f"{func}: the 'securities' table has CUSIPs that are neither 9 characters (a "
            f"security) nor 6 (an issuer), e.g. {cusip[bad][0]!r}. Fix the identifiers.")
    out = pd.DataFrame({"cusip": cusip, "firm": t["firm"].to_numpy(dtype=object),
                        "period": _period_column(func, "securities", t)})
    key = out[["cusip", "period"]].astype(str)
    clash = out.assign(k=key["cusip"] + "|" + key["period"]).groupby("k")["firm"].nunique()
    if (clash > 1).any():
        raise InvalidParameterError(
            f"{func}: the 'securities' table maps CUSIP {clash.index[clash > 1][0]!r} "
            "(|period) to several firms. Each CUSIP names one firm in a period.")
    return out


def _outstanding(func, shares_outstanding):
    t = shares_outstanding
    key = "cusip" if isinstance(t, pd.DataFrame) and "cusip" in t.columns else "firm"
    t = _table(func, "shares_outstanding", t, (key, "shares"), ("period",))
    shares = pd.to_numeric(t["shares"], errors="coerce").to_numpy(dtype=np.float64)
    if not (np.isfinite(shares) & (shares > 0)).all():
        raise InvalidParameterError(
            f"{func}: the 'shares_outstanding' table has shares that are missing, zero or "
            "negative. Shares outstanding are counts of shares (as SSHPRNAMT), above zero.")
    ids = _cusip(t[key]) if key == "cusip" else t[key].to_numpy(dtype=object)
    out = pd.DataFrame({key: ids, "shares": shares,
                        "period": _period_column(func, "shares_outstanding", t)})
    if out.duplicated([key, "period"]).any():
        raise InvalidParameterError(
            f"{func}: the 'shares_outstanding' table repeats a ({key}, period) key. "
            "Give one count per security (or firm) and period.")
    return key, out


def _managers(func, managers):
    if managers is None:
        return {}
    if isinstance(managers, dict):
        managers = pd.DataFrame({"cik": list(managers), "manager": list(managers.values())})
    t = _table(func, "managers", managers, ("cik", "manager"))
    cik = _cik(t["cik"])
    frame = pd.DataFrame({"cik": cik, "manager": t["manager"].to_numpy(dtype=object)})
    if frame.groupby("cik")["manager"].nunique().gt(1).any():
        raise InvalidParameterError(
            f"{func}: the 'managers' table maps one CIK to several managers. Each filer "
            "CIK belongs to one ultimate manager.")
    return dict(zip(frame["cik"], frame["manager"]))


def _by_period(frame, period, key):
    """``{key value: row}`` rows of ``frame`` for ``period``, period-specific rows first."""
    rows = frame[(frame["period"] == period) | frame["period"].isna()]
    rows = rows.assign(_generic=rows["period"].isna()).sort_values("_generic", kind="stable")
    return rows.drop_duplicates(key, keep="first")


# --------------------------------------------------------------------------------------
# the plan: which filings stand, and where their rows are
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan13F:
    """Everything a quarter's task needs: the filings that stand, and the user tables.

    Built by :func:`plan_13f` from the small tables of every data set (SUBMISSION,
    COVERPAGE, OTHERMANAGER2); the information tables are read afterwards, one data
    set at a time.  Picklable, so back ends can ship it to workers.
    """

    datasets: tuple
    filings: pd.DataFrame
    included: pd.DataFrame
    securities: pd.DataFrame
    outstanding_key: str
    outstanding: pd.DataFrame
    managers: dict
    control: str
    included_managers: str
    above_one: str
    tolerance: float
    func: str = "read_13f"

    @property
    def periods(self) -> list:
        """The quarters with at least one filing, sorted."""
        return sorted(pd.unique(self.filings["period"]).tolist())

    def sources(self, period) -> list:
        """Indices of the data sets holding rows of ``period``'s holdings filings."""
        f = self.filings
        return sorted(pd.unique(f.loc[(f["period"] == period) & (f["status"] != "notice"),
                                      "dataset"]).tolist())

    @property
    def rules(self) -> dict:
        """The rules applied, as text (kept in the report and the provenance)."""
        return {"control": self.control, "control_rule": SEC13F_CONTROL_RULES[self.control][0],
                "control_source": SEC13F_CONTROL_RULES[self.control][1],
                "included_managers": self.included_managers, "above_one": self.above_one,
                "tolerance": self.tolerance,
                "amendments": "latest original or RESTATEMENT replaces earlier filings; "
                              "NEW HOLDINGS amendments filed after it add rows",
                "excluded_rows": "PUTCALL set (options); SSHPRNAMTTYPE other than SH "
                                 "(PRN principal amounts)"}


def _kind(sub_type, report_type, is_amend, amend_type):
    sub_type = np.char.upper(sub_type.astype(str))
    report_type = np.char.upper(report_type.astype(str))
    amend_type = np.char.upper(amend_type.astype(str))
    notice = np.char.startswith(sub_type, "13F-NT") | (np.char.find(report_type, "NOTICE") >= 0)
    amended = (np.char.upper(is_amend.astype(str)) == "Y") | np.char.endswith(sub_type, "/A")
    new = amended & (np.char.find(amend_type, "NEW HOLDINGS") >= 0)
    kind = np.where(notice, "notice",
                    np.where(new, "new_holdings", np.where(amended, "restatement", "original")))
    return kind.astype(object)


def _filings(datasets, func):
    parts, included = [], []
    for i, ds in enumerate(datasets):
        sub = ds.read("SUBMISSION", func).to_pandas()
        sub = sub.astype({c: object for c in sub.columns})
        if ds.member("COVERPAGE") is not None:
            cov = ds.read("COVERPAGE", func).to_pandas()
            cov = cov.astype({c: object for c in cov.columns})
            cov = cov.drop_duplicates("ACCESSION_NUMBER")
            sub = sub.merge(cov, on="ACCESSION_NUMBER", how="left")
        else:
            for c in SEC13F_TABLES["COVERPAGE"][1:]:
                sub[c] = None
        sub["dataset"] = i
        parts.append(sub)
        if ds.member("OTHERMANAGER2") is not None:
            om = ds.read("OTHERMANAGER2", func).to_pandas()
            included.append(om.astype({c: object for c in om.columns}))
    f = pd.concat(parts, ignore_index=True).drop_duplicates("ACCESSION_NUMBER", keep="first")
    cover = f["REPORTCALENDARORQUARTER"].where(f["REPORTCALENDARORQUARTER"].notna(),
                                               f["PERIODOFREPORT"])
    if cover.isna().any():
        acc = f.loc[cover.isna(), "ACCESSION_NUMBER"].iloc[0]
        raise DataFileError(f"{func}: filing {acc!r} has neither REPORTCALENDARORQUARTER nor "
                            "PERIODOFREPORT; its quarter is unknown. Re-download the data set.")
    filed = pd.to_datetime(f["FILING_DATE"], format=_SEC_DATE, errors="coerce")
    out = pd.DataFrame({
        "accession": f["ACCESSION_NUMBER"].astype(str).to_numpy(dtype=object),
        "cik": _cik(f["CIK"]),
        "period": _labels(cover, func, "the report quarter"),
        "filing_date": filed.to_numpy(),
        "submission_type": f["SUBMISSIONTYPE"].fillna("").to_numpy(dtype=object),
        "kind": _kind(f["SUBMISSIONTYPE"].fillna("").to_numpy(dtype=object),
                      f["REPORTTYPE"].fillna("").to_numpy(dtype=object),
                      f["ISAMENDMENT"].fillna("").to_numpy(dtype=object),
                      f["AMENDMENTTYPE"].fillna("").to_numpy(dtype=object)),
        "manager_name": f["FILINGMANAGER_NAME"].to_numpy(dtype=object),
        "dataset": f["dataset"].to_numpy(dtype=np.int64),
    })
    om = (pd.concat(included, ignore_index=True) if included else
          pd.DataFrame(columns=list(SEC13F_TABLES["OTHERMANAGER2"])))
    om = pd.DataFrame({"accession": om["ACCESSION_NUMBER"].astype(str).to_numpy(dtype=object),
                       "sequence": pd.to_numeric(om["SEQUENCENUMBER"], errors="coerce"),
                       "cik": _cik(om["CIK"]) if len(om) else np.array([], dtype=object)})
    return out, om.dropna(subset=["sequence"])


def _resolve(f):
    """Each filing's status: ``kept``, ``replaced`` (and by which filing) or ``notice``."""
    f = f.sort_values(["cik", "period", "filing_date", "accession"], kind="stable",
                      na_position="first").reset_index(drop=True)
    status = np.where(f["kind"] == "notice", "notice", "kept").astype(object)
    by = np.full(len(f), None, dtype=object)
    new_alone = np.zeros(len(f), dtype=bool)
    h = f.index[f["kind"] != "notice"]
    if len(h):
        g = f.loc[h]
        pos = g.groupby(["cik", "period"], sort=False).cumcount().to_numpy()
        resets = np.where(g["kind"].isin(["original", "restatement"]).to_numpy(), pos, -1)
        last = pd.Series(resets, index=h).groupby([g["cik"], g["period"]], sort=False) \
            .transform("max").to_numpy()
        replaced = pos < last
        status[h[replaced]] = "replaced"
        # the filing that replaced each one: the reset filing of its (cik, period)
        start = np.flatnonzero(pos == 0)
        group_start = np.repeat(start, np.diff(np.r_[start, len(pos)]))
        winner = np.where(last >= 0, group_start + last, -1)
        acc = g["accession"].to_numpy(dtype=object)
        by[h[replaced]] = acc[winner[replaced]]
        new_alone[h] = (last < 0) & (g["kind"] == "new_holdings").to_numpy()
    return f.assign(status=status, replaced_by=by, without_original=new_alone)


def plan_13f(source, *, securities, shares_outstanding, managers=None, quarters=None,
             control="sole_shared", included_managers="filer", above_one="error",
             tolerance=HOLDINGS_TOLERANCE, func="read_13f") -> Plan13F:
    """Validate the options, read the small tables and decide which filings stand."""
    check_choice(func, "control", control, tuple(SEC13F_CONTROL_RULES),
                 fix="See concentration.ownership.SEC13F_CONTROL_RULES for what each rule means.")
    check_choice(func, "included_managers", included_managers, _INCLUDED)
    check_choice(func, "above_one", above_one, _ABOVE_ONE,
                 fix="Use above_one='drop' to leave such firm-quarters out (reported).")
    tolerance = check_number(func, "tolerance", tolerance, low=0.0, high=1.0)
    secs = _securities(func, securities)
    okey, outstanding = _outstanding(func, shares_outstanding)
    mgrs = _managers(func, managers)
    datasets = find_datasets(source, func)
    filings, included = _filings(datasets, func)
    if quarters is not None:
        wanted = set(_labels([quarters] if isinstance(quarters, (str, pd.Period))
                             else list(quarters), func, "the quarter"))
        filings = filings[filings["period"].isin(wanted)]
        if filings.empty:
            raise InvalidParameterError(param_message(
                func, "quarters", "quarters with filings in the data sets", quarters,
                "Check the data sets' REPORTCALENDARORQUARTER values (or pass quarters=None)."))
    return Plan13F(datasets=datasets, filings=_resolve(filings), included=included,
                   securities=secs, outstanding_key=okey, outstanding=outstanding,
                   managers=mgrs, control=control, included_managers=included_managers,
                   above_one=above_one, tolerance=tolerance, func=func)


# --------------------------------------------------------------------------------------
# one data set's information table
# --------------------------------------------------------------------------------------
def _clean(series, upper=False):
    """A categorical column with its categories stripped (and upper-cased)."""
    s = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    cats = pd.Index(s.cat.categories.astype(str)).str.strip()
    if upper:
        cats = cats.str.upper()
    if cats.is_unique:
        return s.cat.rename_categories(cats)
    return s.astype(str).str.strip().str.upper().astype("category") if upper else \
        s.astype(str).str.strip().astype("category")


def _flag(series, test):
    """``test`` applied to the categories of a categorical column, per row (missing: False)."""
    hit = np.asarray(test(pd.Index(series.cat.categories.astype(str))), dtype=bool)
    codes = series.cat.codes.to_numpy()
    out = np.zeros(len(codes), dtype=bool)
    out[codes >= 0] = hit[codes[codes >= 0]]
    return out


def read_positions(plan, index) -> dict:
    """Rows of the standing filings in data set ``index``, by quarter, with their counts.

    Returns ``{period: (frame, counts)}``: ``frame`` has one row per kept share
    position (``filing`` -- the row of :attr:`Plan13F.filings` --, ``cusip``,
    ``issuer``, ``shares``, ``sole``, ``shared``, ``none``, ``other``) and ``counts``
    the rows read and excluded by kind.
    """
    f = plan.filings
    mine = f[(f["dataset"] == index) & (f["status"] != "notice")]
    skipped = []
    df = plan.datasets[index].read("INFOTABLE", plan.func, skipped).to_pandas()
    bad = f.set_index("accession")["period"].reindex(pd.Index(skipped, dtype=object)) \
        .value_counts() if skipped else pd.Series(dtype=np.int64)
    acc = df["ACCESSION_NUMBER"]
    where = pd.Index(mine["accession"].to_numpy(dtype=object)).get_indexer(
        acc.cat.categories.astype(str))
    codes = acc.cat.codes.to_numpy()
    at = np.full(len(df), -1, dtype=np.int64)
    at[codes >= 0] = where[codes[codes >= 0]]
    sel = np.flatnonzero(at >= 0)
    df = df.iloc[sel].reset_index(drop=True)
    filing = mine.index.to_numpy()[at[sel]].astype(np.int64)
    period = f["period"].to_numpy(dtype=object)[filing]
    replaced = f["status"].to_numpy(dtype=object)[filing] == "replaced"
    is_option = _flag(_clean(df["PUTCALL"]), lambda c: c != "")
    typ = _clean(df["SSHPRNAMTTYPE"], upper=True)
    is_prn, not_sh = _flag(typ, lambda c: c == "PRN"), ~_flag(typ, lambda c: c == "SH")
    keep = ~replaced & ~is_option & ~not_sh
    num = {c: np.nan_to_num(df[c].to_numpy(dtype=np.float64)) for c in _NUMERIC}
    frame = pd.DataFrame({
        "filing": filing[keep],
        "cusip": _clean(df["CUSIP"], upper=True)[keep].reset_index(drop=True),
        "issuer": _clean(df["NAMEOFISSUER"])[keep].reset_index(drop=True),
        "shares": num["SSHPRNAMT"][keep], "sole": num["VOTING_AUTH_SOLE"][keep],
        "shared": num["VOTING_AUTH_SHARED"][keep], "none": num["VOTING_AUTH_NONE"][keep],
        "other": _clean(df["OTHERMANAGER"])[keep].reset_index(drop=True),
    })
    out = {}
    live = ~replaced
    kept_period = period[keep]
    for p in pd.unique(np.concatenate([period, np.asarray(bad.index, dtype=object)])):
        m = period == p
        counts = {"rows_read": int(m.sum()), "rows_replaced": int((m & replaced).sum()),
                  "rows_unparsable": int(bad.get(p, 0)),
                  "put_call": int((m & live & is_option).sum()),
                  "principal": int((m & live & ~is_option & is_prn).sum()),
                  "other_type": int((m & live & ~is_option & not_sh & ~is_prn).sum())}
        out[p] = (frame[kept_period == p].reset_index(drop=True), counts)
    return out


# --------------------------------------------------------------------------------------
# one quarter: firms, managers, stakes
# --------------------------------------------------------------------------------------
def _concat(pieces):
    frames = [p for p, _ in pieces]
    counts = {}
    for _, c in pieces:
        for k, v in c.items():
            counts[k] = counts.get(k, 0) + v
    if len(frames) == 1:
        return frames[0], counts
    cats = {}
    for col in ("cusip", "issuer", "other"):
        cats[col] = pd.api.types.union_categoricals([f[col] for f in frames])
    frame = pd.concat([f.drop(columns=list(cats)) for f in frames], ignore_index=True)
    for col, val in cats.items():
        frame[col] = val
    return frame, counts


def _owners(plan, frame, counts):
    """The manager of each row, after the included-manager rule and the family map.

    Returns ``(owner codes, owner labels, filer codes, filer CIKs)`` per row.
    """
    f = plan.filings
    n_f = len(f)
    cik_codes, ciks = pd.factorize(np.concatenate([f["cik"].to_numpy(dtype=object),
                                                   plan.included["cik"].to_numpy(dtype=object)]))
    filing = frame["filing"].to_numpy()
    row_cik = cik_codes[:n_f][filing]
    moved = 0
    if plan.included_managers == "included" and len(frame) and len(plan.included):
        other = frame["other"]
        cats = pd.Series(other.cat.categories, dtype=object).astype(str).str.strip()
        single = pd.to_numeric(cats.where(cats.str.fullmatch(r"\d+")), errors="coerce")
        seq = np.full(len(frame), np.nan)
        c = np.asarray(other.cat.codes)
        seq[c >= 0] = single.to_numpy()[c[c >= 0]]
        has = np.flatnonzero(np.isfinite(seq))
        if len(has):
            left = pd.DataFrame({"accession": f["accession"].to_numpy(dtype=object)[filing[has]],
                                 "sequence": seq[has]})
            right = plan.included.reset_index(drop=True).reset_index() \
                .drop_duplicates(["accession", "sequence"])
            hit = left.merge(right, on=["accession", "sequence"], how="left")["index"].to_numpy()
            found = np.isfinite(hit)
            row_cik[has[found]] = cik_codes[n_f:][hit[found].astype(np.int64)]
            moved = int(found.sum())
    counts["rows_to_included_managers"] = moved
    manager = np.array([plan.managers.get(c, c) for c in ciks], dtype=object)
    owner_of_cik, owners = pd.factorize(manager)
    return owner_of_cik[row_cik], np.asarray(owners, dtype=object), row_cik, ciks


def _firms(plan, period, cusips):
    """Firm of each CUSIP category (None when unmatched): 9 characters first, then 6."""
    secs = _by_period(plan.securities, period, "cusip")
    table = dict(zip(secs["cusip"], secs["firm"]))
    return np.array([table.get(c, table.get(c[:6])) for c in cusips], dtype=object)


def quarter_stakes(plan, period, pieces):
    """One quarter's stakes: ``(frame, part)``.

    ``frame`` has the columns of :func:`concentration.read_holdings` (``period``,
    ``owner``, ``firm``, ``cash_flow``, ``control``); ``part`` is the quarter's
    report: counts, unmatched CUSIPs, firms whose stakes sum above one.
    """
    f = plan.filings
    fq = f[f["period"] == period]
    counts = {"filings": len(fq),
              "holdings_reports": int(((fq["status"] == "kept")
                                       & (fq["kind"] != "new_holdings")).sum()),
              "notices": int((fq["status"] == "notice").sum()),
              "restatements": int(((fq["kind"] == "restatement")
                                   & (fq["status"] == "kept")).sum()),
              "new_holdings_amendments": int(((fq["kind"] == "new_holdings")
                                              & (fq["status"] == "kept")).sum()),
              "amendments_without_original": int(fq["without_original"].sum()),
              "filings_replaced": int((fq["status"] == "replaced").sum())}
    empty = pd.DataFrame({"filing": np.array([], dtype=np.int64),
                          "cusip": pd.Categorical([]), "issuer": pd.Categorical([]),
                          "shares": [], "sole": [], "shared": [], "none": [],
                          "other": pd.Categorical([])})
    frame, rows = _concat(pieces) if pieces else (empty, {})
    for k in ("rows_read", "rows_replaced", "rows_unparsable", "put_call", "principal",
              "other_type"):
        counts[k] = rows.get(k, 0)
    row_owner, owner_labels, row_cik, ciks = _owners(plan, frame, counts)

    # securities to firms, by CUSIP category
    cus_labels = pd.Index(frame["cusip"].cat.categories, dtype=object).astype(str).to_numpy()
    ccode = frame["cusip"].cat.codes.to_numpy().astype(np.int64)
    firm_of_cat, firm_labels = pd.factorize(_firms(plan, period, cus_labels))
    firm_labels = np.asarray(firm_labels, dtype=object)
    row_firm = np.where(ccode >= 0, firm_of_cat[np.maximum(ccode, 0)], -1) \
        if len(firm_of_cat) else np.full(len(frame), -1)
    matched = row_firm >= 0
    unmatched = [_unmatched(frame, ~matched, cus_labels, "no firm in 'securities'", period)]

    # shares outstanding: per security (cusip) or per firm
    out = _by_period(plan.outstanding, period, plan.outstanding_key)
    if plan.outstanding_key == "cusip":
        listed = pd.Index(out["cusip"].to_numpy(dtype=object)).get_indexer(cus_labels) >= 0
        covered = matched & listed[np.maximum(ccode, 0)] if len(listed) else matched & False
        by_firm = out.assign(firm=_firms(plan, period, out["cusip"].to_numpy(dtype=object)))
        denom = by_firm[by_firm["firm"].notna()].groupby("firm", sort=False)["shares"].sum()
    else:
        denom = pd.Series(out["shares"].to_numpy(), index=out["firm"].to_numpy(dtype=object))
    denom = denom.reindex(pd.Index(firm_labels, dtype=object)).to_numpy(dtype=np.float64)
    if plan.outstanding_key == "firm":
        covered = matched & np.isfinite(denom[np.maximum(row_firm, 0)]) if len(denom) \
            else matched & False
    no_out = matched & ~covered
    unmatched.append(_unmatched(frame, no_out, cus_labels, "no shares outstanding", period))
    unmatched = pd.concat([u for u in unmatched if len(u)] or [unmatched[0]], ignore_index=True)
    counts["unmatched_rows"] = int((~matched).sum())
    counts["no_shares_outstanding_rows"] = int(no_out.sum())
    counts["unmatched_cusips"] = int(np.unique(ccode[~matched]).size)

    # a manager mapped to the firm itself holds treasury stock: no rights
    owner_as_firm = pd.Index(firm_labels, dtype=object).get_indexer(owner_labels) \
        if len(firm_labels) else np.full(len(owner_labels), -1)
    own_firm = owner_as_firm[row_owner] == row_firm if len(owner_labels) else matched & False
    counts["self_held_rows"] = int((covered & own_firm).sum())
    keep = covered & ~own_firm
    shares = frame["shares"].to_numpy()
    sole, shared, none = (frame[c].to_numpy() for c in ("sole", "shared", "none"))
    counts["voting_mismatch_rows"] = int((keep & (np.abs(sole + shared + none - shares) > 0.5)
                                          ).sum())
    votes = {"cash_flow": shares, "sole_shared": np.minimum(sole + shared, shares),
             "sole": np.minimum(sole, shares)}[plan.control]

    # aggregate to (owner, firm) on integer codes
    n_firm = max(len(firm_labels), 1)
    key = row_owner[keep].astype(np.int64) * n_firm + row_firm[keep]
    ukey, inv = np.unique(key, return_inverse=True)
    held = np.bincount(inv, weights=shares[keep], minlength=len(ukey))
    voted = np.bincount(inv, weights=votes[keep], minlength=len(ukey))
    o_idx, f_idx = ukey // n_firm, ukey % n_firm
    d = denom[f_idx]
    beta, gamma = held / d, voted / d
    detail = {"cusip": ccode[keep], "cus_labels": cus_labels, "shares": shares[keep],
              "cik": row_cik[keep], "ciks": ciks, "firm": row_firm[keep]}
    drop, above = _above_one(plan, period, o_idx, f_idx, beta, gamma, owner_labels,
                             firm_labels, detail)
    o_idx, f_idx, beta, gamma = o_idx[~drop], f_idx[~drop], beta[~drop], gamma[~drop]
    stakes = pd.DataFrame({
        "period": pd.Categorical.from_codes(np.zeros(len(o_idx), dtype=np.int8), [period]),
        "owner": _labelled(o_idx, owner_labels), "firm": _labelled(f_idx, firm_labels),
        "cash_flow": beta, "control": gamma})
    counts["firms_above_one"] = len(above)
    counts["owners"] = int(np.unique(o_idx).size)
    counts["firms"] = int(np.unique(f_idx).size)
    counts["stakes"] = len(stakes)
    counts["rows_kept"] = int(keep.sum())
    return stakes, {"period": period, "counts": counts, "unmatched": unmatched,
                    "above_one": above}


def _labelled(codes, labels):
    """A categorical of ``labels[codes]`` (labels may mix types)."""
    try:
        return pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object))
    except (TypeError, ValueError):  # pragma: no cover - unorderable or repeated labels
        return np.asarray(labels, dtype=object)[codes]


def _unmatched(frame, mask, cus_labels, reason, period):
    cols = ["period", "cusip", "issuer", "rows", "shares", "reason"]
    if not mask.any():
        return pd.DataFrame(columns=cols)
    issuer = frame["issuer"]
    icode = issuer.cat.codes.to_numpy()[mask]
    inames = np.asarray(issuer.cat.categories, dtype=object)
    sub = pd.DataFrame({"cusip": cus_labels[frame["cusip"].cat.codes.to_numpy()[mask]],
                        "issuer": np.where(icode >= 0, inames[np.maximum(icode, 0)]
                                           if len(inames) else None, None),
                        "shares": frame["shares"].to_numpy()[mask]})
    g = sub.groupby("cusip", sort=True).agg(issuer=("issuer", "first"), rows=("shares", "size"),
                                           shares=("shares", "sum")).reset_index()
    g.insert(0, "period", period)
    g["reason"] = reason
    return g.sort_values(["shares", "cusip"], ascending=[False, True]).reset_index(drop=True)[cols]


def _above_one(plan, period, o_idx, f_idx, beta, gamma, owner_labels, firm_labels, detail):
    """Firms whose stakes sum above 1 + tolerance, with the managers responsible.

    Returns ``(stakes to drop, report rows)``; nothing is dropped unless
    ``above_one="drop"``.
    """
    cols = ["period", "firm", "cash_flow", "control", "managers", "identical_positions",
            "policy"]
    n = len(firm_labels)
    tot_b = np.bincount(f_idx, weights=beta, minlength=n)
    tot_g = np.bincount(f_idx, weights=gamma, minlength=n)
    over = np.flatnonzero((tot_b > 1.0 + plan.tolerance) | (tot_g > 1.0 + plan.tolerance))
    if not len(over):
        return np.zeros(len(o_idx), dtype=bool), pd.DataFrame(columns=cols)
    records = []
    for j in over:
        mine = np.flatnonzero(f_idx == j)
        top = mine[np.argsort(-beta[mine], kind="stable")][:_SHOWN]
        who = ", ".join(f"{owner_labels[o_idx[k]]} ({beta[k]:.3g})" for k in top)
        m = detail["firm"] == j
        pos = pd.DataFrame({"cik": detail["ciks"][detail["cik"][m]],
                            "cusip": detail["cus_labels"][detail["cusip"][m]],
                            "shares": detail["shares"][m]})
        pos = pos.groupby(["cik", "cusip"], sort=False)["shares"].sum().reset_index()
        same = pos[(pos["shares"] > 0) & pos.duplicated(["cusip", "shares"], keep=False)]
        twins = "; ".join(
            f"{c}: {sh:,.0f} shares by CIK " + ", ".join(sorted(map(str, g["cik"])))
            for (c, sh), g in same.groupby(["cusip", "shares"], sort=True))
        records.append({"period": period, "firm": firm_labels[j], "cash_flow": float(tot_b[j]),
                        "control": float(tot_g[j]), "managers": who,
                        "identical_positions": twins, "policy": plan.above_one})
    above = pd.DataFrame(records, columns=cols)
    drop = np.isin(f_idx, over) if plan.above_one == "drop" else np.zeros(len(o_idx), bool)
    return drop, above


# --------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------
_COUNT_COLUMNS = (
    "filings", "holdings_reports", "notices", "restatements", "new_holdings_amendments",
    "amendments_without_original", "filings_replaced", "rows_read", "rows_unparsable",
    "rows_replaced",
    "put_call", "principal", "other_type", "unmatched_rows", "unmatched_cusips",
    "no_shares_outstanding_rows", "self_held_rows", "voting_mismatch_rows",
    "rows_to_included_managers", "rows_kept", "owners", "firms", "stakes", "firms_above_one")


@dataclass(frozen=True, repr=False, eq=False)
class SEC13FReport(ResultMixin):
    """What :func:`read_13f` read, kept, excluded and replaced, quarter by quarter.

    Attributes
    ----------
    quarters : pandas.DataFrame
        One row per quarter (index ``period``): ``filings`` (in the data sets),
        ``holdings_reports`` (originals and restatements that stand), ``notices``
        (13F-NT, no holdings), ``restatements`` and ``new_holdings_amendments``
        (that stand), ``amendments_without_original`` (new-holdings amendments with
        no original in the data read), ``filings_replaced``; information-table rows:
        ``rows_read``, ``rows_unparsable`` (skipped: the wrong number of fields),
        ``rows_replaced`` (in replaced filings), ``put_call``,
        ``principal`` (PRN), ``other_type`` (neither SH nor PRN), ``unmatched_rows``
        (CUSIP in no firm) and ``unmatched_cusips``, ``no_shares_outstanding_rows``,
        ``self_held_rows`` (a manager mapped to the firm itself),
        ``voting_mismatch_rows`` (sole + shared + none differs from the shares held),
        ``rows_to_included_managers``, ``rows_kept``; results: ``owners``, ``firms``,
        ``stakes`` and ``firms_above_one``.
    replaced : pandas.DataFrame
        The replaced filings: ``period``, ``cik``, ``accession``, ``kind``,
        ``filing_date``, ``replaced_by``.
    unmatched : pandas.DataFrame
        Excluded securities: ``period``, ``cusip``, ``issuer``, ``rows``, ``shares``
        and ``reason`` (no firm in ``securities``, or no shares outstanding).
    above_one : pandas.DataFrame
        Firms whose stakes sum above one: ``period``, ``firm``, ``cash_flow``,
        ``control`` (the totals), ``managers`` (the largest stakes),
        ``identical_positions`` (one CUSIP reported with the same share count by
        several filers) and ``policy`` (``"error"`` or ``"drop"``).
    rules : dict
        The rules applied (control rule and its source, amendments, exclusions).
    datasets : tuple of str
        The data sets read.
    """

    quarters: pd.DataFrame
    replaced: pd.DataFrame
    unmatched: pd.DataFrame
    above_one: pd.DataFrame
    rules: dict = field(default_factory=dict)
    datasets: tuple = ()

    @classmethod
    def from_parts(cls, plan, parts):
        """Assemble the report from the per-quarter parts of :func:`quarter_stakes`."""
        parts = sorted(parts, key=lambda p: p["period"])
        quarters = pd.DataFrame([p["counts"] for p in parts], columns=list(_COUNT_COLUMNS),
                                index=pd.Index([p["period"] for p in parts], name="period"))
        quarters = quarters.fillna(0).astype(np.int64)
        f = plan.filings
        rep = f[f["status"] == "replaced"]
        replaced = rep[["period", "cik", "accession", "kind", "filing_date", "replaced_by"]] \
            .sort_values(["period", "cik", "filing_date"]).reset_index(drop=True)

        def stack(key):
            frames = [p[key] for p in parts if len(p[key])]
            return (pd.concat(frames, ignore_index=True) if frames
                    else parts[0][key].iloc[:0] if parts else pd.DataFrame())

        return cls(quarters=quarters, replaced=replaced, unmatched=stack("unmatched"),
                   above_one=stack("above_one"), rules=plan.rules,
                   datasets=tuple(d.name for d in plan.datasets))

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`quarters` (one row per quarter)."""
        return self.quarters.copy()

    def to_dict(self) -> dict:
        """The report as JSON-serialisable values (for Parquet provenance)."""
        return {"quarters": {str(k): {c: int(v) for c, v in row.items()}
                             for k, row in self.quarters.iterrows()},
                "replaced_filings": self.replaced["accession"].astype(str).tolist(),
                "unmatched_cusips": int(self.unmatched["cusip"].nunique())
                if len(self.unmatched) else 0,
                "firms_above_one": self.above_one[["period", "firm", "cash_flow"]]
                .astype({"firm": str}).to_dict("records") if len(self.above_one) else [],
                "rules": {k: (v if isinstance(v, (int, float)) else str(v))
                          for k, v in self.rules.items()},
                "datasets": list(self.datasets)}

    def _summary_parts(self):
        q = self.quarters
        tot = q.sum() if len(q) else pd.Series(0, index=list(_COUNT_COLUMNS))
        facts = [("quarters", len(q)), ("rows read", int(tot["rows_read"])),
                 ("rows kept", int(tot["rows_kept"])),
                 ("filings replaced", int(tot["filings_replaced"])),
                 ("notices", int(tot["notices"])),
                 ("put/call rows", int(tot["put_call"])),
                 ("PRN rows", int(tot["principal"])),
                 ("unmatched rows", int(tot["unmatched_rows"])),
                 ("firms above one", int(tot["firms_above_one"]))]
        notes = [f"Control: {self.rules.get('control_rule', '')} "
                 f"({self.rules.get('control_source', '')})."] if self.rules else []
        if len(self.unmatched):
            top = self.unmatched.head(_SHOWN)
            notes.append("Largest excluded securities: " + ", ".join(
                f"{c} {i} ({r})" for c, i, r in zip(top["cusip"], top["issuer"],
                                                   top["reason"])) + ".")
        for _, row in self.above_one.head(_SHOWN).iterrows():
            notes.append(f"{row['period']} {row['firm']}: stakes sum to {row['cash_flow']:.3g} "
                         f"({row['managers']}); identical positions: "
                         f"{row['identical_positions'] or 'none'}; policy {row['policy']}.")
        return "Form 13F validation report", facts, notes


# --------------------------------------------------------------------------------------
# running the quarters
# --------------------------------------------------------------------------------------
def iter_quarters(plan, finish=quarter_stakes):
    """Yield ``(period, finish(plan, period, pieces))``, reading each data set once.

    A quarter is finished as soon as every data set holding its filings has been
    read, and its rows are then released, so memory holds the rows of about two data
    sets (a quarter's own and the later one with its amendments).
    """
    periods = plan.periods
    remaining = {p: set(plan.sources(p)) for p in periods}
    pending = {p: [] for p in periods}
    for i in sorted(set().union(*remaining.values())):
        for p, piece in read_positions(plan, i).items():
            pending[p].append(piece)
        for p in periods:
            if p in pending:
                remaining[p].discard(i)
                if not remaining[p]:
                    yield p, finish(plan, p, pending.pop(p))
    for p in list(pending):
        yield p, finish(plan, p, pending.pop(p))


def _raise_above_one(plan, part):
    above = part["above_one"]
    if plan.above_one != "error" or above.empty:
        return
    row = above.iloc[0]
    err = InvalidHoldingsError(
        f"{plan.func}: in {row['period']} the stakes in firm {row['firm']!r} sum to "
        f"{row['cash_flow']:.4g} (control {row['control']:.4g}), above one (tolerance "
        f"{plan.tolerance:g}); {len(above)} firm(s) in this quarter. Largest stakes: "
        f"{row['managers']}. Positions reported identically by several filers: "
        f"{row['identical_positions'] or 'none'}. A parent and its subsidiary filing one "
        "position twice is the usual cause: map both CIKs to one manager and drop one "
        "filing, check shares_outstanding, or pass above_one='drop' to leave such "
        "firm-quarters out (reported).")
    err.report = part
    raise err


def _warn(report):
    q = report.quarters
    if not len(q):
        return
    lost = int(q["unmatched_rows"].sum() + q["no_shares_outstanding_rows"].sum())
    bad = int(q["rows_unparsable"].sum())
    dropped = int(q["firms_above_one"].sum()) if report.rules.get("above_one") == "drop" else 0
    if lost or dropped or bad:
        warn(
            f"read_13f: {lost} share row(s) were excluded because their CUSIP maps to no "
            f"firm or has no shares outstanding, {bad} information-table row(s) could not "
            f"be parsed (the wrong number of fields) and were skipped, and {dropped} "
            "firm-quarter(s) whose stakes sum above one were left out. See the report "
            "(holdings.provenance['sec13f_report']): .unmatched, .above_one and "
            "rows_unparsable.", DataQualityWarning)


_DOC_OPTIONS = """securities : pandas.DataFrame
        Columns ``cusip`` (9 characters: a security; 6: every security of an issuer)
        and ``firm`` (the label the holdings use), optionally ``period`` (a quarter
        label or date; rows without one apply to every quarter).  The 9-character
        key wins over the 6-character one; a period-specific row over a general one.
    shares_outstanding : pandas.DataFrame
        Columns ``shares`` (a count of shares, as ``SSHPRNAMT``) and either ``cusip``
        (per security) or ``firm``, optionally ``period``.  Per security, a firm's
        denominator is the sum over its securities listed here, and only rows in
        those securities count.
    managers : dict or pandas.DataFrame, optional
        Filer CIK -> ultimate manager (columns ``cik`` and ``manager``); CIKs are
        compared without leading zeros.  Unmapped filers are their own manager,
        labelled by CIK.
    quarters : str or list, optional
        The report quarters to read (``"2024Q4"`` or dates); default all.
    control : {"sole_shared", "cash_flow", "sole"}, default "sole_shared"
        Which shares of a position vote (:data:`SEC13F_CONTROL_RULES`); votes are capped at
        the shares held.  ``"cash_flow"`` gives holdings whose control follows cash
        flow.
    included_managers : {"filer", "included"}, default "filer"
        Rows whose ``OTHERMANAGER`` names exactly one "other included manager"
        stay with the filer, or go to that manager (its CIK from
        ``OTHERMANAGER2``, then through ``managers``).
    above_one : {"error", "drop"}, default "error"
        A firm whose stakes sum above one: raise :class:`InvalidHoldingsError`, or
        leave the firm out of that quarter; reported either way.
    tolerance : float, default 0.01
        Allowed excess of a firm's total stakes over one (rounding in filings)."""


@substitute(options=_DOC_OPTIONS)
def read_13f(source, *, securities, shares_outstanding, managers=None, quarters=None,
             control="sole_shared", included_managers="filer", above_one="error",
             tolerance=HOLDINGS_TOLERANCE) -> Holdings:
    r"""Read the SEC's Form 13F data sets into validated :class:`Holdings`.

    Applies the rules of :mod:`concentration.ownership` for 13F data (amendments,
    notices, options, principal amounts, CUSIP to firm, manager families, voting
    authority, stakes above one; see the module docstring and ``docs/sec13f.md``),
    then :func:`concentration.read_holdings` on the stakes.  The cash-flow stake of
    manager i in firm j in quarter t is

    .. math:: \beta_{ijt} = \sum_{f \in i} \sum_{r \in f, j} \mathrm{SSHPRNAMT}_r
              \,/\, \mathrm{shares\ outstanding}_{jt}

    over the filers f of manager i and their share rows r in j's securities; the
    control stake γ uses the voting shares of ``control`` in the numerator.

    Parameters
    ----------
    source : str, os.PathLike or list
        A data set as the SEC posts it (``2024q4_form13f.zip``, or the folder it
        extracts to), a folder of data sets, or a list of paths.  Amendments filed in
        a later data set are applied to their quarter.
    {options}

    Returns
    -------
    Holdings
        Stakes (fractions) per ``period`` (``"YYYYQn"``), ``owner`` (the manager) and
        ``firm``.  ``provenance["sec13f_report"]`` is the :class:`SEC13FReport`
        (displayed as a table in notebooks); ``provenance["rules"]`` the rules.

    Raises
    ------
    InvalidHoldingsError
        A firm's stakes sum above one and ``above_one="error"`` (the message names
        the managers; ``err.report`` holds that quarter's report).
    DataFileError
        A path is missing or is not a Form 13F data set.
    SchemaError
        A table lacks a column of the SEC's layout, or a user table a column.
    InvalidParameterError
        An option outside the values listed.

    Warns
    -----
    DataQualityWarning
        Share rows excluded for want of a firm or of shares outstanding, or
        firm-quarters left out (``above_one="drop"``).

    See Also
    --------
    write_13f : many quarters to a Parquet dataset, quarter by quarter (or on Dask).

    Notes
    -----
    Memory: each data set's information table is read once, with pyarrow (strings
    dictionary-encoded); a quarter's rows are released once it is done.  For many
    quarters use :func:`write_13f`, which keeps only about two data sets in memory.

    References
    ----------
    .. [SEC] U.S. Securities and Exchange Commission. "Form 13F Data Sets" (readme:
       table definitions). https://www.sec.gov/data-research/sec-markets-data/form-13f-data-sets
    .. [BCS] Backus, M., Conlon, C. and Sinkinson, M. (2021). Common ownership in
       America: 1980-2017. American Economic Journal: Microeconomics 13(3), 273-308.
    .. [AST] Azar, J., Schmalz, M. C. and Tecu, I. (2018). Anticompetitive effects
       of common ownership. Journal of Finance 73(4), 1513-1565.
    """
    plan = plan_13f(source, securities=securities, shares_outstanding=shares_outstanding,
                    managers=managers, quarters=quarters, control=control,
                    included_managers=included_managers, above_one=above_one,
                    tolerance=tolerance, func="read_13f")
    frames, parts = [], []
    for _, (frame, part) in iter_quarters(plan):
        _raise_above_one(plan, part)
        frames.append(frame)
        parts.append(part)
    report = SEC13FReport.from_parts(plan, parts)
    table = _stack(frames)
    table.attrs["provenance"] = {"source": "SEC Form 13F data sets",
                                 "datasets": list(report.datasets),
                                 "rules": plan.rules, "sec13f_report": report}
    holdings = read_holdings(table, control=None if control == "cash_flow" else "control",
                             tolerance=tolerance)
    _warn(report)
    return holdings


def _stack(frames):
    """Concatenate quarters' stakes, keeping the label columns categorical."""
    if len(frames) == 1:
        return frames[0]
    labels = {c: pd.api.types.union_categoricals([f[c] for f in frames], ignore_order=True)
              for c in ("period", "owner", "firm")}
    table = pd.concat([f[["cash_flow", "control"]] for f in frames], ignore_index=True)
    for i, (c, v) in enumerate(labels.items()):
        table.insert(i, c, v)
    return table


def write_quarter(plan, period, pieces, *, destination) -> dict:
    """Stakes of one quarter, validated and written to ``destination/period=<q>/``."""
    from ..io import write_parquet

    frame, part = quarter_stakes(plan, period, pieces)
    _raise_above_one(plan, part)
    if len(frame):
        h = read_holdings(frame, control=None if plan.control == "cash_flow" else "control",
                          tolerance=plan.tolerance)
        folder = os.path.join(destination, f"period={period}")
        os.makedirs(folder, exist_ok=True)
        prov = {"source": "SEC Form 13F data sets", "period": period,
                "datasets": [plan.datasets[i].name for i in plan.sources(period)],
                "counts": {k: int(v) for k, v in part["counts"].items()},
                "rules": {k: (v if isinstance(v, (int, float)) else str(v))
                          for k, v in plan.rules.items()}}
        write_parquet(h.table.drop(columns="period"), os.path.join(folder, "part-0.parquet"),
                      provenance=prov)
    return part


@substitute(options=_DOC_OPTIONS)
def write_13f(source, destination, *, securities, shares_outstanding, managers=None,
              quarters=None, control="sole_shared", included_managers="filer",
              above_one="error", tolerance=HOLDINGS_TOLERANCE, engine="pandas",
              client=None) -> SEC13FReport:
    """Read many quarters of Form 13F data sets into a Parquet dataset of holdings.

    The rules, options and stakes are those of :func:`read_13f`; each quarter is
    validated by :func:`concentration.read_holdings` and written to
    ``destination/period=<YYYYQn>/part-0.parquet`` (columns ``owner``, ``firm``,
    ``cash_flow``, ``control``; the quarter's counts and rules in the Parquet
    provenance).  Read it back with ``cn.read_holdings(destination)`` or, lazily,
    ``cn.read_holdings(destination, engine="dask")``, which
    :func:`concentration.profit_weights` and :func:`concentration.mhhi` take one
    quarter per task.

    Parameters
    ----------
    source : str, os.PathLike or list
        Data sets, as for :func:`read_13f`.
    destination : str or os.PathLike
        A new or empty folder.
    {options}
    engine : {"pandas", "dask"}, default "pandas"
        ``"pandas"`` reads the data sets one after the other and writes each quarter
        as soon as the data sets holding its filings are read (memory: about two
        data sets' rows).  ``"dask"`` runs one task per data set and one per quarter
        (needs ``pip install "antitrust-concentration[dask]"``); a worker holds one
        data set's rows and one quarter's stakes at a time.
    client : distributed.Client, optional
        With ``engine="dask"``: the cluster to run on (default: the global client
        or the local scheduler).

    Returns
    -------
    SEC13FReport
        The report of every quarter.

    Raises
    ------
    InvalidParameterError
        ``destination`` exists and is not an empty folder, or an option is invalid.
    InvalidHoldingsError, DataFileError, SchemaError
        As :func:`read_13f`.

    Examples
    --------
    See ``docs/sec13f.md`` and the tutorial ``docs/tutorials/sec_13f_to_mhhi.md``.
    """
    func = "write_13f"
    check_choice(func, "engine", engine, ("pandas", "dask"))
    if not isinstance(destination, (str, os.PathLike)):
        raise InvalidParameterError(param_message(func, "destination", "a folder path",
                                                  destination))
    destination = os.fspath(destination)
    if os.path.exists(destination) and (not os.path.isdir(destination)
                                        or os.listdir(destination)):
        raise InvalidParameterError(param_message(
            func, "destination", "a new or empty folder", destination,
            "Choose a new folder: quarters already written would mix with these."))
    if engine == "pandas" and client is not None:
        raise InvalidParameterError(param_message(func, "client", "None with engine='pandas'",
                                                  client, "Pass engine='dask' to use a client."))
    plan = plan_13f(source, securities=securities, shares_outstanding=shares_outstanding,
                    managers=managers, quarters=quarters, control=control,
                    included_managers=included_managers, above_one=above_one,
                    tolerance=tolerance, func=func)
    os.makedirs(destination, exist_ok=True)
    if engine == "dask":
        run = get_backend("dask", func=func).implementations["write_13f"]
        parts = run(plan, destination, client=client)
    else:
        write = functools.partial(write_quarter, destination=destination)
        parts = [part for _, part in iter_quarters(plan, write)]
    report = SEC13FReport.from_parts(plan, parts)
    _warn(report)
    return report
