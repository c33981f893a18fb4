"""Overview: the headline KPIs against the previous period and the same period last year, anomaly
flags on the daily series, and the change explained by its biggest contributors.

GMV, refunds, net sales, orders and customers are those of `ecom.queries.definitions`. AOV (客单价)
is GMV / orders.
A customer is new in a period when their first order (under the same shop/category/… filters,
over all loaded history) falls in it.
"""

from __future__ import annotations

import math
from datetime import timedelta

import ibis
import pandas as pd

from ecom.filters import Filters
from ecom.i18n import t as tr
from ecom.queries import definitions, summaries
from ecom.queries.common import (
    counted,
    data_span,
    day_bounds,
    day_rows,
    fetch,
    line_dims,
    money_sum,
    order_rows,
    pct_change,
    product_names,
    revenue_sum,
    sales,
)

KPIS = ("gmv", "refunds", "net_sales", "refund_rate", "aov", "orders", "units", "customers", "new_customers", "returning_customers")
PERIODS = ("current", "previous", "last_year")

# Robust anomaly rule: |0.6745 (x − median) / scale| > 3.5 over the same weekday of the previous weeks,
# where the scale is the MAD, but never below the noise a day's volume carries by chance: √median for a
# count (orders, customers: Poisson), median / √(median orders) for GMV (a sum of that many orders),
# and MAD_FLOOR of the median. Only weeks since the data's first order count (no flags while it warms
# up: a shop's first weeks are not "up" on weeks before it had data), and a day is judged only against
# at least MIN_BASELINE such weeks with sales.
BASELINE_WEEKS = 8
MIN_BASELINE = 4
Z_LIMIT = 3.5
MAD_FLOOR = 0.05  # of the median, so a flat baseline does not flag every small wobble


def _ranges(f: Filters) -> dict[str, tuple]:
    p, ly = f.previous_period(), f.last_year()
    return {"current": day_bounds(f.start, f.end), "previous": day_bounds(p.start, p.end), "last_year": day_bounds(ly.start, ly.end)}


def _in(col, bounds):
    lo, hi = bounds
    return (col >= lo) & (col < hi)


def kpis(wh, f: Filters) -> pd.DataFrame:
    """One row per KPI; columns current, previous, last_year, vs_previous, vs_last_year (fractions)."""
    ranges = _ranges(f)
    periods = {"current": f, "previous": f.previous_period(), "last_year": f.last_year()}
    # One aggregate per period, glued: each scans only its own date range (the rows are stored
    # roughly in time order, so DuckDB skips the other row groups), where one pass labelling the
    # rows of all three ranges reads everything between last year and now.
    df = fetch(ibis.union(*[_period_kpis(wh, f, name, p) for name, p in periods.items()])).set_index("period").reindex(list(PERIODS))
    new = df["new"] if df["new"].notna().all() else fetch(_new_customers(wh, f, ranges)).iloc[0]
    out = pd.DataFrame(index=list(KPIS), columns=list(PERIODS), dtype="float64")
    for p in PERIODS:
        row = df.loc[p]
        gmv = _num(row.gmv)
        refunds = _num(row.refunds)
        orders = _num(row.orders)
        customers = _num(row.customers)
        n_new = _num(new[p])
        out.loc["gmv", p] = gmv
        out.loc["refunds", p] = refunds
        out.loc["net_sales", p] = definitions.net_sales(gmv, refunds)
        out.loc["orders", p] = orders
        out.loc["units", p] = _num(row.units)
        out.loc["aov", p] = gmv / orders if orders else float("nan")
        out.loc["customers", p] = customers
        out.loc["new_customers", p] = n_new
        out.loc["returning_customers", p] = customers - n_new
        rate = definitions.refund_rate(gmv, refunds)
        out.loc["refund_rate", p] = float("nan") if rate is None else rate
    out["vs_previous"] = [pct_change(c, p) for c, p in zip(out.current, out.previous, strict=True)]
    out["vs_last_year"] = [pct_change(c, p) for c, p in zip(out.current, out.last_year, strict=True)]
    return out


def _period_kpis(wh, f: Filters, name: str, p: Filters):
    """One row: GMV, refunds, orders, units and customers of one period, and its new customers when
    they come for free (no filters; else null, counted by `_new_customers`)."""
    cols = ("period", "gmv", "refunds", "orders", "units", "customers", "new")
    o = order_rows(wh, f, start=p.start, end=p.end)
    if o is None:
        x = counted(wh, f, start=p.start, end=p.end)
        fig = definitions.figures(x)
        return x.aggregate(
            gmv=fig["gmv"], refunds=fig["refunds"], orders=fig["orders"], units=fig["units"].cast("float64"), customers=fig["customers"],
            new=ibis.null("int64"),
        ).mutate(period=ibis.literal(name)).select(*cols)
    lo, _ = day_bounds(p.start, p.end)
    known = o.c.notnull()
    if f.dims():
        counts = {"orders": o.count(), "customers": o.c.nunique(), "new": ibis.null("int64")}
    else:
        # each customer is counted once, by their first order in the period (the one whose previous
        # order is older); a new customer's first order in it has no previous order at all
        counts = {"orders": o.count(), "customers": (known & (o.prev_time.isnull() | (o.prev_time < lo))).cast("int64").sum(),
                  "new": (known & o.prev_time.isnull()).cast("int64").sum()}
    # the sums come from the daily sums, which hold return lines' refunds on their own days (orders
    # hold sale lines only); with a category or brand filter they are those of the matching lines
    d = day_rows(wh, f, start=p.start, end=p.end)
    if d is not None:
        s = d.aggregate(gmv=money_sum(d.gmv), refunds=money_sum(d.refunds), units=d.units.sum().cast("float64"))
    else:
        x = counted(wh, f, start=p.start, end=p.end)
        fig = definitions.figures(x)
        s = x.aggregate(gmv=fig["gmv"], refunds=fig["refunds"], units=fig["units"].cast("float64"))
    return s.cross_join(o.aggregate(**counts)).mutate(period=ibis.literal(name)).select(*cols)


def _new_customers(wh, f: Filters, ranges: dict[str, tuple]):
    """An expression: one row, per period the number of customers whose first order (under the
    filters, over all history) falls in it."""
    o = order_rows(wh, f, dates=False)
    if o is not None:
        o = o.filter(o.c.notnull())
        first = o.group_by("c").aggregate(first_time=o.order_time.min())
    elif f.dims():
        t = sales(wh, f, dates=False)
        t = t.filter(ibis.or_(*[_in(t.order_time, b) for b in ranges.values()]))
        # first orders only of the customers active in one of the periods (a semi-join keeps the
        # group-by small on a large history)
        active = t.filter(t.customer_id.notnull()).select("customer_id").distinct()
        hist = sales(wh, f, dates=False)
        hist = hist.filter(hist.customer_id.isin(active.customer_id))
        first = hist.group_by("customer_id").aggregate(first_time=lambda x: x.order_time.min())
    else:
        first = summaries.first_orders(wh)
        if first is None:
            t = sales(wh, f, dates=False)
            t = t.filter(t.customer_id.notnull())
            first = t.group_by("customer_id").aggregate(first_time=t.order_time.min())
    lo = min(b[0] for b in ranges.values())
    first = first.filter(first.first_time >= lo)
    return first.aggregate(**{name: _in(first.first_time, b).cast("int64").sum() for name, b in ranges.items()})


DAILY = ("gmv", "orders", "customers")


def daily(wh, f: Filters, weeks_before: int = 0, metrics: tuple[str, ...] = DAILY) -> pd.DataFrame:
    """`metrics` (GMV, orders, customers) per day of the range (plus `weeks_before` weeks), days
    without orders included as zeros."""
    start = f.start - timedelta(weeks=weeks_before)
    frames = []
    counts = [m for m in metrics if m != "gmv"]
    o = order_rows(wh, f, start=start)
    sums_from_orders = o is not None and not line_dims(f)
    if "gmv" in metrics and not sums_from_orders:
        d = day_rows(wh, f, start=start)
        if d is not None:
            frames.append(fetch(d.group_by("day").aggregate(gmv=money_sum(d.gmv))))
        else:
            t = sales(wh, f, start=start)
            frames.append(fetch(t.group_by(day=t.order_time.date()).aggregate(gmv=revenue_sum(t))))
    if o is not None and (counts or sums_from_orders):
        aggs = {}
        if "gmv" in metrics and sums_from_orders:
            aggs["gmv"] = money_sum(o.gmv)
        if "orders" in counts:
            aggs["orders"] = o.count()
        if "customers" in counts:
            # without filters a customer's first order of the day is the one whose previous order is older
            first_today = o.c.notnull() & (o.prev_time.isnull() | (o.prev_time < o.order_time.truncate("D")))
            aggs["customers"] = o.c.nunique() if f.dims() else first_today.cast("int64").sum()
        frames.append(fetch(o.group_by(day=o.order_time.date()).aggregate(**aggs)))
    elif counts:
        t = sales(wh, f, start=start)
        raw = {"orders": t.order_id.nunique(), "customers": t.customer_id.nunique()}
        frames.append(fetch(t.group_by(day=t.order_time.date()).aggregate(**{m: raw[m] for m in counts})))
    days = pd.date_range(start, f.end, freq="D")
    out = pd.DataFrame(index=days)
    for df in frames:
        df["day"] = pd.to_datetime(df["day"])
        out = out.join(df.set_index("day"))
    df = out[list(metrics)].fillna(0).rename_axis("day").reset_index()
    return df.astype({m: "float64" if m == "gmv" else "int64" for m in metrics})


def anomalies(wh, f: Filters, metric: str = "gmv") -> pd.DataFrame:
    """The daily series of the range with, per day, the median and MAD of the same weekday over the
    previous BASELINE_WEEKS weeks (within the data), the robust z-score and a flag."""
    metrics = (metric,) if metric == "orders" else (metric, "orders")
    df = daily(wh, f, weeks_before=BASELINE_WEEKS, metrics=metrics)
    series = df.set_index("day")
    values = series[metric].astype("float64")
    orders = series["orders"].astype("float64")
    span = data_span(wh)
    first = pd.Timestamp(span[0]) if span else None
    rows = []
    for day in pd.date_range(f.start, f.end, freq="D"):
        weeks = [day - pd.Timedelta(weeks=k) for k in range(1, BASELINE_WEEKS + 1)]
        weeks = [d for d in weeks if d in values.index and first is not None and d >= first]
        x = float(values[day])
        base = pd.Series([values[d] for d in weeks], dtype="float64")
        if len(base) < MIN_BASELINE or float(base.median()) <= 0:
            rows.append((day, x, float("nan"), float("nan"), float("nan"), False))
            continue
        med = float(base.median())
        mad = float((base - med).abs().median())
        volume = float(pd.Series([orders[d] for d in weeks]).median())
        chance = med / math.sqrt(max(volume, 1.0)) if metric == "gmv" else math.sqrt(med)
        scale = max(mad, MAD_FLOOR * abs(med), 0.6745 * chance, 1e-9)
        z = 0.6745 * (x - med) / scale
        rows.append((day, x, med, mad, z, abs(z) > Z_LIMIT))
    return pd.DataFrame(rows, columns=["day", metric, "median", "mad", "z", "anomaly"])


def contributors(wh, f: Filters, by: str = "product_id", top: int = 5) -> tuple[float, float, pd.DataFrame]:
    """GMV now and in the previous period, and the `by` values whose change moved it most in the
    direction of the total change (largest first)."""
    ranges = _ranges(f)
    p = f.previous_period()
    d = day_rows(wh, f, start=min(f.start, p.start), end=max(f.end, p.end)) if by in summaries.DAILY_DIMS else None
    if d is not None:
        t = d.mutate(
            cur=ibis.cases(((d.day >= f.start) & (d.day <= f.end), d.gmv.fill_null(0)), else_=0),
            prev=ibis.cases(((d.day >= p.start) & (d.day <= p.end), d.gmv.fill_null(0)), else_=0),
        )
    else:
        t = sales(wh, f, dates=False)
        cur, prev = ranges["current"], ranges["previous"]
        # the enclosing range as well, which DuckDB can prune row groups on (it cannot with an OR)
        t = t.filter(_in(t.order_time, (min(cur[0], prev[0]), max(cur[1], prev[1]))), _in(t.order_time, cur) | _in(t.order_time, prev))
        rev = t.revenue.fill_null(0)
        t = t.mutate(cur=ibis.cases((_in(t.order_time, cur), rev), else_=0), prev=ibis.cases((_in(t.order_time, prev), rev), else_=0))
    extra = {"category": lambda x: x.category.max()} if by == "product_id" else {}
    per = t.group_by(key=t[by]).aggregate(cur=lambda x: x.cur.sum().cast("float64"), prev=lambda x: x.prev.sum().cast("float64"), **extra)
    # one query: the totals ride along as window sums, and the sort follows their change's sign
    whole = ibis.window()
    per = per.mutate(delta=per.cur - per.prev, total_cur=per.cur.sum().over(whole), total_prev=per.prev.sum().over(whole))
    toward = ibis.cases((per.total_cur - per.total_prev < 0, -per.delta), else_=per.delta)
    top_df = fetch(per.order_by([ibis.desc(toward), per.key]).limit(top))
    total_cur = _num(top_df.total_cur.iloc[0]) if len(top_df) else 0.0
    total_prev = _num(top_df.total_prev.iloc[0]) if len(top_df) else 0.0
    top_df = top_df.drop(columns=["total_cur", "total_prev"])
    if by == "product_id":
        top_df["name"] = top_df.key.map(product_names(wh, top_df.key))
    change = total_cur - total_prev
    if change:
        top_df = top_df[(top_df.delta * change) > 0].copy()
        top_df["share"] = top_df.delta / change
    else:
        top_df = top_df.iloc[0:0].assign(share=pd.Series(dtype="float64"))
    return total_cur, total_prev, top_df.reset_index(drop=True)


def _num(v) -> float:
    return 0.0 if v is None or pd.isna(v) else float(v)


def _money(v: float, symbol: str) -> str:
    sign = "−" if v < 0 else ""
    return f"{sign}{symbol}{abs(v):,.0f}"


def explain(wh, f: Filters, lang: str = "en", symbol: str = "¥", max_items: int = 3, min_share: float = 0.05) -> dict:
    """The GMV change vs the previous period in words, naming the SKUs that moved it most.

    Contributors are the SKUs that moved in the same direction as the total, largest first, each at
    least `min_share` of the change, at most `max_items`. Returns the text and the contributors.
    """
    cur, prev, top = contributors(wh, f, "product_id", top=max_items)
    if prev == 0 and cur == 0:
        return {"text": tr("overview.explain.no_sales", lang), "change": 0.0, "pct": None, "contributors": top}
    change = cur - prev
    pct = pct_change(cur, prev)
    head = tr(
        "overview.explain.head",
        lang,
        pct="—" if pct is None else f"{pct:+.1%}".replace("-", "−"),
        prev=_money(prev, symbol),
        cur=_money(cur, symbol),
    )
    top = top[top.share >= min_share].head(max_items).reset_index(drop=True)
    if change == 0 or top.empty:
        return {"text": head, "change": change, "pct": pct, "contributors": top}
    cats = [c for c in dict.fromkeys(top.category.dropna())]
    items = ", " if lang == "en" else "、"
    listed = items.join(
        f"{name or key} ({_money(d, symbol)})" if lang == "en" else f"{name or key}（{_money(d, symbol)}）"
        for key, name, d in zip(top.key, top.name, top.delta, strict=True)
    )
    body = tr(
        "overview.explain.drop" if change < 0 else "overview.explain.rise",
        lang,
        share=f"{top.share.sum():.0%}",
        n=len(top),
        skus=tr("overview.explain.skus" if len(top) > 1 else "overview.explain.sku", lang, n=len(top)),
        cats=(items.join(cats) if cats else "—"),
        items=listed,
    )
    return {"text": f"{head}; {body}" if lang == "en" else f"{head}；{body}", "change": change, "pct": pct, "contributors": top}
