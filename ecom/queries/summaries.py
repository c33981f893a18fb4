"""Summary tables derived from the sales, kept in the `app` schema and rebuilt lazily per data version.

`app.first_orders` holds each customer's first order time over all loaded history (cancelled orders
left out, as everywhere). Telling new from returning customers otherwise means grouping the whole
history by customer on every Overview load; with the table it is a count over one row per customer.
The table records the data version it was built from (`app.meta` key `first_orders_version`, read in
the same transaction as the sales, so it names exactly the data it holds); any load or undo bumps the
data version and the next query that needs the table rebuilds it. It never bumps the data version
itself, so building it invalidates no cached result.
"""

from __future__ import annotations

from ecom.queries.common import backend
from ecom.warehouse import Warehouse

FIRST_ORDERS = "first_orders"
_VERSION_KEY = "first_orders_version"

_BUILD_SQL = """
CREATE OR REPLACE TABLE app.first_orders AS
SELECT customer_id, min(order_time) AS first_time
FROM main.sales
WHERE customer_id IS NOT NULL AND order_time IS NOT NULL
  AND (order_status IS NULL OR order_status <> 'cancelled')
GROUP BY customer_id
ORDER BY first_time
"""


def _built_version(wh: Warehouse) -> int | None:
    cur = wh.cursor()
    try:
        row = cur.execute("SELECT value FROM app.meta WHERE key = ?", [_VERSION_KEY]).fetchone()
    finally:
        cur.close()
    return int(row[0]) if row else None


def first_orders(wh: Warehouse):
    """The `app.first_orders` table (customer_id, first_time) for the current data, built if missing
    or stale; None for a read-only warehouse (callers then compute first orders themselves)."""
    if wh.read_only:
        return None
    version = wh.data_version()
    if _built_version(wh) != version:
        with wh.write_lock:
            # another thread may have built it while this one waited for the lock
            if _built_version(wh) != wh.data_version():
                with wh.transaction() as cur:
                    current = cur.execute("SELECT value FROM app.meta WHERE key = 'data_version'").fetchone()[0]
                    cur.execute(_BUILD_SQL)
                    cur.execute("INSERT OR REPLACE INTO app.meta VALUES (?, ?)", [_VERSION_KEY, current])
    con, tables = backend(wh)
    key = f"app.{FIRST_ORDERS}"
    if key not in tables:
        tables[key] = con.table(FIRST_ORDERS, database="app")
    return tables[key]
