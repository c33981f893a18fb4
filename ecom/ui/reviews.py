"""What the Reviews page needs around `ecom.reviews`: the active model's version (read without loading
it), the background scoring's progress bar, the shared filters turned into review filters, insight
queries cached per data and scores version, and the page's small chart builders (sentiment colours
on the shared plotly theme)."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import streamlit as st

from ecom import charts
from ecom.filters import Filters
from ecom.reviews import background, insights, registry, score, terms
from ecom.ui import errors
from ecom.ui.cache import cached_query, warehouse
from ecom.ui.lang import tr

LABELS = score.LABELS
# the model outputs the page reads: background scoring adds to them, and cached results follow
OUTPUTS = ("review_scores", "review_languages", "review_aspect_runs", "review_aspects", "review_terms")
COLORS = {"negative": "#dc2626", "neutral": "#9ca3af", "positive": "#16a34a"}
# The model config of "Train on your own reviews": None fine-tunes the active model; tests set a
# tiny config here so the flow trains a small model from scratch in seconds.
TRAIN_CONFIG: dict | None = None


def active_model() -> score.ModelInfo:
    """The active model's version, band and languages (registry, else ECOM_REVIEW_MODEL), read without
    loading it: the page needs no torch. If it cannot be read the page stops with a plain message and
    an error id (the reason, which names server paths, goes to the log)."""
    try:
        return score.describe(registry.active_model(warehouse()))
    except Exception as exc:  # a missing model, and also a broken config.json
        errors.show(exc, kind="model")
        st.stop()


@cached_query(outputs=OUTPUTS)
def _pending(wh, model: score.ModelInfo) -> dict[str, int]:
    return score.pending(wh, model)


def scoring(model: score.ModelInfo | None = None) -> background.Status | None:
    """Where the background scoring stands, with its progress bar while it runs. With `model` (the
    Reviews page), texts that model has not done start the job; a failed job shows its error."""
    wh = warehouse()
    status = background.status(wh)
    if model is not None and _may_start(status, model) and any(_pending(model).values()):
        status = background.start(wh)
    if status is None:
        return None
    if status.running:
        _progress("rvp.scoring.meanwhile" if model is not None else "rvp.scoring.open_now")
    elif status.state == "failed" and model is not None:
        errors.show(status.exc or RuntimeError(status.error))
        if st.button(tr("rvp.scoring.retry"), icon=":material/refresh:"):
            background.start(wh)
            st.rerun()
    return status


def _may_start(status: background.Status | None, model: score.ModelInfo) -> bool:
    """No job yet, one that ended, or one that failed under another model (one just activated)."""
    return status is None or status.state == "done" or (status.state == "failed" and status.model not in ("", model.version))


@st.fragment(run_every=2)
def _progress(note: str) -> None:
    """The running job's progress and the `note` under it, redrawn every 2 s; when it ends the whole
    page is drawn again."""
    status = background.status(warehouse())
    if status is None or not status.running:
        st.rerun()
    st.progress(min(1.0, status.done / max(status.total, 1)),
                text=tr(f"rvp.progress.{status.stage}", done=f"{status.done:,}", total=f"{status.total:,}"))
    st.caption(tr(note))


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
    name: cached_query(fn, outputs=OUTPUTS)
    for name, fn in {
        "mix": insights.sentiment_mix, "by": insights.sentiment_by, "leaderboard": insights.negative_leaderboard,
        "aspects": insights.aspect_summary, "quotes": insights.aspect_quotes, "mismatches": insights.mismatches,
        "search": insights.search, "coverage": insights.coverage, "span": insights.span,
    }.items()
}


@cached_query(outputs=OUTPUTS)
def distinctive_terms(wh, version: str, aspects_version: str, f: Filters, top: int = 20) -> pd.DataFrame:
    counts = insights.term_counts(wh, version, aspects_version, f)
    by_label = {label: Counter(dict(zip(part.term, part.reviews, strict=True))) for label, part in counts.groupby("label")}
    return terms.log_odds_counts(by_label.get("negative", Counter()), by_label.get("positive", Counter()), top=top)


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


def coverage_notes(cov: dict, model: score.ModelInfo) -> list[str]:
    """Plain words for what the sentiment figures leave out: reviews in a language the model does
    not read (how many, which languages, what it reads), reviews with a rating but no text, and reviews
    with neither."""
    notes = []
    unread = sum(cov["unread"].values())
    if unread:
        languages = ", ".join(f"{language_name(lang)} {n:,}" for lang, n in cov["unread"].items())
        known = ", ".join(language_name(lang) for lang in model.languages or ())
        notes.append(tr("rvp.unread", n=f"{unread:,}", languages=languages, known=known))
    if cov["rated_only"]:
        notes.append(tr("rvp.no_text", n=f"{cov['rated_only']:,}"))
    if cov["reviews"] - cov["texts"] - cov["rated_only"]:
        notes.append(tr("rvp.no_text_no_rating", n=f"{cov['reviews'] - cov['texts'] - cov['rated_only']:,}"))
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


def aspects_version(model: score.ModelInfo) -> str:
    return score.aspects_version(model)


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
