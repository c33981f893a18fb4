"""Inventory: days of stock, sell-through, slow movers and what to reorder."""

import streamlit as st

from ecom import charts, settings
from ecom.queries.inventory import COVER_DAYS, SLOW_DAYS
from ecom.ui import analytics as ui
from ecom.ui import nav
from ecom.ui.cache import row_counts
from ecom.ui.filters import url_option
from ecom.ui.lang import tr

f, lang, symbol = ui.context()
st.title(tr("nav.inventory"))
if not row_counts().get("stock"):
    st.info(tr("inventory.need_stock"), icon=":material/inventory_2:")
    nav.link("data", label=tr("guard.go_data"))
    st.stop()
lead = int(settings.get("ECOM_LEAD_TIME_DAYS"))
st.caption(tr("inventory.caption", period=ui.period_text(f), lead=lead, cover=COVER_DAYS, slow=SLOW_DAYS))

s = ui.Q["stock_summary"](f)
c = st.columns(5)
c[0].metric(tr("inventory.products"), f"{int(s['products'] or 0):,}", border=True)
c[1].metric(tr("inventory.on_hand"), f"{int(s['on_hand'] or 0):,}", border=True)
c[2].metric(tr("inventory.median_days"), "—" if s["median_days"] is None else f"{s['median_days']:,.0f}", border=True)
c[3].metric(tr("inventory.to_reorder"), f"{int(s['to_reorder'] or 0):,}", border=True)
c[4].metric(tr("inventory.slow"), f"{int(s['slow'] or 0):,}", border=True)
if s["snapshot"] is not None:
    st.caption(tr("inventory.snapshot", date=str(s["snapshot"])[:10]))

kind = url_option(st.segmented_control, tr("inventory.list"), ["reorder", "slow", "all"], "list", "reorder", lambda k: tr(f"inventory.list.{k}"))
df = ui.Q["stock_products"](f, kind)
if len(df):
    head = df.head(20).assign(label=lambda d: [f"{p} · {n}" if n else p for p, n in zip(d.product_id, d.name, strict=True)])
    y = "suggested" if kind == "reorder" else "days_of_stock"
    ui.chart(charts.bar(head, "label", y, tr(f"inventory.chart.{kind}"), "count", horizontal=True, names={y: tr(f"inventory.col.{y}")}), "stock")
ui.table(df, f"stock_{kind}", "stock_table", {"sell_through": ui.pct_column(tr("inventory.col.sell_through"))})

ui.save_view_box("inventory", {"list": kind})
