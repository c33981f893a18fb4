"""The TF-IDF + logistic-regression baseline every model figure is reported beside.

Character 1–3-grams for Chinese, word 1–2-grams for English, one model per language, trained on
the same training split as the model. A review is Chinese when CJK characters make up at least
a fifth of its letters.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

MIN_ROWS = 50
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")


def language(text: str) -> str:
    letters = len(_LETTER.findall(text))
    return "zh" if letters and len(_CJK.findall(text)) / letters >= 0.2 else "en"


def _pipeline(lang: str, c: float) -> Pipeline:
    if lang == "zh":
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=400_000)
    else:
        vectorizer = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True, max_features=400_000)
    return make_pipeline(vectorizer, LogisticRegression(C=c, max_iter=2000))


class Baseline:
    """`fit(texts, labels)` then `predict_proba(texts)` -> P(positive) per text."""

    def __init__(self, c: float = 4.0):
        self.c = c
        self.models: dict[str, Pipeline] = {}

    def fit(self, texts, labels) -> Baseline:
        langs = np.array([language(t) for t in texts])
        texts, labels = np.asarray(texts, dtype=object), np.asarray(labels)
        for lang in ("zh", "en"):
            pick = langs == lang
            # a handful of rows in a language (a Chinese corpus with some English reviews) is no model
            if pick.sum() >= MIN_ROWS and len(set(labels[pick])) == 2:
                self.models[lang] = _pipeline(lang, self.c).fit(texts[pick], labels[pick])
        return self

    def predict_proba(self, texts) -> np.ndarray:
        texts = np.asarray(texts, dtype=object)
        langs = np.array([language(t) for t in texts])
        out = np.full(len(texts), 0.5)
        for lang, model in self.models.items():
            pick = langs == lang
            if pick.any():
                out[pick] = model.predict_proba(texts[pick])[:, 1]
        # a language without a model borrows the other one (better than a coin)
        for lang in ("zh", "en"):
            pick = langs == lang
            if pick.any() and lang not in self.models and self.models:
                out[pick] = next(iter(self.models.values())).predict_proba(texts[pick])[:, 1]
        return out
