from datetime import date, datetime

import pytest

from ecom.filters import Filters
from ecom.queries import explore
from ecom.queries.explore import Spec, SpecError
from tests.queries.helpers import insert, sale

MARCH = Filters(start=date(2024, 3, 1), end=date(2024, 3, 31))


@pytest.fixture
def wh(warehouse):
    insert(warehouse, "sales", [
        sale("o1", datetime(2024, 3, 1, 9), "A", 10, "c1", category="女装", channel="天猫"),
        sale("o2", datetime(2024, 3, 1, 20), "B", 20, "c2", category="女装", channel="京东"),
        sale("o3", datetime(2024, 3, 9), "C", 5, "c1", category="男装", channel="天猫"),
        sale("o4", datetime(2024, 4, 9), "C", 500, "c1", category="男装", channel="天猫"),  # outside the range
    ])
    return warehouse


def test_sum_by_text_column(wh):
    df = explore.run(wh, MARCH, Spec("sales", x="category", y="revenue", agg="sum"))
    assert dict(zip(df.x, df.value, strict=True)) == {"女装": 30, "男装": 5}


def test_time_x_by_week_with_colour_and_filters(wh):
    df = explore.run(wh, MARCH, Spec("sales", x="order_time", agg="count", color="channel", grain="week"))
    got = {(x.date(), c): v for x, c, v in zip(df.x, df.color, df.value, strict=True)}
    assert got == {(date(2024, 2, 26), "天猫"): 1, (date(2024, 2, 26), "京东"): 1, (date(2024, 3, 4), "天猫"): 1}
    df = explore.run(wh, MARCH.with_dims(channel=["天猫"]), Spec("sales", x="customer_id", y="order_id", agg="count_distinct"))
    assert dict(zip(df.x, df.value, strict=True)) == {"c1": 2}


def test_names_outside_the_allow_lists_are_refused(wh):
    for spec, detail in [
        (Spec("app.views", x="token"), "table|app.views"),
        (Spec("meta", x="key"), "table|meta"),
        (Spec("sales", x="revenue; DROP TABLE sales"), "column|sales|revenue; DROP TABLE sales"),
        (Spec("sales", x="_extra"), "column|sales|_extra"),
        (Spec("sales", x="category", y="category", agg="sum"), "need_number|category"),
        (Spec("sales", x="category", agg="sum"), "need_y|sum"),
        (Spec("sales", x="category", chart="3d"), "option|day|3d"),
    ]:
        with pytest.raises(SpecError) as e:
            explore.run(wh, MARCH, spec)
        assert str(e.value) == detail


def test_columns_lists_kinds(wh):
    cols = explore.columns(wh, "sales")
    assert cols["revenue"] == "number" and cols["order_time"] == "time" and cols["category"] == "text"
    assert "_extra" not in cols
    assert explore.columns(wh, "nope") == {}
