"""Ingestion speed and memory: the project's ingest beside raw DuckDB and the original pandas pipeline.

    python bench/ingest.py                 # 1M and 10M lines
    python bench/ingest.py --lines 200000  # smaller, any number of sizes

For each size a synthetic platform-style sales CSV is written to a temporary folder (19-digit order
numbers, Chinese headers, ¥ prices on 1% of lines, 0.1% bad dates that must be rejected). Each
method runs in its own process so its peak memory (max RSS) and CPU time are its own. CPU time (all
threads, over the same span as the wall time: imports and setup left out) is the fairer figure on a
shared machine, where wall time includes waiting for the cores:
  ingest  `ecom.ingest.ingest_file` into a fresh warehouse file (sniffing, planning, mapping with value
          checks, date-format inference, typed conversion, reject reasons, line kinds, data-set keys,
          upload log: everything a user's upload goes through) — the load alone: the pages' summary
          tables, built after it, are measured by bench/pages.py
  duckdb  `CREATE TABLE AS SELECT * FROM read_csv(...)` into a fresh DuckDB file (no validation)
  pandas  the original pipeline: read_csv in chunks + dropna + astype + concat
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = "订单编号,明细序号,付款时间,买家会员名,商品ID,宝贝标题,类目,购买数量,单价,实付金额,订单状态"


def generate(path: Path, lines: int, offset: int = 0) -> None:
    """`lines` order lines, three to an order (its lines share the order's payment time and buyer);
    `offset` starts further on (new orders, of the same customers, a few days later)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
        COPY (
          SELECT
            CAST(3100000000000000000 + i // 3 AS VARCHAR) AS "订单编号",
            i % 3 + 1 AS "明细序号",
            CASE WHEN i % 1000 = 7 THEN '2024-13-45'
                 ELSE strftime(TIMESTAMP '2024-01-01' + to_seconds(CAST((i // 3 * 111) % 31536000 AS BIGINT)), '%Y-%m-%d %H:%M:%S') END AS "付款时间",
            'C' || lpad(CAST((i // 3 * 7919) % 50000 AS VARCHAR), 6, '0') AS "买家会员名",
            lpad(CAST(i % 300 AS VARCHAR), 6, '0') AS "商品ID",
            '商品 ' || CAST(i % 300 AS VARCHAR) || ' 经典款' AS "宝贝标题",
            ['女装', '男装', '美妆', '数码', '家居'][i % 5 + 1] AS "类目",
            1 + i % 4 AS "购买数量",
            CASE WHEN i % 100 = 3 THEN '¥' || CAST(19.9 + i % 300 AS VARCHAR) ELSE CAST(19.9 + i % 300 AS VARCHAR) END AS "单价",
            CAST(round((19.9 + i % 300) * (1 + i % 4), 2) AS VARCHAR) AS "实付金额",
            CASE WHEN i % 50 = 0 THEN '退款成功' ELSE '交易成功' END AS "订单状态"
          FROM range({offset}, {offset + lines}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)
    con.close()


def _cpu() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def run_ingest(path: str, db: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from ecom.ingest import ingest_file
    from ecom.warehouse import Warehouse

    wh = Warehouse(db)
    t, c = time.perf_counter(), _cpu()
    rep = ingest_file(wh, path, refresh=False)[0]
    secs, cpu = time.perf_counter() - t, _cpu() - c
    wh.close()
    return {"seconds": secs, "cpu": cpu, "rows": rep.rows_loaded, "rejected": rep.rows_rejected, "status": rep.status,
            "message": rep.message}


def run_duckdb(path: str, db: str) -> dict:
    import duckdb

    con = duckdb.connect(db)
    con.execute("SET enable_progress_bar = false")
    t, c = time.perf_counter(), _cpu()
    con.execute(f"CREATE TABLE sales AS SELECT * FROM read_csv('{path}')")
    rows = con.execute("SELECT count(*) FROM sales").fetchone()[0]
    secs, cpu = time.perf_counter() - t, _cpu() - c
    con.close()
    return {"seconds": secs, "cpu": cpu, "rows": rows, "rejected": 0}


def run_pandas(path: str, db: str) -> dict:
    import pandas as pd

    t, c = time.perf_counter(), _cpu()
    parts = []
    for chunk in pd.read_csv(path, chunksize=1_000_000, dtype=str):
        chunk = chunk.dropna()
        chunk = chunk.astype({"明细序号": "int64", "购买数量": "int64", "实付金额": "float64"})
        chunk["付款时间"] = pd.to_datetime(chunk["付款时间"], errors="coerce")
        parts.append(chunk)
    frame = pd.concat(parts, ignore_index=True)
    secs, cpu = time.perf_counter() - t, _cpu() - c
    return {"seconds": secs, "cpu": cpu, "rows": len(frame), "rejected": 0}


METHODS = {"ingest": run_ingest, "duckdb": run_duckdb, "pandas": run_pandas}


def measure(method: str, path: Path, workdir: Path) -> dict:
    """Run one method in a child process; its own peak RSS comes back with its timing."""
    db = workdir / f"{method}.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    code = (
        f"import json, resource, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import ingest as b; "
        f"r = b.METHODS[{method!r}]({str(path)!r}, {str(db)!r}); u = resource.getrusage(resource.RUSAGE_SELF); r['peak_mb'] = u.ru_maxrss / 1024; print(json.dumps(r))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ECOM_MAX_UPLOAD_MB": "100000"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000], help="CSV sizes in lines")
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="ecom-bench-"))
    print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at start")
    print(f"{'lines':>11} {'method':<7} {'seconds':>8} {'rows/s':>11} {'CPU s':>7} {'peak MB':>8} {'vs duckdb':>9} {'CPU vs':>7}  notes")
    try:
        for lines in args.lines:
            path = workdir / f"sales_{lines}.csv"
            generate(path, lines)
            size_mb = path.stat().st_size / 1048576
            results = {m: measure(m, path, workdir) for m in args.methods}
            base = results.get("duckdb", {}).get("seconds")
            base_cpu = results.get("duckdb", {}).get("cpu")
            for m, r in results.items():
                if "error" in r:
                    print(f"{lines:>11,} {m:<7} failed: {r['error']}")
                    continue
                ratio = f"{r['seconds'] / base:.2f}×" if base else ""
                cpu_ratio = f"{r['cpu'] / base_cpu:.2f}×" if base_cpu else ""
                note = f"{r['rejected']:,} rejected" if m == "ingest" else ""
                print(f"{lines:>11,} {m:<7} {r['seconds']:>8.2f} {lines / r['seconds']:>11,.0f} {r['cpu']:>7.1f} {r['peak_mb']:>8.0f} {ratio:>9} {cpu_ratio:>7}  {note}")
            print(f"{'':>11} file: {size_mb:.0f} MB; load average now {os.getloadavg()[0]:.1f}")
            path.unlink()
    finally:
        if not args.keep:
            for f in workdir.iterdir():
                f.unlink()
            workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
