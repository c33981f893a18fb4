"""AppTest of the Recommendations page on the trained sample warehouse."""

import shutil

from tests.ui.conftest import app_env, assert_clean, open_app, steady_routing  # noqa: F401

PAGE = "pages/recommendations.py"


def test_page_without_sales_points_to_the_data_page(app_env, steady_routing):  # noqa: F811
    at = open_app(PAGE)
    assert_clean(at)
    assert any("sales" in i.value for i in at.info)


def test_page_shows_recommendations_with_reasons_and_the_yardsticks(trained, app_env, steady_routing, monkeypatch):  # noqa: F811
    wh, model_dir, record = trained
    wh.cursor().execute("CHECKPOINT")
    shutil.copy(wh.path, app_env)
    monkeypatch.setenv("ECOM_RECSYS_MODEL", str(model_dir))
    at = open_app(PAGE)
    assert_clean(at)
    recs = wh.cursor().execute("SELECT customer_id FROM app.recs WHERE reason = 'bought_next' LIMIT 1").fetchone()[0]
    at.text_input(key="rec_customer_q").input(recs).run()
    assert_clean(at)
    shown = [df.value for df in at.dataframe]
    assert any("why" in df.columns and df["why"].str.contains("bought next by").any() for df in shown)
    yardsticks = next(df for df in shown if "method" in df.columns)
    assert yardsticks["ndcg@10"].tolist() == [record["metrics"][m]["ndcg@10"] for m in ("model", "popularity", "item_knn")]
