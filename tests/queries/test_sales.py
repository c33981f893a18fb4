from datetime import date, datetime

import pytest

from ecom.filters import Filters
from ecom.queries import sales
from tests.queries.helpers import insert, sale

MARCH = Filters(start=date(2024, 3, 1), end=date(2024, 3, 31))


@pytest.fixture
def wh(warehouse):
    d = datetime
    insert(warehouse, "sales", [
        sale("o1", d(2024, 3, 4, 10), "P1", 300, "c1", category="女装", product_name="连衣裙", quantity=3),
        sale("o2", d(2024, 3, 5, 10), "P1", 200, "c2", category="女装", product_name="连衣裙", quantity=2),
        sale("o2", d(2024, 3, 5, 10), "P2", 300, "c2", category="女装", line_no=2),
        sale("o3", d(2024, 3, 12, 10), "P3", 100, "c3", category="男装"),
        sale("o4", d(2024, 3, 13, 10), "P4", 60, "c1", category="男装", region="浙江"),
        sale("o5", d(2024, 3, 29, 10), "P5", 40, "c4", category="童装", region="浙江"),
        sale("o6", d(2024, 4, 1, 10), "P5", 1000, "c4", category="童装"),  # outside the range
    ])
    return warehouse


def test_trend_by_week_and_month(wh):
    w = sales.trend(wh, MARCH, "week")
    assert [p.date() for p in w.period] == [date(2024, 3, 4), date(2024, 3, 11), date(2024, 3, 25)]
    assert w.gmv.tolist() == [800, 160, 40]
    assert w.orders.tolist() == [2, 2, 1]
    assert w.units.tolist() == [6, 2, 1]
    m = sales.trend(wh, MARCH, "month")
    assert m.gmv.tolist() == [1000]


def test_trend_split_by_category_keeps_top_values(wh):
    df = sales.trend(wh, MARCH, "month", by="category", top=2)
    assert dict(zip(df.key, df.gmv, strict=True)) == {"女装": 800, "男装": 160, "(other)": 40}


def test_breakdown_shares_and_top_n(wh):
    df = sales.breakdown(wh, MARCH, "category")
    assert df.key.tolist() == ["女装", "男装", "童装"]
    assert df.share.tolist() == pytest.approx([0.8, 0.16, 0.04])
    top = sales.breakdown(wh, MARCH, "product_id", top=2)
    assert top.key.tolist() == ["P1", "P2"] and top.name.tolist()[0] == "连衣裙"
    assert top.units.tolist() == [5, 1]


def test_abc_classes_and_pareto(wh):
    # GMV per product 500/300/100/60/40: cumulative 50/80/90/96/100%
    df = sales.abc(wh, MARCH).set_index("abc")
    assert df.products.to_dict() == {"A": 2, "B": 2, "C": 1}
    assert df.gmv.to_dict() == {"A": 800, "B": 160, "C": 40}
    assert sales.abc_products(wh, MARCH, "B").product_id.tolist() == ["P3", "P4"]
    p = sales.pareto(wh, MARCH)
    assert p.product_share.tolist() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert p.cum_share.tolist() == pytest.approx([0, 0.5, 0.8, 0.9, 0.96, 1.0])


def test_drill_category_to_product_to_lines(wh):
    cat = MARCH.with_dims(category=["女装"])
    assert sales.breakdown(wh, cat, "product_id").key.tolist() == ["P1", "P2"]
    lines = sales.order_lines(wh, cat.with_dims(product=["P1"]))
    assert lines.order_id.tolist() == ["o2", "o1"] and lines.revenue.tolist() == [200, 300]
    assert len(sales.order_lines(wh, MARCH, limit=2)) == 2


def test_region_filter(wh):
    assert sales.breakdown(wh, MARCH.with_dims(region=["浙江"]), "category").gmv.tolist() == [60, 40]
