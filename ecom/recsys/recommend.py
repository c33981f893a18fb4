"""Recommendations for people: a customer's top-N with reasons, a product's companions, and the
batch of top-N for every customer that training writes to the warehouse.

`Recommender` holds the trained model, its vocabulary and the evidence (see `explain`); building
one reads the warehouse once (seconds), after which a customer's preview takes milliseconds.
Already-bought products are left out unless they are repeat purchases; customers the model knows
nothing about get the labelled popular-in-category fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ecom.recsys import explain, store
from ecom.recsys.baselines import ItemKNN
from ecom.recsys.blend import load_knn, mix
from ecom.recsys.data import has_behavior_purchases, pad_left, purchases_cte
from ecom.recsys.model import PAD, SASRec, threads

N = 10

# A name per product: the product master's when loaded, else the most frequent one on order lines.
PRODUCT_NAMES = """
    SELECT product_id, coalesce(any_value(m.product_name), mode(s.product_name)) AS product_name
    FROM (SELECT DISTINCT product_id FROM main.sales UNION SELECT product_id FROM main.products) ids
    LEFT JOIN main.products m USING (product_id) LEFT JOIN main.sales s USING (product_id)
    GROUP BY product_id"""


@dataclass
class Rec:
    product_id: str
    score: float  # the model's probability that this is the next purchase, kNN blend included (0 for fallbacks)
    reason: explain.Reason


class Recommender:
    def __init__(self, model: SASRec, items: list[str], evidence: explain.Evidence, knn: ItemKNN | None = None):
        self.model = model.eval()
        self.knn = knn  # blended in at model.config.knn_weight (see blend); None: the transformer alone
        self.items = items
        self.index = {p: i for i, p in enumerate(items)}
        self.evidence = evidence
        self.blocked = ~explain.repeatable_mask(items, evidence.repeatable)  # (V,) once bought, not recommended again

    @classmethod
    def load(cls, warehouse, model_dir: str | Path) -> Recommender:
        model, items = SASRec.from_pretrained(model_dir)
        return cls(model, items, explain.collect(warehouse), load_knn(model_dir, len(items)))

    # -- one customer -------------------------------------------------------------------------
    def recommend(self, customer_id: str | None, history: list[str], n: int = N) -> list[Rec]:
        """Top-`n` next products for a customer with this purchase history (product ids, oldest first)."""
        return self.recommend_many([customer_id], [history], n)[0]

    def recommend_many(self, customers: list[str | None], histories: list[list[str]], n: int = N, batch_size: int = 512) -> list[list[Rec]]:
        out: list[list[Rec]] = [[] for _ in customers]
        known = [[self.index[p] for p in h if p in self.index] for h in histories]
        warm = sorted((i for i, k in enumerate(known) if k), key=lambda i: len(known[i]))  # similar lengths batch together
        max_len = self.model.config.max_len
        for a in range(0, len(warm), batch_size):
            rows = warm[a : a + batch_size]
            seqs = [np.asarray(known[i], dtype=np.int64) for i in rows]
            length = min(max_len, max(len(s) for s in seqs))
            probs = self._probs(torch.from_numpy(pad_left(seqs, length)), seqs)  # (B, V)
            allowed = probs.clone()
            allowed[:, PAD] = -1.0
            for r, s in enumerate(seqs):
                seen = np.unique(s)
                allowed[r, torch.from_numpy(seen[self.blocked[seen]])] = -1.0  # bought, and not a repeat purchase
            top = allowed.topk(min(n, allowed.shape[1]), dim=1)
            for r, i in enumerate(rows):
                for score, j in zip(top.values[r].tolist(), top.indices[r].tolist(), strict=True):
                    if score < 0:
                        break
                    product = self.items[j]
                    out[i].append(Rec(product, score, self.evidence.reason(customers[i], histories[i], product)))
        for i, k in enumerate(known):
            if not k:
                out[i] = self.cold_start(customers[i], histories[i], n)
        return out

    def _probs(self, seq: torch.Tensor, histories: list[np.ndarray]) -> torch.Tensor:
        """Next-item probabilities (B, V): the transformer's, blended with item-kNN as evaluated."""
        with threads(1), torch.no_grad():
            scores = self.model.score_next(seq)
            c = self.model.config
            if self.knn is None or c.knn_weight <= 0.0:
                return torch.softmax(scores, dim=-1)
            return mix(scores, self.knn.score(histories), c.knn_weight, c.temperature)

    def cold_start(self, customer_id: str | None, history: list[str], n: int = N) -> list[Rec]:
        """Popular products of the customer's top category (of all categories for a new customer), labelled."""
        category = self.evidence.customer_category.get(customer_id or "")
        if category is None and history:
            cats = [self.evidence.product_category.get(p) for p in history]
            cats = [c for c in cats if c]
            category = max(sorted(set(cats)), key=cats.count) if cats else None
        exclude = {p for p in history if p not in self.evidence.repeatable}
        return [Rec(p, 0.0, r) for p, r in self.evidence.popular_in_category(category, exclude, n)]

    # -- everyone ----------------------------------------------------------------------------
    def recommend_all(self, warehouse, model_id: str, n: int = N, progress: Callable[[float, str], None] | None = None) -> pd.DataFrame:
        """Top-`n` with reasons for every customer in the sales, as app.recs rows (customers whose
        every order was cancelled get the labelled fallback)."""
        histories = customer_histories(warehouse)
        cur = warehouse.cursor()
        try:
            customers = [r[0] for r in cur.execute("SELECT DISTINCT customer_id FROM main.sales WHERE customer_id IS NOT NULL ORDER BY 1").fetchall()]
        finally:
            cur.close()
        customers = sorted(set(customers) | set(histories))
        rows = []
        step = 2048
        for a in range(0, len(customers), step):
            chunk = customers[a : a + step]
            for c, recs in zip(chunk, self.recommend_many(chunk, [histories.get(c, []) for c in chunk], n), strict=True):
                for rank, rec in enumerate(recs, start=1):
                    rows.append({"model_id": model_id, "customer_id": c, "rank": rank, "product_id": rec.product_id, "score": rec.score, **rec.reason.as_row()})
            if progress:
                progress(min(1.0, (a + step) / max(len(customers), 1)), f"{min(a + step, len(customers))} / {len(customers)} customers")
        return pd.DataFrame(rows, columns=list(store.RECS_COLUMNS))


def customer_histories(warehouse) -> dict[str, list[str]]:
    """Every customer's purchased product ids, oldest first (the model's input)."""
    cur = warehouse.cursor()
    try:
        p = purchases_cte(has_behavior_purchases(cur))
        df = cur.execute(f"SELECT customer_id, list(product_id ORDER BY t, order_id, line, product_id) AS h FROM ({p}) GROUP BY customer_id ORDER BY customer_id").df()
    finally:
        cur.close()
    return dict(zip(df.customer_id, (list(h) for h in df.h), strict=True))


def product_names(warehouse) -> dict[str, str]:
    cur = warehouse.cursor()
    try:
        return {p: n for p, n in cur.execute(PRODUCT_NAMES).fetchall() if n}
    finally:
        cur.close()


def customer_history(warehouse, customer_id: str) -> pd.DataFrame:
    """One customer's purchases with dates, oldest first: what the model reads, plus names and amounts."""
    cur = warehouse.cursor()
    try:
        p = purchases_cte(has_behavior_purchases(cur))
        return cur.execute(
            f"""SELECT p.t AS order_time, p.order_id, p.product_id, pr.product_name, p.category
                FROM ({p}) p LEFT JOIN ({PRODUCT_NAMES}) pr USING (product_id)
                WHERE p.customer_id = ? ORDER BY p.t, p.order_id, p.line, p.product_id""",
            [customer_id],
        ).df()
    finally:
        cur.close()


def stored_preview(warehouse, customer_id: str, lang: str = "en") -> pd.DataFrame:
    """A customer's stored top-N (app.recs) with product names and each reason as a sentence: what
    the page shows, read without running the model."""
    recs = store.read_recs(warehouse, customer_id)
    if recs.empty:
        return recs.assign(product_name=pd.Series(dtype=str), why=pd.Series(dtype=str))
    cur = warehouse.cursor()
    try:
        wanted = sorted(set(recs.product_id) | set(recs.reason_product.dropna()))
        cur.register("wanted", pd.DataFrame({"product_id": wanted}))
        names = dict(cur.execute(f"SELECT product_id, product_name FROM ({PRODUCT_NAMES}) WHERE product_id IN (SELECT product_id FROM wanted)").fetchall())
    finally:
        cur.close()
    recs["product_name"] = [names.get(p) for p in recs.product_id]
    recs["why"] = [explain.render(r, lang, names) for r in recs.to_dict("records")]
    return recs
