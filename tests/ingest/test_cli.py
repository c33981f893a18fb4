"""`python -m ecom ingest`: directories, --if-empty, exit codes, and a warehouse held by another process."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


def ingest(*args, env=None):
    return subprocess.run([sys.executable, "-m", "ecom", "ingest", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env={**os.environ, **(env or {})})


def test_directory_loads_supported_files_and_if_empty_skips_the_second_time(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for name in ("gbk_short.csv", "market_trend_data.csv", "products_stock.xlsx"):
        (d / name).write_bytes((FIXTURES / name).read_bytes())
    (d / "ground_truth.json").write_text("{}", encoding="utf-8")
    (d / "README.md").write_text("# data\n", encoding="utf-8")
    (d / "sub").mkdir()
    (d / "sub" / "deep.csv").write_bytes((FIXTURES / "numbers.csv").read_bytes())
    wh = tmp_path / "wh.duckdb"
    first = ingest("--if-empty", d, "--warehouse", wh, "--json")
    assert first.returncode == 0, first.stderr
    reports = [json.loads(x) for x in first.stdout.splitlines()]
    assert sorted((r["source"], r["table"], r["rows_loaded"]) for r in reports) == [
        ("gbk_short.csv", "sales", 2), ("market_trend_data.csv", "market", 3),
        ("products_stock.xlsx[商品]", "products", 3), ("products_stock.xlsx[库存]", "stock", 2),
    ]
    second = ingest("--if-empty", d, "--warehouse", wh)
    assert second.returncode == 0 and "already holds 10 rows; nothing loaded" in second.stderr


def test_unmapped_required_columns_are_listed_and_map_fixes_it(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("单号,时间,货品\nX1,2024-01-01,G1\n", encoding="utf-8")
    wh = tmp_path / "wh.duckdb"
    bad = ingest(f, "--table", "sales", "--warehouse", wh)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "x.csv: no column for required sales column(s) revenue or unit_price or quantity or product_id (file columns: 单号, 时间, 货品); "
        "use --map COLUMN=revenue"
    ]
    typo = ingest(f, "--table", "sales", "--map", "单号=order_no", "--warehouse", wh)
    assert typo.returncode == 1 and "sales has no column 'order_no'" in typo.stderr
    good = ingest(f, "--map", "单号=order_id", "--map", "时间=order_time", "--map", "货品=product_id", "--warehouse", wh, "--json")
    assert good.returncode == 0, good.stderr
    rep = json.loads(good.stdout)
    assert (rep["table"], rep["rows_loaded"], rep["mapping"]["单号"]) == ("sales", 1, "order_id")


def test_missing_path_and_bad_map_syntax(tmp_path):
    r = ingest(tmp_path / "nope.csv", "--warehouse", tmp_path / "wh.duckdb")
    assert r.returncode == 2 and "no such file or directory" in r.stderr
    r = ingest(FIXTURES / "gbk_short.csv", "--map", "oops", "--warehouse", tmp_path / "wh.duckdb")
    assert r.returncode == 2 and "SOURCE_COLUMN=canonical_column" in r.stderr


def test_busy_warehouse_gives_one_line_and_non_zero_exit(tmp_path):
    wh = tmp_path / "wh.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from ecom.warehouse import Warehouse; w = Warehouse(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(wh)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        start = time.monotonic()
        r = ingest(FIXTURES / "gbk_short.csv", "--warehouse", wh)
        assert time.monotonic() - start < 60
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 3
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "is in use by another process" in lines[0] and "Data page" in lines[0]
    assert r.stdout == ""
