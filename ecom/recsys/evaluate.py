"""Full-ranking evaluation: each target is ranked among ALL items (not 100 sampled negatives).

Ties are scored by their expectation under random tie-breaking: a target that shares its score with
e other items is equally likely to sit at any of e + 1 places, and HR/NDCG average over those places.
This keeps constant scorers honest (popularity gives many items the same count; item-kNN scores 0 for
most). Items a customer already bought are excluded from the ranking unless the product is
repeat-bought (the same rule the recommendations follow), for every method alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

K = 10


def rank_metrics(scores: torch.Tensor, targets: torch.Tensor, k: int = K) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row expected HR@k and NDCG@k of `targets` (B,) under `scores` (B, V).

    A target scored -inf (excluded) counts as a miss.
    """
    t = scores.gather(1, targets[:, None])  # (B, 1)
    greater = (scores > t).sum(1)  # (B,)
    ties = (scores == t).sum(1) - 1  # other items with the target's score
    discounts = 1.0 / torch.log2(torch.arange(k, dtype=torch.float64) + 2)  # (k,)
    cum = torch.cat([torch.zeros(1, dtype=torch.float64), discounts.cumsum(0)])  # cum[r] = sum of first r discounts
    lo = greater.clamp(max=k)
    hi = (greater + ties + 1).clamp(max=k)  # places greater .. greater+ties, cut at k
    places = (ties + 1).double()
    hr = (hi - lo).double() / places
    ndcg = (cum[hi] - cum[lo]) / places
    miss = torch.isinf(t[:, 0]) & (t[:, 0] < 0)
    hr[miss] = 0.0
    ndcg[miss] = 0.0
    return hr, ndcg


def exclude_seen(scores: torch.Tensor, histories: list[np.ndarray], repeatable: np.ndarray | None) -> torch.Tensor:
    """Set to -inf the scores of items each customer already bought, unless the item is repeatable."""
    rows, cols = [], []
    for r, h in enumerate(histories):
        h = np.unique(h)
        if repeatable is not None:
            h = h[~repeatable[h]]
        rows.append(np.full(len(h), r))
        cols.append(h)
    if rows:
        scores[torch.from_numpy(np.concatenate(rows)), torch.from_numpy(np.concatenate(cols))] = float("-inf")
    return scores


@dataclass
class Result:
    hr: float
    ndcg: float
    coverage: float  # share of the catalogue appearing in at least one top-k list
    users: int
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {f"hr@{K}": round(self.hr, 5), f"ndcg@{K}": round(self.ndcg, 5), "coverage": round(self.coverage, 5), "users": self.users, "seconds": round(self.seconds, 2)}


def evaluate(
    score: Callable[[list[np.ndarray]], torch.Tensor],
    histories: list[np.ndarray],
    targets: np.ndarray,
    n_items: int,
    repeatable: np.ndarray | None = None,
    k: int = K,
    batch_size: int = 1024,
) -> Result:
    """HR@k, NDCG@k and coverage of a scorer (histories -> (B, V) scores) over all items."""
    import time

    start = time.perf_counter()
    hr_sum = ndcg_sum = 0.0
    shown = torch.zeros(n_items, dtype=torch.bool)
    for a in range(0, len(histories), batch_size):
        hist = histories[a : a + batch_size]
        scores = score(hist).float().clone()
        scores[:, 0] = float("-inf")
        scores = exclude_seen(scores, hist, repeatable)
        hr, ndcg = rank_metrics(scores, torch.from_numpy(targets[a : a + batch_size]), k)
        hr_sum += hr.sum().item()
        ndcg_sum += ndcg.sum().item()
        shown[scores.topk(k, dim=1).indices.flatten()] = True
    n = len(histories)
    shown[0] = False
    return Result(hr_sum / max(n, 1), ndcg_sum / max(n, 1), shown.sum().item() / max(n_items - 1, 1), n, time.perf_counter() - start)

