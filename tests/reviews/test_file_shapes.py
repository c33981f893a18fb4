"""Review files as they come (issue 16): each shape loaded from a real public review export of
tests/fixtures/real (sources and licences in its README). What a correct load gives is computed here
with pandas from the raw file, never with the project's own conversion.

Shapes that no real sample has are derived from one in the test, keeping its real review texts; each
test says which columns were dropped or rewritten, and how.
"""

from __future__ import annotations

import json
import math
from collections import Counter

import pandas as pd
import pytest

from ecom import i18n
from ecom.ingest.load import ingest_file
from ecom.ingest.read import sniff
from ecom.reviews import insights
from ecom.reviews.score import Scorer, score_warehouse
from tests.conftest import ROOT

REAL = ROOT / "tests" / "fixtures" / "real"
WOMEN = REAL / "rv_womens_clothing" / "Womens Clothing E-Commerce Reviews.csv"  # CC0, no dates, 1–5 and a 0/1 recommended flag
MAGENTO = REAL / "rv_magento_sample_reviews" / "products_reviews.csv"  # OSL/AFL, no dates, 1–5, 181 products
AMAZON = REAL / "rv_amazon_fine_food" / "Reviews.csv"  # CC0, Unix-time dates, 1–5
PRDECT = REAL / "x_prdect_id_reviews" / "PRDECT-ID Dataset.csv"  # MIT, Indonesian, no product id, no dates


def raw(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load(warehouse, path, mapping=None):
    [rep] = ingest_file(warehouse, path, mapping=mapping)
    assert rep.status == "loaded" and rep.table == "reviews", rep.message
    return rep


def load_frame(warehouse, tmp_path, df: pd.DataFrame, name: str = "reviews.csv"):
    """A frame derived from a real file, written as a CSV file of that name and loaded (`load`)."""
    path = tmp_path / name
    df.to_csv(path, index=False)
    return load(warehouse, path)


def query(warehouse, sql: str) -> list[tuple]:
    cur = warehouse.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def stored_ratings(warehouse) -> list[tuple]:
    """(rating, rating_raw) of every loaded review, in file order."""
    return query(warehouse, "SELECT rating, rating_raw FROM reviews ORDER BY _source_row")


def test_a_file_without_dates_with_several_products_loads_every_review(warehouse):
    df = raw(MAGENTO)
    rep = load(warehouse, MAGENTO)
    assert (rep.rows_loaded, rep.rows_rejected) == (len(df), 0) == (500, 0)
    assert query(warehouse, "SELECT count(review_time), count(DISTINCT product_id) FROM reviews") == [(0, df.sku.nunique())]
    assert stored_ratings(warehouse) == [(int(v), v) for v in df.rating_value]
    assert i18n.t("ingest.note.rating_five", col="rating", src="rating_value") in rep.notes


def test_a_file_with_only_a_rating_loads(warehouse, tmp_path):
    # derived: the real file without its two text columns ("Title" and "Review Text"); ratings untouched
    df = raw(WOMEN).drop(columns=["Title", "Review Text"])
    rep = load_frame(warehouse, tmp_path, df, "ratings_only.csv")
    assert (rep.rows_loaded, rep.rows_rejected) == (len(df), 0) == (2000, 0)
    assert query(warehouse, "SELECT count(review_text), count(rating) FROM reviews") == [(0, 2000)]
    assert [r for r, _ in stored_ratings(warehouse)] == df.Rating.astype(int).tolist()


def test_a_file_with_only_text_loads(warehouse, tmp_path):
    # derived: the real file without its rating column ("Score"); dates, products and texts untouched
    df = raw(AMAZON).drop(columns=["Score"])
    rep = load_frame(warehouse, tmp_path, df, "text_only.csv")
    assert (rep.rows_loaded, rep.rows_rejected) == (len(df), 0) == (199, 0)
    assert query(warehouse, "SELECT count(rating), count(rating_raw), count(review_text), count(DISTINCT product_id) FROM reviews") == [
        (0, 0, 199, df.ProductId.nunique())]


def test_a_file_that_names_its_products_without_ids_tells_them_apart_by_name(warehouse):
    # PRDECT-ID has no product id: 'Product Name' (1,308 names over 5,400 reviews) is what tells the products
    # apart; 7 of its records repeat an earlier one word for word, and each review loads once
    df = raw(PRDECT).drop_duplicates()
    rep = load(warehouse, PRDECT)
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (len(df), 0, 7) == (5393, 0, 7)
    assert rep.mapping["Product Name"] == "product_id"
    assert i18n.t("ingest.note.product_by_name", src="Product Name") in rep.notes
    assert query(warehouse, "SELECT count(product_id), count(DISTINCT product_id), count(review_time), sum(rating) FROM reviews") == [
        (5393, df["Product Name"].nunique(), 0, df["Customer Rating"].astype(int).sum())]
    per_product = dict(query(warehouse, "SELECT product_id, count(*) FROM reviews GROUP BY 1"))
    assert per_product == df["Product Name"].value_counts().to_dict()


def _half_up(x: int) -> int:
    return max(1, math.ceil(x / 2))


def _ten(df: pd.DataFrame) -> pd.Series:
    """A 0–10 rating derived from the real 1–5 one: 2 × stars, less one on reviews of odd length, so both
    odd and even values occur (⌈x/2⌉ of either gives back the real stars)."""
    return 2 * df.rating_value.astype(int) - df.review.str.len() % 2


def _odd(df: pd.DataFrame) -> pd.Series:
    return df.review.str.len() % 2


# (shape, derived rating column: header and values from the real Magento file, expected 1–5 per row, note)
SCALES = [
    ("4/5 strings", "rating_value", lambda df: df.rating_value + "/5", lambda df: df.rating_value.astype(int), "five"),
    ("★ strings", "rating_value", lambda df: df.rating_value.astype(int).map(lambda n: "★" * n), lambda df: df.rating_value.astype(int), "five"),
    ("0–10 numbers", "Score", lambda df: _ten(df).astype(str), lambda df: _ten(df).map(_half_up), "ten"),
    ("8/10 strings", "Score", lambda df: _ten(df).astype(str) + "/10", lambda df: _ten(df).map(_half_up), "ten"),
    # hotel sites' scores: 2 × stars, less a half on reviews of odd length (9.5, 10, 1.5 ...): ⌈x/2⌉ gives the stars back
    ("7.5 decimals out of ten", "Reviewer_Score", lambda df: (2 * df.rating_value.astype(int) - 0.5 * _odd(df)).map(lambda x: f"{x:g}"),
     lambda df: df.rating_value.astype(int), "ten"),
    # stars times ten (iHerb's ratingValue, Tripadvisor's bubbles)
    ("10–50", "ratingValue", lambda df: (10 * df.rating_value.astype(int)).astype(str), lambda df: df.rating_value.astype(int), "tens"),
    # a percentage: 20 × stars, less 7 on reviews of odd length (100, 93, 53 ...): ⌈x/20⌉ gives the stars back
    ("0–100", "Score", lambda df: (20 * df.rating_value.astype(int) - 7 * _odd(df)).astype(str), lambda df: df.rating_value.astype(int), "hundred"),
    # marketplaces' buckets of stars: 4–5 好评, 3 中评, 1–2 差评
    ("好评/中评/差评", "评价等级", lambda df: df.rating_value.astype(int).map(lambda n: "好评" if n >= 4 else "中评" if n == 3 else "差评"),
     lambda df: df.rating_value.astype(int).map(lambda n: 5 if n >= 4 else 3 if n == 3 else 1), "grade"),
]


@pytest.mark.parametrize(("shape", "header", "derive", "expect", "scale"), SCALES, ids=[s[0] for s in SCALES])
def test_ratings_on_other_scales_are_stored_on_one_to_five_with_the_original_kept(warehouse, tmp_path, shape, header, derive, expect, scale):
    # derived: the real Magento reviews (texts, products, reviewers untouched) with rating_value rewritten
    # on another scale as said in SCALES, under `header`; rating_code (the constant word "Rating") dropped
    df = raw(MAGENTO)
    written = derive(df)
    out = df.drop(columns=["rating_code", "rating_value"]).assign(**{header: written})
    path = tmp_path / "reviews.csv"
    out.to_csv(path, index=False)
    rep = load(warehouse, path)
    assert (rep.rows_loaded, rep.rows_rejected) == (500, 0)
    assert stored_ratings(warehouse) == list(zip(expect(df).tolist(), written.tolist(), strict=True))
    assert i18n.t(f"ingest.note.rating_{scale}", col="rating", src=header) in rep.notes


def test_the_scale_is_decided_by_the_whole_column_beyond_the_sample(warehouse, tmp_path):
    # derived: the real Magento reviews on a 0–10 scale (as in SCALES), the reviews scored 0–5 first,
    # repeated under a numbered "Review ID" until the loader's 20,000-row sample holds nothing above 5;
    # then every review once. Only the rest of the column shows the scale is out of ten, and its 3s are 2★
    from ecom.ingest.load import SAMPLE_ROWS

    df = raw(MAGENTO).assign(Score=lambda d: _ten(d).astype(str))
    low = df[_ten(df) <= 5]
    repeats = -(-SAMPLE_ROWS // len(low))
    out = pd.concat([*([low] * repeats), df], ignore_index=True).drop(columns=["rating_code", "rating_value"])
    out.insert(0, "Review ID", [f"r{i}" for i in range(len(out))])
    path = tmp_path / "long.csv"
    out.to_csv(path, index=False)
    rep = load(warehouse, path)
    assert (rep.rows_loaded, rep.rows_rejected) == (len(out), 0)
    assert len(low) * repeats >= SAMPLE_ROWS and (_ten(df) > 5).sum() > 0
    stars = pd.concat([*([low] * repeats), df]).rating_value.astype(int).tolist()  # ⌈x/2⌉ of _ten gives the real stars back
    assert stored_ratings(warehouse) == list(zip(stars, out.Score.tolist(), strict=True))
    assert i18n.t("ingest.note.rating_ten", col="rating", src="Score") in rep.notes
    assert i18n.t("ingest.note.rating_five", col="rating", src="Score") not in rep.notes


@pytest.mark.parametrize(("flag", "up", "down"), [("Recommended IND", "1", "0"), ("Recommended", "yes", "no"), ("Recommended", "👍", "👎")])
def test_a_recommended_flag_is_a_thumbs_rating(warehouse, tmp_path, flag, up, down):
    # derived: the real file without its "Rating" column, so its real recommended flag "Recommended IND"
    # (1 or 0) is the rating; the last two cases write the flag as yes/no and 👍/👎 under "Recommended"
    df = raw(WOMEN).drop(columns=["Rating"])
    written = df["Recommended IND"].map({"1": up, "0": down})
    out = df.drop(columns=["Recommended IND"]).assign(**{flag: written})
    path = tmp_path / "thumbs.csv"
    out.to_csv(path, index=False)
    rep = load(warehouse, path)
    assert (rep.rows_loaded, rep.rows_rejected) == (2000, 0)
    expected = df["Recommended IND"].map({"1": 5, "0": 1})
    assert stored_ratings(warehouse) == list(zip(expected.tolist(), written.tolist(), strict=True))
    assert Counter(r for r, _ in stored_ratings(warehouse)) == {5: (df["Recommended IND"] == "1").sum(), 1: (df["Recommended IND"] == "0").sum()}
    assert i18n.t("ingest.note.rating_thumbs", col="rating", src=flag) in rep.notes


def test_values_that_fit_no_scale_load_without_a_rating_and_a_half_star_goes_up(warehouse, tmp_path):
    # derived: the real Magento file with four ratings overwritten: a half star, a word, a zero and a
    # stray 15. A half star is stored as the next whole one (as 7 of 10 is 4); the other three fit no
    # 1–5 star column (one value above 10 does not make it a percentage): their reviews load without a
    # rating, the value kept as written, and the note names the first of them
    df = raw(MAGENTO)
    bad = {0: "4.5", 5: "six", 9: "0", 12: "15"}
    for i, v in bad.items():
        df.loc[i, "rating_value"] = v
    rep = load_frame(warehouse, tmp_path, df)
    assert (rep.rows_loaded, rep.rows_rejected) == (500, 0)
    stars = {0: 5, 5: None, 9: None, 12: None}
    assert stored_ratings(warehouse) == [(stars.get(i, int(v) if i not in bad else None), v) for i, v in enumerate(df.rating_value)]
    # rows are numbered as in a spreadsheet: the header is row 1
    first = 'rating (rating_value) "six" is not a rating from 1 to 5 stars'
    assert i18n.t("ingest.note.lenient", n=3, row=7, first=first) in rep.notes
    assert query(warehouse, "SELECT _source_row, _extra['rating_value'] FROM reviews WHERE rating IS NULL ORDER BY 1") == [(7, "six"), (11, "0"), (14, "15")]


def test_a_rating_header_over_values_that_are_no_rating_yields_to_a_column_whose_values_are(warehouse, tmp_path):
    # derived: the real Magento reviews with their stars written times ten under "ratingValue", and a
    # "score" column of Unix times (as in iHerb's review export, where "score" is a sort key): the header
    # "score" names a rating, its values do not; every review loads with its stars
    df = raw(MAGENTO)
    out = df.drop(columns=["rating_code", "rating_value"]).assign(
        ratingValue=(10 * df.rating_value.astype(int)).astype(str), score=[str(1612615566 + 3607 * i) for i in range(len(df))])
    path = tmp_path / "reviews.csv"
    out.to_csv(path, index=False)
    rep = load(warehouse, path)
    assert rep.mapping.get("ratingValue") == "rating" and "score" not in rep.mapping
    assert (rep.rows_loaded, rep.rows_rejected) == (500, 0)
    assert stored_ratings(warehouse) == list(zip(df.rating_value.astype(int).tolist(), out.ratingValue.tolist(), strict=True))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_review_whose_date_or_ids_cannot_be_read_loads_without_them(warehouse, tmp_path, lang):
    # derived: the real Fine Food reviews with dates as scraped from Lazada, relative to the day of the scrape ("2 hari lalu")
    # on every 13th review (few enough that the column headed just "Time" is still taken for the dates)
    # and customer ids as Excel leaves long numbers ("1.03531E+12") on every 5th; ratings and texts
    # untouched. The reviews all load; what could not be read is kept in _extra
    df = raw(AMAZON)
    dates = {i: ["2 hari lalu", "3 minggu lalu", "kemarin"][i % 3] for i in range(0, len(df), 13)}
    ids = {i: f"1.0{3531 + i}E+12" for i in range(0, len(df), 5)}
    for i, v in dates.items():
        df.loc[i, "Time"] = v
    for i, v in ids.items():
        df.loc[i, "UserId"] = v
    path = tmp_path / "reviews.csv"
    df.to_csv(path, index=False)
    [rep] = ingest_file(warehouse, path, lang=lang)
    assert rep.status == "loaded" and (rep.rows_loaded, rep.rows_rejected) == (199, 0)
    rows = query(warehouse, "SELECT _source_row, review_time IS NULL, customer_id, _extra['Time'], _extra['UserId'], rating, review_text "
                            "FROM reviews ORDER BY _source_row")
    assert [r[0] for r in rows] == [i + 2 for i in range(199)]  # rows numbered as in a spreadsheet
    assert [(r[1], r[3]) for r in rows] == [(i in dates, dates.get(i)) for i in range(199)]
    assert [(r[2], r[4]) for r in rows] == [(None, ids[i]) if i in ids else (df.UserId[i], None) for i in range(199)]
    assert [(r[5], r[6]) for r in rows] == list(zip(df.Score.astype(int), df.Text, strict=True))
    assert query(warehouse, "SELECT count(*) FROM rejects") == [(0,)]
    problem = {"en": ('review_time (Time) "2 hari lalu" is not a date', 'customer_id (UserId) "1.03531E+12" was turned into scientific notation'),
               "zh": ('review_time (Time) 的值 "2 hari lalu" 不是日期', 'customer_id (UserId) 的值 "1.03531E+12" 被 Excel 转成了科学计数法')}[lang]
    assert i18n.t("ingest.note.lenient", lang, n=len(dates), row=2, first=problem[0]) in rep.notes
    [note] = [n for n in rep.notes if problem[1] in n]
    assert note.startswith(i18n.t("ingest.note.lenient", lang, n=len(ids), row=2, first=problem[1]).split(problem[1])[0])


def _scraped(df: pd.DataFrame) -> pd.DataFrame:
    """Fine Food reviews as a scraper writes them: the reviewer's name, the time, the text."""
    when = pd.to_datetime(df.Time.astype(int), unit="s").dt.strftime("%Y-%m-%d %H:%M:%S")
    return pd.DataFrame({"who": df.ProfileName, "when": when, "text": df.Text})


def test_a_review_file_without_a_header_is_read_by_its_values(warehouse, tmp_path):
    # derived: the real Fine Food reviews written without a header line, as a scraper does (Tmall's in
    # tests/fixtures/real/rv_tmall_headerless): the first line is a review, the texts and times are found by their values
    df = raw(AMAZON)
    out = _scraped(df)
    path = tmp_path / "scraped.csv"
    out.to_csv(path, index=False, header=False)
    [s] = sniff(path)
    assert (s.header_row, s.columns, s.table) == (None, ["column_1", "column_2", "column_3"], "reviews")
    assert s.mapping == {"column_3": "review_text", "column_2": "review_time"}
    assert i18n.t("ingest.note.by_values", src="column_3", canon="review_text") in s.notes
    rep = load(warehouse, path)
    # Amazon repeats a review on each variant of a product: without the product, two rows are one review
    once = out.drop_duplicates()
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (len(once), 0, 1) == (198, 0, 1)
    rows = query(warehouse, "SELECT strftime(review_time, '%Y-%m-%d %H:%M:%S'), review_text, _extra['column_1'] FROM reviews ORDER BY _source_row")
    assert rows == list(zip(once["when"], once.text, once.who, strict=True))


def test_a_header_of_unknown_words_is_still_a_header(warehouse, tmp_path):
    # derived: the same three columns under headers the schema does not know, one of them as long as a
    # sentence over the texts: the first line stays the header, and nothing is mapped by values
    out = _scraped(raw(AMAZON)).rename(columns={"who": "by", "when": "posted (local)", "text": "what they wrote about the product"})
    path = tmp_path / "unknown.csv"
    out.to_csv(path, index=False)
    [s] = sniff(path)
    assert (s.header_row, s.columns) == (0, list(out.columns))
    assert "review_text" not in s.mapping.values()


@pytest.mark.parametrize("lines", [False, True], ids=["json array", "json lines"])
def test_a_json_review_file_loads_as_a_table_of_its_records(warehouse, tmp_path, lines):
    # derived: the real Fine Food reviews as a scraper or an API writes them, one JSON object per review
    # (an array, or one per line), numbers as numbers, the helpfulness votes nested in an object of their own
    df = raw(AMAZON)
    records = [{"Id": int(r.Id), "ProductId": r.ProductId, "UserId": r.UserId, "Score": int(r.Score), "Time": int(r.Time), "Text": r.Text,
                "helpfulness": {"yes": int(r.HelpfulnessNumerator), "of": int(r.HelpfulnessDenominator)}} for r in df.itertuples()]
    path = tmp_path / ("reviews.jsonl" if lines else "reviews.json")
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) if lines else json.dumps(records, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    rep = load(warehouse, path)
    assert (rep.rows_loaded, rep.rows_rejected) == (199, 0)
    # the nested object's fields are columns of their own, kept in _extra as helpfulness.yes and helpfulness.of
    rows = query(warehouse, "SELECT _source_row, review_id, product_id, customer_id, rating, epoch(review_time), review_text, "
                            "_extra['helpfulness.yes'], _extra['helpfulness.of'] FROM reviews ORDER BY _source_row")
    tz = 8 * 3600  # Unix times are converted into shop time (Asia/Shanghai) and stored without a zone
    assert rows == [(i + 1, str(r["Id"]), r["ProductId"], r["UserId"], r["Score"], r["Time"] + tz, r["Text"],
                     str(r["helpfulness"]["yes"]), str(r["helpfulness"]["of"])) for i, r in enumerate(records)]


def test_a_json_file_that_holds_no_records_says_so_and_loads_nothing(warehouse, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"Text": "fine", "Score": 5}, {"Text": "cut off', encoding="utf-8")
    [rep] = ingest_file(warehouse, path)
    assert rep.status == "failed" and rep.message.startswith("broken.json: the JSON file cannot be read as records (")
    assert query(warehouse, "SELECT count(*) FROM reviews") == [(0,)]


TMALL = REAL / "rv_tmall_headerless" / "南极人天猫评价.csv"  # MIT, headerless: nickname, time, colour, size, text
# What JD, Taobao, Suning and shop systems write where the buyer wrote nothing, as found in public
# exports and shop code (see ecom.ingest.values.NO_TEXT), spelled as they spell them
STAND_INS = ("此用户未填写评价内容", "此用户未及时填写评价内容，系统默认评价！", "此用户没有填写评论!", "您没有填写内容，默认好评",
             "系统默认好评", "评价方未及时做出评价,系统默认好评!", "买家未及时作出评价，系统默认好评！", "订单超时未评价，系统默认好评",
             "该用户未填写评价内容", "此用户没有填写评价。")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_platforms_words_for_no_review_load_as_a_review_without_text(warehouse, tmp_path, lang):
    # derived: the real Tmall export with the text of every 9th review replaced by a platform's stand-in
    # (ten spellings, in turn); its other 142 texts, real Chinese reviews as short as "好", stay texts
    df = pd.read_csv(TMALL, header=None, dtype=str, keep_default_na=False)
    stand_in = {i: STAND_INS[k % len(STAND_INS)] for k, i in enumerate(range(0, len(df), 9))}
    for i, text in stand_in.items():
        df.loc[i, 4] = text
    path = tmp_path / "tmall.csv"
    df.to_csv(path, index=False, header=False)
    # its texts are now shorter on average than its dates and times (2017-07-20 12:05:56), which are no text
    assert df[4].str.len().mean() < df[1].str.len().mean() == 19
    [s] = sniff(path)
    assert s.mapping == {"column_5": "review_text", "column_2": "review_time"}
    [rep] = ingest_file(warehouse, path, lang=lang)
    assert rep.status == "loaded" and (rep.rows_loaded, rep.rows_rejected) == (160, 0) and len(stand_in) == 18
    rows = query(warehouse, "SELECT review_text, _extra['column_5'] FROM reviews ORDER BY _source_row")
    texts = [t.strip() or None for t in df[4]]
    assert rows == [(None, stand_in[i]) if i in stand_in else (texts[i], None) for i in range(160)]
    assert i18n.t("ingest.note.no_text", lang, n=18, row=1, first=STAND_INS[0]) in rep.notes
    # nothing to score: the texts the model reads are the real ones
    assert query(warehouse, "SELECT count(DISTINCT review_text) FROM reviews") == [(len({t for i, t in enumerate(texts) if t and i not in stand_in}),)]


def test_booking_coms_words_for_an_empty_half_load_as_no_text(warehouse, tmp_path):
    # derived: the real women's clothing reviews with every 40th text replaced by what Booking.com writes
    # in a review's empty half ("No Positive", "No Negative"; 70 of 1,030 in a public Booking export); the
    # ratings stay, so those reviews load as rated reviews without text
    df = raw(WOMEN)
    stand_in = {i: ("No Positive", "No Negative", "  no negative ")[k % 3] for k, i in enumerate(range(0, len(df), 40))}
    for i, text in stand_in.items():
        df.loc[i, "Review Text"] = text
    rep = load_frame(warehouse, tmp_path, df)
    assert (rep.rows_loaded, rep.rows_rejected) == (2000, 0)
    rows = query(warehouse, "SELECT review_text IS NULL, _extra['Review Text'], rating FROM reviews ORDER BY _source_row")
    empty = df["Review Text"].str.strip() == ""
    assert rows == [(True, stand_in[i].strip(), int(df.Rating[i])) if i in stand_in else (bool(empty[i]), None, int(df.Rating[i])) for i in range(2000)]
    assert i18n.t("ingest.note.no_text", "en", n=len(stand_in), row=2, first="No Positive") in rep.notes


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_review_asked_for_in_two_halves_is_both_halves(warehouse, tmp_path, lang):
    # derived: Booking.com's layout (Positive_Review, Negative_Review, a 0–10 Reviewer_Score, and a count
    # of the negative half's words), filled with the real women's clothing reviews: the good half from the
    # file's 5★ reviews, the bad half from its 1★ and 2★ ones, in file order; every 7th good half and every
    # 5th bad half is what Booking writes for an empty one
    df = raw(WOMEN)
    texts = df[df["Review Text"].str.strip() != ""]
    good = texts[texts.Rating == "5"]["Review Text"].tolist()[:100]
    bad = texts[texts.Rating.isin(["1", "2"])]["Review Text"].tolist()[:100]
    good = ["No Positive" if i % 7 == 3 else t for i, t in enumerate(good)]
    bad = [" No Negative" if i % 5 == 1 else t for i, t in enumerate(bad)]
    good[10], bad[10] = "No Positive", "No Negative"  # a review of two empty halves: its score alone
    out = pd.DataFrame({"Review_Date": "8/3/2017", "Positive_Review": good, "Negative_Review": bad,
                        "Review_Total_Negative_Word_Counts": [str(len(b.split())) for b in bad], "Reviewer_Score": "7.5"})
    path = tmp_path / "booking.csv"
    out.to_csv(path, index=False)
    [rep] = ingest_file(warehouse, path, lang=lang)
    assert rep.status == "loaded" and (rep.rows_loaded, rep.rows_rejected) == (100, 0)
    assert i18n.t("ingest.note.text_parts", lang, parts="Positive_Review, Negative_Review") in rep.notes
    rows = query(warehouse, "SELECT review_text, _extra['Positive_Review'], _extra['Negative_Review'], _extra['Review_Total_Negative_Word_Counts'], "
                            "rating FROM reviews ORDER BY _source_row")
    halves = [[h.strip() for h in pair if h.strip() not in ("No Positive", "No Negative")] for pair in zip(good, bad, strict=True)]
    assert [r[0] for r in rows] == ["\n".join(h) or None for h in halves]
    assert [r[1:4] for r in rows] == list(zip(good, [b.strip() for b in bad], out.Review_Total_Negative_Word_Counts, strict=True))
    assert {r[4] for r in rows} == {4}  # 7.5 of 10: ⌈3.75⌉
    assert rows[10][0] is None and sum(r[0] is None for r in rows) == sum(not h for h in halves) == 3  # rows 10, 31 and 66


def test_a_row_with_neither_rating_nor_text_is_rejected(warehouse, tmp_path):
    # derived: the real women's clothing file with the ratings of its 68 text-less reviews removed
    df = raw(WOMEN)
    empty = df["Review Text"].str.strip() == ""
    df.loc[empty, "Rating"] = ""
    rep = load_frame(warehouse, tmp_path, df)
    assert (rep.rows_loaded, rep.rows_rejected) == (2000 - empty.sum(), empty.sum()) == (1932, 68)
    reasons = query(warehouse, "SELECT source_row, reason FROM rejects ORDER BY source_row")
    assert reasons == [(i + 2, "none of rating, review_text has a value") for i in df.index[empty]]


def test_reviews_in_a_language_the_model_does_not_read_are_left_unscored(warehouse, tiny_model_dir):
    # PRDECT-ID is Indonesian product reviews throughout; the model reads Chinese and English
    load(warehouse, PRDECT)
    load(warehouse, MAGENTO)  # English
    scorer = Scorer.load(tiny_model_dir)
    assert scorer.languages == ("zh", "en")
    texts = set(raw(PRDECT)["Customer Review"]) | set(raw(MAGENTO).review)
    result = score_warehouse(warehouse, scorer)
    assert result["scored"] + result["unread"] == len(texts)
    unread = dict(query(warehouse, "SELECT language, count(*) FROM app.review_scores JOIN app.review_languages USING (text_hash) "
                                   "WHERE label IS NULL AND p_positive IS NULL GROUP BY 1"))
    assert sum(unread.values()) == result["unread"] and not set(unread) & set(scorer.languages)
    indonesian = len(set(raw(PRDECT)["Customer Review"]))
    assert unread["id"] >= 0.95 * indonesian  # a few short reviews read as English ("TOP BGT", "Recommended Seller")
    english_unread = query(warehouse, "SELECT count(*) FROM app.review_scores s JOIN reviews r ON sha256(r.review_text) = s.text_hash "
                                      "WHERE s.label IS NULL AND r._upload_id = (SELECT max(_upload_id) FROM reviews)")
    assert english_unread == [(0,)]
    cov = insights.coverage(warehouse, scorer.version)
    per_review = query(warehouse, "SELECT count(*) FROM reviews r JOIN app.review_scores s ON sha256(r.review_text) = s.text_hash "
                                  "WHERE s.label IS NULL")[0][0]
    # 5,400 PRDECT-ID records (7 repeat an earlier one) and 500 Magento reviews
    assert sum(cov["unread"].values()) == per_review and cov["reviews"] == 5893 and cov["dated"] == 0
    # a second run finds nothing left to do: unscored texts are done, not retried on every visit
    assert score_warehouse(warehouse, scorer)["scored"] == 0


def test_a_warehouse_made_before_rating_raw_gains_it_and_loads(tmp_path):
    from ecom.warehouse import Warehouse

    path = tmp_path / "old.duckdb"
    wh = Warehouse(path)
    with wh.transaction() as cur:
        cur.execute("INSERT INTO main.reviews (review_id, rating, review_text) VALUES ('old', 4, 'loaded before')")
        cur.execute("ALTER TABLE main.reviews DROP COLUMN rating_raw")  # as a warehouse of an older version has it
    wh.close()
    wh = Warehouse(path)
    try:
        df = raw(MAGENTO)
        load(wh, MAGENTO)
        assert query(wh, "SELECT rating, rating_raw FROM reviews WHERE review_id = 'old'") == [(4, None)]
        assert query(wh, "SELECT sum(rating), count(rating_raw) FROM reviews WHERE review_id IS DISTINCT FROM 'old'") == [
            (df.rating_value.astype(int).sum(), len(df))]
    finally:
        wh.close()
