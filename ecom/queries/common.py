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

from ecom.filters import DIMENSIONS, Filters
from ecom.warehouse import Warehouse

# A page that needs more rows than this is aggregating in pandas: results are capped here.
MAX_ROWS = 10_000

_local = threading.local()


def backend(wh: Warehouse):
    """This thread's Ibis backend over `wh` (one per thread, never shared), with its tables cached
    until the warehouse's data version changes."""
    entry = _entry(wh)
    return entry[1], entry[3]


def _entry(wh: Warehouse):
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = id(wh)
    version = wh.data_version()
    entry = cache.get(key)
    if entry is None or entry[0] is not wh or entry[2] != version:
        entry = cache[key] = (wh, wh.ibis(), version, {}, {}, {})
    return entry


MEMO_ENTRIES = 64


def memoized(fn):
    """Keep `fn(wh, *args)`'s (small) result for this thread and data version, so the queries of one
    page that need the same intermediate result (the top values of a breakdown, the ABC classes) run
    it once. Arguments must be hashable; callers copy a frame before changing it."""

    @functools.wraps(fn)
    def wrapper(wh: Warehouse, *args, **kwargs):
        memo = _entry(wh)[4]
        key = (fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            if len(memo) >= MEMO_ENTRIES:
                memo.clear()
            memo[key] = fn(wh, *args, **kwargs)
        return memo[key]

    return wrapper


TEMP_TABLES = 2  # each can hold millions of rows on a long range: keep memory bounded
_temp_names = itertools.count()


def materialized(wh: Warehouse, key: tuple, build):
    """An intermediate result several queries of a page start from (one row per customer order in
    the range, say), computed once into a temporary table of this thread's connection and read from
    there; `build()` returns its Ibis expression. Kept per data version for the last TEMP_TABLES
    keys; falls back to the expression itself where DuckDB cannot keep one."""
    entry = _entry(wh)
    con, temps = entry[1], entry[5]
    if key in temps:
        temps[key] = temps.pop(key)  # most recently used last
        return temps[key][1]
    name = f"ecom_tmp_{next(_temp_names)}"
    try:
        con.raw_sql(f'CREATE TEMP TABLE "{name}" AS {ibis.to_sql(build(), dialect="duckdb")}')
        t = con.table(name)
    except duckdb.Error:  # e.g. a read-only warehouse: compute in place instead
        return build()
    temps[key] = (name, t)
    while len(temps) > TEMP_TABLES:
        old, _ = temps.pop(next(iter(temps)))
        con.raw_sql(f'DROP TABLE IF EXISTS temp.main."{old}"')
    return t


def table(wh: Warehouse, name: str):
    con, tables = backend(wh)
    if name not in tables:
        tables[name] = con.table(name, database="main")
    return tables[name]


def fetch(expr) -> pd.DataFrame:
    """Run an aggregated expression and return its (small) result as pandas."""
    return expr.execute()


def scalar(expr):
    value = expr.execute()
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
    """Order lines in the filter's date range (or the given one) and dimensions, without cancelled
    orders (never paid, so no part of GMV, orders or customers)."""
    t = table(wh, "sales")
    t = t.filter(t.order_status.isnull() | (t.order_status != "cancelled"))
    if dates:
        lo, hi = day_bounds(start or f.start, end or f.end)
        t = t.filter((t.order_time >= lo) & (t.order_time < hi))
    return apply_dims(t, f, skip)


def line_revenue(t):
    return money(t.revenue.fill_null(0))


def line_refund(t):
    return money(t.refund_amount.fill_null(0))


def anchor_date(wh: Warehouse) -> date:
    """The latest order date in the warehouse (today when there are no orders): presets end here."""
    t = table(wh, "sales")
    latest = scalar(t.order_time.max())
    if latest is None:
        return date.today()
    return pd.Timestamp(latest).date()


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
    return out


def currency_symbol(wh: Warehouse) -> str:
    """¥ unless the sales say another currency most often (USD → $, EUR → €, GBP → £)."""
    t = table(wh, "sales")
    x = t.filter(t.currency.notnull())
    expr = x.group_by(c=x.currency.upper()).aggregate(n=x.count()).order_by(ibis.desc("n")).limit(1)
    df = fetch(expr)
    code = df.c.iloc[0] if len(df) else "CNY"
    return {"USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "¥"}.get(code, "¥")


def has_rows(wh: Warehouse, name: str) -> bool:
    if name not in wh.user_tables():
        return False
    return bool(scalar(table(wh, name).count()))


def pct_change(cur: float | None, prev: float | None) -> float | None:
    if cur is None or prev is None or pd.isna(cur) or pd.isna(prev) or prev == 0:
        return None
    return (cur - prev) / abs(prev)
