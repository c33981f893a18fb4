"""Every figure a reason shows is recomputed here from the warehouse's order lines with pandas
(independently of the queries in ecom.recsys.explain) and must match exactly."""

import pandas as pd
import pytest

from ecom.recsys import campaigns, explain, store
from ecom.recsys.recommend import Recommender, customer_histories, customer_history

DAY = pd.Timedelta(days=1)


def kept(lines: pd.DataFrame) -> pd.Series:
    """Which order lines are purchases: sale lines (not cancelled, not returns) with a customer that
    were not refunded in full (the stated refund, else the whole revenue when the status says
    refunded, covers the revenue)."""
    revenue = lines.revenue.astype(float).fillna(0)
    stated = lines.refund_amount.astype(float)
    refund = stated.where(stated.notna(), revenue.where(lines.order_status == "refunded", 0))
    return (lines.line_kind == "sale") & lines.customer_id.notna() & ~((refund > 0) & (refund >= revenue))


@pytest.fixture(scope="module")
def facts(trained):
    wh, _, _ = trained
    cur = wh.cursor()
    lines = cur.execute("SELECT customer_id, order_id, product_id, category, order_time, order_status, line_kind, revenue, refund_amount "
                        "FROM main.sales").df()
    cur.close()
    everything = lines
    lines = lines[kept(lines)]
    p = lines.groupby(["customer_id", "order_id", "product_id"], as_index=False).agg(t=("order_time", "min"), category=("category", "max"))
    orders = p.groupby(["customer_id", "order_id"], as_index=False).t.min().sort_values(["customer_id", "t", "order_id"])
    orders["next_order"] = orders.groupby("customer_id").order_id.shift(-1)
    baskets = p.groupby(["customer_id", "order_id"]).product_id.agg(set)
    return p, orders, baskets, everything


@pytest.fixture(scope="module")
def recs(trained):
    return store.read_recs(trained[0])


def _bought_next(facts, x, y):
    p, orders, baskets, _ = facts
    with_x = p[p.product_id == x][["customer_id", "order_id"]].merge(orders, on=["customer_id", "order_id"])
    with_x = with_x[with_x.next_order.notna()]
    base = with_x.customer_id.nunique()
    hit = [y in baskets[(c, o)] for c, o in zip(with_x.customer_id, with_x.next_order, strict=True)]
    return with_x[hit].customer_id.nunique(), base


def _together(facts, x, y):
    _, _, baskets, _ = facts
    with_x = [b for b in baskets if x in b]
    return sum(y in b for b in with_x), len(with_x)


def _category_rank(facts, category, product):
    p, _, _, _ = facts
    recent = p[(p.t > p.t.max() - 30 * DAY) & (p.category == category)]
    buyers = recent.groupby("product_id").customer_id.nunique().reset_index(name="n")
    buyers = buyers.sort_values(["n", "product_id"], ascending=[False, True]).reset_index(drop=True)
    row = buyers[buyers.product_id == product]
    return (int(row.index[0]) + 1, int(row.n.iloc[0]), len(buyers)) if len(row) else (None, 0, len(buyers))


def _top_category(facts, customer):
    p, _, _, _ = facts
    counts = p[(p.customer_id == customer) & p.category.notna()].groupby("category").size()
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def test_every_kind_of_reason_appears(recs):
    assert set(recs.reason) >= {"repeat", "bought_next", "bought_together", "model"}
    assert recs.groupby("customer_id")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1))).all()


def test_bought_next_figures_match_the_warehouse(facts, recs):
    rows = recs[recs.reason == "bought_next"].drop_duplicates(["reason_product", "product_id"]).head(25)
    assert len(rows) >= 5
    for r in rows.itertuples():
        assert (r.reason_count, r.reason_base) == _bought_next(facts, r.reason_product, r.product_id)
        assert r.reason_count >= explain.MIN_SUPPORT


def test_bought_together_figures_match_the_warehouse(facts, recs):
    rows = recs[recs.reason == "bought_together"].drop_duplicates(["reason_product", "product_id"]).head(25)
    assert len(rows) >= 1
    for r in rows.itertuples():
        assert (r.reason_count, r.reason_base) == _together(facts, r.reason_product, r.product_id)


def test_repeat_figures_match_the_warehouse(facts, recs):
    p, _, _, _ = facts
    now = p.t.max()
    rows = recs[recs.reason == "repeat"].head(40)
    assert len(rows) >= 5
    for r in rows.itertuples():
        mine = p[(p.customer_id == r.customer_id) & (p.product_id == r.product_id)]
        n = mine.order_id.nunique()
        assert n >= 2
        assert r.reason_interval_days == pytest.approx((mine.t.max() - mine.t.min()) / DAY / (n - 1), abs=0.051)
        assert r.reason_days_since == pytest.approx((now - mine.t.max()) / DAY, abs=0.051)


def test_top_category_and_model_figures_match_the_warehouse(facts, recs):
    p, _, _, _ = facts
    for r in recs[recs.reason == "top_category"].head(25).itertuples():
        assert r.reason_category == _top_category(facts, r.customer_id)
        assert (r.reason_rank, r.reason_count, r.reason_base) == _category_rank(facts, r.reason_category, r.product_id)
    for r in recs[recs.reason == "model"].head(25).itertuples():
        assert r.reason_count == p[p.product_id == r.product_id].customer_id.nunique()


def test_already_bought_items_only_come_back_when_repeat_purchases(trained, recs):
    wh = trained[0]
    histories = customer_histories(wh)
    repeatable = explain.collect(wh).repeatable
    for c, group in list(recs.groupby("customer_id"))[:300]:
        again = set(group.product_id) & set(histories.get(c, []))
        assert again <= repeatable


def test_customers_without_a_kept_purchase_get_the_fallback(trained, recs, facts):
    wh = trained[0]
    everyone = set(facts[3].customer_id.dropna())
    assert set(recs.customer_id) == everyone
    cancelled_only = everyone - set(customer_histories(wh))
    assert cancelled_only
    assert set(recs[recs.customer_id.isin(cancelled_only)].reason) == {"popular_in_category"}


def test_cold_start_is_popular_in_category_and_labelled(trained, facts):
    wh, model_dir, _ = trained
    rec = Recommender.load(wh, model_dir)
    new = rec.recommend("nobody-yet", [], n=5)
    assert [r.reason.kind for r in new] == ["popular_in_category"] * 5
    for r in new:
        assert r.score == 0.0
        assert (r.reason.rank, r.reason.count, r.reason.base) == _category_rank(facts, r.reason.category, r.product_id)
    assert "fallback" in explain.render(new[0].reason, "en")
    # a known customer whose only products the model has never seen: their top category's best sellers
    customer = sorted(customer_histories(wh))[0]
    unknown = rec.recommend(customer, ["never-sold"], n=3)
    assert {r.reason.category for r in unknown} == {_top_category(facts, customer)}


def test_rendered_reason_shows_the_figures(recs):
    row = recs[recs.reason == "bought_next"].iloc[0].to_dict()
    text = explain.render(row, "en", names={row["reason_product"]: "Thing X"})
    assert f"{round(100 * row['reason_count'] / row['reason_base'])}% of customers who bought Thing X" in text
    assert f"({row['reason_count']} of {row['reason_base']})" in text
    assert "下一单" in explain.render(row, "zh")


def test_preview_history_and_product_views(trained, facts):
    wh = trained[0]
    p, _, _, _ = facts
    customer = p.groupby("customer_id").size().idxmax()
    hist = customer_history(wh, customer)
    assert len(hist) == (p.customer_id == customer).sum()
    assert hist.order_time.is_monotonic_increasing
    ev = explain.collect(wh)
    product = p.product_id.value_counts().index[0]
    for y, count, base in ev.bought_together(product, 3):
        assert (count, base) == _together(facts, product, y)
    for y, count, base in ev.bought_next(product, 3):
        assert (count, base) == _bought_next(facts, product, y)
    trend = campaigns.product_trend(wh, product, "month")
    lines = facts[3][(facts[3].product_id == product) & (facts[3].line_kind == "sale")]
    months = lines.order_time.dt.to_period("M")
    assert trend.orders.tolist() == lines.groupby(months).order_id.nunique().tolist()
    assert trend.revenue.round(2).tolist() == lines.groupby(months).revenue.sum().astype(float).round(2).tolist()


def test_segment_preview_and_campaign_export_round_trip(trained, recs, tmp_path):
    wh = trained[0]
    segment = sorted(recs.customer_id.unique())[:50]
    preview = campaigns.segment_preview(wh, segment, top=3)
    top3 = recs[recs.customer_id.isin(segment) & (recs["rank"] <= 3)]
    expected = top3.groupby("product_id").customer_id.nunique()
    assert dict(zip(preview.product_id, preview.reach, strict=True)) == {k: expected[k] for k in preview.product_id}
    assert preview.reach.is_monotonic_decreasing
    listing = campaigns.campaign_list(wh, segment, top=2)
    path = tmp_path / "campaign.csv"
    listing.to_csv(path, index=False)
    back = pd.read_csv(path, dtype=str)
    assert len(back) == len(segment)
    for r in back.itertuples():
        assert r.items.split(",") == list(recs[recs.customer_id == r.customer_id].sort_values("rank").product_id[:2])
    product = preview.product_id.iloc[0]
    only = campaigns.campaign_list(wh, segment, top=1, products=[product])
    holders = recs[recs.customer_id.isin(segment) & (recs.product_id == product)].customer_id
    assert sorted(only.customer_id) == sorted(holders.unique())
    assert set(only["items"]) == {product}


def test_stored_preview_names_and_sentences(trained, recs):
    from ecom.recsys.recommend import stored_preview

    wh = trained[0]
    row = recs[recs.reason == "bought_next"].iloc[0]
    preview = stored_preview(wh, row.customer_id, "zh")
    assert preview["rank"].tolist() == list(range(1, len(preview) + 1))
    names = dict(wh.cursor().execute("SELECT product_id, product_name FROM main.products").fetchall())
    assert preview.product_name.tolist() == [names[p] for p in preview.product_id]
    line = preview[preview.product_id == row.product_id].why.iloc[0]
    assert names[row.reason_product] in line and f"{row.reason_count} 人" in line
    assert stored_preview(wh, "nobody").empty
