from datetime import date

import pytest

from ecom.filters import Filters
from ecom.queries import market
from tests.queries.helpers import insert

H1 = Filters(start=date(2024, 1, 1), end=date(2024, 6, 30))
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)


def row(period, category, brand, sales=None, units=None, share=None):
    return {"period": period, "category": category, "brand": brand, "sales_amount": sales, "units": units, "market_share": share}


@pytest.fixture
def wh(warehouse, monkeypatch):
    monkeypatch.setenv("ECOM_OUR_BRANDS", "X, P")
    shares = {JAN: {"X": 0.4, "Y": 0.3, "Z": 0.15, "W": 0.1, "V": 0.05}, FEB: {"X": 0.35, "Y": 0.3, "Z": 0.2, "W": 0.1, "V": 0.05}}
    rows = [row(p, "手机", b, share=s) for p, per in shares.items() for b, s in per.items()]
    rows += [row(JAN, "家电", "P", sales=600), row(JAN, "家电", "Q", sales=300), row(JAN, "家电", "R", sales=100)]
    insert(warehouse, "market", rows)
    return warehouse


def test_share_column_is_used_and_concentration(wh):
    assert market.basis(wh, H1, "手机") == "market_share"
    c = market.concentration(wh, H1, "手机")
    assert c.cr4.tolist() == pytest.approx([0.95, 0.95])
    assert c.hhi.tolist() == pytest.approx([2850, 2650])
    assert c.brands.tolist() == [5, 5]


def test_share_computed_from_sales_when_no_share_column(wh):
    assert market.basis(wh, H1, "家电") == "sales_amount"
    t = market.share_trend(wh, H1, "家电")
    assert dict(zip(t.brand, t.share, strict=True)) == pytest.approx({"P": 0.6, "Q": 0.3, "R": 0.1})
    c = market.concentration(wh, H1, "家电")
    assert c.hhi.tolist() == pytest.approx([4600]) and c.cr4.tolist() == pytest.approx([1.0])


def test_share_computed_from_units(warehouse):
    insert(warehouse, "market", [row(JAN, None, "S", units=30), row(JAN, None, "T", units=10)])
    assert market.categories(warehouse, H1) == [""]
    t = market.share_trend(warehouse, H1)
    assert dict(zip(t.brand, t.share, strict=True)) == pytest.approx({"S": 0.75, "T": 0.25})


def test_ours_vs_competitors_and_movers(wh):
    o = market.ours_vs_competitors(wh, H1, "手机")
    got = {(p.month, s): v for p, s, v in zip(o.period, o.side, o.share, strict=True)}
    assert got == pytest.approx({(1, "ours"): 0.4, (1, "competitors"): 0.6, (2, "ours"): 0.35, (2, "competitors"): 0.65})
    m = market.movers(wh, H1, "手机")
    assert m.brand.tolist() == ["Z", "X"] and m.change.tolist() == pytest.approx([0.05, -0.05])


def test_default_category_follows_the_filter(wh):
    assert market.categories(wh, H1) == ["手机", "家电"]
    assert set(market.share_trend(wh, H1.with_dims(category=["家电"])).brand) == {"P", "Q", "R"}
    assert "X" in set(market.share_trend(wh, H1).brand)


def test_top_brands_and_other(wh):
    t = market.share_trend(wh, H1, "手机", top=2)
    jan = dict(zip(t[t.period.dt.month == 1].brand, t[t.period.dt.month == 1].share, strict=True))
    assert jan == pytest.approx({"X": 0.4, "Y": 0.3, "(other)": 0.3})


def test_category_share(wh):
    df = market.category_share(wh, H1)
    assert df.category.tolist() == ["家电"]
    assert df.share.tolist() == pytest.approx([1.0]) and df.our_share.tolist() == pytest.approx([0.6])


def test_category_share_without_our_brands(wh, monkeypatch):
    monkeypatch.setenv("ECOM_OUR_BRANDS", "")
    df = market.category_share(wh, H1)
    assert df.our_share.tolist() == [0.0]
    o = market.ours_vs_competitors(wh, H1, "手机")
    assert set(o.side) == {"competitors"} and o.share.tolist() == pytest.approx([1.0, 1.0])
