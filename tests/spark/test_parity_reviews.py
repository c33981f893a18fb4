"""The Reviews page's queries (`ecom.reviews.insights`) and the choice of texts to score give the same
answers on DuckDB and on PySpark (local mode).

Both warehouses of the shared `engines` fixture get a few more reviews with the cases the queries
tell apart (no time, no product, no rating, a text twice, upper case, a product whose category
only its order lines name), then are scored by the same stand-in model: P(positive) is drawn
from the text's hash, so every query has labels and mismatches to work on in a second instead of a
model's minutes; the aspects and terms are the extractor's own (a few seconds), so the aspect
queries see real terms, contextual ones among them. Scoring runs on each engine: the texts Spark
picks to score (hashed by Spark) must be the ones DuckDB picks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecom.filters import Filters
from ecom.ingest import ingest_files
from ecom.reviews import insights, score
from ecom.reviews.score import Scorer, text_hash
from tests.spark.test_parity import canon, same

pytestmark = pytest.mark.spark

EDGE_REVIEWS = """review_id,product_id,customer_id,review_time,rating,review_text
X1,E1,K1,,5,"Terrible, BROKEN on arrival"
X2,,K2,2025-03-01 10:00:00,,"great value, LOVE it"
X4,E3,K4,2025-03-03 10:00:00,1,"Terrible, BROKEN on arrival"
X5,010029,K5,2025-03-03 10:00:00,2,"love it, fast delivery"
X6,E1,,2025-03-04 11:00:00,3,"质量一般，物流很快"
"""


class HashScorer(Scorer):
    """A stand-in model: P(positive) is a fixed function of the text."""

    def p_positive(self, texts, progress=None) -> np.ndarray:
        out = np.array([int(text_hash(t if isinstance(t, str) else "")[:8], 16) / 0xFFFFFFFF for t in texts])
        if progress:
            progress(len(texts), len(texts))
        return out


SCORER = HashScorer(model=None, tokenizer=None, version="hash@1", band=(0.4, 0.6))


@pytest.fixture(scope="module")
def scored(engines, tmp_path_factory):
    """The engines with the edge reviews, scored; {engine: (scoring report, aspects report)}."""
    path = tmp_path_factory.mktemp("reviews") / "edge_reviews.csv"
    path.write_text(EDGE_REVIEWS, encoding="utf-8")
    reports = {}
    for engine, wh in engines.items():
        assert all(r.status in ("loaded", "joined") for r in ingest_files(wh, [path], dataset="review-edge"))
        reports[engine] = (score.score_warehouse(wh, SCORER), score.score_aspects(wh, SCORER))
    return reports


def app_rows(wh, sql: str) -> list[tuple]:
    cur = wh.cursor()
    try:
        return sorted(cur.execute(sql).fetchall(), key=repr)
    finally:
        cur.close()


def test_both_engines_score_the_same_texts_under_the_same_hashes(engines, scored):
    duck, spark = scored["duckdb"], scored["spark"]
    assert duck == spark
    assert duck[0]["scored"] > 6000 and duck[0]["cached"] == 0 and duck[1]["aspects"] > 0
    scores = "SELECT text_hash, model_version, p_positive, label FROM app.review_scores"
    assert app_rows(engines["duckdb"], scores) == app_rows(engines["spark"], scores)
    aspects = "SELECT text_hash, aspects_version, aspect, polarity, clause FROM app.review_aspects"
    assert app_rows(engines["duckdb"], aspects) == app_rows(engines["spark"], aspects)
    # Spark's sha2(…, 256) of each text is Python's sha256 of its UTF-8 bytes (Chinese texts included)
    todo = score.unscored(engines["spark"], "another@1")
    assert len(todo) == duck[0]["scored"]
    assert todo.text_hash.tolist() == [text_hash(t) for t in todo.text]
    # Spark sees the scores just written (a new view of the output table): nothing is left to do
    assert score.score_warehouse(engines["spark"], SCORER) == {"scored": 0, "unread": 0, "cached": duck[0]["scored"], "version": SCORER.version}


WIDE = Filters(start=date(2024, 12, 1), end=date(2026, 11, 30))
QUARTER = Filters(start=date(2025, 1, 1), end=date(2025, 3, 31))
# every query under the filter that tells the most apart; under the others the one that reads the
# most tables (a query takes seconds on Spark in local mode)
EVERY = "a quarter, two categories (one only on order lines)"
FILTERS = {
    EVERY: replace(QUARTER, category=("母婴", "Tea")),
    "no filters": None,
    "two years": WIDE,
    "a product": replace(WIDE, product=("010029",)),
    "a brand, a data set": replace(WIDE, brand=("萌宝",), dataset="edge"),
    "nothing sold there": replace(WIDE, product=("\x00",)),
    "no reviews in range": Filters(start=date(2020, 1, 1), end=date(2020, 1, 31)),
}


def calls(f: Filters | None, every: bool):
    """(label, thunk(wh)) for the queries the Reviews page makes, with the arguments it passes."""
    v, av = SCORER.version, score.aspects_version(SCORER)
    out = [("sentiment_by category", lambda wh: insights.sentiment_by(wh, v, f, "category"))]
    if f is None or every:  # without a filter the leaderboard's units are of all time
        out.append(("negative_leaderboard (sentiment_by product)", lambda wh: insights.negative_leaderboard(wh, v, f, min_reviews=2)))
    if f is None:
        out.append(("span (takes no filters)", insights.span))
    if every:
        out += [
            ("sentiment_mix week", lambda wh: insights.sentiment_mix(wh, v, f, "week")),
            ("aspect_summary", lambda wh: insights.aspect_summary(wh, v, av, f)),
            ("aspect_quotes negative", lambda wh: insights.aspect_quotes(wh, v, av, "quality", f, polarity=-1, limit=20)),
            ("mismatches", lambda wh: insights.mismatches(wh, v, f, limit=5)),
            ("search", lambda wh: insights.search(wh, v, "E", f)),
            ("term_counts", lambda wh: insights.term_counts(wh, v, av, f)),
            ("coverage", lambda wh: insights.coverage(wh, v, f)),
        ]
    return out


def answer(x):
    """`canon` of a query's answer, rows in their order (the pages show them in it, and every query
    breaks its ties)."""
    return canon(x.reset_index(names="position") if isinstance(x, pd.DataFrame) else x)


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_reviews_query_is_equal_on_both_engines(engines, scored, name):
    f = FILTERS[name]
    for label, run in calls(f, every=name == EVERY):
        same(answer(run(engines["duckdb"])), answer(run(engines["spark"])), f"{name} / {label}")


def test_products_sold_under_shop_channel_region_is_equal_on_both_engines(engines, scored):
    for f in (replace(WIDE, shop=("Edge A",), channel=("web",)), replace(QUARTER, region=("North",), category=("Tea",))):
        expected = insights.products_sold(engines["duckdb"], f)
        assert expected, f
        assert expected == insights.products_sold(engines["spark"], f)


def test_the_edge_reviews_reach_the_queries(engines, scored):
    """The edge cases are there to compare (else the parity proves less)."""
    v = SCORER.version
    wh = engines["duckdb"]
    quotes = insights.search(wh, v, "broken")
    assert quotes.review_time.isna().tolist() == [False, True]  # the review without a time comes last
    assert insights.search(wh, v, "LOVE IT").rating.isna().any()
    by_cat = insights.sentiment_by(wh, v, replace(QUARTER, category=("Tea",)), "category")
    assert by_cat.key.tolist() == ["Tea"]
    assert insights.sentiment_by(wh, v, FILTERS["nothing sold there"]).empty
