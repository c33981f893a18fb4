"""Customers: purchase frequency, repeat purchase, RFM segments, cohort retention and the funnel."""

import streamlit as st

from ecom import charts
from ecom.queries.customers import SEGMENTS
from ecom.ui import analytics as ui
from ecom.ui.filters import url_option
from ecom.ui.guards import need_tables
from ecom.ui.lang import tr

f, lang, symbol = ui.context()
st.title(tr("nav.customers"))
counts = need_tables("sales")
st.caption(tr("customers.caption", period=ui.period_text(f)))

rep = ui.Q["repeat_rate"](f)
cols = st.columns(len(rep) + 1)
opc = ui.Q["orders_per_customer"](f)
cols[0].metric(tr("customers.buyers"), f"{int(opc.customers.sum()):,}", border=True)
for col, row in zip(cols[1:], rep.itertuples(), strict=True):
    col.metric(tr("customers.repeat", n=row.window_days), ui.pct(row.rate), border=True,
               help=tr("customers.repeat_help", n=row.window_days, customers=row.customers, repeaters=row.repeaters))

left, right = st.columns(2)
with left:
    opc = opc.assign(label=[f"{n}+" if n >= 10 else str(n) for n in opc.orders])
    ui.chart(charts.bar(opc, "label", "customers", tr("customers.chart.orders", period=ui.period_text(f)), "count",
                        names={"customers": tr("customers.customers")}), "orders_per_customer")
with right:
    gaps, stats = ui.Q["intervals"](f)
    ui.chart(charts.bar(gaps, "bin", "gaps", tr("customers.chart.intervals"), "count", names={"gaps": tr("customers.gaps")}), "intervals")
    if stats["n"]:
        st.caption(tr("customers.interval_stats", median=stats["median"], mean=stats["mean"], n=int(stats["n"])))

st.subheader(tr("customers.rfm"))
seg, cuts = ui.Q["rfm_segments"](f)
if seg.empty:
    st.info(tr("customers.no_customers"))
else:
    seg = seg.assign(label=[tr(f"customers.seg.{s}") for s in seg.segment])
    a, b = st.columns([3, 2])
    with a:
        ui.chart(charts.bar(seg, "label", "share", tr("customers.chart.rfm"), "percent", horizontal=True,
                            names={"share": tr("customers.revenue_share")}), "rfm")
    with b:
        ui.table(seg[["label", "customers", "revenue", "share", "recency", "frequency"]], "rfm_segments", "rfm_table",
                 {"revenue": ui.money_column(tr("customers.revenue"), symbol), "share": ui.pct_column(tr("customers.revenue_share")),
                  "label": tr("customers.segment")})
    st.caption(tr("customers.rfm_help", r=", ".join(f"{x:.0f}" for x in cuts["recency"]), m=", ".join(ui.money(x, symbol) for x in cuts["monetary"])))
    present = [s for s in SEGMENTS if s in set(seg.segment)]
    chosen = url_option(st.selectbox, tr("customers.segment"), present, "seg", present[0], lambda s: tr(f"customers.seg.{s}"))
    ui.table(ui.Q["rfm_customers"](f, chosen), f"rfm_{chosen}", "rfm_customers", {"monetary": ui.money_column(tr("customers.revenue"), symbol)},
             height=250)

st.subheader(tr("customers.cohorts"))
coh = ui.Q["cohorts"](f)
if coh.empty:
    st.info(tr("customers.no_customers"))
else:
    ui.chart(charts.heatmap(coh, tr("customers.chart.cohorts"), tr("customers.months_after"), tr("customers.cohort")), "cohorts")

if counts.get("behavior"):
    st.subheader(tr("customers.behavior"))
    pf, pstats = ui.Q["purchase_frequency"](f)
    fn = ui.Q["funnel"](f)
    a, b = st.columns(2)
    with a:
        if pstats["customers"]:
            pf = pf.assign(label=[f"{n}+" if n >= 10 else str(n) for n in pf.orders])
            ui.chart(charts.bar(pf, "label", "customers", tr("customers.chart.pf"), "count", names={"customers": tr("customers.customers")}), "pf")
            st.caption(tr("customers.pf_share", share=ui.pct(pstats["repeat_share"]), n=pstats["customers"]))
    with b:
        if fn.customers.sum():
            ui.chart(charts.funnel(fn, tr("customers.chart.funnel", period=ui.period_text(f)), {s: tr(f"customers.step.{s}") for s in fn.step}), "funnel")

ui.save_view_box("customers", {"seg": st.session_state.get("seg") or ""})
