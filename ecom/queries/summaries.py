"""Summary tables derived from the sales, kept in the `app` schema, one set per data version.

The analytics pages answer from these instead of the order lines wherever the answer is the same:

- `app.orders`: one row per order (of its sale lines: see `definitions`): `c` (a 64-bit hash of
  the customer id), order time, shop, channel, region and currency (ENUM types of this build), GMV, refunds,
  units, `cats` and `brands` (bit masks of the categories and brands among its lines, bit 63 for
  none), and the customer's sequence: `prev_time` (the customer's previous order), `next_time`
  (their first order strictly later), `first_time` (their first order) and `new_month` (their
  first order of its calendar month). Distinct orders and customers then become plain counts: a
  customer is counted once in a range through the order whose previous order lies before it, new
  customers are the orders without a previous one, and "orders with a line in category X" is a
  bit test.
- `app.daily`: GMV, refunds, units and sale lines per day × shop × channel × category × brand × product
  × currency (× name), return lines' refunds on their own day: every sum of a page that does not filter on
  region or split by customer or order.
- `app.order_dups`: per order and product on more than one of its lines, the extra lines (day, shop,
  channel, region, product_id, extra): orders with a product are its lines less these.
- `app.dim_shop`, `app.dim_channel`, `app.dim_region`, `app.dim_currency`: each ENUM value with its name. Filters on
  these columns go through them (`region IN (SELECT region FROM app.dim_region WHERE name IN ...)`):
  compared with a text literal, DuckDB would turn every row's ENUM into text first.
- `app.first_orders` (customer_id, first_time, c): each customer's first order time over all loaded
  history; it also maps `c` back to the customer id.
- `app.product_attributes` (product_id, name, category, brand): one row per product seen in the sales,
  named by its most frequent name (not by a correction line's), for pages that label products.

The orders table stands for the order lines only when every line of an order has the same customer,
time, shop, channel, region and currency, and no two customers share a hash; the build checks both and records
the result (`app.meta` `summary:orders` = 1), and the masks only when there are at most 63 categories
(brands). Queries fall back to the order lines otherwise, and on a read-only warehouse.

They are built right after each load or undo (`refresh`, called by the ingestion path), or by the
first query that finds them stale. `app.meta` `summary:version` names the data version they were
built from (read in the same transaction as the sales, so it names exactly the data they hold); a
load into another table moves it on with the data version (`keep`), as the sales did not change.
Building never bumps the data version itself, so it invalidates no cached result.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ecom.queries import definitions
from ecom.warehouse import Warehouse

log = logging.getLogger(__name__)

MASK_BITS = 63  # bit 63 of a mask stands for lines without a value
ORDER_DIMS = ("shop", "channel", "region", "currency", "_dataset")
MASK_DIMS = ("category", "brand")
DAILY_DIMS = ("shop", "channel", "category", "brand", "product_id", "currency", "_dataset")
TABLES = ("first_orders", "orders", "daily", "order_dups", *(f"dim_{d}" for d in ORDER_DIMS), "product_attributes")


def _enum(dim: str) -> str:
    return f"app.ecom_{dim}"


def _mask(dim: str) -> str:
    return f"bit_or(1::UBIGINT << coalesce(enum_code({dim}::{_enum(dim)}), {MASK_BITS}))"


def _statements(masks: dict[str, bool]) -> list[tuple[str, str]]:
    """(label, SQL) in build order, for a build with masks for the dimensions marked True."""
    counted = definitions.counted_sql()
    sales = f"FROM ({counted}) WHERE line_kind = '{definitions.SALE}'"
    customer = "CASE WHEN customer_id IS NOT NULL THEN hash(customer_id) END"
    mask_cols = ", ".join(f"{_mask(d) if masks[d] else 'NULL::UBIGINT'} AS {'cats' if d == 'category' else 'brands'}" for d in MASK_DIMS)
    dims = ", ".join(f"min({d}::{_enum(d)}) AS {d}" for d in ORDER_DIMS)
    # an order's lines agree on customer, time, shop, channel, region and currency: each has one value (or is
    # null on every line); customers are told apart by their hash, checked for collisions below
    values = {"customer_id": customer, "order_time": "order_time", **{d: f"{d}::{_enum(d)}" for d in ORDER_DIMS}}
    same = " AND ".join(f"min({v}) IS NOT DISTINCT FROM max({v}) AND count({k}) IN (0, count(*))" for k, v in values.items())
    seq = "PARTITION BY c ORDER BY order_time"
    return [
        ("first_orders", f"""CREATE TABLE app.first_orders AS
            SELECT customer_id, min(order_time) AS first_time, hash(customer_id) AS c {sales}
            AND customer_id IS NOT NULL AND order_time IS NOT NULL GROUP BY customer_id ORDER BY first_time"""),
        ("orders", f"""CREATE TABLE app.orders AS
            WITH o AS (
                SELECT min({customer}) AS c, min(order_time) AS order_time, {dims},
                       sum(gmv)::DECIMAL(18,2) AS gmv, sum(refund)::DECIMAL(18,2) AS refunds,
                       sum(units)::BIGINT AS units, {mask_cols}, {same} AS same
                {sales} GROUP BY order_id)
            , s AS (
            SELECT c, order_time, {', '.join(ORDER_DIMS)}, gmv, refunds, units, cats, brands, same,
                   lag(order_time) OVER ({seq}) AS prev_time,
                   min(order_time) OVER ({seq} RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED FOLLOWING) AS next_time,
                   min(order_time) OVER (PARTITION BY c) AS first_time
            FROM o)
            SELECT *, prev_time IS NULL OR date_trunc('month', prev_time) < date_trunc('month', order_time) AS new_month
            FROM s ORDER BY order_time"""),
        ("daily", f"""CREATE TABLE app.daily AS
            SELECT order_time::DATE AS day, {', '.join(DAILY_DIMS)}, product_name,
                   sum(gmv)::DECIMAL(18,2) AS gmv, sum(refund)::DECIMAL(18,2) AS refunds,
                   sum(units)::BIGINT AS units, count(*) FILTER (WHERE line_kind = '{definitions.SALE}') AS lines
            FROM ({counted}) WHERE order_time IS NOT NULL GROUP BY ALL ORDER BY day"""),
        ("order_dups", f"""CREATE TABLE app.order_dups AS
            SELECT min(order_time)::DATE AS day, {', '.join(f"min({d}::{_enum(d)}) AS {d}" for d in ORDER_DIMS)}, product_id,
                   count(*) - 1 AS extra
            {sales} AND order_time IS NOT NULL GROUP BY order_id, product_id HAVING count(*) > 1 ORDER BY day"""),
        *((f"dim_{d}", f"""CREATE TABLE app.dim_{d} AS
            SELECT CAST(v AS {_enum(d)}) AS {d}, v AS name FROM (SELECT unnest(enum_range(NULL::{_enum(d)})) AS v)""") for d in ORDER_DIMS),
        ("product_attributes", """CREATE TABLE app.product_attributes AS
            SELECT product_id, arg_max(product_name, n) FILTER (WHERE product_name IS NOT NULL) AS name,
                   max(category) AS category, max(brand) AS brand
            FROM (SELECT product_id, product_name, max(category) AS category, max(brand) AS brand, sum(lines) AS n
                  FROM app.daily GROUP BY product_id, product_name) GROUP BY product_id"""),
    ]


def _drop(cur) -> None:
    for name in TABLES:
        cur.execute(f"DROP TABLE IF EXISTS app.{name}")
    for dim in (*ORDER_DIMS, *MASK_DIMS):
        cur.execute(f"DROP TYPE IF EXISTS {_enum(dim)}")


def _meta(cur, key: str) -> str | None:
    row = cur.execute("SELECT value FROM app.meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


# Bumped whenever the tables change shape, so a warehouse built by an older version is rebuilt.
FORMAT = "6"


def built_version(wh: Warehouse) -> int | None:
    """The data version the summaries were built from (None if none, or of another FORMAT)."""
    cur = wh.cursor()
    try:
        value, fmt = _meta(cur, "summary:version"), _meta(cur, "summary:format")
    finally:
        cur.close()
    return int(value) if value is not None and fmt == FORMAT else None


def build(wh: Warehouse, progress=None) -> float:
    """Build every summary table from the current sales, in one transaction; returns the seconds it
    took. `progress(fraction, message)` hears of each table."""
    report = progress or (lambda fraction, message: None)
    t0 = time.perf_counter()
    with wh.transaction() as cur:
        version = _meta(cur, "data_version")
        _drop(cur)
        for dim in (*ORDER_DIMS, *MASK_DIMS):
            cur.execute(f"CREATE TYPE {_enum(dim)} AS ENUM (SELECT DISTINCT {dim} FROM main.sales WHERE {dim} IS NOT NULL ORDER BY 1)")
        masks = {d: len(cur.execute(f"SELECT enum_range(NULL::{_enum(d)})").fetchone()[0]) <= MASK_BITS for d in MASK_DIMS}
        steps = _statements(masks)
        for i, (name, sql) in enumerate(steps):
            report(i / len(steps), f"summaries: {name}")
            cur.execute(sql)
        rows, distinct = cur.execute("SELECT count(*), count(DISTINCT c) FROM app.first_orders").fetchone()
        same = cur.execute("SELECT coalesce(bool_and(same), true) FROM app.orders").fetchone()[0]
        latest = cur.execute("SELECT max(order_time) FROM main.sales").fetchone()[0]
        returns = cur.execute(f"SELECT count(*) FROM main.sales WHERE line_kind = '{definitions.RETURN}'").fetchone()[0]
        meta = {
            "summary:returns": "1" if returns else "0",
            "summary:version": version, "summary:format": FORMAT, "summary:latest": latest.isoformat() if latest else "",
            "summary:orders": "1" if same and rows == distinct else "0",
            **{f"summary:mask:{d}": "1" if masks[d] else "0" for d in MASK_DIMS},
        }
        cur.execute("DELETE FROM app.meta WHERE key LIKE 'summary:%'")
        for key, value in meta.items():
            cur.execute("INSERT INTO app.meta VALUES (?, ?)", [key, value])
    report(1.0, "summaries: done")
    return time.perf_counter() - t0


BUSY = -1.0


def refresh(wh: Warehouse, progress=None, wait: bool = True) -> float | None:
    """Build the summaries unless they are current (or the warehouse is read-only); the seconds it
    took, or None when nothing was built. Without `wait`, nothing is built while another thread
    writes (a load, or a build) and BUSY is returned: the caller reads the order lines meanwhile.
    Never raises for the data: a build that fails leaves the pages on the order lines."""
    if wh.read_only or wh.engine != "duckdb" or built_version(wh) == wh.data_version():
        return None
    if not wh.write_lock.acquire(blocking=wait):
        return BUSY
    try:
        if built_version(wh) == wh.data_version():  # another thread built them while this one waited
            return None
        return build(wh, progress)
    except duckdb.Error:
        log.exception("building the summary tables failed; pages read the order lines instead")
        # remembered for this data version, so queries do not try again and again
        with wh.transaction() as cur:
            cur.execute("DELETE FROM app.meta WHERE key LIKE 'summary:%'")
            cur.execute("INSERT INTO app.meta SELECT 'summary:version', value FROM app.meta WHERE key = 'data_version'")
            cur.execute("INSERT INTO app.meta VALUES ('summary:failed', '1'), ('summary:format', ?)", [FORMAT])
        return None
    finally:
        wh.write_lock.release()


def keep(cur) -> None:
    """In a load's or undo's transaction that changed no sales, right after the data version was
    bumped: summaries current before it stay current."""
    version = int(_meta(cur, "data_version"))
    cur.execute("UPDATE app.meta SET value = ? WHERE key = 'summary:version' AND value = ?", [str(version), str(version - 1)])


@dataclass(frozen=True)
class Summary:
    """The summary tables of one data version (Ibis tables of one thread's backend)."""

    first_orders: object
    daily: object
    order_dups: object
    product_attributes: object
    dims: dict[str, object]  # per order-level dimension, its ENUM values and their names (to filter by)
    orders: object | None  # None when it cannot stand for the order lines (see the module docstring)
    codes: dict[str, tuple]  # per masked dimension, its values by bit
    latest: datetime | None  # the latest order time in the sales (cancelled orders included)
    returns: bool = False  # whether there are return lines (whose refunds the orders table does not hold)


def load(wh: Warehouse, con) -> Summary | None | float:
    """The summaries for the current data (built first if stale) as Ibis tables of `con`; None for a
    read-only warehouse without current ones or when building failed; BUSY while another thread
    writes (ask again later)."""
    if wh.engine != "duckdb":
        return None  # on Spark the pages read the order lines (the summaries are DuckDB tables)
    if refresh(wh, wait=False) == BUSY:
        return BUSY
    cur = wh.cursor()
    try:
        meta = dict(cur.execute("SELECT key, value FROM app.meta WHERE key LIKE 'summary:%' OR key = 'data_version'").fetchall())
        if meta.get("summary:version") != meta["data_version"] or meta.get("summary:format") != FORMAT or meta.get("summary:failed"):
            return None
        codes = {}
        for d in MASK_DIMS:
            if meta.get(f"summary:mask:{d}") == "1":
                values = cur.execute(f"SELECT enum_range(NULL::{_enum(d)})").fetchone()[0]
                codes[d] = tuple(values)
    finally:
        cur.close()
    tables = {name: con.table(name, database="app") for name in TABLES}
    latest = datetime.fromisoformat(meta["summary:latest"]) if meta.get("summary:latest") else None
    return Summary(tables["first_orders"], tables["daily"], tables["order_dups"], tables["product_attributes"],
                   {d: tables[f"dim_{d}"] for d in ORDER_DIMS},
                   tables["orders"] if meta.get("summary:orders") == "1" else None, codes, latest, meta.get("summary:returns") == "1")


def first_orders(wh: Warehouse):
    """(customer_id, first_time, c) per customer, None for a read-only warehouse."""
    from ecom.queries.common import summary  # common imports this module

    s = summary(wh)
    return None if s is None else s.first_orders


def product_attributes(wh: Warehouse):
    from ecom.queries.common import summary  # common imports this module

    s = summary(wh)
    return None if s is None else s.product_attributes
