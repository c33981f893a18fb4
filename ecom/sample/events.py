"""Behaviour events of the last weeks, consistent with the sales: every purchase line is a
purchase event preceded by views (and mostly a cart) of the same product by the same customer;
browsing that does not convert adds views, abandoned carts and favourites."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import calendar as cal
from .catalog import Catalog
from .orders import DAY, END_SECONDS, Lines

WINDOW_DAYS = 30
EVENT_TYPES = ("view", "cart", "favorite", "purchase")
VIEW, CART, FAVORITE, PURCHASE = range(4)
NOISE_VIEWS_PER_PURCHASE = 2.0


@dataclass
class Events:
    customer: np.ndarray
    t: np.ndarray
    event: np.ndarray
    product: np.ndarray


def window_start() -> int:
    return (cal.N_DAYS - WINDOW_DAYS) * DAY


def make_events(rng: np.random.Generator, lines: Lines, cat: Catalog, n_customers: int) -> Events:
    sel = np.flatnonzero(lines.t >= window_start())
    cust, prod, t = lines.customer[sel], lines.product[sel], lines.t[sel]
    n = len(sel)
    # carts before promotion days are put in days ahead (presale); otherwise hours ahead
    promo = cal.price_factor()[t // DAY] < 1.0
    lead = np.where(promo, rng.uniform(0.2, 8.0, n) * DAY, rng.exponential(0.15, n) * DAY).astype(np.int64) + 60
    has_cart = rng.random(n) < 0.85
    cart_t = t - lead
    has_fav = rng.random(n) < 0.2
    fav_t = cart_t - rng.integers(60, DAY, n)
    n_views = 1 + rng.poisson(1.2, n)
    v_idx = np.repeat(np.arange(n), n_views)
    view_t = np.minimum(cart_t, fav_t)[v_idx] - (rng.exponential(0.5, len(v_idx)) * DAY).astype(np.int64) - 30

    # browsing that does not convert: mostly by buyers, some by other customers
    n_noise = int(n * NOISE_VIEWS_PER_PURCHASE)
    buyers = np.unique(cust)
    noise_cust = np.where(rng.random(n_noise) < 0.7, rng.choice(buyers, n_noise) if len(buyers) else 0,
                          rng.integers(0, max(n_customers, 1), n_noise))
    weight = cat.popularity / cat.popularity.sum()
    noise_prod = np.minimum(np.searchsorted(np.cumsum(weight), rng.random(n_noise), side="right"), len(weight) - 1)
    noise_t = window_start() + rng.integers(0, WINDOW_DAYS * DAY, n_noise)
    noise_cart = rng.random(n_noise) < 0.12
    noise_fav = rng.random(n_noise) < 0.05
    after = rng.integers(60, 4 * 3600, n_noise)

    parts = [
        (cust, t, PURCHASE, prod),
        (cust[has_cart], cart_t[has_cart], CART, prod[has_cart]),
        (cust[has_fav], fav_t[has_fav], FAVORITE, prod[has_fav]),
        (cust[v_idx], view_t, VIEW, prod[v_idx]),
        (noise_cust, noise_t, VIEW, noise_prod),
        (noise_cust[noise_cart], (noise_t + after)[noise_cart], CART, noise_prod[noise_cart]),
        (noise_cust[noise_fav], (noise_t + after // 2)[noise_fav], FAVORITE, noise_prod[noise_fav]),
    ]
    c = np.concatenate([p[0] for p in parts])
    tt = np.minimum(np.concatenate([p[1] for p in parts]), END_SECONDS - 1)
    e = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int8) for p in parts])
    pr = np.concatenate([p[3] for p in parts])
    order = np.lexsort((e, c, tt))
    return Events(c[order], tt[order], e[order], pr[order])
