"""The evidence behind recommendations: figures a person can check against the warehouse.

Every reason carries its counts, and each is defined by one Ibis query below (run on either engine)
over the same purchases the model trains on (`data.purchases`: sale lines not refunded in full, plus
behaviour purchase events). "Now" is the latest purchase in the warehouse, so figures stay
meaningful on historical data.

- bought_next: of the customers who bought X in an order followed by another order, the share whose
  next order contained Y ("bought next by 34% of customers who bought X (41 of 120)").
- bought_together: of the orders containing X, the share that also contained Y.
- repeat: the customer bought Y in n ≥ 2 orders; "every ~d days" is (last − first) / (n − 1) in days,
  "last order m days ago" counts from now.
- top_category: Y is among the most-bought products (by distinct buyers in the last 30 days; ties by
  product id) of the category the customer bought most lines of (ties: the first category by name;
  a product's own category is likewise its most frequent one).
- popular_in_category: the cold-start fallback, labelled as such (new customer or unknown product).
- model: none of the above holds; the figure shown is how many customers ever bought Y.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import ibis
import numpy as np
import pandas as pd

from ecom.i18n import t as tr
from ecom.queries import common
from ecom.recsys import data

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


def most_common(t, key: str, value: str):
    """(key, value): each key's most frequent non-null value among the rows of `t`, ties to the
    smallest value (the same on every engine, unlike `mode`)."""
    t = t.filter(t[value].notnull())
    n = t.group_by([key, value]).aggregate(n=t.count())
    first = ibis.row_number().over(group_by=n[key], order_by=[ibis.desc(n.n), n[value]])
    return n.mutate(k=first).filter(lambda x: x.k == 0).select(key, value)


def collect(warehouse) -> Evidence:
    """Every figure reasons need, from the warehouse's purchases (`data.purchases`: one row per
    customer, order and product, so counting rows of a product counts its orders)."""
    p = data.purchases(warehouse)
    if warehouse.engine == "spark":
        # the queries below all start from the purchases: Spark would read and group the order lines
        # again for each of them; DuckDB answers them from its own caches as fast without the copy
        p = p.cache()
    try:
        return _collect(p)
    finally:
        if warehouse.engine == "spark":
            p.release()


def _collect(p) -> Evidence:
    latest = common.scalar(p.t.max())
    now = 0.0 if latest is None else float(data.epoch_seconds([latest])[0])

    orders = p.group_by(["customer_id", "order_id"]).aggregate(t=p.t.min())
    after = ibis.window(group_by=orders.customer_id, order_by=[orders.t, orders.order_id])
    followed = orders.mutate(next_order=orders.order_id.lead().over(after)).filter(lambda o: o.next_order.notnull())
    x = p.join(followed, ["customer_id", "order_id"]).select("customer_id", x=p.product_id, next_order=followed.next_order).distinct()
    next_base = x.group_by("x").aggregate(n_x=x.customer_id.nunique())
    q = p.view()
    hits = x.join(q, [x.customer_id == q.customer_id, x.next_order == q.order_id]).filter(q.product_id != x.x)
    next_rows = hits.group_by(x=hits.x, y=hits.product_id).aggregate(n=hits.customer_id.nunique())
    next_df = common.fetch(next_rows.join(next_base, "x").select("x", "y", "n", "n_x"))

    b = p.view()
    both = p.join(b, [p.customer_id == b.customer_id, p.order_id == b.order_id, p.product_id != b.product_id])
    together_base = p.group_by(x=p.product_id).aggregate(n_x=p.count())
    together_rows = both.group_by(x=p.product_id, y=b.product_id).aggregate(n=both.count())
    together_df = common.fetch(together_rows.join(together_base, "x").select("x", "y", "n", "n_x"))

    top_df = pd.DataFrame(columns=["category", "product_id", "buyers"])
    if latest is not None:
        since = pd.Timestamp(latest).to_pydatetime() - timedelta(days=WINDOW_DAYS)
        recent = p.filter(p.category.notnull() & (p.t > since))
        top_df = common.fetch(recent.group_by(["category", "product_id"]).aggregate(buyers=recent.customer_id.nunique()))
        top_df = top_df.sort_values(["category", "buyers", "product_id"], ascending=[True, False, True], kind="stable")

    per = p.group_by(["product_id", "customer_id"]).aggregate(n=p.order_id.nunique())
    products = per.group_by("product_id").aggregate(buyers=per.count(), repeaters=per.count(where=per.n >= 2))
    product_df = common.fetch(products)
    product_cat = common.fetch(most_common(p, "product_id", "category"))
    customer_cat = common.fetch(most_common(p, "customer_id", "category"))

    rep = p.group_by(["customer_id", "product_id"]).aggregate(n=p.order_id.nunique(), first=p.t.min(), last=p.t.max())
    repeat_df = common.fetch(rep.filter(rep.n >= 2))

    category_top: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for c, prod, n in zip(top_df.category, top_df.product_id, top_df.buyers, strict=True):
        category_top[c].append((prod, int(n)))
    repeats: dict[str, dict[str, tuple[int, float, float]]] = defaultdict(dict)
    rows = zip(repeat_df.customer_id, repeat_df.product_id, repeat_df.n, data.epoch_seconds(repeat_df["first"]), data.epoch_seconds(repeat_df["last"]), strict=True)
    for c, prod, n, first, last in rows:
        repeats[c][prod] = (int(n), float(first), float(last))
    next_pairs, next_base_n = _pairs(next_df.itertuples(index=False))
    together_pairs, together_base_n = _pairs(together_df.itertuples(index=False))
    product_rows = list(zip(product_df.product_id, product_df.buyers, product_df.repeaters, strict=True))
    return Evidence(
        now=now,
        next_pairs=next_pairs,
        next_base=next_base_n,
        together_pairs=together_pairs,
        together_base=together_base_n,
        category_top=dict(category_top),
        product_category=dict(zip(product_cat.product_id, product_cat.category, strict=True)),
        buyers={prod: int(b) for prod, b, _ in product_rows},
        repeatable={prod for prod, b, r in product_rows if r >= MIN_SUPPORT and r / b >= REPEATABLE_SHARE},
        customer_category=dict(zip(customer_cat.customer_id, customer_cat.category, strict=True)),
        customer_repeats=dict(repeats),
    )


def repeatable_mask(items: list[str], repeatable: set[str]) -> np.ndarray:
    """(V,) bool: which vocabulary entries may be recommended again to a customer who bought them."""
    return np.array([i in repeatable for i in items], dtype=bool)
