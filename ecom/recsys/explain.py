"""The evidence behind recommendations: figures a person can check against the warehouse.

Every reason carries its counts, and each is defined by one SQL query below over the same purchases
the model trains on (`data.purchases_cte`: sales lines not cancelled or fully refunded, plus behaviour
purchase events). "Now" is the latest purchase in the warehouse, so figures stay meaningful on
historical data.

- bought_next: of the customers who bought X in an order followed by another order, the share whose
  next order contained Y ("bought next by 34% of customers who bought X (41 of 120)").
- bought_together: of the orders containing X, the share that also contained Y.
- repeat: the customer bought Y in n ≥ 2 orders; "every ~d days" is (last − first) / (n − 1) in days,
  "last order m days ago" counts from now.
- top_category: Y is among the most-bought products (by distinct buyers in the last 30 days) of the
  category the customer bought most lines of.
- popular_in_category: the cold-start fallback, labelled as such (new customer or unknown product).
- model: none of the above holds; the figure shown is how many customers ever bought Y.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ecom.i18n import t as tr
from ecom.recsys.data import has_behavior_purchases, purchases_cte

WINDOW_DAYS = 30  # "this month": the last 30 days before the latest purchase
TOP_IN_CATEGORY = 20  # a product must rank this high in a category to be called popular there
MIN_SUPPORT = 2  # a pair resting on fewer customers/orders is no evidence
REPEATABLE_SHARE = 0.1  # a product is a repeat purchase when this share of its buyers bought it again

KINDS = ("repeat", "bought_next", "bought_together", "top_category", "popular_in_category", "model")


@dataclass
class Reason:
    kind: str
    product: str | None = None  # X of bought_next / bought_together
    category: str | None = None
    count: int = 0  # customers (bought_next), orders (bought_together), buyers (top_category, model)
    base: int = 0  # the denominator of count (bought_next, bought_together); products ranked (categories)
    rank: int = 0  # the product's place in its category (top_category, popular_in_category)
    interval_days: float = 0.0  # repeat: ~ every this many days
    days_since: float = 0.0  # repeat: days since the customer's last order of the product

    @property
    def share(self) -> float:
        return self.count / self.base if self.base else 0.0

    def as_row(self) -> dict:
        return {
            "reason": self.kind, "reason_product": self.product, "reason_category": self.category,
            "reason_count": self.count, "reason_base": self.base, "reason_share": round(self.share, 4),
            "reason_rank": self.rank, "reason_interval_days": round(self.interval_days, 1), "reason_days_since": round(self.days_since, 1),
        }  # fmt: skip


def render(reason: Reason | dict, lang: str = "en", names: dict[str, str] | None = None) -> str:
    """The reason as a sentence; `names` maps product ids to names for display."""
    r = reason if isinstance(reason, Reason) else Reason(
        kind=reason["reason"], product=reason.get("reason_product"), category=reason.get("reason_category"),
        count=int(reason.get("reason_count") or 0), base=int(reason.get("reason_base") or 0), rank=int(reason.get("reason_rank") or 0),
        interval_days=float(reason.get("reason_interval_days") or 0), days_since=float(reason.get("reason_days_since") or 0),
    )  # fmt: skip
    product = (names or {}).get(r.product, r.product) if r.product else ""
    return tr(
        f"recsys.reason.{r.kind}", lang, product=product, category=r.category or "", count=r.count, base=r.base,
        share=round(100 * r.share), rank=r.rank, interval=round(r.interval_days), days=round(r.days_since), window=WINDOW_DAYS,
    )  # fmt: skip


@dataclass
class Evidence:
    """All figures reasons draw on, computed once from the warehouse (seconds), then looked up (µs)."""

    now: float  # epoch seconds of the latest purchase
    next_pairs: dict[str, dict[str, int]]  # X -> {Y: customers whose next order after X contained Y}
    next_base: dict[str, int]  # X -> customers who bought X in an order followed by another
    together_pairs: dict[str, dict[str, int]]  # X -> {Y: orders with both}
    together_base: dict[str, int]  # X -> orders with X
    category_top: dict[str, list[tuple[str, int]]]  # category -> [(product, buyers in window)] best first
    product_category: dict[str, str]
    buyers: dict[str, int]  # product -> customers who ever bought it
    repeatable: set[str]
    customer_category: dict[str, str] = field(default_factory=dict)  # customer -> category of most lines
    customer_repeats: dict[str, dict[str, tuple[int, float, float]]] = field(default_factory=dict)  # (orders, first, last)

    # -- reasons ----------------------------------------------------------------------------
    def reason(self, customer: str | None, history: list[str], product: str) -> Reason:
        """The strongest checkable reason to show `product` to a customer with this history."""
        rep = self.customer_repeats.get(customer or "", {}).get(product)
        if rep:
            n, first, last = rep
            return Reason("repeat", interval_days=(last - first) / (n - 1) / 86400, days_since=(self.now - last) / 86400)
        best = None
        for x in dict.fromkeys(reversed(history)):
            n_xy = self.next_pairs.get(x, {}).get(product, 0)
            if n_xy >= MIN_SUPPORT and (best is None or n_xy / self.next_base[x] > best.share):
                best = Reason("bought_next", product=x, count=n_xy, base=self.next_base[x])
        if best:
            return best
        for x in dict.fromkeys(reversed(history)):
            n_xy = self.together_pairs.get(x, {}).get(product, 0)
            if n_xy >= MIN_SUPPORT and (best is None or n_xy / self.together_base[x] > best.share):
                best = Reason("bought_together", product=x, count=n_xy, base=self.together_base[x])
        if best:
            return best
        category = self.customer_category.get(customer or "")
        if category:
            for rank, (p, n) in enumerate(self.category_top.get(category, [])[:TOP_IN_CATEGORY], start=1):
                if p == product:
                    return Reason("top_category", category=category, count=n, rank=rank, base=len(self.category_top[category]))
        return Reason("model", count=self.buyers.get(product, 0))

    def popular_in_category(self, category: str | None, exclude: set[str] = frozenset(), n: int = 10) -> list[tuple[str, Reason]]:
        """Cold-start picks: the most-bought products of `category` in the window (of all categories
        together when it is None or unknown), labelled as the fallback they are."""
        if category in self.category_top:
            ranked = [(p, b, rank, category) for rank, (p, b) in enumerate(self.category_top[category], start=1)]
        else:
            ranked = sorted(
                ((p, b, rank, c) for c, top in self.category_top.items() for rank, (p, b) in enumerate(top, start=1)),
                key=lambda r: (-r[1], r[0]),
            )
        out = []
        for p, b, rank, c in ranked:
            if p not in exclude:
                out.append((p, Reason("popular_in_category", category=c, count=b, rank=rank, base=len(self.category_top[c]))))
            if len(out) == n:
                break
        return out

    def bought_next(self, product: str, n: int = 10) -> list[tuple[str, int, int]]:
        """(Y, customers, base) for the products most often bought in the order after one with `product`."""
        pairs = sorted(self.next_pairs.get(product, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [(y, c, self.next_base[product]) for y, c in pairs]

    def bought_together(self, product: str, n: int = 10) -> list[tuple[str, int, int]]:
        """(Y, orders, base) for the products most often in the same order as `product`."""
        pairs = sorted(self.together_pairs.get(product, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [(y, c, self.together_base[product]) for y, c in pairs]


def _pairs(rows) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    pairs: dict[str, dict[str, int]] = defaultdict(dict)
    base: dict[str, int] = {}
    for x, y, n_xy, n_x in rows:
        pairs[x][y] = int(n_xy)
        base[x] = int(n_x)
    return dict(pairs), base


def collect(warehouse) -> Evidence:
    """Every figure reasons need, from the warehouse's purchases."""
    cur = warehouse.cursor()
    try:
        p = purchases_cte(has_behavior_purchases(cur))
        now = cur.execute(f"SELECT epoch(max(t)) FROM ({p})").fetchone()[0] or 0.0
        next_rows = cur.execute(f"""
            WITH p AS ({p}),
            o AS (SELECT customer_id, order_id, min(t) AS t FROM p GROUP BY ALL),
            s AS (SELECT customer_id, order_id, lead(order_id) OVER (PARTITION BY customer_id ORDER BY t, order_id) AS next_order FROM o),
            x AS (SELECT DISTINCT p.customer_id, p.product_id AS x, s.next_order FROM p JOIN s USING (customer_id, order_id) WHERE s.next_order IS NOT NULL),
            base AS (SELECT x, count(DISTINCT customer_id) AS n_x FROM x GROUP BY x)
            SELECT x.x, q.product_id, count(DISTINCT x.customer_id), any_value(base.n_x)
            FROM x JOIN p q ON q.customer_id = x.customer_id AND q.order_id = x.next_order JOIN base ON base.x = x.x
            WHERE q.product_id <> x.x GROUP BY ALL""").fetchall()  # fmt: skip
        together_rows = cur.execute(f"""
            WITH p AS ({p}),
            base AS (SELECT product_id, count(DISTINCT (customer_id, order_id)) AS n FROM p GROUP BY ALL)
            SELECT a.product_id, b.product_id, count(DISTINCT (a.customer_id, a.order_id)), any_value(base.n)
            FROM p a JOIN p b ON a.customer_id = b.customer_id AND a.order_id = b.order_id AND a.product_id <> b.product_id
            JOIN base ON base.product_id = a.product_id GROUP BY ALL""").fetchall()  # fmt: skip
        top_rows = cur.execute(f"""
            WITH p AS ({p})
            SELECT category, product_id, count(DISTINCT customer_id) AS buyers FROM p
            WHERE category IS NOT NULL AND t > (SELECT max(t) FROM p) - INTERVAL {WINDOW_DAYS} DAY
            GROUP BY ALL ORDER BY category, buyers DESC, product_id""").fetchall()  # fmt: skip
        product_rows = cur.execute(f"""
            WITH p AS ({p}),
            per AS (SELECT product_id, customer_id, count(DISTINCT order_id) AS n FROM p GROUP BY ALL)
            SELECT product_id, count(*) AS buyers, count(*) FILTER (WHERE n >= 2) AS repeaters,
                   (SELECT mode(category) FROM p p2 WHERE p2.product_id = per.product_id) AS category
            FROM per GROUP BY product_id""").fetchall()  # fmt: skip
        customer_cat = cur.execute(f"""
            WITH p AS ({p})
            SELECT customer_id, arg_max(category, (n, -rank)) FROM (
                SELECT customer_id, category, count(*) AS n, dense_rank() OVER (ORDER BY category) AS rank
                FROM p WHERE category IS NOT NULL GROUP BY customer_id, category)
            GROUP BY customer_id""").fetchall()  # fmt: skip
        repeat_rows = cur.execute(f"""
            WITH p AS ({p}),
            o AS (SELECT customer_id, product_id, order_id, min(t) AS t FROM p GROUP BY ALL)
            SELECT customer_id, product_id, count(*), epoch(min(t)), epoch(max(t)) FROM o GROUP BY ALL HAVING count(*) >= 2""").fetchall()  # fmt: skip
    finally:
        cur.close()
    next_pairs, next_base = _pairs(next_rows)
    together_pairs, together_base = _pairs(together_rows)
    category_top: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for c, prod, b in top_rows:
        category_top[c].append((prod, int(b)))
    repeats: dict[str, dict[str, tuple[int, float, float]]] = defaultdict(dict)
    for c, prod, n, first, last in repeat_rows:
        repeats[c][prod] = (int(n), float(first), float(last))
    return Evidence(
        now=float(now),
        next_pairs=next_pairs,
        next_base=next_base,
        together_pairs=together_pairs,
        together_base=together_base,
        category_top=dict(category_top),
        product_category={r[0]: r[3] for r in product_rows if r[3] is not None},
        buyers={r[0]: int(r[1]) for r in product_rows},
        repeatable={r[0] for r in product_rows if r[2] >= MIN_SUPPORT and r[2] / r[1] >= REPEATABLE_SHARE},
        customer_category=dict(customer_cat),
        customer_repeats=dict(repeats),
    )


def repeatable_mask(items: list[str], repeatable: set[str]) -> np.ndarray:
    """(V,) bool: which vocabulary entries may be recommended again to a customer who bought them."""
    return np.array([i in repeatable for i in items], dtype=bool)
