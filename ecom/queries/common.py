"""What every analytics query shares: the Ibis backend of this thread, the filtered sales table, and
the one place results are fetched.

Queries build Ibis expressions over the warehouse, parameterised by a `Filters` value, and fetch
only small aggregated frames through `fetch`. User values enter expressions as Ibis literals
(quoted by Ibis); column names come from the canonical schema or the warehouse's own column list.
"""

from __future__ import annotations

import functools
import itertools
import threading
from datetime import date, datetime, time, timedelta

import duckdb
import ibis
import pandas as pd

from ecom import schema, spark
from ecom.filters import DIMENSIONS, Filters
from ecom.queries import definitions, summaries
from ecom.warehouse import Warehouse, gate

# A page that needs more rows than this is aggregating in pandas: results are capped here.
MAX_ROWS = 10_000

_local = threading.local()


class _Entry:
    """What one thread keeps per warehouse until its data version changes: the Ibis backend over its
    own cursor, tables, memoized results, temporary tables and the summary tables."""

    def __init__(self, wh: Warehouse, version: int):
        self.wh, self.version = wh, version
        self.con = wh.ibis()  # DuckDB: the app's tables and the summaries
        # where the canonical tables' rows are: the same backend, or Spark's views of this version
        self.engine = self.con if wh.engine == "duckdb" else wh.analytic()
        self.views = {} if wh.engine == "duckdb" else spark.views(wh, version)
        self.tables: dict = {}
        self.memo: dict = {}
        self.temps: dict = {}
        self.summary: summaries.Summary | None | bool = False  # False: not looked up yet


def _entry(wh: Warehouse) -> _Entry:
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = id(wh)
    version = wh.data_version()
    entry = cache.get(key)
    if entry is None or entry.wh is not wh or entry.version != version:
        entry = cache[key] = _Entry(wh, version)
    return entry


def summary(wh: Warehouse) -> summaries.Summary | None:
    """The summary tables of the current data (built first when stale), None where there are none
    (a read-only warehouse without current ones, another thread building them, or a failed build)."""
    entry = _entry(wh)
    if entry.summary is False:
        entry.summary = summaries.load(wh, entry.con)
    if entry.summary == summaries.BUSY:
        entry.summary = False  # looked up again next time: the other thread may be done by then
        return None
    return entry.summary


MEMO_ENTRIES = 64


def memoized(fn):
    """Keep `fn(wh, *args)`'s (small) result for this thread and data version, so the queries of one
    page that need the same intermediate result (the top values of a breakdown, the ABC classes) run
    it once. Arguments must be hashable; callers copy a frame before changing it."""

    @functools.wraps(fn)
    def wrapper(wh: Warehouse, *args, **kwargs):
        memo = _entry(wh).memo
        key = (fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            if len(memo) >= MEMO_ENTRIES:
                memo.clear()
            memo[key] = fn(wh, *args, **kwargs)
        return memo[key]

    return wrapper


TEMP_TABLES = 4  # each can hold millions of rows on a long range: keep memory bounded
_temp_names = itertools.count()


def materialized(wh: Warehouse, key: tuple, build):
    """An intermediate result several queries of a page start from (one row per customer order in
    the range, say), computed once into a temporary table of this thread's connection and read from
    there; `build()` returns its Ibis expression. Kept per data version for the last TEMP_TABLES
    keys; falls back to the expression itself where DuckDB cannot keep one."""
    entry = _entry(wh)
    con, temps = entry.con, entry.temps
    if wh.engine != "duckdb":
        return build()  # Spark plans the whole query; a temporary table would only add a job
    if key in temps:
        temps[key] = temps.pop(key)  # most recently used last
        return temps[key][1]
    name = f"ecom_tmp_{next(_temp_names)}"
    sql = f'CREATE TEMP TABLE "{name}" AS {ibis.to_sql(build(), dialect="duckdb")}'
    try:
        with gate.reading():
            con.raw_sql(sql)
        t = con.table(name)
    except duckdb.Error:  # e.g. a read-only warehouse: compute in place instead
        return build()
    temps[key] = (name, t)
    while len(temps) > TEMP_TABLES:
        old, _ = temps.pop(next(iter(temps)))
        con.raw_sql(f'DROP TABLE IF EXISTS temp.main."{old}"')
    return t


def table(wh: Warehouse, name: str):
    """A table as an Ibis table: a canonical table on the warehouse's engine, any other in DuckDB."""
    entry = _entry(wh)
    if name not in entry.tables:
        if name in entry.views:
            entry.tables[name] = entry.engine.table(entry.views[name])
        else:
            entry.tables[name] = entry.con.table(name, database="main")
    return entry.tables[name]


OUTPUTS = ("review_scores", "review_languages", "review_aspects", "review_aspect_runs", "review_terms", "recs")


def output(wh: Warehouse, name: str):
    """A model output table (review scores and aspects, recommendations; kept in the warehouse's app
    schema) as an Ibis table on the engine of the canonical tables, so that queries join the two:
    the table itself on DuckDB, on Spark a view of its rows as of its latest write."""
    if name not in OUTPUTS:
        raise ValueError(f"not a model output table: {name!r}")
    entry = _entry(wh)
    if wh.engine == "duckdb":
        return entry.con.table(name, database="app")
    return entry.engine.table(spark.output_view(wh, name))


def execute(expr):
    """Every analytics read runs here: on DuckDB, never while a transaction commits (see
    `ecom.warehouse.gate`); on Spark, with no jobs of it left running once it has returned."""
    if ibis.get_backend(expr).name != "duckdb":
        with spark.own_jobs():  # the lake's files appear whole (see ecom.lake)
            return expr.execute()
    with gate.reading():
        return expr.execute()


def fetch(expr) -> pd.DataFrame:
    """Run an aggregated expression and return its (small) result as pandas."""
    return execute(expr)


def scalar(expr):
    value = execute(expr)
    return None if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else value


def money(col):
    return col.cast("float64")


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00): timestamps are wall-clock shop time, so no zone math."""
    return datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())


def apply_dims(t, f: Filters, skip: tuple[str, ...] = ()):
    """Filter a table on the dimension filters whose canonical column it has."""
    cols = set(t.columns)
    for col, values in f.dims().items():
        if col in cols and col not in skip:
            t = t.filter(t[col].isin(list(values)))
    return t


def sales(wh: Warehouse, f: Filters, *, start: date | None = None, end: date | None = None, dates: bool = True, skip=()):
    """Sale lines (see `definitions`: no cancelled or return lines) in the filter's date range (or the
    given one) and dimensions.

    With a region or product filter (which the summaries cannot answer) the lines of the filter's
    own range are few and read by several queries of a page: they are kept in a temporary table."""
    if dates and start is None and end is None and not skip and ("region" in f.dims() or "product_id" in f.dims()):
        return materialized(wh, ("lines", f), lambda: every_line(wh, f).select(*AGGREGATED_COLUMNS))
    return every_line(wh, f, start=start, end=end, dates=dates, skip=skip)


# the columns the aggregations read (the drill's order lines read the table itself)
AGGREGATED_COLUMNS = ("order_id", "order_time", "customer_id", "product_id", "product_name", "category", "brand", "quantity", "revenue",
                      "refund_amount", "channel", "region", "shop")


def every_line(wh: Warehouse, f: Filters, *, start: date | None = None, end: date | None = None, dates: bool = True, skip=()):
    """`sales` straight from the table, every column, never kept in a temporary table."""
    t = definitions.sale_lines(table(wh, "sales"))
    if dates:
        lo, hi = day_bounds(start or f.start, end or f.end)
        t = t.filter((t.order_time >= lo) & (t.order_time < hi))
    return apply_dims(t, f, skip)


def counted(wh: Warehouse, f: Filters, *, start: date | None = None, end: date | None = None, skip=()):
    """Sale and return lines in the range under the filters, each with its share of GMV, refunds,
    units, orders and customers (`definitions.counted`): what sums that include refunds read."""
    t = definitions.counted(table(wh, "sales"))
    lo, hi = day_bounds(start or f.start, end or f.end)
    return apply_dims(t.filter((t.order_time >= lo) & (t.order_time < hi)), f, skip)


def revenue_sum(t):
    """GMV of order lines: revenue summed exactly (DECIMAL), as a float."""
    return t.revenue.fill_null(0).sum().cast("float64")


def money_sum(col):
    """A money column of a summary table summed exactly, as a float."""
    return col.fill_null(0).sum().cast("float64")


LINE_DIMS = ("category", "brand", "product_id")


def line_dims(f: Filters, skip: tuple[str, ...] = ()) -> list[str]:
    """The line-level dimension filters of `f` (category, brand, product): unlike shop, channel and
    region they select lines of an order, not whole orders."""
    dims = f.dims()
    return [c for c in LINE_DIMS if c in dims and c not in skip]


def mask_bits(s: summaries.Summary, dim: str, values) -> int:
    codes = s.codes[dim]
    return functools.reduce(lambda acc, v: acc | (1 << codes.index(v)) if v in codes else acc, values, 0)


def bit_set(mask, bits: int):
    """Whether an order's mask has any of `bits`."""
    return (mask & ibis.literal(bits, "uint64")) != 0


def order_rows(wh: Warehouse, f: Filters, *, start: date | None = None, end: date | None = None, dates: bool = True,
               whole: bool = False, skip: tuple[str, ...] = ()):
    """The summary's orders in the range under the filters (one row per order; see
    `summaries`), or None where they cannot answer: no usable orders table, a product filter,
    filters on both category and brand, or, with `whole` (the caller sums the orders' amounts or
    splits them by customer), any line-level filter at all. A category or brand filter keeps the
    orders with a line in it, as distinct orders and customers of the order lines count them."""
    s = summary(wh)
    if s is None or s.orders is None:
        return None
    dims = {c: v for c, v in f.dims().items() if c not in skip}
    line = line_dims(f, skip)
    if line and (whole or len(line) > 1 or line[0] not in s.codes):
        return None
    o = s.orders
    if dates:
        lo, hi = day_bounds(start or f.start, end or f.end)
        o = o.filter((o.order_time >= lo) & (o.order_time < hi))
    o = apply_dims(o, f, skip)  # the orders table has the order-level dimensions, not the line-level ones
    if line:
        o = o.filter(bit_set(o[summaries.MASK_COLUMNS[line[0]]], mask_bits(s, line[0], dims[line[0]])))
    return o


def day_rows(wh: Warehouse, f: Filters, *, start: date | None = None, end: date | None = None, skip: tuple[str, ...] = ()):
    """The summary's daily sums in the range under the filters, or None without a summary or with a
    region filter (the daily sums are not split by region)."""
    s = summary(wh)
    dims = {c: v for c, v in f.dims().items() if c not in skip}
    if s is None or "region" in dims:
        return None
    d = s.daily
    d = d.filter((d.day >= (start or f.start)) & (d.day <= (end or f.end)))
    return apply_dims(d, f, skip)


def product_attributes(wh: Warehouse):
    """(product_id, name, category, brand) per product over all history; a product is named by its most
    frequent name, so a correction line ("faulty", "damaged") never labels it."""
    attrs = summaries.product_attributes(wh)
    if attrs is not None:
        return attrs
    t = definitions.sale_lines(table(wh, "sales"))
    per = t.group_by(["product_id", "product_name"]).aggregate(n=t.count(), category=t.category.max(), brand=t.brand.max())
    named = per.filter(per.product_name.notnull())
    names = named.group_by("product_id").aggregate(name=named.product_name.argmax(named.n))
    rest = per.group_by("product_id").aggregate(category=per.category.max(), brand=per.brand.max())
    return rest.left_join(names, "product_id").select("product_id", "name", "category", "brand")


def product_names(wh: Warehouse, ids) -> dict[str, str]:
    """The label of each of these products (the few a page shows)."""
    ids = [str(i) for i in ids if i is not None and not pd.isna(i)]
    if not ids:
        return {}
    a = product_attributes(wh)
    df = fetch(a.filter(a.product_id.isin(ids) & a.name.notnull()).select("product_id", "name"))
    return dict(zip(df.product_id, df.name, strict=True))


def anchor_date(wh: Warehouse) -> date:
    """The date the period presets end on: the latest order date in the warehouse; without order lines
    the latest date of the rest of its data (a shop that loaded only its reviews of 2017 opens on
    them, not on an empty period ending today); today when nothing is dated."""
    for tables in (["sales"], [name for name in schema.TIME_COLUMNS if name != "sales"]):
        dates = [scalar(table(wh, name)[schema.TIME_COLUMNS[name]].max()) for name in tables]
        dates = [pd.Timestamp(d).date() for d in dates if d is not None]
        if dates:
            return max(dates)
    return date.today()


def data_span(wh: Warehouse) -> tuple[date, date] | None:
    t = table(wh, "sales")
    row = fetch(t.aggregate(lo=t.order_time.min(), hi=t.order_time.max()))
    if row.empty or pd.isna(row.lo.iloc[0]):
        return None
    return pd.Timestamp(row.lo.iloc[0]).date(), pd.Timestamp(row.hi.iloc[0]).date()


def dimension_values(wh: Warehouse, limit: int = 2000) -> dict[str, list[str]]:
    """Values the sidebar offers per filter dimension, most frequent first (capped)."""
    t = table(wh, "sales")
    out: dict[str, list[str]] = {}
    for name, (_, col) in DIMENSIONS.items():
        x = t.filter(t[col].notnull())
        expr = x.group_by(v=x[col]).aggregate(n=x.count()).order_by([ibis.desc("n"), "v"]).limit(limit)
        out[name] = [str(v) for v in fetch(expr).v]
    out["currency"] = all_currencies(wh)
    out["dataset"] = datasets(wh)
    return out


def datasets(wh: Warehouse) -> list[str]:
    """The data sets of every table, in the order their first upload came."""
    log = table(wh, "upload_log")
    x = log.filter(log.undone_at.isnull() & log.dataset.notnull())
    return [str(d) for d in fetch(x.group_by("dataset").aggregate(first=x.upload_id.min()).order_by("first")).dataset]


def currencies(wh: Warehouse, start: date, end: date) -> list[tuple[str, float]]:
    """The currencies of the sale lines in [start, end] with their GMV, the largest first."""
    d = day_rows(wh, Filters(start=start, end=end))
    if d is not None:
        expr = d.group_by("currency").aggregate(gmv=money_sum(d.gmv))
    else:
        t = sales(wh, Filters(start=start, end=end))
        expr = t.group_by("currency").aggregate(gmv=revenue_sum(t))
    df = fetch(expr.filter(expr.currency.notnull()))
    return [(str(c), float(g)) for c, g in sorted(zip(df.currency, df.gmv, strict=True), key=lambda x: (-x[1], str(x[0])))]


def all_currencies(wh: Warehouse) -> list[str]:
    """Every currency of the sales, the most frequent first."""
    t = table(wh, "sales")
    x = t.filter(t.currency.notnull())
    df = fetch(x.group_by(c=x.currency).aggregate(n=x.count()).order_by([ibis.desc("n"), "c"]))
    return [str(c) for c in df.c]


def has_rows(wh: Warehouse, name: str) -> bool:
    if name not in wh.user_tables():
        return False
    return bool(scalar(table(wh, name).count()))


def pct_change(cur: float | None, prev: float | None) -> float | None:
    if cur is None or prev is None or pd.isna(cur) or pd.isna(prev) or prev == 0:
        return None
    return (cur - prev) / abs(prev)


def preview(wh: Warehouse, name: str, limit: int) -> pd.DataFrame:
    """The first rows of a table in load order (a canonical table on its engine; the others from the
    warehouse), with MAP columns (a row's unmapped source columns, a reject's raw values) as text."""
    if name not in schema.TABLES:
        return wh.rejects(limit=limit) if name == "rejects" else wh.upload_log().head(limit)
    t = table(wh, name)
    df = fetch(t.order_by(["_upload_id", "_source_row"]).limit(int(limit)))
    if "_extra" in df.columns:
        df["_extra"] = df["_extra"].map(lambda m: None if m is None or (not isinstance(m, (dict, list)) and pd.isna(m)) else
                                        "{" + ", ".join(f"{k}={v}" for k, v in (m.items() if isinstance(m, dict) else m)) + "}")
    return df


def latest_day(wh: Warehouse) -> date | None:
    """The latest day any canonical table's rows are dated (order time, review time, snapshot...)."""
    latest = None
    for name, t in schema.TABLES.items():
        column = next((c.name for c in t.columns if c.kind in ("timestamp", "date", "period")), None)
        if column is None:
            continue
        col = table(wh, name)[column]
        value = scalar((col if col.type().is_temporal() else col.cast("date")).max())
        if value is not None:
            day = pd.Timestamp(value).date()
            latest = day if latest is None or day > latest else latest
    return latest


def find_customers(wh: Warehouse, text: str, limit: int = 50) -> list[str]:
    """Customer ids of the sales that contain `text` (case-insensitive), in order."""
    t = table(wh, "sales")
    x = t.filter(t.customer_id.notnull() & t.customer_id.lower().contains(text.lower()))
    # group_by, not select().distinct().order_by(): Ibis 12 compiles the latter for Spark with the
    # DISTINCT over the filtered columns too, which repeats ids
    return [str(v) for v in fetch(x.group_by("customer_id").aggregate().order_by("customer_id").limit(limit)).customer_id]
