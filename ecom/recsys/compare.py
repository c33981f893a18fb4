"""Train the model and both baselines on one leave-one-out split and evaluate all three alike."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ecom.recsys.baselines import ItemKNN, Popularity
from ecom.recsys.blend import blended_scorer, choose_weight
from ecom.recsys.data import Sequences, Split, leave_one_out
from ecom.recsys.evaluate import Result, evaluate
from ecom.recsys.model import SASRecConfig
from ecom.recsys.train import Progress, TrainConfig, TrainResult, model_scorer, train

METHODS = ("model", "popularity", "item_knn")


def repeatable_items(train: list[np.ndarray], n_items: int, min_customers: int = 2, min_share: float = 0.1) -> np.ndarray:
    """(V,) bool: items at least `min_customers` customers, and `min_share` of their buyers, bought
    more than once in the training data. Such items may be recommended again; others are excluded
    from a customer's ranking once bought."""
    buyers = np.zeros(n_items, dtype=np.int64)
    repeaters = np.zeros(n_items, dtype=np.int64)
    for s in train:
        items, counts = np.unique(s, return_counts=True)
        buyers[items] += 1
        repeaters[items[counts >= 2]] += 1
    return (repeaters >= min_customers) & (repeaters >= min_share * np.maximum(buyers, 1))


@dataclass
class Comparison:
    results: dict[str, Result]
    trained: TrainResult
    split: Split
    repeatable: np.ndarray
    knn: ItemKNN | None = None  # the item-kNN the model blends in (saved with it, see blend.save_knn)
    valid_ndcg: dict[tuple[float, float], float] = field(default_factory=dict)  # validation NDCG@10 per (weight, temperature)
    seconds: dict[str, float] = field(default_factory=dict)

    def metrics(self) -> dict[str, dict]:
        return {name: r.as_dict() for name, r in self.results.items()}


def compare(
    data: Sequences,
    config: SASRecConfig | None = None,
    tc: TrainConfig | None = None,
    progress: Progress | None = None,
    popularity_window_days: float | None = 90.0,
) -> Comparison:
    """Leave-one-out test HR@10 / NDCG@10 / coverage of the model, popularity and item-kNN.

    "model" is the transformer blended with item-kNN at the weight and temperature that score best
    on the validation targets (test targets play no part in choosing them; at most `valid_users`
    customers, the early-stopping subset); they land in the model's config as `knn_weight` and
    `temperature`."""
    tc = tc or TrainConfig()
    split = leave_one_out(data)
    if not len(split.test_target):
        raise ValueError("no customer has three or more purchases: leave-one-out evaluation needs them")
    repeatable = repeatable_items(split.train, data.n_items)
    seconds = {}
    start = time.perf_counter()
    trained = train(split, data.n_items, config, tc, repeatable, progress)
    seconds["model_train"] = time.perf_counter() - start
    start = time.perf_counter()
    pop = Popularity(popularity_window_days).fit(split.train, data.n_items, split.train_times)
    knn = ItemKNN().fit(split.train, data.n_items)
    seconds["baselines_fit"] = time.perf_counter() - start
    start = time.perf_counter()
    pick = np.random.default_rng(tc.seed).permutation(len(split.valid_target))[: tc.valid_users]
    (weight, temperature), valid_ndcg = choose_weight(model_scorer(trained.model), knn, [split.valid_hist[i] for i in pick], split.valid_target[pick], repeatable)
    trained.model.config.knn_weight = weight
    trained.model.config.temperature = temperature
    seconds["blend_choice"] = time.perf_counter() - start
    scorers = {"model": blended_scorer(model_scorer(trained.model), knn, weight, temperature), "popularity": pop.score, "item_knn": knn.score}
    results = {name: evaluate(score, split.test_hist, split.test_target, data.n_items, repeatable) for name, score in scorers.items()}
    return Comparison(results, trained, split, repeatable, knn, valid_ndcg, seconds)
