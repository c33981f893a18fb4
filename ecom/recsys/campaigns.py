"""Campaign planning from the stored recommendations (app.recs): which items to push to a group of
customers (an RFM segment, the buyers of a product), how many of them each item reaches, and the
customer → items list to export. A product's own page gets its sales trend here too."""

from __future__ import annotations

import pandas as pd


def _ids_frame(customer_ids) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": pd.Series(list(dict.fromkeys(str(c) for c in customer_ids)), dtype="string")})


def segment_preview(warehouse, customer_ids, top: int = 3, n: int = 20) -> pd.DataFrame:
    """Items to push to these customers: for each product, how many of them have it among their
    `top` recommendations (reach), their mean score, and the most common reason; biggest reach first."""
    cur = warehouse.cursor()
    try:
        cur.register("segment_ids", _ids_frame(customer_ids))
        return cur.execute(
            """SELECT r.product_id, count(DISTINCT r.customer_id) AS reach, avg(r.score) AS mean_score, mode(r.reason) AS reason
               FROM app.recs r JOIN segment_ids s ON r.customer_id = s.customer_id
               WHERE r.rank <= ? GROUP BY r.product_id ORDER BY reach DESC, mean_score DESC, r.product_id LIMIT ?""",
            [top, n],
        ).df()
    finally:
        cur.close()


def campaign_list(warehouse, customer_ids, top: int = 3, products: list[str] | None = None) -> pd.DataFrame:
    """One row per customer: their first `top` recommended items (only `products`, when given),
    comma-separated in rank order; customers with none are left out."""
    cur = warehouse.cursor()
    try:
        cur.register("segment_ids", _ids_frame(customer_ids))
        keep = "" if products is None else "AND r.product_id IN (SELECT unnest(?::VARCHAR[]))"
        params = ([list(products)] if products is not None else []) + [top]
        return cur.execute(
            f"""SELECT customer_id, string_agg(product_id, ',' ORDER BY rank) AS items FROM (
                    SELECT r.customer_id, r.product_id, r.rank, row_number() OVER (PARTITION BY r.customer_id ORDER BY r.rank) AS k
                    FROM app.recs r JOIN segment_ids s ON r.customer_id = s.customer_id WHERE true {keep})
                WHERE k <= ? GROUP BY customer_id ORDER BY customer_id""",
            params,
        ).df()
    finally:
        cur.close()


def buyers_of(warehouse, product_id: str) -> list[str]:
    """Customers who bought a product (a segment for `segment_preview`)."""
    cur = warehouse.cursor()
    try:
        rows = cur.execute("SELECT DISTINCT customer_id FROM main.sales WHERE product_id = ? AND customer_id IS NOT NULL ORDER BY 1", [product_id]).fetchall()
    finally:
        cur.close()
    return [r[0] for r in rows]


def product_trend(warehouse, product_id: str, unit: str = "week") -> pd.DataFrame:
    """Units, orders and revenue of a product per week (or month)."""
    if unit not in ("week", "month", "day"):
        raise ValueError(f"unit must be day, week or month, not {unit!r}")
    cur = warehouse.cursor()
    try:
        return cur.execute(
            f"""SELECT date_trunc('{unit}', order_time)::DATE AS period, sum(coalesce(quantity, 1)) AS units,
                       count(DISTINCT order_id) AS orders, sum(revenue) AS revenue
                FROM main.sales WHERE product_id = ? AND order_time IS NOT NULL GROUP BY ALL ORDER BY period""",
            [product_id],
        ).df()
    finally:
        cur.close()
