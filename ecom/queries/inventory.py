"""Inventory: days of stock, sell-through, slow movers and reorder suggestions, from the latest stock
snapshot on or before the end of the range and the demand (units sold) in the range.

Daily demand = units sold in the range / days in the range. Days of stock = on hand / daily demand.
Sell-through = units sold / (units sold + on hand). A product needs reordering when on hand + on
order falls below the demand over the lead time (ECOM_LEAD_TIME_DAYS); the suggestion orders up to
the demand over lead time + COVER_DAYS.
"""

from __future__ import annotations

import ibis
import pandas as pd

from ecom import settings
from ecom.filters import Filters
from ecom.queries.common import MAX_ROWS, day_rows, fetch, product_attributes, sales, table

COVER_DAYS = 30
SLOW_DAYS = 90  # more than this many days of stock (or no sales at all) is a slow mover


def _attributes(wh):
    return product_attributes(wh)


def stock_table(wh, f: Filters):
    """An expression: one row per product of the latest snapshot with demand and the derived figures."""
    s = table(wh, "stock")
    s = s.filter(s.snapshot_date <= f.end)
    latest = s.group_by("product_id").aggregate(snapshot_date=s.snapshot_date.max())
    snap = s.join(latest, ["product_id", "snapshot_date"]).group_by(["product_id", "snapshot_date"]).aggregate(
        on_hand=lambda x: x.on_hand.sum(), on_order=lambda x: x.on_order.fill_null(0).sum()
    )
    # category/brand/product filter the products below (also those that sold nothing)
    skip = ("category", "brand", "product_id")
    d = day_rows(wh, f, skip=skip)
    if d is not None:
        sold = d.group_by("product_id").aggregate(units=d.units.sum())
    else:
        t = sales(wh, f, skip=skip)
        sold = t.group_by("product_id").aggregate(units=t.quantity.fill_null(1).sum())
    attrs = _attributes(wh)
    j = snap.left_join(sold, "product_id").drop("product_id_right").left_join(attrs, "product_id").drop("product_id_right")
    for name, col in (("category", "category"), ("brand", "brand"), ("product", "product_id")):
        values = getattr(f, name)
        if values:
            j = j.filter(j[col].isin(list(values)))
    lead = int(settings.get("ECOM_LEAD_TIME_DAYS"))
    units = j.units.fill_null(0).cast("float64")
    demand = units / f.days
    on_hand = j.on_hand.cast("float64")
    position = on_hand + j.on_order.cast("float64")
    j = j.mutate(
        units=units,
        daily_demand=demand,
        days_of_stock=ibis.cases((demand > 0, on_hand / demand), else_=None),
        sell_through=ibis.cases(((units + on_hand) > 0, units / (units + on_hand)), else_=None),
        reorder=position < demand * lead,
        suggested=ibis.cases((position < demand * lead, (demand * (lead + COVER_DAYS) - position).ceil()), else_=0).cast("int64"),
    )
    return j


def summary(wh, f: Filters) -> dict:
    j = stock_table(wh, f)
    df = fetch(
        j.aggregate(
            products=j.count(),
            on_hand=j.on_hand.sum(),
            units=j.units.sum(),
            to_reorder=j.reorder.cast("int64").sum(),
            slow=((j.days_of_stock > SLOW_DAYS) | (j.days_of_stock.isnull() & (j.on_hand > 0))).cast("int64").sum(),
            median_days=j.days_of_stock.median(),
            snapshot=j.snapshot_date.max(),
        )
    )
    row = df.iloc[0]
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def products(wh, f: Filters, kind: str = "all", limit: int = 1000) -> pd.DataFrame:
    """Products with their stock figures: all (fewest days of stock first), `reorder` (largest
    suggestion first) or `slow` (most days of stock first; unsold stock first of all)."""
    j = stock_table(wh, f)
    if kind == "reorder":
        j = j.filter(j.reorder).order_by([ibis.desc("suggested"), "product_id"])
    elif kind == "slow":
        j = j.filter((j.days_of_stock > SLOW_DAYS) | (j.days_of_stock.isnull() & (j.on_hand > 0)))
        j = j.order_by([j.days_of_stock.isnull().desc(), ibis.desc("days_of_stock"), ibis.desc("on_hand"), "product_id"])
    else:
        j = j.order_by([j.days_of_stock.asc(nulls_first=False), "product_id"])
    cols = ["product_id", "name", "category", "brand", "snapshot_date", "on_hand", "on_order", "units", "daily_demand",
            "days_of_stock", "sell_through", "suggested"]
    return fetch(j.select(*cols).limit(min(limit, MAX_ROWS)))
