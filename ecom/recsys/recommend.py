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

from ecom.queries import common
from ecom.recsys import data, explain, store
from ecom.recsys.baselines import ItemKNN
from ecom.recsys.blend import load_knn, mix
from ecom.recsys.data import pad_left
from ecom.recsys.model import PAD, SASRec, threads

N = 10


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
    def recommend_all(self, warehouse, model_id: str, n: int = N, progress: Callable[[float, str], None] | None = None,
                      histories: dict[str, list[str]] | None = None) -> pd.DataFrame:
        """Top-`n` with reasons for every customer in the sales, as app.recs rows (customers whose
        every order was cancelled get the labelled fallback). `histories`: `customer_histories`,
        when the caller has them already."""
        histories = customer_histories(warehouse) if histories is None else histories
        t = common.table(warehouse, "sales")
        customers = common.fetch(t.filter(t.customer_id.notnull()).select("customer_id").distinct()).customer_id
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
    df = data.ordered_purchases(warehouse)
    customers = df.customer_id.to_numpy(dtype=object)
    products = df.product_id.to_numpy(dtype=object)
    return {str(customers[a]): [str(p) for p in products[a:b]] for a, b in data.runs(customers)}


def product_names(warehouse, ids=None) -> dict[str, str]:
    """A name per product (of these products, when given): the product master's when loaded, else
    its label on the order lines (`common.product_attributes`: the most frequent name)."""
    if ids is not None:
        ids = sorted({str(i) for i in ids if i is not None and not pd.isna(i)})
        if not ids:
            return {}
    a = common.product_attributes(warehouse)
    a = a.filter(a.name.notnull()).select("product_id", "name")
    m = explain.most_common(common.table(warehouse, "products"), "product_id", "product_name")
    if ids is not None:
        a, m = a.filter(a.product_id.isin(ids)), m.filter(m.product_id.isin(ids))
    both = a.outer_join(m, a.product_id == m.product_id)
    df = common.fetch(both.select(product_id=both.product_id.coalesce(both.product_id_right), name=both.product_name.coalesce(both.name)))
    return dict(zip(df.product_id, df.name, strict=True))


def customer_history(warehouse, customer_id: str) -> pd.DataFrame:
    """One customer's purchases with dates, oldest first: what the model reads, plus names and categories."""
    p = data.purchases(warehouse, customer_id)
    df = common.fetch(data.in_sequence_order(p.select("category", *data.SEQUENCE_ORDER)))
    names = product_names(warehouse, df.product_id)
    df["product_name"] = pd.Series([names.get(x) for x in df.product_id], index=df.index, dtype=object)
    return df.rename(columns={"t": "order_time"})[["order_time", "order_id", "product_id", "product_name", "category"]].reset_index(drop=True)


def stored_preview(warehouse, customer_id: str, lang: str = "en") -> pd.DataFrame:
    """A customer's stored top-N (app.recs) with product names and each reason as a sentence: what
    the page shows, read without running the model."""
    recs = store.read_recs(warehouse, customer_id)
    if recs.empty:
        return recs.assign(product_name=pd.Series(dtype=str), why=pd.Series(dtype=str))
    names = product_names(warehouse, set(recs.product_id) | set(recs.reason_product.dropna()))
    recs["product_name"] = [names.get(p) for p in recs.product_id]
    recs["why"] = [explain.render(r, lang, names) for r in recs.to_dict("records")]
    return recs
