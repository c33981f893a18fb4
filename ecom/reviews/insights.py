"""What the Reviews page shows, as Ibis expressions over the reviews joined with the stored scores
(`ecom.queries.common.table` / `output`), so they run unchanged on DuckDB and on Spark.

Every function takes the warehouse, the active model version (see `score.Scorer.version`) and the
shared `Filters`: the date range applies to review_time (reviews without a time are kept), the
product filter to product_id, and category / brand through the product's rows in the products or
sales table. Only small aggregated frames (or capped lists of quotes) come back.
"""

from __future__ import annotations

import math
from dataclasses import replace

import ibis
import pandas as pd

from ecom.filters import Filters
from ecom.queries import definitions
from ecom.queries.common import MAX_ROWS, apply_dims, day_bounds, fetch, output, product_names, table
from ecom.reviews.aspects import CONTEXTUAL
from ecom.reviews.score import LABELS

# Reviews have a data set column too, yet the page has always shown every data set's reviews under a
# data set filter: kept so by this port.
_NOT_ON_REVIEWS = ("_dataset",)
_GRAINS = {"day": "D", "week": "W", "month": "M"}
# An aspect's contextual words (`aspects.CONTEXTUAL`) count where at least this share of the texts read
# name it by its other words. Real exports: rooms in 50% of a hotel's (Booking.com) and 0.1% of a
# clothing shop's or a food shop's; battery in 3–35% of seven phone and earphone shops' and 0.1% of the hotel's;
# taste in 32% of a restaurant's, 47% of a food shop's and 0–0.4% of phone and clothing shops'
ANCHOR_SHARE = 0.01


def _products_with(wh, dim: str, values: list[str]):
    """Product ids whose row in the products table or any order line has one of `values` in `dim`."""
    p, s = table(wh, "products"), table(wh, "sales")
    ids = p.filter(p[dim].isin(values)).select("product_id").union(s.filter(s[dim].isin(values)).select("product_id"))
    return ids.product_id


def _reviews(wh, f: Filters | None):
    r = table(wh, "reviews")
    if f is None:
        return r
    lo, hi = day_bounds(f.start, f.end)
    r = r.filter(r.review_time.isnull() | ((r.review_time >= lo) & (r.review_time < hi)))
    if f.product:
        # No id holds a NUL character (a value the page filters on when nothing was sold), and
        # Ibis cannot write one into DuckDB's SQL: such values match nothing.
        ids = tuple(p for p in f.product if "\x00" not in p)
        if not ids:
            return r.filter(ibis.literal(False))
        f = replace(f, product=ids)
    r = apply_dims(r, f, skip=_NOT_ON_REVIEWS)
    for dim in ("category", "brand"):
        values = list(getattr(f, dim))
        if values:
            r = r.filter(r.product_id.isin(_products_with(wh, dim, values)))
    return r


def _scores(wh, version: str, f: Filters | None, scored: bool):
    """The reviews under the filters that this model version has done, with text_hash, label and
    p_positive: those it scored, or (`scored=False`) those it left unscored, their language unread."""
    r = _reviews(wh, f)
    r = r.mutate(text_hash=r.review_text.hexdigest("sha256"))  # DuckDB's sha256, Spark's sha2(…, 256): the same hex
    s = output(wh, "review_scores")
    s = s.filter((s.model_version == version) & (s.label.notnull() if scored else s.label.isnull()))
    return r.join(s.select("text_hash", "label", "p_positive"), "text_hash")


def _scored(wh, version: str, f: Filters | None):
    """The reviews under the filters that this model version scored, with text_hash, label and p_positive."""
    return _scores(wh, version, f, scored=True)


def coverage(wh, version: str, f: Filters | None = None) -> dict:
    """What the sentiment figures stand on, under the filters: reviews, those with a text, with a date
    and with a rating, those with a rating and no text (`rated_only`), the mean rating (of every rated
    review, with a text or not) and the reviews the model left unscored because it does not read their
    language (`unread`: language -> reviews). A review with neither text nor rating is one whose text
    was a platform's words for a review nobody wrote (ecom.ingest.values.NO_TEXT)."""
    r = _reviews(wh, f)
    texts = r.review_text.notnull() & r.review_text.re_search("[^ ]")  # never NULL: FALSE AND NULL is FALSE
    row = fetch(r.aggregate(reviews=r.count(), texts=r.count(where=texts), dated=r.review_time.count(), rated=r.rating.count(),
                            rated_only=r.count(where=~texts & r.rating.notnull()), mean_rating=r.rating.mean())).iloc[0]
    out = {k: int(row[k]) for k in ("reviews", "texts", "dated", "rated", "rated_only")}
    out["mean_rating"] = float("nan") if pd.isna(row.mean_rating) else float(row.mean_rating)
    unread = _scores(wh, version, f, scored=False)
    langs = output(wh, "review_languages")
    unread = unread.left_join(langs, unread.text_hash == langs.text_hash).select(language=langs.language)
    by_language = fetch(unread.group_by("language").aggregate(n=unread.count()).order_by([ibis.desc("n"), "language"]))
    out["unread"] = {lang: int(n) for lang, n in zip(by_language.language, by_language.n, strict=True)}
    return out


def span(wh) -> dict:
    """Every review loaded, whatever the filters: reviews, and the first and last day reviewed (None
    where no review has a date)."""
    r = table(wh, "reviews")
    row = fetch(r.aggregate(reviews=r.count(), first=r.review_time.min(), last=r.review_time.max())).iloc[0]
    day = {k: None if pd.isna(row[k]) else pd.Timestamp(row[k]).date() for k in ("first", "last")}
    return {"reviews": int(row.reviews), **day}


def _rows(expr) -> pd.DataFrame:
    """Review rows: a rating column with gaps stays integer (Ibis would hand back floats, or objects
    when every rating is missing), as the tables format it as whole stars."""
    out = fetch(expr)
    if "rating" in out.columns and not pd.api.types.is_integer_dtype(out.rating):
        out["rating"] = out.rating.astype("Int32")
    return out


def _label_counts(t) -> dict:
    return {label: t.count(where=t.label == label) for label in LABELS}


def _with_category(wh, t):
    """`t` with the category of its product: the products table's, else the order lines'. A product
    listed under several categories takes the greatest, so both engines name the same one."""
    p, s = table(wh, "products"), table(wh, "sales")
    listed = p.group_by("product_id").aggregate(listed=p.category.max())
    sold = s.group_by("product_id").aggregate(sold=s.category.max())
    j = t.left_join(listed, "product_id").select(t, "listed")
    j = j.left_join(sold, "product_id").select(j, "sold")
    return j.mutate(category=j.listed.coalesce(j.sold))


def sentiment_mix(wh, version: str, f: Filters | None = None, freq: str = "month") -> pd.DataFrame:
    """period, negative, neutral, positive (review counts) over review time (day/week/month)."""
    if freq not in _GRAINS:
        raise ValueError(f"freq must be day, week or month, not {freq!r}")
    t = _scored(wh, version, f)
    t = t.filter(t.review_time.notnull())
    return fetch(t.group_by(period=t.review_time.truncate(_GRAINS[freq])).aggregate(**_label_counts(t)).order_by("period"))


def sentiment_by(wh, version: str, f: Filters | None = None, by: str = "product_id", min_reviews: int = 1) -> pd.DataFrame:
    """key, reviews, negative, neutral, positive, mean_rating, negative_rate per product or category."""
    if by not in ("product_id", "category"):
        raise ValueError(f"by must be product_id or category, not {by!r}")
    t = _scored(wh, version, f)
    if by == "category":
        t = _with_category(wh, t)
    agg = t.group_by(key=t[by]).aggregate(reviews=t.count(), **_label_counts(t), mean_rating=t.rating.mean())
    out = fetch(agg.filter(agg.reviews >= min_reviews).order_by([ibis.desc("reviews"), "key"]).limit(MAX_ROWS))
    out["negative_rate"] = out.negative / out.reviews
    return out


def negative_leaderboard(wh, version: str, f: Filters | None = None, min_reviews: int = 5, limit: int = 20) -> pd.DataFrame:
    """Products ranked by units sold × negative rate: the ones that sell a lot and are disliked first.

    Units and revenue are those of the sale lines (ecom.queries.definitions) of the filter's date range,
    as on the sales pages, so the board ranks what sold in the period the reviews come from. A product
    is named as on the other pages (`common.product_names`)."""
    by_product = sentiment_by(wh, version, f, "product_id", min_reviews)
    by_product = by_product[by_product.key.notna()]
    if by_product.empty:
        return by_product.assign(units=pd.Series(dtype=float), revenue=pd.Series(dtype=float), unhappy_units=pd.Series(dtype=float))
    s = definitions.sale_lines(table(wh, "sales"))
    s = s.filter(s.product_id.isin(by_product.key.tolist()))
    if f is not None:
        lo, hi = day_bounds(f.start, f.end)
        s = s.filter((s.order_time >= lo) & (s.order_time < hi))
    line_revenue = s.revenue.coalesce(s.quantity * s.unit_price)
    sales = fetch(s.group_by(key=s.product_id).aggregate(units=s.quantity.sum(), revenue=line_revenue.sum().cast("float64")))
    sales.insert(1, "product_name", sales.key.map(product_names(wh, sales.key)))
    out = by_product.merge(sales, on="key", how="left")
    out["units"] = out.units.fillna(0).astype(float)
    out["unhappy_units"] = out.units * out.negative_rate
    return out.sort_values(["unhappy_units", "negative_rate"], ascending=False).head(limit).reset_index(drop=True)


def _mentions(wh, aspects_version: str):
    """The stored aspect mentions of a lexicon version, less those that rest on contextual words alone
    of an aspect that fewer than ANCHOR_SHARE of all the texts read name by its other words (the
    whole warehouse decides: what a shop sells does not change with the page's filters)."""
    a = output(wh, "review_aspects")
    a = a.filter(a.aspects_version == aspects_version)
    contextual = ibis.or_(*((a.aspect == name) & a.term.isin(sorted(set().union(*by_lang.values())))
                            for name, by_lang in sorted(CONTEXTUAL.items())))
    runs = output(wh, "review_aspect_runs")
    runs = runs.filter(runs.aspects_version == aspects_version)
    named = a.filter(~contextual)
    named = named.group_by("aspect").aggregate(texts=named.text_hash.nunique())
    named = named.cross_join(runs.aggregate(read=runs.count()))
    anchored = named.filter(named.texts >= named.read * ANCHOR_SHARE)
    return a.filter(~contextual | a.aspect.isin(anchored.aspect))


def aspect_summary(wh, version: str, aspects_version: str, f: Filters | None = None) -> pd.DataFrame:
    """aspect, reviews (mentioning it), negative, neutral, positive (reviews with a clause of that
    polarity on it), share (of scored reviews)."""
    t = _scored(wh, version, f)
    # aspects belong to a text: every review of a text mentions its aspects, so reviews are counted
    # per text, with no row identity (Spark has no rowid; hand-inserted rows lack the upload columns)
    per_text = t.group_by("text_hash").aggregate(n=t.count())
    a = _mentions(wh, aspects_version)
    sides = a.group_by(["text_hash", "aspect"]).aggregate(neg=(a.polarity < 0).any(), neu=(a.polarity == 0).any(), pos=(a.polarity > 0).any())
    j = per_text.join(sides, "text_hash")
    agg = j.group_by("aspect").aggregate(
        reviews=j.n.sum(), negative=j.neg.ifelse(j.n, 0).sum(), neutral=j.neu.ifelse(j.n, 0).sum(), positive=j.pos.ifelse(j.n, 0).sum()
    )
    out = fetch(agg.cross_join(t.aggregate(total=t.count())).order_by([ibis.desc("reviews"), "aspect"]))
    out["share"] = out.reviews / out.total.where(out.total > 0, 1)
    return out.drop(columns="total")


def aspect_quotes(wh, version: str, aspects_version: str, aspect: str, f: Filters | None = None,
                  polarity: int | None = None, limit: int = 50) -> pd.DataFrame:
    """The reviews behind an aspect chip: review_time, product_id, rating, label, polarity, clause, review_text."""
    t = _scored(wh, version, f)
    a = _mentions(wh, aspects_version)
    a = a.filter(a.aspect == aspect)
    if polarity is not None:
        a = a.filter(a.polarity == polarity)
    cols = ["review_time", "product_id", "rating", "label", "polarity", "clause", "review_text"]
    rows = t.join(a, "text_hash").select(*cols)
    # every column breaks ties, so the same rows make the cut on either engine
    return _rows(rows.order_by([ibis.desc("review_time"), *cols[1:]]).limit(int(limit)))


def mismatches(wh, version: str, f: Filters | None = None, limit: int = 100) -> pd.DataFrame:
    """Rating and text disagree: ≥4★ with clearly negative text, or ≤2★ with clearly positive text."""
    t = _scored(wh, version, f)
    t = t.filter(((t.rating >= 4) & (t.label == "negative")) | ((t.rating <= 2) & (t.label == "positive")))
    cols = ["review_time", "product_id", "rating", "p_positive", "review_text"]
    rows = t.select(*cols, mismatch=ibis.cases((t.rating >= 4, "high rating, negative text"), else_="low rating, positive text"),
                    gap=(t.p_positive - (t.rating - 1) / 4.0).abs())
    rows = rows.order_by([ibis.desc("gap"), ibis.desc("review_time"), *cols[1:]]).limit(int(limit))
    return _rows(rows).drop(columns="gap")


def search(wh, version: str, text: str, f: Filters | None = None, limit: int = 200) -> pd.DataFrame:
    """Reviews whose text contains `text` (case-insensitive), newest first."""
    t = _scored(wh, version, f)
    # both sides lowered by the engine, so its case rules apply to both
    t = t.filter(t.review_text.lower().contains(ibis.literal(text, "string").lower()))
    cols = ["review_time", "product_id", "rating", "label", "p_positive", "review_text"]
    return _rows(t.select(*cols).order_by([ibis.desc("review_time"), *cols[1:]]).limit(int(limit)))


def term_counts(wh, version: str, aspects_version: str, f: Filters | None = None) -> pd.DataFrame:
    """label (negative / positive), term, reviews: how many of the negative and of the positive reviews
    under the filters hold each term (`ecom.reviews.terms`, stored with the aspects by background
    scoring, so a visit segments no text)."""
    t = _scored(wh, version, f)
    t = t.filter(t.label != "neutral")
    w = output(wh, "review_terms")
    w = w.filter(w.aspects_version == aspects_version)
    joined = t.join(w, t.text_hash == w.text_hash)
    return fetch(joined.group_by(["label", "term"]).aggregate(reviews=joined.count()).order_by(["label", "term"]))


def products_sold(wh, f: Filters) -> list[str]:
    """Products on any order line of the period under the shop / channel / region filters (what the
    page keeps reviews of when one of those is set: reviews have no such columns)."""
    s = table(wh, "sales")
    lo, hi = day_bounds(f.start, f.end)
    s = s.filter((s.order_time >= lo) & (s.order_time < hi) & s.product_id.notnull())
    s = apply_dims(s, f, skip=tuple(c for c in f.dims() if c not in ("shop", "channel", "region")))
    # not select().distinct().order_by(): Ibis 12 compiles that for Spark with the DISTINCT over the
    # filtered columns too, which repeats ids
    return [str(p) for p in fetch(s.group_by("product_id").aggregate().order_by("product_id")).product_id]


def rating_label(rating) -> str | None:
    if rating is None or (isinstance(rating, float) and math.isnan(rating)):
        return None
    return "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"
