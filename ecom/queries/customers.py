"""Customers and purchase frequency: orders per customer, repeat purchase within 30/90 days, the
interval between purchases, RFM segments, monthly cohort retention; from order lines, from the
aggregated `purchase_frequency` of the behaviour table, and the view → cart → purchase funnel."""

from __future__ import annotations

from datetime import timedelta

import ibis
import pandas as pd

from ecom.filters import Filters
from ecom.queries import summaries
from ecom.queries.common import MAX_ROWS, apply_dims, day_bounds, fetch, line_revenue, materialized, memoized, sales, table

MAX_ORDERS_BUCKET = 10  # "10+" in the orders-per-customer distribution
INTERVAL_BINS = ((0, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, None))
SEGMENTS = ("champions", "loyal", "new", "promising", "at_risk", "hibernating", "lost")
FUNNEL = ("view", "cart", "purchase")
EVENT_SYNONYMS = {"pv": "view", "click": "view", "view": "view", "cart": "cart", "add_to_cart": "cart", "buy": "purchase", "purchase": "purchase", "order": "purchase"}


def _orders(t):
    """One row per (customer, order) with the order's time and GMV."""
    t = t.filter(t.customer_id.notnull())
    return t.group_by(["customer_id", "order_id"]).aggregate(ts=t.order_time.min(), rev=line_revenue(t).sum())


def _range_orders(wh, f: Filters):
    """`_orders` of the lines in the range: the orders-per-customer, interval and RFM queries all
    start from it, so it is computed once per filters into a temporary table."""
    return materialized(wh, ("orders", f), lambda: _orders(sales(wh, f)))


def orders_per_customer(wh, f: Filters) -> pd.DataFrame:
    """Customers by number of orders in the range (10 means 10 or more)."""
    o = _range_orders(wh, f)
    per = o.group_by("customer_id").aggregate(n=o.count())
    capped = ibis.cases((per.n >= MAX_ORDERS_BUCKET, MAX_ORDERS_BUCKET), else_=per.n)
    df = fetch(per.group_by(orders=capped).aggregate(customers=per.count()).order_by("orders"))
    total = df.customers.sum()
    df["share"] = df.customers / total if total else float("nan")
    return df


def repeat_rate(wh, f: Filters, windows: tuple[int, ...] = (30, 90)) -> pd.DataFrame:
    """Per window N: of the customers whose first order in the range is at least N days before the
    latest order in the warehouse (so they had N days to come back), the share who ordered again
    within N days after that first order (any later order, also after the range)."""
    # Only lines from the range start to the range end + the longest window can matter. Lines of
    # one order share its time, so "a later line" is a later order.
    lines = sales(wh, f, end=f.end + timedelta(days=max(windows)))
    lines = lines.filter(lines.customer_id.notnull())
    lo, hi = day_bounds(f.start, f.end)
    in_range = lines.filter(lines.order_time < hi)
    first = in_range.group_by("customer_id").aggregate(t0=in_range.order_time.min())
    j = lines.join(first, "customer_id")
    nxt = j.filter(j.order_time > j.t0).group_by("customer_id").aggregate(next=lambda x: x.order_time.min())
    per = first.left_join(nxt, "customer_id")
    latest = table(wh, "sales").order_time.max().as_scalar()
    aggs = {}
    for n in windows:
        ok = per.t0 + ibis.interval(days=n) <= latest
        aggs[f"c{n}"] = ok.cast("int64").sum()
        aggs[f"r{n}"] = (ok & per["next"].notnull() & (per["next"] <= per.t0 + ibis.interval(days=n))).cast("int64").sum()
    got = fetch(per.aggregate(**aggs)).iloc[0]
    rows = []
    for n in windows:
        customers, repeaters = int(got[f"c{n}"] or 0), int(got[f"r{n}"] or 0)
        rows.append((n, customers, repeaters, repeaters / customers if customers else float("nan")))
    return pd.DataFrame(rows, columns=["window_days", "customers", "repeaters", "rate"])


def intervals(wh, f: Filters) -> tuple[pd.DataFrame, dict]:
    """Days between a customer's consecutive orders in the range: a binned distribution and the
    median and mean."""
    o = _range_orders(wh, f)
    w = ibis.window(group_by=o.customer_id, order_by=[o.ts, o.order_id])
    gaps = o.mutate(prev=o.ts.lag().over(w))
    gaps = gaps.filter(gaps.prev.notnull())
    gaps = gaps.mutate(days=gaps.ts.date().delta(gaps.prev.date(), unit="day"))
    # One query: gaps per whole number of days (at most one row per day of history), from which the
    # bins and the exact median and mean follow.
    hist = fetch(gaps.group_by("days").aggregate(gaps=gaps.count()).order_by("days"))
    days, counts = hist.days.astype("int64"), hist.gaps.astype("int64")
    rows = []
    for i, (a, b) in enumerate(INTERVAL_BINS):
        inside = (days >= a) & (days <= b) if b is not None else days >= a
        if inside.any():
            rows.append((f"{a}-{b}" if b else f"{a}+", int(counts[inside].sum()), i))
    df = pd.DataFrame(rows, columns=["bin", "gaps", "i"]).drop(columns="i")
    n = int(counts.sum())
    summary = {"median": _median(days.tolist(), counts.tolist(), n) if n else None,
               "mean": float((days * counts).sum() / n) if n else None, "n": float(n)}
    return df, summary


def _median(values: list[int], counts: list[int], n: int) -> float:
    """The median (the mean of the two middle values for an even count) of sorted `values` each
    occurring `counts` times."""
    def nth(k: int) -> int:
        seen = 0
        for v, c in zip(values, counts, strict=True):
            seen += c
            if seen > k:
                return v
        raise IndexError(k)

    return (nth((n - 1) // 2) + nth(n // 2)) / 2


def _rfm_table(wh, f: Filters):
    o = _range_orders(wh, f)
    per = o.group_by("customer_id").aggregate(last=o.ts.max(), frequency=o.count(), monetary=o.rev.sum())
    end = ibis.literal(f.end)
    return per.mutate(recency=end.delta(per["last"].date(), unit="day"))


def rfm_cutoffs(wh, f: Filters) -> dict[str, list[float]]:
    """Quintile cut-offs (20/40/60/80%, linear interpolation) of recency in days and of monetary value."""
    cuts = _cutoffs(wh, f)
    return {k: list(v) for k, v in cuts.items()}


@memoized  # the segment table and the segment's customers both need them
def _cutoffs(wh, f: Filters) -> dict[str, list[float]]:
    per = _rfm_table(wh, f)
    qs = [0.2, 0.4, 0.6, 0.8]
    df = fetch(per.aggregate(r=per.recency.quantile(qs), m=per.monetary.quantile(qs)))
    if df.empty or df.r.iloc[0] is None:
        return {"recency": [], "monetary": []}
    return {"recency": [float(x) for x in df.r.iloc[0]], "monetary": [float(x) for x in df.m.iloc[0]]}


def _scored(wh, f: Filters, cuts: dict[str, list[float]]):
    per = _rfm_table(wh, f)
    rc, mc = cuts["recency"], cuts["monetary"]
    r = ibis.cases((per.recency <= rc[0], 5), (per.recency <= rc[1], 4), (per.recency <= rc[2], 3), (per.recency <= rc[3], 2), else_=1)
    m = ibis.cases((per.monetary <= mc[0], 1), (per.monetary <= mc[1], 2), (per.monetary <= mc[2], 3), (per.monetary <= mc[3], 4), else_=5)
    fr = ibis.cases((per.frequency <= 3, per.frequency), (per.frequency <= 5, 4), else_=5)
    s = per.mutate(r=r, f=fr, m=m)
    segment = ibis.cases(
        ((s.r >= 4) & (s.f >= 4), "champions"),
        ((s.r >= 3) & (s.f >= 3), "loyal"),
        ((s.r >= 4) & (s.f == 1), "new"),
        (s.r >= 3, "promising"),
        (s.f >= 3, "at_risk"),
        (s.r == 2, "hibernating"),
        else_="lost",
    )
    return s.mutate(segment=segment)


def rfm_segments(wh, f: Filters) -> tuple[pd.DataFrame, dict]:
    """Customers, revenue and revenue share per RFM segment, and the cut-offs used.

    Scores 1–5: R by recency quintiles (recent = 5), M by monetary quintiles, F by orders
    (1, 2, 3, 4–5, 6+). Segments, first rule that matches: champions R≥4 F≥4; loyal R≥3 F≥3;
    new R≥4 F=1; promising R≥3; at risk F≥3; hibernating R=2; lost otherwise.
    """
    cuts = rfm_cutoffs(wh, f)
    if not cuts["recency"]:
        return pd.DataFrame(columns=["segment", "customers", "revenue", "share", "recency", "frequency"]), cuts
    s = _scored(wh, f, cuts)
    df = fetch(s.group_by("segment").aggregate(customers=s.count(), revenue=s.monetary.sum(), recency=s.recency.mean(), frequency=s.frequency.mean()))
    df = df.set_index("segment").reindex([x for x in SEGMENTS if x in set(df.segment)]).reset_index()
    total = df.revenue.sum()
    df["share"] = df.revenue / total if total else float("nan")
    return df, cuts


def rfm_customers(wh, f: Filters, segment: str | None = None, limit: int = MAX_ROWS) -> pd.DataFrame:
    """The customers of one segment (or all) with their scores, by revenue, capped."""
    cuts = rfm_cutoffs(wh, f)
    if not cuts["recency"]:
        return pd.DataFrame(columns=["customer_id", "segment", "recency", "frequency", "monetary", "r", "f", "m"])
    s = _scored(wh, f, cuts)
    if segment:
        s = s.filter(s.segment == segment)
    cols = ["customer_id", "segment", "recency", "frequency", "monetary", "r", "f", "m"]
    return fetch(s.select(*cols).order_by([ibis.desc("monetary"), "customer_id"]).limit(min(limit, MAX_ROWS)))


def cohorts(wh, f: Filters, max_months: int = 12) -> pd.DataFrame:
    """Monthly cohort retention: cohort = month of the first order (over all history), for cohorts
    starting in the range; cell = share of the cohort ordering in month k after (k = 0 is 100%)."""
    lo = f.start.replace(day=1)
    t = sales(wh, f, start=lo)
    t = t.filter(t.customer_id.notnull())
    active = t.group_by(customer_id=t.customer_id, month=t.order_time.truncate("M").date()).aggregate()
    summary = None if f.dims() else summaries.first_orders(wh)
    if summary is not None:
        # without dimension filters a cohort is the month of the customer's first order overall,
        # straight from the per-data-version summary
        lo_ts, hi_ts = day_bounds(lo, f.end)
        s = summary.filter((summary.first_time >= lo_ts) & (summary.first_time < hi_ts))
        first = s.select("customer_id", cohort=s.first_time.truncate("M").date())
    else:
        # a cohort starts in the range: drop customers who ordered before its first month (anti-join)
        before = sales(wh, f, dates=False)
        before = before.filter((before.order_time < day_bounds(lo, lo)[0]) & before.customer_id.isin(active.customer_id))
        first = active.filter(~active.customer_id.isin(before.customer_id)).group_by("customer_id").aggregate(cohort=lambda x: x.month.min())
    j = active.join(first, "customer_id")
    k = (j.month.year() * 12 + j.month.month()) - (j.cohort.year() * 12 + j.cohort.month())
    j = j.mutate(k=k).filter(lambda x: (x.k <= max_months) & (x.month <= f.end))
    cells = j.group_by(["cohort", "k"]).aggregate(customers=j.customer_id.nunique())
    sizes = first.group_by("cohort").aggregate(size=first.count())
    df = fetch(cells.join(sizes, "cohort").order_by(["cohort", "k"]))
    df["cohort"] = pd.to_datetime(df["cohort"])
    df["retention"] = df.customers / df["size"]
    return df


def purchase_frequency(wh, f: Filters) -> tuple[pd.DataFrame, dict]:
    """From the behaviour table's aggregated purchase_frequency (one value per customer, the largest
    if repeated): customers per frequency (10 = 10+), and the share buying twice or more."""
    b = apply_dims(table(wh, "behavior"), f)
    b = b.filter(b.purchase_frequency.notnull())
    per = b.group_by("customer_id").aggregate(pf=b.purchase_frequency.max())
    capped = ibis.cases((per.pf >= MAX_ORDERS_BUCKET, MAX_ORDERS_BUCKET), else_=per.pf)
    df = fetch(per.group_by(orders=capped).aggregate(customers=per.count()).order_by("orders"))
    total = int(df.customers.sum())
    repeat = int(df.loc[df.orders >= 2, "customers"].sum())
    return df, {"customers": total, "repeaters": repeat, "repeat_share": repeat / total if total else None}


def funnel(wh, f: Filters) -> pd.DataFrame:
    """Distinct customers with a view, cart and purchase event in the range, and each step's
    conversion from the step before."""
    b = apply_dims(table(wh, "behavior"), f)
    lo, hi = day_bounds(f.start, f.end)
    # rows carrying an aggregated purchase_frequency are per-customer summaries, not events
    b = b.filter((b.event_time >= lo) & (b.event_time < hi) & b.event_type.notnull() & b.purchase_frequency.isnull())
    step = b.event_type.lower().strip().substitute(EVENT_SYNONYMS, else_=None)
    b = b.mutate(step=step).filter(lambda x: x.step.isin(list(FUNNEL)))
    got = fetch(b.group_by("step").aggregate(customers=b.customer_id.nunique()))
    counts = dict(zip(got.step, got.customers, strict=True))
    rows = []
    prev = None
    for s in FUNNEL:
        n = int(counts.get(s, 0))
        rows.append((s, n, (n / prev) if prev else None))
        prev = n
    return pd.DataFrame(rows, columns=["step", "customers", "conversion"])
