"""Daily stock snapshots per product, simulated from the generated sales: a reorder-point policy
keeps most products in stock; a few lose their supplier and run out, a few are overstocked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import calendar as cal

WINDOW_DAYS = 91
RUNNING_OUT = 6
OVERSTOCK = 6
CUTOFF_DAYS = 35  # at-risk products get no more deliveries for the last days
LEAD_DAYS = (10, 18)
DOS_BASIS_DAYS = 28  # days of stock = on hand / mean daily units over this many days


@dataclass
class Stock:
    on_hand: np.ndarray  # (n_products, WINDOW_DAYS), end of day
    on_order: np.ndarray
    first_day: int  # day index of the first snapshot
    running_out: np.ndarray
    overstock: np.ndarray


def simulate(rng: np.random.Generator, demand: np.ndarray) -> Stock:
    """`demand`: units sold per product and day over the whole period (n_products, N_DAYS)."""
    n_prod = demand.shape[0]
    d0 = cal.N_DAYS - WINDOW_DAYS
    dem = demand[:, d0:].astype(float)
    # the planner forecasts the next 30 days well (promotions included), from a year of experience
    ext = np.concatenate([dem, np.repeat(dem[:, -28:].mean(axis=1, keepdims=True), 30, axis=1)], axis=1)
    cs = np.concatenate([np.zeros((n_prod, 1)), np.cumsum(ext, axis=1)], axis=1)
    fc = (cs[:, 30:30 + WINDOW_DAYS] - cs[:, :WINDOW_DAYS]) / 30 + 0.05

    total = dem.sum(axis=1)
    ranked = np.argsort(-total, kind="stable")
    running_out = np.sort(rng.choice(ranked[10:80], RUNNING_OUT, replace=False))
    overstock = np.sort(rng.choice(ranked[-60:], OVERSTOCK, replace=False))

    on_hand = np.zeros((n_prod, WINDOW_DAYS), dtype=np.int64)
    on_order = np.zeros((n_prod, WINDOW_DAYS), dtype=np.int64)
    arrivals = np.zeros((n_prod, WINDOW_DAYS + LEAD_DAYS[1] + 1), dtype=np.int64)
    level = np.ceil(fc[:, 0] * rng.uniform(25, 50, n_prod)).astype(np.int64) + 5
    level[overstock] = np.ceil(fc[overstock, 0] * rng.uniform(150, 300, OVERSTOCK)).astype(np.int64) + 80
    pending = np.zeros(n_prod, dtype=np.int64)
    cutoff = WINDOW_DAYS - CUTOFF_DAYS
    for d in range(WINDOW_DAYS):
        if d == cutoff:
            # the supplier of the at-risk products fails: open orders cancelled, stock runs down
            arrivals[running_out, d:] = 0
            pending[running_out] = 0
            level[running_out] = np.ceil(fc[running_out, d] * rng.uniform(22, 45, RUNNING_OUT)).astype(np.int64)
        level += arrivals[:, d]
        pending -= arrivals[:, d]
        level = np.maximum(level - dem[:, d].astype(np.int64), 0)
        reorder = (level + pending < fc[:, d] * (LEAD_DAYS[1] + 10)) & ~np.isin(np.arange(n_prod), overstock)
        if d >= cutoff:
            reorder[running_out] = False
        qty = np.where(reorder, np.ceil(fc[:, d] * 30 / 10).astype(np.int64) * 10, 0)
        lead = rng.integers(LEAD_DAYS[0], LEAD_DAYS[1] + 1, n_prod)
        arrivals[np.arange(n_prod), d + lead] += qty
        pending += qty
        on_hand[:, d] = level
        on_order[:, d] = pending
    return Stock(on_hand, on_order, d0, running_out, overstock)


def days_of_stock(stock: Stock, demand: np.ndarray) -> np.ndarray:
    """On hand at the last snapshot over mean daily units of the last DOS_BASIS_DAYS days."""
    rate = demand[:, -DOS_BASIS_DAYS:].sum(axis=1) / DOS_BASIS_DAYS
    with np.errstate(divide="ignore"):
        return np.where(rate > 0, stock.on_hand[:, -1] / np.maximum(rate, 1e-9), np.inf)
