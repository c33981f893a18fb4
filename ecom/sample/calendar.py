"""The sample's two years: daily order intensity (trend, weekday, season, Spring Festival, 618,
双11, 双12) and the hour-of-day profile."""

from __future__ import annotations

import datetime as dt

import numpy as np

START = dt.date(2024, 12, 1)
END = dt.date(2026, 11, 30)  # fixed, not today, so the data and its tests are stable
N_DAYS = (END - START).days + 1
START64 = np.datetime64(START.isoformat(), "s")

# Lunar new year's day: logistics stop for about a week around it.
SPRING_FESTIVAL = (dt.date(2025, 1, 29), dt.date(2026, 2, 17))
# Windows planted in the data (they match the ECOM_PROMO_* defaults).
PROMO_618 = ((6, 1), (6, 20))
PROMO_1111 = ((10, 20), (11, 11))

_MONTH = np.array([0.95, 0.85, 0.95, 0.95, 1.0, 1.05, 0.9, 0.9, 0.95, 1.0, 1.1, 1.1])
_WEEKDAY = np.array([1.0, 0.97, 0.96, 0.98, 1.03, 1.10, 1.12])  # Monday first
_HOURS = np.array([2.0, 1.0, 0.5, 0.3, 0.2, 0.3, 0.6, 1.2, 2.2, 3.2, 4.0, 4.2, 3.6, 3.4, 3.6, 3.8, 3.6,
                   3.4, 3.6, 4.2, 5.2, 5.8, 5.4, 3.6])
_HOURS_PEAK = _HOURS.copy()
_HOURS_PEAK[0] = 30.0  # the midnight rush of 11-11 and 618
_HOURS_PEAK[1] = 8.0


def dates() -> np.ndarray:
    return np.arange(np.datetime64(START), np.datetime64(END) + 1)


def promo_factor(day: dt.date) -> float:
    md = (day.month, day.day)
    if md == (11, 11):
        return 7.0
    if (11, 1) <= md <= (11, 10):
        return 1.9
    if (10, 20) <= md <= (10, 31):
        return 1.3
    if (11, 12) <= md <= (11, 14):
        return 1.2
    if md == (6, 18):
        return 4.0
    if md == (6, 1):
        return 2.2
    if (6, 2) <= md <= (6, 20):
        return 1.5
    if md == (12, 12):
        return 2.0
    return 1.0


def daily_intensity() -> np.ndarray:
    """Relative order intensity of each day (mean about 1)."""
    w = np.empty(N_DAYS)
    for i in range(N_DAYS):
        day = START + dt.timedelta(days=i)
        f = 1.0 + 0.45 * i / N_DAYS  # the business grows ~20% a year
        f *= _MONTH[day.month - 1] * _WEEKDAY[day.weekday()] * promo_factor(day)
        for sf in SPRING_FESTIVAL:
            if -3 <= (day - sf).days <= 4:
                f *= 0.45
        w[i] = f
    return w / w.mean()


def peak_days() -> np.ndarray:
    """Bool per day: days with the midnight rush."""
    return np.array([(START + dt.timedelta(days=i)).strftime("%m-%d") in ("11-11", "06-18", "06-01") for i in range(N_DAYS)])


def price_factor() -> np.ndarray:
    """Paid price relative to list price per day: promotion discounts."""
    f = np.ones(N_DAYS)
    for i in range(N_DAYS):
        p = promo_factor(START + dt.timedelta(days=i))
        if p >= 4.0:
            f[i] = 0.8
        elif p > 1.25:
            f[i] = 0.88
    return f


def seconds_in_day(rng: np.random.Generator, peak: np.ndarray) -> np.ndarray:
    """A random time of day (seconds) for each order, following the hour profile."""
    n = len(peak)
    u = rng.random(n)
    normal = np.searchsorted(np.cumsum(_HOURS) / _HOURS.sum(), u, side="right")
    rush = np.searchsorted(np.cumsum(_HOURS_PEAK) / _HOURS_PEAK.sum(), u, side="right")
    hour = np.where(peak, rush, normal)
    return hour * 3600 + rng.integers(0, 3600, n)


def month_index(day_index: np.ndarray) -> np.ndarray:
    """Calendar month (0..11) of each day index."""
    months = (dates().astype("datetime64[M]").astype(int) % 12)
    return months[day_index]
