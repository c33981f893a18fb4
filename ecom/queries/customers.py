"""Customers and purchase frequency: orders per customer, repeat purchase within 30/90 days, the
interval between purchases, RFM segments, monthly cohort retention; from order lines, from the
aggregated `purchase_frequency` of the behaviour table, and the view → cart → purchase funnel."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import ibis
import pandas as pd

from ecom.filters import Filters
from ecom.queries import summaries
from ecom.queries.common import (
    MAX_ROWS,
    apply_dims,
    day_bounds,
    fetch,
    materialized,
    memoized,
    money_sum,
    order_rows,
    sales,
    summary,
    table,
)

MAX_ORDERS_BUCKET = 10  # "10+" in the orders-per-customer distribution
INTERVAL_BINS = ((0, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, None))
SEGMENTS = ("champions", "loyal", "new", "promising", "at_risk", "hibernating", "lost")
FUNNEL = ("view", "cart", "purchase")
EVENT_SYNONYMS = {"pv": "view", "click": "view", "view": "view", "cart": "cart", "add_to_cart": "cart", "buy": "purchase", "purchase": "purchase", "order": "purchase"}


def _orders(t):
    """One row per (customer, order) with the order's time and GMV (exact, DECIMAL)."""
    t = t.filter(t.customer_id.notnull())
    return t.group_by(["customer_id", "order_id"]).aggregate(ts=t.order_time.min(), rev=t.revenue.fill_null(0).sum())


def _range_orders(wh, f: Filters):
    """`_orders` of the lines in the range: the interval and RFM queries start from it, so it is
    computed once per filters into a temporary table."""
    return materialized(wh, ("orders", f), lambda: _orders(sales(wh, f)))


def _known(o):
    return o.filter(o.c.notnull())


def orders_per_customer(wh, f: Filters) -> pd.DataFrame:
    """Customers by number of orders in the range (10 means 10 or more)."""
    per = _customer_table(wh, f)
    if per is not None:
        per = per.select(n=per.frequency)
    else:
        o = order_rows(wh, f)
        if o is not None:
            o = _known(o)
            per = o.group_by("c").aggregate(n=o.count())
        else:
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
    got = fetch(_first_and_next(wh, f, windows)).iloc[0]
    rows = []
    for n in windows:
        customers, repeaters = _int(got[f"c{n}"]), _int(got[f"r{n}"])
        rows.append((n, customers, repeaters, repeaters / customers if customers else float("nan")))
    return pd.DataFrame(rows, columns=["window_days", "customers", "repeaters", "rate"])


def _repeat_counts(t0, nxt, latest, windows: tuple[int, ...]) -> dict:
    """Per window N, aggregates: customers whose first order (at t0) is at least N days before the
    latest order (`cN`), and those of them whose next order (`nxt`) came within N days (`rN`)."""
    aggs = {}
    # shop time has no zone, so N days are N × 24 h: compared in microseconds, not by calendar sums
    gap = nxt.delta(t0, unit="microsecond")
    for n in windows:
        if isinstance(latest, datetime):
            ok = t0 <= ibis.literal(latest - timedelta(days=n), "timestamp")
        else:
            ok = t0 + ibis.interval(days=n) <= latest
        aggs[f"c{n}"] = ok.cast("int64").sum()
        aggs[f"r{n}"] = (ok & gap.notnull() & (gap <= n * 86_400_000_000)).cast("int64").sum()
    return aggs


def _first_and_next(wh, f: Filters, windows: tuple[int, ...]):
    """The repeat counts (see `_repeat_counts`) from each customer's first order in the range and
    their next order strictly later."""
    lo, hi = day_bounds(f.start, f.end)
    s = summary(wh)
    o = None if f.dims() else order_rows(wh, f)
    if o is not None:
        # each customer's first order in the range is the one whose previous order is older, and
        # the next order strictly later than it is kept with it
        o = _known(o)
        per = o.filter(o.prev_time.isnull() | (o.prev_time < lo)).select(t0=o.order_time, next=o.next_time)
        return per.aggregate(**_repeat_counts(per.t0, per["next"], s.latest, windows))
    # Only lines from the range start to the range end + the longest window can matter. Lines of
    # one order share its time, so "a later line" is a later order.
    o = order_rows(wh, f, end=f.end + timedelta(days=max(windows)))
    if o is not None:
        lines = _known(o)
    else:
        lines = sales(wh, f, end=f.end + timedelta(days=max(windows)))
        lines = lines.filter(lines.customer_id.notnull())
    who = "c" if o is not None else "customer_id"
    in_range = lines.filter(lines.order_time < hi)
    first = in_range.group_by(who).aggregate(t0=in_range.order_time.min())
    j = lines.join(first, who)
    nxt = j.filter(j.order_time > j.t0).group_by(who).aggregate(next=lambda x: x.order_time.min())
    per = first.left_join(nxt, who)
    latest = s.latest if s is not None else table(wh, "sales").order_time.max().as_scalar()
    return per.aggregate(**_repeat_counts(per.t0, per["next"], latest, windows))


def _int(v) -> int:
    return 0 if v is None or pd.isna(v) else int(v)


def intervals(wh, f: Filters) -> tuple[pd.DataFrame, dict]:
    """Days between a customer's consecutive orders in the range: a binned distribution and the
    median and mean."""
    o = order_rows(wh, f)
    if o is not None and not f.dims():
        # consecutive orders in the range: those whose previous order is in the range too
        lo, _ = day_bounds(f.start, f.end)
        gaps = _known(o).filter(o.prev_time >= lo)
        gaps = gaps.mutate(days=gaps.order_time.date().delta(gaps.prev_time.date(), unit="day"))
    else:
        if o is not None:
            o = _known(o).select(who=o.c, ts=o.order_time)
            w = ibis.window(group_by=o.who, order_by=[o.ts])
        else:
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


def _customer_table(wh, f: Filters):
    """Per customer with orders in the range, from the summary's orders (None where they cannot
    answer: see `order_rows(whole=True)`): `c`, the last order's time, orders, GMV and recency in
    days to the range end. Computed once per filters into a temporary table: the orders-per-customer
    and RFM queries all read it."""
    if order_rows(wh, f, whole=True) is None:
        return None

    def build():
        o = _known(order_rows(wh, f, whole=True))
        per = o.group_by("c").aggregate(last=o.order_time.max(), frequency=o.count(), monetary=money_sum(o.gmv))
        return per.mutate(recency=ibis.literal(f.end).delta(per["last"].date(), unit="day"))

    return materialized(wh, ("customers", f), build)


def _rfm_table(wh, f: Filters):
    """Per customer with orders in the range: the last order's time, orders, GMV and recency in days
    (to the range end). The customer is `c` (see `summaries`) where the summary's orders answer,
    else `customer_id`."""
    per = _customer_table(wh, f)
    if per is not None:
        return per

    def build():
        o = _range_orders(wh, f)
        per = o.group_by("customer_id").aggregate(last=o.ts.max(), frequency=o.count(), monetary=money_sum(o.rev))
        return per.mutate(recency=ibis.literal(f.end).delta(per["last"].date(), unit="day"))

    return materialized(wh, ("rfm", f), build)


def rfm_cutoffs(wh, f: Filters) -> dict[str, list[float]]:
    """Quintile cut-offs (20/40/60/80%, linear interpolation) of recency in days and of monetary value."""
    cuts, _ = _rfm(wh, f)
    return {k: list(v) for k, v in cuts.items()}


QUINTILES = [0.2, 0.4, 0.6, 0.8]


@memoized  # the segment table and the segment's customers both need the cut-offs
def _rfm(wh, f: Filters) -> tuple[dict[str, list[float]], pd.DataFrame]:
    """The cut-offs and the customers, GMV, mean recency and orders per segment, in one query."""
    per = _rfm_table(wh, f)
    # GMV in whole cents: DuckDB finds quantiles of integers several times faster than of floats
    cents = (per.monetary * 100).round().cast("int64")
    q = per.aggregate(rq=per.recency.quantile(QUINTILES), mq=cents.quantile(QUINTILES))
    # one column per cut-off on the single row, so no row of the join takes them out of the lists
    q = q.mutate(**{f"r{i}": q.rq[i] for i in range(4)}, **{f"m{i}": q.mq[i] / 100 for i in range(4)})
    j = per.cross_join(q)
    s = _scored(j, {"recency": [j[f"r{i}"] for i in range(4)], "monetary": [j[f"m{i}"] for i in range(4)]})
    df = fetch(s.group_by("segment").aggregate(customers=s.count(), revenue=s.monetary.sum(), recency=s.recency.mean(),
                                               frequency=s.frequency.mean(), rq=s.rq.first(), mq=s.mq.first()))
    if df.empty:
        return {"recency": [], "monetary": []}, df.drop(columns=["rq", "mq"])
    cuts = {"recency": [float(x) for x in df.rq.iloc[0]], "monetary": [float(x) / 100 for x in df.mq.iloc[0]]}
    return cuts, df.drop(columns=["rq", "mq"])


def _rules(per, cuts: dict[str, list[float]]) -> list[tuple[str, object]]:
    """Each segment with its rule on the customer's recency and orders (see `rfm_segments`; a
    customer is in the first segment whose rule matches), written on the plain columns so DuckDB
    can filter on them without computing the scores."""
    rc = cuts["recency"]
    # compared as floats: against the cut-offs' DECIMAL literals DuckDB would cast every row's days
    days = per.recency.cast("float64")
    r4, r3, r2 = days <= rc[1], days <= rc[2], (days > rc[2]) & (days <= rc[3])
    f4, f3, f1 = per.frequency >= 4, per.frequency >= 3, per.frequency == 1
    return [("champions", r4 & f4), ("loyal", r3 & f3), ("new", r4 & f1), ("promising", r3), ("at_risk", f3), ("hibernating", r2),
            ("lost", ibis.literal(True))]


def _in_segment(per, cuts: dict[str, list[float]], segment: str):
    rules = _rules(per, cuts)
    names = [n for n, _ in rules]
    i = names.index(segment)
    return functools.reduce(lambda acc, rule: acc & ~rule[1], rules[:i], rules[i][1])


def _scored(per, cuts: dict[str, list[float]]):
    rc, mc = cuts["recency"], cuts["monetary"]
    days = per.recency.cast("float64")
    r = ibis.cases((days <= rc[0], 5), (days <= rc[1], 4), (days <= rc[2], 3), (days <= rc[3], 2), else_=1)
    m = ibis.cases((per.monetary <= mc[0], 1), (per.monetary <= mc[1], 2), (per.monetary <= mc[2], 3), (per.monetary <= mc[3], 4), else_=5)
    fr = ibis.cases((per.frequency <= 3, per.frequency), (per.frequency <= 5, 4), else_=5)
    segment = ibis.cases(*[(rule, name) for name, rule in _rules(per, cuts)[:-1]], else_="lost")
    return per.mutate(r=r, f=fr, m=m, segment=segment)


def rfm_segments(wh, f: Filters) -> tuple[pd.DataFrame, dict]:
    """Customers, revenue and revenue share per RFM segment, and the cut-offs used.

    Scores 1–5: R by recency quintiles (recent = 5), M by monetary quintiles, F by orders
    (1, 2, 3, 4–5, 6+). Segments, first rule that matches: champions R≥4 F≥4; loyal R≥3 F≥3;
    new R≥4 F=1; promising R≥3; at risk F≥3; hibernating R=2; lost otherwise.
    """
    cuts, df = _rfm(wh, f)
    cuts = {k: list(v) for k, v in cuts.items()}
    if not cuts["recency"]:
        return pd.DataFrame(columns=["segment", "customers", "revenue", "share", "recency", "frequency"]), cuts
    df = df.set_index("segment").reindex([x for x in SEGMENTS if x in set(df.segment)]).reset_index()
    total = df.revenue.sum()
    df["share"] = df.revenue / total if total else float("nan")
    return df, cuts


def rfm_customers(wh, f: Filters, segment: str | None = None, limit: int = MAX_ROWS) -> pd.DataFrame:
    """The customers of one segment (or all) with their scores, by revenue, capped."""
    cuts = rfm_cutoffs(wh, f)
    if not cuts["recency"]:
        return pd.DataFrame(columns=["customer_id", "segment", "recency", "frequency", "monetary", "r", "f", "m"])
    s = _rfm_table(wh, f)
    if segment:
        s = s.filter(_in_segment(s, cuts, segment))
    cols = ["customer_id", "segment", "recency", "frequency", "monetary", "r", "f", "m"]
    limit = min(limit, MAX_ROWS)
    if "c" in s.columns:
        # ids only for the customers that can make the list (ties at its end included)
        s = s.filter(ibis.rank().over(ibis.window(order_by=ibis.desc(s.monetary))) < limit)
        ids = summaries.first_orders(wh)
        s = s.join(ids.select("c", "customer_id"), "c")
    s = _scored(s, cuts)
    return fetch(s.select(*cols).order_by([ibis.desc("monetary"), "customer_id"]).limit(limit))


def cohorts(wh, f: Filters, max_months: int = 12) -> pd.DataFrame:
    """Monthly cohort retention: cohort = month of the first order (over all history), for cohorts
    starting in the range; cell = share of the cohort ordering in month k after (k = 0 is 100%)."""
    lo = f.start.replace(day=1)
    lo_ts, hi_ts = day_bounds(lo, f.end)
    o = order_rows(wh, f, start=lo)
    if o is not None and not f.dims():
        # without filters a customer's cohort is the month of their first order overall, kept on
        # every order; a customer is active in a month through their first order of that month
        # (`new_month`)
        o = _known(o).filter((o.first_time >= lo_ts) & (o.first_time < hi_ts))
        starts = o.filter(o.new_month)
        # per pair of days first, then months: truncating to the month costs more per row than grouping
        days = starts.group_by(first=starts.first_time.date(), day=starts.order_time.date()).aggregate(n=lambda x: x.count())
        per = days.group_by(cohort=days["first"].truncate("M"), month=days.day.truncate("M")).aggregate(customers=lambda x: x.n.sum())
        cells = _cells(per, max_months, f).drop("month")
    else:
        if o is not None:
            t, hist = _known(o).rename(customer_id="c"), order_rows(wh, f, dates=False).rename(customer_id="c")
        else:
            t, hist = sales(wh, f, start=lo), sales(wh, f, dates=False)
            t = t.filter(t.customer_id.notnull())
        active = t.group_by(customer_id=t.customer_id, month=t.order_time.truncate("M").date()).aggregate()
        summary = None if f.dims() else summaries.first_orders(wh)
        if summary is not None:
            # without dimension filters a cohort is the month of the customer's first order overall,
            # straight from the per-data-version summary
            s = summary.filter((summary.first_time >= lo_ts) & (summary.first_time < hi_ts))
            first = s.select("customer_id", cohort=s.first_time.truncate("M").date())
        else:
            # a cohort starts in the range: drop customers who ordered before its first month. An anti-join
            # of distinct customers: as NOT IN over the lines, Spark broadcasts every earlier line's
            # customer id into a null-aware join (at 100M lines it filled an 8 GB heap and had not finished after 20 minutes)
            before = hist.filter(hist.order_time < lo_ts).select("customer_id").distinct()
            first = active.anti_join(before, "customer_id").group_by("customer_id").aggregate(cohort=lambda x: x.month.min())
        j = _cells(active.join(first, "customer_id"), max_months, f)
        cells = j.group_by(["cohort", "k"]).aggregate(customers=j.customer_id.nunique())
    df = fetch(cells.select("cohort", "k", "customers").order_by(["cohort", "k"]))
    # every member orders in the cohort's own month (their first order), so month 0 is its size
    df["size"] = df.cohort.map(df[df.k == 0].set_index("cohort").customers).astype("int64")
    df["cohort"] = pd.to_datetime(df["cohort"])
    df["retention"] = df.customers / df["size"]
    return df


def _cells(j, max_months: int, f: Filters):
    """Rows with a cohort and a month: k, the months between them, up to `max_months`."""
    k = (j.month.year() * 12 + j.month.month()) - (j.cohort.year() * 12 + j.cohort.month())
    return j.mutate(k=k).filter(lambda x: (x.k <= max_months) & (x.month <= f.end))


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
