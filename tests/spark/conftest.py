"""One SparkSession for the whole run, and the same data loaded under each engine.

Marked `spark`: `pytest -m "not spark"` skips them on a machine without Java; CI runs them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecom import spark
from ecom.ingest import ingest_files
from ecom.warehouse import Warehouse
from tests.edge import edge_orders

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="session")
def engines(tmp_path_factory):
    """{"duckdb": Warehouse, "spark": Warehouse} holding the sample data and the edge orders (data set "edge")."""
    tmp = tmp_path_factory.mktemp("engines")
    edge = edge_orders(tmp / "edge_orders.csv")
    files = sorted(p for p in SAMPLE.iterdir() if p.suffix == ".csv")
    out = {}
    for engine in ("duckdb", "spark"):
        wh = Warehouse(tmp / f"{engine}.duckdb", engine=engine, lake=str(tmp / "lake") if engine == "spark" else None)
        reports = ingest_files(wh, files)
        reports += ingest_files(wh, [edge], dataset="edge")
        assert all(r.status in ("loaded", "joined") for r in reports), [r.message for r in reports if r.status not in ("loaded", "joined")]
        out[engine] = wh
    yield out
    for wh in out.values():
        wh.close()
    spark.stop()
    shutil.rmtree(tmp, ignore_errors=True)
