from datetime import date, datetime

from ecom.queries import common
from tests.queries.helpers import insert, sale


def test_without_orders_the_anchor_is_the_latest_date_of_the_other_data(warehouse):
    insert(warehouse, "reviews", [{"review_id": "r1", "review_text": "good", "review_time": datetime(2017, 7, 20, 12, 5, 56)},
                                  {"review_id": "r2", "review_text": "bad", "review_time": datetime(2017, 6, 30, 6, 21, 30)},
                                  {"review_id": "r3", "review_text": "undated", "review_time": None}])
    assert common.anchor_date(warehouse) == date(2017, 7, 20)
    insert(warehouse, "stock", [{"product_id": "A", "snapshot_date": date(2018, 1, 31), "on_hand": 3}])
    assert common.anchor_date(warehouse) == date(2018, 1, 31)  # the latest of them
    insert(warehouse, "sales", [sale("o1", datetime(2016, 5, 1), "A", 1)])
    assert common.anchor_date(warehouse) == date(2016, 5, 1)  # order lines, where there are some, set it


def test_anchor_is_today_on_an_empty_warehouse_and_the_latest_order_otherwise(warehouse):
    assert common.anchor_date(warehouse) == date.today()
    assert common.data_span(warehouse) is None
    insert(warehouse, "sales", [sale("o1", datetime(2024, 5, 1, 23, 59), "A", 1, currency="usd"),
                                sale("o2", datetime(2024, 3, 1), "B", 1, category="女装", currency="USD")])
    assert common.anchor_date(warehouse) == date(2024, 5, 1)
    assert common.data_span(warehouse) == (date(2024, 3, 1), date(2024, 5, 1))
    assert common.all_currencies(warehouse) == ["USD"]
    assert common.currencies(warehouse, date(2024, 3, 1), date(2024, 5, 1))[0][0] == "USD"
    values = common.dimension_values(warehouse)
    assert values["product"] == ["A", "B"] and values["category"] == ["女装"] and values["region"] == []
