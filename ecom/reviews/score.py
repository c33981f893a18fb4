"""Applying a review model: load any Hugging Face sequence classifier, score text, fill the warehouse.

`load_model` takes a local `save_pretrained` directory or a hub id (ECOM_REVIEW_MODEL by default).
Any sequence classifier works: P(positive) is read from a label named like "positive" or, for a
two-label model, label 1; a 1–5 star model maps its expected stars onto 0–1. The neutral band
comes from the model's config (`neutral_band`, set on validation data by training) or 0.4–0.6.

Scores are kept in `app.review_scores`, one row per (text hash, model version): the same text
is scored once per model, new uploads only score their new texts, and switching the active model
scores lazily the first time it is asked for. A text in a language the model does not read
(`ecom.reviews.language`) gets a row without a score or label: left unscored, not scored wrongly.
Each text's language is kept in `app.review_languages`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ecom import settings
from ecom.reviews import language
from ecom.warehouse import apptables

LABELS = ("negative", "neutral", "positive")
DEFAULT_BAND = (0.4, 0.6)
MAX_TOKENS = 512
Progress = Callable[[int, int], None]

class ReviewModelError(RuntimeError):
    """The review model could not be found or loaded; the message says what to do."""


def text_hash(text: str) -> str:
    """The key of a review text in app tables (equals DuckDB's sha256(review_text))."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolve(name: str | Path | None = None) -> str:
    """A local directory (relative paths are tried against the project root) or a hub id."""
    name = str(name or settings.get("ECOM_REVIEW_MODEL"))
    for candidate in (Path(name).expanduser(), settings.ROOT / name):
        if candidate.is_dir():
            return str(candidate.resolve())
    return name


def load_model(name: str | Path | None = None):
    """(model, tokenizer) in fp32 eval mode, from a directory or a hub id."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    import ecom.reviews.model  # noqa: F401  (registers this project's model type with the Auto classes)

    where = resolve(name)
    local = Path(where).is_dir()
    if not local and (Path(where).is_absolute() or where.startswith((".", "~")) or re.search(r"[\\]", where)):
        raise ReviewModelError(f"review model directory {where} does not exist (check ECOM_REVIEW_MODEL)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(where)
        model = AutoModelForSequenceClassification.from_pretrained(where, dtype=torch.float32)
    except Exception as exc:  # also what a library raises on broken weights (safetensors' own error)
        if local:
            raise ReviewModelError(f"{where} is not a loadable sequence-classification model: {exc}") from exc
        offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
        hint = (
            "HF_HUB_OFFLINE is set, so only models already in the local Hugging Face cache can be used"
            if offline
            else "it could not be downloaded (no network, a typo, or a private model)"
        )
        raise ReviewModelError(
            f"review model {where!r} is neither a local directory nor an available hub model: {hint}. "
            "Point ECOM_REVIEW_MODEL at a directory saved with save_pretrained, or download the model on a "
            "connected machine first."
        ) from exc
    model.eval()
    return model, tokenizer


def stamp(where: str) -> float:
    """Newest file time of a model directory (0 for a hub id), so a model replaced in place is read again."""
    folder = Path(where)
    return max((p.stat().st_mtime for p in folder.iterdir()), default=0.0) if folder.is_dir() else 0.0


@lru_cache(maxsize=16)
def _weights_digest(folder: Path, _stamp: float) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")) + sorted(folder.glob("config.json")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class ModelInfo:
    """What pages need to know of a model without loading it: its version string (the key of its
    stored scores), its neutral band and the languages it reads (None: not known, every text is scored)."""

    version: str
    band: tuple[float, float]
    languages: tuple[str, ...] | None = None

    def reads(self, lang: str | None) -> bool:
        """Whether the model reads text in `lang` (a text without letters, None, is read as before)."""
        return self.languages is None or lang is None or lang in self.languages


def _info(where: str, config) -> ModelInfo:
    if Path(where).is_dir():
        version = f"{Path(where).name}@{_weights_digest(Path(where), stamp(where))}"
    else:
        version = f"{where}@{getattr(config, '_commit_hash', None) or 'hub'}"
    band = tuple(getattr(config, "neutral_band", None) or DEFAULT_BAND)
    return ModelInfo(version, band, language.model_languages(where, config))


def describe(name: str | Path | None = None) -> ModelInfo:
    """The model's `ModelInfo`. A local directory is read from its config.json and weight files, in
    milliseconds and without torch (a page visit needs no more); a hub id is loaded once per process."""
    where = resolve(name)
    config = Path(where) / "config.json"
    if not config.is_file():
        return shared(where).info
    return _info(where, SimpleNamespace(**json.loads(config.read_text(encoding="utf-8"))))


_SHARED: dict[tuple[str, float], Scorer] = {}
_SHARED_LOCK = threading.Lock()


def shared(name: str | Path | None = None) -> Scorer:
    """The model loaded once per process (again when its files change): background scoring and the
    pages share it. Raises ReviewModelError as `load_model` does."""
    where = resolve(name)
    key = (where, stamp(where))
    with _SHARED_LOCK:
        if key not in _SHARED:
            for old in [k for k in _SHARED if k[0] == where]:
                del _SHARED[old]
            _SHARED[key] = Scorer.load(where)
        return _SHARED[key]


@dataclass
class Scorer:
    """A loaded model with what scoring needs: its version string, band and P(positive) reader."""

    model: object
    tokenizer: object
    version: str
    band: tuple[float, float]
    languages: tuple[str, ...] | None = None  # what the model reads; None: not known, every text is scored
    batch_size: int = 64
    # (input_ids, attention_mask) -> logits without Python's lock, where the model allows (this project's)
    traced: Callable | None = None

    @classmethod
    def load(cls, name: str | Path | None = None) -> Scorer:
        from ecom.reviews.model import ReviewSentimentModel, traced_for_inference

        where = resolve(name)
        model, tokenizer = load_model(where)
        info = _info(where, model.config)
        traced = traced_for_inference(model) if isinstance(model, ReviewSentimentModel) else None
        return cls(model, tokenizer, info.version, info.band, info.languages, traced=traced)

    def _logits(self, input_ids, attention_mask):
        """[B, T] ids and mask -> [B, num_labels] logits."""
        if self.traced is not None:
            return self.traced(input_ids, attention_mask)
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(self.version, self.band, self.languages)

    def reads(self, lang: str | None) -> bool:
        """Whether the model reads text in `lang` (a text without letters, None, is read as before)."""
        return self.languages is None or lang is None or lang in self.languages

    def max_tokens(self) -> int:
        """Tokens read per review: this project's model reads config.max_tokens, others their positions."""
        config = self.model.config
        if config.model_type == "ecom-review-sentiment":
            limit = config.max_tokens
        else:
            limit = getattr(config, "max_position_embeddings", None) or MAX_TOKENS
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", None) or MAX_TOKENS
        return int(min(MAX_TOKENS, limit, tokenizer_limit))

    def _positive(self, probs: np.ndarray) -> np.ndarray:
        """probs [N, num_labels] -> P(positive) [N]."""
        names = {i: str(n).lower() for i, n in self.model.config.id2label.items()}
        for i, n in names.items():
            if n.startswith("pos"):
                return probs[:, int(i)]
        if probs.shape[1] == 2:
            return probs[:, 1]
        # e.g. 1–5 star models: the expected grade mapped onto 0..1
        grades = np.linspace(0.0, 1.0, probs.shape[1])
        return probs @ grades

    def p_positive(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """P(positive) per text; texts are batched by token length under torch.inference_mode."""
        import torch

        texts = [t if isinstance(t, str) else "" for t in texts]
        if not texts:
            return np.empty(0)  # a chunk whose every text is in a language the model does not read
        limit = self.max_tokens()
        ids = self.tokenizer(texts, truncation=True, max_length=limit)["input_ids"]
        order = np.argsort([len(r) for r in ids], kind="stable")
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        out = np.empty(len(ids))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                pick = order[start : start + self.batch_size]
                width = max(len(ids[i]) for i in pick)
                input_ids = np.full((len(pick), width), pad, dtype=np.int64)  # [B, T]
                mask = np.zeros((len(pick), width), dtype=np.int64)  # [B, T]
                for row, i in enumerate(pick):
                    input_ids[row, : len(ids[i])] = ids[i]
                    mask[row, : len(ids[i])] = 1
                logits = self._logits(torch.from_numpy(input_ids), torch.from_numpy(mask))  # [B, num_labels]
                # the rest in numpy: each torch call hands Python's lock over, and waits to get it back
                # while another thread (a page being drawn) runs Python
                z = (logits if logits.dtype == torch.float32 else logits.float()).numpy()
                e = np.exp(z - z.max(-1, keepdims=True))
                out[pick] = self._positive(e / e.sum(-1, keepdims=True))
                if progress:
                    progress(min(start + self.batch_size, len(order)), len(order))
        return out

    def label(self, p_positive: np.ndarray) -> np.ndarray:
        p = np.asarray(p_positive, dtype=float)
        return np.where(p < self.band[0], "negative", np.where(p >= self.band[1], "positive", "neutral"))

    def predict(self, texts: Sequence[str], progress: Progress | None = None) -> pd.DataFrame:
        p = self.p_positive(texts, progress)
        return pd.DataFrame({"p_positive": p, "label": self.label(p)})


# (done table, its version column): where each kind of per-text work records what it has done
_DONE = {"scores": ("review_scores", "model_version"), "aspects": ("review_aspect_runs", "aspects_version")}


def _texts(wh):
    """The review texts worth scoring (not missing or blank), on the warehouse's engine."""
    from ecom.queries import common

    r = common.table(wh, "reviews")
    # something other than spaces, as DuckDB's and Spark's trim() (Ibis' strip() drops all whitespace)
    return r.filter(r.review_text.notnull() & r.review_text.re_search("[^ ]"))


def _todo_expr(wh, kind: str, version: str):
    """Distinct review texts of the reviews table that this kind of work has not done under `version`
    (text_hash, text, latest review time)."""
    from ecom.queries import common

    name, column = _DONE[kind]
    r = _texts(wh)
    texts = r.group_by(text_hash=r.review_text.hexdigest("sha256"), text=r.review_text).aggregate(latest=r.review_time.max())
    done = common.output(wh, name)
    done = done.filter(done[column] == version).select("text_hash")
    return texts.anti_join(done, "text_hash")


def _todo(wh, kind: str, version: str) -> pd.DataFrame:
    """`_todo_expr` fetched newest first: what the page's default period shows is done first, undated texts last.
    The aspects' todo also carries the language the sentiment pass detected (None where it has not run)."""
    import ibis

    from ecom.queries import common

    todo = _todo_expr(wh, kind, version)
    if kind == "aspects":
        langs = common.output(wh, "review_languages")
        todo = todo.left_join(langs, "text_hash").select(*todo.columns, "language")
    return common.fetch(todo.order_by([ibis.desc("latest"), "text_hash"])).drop(columns="latest")


def pending(wh, info: ModelInfo) -> dict[str, int]:
    """How many texts the model has still to score, and to search for aspects: {"scores": n, "aspects": n}."""
    from ecom.queries import common

    return {kind: int(common.scalar(_todo_expr(wh, kind, version).count()) or 0)
            for kind, version in (("scores", info.version), ("aspects", aspects_version(info)))}


def unscored(wh, version: str) -> pd.DataFrame:
    """Distinct review texts of the reviews table without a score from this model version."""
    return _todo(wh, "scores", version)


def score_warehouse(wh, scorer: Scorer, progress: Progress | None = None, chunk: int = 1024) -> dict:
    """Score the review texts this model version has not seen, newest first; each chunk is committed
    as it ends, so a page shows what is scored so far (a chunk is about 2 s on one core).

    Returns {"scored": new texts scored, "unread": new texts left unscored (a language the model does
    not read), "cached": texts done before, "version": ...}.
    """
    from ecom.queries import common

    todo = unscored(wh, scorer.version)
    total = common.scalar(_texts(wh).review_text.nunique()) or 0
    done = unread = 0
    for start in range(0, len(todo), chunk):
        part = todo.iloc[start : start + chunk]
        langs = [language.detect(t) for t in part.text]
        read = np.array([scorer.reads(lang) for lang in langs], dtype=bool)
        report = (lambda i, _n, base=done: progress(base + i, len(todo))) if progress else None
        scored = scorer.predict(part.text[read].tolist(), report)
        p_positive = np.full(len(part), np.nan)
        p_positive[read] = scored.p_positive.to_numpy()
        labels = np.full(len(part), None, dtype=object)
        labels[read] = scored.label.to_numpy()
        frame = pd.DataFrame({"text_hash": part.text_hash.to_numpy(), "model_version": scorer.version, "p_positive": p_positive,
                              "label": labels, "language": langs})
        apptables.add_review_scores(wh, frame)
        done += len(part)
        unread += int((~read).sum())
    return {"scored": int(len(todo)) - unread, "unread": unread, "cached": int(total - len(todo)), "version": scorer.version}


# What the aspects pass stores and the rules in code it stores by (2: each text's terms; 3: the weak
# and contextual words of `ecom.reviews.aspects`; 4, 5: its Chinese words with another sense): texts
# done under an older format are done again, so no text lacks what the page reads or keeps what the rules
# no longer find
ASPECTS_FORMAT = 5


@lru_cache(maxsize=1)
def _lexicon_digest() -> str:
    from ecom.reviews.aspects import LEXICONS

    digest = hashlib.sha256(f"format {ASPECTS_FORMAT}".encode())
    for path in sorted(LEXICONS.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def aspects_version(scorer: Scorer | ModelInfo) -> str:
    """Lexicon files + model: aspects are redone when either changes."""
    return f"lex@{_lexicon_digest()}+{scorer.version}"


# Texts read by the aspects pass between two chances to rest (`score_aspects`): ~0.05 s of English reviews
REST_EVERY = 256


def _analyse(texts: list[str], scorer: Scorer, rest: Callable[[], object] | None) -> tuple[pd.DataFrame, list[list[str]]]:
    """`aspects.analyse_many` of the texts; with `rest`, REST_EVERY texts at a time with a call of
    `rest()` between two pieces."""
    from ecom.reviews.aspects import analyse_many

    if rest is None or len(texts) <= REST_EVERY:
        return analyse_many(texts, scorer)
    frames, cuts = [], []
    for at in range(0, len(texts), REST_EVERY):
        if at:
            rest()
        frame, cut = analyse_many(texts[at : at + REST_EVERY], scorer)
        frames.append(frame.assign(row=frame.row + at))
        cuts += cut
    return pd.concat(frames, ignore_index=True), cuts


def score_aspects(wh, scorer: Scorer, progress: Progress | None = None, chunk: int = 2048, rest: Callable[[], object] | None = None,
                  todo: pd.DataFrame | None = None) -> dict:
    """Detect aspects, and each text's terms, for the review texts not yet done under this lexicon and
    model version (or for `todo`, `_todo`'s frame of them fetched beforehand). `rest()` is called
    every REST_EVERY texts: it may block (the app's background job waits there while a page is
    drawn, see `background.drawing`)."""
    from ecom.reviews import terms

    version = aspects_version(scorer)
    if todo is None:
        todo = _todo(wh, "aspects", version)
    found = 0
    for start in range(0, len(todo), chunk):
        part = todo.iloc[start : start + chunk].reset_index(drop=True)
        # a text the model does not read is done with no aspects (its clauses would be scored wrongly)
        # and no terms (it has no sentiment to set its words apart by)
        langs = [lang if isinstance(lang, str) else language.detect(t) for t, lang in zip(part.text, part.language, strict=True)]
        texts = [t if scorer.reads(lang) else "" for t, lang in zip(part.text, langs, strict=True)]
        rows, segmented = _analyse(texts, scorer, rest)
        rows.insert(0, "text_hash", part.text_hash.to_numpy()[rows.row.to_numpy()] if len(rows) else [])
        rows.insert(1, "aspects_version", version)
        runs = pd.DataFrame(
            {"text_hash": part.text_hash, "aspects_version": version, "n_aspects": rows.groupby("row").size().reindex(part.index, fill_value=0).to_numpy()}
        )
        words = [(h, w) for h, text, cut in zip(part.text_hash, texts, segmented, strict=True)
                 for w in sorted(set(terms.terms(text, cut)))]
        words = pd.DataFrame(words, columns=["text_hash", "term"]).assign(aspects_version=version)
        apptables.add_review_aspects(wh, rows.drop(columns="row"), runs, words)
        found += len(rows)
        if progress:
            progress(min(start + chunk, len(todo)), len(todo))
    return {"texts": int(len(todo)), "aspects": int(found), "version": version}


def score_all(wh, scorer: Scorer, progress: Callable[[str, int, int], None] | None = None, rest: Callable[[], object] | None = None) -> dict:
    """Sentiment and aspects of the texts this model has not done: `score_warehouse`'s result with
    "aspects" (`score_aspects`'). progress(stage, done, total): stage "score" while the sentiment
    pass runs, then "aspects". `rest`: see `score_aspects`.

    The aspects pass runs beside the sentiment pass, on a thread of its own with the caller's torch
    threads: it is mostly Python (clauses, jieba), the sentiment pass mostly a model forward that
    holds no lock (`Scorer.traced`), so the two together keep two cores busy where one after the
    other kept one (10,000 Chinese reviews: 16.3–17.2 s one after the other, 12.8–13.3 s side by
    side). The aspects pass detects the languages the sentiment pass has not stored yet itself. What
    it has to do is read before the sentiment pass starts: on Spark a model output is a view of its
    latest write, and a read of the languages while the sentiment pass writes them could find its
    view dropped."""
    import torch

    threads = torch.get_num_threads()
    todo = _todo(wh, "aspects", aspects_version(scorer))
    sentiment_ended = threading.Event()
    latest: list[tuple[int, int]] = []
    outcome: dict = {}

    def aspects_progress(done: int, total: int) -> None:
        latest[:] = [(done, total)]
        if progress and sentiment_ended.is_set():
            progress("aspects", done, total)

    def find_aspects() -> None:
        torch.set_num_threads(threads)
        try:
            outcome["aspects"] = score_aspects(wh, scorer, progress=aspects_progress, rest=rest, todo=todo)
        except BaseException as exc:  # raised on the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=find_aspects, name="ecom-review-aspects", daemon=True)
    worker.start()
    try:
        result = score_warehouse(wh, scorer, progress=(lambda done, total: progress("score", done, total)) if progress else None)
    finally:
        sentiment_ended.set()
        if progress and latest:  # where the aspects pass stands, or how it ended
            progress("aspects", *latest[0])
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    result["aspects"] = outcome["aspects"]
    return result
