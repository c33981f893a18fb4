"""Fitting the model's wide part: logistic regression on TF-IDF of the model's own hashed n-grams.

The features are made by the model's `hashed_ngrams` on the tokenizer's ids (so training and
inference see the same buckets), turned into L2-normalised sublinear TF-IDF rows (the same
formula as `Wide.forward`), and fit with scikit-learn's `LogisticRegression` (lbfgs, exact).

With domains, each training row's TF-IDF values are entered twice: at their buckets and at their
domain's copies of them (`domain_buckets`), so one regression learns the shared weights and each
domain's corrections together. Training rows use their given domain; the domain classifier, a
multinomial regression on the same rows folded into `domain_buckets` columns, is what picks one
at inference.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from ecom.reviews.model import ReviewSentimentModel, domain_buckets, hashed_ngrams


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


def with_domain_copies(x: sparse.csr_matrix, domains: np.ndarray, buckets: int) -> sparse.csr_matrix:
    """Rows of `x` plus the same values at their domain's copy of each bucket (row i in domain domains[i])."""
    cells = x.tocoo()
    moved = domain_buckets(torch.from_numpy(cells.col.astype(np.int64))[:, None], torch.from_numpy(domains[cells.row]), buckets)[:, 0]
    copies = sparse.csr_matrix((cells.data, (cells.row, moved.numpy())), shape=x.shape)
    return (x + copies).tocsr()


def fit_wide(model: ReviewSentimentModel, tokenizer, texts: Sequence[str], labels: Sequence[int], c: float = 4.0,
             domains: Sequence[str] | None = None) -> dict:
    """Fit the wide part on texts labelled 0/1 and store idf, weights and bias in the model.

    domains: each text's domain, one of `model.config.domains` (needed when the config names two or more).
    """
    if model.wide is None:
        raise ValueError("this model has no wide part (wide_buckets is 0)")
    counts = tfidf_counts(model, tokenizer, texts)
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    # smooth idf as scikit-learn computes it; buckets never seen keep idf 0 (they carry no weight)
    idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1.0, 0.0)
    x = tfidf(counts, idf)
    result = {"rows": n, "buckets_used": int((df > 0).sum())}
    if model.wide.domain_count:
        names = model.config.domains
        if domains is None or len(domains) != n:
            raise ValueError(f"this model keeps weights per domain ({', '.join(names)}): give every training text its domain")
        unknown = sorted(set(domains) - set(names))
        if unknown:
            raise ValueError(f"domains not in the model's config: {', '.join(map(str, unknown))}")
        number = {name: i for i, name in enumerate(names)}
        d = np.asarray([number[v] for v in domains], dtype=np.int64)
        result["domain_accuracy_train"] = _fit_domains(model, x, d)
        x = with_domain_copies(x, d, model.config.wide_buckets)
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit(x, np.asarray(labels))
    with torch.no_grad():
        model.wide.idf.copy_(torch.from_numpy(idf))
        model.wide.weight.copy_(torch.from_numpy(lr.coef_[0]))
        model.wide.bias.fill_(float(lr.intercept_[0]))
    return {**result, "iterations": int(lr.n_iter_[0])}


def _fit_domains(model: ReviewSentimentModel, x: sparse.csr_matrix, d: np.ndarray) -> float:
    """The domain classifier: multinomial regression on the TF-IDF rows folded into domain_buckets columns."""
    fold = model.config.domain_buckets
    folded = sparse.csr_matrix((x.data.copy(), x.indices % fold, x.indptr.copy()), shape=(x.shape[0], fold))
    folded.sum_duplicates()
    # C = 4 was the best of 4 and 16 on validation domains (0.924 and 0.922 accuracy, 14 domains)
    lr = LogisticRegression(C=4.0, max_iter=1000)
    lr.fit(folded, d)
    count = model.wide.domain_count
    coef = np.zeros((count, fold))
    bias = np.full(count, -np.inf)
    if len(lr.classes_) == 2:
        # scikit-learn keeps one row for two classes: the log-odds of the second
        coef[lr.classes_] = np.stack([-lr.coef_[0] / 2, lr.coef_[0] / 2])
        bias[lr.classes_] = [-lr.intercept_[0] / 2, lr.intercept_[0] / 2]
    else:
        coef[lr.classes_], bias[lr.classes_] = lr.coef_, lr.intercept_
    with torch.no_grad():
        model.wide.domain_weight.copy_(torch.from_numpy(coef.T))
        # a domain named in the config but absent from the data is never picked
        model.wide.domain_bias.copy_(torch.from_numpy(np.maximum(bias, -1e4)))
    return float((lr.predict(folded) == d).mean())
