"""Sales: trend by day/week/month, breakdowns and top-N, Pareto curve with ABC classes, and the drill
from category to product to order lines."""

from __future__ import annotations

import ibis
import pandas as pd

from ecom.filters import Filters
from ecom.queries.common import MAX_ROWS, fetch, line_refund, line_revenue, memoized, sales

GRAINS = {"day": "D", "week": "W", "month": "M"}
BREAKDOWNS = ("category", "brand", "product_id", "region", "channel", "shop")
MEASURES = ("gmv", "orders", "units")
# ABC: A = products making the first 80% of GMV, B = the next 15%, C = the rest.
ABC_CUTS = (0.80, 0.95)
PARETO_POINTS = 100
LINES_CAP = 1_000
# Breakdowns fetch this many top values once and serve every smaller top-N (and the trend's leaders).
TOP_FETCH = 100


def _measures(t):
    return {
        "gmv": line_revenue(t).sum(),
        "refunds": line_refund(t).sum(),
        "orders": t.order_id.nunique(),
        "units": t.quantity.fill_null(1).sum().cast("int64"),
    }


def trend(wh, f: Filters, grain: str = "day", by: str | None = None, top: int = 8) -> pd.DataFrame:
    """GMV, orders and units per day/week/month (weeks start on Monday), optionally split by a
    breakdown column (its `top` values by GMV, the rest as "(other)")."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    t = sales(wh, f)
    period = t.order_time.truncate(GRAINS[grain]).date()
    if by is None:
        df = fetch(t.group_by(period=period).aggregate(**_measures(t)).order_by("period"))
    else:
        if by not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {by!r}")
        if top <= TOP_FETCH:
            lead = _top_values(wh, f, by).key.head(top)
        else:
            lead = fetch(t.group_by(k=t[by]).aggregate(g=line_revenue(t).sum()).order_by([ibis.desc("g"), "k"]).limit(top)).k
        names = [str(v) for v in lead if v is not None]
        key = ibis.cases((t[by].isin(names), t[by].cast("string")), else_="(other)") if names else ibis.literal("(other)")
        df = fetch(t.group_by(period=period, key=key).aggregate(**_measures(t)).order_by(["period", "key"]))
    df["period"] = pd.to_datetime(df["period"])
    return df.astype({"gmv": "float64", "refunds": "float64"})


def breakdown(wh, f: Filters, by: str = "category", top: int = 20) -> pd.DataFrame:
    """The top `top` values of a breakdown by GMV with their share of the total; products carry a name."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    if top <= TOP_FETCH:
        return _top_values(wh, f, by).head(top).copy()
    return _breakdown(wh, f, by, top)


@memoized
def _top_values(wh, f: Filters, by: str) -> pd.DataFrame:
    return _breakdown(wh, f, by, TOP_FETCH)


def _breakdown(wh, f: Filters, by: str, top: int) -> pd.DataFrame:
    t = sales(wh, f)
    extra = {"name": t.product_name.max()} if by == "product_id" else {}
    per = t.group_by(key=t[by]).aggregate(**_measures(t), **extra)
    total = per.gmv.sum().over(ibis.window())
    per = per.mutate(share=ibis.cases((total != 0, per.gmv / total), else_=None))
    df = fetch(per.order_by([ibis.desc("gmv"), "key"]).limit(top))
    return df.astype({"gmv": "float64", "refunds": "float64", "share": "float64"})


def _ranked_products(wh, f: Filters):
    t = sales(wh, f)
    per = t.group_by("product_id").aggregate(gmv=line_revenue(t).sum(), name=t.product_name.max(), category=t.category.max())
    w = ibis.window(order_by=[ibis.desc(per.gmv), per.product_id], rows=(None, 0))
    total = per.gmv.sum().over(ibis.window())
    ranked = per.mutate(
        rank=ibis.row_number().over(ibis.window(order_by=[ibis.desc(per.gmv), per.product_id])) + 1,
        n=per.count().over(ibis.window()),
        cum_share=ibis.cases((total != 0, per.gmv.sum().over(w) / total), else_=None),
    )
    # A product is in A while the GMV before it is under 80%: the product crossing the line is A.
    before = ranked.cum_share - ibis.cases((total != 0, ranked.gmv / total), else_=0)
    return ranked.mutate(abc=ibis.cases((before < ABC_CUTS[0], "A"), (before < ABC_CUTS[1], "B"), else_="C"))


@memoized
def _classes_by_bucket(wh, f: Filters, points: int) -> pd.DataFrame:
    """One query for both the ABC table and the Pareto curve: per Pareto bucket (products by rank,
    `points` buckets) and ABC class, the products, their GMV and the bucket's curve point."""
    r = _ranked_products(wh, f)
    bucket = ((r["rank"] * points - 1) / r.n).floor().cast("int64")
    return fetch(
        r.group_by(b=bucket, abc=r.abc)
        .aggregate(products=r.count(), gmv=r.gmv.sum(), product_share=(r["rank"] / r.n).max(), cum_share=r.cum_share.max())
        .order_by(["b", "abc"])
    )


def abc(wh, f: Filters) -> pd.DataFrame:
    """Per ABC class: products, GMV and share of GMV."""
    per = _classes_by_bucket(wh, f, PARETO_POINTS)
    df = per.groupby("abc", as_index=False).agg(products=("products", "sum"), gmv=("gmv", "sum")).sort_values("abc", ignore_index=True)
    total = df.gmv.sum()
    df["share"] = df.gmv / total if total else float("nan")
    return df.astype({"gmv": "float64"})


def abc_products(wh, f: Filters, cls: str, limit: int = LINES_CAP) -> pd.DataFrame:
    """The products of one ABC class, largest first (capped)."""
    r = _ranked_products(wh, f)
    return fetch(r.filter(r.abc == cls).select("rank", "product_id", "name", "category", "gmv", "cum_share").order_by("rank").limit(limit))


def pareto(wh, f: Filters, points: int = PARETO_POINTS) -> pd.DataFrame:
    """The Pareto curve: cumulative GMV share against the share of products, at most `points` points."""
    per = _classes_by_bucket(wh, f, points)
    df = per.groupby("b", sort=True).agg(product_share=("product_share", "max"), cum_share=("cum_share", "max")).reset_index(drop=True)
    return pd.concat([pd.DataFrame({"product_share": [0.0], "cum_share": [0.0]}), df], ignore_index=True).astype("float64")


def order_lines(wh, f: Filters, limit: int = LINES_CAP) -> pd.DataFrame:
    """The order lines under the filters (the drill's last level), newest first, capped."""
    t = sales(wh, f)
    cols = ["order_time", "order_id", "line_no", "customer_id", "product_id", "product_name", "category", "brand",
            "quantity", "unit_price", "revenue", "refund_amount", "order_status", "channel", "region", "shop"]
    df = fetch(t.select(*cols).order_by([ibis.desc("order_time"), "order_id", "line_no"]).limit(min(limit, MAX_ROWS)))
    for c in ("unit_price", "revenue", "refund_amount"):
        df[c] = df[c].astype("float64")
    return df
