"""Reviews: sentiment over time and by product/category, aspects with their quotes, the products
that sell a lot and are disliked, distinctive terms, rating↔text mismatches, search, and training
a model on the shop's own reviews."""

import pandas as pd
import streamlit as st

from ecom.reviews import registry
from ecom.ui import analytics as ui
from ecom.ui import auth, tables
from ecom.ui import reviews as rv
from ecom.ui.cache import warehouse
from ecom.ui.filters import url_option
from ecom.ui.guards import need_tables
from ecom.ui.lang import tr

st.title(tr("nav.reviews"))
need_tables("reviews")
f, lang, symbol = ui.context()
model = rv.active_model()
rv.scoring(model)
rf = rv.review_filters(f)
version, aver = model.version, rv.aspects_version(model)

by_category = rv.Q["by"](version, rf, "category")
tot = rv.totals(by_category)
cov = rv.Q["coverage"](version, rf)
st.caption(tr("rvp.caption", period=ui.period_text(f), model=version))
if f.shop or f.channel or f.region:
    st.caption(tr("rvp.sold_filter"))
if cov["reviews"] == 0:
    st.info(tr("rvp.none_in_filter"), icon=":material/filter_alt_off:")
loaded = rv.Q["span"]()
if cov["reviews"] < loaded["reviews"]:  # most review exports span years; the default period is the last weeks
    dated = loaded["first"] is not None
    st.caption(tr("rvp.outside" if dated else "rvp.outside_undated", n=f"{cov['reviews']:,}", total=f"{loaded['reviews']:,}",
                  first=str(loaded["first"]), last=str(loaded["last"])))
for note in rv.coverage_notes(cov, model):
    st.info(note, icon=":material/translate:")

k1, k2, k3, k4 = st.columns(4)
k1.metric(tr("rvp.kpi.reviews"), f"{cov['reviews']:,}")
# shares of the reviews with a sentiment; the count and the mean rating are of every review
shares = tr("rvp.kpi.share_help", n=f"{tot['reviews']:,}")
k2.metric(tr("rvp.kpi.negative_rate"), ui.pct(tot["negative_rate"]), help=shares)
k3.metric(tr("rvp.kpi.positive_rate"), ui.pct(tot["positive"] / tot["reviews"] if tot["reviews"] else None), help=shares)
k4.metric(tr("rvp.kpi.mean_rating"), "—" if pd.isna(cov["mean_rating"]) else f"{cov['mean_rating']:.2f} ★")

tabs = st.tabs([tr(f"rvp.tab.{t}") for t in ("trend", "aspects", "products", "terms", "mismatch", "search", "train")])
label_cols = {k: st.column_config.NumberColumn(rv.label_name(k)) for k in rv.LABELS}

with tabs[0]:
    c1, c2 = st.columns(2)
    grain = url_option(c1.segmented_control, tr("rvp.grain"), ["day", "week", "month"], "grain", rv.default_grain(f), lambda g: tr(f"sales.grain.{g}"))
    by = url_option(c2.segmented_control, tr("rvp.by"), ["category", "product_id"], "by", "category", lambda b: tr(f"sales.by.{b}"))
    mix = rv.Q["mix"](version, rf, grain)
    if mix.empty:
        # no axis over an empty range (plotly would draw one from the year 2000); with no review in the
        # filters at all the notice above says so, and their dates say nothing
        if cov["reviews"]:
            st.info(tr("rvp.no_dates" if cov["dated"] == 0 else "rvp.no_dated_sentiment"), icon=":material/event_busy:")
    else:
        ui.chart(rv.mix_chart(mix, grain, tr("rvp.chart.mix", grain=tr(f"sales.grain.{grain}"), period=ui.period_text(f))), "mix")
        ui.table(mix, f"review_sentiment_by_{grain}", "mix", {"period": st.column_config.DateColumn(tr("rvp.col.period")), **label_cols})
    split = by_category if by == "category" else rv.Q["by"](version, rf, "product_id")
    ui.chart(rv.by_chart(split, tr("rvp.chart.by", by=tr(f"sales.by.{by}"))), "by")
    ui.table(split, f"review_sentiment_by_{by}", "by", {
        "key": st.column_config.TextColumn(tr(f"sales.by.{by}")), "reviews": st.column_config.NumberColumn(tr("rvp.col.reviews")),
        **label_cols, "negative_rate": ui.pct_column(tr("rvp.col.negative_rate")),
        "mean_rating": st.column_config.NumberColumn(tr("rvp.col.mean_rating"), format="%.2f ★")}, height=300)

with tabs[1]:
    aspects = rv.Q["aspects"](version, aver, rf)
    st.caption(tr("rvp.aspects_help"))
    if aspects.empty:
        st.info(tr("rvp.no_aspects"))
    names = {r.aspect: tr("rvp.chip", name=rv.aspect_name(r.aspect), share=ui.pct(r.share, 0), n=f"{r.reviews:,}", neg=f"{r.negative:,}")
             for r in aspects.itertuples()}
    chosen = url_option(st.pills, tr("rvp.aspects"), list(names), "aspect", None, lambda a: names.get(a, a))
    side = "all"
    if chosen in names:
        side = url_option(st.segmented_control, tr("rvp.polarity"), ["all", "negative", "neutral", "positive"], "pol", "all",
                          lambda p: tr("filters.all") if p == "all" else rv.label_name(p))
        polarity = {"all": None, "negative": -1, "neutral": 0, "positive": 1}[side]
        quotes = rv.Q["quotes"](version, aver, chosen, rf, polarity)
        st.caption(tr("rvp.quotes_cap", n=len(quotes), name=rv.aspect_name(chosen)))
        quotes["polarity"] = quotes.polarity.map({-1: "negative", 0: "neutral", 1: "positive"}).map(rv.label_name)
        quotes["label"] = quotes.label.map(rv.label_name)
        ui.table(quotes, f"aspect_{chosen}", "quotes", {
            "review_time": st.column_config.DatetimeColumn(tr("rvp.col.time")), "product_id": st.column_config.TextColumn(tr("rvp.col.product_id")),
            "rating": st.column_config.NumberColumn(tr("rvp.col.rating"), format="%d ★"), "label": tr("rvp.col.label"),
            "polarity": tr("rvp.col.polarity"), "clause": tr("rvp.col.clause"), "review_text": st.column_config.TextColumn(tr("rvp.col.text"), width="large")},
            height=300)
    table = aspects.assign(aspect=aspects.aspect.map(rv.aspect_name))[["aspect", "share", "reviews", *rv.LABELS]]
    ui.table(table, "review_aspects", "aspects", {"aspect": tr("rvp.col.aspect"), "reviews": st.column_config.NumberColumn(tr("rvp.col.reviews")),
                                                  **label_cols, "share": ui.pct_column(tr("rvp.col.share"))})

with tabs[2]:
    st.caption(tr("rvp.leaderboard_help"))
    min_reviews = url_option(st.segmented_control, tr("rvp.min_reviews"), [1, 5, 10, 20], "minr", 5)
    board = rv.Q["leaderboard"](version, rf, int(min_reviews), 20)
    if board.empty:
        st.info(tr("rvp.no_products"))
    else:
        ui.chart(rv.leaderboard_chart(board, tr("rvp.chart.leaderboard"), tr("rvp.col.units"), tr("rvp.col.negative_rate")), "leaderboard")
    cols = ["key", "product_name", "units", "revenue", "reviews", "negative", "negative_rate", "unhappy_units", "mean_rating"]
    ui.table(board[[c for c in cols if c in board.columns]], "review_leaderboard", "leaderboard", {
        "key": st.column_config.TextColumn(tr("rvp.col.product_id")), "product_name": tr("rvp.col.product_name"),
        "units": st.column_config.NumberColumn(tr("rvp.col.units"), format="%,d"), "revenue": ui.money_column(tr("sales.measure.gmv"), symbol),
        "reviews": st.column_config.NumberColumn(tr("rvp.col.reviews")), "negative": label_cols["negative"],
        "negative_rate": ui.pct_column(tr("rvp.col.negative_rate")),
        "unhappy_units": st.column_config.NumberColumn(tr("rvp.col.unhappy_units"), format="%,.0f", help=tr("rvp.unhappy_help")),
        "mean_rating": st.column_config.NumberColumn(tr("rvp.col.mean_rating"), format="%.2f ★")})

with tabs[3]:
    st.caption(tr("rvp.terms_help"))
    terms = rv.distinctive_terms(version, aver, rf)
    if terms.empty:
        st.info(tr("rvp.no_terms"))
    else:
        left, right = st.columns(2)
        with left:
            ui.chart(rv.terms_chart(terms, "negative", tr("rvp.chart.terms_negative")), "terms_negative")
        with right:
            ui.chart(rv.terms_chart(terms, "positive", tr("rvp.chart.terms_positive")), "terms_positive")
    ui.table(terms.assign(side=terms.side.map(rv.label_name)), "review_terms", "terms", {
        "term": tr("rvp.col.term"), "side": tr("rvp.col.label"), "z": st.column_config.NumberColumn("z", format="%.2f"),
        "count": st.column_config.NumberColumn(tr("rvp.col.reviews"))})

quote_cols = {"review_time": st.column_config.DatetimeColumn(tr("rvp.col.time")), "product_id": st.column_config.TextColumn(tr("rvp.col.product_id")),
              "rating": st.column_config.NumberColumn(tr("rvp.col.rating"), format="%d ★"), "label": tr("rvp.col.label"),
              "p_positive": st.column_config.NumberColumn(tr("rvp.col.p_positive"), format="%.2f"),
              "review_text": st.column_config.TextColumn(tr("rvp.col.text"), width="large"), "mismatch": tr("rvp.col.mismatch")}

with tabs[4]:
    st.caption(tr("rvp.mismatch_help"))
    flags = rv.Q["mismatches"](version, rf)
    flags["mismatch"] = flags.mismatch.map(rv.mismatch_name)
    st.caption(tr("rvp.mismatch_cap", n=len(flags)))
    ui.table(flags, "review_mismatches", "mismatches", quote_cols, height=300)

with tabs[5]:
    query = (st.text_input(tr("rvp.search"), key="q", bind="query-params", placeholder=tr("rvp.search_placeholder")) or "").strip()
    if query:
        found = rv.Q["search"](version, query[:200], rf)
        found["label"] = found.label.map(rv.label_name)
        st.caption(tr("rvp.search_cap", n=len(found), q=query))
        ui.table(found, "review_search", "search", quote_cols, height=300)

with tabs[6]:
    st.caption(tr("rvp.train.help"))
    auth.require("train")
    wh = warehouse()
    with st.form("train_form", border=True):
        t1, t2 = st.columns([3, 1])
        name = t1.text_input(tr("rvp.train.name"), max_chars=64, placeholder="my-shop-2025", help=tr("rvp.train.name_help")).strip()
        epochs = t2.number_input(tr("rvp.train.epochs"), min_value=1, max_value=10, value=2, step=1)
        go = st.form_submit_button(tr("rvp.train.start"), icon=":material/model_training:", type="primary")
    if go:
        problem = rv.train_problem(wh, name)
        if problem:
            st.error(problem)
        else:
            bar = st.progress(0.0, text=tr("rvp.train.preparing"))

            def report(step: int, total: int, info: dict) -> None:
                bar.progress(min(1.0, step / max(total, 1)), text=tr("rvp.train.progress", step=step, total=total, loss=f"{info.get('loss', 0):.3f}"))

            try:
                registry.finetune(wh, name, epochs=float(epochs), config=rv.TRAIN_CONFIG, progress=report)
            except ValueError as exc:
                st.error(tr("rvp.train.failed", error=str(exc)))
            else:
                bar.empty()
                st.session_state["rvp_report"] = name
                st.success(tr("rvp.train.done", name=name))

    models = registry.registry(wh)
    if models.empty:
        st.info(tr("rvp.train.none"))
    else:
        pick = st.session_state.get("rvp_report")
        names = models.name.tolist()
        shown = st.selectbox(tr("rvp.train.report_for"), names, index=names.index(pick) if pick in names else 0, key="rvp_report_pick")
        row = models[models.name == shown].iloc[0]
        new, old = rv.metrics_of(row)
        st.subheader(tr("rvp.train.report", name=shown))
        st.caption(tr("rvp.train.report_cap", n=int(row.test_rows), train=int(row.train_rows), base=row.base))
        compare = registry.comparison(row)
        compare["metric"] = compare.metric.map(rv.metric_name)
        ui.table(compare, f"review_model_{shown}_metrics", "metrics", {
            "metric": tr("rvp.train.metric"), "new": st.column_config.NumberColumn(tr("rvp.train.new", name=shown), format="%.3f"),
            "active": st.column_config.NumberColumn(tr("rvp.train.active_then"), format="%.3f")})
        m1, m2 = st.columns(2)
        with m1:
            st.markdown(f"**{tr('rvp.train.confusion_new', name=shown)}**")
            tables.show(rv.confusion_frame(new), hide_index=True)
        with m2:
            st.markdown(f"**{tr('rvp.train.confusion_active')}**")
            if "error" in old:
                st.warning(tr("rvp.train.active_failed", error=old["error"]))
            else:
                tables.show(rv.confusion_frame(old), hide_index=True)

        st.subheader(tr("rvp.train.choose"))
        current = models.name[models.active].iloc[0] if models.active.any() else None
        options = [None, *names]
        choice = st.radio(tr("rvp.train.active_model"), options, index=options.index(current), key="rvp_active_choice",
                          format_func=lambda n: tr("rvp.train.default_model") if n is None else n, horizontal=True)
        if st.button(tr("rvp.train.activate"), disabled=choice == current, icon=":material/check_circle:"):
            registry.activate(wh, choice)
            st.rerun()
        ui.table(rv.model_listing(models), "review_models", "models", {
            "name": tr("rvp.train.col.name"), "active": st.column_config.CheckboxColumn(tr("rvp.train.col.active")),
            "trained_at": st.column_config.DatetimeColumn(tr("rvp.train.col.trained_at")), "base": tr("rvp.train.col.base"),
            "train_rows": st.column_config.NumberColumn(tr("rvp.train.col.train_rows")), "test_rows": st.column_config.NumberColumn(tr("rvp.train.col.test_rows")),
            "accuracy": st.column_config.NumberColumn(tr("rvp.train.col.accuracy"), format="%.3f"),
            "macro_f1": st.column_config.NumberColumn("macro-F1", format="%.3f")})

ui.save_view_box("reviews", {"grain": grain, "by": by, "aspect": chosen or "", "pol": side, "minr": int(min_reviews), "q": query})
