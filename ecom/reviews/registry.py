"""Models trained on the user's own reviews, and which model is active.

`finetune` takes the rated reviews of main.reviews (ratings as weak labels: ≥4★ positive,
≤2★ negative, 3★ neutral), holds out a fixed 20% by text hash, fine-tunes the active model (or,
with `config`, trains a new one from scratch), and evaluates the new model and the active one
on the held-out reviews. Each trained model is a row of `app.review_models` (name, path, data,
metrics, time); `activate` makes one the active model (a NULL name means the default model,
ECOM_REVIEW_MODEL). Model files go to `review-models/<name>/` beside the warehouse file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ecom import settings
from ecom.reviews.corpora import assign_split
from ecom.reviews.evaluate import metrics
from ecom.reviews.score import Scorer
from ecom.warehouse import apptables

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_REVIEWS = 20


def models_dir(wh) -> Path:
    return Path(wh.path).resolve().parent / "review-models"


def registry(wh) -> pd.DataFrame:
    return apptables.review_models(wh)


def active_model(wh) -> str:
    """Path of the active model: the registry's active row, else the ECOM_REVIEW_MODEL setting."""
    path = apptables.active_review_model(wh)
    return path if path and Path(path).is_dir() else settings.get("ECOM_REVIEW_MODEL")


def activate(wh, name: str | None) -> None:
    apptables.activate_review_model(wh, name)


def rated_reviews(wh) -> pd.DataFrame:
    """text, label (0/1/2), split ('train' or 'test'): distinct rated review texts."""
    from ecom.queries.common import fetch, table  # the query layer imports the model modules' tables

    t = table(wh, "reviews")
    # not blank: a character other than a space (as SQL's trim() <> '', which strips spaces only)
    t = t.filter(t.rating.between(1, 5) & t.review_text.notnull() & t.review_text.re_search("[^ ]"))
    frame = fetch(t.group_by(text=t.review_text).aggregate(rating=t.rating.mean().round()))
    frame["label"] = np.select([frame.rating >= 4, frame.rating <= 2], [1, 0], 2)
    # the validation and test buckets of the corpora split: a fixed 20% held out by text hash
    frame["split"] = ["train" if assign_split(t) == "train" else "test" for t in frame.text]
    return frame.sort_values("text").reset_index(drop=True)


def _report(y: np.ndarray, p: np.ndarray) -> dict:
    return metrics(y, (p >= 0.5).astype(int))


def finetune(
    wh,
    name: str,
    epochs: float = 2.0,
    config: dict | None = None,
    progress: Callable[[int, int, dict], None] | None = None,
) -> dict:
    """Train a model on the warehouse's rated reviews; register it (not active). Returns its row."""
    from ecom.reviews.train import TrainArgs, train

    if not _NAME.match(name or ""):
        raise ValueError("a model name is 1–64 letters, digits, dots, dashes or underscores")
    if not registry(wh).query("name == @name").empty:
        raise ValueError(f"a review model named {name!r} already exists")
    data = rated_reviews(wh)
    binary = data[data.label < 2]
    train_part, test_part = binary[binary.split == "train"], binary[binary.split == "test"]
    if len(train_part) < MIN_REVIEWS or train_part.label.nunique() < 2 or test_part.label.nunique() < 2:
        raise ValueError(
            f"training needs at least {MIN_REVIEWS} rated reviews with both high (≥4★) and low (≤2★) ratings, "
            f"in training and held-out parts; found {len(binary)} ({int((binary.label == 1).sum())} high, {int((binary.label == 0).sum())} low)"
        )
    base = active_model(wh)
    out = models_dir(wh) / name
    args = TrainArgs(epochs=epochs, lr=5e-4, sparse_lr=2e-3) if config is None else TrainArgs(epochs=epochs)
    val = data[data.split == "test"]
    train(
        train_part.text.tolist(), train_part.label.tolist(), out, args, config,
        base=None if config is not None else base, val=(val.text.tolist(), val.label.tolist()), progress=progress,
    )
    y = test_part.label.to_numpy()
    new = _report(y, Scorer.load(out).p_positive(test_part.text.tolist()))
    try:
        current = _report(y, Scorer.load(base).p_positive(test_part.text.tolist()))
    except Exception as exc:  # the active model may be gone or be a hub id that is offline
        current = {"error": str(exc)}
    row = {
        "name": name, "path": str(out), "base": "scratch" if config is not None else str(base),
        "trained_at": datetime.now().replace(microsecond=0), "train_rows": len(train_part), "test_rows": len(test_part),
        "data": json.dumps({"reviews": len(data), "neutral": int((data.label == 2).sum())}),
        "metrics": json.dumps(new), "active_metrics": json.dumps(current), "active": False,
    }
    apptables.add_review_model(wh, row)
    return row


def comparison(row: dict | pd.Series) -> pd.DataFrame:
    """metric, new, active: accuracy, per-class recall and F1, macro-F1 of a registry row."""
    new, cur = json.loads(row["metrics"]), json.loads(row["active_metrics"])
    lines = [("accuracy", new["accuracy"], cur.get("accuracy")), ("macro_f1", new["macro_f1"], cur.get("macro_f1"))]
    for c, label in ((0, "negative"), (1, "positive")):
        for key in ("recall", "f1"):
            lines.append((f"{label} {key}", new["per_class"][c][key], cur["per_class"][c][key] if "per_class" in cur else None))
    return pd.DataFrame(lines, columns=["metric", "new", "active"])
