"""The sequential signals planted for the recommender, by product type; resolved to product ids
against the catalogue. The ground-truth file describes exactly these."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Catalog

# (category, antecedent type, consequent type, probability, gap range in days): a customer's first
# purchase of the antecedent is followed, with the probability, by an order of the consequent
# (same brand where the brand sells it) after a uniform gap.
BOUGHT_NEXT = (
    ("数码", "手机", "蓝牙耳机", 0.45, (5, 40)),
    ("个护", "电动牙刷", "牙刷头", 0.50, (60, 100)),
    ("母婴", "婴儿奶粉", "辅食米粉", 0.40, (20, 60)),
    ("美妆", "洁面乳", "保湿面霜", 0.35, (7, 30)),
    ("运动", "跑鞋", "运动袜", 0.30, (7, 30)),
    ("家居", "四件套", "枕头", 0.30, (7, 30)),
    ("宠物", "宠物窝", "宠物零食", 0.35, (5, 25)),
    ("女装", "羊毛大衣", "针织开衫", 0.25, (7, 30)),
    ("美妆", "精华液", "防晒霜", 0.30, (10, 40)),
)
# (category, anchor type, companion type, probability): the companion joins the anchor's basket.
CO_PURCHASE = (
    ("数码", "手机", "手机壳", 0.60),
    ("个护", "洗发水", "护发素", 0.50),
    ("宠物", "猫粮", "猫砂", 0.45),
    ("母婴", "纸尿裤", "婴儿湿巾", 0.50),
    ("食品", "挂耳咖啡", "坚果礼盒", 0.30),
)
# (category, type, cycle days): a share of first-time buyers rebuy it every cycle (± jitter) until
# they stop (each cycle continues with REPLENISH_CONTINUE) or the data ends.
REPLENISH = (
    ("母婴", "纸尿裤", 30),
    ("宠物", "猫粮", 30),
    ("食品", "挂耳咖啡", 30),
    ("美妆", "面膜", 28),
    ("个护", "洗衣液", 35),
    ("运动", "蛋白粉", 30),
)
REPLENISH_START = 0.3
REPLENISH_CONTINUE = 0.85
REPLENISH_JITTER_DAYS = 2.0
# Products whose reviews and returns carry a planted problem: (category, type, aspect).
PROBLEM_PRODUCTS = (
    ("女装", "连衣裙", "size"),
    ("数码", "蓝牙耳机", "quality"),
    ("食品", "蜂蜜", "packaging"),
)
PROBLEM_REFUND_FACTOR = 2.5


@dataclass
class Plants:
    next_x: np.ndarray
    next_y: np.ndarray
    next_p: np.ndarray
    next_gap: np.ndarray  # (n, 2) days
    co_a: np.ndarray
    co_b: np.ndarray
    co_p: np.ndarray
    rep_product: np.ndarray
    rep_cycle: np.ndarray
    problem: np.ndarray
    problem_aspect: tuple[str, ...]


def _same_brand(cat: Catalog, category: str, type_zh: str, brand: int) -> int:
    from .catalog import CATEGORY_NAMES

    hits = np.flatnonzero((cat.category == CATEGORY_NAMES.index(category)) & (cat.type_zh == type_zh) & (cat.brand == brand))
    if not len(hits):
        hits = np.flatnonzero((cat.category == CATEGORY_NAMES.index(category)) & (cat.type_zh == type_zh))
    # the least popular candidate, so background purchases blur the planted rate least
    return int(hits[np.argmin(cat.popularity[hits])])


def resolve(cat: Catalog) -> Plants:
    xs, ys = [], []
    for c, tx, ty, _, _ in BOUGHT_NEXT:
        x = cat.find(c, tx)
        xs.append(x)
        ys.append(_same_brand(cat, c, ty, cat.brand[x]))
    co_a, co_b = [], []
    for c, ta, tb, _ in CO_PURCHASE:
        a = cat.find(c, ta)
        co_a.append(a)
        co_b.append(_same_brand(cat, c, tb, cat.brand[a]))
    rep = [cat.find(c, t) for c, t, _ in REPLENISH]
    problem = [cat.find(c, t) for c, t, _ in PROBLEM_PRODUCTS]
    used_after = set(ys) | set(co_b) | set(rep)
    if used_after & set(xs) or len(set(xs)) != len(xs):
        raise AssertionError("planted antecedents must not be bought as consequences of other plants")
    return Plants(
        next_x=np.array(xs), next_y=np.array(ys), next_p=np.array([b[3] for b in BOUGHT_NEXT]),
        next_gap=np.array([b[4] for b in BOUGHT_NEXT], dtype=float),
        co_a=np.array(co_a), co_b=np.array(co_b), co_p=np.array([c[3] for c in CO_PURCHASE]),
        rep_product=np.array(rep), rep_cycle=np.array([r[2] for r in REPLENISH], dtype=float),
        problem=np.array(problem), problem_aspect=tuple(p[2] for p in PROBLEM_PRODUCTS),
    )


def boost(cat: Catalog, plants: Plants) -> None:
    """Make planted antecedents and consumables popular enough to measure their signals."""
    pop = cat.popularity
    for idx, factor in ((plants.next_x, 2.5), (plants.co_a, 1.8), (plants.rep_product, 2.0)):
        pop[idx] *= factor
    for ci in np.unique(cat.category):
        m = cat.category == ci
        pop[m] /= pop[m].sum()
