from datetime import date

import pandas as pd
import pytest

from ecom.filters import Filters
from ecom.reviews import insights, terms
from ecom.reviews.score import text_hash

REVIEWS = [
    # review_time, product_id, rating, text, label
    ("2024-01-05 10:00:00", "A", 5, "质量很好，很喜欢", "positive"),
    ("2024-01-20 10:00:00", "A", 1, "质量太差，退货", "negative"),
    ("2024-02-02 10:00:00", "A", 5, "垃圾，完全不能用", "negative"),  # 5 stars, angry text
    ("2024-02-03 10:00:00", "B", 4, "great value, love it", "positive"),
    ("2024-02-10 10:00:00", "B", 3, "it is ok", "neutral"),
    ("2024-03-01 10:00:00", "B", 1, "love it, perfect", "positive"),  # 1 star, happy text
]


@pytest.fixture
def wh(warehouse):
    with warehouse.transaction() as cur:
        for t, pid, rating, text, label in REVIEWS:
            cur.execute("INSERT INTO main.reviews (review_time, product_id, rating, review_text) VALUES (?, ?, ?, ?)", [t, pid, rating, text])
            p = {"positive": 0.9, "negative": 0.1, "neutral": 0.5}[label]
            cur.execute("INSERT INTO app.review_scores VALUES (?, 'v1', ?, ?, now())", [text_hash(text), p, label])
        cur.execute("INSERT INTO main.sales (order_id, order_time, product_id, category, quantity, order_status, line_kind) VALUES "
                    "('o1', '2024-01-01', 'A', 'shoes', 100, NULL, 'sale'), ('o2', '2024-01-01', 'B', 'bags', 10, NULL, 'sale'), "
                    "('o3', '2024-02-05', 'B', 'bags', 300, 'paid', 'sale'), ('o4', '2024-02-06', 'A', 'shoes', 50, 'cancelled', 'cancelled')")
    return warehouse


def test_sentiment_mix_by_month(wh):
    mix = insights.sentiment_mix(wh, "v1")
    assert mix.period.dt.month.tolist() == [1, 2, 3]
    assert mix[["negative", "neutral", "positive"]].values.tolist() == [[1, 0, 1], [1, 1, 1], [0, 0, 1]]
    assert insights.sentiment_mix(wh, "other").empty


def test_filters_apply_to_dates_products_and_categories(wh):
    f = Filters(start=date(2024, 2, 1), end=date(2024, 2, 28), product=("B",))
    by = insights.sentiment_by(wh, "v1", f)
    assert by[["key", "reviews", "neutral", "positive"]].values.tolist() == [["B", 2, 1, 1]]
    by_cat = insights.sentiment_by(wh, "v1", Filters(start=date(2024, 1, 1), end=date(2024, 12, 31), category=("shoes",)), by="category")
    assert by_cat[["key", "reviews", "negative"]].values.tolist() == [["shoes", 3, 2]]


def test_leaderboard_puts_big_sellers_that_are_disliked_first(wh):
    board = insights.negative_leaderboard(wh, "v1", min_reviews=1)
    assert board.key.tolist() == ["A", "B"]
    # all time: A sold 100 (its 50 cancelled left out), B 10 + 300
    assert board.units.tolist() == [100, 310]
    assert board.unhappy_units.tolist() == pytest.approx([100 * 2 / 3, 0.0])


def test_leaderboard_units_follow_the_date_filter(wh):
    february = Filters(start=date(2024, 2, 1), end=date(2024, 2, 29))
    board = insights.negative_leaderboard(wh, "v1", february, min_reviews=1)
    # February reviews: A 1 negative of 1, B 0 of 2; February paid sales: A none (cancelled), B 300
    assert board[["key", "units", "negative_rate"]].values.tolist() == [["A", 0, 1.0], ["B", 300, 0.0]]


def test_mismatch_flags(wh):
    flags = insights.mismatches(wh, "v1")
    assert sorted(flags.review_text) == ["love it, perfect", "垃圾，完全不能用"]
    assert set(flags.mismatch) == {"high rating, negative text", "low rating, positive text"}


def test_span_is_every_review_whatever_the_filters(wh):
    assert insights.span(wh) == {"reviews": 6, "first": date(2024, 1, 5), "last": date(2024, 3, 1)}
    with wh.transaction() as cur:
        cur.execute("DELETE FROM main.reviews")
        cur.execute("INSERT INTO main.reviews (review_text) VALUES ('no date')")
    assert insights.span(wh) == {"reviews": 1, "first": None, "last": None}


def test_search(wh):
    assert insights.search(wh, "v1", "LOVE").review_text.tolist() == ["love it, perfect", "great value, love it"]


def test_log_odds_terms_by_hand():
    negative = ["broken screen", "broken again", "screen broken, slow"] * 3
    positive = ["great screen", "great value", "great price"] * 3
    out = terms.log_odds(negative, positive, top=3, min_count=3)
    assert out[out.side == "negative"].term.iloc[0] == "broken"
    assert out[out.side == "positive"].term.iloc[0] == "great"
    assert "screen" not in out.term.head(1).tolist()


def test_terms_mix_jieba_words_and_english():
    assert terms.terms("物流很快 but the box was crushed") == ["box", "crushed", "物流", "很快"]


def test_aspect_summary_and_quotes(wh):
    with wh.transaction() as cur:
        for text, aspect, pol in [("质量很好，很喜欢", "quality", 1), ("质量太差，退货", "quality", -1), ("great value, love it", "price", 1)]:
            cur.execute("INSERT INTO app.review_aspects VALUES (?, 'lex', ?, ?, ?, '')", [text_hash(text), aspect, pol, text])
    summary = insights.aspect_summary(wh, "v1", "lex")
    assert summary[["aspect", "reviews", "negative", "positive"]].values.tolist() == [["quality", 2, 1, 1], ["price", 1, 0, 1]]
    assert summary.share.tolist() == pytest.approx([2 / 6, 1 / 6])
    quotes = insights.aspect_quotes(wh, "v1", "lex", "quality", polarity=-1)
    assert quotes.review_text.tolist() == ["质量太差，退货"]
    assert isinstance(quotes, pd.DataFrame)


def _runs(wh, hashes):
    with wh.transaction() as cur:
        for h in hashes:
            cur.execute("INSERT INTO app.review_aspect_runs VALUES (?, 'lex', 1)", [h])


def test_contextual_words_count_only_where_the_shops_reviews_name_their_aspect(wh):
    texts = [text for _, _, _, text, _ in REVIEWS]
    # 106 texts read (six reviews and 100 others): "hot" (a contextual word of battery) in two reviews
    _runs(wh, [text_hash(t) for t in texts] + [f"other{i}" for i in range(100)])
    with wh.transaction() as cur:
        for text in texts[:2]:
            cur.execute("INSERT INTO app.review_aspects VALUES (?, 'lex', 'battery', 0, ?, 'hot')", [text_hash(text), text])
    assert "battery" not in insights.aspect_summary(wh, "v1", "lex").aspect.tolist()
    assert insights.aspect_quotes(wh, "v1", "lex", "battery").empty

    def name_battery(i):
        with wh.transaction() as cur:
            cur.execute("INSERT INTO app.review_aspects VALUES (?, 'lex', 'battery', -1, ?, 'battery')", [text_hash(texts[i]), texts[i]])

    name_battery(3)  # 1 of 106 texts names it: under 1%, only that review counts
    assert insights.aspect_summary(wh, "v1", "lex").set_index("aspect").reviews.to_dict() == {"battery": 1}
    name_battery(4)  # 2 of 106: "hot" counts too
    assert insights.aspect_summary(wh, "v1", "lex").set_index("aspect").reviews.to_dict() == {"battery": 4}
    assert sorted(insights.aspect_quotes(wh, "v1", "lex", "battery").review_text) == sorted(texts[:2] + texts[3:5])


@pytest.mark.parametrize(
    "path, taste, words",
    [
        # a clothing shop: 7 of 1,932 reviews name taste ("too short for my taste", "the color is
        # delicious"), 20 more only "fresh" or "portion" ("very fresh and airy"): those are left out
        ("real/rv_womens_clothing/Womens Clothing E-Commerce Reviews.csv", 7, "taste|tasty|flavou?r|delicious|stale"),
        # a food shop: 1,413 of 3,000 name it, so "fresh" and "portion" count as well
        ("heldout_reviews/fine_food_reviews_1-3000.csv", 1502, "taste|tasty|flavou?r|delicious|stale|fresh|portion"),
    ],
)
def test_on_real_exports_a_shop_sees_the_aspects_its_goods_have(warehouse, tiny_model_dir, path, taste, words):
    import re

    from ecom.ingest.load import ingest_file
    from ecom.reviews.score import Scorer, aspects_version, score_all
    from tests.conftest import ROOT

    [rep] = ingest_file(warehouse, ROOT / "tests" / "fixtures" / path)
    assert rep.status == "loaded" and rep.table == "reviews", rep.message
    scorer = Scorer.load(tiny_model_dir)
    score_all(warehouse, scorer)
    summary = insights.aspect_summary(warehouse, scorer.version, aspects_version(scorer)).set_index("aspect").reviews
    texts = [t for (t,) in warehouse.cursor().execute("SELECT review_text FROM reviews WHERE review_text IS NOT NULL").fetchall()]
    # counted here by a regular expression over the stored texts, not by the extractor
    assert summary["taste"] == sum(bool(re.search(rf"\b({words})\b", t, re.IGNORECASE)) for t in texts) == taste
    # neither shop sells anything with a battery ("hot" summers, hot sauce, "charge" a premium) or rooms
    # to stay in ("plenty of room", "room temperature", breakfast cereal, "clean" ingredients)
    assert not any(re.search(r"\b(battery|charger)\b", t, re.IGNORECASE) for t in texts)
    assert "battery" not in summary
    assert summary.get("room", 0) <= 3
