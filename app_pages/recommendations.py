"""Recommendations: a customer's likely next purchases with checkable reasons, a product's companions
and sales trend, items to push to a segment (exportable campaign list), and the model against its
yardsticks. Pages read the top-N that training stores for every customer (app.recs); before any
model exists, and for customers or products with no history, the labelled popular-in-category
fallback stands in."""

import pandas as pd
import streamlit as st

from ecom import charts
from ecom.queries import common
from ecom.queries.customers import SEGMENTS
from ecom.recsys import campaigns, explain, store
from ecom.recsys.recommend import Rec, customer_history, product_names, stored_preview
from ecom.ui import analytics as ui
from ecom.ui import auth, tables
from ecom.ui import recsys as rs
from ecom.ui.cache import cached_query, warehouse
from ecom.ui.download import download_buttons
from ecom.ui.filters import url_option
from ecom.ui.guards import need_tables
from ecom.ui.lang import tr

TOP_CHOICES = (1, 3, 5, 10)
METRICS = ("hr@10", "ndcg@10", "coverage")
REGISTRY_COLUMNS = ("model_id", "created_at", "data_version", "customers", "items", "interactions", "train_seconds",
                    "model ndcg@10", "popularity ndcg@10", "item_knn ndcg@10")  # fmt: skip


@cached_query
def evidence(wh) -> explain.Evidence:
    return explain.collect(wh)


@cached_query
def names(wh) -> dict[str, str]:
    return product_names(wh)


@cached_query
def history_of(wh, customer: str) -> pd.DataFrame:
    return customer_history(wh, customer)


@cached_query
def find_customers(wh, text: str) -> list[str]:
    return common.find_customers(wh, text)


f, lang, symbol = ui.context()
st.title(tr("nav.recommendations"))
need_tables("sales")
st.caption(tr("recpage.caption"))
wh = warehouse()
ev = evidence()
label_of = names()


def label(p) -> str:
    return f"{p} · {label_of[p]}" if p in label_of else str(p)


rec_config = {
    "score": st.column_config.NumberColumn(tr("recpage.score"), format="percent", help=tr("recpage.score_help")),
    "why": st.column_config.TextColumn(tr("recpage.why"), width="large"), "rank": tr("recpage.rank"),
    "product_name": tr("recpage.product_name"), "reason": None,
    "product_id": None,  # hidden so the reason fits; the id is in the history and the campaign list
}  # fmt: skip

# -- model status and training -----------------------------------------------------------------
registry = store.models(wh)
status, action = st.columns([4, 1], vertical_alignment="center")
if auth.can("train") and action.button(tr("recpage.train"), icon=":material/model_training:", type="primary" if registry.empty else "secondary",
                 help=tr("recpage.train_help"), key="rec_train"):  # fmt: skip
    with status:
        if rs.train():
            registry = store.models(wh)
latest = None if registry.empty else registry.iloc[0]
with status:
    if latest is None:
        st.info(tr("recpage.no_model"), icon=":material/info:")
    else:
        st.caption(tr("recpage.model_line", model=latest.model_id, created=str(latest.created_at)[:16], customers=f"{int(latest.customers):,}",
                      items=f"{int(latest['items']):,}", seconds=round(float(latest.train_seconds))))  # fmt: skip
        if int(latest.data_version) != wh.data_version():
            st.warning(tr("recpage.stale"), icon=":material/update:")

customer_tab, product_tab, segment_tab, model_tab = st.tabs(
    [tr("recpage.tab.customer"), tr("recpage.tab.product"), tr("recpage.tab.segment"), tr("recpage.tab.model")])  # fmt: skip

# -- a customer --------------------------------------------------------------------------------
with customer_tab:
    from_url = st.query_params.get("cust")
    query = st.text_input(tr("recpage.search_customer"), key="rec_customer_q", placeholder=tr("recpage.search_placeholder")).strip()
    found = find_customers(query)
    if from_url and not query and from_url not in found and find_customers(from_url)[:1] == [from_url]:
        found = [from_url, *found]
    customer = url_option(st.selectbox, tr("recpage.customer"), found, "cust", found[0]) if found else None
    if customer:
        hist = history_of(customer)
        st.subheader(tr("recpage.next_items"))
        recs = stored_preview(wh, customer, lang) if latest is not None else pd.DataFrame()
        if not recs.empty:
            source = "stored"
        else:
            model = rs.recommender(latest) if latest is not None else None
            history = hist.product_id.tolist()
            if model is not None:
                source, picks = "live", model.recommend(customer, history)
            else:
                source, picks = "fallback", rs.fallback(ev, customer, history)
            recs = rs.frame(picks, label_of, lang)
        if (recs.reason == "popular_in_category").all():
            source = "fallback"
        st.caption(tr(f"recpage.source.{source}"))
        tables.show(recs[rs.REC_COLUMNS], hide_index=True, column_config=rec_config)
        st.caption(tr("recpage.exclusion_note"))
        st.subheader(tr("recpage.history"))
        st.caption(tr("recpage.history_caption", orders=hist.order_id.nunique(), lines=len(hist)))
        tables.show(hist, hide_index=True, height=min(400, 38 + 35 * len(hist)), column_config={
            "order_time": st.column_config.DatetimeColumn(tr("recpage.order_time"), format="YYYY-MM-DD HH:mm"),
            "order_id": tr("recpage.order_id"), "product_id": tr("recpage.product_id"),
            "product_name": tr("recpage.product_name"), "category": tr("recpage.category")})  # fmt: skip
    elif query:
        st.info(tr("recpage.new_customer"), icon=":material/person_add:")
        tables.show(rs.frame(rs.fallback(ev, None, []), label_of, lang), hide_index=True, column_config=rec_config)

# -- a product ---------------------------------------------------------------------------------
with product_tab:
    products = sorted(ev.buyers, key=lambda p: (-ev.buyers[p], p))
    product = url_option(st.selectbox, tr("recpage.product"), products, "prod", products[0], label) if products else None
    if product:
        st.caption(tr("recpage.product_caption", buyers=ev.buyers.get(product, 0), category=ev.product_category.get(product) or "—"))
        a, b = st.columns(2)
        for col, title, rows, unit, help_key in (
            (a, "recpage.bought_together", ev.bought_together(product), "recpage.orders", "recpage.together_help"),
            (b, "recpage.bought_next", ev.bought_next(product), "recpage.customers", "recpage.next_help"),
        ):
            with col:
                st.subheader(tr(title), help=tr(help_key))
                df = pd.DataFrame(rows, columns=["product_id", "count", "base"])
                df.insert(1, "product_name", [label_of.get(p) for p in df.product_id])
                df["share"] = df["count"] / df["base"]
                if df.empty:
                    st.caption(tr("recpage.no_pairs"))
                else:
                    tables.show(df, hide_index=True, column_config={
                        "share": ui.pct_column(tr("recpage.share")), "count": tr(unit), "base": tr("recpage.base"),
                        "product_id": tr("recpage.product_id"), "product_name": tr("recpage.product_name")})  # fmt: skip
        if not ev.bought_together(product) and not ev.bought_next(product):
            st.info(tr("recpage.unknown_item"), icon=":material/info:")
            picks = ev.popular_in_category(ev.product_category.get(product), {product}, 10)
            tables.show(rs.frame([Rec(p, 0.0, r) for p, r in picks], label_of, lang), hide_index=True, column_config=rec_config)
        trend = campaigns.product_trend(wh, product, "week")
        ui.chart(charts.line(trend, "period", "units", tr("recpage.trend", product=label(product)), "count",
                             names={"units": tr("recpage.units")}), "rec_trend")  # fmt: skip

# -- a segment ---------------------------------------------------------------------------------
with segment_tab:
    kind = url_option(st.segmented_control, tr("recpage.segment_kind"), ["rfm", "buyers"], "segkind", "rfm",
                      lambda k: tr(f"recpage.segment_kind.{k}"))  # fmt: skip
    if kind == "rfm":
        seg = url_option(st.selectbox, tr("recpage.segment"), SEGMENTS, "seg", SEGMENTS[0], lambda s: tr(f"customers.seg.{s}"))
        members = ui.Q["rfm_customers"](f, seg).customer_id.tolist()
        basename = f"campaign_{seg}"
        st.caption(tr("recpage.segment_rfm_note", period=ui.period_text(f)))
    else:
        products = sorted(ev.buyers, key=lambda p: (-ev.buyers[p], p))
        prod = url_option(st.selectbox, tr("recpage.product"), products, "segprod", products[0], label) if products else None
        members = campaigns.buyers_of(wh, prod) if prod else []
        basename = f"campaign_buyers_{prod}"
    top = url_option(st.segmented_control, tr("recpage.top"), TOP_CHOICES, "top", 3)
    st.caption(tr("recpage.segment_size", n=f"{len(members):,}"))
    if latest is None:
        st.info(tr("recpage.segment_needs_model"), icon=":material/info:")
    elif members:
        preview = campaigns.segment_preview(wh, members, top=top)
        preview.insert(1, "product_name", [label_of.get(p) for p in preview.product_id])
        preview["reach_share"] = preview["reach"] / len(members)
        preview["reason"] = [tr(f"recpage.kind.{k}") for k in preview.reason]
        preview = preview[["product_id", "product_name", "reach", "reach_share", "mean_score", "reason"]]
        st.subheader(tr("recpage.push"))
        tables.show(preview, hide_index=True, column_config={
            "reach": st.column_config.NumberColumn(tr("recpage.reach"), help=tr("recpage.reach_help", top=top)),
            "reach_share": ui.pct_column(tr("recpage.reach_share")), "reason": tr("recpage.main_reason"),
            "mean_score": st.column_config.NumberColumn(tr("recpage.score"), format="percent"),
            "product_id": tr("recpage.product_id"), "product_name": tr("recpage.product_name")})  # fmt: skip
        st.subheader(tr("recpage.campaign"))
        listing = campaigns.campaign_list(wh, members, top=top)
        st.caption(tr("recpage.campaign_caption", n=f"{len(listing):,}", top=top))
        tables.show(listing, hide_index=True, height=240,
                     column_config={"customer_id": tr("recpage.customer"), "items": tr("recpage.items")})  # fmt: skip
        download_buttons(listing, basename, "campaign")

# -- the model against its yardsticks ----------------------------------------------------------
with model_tab:
    if latest is None:
        st.info(tr("recpage.no_metrics"), icon=":material/info:")
    else:
        rows = [{"method": tr(f"recpage.method.{m}"), **{k: latest.get(f"{m} {k}") for k in METRICS}} for m in ("model", "popularity", "item_knn")]
        side = pd.DataFrame(rows)
        cols = st.columns(len(METRICS))
        for col, k in zip(cols, METRICS, strict=True):
            base = latest.get(f"popularity {k}")
            col.metric(tr(f"recpage.metric.{k}"), ui.pct(latest.get(f"model {k}"), 2), border=True,
                       delta=None if not base else tr("recpage.vs_popularity", x=latest.get(f"model {k}") / base),
                       delta_color="off", help=tr(f"recpage.metric.{k}.help"))  # fmt: skip
        tables.show(side, hide_index=True, column_config={
            "method": tr("recpage.method"), **{k: st.column_config.NumberColumn(tr(f"recpage.metric.{k}"), format="%.4f") for k in METRICS}})  # fmt: skip
        st.caption(tr("recpage.eval_note"))
        st.subheader(tr("recpage.registry"))
        runs = registry[[c for c in REGISTRY_COLUMNS if c in registry.columns]]
        tables.show(runs, hide_index=True, column_config={
            c: st.column_config.NumberColumn(tr(f"recpage.run.{c}"), format="%.4f") if "@" in c else tr(f"recpage.run.{c}") for c in runs.columns})  # fmt: skip

ui.save_view_box("recommendations", {k: st.session_state.get(k) or "" for k in ("cust", "prod", "segkind", "seg", "segprod", "top")})
