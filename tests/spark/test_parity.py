"""Every query behind every analytics page gives the same answer on DuckDB and on PySpark (local mode).

DuckDB answers from its summary tables wherever they can; Spark reads the order lines (Parquet in the
lake): equal results check both the engines and the summaries against the lines. Money is compared
to the cent, rates and other fractions to 1e-9, everything else exactly.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import ibis
import numpy as np
import pandas as pd
import pytest
from ibis.backends.pyspark import Backend as SparkBackend

from ecom import schema, settings, spark
from ecom.filters import Filters
from ecom.queries import common, customers, explore, inventory, market, overview, sales
from ecom.warehouse import Warehouse

pytestmark = pytest.mark.spark

ALL = Filters(start=date(2024, 12, 1), end=date(2026, 11, 30))
EDGE = Filters(start=date(2025, 1, 1), end=date(2026, 3, 31), dataset="edge", currency="CNY")
FILTERS = {
    "sample, two years": ALL,
    "edge, CNY": EDGE,
    "edge, one shop and channel": replace(EDGE, shop=("Edge A",), channel=("web",)),
    "edge, a category": replace(EDGE, category=("Tea",)),
    "edge, a brand and a region": replace(EDGE, brand=("Clay",), region=("North",)),
    "edge, a product": replace(EDGE, product=("E1",)),
    "no sales in range": replace(EDGE, start=date(2020, 1, 1), end=date(2020, 1, 31)),
}

MONEY = {"gmv", "refunds", "net_sales", "revenue", "refund", "gmv_prev", "aov", "monetary", "value", "amount", "sales_amount"}


def calls(f: Filters):
    """(label, thunk(wh)) for each query a page makes, with the arguments the pages pass."""
    out = [
        ("overview.kpis", lambda wh: overview.kpis(wh, f)),
        ("overview.daily", lambda wh: overview.daily(wh, f, weeks_before=1)),
        ("overview.anomalies", lambda wh: overview.anomalies(wh, f)),
        ("overview.explain", lambda wh: overview.explain(wh, f, "en", "¥")),
        ("overview.contributors", lambda wh: overview.contributors(wh, f)),
        ("sales.trend day", lambda wh: sales.trend(wh, f, "day")),
        ("sales.trend week by category", lambda wh: sales.trend(wh, f, "week", "category")),
        ("sales.trend month by shop", lambda wh: sales.trend(wh, f, "month", "shop")),
        ("sales.breakdown category", lambda wh: sales.breakdown(wh, f, "category", 100)),
        ("sales.breakdown product", lambda wh: sales.breakdown(wh, f, "product_id", 100)),
        ("sales.breakdown region", lambda wh: sales.breakdown(wh, f, "region", 20)),
        ("sales.abc", lambda wh: sales.abc(wh, f)),
        ("sales.abc_products A", lambda wh: sales.abc_products(wh, f, "A")),
        ("sales.pareto", lambda wh: sales.pareto(wh, f)),
        ("sales.order_lines", lambda wh: sales.order_lines(wh, f)),
        ("customers.orders_per_customer", lambda wh: customers.orders_per_customer(wh, f)),
        ("customers.repeat_rate", lambda wh: customers.repeat_rate(wh, f)),
        ("customers.intervals", lambda wh: customers.intervals(wh, f)),
        ("customers.rfm_segments", lambda wh: customers.rfm_segments(wh, f)),
        ("customers.rfm_customers", lambda wh: customers.rfm_customers(wh, f)),
        ("customers.cohorts", lambda wh: customers.cohorts(wh, f)),
        ("customers.purchase_frequency", lambda wh: customers.purchase_frequency(wh, f)),
        ("customers.funnel", lambda wh: customers.funnel(wh, f)),
        ("common.currencies", lambda wh: common.currencies(wh, f.start, f.end)),
    ]
    return out


PAGE_WIDE = [
    ("common.anchor_date", lambda wh: common.anchor_date(wh)),
    ("common.data_span", lambda wh: common.data_span(wh)),
    ("common.dimension_values", lambda wh: common.dimension_values(wh)),
    ("market.categories", lambda wh: market.categories(wh, ALL)),
    ("market.basis", lambda wh: market.basis(wh, ALL)),
    ("market.share_trend", lambda wh: market.share_trend(wh, ALL)),
    ("market.ours_vs_competitors", lambda wh: market.ours_vs_competitors(wh, ALL)),
    ("market.movers", lambda wh: market.movers(wh, ALL)),
    ("market.concentration", lambda wh: market.concentration(wh, ALL)),
    ("market.category_share", lambda wh: market.category_share(wh, ALL)),
    ("inventory.summary", lambda wh: inventory.summary(wh, ALL)),
    ("inventory.products", lambda wh: inventory.products(wh, ALL)),
    ("inventory.products reorder", lambda wh: inventory.products(wh, ALL, "reorder")),
    ("explore.columns", lambda wh: explore.columns(wh, "sales")),
    ("explore.values", lambda wh: explore.values(wh, "sales", "channel")),
    ("explore.run", lambda wh: explore.run(wh, ALL, explore.Spec("sales", "category", "revenue", "sum", color="channel"))),
    ("explore.run by month", lambda wh: explore.run(wh, ALL, explore.Spec("sales", "order_time", "quantity", "mean", grain="month",
                                                                          where="shop", equals="Edge A|Edge B"))),
    ("explore.run reviews", lambda wh: explore.run(wh, ALL, explore.Spec("reviews", "rating"))),
    ("explore.run median", lambda wh: explore.run(wh, ALL, explore.Spec("sales", "shop", "unit_price", "median"))),
    ("explore.run stock", lambda wh: explore.run(wh, ALL, explore.Spec("stock", "snapshot_date", "on_hand", "sum", grain="week"))),
]


def canon(x, key: str = ""):
    """A plain, comparable form of a query's answer: frames become sorted lists of rows."""
    if isinstance(x, pd.DataFrame):
        frame = x.reset_index(drop=not isinstance(x.index, pd.MultiIndex) and x.index.name is None)
        rows = [tuple(canon(v, str(c)) for c, v in zip(frame.columns, row, strict=True)) for row in frame.itertuples(index=False)]
        return ("frame", tuple(map(str, frame.columns)), sorted(rows, key=repr))
    if isinstance(x, pd.Series):
        return canon(x.to_frame(), key)
    if isinstance(x, dict):
        return {str(k): canon(v, str(k)) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [canon(v, key) for v in x]
    if isinstance(x, (Decimal, np.floating)) or isinstance(x, float):
        v = float(x)
        if math.isnan(v):
            return None
        return ("money", round(v, 2)) if key in MONEY else ("number", v)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if x is pd.NaT or x is pd.NA or x is None:
        return None
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime()
    return x


def same(a, b, where: str = "") -> None:
    if isinstance(a, tuple) and a and a[0] == "frame":
        assert isinstance(b, tuple) and b[0] == "frame", where
        assert a[1] == b[1], f"{where}: columns {a[1]} vs {b[1]}"
        assert len(a[2]) == len(b[2]), f"{where}: {len(a[2])} rows vs {len(b[2])}"
        for i, (ra, rb) in enumerate(zip(a[2], b[2], strict=True)):
            same(list(ra), list(rb), f"{where} row {i}")
        return
    if isinstance(a, tuple) and len(a) == 2 and a[0] in ("money", "number"):
        assert isinstance(b, tuple) and b[0] == a[0], f"{where}: {a} vs {b}"
        if a[0] == "money":
            assert a[1] == b[1], f"{where}: {a[1]} vs {b[1]}"
        else:
            assert math.isclose(a[1], b[1], rel_tol=1e-9, abs_tol=1e-9), f"{where}: {a[1]} vs {b[1]}"
        return
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{where}: keys {sorted(a)} vs {sorted(b) if isinstance(b, dict) else b}"
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
        return
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: {a!r:.300} vs {b!r:.300}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
        return
    assert a == b, f"{where}: {a!r} vs {b!r}"


# `x NOT IN (SELECT ...)`: Spark can only plan it as a null-aware anti-join that broadcasts the whole
# subquery into the driver's heap. The cohorts query did that with every earlier line's customer id (on
# Spark, which has no summary tables): at 100M lines it filled an 8 GB heap and had not finished after
# 20 minutes. Anti-joins are written as joins.
NOT_IN_SUBQUERY = re.compile(r"\bNOT\s*\(\s*[^()]+?\s+IN\s*\(\s*SELECT\b", re.IGNORECASE)


@pytest.fixture
def spark_sql(monkeypatch):
    """The SQL texts the Spark backend runs, as they run."""
    seen: list[str] = []
    raw = SparkBackend.raw_sql

    def spy(self, query, **kwargs):
        seen.append(query if isinstance(query, str) else query.sql(dialect=self.dialect))
        return raw(self, query, **kwargs)

    monkeypatch.setattr(SparkBackend, "raw_sql", spy)
    return seen


def no_not_in_subquery(seen: list[str], where: str) -> None:
    bad = [q for q in seen if NOT_IN_SUBQUERY.search(q)]
    assert not bad, f"{where}: NOT IN over a subquery on Spark:\n{bad[0]}"
    seen.clear()


def test_the_not_in_check_sees_what_ibis_writes():
    a, b = ibis.table({"x": "string"}, name="a"), ibis.table({"x": "string"}, name="b")
    assert NOT_IN_SUBQUERY.search(ibis.to_sql(a.filter(~a.x.isin(b.x)), dialect="pyspark"))
    assert not NOT_IN_SUBQUERY.search(ibis.to_sql(a.anti_join(b, "x"), dialect="pyspark"))
    assert not NOT_IN_SUBQUERY.search(ibis.to_sql(a.filter(~a.x.isin(["p", "q"])), dialect="pyspark"))


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filtered_page_query_is_equal_on_both_engines(engines, name, spark_sql):
    f = FILTERS[name]
    for label, run in calls(f):
        expected = canon(run(engines["duckdb"]))
        got = canon(run(engines["spark"]))
        same(expected, got, f"{name} / {label}")
        no_not_in_subquery(spark_sql, f"{name} / {label}")


def test_page_wide_queries_are_equal_on_both_engines(engines, spark_sql):
    for label, run in PAGE_WIDE:
        same(canon(run(engines["duckdb"])), canon(run(engines["spark"])), label)
        no_not_in_subquery(spark_sql, label)


def test_the_edge_file_has_what_parity_needs(engines):
    """The edge data set holds returns, refunds, cancellations and empty dimensions (else the parity proves less)."""
    t = common.table(engines["duckdb"], "sales")
    t = t.filter(t._dataset == "edge")
    kinds = dict(common.fetch(t.group_by("line_kind").aggregate(n=t.count())).values.tolist())
    assert kinds["return"] > 5 and kinds["cancelled"] > 20 and kinds["sale"] > 300
    nulls = common.fetch(t.aggregate(shop=t.shop.isnull().sum(), cat=t.category.isnull().sum(), cust=t.customer_id.isnull().sum(),
                                     refunded=(t.refund_amount.notnull()).sum()))
    assert (nulls.iloc[0] > 0).all(), nulls


def test_a_known_row_keeps_its_hour_on_both_engines(engines):
    """Wall-clock shop time: no engine or session zone shifts an hour."""
    for wh in engines.values():
        t = common.table(wh, "sales")
        row = common.fetch(t.filter((t._dataset == "edge") & (t.order_id == "O0")).aggregate(h=t.order_time.hour().min(), d=t.order_time.date().min()))
        assert int(row.h.iloc[0]) == 0 and pd.Timestamp(row.d.iloc[0]).date() == date(2025, 5, 26), (wh.engine, row)


def test_the_driver_heap_is_the_setting(engines):
    # read as the JVM starts (the session is up once `engines` has loaded), so it must reach the builder
    assert spark.session().sparkContext.getConf().get("spark.driver.memory") == settings.get("ECOM_SPARK_MEMORY") == "4g"


def test_shuffle_partitions_follow_the_cores_only_in_local_mode(engines):
    cores = max(2, os.cpu_count() or 2)
    assert spark.session().conf.get("spark.sql.shuffle.partitions") == str(cores)
    assert spark.shuffle_partitions("local[*]") == spark.shuffle_partitions("local[2]") == cores
    assert spark.shuffle_partitions("spark://10.0.0.5:7077") is None and spark.shuffle_partitions("yarn") is None


def test_a_table_without_rows_is_a_view_without_partitions(engines, tmp_path):
    # made from an empty RDD, so a query scanning it starts no task (a DataFrame made from a Python list
    # starts Python workers for its partitions on every query: 0.7 s instead of 0.3 s for the inventory list at 10M lines)
    wh = Warehouse(tmp_path / "empty.duckdb", engine="spark", lake=str(tmp_path / "lake"))
    try:
        made = spark.views(wh, wh.data_version())
        assert set(made) == set(schema.TABLES)
        for name, view in made.items():
            df = spark.session().table(view)
            assert df.rdd.getNumPartitions() == 0 and df.count() == 0, name
            assert df.columns == list(wh.columns(name)), name
    finally:
        wh.close()
