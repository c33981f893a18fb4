import numpy as np
import pytest

from ecom.reviews.score import ReviewModelError, Scorer, load_model, score_aspects, score_warehouse, text_hash
from tests.reviews.conftest import NEGATIVE, POSITIVE


def _load_reviews(wh, texts):
    with wh.transaction() as cur:
        for i, t in enumerate(texts):
            cur.execute("INSERT INTO main.reviews (review_id, review_text) VALUES (?, ?)", [str(i), t])


def test_scores_are_cached_per_text_and_model(warehouse, tiny_model_dir):
    scorer = Scorer.load(tiny_model_dir)
    _load_reviews(warehouse, POSITIVE + NEGATIVE + [POSITIVE[0], "   "])  # a repeated text and a blank one
    first = score_warehouse(warehouse, scorer)
    assert first["scored"] == 12 and first["cached"] == 0
    second = score_warehouse(warehouse, scorer)
    assert second["scored"] == 0 and second["cached"] == 12
    _load_reviews(warehouse, ["物流很快，很满意"])
    third = score_warehouse(warehouse, scorer)
    assert third["scored"] == 1 and third["cached"] == 12

    cur = warehouse.cursor()
    rows = dict(cur.execute("SELECT text_hash, label FROM app.review_scores").fetchall())
    assert rows[text_hash(POSITIVE[0])] == "positive"
    assert rows[text_hash(NEGATIVE[0])] == "negative"

    # another model version scores everything again, lazily
    scorer.version = "other@1"
    assert score_warehouse(warehouse, scorer)["scored"] == 13


def test_aspects_are_stored_once_per_text(warehouse, tiny_model_dir):
    scorer = Scorer.load(tiny_model_dir)
    _load_reviews(warehouse, ["价格不贵，物流很快", "今天天气不错"])
    first = score_aspects(warehouse, scorer)
    assert first["texts"] == 2 and first["aspects"] == 2
    assert score_aspects(warehouse, scorer)["texts"] == 0
    cur = warehouse.cursor()
    got = cur.execute("SELECT aspect, polarity FROM app.review_aspects ORDER BY aspect").fetchall()
    assert got == [("delivery", 1), ("price", 1)]


def test_aspects_found_beside_the_scores_equal_those_found_after_them(warehouse, tiny_model_dir, monkeypatch):
    from ecom.reviews import score

    scorer = Scorer.load(tiny_model_dir)
    texts = POSITIVE + NEGATIVE + ["价格不贵，物流很快", "The box was crushed but the quality is great", "Barang sesuai pesanan, pengiriman cepat, penjual ramah"]
    _load_reviews(warehouse, texts)
    stages = []
    result = score.score_all(warehouse, scorer, progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert (result["scored"], result["unread"], result["aspects"]["texts"]) == (14, 1, 15)
    assert stages[-1] == ("aspects", 15, 15)
    cur = warehouse.cursor()
    aspects = sorted(cur.execute("SELECT text_hash, aspect, polarity, clause FROM app.review_aspects").fetchall())
    indonesian = cur.execute("SELECT n_aspects FROM app.review_aspect_runs WHERE text_hash = ?", [text_hash(texts[-1])]).fetchall()
    assert indonesian == [(0,)]  # the language detected by the aspects pass itself: a text the model does not read has none
    # the same texts done one pass after the other
    cur.execute("DELETE FROM app.review_aspects; DELETE FROM app.review_aspect_runs; DELETE FROM app.review_terms")
    score_aspects(warehouse, scorer)
    assert sorted(cur.execute("SELECT text_hash, aspect, polarity, clause FROM app.review_aspects").fetchall()) == aspects

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(score, "score_aspects", broken)
    _load_reviews(warehouse, ["物流很快，很满意"])
    with pytest.raises(RuntimeError, match="disk full"):  # an error of the aspects thread reaches the caller
        score.score_all(warehouse, scorer)


def test_predict_labels_and_band(tiny_model_dir):
    scorer = Scorer.load(tiny_model_dir)
    out = scorer.predict(POSITIVE + NEGATIVE)
    assert out.label.tolist() == ["positive"] * 6 + ["negative"] * 6
    scorer.band = (0.0, 1.01)
    assert set(scorer.label(np.array([0.2, 0.9]))) == {"neutral"}


def test_missing_model_says_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(ReviewModelError, match="does not exist"):
        load_model(tmp_path / "nowhere")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ReviewModelError, match="ECOM_REVIEW_MODEL"):
        load_model("no-such-user/no-such-model")


def test_the_traced_forward_gives_the_models_own_scores(tiny_model_dir):
    scorer = Scorer.load(tiny_model_dir)
    assert scorer.traced is not None  # this project's model traces
    texts = POSITIVE + NEGATIVE + ["", "好", "a much longer review " * 40]  # one token, and past the encoder's positions
    traced = scorer.p_positive(texts)
    scorer.traced = None
    assert np.array_equal(traced, scorer.p_positive(texts))


def test_scoring_keeps_going_while_another_thread_runs_python(tiny_model_dir):
    """A page drawn by the server while reviews are scored must not stall the scoring: the traced
    forward runs without Python's lock. With this tiny model, beside a busy thread, the eager forward
    took 165x as long as alone, the traced one 6x (the batches' numpy work still takes the lock)."""
    import threading
    import time

    import torch

    torch.set_num_threads(1)
    scorer = Scorer.load(tiny_model_dir)
    texts = (POSITIVE + NEGATIVE) * 500

    def seconds() -> float:
        t0 = time.perf_counter()
        scorer.p_positive(texts)
        return time.perf_counter() - t0

    alone = min(seconds() for _ in range(2))
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(range(10_000))

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        beside = seconds()
    finally:
        stop.set()
        thread.join()
    assert beside < 30 * alone, (alone, beside)
