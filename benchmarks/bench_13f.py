"""Form 13F data sets to Holdings: ``cn.read_13f`` against pandas, and many quarters on Dask.

    python benchmarks/bench_13f.py          # short: 1 quarter of ~400,000 rows; 4 quarters on Dask
    python benchmarks/bench_13f.py --full   # one 13F-size quarter (~4 M INFOTABLE rows);
                                            # 40 quarters of that size on Dask

1. Data sets in the SEC's layout (``SUBMISSION``, ``COVERPAGE``, ``OTHERMANAGER2`` and
   ``INFOTABLE`` .tsv files, tab-separated, dates ``DD-MON-YYYY``) are written from the
   project's 13F-like ownership generator (``generators.make_ownership``: 8,000 firms
   x 30,000 filers, power-law portfolios) with the hygiene problems of real filings:
   put and call rows, PRN rows, CUSIPs in no firm, 13F-NT notices, originals restated
   by an amendment, new-holdings amendments, filer CIKs belonging to manager
   families, and (from the second quarter on) restatements of the previous quarter
   filed in the next data set.
2. One quarter is read to Holdings twice, each in a fresh process (time and peak
   resident memory): ``cn.read_13f`` and the pandas merge pipeline a researcher
   writes (``pd.read_csv`` of the tables, merges, the same amendment, exclusion,
   family and voting rules, a groupby, then ``cn.read_holdings``).  The two results
   are checked to be equal.
3. ``cn.write_13f(..., engine="dask")`` writes all the quarters as a Parquet dataset on
   a ``distributed.LocalCluster`` (2 single-threaded worker processes); printed: wall
   time, and the peak resident memory of each worker (``getrusage`` in the worker).

Times vary by about a third between runs on shared machines: compare the ratio of the
two pipelines measured in the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import loopback_cluster  # noqa: E402
from generators import make_ownership  # noqa: E402

import concentration as cn  # noqa: E402

GiB = 1024.0 ** 3
INFOTABLE = ["ACCESSION_NUMBER", "INFOTABLE_SK", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "FIGI",
             "VALUE", "SSHPRNAMT", "SSHPRNAMTTYPE", "PUTCALL", "INVESTMENTDISCRETION",
             "OTHERMANAGER", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


# -- the data sets ------------------------------------------------------------------------
def quarter_end(q):
    """(label, SEC date) of quarter number q (0 = 2015Q1)."""
    year, k = 2015 + q // 4, q % 4 + 1
    day = {1: "31-MAR", 2: "30-JUN", 3: "30-SEP", 4: "31-DEC"}[k]
    return f"{year}Q{k}", f"{day}-{year}"


def filed(q, day):
    """An SEC filing date ``day`` days into the quarter after q."""
    year, k = 2015 + (q + 1) // 4, (q + 1) % 4
    return f"{min(day, 28):02d}-{MONTHS[3 * k + (day // 28) % 3]}-{year}"


def cusips(n):
    return np.array([f"{i:06d}10{i % 10}" for i in range(n)], dtype=object)


def universe(args):
    """The firms' securities and shares outstanding, and the filer families."""
    rng = np.random.default_rng([args.seed, 13])
    out = np.rint(10 ** rng.uniform(7, 9.5, size=args.firms))
    securities = pd.DataFrame({"cusip": cusips(args.firms),
                               "firm": [f"F{i:05d}" for i in range(args.firms)]})
    outstanding = pd.DataFrame({"firm": securities["firm"], "shares": out})
    fam = rng.random(args.owners) < 0.03
    managers = {str(100000 + o): f"Family {o % 100:03d}" for o in np.flatnonzero(fam)}
    return securities, outstanding, managers, out


def _tsv(frame, path):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, "wb") as fh:
        fh.write(("\t".join(frame.columns) + "\n").encode())
        pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), fh,
                        write_options=pacsv.WriteOptions(delimiter="\t", quoting_style="none",
                                                         include_header=False))


def write_quarter_dataset(root, q, W, out, args, prev=None):
    """Write the data set posted after quarter q; returns (path, INFOTABLE rows, prev info)."""
    rng = np.random.default_rng([args.seed, 17, q])
    label, end = quarter_end(q)
    Wc = W.tocsc()
    owner_of = np.repeat(np.arange(W.shape[1]), np.diff(Wc.indptr))
    firm = Wc.indices.astype(np.int64)
    drift = rng.lognormal(0.0, 0.05, size=W.shape[0])      # holdings move between quarters
    shares = np.rint(Wc.data * out[firm] * np.minimum(drift[firm], 1.0))
    n_owners = W.shape[1]
    cik = 100000 + np.arange(n_owners)
    deg = np.diff(Wc.indptr)
    # filings: everyone files an original; small filers restate or add new holdings
    acc_orig = np.array([f"{c:010d}-{q:02d}-000001" for c in cik], dtype=object)
    small = np.flatnonzero((deg > 0) & (deg < 50))
    restated = rng.choice(small, size=min(len(small), n_owners // 50), replace=False)
    newhold = rng.choice(np.setdiff1d(small, restated), size=min(len(small), n_owners // 100),
                         replace=False)
    sub = {"ACCESSION_NUMBER": list(acc_orig), "FILING_DATE": [filed(q, 14)] * n_owners,
           "SUBMISSIONTYPE": ["13F-HR"] * n_owners, "CIK": [f"{c:010d}" for c in cik],
           "PERIODOFREPORT": [end] * n_owners}
    cov = {"ACCESSION_NUMBER": list(acc_orig), "REPORTCALENDARORQUARTER": [end] * n_owners,
           "ISAMENDMENT": ["N"] * n_owners, "AMENDMENTNO": [""] * n_owners,
           "AMENDMENTTYPE": [""] * n_owners,
           "FILINGMANAGER_NAME": [f"FICTIONAL MANAGER {c}" for c in cik],
           "REPORTTYPE": ["13F HOLDINGS REPORT"] * n_owners}

    def add_filing(acc, c, kind, atype, day, period_end):
        sub["ACCESSION_NUMBER"].append(acc)
        sub["FILING_DATE"].append(filed(q, day))
        sub["SUBMISSIONTYPE"].append(kind)
        sub["CIK"].append(f"{c:010d}")
        sub["PERIODOFREPORT"].append(period_end)
        cov["ACCESSION_NUMBER"].append(acc)
        cov["REPORTCALENDARORQUARTER"].append(period_end)
        cov["ISAMENDMENT"].append("Y" if kind.endswith("/A") else "N")
        cov["AMENDMENTNO"].append("1" if kind.endswith("/A") else "")
        cov["AMENDMENTTYPE"].append(atype)
        cov["FILINGMANAGER_NAME"].append(f"FICTIONAL MANAGER {c}")
        cov["REPORTTYPE"].append("13F NOTICE" if kind == "13F-NT" else "13F HOLDINGS REPORT")

    acc_row = acc_orig[owner_of].copy()
    pieces = []
    # restated filers: the original carried wrong share counts, the restatement the right ones
    rs = np.isin(owner_of, restated)
    for o in restated:
        add_filing(f"{cik[o]:010d}-{q:02d}-000002", cik[o], "13F-HR/A", "RESTATEMENT", 40, end)
    pieces.append((acc_row[rs], firm[rs], np.rint(shares[rs] * 0.9), None, "SH"))
    acc_row[rs] = np.array([f"{cik[o]:010d}-{q:02d}-000002" for o in owner_of[rs]], dtype=object)
    # new-holdings filers: every other position comes in the amendment
    nh = np.isin(owner_of, newhold) & (np.arange(len(firm)) % 2 == 0)
    for o in newhold:
        add_filing(f"{cik[o]:010d}-{q:02d}-000003", cik[o], "13F-HR/A", "NEW HOLDINGS", 50, end)
    acc_row[nh] = np.array([f"{cik[o]:010d}-{q:02d}-000003" for o in owner_of[nh]], dtype=object)
    pieces.insert(0, (acc_row, firm, shares, None, "SH"))
    # options, principal amounts and securities in no firm
    for frac, putcall, kind in ((0.01, "Put", "SH"), (0.01, "Call", "SH"), (0.005, None, "PRN")):
        m = rng.random(len(firm)) < frac
        pieces.append((acc_row[m], firm[m], np.rint(shares[m] * 2 + 100), putcall, kind))
    m = rng.random(len(firm)) < 0.003
    pieces.append((acc_row[m], -1 - firm[m], np.rint(shares[m] + 1), None, "SH"))
    # notices
    for j in range(args.owners // 60):
        add_filing(f"{900000 + j:010d}-{q:02d}-000001", 900000 + j, "13F-NT", "", 20, end)
    # the previous quarter's late restatements
    if prev is not None:
        for acc, c, period_end in prev["late"]:
            add_filing(acc, c, "13F-HR/A", "RESTATEMENT", 60, period_end)
        pieces.append(prev["rows"])
    acc_all = np.concatenate([p[0] for p in pieces])
    firm_all = np.concatenate([p[1] for p in pieces])
    sh_all = np.concatenate([p[2] for p in pieces])
    putcall = np.concatenate([np.full(len(p[0]), p[3], dtype=object) for p in pieces])
    kind = np.concatenate([np.full(len(p[0]), p[4], dtype=object) for p in pieces])
    cus = np.where(firm_all >= 0, cusips(W.shape[0])[np.maximum(firm_all, 0)],
                   np.array([f"9{i:05d}909" for i in range(W.shape[0])],
                            dtype=object)[np.minimum(-1 - firm_all, W.shape[0] - 1)])
    u = rng.random(len(sh_all))
    sole = np.rint(sh_all * np.where(u < 0.7, 1.0, 0.6))
    none = np.rint(sh_all * np.where(u < 0.9, 0.0, 0.1))
    shared = sh_all - sole - none
    info = pd.DataFrame({
        "ACCESSION_NUMBER": acc_all, "INFOTABLE_SK": np.arange(1, len(sh_all) + 1),
        "NAMEOFISSUER": np.array([f"ISSUER {c[:6]}" for c in cusips(W.shape[0])] + [
            "UNLISTED"], dtype=object)[np.where(firm_all >= 0, firm_all, W.shape[0])],
        "TITLEOFCLASS": "COM", "CUSIP": cus, "FIGI": "", "VALUE": (sh_all * 37).astype(np.int64),
        "SSHPRNAMT": sh_all.astype(np.int64), "SSHPRNAMTTYPE": kind,
        "PUTCALL": np.where(pd.isna(putcall), "", putcall), "INVESTMENTDISCRETION": "SOLE",
        "OTHERMANAGER": "", "VOTING_AUTH_SOLE": sole.astype(np.int64),
        "VOTING_AUTH_SHARED": shared.astype(np.int64), "VOTING_AUTH_NONE": none.astype(np.int64)})
    folder = os.path.join(root, f"{label.lower()}_form13f")
    os.makedirs(folder, exist_ok=True)
    _tsv(pd.DataFrame(sub), os.path.join(folder, "SUBMISSION.tsv"))
    _tsv(pd.DataFrame(cov), os.path.join(folder, "COVERPAGE.tsv"))
    _tsv(pd.DataFrame({"ACCESSION_NUMBER": [], "SEQUENCENUMBER": [], "CIK": [], "NAME": []}),
         os.path.join(folder, "OTHERMANAGER2.tsv"))
    _tsv(info, os.path.join(folder, "INFOTABLE.tsv"))
    # this quarter's late restatements, filed with the next data set: 20 small filers
    late = rng.choice(np.setdiff1d(small, np.r_[restated, newhold]), size=min(20, len(small)),
                      replace=False)
    lm = np.isin(owner_of, late)
    late_acc = {o: f"{cik[o]:010d}-{q + 1:02d}-000009" for o in late}
    nxt = {"late": [(late_acc[o], cik[o], end) for o in late],
           "rows": (np.array([late_acc[o] for o in owner_of[lm]], dtype=object), firm[lm],
                    shares[lm], None, "SH")}
    return folder, len(info), nxt


# -- the two pipelines ------------------------------------------------------------------
def pandas_pipeline(folder, securities, outstanding, managers):
    """What a researcher writes with pandas: read, merge, filter, group, then read_holdings."""
    sub = pd.read_csv(os.path.join(folder, "SUBMISSION.tsv"), sep="\t", dtype=str)
    cov = pd.read_csv(os.path.join(folder, "COVERPAGE.tsv"), sep="\t", dtype=str)
    info = pd.read_csv(os.path.join(folder, "INFOTABLE.tsv"), sep="\t",
                       dtype={"ACCESSION_NUMBER": str, "CUSIP": str, "PUTCALL": str,
                              "SSHPRNAMTTYPE": str, "OTHERMANAGER": str, "NAMEOFISSUER": str,
                              "TITLEOFCLASS": str, "FIGI": str, "INVESTMENTDISCRETION": str})
    f = sub.merge(cov, on="ACCESSION_NUMBER", how="left")
    f = f[~f["SUBMISSIONTYPE"].str.startswith("13F-NT")].copy()
    f["CIK"] = f["CIK"].str.lstrip("0")
    f["date"] = pd.to_datetime(f["FILING_DATE"], format="%d-%b-%Y")
    d = pd.to_datetime(f["REPORTCALENDARORQUARTER"], format="%d-%b-%Y")
    f["period"] = d.dt.year.astype(str) + "Q" + d.dt.quarter.astype(str)
    f = f.sort_values(["CIK", "period", "date", "ACCESSION_NUMBER"])
    f["pos"] = f.groupby(["CIK", "period"]).cumcount()
    resets = f["pos"].where(f["AMENDMENTTYPE"].fillna("RESTATEMENT") != "NEW HOLDINGS", -1)
    f["last"] = resets.groupby([f["CIK"], f["period"]]).transform("max")
    f = f[f["pos"] >= f["last"]]
    info = info[info["PUTCALL"].isna() & (info["SSHPRNAMTTYPE"] == "SH")]
    info = info.merge(f[["ACCESSION_NUMBER", "CIK", "period"]], on="ACCESSION_NUMBER")
    info["owner"] = info["CIK"].map(managers).fillna(info["CIK"])
    info = info.merge(securities, left_on="CUSIP", right_on="cusip")
    info["votes"] = np.minimum(info["VOTING_AUTH_SOLE"] + info["VOTING_AUTH_SHARED"],
                               info["SSHPRNAMT"])
    g = info.groupby(["period", "owner", "firm"], as_index=False)[["SSHPRNAMT", "votes"]].sum()
    g = g.merge(outstanding, on="firm")
    g["cash_flow"] = g["SSHPRNAMT"] / g["shares"]
    g["control"] = g["votes"] / g["shares"]
    return cn.read_holdings(g[["period", "owner", "firm", "cash_flow", "control"]],
                            control="control")


def library_pipeline(folder, securities, outstanding, managers):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cn.exceptions.DataQualityWarning)
        return cn.read_13f(folder, securities=securities, shares_outstanding=outstanding,
                           managers=managers)


def _peak_rss():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0   # Linux: KiB


def _child(which, folder, tables, conn):
    t0 = time.perf_counter()
    h = (library_pipeline if which == "read_13f" else pandas_pipeline)(folder, *tables)
    dt = time.perf_counter() - t0
    t = h.to_frame().sort_values(["owner", "firm"]).reset_index(drop=True)
    t["owner"] = t["owner"].astype(str)
    t["firm"] = t["firm"].astype(str)
    conn.send((dt, _peak_rss(), t))
    conn.close()


def in_fresh_process(which, folder, tables):
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(which, folder, tables, child))
    p.start()
    while not parent.poll(1.0):
        if not p.is_alive():
            raise RuntimeError(f"the {which} pipeline failed (exit code {p.exitcode})")
    out = parent.recv()
    p.join()
    return out


# -- main -------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true",
                    help="13F size: ~4 M INFOTABLE rows per quarter, 40 quarters on Dask")
    ap.add_argument("--quarters", type=int, help="quarters on Dask (default 4, 40 with --full)")
    ap.add_argument("--holdings", type=int, help="positions per quarter (default 400,000; "
                    "4,000,000 with --full)")
    ap.add_argument("--firms", type=int, default=8000)
    ap.add_argument("--owners", type=int, default=30000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="6GiB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dir", help="where to write the data sets (default: a temporary folder)")
    args = ap.parse_args(argv)
    args.quarters = args.quarters or (40 if args.full else 4)
    args.holdings = args.holdings or (4_000_000 if args.full else 400_000)
    root = args.dir or tempfile.mkdtemp(prefix="bench_13f_")
    sets = os.path.join(root, "datasets")
    shutil.rmtree(sets, ignore_errors=True)
    os.makedirs(sets)

    t0 = time.perf_counter()
    W = make_ownership(args.firms, args.owners, args.holdings, seed=args.seed)
    securities, outstanding, managers, out = universe(args)
    folders, rows, prev = [], [], None
    for q in range(args.quarters):
        folder, n, prev = write_quarter_dataset(sets, q, W, out, args, prev)
        folders.append(folder)
        rows.append(n)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(sets) for f in fs)
    print(f"data sets: {args.quarters} quarters in the SEC layout, {W.nnz:,} positions "
          f"({args.firms:,} firms x {args.owners:,} filers) and {rows[0]:,} INFOTABLE rows "
          f"in the first; {sum(rows):,} rows, {size / GiB:.2f} GiB of TSV; written in "
          f"{time.perf_counter() - t0:.1f} s")

    # 1. one quarter, both pipelines, each in a fresh process
    tables = (securities, outstanding, managers)
    t_lib, m_lib, lib = in_fresh_process("read_13f", folders[0], tables)
    t_pd, m_pd, ref = in_fresh_process("pandas", folders[0], tables)
    pd.testing.assert_frame_equal(lib[ref.columns].reset_index(drop=True), ref,
                                  check_exact=False, rtol=1e-12, check_dtype=False)
    print(f"\none quarter ({rows[0]:,} INFOTABLE rows -> {len(lib):,} stakes; results equal)")
    print(f"  cn.read_13f           {t_lib:8.1f} s   peak RSS {m_lib / GiB:5.2f} GiB")
    print(f"  pandas merge pipeline {t_pd:8.1f} s   peak RSS {m_pd / GiB:5.2f} GiB")
    print(f"  ratio                 {t_pd / t_lib:8.2f}x faster, "
          f"{m_pd / m_lib:.2f}x less memory")

    # 2. all quarters on Dask
    from dask.utils import parse_bytes

    limit = parse_bytes(args.memory_limit)

    dest = os.path.join(root, "holdings")
    shutil.rmtree(dest, ignore_errors=True)
    with loopback_cluster(args.workers, args.memory_limit) as (cluster, client):
        before = set(client.scheduler_info()["workers"])
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cn.exceptions.DataQualityWarning)
            report = cn.write_13f(sets, dest, securities=securities,
                                  shares_outstanding=outstanding, managers=managers,
                                  engine="dask", client=client)
        wall = time.perf_counter() - t0
        peaks = client.run(_peak_rss)
        restarts = len(before - set(client.scheduler_info()["workers"]))
    q = report.quarters
    print(f"\n{len(q)} quarters through Dask: {args.workers} workers x 1 thread, memory limit "
          f"{limit / GiB:.1f} GiB each")
    print(f"  wall time          {wall:8.1f} s ({wall / len(q):.1f} s per quarter)")
    print("  peak RSS / worker  " + ", ".join(f"{v / GiB:.2f} GiB" for v in peaks.values()))
    print(f"  worker restarts    {restarts}")
    print(f"  rows read {int(q['rows_read'].sum()):,}, kept {int(q['rows_kept'].sum()):,}; "
          f"replaced filings {int(q['filings_replaced'].sum()):,}; put/call "
          f"{int(q['put_call'].sum()):,}; PRN {int(q['principal'].sum()):,}; unmatched "
          f"{int(q['unmatched_rows'].sum()):,}; notices {int(q['notices'].sum()):,}")
    if not args.dir:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
