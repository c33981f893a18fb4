import shutil
import threading
from datetime import date, datetime

import pandas as pd
import pytest

from ecom.filters import Filters
from ecom.ingest import ingest_file, undo_upload
from ecom.queries import common, customers, inventory, overview, sales, summaries
from ecom.warehouse import Warehouse
from tests.queries.helpers import fill_demo, insert, sale

MARCH = Filters(start=date(2024, 3, 1), end=date(2024, 3, 31))


def first_orders(wh) -> dict:
    df = summaries.first_orders(wh).execute()
    return {c: t.to_pydatetime() for c, t in zip(df.customer_id, df.first_time, strict=True)}


def test_first_orders_follow_the_data_version(warehouse):
    d = datetime
    insert(warehouse, "sales", [
        sale("o1", d(2024, 1, 5, 9), "A", 100, "c1"),
        sale("o2", d(2024, 3, 3, 9), "A", 100, "c2"),
        sale("o3", d(2024, 2, 1, 9), "A", 100, "c2", order_status="cancelled"),  # never paid: not a first order
        sale("o4", d(2024, 3, 20, 9), "B", 50, "c1"),
    ])
    version = warehouse.data_version()
    assert first_orders(warehouse) == {"c1": d(2024, 1, 5, 9), "c2": d(2024, 3, 3, 9)}
    assert warehouse.data_version() == version  # building it invalidates no cached result
    k = overview.kpis(warehouse, MARCH)
    assert k.current["customers"] == 2 and k.current["new_customers"] == 1 and k.current["returning_customers"] == 1

    # a load bumps the data version: the next query rebuilds the table from the new data
    insert(warehouse, "sales", [sale("o5", d(2024, 3, 25, 9), "B", 70, "c3"), sale("o6", d(2023, 12, 1, 9), "A", 10, "c2")])
    assert first_orders(warehouse) == {"c1": d(2024, 1, 5, 9), "c2": d(2023, 12, 1, 9), "c3": d(2024, 3, 25, 9)}
    k = overview.kpis(warehouse, MARCH)
    assert k.current["customers"] == 3 and k.current["new_customers"] == 1 and k.current["returning_customers"] == 2
    coh = customers.cohorts(warehouse, MARCH)
    assert coh[["customers", "size"]].values.tolist() == [[1, 1]]  # only c3 starts in March


def test_read_only_warehouse_computes_first_orders_itself(tmp_path):
    d = datetime
    wh = Warehouse(tmp_path / "ro.duckdb")
    insert(wh, "sales", [sale("o1", d(2024, 2, 5), "A", 100, "c1"), sale("o2", d(2024, 3, 5), "A", 100, "c1"),
                         sale("o3", d(2024, 3, 6), "A", 100, "c2")])
    wh.close()
    ro = Warehouse(tmp_path / "ro.duckdb", read_only=True)
    try:
        assert summaries.first_orders(ro) is None
        k = overview.kpis(ro, MARCH)
        assert k.current["new_customers"] == 1 and k.current["returning_customers"] == 1
    finally:
        ro.close()


# -- the summary tables give the same answers as the order lines -----------------------------------

END = date(2024, 11, 20)
COMBOS = {
    "30 days": Filters(start=date(2024, 10, 22), end=END),
    "since August": Filters(start=date(2024, 8, 1), end=END),
    "one category": Filters(start=date(2024, 9, 1), end=END, category=("女装",)),
    "brand and channel": Filters(start=date(2024, 10, 1), end=END, brand=("对手A",), channel=("天猫",)),
    "region": Filters(start=date(2024, 10, 1), end=END, region=("浙江",)),
    "two line filters": Filters(start=date(2024, 10, 1), end=END, category=("女装", "男装"), brand=("我的牌",)),
}


def answers(wh, f: Filters) -> dict:
    out = {
        "kpis": overview.kpis(wh, f),
        "daily": overview.daily(wh, f, 1),
        "explain": overview.explain(wh, f)["text"],
        "contributors": overview.contributors(wh, f)[2],
        "pareto": sales.pareto(wh, f),
        "abc": sales.abc(wh, f),
        "abc_b": sales.abc_products(wh, f, "B"),
        "orders_per_customer": customers.orders_per_customer(wh, f),
        "repeat": customers.repeat_rate(wh, f),
        "intervals": customers.intervals(wh, f)[0],
        "interval_stats": pd.DataFrame([customers.intervals(wh, f)[1]]),
        "segments": customers.rfm_segments(wh, f)[0],
        "cutoffs": pd.DataFrame(customers.rfm_cutoffs(wh, f)),
        "segment_customers": customers.rfm_customers(wh, f, "lost"),
        "cohorts": customers.cohorts(wh, f),
        "stock": inventory.products(wh, f),
    }
    for by in sales.BREAKDOWNS:
        out[f"by {by}"] = sales.breakdown(wh, f, by, 100)
        out[f"trend by {by}"] = sales.trend(wh, f, "week", by, 3)
    out["trend"] = sales.trend(wh, f, "day")
    return out


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory):
    """The demo shop twice, read-only: with current summary tables, and without any (order lines only)."""
    folder = tmp_path_factory.mktemp("pair")
    wh = Warehouse(folder / "fast.duckdb")
    fill_demo(wh)
    summaries.refresh(wh)
    wh.close()
    shutil.copy(folder / "fast.duckdb", folder / "raw.duckdb")
    raw = Warehouse(folder / "raw.duckdb")
    with raw.transaction() as cur:
        cur.execute("DELETE FROM app.meta WHERE key LIKE 'summary:%'")
    raw.close()
    fast, raw = Warehouse(folder / "fast.duckdb", read_only=True), Warehouse(folder / "raw.duckdb", read_only=True)
    yield fast, raw
    fast.close()
    raw.close()


@pytest.mark.parametrize("combo", list(COMBOS))
def test_summaries_give_the_answers_of_the_order_lines(demo_pair, combo):
    fast, raw = demo_pair
    f = COMBOS[combo]
    assert common.summary(fast) is not None and common.summary(raw) is None
    # the summary's orders answer whole-order filters and one category or brand, not two
    assert (common.order_rows(fast, f) is None) == (combo == "two line filters")
    got, want = answers(fast, f), answers(raw, f)
    for name, frame in want.items():
        if isinstance(frame, pd.DataFrame):
            pd.testing.assert_frame_equal(got[name], frame, check_exact=False, rtol=1e-12, obj=name)
        else:
            assert got[name] == frame, name


def test_an_order_split_over_shops_keeps_the_pages_on_the_order_lines(warehouse):
    d = datetime(2024, 3, 5, 10)
    insert(warehouse, "sales", [
        sale("o1", d, "A", 100, "c1", shop="北店"), sale("o1", d, "B", 50, "c1", shop="南店"),
        sale("o2", d, "A", 30, "c2", shop="北店"),
    ])
    s = common.summary(warehouse)
    assert s is not None and s.orders is None  # one row per order would put o1 in one shop only
    k = overview.kpis(warehouse, MARCH.with_dims(shop=["南店"]))
    assert (k.current["gmv"], k.current["orders"], k.current["customers"]) == (50, 1, 1)
    assert sales.breakdown(warehouse, MARCH, "shop").set_index("key").orders.to_dict() == {"北店": 2, "南店": 1}


def test_a_product_twice_in_an_order_is_one_order(warehouse):
    d = datetime(2024, 3, 5, 10)
    insert(warehouse, "sales", [
        sale("o1", d, "A", 100, "c1", line_no=1), sale("o1", d, "A", 100, "c1", line_no=2), sale("o1", d, "B", 10, "c1", line_no=3),
        sale("o2", d, "A", 50, "c2"),
    ])
    assert common.summary(warehouse).orders is not None
    df = sales.breakdown(warehouse, MARCH, "product_id").set_index("key")
    assert df.orders.to_dict() == {"A": 2, "B": 1} and df.gmv.to_dict() == {"A": 250, "B": 10}


def test_more_than_63_categories_go_without_masks(warehouse):
    d = datetime(2024, 3, 5, 10)
    insert(warehouse, "sales", [sale(f"o{i}", d, f"P{i}", 10, f"c{i % 3}", category=f"类{i}") for i in range(70)]
           + [sale("o70", d, "P1", 5, "c1", category="类1")])
    s = common.summary(warehouse)
    assert "category" not in s.codes and "brand" in s.codes
    f = MARCH.with_dims(category=["类1"])
    assert common.order_rows(warehouse, f) is None
    k = overview.kpis(warehouse, f)
    assert (k.current["gmv"], k.current["orders"], k.current["customers"]) == (15, 2, 1)


# -- built by the ingestion path ---------------------------------------------------------------------


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_and_undos_leave_current_summaries(warehouse, tmp_path, monkeypatch):
    builds = []
    build = summaries.build
    monkeypatch.setattr(summaries, "build", lambda wh, progress=None: builds.append(1) or build(wh, progress))
    first = write(tmp_path / "march.csv", "order_id,order_time,customer_id,product_id,revenue\n"
                  "o1,2024-03-02 10:00,c1,A,100\no2,2024-03-09 10:00,c2,A,60\n")
    second = write(tmp_path / "april.csv", "order_id,order_time,customer_id,product_id,revenue\no3,2024-03-20 10:00,c3,B,40\n")
    stock = write(tmp_path / "stock.csv", "product_id,snapshot_date,on_hand\nA,2024-03-31,5\n")

    [a] = ingest_file(warehouse, first)
    assert summaries.built_version(warehouse) == warehouse.data_version() and len(builds) == 1
    [b] = ingest_file(warehouse, second)
    assert summaries.built_version(warehouse) == warehouse.data_version() and len(builds) == 2
    # a load that changed no sales keeps them as they are
    [c] = ingest_file(warehouse, stock)
    assert c.table == "stock" and summaries.built_version(warehouse) == warehouse.data_version() and len(builds) == 2
    assert overview.kpis(warehouse, MARCH).current["orders"] == 3 and len(builds) == 2

    assert undo_upload(warehouse, b.upload_id) == 1
    assert summaries.built_version(warehouse) == warehouse.data_version() and len(builds) == 3
    k = overview.kpis(warehouse, MARCH)
    assert (k.current["gmv"], k.current["orders"], k.current["new_customers"]) == (160, 2, 2)
    assert first_orders(warehouse) == {"c1": datetime(2024, 3, 2, 10), "c2": datetime(2024, 3, 9, 10)}
    assert undo_upload(warehouse, c.upload_id) == 1 and len(builds) == 3
    assert undo_upload(warehouse, a.upload_id) == 2 and len(builds) == 4
    assert overview.kpis(warehouse, MARCH).current["orders"] == 0 and first_orders(warehouse) == {}


def test_a_multi_file_load_builds_the_summaries_once(tmp_path, monkeypatch):
    from ecom.ingest import cli

    builds = []
    build = summaries.build
    monkeypatch.setattr(summaries, "build", lambda wh, progress=None: builds.append(1) or build(wh, progress))
    folder = tmp_path / "exports"
    folder.mkdir()
    write(folder / "march.csv", "order_id,order_time,customer_id,product_id,revenue\no1,2024-03-02 10:00,c1,A,100\n")
    write(folder / "april.csv", "order_id,order_time,customer_id,product_id,revenue\no2,2024-04-02 10:00,c1,B,40\n")
    write(folder / "stock.csv", "product_id,snapshot_date,on_hand\nA,2024-03-31,5\n")
    path = tmp_path / "wh.duckdb"
    assert cli.main([str(folder), "--warehouse", str(path), "--json"]) == 0
    assert len(builds) == 1
    wh = Warehouse(path)
    try:
        assert summaries.built_version(wh) == wh.data_version()
        assert wh.row_counts()["sales"] == 2
    finally:
        wh.close()


def test_pages_do_not_wait_while_another_thread_writes(warehouse):
    insert(warehouse, "sales", [sale("o1", datetime(2024, 3, 2), "A", 100, "c1"), sale("o2", datetime(2024, 3, 3), "A", 50, "c2")])
    held, done = threading.Event(), threading.Event()

    def writer():  # a load or a build holds the write lock
        with warehouse.write_lock:
            held.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    held.wait(10)
    try:
        assert common.summary(warehouse) is None  # stale, and not built meanwhile: the order lines answer
        k = overview.kpis(warehouse, MARCH)
        assert (k.current["gmv"], k.current["orders"], k.current["new_customers"]) == (150, 2, 2)
    finally:
        done.set()
        thread.join()
    assert common.summary(warehouse) is not None  # built by the next query
    assert summaries.built_version(warehouse) == warehouse.data_version()


def test_a_failed_build_leaves_the_pages_on_the_order_lines(warehouse, monkeypatch):
    insert(warehouse, "sales", [sale("o1", datetime(2024, 3, 2), "A", 100, "c1")])

    def broken(cur) -> None:
        raise summaries.duckdb.Error("no space left")

    monkeypatch.setattr(summaries, "_drop", broken)
    assert summaries.refresh(warehouse) is None
    assert common.summary(warehouse) is None
    assert overview.kpis(warehouse, MARCH).current["gmv"] == 100
