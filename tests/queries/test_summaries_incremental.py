"""Loads and undos update the summary tables by parts, and the parts equal a full build."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ecom.ingest import ingest_file, undo_upload
from ecom.queries import summaries
from ecom.warehouse import Warehouse
from tests.edge import edge_orders

DAILY_KEY = "day, shop, channel, category, brand, product_id, currency, _dataset, product_name"


def dump(wh) -> dict:
    """The summary tables' content, in a form that does not depend on how they were built (rows
    sorted, daily sums per key, mask bits named by their values)."""
    cur = wh.cursor()
    try:
        codes = {d: dict(cur.execute("SELECT bit, value FROM app.mask_codes WHERE dim = ?", [d]).fetchall()) for d in summaries.MASK_DIMS}

        def names(mask, dim):
            if mask is None:
                return None
            return sorted(codes[dim].get(b, "(none)") if b < summaries.MASK_BITS else "(none)" for b in range(64) if mask >> b & 1)

        orders = sorted(
            (*row[:-2], names(row[-2], "category"), names(row[-1], "brand"))
            for row in cur.execute(
                "SELECT order_id, c, order_time, shop, channel, region, currency, _dataset, gmv, refunds, units, prev_time, next_time, "
                "first_time, new_month, cats, brands FROM app.orders").fetchall())
        out = {
            "orders": orders,
            "daily": cur.execute(f"SELECT {DAILY_KEY}, sum(gmv), sum(refunds), sum(units), sum(lines) FROM app.daily "
                                 f"GROUP BY ALL HAVING sum(lines) > 0 OR sum(refunds) <> 0 ORDER BY ALL").fetchall(),
            "order_dups": cur.execute("SELECT * FROM app.order_dups ORDER BY ALL").fetchall(),
            "first_orders": cur.execute("SELECT * FROM app.first_orders ORDER BY ALL").fetchall(),
            "product_attributes": cur.execute("SELECT * FROM app.product_attributes ORDER BY ALL").fetchall(),
            "meta": dict(cur.execute("SELECT key, value FROM app.meta WHERE key IN ('summary:orders', 'summary:returns', 'summary:latest', "
                                     "'summary:mask:category', 'summary:mask:brand')").fetchall()),
        }
    finally:
        cur.close()
    return out


def split(tmp_path, parts: list[tuple[int, int]]):
    """The edge file cut into files of its order lines [from, to) (a header each)."""
    lines = edge_orders(tmp_path / "edge.csv").read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    files = []
    for i, (lo, hi) in enumerate(parts):
        f = tmp_path / f"part{i}.csv"
        f.write_text("\n".join([header, *body[lo:hi]]) + "\n", encoding="utf-8")
        files.append(f)
    return files


@pytest.fixture
def builds(monkeypatch):
    """Counts full builds (the by-parts path must not fall back to one)."""
    calls = []
    real = summaries.build

    def counting(wh, progress=None):
        calls.append(1)
        return real(wh, progress)

    monkeypatch.setattr(summaries, "build", counting)
    return calls


def test_loads_and_undos_by_parts_equal_a_full_build(tmp_path, builds):
    # the first 300 lines alone, then three smaller files whose orders and customers meet the first
    # ones' (an order's lines cut between files, returns dated after their orders)
    files = split(tmp_path, [(0, 300), (300, 360), (360, 420), (420, 489)])
    wh = Warehouse(tmp_path / "w.duckdb")
    try:
        [first] = ingest_file(wh, files[0], name="edge.csv")
        assert first.status == "loaded" and len(builds) == 1  # nothing to update from: one full build
        uploads = [first.upload_id]
        for f in files[1:]:
            [rep] = ingest_file(wh, f, name="edge.csv")
            assert rep.status == "loaded" and rep.rows_loaded > 0
            uploads.append(rep.upload_id)
            assert len(builds) == 1, "a small load must update the summaries by parts"
            assert summaries.built_version(wh) == wh.data_version()
            by_parts = dump(wh)
            summaries.build(wh)
            assert dump(wh) == by_parts
            builds.clear()
            builds.append(1)
        for upload_id in (uploads[2], uploads[1]):
            assert undo_upload(wh, upload_id) > 0
            assert len(builds) == 1, "a small undo must update the summaries by parts"
            by_parts = dump(wh)
            summaries.build(wh)
            assert dump(wh) == by_parts
            builds.clear()
            builds.append(1)
        assert by_parts["orders"] and by_parts["order_dups"] and by_parts["meta"]["summary:returns"] == "1"
    finally:
        wh.close()


def test_a_large_load_is_summarised_by_a_full_build(tmp_path, builds):
    files = split(tmp_path, [(0, 100), (100, 489)])
    wh = Warehouse(tmp_path / "w.duckdb")
    try:
        ingest_file(wh, files[0], name="edge.csv")
        ingest_file(wh, files[1], name="edge.csv")
        assert len(builds) == 2 and summaries.built_version(wh) == wh.data_version()
    finally:
        wh.close()


def categories_by_order(wh) -> dict[str, list[str]]:
    """Each order's categories among its sale lines, read from the lines themselves."""
    cur = wh.cursor()
    try:
        return {o: sorted(cats) for o, cats in cur.execute(
            "SELECT order_id, list(DISTINCT coalesce(category, '(none)')) FROM main.sales WHERE line_kind = 'sale' GROUP BY 1").fetchall()}
    finally:
        cur.close()


def test_an_order_whose_lines_disagree_is_told_by_parts_and_mended_by_an_undo(tmp_path, builds):
    [first] = split(tmp_path, [(0, 300)])
    header, *body = first.read_text(encoding="utf-8").splitlines()
    cols = header.split(",")
    row = next(dict(zip(cols, line.split(","), strict=True)) for line in body
               if line.split(",")[cols.index("order_status")] == "paid" and line.split(",")[cols.index("customer_id")])
    later = (datetime.fromisoformat(row["order_time"]) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    # a line of that order an hour later in another shop, and a new order whose categories differ from
    # the loaded ones only by case and a quote (the masks' bits are looked up by exact value)
    clash = {**row, "line_no": "8", "order_time": later, "product_id": "E2", "category": "Tea's", "shop": "Edge Z"}
    new = [{**row, "order_id": "N1", "line_no": str(i), "category": cat} for i, cat in ((1, "tea"), (2, "Tea's"), (3, ""))]

    def lines_file(name, rows):
        path = tmp_path / name
        path.write_text("\n".join([header, *(",".join(r[c] for c in cols) for r in rows)]) + "\n", encoding="utf-8")
        return path

    extra, again = lines_file("extra.csv", [clash, *new]), lines_file("again.csv", new)
    wh = Warehouse(tmp_path / "w.duckdb")
    try:
        ingest_file(wh, first, name="edge.csv")
        assert dump(wh)["meta"]["summary:orders"] == "1"
        [rep] = ingest_file(wh, extra, name="edge.csv")
        assert rep.rows_loaded == 4 and len(builds) == 1, "by parts"
        by_parts = dump(wh)
        assert by_parts["meta"]["summary:orders"] == "0"  # the order has two rows: the pages read the lines
        assert sum(r[0] == row["order_id"] for r in by_parts["orders"]) == 2
        summaries.build(wh)
        assert dump(wh) == by_parts
        assert undo_upload(wh, rep.upload_id) == 4 and len(builds) == 2, "by parts"
        mended = dump(wh)
        assert mended["meta"]["summary:orders"] == "1"
        summaries.build(wh)
        assert dump(wh) == mended
        assert {r[0]: r[-2] for r in mended["orders"]} == categories_by_order(wh)
        ingest_file(wh, again, name="edge.csv")
        assert len(builds) == 3, "by parts"
        masked = dump(wh)
        assert masked["meta"]["summary:orders"] == "1"
        assert {r[0]: r[-2] for r in masked["orders"]}["N1"] == ["(none)", "Tea's", "tea"]
        assert {r[0]: r[-2] for r in masked["orders"]} == categories_by_order(wh)
        summaries.build(wh)
        assert dump(wh) == masked
    finally:
        wh.close()
