"""AppTests of the Reviews page on a small warehouse: 147 reviews of three products, with sales.

Reviews (all in November 2024): the 12 phrases of tests.reviews.conftest × 12 suffixes, positive
phrases at 5★ and negative ones at 1★; suffixes 0–5 are product P1, 6–9 P2, 10–11 P3. Plus three:
a 5★ angry review (P2), a 1★ happy one (P3) and a 3★ neutral one (P1). With the labels below,
negative = 72 + 1 = 73, positive = 73, neutral = 1; mean rating = (72·5 + 72·1 + 5 + 1 + 3) / 147 = 3.
P1 sold 100 units, P2 10, P3 1.
"""

import json
import threading
import time
from pathlib import Path

import pytest

from ecom.reviews import background, registry, score
from ecom.reviews.score import Scorer, score_aspects, text_hash
from ecom.ui.cache import warehouse
from ecom.warehouse import Warehouse
from tests.reviews.conftest import NEGATIVE, POSITIVE, TINY, tiny_data
from tests.ui.conftest import APP, assert_clean

SUFFIXES = "abcdefghijkl"
EXTRA = [("P2", 5, "垃圾，完全不能用", "negative"), ("P3", 1, "love it, perfect", "positive"), ("P1", 3, "还行吧", "neutral")]
PERIOD = {"from": "2024-11-01", "to": "2024-11-30"}
REAL_REVIEWS = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "rv_womens_clothing"


def review_rows():
    rows = []
    for i, s in enumerate(SUFFIXES):
        product = "P1" if i < 6 else "P2" if i < 10 else "P3"
        rows += [(product, 5, f"{t} {s * 3}", "positive") for t in POSITIVE]
        rows += [(product, 1, f"{t} {s * 3}", "negative") for t in NEGATIVE]
    return rows + EXTRA


@pytest.fixture(scope="session")
def review_model(tmp_path_factory):
    """A tiny model (seconds on one core): the page loads it as the default model."""
    from ecom.reviews.train import TrainArgs, train

    out = tmp_path_factory.mktemp("review-model")
    texts, labels = tiny_data()
    train(texts, labels, out, TrainArgs(epochs=6, batch_size=16, vocab_size=200, lr=1e-2, sparse_lr=5e-2), TINY)
    return out


def fill(path, scorer: Scorer | None = None) -> None:
    """The reviews, products and sales above; with `scorer`, the labels above stored as its scores."""
    wh = Warehouse(path)
    with wh.transaction() as cur:
        for n, (product, rating, text, _) in enumerate(review_rows()):
            cur.execute("INSERT INTO main.reviews (review_id, product_id, review_time, rating, review_text) VALUES (?, ?, ?, ?, ?)",
                        [f"R{n}", product, f"2024-11-{1 + n % 28:02d} 10:00:00", rating, text])
        for product, category, units in (("P1", "鞋", 100), ("P2", "包", 10), ("P3", "鞋", 1)):
            cur.execute("INSERT INTO main.products (product_id, product_name, category) VALUES (?, ?, ?)", [product, f"name {product}", category])
            cur.execute("INSERT INTO main.sales (order_id, order_time, product_id, product_name, category, quantity, unit_price, channel, line_kind) "
                        "VALUES (?, '2024-11-20 12:00:00', ?, ?, ?, ?, 10, '天猫', 'sale')", [f"O{product}", product, f"name {product}", category, units])
        Warehouse.bump_version(cur)
        if scorer is not None:
            for _, _, text, label in review_rows():
                p = {"positive": 0.9, "negative": 0.1, "neutral": 0.55}[label]
                cur.execute("INSERT INTO app.review_scores VALUES (?, ?, ?, ?, now())", [text_hash(text), scorer.version, p, label])
    if scorer is not None:
        score_aspects(wh, scorer)
    wh.close()


@pytest.fixture
def model_env(app_env, review_model, monkeypatch):
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(review_model))
    return app_env


@pytest.fixture
def scored(model_env, review_model):
    fill(model_env, Scorer.load(review_model))
    return model_env


def open_reviews(params: dict | None = None, lang: str = "en"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/reviews.py")
    for key, value in {**PERIOD, "lang": lang, **(params or {})}.items():
        at.query_params[key] = value
    return at.run()


def frame_with(at, column: str, last: bool = False):
    """The first (or last) dataframe on the page that has `column`."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    return frames[-1 if last else 0]


def widget(elements, label: str):
    return next(e for e in elements if e.label == label)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_without_reviews_the_page_points_to_the_data_page(app_env):
    at = open_reviews()
    assert_clean(at)
    assert [i.value for i in at.info] == ["This page needs data in: reviews. Load it on the Data page first."]
    assert not at.metric


def held_at_aspects(monkeypatch) -> threading.Event:
    """Background scoring stops before the aspects until the returned event is set: a visit then sees
    the page while scoring runs, with every sentiment stored and no aspect yet."""
    gate = threading.Event()
    real = score.score_aspects

    def held(wh, scorer, progress=None, **kw):
        if progress:
            progress(0, 1)
        gate.wait(60)
        return real(wh, scorer, progress, **kw)

    monkeypatch.setattr(score, "score_aspects", held)
    return gate


def wait_for_stage(stage: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (s := background.status(warehouse())) is None or s.stage != stage or not s.running:
        assert time.monotonic() < deadline and (s is None or s.state != "failed"), s
        time.sleep(0.1)


def progress_texts(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def test_first_visit_scores_in_the_background_and_answers_meanwhile(model_env, review_model, monkeypatch):
    fill(model_env)
    gate = held_at_aspects(monkeypatch)
    at = open_reviews()  # finds 147 texts without scores: starts the job, does not wait for it
    assert_clean(at)
    assert metrics(at)["Reviews"] == "147"
    wait_for_stage("aspects")
    at.run()
    assert_clean(at)
    assert progress_texts(at) == ["Finding aspects in reviews in the background: 0 / 1"]
    assert "The figures below cover the reviews scored so far, newest first; the page redraws when scoring ends." in [c.value for c in at.caption]
    # every sentiment is stored: the shares are there, the aspects not yet
    assert metrics(at)["Reviews"] == "147" and metrics(at)["Negative share"] != "—"
    assert "No aspects were found in the reviews under the current filters." in [i.value for i in at.info]
    gate.set()
    assert background.wait(warehouse(), 120).state == "done"
    at.run()
    assert_clean(at)
    assert progress_texts(at) == [] and at.get("pills")[0].options
    version = Scorer.load(review_model).version
    wh = Warehouse(model_env)
    cur = wh.cursor()
    assert cur.execute("SELECT count(*) FROM app.review_scores WHERE model_version = ?", [version]).fetchone()[0] == 147
    assert cur.execute("SELECT count(*) FROM app.review_aspect_runs").fetchone()[0] == 147
    cur.close()
    wh.close()


def test_a_failed_scoring_shows_a_plain_error_and_can_be_tried_again(model_env, review_model, monkeypatch):
    fill(model_env)
    monkeypatch.setattr(score, "score_all", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full at /srv/secret")))
    open_reviews()
    assert background.wait(warehouse(), 60).state == "failed"
    at = open_reviews()
    assert [e.value for e in at.error][0].startswith("Something went wrong; an administrator can find the details in the server log.")
    assert "/srv/secret" not in " ".join(e.value for e in at.error)
    monkeypatch.undo()
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(review_model))
    monkeypatch.setenv("ECOM_WAREHOUSE", str(model_env))
    next(b for b in at.button if b.label == "Score the reviews again").click().run()
    assert background.wait(warehouse(), 120).state == "done"
    assert not open_reviews().error


def test_page_figures_on_known_labels(scored):
    at = open_reviews({"grain": "month"})
    assert_clean(at)
    assert metrics(at) == {"Reviews": "147", "Negative share": "49.7%", "Positive share": "49.7%", "Mean rating": "3.00 ★"}
    mix = frame_with(at, "period")
    assert mix[["negative", "neutral", "positive"]].values.tolist() == [[73, 1, 73]]
    at.segmented_control(key="grain").set_value("day").run()
    daily = frame_with(at, "period")
    assert len(daily) == 28 and daily[["negative", "neutral", "positive"]].sum().tolist() == [73, 1, 73]
    by_cat = frame_with(at, "negative_rate").set_index("key")
    assert by_cat.reviews.to_dict() == {"鞋": 98, "包": 49}
    # P1: 36 of 73 negative × 100 units; P2: 25 of 49 × 10; P3: 12 of 25 × 1
    board = frame_with(at, "unhappy_units")
    assert board.key.tolist() == ["P1", "P2", "P3"]
    assert board.unhappy_units.tolist() == pytest.approx([100 * 36 / 73, 10 * 25 / 49, 12 / 25])
    flags = frame_with(at, "mismatch")
    assert sorted(flags.review_text) == ["love it, perfect", "垃圾，完全不能用"]
    assert "2 flagged reviews (at most 100)." in [c.value for c in at.caption]
    terms = frame_with(at, "term")
    assert set(terms.side) == {"Negative", "Positive"} and (terms.z > 0).all()


def test_aspect_chip_opens_its_quotes_and_search_finds_text(scored):
    # delivery: 质量很好，物流很快 / great quality, fast delivery / 味道好，送餐快 (positive) and
    # 送餐太慢，菜都凉了 (negative), each once per suffix: 48 reviews, 12 of them negative
    at = open_reviews()
    chips = at.get("pills")[0]
    assert "Delivery 33% · 48 · 12 negative" in chips.options
    chips.set_value("delivery").run()
    assert_clean(at)
    quotes = frame_with(at, "clause")
    assert len(quotes) == 48
    assert all(c in t for c, t in zip(quotes.clause, quotes.review_text, strict=True))
    at.segmented_control(key="pol").set_value("negative").run()
    quotes = frame_with(at, "clause")
    assert len(quotes) == 12 and all(t.startswith("送餐太慢") for t in quotes.review_text)
    assert at.query_params["aspect"] == "delivery" and at.query_params["pol"] == "negative"

    at.text_input(key="q").set_value("垃圾").run()
    found = frame_with(at, "p_positive", last=True)
    assert len(found) == 13  # "垃圾，退货了" × 12 suffixes + "垃圾，完全不能用"
    assert "13 reviews contain “垃圾”" in " ".join(c.value for c in at.caption)


def test_shop_channel_filter_keeps_reviews_of_products_sold_there(scored):
    at = open_reviews({"ch": "天猫", "sku": "P2"})
    assert_clean(at)
    assert metrics(at)["Reviews"] == "49"


def test_saving_the_page_as_a_view_keeps_its_options(scored):
    at = open_reviews({"grain": "week", "q": "垃圾"})
    widget(at.text_input, "Name").set_value("差评")
    next(b for b in at.button if b.label == "Save").click().run()
    assert_clean(at)
    wh = Warehouse(scored)
    cur = wh.cursor()
    page, state = cur.execute("SELECT page, state FROM app.views").fetchone()
    cur.close()
    wh.close()
    assert page == "reviews"
    assert json.loads(state)["options"] == {"grain": "week", "by": "category", "pol": "all", "minr": "5", "q": "垃圾"}


def test_train_on_own_reviews_registers_a_model_and_reports_metrics(scored, review_model, monkeypatch):
    from ecom.ui import reviews as rv

    monkeypatch.setattr(rv, "TRAIN_CONFIG", TINY)
    at = open_reviews()
    assert "No model has been trained on this shop's reviews yet; the default model is active." in [i.value for i in at.info]
    widget(at.text_input, "Name of the new model").set_value("mine")
    widget(at.number_input, "Epochs").set_value(3)
    next(b for b in at.button if b.label == "Train").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["Model “mine” is trained and registered. It is not active yet: compare it below and choose."]

    wh = Warehouse(scored)
    models = registry.registry(wh)
    wh.close()
    assert models.name.tolist() == ["mine"] and not models.active.iloc[0]
    row = models.iloc[0]
    assert row.train_rows + row.test_rows == 146  # the distinct 1★ and 5★ texts; the 3★ one is left out
    assert row.base == "scratch"
    new, old = json.loads(row.metrics), json.loads(row.active_metrics)
    table = frame_with(at, "metric")
    assert table.metric.tolist() == ["Accuracy", "Macro-F1", "Recall · Negative", "F1 · Negative", "Recall · Positive", "F1 · Positive"]
    assert table.new.tolist() == pytest.approx([new["accuracy"], new["macro_f1"], new["per_class"][0]["recall"], new["per_class"][0]["f1"],
                                                new["per_class"][1]["recall"], new["per_class"][1]["f1"]])
    assert table.active.tolist()[0] == pytest.approx(old["accuracy"])
    confusion = frame_with(at, "True label")
    assert int(confusion.iloc[:, 1:].values.sum()) == row.test_rows == new["n"]

    at.radio(key="rvp_active_choice").set_value("mine").run()
    next(b for b in at.button if b.label == "Make active").click().run()
    assert_clean(at)
    # the page starts the new model's scoring in the background: done when the job says so, not when the run ends
    status = background.wait(warehouse(), 120)
    assert status is not None and status.state == "done", status
    wh = Warehouse(scored)
    assert registry.registry(wh).set_index("name").active.to_dict() == {"mine": True}
    cur = wh.cursor()
    versions = cur.execute("SELECT model_version, count(*) FROM app.review_scores GROUP BY 1 ORDER BY 1").fetchall()
    cur.close()
    wh.close()
    assert [n for _, n in versions] == [147, 147]  # the new active model scored every text once
    assert any(v.startswith("mine@") for v, _ in versions)
    assert metrics(at)["Reviews"] == "147"


def test_page_in_chinese(scored):
    at = open_reviews(lang="zh")
    assert_clean(at)
    assert [t.value for t in at.title] == ["评价分析"]
    assert list(metrics(at)) == ["评价数", "负面占比", "正面占比", "平均评分"]
    assert [t.label for t in at.tabs] == ["情感趋势", "关注点", "热销差评榜", "特征词", "评分与内容不符", "搜索", "用自己的评价训练"]


def test_a_real_review_export_loaded_on_the_data_page_is_scored_while_people_go_on(model_env, monkeypatch):
    """The women's clothing export (2,000 real reviews, no dates; tests/fixtures/real/rv_womens_clothing):
    load it on the Data page, see the scoring's progress there and on Reviews, then the finished page."""
    import pandas as pd

    from tests.ui.conftest import open_app

    source = REAL_REVIEWS / "Womens Clothing E-Commerce Reviews.csv"
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    texts = raw["Review Text"][raw["Review Text"].str.contains("[^ ]", regex=True)]
    gate = held_at_aspects(monkeypatch)
    at = open_app("app_pages/data.py")
    at.file_uploader[0].set_value((source.name, source.read_bytes(), "text/csv")).run()
    at.button(key="data_load").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == [f"{source.name}: 2,000 rows loaded into reviews, 0 rejected, 0 skipped."]
    wait_for_stage("aspects")
    at.run()
    assert progress_texts(at) == ["Finding aspects in reviews in the background: 0 / 1"]
    assert [link.proto.label for link in at.get("page_link")] == ["Open Reviews"]
    assert "Reviews can be opened now: its figures fill in as the reviews are scored, newest first." in [c.value for c in at.caption]
    # Reviews while the job runs: every review counted, its sentiment there, the aspects to come
    page = open_reviews({"from": "2025-01-01", "to": "2025-01-31"})
    assert_clean(page)
    assert progress_texts(page) == ["Finding aspects in reviews in the background: 0 / 1"]
    # independent figures: 2,000 rows, ratings summing to 8,325 (case.json, pandas over the raw file)
    assert metrics(page)["Reviews"] == "2,000" and metrics(page)["Mean rating"] == "4.16 ★"
    assert "These reviews have no dates, so there is no chart over time. Everything else on this page covers them." in [i.value for i in page.info]
    gate.set()
    status = background.wait(warehouse(), 120)
    assert (status.state, status.scored) == ("done", texts.nunique())
    at.run()
    assert progress_texts(at) == []
    assert [s.value for s in at.success][-1] == f"Reviews scored in the background: {texts.nunique():,} new texts in {status.seconds:.1f} s."
    page.run()
    assert_clean(page)
    assert progress_texts(page) == [] and metrics(page)["Negative share"].endswith("%")
    assert page.get("pills")[0].options  # aspects found in the real texts
