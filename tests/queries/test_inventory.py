from datetime import date, datetime

import pytest

from ecom.filters import Filters
from ecom.queries import inventory
from tests.queries.helpers import insert, sale

MARCH = Filters(start=date(2024, 3, 1), end=date(2024, 3, 30))  # 30 days


def snap(pid, day, on_hand, on_order=None):
    return {"product_id": pid, "snapshot_date": day, "on_hand": on_hand, "on_order": on_order}


@pytest.fixture
def wh(warehouse, monkeypatch):
    monkeypatch.setenv("ECOM_LEAD_TIME_DAYS", "14")
    insert(warehouse, "sales", [
        sale("o1", datetime(2024, 3, 2), "S1", 900, "c1", quantity=90, category="女装"),
        sale("o2", datetime(2024, 3, 3), "S2", 300, "c1", quantity=30, category="女装"),
        sale("o3", datetime(2024, 3, 4), "S3", 600, "c2", quantity=60, category="男装"),
        sale("o4", datetime(2024, 2, 4), "S4", 10, "c2", quantity=1, category="男装"),  # before the range
    ])
    insert(warehouse, "stock", [
        snap("S1", date(2024, 3, 15), 100), snap("S1", date(2024, 3, 30), 30), snap("S1", date(2024, 4, 5), 999),
        snap("S2", date(2024, 3, 30), 500, 0), snap("S3", date(2024, 3, 30), 10, 20), snap("S4", date(2024, 3, 30), 40),
    ])
    return warehouse


def test_days_of_stock_sell_through_and_reorder(wh):
    df = inventory.products(wh, MARCH).set_index("product_id")
    assert df.loc["S1", "on_hand"] == 30  # the latest snapshot up to the end of the range
    assert df.loc["S1", "daily_demand"] == 3 and df.loc["S1", "days_of_stock"] == 10
    assert df.loc["S1", "sell_through"] == pytest.approx(90 / 120)
    assert df.loc["S1", "suggested"] == 3 * (14 + 30) - 30
    assert df.loc["S2", "days_of_stock"] == 500 and df.loc["S2", "suggested"] == 0
    assert df.loc["S3", "days_of_stock"] == 5 and df.loc["S3", "suggested"] == 0  # 10 on hand + 20 on order ≥ 28
    assert df.loc["S4", "sell_through"] == 0 and df["days_of_stock"].isna()["S4"]
    assert list(df.index) == ["S3", "S1", "S2", "S4"]


def test_reorder_and_slow_lists_and_summary(wh):
    assert inventory.products(wh, MARCH, "reorder").product_id.tolist() == ["S1"]
    assert inventory.products(wh, MARCH, "slow").product_id.tolist() == ["S4", "S2"]
    s = inventory.summary(wh, MARCH)
    assert (s["products"], s["on_hand"], s["to_reorder"], s["slow"]) == (4, 580, 1, 2)


def test_category_filter_applies_to_products(wh):
    df = inventory.products(wh, MARCH.with_dims(category=["男装"]))
    assert sorted(df.product_id) == ["S3", "S4"]
