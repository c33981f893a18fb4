"""Explore: an ad-hoc aggregation over any user table (x, y, aggregation, colour, time grain).

Table and column names are checked against the warehouse's own lists (main schema only, so the
app schema is never reachable); a spec that names anything else is refused with a message saying
what is missing. The global filters apply where the table has the columns: the date range to its
time column, the dimension filters to the canonical dimension columns it has.

Columns of the uploaded files that the schema does not know (kept in each row's `_extra`) are
columns here too, named `extra:<their header>` (text, or number when their values are numbers):
they can be grouped by, coloured by, aggregated and filtered on like any other. A spec may keep only
the rows whose `where` column has one of the `equals` values.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pandas as pd

from ecom.filters import Filters
from ecom.queries.common import apply_dims, day_bounds, fetch, table

AGGS = ("count", "count_distinct", "sum", "mean", "median", "min", "max")
NUMERIC_AGGS = ("sum", "mean", "median")
CHARTS = ("bar", "line", "area", "scatter", "pie")
GRAINS = {"none": None, "day": "D", "week": "W", "month": "M"}
TIME_COLUMNS = ("order_time", "event_time", "review_time", "snapshot_date", "period", "loaded_at")
MAX_GROUPS = 50  # x values shown for a non-time x (largest first)
MAX_COLORS = 10  # colour values kept; the rest become "(other)"
MAX_POINTS = 5000
EXTRA = "extra:"  # prefix of the columns kept from the files outside the schema
MAX_EXTRA = 200  # such columns offered per table
FILTER_VALUES = 200  # values offered for a row filter


class SpecError(ValueError):
    """A spec names a table, column or option that is not (or no longer) there."""


@dataclass(frozen=True)
class Spec:
    table: str
    x: str
    y: str = ""
    agg: str = "count"
    color: str = ""
    grain: str = "day"
    chart: str = "bar"
    where: str = ""  # keep only rows whose `where` column is one of `equals` ("|"-separated)
    equals: str = ""

    def to_params(self) -> dict[str, str]:
        return {"t": self.table, "x": self.x, "y": self.y, "agg": self.agg, "color": self.color, "grain": self.grain, "chart": self.chart,
                "w": self.where, "wv": self.equals}


def columns(wh, name: str) -> dict[str, str]:
    """Column -> kind (number, time, text, bool) for the columns Explore can use in a user table."""
    if name not in wh.user_tables():
        return {}
    allowed = set(wh.columns(name))
    out: dict[str, str] = {}
    for col, dtype in table(wh, name).schema().items():
        if col not in allowed:
            continue
        if dtype.is_numeric():
            out[col] = "number"
        elif dtype.is_temporal():
            out[col] = "time"
        elif dtype.is_string():
            out[col] = "text"
        elif dtype.is_boolean():
            out[col] = "bool"
    if "_extra" in allowed:
        out.update(_extra_columns(wh, name))
    return out


def _extra_columns(wh, name: str) -> dict[str, str]:
    """The file columns kept outside the schema, as `extra:<header>` -> text | number."""
    t = table(wh, name)
    x = t.filter(t._extra.notnull())
    per_upload = fetch(x.group_by("_upload_id").aggregate(k=x._extra.keys().first()))
    keys = list(dict.fromkeys(k for ks in per_upload.k if ks is not None for k in ks))[:MAX_EXTRA]
    if not keys:
        return {}
    probe = x.limit(2000)
    counts = fetch(probe.aggregate(**{f"n{i}": probe._extra.get(k).count() for i, k in enumerate(keys)},
                                   **{f"d{i}": probe._extra.get(k).try_cast("float64").count() for i, k in enumerate(keys)})).iloc[0]
    return {f"{EXTRA}{k}": "number" if counts[f"n{i}"] and counts[f"d{i}"] == counts[f"n{i}"] else "text" for i, k in enumerate(keys)}


def _column(t, name: str, kind: str):
    """A column of the table, or a kept file column (`extra:…`) read from `_extra`."""
    if name.startswith(EXTRA):
        value = t._extra.get(name[len(EXTRA):])
        return value.try_cast("float64") if kind == "number" else value
    return t[name]


def spec_from_params(params: dict) -> Spec:
    get = lambda k, d="": str(params.get(k) or d)[:200]  # noqa: E731
    return Spec(table=get("t"), x=get("x"), y=get("y"), agg=get("agg", "count"), color=get("color"), grain=get("grain", "day"),
                chart=get("chart", "bar"), where=get("w"), equals=str(params.get("wv") or "")[:2000])


def validate(wh, spec: Spec) -> Spec:
    """The spec if every name in it exists in the warehouse now; raises SpecError saying what is gone."""
    tables = [t for t in wh.user_tables()]
    if spec.table not in tables:
        raise SpecError(f"table|{spec.table}")
    cols = columns(wh, spec.table)
    for role in ("x", "y", "color", "where"):
        name = getattr(spec, role)
        if name and name not in cols:
            raise SpecError(f"column|{spec.table}|{name}")
    if not spec.x:
        raise SpecError(f"column|{spec.table}|")
    if spec.agg not in AGGS:
        raise SpecError(f"agg|{spec.agg}")
    if spec.agg != "count" and not spec.y:
        raise SpecError(f"need_y|{spec.agg}")
    if spec.agg in NUMERIC_AGGS and cols.get(spec.y) != "number":
        raise SpecError(f"need_number|{spec.y}")
    if spec.grain not in GRAINS or spec.chart not in CHARTS:
        raise SpecError(f"option|{spec.grain}|{spec.chart}")
    return spec


def run(wh, f: Filters, spec: Spec) -> pd.DataFrame:
    """The aggregated frame with columns x, value and (with a colour) color."""
    spec = validate(wh, spec)
    cols = columns(wh, spec.table)
    t = table(wh, spec.table)
    tcol = next((c for c in TIME_COLUMNS if cols.get(c) == "time"), None)
    if tcol:
        lo, hi = day_bounds(f.start, f.end)
        t = t.filter((t[tcol] >= lo) & (t[tcol] < hi))
    t = apply_dims(t, f)
    if spec.where and spec.equals:
        t = t.filter(_column(t, spec.where, "text").cast("string").isin(spec.equals.split("|")))
    x_is_time = cols[spec.x] == "time"
    x = _column(t, spec.x, cols[spec.x])
    if x_is_time and GRAINS[spec.grain]:
        x = x.truncate(GRAINS[spec.grain])
    elif not x_is_time:
        x = x.cast("string")
    y = _column(t, spec.y, cols[spec.y]) if spec.y else None
    value = {
        "count": lambda: t.count(),
        "count_distinct": lambda: y.nunique(),
        "sum": lambda: y.sum().cast("float64"),
        "mean": lambda: y.mean().cast("float64"),
        "median": lambda: y.median().cast("float64"),
        "min": lambda: y.min() if cols[spec.y] != "number" else y.min().cast("float64"),
        "max": lambda: y.max() if cols[spec.y] != "number" else y.max().cast("float64"),
    }[spec.agg]()
    keys = {"x": x}
    if spec.color:
        c = _column(t, spec.color, "text").cast("string")
        lead = t.group_by(k=c).aggregate(n=t.count()).order_by([ibis.desc("n"), "k"]).limit(MAX_COLORS)
        names = [str(v) for v in fetch(lead).k.dropna()]  # pandas shows a missing value as NaN: never a colour
        keys["color"] = ibis.cases((c.isin(names), c), else_="(other)") if names else ibis.literal("(other)")
    agg = t.group_by(**keys).aggregate(value=value)
    if x_is_time:
        agg = agg.order_by("x").limit(MAX_POINTS)
    else:
        top = t.group_by(x=x).aggregate(v=value).order_by([ibis.desc("v"), "x"]).limit(MAX_GROUPS)
        agg = agg.filter(agg.x.isin(top.x)).order_by([ibis.desc("value"), "x"]).limit(MAX_POINTS)
    return fetch(agg)


def values(wh, name: str, column: str) -> list[str]:
    """The most frequent values of a column (what a row filter offers)."""
    cols = columns(wh, name)
    if column not in cols:
        return []
    t = table(wh, name)
    t = t.mutate(_v=_column(t, column, "text").cast("string"))
    x = t.filter(t._v.notnull())
    top = x.group_by(v=x._v).aggregate(n=x.count()).order_by([ibis.desc("n"), "v"]).limit(FILTER_VALUES)
    return [str(v) for v in fetch(top).v]
