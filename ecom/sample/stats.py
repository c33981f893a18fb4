"""Figures about a generated set, printed by `--stats` and quoted in its README."""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import calendar as cal
from .catalog import BRAND_NAMES, CATEGORY_NAMES


def _window(year: int, spec: str) -> tuple[dt.date, dt.date]:
    a, b = spec.split(":")
    return dt.date(year, int(a[:2]), int(a[3:])), dt.date(year, int(b[:2]), int(b[3:]))


def _day(d: dt.date) -> int:
    return (d - cal.START).days


def promo_figures(daily: np.ndarray, spec: str, base_month: int) -> list[dict]:
    """For each data year (Dec..Nov): the promotion window's share of the year's GMV and its daily
    mean against the daily mean of `base_month` (October for 双11, May for 618)."""
    out = []
    for year in (cal.START.year + 1, cal.END.year):
        w0, w1 = _window(year, spec)
        if _day(w0) < 0 or _day(w1) >= cal.N_DAYS:
            continue
        m0 = dt.date(year, base_month, 1)
        m1 = dt.date(year, base_month + 1, 1) - dt.timedelta(days=1)
        y0, y1 = max(0, _day(dt.date(year - 1, 12, 1))), min(cal.N_DAYS - 1, _day(dt.date(year, 11, 30)))
        win = daily[_day(w0):_day(w1) + 1]
        base = daily[_day(m0):_day(m1) + 1]
        year_total = daily[y0:y1 + 1].sum()
        peak_day = int(np.argmax(win))
        peak = win[peak_day]
        out.append({
            "year": year, "from": w0.isoformat(), "to": w1.isoformat(), "days": len(win),
            "share_of_year": float(win.sum() / year_total) if year_total else 0.0,
            "share_of_days": len(win) / (y1 - y0 + 1),
            "window_daily_mean": float(win.mean()), "base_daily_mean": float(base.mean()),
            "peak_day": (w0 + dt.timedelta(days=peak_day)).isoformat(),
            "ratio": float(win.mean() / base.mean()) if base.mean() else float("inf"),
            "peak_ratio": float(peak / base.mean()) if base.mean() else float("inf"),
        })
    return out


def repeat_distribution(hist: np.ndarray) -> dict[str, float]:
    n = hist.sum()
    bands = {"1": hist[1], "2": hist[2], "3-5": hist[3:6].sum(), "6-10": hist[6:11].sum(), "11+": hist[11:].sum()}
    return {k: float(v / n) if n else 0.0 for k, v in bands.items()}


def format_stats(summary, out_dir, promo_1111: str, promo_618: str) -> str:
    s = summary
    hist = s.orders_per_customer
    dist = repeat_distribution(hist)
    mean_orders = s.orders / s.buyers if s.buyers else 0
    lines = [
        f"sample data: seed {s.seed}, scale {s.scale:g}, {cal.START} .. {cal.END} -> {out_dir}",
        f"order lines {s.lines:,} · orders {s.orders:,} · customers {s.buyers:,} · products {int(s.products_sold.sum())} sold of "
        f"{len(s.products_sold)} · categories {len(CATEGORY_NAMES)} · brands {len(BRAND_NAMES)}",
        f"multi-line orders {s.multi_line_orders / max(s.orders, 1):.1%} · lines per order {s.lines / max(s.orders, 1):.2f}",
        "orders per customer: " + ", ".join(f"{k}: {v:.1%}" for k, v in dist.items())
        + f" · mean {mean_orders:.2f} · max {int(np.flatnonzero(hist)[-1]) if hist.any() else 0}{'+' if hist[-1] else ''}",
        f"GMV ¥{s.revenue_cents / 100:,.2f} · refunds ¥{s.refund_cents / 100:,.2f} ({s.refund_cents / max(s.revenue_cents, 1):.1%})",
    ]
    for name, spec, month, month_name in (("双11", promo_1111, 10, "October"), ("618", promo_618, 5, "May")):
        for f in promo_figures(s.daily_revenue, spec, month):
            lines.append(
                f"{name} window {f['from']}..{f['to']}: {f['share_of_year']:.1%} of that year's GMV in {f['days']} days "
                f"({f['share_of_days']:.1%} of days); window daily mean ¥{f['window_daily_mean'] / 100:,.0f} = "
                f"{f['ratio']:.2f}× the {month_name} daily mean ¥{f['base_daily_mean'] / 100:,.0f}; "
                f"peak day {f['peak_day'][5:]} {f['peak_ratio']:.1f}×")
    lines.append(f"planted lines: co-purchase {int(s.kinds[1]):,} · bought-next {int(s.kinds[2]):,} · replenishment {int(s.kinds[3]):,}")
    lines.append("rows: " + " · ".join(f"{k} {v:,}" for k, v in s.rows.items()))
    total = sum(s.sizes.values())
    lines.append("files: " + " · ".join(f"{k} {v / 1e6:.2f} MB" for k, v in s.sizes.items()) + f" · total {total / 1e6:.2f} MB")
    return "\n".join(lines)
