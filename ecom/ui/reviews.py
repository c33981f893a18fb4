"""What the Reviews page needs around `ecom.reviews`: the active model loaded once per process,
scoring with a progress bar, the shared filters turned into review filters, cached insight
queries, and the page's small chart builders (sentiment colours on the shared plotly theme)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from ecom import charts
from ecom.filters import Filters
from ecom.reviews import insights, registry, score
from ecom.ui import errors
from ecom.ui.cache import cached_query, warehouse
from ecom.ui.lang import tr

LABELS = score.LABELS
COLORS = {"negative": "#dc2626", "neutral": "#9ca3af", "positive": "#16a34a"}
# The model config of "Train on your own reviews": None fine-tunes the active model; tests set a
# tiny config here so the flow trains a small model from scratch in seconds.
TRAIN_CONFIG: dict | None = None
_SCORED_KEY = "_reviews_scored"


@st.cache_resource(show_spinner=False, max_entries=4)
def _scorer(path: str, stamp: float) -> score.Scorer:
    return score.Scorer.load(path)


def _stamp(path: str) -> float:
    """Newest file time of a model directory, so a model replaced in place is loaded again."""
    folder = Path(score.resolve(path))
    return max((p.stat().st_mtime for p in folder.iterdir()), default=0.0) if folder.is_dir() else 0.0


def active_scorer() -> score.Scorer:
    """The active model (registry, else ECOM_REVIEW_MODEL); if it cannot load, the page stops with a
    plain message and an error id (the reason, which names server paths, goes to the log)."""
    path = registry.active_model(warehouse())
    try:
        with st.spinner(tr("rvp.loading_model")):
            return _scorer(str(path), _stamp(str(path)))
    except Exception as exc:  # a missing model, and also broken weights or a library failing on them
        errors.show(exc, kind="model")
        st.stop()


def ensure_scored(scorer: score.Scorer) -> None:
    """Score the review texts (and detect aspects) this model has not seen, with a progress bar.

    Checked once per session, data version and model: new texts only arrive with a load, which
    bumps the data version."""
    wh = warehouse()
    key = (str(wh.path), wh.data_version(), scorer.version)
    if st.session_state.get(_SCORED_KEY) == key:
        return
    bar = None

    def report(stage: str):
        def update(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = st.progress(0.0)
            bar.progress(min(1.0, done / max(total, 1)), text=tr(f"rvp.progress.{stage}", done=f"{done:,}", total=f"{total:,}"))

        return update

    score.score_warehouse(wh, scorer, progress=report("score"))
    score.score_aspects(wh, scorer, progress=report("aspects"))
    if bar is not None:
        bar.empty()
    st.session_state[_SCORED_KEY] = key


@cached_query
def _products_sold(wh, f: Filters) -> list[str]:
    """Products sold in the period under the shop / channel / region filters."""
    return insights.products_sold(wh, f)


def review_filters(f: Filters) -> Filters:
    """Reviews have no shop, channel or region: those filters keep the reviews of products sold there
    in the period (on top of any product filter)."""
    if not (f.shop or f.channel or f.region):
        return f
    sold = _products_sold(f)
    keep = [p for p in sold if not f.product or p in f.product]
    # a value no product id takes, so "nothing sold there" shows no reviews rather than all of them
    return f.with_dims(product=keep or ["\x00"], shop=(), channel=(), region=())


Q = {
    name: cached_query(fn)
    for name, fn in {
        "mix": insights.sentiment_mix, "by": insights.sentiment_by, "leaderboard": insights.negative_leaderboard,
        "aspects": insights.aspect_summary, "quotes": insights.aspect_quotes, "mismatches": insights.mismatches,
        "search": insights.search, "coverage": insights.coverage,
    }.items()
}


@cached_query
def distinctive_terms(wh, version: str, f: Filters, top: int = 20) -> pd.DataFrame:
    texts = insights.texts_by_label(wh, version, f)
    return insights.log_odds(texts["negative"], texts["positive"], top=top)


def totals(by_category: pd.DataFrame) -> dict:
    """Reviews, label counts, negative rate and mean rating over a `sentiment_by` frame."""
    n = int(by_category.reviews.sum())
    out = {k: int(by_category[k].sum()) for k in LABELS}
    rated = by_category.mean_rating.notna()
    weights = by_category.reviews[rated]
    mean = float((by_category.mean_rating[rated] * weights).sum() / weights.sum()) if weights.sum() else float("nan")
    return {"reviews": n, **out, "negative_rate": out["negative"] / n if n else float("nan"), "mean_rating": mean}


def label_name(label: str) -> str:
    return tr(f"reviews.label.{label}")


def language_name(code: str | None) -> str:
    """'id' -> 'Indonesian' (or 印度尼西亚语); a code without a name stays as it is."""
    text = tr(f"rvp.lang.{code}")
    return str(code) if text == f"rvp.lang.{code}" else text


def coverage_notes(cov: dict, scorer: score.Scorer) -> list[str]:
    """Plain words for what the sentiment figures leave out: reviews in a language the model does
    not read (how many, which languages, what it reads), and reviews with a rating but no text."""
    notes = []
    unread = sum(cov["unread"].values())
    if unread:
        languages = ", ".join(f"{language_name(lang)} {n:,}" for lang, n in cov["unread"].items())
        known = ", ".join(language_name(lang) for lang in scorer.languages or ())
        notes.append(tr("rvp.unread", n=f"{unread:,}", languages=languages, known=known))
    if cov["reviews"] > cov["texts"]:
        notes.append(tr("rvp.no_text", n=f"{cov['reviews'] - cov['texts']:,}"))
    return notes


def aspect_name(aspect: str) -> str:
    text = tr(f"reviews.aspect.{aspect}")
    return aspect if text == f"reviews.aspect.{aspect}" else text


def mismatch_name(kind: str) -> str:
    return tr("reviews.mismatch.high_negative") if kind.startswith("high") else tr("reviews.mismatch.low_positive")


def _recolor(fig):
    names = {label_name(k): c for k, c in COLORS.items()}
    for trace in fig.data:
        if trace.name in names:
            trace.marker.color = names[trace.name]
    return fig


def default_grain(f: Filters) -> str:
    """Days for a month or less, weeks up to half a year, else months."""
    return "day" if f.days <= 31 else "week" if f.days <= 183 else "month"


def mix_chart(mix: pd.DataFrame, grain: str, title: str):
    """Stacked bars of review counts per period and label."""
    long = mix.melt(id_vars="period", value_vars=list(LABELS), var_name="label", value_name="reviews")
    long["label"] = long.label.map(label_name)
    fig = _recolor(charts.bar(long, "period", "reviews", title, "count", color="label"))
    fig.update_xaxes(tickformat="%Y-%m" if grain == "month" else "%Y-%m-%d", type="date")
    return fig


def by_chart(by: pd.DataFrame, title: str, top: int = 15):
    """Horizontal stacked bars of the labels for the `top` products / categories with most reviews."""
    head = by.head(top).copy()
    head["key"] = head.key.fillna("—").astype(str)
    long = head.melt(id_vars="key", value_vars=list(LABELS), var_name="label", value_name="n")
    long["label"] = long.label.map(label_name)
    return _recolor(charts.bar(long, "key", "n", title, "count", color="label", horizontal=True))


def terms_chart(terms: pd.DataFrame, side: str, title: str):
    part = terms[terms.side == side].sort_values("z", ascending=False)
    fig = charts.bar(part, "term", "z", title, "count", horizontal=True, names={"z": "z"})
    fig.update_traces(marker_color=COLORS[side])
    return fig


def leaderboard_chart(board: pd.DataFrame, title: str, x_label: str, y_label: str):
    """Units sold against negative rate: the top right corner is what to fix first."""
    fig = charts.scatter(board, "units", "negative_rate", title, "percent")
    names = [f"{k} · {n}" if isinstance(n, str) and n else str(k) for k, n in zip(board.key, board.get("product_name", board.key), strict=True)]
    fig.update_traces(text=names, hovertemplate="%{text}<br>%{x:,} · %{y:.0%}<extra></extra>", marker={"size": 10, "color": COLORS["negative"]})
    fig.update_xaxes(title=x_label, separatethousands=True)
    fig.update_yaxes(title=y_label)
    return fig


def metrics_of(row: pd.Series) -> tuple[dict, dict]:
    """(new model's, active model's) metrics of a registry row."""
    return json.loads(row["metrics"]), json.loads(row["active_metrics"])


def confusion_frame(m: dict) -> pd.DataFrame:
    """Rows: true label, columns: predicted label (negative, positive)."""
    conf = m.get("confusion") or [[None, None], [None, None]]
    names = [label_name("negative"), label_name("positive")]
    return pd.DataFrame({tr("rvp.train.true"): names, **{f"→ {n}": [conf[0][j], conf[1][j]] for j, n in enumerate(names)}})


def aspects_version(scorer: score.Scorer) -> str:
    return score.aspects_version(scorer)


def metric_name(metric: str) -> str:
    """'accuracy', 'macro_f1', 'negative recall', ... in the session's language."""
    if " " in metric:
        label, what = metric.split(" ", 1)
        return tr(f"rvp.train.metric.{what}", label=label_name(label))
    return tr(f"rvp.train.metric.{metric}")


def train_problem(wh, name: str) -> str | None:
    """Why training cannot start with this name and these reviews (translated), or None."""
    if not registry._NAME.match(name or ""):
        return tr("rvp.train.bad_name")
    models = registry.registry(wh)
    if name in set(models.name):
        return tr("rvp.train.name_taken", name=name)
    data = registry.rated_reviews(wh)
    binary = data[data.label < 2]
    parts = [binary[binary.split == s] for s in ("train", "test")]
    if len(parts[0]) < registry.MIN_REVIEWS or any(p.label.nunique() < 2 for p in parts):
        return tr("rvp.train.too_few", min=registry.MIN_REVIEWS, n=len(binary), high=int((binary.label == 1).sum()),
                  low=int((binary.label == 0).sum()))
    return None


def model_listing(models: pd.DataFrame) -> pd.DataFrame:
    """The registry with the new model's accuracy and macro-F1 on its held-out reviews."""
    out = models.assign(
        accuracy=[json.loads(m).get("accuracy") for m in models.metrics],
        macro_f1=[json.loads(m).get("macro_f1") for m in models.metrics],
    )
    return out[["name", "active", "trained_at", "base", "train_rows", "test_rows", "accuracy", "macro_f1"]]
