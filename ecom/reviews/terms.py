"""Words of reviews for term statistics, and the terms that set negative reviews apart from positive
ones (a log-odds ratio with an informative Dirichlet prior).

Background scoring stores each text's terms (`ecom.reviews.score.score_aspects`), so the Reviews page
counts them with a query instead of segmenting texts on a visit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

_EN_WORD = re.compile(r"[a-z][a-z']+")
_CJK = re.compile(r"[\u3400-\u9fff]")
STOP = frozenset(
    "the a an and or but to of in on for with is it this that was were be been are i my me we you they he she its at as so "
    "very not no have has had do does did just all would will can if from than then there their them our your one get got "
    "的 了 是 我 也 都 就 在 和 有 还 很 又 这 那 吧 啊 呢 吗 买 个 说 去 给 用 到 让 着 被 把 好 不".split()
)


def _english(text: str) -> list[str]:
    return [w for w in _EN_WORD.findall(text.lower()) if w not in STOP]


def _chinese(words: Iterable[str]) -> list[str]:
    """Of a text's jieba words (`ecom.reviews.aspects.segment`), those for term statistics."""
    return [w for w in words if len(w) >= 2 and _CJK.search(w) and w not in STOP]


def terms(text: str, cut: list[str] | None = None) -> list[str]:
    """Words for term statistics: English words, then jieba words of two characters or more. `cut`:
    the text's `segment`, when the caller has it already (the aspects pass cuts each text once)."""
    from ecom.reviews.aspects import segment

    return _english(text) + _chinese(segment(text) if cut is None else cut)


def log_odds(negative: Iterable[str], positive: Iterable[str], top: int = 20, min_count: int = 3) -> pd.DataFrame:
    """`log_odds_counts` of the terms of two groups of texts, each text counting a term once."""
    neg = Counter(t for text in negative for t in set(terms(text)))
    pos = Counter(t for text in positive for t in set(terms(text)))
    return log_odds_counts(neg, pos, top, min_count)


def log_odds_counts(neg: Counter, pos: Counter, top: int = 20, min_count: int = 3) -> pd.DataFrame:
    """Distinctive terms of negative vs positive reviews from how many reviews of each hold each term:
    log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), the prior
    being both groups together.

    Returns term, side ('negative'/'positive'), z (the z-score of the log-odds difference), count.
    """
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
