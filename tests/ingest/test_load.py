"""The Python API of ecom.ingest: duplicates, undo, replace, one transaction, memory, quality, sniffing."""

import threading
from pathlib import Path

import duckdb
import pytest

from ecom import settings
from ecom.ingest import column_quality, ingest_file, read_frame, remember_mapping, sniff, undo_upload
from ecom.queries import common

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def count(wh, sql):
    cur = wh.cursor()
    try:
        return cur.execute(sql).fetchone()[0]
    finally:
        cur.close()


def test_epoch_seconds_land_as_shanghai_wall_clock(warehouse, tmp_path):
    f = write(tmp_path / "e.csv", "order_id,order_time,product_id\nA,1731254400,P\nB,1731254400000,P\n")
    [rep] = ingest_file(warehouse, f)
    assert rep.status == "loaded" and rep.rows_loaded == 2
    cur = warehouse.ibis().raw_sql("SELECT DISTINCT CAST(order_time AS VARCHAR) FROM main.sales")
    assert cur.fetchall() == [("2024-11-11 00:00:00",)]
    # through Ibis (session zone UTC) the day does not move
    t = warehouse.ibis().table("sales")
    assert str(t.order_time.date().max().execute())[:10] == "2024-11-11"
    assert int(t.order_time.day().min().execute()) == 11


def test_same_file_twice_is_a_duplicate_and_undo_removes_it(warehouse):
    f = FIXTURES / "numbers.csv"
    [first] = ingest_file(warehouse, f)
    v1 = warehouse.data_version()
    [again] = ingest_file(warehouse, f)
    assert (first.status, again.status) == ("loaded", "duplicate")
    assert again.upload_id == first.upload_id and "already loaded" in again.message
    assert count(warehouse, "SELECT count(*) FROM main.sales") == 3
    assert warehouse.data_version() == v1
    assert undo_upload(warehouse, first.upload_id) == 3
    assert warehouse.data_version() == v1 + 1
    assert count(warehouse, "SELECT count(*) FROM main.sales") == 0
    assert count(warehouse, "SELECT count(*) FROM main.rejects") == 0
    assert undo_upload(warehouse, first.upload_id) == 0
    # once undone, the same file loads again
    [third] = ingest_file(warehouse, f)
    assert third.status == "loaded" and third.rows_loaded == 3


def test_replace_mode_swaps_the_table(warehouse):
    ingest_file(warehouse, FIXTURES / "numbers.csv")
    [rep] = ingest_file(warehouse, FIXTURES / "gbk_short.csv", mode="replace")
    assert rep.status == "loaded"
    assert count(warehouse, "SELECT string_agg(order_id, ',' ORDER BY order_id) FROM main.sales") == "A1,A2"
    assert count(warehouse, "SELECT count(*) FROM main.upload_log WHERE undone_at IS NULL") == 1


def test_a_failed_load_leaves_the_warehouse_as_it_was(warehouse, tmp_path, monkeypatch):
    ingest_file(warehouse, FIXTURES / "gbk_short.csv")
    before = (warehouse.data_version(), warehouse.row_counts())
    from ecom.ingest import load

    calls = {"n": 0}
    real = load._parser_rejects

    def boom(*args):
        calls["n"] += 1
        real(*args)
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(load, "_parser_rejects", boom)
    [rep] = ingest_file(warehouse, FIXTURES / "messy_rows.csv")
    assert calls["n"] == 1
    assert rep.status == "failed" and "messy_rows.csv" in rep.message and "disk full" in rep.message
    assert (warehouse.data_version(), warehouse.row_counts()) == before


def test_oversized_file_is_refused(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOM_MAX_UPLOAD_MB", "1")
    big = write(tmp_path / "big.csv", "order_id,order_time,product_id\n" + "A,2024-01-01,P\n" * 80_000)
    [rep] = ingest_file(warehouse, big)
    assert rep.status == "failed" and "more than the 1 MB limit" in rep.message
    assert settings.get("ECOM_MAX_UPLOAD_MB") == 1


def test_remembered_mapping_is_used_for_the_same_header(warehouse, tmp_path):
    text = "单号,时间,货品,件\nX1,2024-01-01,G1,2\n"
    f1 = write(tmp_path / "a.csv", text)
    [s] = sniff(f1, wh=warehouse)
    assert s.table != "sales" or s.unmapped_required
    mapping = {"单号": "order_id", "时间": "order_time", "货品": "product_id", "件": "quantity"}
    remember_mapping(warehouse, s.columns, "sales", mapping)
    f2 = write(tmp_path / "b.csv", text.replace("X1", "X2"))
    [s2] = sniff(f2, wh=warehouse)
    assert (s2.table, s2.mapping, s2.unmapped_required) == ("sales", mapping, [])
    [rep] = ingest_file(warehouse, f2)
    assert rep.status == "loaded" and count(warehouse, "SELECT quantity FROM main.sales WHERE order_id = 'X2'") == 2


def test_cli_style_mapping_is_remembered_after_a_load(warehouse, tmp_path):
    f = write(tmp_path / "a.csv", "单号,时间,货品\nX1,2024-01-01,G1\n")
    [rep] = ingest_file(warehouse, f, table="sales", mapping={"单号": "order_id", "时间": "order_time", "货品": "product_id"})
    assert rep.status == "loaded"
    [s] = sniff(write(tmp_path / "b.csv", "单号,时间,货品\nX9,2024-01-02,G2\n"), wh=warehouse)
    assert s.mapping == {"单号": "order_id", "时间": "order_time", "货品": "product_id"}


def test_per_order_amount_detected_without_a_preset(warehouse, tmp_path):
    rows = ["order_id,order_time,product_id,quantity,unit_price,实付金额"]
    for o in range(4):
        rows += [f"O{o},2024-01-0{o + 1},P1,1,30,100", f"O{o},2024-01-0{o + 1},P2,1,10,100"]
    f = write(tmp_path / "o.csv", "\n".join(rows) + "\n")
    [rep] = ingest_file(warehouse, f)
    assert rep.mapping["实付金额"] == "revenue@order"
    assert any("every line of an order" in n for n in rep.notes)
    assert count(warehouse, "SELECT sum(revenue) FROM main.sales") == 400
    assert str(count(warehouse, "SELECT revenue FROM main.sales WHERE order_id = 'O0' AND product_id = 'P1'")) == "75.00"


def test_column_quality_of_an_upload(warehouse):
    [rep] = ingest_file(warehouse, FIXTURES / "numbers.csv")
    q = column_quality(warehouse, "sales", upload_id=rep.upload_id).set_index("column")
    assert list(q.columns) == ["type", "nulls", "distinct", "min", "max"]
    assert q.loc["quantity", "min"] == "1" and q.loc["quantity", "max"] == "12000"
    assert q.loc["unit_price", "distinct"] == 3 and q.loc["product_name", "nulls"] == 3
    assert q.loc["order_time", "type"] == "TIMESTAMP"


def test_sniff_reports_presets_notes_and_previews():
    [s] = sniff(FIXTURES / "taobao_orders.csv")
    assert s.preset == "taobao" and s.table == "sales" and s.unmapped_required == []
    assert s.mapping["买家实际支付金额"] == "revenue@order"
    assert list(s.preview.columns) == s.columns and len(s.preview) == 3
    [t] = sniff(FIXTURES / "title_totals.csv")
    assert t.header_row == 3 and any("title row" in n for n in t.notes)
    [a] = sniff(FIXTURES / "dates_ambiguous.csv")
    assert a.table == "sales"
    sheets = sniff(FIXTURES / "products_stock.xlsx")
    assert [x.table for x in sheets] == ["products", "stock"]


@pytest.mark.parametrize("name,preset", [("jd", "jd"), ("pdd", "pinduoduo"), ("douyin", "douyin")])
def test_platform_presets_map_in_one_step(tmp_path, name, preset):
    headers = {
        "jd": "订单号,商品ID,商品名称,订购数量,京东价,应付金额,下单时间,订单状态,下单帐号,运费金额\nJ1,1,杯,1,9.9,9.9,2024-01-01 10:00:00,完成,u1,0\n",
        "pdd": "订单号,商品,商品id,商品数量(件),商品总价(元),店铺优惠折扣(元),邮费(元),用户实付金额(元),订单成交时间,订单状态\nP1,杯,9,1,9.9,0,0,9.9,2024-01-01 10:00:00,已签收\n",
        "douyin": "主订单编号,子订单编号,选购商品,商品数量,商品ID,商品单价,订单应付金额,运费,订单提交时间,订单状态,流量来源\nD1,D1-1,杯,1,9,9.9,9.9,0,2024-01-01 10:00:00,已完成,直播\n",
    }
    [s] = sniff(write(tmp_path / f"{name}.csv", headers[name]))
    assert (s.preset, s.table, s.unmapped_required) == (preset, "sales", [])


def test_read_frame_returns_strings_with_file_headers():
    frame = read_frame(FIXTURES / "title_totals.csv")
    assert list(frame.columns) == ["订单编号", "下单时间", "商品编码", "购买数量", "单价", "实付金额"]
    assert frame.iloc[0].tolist() == ["T1", "2024-03-05 10:00:00", "G1", "2", "10", "20"]
    sheet = read_frame(FIXTURES / "products_stock.xlsx", sheet="库存")
    assert sheet["SKU"].tolist()[:2] == ["00017", "SKU-3"]


def test_progress_is_reported(warehouse):
    seen = []
    ingest_file(warehouse, FIXTURES / "numbers.csv", progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen) and seen == sorted(seen)


def test_quoted_newlines_in_a_large_file_fall_back_to_serial_parsing(warehouse, tmp_path):
    lines = ["order_id,order_time,product_id,product_name"]
    for i in range(60_000):
        lines.append(f'Q{i},2024-01-01,P{i % 7},"line one\nline two"' if i % 1000 == 5 else f"Q{i},2024-01-01,P{i % 7},plain")
    lines.append("QEND,2024-01-02")
    [rep] = ingest_file(warehouse, write(tmp_path / "q.csv", "\n".join(lines)))
    assert rep.status == "loaded", rep.message
    assert rep.rows_loaded == 60_001
    assert count(warehouse, "SELECT _source_row FROM main.sales WHERE order_id = 'Q10'") == 11 + 1
    assert count(warehouse, "SELECT count(*) FROM main.sales WHERE product_name = 'line one\nline two'") == 60


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u3000"])
def test_values_are_trimmed_of_white_space_on_either_edge(warehouse, tmp_path, space):
    """Padding of any kind the loader knows (Chinese exports pad names with ideographic spaces) is
    trimmed at the start and at the end alike; a null token so padded is still no value."""
    body = (f"order_id,order_time,product_id,category,shop\n"
            f"A1,2024-01-01,P1,{space}女装,旗舰店{space}\n"
            f"A2,2024-01-01,P2,女装{space}{space},{space}旗舰店{space}\n"
            f"A3,2024-01-01,P3,{space}null{space},旗舰店\n")
    [rep] = ingest_file(warehouse, write(tmp_path / "padded.csv", body))
    assert rep.rows_loaded == 3, rep.message
    cur = warehouse.cursor()
    assert cur.execute("SELECT order_id, category, shop FROM main.sales ORDER BY 1").fetchall() == [
        ("A1", "女装", "旗舰店"), ("A2", "女装", "旗舰店"), ("A3", None, "旗舰店")]


def test_a_file_scanned_in_parallel_keeps_each_rows_line_number(warehouse, tmp_path):
    """A conversion that needs no row numbers scans the CSV on every core and the rows are numbered as
    they stream: each row's number must still be its line in the file, for loaded, rejected and
    skipped rows alike, across the parallel scan's chunks (DuckDB splits a file into chunks of about 8 MB)."""
    lines = ["order_id,line_no,order_time,product_id,quantity"]
    bad, totals, unsplittable = set(range(1_001, 400_000, 9_973)), {150_000, 350_000}, {200_000, 300_001}
    for i in range(2, 400_002):  # the line number in the file: the header is line 1
        if i in totals:
            lines.append(f"Total,,,P{i},")
        else:
            lines.append(f"O{i // 3},{i % 3},2024-03-{1 + i % 28:02d} 10:00:00,P{i},{'many' if i in bad else 1 + i % 5}"
                         + (",a sixth field" if i in unsplittable else ""))
    path = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    assert path.stat().st_size > 12_000_000
    [rep] = ingest_file(warehouse, path)
    rejected = len(bad) + len(unsplittable)
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (400_000 - rejected - 2, rejected, 2)
    assert count(warehouse, "SELECT count(*) FROM main.sales WHERE _source_row <> CAST(substr(product_id, 2) AS BIGINT)") == 0
    cur = warehouse.cursor()
    assert [r for (r,) in cur.execute("SELECT source_row FROM main.rejects ORDER BY 1").fetchall()] == sorted(bad | unsplittable)
    assert all(raw["product_id"] == f"P{r}" if r in bad else f",P{r}," in raw["line"]
               for r, raw in cur.execute("SELECT source_row, raw FROM main.rejects").fetchall())
    assert rep.notes[-1] == "skipped 2 totals row(s) (rows 150000, 350000)"


def test_a_first_load_leaves_no_partial_row_groups_to_merge(warehouse, tmp_path):
    """The rows land in as few row groups as they fill (a rejected row now and then aside): partial row
    groups in the middle of the table would be merged by the next checkpoint, rewriting their neighbours."""
    n = 300_000
    f = write(tmp_path / "big.csv", "order_id,order_time,product_id\n" + "".join(
        f"R{i},{'2024-13-45' if i % 1000 == 7 else '2024-01-01'},P{i % 50}\n" for i in range(n)))
    [rep] = ingest_file(warehouse, f, refresh=False)
    assert (rep.rows_loaded, rep.rows_rejected) == (n - n // 1000, n // 1000)
    groups = count(warehouse, "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('main.sales')")
    assert groups == -(-rep.rows_loaded // 122_880)


def test_concurrent_queries_during_an_ingest(warehouse, tmp_path):
    """8 query threads and one ingest at once: no errors, and readers, reading as the pages do, see all
    of a load or none of it (see also tests/test_warehouse.py: reads never overlap a commit)."""
    n = 200_000
    f = write(tmp_path / "c.csv", "order_id,order_time,product_id,quantity\n" + "".join(f"C{i},2024-01-01,P{i % 50},1\n" for i in range(n)))
    ingest_file(warehouse, FIXTURES / "gbk_short.csv")
    errors, seen, done, first = [], set(), threading.Event(), threading.Event()

    def query():
        try:
            while not done.is_set():
                seen.add(int(common.scalar(common.table(warehouse, "sales").count())))
                first.set()
        except Exception as exc:  # noqa: BLE001 - any error fails the test
            errors.append(exc)

    threads = [threading.Thread(target=query) for _ in range(8)]
    for th in threads:
        th.start()
    # on a busy machine the load could commit before any reader's first query: wait for one
    first.wait(30)
    try:
        [rep] = ingest_file(warehouse, f)
    finally:
        done.set()
        for th in threads:
            th.join()
    assert errors == []
    assert rep.rows_loaded == n and rep.rows_rejected == 0
    assert seen <= {2, n + 2} and 2 in seen
    assert count(warehouse, "SELECT count(*) FROM main.sales") == n + 2


def test_skip_notes_count_rows_after_an_unsplittable_line(warehouse, tmp_path):
    from ecom.ingest import ingest_file

    path = tmp_path / "orders.csv"
    path.write_text(
        "Order ID,Order Date,SKU,Quantity\nA1,2024-11-01,S1,1\nA2,2024-11-01,S2,1,9,9\n"
        "A3,2024-11-02,S1,2\nA4,2024-11-03,S1,2\nA5,2024-11-03,S3,1\nTotal,,,6\n",
        encoding="utf-8",
    )
    report = ingest_file(warehouse, path)[0]
    assert (report.rows_loaded, report.rows_rejected, report.rows_skipped) == (4, 1, 1)
    assert report.notes[-1] == "skipped 1 totals row(s) (row 7)"
    cur = warehouse.cursor()
    assert cur.execute("SELECT source_row FROM main.rejects").fetchall() == [(3,)]
    assert cur.execute("SELECT list(_source_row ORDER BY _source_row) FROM main.sales").fetchone()[0] == [2, 4, 5, 6]
