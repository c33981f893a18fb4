"""Monthly market data by category and brand (our brands and competitors): sales amount, units
and market share within the category, with planted share trends."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import calendar as cal
from .catalog import BRAND_NAMES, BRANDS, CATEGORY_NAMES, CATEGORY_SEASON, MARKET_ONLY_BRANDS, Catalog

# Category market size per month at the start, in yuan, and its yearly growth.
MARKET_SIZE = np.array([1200, 800, 900, 500, 700, 450, 550, 1500, 400, 300]) * 1e6
MARKET_GROWTH = np.array([0.02, -0.03, 0.12, 0.06, 0.08, -0.05, 0.04, 0.10, 0.15, 0.22])
# (brand, category, change of the share logit per month): planted gainers and losers.
SHARE_TRENDS = (
    ("悦颜", "美妆", 0.045),
    ("悦颜", "个护", 0.02),
    ("棉语", "女装", -0.035),
    ("小满", "宠物", 0.04),
    ("极客", "数码", -0.03),
    ("跃动", "运动", 0.03),
)


@dataclass
class Market:
    period: np.ndarray  # datetime64[D], first day of month
    category: np.ndarray
    brand: np.ndarray  # str
    sales_cents: np.ndarray
    units: np.ndarray
    share_bp: np.ndarray  # share in 1/10000


def make_market(rng: np.random.Generator, cat: Catalog) -> Market:
    months = np.unique(cal.dates().astype("datetime64[M]"))
    day_w = cal.daily_intensity()
    month_of_day = cal.dates().astype("datetime64[M]")
    promo = np.array([day_w[month_of_day == m].sum() for m in months])
    promo = promo / promo.mean()
    trends = {(b, c): d for b, c, d in SHARE_TRENDS}
    rows = []
    for ci, cname in enumerate(CATEGORY_NAMES):
        ours = [bi for bi, (_, cats) in enumerate(BRANDS.items()) if cname in cats]
        brands = [BRAND_NAMES[b] for b in ours] + list(MARKET_ONLY_BRANDS[cname])
        logit = rng.normal(0, 0.6, len(brands))
        drift = np.array([trends.get((b, cname), rng.normal(0, 0.008)) for b in brands])
        mean_price = cat.price_cents[cat.category == ci].mean() / 100
        price = np.array([cat.price_cents[(cat.category == ci) & (cat.brand == b)].mean() / 100 for b in ours]
                         + list(mean_price * rng.uniform(0.7, 1.3, len(MARKET_ONLY_BRANDS[cname]))))
        for mi, m in enumerate(months):
            month = int(str(m)[5:7])
            size = MARKET_SIZE[ci] * (1 + MARKET_GROWTH[ci]) ** (mi / 12) * promo[mi] * CATEGORY_SEASON[month - 1, ci]
            size *= rng.normal(1, 0.03)
            lg = logit + drift * mi + rng.normal(0, 0.04, len(brands))
            share = np.exp(lg) / np.exp(lg).sum()
            sales = np.round(size * share * 100).astype(np.int64)
            units = np.round(sales / 100 / (price * rng.uniform(0.82, 0.95, len(brands)))).astype(np.int64)
            share_bp = np.round(sales / sales.sum() * 10000).astype(np.int64)
            for j, b in enumerate(brands):
                rows.append((m.astype("datetime64[D]"), ci, b, sales[j], units[j], share_bp[j]))
    cols = list(zip(*rows, strict=True))
    return Market(np.array(cols[0], dtype="datetime64[D]"), np.array(cols[1]), np.array(cols[2], dtype=object),
                  np.array(cols[3], dtype=np.int64), np.array(cols[4], dtype=np.int64), np.array(cols[5], dtype=np.int64))
