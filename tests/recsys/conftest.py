"""A small sample data set (made by the sample generator with a seed the recommender was not tuned
on), loaded through ingestion, with a tiny model trained on it and top-N written to app.recs."""

import json

import pytest

from ecom.recsys.model import SASRecConfig
from ecom.recsys.train import TrainConfig

SEED = 7  # the committed sample (and the tuning) use 20241201
SCALE = 0.1
TINY = SASRecConfig(n_items=0, max_len=20, hidden=32, n_layers=1, n_heads=2, dropout=0.2)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    from ecom.sample import generate

    out = tmp_path_factory.mktemp("sample")
    generate(out, scale=SCALE, seed=SEED)
    return out


@pytest.fixture(scope="session")
def ground_truth(sample_dir):
    return json.loads((sample_dir / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def trained(sample_dir, tmp_path_factory):
    """(warehouse, model directory, training record) after `train_warehouse` on the sample's sales."""
    from ecom.ingest import ingest_file
    from ecom.recsys.retrain import train_warehouse
    from ecom.warehouse import Warehouse

    tmp = tmp_path_factory.mktemp("recsys")
    wh = Warehouse(tmp / "wh.duckdb")
    for name in ("sales_orders.csv", "products.csv"):
        (report,) = ingest_file(wh, sample_dir / name)
        assert report.status == "loaded", report.message
    record = train_warehouse(wh, tmp / "model", TrainConfig(epochs=12, batch_size=64, lr=5e-3, patience=3, seed=0), top=10, config=TINY)
    yield wh, tmp / "model", record
    wh.close()
