"""Reviews of sampled order lines: ratings that agree with their text, aspects by category,
problem products and refunds pulling ratings down, and a few planted rating/text mismatches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Catalog
from .orders import DAY, END_SECONDS, OK, Lines
from .plants import Plants
from .review_text import ASPECTS, compose

BASE_RATE = 0.05  # share of lines that get a review
REFUND_REVIEW_RATE = 0.3
PROBLEM_REVIEW_RATE = 0.12
PROBLEM_NEGATIVE = 0.6  # share of a problem product's reviews that complain about its aspect
MISMATCH_RATE = 0.03
EN_RATE = 0.25
RATING_P = np.array([0.08, 0.04, 0.08, 0.18, 0.62])  # 1..5 stars


@dataclass
class ReviewSet:
    review_id: list[str]
    line: np.ndarray  # index into the lines the reviews were drawn from
    review_t: np.ndarray  # seconds since start
    rating: np.ndarray
    text: list[str]
    lang: list[str]
    text_rating: np.ndarray
    aspects: list[dict[str, int]]

    @property
    def mismatch(self) -> np.ndarray:
        return np.sign(self.rating - 3) != np.sign(self.text_rating - 3)


def make_reviews(rng: np.random.Generator, lines: Lines, cat: Catalog, plants: Plants) -> ReviewSet:
    problem = np.isin(lines.product, plants.problem)
    refunded = (lines.status != OK) & (lines.refund_cents > 0)
    rate = np.where(refunded, REFUND_REVIEW_RATE, np.where(problem, PROBLEM_REVIEW_RATE, BASE_RATE))
    eligible = lines.t < END_SECONDS - 3 * DAY
    pick = np.flatnonzero(eligible & (rng.random(len(lines)) < rate))
    review_t = np.minimum(lines.t[pick] + rng.integers(2 * DAY, 20 * DAY, len(pick)), END_SECONDS - 1)
    order = np.argsort(review_t, kind="stable")
    pick, review_t = pick[order], review_t[order]

    sized_aspects = list(ASPECTS)
    plain_aspects = [a for a in ASPECTS if a != "size"]
    problem_aspect = dict(zip(plants.problem.tolist(), plants.problem_aspect, strict=True))
    out = ReviewSet([], pick, review_t, np.zeros(len(pick), np.int64), [], [], np.zeros(len(pick), np.int64), [])
    for i, li in enumerate(pick.tolist()):
        prod = int(lines.product[li])
        lang = "en" if rng.random() < EN_RATE else "zh"
        aspects = sized_aspects if cat.sized[prod] else plain_aspects
        forced = None
        text_rating = int(rng.choice(5, p=RATING_P)) + 1
        if prod in problem_aspect and rng.random() < PROBLEM_NEGATIVE:
            text_rating = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
            forced = (problem_aspect[prod], -1)
        elif refunded[li] and rng.random() < 0.7:
            text_rating = int(rng.choice([1, 2], p=[0.6, 0.4]))
            forced = ("size" if cat.sized[prod] else "quality", -1)
        rating = text_rating
        if rng.random() < MISMATCH_RATE:
            if text_rating >= 4 and rng.random() < 0.3:
                rating = 1  # happy text, one star (a slip of the finger)
            else:
                text_rating, rating = 1, 5  # angry text, five stars (habit, or the platform's default)
        name = str(cat.type_zh[prod]) if lang == "zh" else str(cat.type_en[prod])
        text, mentioned = compose(rng, lang, text_rating, aspects, name, forced)
        out.review_id.append(f"R{i + 1:08d}")
        out.rating[i] = rating
        out.text_rating[i] = text_rating
        out.text.append(text)
        out.lang.append(lang)
        out.aspects.append(mentioned)
    return out

