"""Loads and undos update the summary tables by parts, and the parts equal a full build."""

from __future__ import annotations

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
                "SELECT order_id, c, order_time, shop, channel, region, currency, _dataset, gmv, refunds, units, same, prev_time, next_time, "
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
