"""What the Recommendations page needs around the recommender library: where the model lives,
training with a progress bar, the trained model held once per server process, and the labelled
popular-in-category fallback shown before any model exists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from ecom import settings
from ecom.recsys import explain
from ecom.recsys.model import SASRecConfig
from ecom.recsys.recommend import Rec, Recommender
from ecom.recsys.train import TrainConfig
from ecom.ui import errors
from ecom.ui.cache import warehouse
from ecom.ui.lang import tr

# None: the library's defaults (sized for the 2-core target). Tests put tiny ones here.
TRAIN_CONFIG: TrainConfig | None = None
MODEL_CONFIG: SASRecConfig | None = None

REC_COLUMNS = ["rank", "product_id", "product_name", "score", "why", "reason"]


def model_dir() -> Path:
    path = Path(settings.get("ECOM_RECSYS_MODEL"))
    return path if path.is_absolute() else settings.ROOT / path


def train() -> dict | None:
    """Train on the warehouse with a progress bar, then store everyone's top-N; the training record,
    or None after showing why it could not train."""
    from ecom.recsys.retrain import train_warehouse

    bar = st.progress(0.0, text=tr("recpage.training"))

    def progress(done: float, total: float, message: str) -> None:
        bar.progress(min(1.0, done / max(total, 1e-9)), text=f"{tr('recpage.training')} {message}")

    try:
        record = train_warehouse(warehouse(), model_dir(), tc=TRAIN_CONFIG, config=MODEL_CONFIG, progress=progress)
    except ValueError as exc:  # too little data: the library says what is missing
        bar.empty()
        st.error(tr("recpage.train_failed", reason=str(exc)), icon=":material/error:")
        return None
    bar.empty()
    st.success(tr("recpage.trained", recs=f"{record['recs']:,}", seconds=round(record["wall_seconds"])), icon=":material/check_circle:")
    return record


@st.cache_resource(show_spinner=False, max_entries=2)
def _recommender(wh_path: str, model_path: str, model_id: str, version: int) -> Recommender | None:
    # Keyed on the model and data version: a retrain or a load brings a fresh one.
    try:
        return Recommender.load(warehouse(), model_path)
    except FileNotFoundError:  # the registry outlived the model's directory
        return None


def recommender(latest: pd.Series) -> Recommender | None:
    """The latest registered model, loaded once per server process (None when its files are gone, or
    when it fails to load: then a plain message with an error id says so, and the page goes on with
    the popular-in-category fallback)."""
    wh = warehouse()
    key = (str(wh.path), str(latest["path"]), str(latest["model_id"]), wh.data_version())
    try:
        return _recommender(*key)
    except Exception as exc:  # broken weights, or a library failing on them
        errors.show(exc, kind="model")
        return None


def frame(recs: list[Rec], names: dict[str, str], lang: str) -> pd.DataFrame:
    """Recommendations as the page's table: rank, product, score, the reason as a sentence."""
    rows = [{"rank": i, "product_id": r.product_id, "product_name": names.get(r.product_id), "score": r.score,
             "why": explain.render(r.reason, lang, names), "reason": r.reason.kind} for i, r in enumerate(recs, start=1)]  # fmt: skip
    return pd.DataFrame(rows, columns=REC_COLUMNS)


def fallback(ev: explain.Evidence, customer: str | None, history: list[str], n: int = 10) -> list[Rec]:
    """Popular products of the customer's top category (of all categories for a new customer), with
    already-bought products left out unless they are repeat purchases: what the model's cold start
    gives, available before any model is trained."""
    category = ev.customer_category.get(customer or "")
    exclude = {p for p in history if p not in ev.repeatable}
    return [Rec(p, 0.0, r) for p, r in ev.popular_in_category(category, exclude, n)]
