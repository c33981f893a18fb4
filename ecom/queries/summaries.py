"""Summary tables derived from the sales, kept in the `app` schema and rebuilt lazily per data version.

- `app.first_orders` (customer_id, first_time): each customer's first order time over all loaded
  history (cancelled orders left out, as everywhere). Telling new from returning customers
  otherwise means grouping the whole history by customer on every Overview load.
- `app.product_attributes` (product_id, name, category, brand): one row per product seen in the
  sales, for pages that list products from other tables (stock).

Each table records the data version it was built from (`app.meta` key `summary:<table>`, read in the
same transaction as the sales, so it names exactly the data the table holds). Any load or undo bumps
the data version, and the next query that needs a table rebuilds it. Building never bumps the data
version itself, so it invalidates no cached result.
"""

from __future__ import annotations

from ecom.queries.common import backend
from ecom.warehouse import Warehouse

_PAID = "(order_status IS NULL OR order_status <> 'cancelled')"

SQL = {
    "first_orders": f"""
        SELECT customer_id, min(order_time) AS first_time FROM main.sales
        WHERE customer_id IS NOT NULL AND order_time IS NOT NULL AND {_PAID}
        GROUP BY customer_id ORDER BY first_time""",
    "product_attributes": """
        SELECT product_id, max(product_name) AS name, max(category) AS category, max(brand) AS brand
        FROM main.sales GROUP BY product_id""",
}


def _built_version(wh: Warehouse, name: str) -> int | None:
    cur = wh.cursor()
    try:
        row = cur.execute("SELECT value FROM app.meta WHERE key = ?", [f"summary:{name}"]).fetchone()
    finally:
        cur.close()
    return int(row[0]) if row else None


def summary(wh: Warehouse, name: str):
    """The summary table `name` (an Ibis table) for the current data, built if missing or stale;
    None for a read-only warehouse (callers then compute from the sales themselves)."""
    if wh.read_only:
        return None
    if _built_version(wh, name) != wh.data_version():
        with wh.write_lock:
            # another thread may have built it while this one waited for the lock
            if _built_version(wh, name) != wh.data_version():
                with wh.transaction() as cur:
                    current = cur.execute("SELECT value FROM app.meta WHERE key = 'data_version'").fetchone()[0]
                    cur.execute(f"CREATE OR REPLACE TABLE app.{name} AS {SQL[name]}")
                    cur.execute("INSERT OR REPLACE INTO app.meta VALUES (?, ?)", [f"summary:{name}", current])
    con, tables = backend(wh)
    key = f"app.{name}"
    if key not in tables:
        tables[key] = con.table(name, database="app")
    return tables[key]


def first_orders(wh: Warehouse):
    return summary(wh, "first_orders")


def product_attributes(wh: Warehouse):
    return summary(wh, "product_attributes")
