"""What the analytics pages share: cached query wrappers, number formats, chart and table display
with downloads, and the "save this view" box."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from ecom import views
from ecom.filters import Filters
from ecom.queries import customers, explore, inventory, market, overview, sales
from ecom.ui import auth, tables
from ecom.ui.cache import cached_query, warehouse
from ecom.ui.download import download_buttons
from ecom.ui.filters import currency_symbol
from ecom.ui.filters import current as current_filters
from ecom.ui.lang import current as current_lang
from ecom.ui.lang import tr

# Every query a page runs goes through the per-data-version cache.
Q = {
    name: cached_query(fn)
    for name, fn in {
        "kpis": overview.kpis, "anomalies": overview.anomalies, "explain": overview.explain,
        "trend": sales.trend, "breakdown": sales.breakdown, "abc": sales.abc, "abc_products": sales.abc_products,
        "pareto": sales.pareto, "order_lines": sales.order_lines,
        "orders_per_customer": customers.orders_per_customer, "repeat_rate": customers.repeat_rate,
        "intervals": customers.intervals, "rfm_segments": customers.rfm_segments, "rfm_customers": customers.rfm_customers,
        "cohorts": customers.cohorts, "purchase_frequency": customers.purchase_frequency, "funnel": customers.funnel,
        "market_categories": market.categories, "market_basis": market.basis, "share_trend": market.share_trend,
        "ours_vs_competitors": market.ours_vs_competitors, "movers": market.movers, "concentration": market.concentration,
        "category_share": market.category_share,
        "stock_summary": inventory.summary, "stock_products": inventory.products,
        "explore_columns": explore.columns, "explore_run": explore.run, "explore_values": explore.values,
    }.items()
}


def context() -> tuple[Filters, str, str]:
    """This run's filters (without notices, so they key the cache), language and currency symbol."""
    f = current_filters()
    return Filters(**{**f.__dict__, "notices": ()}), current_lang(), currency_symbol()


def money(v, symbol: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{'−' if v < 0 else ''}{symbol}{abs(v):,.0f}"


def pct(v, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:.{digits}%}"


def delta(v) -> str | None:
    """A signed percentage for st.metric's delta, None when there is nothing to compare with."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return f"{v:+.1%}"


def period_text(f: Filters) -> str:
    return f"{f.start.isoformat()} – {f.end.isoformat()}"


def chart(fig, key: str) -> None:
    st.plotly_chart(fig, key=f"chart_{key}", config={"displaylogo": False})


def table(df: pd.DataFrame, basename: str, key: str, column_config: dict | None = None, height: int | str = "auto") -> None:
    """A table with CSV and XLSX downloads of exactly what it shows."""
    tables.show(df, hide_index=True, column_config=column_config, height=height)
    download_buttons(df, basename, key=key)


def money_column(label: str, symbol: str):
    return st.column_config.NumberColumn(label, format=f"{symbol}%,.2f")


def pct_column(label: str):
    return st.column_config.NumberColumn(label, format="percent")


def save_view_box(page: str, options: dict | None = None) -> None:
    """A small form that saves the page with its filters and options as a view and shows its link."""
    with st.popover(tr("views.save"), icon=":material/bookmark_add:"):
        with st.form(f"save_view_{page}", clear_on_submit=True, border=False):
            name = st.text_input(tr("views.name"), max_chars=views.MAX_NAME)
            submitted = st.form_submit_button(tr("views.save_button"))
        if submitted:
            f, _, _ = context()
            try:
                token = views.save(warehouse(), name, page, f, options or {}, owner=auth.current().id)
            except (views.ViewError, explore.SpecError) as exc:
                key = getattr(exc, "key", "views.error.name")
                st.error(tr(key, **getattr(exc, "args_", {})))
            else:
                st.success(tr("views.saved", name=name.strip()))
                st.code(f"{st.context.url or ''}?view={token}", language=None)
                st.caption(tr("views.link_help"))
