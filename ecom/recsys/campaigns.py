"""Campaign planning from the stored recommendations (app.recs): which items to push to a group of
customers (an RFM segment, the buyers of a product), how many of them each item reaches, and the
customer → items list to export. A product's own page gets its sales trend here too.

Every read is an Ibis expression on the warehouse's engine (the stored top-N through
`common.output`); a product's buyers are its purchasers as the recommender counts them
(`data.purchases`), its trend the figures of its sale lines (`ecom.queries.definitions`)."""

from __future__ import annotations

import ibis
import pandas as pd

from ecom.queries import common, definitions
from ecom.recsys import data
from ecom.recsys.explain import most_common

GRAINS = {"day": "D", "week": "W", "month": "M"}


def _segment(warehouse, customer_ids, top: int | None = None):
    """app.recs of these customers (ranks up to `top`, when given); the ids travel as a table, as a
    segment can hold many thousands of them."""
    ids = pd.DataFrame({"customer_id": pd.Series(list(dict.fromkeys(str(c) for c in customer_ids)), dtype=object)})
    r = common.output(warehouse, "recs")
    if top is not None:
        r = r.filter(r["rank"] <= top)
    members = ibis.memtable(ids, schema={"customer_id": "string"})
    return r.semi_join(members, "customer_id")


def segment_preview(warehouse, customer_ids, top: int = 3, n: int = 20) -> pd.DataFrame:
    """Items to push to these customers: for each product, how many of them have it among their
    `top` recommendations (reach), their mean score, and the most common reason (ties: the first by
    name); biggest reach first."""
    r = _segment(warehouse, customer_ids, top)
    per = r.group_by("product_id").aggregate(reach=r.customer_id.nunique(), mean_score=r.score.mean())
    expr = per.join(most_common(r, "product_id", "reason"), "product_id")
    expr = expr.order_by([ibis.desc("reach"), ibis.desc("mean_score"), "product_id"]).limit(n)
    return common.fetch(expr.select("product_id", "reach", "mean_score", "reason"))


def campaign_list(warehouse, customer_ids, top: int = 3, products: list[str] | None = None) -> pd.DataFrame:
    """One row per customer: their first `top` recommended items (only `products`, when given),
    comma-separated in rank order; customers with none are left out."""
    r = _segment(warehouse, customer_ids)
    if products is not None:
        r = r.filter(r.product_id.isin([str(p) for p in products]))
    k = ibis.row_number().over(group_by=r.customer_id, order_by=r["rank"])
    picks = common.fetch(r.mutate(k=k).filter(lambda x: x.k < top).select("customer_id", "product_id", "rank"))
    picks = picks.sort_values(["customer_id", "rank"], kind="stable")
    items = picks.groupby("customer_id", sort=True).product_id.agg(",".join)
    return pd.DataFrame({"customer_id": items.index.astype(object), "items": items.to_numpy(dtype=object)})


def buyers_of(warehouse, product_id: str) -> list[str]:
    """Customers who bought a product (a segment for `segment_preview`)."""
    p = data.purchases(warehouse)
    df = common.fetch(p.filter(p.product_id == product_id).select("customer_id").distinct())
    return sorted(str(c) for c in df.customer_id)


def product_trend(warehouse, product_id: str, unit: str = "week") -> pd.DataFrame:
    """Units, orders and revenue (GMV) of a product's sale lines per week (or day, or month)."""
    if unit not in GRAINS:
        raise ValueError(f"unit must be day, week or month, not {unit!r}")
    c = definitions.counted(common.table(warehouse, "sales"))
    c = c.filter(definitions.is_sale(c) & (c.product_id == product_id) & c.order_time.notnull())
    figures = definitions.figures(c)
    per = c.group_by(period=c.order_time.truncate(GRAINS[unit]).date()).aggregate(
        units=figures["units"], orders=figures["orders"], revenue=figures["gmv"])
    return common.fetch(per.order_by("period"))
