"""Plotly figure builders for the analytics pages: one theme, one way to format axes.

Every builder takes an already aggregated frame and a title that says what is shown (the page
writes it in the session's language) and returns a `go.Figure`. Axis kinds: "money" (currency
prefix, thousands separators), "percent" (fractions shown as %), "count" (thousands separators).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "ecom"
COLORS = ("#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d", "#7c3aed")
ANOMALY = "#dc2626"
# Latin first, then the common CJK UI fonts of macOS, Windows and Linux, so both languages render.
FONT = "Inter, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif"


def _register() -> None:
    base = pio.templates["plotly_white"]
    t = go.layout.Template(base)
    t.layout.colorway = list(COLORS)
    t.layout.font = {"family": FONT, "size": 13}
    t.layout.title = {"x": 0, "xanchor": "left", "font": {"size": 16}}
    t.layout.margin = {"l": 10, "r": 10, "t": 50, "b": 10}
    t.layout.legend = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1}
    t.layout.hovermode = "x unified"
    pio.templates[TEMPLATE] = t


_register()


def axis(kind: str, symbol: str = "¥") -> dict:
    """Layout settings for an axis showing `kind` values."""
    if kind == "money":
        return {"tickprefix": symbol, "tickformat": ",.0f", "separatethousands": True}
    if kind == "percent":
        return {"tickformat": ".0%"}
    if kind == "percent1":
        return {"tickformat": ".1%"}
    return {"tickformat": ",~r", "separatethousands": True}


def hover(kind: str, symbol: str = "¥") -> str:
    return {"money": f"{symbol}%{{y:,.2f}}", "percent": "%{y:.1%}", "percent1": "%{y:.1%}"}.get(kind, "%{y:,}")


def _figure(title: str) -> go.Figure:
    fig = go.Figure()
    # The registered template is already valid: assigning it unvalidated (as plotly itself does for
    # its default template) skips a deep copy that cost ~30 ms per figure on every page rerun.
    fig.layout._validate = False
    try:
        fig.layout.template = pio.templates[TEMPLATE]
    finally:
        fig.layout._validate = True
    fig.update_layout(title={"text": title})
    return fig


def line(df: pd.DataFrame, x: str, y: str, title: str, kind: str = "money", symbol: str = "¥", color: str | None = None,
         names: dict | None = None, area: bool = False, stacked: bool = False) -> go.Figure:
    """One line per value of `color` (or one line), x usually a date."""
    fig = _figure(title)
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    for key, part in groups:
        name = (names or {}).get(key, str(key)) if key is not None else (names or {}).get(y, y)
        fig.add_trace(
            go.Scatter(
                x=part[x], y=part[y], name=name, mode="lines" if len(part) > 1 else "markers",
                fill=("tonexty" if stacked else "tozeroy") if area else None, stackgroup="one" if stacked else None,
                hovertemplate=hover(kind, symbol),
            )
        )
    fig.update_yaxes(**axis(kind, symbol), rangemode="tozero")
    fig.update_layout(showlegend=color is not None)
    return fig


def bar(df: pd.DataFrame, x: str, y: str, title: str, kind: str = "money", symbol: str = "¥", color: str | None = None,
        horizontal: bool = False, names: dict | None = None) -> go.Figure:
    """Bars; horizontal bars list the largest first (top to bottom)."""
    fig = _figure(title)
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    for key, part in groups:
        xs, ys = (part[y], part[x].astype(str)) if horizontal else (part[x], part[y])
        name = (names or {}).get(y, y) if key is None else str(key)
        fig.add_trace(go.Bar(x=xs, y=ys, name=name, orientation="h" if horizontal else "v",
                             hovertemplate=hover(kind, symbol).replace("%{y", "%{x") if horizontal else hover(kind, symbol)))
    if horizontal:
        fig.update_xaxes(**axis(kind, symbol))
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_layout(hovermode="y unified")
    else:
        fig.update_yaxes(**axis(kind, symbol))
    fig.update_layout(showlegend=color is not None, barmode="stack")
    return fig


def anomalies(df: pd.DataFrame, metric: str, title: str, kind: str = "money", symbol: str = "¥",
              names: tuple[str, str, str] = ("value", "usual (median, same weekday)", "anomaly")) -> go.Figure:
    """The daily series, the same-weekday median it is compared with, and the flagged days."""
    fig = _figure(title)
    fig.add_trace(go.Scatter(x=df["day"], y=df[metric], name=names[0], mode="lines+markers", hovertemplate=hover(kind, symbol)))
    fig.add_trace(go.Scatter(x=df["day"], y=df["median"], name=names[1], mode="lines", line={"dash": "dot", "color": "#9ca3af"},
                             hovertemplate=hover(kind, symbol)))
    flagged = df[df["anomaly"]]
    fig.add_trace(go.Scatter(x=flagged["day"], y=flagged[metric], name=names[2], mode="markers",
                             marker={"color": ANOMALY, "size": 12, "symbol": "circle-open", "line": {"width": 3}},
                             hovertemplate=hover(kind, symbol)))
    fig.update_yaxes(**axis(kind, symbol), rangemode="tozero")
    return fig


def pareto(df: pd.DataFrame, title: str, names: tuple[str, str] = ("cumulative GMV share", "80%")) -> go.Figure:
    """Cumulative share of GMV against the share of products, with the 80% line."""
    fig = _figure(title)
    fig.add_trace(go.Scatter(x=df["product_share"], y=df["cum_share"], name=names[0], mode="lines", fill="tozeroy",
                             hovertemplate="%{x:.0%} → %{y:.1%}"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0.8, 0.8], name=names[1], mode="lines", line={"dash": "dash", "color": ANOMALY}, hoverinfo="skip"))
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    fig.update_layout(hovermode="closest")
    return fig


def heatmap(df: pd.DataFrame, title: str, x_label: str = "months after first order", y_label: str = "cohort") -> go.Figure:
    """Cohort retention: cohorts down, months since the first order across, cells as %."""
    wide = df.pivot_table(index="cohort", columns="k", values="retention", aggfunc="first").sort_index()
    fig = _figure(title)
    ys = [pd.Timestamp(c).strftime("%Y-%m") for c in wide.index]
    fig.add_trace(go.Heatmap(z=wide.values, x=[int(k) for k in wide.columns], y=ys, colorscale="Blues", zmin=0, zmax=1,
                             text=[[("" if pd.isna(v) else f"{v:.0%}") for v in row] for row in wide.values], texttemplate="%{text}",
                             hovertemplate="%{y} +%{x}: %{z:.1%}<extra></extra>", colorbar={"tickformat": ".0%"}))
    fig.update_xaxes(title=x_label, dtick=1)
    fig.update_yaxes(title=y_label, autorange="reversed", type="category")
    fig.update_layout(hovermode="closest")
    return fig


def funnel(df: pd.DataFrame, title: str, names: dict | None = None) -> go.Figure:
    fig = _figure(title)
    fig.add_trace(go.Funnel(y=[(names or {}).get(s, s) for s in df["step"]], x=df["customers"], textinfo="value+percent previous"))
    fig.update_layout(hovermode="closest")
    return fig


def pie(df: pd.DataFrame, names: str, values: str, title: str) -> go.Figure:
    fig = _figure(title)
    fig.add_trace(go.Pie(labels=df[names].astype(str), values=df[values], hole=0.4, sort=False))
    fig.update_layout(hovermode="closest")
    return fig


def scatter(df: pd.DataFrame, x: str, y: str, title: str, kind: str = "count", symbol: str = "¥", color: str | None = None) -> go.Figure:
    fig = _figure(title)
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    for key, part in groups:
        fig.add_trace(go.Scatter(x=part[x], y=part[y], mode="markers", name=y if key is None else str(key)))
    fig.update_yaxes(**axis(kind, symbol))
    fig.update_layout(showlegend=color is not None, hovermode="closest")
    return fig


def explore(df: pd.DataFrame, chart: str, title: str, x_time: bool, kind: str = "count", symbol: str = "¥") -> go.Figure:
    """The Explore page's chart: `df` has x, value and maybe color."""
    color = "color" if "color" in df.columns else None
    if chart == "pie":
        data = df.groupby("x", sort=False, as_index=False)["value"].sum()
        return pie(data, "x", "value", title)
    if chart == "scatter":
        return scatter(df, "x", "value", title, kind, symbol, color)
    if chart in ("line", "area"):
        data = df.sort_values("x") if x_time else df
        return line(data, "x", "value", title, kind, symbol, color=color, area=chart == "area", stacked=chart == "area" and color is not None)
    return bar(df, "x", "value", title, kind, symbol, color=color)
