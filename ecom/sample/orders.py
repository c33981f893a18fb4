"""Customers and their order lines, generated a chunk of customers at a time with vectorised numpy
(no per-row Python), so 10M-line sets stream with flat memory."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import calendar as cal
from .catalog import (
    CATEGORY_NAMES,
    CATEGORY_SEASON,
    CATEGORY_WEIGHT,
    CHANNEL_MIX_END,
    CHANNEL_MIX_START,
    CHANNEL_PRICE,
    CHANNELS,
    REFUND_RATE,
    REGION_WEIGHT,
    SHOP_NAMES,
    SHOPS,
    Catalog,
)
from .plants import (
    PROBLEM_REFUND_FACTOR,
    REPLENISH_CONTINUE,
    REPLENISH_JITTER_DAYS,
    REPLENISH_START,
    Plants,
)

DAY = 86400
END_SECONDS = cal.N_DAYS * DAY  # exclusive
STATUSES = ("交易成功", "退款成功", "部分退款", "交易关闭", "卖家已发货", "买家已付款")
OK, REFUNDED, PARTIAL, CLOSED, SHIPPED, PAID = range(6)
# Kinds of line, kept for the ground truth (not written to the export).
BASE, CO, NEXT, REPLENISH = range(4)

# Customer segments: share, chance of ordering again after each order, mean gap in days.
SEGMENT_SHARE = np.array([0.56, 0.29, 0.11, 0.04])
SEGMENT_CONTINUE = np.array([0.05, 0.42, 0.75, 0.93])
SEGMENT_GAP = np.array([150.0, 80.0, 40.0, 20.0])
BASKET_EXTRA_P = np.array([0.62, 0.24, 0.09, 0.035, 0.015])  # extra lines beyond the first


@dataclass
class World:
    """Everything the chunks share."""

    cat: Catalog
    plants: Plants
    lam: np.ndarray  # cumulative normalised daily intensity
    peak: np.ndarray
    price: np.ndarray
    month: np.ndarray  # month 0..11 of each day
    cat_cdf_by_month: np.ndarray  # (12, n_cat) cumulative category mix
    product_cdf: list[np.ndarray]  # per category, cumulative popularity
    product_offset: np.ndarray  # first catalogue index of each category
    shop_of: np.ndarray  # (n_channels, 2) shop index per channel and coin
    shop_split: np.ndarray  # share of the first shop of each channel

    @classmethod
    def build(cls, cat: Catalog, plants: Plants) -> World:
        w = cal.daily_intensity()
        lam = np.cumsum(w) / w.sum()
        mix = CATEGORY_WEIGHT * CATEGORY_SEASON
        mix = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
        n_cat = len(CATEGORY_NAMES)
        cdfs, offs = [], np.zeros(n_cat, dtype=np.int64)
        for ci in range(n_cat):
            idx = np.flatnonzero(cat.category == ci)
            offs[ci] = idx[0]
            cdfs.append(np.cumsum(cat.popularity[idx]))
        shop_of = np.zeros((len(CHANNELS), 2), dtype=np.int64)
        split = np.ones(len(CHANNELS))
        for i, ch in enumerate(CHANNELS):
            shops = SHOPS[ch]
            shop_of[i, 0] = SHOP_NAMES.index(shops[0][0])
            shop_of[i, 1] = SHOP_NAMES.index(shops[-1][0])
            split[i] = shops[0][1]
        return cls(cat, plants, lam, cal.peak_days(), cal.price_factor(), cal.month_index(np.arange(cal.N_DAYS)),
                   mix, cdfs, offs, shop_of, split)


@dataclass
class Lines:
    """Order lines of one chunk, sorted by time, as parallel arrays."""

    order: np.ndarray  # chunk-local order number, increasing with time
    line_no: np.ndarray
    t: np.ndarray  # seconds since the start date
    customer: np.ndarray
    product: np.ndarray
    qty: np.ndarray
    unit_cents: np.ndarray
    revenue_cents: np.ndarray
    refund_cents: np.ndarray
    status: np.ndarray
    channel: np.ndarray
    region: np.ndarray
    shop: np.ndarray
    kind: np.ndarray
    n_orders: int

    def __len__(self) -> int:
        return len(self.t)

    def take(self, idx: np.ndarray) -> Lines:
        fields = {k: v[idx] for k, v in self.__dict__.items() if isinstance(v, np.ndarray)}
        return Lines(**fields, n_orders=len(np.unique(fields["order"])))


def _pick(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _group_cumsum(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    cs = np.cumsum(values)
    ends = np.cumsum(sizes)
    before = np.concatenate(([0.0], cs[ends[:-1] - 1])) if len(sizes) else np.zeros(0)
    return cs - np.repeat(before, sizes)


def _first_purchases(customer: np.ndarray, product: np.ndarray, t: np.ndarray, targets: np.ndarray):
    """Rows (customer, product) of each customer's first purchase of each target product."""
    sel = np.flatnonzero(np.isin(product, targets))
    order = np.lexsort((t[sel], product[sel], customer[sel]))
    sel = sel[order]
    key_c, key_p = customer[sel], product[sel]
    first = np.ones(len(sel), dtype=bool)
    first[1:] = (key_c[1:] != key_c[:-1]) | (key_p[1:] != key_p[:-1])
    return sel[first]


def make_chunk(world: World, rng: np.random.Generator, cust_lo: int, cust_hi: int) -> Lines:
    cat, plants = world.cat, world.plants
    n = cust_hi - cust_lo

    # --- customers
    seg = _pick(rng, np.cumsum(SEGMENT_SHARE), n)
    k_orders = np.minimum(rng.geometric(1 - SEGMENT_CONTINUE[seg]), 150)
    u0 = rng.random(n)
    region = _pick(rng, np.cumsum(REGION_WEIGHT), n)
    mix = CHANNEL_MIX_START[None, :] * (1 - u0[:, None]) + CHANNEL_MIX_END[None, :] * u0[:, None]
    home_channel = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1).clip(0, len(CHANNELS) - 1)
    cat_cdf = np.cumsum(CATEGORY_WEIGHT / CATEGORY_WEIGHT.sum())
    primary = _pick(rng, cat_cdf, n)
    secondary = _pick(rng, cat_cdf, n)

    # --- base orders: a renewal process in "intensity time", so repeat orders follow the season
    o_cust = np.repeat(np.arange(n), k_orders)
    gaps = rng.exponential(SEGMENT_GAP[seg][o_cust]) / cal.N_DAYS
    starts = np.concatenate(([0], np.cumsum(k_orders)[:-1]))
    gaps[starts] = 0.0
    u = u0[o_cust] + _group_cumsum(gaps, k_orders)
    keep = u < 1.0
    o_cust, u = o_cust[keep], u[keep]
    o_day = np.minimum(np.searchsorted(world.lam, u), cal.N_DAYS - 1)
    o_t = o_day * DAY + cal.seconds_in_day(rng, world.peak[o_day])
    n_base = len(o_cust)
    o_channel = np.where(rng.random(n_base) < 0.85, home_channel[o_cust], _pick(rng, np.cumsum(CHANNEL_MIX_END), n_base))

    # --- base lines
    size = 1 + _pick(rng, np.cumsum(BASKET_EXTRA_P), n_base)
    l_order = np.repeat(np.arange(n_base), size)
    nl = len(l_order)
    l_cust = o_cust[l_order]
    r = rng.random(nl)
    month = world.month[o_day[l_order]]
    seasonal = (rng.random(nl)[:, None] > world.cat_cdf_by_month[month]).sum(axis=1).clip(0, len(CATEGORY_NAMES) - 1)
    l_cat = np.where(r < 0.5, primary[l_cust], np.where(r < 0.7, secondary[l_cust], seasonal))
    l_prod = np.empty(nl, dtype=np.int64)
    for ci in range(len(CATEGORY_NAMES)):
        m = np.flatnonzero(l_cat == ci)
        l_prod[m] = world.product_offset[ci] + _pick(rng, world.product_cdf[ci], len(m))
    l_kind = np.full(nl, BASE, dtype=np.int8)

    # --- planted: new orders after a customer's first purchase of an antecedent / a consumable
    new_cust, new_t, new_prod, new_kind = [], [], [], []
    l_t = o_t[l_order]
    first = _first_purchases(l_cust, l_prod, l_t, plants.next_x)
    for x, y, p, (g0, g1) in zip(plants.next_x, plants.next_y, plants.next_p, plants.next_gap, strict=True):
        f = first[l_prod[first] == x]
        f = f[rng.random(len(f)) < p]
        new_cust.append(l_cust[f])
        new_t.append(l_t[f] + (rng.uniform(g0, g1, len(f)) * DAY).astype(np.int64))
        new_prod.append(np.full(len(f), y))
        new_kind.append(np.full(len(f), NEXT, dtype=np.int8))
    first = _first_purchases(l_cust, l_prod, l_t, plants.rep_product)
    for prod, cycle in zip(plants.rep_product, plants.rep_cycle, strict=True):
        f = first[l_prod[first] == prod]
        f = f[rng.random(len(f)) < REPLENISH_START]
        times = np.minimum(rng.geometric(1 - REPLENISH_CONTINUE, len(f)), 60)
        who = np.repeat(f, times)
        step = ((cycle + rng.normal(0, REPLENISH_JITTER_DAYS, len(who))) * DAY).astype(np.int64)
        t_new = l_t[who] + _group_cumsum(step.astype(float), times).astype(np.int64)
        new_cust.append(l_cust[who])
        new_t.append(t_new)
        new_prod.append(np.full(len(who), prod))
        new_kind.append(np.full(len(who), REPLENISH, dtype=np.int8))
    new_cust = np.concatenate(new_cust)
    new_t = np.concatenate(new_t)
    ok = new_t < END_SECONDS
    new_cust, new_t = new_cust[ok], new_t[ok]
    new_prod, new_kind = np.concatenate(new_prod)[ok], np.concatenate(new_kind)[ok]
    n_new = len(new_cust)
    new_channel = home_channel[new_cust]

    # --- planted: companions join the anchor's basket (planted orders included)
    cand_order = np.concatenate((l_order, n_base + np.arange(n_new)))
    cand_prod = np.concatenate((l_prod, new_prod))
    add_order, add_prod, add_kind = [], [], []
    for a, b, p in zip(plants.co_a, plants.co_b, plants.co_p, strict=True):
        hit = np.flatnonzero(cand_prod == a)
        hit = hit[rng.random(len(hit)) < p]
        add_order.append(cand_order[hit])
        add_prod.append(np.full(len(hit), b))
        add_kind.append(np.full(len(hit), CO, dtype=np.int8))

    # --- all orders, numbered in time order
    all_cust = np.concatenate((o_cust, new_cust))
    all_t = np.concatenate((o_t, new_t))
    all_channel = np.concatenate((o_channel, new_channel))
    rank = np.empty(n_base + n_new, dtype=np.int64)
    by_time = np.lexsort((all_cust, all_t))
    rank[by_time] = np.arange(n_base + n_new)

    line_order = np.concatenate((l_order, *add_order, n_base + np.arange(n_new)))
    line_prod = np.concatenate((l_prod, *add_prod, new_prod))
    line_kind = np.concatenate((l_kind, *add_kind, new_kind))
    line_rank = rank[line_order]
    srt = np.argsort(line_rank, kind="stable")
    line_order, line_prod, line_kind, line_rank = line_order[srt], line_prod[srt], line_kind[srt], line_rank[srt]
    nl = len(line_order)
    first_of_order = np.ones(nl, dtype=bool)
    first_of_order[1:] = line_rank[1:] != line_rank[:-1]
    start_idx = np.flatnonzero(first_of_order)
    line_no = np.arange(nl) - np.repeat(start_idx, np.diff(np.append(start_idx, nl))) + 1

    t = all_t[line_order]
    day = t // DAY
    cust = all_cust[line_order]
    channel = all_channel[line_order]
    coin = rng.random(n_base + n_new)[line_order]
    shop = np.where(coin < world.shop_split[channel], world.shop_of[channel, 0], world.shop_of[channel, 1])

    # --- quantities, prices, refunds
    consumable = (cat.cycle[line_prod] > 0) | (cat.category[line_prod] == CATEGORY_NAMES.index("食品"))
    qty = np.where(consumable, 1 + _pick(rng, np.cumsum([0.62, 0.25, 0.09, 0.04]), nl),
                   1 + _pick(rng, np.cumsum([0.93, 0.06, 0.01]), nl))
    qty = np.where(line_kind == NEXT, 1, qty)
    coupon = np.where(rng.random(nl) < 0.15, rng.uniform(0.9, 0.98, nl), 1.0)
    factor = world.price[day] * CHANNEL_PRICE[channel] * coupon
    unit = (np.round(cat.price_cents[line_prod] * factor / 10.0) * 10).astype(np.int64)
    revenue = unit * qty
    rate = REFUND_RATE[cat.category[line_prod]] * np.where(np.isin(line_prod, plants.problem), PROBLEM_REFUND_FACTOR, 1.0)
    refunded = rng.random(nl) < rate
    sub = rng.random(nl)
    status = np.where(refunded, np.where(sub < 0.65, REFUNDED, np.where(sub < 0.8, CLOSED, PARTIAL)), OK)
    status = np.where(day >= cal.N_DAYS - 1, PAID, np.where(day >= cal.N_DAYS - 4, SHIPPED, status))
    partial = (np.round(revenue * rng.uniform(0.2, 0.5, nl) / 10.0) * 10).astype(np.int64)
    refund = np.select([status == REFUNDED, status == CLOSED, status == PARTIAL], [revenue, revenue, partial], 0)

    return Lines(
        order=line_rank, line_no=line_no, t=t, customer=cust + cust_lo, product=line_prod, qty=qty,
        unit_cents=unit, revenue_cents=revenue, refund_cents=refund, status=status.astype(np.int8),
        channel=channel, region=region[cust], shop=shop, kind=line_kind, n_orders=n_base + n_new,
    )
