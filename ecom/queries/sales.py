"""Sales: trend by day/week/month, breakdowns and top-N, Pareto curve with ABC classes, and the drill
from category to product to order lines."""

from __future__ import annotations

import functools

import ibis
import pandas as pd

from ecom.filters import Filters
from ecom.queries import summaries
from ecom.queries.common import (
    MAX_ROWS,
    apply_dims,
    bit_set,
    counted,
    day_rows,
    every_line,
    fetch,
    line_dims,
    mask_bits,
    memoized,
    money_sum,
    order_rows,
    product_attributes,
    product_names,
    sales,
    summary,
)
from ecom.queries.definitions import figures

GRAINS = {"day": "D", "week": "W", "month": "M"}
BREAKDOWNS = ("category", "brand", "product_id", "region", "channel", "shop")
MEASURES = ("gmv", "orders", "units")
# ABC: A = products making the first 80% of GMV, B = the next 15%, C = the rest.
ABC_CUTS = (0.80, 0.95)
PARETO_POINTS = 100
LINES_CAP = 1_000
# Breakdowns fetch this many top values once and serve every smaller top-N (and the trend's leaders).
TOP_FETCH = 100
ALL = ("gmv", "refunds", "orders", "units")  # what a trend or breakdown row carries


def _sum_source(wh, f: Filters, by: str | None):
    """Where the sums of a trend or breakdown come from, and what kind of rows those are: the
    summary's orders (whole orders: no category/brand/product filter; they count orders too, but
    hold no return lines' refunds, so not when there are any), its daily sums, or the counted lines."""
    s = summary(wh)
    if not line_dims(f) and (by is None or by in summaries.ORDER_DIMS) and s is not None and not s.returns:
        o = order_rows(wh, f, whole=True)
        if o is not None:
            return o, "orders"
    if by is None or by in summaries.DAILY_DIMS:
        d = day_rows(wh, f)
        if d is not None:
            return d, "daily"
    return counted(wh, f), "lines"


def _sums(t, kind: str, measures) -> dict:
    if kind == "lines":
        out = figures(t)
    else:
        out = {"gmv": money_sum(t.gmv), "refunds": money_sum(t.refunds), "units": t.units.sum().cast("int64")}
        if kind == "orders":
            out["orders"] = t.count()
    return {m: out[m] for m in ALL if m in measures and m in out}


def _period(t, kind: str, grain: str):
    if kind == "daily":
        return t.day.truncate(GRAINS[grain])
    return t.order_time.truncate(GRAINS[grain]).date()


def _orders(wh, f: Filters, by: str | None, keys: list | None, group) -> pd.DataFrame:
    """Distinct orders per group (`group(t, kind)` gives the group-by columns besides the key) and,
    with `by`, per value of `by` in `keys` (the others as "(other)" when `keys` has "(other)"; all
    values when `keys` is None): a frame with the group columns, `key` and `orders`."""
    s = summary(wh)
    line = line_dims(f)
    if by is None or by in summaries.ORDER_DIMS:
        o = order_rows(wh, f)
        if o is not None:
            cols = group(o, "orders")
            if by is not None:
                cols["key"] = _key(o[by], keys)
            return fetch(o.group_by(**cols).aggregate(orders=o.count()))
    elif by in summaries.MASK_DIMS and s is not None and by in s.codes and set(line) <= {by} and keys is not None:
        o = order_rows(wh, f)
        if o is not None:
            # orders with a line of each value: a bit test per value on the order's mask
            mask = o[summaries.MASK_COLUMNS[by]]
            named = [k for k in keys if k != OTHER]
            own = {i: mask_bits(s, by, [k]) if k != NONE else 1 << summaries.MASK_BITS for i, k in enumerate(named)}
            aggs = {f"k{i}": bit_set(mask, b).cast("int64").sum() for i, b in own.items()}
            if OTHER in keys:
                # the other values: of the filter's values when it filters on `by` itself
                every = mask_bits(s, by, f.dims()[by]) if by in f.dims() else (1 << 64) - 1
                rest = every & ~functools.reduce(lambda a, b: a | b, own.values(), 0)
                aggs["other"] = bit_set(mask, rest).cast("int64").sum()
            cols = group(o, "orders")
            wide = fetch(o.group_by(**cols).aggregate(**aggs) if cols else o.aggregate(**aggs))
            labels = {**{f"k{i}": k for i, k in enumerate(named)}, "other": OTHER}
            long = wide.melt(id_vars=list(cols), var_name="col", value_name="orders")
            long["key"] = long.pop("col").map(labels)
            return long
    elif (by == "product_id" and not line and s is not None and s.orders is not None and (keys is None or OTHER not in keys)
          and (d := day_rows(wh, f)) is not None):
        # a product's orders are its lines less the extra lines of orders that have it more than once
        # (not so for "(other)": an order with two other products would count twice)
        x = s.order_dups
        x = apply_dims(x.filter((x.day >= f.start) & (x.day <= f.end)), f)
        if keys is not None:
            d, x = d.filter(_among(d.product_id, keys)), x.filter(_among(x.product_id, keys))
        lines = d.group_by(**group(d, "daily"), key=_key(d.product_id, None)).aggregate(lines=d.lines.sum())
        extra = x.group_by(**group(x, "daily"), key=_key(x.product_id, None)).aggregate(extra=x.extra.sum())
        on = [*group(d, "daily"), "key"]
        j = lines.left_join(extra, on)
        return fetch(j.select(*on, orders=(j.lines - j.extra.fill_null(0)).cast("int64")))
    t = sales(wh, f)
    cols = group(t, "lines")
    if by is not None:
        cols["key"] = _key(t[by], keys)
        if keys is not None and OTHER not in keys:
            t = t.filter(_among(t[by], keys))
            cols = {**group(t, "lines"), "key": _key(t[by], keys)}
    return fetch(t.group_by(**cols).aggregate(orders=t.order_id.nunique()))


OTHER = "(other)"
NONE = "(none)"  # lines without a value of the breakdown (no category, no brand): shown, not dropped


def _among(col, keys: list):
    """`col` is one of the breakdown values in `keys` ("(none)" standing for no value)."""
    inside = col.isin([k for k in keys if k not in (NONE, OTHER)])
    return inside | col.isnull() if NONE in keys else inside


def _key(col, keys: list | None):
    """The breakdown value, or "(other)" for values outside `keys` when `keys` has "(other)"."""
    if keys is None or OTHER not in keys:
        return col.cast("string").fill_null(NONE)
    names = [k for k in keys if k not in (NONE, OTHER)]
    label = col.cast("string").fill_null(NONE)
    kept = col.isin(names) | (col.isnull() if NONE in keys else ibis.literal(False))
    return ibis.cases((kept, label), else_=OTHER) if names or NONE in keys else ibis.literal(OTHER)


def trend(wh, f: Filters, grain: str = "day", by: str | None = None, top: int = 8, measures: tuple[str, ...] = ALL) -> pd.DataFrame:
    """GMV, refunds, orders and units (or only `measures`) per day/week/month (weeks start on
    Monday), optionally split by a breakdown column (its `top` values by GMV, the rest as "(other)")."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    keys = None
    if by is not None:
        if by not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {by!r}")
        lead = _ranking(wh, f, by, max(top, TOP_FETCH))[:top]
        keys = [*(str(v) for v in lead), OTHER]
    t, kind = _sum_source(wh, f, by)
    cols = {"period": _period(t, kind, grain)}
    if by is not None:
        cols["key"] = _key(t[by], keys)
    sums = _sums(t, kind, measures)
    df = fetch(t.group_by(**cols).aggregate(**sums)) if sums else fetch(t.select(**cols).distinct())
    df["period"] = pd.to_datetime(df["period"])
    if "orders" in measures and "orders" not in sums:
        counts = _orders(wh, f, by, keys, lambda x, k: {"period": _period(x, k, grain)})
        counts["period"] = pd.to_datetime(counts["period"])
        df = df.merge(counts[[*cols, "orders"]], on=list(cols), how="left")
        df["orders"] = df["orders"].fillna(0)  # a period (or key) with only return lines has refunds but no order
    df = df.sort_values(list(cols), ignore_index=True)
    out = ["period", *(["key"] if by is not None else []), *(m for m in ALL if m in measures)]
    return df[out].astype({m: "float64" if m in ("gmv", "refunds") else "int64" for m in measures})


@memoized
def _ranking(wh, f: Filters, by: str, top: int) -> list:
    """The `top` values of a breakdown by GMV (ties by value), the largest first."""
    t, kind = _sum_source(wh, f, by)
    per = t.group_by(key=_key(t[by], None)).aggregate(gmv=_sums(t, kind, ("gmv",))["gmv"])
    return fetch(per.order_by([ibis.desc("gmv"), "key"]).limit(top)).key.tolist()


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
    t, kind = _sum_source(wh, f, by)
    per = t.group_by(key=_key(t[by], None)).aggregate(**_sums(t, kind, ALL))
    total = per.gmv.sum().over(ibis.window())
    per = per.mutate(share=ibis.cases((total != 0, per.gmv / total), else_=None))
    df = fetch(per.order_by([ibis.desc("gmv"), "key"]).limit(top))
    if "orders" not in df.columns and df.empty:
        df["orders"] = pd.Series(dtype="int64")
    elif "orders" not in df.columns:
        keys = df.key.tolist()
        counts = _orders(wh, f, by, keys, lambda x, k: {})
        df = df.merge(counts[["key", "orders"]], on="key", how="left")
    if by == "product_id":
        df["name"] = df.key.map(product_names(wh, df.key))
    cols = ["key", "gmv", "refunds", "orders", "units", *(["name"] if by == "product_id" else []), "share"]
    df["orders"] = df["orders"].fillna(0)
    return df[cols].astype({"gmv": "float64", "refunds": "float64", "share": "float64", "orders": "int64"})


def _ranked_products(wh, f: Filters):
    t, kind = _sum_source(wh, f, "product_id")
    per = t.group_by("product_id").aggregate(gmv=_sums(t, kind, ("gmv",))["gmv"], category=t.category.max())
    a = product_attributes(wh)
    per = per.left_join(a.select("product_id", "name"), "product_id").select(*per.columns, "name")
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
    t = every_line(wh, f)
    cols = ["order_time", "order_id", "line_no", "customer_id", "product_id", "product_name", "category", "brand",
            "quantity", "unit_price", "revenue", "refund_amount", "order_status", "channel", "region", "shop"]
    df = fetch(t.select(*cols).order_by([ibis.desc("order_time"), "order_id", "line_no"]).limit(min(limit, MAX_ROWS)))
    for c in ("unit_price", "revenue", "refund_amount"):
        df[c] = df[c].astype("float64")
    return df
