"""Speed of the analytics pages: `python bench/pages.py --warehouse FILE [--combos N]`.

For each page: the cold query set (every query the page runs, straight against DuckDB, no result
cache) over several filter combinations, p50/p95, once the per-data-version summary tables exist
(their build, which the ingestion path runs after each load or undo, is timed and printed on its
own); the cached rerun (the whole page script rerun through Streamlit's AppTest with the same
filters, query results served from the per-data-version cache), p50/p95; and the page's main
aggregations done in pandas on the same rows, with the ratio pandas / DuckDB. Prints a table and
the process's peak memory (before and after loading pandas).

Make the 10M-line warehouse with:
    python -m ecom sample --scale 100
    ECOM_MAX_UPLOAD_MB=4000 python -m ecom ingest data/sample-scale100-seed20241201/ --warehouse data/bench.duckdb
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# AppTest outside `streamlit run` logs a warning per widget; they would bury the figures
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
sys.path.insert(0, str(ROOT))

from ecom import filters  # noqa: E402
from ecom.filters import Filters  # noqa: E402
from ecom.queries import common, customers, explore, inventory, market, overview, sales, summaries  # noqa: E402
from ecom.warehouse import Warehouse  # noqa: E402

PAGES = ("overview", "sales", "customers", "market", "inventory", "explore")


def query_set(page: str, wh, f: Filters, lang: str = "en") -> None:
    """Every query `app_pages/<page>.py` runs for filters `f` with its default options."""
    if page == "overview":
        overview.kpis(wh, f)
        overview.explain(wh, f, lang, "¥")
        overview.anomalies(wh, f, "gmv")
    elif page == "sales":
        sales.trend(wh, f, "day", measures=("gmv",))
        sales.trend(wh, f, "day", "category", measures=("gmv",))
        sales.breakdown(wh, f, "category", 20)
        sales.pareto(wh, f)
        sales.abc(wh, f)
        sales.abc_products(wh, f, "A")
        sales.breakdown(wh, f, "category", 100)
        sales.breakdown(wh, f, "product_id", 100)
    elif page == "customers":
        customers.repeat_rate(wh, f)
        customers.orders_per_customer(wh, f)
        customers.intervals(wh, f)
        seg, _ = customers.rfm_segments(wh, f)
        customers.rfm_customers(wh, f, seg.segment.iloc[0] if len(seg) else None)
        customers.cohorts(wh, f)
        customers.purchase_frequency(wh, f)
        customers.funnel(wh, f)
    elif page == "market":
        cats = market.categories(wh, f)
        cat = cats[0] if cats else None
        market.basis(wh, f, cat)
        market.share_trend(wh, f, cat)
        market.ours_vs_competitors(wh, f, cat)
        market.movers(wh, f, cat)
        market.concentration(wh, f, cat)
        market.category_share(wh, f)
    elif page == "inventory":
        inventory.summary(wh, f)
        inventory.products(wh, f, "reorder")
    elif page == "explore":
        explore.columns(wh, "sales")
        explore.run(wh, f, explore.Spec("sales", x="category", y="revenue", agg="sum"))


def combos(wh, n: int) -> list[tuple[str, dict]]:
    """Filter combinations as URL parameters: presets, a category, a region and channel, a brand."""
    anchor = common.anchor_date(wh)
    values = common.dimension_values(wh, limit=3)
    out = [
        ("last 30 days", {}),
        ("last 90 days", {"range": "90d"}),
        ("双11 window", {"range": "1111"}),
        ("30 days, 1 category", {"cat": values["category"][:1]}),
        ("90 days, region + channel", {"range": "90d", "region": values["region"][:1], "ch": values["channel"][:1]}),
        ("this month, 1 brand", {"range": "month", "brand": values["brand"][:1]}),
        ("last 7 days", {"range": "7d"}),
        ("618 window, 2 categories", {"range": "618", "cat": values["category"][:2]}),
    ][:n]
    assert anchor
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cached_reruns(path: Path, page: str, params_list: list[dict], repeats: int) -> tuple[list[float], list[float]]:
    """First AppTest run of the page (cold cache) and reruns with the results cached, in ms."""
    from streamlit.testing.v1 import AppTest

    os.environ["ECOM_WAREHOUSE"] = str(path)
    first, again = [], []
    for params in params_list:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.switch_page(f"app_pages/{page}.py")
        for k, v in params.items():
            at.query_params[k] = v
        t0 = time.perf_counter()
        at.run()
        first.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")
        for _ in range(repeats):
            t0 = time.perf_counter()
            at.run()
            again.append((time.perf_counter() - t0) * 1000)
    return first, again


def pandas_set(page: str, df, f: Filters):
    """The page's main sales aggregations in pandas (same definitions as the queries)."""
    import pandas as pd

    def window(lo, hi):
        t = df[(df.order_time >= pd.Timestamp(lo)) & (df.order_time < pd.Timestamp(hi + timedelta(days=1)))]
        for col, vals in f.dims().items():
            t = t[t[col].isin(vals)]
        return t

    cur = window(f.start, f.end)
    if page == "overview":
        for lo, hi in ((f.start, f.end), (f.previous_period().start, f.previous_period().end), (f.last_year().start, f.last_year().end)):
            t = window(lo, hi)
            (t.revenue.sum(), t.refund_amount.sum(), t.order_id.nunique(), t.quantity.sum(), t.customer_id.nunique())
        cur.groupby(cur.order_time.dt.date).agg(gmv=("revenue", "sum"), orders=("order_id", "nunique"))
        prev = window(f.previous_period().start, f.previous_period().end)
        (cur.groupby("product_id").revenue.sum() - prev.groupby("product_id").revenue.sum()).sort_values().head(3)
    elif page == "sales":
        cur.groupby(cur.order_time.dt.date).agg(gmv=("revenue", "sum"), orders=("order_id", "nunique"), units=("quantity", "sum"))
        cur.groupby("category").agg(gmv=("revenue", "sum"), orders=("order_id", "nunique"), units=("quantity", "sum"))
        p = cur.groupby("product_id").revenue.sum().sort_values(ascending=False)
        (p.cumsum() / p.sum())
    elif page == "customers":
        o = cur.groupby(["customer_id", "order_id"]).agg(ts=("order_time", "min"), rev=("revenue", "sum")).reset_index()
        per = o.groupby("customer_id").agg(n=("order_id", "size"), last=("ts", "max"), m=("rev", "sum"))
        per.n.clip(upper=10).value_counts()
        o.sort_values(["customer_id", "ts"]).groupby("customer_id").ts.diff().dt.days.describe()
    elif page in ("inventory",):
        cur.groupby("product_id").quantity.sum()
    elif page == "explore":
        cur.groupby("category").revenue.sum()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python bench/pages.py", description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--combos", type=int, default=6, help="filter combinations per page (at most 8)")
    p.add_argument("--repeats", type=int, default=3, help="cached reruns per combination")
    p.add_argument("--pages", default=",".join(PAGES))
    p.add_argument("--no-pandas", action="store_true")
    args = p.parse_args(argv)
    pages = [x for x in args.pages.split(",") if x]

    wh = Warehouse(args.warehouse)
    n_lines = wh.row_counts()["sales"]
    anchor = common.anchor_date(wh)
    allowed = common.dimension_values(wh)
    cases = combos(wh, args.combos)
    fs = [filters.from_params(params, anchor, allowed) for _, params in cases]
    print(f"sales lines: {n_lines:,}; anchor {anchor}; {len(cases)} filter combinations: " + "; ".join(c for c, _ in cases))
    t0 = time.perf_counter()
    summaries.build(wh)
    print(f"summary tables (built once per data version, right after each load or undo): {(time.perf_counter() - t0) * 1000:,.0f} ms")
    cold: dict[str, list[float]] = {}
    for page in pages:
        cold[page] = []
        for f in fs:
            t0 = time.perf_counter()
            query_set(page, wh, f)
            cold[page].append((time.perf_counter() - t0) * 1000)
    mem_duckdb = peak_mb()
    wh.close()

    reruns: dict[str, tuple[list[float], list[float]]] = {}
    for page in pages:
        reruns[page] = cached_reruns(args.warehouse, page, [params for _, params in cases], args.repeats)
    mem_app = peak_mb()

    pandas_ms: dict[str, float] = {}
    if not args.no_pandas:
        cols = ["order_time", "order_id", "customer_id", "product_id", "category", "brand", "region", "channel", "shop",
                "quantity", "revenue", "refund_amount", "order_status"]
        wh = Warehouse(args.warehouse)
        t0 = time.perf_counter()
        cur = wh.cursor()
        df = cur.execute(f"SELECT {', '.join(cols)} FROM main.sales WHERE order_status IS DISTINCT FROM 'cancelled'").df()
        cur.close()
        df["revenue"] = df.revenue.astype("float64")
        df["refund_amount"] = df.refund_amount.astype("float64").fillna(0)
        df = df.rename(columns={"product_id": "product_id"})
        load_ms = (time.perf_counter() - t0) * 1000
        print(f"pandas: loading {len(df):,} rows took {load_ms:,.0f} ms (not counted below)")
        for page in pages:
            times = []
            for f in fs:
                t0 = time.perf_counter()
                pandas_set(page, df, f)
                times.append((time.perf_counter() - t0) * 1000)
            pandas_ms[page] = statistics.median(times)
        wh.close()
    mem_pandas = peak_mb()

    print()
    print("| page | cold p50 ms | cold p95 ms | first run p50 ms | cached rerun p50 ms | cached rerun p95 ms | pandas p50 ms | pandas / DuckDB |")
    print("|---|---|---|---|---|---|---|---|")
    for page in pages:
        c = cold[page]
        first, again = reruns[page]
        pd_ms = pandas_ms.get(page)
        ratio = f"{pd_ms / statistics.median(c):.1f}×" if pd_ms else "—"
        print(f"| {page} | {pct(c, .5):,.0f} | {pct(c, .95):,.0f} | {pct(first, .5):,.0f} | {pct(again, .5):,.0f} | {pct(again, .95):,.0f} | "
              f"{'—' if pd_ms is None else f'{pd_ms:,.0f}'} | {ratio} |")
    print()
    print(f"peak memory: {mem_duckdb:,.0f} MB after the DuckDB queries; {mem_app:,.0f} MB after the app runs; "
          f"{mem_pandas:,.0f} MB after pandas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
