"""What the Reviews page shows, as queries over main.reviews joined with the stored scores.

Every function takes the warehouse, the active model version (see `score.Scorer.version`) and the
shared `Filters`: the date range applies to review_time (reviews without a time are kept), the
product filter to product_id, and category / brand through the product's row in main.products or
main.sales. Only small aggregated frames (or capped lists of quotes) come back.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ecom.filters import Filters
from ecom.queries.common import MAX_ROWS, day_bounds

_EN_WORD = re.compile(r"[a-z][a-z']+")
_CJK = re.compile(r"[\u3400-\u9fff]")
STOP = frozenset(
    "the a an and or but to of in on for with is it this that was were be been are i my me we you they he she its at as so "
    "very not no have has had do does did just all would will can if from than then there their them our your one get got "
    "的 了 是 我 也 都 就 在 和 有 还 很 又 这 那 吧 啊 呢 吗 买 个 说 去 给 用 到 让 着 被 把 好 不".split()
)


def _where(f: Filters | None, version: str) -> tuple[str, list]:
    clauses, params = ["s.model_version = ?"], [version]
    if f is None:
        return " AND ".join(clauses), params
    lo, hi = day_bounds(f.start, f.end)
    clauses.append("(r.review_time IS NULL OR (r.review_time >= ? AND r.review_time < ?))")
    params += [lo, hi]
    if f.product:
        clauses.append("r.product_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(f.product))
    for dim in ("category", "brand"):
        values = getattr(f, dim)
        if values:
            clauses.append(
                f"r.product_id IN (SELECT product_id FROM main.products WHERE {dim} IN (SELECT unnest(?::VARCHAR[])) "
                f"UNION SELECT product_id FROM main.sales WHERE {dim} IN (SELECT unnest(?::VARCHAR[])))"
            )
            params += [list(values), list(values)]
    return " AND ".join(clauses), params


_SCORED = "main.reviews r JOIN app.review_scores s ON s.text_hash = sha256(r.review_text)"


def _query(wh, sql: str, params: list) -> pd.DataFrame:
    cur = wh.cursor()
    try:
        return cur.execute(sql, params).df()
    finally:
        cur.close()


def sentiment_mix(wh, version: str, f: Filters | None = None, freq: str = "month") -> pd.DataFrame:
    """period, negative, neutral, positive (review counts) over review time (day/week/month)."""
    if freq not in ("day", "week", "month"):
        raise ValueError(f"freq must be day, week or month, not {freq!r}")
    where, params = _where(f, version)
    sql = f"""SELECT date_trunc('{freq}', r.review_time) AS period,
                     count(*) FILTER (WHERE s.label = 'negative') AS negative,
                     count(*) FILTER (WHERE s.label = 'neutral') AS neutral,
                     count(*) FILTER (WHERE s.label = 'positive') AS positive
              FROM {_SCORED} WHERE {where} AND r.review_time IS NOT NULL GROUP BY 1 ORDER BY 1"""
    return _query(wh, sql, params)


def sentiment_by(wh, version: str, f: Filters | None = None, by: str = "product_id", min_reviews: int = 1) -> pd.DataFrame:
    """key, reviews, negative, neutral, positive, negative_rate, mean_rating per product or category."""
    if by == "product_id":
        key = "r.product_id"
    elif by == "category":
        key = "coalesce((SELECT any_value(p.category) FROM main.products p WHERE p.product_id = r.product_id), " \
              "(SELECT any_value(x.category) FROM main.sales x WHERE x.product_id = r.product_id))"
    else:
        raise ValueError(f"by must be product_id or category, not {by!r}")
    where, params = _where(f, version)
    sql = f"""SELECT {key} AS key, count(*) AS reviews,
                     count(*) FILTER (WHERE s.label = 'negative') AS negative,
                     count(*) FILTER (WHERE s.label = 'neutral') AS neutral,
                     count(*) FILTER (WHERE s.label = 'positive') AS positive,
                     avg(r.rating) AS mean_rating
              FROM {_SCORED} WHERE {where} GROUP BY 1 HAVING count(*) >= ? ORDER BY reviews DESC LIMIT {MAX_ROWS}"""
    out = _query(wh, sql, params + [min_reviews])
    out["negative_rate"] = out.negative / out.reviews
    return out


def negative_leaderboard(wh, version: str, f: Filters | None = None, min_reviews: int = 5, limit: int = 20) -> pd.DataFrame:
    """Products ranked by units sold × negative rate: the ones that sell a lot and are disliked first.

    Units and revenue are those of the sale lines (ecom.queries.definitions) of the filter's date range,
    as on the sales pages, so the board ranks what sold in the period the reviews come from."""
    by_product = sentiment_by(wh, version, f, "product_id", min_reviews)
    by_product = by_product[by_product.key.notna()]
    if by_product.empty:
        return by_product.assign(units=pd.Series(dtype=float), revenue=pd.Series(dtype=float), unhappy_units=pd.Series(dtype=float))
    where, params = "product_id IN (SELECT unnest(?::VARCHAR[])) AND line_kind = 'sale'", [by_product.key.tolist()]
    if f is not None:
        where += " AND order_time >= ? AND order_time < ?"
        params += list(day_bounds(f.start, f.end))
    sales = _query(
        wh,
        "SELECT product_id AS key, any_value(product_name) AS product_name, sum(quantity) AS units, "
        f"sum(coalesce(revenue, quantity * unit_price))::DOUBLE AS revenue FROM main.sales WHERE {where} GROUP BY 1",
        params,
    )
    out = by_product.merge(sales, on="key", how="left")
    out["units"] = out.units.fillna(0)
    out["unhappy_units"] = out.units * out.negative_rate
    return out.sort_values(["unhappy_units", "negative_rate"], ascending=False).head(limit).reset_index(drop=True)


def aspect_summary(wh, version: str, aspects_version: str, f: Filters | None = None) -> pd.DataFrame:
    """aspect, reviews (mentioning it), share (of scored reviews), negative, neutral, positive."""
    where, params = _where(f, version)
    sql = f"""WITH picked AS (SELECT DISTINCT r.rowid AS rid, s.text_hash FROM {_SCORED} WHERE {where})
              SELECT a.aspect, count(DISTINCT p.rid) AS reviews,
                     count(DISTINCT p.rid) FILTER (WHERE a.polarity < 0) AS negative,
                     count(DISTINCT p.rid) FILTER (WHERE a.polarity = 0) AS neutral,
                     count(DISTINCT p.rid) FILTER (WHERE a.polarity > 0) AS positive,
                     (SELECT count(*) FROM picked) AS total
              FROM picked p JOIN app.review_aspects a ON a.text_hash = p.text_hash AND a.aspects_version = ?
              GROUP BY 1 ORDER BY reviews DESC"""
    out = _query(wh, sql, params + [aspects_version])
    out["share"] = out.reviews / out.total.where(out.total > 0, 1)
    return out.drop(columns="total")


def aspect_quotes(wh, version: str, aspects_version: str, aspect: str, f: Filters | None = None,
                  polarity: int | None = None, limit: int = 50) -> pd.DataFrame:
    """The reviews behind an aspect chip: review_time, product_id, rating, clause, review_text."""
    where, params = _where(f, version)
    extra = "" if polarity is None else " AND a.polarity = ?"
    sql = f"""SELECT r.review_time, r.product_id, r.rating, s.label, a.polarity, a.clause, r.review_text
              FROM {_SCORED} JOIN app.review_aspects a ON a.text_hash = s.text_hash AND a.aspects_version = ?
              WHERE {where} AND a.aspect = ?{extra} ORDER BY r.review_time DESC NULLS LAST LIMIT ?"""
    return _query(wh, sql, [aspects_version] + params + [aspect] + ([polarity] if polarity is not None else []) + [limit])


def mismatches(wh, version: str, f: Filters | None = None, limit: int = 100) -> pd.DataFrame:
    """Rating and text disagree: ≥4★ with clearly negative text, or ≤2★ with clearly positive text."""
    where, params = _where(f, version)
    sql = f"""SELECT r.review_time, r.product_id, r.rating, s.p_positive, r.review_text,
                     CASE WHEN r.rating >= 4 THEN 'high rating, negative text' ELSE 'low rating, positive text' END AS mismatch
              FROM {_SCORED} WHERE {where} AND s.label <> 'neutral'
                AND ((r.rating >= 4 AND s.label = 'negative') OR (r.rating <= 2 AND s.label = 'positive'))
              ORDER BY abs(s.p_positive - (r.rating - 1) / 4.0) DESC LIMIT ?"""
    return _query(wh, sql, params + [limit])


def search(wh, version: str, text: str, f: Filters | None = None, limit: int = 200) -> pd.DataFrame:
    """Reviews whose text contains `text` (case-insensitive), newest first."""
    where, params = _where(f, version)
    sql = f"""SELECT r.review_time, r.product_id, r.rating, s.label, s.p_positive, r.review_text
              FROM {_SCORED} WHERE {where} AND contains(lower(r.review_text), lower(?))
              ORDER BY r.review_time DESC NULLS LAST LIMIT ?"""
    return _query(wh, sql, params + [text, limit])


def texts_by_label(wh, version: str, f: Filters | None = None, limit: int = 20000) -> dict[str, list[str]]:
    where, params = _where(f, version)
    sql = f"SELECT s.label, r.review_text FROM {_SCORED} WHERE {where} AND s.label <> 'neutral' LIMIT ?"
    frame = _query(wh, sql, params + [limit])
    return {label: frame.review_text[frame.label == label].tolist() for label in ("negative", "positive")}


def terms(text: str) -> list[str]:
    """Words for term statistics: jieba words for Chinese (two characters or more), English words."""
    from ecom.reviews.aspects import _jieba

    out = [w for w in _EN_WORD.findall(text.lower()) if w not in STOP]
    if _CJK.search(text):
        out += [w for w in _jieba().lcut(text) if len(w) >= 2 and _CJK.search(w) and w not in STOP]
    return out


def log_odds(negative: Iterable[str], positive: Iterable[str], top: int = 20, min_count: int = 3) -> pd.DataFrame:
    """Distinctive terms of negative vs positive reviews: log-odds ratio with an informative
    Dirichlet prior (Monroe, Colaresi & Quinn 2008), the prior being both groups together.

    Returns term, side ('negative'/'positive'), z (the z-score of the log-odds difference), count.
    """
    neg = Counter(t for text in negative for t in set(terms(text)))
    pos = Counter(t for text in positive for t in set(terms(text)))
    prior = neg + pos
    vocab = [w for w, c in prior.items() if c >= min_count]
    if not vocab:
        return pd.DataFrame(columns=["term", "side", "z", "count"])
    y_n = np.array([neg[w] for w in vocab], dtype=float)
    y_p = np.array([pos[w] for w in vocab], dtype=float)
    a = np.array([prior[w] for w in vocab], dtype=float)
    a = a / a.sum() * min(1000.0, a.sum())  # prior strength: at most 1000 pseudo-counts
    n_n, n_p, a0 = y_n.sum(), y_p.sum(), a.sum()
    delta = np.log((y_n + a) / (n_n + a0 - y_n - a)) - np.log((y_p + a) / (n_p + a0 - y_p - a))
    z = delta / np.sqrt(1.0 / (y_n + a) + 1.0 / (y_p + a))
    frame = pd.DataFrame({"term": vocab, "z": z, "count": (y_n + y_p).astype(int)})
    negative_terms = frame.nlargest(top, "z").assign(side="negative")
    positive_terms = frame.nsmallest(top, "z").assign(side="positive", z=lambda d: -d.z)
    out = pd.concat([negative_terms[negative_terms.z > 0], positive_terms[positive_terms.z > 0]], ignore_index=True)
    return out[["term", "side", "z", "count"]]


def rating_label(rating) -> str | None:
    if rating is None or (isinstance(rating, float) and math.isnan(rating)):
        return None
    return "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"
