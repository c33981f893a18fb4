"""Overview: how are we doing, what moved and why."""

import streamlit as st

from ecom import charts
from ecom.ui import analytics as ui
from ecom.ui.filters import url_option
from ecom.ui.guards import need_tables
from ecom.ui.lang import tr

f, lang, symbol = ui.context()
st.title(tr("nav.overview"))
need_tables("sales")
st.caption(tr("overview.caption", period=ui.period_text(f), prev=ui.period_text(f.previous_period()), ly=ui.period_text(f.last_year())))

k = ui.Q["kpis"](f)
MONEY = {"gmv", "refunds", "net_sales", "aov"}
RATES = {"refund_rate"}
LESS_IS_BETTER = {"refunds", "refund_rate"}
cols = st.columns(5)
for i, name in enumerate(k.index):
    row = k.loc[name]
    value = ui.money(row.current, symbol) if name in MONEY else ui.pct(row.current) if name in RATES else f"{row.current:,.0f}"
    ly = ui.delta(row.vs_last_year)
    with cols[i % 5]:
        st.metric(
            tr(f"overview.kpi.{name}"), value, delta=ui.delta(row.vs_previous),
            delta_color="inverse" if name in LESS_IS_BETTER else "normal", border=True,
            help=tr(f"overview.kpi.{name}.help") + " " + tr("overview.vs", prev=ui.delta(row.vs_previous) or "—", ly=ly or "—"),
        )
        st.caption(tr("overview.yoy", ly=ly or "—"))

st.subheader(tr("overview.what_moved"))
why = ui.Q["explain"](f, lang, symbol)
st.markdown(why["text"])
for key, name, d, share in zip(why["contributors"].key, why["contributors"].name, why["contributors"].delta, why["contributors"].share, strict=True):
    params = {**f.to_params(), "sku": [key]}
    st.page_link("app_pages/sales.py", label=tr("overview.contributor", name=name or key, delta=ui.money(d, symbol), share=ui.pct(share, 0)),
                 icon=":material/arrow_forward:", query_params=params)

st.subheader(tr("overview.daily"))
metric = url_option(st.segmented_control, tr("overview.metric"), ["gmv", "orders", "customers"], "metric", "gmv",
                    format_func=lambda m: tr(f"overview.metric.{m}"))
a = ui.Q["anomalies"](f, metric)
kind = "money" if metric == "gmv" else "count"
fig = charts.anomalies(a, metric, tr("overview.chart.daily", metric=tr(f"overview.metric.{metric}"), period=ui.period_text(f)), kind, symbol,
                       names=(tr(f"overview.metric.{metric}"), tr("overview.chart.usual"), tr("overview.chart.anomaly")))
ui.chart(fig, "daily")
flagged = a[a.anomaly]
if len(flagged):
    st.warning(tr("overview.anomalies", days=", ".join(d.strftime("%Y-%m-%d") for d in flagged.day)), icon=":material/warning:")
st.caption(tr("overview.anomaly_method"))

ui.save_view_box("overview", {"metric": metric})
