"""The served model: the transformer's next-item probabilities mixed with item-kNN's.

Both are turned into distributions over the catalogue (softmax of the transformer's scores at a
temperature `T`; a customer's kNN scores divided by their sum) and mixed (linear interpolation, as
for n-gram language models), `(1 - w) * p_model + w * p_knn`, so the result is still a probability.
`T` calibrates the transformer, whose softmax is trained to be sharp, before its probabilities are
averaged with kNN's. `w` and `T` are chosen together on the VALIDATION targets (each customer's
second-to-last purchase, predicted from what came before it), never on the test targets; they are
stored in the model config (`knn_weight`, `temperature`) and the kNN similarities are saved beside
the weights, so the Recommender serves exactly what was evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch

from ecom.recsys.baselines import ItemKNN
from ecom.recsys.evaluate import K, exclude_seen, rank_metrics

KNN_FILE = "item_knn.npz"
WEIGHTS = tuple(round(float(w), 2) for w in np.linspace(0.0, 1.0, 21))
TEMPERATURES = (1.0, 2.0, 4.0)

Scorer = Callable[[list[np.ndarray]], torch.Tensor]


def knn_distribution(knn_scores: torch.Tensor) -> torch.Tensor:
    """kNN scores normalised per row (all zeros for a customer without co-purchase evidence)."""
    k = knn_scores.float().clamp(min=0.0)
    return k / k.sum(1, keepdim=True).clamp(min=1e-12)


def mix(model_scores: torch.Tensor, knn_scores: torch.Tensor | None, weight: float, temperature: float = 1.0) -> torch.Tensor:
    """(B, V) next-item probabilities: (1 - weight) * softmax(model / temperature) + weight * kNN's
    (a customer with no co-purchase evidence gets the model's probabilities alone, scaled)."""
    p = torch.softmax(model_scores.float() / temperature, dim=-1)
    if weight <= 0.0 or knn_scores is None:
        return p
    return (1.0 - weight) * p + weight * knn_distribution(knn_scores)


def blended_scorer(model_score: Scorer, knn: ItemKNN, weight: float, temperature: float = 1.0) -> Scorer:
    def score(histories: list[np.ndarray]) -> torch.Tensor:
        return mix(model_score(histories), knn.score(histories), weight, temperature)

    return score


def choose_weight(
    model_score: Scorer,
    knn: ItemKNN,
    histories: list[np.ndarray],
    targets: np.ndarray,
    repeatable: np.ndarray | None = None,
    weights: tuple[float, ...] = WEIGHTS,
    temperatures: tuple[float, ...] = TEMPERATURES,
    batch_size: int = 1024,
) -> tuple[tuple[float, float], dict[tuple[float, float], float]]:
    """The (weight, temperature) with the best NDCG@10 on these (validation) targets, ties to the
    smaller weight, then the temperature nearer 1, and every pair's NDCG@10. Ranking, exclusions
    and ties follow `evaluate` exactly."""
    pairs = [(w, t) for w in weights for t in (temperatures if w > 0 else (1.0,))]  # T is moot alone
    sums = dict.fromkeys(pairs, 0.0)
    for a in range(0, len(histories), batch_size):
        hist = histories[a : a + batch_size]
        tgt = torch.from_numpy(np.asarray(targets[a : a + batch_size]))
        m, k = model_score(hist).float(), knn_distribution(knn.score(hist))
        shut = exclude_seen(torch.zeros_like(m), hist, repeatable)  # -inf where `evaluate` excludes
        shut[:, 0] = float("-inf")
        probs = {t: torch.softmax(m / t, dim=-1) for t in {t for _, t in pairs}}
        for w, t in pairs:
            sums[w, t] += rank_metrics((1.0 - w) * probs[t] + w * k + shut, tgt, K)[1].sum().item()
    ndcg = {pair: s / max(len(histories), 1) for pair, s in sums.items()}
    best = max(pairs, key=lambda p: (ndcg[p], -p[0], -abs(np.log(p[1]))))
    return best, ndcg


def save_knn(directory: str | Path, knn: ItemKNN) -> None:
    sp.save_npz(Path(directory) / KNN_FILE, knn.sim)


def load_knn(directory: str | Path, n_items: int) -> ItemKNN | None:
    """The saved item-kNN (None when the directory holds none, e.g. a model saved before blending)."""
    path = Path(directory) / KNN_FILE
    if not path.is_file():
        return None
    knn = ItemKNN()
    knn.sim = sp.load_npz(path).tocsr().astype(np.float32)
    knn.n_items = n_items
    return knn
