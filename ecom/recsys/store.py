"""The recommender's tables in the warehouse's `app` schema.

- app.models: the registry, one row per training run (where it was saved, data size, config,
  training time, and the leave-one-out figures of the model and both baselines).
- app.recs: top-N per customer from the latest run, with score and the reason's figures; pages and
  exports read it instead of running the model.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pandas as pd

# Made as the warehouse opens (ecom.warehouse.ensure_output_tables), never on a page visit.
TABLES_SQL = (
    "CREATE SCHEMA IF NOT EXISTS app",
    """CREATE TABLE IF NOT EXISTS app.models (
        model_id VARCHAR PRIMARY KEY, created_at TIMESTAMP, kind VARCHAR, path VARCHAR, data_version BIGINT,
        customers BIGINT, items BIGINT, interactions BIGINT, config VARCHAR, train VARCHAR, metrics VARCHAR,
        train_seconds DOUBLE, eval_seconds DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS app.recs (
        model_id VARCHAR, customer_id VARCHAR, rank INTEGER, product_id VARCHAR, score DOUBLE,
        reason VARCHAR, reason_product VARCHAR, reason_category VARCHAR, reason_count BIGINT, reason_base BIGINT,
        reason_share DOUBLE, reason_rank INTEGER, reason_interval_days DOUBLE, reason_days_since DOUBLE)""",
)

RECS_COLUMNS = (
    "model_id", "customer_id", "rank", "product_id", "score", "reason", "reason_product", "reason_category",
    "reason_count", "reason_base", "reason_share", "reason_rank", "reason_interval_days", "reason_days_since",
)  # fmt: skip


def register_model(warehouse, record: dict) -> None:
    """Add a training run to app.models (`record` keys are its columns; dicts are stored as JSON)."""
    row = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v) for k, v in record.items()}
    row.setdefault("created_at", datetime.now().replace(microsecond=0))
    cols = ", ".join(row)
    with warehouse.transaction() as cur:
        cur.execute(f"INSERT OR REPLACE INTO app.models ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def models(warehouse) -> pd.DataFrame:
    """The registry, newest first, with metrics parsed into columns (model/popularity/item_knn × HR, NDCG, coverage)."""
    cur = warehouse.cursor()
    try:
        df = cur.execute("SELECT * FROM app.models ORDER BY created_at DESC, model_id DESC").df()
    except duckdb.CatalogException:  # a read-only warehouse that was never trained on
        return pd.DataFrame()
    finally:
        cur.close()
    for i, raw in enumerate(df.get("metrics", [])):
        for method, figures in (json.loads(raw) if raw else {}).items():
            for name, value in figures.items():
                df.loc[df.index[i], f"{method} {name}"] = value
    return df


def write_recs(warehouse, recs: pd.DataFrame) -> int:
    """Replace app.recs with `recs` (columns RECS_COLUMNS) in one transaction; returns the row count."""
    frame = recs.reindex(columns=list(RECS_COLUMNS))
    with warehouse.transaction() as cur:
        cur.execute("DELETE FROM app.recs")
        cur.register("new_recs", frame)
        cur.execute(f"INSERT INTO app.recs SELECT {', '.join(RECS_COLUMNS)} FROM new_recs")
        cur.unregister("new_recs")
        warehouse.bump_output(cur, "recs")
    return len(frame)


def read_recs(warehouse, customer_id: str | None = None) -> pd.DataFrame:
    """Stored top-N of one customer (or everyone), by rank."""
    # imported here: opening a warehouse imports this module (for TABLES_SQL), and needs no query layer
    from ibis.common.exceptions import TableNotFound

    from ecom.queries import common

    try:
        r = common.output(warehouse, "recs")
    except (duckdb.CatalogException, TableNotFound):  # a read-only warehouse that was never trained on
        return pd.DataFrame(columns=list(RECS_COLUMNS))
    if customer_id is None:
        return common.fetch(r.select(*RECS_COLUMNS).order_by(["customer_id", "rank"]))
    return common.fetch(r.filter(r.customer_id == customer_id).select(*RECS_COLUMNS).order_by("rank"))
