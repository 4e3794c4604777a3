"""Build small Form 13F data sets in the SEC's layout, for the tests.

The tables and their columns are those of the SEC's readme for the "Form 13F data
sets" (section 5, table definitions); every column is written, in the readme's
order, tab-separated with a header row, dates as ``DD-MON-YYYY``.  Filers, CIKs,
CUSIPs and numbers are fictional.

    filings = [filing("0000000001-25-000001", cik=1001, quarter="31-DEC-2024",
                      filed="14-FEB-2025", kind="13F-HR")]
    rows = [position("0000000001-25-000001", "000000AA1", 100, sole=100)]
    write_dataset(tmp_path / "2025q1_form13f.zip", filings, rows)
"""

from __future__ import annotations

import io
import os
import zipfile

#: The SEC's table definitions: table -> columns, in order.
COLUMNS = {
    "SUBMISSION": ["ACCESSION_NUMBER", "FILING_DATE", "SUBMISSIONTYPE", "CIK", "PERIODOFREPORT"],
    "COVERPAGE": ["ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "ISAMENDMENT", "AMENDMENTNO",
                  "AMENDMENTTYPE", "CONFDENIEDEXPIRED", "DATEDENIEDEXPIRED", "DATEREPORTED",
                  "REASONFORNONCONFIDENTIALITY", "FILINGMANAGER_NAME", "FILINGMANAGER_STREET1",
                  "FILINGMANAGER_STREET2", "FILINGMANAGER_CITY", "FILINGMANAGER_STATEORCOUNTRY",
                  "FILINGMANAGER_ZIPCODE", "REPORTTYPE", "FORM13FFILENUMBER", "CRDNUMBER",
                  "SECFILENUMBER", "PROVIDEINFOFORINSTRUCTION5", "ADDITIONALINFORMATION"],
    "OTHERMANAGER": ["ACCESSION_NUMBER", "OTHERMANAGER_SK", "CIK", "FORM13FFILENUMBER",
                     "CRDNUMBER", "SECFILENUMBER", "NAME"],
    "SIGNATURE": ["ACCESSION_NUMBER", "NAME", "TITLE", "PHONE", "SIGNATURE", "CITY",
                  "STATEORCOUNTRY", "SIGNATUREDATE"],
    "SUMMARYPAGE": ["ACCESSION_NUMBER", "OTHERINCLUDEDMANAGERSCOUNT", "TABLEENTRYTOTAL",
                    "TABLEVALUETOTAL", "ISCONFIDENTIALOMITTED"],
    "OTHERMANAGER2": ["ACCESSION_NUMBER", "SEQUENCENUMBER", "CIK", "FORM13FFILENUMBER",
                      "CRDNUMBER", "SECFILENUMBER", "NAME"],
    "INFOTABLE": ["ACCESSION_NUMBER", "INFOTABLE_SK", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP",
                  "FIGI", "VALUE", "SSHPRNAMT", "SSHPRNAMTTYPE", "PUTCALL",
                  "INVESTMENTDISCRETION", "OTHERMANAGER", "VOTING_AUTH_SOLE",
                  "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE"],
}

_REPORT_TYPE = {"13F-HR": "13F HOLDINGS REPORT", "13F-HR/A": "13F HOLDINGS REPORT",
                "13F-NT": "13F NOTICE", "13F-NT/A": "13F NOTICE"}


def filing(accession, *, cik, quarter, filed, kind="13F-HR", amendment_type=None,
           amendment_no=None, name=None, report_type=None):
    """One filing: its SUBMISSION and COVERPAGE rows (``kind`` is the SUBMISSIONTYPE)."""
    amended = kind.endswith("/A")
    return {
        "SUBMISSION": {"ACCESSION_NUMBER": accession, "FILING_DATE": filed,
                       "SUBMISSIONTYPE": kind, "CIK": f"{cik:010d}", "PERIODOFREPORT": quarter},
        "COVERPAGE": {"ACCESSION_NUMBER": accession, "REPORTCALENDARORQUARTER": quarter,
                      "ISAMENDMENT": "Y" if amended else "N",
                      "AMENDMENTNO": amendment_no if amended else None,
                      "AMENDMENTTYPE": amendment_type if amended else None,
                      "DATEREPORTED": filed,
                      "FILINGMANAGER_NAME": name or f"Fictional Manager {cik}",
                      "FILINGMANAGER_CITY": "Springfield",
                      "REPORTTYPE": report_type or _REPORT_TYPE[kind],
                      "FORM13FFILENUMBER": f"028-{cik:05d}"},
    }


def position(accession, cusip, shares, *, sole=None, shared=0, none=0, kind="SH",
             putcall=None, other=None, issuer=None, value=None):
    """One INFOTABLE row; ``sole`` defaults to the shares not shared or without vote."""
    if sole is None:
        sole = shares - shared - none
    return {"ACCESSION_NUMBER": accession, "NAMEOFISSUER": issuer or f"ISSUER {cusip[:6]}",
            "TITLEOFCLASS": "COM", "CUSIP": cusip, "VALUE": value if value is not None
            else shares * 10, "SSHPRNAMT": shares, "SSHPRNAMTTYPE": kind, "PUTCALL": putcall,
            "INVESTMENTDISCRETION": "SOLE" if other is None else "DFND",
            "OTHERMANAGER": other, "VOTING_AUTH_SOLE": sole, "VOTING_AUTH_SHARED": shared,
            "VOTING_AUTH_NONE": none}


def included_manager(accession, sequence, *, cik, name=None):
    """One OTHERMANAGER2 row: an "other included manager" of a report."""
    return {"ACCESSION_NUMBER": accession, "SEQUENCENUMBER": sequence, "CIK": f"{cik:010d}",
            "FORM13FFILENUMBER": f"028-{cik:05d}", "NAME": name or f"Fictional Manager {cik}"}


def _tsv(table, rows):
    cols = COLUMNS[table]
    out = io.StringIO()
    out.write("\t".join(cols) + "\n")
    for r in rows:
        out.write("\t".join("" if r.get(c) is None else str(r.get(c)) for c in cols) + "\n")
    return out.getvalue()


def tables(filings, positions, included=()):
    """``{table: TSV text}`` for every table of the layout."""
    rows = {t: [] for t in COLUMNS}
    for f in filings:
        rows["SUBMISSION"].append(f["SUBMISSION"])
        rows["COVERPAGE"].append(f["COVERPAGE"])
        acc = f["SUBMISSION"]["ACCESSION_NUMBER"]
        mine = [p for p in positions if p["ACCESSION_NUMBER"] == acc]
        rows["SUMMARYPAGE"].append({"ACCESSION_NUMBER": acc, "TABLEENTRYTOTAL": len(mine),
                                    "TABLEVALUETOTAL": sum(p["VALUE"] for p in mine),
                                    "OTHERINCLUDEDMANAGERSCOUNT": sum(
                                        1 for m in included if m["ACCESSION_NUMBER"] == acc),
                                    "ISCONFIDENTIALOMITTED": "N"})
        rows["SIGNATURE"].append({"ACCESSION_NUMBER": acc, "NAME": "A. Signer",
                                  "SIGNATUREDATE": f["SUBMISSION"]["FILING_DATE"]})
    for i, p in enumerate(positions, start=1):
        rows["INFOTABLE"].append(dict(p, INFOTABLE_SK=i))
    rows["OTHERMANAGER2"] = list(included)
    return {t: _tsv(t, r) for t, r in rows.items()}


def write_dataset(path, filings, positions, included=()):
    """Write a data set as the SEC's zip (``*.zip``) or as an extracted folder."""
    path = os.fspath(path)
    text = tables(filings, positions, included)
    if path.endswith(".zip"):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for t, body in text.items():
                zf.writestr(f"{t}.tsv", body)
    else:
        os.makedirs(path, exist_ok=True)
        for t, body in text.items():
            with open(os.path.join(path, f"{t}.tsv"), "w", encoding="utf-8") as fh:
                fh.write(body)
    return path
