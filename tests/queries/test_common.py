from datetime import date, datetime

from ecom.queries import common
from tests.queries.helpers import insert, sale


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
