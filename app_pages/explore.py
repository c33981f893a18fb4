"""Explore: an ad-hoc chart over any uploaded table, saveable as a view."""

import streamlit as st

from ecom import charts, schema
from ecom.queries import explore
from ecom.ui import analytics as ui
from ecom.ui.cache import row_counts
from ecom.ui.filters import url_option
from ecom.ui.lang import tr

MONEY_COLUMNS = {c.name for t in schema.TABLES.values() for c in t.columns if c.kind == "money"}

f, lang, symbol = ui.context()
st.title(tr("nav.explore"))
st.caption(tr("explore.caption"))
tables = [t for t, n in row_counts().items() if n]
if not tables:
    st.info(tr("explore.no_tables"))
    st.stop()
table = url_option(st.selectbox, tr("explore.table"), tables, "t", "sales" if "sales" in tables else tables[0],
                   lambda t: tr(f"data.table.{t}") if t in schema.TABLES else t)
cols = ui.Q["explore_columns"](table)
names = list(cols)
groups = ["", *[c for c, k in cols.items() if k in ("text", "bool") or c.startswith(explore.EXTRA)]]
c1, c2, c3 = st.columns(3)
x = url_option(c1.selectbox, tr("explore.x"), names, "x", names[0])
agg = url_option(c2.selectbox, tr("explore.agg"), explore.AGGS, "agg", "count", lambda a: tr(f"explore.agg.{a}"))
y = url_option(c3.selectbox, tr("explore.y"), ["", *names], "y", "", lambda c: c or tr("explore.rows"))
c4, c5, c6 = st.columns(3)
color = url_option(c4.selectbox, tr("explore.color"), groups, "color", "", lambda c: c or tr("explore.none"))
grain = url_option(c5.selectbox, tr("explore.grain"), list(explore.GRAINS), "eg", "day", lambda g: tr(f"explore.grain.{g}"),
                   disabled=cols.get(x) != "time")
chart = url_option(c6.selectbox, tr("explore.chart"), explore.CHARTS, "chart", "bar", lambda c: tr(f"explore.chart.{c}"))

c7, c8 = st.columns([1, 2])
where = url_option(c7.selectbox, tr("explore.where"), groups, "w", "", lambda c: c or tr("explore.none"))
chosen = []
if where:
    offered = ui.Q["explore_values"](table, where)
    asked = [v for v in st.query_params.get("wv", "").split("|") if v in offered]
    chosen = c8.multiselect(tr("explore.equals"), offered, default=asked, key=f"explore_wv_{table}_{where}")
if chosen:
    st.query_params["wv"] = "|".join(chosen)
else:
    st.query_params.pop("wv", None)

spec = explore.Spec(table=table, x=x, y=y, agg=agg, color=color, grain=grain, chart=chart, where=where, equals="|".join(chosen))
try:
    df = ui.Q["explore_run"](f, spec)
except explore.SpecError as exc:
    kind, *args = str(exc).split("|")
    st.warning(tr(f"explore.error.{kind}", **dict(zip(("a", "b"), args, strict=False))), icon=":material/info:")
    st.stop()
measure = tr("explore.rows") if agg == "count" else f"{tr(f'explore.agg.{agg}')} {y}"
title = tr("explore.chart_title", measure=measure, x=x, period=ui.period_text(f)) + (tr("explore.by_color", color=color) if color else "")
kind = "money" if y in MONEY_COLUMNS and agg in ("sum", "mean", "median", "min", "max") else "count"
ui.chart(charts.explore(df, chart, title, cols.get(x) == "time", kind, symbol), "explore")
ui.table(df, f"explore_{table}", "explore_table")
ui.save_view_box("explore", {**spec.to_params(), "eg": grain})
