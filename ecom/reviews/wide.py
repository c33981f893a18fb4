"""Fitting the model's wide part: logistic regression on TF-IDF of the model's own hashed n-grams.

The features are made by the model's `hashed_ngrams` on the tokenizer's ids (so training and
inference see the same buckets), turned into L2-normalised sublinear TF-IDF rows (the same
formula as `Wide.forward`), and fit with scikit-learn's `LogisticRegression` (lbfgs, exact).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from ecom.reviews.model import ReviewSentimentModel, hashed_ngrams


def tfidf_counts(model: ReviewSentimentModel, tokenizer, texts: Sequence[str], batch_size: int = 256) -> sparse.csr_matrix:
    """[N, wide_buckets] n-gram counts per text, as the model hashes them."""
    config = model.config
    ids = tokenizer(list(texts), truncation=True, max_length=config.max_tokens)["input_ids"]
    rows, cols = [], []
    for start in range(0, len(ids), batch_size):
        part = ids[start : start + batch_size]
        width = max(len(r) for r in part)
        input_ids = torch.zeros((len(part), width), dtype=torch.long)  # [b, T]
        mask = torch.zeros_like(input_ids)
        for i, r in enumerate(part):
            input_ids[i, : len(r)] = torch.tensor(r)
            mask[i, : len(r)] = 1
        grams, valid = hashed_ngrams(input_ids, mask, config.ngram_orders, config.wide_buckets)  # [b, G]
        r, c = torch.nonzero(valid, as_tuple=True)
        rows.append((r + start).numpy())
        cols.append(grams[r, c].numpy())
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(ids), config.wide_buckets))
    counts.sum_duplicates()
    return counts


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ x


def fit_wide(model: ReviewSentimentModel, tokenizer, texts: Sequence[str], labels: Sequence[int], c: float = 4.0) -> dict:
    """Fit the wide part on texts labelled 0/1 and store idf, weights and bias in the model."""
    if model.wide is None:
        raise ValueError("this model has no wide part (wide_buckets is 0)")
    counts = tfidf_counts(model, tokenizer, texts)
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    # smooth idf as scikit-learn computes it; buckets never seen keep idf 0 (they carry no weight)
    idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1.0, 0.0)
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit(tfidf(counts, idf), np.asarray(labels))
    with torch.no_grad():
        model.wide.idf.copy_(torch.from_numpy(idf))
        model.wide.weight.copy_(torch.from_numpy(lr.coef_[0]))
        model.wide.bias.fill_(float(lr.intercept_[0]))
    return {"rows": n, "buckets_used": int((df > 0).sum()), "iterations": int(lr.n_iter_[0])}
