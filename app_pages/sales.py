"""Sales: trend, breakdowns, top-N, Pareto and ABC, and the drill down to order lines."""

import streamlit as st

from ecom import charts
from ecom.queries.sales import BREAKDOWNS
from ecom.ui import analytics as ui
from ecom.ui import tables
from ecom.ui.filters import url_option
from ecom.ui.guards import need_tables
from ecom.ui.lang import tr

f, lang, symbol = ui.context()
st.title(tr("nav.sales"))
need_tables("sales")
st.caption(tr("sales.caption", period=ui.period_text(f)))
k = ui.Q["kpis"](f)["current"]
for col, name in zip(st.columns(4), ("gmv", "refunds", "net_sales", "orders"), strict=True):
    col.metric(tr(f"overview.kpi.{name}"), ui.money(k[name], symbol) if name != "orders" else f"{k[name]:,.0f}", border=True,
               help=tr(f"overview.kpi.{name}.help"))

c1, c2, c3, c4 = st.columns(4)
grain = url_option(c1.segmented_control, tr("sales.grain"), ["day", "week", "month"], "grain", "day", lambda g: tr(f"sales.grain.{g}"))
measure = url_option(c2.segmented_control, tr("sales.measure"), ["gmv", "orders", "units"], "measure", "gmv", lambda m: tr(f"sales.measure.{m}"))
by = url_option(c3.selectbox, tr("sales.by"), BREAKDOWNS, "by", "category", lambda b: tr(f"sales.by.{b}"))
top = url_option(c4.selectbox, tr("sales.top"), [5, 10, 20, 50, 100], "top", 20)
kind = "money" if measure == "gmv" else "count"
mname, bname = tr(f"sales.measure.{measure}"), tr(f"sales.by.{by}")

# only the measure shown: splitting orders by category, brand or product costs more than the sums
trend = ui.Q["trend"](f, grain, measures=(measure,))
ui.chart(charts.line(trend, "period", measure, tr("sales.chart.trend", measure=mname, grain=tr(f"sales.grain.{grain}"), period=ui.period_text(f)),
                     kind, symbol, names={measure: mname}), "trend")
split = ui.Q["trend"](f, grain, by, measures=(measure,))
ui.chart(charts.line(split, "period", measure, tr("sales.chart.split", measure=mname, by=bname, grain=tr(f"sales.grain.{grain}")), kind, symbol,
                     color="key"), "split")

st.subheader(tr("sales.breakdown", by=bname))
b = ui.Q["breakdown"](f, by, int(top))
if by == "product_id":
    b["key"] = [f"{k} · {n}" if n else k for k, n in zip(b.key, b.name, strict=True)]
ui.chart(charts.bar(b.sort_values(measure, ascending=False), "key", measure, tr("sales.chart.top", n=int(top), by=bname, measure=mname),
                    kind, symbol, horizontal=True, names={measure: mname}), "top")
ui.table(b, f"sales_by_{by}", "breakdown", {"gmv": ui.money_column(tr("sales.measure.gmv"), symbol), "share": ui.pct_column(tr("sales.share")),
                                            "refunds": ui.money_column(tr("sales.refunds"), symbol)})

st.subheader(tr("sales.pareto"))
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.pareto(ui.Q["pareto"](f), tr("sales.chart.pareto", period=ui.period_text(f)), (tr("sales.cum_share"), "80%")), "pareto")
with right:
    abc = ui.Q["abc"](f)
    tables.show(abc, hide_index=True, column_config={"gmv": ui.money_column(tr("sales.measure.gmv"), symbol), "share": ui.pct_column(tr("sales.share"))})
    st.caption(tr("sales.abc_help"))
    cls = st.segmented_control(tr("sales.abc_class"), ["A", "B", "C"], default="A", key="abc_class") or "A"
ui.table(ui.Q["abc_products"](f, cls), f"abc_{cls}", "abc_products", {"gmv": ui.money_column(tr("sales.measure.gmv"), symbol),
                                                                       "cum_share": ui.pct_column(tr("sales.cum_share"))}, height=250)

st.subheader(tr("sales.drill"))
cats = ui.Q["breakdown"](f, "category", 100)
d1, d2 = st.columns(2)
cat = d1.selectbox(tr("sales.by.category"), [None, *cats.key.tolist()], key="drill_cat",
                   format_func=lambda c: tr("filters.all") if c is None else str(c))
g = f.with_dims(category=[cat]) if cat is not None else f
prods = ui.Q["breakdown"](g, "product_id", 100)
names = dict(zip(prods.key, prods.name, strict=True))
sku = d2.selectbox(tr("sales.by.product_id"), [None, *prods.key.tolist()], key="drill_sku",
                   format_func=lambda k: tr("filters.all") if k is None else f"{k} · {names.get(k) or ''}")
if sku is None:
    ui.table(prods, "products", "drill_products", {"gmv": ui.money_column(tr("sales.measure.gmv"), symbol), "share": ui.pct_column(tr("sales.share"))},
             height=300)
else:
    lines = ui.Q["order_lines"](g.with_dims(product=[sku]))
    st.caption(tr("sales.lines_cap", n=len(lines)))
    ui.table(lines, f"order_lines_{sku}", "drill_lines", height=300)

ui.save_view_box("sales", {"grain": grain, "by": by, "top": int(top), "measure": measure})
