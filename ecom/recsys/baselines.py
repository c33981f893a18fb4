"""The yardsticks the model must beat, scored by the same evaluation.

- `Popularity`: the most-bought items in a recent window of the training data (the whole training
  data when there are no timestamps).
- `ItemKNN`: item-to-item cosine similarity of co-purchases (two items co-occur when one customer
  bought both), a customer's score for an item the similarity-weighted sum over their history,
  recent purchases weighing more.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

DAY = 86400.0


class Popularity:
    def __init__(self, window_days: float | None = 90.0):
        self.window_days = window_days
        self.counts: np.ndarray | None = None

    def fit(self, train: list[np.ndarray], n_items: int, times: list[np.ndarray] | None = None) -> Popularity:
        items = np.concatenate(train) if train else np.zeros(0, dtype=np.int64)
        if times is not None and self.window_days is not None and len(items):
            ts = np.concatenate(times)
            items = items[ts >= ts.max() - self.window_days * DAY]
        self.counts = np.bincount(items, minlength=n_items).astype(np.float32)
        return self

    def score(self, histories: list[np.ndarray]) -> torch.Tensor:
        return torch.from_numpy(self.counts).expand(len(histories), -1)


class ItemKNN:
    def __init__(self, decay: float = 0.7, shrink: float = 10.0, recent: int = 20):
        self.decay = decay  # weight of a purchase j steps before the newest: decay**j
        self.shrink = shrink  # damps similarities resting on few co-purchases
        self.recent = recent  # how many of the newest purchases vote
        self.sim: sp.csr_matrix | None = None
        self.n_items = 0

    def fit(self, train: list[np.ndarray], n_items: int) -> ItemKNN:
        self.n_items = n_items
        rows = np.concatenate([np.full(len(np.unique(s)), u) for u, s in enumerate(train)]) if train else np.zeros(0, int)
        cols = np.concatenate([np.unique(s) for s in train]) if train else np.zeros(0, int)
        x = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(train), n_items))
        co = (x.T @ x).tocsr()  # (V, V) customers who bought both
        co.setdiag(0)
        co.eliminate_zeros()
        n = np.asarray(x.sum(0)).ravel()  # customers per item
        co = co.tocoo()
        sim = co.data / (np.sqrt(n[co.row] * n[co.col]) + 1e-9) * (co.data / (co.data + self.shrink))
        self.sim = sp.csr_matrix((sim.astype(np.float32), (co.row, co.col)), shape=(n_items, n_items))
        return self

    def score(self, histories: list[np.ndarray]) -> torch.Tensor:
        rows, cols, vals = [], [], []
        for r, h in enumerate(histories):
            h = h[-self.recent :][::-1]
            rows.append(np.full(len(h), r))
            cols.append(h)
            vals.append(self.decay ** np.arange(len(h), dtype=np.float32))
        w = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(histories), self.n_items))
        return torch.from_numpy(np.asarray((w @ self.sim).todense(), dtype=np.float32))
