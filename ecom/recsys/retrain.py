"""Retraining on the warehouse, as the command line and the app do it: train and evaluate, save the
model, add it to the registry (app.models), and write every customer's top-N to app.recs."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from ecom.recsys import data, explain, store
from ecom.recsys.blend import save_knn
from ecom.recsys.compare import compare
from ecom.recsys.model import SASRecConfig
from ecom.recsys.recommend import Recommender
from ecom.recsys.train import Progress, TrainConfig


def train_warehouse(
    wh,
    out_dir: Path,
    tc: TrainConfig | None = None,
    progress: Progress | None = None,
    top: int = 10,
    config: SASRecConfig | None = None,
) -> dict:
    """Train on the warehouse, evaluate leave-one-out, save, register in app.models and write app.recs.

    The model saved is the one evaluated (trained without each customer's last two purchases); it
    reads every customer's full history when recommending. Returns the registry record plus counts.
    """
    started = time.perf_counter()
    seqs = data.from_warehouse(wh)
    if not seqs.users:
        raise ValueError("the warehouse holds no sales with customer ids: load order lines first")
    result = compare(seqs, config=config, tc=tc, progress=progress)
    model = result.trained.model
    model.save_pretrained(out_dir, seqs.items)
    save_knn(out_dir, result.knn)
    model_id = datetime.now().strftime("sasrec-%Y%m%d-%H%M%S")
    record = {
        "model_id": model_id, "kind": "sasrec", "path": str(out_dir), "data_version": wh.data_version(),
        "customers": len(seqs.users), "items": seqs.n_items - 1, "interactions": seqs.n_interactions,
        "config": model.config.to_dict(), "train": {"epochs": result.trained.epochs, "best_epoch": result.trained.best_epoch, "history": result.trained.history},
        "metrics": result.metrics(), "train_seconds": round(result.trained.seconds, 2),
        "eval_seconds": round(sum(r.seconds for r in result.results.values()), 2),
    }  # fmt: skip
    store.register_model(wh, record)
    rec = Recommender(model, seqs.items, explain.collect(wh), result.knn)
    # the sequences are every customer's history already: no second read of every purchase
    histories = {u: [seqs.items[i] for i in s] for u, s in zip(seqs.users, seqs.seqs, strict=True)}
    recs = rec.recommend_all(wh, model_id, top, (lambda f, m: progress(f, 1.0, m)) if progress else None, histories)
    n = store.write_recs(wh, recs)
    return {**record, "recs": n, "wall_seconds": time.perf_counter() - started}
