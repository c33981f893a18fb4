from datetime import date, datetime

import pytest

from ecom.filters import Filters
from ecom.queries import customers
from tests.queries.helpers import insert, sale

Q1 = Filters(start=date(2024, 1, 1), end=date(2024, 3, 31))


def at(m, d, y=2024):
    return datetime(y, m, d, 10)


@pytest.fixture
def wh(warehouse):
    insert(warehouse, "sales", [
        sale("o1", at(1, 5), "A", 100, "c1"),
        sale("o2", at(1, 20), "A", 50, "c1"),
        sale("o3", at(3, 1), "A", 200, "c1"),
        sale("o4", at(1, 10), "A", 300, "c2"),
        sale("o5", at(4, 5), "A", 100, "c2"),  # after the range, 86 days after c2's first order
        sale("o6", at(2, 15), "A", 80, "c3"),
        sale("o7", at(3, 20), "A", 500, "c4"),
        sale("o8", at(3, 25), "A", 20, "c4"),
        sale("o9", at(12, 1, 2023), "A", 60, "c5"),
        sale("o10", at(2, 1), "A", 40, "c5"),
        sale("o11", at(6, 1), "A", 10, "c9"),  # the latest order in the warehouse
        sale("o12", at(2, 2), "A", 999, None),  # no customer: not counted
    ])
    return warehouse


def test_orders_per_customer(wh):
    df = customers.orders_per_customer(wh, Q1)
    assert dict(zip(df.orders, df.customers, strict=True)) == {1: 3, 2: 1, 3: 1}


def test_repeat_rate_within_30_and_90_days(wh):
    df = customers.repeat_rate(wh, Q1).set_index("window_days")
    # 30 days: all 5 had 30 days to come back; c1 (15 days) and c4 (5 days) did
    assert (df.loc[30, "customers"], df.loc[30, "repeaters"], df.loc[30, "rate"]) == (5, 2, 0.4)
    # 90 days: c4 (first order 20 Mar) has not had 90 days before 1 Jun; c1 and c2 (86 days) came back
    assert (df.loc[90, "customers"], df.loc[90, "repeaters"], df.loc[90, "rate"]) == (4, 2, 0.5)


def test_inter_purchase_intervals(wh):
    df, stats = customers.intervals(wh, Q1)
    assert dict(zip(df["bin"], df.gaps, strict=True)) == {"0-7": 1, "15-30": 1, "31-60": 1}
    assert stats["median"] == 15 and stats["mean"] == pytest.approx(61 / 3) and stats["n"] == 3


def test_rfm_cutoffs_and_segments(wh):
    cuts = customers.rfm_cutoffs(wh, Q1)
    # recency to 31 Mar: 6, 30, 45, 59, 81 days; monetary 40, 80, 300, 350, 520
    assert cuts["recency"] == pytest.approx([25.2, 39.0, 50.6, 63.4])
    assert cuts["monetary"] == pytest.approx([72.0, 212.0, 320.0, 384.0])
    seg, _ = customers.rfm_segments(wh, Q1)
    got = {s: (c, r) for s, c, r in zip(seg.segment, seg.customers, seg.revenue, strict=True)}
    assert got == {"loyal": (1, 350), "promising": (2, 600), "hibernating": (1, 40), "lost": (1, 300)}
    assert seg.share.sum() == pytest.approx(1.0)
    people = customers.rfm_customers(wh, Q1, "promising")
    assert people.customer_id.tolist() == ["c4", "c3"]
    assert people[["r", "f", "m"]].values.tolist() == [[5, 2, 5], [3, 1, 2]]


def test_monthly_cohort_retention(wh):
    df = customers.cohorts(wh, Q1)
    cells = {(c.strftime("%Y-%m"), k): (n, r) for c, k, n, r in zip(df.cohort, df.k, df.customers, df.retention, strict=True)}
    assert cells == {("2024-01", 0): (2, 1.0), ("2024-01", 2): (1, 0.5), ("2024-02", 0): (1, 1.0), ("2024-03", 0): (1, 1.0)}


def test_purchase_frequency_and_funnel_from_behaviour(wh):
    t0 = at(1, 1)
    rows = [
        {"customer_id": u, "event_time": t0, "event_type": None, "purchase_frequency": pf}
        for u, pf in (("u1", 1), ("u2", 3), ("u3", 12), ("u4", 1))
    ] + [
        {"customer_id": u, "event_time": at(2, 1), "event_type": e, "purchase_frequency": None}
        for u, e in (("u1", "view"), ("u1", "cart"), ("u1", "purchase"), ("u2", "pv"), ("u2", "view"), ("u3", "cart"), ("u4", "view"))
    ] + [{"customer_id": "u5", "event_time": at(5, 1), "event_type": "view", "purchase_frequency": None}]
    insert(wh, "behavior", rows)
    df, stats = customers.purchase_frequency(wh, Q1)
    assert dict(zip(df.orders, df.customers, strict=True)) == {1: 2, 3: 1, 10: 1}
    assert stats == {"customers": 4, "repeaters": 2, "repeat_share": 0.5}
    fn = customers.funnel(wh, Q1)
    assert fn.customers.tolist() == [3, 2, 1]
    assert fn.conversion.tolist()[1:] == pytest.approx([2 / 3, 0.5])
