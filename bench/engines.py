"""The two engines side by side: `python bench/engines.py [--lines 1000000 10000000 ...] [--combos N]`.

For each size, a synthetic platform export (bench/ingest.py's generator) is loaded under each engine
in its own process (so peak memory is its own), and printed beside its reference:

- load: `python -m ecom ingest`'s path (`ingest_file`) with the summaries (DuckDB) or the lake's
  Parquet files (Spark), against DuckDB's own `CREATE TABLE AS SELECT * FROM read_csv(...)`;
- floor: the least a DuckDB load into this schema can cost: the file's columns cast straight into the
  warehouse's sales table by one DuckDB statement (no validation, reject reasons, row numbers or
  mapping: it knows the generator's columns), then the summaries built as a first load builds them;
- append: 10,000 more lines (new orders of existing customers, a few days, the same data set, so
  lines already loaded are looked for) into that warehouse, end to end; the summaries are updated by
  parts (DuckDB) or a new upload folder is written (Spark);
- stock and market: a snapshot of every product and a year of monthly market figures (the
  generator's five categories, 40 brands each, two of them ours), loaded untimed after the append,
  so the inventory and market pages send the queries they send on real data;
- pages: every query of each analytics page (bench/pages.py's query sets) over filter combinations:
  p50 and p95 of the cold runs (no result cache), and on Spark one cold and two warm runs per page;
- peak memory: the Python process's, and on Spark the JVM's.

The ratios to print are: load / read_csv (goal: within 2× on DuckDB), append seconds (goal: under
3 s at 10M lines on DuckDB), and how time and memory grow with the lines on each engine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

APPEND_LINES = 10_000
PRODUCTS = 300  # the generator's product ids: 000000-000299
STOCK_DAY = "2024-12-30"  # the generated lines' last day: the snapshot is within every page's range
CATEGORIES = ("女装", "男装", "美妆", "数码", "家居")  # the generator's
MARKET_BRANDS = 40  # per category; the first two are ours (ECOM_OUR_BRANDS in the child's environment)
OUR_BRANDS = "品牌00,品牌01"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _jvm_peak_mb() -> float | None:
    """The peak resident memory of this process's Spark JVM (a child process), from /proc."""
    me = os.getpid()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        if fields.get("Name", "").strip() == "java" and int(fields.get("PPid", "0")) in (me, *_children(me)):
            return int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
    return None


def _children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == pid:
            out.append(int(status.parent.name))
    return out


def read_csv_seconds(csv: Path, db: Path) -> float:
    import duckdb

    con = duckdb.connect(str(db))
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')")
    con.close()
    return time.perf_counter() - t0


# The generator's columns cast into the sales table as they are known to be (the bad dates become NULL
# instead of rejects); the constant columns are the ones a load of the file writes.
FLOOR_SQL = """INSERT INTO main.sales (order_id, line_no, order_time, customer_id, product_id, product_name, category, quantity,
        unit_price, revenue, order_status, channel, currency, line_kind, _upload_id, _dataset, _line_key)
    SELECT c0, TRY_CAST(c1 AS INTEGER), TRY_STRPTIME(c2, '%Y-%m-%d %H:%M:%S'), c3, c4, c5, c6, TRY_CAST(c7 AS INTEGER),
        TRY_CAST(ltrim(c8, '¥') AS DECIMAL(18,2)), TRY_CAST(c9 AS DECIMAL(18,2)),
        CASE c10 WHEN '交易成功' THEN 'completed' ELSE 'refunded' END, 'taobao', 'CNY', 'sale', 1, 'orders.csv', hash(c0, c1)
    FROM read_csv(?, header=false, skip=1, auto_detect=false, columns={COLUMNS})"""


def floor_seconds(csv: Path, db: Path) -> tuple[float, float]:
    """(lines, summaries): the floor's two parts, in seconds (see the module docstring)."""
    import duckdb

    from ecom.queries import summaries
    from ecom.warehouse import Warehouse

    Warehouse(db, engine="duckdb").close()  # the warehouse's tables, in its storage format
    # the warehouse itself reads no files: the floor's statement runs on a plain connection to its file
    con = duckdb.connect(str(db))
    t0 = time.perf_counter()
    con.execute(FLOOR_SQL.replace("{COLUMNS}", "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(11)) + "}"), [str(csv)])
    con.execute("UPDATE app.meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'")
    con.close()
    lines = time.perf_counter() - t0
    wh = Warehouse(db, engine="duckdb")
    built = summaries.build(wh)
    wh.close()
    return lines, built


def one_engine(engine: str, csv: str, append_csv: str, folder: str, combos: int) -> dict:
    """Load, append and page query sets under one engine (run in a child process)."""
    from pages import PAGES, query_set
    from pages import combos as filter_combos

    from ecom import filters
    from ecom.ingest import ingest_file
    from ecom.warehouse import Warehouse

    wh = Warehouse(Path(folder) / f"{engine}.duckdb", engine=engine, lake=str(Path(folder) / "lake") if engine == "spark" else None)
    out: dict = {"engine": engine}
    t0 = time.perf_counter()
    [rep] = ingest_file(wh, csv, name="orders.csv")
    out["load_s"] = time.perf_counter() - t0
    out["lines"] = rep.rows_loaded
    t0 = time.perf_counter()
    [rep] = ingest_file(wh, append_csv, name="orders.csv")
    out["append_s"] = time.perf_counter() - t0
    out["append_lines"] = rep.rows_loaded
    print(f"  {engine}: load {out['load_s']:.2f} s, append {out['append_s']:.2f} s", file=sys.stderr, flush=True)
    # a stock snapshot of every product (not timed), so the inventory page's queries are the ones it sends:
    # with no stock the page asks for a stock file and queries nothing
    stock_csv = Path(folder) / "stock.csv"
    stock_csv.write_text("商品ID,盘点日期,库存,在途\n" + "".join(
        f"{i:06d},{STOCK_DAY},{(i * 37) % 500},{i % 7}\n" for i in range(PRODUCTS)), encoding="utf-8")
    [rep] = ingest_file(wh, stock_csv, table="stock", name="stock.csv")
    assert rep.rows_loaded == PRODUCTS, rep.message
    market_csv = Path(folder) / "market.csv"
    market_csv.write_text("月份,类目,品牌,销售额,销量\n" + "".join(
        f"2024-{m:02d}-01,{cat},品牌{b:02d},{(b + 1) * (c + 3) * (100 + m * (b % 7)) * 10:.2f},{(b + 1) * (c + 3) * (50 + m)}\n"
        for m in range(1, 13) for c, cat in enumerate(CATEGORIES) for b in range(MARKET_BRANDS)), encoding="utf-8")
    [rep] = ingest_file(wh, market_csv, table="market", name="market.csv")
    assert rep.rows_loaded == 12 * len(CATEGORIES) * MARKET_BRANDS, rep.message
    from ecom.queries import common

    anchor = common.anchor_date(wh)
    allowed = common.dimension_values(wh)
    fs = [filters.from_params(params, anchor, allowed) for _, params in filter_combos(wh, combos)]
    pages = {}
    for page in PAGES:
        cold, warm = [], []
        for f in fs:
            t0 = time.perf_counter()
            query_set(page, wh, f)
            cold.append(time.perf_counter() - t0)
            if engine == "spark":
                for _ in range(2):
                    t0 = time.perf_counter()
                    query_set(page, wh, f)
                    warm.append(time.perf_counter() - t0)
            common._local.cache = {}  # next combination starts cold: no per-thread memo
        pages[page] = {"p50": statistics.median(cold), "p95": sorted(cold)[max(0, int(round(0.95 * len(cold))) - 1)],
                       "warm_p50": statistics.median(warm) if warm else None}
        print(f"  {engine} {page}: {pages[page]}", file=sys.stderr, flush=True)  # long runs show their progress
    out["pages"] = pages
    out["peak_mb"] = _peak_mb()
    out["jvm_peak_mb"] = _jvm_peak_mb() if engine == "spark" else None
    wh.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--combos", type=int, default=3, help="filter combinations per page (at most 8)")
    p.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    p.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        engine, csv, append_csv, folder, combos = args.child
        print(json.dumps(one_engine(engine, csv, append_csv, folder, int(combos))))
        return 0
    from ingest import generate

    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"ECOM_MEMORY_LIMIT={os.environ.get('ECOM_MEMORY_LIMIT', '1GB')}")
    for lines in args.lines:
        with tempfile.TemporaryDirectory(prefix="ecom-bench-engines-") as tmp:
            csv, append_csv = Path(tmp) / "orders.csv", Path(tmp) / "orders-week.csv"
            generate(csv, lines)
            generate(append_csv, APPEND_LINES, offset=lines)
            raw = read_csv_seconds(csv, Path(tmp) / "raw.duckdb")
            print(f"\n== {lines:,} lines ({csv.stat().st_size / 2**20:.0f} MB); DuckDB read_csv into a table: {raw:.2f} s")
            if "duckdb" in args.engines:
                cast, built = floor_seconds(csv, Path(tmp) / "floor.duckdb")
                print(f"floor: {cast + built:.2f} s ({(cast + built) / raw:.2f}× read_csv): the lines cast into the sales table "
                      f"{cast:.2f} s, the summaries {built:.2f} s")
            for engine in args.engines:
                folder = Path(tmp) / engine
                folder.mkdir()
                env = {**os.environ, "ECOM_MAX_UPLOAD_MB": "100000", "ECOM_OUR_BRANDS": OUR_BRANDS}
                done = subprocess.run([sys.executable, __file__, "--child", engine, str(csv), str(append_csv), str(folder), str(args.combos)],
                                      stdout=subprocess.PIPE, text=True, env=env)
                if done.returncode:
                    print(f"{engine}: failed (its error is above)")
                    continue
                r = json.loads(done.stdout.strip().splitlines()[-1])
                jvm = f", JVM peak {r['jvm_peak_mb']:.0f} MB" if r.get("jvm_peak_mb") else ""
                print(f"{engine}: load {r['load_s']:.2f} s ({r['load_s'] / raw:.2f}× read_csv), {r['lines']:,} lines; "
                      f"append {r['append_lines']:,} lines: {r['append_s']:.2f} s; peak {r['peak_mb']:.0f} MB{jvm}")
                for page, v in r["pages"].items():
                    warm = f", warm p50 {v['warm_p50']:.2f} s" if v["warm_p50"] is not None else ""
                    print(f"  {page:<10} cold p50 {v['p50']:.2f} s, p95 {v['p95']:.2f} s{warm}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
