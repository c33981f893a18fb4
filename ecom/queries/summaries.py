"""Summary tables derived from the sales, kept in the `app` schema (DuckDB engine only).

The analytics pages answer from these instead of the order lines wherever the answer is the same:

- `app.orders`: one row per order (of its sale lines: see `definitions`): order id, `c` (a 64-bit hash
  of the customer id), order time, shop, channel, region, currency and data set, GMV, refunds,
  units, `cats` and `brands` (bit masks of the categories and brands among its lines, bit 63 for
  none; see `app.mask_codes`), and the customer's sequence: `prev_time` (the customer's previous
  order), `next_time` (their first order strictly later), `first_time` (their first order) and
  `new_month` (their first order of its calendar month); the sequence is null for orders without a
  customer. Distinct orders and customers then become plain counts: a customer is counted once in a
  range through the order whose previous order lies before it, new customers are the orders without
  a previous one, and "orders with a line in category X" is a bit test.
- `app.daily`: GMV, refunds, units and sale lines per day × shop × channel × category × brand × product
  × currency × data set (× name), return lines' refunds on their own day: every sum of a page that
  does not filter on region or split by customer or order.
- `app.order_dups`: per order and product on more than one of its lines, the extra lines (day, shop,
  channel, region, product_id, extra): orders with a product are its lines less these.
- `app.first_orders` (customer_id, first_time, c): each customer's first order time over all loaded
  history; it also maps `c` back to the customer id.
- `app.product_attributes` (product_id, name, category, brand): one row per product seen in the sales,
  named by its most frequent name (not by a correction line's), for pages that label products.
- `app.mask_codes` (dim, value, bit): the bit of each category and brand in the masks; values only
  ever gain a bit, so the masks of orders already summarised stay valid.

Filters apply to these tables as to the order lines (`common.apply_dims`): their dimension columns
hold the same text.

The orders table stands for the order lines only when every line of an order has the same customer,
time, shop, channel, region, currency and data set, and no two customers share a hash. An order
whose lines disagree has a row for each combination (the rows are grouped by all of them: cheaper
than an aggregate per column), and its rows' sequence figures are then arbitrary among them. The
builds check both (one row per order id; distinct hashes) and record the result (`app.meta`
`summary:orders` = 1), and the masks only when there are at most 63 categories (brands). Queries fall
back to the order lines otherwise, and on a read-only warehouse.

**Costs that grow with the work.** A load or an undo of order lines updates the summaries in its own
transaction (`apply_upload`, `scope_of` + `apply_scope`), touching only what its lines can change:
the days they fall on; their orders, recomputed from the upload's lines (and, for an order that was
summarised already, its other lines); the sequence figures of their customers' orders, recomputed
from the order rows and written where they change (a new order changes a customer's earlier
next-order and first-order figures); their customers' first orders; their products and their new
category and brand values. A full build (`build`) runs only where there is nothing to update from: the first summaries of a
warehouse, after a replace, after a change of FORMAT, or when the upload is a large part of the table.
`app.meta` `summary:version` names the data version they hold; a load into another table moves it
on with the data version (`keep`), as the sales did not change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ecom.ingest.sqltext import lit
from ecom.queries import definitions
from ecom.warehouse import Warehouse

log = logging.getLogger(__name__)

MASK_BITS = 63  # bit 63 of a mask stands for lines without a value
ORDER_DIMS = ("shop", "channel", "region", "currency", "_dataset")
MASK_DIMS = ("category", "brand")
MASK_COLUMNS = {"category": "cats", "brand": "brands"}
DAILY_DIMS = ("shop", "channel", "category", "brand", "product_id", "currency", "_dataset")
TABLES = ("mask_codes", "first_orders", "orders", "daily", "order_dups", "product_attributes")
# An upload above this share of the order lines is summarised by a full build: cheaper than by parts.
INCREMENTAL_SHARE = 0.3

_DIM_COLUMNS = ", ".join(f"{d} VARCHAR" for d in ORDER_DIMS)
CREATE = (
    "CREATE TABLE app.mask_codes (dim VARCHAR, value VARCHAR, bit INTEGER)",
    "CREATE TABLE app.first_orders (customer_id VARCHAR, first_time TIMESTAMP, c UBIGINT)",
    f"""CREATE TABLE app.orders (order_id VARCHAR, c UBIGINT, order_time TIMESTAMP, {_DIM_COLUMNS},
        gmv DECIMAL(18,2), refunds DECIMAL(18,2), units BIGINT, cats UBIGINT, brands UBIGINT,
        prev_time TIMESTAMP, next_time TIMESTAMP, first_time TIMESTAMP, new_month BOOLEAN)""",
    f"""CREATE TABLE app.daily (day DATE, {', '.join(f'{d} VARCHAR' for d in DAILY_DIMS)}, product_name VARCHAR,
        gmv DECIMAL(18,2), refunds DECIMAL(18,2), units BIGINT, lines BIGINT)""",
    f"CREATE TABLE app.order_dups (order_id VARCHAR, day DATE, {_DIM_COLUMNS}, product_id VARCHAR, extra BIGINT)",
    "CREATE TABLE app.product_attributes (product_id VARCHAR, name VARCHAR, category VARCHAR, brand VARCHAR)",
)


SALE = f"line_kind = '{definitions.SALE}'"
SALES = ("sales", "main")  # the order lines; the by-parts updates read temporary tables of some of them
ORDER_COLUMNS = f"order_id, c, order_time, {', '.join(ORDER_DIMS)}, gmv, refunds, units, cats, brands"
# An order's place in its customer's sequence, over order rows (one per order; null for orders without a customer):
# the previous order, the first one strictly later, the first one, and whether it is the first of its month.
_KNOWN = "CASE WHEN c IS NOT NULL THEN"
SEQUENCE = f"""{_KNOWN} lag(order_time) OVER (PARTITION BY c ORDER BY order_time, order_id) END AS prev_time,
    {_KNOWN} min(order_time) OVER (PARTITION BY c ORDER BY order_time
        RANGE BETWEEN INTERVAL 1 MICROSECOND FOLLOWING AND UNBOUNDED FOLLOWING) END AS next_time,
    {_KNOWN} min(order_time) OVER (PARTITION BY c ORDER BY order_time, order_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) END AS first_time"""  # the previous order's sort
NEW_MONTH = "prev_time IS NULL OR date_trunc('month', prev_time) < date_trunc('month', order_time)"


def _counted(source: tuple[str, str]) -> str:
    return f"({definitions.counted_sql(*source)})"


def _bit(dim: str, values: tuple[str, ...]) -> str:
    """SQL of the mask bit of a line's `dim`: its value's place among `values` (app.mask_codes' values by
    bit), looked up in an ENUM of them (per line, a hash lookup instead of a join), bit 63 for none."""
    if not values:
        return str(MASK_BITS)
    enum = ", ".join(lit(v) for v in values)
    return f"coalesce(enum_code(TRY_CAST(l.{dim} AS ENUM({enum}))), {MASK_BITS})"


def _order_rows(codes: dict[str, tuple[str, ...] | None], source: tuple[str, str]) -> str:
    """One row per order of the sale lines of `source` and per customer, time, shop, channel, region,
    currency and data set among its lines (ORDER_COLUMNS; the sequence is left to SEQUENCE): one row,
    unless the lines disagree (see the module docstring). `codes`: per masked dimension, the values by
    bit, None where its masks are not kept."""
    mask_cols = ", ".join(
        f"{f'bit_or(1::UBIGINT << {_bit(d, codes[d])})' if codes[d] is not None else 'NULL::UBIGINT'} AS {MASK_COLUMNS[d]}"
        for d in MASK_DIMS)
    keys = ", ".join(f"l.{d}" for d in ("order_id", "cust", "order_time", *ORDER_DIMS))
    return f"""WITH l AS (SELECT *, CASE WHEN customer_id IS NOT NULL THEN hash(customer_id) END AS cust FROM {_counted(source)} WHERE {SALE})
        SELECT l.order_id, l.cust AS c, l.order_time, {', '.join(f'l.{d}' for d in ORDER_DIMS)},
               sum(l.gmv)::DECIMAL(18,2) AS gmv, sum(l.refund)::DECIMAL(18,2) AS refunds,
               sum(l.units)::BIGINT AS units, {mask_cols}
        FROM l GROUP BY {keys}"""


def _first_orders(source: tuple[str, str], where: str = "TRUE") -> str:
    return f"""SELECT customer_id, min(order_time) AS first_time, hash(customer_id) AS c FROM {_counted(source)}
        WHERE {SALE} AND customer_id IS NOT NULL AND order_time IS NOT NULL AND ({where}) GROUP BY customer_id"""


def _daily(where: str) -> str:
    return f"""SELECT order_time::DATE AS day, {', '.join(DAILY_DIMS)}, product_name,
               sum(gmv)::DECIMAL(18,2), sum(refund)::DECIMAL(18,2), sum(units)::BIGINT, count(*) FILTER (WHERE {SALE})
        FROM {_counted(SALES)} WHERE order_time IS NOT NULL AND ({where}) GROUP BY ALL ORDER BY day"""


def _order_dups(source: tuple[str, str]) -> str:
    """Per order and product on more than one of its sale lines, the extra lines: the pairs are found
    first (a count per pair) and only theirs are summarised (the other way, every pair's text minimums)."""
    rel = f"{source[1]}.{source[0]}"
    lines = f"{SALE} AND order_time IS NOT NULL"
    return f"""WITH p AS MATERIALIZED (SELECT order_id, product_id FROM {rel} WHERE {lines} GROUP BY ALL HAVING count(*) > 1)
        SELECT order_id, min(order_time)::DATE, {', '.join(f"min({d})" for d in ORDER_DIMS)}, product_id, count(*) - 1
        FROM {rel} SEMI JOIN p USING (order_id, product_id) WHERE {lines} GROUP BY order_id, product_id ORDER BY 2"""


def _product_attributes(where: str) -> str:
    return f"""SELECT product_id, arg_max(product_name, n) FILTER (WHERE product_name IS NOT NULL), max(category), max(brand)
        FROM (SELECT product_id, product_name, max(category) AS category, max(brand) AS brand, sum(lines) AS n
              FROM app.daily WHERE {where} GROUP BY product_id, product_name) GROUP BY product_id"""


def _add_mask_codes(cur, lines: str) -> dict[str, tuple[str, ...] | None]:
    """Give the category and brand values of these sale lines that have none a bit; returns, per
    dimension, its values by bit where its masks are usable (at most MASK_BITS values), else None,
    and records which are."""
    codes = {}
    for d in MASK_DIMS:
        cur.execute(f"""INSERT INTO app.mask_codes
            SELECT '{d}', v, (SELECT coalesce(max(bit), -1) FROM app.mask_codes WHERE dim = '{d}') + row_number() OVER (ORDER BY v)
            FROM (SELECT DISTINCT {d} AS v FROM main.sales WHERE {d} IS NOT NULL AND ({lines})
                  EXCEPT SELECT value FROM app.mask_codes WHERE dim = '{d}')""")
        # one more than the masks hold is enough to tell (a shop can have thousands of brands)
        values = tuple(v for (v,) in cur.execute(
            "SELECT value FROM app.mask_codes WHERE dim = ? ORDER BY bit LIMIT ?", [d, MASK_BITS + 1]).fetchall())
        usable = len(values) <= MASK_BITS and _meta(cur, f"summary:mask:{d}") != "0"
        codes[d] = values if usable else None
        _set_meta(cur, {f"summary:mask:{d}": "1" if usable else "0"})
    return codes


def _drop(cur) -> None:
    for name in (*TABLES, "dim_shop", "dim_channel", "dim_region", "dim_currency", "dim__dataset"):
        cur.execute(f"DROP TABLE IF EXISTS app.{name}")
    for dim in (*ORDER_DIMS, *MASK_DIMS):  # the ENUM types of format 6
        cur.execute(f"DROP TYPE IF EXISTS app.ecom_{dim}")


def _meta(cur, key: str) -> str | None:
    row = cur.execute("SELECT value FROM app.meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def _set_meta(cur, values: dict[str, str]) -> None:
    for key, value in values.items():
        cur.execute("INSERT INTO app.meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])


def _check(cur, orders: str = "app.orders", customers: str = "TRUE", before: bool = True) -> None:
    """Record the figures queries rely on: the latest order time, whether there are return lines, and
    whether the orders table stands for the lines (the order rows `orders` agree on everything, and no
    two customers in scope share a hash, on top of `before`, what held for the rest)."""
    same = cur.execute(f"SELECT count(*) = count(DISTINCT order_id) FROM {orders}").fetchone()[0]
    collide = cur.execute(f"SELECT count(*) FROM (SELECT c FROM app.first_orders WHERE {customers} GROUP BY c HAVING count(*) > 1)").fetchone()[0]
    latest = cur.execute("SELECT max(order_time) FROM main.sales").fetchone()[0]
    returns = cur.execute(f"SELECT count(*) > 0 FROM main.sales WHERE line_kind = '{definitions.RETURN}'").fetchone()[0]
    _set_meta(cur, {
        "summary:returns": "1" if returns else "0", "summary:latest": latest.isoformat() if latest else "",
        "summary:orders": "1" if before and same and not collide else "0",
    })


# Bumped whenever the tables change shape, so a warehouse built by an older version is rebuilt.
FORMAT = "8"


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
        cur.execute("DELETE FROM app.meta WHERE key LIKE 'summary:%'")
        for sql in CREATE:
            cur.execute(sql)
        codes = _add_mask_codes(cur, "TRUE")
        steps = [
            ("first_orders", f"{_first_orders(SALES)} ORDER BY 2"),
            ("orders", f"""WITH o AS ({_order_rows(codes, SALES)}), s AS (SELECT *, {SEQUENCE} FROM o)
                SELECT {ORDER_COLUMNS}, prev_time, next_time, first_time, {NEW_MONTH} AS new_month FROM s"""),
            ("daily", _daily("TRUE")),
            ("order_dups", _order_dups(SALES)),
            ("product_attributes", _product_attributes("TRUE")),
        ]
        for i, (name, sql) in enumerate(steps):
            report(i / len(steps), f"summaries: {name}")
            cur.execute(f"INSERT INTO app.{name} {sql}")
        _check(cur)
        _set_meta(cur, {"summary:version": version, "summary:format": FORMAT})
    report(1.0, "summaries: done")
    return time.perf_counter() - t0


def _current_before(cur, bumped: bool) -> bool:
    """In a load's or undo's transaction: whether the summaries held the data as it was before it (so
    updating them by parts gives the new data's); `bumped`: the data version has moved on already."""
    version = int(_meta(cur, "data_version")) - (1 if bumped else 0)
    return _meta(cur, "summary:format") == FORMAT and _meta(cur, "summary:failed") is None and _meta(cur, "summary:version") == str(version)


_SCOPE_TABLES = ("_sc_lines", "_sc_days", "_sc_customers", "_sc_products", "_sc_old", "_sc_order_lines", "_sc_new_orders", "_sc_cs", "_sc_first")


def _drop_scope(cur) -> None:
    for name in _SCOPE_TABLES:
        cur.execute(f"DROP TABLE IF EXISTS temp.{name}")


def scope_of(cur, upload_id: int, load: bool = False) -> bool:
    """Before an upload's order lines change (a load: after they are in and the data version was
    bumped, `load`; an undo: before they go), in the same transaction: note in temporary tables what they touch: their days, customers and
    products, the orders already summarised that they belong to (`_sc_old`), and the lines those
    orders have after the change (`_sc_order_lines`). False when the summaries cannot be updated by
    parts (not current, the upload too large a share, or lines without an order or product id)."""
    if not _current_before(cur, bumped=load):
        return False
    # counted from the upload log and the table's own row count: neither reads the lines
    n = cur.execute("SELECT rows_loaded FROM main.upload_log WHERE upload_id = ?", [upload_id]).fetchone()[0] or 0
    if n > INCREMENTAL_SHARE * cur.execute("SELECT count(*) FROM main.sales").fetchone()[0]:
        return False
    u = int(upload_id)
    _drop_scope(cur)
    cur.execute(f"CREATE TEMP TABLE _sc_lines AS SELECT * FROM main.sales WHERE _upload_id = {u}")
    if cur.execute("SELECT count(*) FROM _sc_lines WHERE order_id IS NULL OR product_id IS NULL").fetchone()[0]:
        _drop_scope(cur)
        return False
    cur.execute("CREATE TEMP TABLE _sc_days AS SELECT DISTINCT order_time::DATE AS day FROM _sc_lines WHERE order_time IS NOT NULL")
    cur.execute("CREATE TEMP TABLE _sc_customers AS SELECT DISTINCT customer_id FROM _sc_lines WHERE customer_id IS NOT NULL")
    cur.execute("CREATE TEMP TABLE _sc_products AS SELECT DISTINCT product_id FROM _sc_lines")
    # an order has a row in app.orders when it has a sale line: only those can have other lines that count
    cur.execute("CREATE TEMP TABLE _sc_old AS SELECT order_id, c FROM app.orders WHERE order_id IN (SELECT order_id FROM _sc_lines)")
    cur.execute(f"CREATE TEMP TABLE _sc_order_lines AS SELECT * FROM _sc_lines {'' if load else 'LIMIT 0'}")
    if cur.execute("SELECT count(*) FROM _sc_old").fetchone()[0]:  # else new orders only (the usual load): no other lines to look through
        cur.execute(f"INSERT INTO _sc_order_lines SELECT * FROM main.sales WHERE order_id IN (SELECT order_id FROM _sc_old) AND _upload_id <> {u}")
    return True


# the days' lines, found through the order time's range first (DuckDB skips row groups by it)
SCOPE_DAYS = ("order_time >= (SELECT min(day) FROM _sc_days) AND order_time < (SELECT max(day) FROM _sc_days) + INTERVAL 1 DAY "
              "AND order_time::DATE IN (SELECT day FROM _sc_days)")
SCOPE_PRODUCTS = "product_id IN (SELECT product_id FROM _sc_products)"


def apply_scope(cur, new_lines: str | None) -> None:
    """After the lines changed, in the same transaction: replace the summary rows of the scope noted
    by `scope_of` with rows computed from the lines now, and mark the summaries current. `new_lines`
    is the SQL condition of a load's lines (None for an undo)."""
    undo = new_lines is None
    codes = _add_mask_codes(cur, "FALSE" if undo else new_lines)
    cur.execute("DELETE FROM app.daily WHERE day IN (SELECT day FROM _sc_days)")
    cur.execute(f"INSERT INTO app.daily {_daily(SCOPE_DAYS)}")
    order_lines = ("_sc_order_lines", "temp")
    cur.execute(f"CREATE TEMP TABLE _sc_new_orders AS {_order_rows(codes, order_lines)}")
    for table in ("orders", "order_dups"):
        cur.execute(f"DELETE FROM app.{table} WHERE order_id IN (SELECT order_id FROM _sc_old)")
    cur.execute(f"INSERT INTO app.orders SELECT {ORDER_COLUMNS}, NULL, NULL, NULL, TRUE FROM _sc_new_orders ORDER BY order_time")
    cur.execute(f"INSERT INTO app.order_dups {_order_dups(order_lines)}")
    # the sequences of the customers of the orders that changed, from their order rows (new and old)
    cur.execute("CREATE TEMP TABLE _sc_cs AS SELECT c FROM _sc_new_orders WHERE c IS NOT NULL UNION SELECT c FROM _sc_old WHERE c IS NOT NULL")
    # only the rows whose figures change are written (usually a few around each new order); rows are
    # matched by rowid, as an order whose lines disagree has several
    seq = ("prev_time", "next_time", "first_time", "new_month")
    changed = " OR ".join(f"{v} IS DISTINCT FROM was_{v}" for v in seq)
    cur.execute(f"""UPDATE app.orders AS o SET {', '.join(f'{v} = s.{v}' for v in seq)}
        FROM (SELECT * FROM (SELECT *, {NEW_MONTH} AS new_month FROM (
                SELECT rowid AS rid, order_id, order_time, {SEQUENCE}, {', '.join(f'{v} AS was_{v}' for v in seq)}
                FROM app.orders WHERE c IN (SELECT c FROM _sc_cs))) WHERE {changed}) s
        WHERE o.rowid = s.rid""")
    if undo:
        cur.execute("DELETE FROM app.first_orders WHERE customer_id IN (SELECT customer_id FROM _sc_customers)")
        cur.execute(f"INSERT INTO app.first_orders {_first_orders(SALES, 'customer_id IN (SELECT customer_id FROM _sc_customers)')}")
    else:  # new lines only ever move a customer's first order earlier
        cur.execute(f"""CREATE TEMP TABLE _sc_first AS
            SELECT n.customer_id, least(n.first_time, coalesce(f.first_time, n.first_time)) AS first_time, n.c
            FROM ({_first_orders(('_sc_lines', 'temp'))}) n LEFT JOIN app.first_orders f USING (customer_id)""")
        cur.execute("DELETE FROM app.first_orders WHERE customer_id IN (SELECT customer_id FROM _sc_first)")
        cur.execute("INSERT INTO app.first_orders SELECT customer_id, first_time, c FROM _sc_first ORDER BY first_time")
    cur.execute(f"DELETE FROM app.product_attributes WHERE {SCOPE_PRODUCTS}")
    cur.execute(f"INSERT INTO app.product_attributes {_product_attributes(SCOPE_PRODUCTS)}")
    if undo:
        _check(cur)  # removing lines can mend an order that disagreed: look at them all
    else:
        _check(cur, "_sc_new_orders", "c IN (SELECT hash(customer_id) FROM _sc_customers)", before=_meta(cur, "summary:orders") == "1")
    _set_meta(cur, {"summary:version": _meta(cur, "data_version")})
    _drop_scope(cur)


def apply_upload(cur, upload_id: int) -> bool:
    """In a load's transaction, after its lines are in and the data version was bumped: update the
    summaries by parts (see `scope_of`); False when they are left to a full build."""
    if not scope_of(cur, upload_id, load=True):
        return False
    apply_scope(cur, f"_upload_id = {int(upload_id)}")
    return True


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
                codes[d] = tuple(v for (v,) in cur.execute("SELECT value FROM app.mask_codes WHERE dim = ? ORDER BY bit", [d]).fetchall())
    finally:
        cur.close()
    tables = {name: con.table(name, database="app") for name in TABLES}
    latest = datetime.fromisoformat(meta["summary:latest"]) if meta.get("summary:latest") else None
    return Summary(tables["first_orders"], tables["daily"], tables["order_dups"], tables["product_attributes"],
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
