"""Writes the sample data set: the sales export (streamed in chunks of customers), behaviour
events, market data, stock snapshots, products, reviews, the ground-truth file and a README."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import calendar as cal
from . import events as ev
from . import plants as pl
from .catalog import BRAND_NAMES, CATEGORY_NAMES, CHANNELS, OUR_BRANDS, REGION_NAMES, SHOP_NAMES, build_catalog
from .market import SHARE_TRENDS, make_market
from .orders import BASE, CO, DAY, END_SECONDS, NEXT, REPLENISH, STATUSES, Lines, World, make_chunk
from .readme import readme
from .reviews import make_reviews
from .stock import DOS_BASIS_DAYS, days_of_stock, simulate
from .writer import CsvWriter, lookup, money, prefixed_ids, timestamps, write_csv

DEFAULT_SEED = 20241201
BASE_CUSTOMERS = 31_000  # customers at scale 1 (about 105k order lines)
CHUNK_CUSTOMERS = 100_000  # >= BASE_CUSTOMERS: reviews and events come from the first chunk
ORDER_ID_BASE = 3_100_000_000_000_000_000  # 19-digit order numbers, like Taobao's
ORDER_ID_STEP = 7_919_000_013

FILES = {
    "sales": "sales_orders.csv",
    "behavior": "behavior_events.csv",
    "market": "market_monthly.csv",
    "reviews": "reviews.csv",
    "products": "products.csv",
    "stock": "stock_daily.csv",
}
GROUND_TRUTH = "ground_truth.json"
# Chinese platform-export headers of the sales file, in order, with the canonical column each maps to.
SALES_HEADERS = {
    "订单编号": "order_id", "明细序号": "line_no", "付款时间": "order_time", "买家会员名": "customer_id",
    "商品ID": "product_id", "宝贝标题": "product_name", "类目": "category", "品牌": "brand",
    "购买数量": "quantity", "单价": "unit_price", "实付金额": "revenue", "退款金额": "refund_amount",
    "订单状态": "order_status", "渠道": "channel", "店铺": "shop", "收货地区": "region",
}


@dataclass
class Summary:
    """Figures gathered while writing, for --stats, the README and the ground truth."""

    seed: int
    scale: float
    n_customers: int = 0
    lines: int = 0
    orders: int = 0
    buyers: int = 0
    orders_per_customer: np.ndarray = field(default_factory=lambda: np.zeros(52, dtype=np.int64))
    daily_revenue: np.ndarray = field(default_factory=lambda: np.zeros(cal.N_DAYS, dtype=np.int64))
    daily_lines: np.ndarray = field(default_factory=lambda: np.zeros(cal.N_DAYS, dtype=np.int64))
    refund_cents: int = 0
    revenue_cents: int = 0
    multi_line_orders: int = 0
    kinds: np.ndarray = field(default_factory=lambda: np.zeros(4, dtype=np.int64))
    next_den: np.ndarray | None = None
    next_num: np.ndarray | None = None
    co_den: np.ndarray | None = None
    co_num: np.ndarray | None = None
    rep_customers: list[set] = field(default_factory=list)
    rep_intervals: list[list[np.ndarray]] = field(default_factory=list)
    products_sold: np.ndarray | None = None
    rows: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)


def _sales_table(lines: Lines, cat, order_offset: int, rng: np.random.Generator, id_width: int) -> pa.Table:
    jitter = rng.integers(0, ORDER_ID_STEP, lines.n_orders)
    order_id = ORDER_ID_BASE + (order_offset + lines.order) * ORDER_ID_STEP + jitter[lines.order]
    p = lines.product
    cols = {
        "订单编号": pa.array(order_id), "明细序号": pa.array(lines.line_no),
        "付款时间": timestamps(lines.t, cal.START64), "买家会员名": prefixed_ids("C", lines.customer + 1, id_width),
        "商品ID": lookup(cat.product_id, p), "宝贝标题": lookup(cat.name, p),
        "类目": lookup(CATEGORY_NAMES, cat.category[p]), "品牌": lookup(BRAND_NAMES, cat.brand[p]),
        "购买数量": pa.array(lines.qty), "单价": money(lines.unit_cents), "实付金额": money(lines.revenue_cents),
        "退款金额": money(lines.refund_cents), "订单状态": lookup(STATUSES, lines.status),
        "渠道": lookup(CHANNELS, lines.channel), "店铺": lookup(SHOP_NAMES, lines.shop),
        "收货地区": lookup(REGION_NAMES, lines.region),
    }
    assert list(cols) == list(SALES_HEADERS)
    return pa.table(cols)


def _measure(summary: Summary, lines: Lines, plants: pl.Plants, cust_lo: int, n_cust: int) -> None:
    """Observed rates of the planted signals, with the definitions the ground truth states."""
    c = lines.customer - cust_lo
    for i, (x, y, gap) in enumerate(zip(plants.next_x, plants.next_y, plants.next_gap[:, 1], strict=True)):
        first_x = np.full(n_cust, np.iinfo(np.int64).max)
        mx = lines.product == x
        np.minimum.at(first_x, c[mx], lines.t[mx])
        last_y = np.full(n_cust, -1)
        my = lines.product == y
        np.maximum.at(last_y, c[my], lines.t[my])
        den = first_x <= END_SECONDS - gap * DAY
        summary.next_den[i] += int(den.sum())
        summary.next_num[i] += int((den & (last_y > first_x)).sum())
    for i, (a, b) in enumerate(zip(plants.co_a, plants.co_b, strict=True)):
        with_a = np.unique(lines.order[lines.product == a])
        with_b = np.unique(lines.order[lines.product == b])
        summary.co_den[i] += len(with_a)
        summary.co_num[i] += int(np.isin(with_a, with_b).sum())
    for i, prod in enumerate(plants.rep_product):
        who = np.unique(lines.customer[(lines.kind == REPLENISH) & (lines.product == prod)])
        summary.rep_customers[i].update(int(w) for w in who[who < BASE_CUSTOMERS])
        m = np.flatnonzero((lines.product == prod) & np.isin(lines.customer, who))
        m = m[np.lexsort((lines.t[m], lines.customer[m]))]
        same = lines.customer[m][1:] == lines.customer[m][:-1]
        summary.rep_intervals[i].append((np.diff(lines.t[m]) / DAY)[same])


def generate(out: Path, scale: float = 1.0, seed: int = DEFAULT_SEED, progress: Callable[[int, int], None] | None = None) -> Summary:
    """Write the sample set into `out`; `progress(done, total)` is called once per chunk."""
    out.mkdir(parents=True, exist_ok=True)
    root = np.random.SeedSequence(seed)
    s_cat, s_orders, s_reviews, s_events, s_market, s_stock, s_ids = root.spawn(7)
    cat = build_catalog(np.random.default_rng(s_cat))
    plants = pl.resolve(cat)
    pl.boost(cat, plants)
    world = World.build(cat, plants)
    n_customers = max(1, int(round(BASE_CUSTOMERS * scale)))
    id_width = max(6, len(str(n_customers)))
    summary = Summary(seed=seed, scale=scale, n_customers=n_customers)
    summary.next_den = np.zeros(len(plants.next_x), dtype=np.int64)
    summary.next_num = np.zeros_like(summary.next_den)
    summary.co_den = np.zeros(len(plants.co_a), dtype=np.int64)
    summary.co_num = np.zeros_like(summary.co_den)
    summary.rep_customers = [set() for _ in plants.rep_product]
    summary.rep_intervals = [[] for _ in plants.rep_product]
    demand = np.zeros((len(cat), cal.N_DAYS), dtype=np.int64)
    chunk_seeds = s_orders.spawn((n_customers + CHUNK_CUSTOMERS - 1) // CHUNK_CUSTOMERS)
    id_rng = np.random.default_rng(s_ids)
    first_chunk: Lines | None = None

    sales = CsvWriter(out / FILES["sales"], bom=True)
    try:
        for k, chunk_seed in enumerate(chunk_seeds):
            lo, hi = k * CHUNK_CUSTOMERS, min(n_customers, (k + 1) * CHUNK_CUSTOMERS)
            lines = make_chunk(world, np.random.default_rng(chunk_seed), lo, hi)
            sales.write(_sales_table(lines, cat, summary.orders, id_rng, id_width))
            day = lines.t // DAY
            summary.lines += len(lines)
            summary.orders += lines.n_orders
            first_line = np.unique(lines.order, return_index=True)[1]
            per_cust = np.bincount(lines.customer[first_line] - lo, minlength=hi - lo)
            summary.buyers += int((per_cust > 0).sum())
            summary.orders_per_customer += np.bincount(np.minimum(per_cust[per_cust > 0], 51), minlength=52)
            summary.multi_line_orders += int(np.count_nonzero(lines.line_no == 2))
            summary.daily_revenue += np.bincount(day, weights=lines.revenue_cents, minlength=cal.N_DAYS).astype(np.int64)
            summary.daily_lines += np.bincount(day, minlength=cal.N_DAYS)
            summary.revenue_cents += int(lines.revenue_cents.sum())
            summary.refund_cents += int(lines.refund_cents.sum())
            summary.kinds += np.bincount(lines.kind, minlength=4)
            demand += np.bincount(lines.product * cal.N_DAYS + day, weights=lines.qty,
                                  minlength=len(cat) * cal.N_DAYS).astype(np.int64).reshape(len(cat), cal.N_DAYS)
            _measure(summary, lines, plants, lo, hi - lo)
            if k == 0:
                first_chunk = lines.take(np.flatnonzero(lines.customer < BASE_CUSTOMERS))
            if progress:
                progress(k + 1, len(chunk_seeds))
    finally:
        sales.close()
    summary.products_sold = demand.sum(axis=1) > 0
    summary.rows["sales"] = summary.lines

    _write_products(out, cat, summary)
    reviews = make_reviews(np.random.default_rng(s_reviews), first_chunk, cat, plants)
    _write_reviews(out, reviews, first_chunk, cat, id_width, summary)
    events = ev.make_events(np.random.default_rng(s_events), first_chunk, cat, min(n_customers, BASE_CUSTOMERS))
    _write_events(out, events, cat, id_width, summary)
    market = make_market(np.random.default_rng(s_market), cat)
    _write_market(out, market, summary)
    stock = simulate(np.random.default_rng(s_stock), demand)
    _write_stock(out, stock, cat, summary)
    truth = _ground_truth(summary, cat, plants, reviews, first_chunk, stock, demand, id_width)
    (out / GROUND_TRUTH).write_text(_dump_truth(truth), encoding="utf-8")
    for key, name in FILES.items():
        summary.sizes[key] = (out / name).stat().st_size
    summary.sizes["ground_truth"] = (out / GROUND_TRUTH).stat().st_size
    (out / "README.md").write_text(readme(summary), encoding="utf-8")
    return summary


def _dump_truth(truth: dict) -> str:
    """Indented JSON, except one line per review label and per replenisher list (keeps it small)."""
    labels = truth["reviews"].pop("labels")
    text = json.dumps(truth, ensure_ascii=False, indent=1)
    compact = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}" for k, v in labels.items())
    head, tail = text.rsplit('"mismatch_review_ids"', 1)
    tail_ids, rest = tail.split("]", 1)
    ids = json.dumps(json.loads(tail_ids.split(":", 1)[1] + "]"), separators=(",", ":"))
    return head + '"mismatch_review_ids": ' + ids + ',\n  "labels": {\n' + compact + "\n  }" + rest + "\n"


def _write_products(out: Path, cat, summary: Summary) -> None:
    write_csv(out / FILES["products"], pa.table({
        "product_id": pa.array(cat.product_id), "product_name": pa.array(cat.name),
        "category": lookup(CATEGORY_NAMES, cat.category), "brand": lookup(BRAND_NAMES, cat.brand),
        "price": money(cat.price_cents),
    }))
    summary.rows["products"] = len(cat)


def _write_reviews(out: Path, reviews, lines: Lines, cat, id_width: int, summary: Summary) -> None:
    li = reviews.line
    write_csv(out / FILES["reviews"], pa.table({
        "review_id": pa.array(reviews.review_id, pa.string()),
        "product_id": lookup(cat.product_id, lines.product[li]),
        "customer_id": prefixed_ids("C", lines.customer[li] + 1, id_width),
        "review_time": timestamps(reviews.review_t, cal.START64),
        "rating": pa.array(reviews.rating),
        "review_text": pa.array(reviews.text, pa.string()),
        "language": pa.array(reviews.lang, pa.string()),
    }), quote=True)
    summary.rows["reviews"] = len(reviews.review_id)


def _write_events(out: Path, events, cat, id_width: int, summary: Summary) -> None:
    write_csv(out / FILES["behavior"], pa.table({
        "customer_id": prefixed_ids("C", events.customer + 1, id_width),
        "event_time": timestamps(events.t, cal.START64),
        "event_type": lookup(ev.EVENT_TYPES, events.event),
        "product_id": lookup(cat.product_id, events.product),
        "category": lookup(CATEGORY_NAMES, cat.category[events.product]),
    }))
    summary.rows["behavior"] = len(events.t)


def _write_market(out: Path, market, summary: Summary) -> None:
    write_csv(out / FILES["market"], pa.table({
        "period": pa.array(market.period), "category": lookup(CATEGORY_NAMES, market.category),
        "brand": pa.array(market.brand, pa.string()), "sales_amount": money(market.sales_cents),
        "units": pa.array(market.units), "market_share": money(market.share_bp, scale=4),
    }))
    summary.rows["market"] = len(market.period)


def _write_stock(out: Path, stock, cat, summary: Summary) -> None:
    n_prod, n_days = stock.on_hand.shape
    days = np.arange(np.datetime64(cal.START) + stock.first_day, np.datetime64(cal.START) + stock.first_day + n_days)
    write_csv(out / FILES["stock"], pa.table({
        "product_id": lookup(cat.product_id, np.tile(np.arange(n_prod), n_days)),
        "snapshot_date": pa.array(np.repeat(days, n_prod)),
        "on_hand": pa.array(stock.on_hand.T.ravel()), "on_order": pa.array(stock.on_order.T.ravel()),
    }))
    summary.rows["stock"] = n_prod * n_days


def _ground_truth(summary: Summary, cat, plants: pl.Plants, reviews, lines: Lines, stock, demand, id_width: int) -> dict:
    pid = cat.product_id
    cid = lambda i: f"C{int(i) + 1:0{id_width}d}"  # noqa: E731
    rate = lambda n, d: round(int(n) / int(d), 4) if d else None  # noqa: E731
    dos = days_of_stock(stock, demand)
    return {
        "about": "What the sample generator planted, and the rates observed in the written files.",
        "seed": summary.seed,
        "scale": summary.scale,
        "period": {"start": cal.START.isoformat(), "end": cal.END.isoformat()},
        "our_brands": list(OUR_BRANDS),
        "bought_next": {
            "definition": ("After a customer's first purchase of `antecedent`, with `probability` an order of `consequent` "
                           "follows after a uniform gap in `gap_days`. observed_rate = among customers whose first "
                           "antecedent purchase is at least gap_days[1] days before the end date, the share with a "
                           "consequent line at a strictly later order_time."),
            "pairs": [
                {"antecedent": pid[x], "antecedent_name": cat.name[x], "consequent": pid[y], "consequent_name": cat.name[y],
                 "probability": float(p), "gap_days": [int(g[0]), int(g[1])], "customers": int(d), "observed_rate": rate(nu, d)}
                for x, y, p, g, d, nu in zip(plants.next_x, plants.next_y, plants.next_p, plants.next_gap,
                                             summary.next_den, summary.next_num, strict=True)
            ],
        },
        "co_purchase": {
            "definition": ("When an order contains `anchor`, `companion` is added to the same order with `probability`. "
                           "observed_rate = share of orders containing the anchor that also contain the companion."),
            "pairs": [
                {"anchor": pid[a], "anchor_name": cat.name[a], "companion": pid[b], "companion_name": cat.name[b],
                 "probability": float(p), "orders": int(d), "observed_rate": rate(nu, d)}
                for a, b, p, d, nu in zip(plants.co_a, plants.co_b, plants.co_p, summary.co_den, summary.co_num, strict=True)
            ],
        },
        "replenishment": {
            "definition": (f"A share ({pl.REPLENISH_START}) of each consumable's first-time buyers rebuy it every "
                           f"`cycle_days` (± normal jitter of {pl.REPLENISH_JITTER_DAYS} days per cycle), continuing after "
                           f"each purchase with probability {pl.REPLENISH_CONTINUE}, until the end date. `customers` lists "
                           f"the replenishers among the first {BASE_CUSTOMERS} customer ids."),
            "products": [
                {"product_id": pid[r], "product_name": cat.name[r], "cycle_days": int(c),
                 "observed_median_interval_days": round(float(np.median(np.concatenate(iv))), 1) if sum(map(len, iv)) else None,
                 "customers": [cid(i) for i in sorted(who)]}
                for r, c, who, iv in zip(plants.rep_product, plants.rep_cycle, summary.rep_customers, summary.rep_intervals, strict=True)
            ],
        },
        "problem_products": [
            {"product_id": pid[p], "product_name": cat.name[p], "aspect": a, "refund_rate_factor": pl.PROBLEM_REFUND_FACTOR}
            for p, a in zip(plants.problem, plants.problem_aspect, strict=True)
        ],
        "market_share_trends": [
            {"brand": b, "category": c, "logit_change_per_month": d, "direction": "gaining" if d > 0 else "losing"}
            for b, c, d in SHARE_TRENDS
        ],
        "stock": {
            "definition": f"days_of_stock = on_hand on the last snapshot / mean daily units sold over the last {DOS_BASIS_DAYS} days.",
            "running_out": [{"product_id": pid[p], "product_name": cat.name[p], "on_hand": int(stock.on_hand[p, -1]),
                             "on_order": int(stock.on_order[p, -1]), "days_of_stock": round(float(dos[p]), 1)}
                            for p in stock.running_out],
            "overstock": [{"product_id": pid[p], "product_name": cat.name[p], "on_hand": int(stock.on_hand[p, -1]),
                           "days_of_stock": round(float(dos[p]), 1) if np.isfinite(dos[p]) else None}
                          for p in stock.overstock],
        },
        "reviews": {
            "definition": ("text_rating is the star rating the text was written for (clause polarities sum > 0 for 4-5, "
                           "= 0 for 3, < 0 for 1-2). A mismatch is a review whose rating and text_rating fall on different "
                           "sides of 3 stars. aspects: aspect -> +1/-1 as mentioned in the text."),
            "mismatch_review_ids": [r for r, m in zip(reviews.review_id, reviews.mismatch, strict=True) if m],
            "labels": {r: {"text_rating": int(t), "aspects": a}
                       for r, t, a in zip(reviews.review_id, reviews.text_rating, reviews.aspects, strict=True)},
        },
        "counts": {"order_lines": summary.lines, "orders": summary.orders, "customers": summary.buyers,
                   "lines_by_kind": {"base": int(summary.kinds[BASE]), "co_purchase": int(summary.kinds[CO]),
                                     "bought_next": int(summary.kinds[NEXT]), "replenishment": int(summary.kinds[REPLENISH])},
                   **{f"{k}_rows": v for k, v in summary.rows.items() if k != "sales"}},
    }
