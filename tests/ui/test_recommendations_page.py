"""AppTests of the Recommendations page on a small sample warehouse (~3k order lines, made by the
sample generator and loaded through ingestion) with a tiny model: the labelled fallback before
training, training from the page, the shown top-N against app.recs, one reason's figure recomputed
from the raw order lines, a product's companions, the segment campaign list, and the Chinese page."""

import json
import re
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ecom.recsys.model import SASRecConfig
from ecom.recsys.train import TrainConfig
from ecom.ui import recsys as ui_recsys
from ecom.warehouse import Warehouse
from tests.ui.conftest import APP, assert_clean

PAGE = "app_pages/recommendations.py"
TINY = SASRecConfig(n_items=0, max_len=20, hidden=16, n_layers=1, n_heads=1, dropout=0.2)
QUICK = TrainConfig(epochs=3, batch_size=64, lr=5e-3, patience=2, seed=0)


@pytest.fixture(scope="module")
def sales_file(tmp_path_factory):
    """A warehouse holding the sample generator's order lines and products at 3% scale."""
    from ecom.ingest import ingest_file
    from ecom.sample import generate

    out = tmp_path_factory.mktemp("rec_sample")
    generate(out, scale=0.03, seed=7)
    wh = Warehouse(out / "wh.duckdb")
    for name in ("sales_orders.csv", "products.csv"):
        (report,) = ingest_file(wh, out / name)
        assert report.status == "loaded", report.message
    assert wh.row_counts()["sales"] > 2000
    wh.close()
    return out / "wh.duckdb"


@pytest.fixture(scope="module")
def trained_file(sales_file, tmp_path_factory):
    """The same warehouse after training the tiny model (registry and app.recs filled)."""
    from ecom.recsys.retrain import train_warehouse

    tmp = tmp_path_factory.mktemp("rec_trained")
    shutil.copy(sales_file, tmp / "wh.duckdb")
    wh = Warehouse(tmp / "wh.duckdb")
    train_warehouse(wh, tmp / "model", QUICK, config=TINY)
    wh.close()
    return tmp / "wh.duckdb", tmp / "model"


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    monkeypatch.setattr(ui_recsys, "TRAIN_CONFIG", QUICK)
    monkeypatch.setattr(ui_recsys, "MODEL_CONFIG", TINY)
    monkeypatch.setenv("ECOM_RECSYS_MODEL", str(tmp_path / "model"))


def open_page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


# A column only each table has: the customer's next items, the yardsticks, items to push, the campaign list.
MARKS = {"next_items": "why", "yardsticks": "method", "push": "reach", "campaign": "items"}


def frame(at: AppTest, table: str) -> pd.DataFrame:
    """The first table on the page showing `table`'s marking column."""
    return next(df.value for df in at.dataframe if MARKS[table] in df.value.columns)


def query(path, sql: str, params=()) -> list[tuple]:
    wh = Warehouse(path)
    try:
        return wh.cursor().execute(sql, list(params)).fetchall()
    finally:
        wh.close()


def purchases(path) -> pd.DataFrame:
    """Order lines that count as purchases, straight from main.sales (not through the library): sale
    lines that were not refunded in full."""
    wh = Warehouse(path)
    try:
        df = wh.cursor().execute("SELECT customer_id, order_id, product_id, order_time, order_status, line_kind, revenue, refund_amount "
                                 "FROM main.sales").df()
    finally:
        wh.close()
    revenue = df.revenue.astype(float).fillna(0)
    stated = df.refund_amount.astype(float)
    refund = stated.where(stated.notna(), revenue.where(df.order_status == "refunded", 0))
    return df[(df.line_kind == "sale") & ~((refund > 0) & (refund >= revenue)) & df.customer_id.notna() & df.product_id.notna() & df.order_time.notna()]


def bought_next_figures(p: pd.DataFrame, x: str, y: str) -> tuple[int, int]:
    """(customers whose next order after one with x held y, customers with an order holding x followed by another)."""
    orders = p.groupby(["customer_id", "order_id"], as_index=False).order_time.min().sort_values(["customer_id", "order_time", "order_id"])
    orders["next_order"] = orders.groupby("customer_id").order_id.shift(-1)
    items = p.groupby(["customer_id", "order_id"]).product_id.apply(set).to_dict()
    base, count = set(), set()
    for row in orders.dropna(subset=["next_order"]).itertuples():
        if x in items[(row.customer_id, row.order_id)]:
            base.add(row.customer_id)
            if y in items[(row.customer_id, row.next_order)]:
                count.add(row.customer_id)
    return len(count), len(base)


def test_no_sales_points_to_the_data_page(app_env):
    at = open_page()
    assert_clean(at)
    assert any("sales" in i.value for i in at.info)
    assert [b for b in at.button if b.key == "rec_train"] == []


def test_fallback_before_training_then_training_from_the_page(sales_file, app_env, tiny):
    shutil.copy(sales_file, app_env)
    at = open_page()
    assert_clean(at)
    assert any("No model is trained yet" in i.value for i in at.info)
    customer = query(app_env, "SELECT customer_id FROM main.sales GROUP BY 1 ORDER BY count(DISTINCT order_id) DESC, 1 LIMIT 1")[0][0]
    at.text_input(key="rec_customer_q").input(customer).run()
    assert_clean(at)
    recs = frame(at, "next_items")
    assert len(recs) == 10 and set(recs.reason) == {"popular_in_category"} and recs.score.eq(0).all()
    assert recs.why.str.startswith("fallback for little history: popular in ").all()

    at.button(key="rec_train").click().run()
    assert_clean(at)
    assert any(re.match(r"Trained: [\d,]+ recommendations stored", s.value) for s in at.success)
    ((n_models, metrics),) = query(app_env, "SELECT count(*), any_value(metrics) FROM app.models")
    assert n_models == 1
    stored = query(app_env, "SELECT product_id, score FROM app.recs WHERE customer_id = ? ORDER BY rank", [customer])
    assert len(stored) == 10
    shown = frame(at, "next_items")
    assert shown.product_id.tolist() == [p for p, _ in stored]
    assert shown.score.round(6).tolist() == [round(s, 6) for _, s in stored]
    yardsticks = frame(at, "yardsticks")
    figures = json.loads(metrics)
    assert yardsticks["ndcg@10"].tolist() == [figures[m]["ndcg@10"] for m in ("model", "popularity", "item_knn")]
    assert yardsticks["hr@10"].tolist() == [figures[m]["hr@10"] for m in ("model", "popularity", "item_knn")]


def test_a_bought_next_reason_matches_the_order_lines(trained_file, app_env, tiny, monkeypatch):
    path, model = trained_file
    shutil.copy(path, app_env)
    monkeypatch.setenv("ECOM_RECSYS_MODEL", str(model))
    customer, product, x, count, base = query(
        app_env, "SELECT customer_id, product_id, reason_product, reason_count, reason_base FROM app.recs "
        "WHERE reason = 'bought_next' ORDER BY reason_base DESC, customer_id, rank LIMIT 1")[0]  # fmt: skip
    p = purchases(app_env)
    assert bought_next_figures(p, x, product) == (count, base)
    at = open_page({"cust": customer})
    assert_clean(at)
    shown = frame(at, "next_items").set_index("product_id")
    ((x_name,),) = query(app_env, "SELECT product_name FROM main.products WHERE product_id = ?", [x])
    assert shown.loc[product, "why"].endswith(f"of customers who bought {x_name} ({count} of {base})")
    assert shown.loc[product, "why"].startswith(f"bought next by {round(100 * count / base)}%")
    # what the customer already bought comes back only when it is a repeat purchase
    bought = set(p[p.customer_id == customer].product_id)
    assert set(shown.index) & bought <= _repeatable(p)


def _repeatable(p: pd.DataFrame) -> set[str]:
    per = p.groupby(["product_id", "customer_id"]).order_id.nunique().reset_index()
    g = per.assign(again=per.order_id >= 2).groupby("product_id").agg(buyers=("customer_id", "size"), again=("again", "sum"))
    return set(g[(g.again >= 2) & (g.again >= 0.1 * g.buyers)].index)


def test_product_companions_and_the_segment_campaign(trained_file, app_env, tiny, monkeypatch):
    path, model = trained_file
    shutil.copy(path, app_env)
    monkeypatch.setenv("ECOM_RECSYS_MODEL", str(model))
    product = query(app_env, "SELECT product_id FROM main.sales GROUP BY 1 ORDER BY count(DISTINCT customer_id) DESC, 1 LIMIT 1")[0][0]
    at = open_page({"prod": product, "segkind": "buyers", "segprod": product, "top": "3"})
    assert_clean(at)
    together = next(df.value for df in at.dataframe if "count" in df.value.columns and "base" in df.value.columns)
    p = purchases(app_env)
    orders = p.groupby(["customer_id", "order_id"]).product_id.apply(set)
    with_x = [o for o in orders if product in o]
    top_y = together.iloc[0]
    assert (top_y["count"], top_y["base"]) == (sum(top_y.product_id in o for o in with_x), len(with_x))

    buyers = sorted(set(p[p["product_id"] == product].customer_id))
    push = frame(at, "push")
    reach = query(app_env, "SELECT product_id, count(DISTINCT customer_id) FROM app.recs WHERE rank <= 3 AND customer_id IN "
                  "(SELECT unnest(?::VARCHAR[])) GROUP BY 1", [buyers])  # fmt: skip
    assert dict(zip(push.product_id, push.reach, strict=True)) == {k: v for k, v in reach if k in set(push.product_id)}
    assert push.reach.iloc[0] == max(v for _, v in reach)
    campaign = frame(at, "campaign")
    first = campaign.iloc[0]
    expected = [r[0] for r in query(app_env, "SELECT product_id FROM app.recs WHERE customer_id = ? ORDER BY rank LIMIT 3", [first.customer_id])]
    assert first["items"].split(",") == expected
    assert len(campaign) == len(buyers)


def test_the_page_in_chinese(trained_file, app_env, tiny, monkeypatch):
    path, model = trained_file
    shutil.copy(path, app_env)
    monkeypatch.setenv("ECOM_RECSYS_MODEL", str(model))
    at = open_page({"lang": "zh"})
    assert_clean(at)
    assert at.title[0].value == "商品推荐"
    assert [t.label for t in at.tabs] == ["客户", "商品", "人群营销", "模型与基准"]
    assert frame(at, "yardsticks").method.tolist() == ["序列模型", "近期热销", "物品近邻（共同购买）"]



def test_a_customer_newer_than_the_stored_list_is_scored_by_the_model(trained_file, app_env, tiny, monkeypatch):
    path, model = trained_file
    shutil.copy(path, app_env)
    monkeypatch.setenv("ECOM_RECSYS_MODEL", str(model))
    ((customer,),) = query(app_env, "SELECT customer_id FROM app.recs WHERE reason = 'bought_next' ORDER BY customer_id LIMIT 1")
    stored = [r[0] for r in query(app_env, "SELECT product_id FROM app.recs WHERE customer_id = ? ORDER BY rank", [customer])]
    wh = Warehouse(app_env)
    wh.cursor().execute("DELETE FROM app.recs WHERE customer_id = ?", [customer])
    wh.close()
    at = open_page({"cust": customer})
    assert_clean(at)
    assert any(c.value.startswith("Computed now by the model") for c in at.caption)
    assert frame(at, "next_items").product_id.tolist() == stored  # the same model, the same top 10


def test_a_saved_view_reopens_the_customer_and_the_campaign_options(trained_file, app_env, tiny, monkeypatch):
    from datetime import date

    from ecom import views
    from ecom.filters import Filters

    path, model = trained_file
    shutil.copy(path, app_env)
    monkeypatch.setenv("ECOM_RECSYS_MODEL", str(model))
    ((customer,),) = query(app_env, "SELECT max(customer_id) FROM app.recs")
    wh = Warehouse(app_env)
    token = views.save(wh, "push to buyers", "recommendations", Filters(start=date(2026, 1, 1), end=date(2026, 6, 30)),
                       {"cust": customer, "segkind": "buyers", "top": "5", "bogus": "x"})  # fmt: skip
    wh.close()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = token
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Recommendations"
    assert at.selectbox(key="cust").value == customer
    assert at.session_state["segkind"] == "buyers" and at.session_state["top"] == 5
    stored = [r[0] for r in query(app_env, "SELECT product_id FROM app.recs WHERE customer_id = ? ORDER BY rank", [customer])]
    assert frame(at, "next_items").product_id.tolist() == stored
