"""AppTests of the Reviews page on real review files as they come (issue 16): one without dates (no
chart over time, and none with an axis from the year 2000), one in a language the model does not
read (said plainly, in both languages), one dated 2017 in a warehouse without order lines (the page
opens on its period), and one with a platform's words for reviews nobody wrote. Files from tests/fixtures/real (sources and licences in its
README); expected figures computed with pandas from the raw files."""

import json

import pandas as pd

from ecom.ingest.load import ingest_file
from ecom.reviews import score
from ecom.warehouse import Warehouse
from tests.conftest import ROOT
from tests.reviews.test_file_shapes import STAND_INS, TMALL
from tests.ui.conftest import assert_clean
from tests.ui.test_reviews_page import APP, frame_with, metrics, model_env, open_reviews, review_model  # noqa: F401  (fixtures)

REAL = ROOT / "tests" / "fixtures" / "real"
MAGENTO = REAL / "rv_magento_sample_reviews" / "products_reviews.csv"  # English, no dates
PRDECT = REAL / "x_prdect_id_reviews" / "PRDECT-ID Dataset.csv"  # Indonesian, no dates
WOMEN = REAL / "rv_womens_clothing" / "Womens Clothing E-Commerce Reviews.csv"  # English, no dates, 1–5


def loaded(path, file) -> None:
    """`file` loaded and its reviews scored, as `python -m ecom ingest` does before it exits."""
    wh = Warehouse(path)
    [rep] = ingest_file(wh, file)
    assert rep.status == "loaded", rep.message
    score.score_all(wh, score.Scorer.load())
    wh.close()


def chart_specs(at) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def open_default_period():
    """The Reviews page as a first visit opens it: the period is the default one, no dates in the link."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/reviews.py")
    at.query_params["lang"] = "en"
    return at.run()


def test_a_shop_with_only_its_reviews_of_2017_opens_on_them(model_env):  # noqa: F811
    # the real Tmall export: 160 reviews dated 2017-06-30 to 2017-07-20, and no order lines. The default
    # period ends on the latest review, not today (it showed no review and said they had no dates)
    df = pd.read_csv(TMALL, header=None, dtype=str, keep_default_na=False)
    loaded(model_env, TMALL)
    at = open_default_period()
    assert_clean(at)
    assert at.sidebar.date_input(key="to").value.isoformat() == max(df[1])[:10] == "2017-07-20"
    assert metrics(at)["Reviews"] == f"{len(df):,}"
    infos = [i.value for i in at.info]
    assert not [i for i in infos if i.startswith(("These reviews have no dates", "No reviews match"))]
    mix = frame_with(at, "period")
    texts = df[4].str.strip()
    assert mix[["negative", "neutral", "positive"]].to_numpy().sum() == (texts != "").sum()  # every text has a sentiment on the chart
    # a period without them says so, and not that they have no dates
    elsewhere = open_reviews()  # November 2024
    assert_clean(elsewhere)
    assert metrics(elsewhere)["Reviews"] == "0"
    infos = [i.value for i in elsewhere.info]
    assert "No reviews match the current filters. Widen the date range or clear some filters." in infos
    assert not [i for i in infos if "have no dates" in i or "has a date in this period" in i]


def test_a_period_that_holds_some_of_the_reviews_says_how_many_and_when_they_were_written(model_env):  # noqa: F811
    # the real Tmall export again: 160 reviews of 2017-06-30 to 2017-07-20; a week of them is shown
    df = pd.read_csv(TMALL, header=None, dtype=str, keep_default_na=False)
    days = df[1].str[:10]
    week = int(((days >= "2017-07-14") & (days <= "2017-07-20")).sum())
    assert 0 < week < len(df)
    loaded(model_env, TMALL)
    for lang, said in (("en", f"These filters hold {week:,} of the {len(df):,} reviews loaded, which were written from {min(days)} to "
                              f"{max(days)}. Widen the dates or clear filters to see more."),
                       ("zh", f"当前筛选包含已导入的 {len(df):,} 条评价中的 {week:,} 条；这些评价写于 {min(days)} 至 {max(days)}。放宽日期或清除筛选可查看更多。")):
        at = open_reviews({"from": "2017-07-14", "to": "2017-07-20"}, lang=lang)
        assert_clean(at)
        assert at.metric[0].value == f"{week:,}"  # the number of reviews
        assert said in [c.value for c in at.caption]
    whole = open_reviews({"from": min(days), "to": max(days)})
    assert metrics(whole)["Reviews"] == f"{len(df):,}"
    assert not [c.value for c in whole.caption if c.value.startswith("These filters hold")]


def test_a_file_without_dates_shows_no_time_chart_and_the_rest(model_env):  # noqa: F811
    df = pd.read_csv(MAGENTO, dtype=str, keep_default_na=False)
    loaded(model_env, MAGENTO)
    at = open_reviews()
    assert_clean(at)
    assert "These reviews have no dates, so there is no chart over time. Everything else on this page covers them." in [i.value for i in at.info]
    titles = [str(s["layout"].get("title", {}).get("text", "")) for s in chart_specs(at)]
    assert titles and not any(t.startswith("Reviews by sentiment per") for t in titles)
    assert not [s for s in chart_specs(at) if str(s["layout"].get("xaxis", {}).get("range", [""])[0]).startswith("2000")]
    assert metrics(at)["Reviews"] == f"{len(df):,}"
    assert metrics(at)["Mean rating"] == f"{df.rating_value.astype(int).mean():.2f} ★"
    assert frame_with(at, "negative_rate").reviews.sum() == len(df)  # English: every review has a sentiment


def test_reviews_in_a_language_the_model_does_not_read_are_said_plainly(model_env):  # noqa: F811
    loaded(model_env, PRDECT)
    at = open_reviews()
    assert_clean(at)
    wh = Warehouse(model_env)
    with wh.cursor() as cur:
        unread = cur.execute("SELECT count(*) FROM reviews r JOIN app.review_scores s ON sha256(r.review_text) = s.text_hash "
                             "WHERE s.label IS NULL").fetchone()[0]
    wh.close()
    assert unread >= 0.95 * 5393  # 5,400 records, 7 of them repeats of an earlier one
    said = [i.value for i in at.info if "languages the review model does not read" in i.value]
    assert len(said) == 1 and said[0].startswith(f"{unread:,} reviews are in languages the review model does not read (Indonesian ")
    assert said[0].endswith("The model reads: Chinese, English.")
    assert metrics(at)["Reviews"] == "5,393"
    assert frame_with(at, "negative_rate").reviews.sum() == 5393 - unread

    zh = open_reviews(lang="zh")
    assert_clean(zh)
    assert any(i.value.startswith(f"{unread:,} 条评价使用的语言评论模型无法理解（印度尼西亚语 ") for i in zh.info)


def test_a_platforms_words_for_no_review_count_as_reviews_without_text(model_env, tmp_path):  # noqa: F811
    # derived as in tests/reviews/test_file_shapes.py: the real Tmall export, every 9th text replaced by
    # a platform's stand-in; they count among the reviews, and no sentiment or term comes from them
    df = pd.read_csv(TMALL, header=None, dtype=str, keep_default_na=False)
    replaced = list(range(0, len(df), 9))
    for k, i in enumerate(replaced):
        df.loc[i, 4] = STAND_INS[k % len(STAND_INS)]
    path = tmp_path / "tmall.csv"
    df.to_csv(path, index=False, header=False)
    loaded(model_env, path)
    at = open_default_period()
    assert_clean(at)
    texts = df[4].str.strip()
    real = texts[~texts.index.isin(replaced) & (texts != "")]
    assert metrics(at)["Reviews"] == f"{len(df):,}"
    assert frame_with(at, "negative_rate").reviews.sum() == len(real)  # a sentiment for every real text, none for the stand-ins
    infos = [i.value for i in at.info]
    assert (f"{len(replaced)} reviews have neither a text nor a rating (the platform wrote its words for a review nobody wrote): "
            "they count in the number of reviews only.") in infos
    assert not [i for i in infos if "have a rating but no text" in i]  # the file has no ratings
    wh = Warehouse(model_env)
    with wh.cursor() as cur:
        terms = {t for (t,) in cur.execute("SELECT DISTINCT term FROM app.review_terms").fetchall()}
    wh.close()
    assert terms and not terms & {"填写", "评价内容", "默认", "好评"} - {w for t in real for w in ("填写", "评价内容", "默认", "好评") if w in t}


def test_reviews_with_a_rating_and_no_text_are_counted_and_said(model_env):  # noqa: F811
    # the real women's clothing file (CC0): 68 of its 2,000 reviews have a rating and no text
    df = pd.read_csv(WOMEN, dtype=str, keep_default_na=False)
    untexted = int((df["Review Text"].str.strip() == "").sum())
    loaded(model_env, WOMEN)
    at = open_reviews()
    assert_clean(at)
    infos = [i.value for i in at.info]
    assert (f"{untexted} reviews have a rating but no text: they count in the number of reviews and the mean rating, "
            "not in the sentiment figures.") in infos and untexted == 68
    assert not [i for i in infos if "neither a text nor a rating" in i]
    assert metrics(at)["Reviews"] == f"{len(df):,}"
    assert metrics(at)["Mean rating"] == f"{df.Rating.astype(int).mean():.2f} ★"
