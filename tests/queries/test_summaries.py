from datetime import date, datetime

from ecom.filters import Filters
from ecom.queries import customers, overview, summaries
from ecom.warehouse import Warehouse
from tests.queries.helpers import insert, sale

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
