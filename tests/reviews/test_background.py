"""Reviews are scored when they arrive: in a background thread of the app (ecom.reviews.background),
and by `python -m ecom ingest` before it exits. Uses the tiny model of tests.reviews.conftest."""

import os
import shutil
import threading
import time

import pytest

from ecom.ingest.cli import main as ingest_main
from ecom.reviews import background, score
from ecom.warehouse import Warehouse
from tests.reviews.conftest import NEGATIVE, POSITIVE

TEXTS = POSITIVE + NEGATIVE


def add_reviews(wh, texts, first: int = 0) -> None:
    with wh.transaction() as cur:
        for n, text in enumerate(texts, start=first):
            cur.execute("INSERT INTO main.reviews (review_id, product_id, review_time, rating, review_text) VALUES (?, 'P1', ?, 5, ?)",
                        [f"R{n}", f"2024-11-{1 + n % 28:02d} 10:00:00", text])
        Warehouse.bump_version(cur)


def stored(wh, table: str) -> int:
    with wh.cursor() as cur:
        return cur.execute(f"SELECT count(DISTINCT text_hash) FROM app.{table}").fetchone()[0]


@pytest.fixture
def model(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(tiny_model_dir))
    return tiny_model_dir


def test_a_job_scores_every_new_text_on_one_torch_thread_at_the_lowest_priority(warehouse, model, monkeypatch):
    import torch

    add_reviews(warehouse, TEXTS + TEXTS[:3])  # 15 reviews, 12 distinct texts
    seen = {}
    real = score.score_all

    real_aspects = score.score_aspects

    def watched(wh, scorer, progress=None, **kw):
        seen["threads"] = torch.get_num_threads()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return real(wh, scorer, progress, **kw)

    def watched_aspects(wh, scorer, progress=None, **kw):
        # the aspects pass runs beside the sentiment pass, on a thread of its own
        seen["aspects"] = (threading.current_thread().name, torch.get_num_threads(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return real_aspects(wh, scorer, progress, **kw)

    monkeypatch.setattr(score, "score_all", watched)
    monkeypatch.setattr(score, "score_aspects", watched_aspects)
    threads_here = torch.get_num_threads()
    assert background.start(warehouse).running
    status = background.wait(warehouse, 120)
    assert (status.state, status.scored, status.error) == ("done", 12, None)
    assert (status.stage, status.done, status.total) == ("aspects", 12, 12)
    assert seen == {"threads": 1, "nice": 19, "aspects": ("ecom-review-aspects", 1, 19)}
    assert torch.get_num_threads() == threads_here  # the pages' threads keep their torch threads
    assert stored(warehouse, "review_scores") == stored(warehouse, "review_aspect_runs") == 12
    assert stored(warehouse, "review_terms") == 12  # every text here has words the Terms tab counts
    assert score.pending(warehouse, score.describe(model)) == {"scores": 0, "aspects": 0}
    # nothing is done twice: a second job finds no work
    assert background.wait(warehouse, 60) == status
    background.start(warehouse)
    assert background.wait(warehouse, 60).scored == 0


def test_a_start_while_the_job_runs_makes_it_look_again(warehouse, model, monkeypatch):
    add_reviews(warehouse, TEXTS[:6])
    gate, calls = threading.Event(), []
    real = score.score_all

    def held(wh, scorer, progress=None, **kw):
        calls.append(len(calls))
        if len(calls) == 1:
            gate.wait(30)  # the first run is busy while a second upload arrives
        return real(wh, scorer, progress, **kw)

    monkeypatch.setattr(score, "score_all", held)
    background.start(warehouse)
    add_reviews(warehouse, TEXTS[6:], first=6)
    assert background.start(warehouse).running
    gate.set()
    status = background.wait(warehouse, 120)
    assert status.state == "done" and calls == [0, 1]
    assert stored(warehouse, "review_scores") == 12 and status.scored == 12


def test_a_model_that_cannot_load_fails_the_job_with_its_reason_and_a_fixed_one_succeeds(warehouse, tiny_model_dir, tmp_path, monkeypatch):
    broken = tmp_path / "broken-model"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not weights")
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(broken))
    add_reviews(warehouse, TEXTS)
    background.start(warehouse)
    status = background.wait(warehouse, 60)
    assert status.state == "failed" and status.error.startswith("ReviewModelError: ")
    assert isinstance(status.exc, score.ReviewModelError) and stored(warehouse, "review_scores") == 0
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(tiny_model_dir))
    background.start(warehouse)
    assert background.wait(warehouse, 120).state == "done" and stored(warehouse, "review_scores") == 12


def test_start_up_resumes_only_where_texts_wait(warehouse, model):
    assert background.resume(warehouse) is None  # no reviews
    add_reviews(warehouse, TEXTS)
    assert background.resume(warehouse).running
    assert background.wait(warehouse, 120).scored == 12
    assert background.resume(warehouse) is None


def test_the_model_is_described_without_loading_it(model, monkeypatch):
    def refuse(*_):
        raise AssertionError("a page visit loaded the model")

    monkeypatch.setattr(score, "load_model", refuse)
    info = score.describe(model)
    monkeypatch.undo()
    loaded = score.Scorer.load(model)
    assert info == loaded.info and info.version.startswith(f"{model.name}@")


def write_reviews(path, texts) -> None:
    rows = ["review_id,product_id,review_time,rating,review_text"]
    rows += [f"R{n},P1,2024-11-{1 + n % 28:02d} 10:00:00,5,{text.replace(',', ' ')}" for n, text in enumerate(texts)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_the_command_line_scores_the_reviews_it_loads_before_it_exits(tmp_path, model, capsys):
    write_reviews(tmp_path / "reviews.csv", TEXTS)
    db = tmp_path / "wh.duckdb"
    assert ingest_main([str(tmp_path / "reviews.csv"), "--warehouse", str(db)]) == 0
    out = capsys.readouterr().out
    assert "reviews: 12 new texts scored by " in out and "aspects found in 12 texts" in out
    wh = Warehouse(db)
    try:
        assert stored(wh, "review_scores") == stored(wh, "review_aspect_runs") == 12
    finally:
        wh.close()


def test_the_command_line_can_leave_scoring_to_the_app_and_says_when_the_model_is_missing(tmp_path, monkeypatch, capsys):
    write_reviews(tmp_path / "reviews.csv", TEXTS)
    db = tmp_path / "wh.duckdb"
    assert ingest_main([str(tmp_path / "reviews.csv"), "--warehouse", str(db), "--no-score"]) == 0
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(tmp_path / "no-such-model"))
    write_reviews(tmp_path / "more.csv", ["物流很快，质量很好"])
    assert ingest_main([str(tmp_path / "more.csv"), "--warehouse", str(db)]) == 0  # the load itself succeeded
    err = capsys.readouterr().err
    assert "ingest: the reviews loaded but were not scored: review model directory" in err
    assert "The app scores them when it starts." in err
    wh = Warehouse(db)
    try:
        assert stored(wh, "review_scores") == 0
        with wh.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM main.reviews").fetchone()[0] == 13
    finally:
        wh.close()


def test_the_aspects_pass_rests_while_a_page_is_drawn(warehouse, model, monkeypatch):
    monkeypatch.setattr(score, "REST_EVERY", 4)  # 12 texts: three pieces, two rests
    monkeypatch.setattr(background, "MAX_REST_S", 60.0)
    add_reviews(warehouse, TEXTS)
    with background.drawing():
        assert background.start(warehouse).running
        time.sleep(3)  # the sentiment pass is done in a fraction of this; the aspects pass waits on the page
        assert background.status(warehouse).running
        assert stored(warehouse, "review_aspect_runs") == 0
    status = background.wait(warehouse, 60)
    assert (status.state, status.error) == ("done", None)
    assert stored(warehouse, "review_scores") == stored(warehouse, "review_aspect_runs") == 12
