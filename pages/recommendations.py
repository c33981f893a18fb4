"""Recommendations: a customer's likely next purchases with checkable reasons, a product's companions,
items to push to a segment (exportable campaign list), and the model against its yardsticks."""

from pathlib import Path

import pandas as pd
import streamlit as st

from ecom import settings
from ecom.recsys import campaigns, explain, store
from ecom.recsys.recommend import customer_history, product_names, stored_preview
from ecom.ui import analytics as ui
from ecom.ui.cache import cached_query, warehouse
from ecom.ui.download import download_buttons
from ecom.ui.guards import need_tables
from ecom.ui.lang import tr

f, lang, symbol = ui.context()
st.title(tr("nav.recommendations"))
need_tables("sales")
wh = warehouse()
evidence = cached_query(explain.collect)
names = cached_query(product_names)
MODEL_DIR = Path(settings.get("ECOM_RECSYS_MODEL"))
MODEL_DIR = MODEL_DIR if MODEL_DIR.is_absolute() else settings.ROOT / MODEL_DIR


def train_now() -> None:
    from ecom.recsys.retrain import train_warehouse

    bar = st.progress(0.0, text=tr("recsys.training"))
    try:
        result = train_warehouse(wh, MODEL_DIR, progress=lambda done, total, msg: bar.progress(min(1.0, done / max(total, 1e-9)), text=msg))
    except ValueError as exc:
        bar.empty()
        st.error(str(exc))
        return
    bar.empty()
    st.success(tr("recsys.trained", recs=result["recs"], seconds=round(result["wall_seconds"])))


registry = store.models(wh)
top = st.container(horizontal=True)
if top.button(tr("recsys.train"), icon=":material/model_training:"):
    train_now()
    registry = store.models(wh)
if registry.empty:
    st.info(tr("recsys.no_model"), icon=":material/info:")
    st.stop()
latest = registry.iloc[0]
if int(latest.data_version) != wh.data_version():
    st.warning(tr("recsys.stale"), icon=":material/update:")

names_now = names()
label = lambda p: f"{p} · {names_now[p]}" if p in names_now else str(p)  # noqa: E731
customer_tab, product_tab, segment_tab, model_tab = st.tabs([tr("recsys.tab.customer"), tr("recsys.tab.product"), tr("recsys.tab.segment"), tr("recsys.tab.model")])

with customer_tab:
    query = st.text_input(tr("recsys.search_customer"), key="rec_customer_q").strip()
    cur = wh.cursor()
    try:
        found = [r[0] for r in cur.execute(
            "SELECT DISTINCT customer_id FROM main.sales WHERE customer_id IS NOT NULL AND customer_id ILIKE ? ORDER BY 1 LIMIT 50", [f"%{query}%"]).fetchall()]  # fmt: skip
    finally:
        cur.close()
    customer = st.selectbox(tr("recsys.customer"), found, key="rec_customer") if found else None
    if customer:
        left, right = st.columns(2)
        with left:
            st.subheader(tr("recsys.history"))
            hist = customer_history(wh, customer)
            st.dataframe(hist, hide_index=True, width="stretch")
        with right:
            st.subheader(tr("recsys.next_items"))
            recs = stored_preview(wh, customer, lang)
            if recs.empty:
                picks = evidence().popular_in_category(None, set(), 10)
                recs = pd.DataFrame({"rank": range(1, len(picks) + 1), "product_id": [p for p, _ in picks],
                                     "product_name": [names_now.get(p) for p, _ in picks], "score": 0.0,
                                     "why": [explain.render(r, lang) for _, r in picks]})  # fmt: skip
            st.dataframe(recs[["rank", "product_id", "product_name", "score", "why"]], hide_index=True, width="stretch",
                         column_config={"score": st.column_config.NumberColumn(tr("recsys.score"), format="percent"),
                                        "why": tr("recsys.why")})  # fmt: skip
    elif query:
        st.info(tr("recsys.no_customer"))

with product_tab:
    ev = evidence()
    products = sorted(ev.buyers, key=lambda p: (-ev.buyers[p], p))
    product = st.selectbox(tr("recsys.product"), products, key="rec_product", format_func=label) if products else None
    if product:
        a, b = st.columns(2)
        for col, title, rows, unit in ((a, "recsys.bought_together", ev.bought_together(product), "recsys.orders"), (b, "recsys.bought_next", ev.bought_next(product), "recsys.customers")):
            with col:
                st.subheader(tr(title))
                df = pd.DataFrame(rows, columns=["product_id", "count", "base"])
                df.insert(1, "product_name", [names_now.get(p) for p in df.product_id])
                df["share"] = df["count"] / df["base"]
                st.dataframe(df, hide_index=True, width="stretch", column_config={"share": ui.pct_column(tr("recsys.share")), "count": tr(unit)})
        trend = campaigns.product_trend(wh, product, "week")
        st.subheader(tr("recsys.trend"))
        st.line_chart(trend.set_index("period")[["units"]])

with segment_tab:
    from ecom.queries.customers import SEGMENTS

    kind = st.radio(tr("recsys.segment_kind"), ["rfm", "buyers"], key="rec_seg_kind", horizontal=True, format_func=lambda k: tr(f"recsys.segment_kind.{k}"))
    if kind == "rfm":
        seg = st.selectbox(tr("recsys.segment"), SEGMENTS, key="rec_seg", format_func=lambda s: tr(f"customers.seg.{s}"))
        members = ui.Q["rfm_customers"](f, seg).customer_id.tolist()
        basename = f"campaign_{seg}"
    else:
        ev = evidence()
        prod = st.selectbox(tr("recsys.product"), sorted(ev.buyers, key=lambda p: (-ev.buyers[p], p)), key="rec_seg_product", format_func=label)
        members = campaigns.buyers_of(wh, prod) if prod else []
        basename = f"campaign_buyers_{prod}"
    st.caption(tr("recsys.segment_size", n=len(members)))
    if members:
        preview = campaigns.segment_preview(wh, members, top=3)
        preview.insert(1, "product_name", [names_now.get(p) for p in preview.product_id])
        st.dataframe(preview, hide_index=True, width="stretch", column_config={"reach": tr("recsys.reach"), "mean_score": st.column_config.NumberColumn(tr("recsys.score"), format="percent")})
        listing = campaigns.campaign_list(wh, members, top=3)
        download_buttons(listing, basename, "campaign")

with model_tab:
    rows = []
    for method in ("model", "popularity", "item_knn"):
        rows.append({"method": tr(f"recsys.method.{method}"), **{m: latest.get(f"{method} {m}") for m in ("hr@10", "ndcg@10", "coverage")}})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(tr("recsys.model_caption", customers=int(latest.customers), items=int(latest["items"]), seconds=round(float(latest.train_seconds)),
                  created=str(latest.created_at)[:16]))  # fmt: skip
    st.dataframe(registry.drop(columns=["config", "train", "metrics"]), hide_index=True, width="stretch")
