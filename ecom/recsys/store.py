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

from ecom.warehouse import apptables
from ecom.warehouse.apptables import RECS_COLUMNS


def register_model(warehouse, record: dict) -> None:
    """Add a training run to app.models (`record` keys are its columns; dicts are stored as JSON)."""
    row = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v) for k, v in record.items()}
    row.setdefault("created_at", datetime.now().replace(microsecond=0))
    apptables.add_recsys_model(warehouse, row)


def models(warehouse) -> pd.DataFrame:
    """The registry, newest first, with metrics parsed into columns (model/popularity/item_knn × HR, NDCG, coverage)."""
    df = apptables.recsys_models(warehouse)
    for i, raw in enumerate(df.get("metrics", [])):
        for method, figures in (json.loads(raw) if raw else {}).items():
            for name, value in figures.items():
                df.loc[df.index[i], f"{method} {name}"] = value
    return df


def write_recs(warehouse, recs: pd.DataFrame) -> int:
    """Replace app.recs with `recs` (columns RECS_COLUMNS) in one transaction; returns the row count."""
    apptables.replace_recs(warehouse, recs)
    return len(recs)


def read_recs(warehouse, customer_id: str | None = None) -> pd.DataFrame:
    """Stored top-N of one customer (or everyone), by rank."""
    # imported here: the query layer needs Ibis, which opening a warehouse does not
    from ibis.common.exceptions import TableNotFound

    from ecom.queries import common

    try:
        r = common.output(warehouse, "recs")
    except (duckdb.CatalogException, TableNotFound):  # a read-only warehouse that was never trained on
        return pd.DataFrame(columns=list(RECS_COLUMNS))
    if customer_id is None:
        return common.fetch(r.select(*RECS_COLUMNS).order_by(["customer_id", "rank"]))
    return common.fetch(r.filter(r.customer_id == customer_id).select(*RECS_COLUMNS).order_by("rank"))
