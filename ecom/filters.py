"""The global filters every analytics page shares, and their form in the URL.

A `Filters` value is a date range (inclusive on both ends) plus value lists for shop, category,
brand, product, channel and region, one currency and one data set. It round-trips through URL query
parameters with short, stable keys (`from`, `to`, `range`, `shop`, `cat`, `brand`, `sku`, `ch`, `region`, `cur`, `ds`)
so that a copied address reproduces the view. Whatever arrives from a URL or a saved view goes through
`from_params`, which keeps what is valid and falls back to the default for the rest, with a notice
saying what was dropped.

Presets are anchored on the latest order date in the warehouse (not on today), so "last 30 days"
on an export that ends last month still shows the last 30 days of data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ecom import settings

PRESETS = ("7d", "30d", "90d", "month", "618", "1111", "custom")
DEFAULT_PRESET = "30d"

# Filter dimension -> (URL key, canonical column of the sales table)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "shop": ("shop", "shop"),
    "category": ("cat", "category"),
    "brand": ("brand", "brand"),
    "product": ("sku", "product_id"),
    "channel": ("ch", "channel"),
    "region": ("region", "region"),
}
DATE_KEYS = ("from", "to", "range")
CURRENCY_KEY = "cur"  # one currency: amounts in two currencies are never summed into one figure
DATASET_KEY = "ds"  # one data set (the name given at upload), or all of them
URL_KEYS = DATE_KEYS + tuple(key for key, _ in DIMENSIONS.values()) + (CURRENCY_KEY, DATASET_KEY)
_CURRENCY = re.compile(r"^[A-Z]{3}$")

MAX_VALUES = 200  # per dimension: more than this in a URL is not a hand-made filter
MAX_VALUE_LEN = 200
_WINDOW = re.compile(r"^(\d{2})-(\d{2}):(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    preset: str = "custom"
    shop: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    brand: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    currency: str = ""  # an ISO code; empty: the data's only currency (pages pick one when there are several)
    dataset: str = ""  # a data set's name; empty: every data set
    notices: tuple[str, ...] = field(default=(), compare=False, hash=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dims(self) -> dict[str, tuple[str, ...]]:
        """The non-empty dimension filters (the currency among them), by canonical sales column."""
        out = {col: getattr(self, name) for name, (_, col) in DIMENSIONS.items() if getattr(self, name)}
        if self.currency:
            out["currency"] = (self.currency,)
        if self.dataset:
            out["_dataset"] = (self.dataset,)
        return out

    def previous_period(self) -> Filters:
        """The same number of days immediately before."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1), preset="custom")

    def last_year(self) -> Filters:
        """The same calendar dates one year earlier (29 Feb becomes 28 Feb)."""
        return replace(self, start=_minus_year(self.start), end=_minus_year(self.end), preset="custom")

    def with_dims(self, **values: Iterable[str]) -> Filters:
        return replace(self, **{k: tuple(v) for k, v in values.items()})

    def to_params(self) -> dict[str, str | list[str]]:
        """URL query parameters: a preset is kept as a preset, so a shared link keeps rolling."""
        params: dict[str, str | list[str]] = {}
        if self.preset != "custom":
            params["range"] = self.preset
        else:
            params["from"] = self.start.isoformat()
            params["to"] = self.end.isoformat()
        for name, (key, _) in DIMENSIONS.items():
            values = getattr(self, name)
            if values:
                params[key] = list(values)
        if self.currency:
            params[CURRENCY_KEY] = self.currency
        if self.dataset:
            params[DATASET_KEY] = self.dataset
        return params

    def cache_key(self) -> tuple:
        return (self.start, self.end, *(getattr(self, n) for n in DIMENSIONS), self.currency, self.dataset)


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def promo_window(setting: str, anchor: date) -> tuple[date, date] | None:
    """The latest window of a promotion setting ("MM-DD:MM-DD") that starts on or before `anchor`.

    A window may cross the new year (e.g. "12-20:01-05"); None when the setting is malformed.
    """
    m = _WINDOW.match(str(settings.get(setting)).strip())
    if not m:
        return None
    sm, sd, em, ed = (int(x) for x in m.groups())
    for year in (anchor.year, anchor.year - 1):
        try:
            start = date(year, sm, sd)
            end = date(year + (1 if (em, ed) < (sm, sd) else 0), em, ed)
        except ValueError:
            return None
        if start <= anchor:
            return start, min(end, anchor)
    return None


def preset_range(preset: str, anchor: date) -> tuple[date, date] | None:
    """The dates of a preset, ending at `anchor` (the latest order date)."""
    if preset in ("7d", "30d", "90d"):
        n = int(preset[:-1])
        return anchor - timedelta(days=n - 1), anchor
    if preset == "month":
        return anchor.replace(day=1), anchor
    if preset == "618":
        return promo_window("ECOM_PROMO_618", anchor)
    if preset == "1111":
        return promo_window("ECOM_PROMO_1111", anchor)
    return None


def default(anchor: date) -> Filters:
    start, end = preset_range(DEFAULT_PRESET, anchor)
    return Filters(start=start, end=end, preset=DEFAULT_PRESET)


def _values(params: Mapping[str, str | list[str]], key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else list(raw)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None


def from_params(
    params: Mapping[str, str | list[str]],
    anchor: date,
    allowed: Mapping[str, Iterable[str]] | None = None,
) -> Filters:
    """A valid `Filters` from URL parameters (or a saved view), with a notice for each fallback.

    `allowed` maps a dimension name ("category", ...) to the values present in the data; values
    outside it are dropped. Notices are message keys with arguments, "key|arg", translated by the UI.
    """
    notices: list[str] = []
    base = default(anchor)
    preset_vals = _values(params, "range")
    preset = preset_vals[-1] if preset_vals else ""
    start, end = base.start, base.end
    from_vals, to_vals = _values(params, "from"), _values(params, "to")
    if preset and preset != "custom":
        window = preset_range(preset, anchor)
        if window is None:
            notices.append(f"filters.notice.bad_range|{preset[:40]}")
            preset = DEFAULT_PRESET
        else:
            start, end = window
    elif from_vals or to_vals:
        preset = "custom"
        f = _date(from_vals[-1]) if from_vals else base.start
        t = _date(to_vals[-1]) if to_vals else anchor
        if f is None or t is None:
            bad = from_vals[-1] if f is None else to_vals[-1]
            notices.append(f"filters.notice.bad_date|{bad[:40]}")
            preset = DEFAULT_PRESET
        elif f > t:
            notices.append(f"filters.notice.swapped|{f.isoformat()}|{t.isoformat()}")
            start, end = t, f
        else:
            start, end = f, t
    else:
        preset = DEFAULT_PRESET
    dims: dict[str, tuple[str, ...]] = {}
    for name, (key, _) in DIMENSIONS.items():
        vals = [v for v in _values(params, key) if v != ""]
        clean = [v for v in vals if len(v) <= MAX_VALUE_LEN][:MAX_VALUES]
        if allowed is not None and name in allowed:
            ok = set(allowed[name])
            dropped = [v for v in clean if v not in ok]
            clean = [v for v in clean if v in ok]
            if dropped:
                notices.append(f"filters.notice.unknown_value|{key}|{', '.join(d[:40] for d in dropped[:5])}")
        if len(clean) < len(vals) and (allowed is None or name not in allowed):
            notices.append(f"filters.notice.too_long|{key}")
        dims[name] = tuple(dict.fromkeys(clean))
    currency = ""
    cur_vals = _values(params, CURRENCY_KEY)
    if cur_vals and cur_vals[-1]:
        code = cur_vals[-1].strip().upper()
        known = allowed.get("currency") if allowed is not None else None
        if _CURRENCY.match(code) and (known is None or code in set(known)):
            currency = code
        else:
            notices.append(f"filters.notice.unknown_value|{CURRENCY_KEY}|{cur_vals[-1][:40]}")
    dataset = ""
    ds_vals = _values(params, DATASET_KEY)
    if ds_vals and ds_vals[-1]:
        known = allowed.get("dataset") if allowed is not None else None
        if len(ds_vals[-1]) <= MAX_VALUE_LEN and (known is None or ds_vals[-1] in set(known)):
            dataset = ds_vals[-1]
        else:
            notices.append(f"filters.notice.unknown_value|{DATASET_KEY}|{ds_vals[-1][:40]}")
    return Filters(start=start, end=end, preset=preset, currency=currency, dataset=dataset, notices=tuple(notices), **dims)
