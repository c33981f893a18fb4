"""Market share: brand share in a category over time, ours against competitors, movers, concentration."""

import streamlit as st

from ecom import charts
from ecom.queries.market import our_brands
from ecom.ui import analytics as ui
from ecom.ui.filters import url_option
from ecom.ui.guards import need_tables
from ecom.ui.lang import tr

f, lang, symbol = ui.context()
st.title(tr("nav.market"))
need_tables("market")
cats = ui.Q["market_categories"](f)
if not cats:
    st.info(tr("market.no_rows", period=ui.period_text(f)))
    st.stop()
default = next((c for c in f.category if c in cats), cats[0])
cat = url_option(st.selectbox, tr("market.category"), cats, "mcat", default, lambda c: c or tr("market.no_category"))
basis = ui.Q["market_basis"](f, cat)
st.caption(tr(f"market.basis.{basis or 'none'}") + " " + tr("market.ours", brands=", ".join(our_brands()) or tr("market.ours_unset")))
label = cat or tr("market.no_category")

trend = ui.Q["share_trend"](f, cat)
ui.chart(charts.line(trend, "period", "share", tr("market.chart.trend", category=label), "percent", color="brand", area=True, stacked=True), "share")
a, b = st.columns(2)
with a:
    ovc = ui.Q["ours_vs_competitors"](f, cat).assign(side_label=lambda d: [tr(f"market.side.{s}") for s in d.side])
    ui.chart(charts.line(ovc, "period", "share", tr("market.chart.ours", category=label), "percent", color="side_label"), "ours")
with b:
    mv = ui.Q["movers"](f, cat)
    ui.chart(charts.bar(mv, "brand", "change", tr("market.chart.movers", category=label), "percent1", horizontal=True,
                        names={"change": tr("market.change")}), "movers")

st.subheader(tr("market.concentration"))
conc = ui.Q["concentration"](f, cat)
if len(conc):
    last = conc.iloc[-1]
    c1, c2, c3 = st.columns(3)
    c1.metric("CR4", ui.pct(last.cr4), border=True, help=tr("market.cr4_help"))
    c2.metric("HHI", f"{last.hhi:,.0f}", border=True, help=tr("market.hhi_help"))
    c3.metric(tr("market.brands"), f"{int(last.brands):,}", border=True)
    ui.table(conc, "concentration", "conc", {"cr4": ui.pct_column("CR4")})

st.subheader(tr("market.categories"))
cs = ui.Q["category_share"](f)
if cs.empty:
    st.caption(tr("market.no_sizes"))
else:
    ui.chart(charts.pie(cs, "category", "size", tr("market.chart.categories", period=ui.period_text(f))), "categories")
    ui.table(cs, "category_share", "cat_share", {"share": ui.pct_column(tr("market.share")), "our_share": ui.pct_column(tr("market.our_share"))})
ui.table(trend, "brand_share", "share_table", {"share": ui.pct_column(tr("market.share"))}, height=250)

ui.save_view_box("market", {"mcat": cat})
