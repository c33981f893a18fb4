from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from ecom.filters import Filters
from ecom.queries import overview
from tests.queries.helpers import insert, insert_frame, sale

WEEK = Filters(start=date(2024, 3, 11), end=date(2024, 3, 17))


@pytest.fixture
def kpi_wh(warehouse):
    d = datetime
    insert(warehouse, "sales", [
        # current week
        sale("o1", d(2024, 3, 11, 10), "A", 200, "c1", quantity=2),
        sale("o2", d(2024, 3, 12, 9), "B", 100, "c2", refund_amount=50),
        sale("o3", d(2024, 3, 15, 20), "C", 300, "c1", line_no=1),
        sale("o3", d(2024, 3, 15, 20), "D", 100, "c1", line_no=2),
        sale("o8", d(2024, 3, 17, 23, 59), "B", 90, "c5", quantity=3),
        # previous week
        sale("o4", d(2024, 3, 5), "A", 100, "c3"),
        sale("o5", d(2024, 3, 6), "B", 150, "c1"),
        # same week last year, and an older first order of c2
        sale("o6", d(2023, 3, 12), "A", 500, "c4"),
        sale("o7", d(2023, 1, 10), "A", 80, "c2"),
        # cancelled: never paid, so in no KPI
        sale("o10", d(2024, 3, 13), "A", 700, "c7", order_status="cancelled"),
        # the day after the range: outside everything
        sale("o9", d(2024, 3, 18, 0, 0), "A", 999, "c9"),
    ])
    return warehouse


def test_kpis_against_previous_period_and_last_year(kpi_wh):
    k = overview.kpis(kpi_wh, WEEK)
    cur = k.current
    assert cur["gmv"] == 790 and cur["net_sales"] == 740
    assert cur["orders"] == 4 and cur["units"] == 8
    assert cur["aov"] == pytest.approx(197.5)
    assert cur["customers"] == 3 and cur["new_customers"] == 1 and cur["returning_customers"] == 2
    assert cur["refund_rate"] == pytest.approx(50 / 790)
    assert k.previous["gmv"] == 250 and k.previous["orders"] == 2 and k.previous["new_customers"] == 2
    assert k.last_year["gmv"] == 500 and k.last_year["customers"] == 1
    assert k.vs_previous["gmv"] == pytest.approx((790 - 250) / 250)
    assert k.vs_last_year["gmv"] == pytest.approx((790 - 500) / 500)
    assert k.vs_previous["orders"] == pytest.approx(1.0)


def test_kpis_follow_dimension_filters(kpi_wh):
    k = overview.kpis(kpi_wh, WEEK.with_dims(product=["B"]))
    assert k.current["gmv"] == 190 and k.current["orders"] == 2 and k.current["units"] == 4
    assert k.previous["gmv"] == 150


@pytest.fixture
def spike_wh(warehouse):
    rows = []
    start = date(2024, 1, 1)
    for i in range((date(2024, 3, 17) - start).days + 1):
        day = start + timedelta(days=i)
        value = 100 + (i % 3) * 5  # a small wobble so the MAD is not zero
        if day == date(2024, 3, 13):
            value = 1000
        rows.append(sale(f"o{i}", datetime.combine(day, datetime.min.time()).replace(hour=12), "A", value, f"c{i}"))
    insert(warehouse, "sales", rows)
    return warehouse


def test_anomaly_flags_only_the_planted_spike(spike_wh):
    a = overview.anomalies(spike_wh, WEEK, "gmv")
    assert len(a) == 7
    flagged = a[a.anomaly]
    assert list(flagged.day.dt.date) == [date(2024, 3, 13)]
    row = flagged.iloc[0]
    # same weekday in the 8 previous weeks: i % 3 over i = 72-7k → values 100/105/110 → median 105, MAD 5
    assert row["median"] == 105 and row["mad"] == 5
    # one order a day: the scale is the noise of one order's amount, 0.6745 × 105 / √1, as it exceeds the MAD
    assert row.z == pytest.approx((1000 - 105) / 105)


@pytest.mark.parametrize("mean", [20, 200])
def test_a_steady_poisson_shop_is_almost_never_flagged(warehouse, mean):
    """365 days of Poisson(mean) orders of ¥10 from the data's first day: under 2% of days flagged, on
    orders and on GMV, and none in the first four weeks (no baseline yet)."""
    rng = np.random.default_rng(mean)
    start = date(2023, 1, 2)
    days = np.repeat(np.arange(365), rng.poisson(mean, 365))
    insert_frame(warehouse, "sales", pd.DataFrame({
        "order_id": [f"o{i}" for i in range(len(days))], "customer_id": [f"c{i}" for i in range(len(days))], "product_id": "A",
        "order_time": pd.Timestamp(start) + pd.to_timedelta(days, unit="D") + pd.Timedelta(hours=10), "quantity": 1, "revenue": 10.0,
    }))
    whole = Filters(start=start, end=start + timedelta(days=364))
    for metric in ("orders", "gmv"):
        a = overview.anomalies(warehouse, whole, metric)
        assert len(a) == 365
        assert a.anomaly.mean() < 0.02, (metric, a[a.anomaly])
        assert not a.anomaly.iloc[:28].any()


@pytest.fixture
def drop_wh(warehouse):
    rows = []
    daily = {"prev": {"A": 100, "B": 100, "C": 50, "D": 50}, "cur": {"A": 30, "B": 50, "C": 50, "D": 50}}
    names = {"A": "连衣裙 A", "B": "半身裙 B", "C": "衬衫 C", "D": "T恤 D"}
    cats = {"A": "女装", "B": "女装", "C": "男装", "D": "男装"}
    n = 0
    for period, first in (("prev", date(2024, 3, 4)), ("cur", date(2024, 3, 11))):
        for i in range(7):
            for sku, v in daily[period].items():
                n += 1
                rows.append(sale(f"o{n}", datetime.combine(first + timedelta(days=i), datetime.min.time()), sku, v, f"c{n}",
                                 product_name=names[sku], category=cats[sku]))
    insert(warehouse, "sales", rows)
    return warehouse


def test_explanation_names_the_two_skus_of_a_planted_drop(drop_wh):
    result = overview.explain(drop_wh, WEEK, "en", "¥")
    top = result["contributors"]
    assert list(top.key) == ["A", "B"]
    assert result["change"] == -840
    assert top.share.tolist() == pytest.approx([490 / 840, 350 / 840])
    assert result["text"] == (
        "GMV −40.0% vs the previous period (¥2,100 → ¥1,260); "
        "100% of the drop from 2 SKUs in 女装: 连衣裙 A (−¥490), 半身裙 B (−¥350)"
    )
    zh = overview.explain(drop_wh, WEEK, "zh", "¥")["text"]
    assert "连衣裙 A（−¥490）、半身裙 B（−¥350）" in zh and "100%" in zh


def test_explanation_without_sales(warehouse):
    assert overview.explain(warehouse, WEEK, "en")["text"] == "No sales in this period or the one before."
