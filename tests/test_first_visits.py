"""Six sessions opening the Reviews and Recommendations pages at the same moment on a fresh
warehouse: none fails. Before the model-output tables were made as the warehouse opens, the first
visits created them lazily and two of six failed with "Catalog write-write conflict"."""

import threading

import numpy as np

from ecom.recsys import campaigns, store
from ecom.reviews import registry, score
from ecom.warehouse import Warehouse

SESSIONS = 6
TEXTS = [f"review {i} {'great' if i % 2 else 'bad'}" for i in range(40)]


class FixedScorer:
    """Stands in for the review model: P(positive) from the text, no weights to load."""

    version = "fixed@1"
    band = score.DEFAULT_BAND
    languages = ("zh", "en")
    label = score.Scorer.label
    predict = score.Scorer.predict
    reads = score.Scorer.reads

    def p_positive(self, texts, progress=None):
        return np.array([0.9 if "great" in t else 0.1 for t in texts])


def first_visit(wh: Warehouse, scorer: FixedScorer) -> None:
    """What a session's first visits do: the Reviews page finds the active model, scores the texts
    and finds their aspects; the Recommendations page reads the registry and the stored top-N."""
    registry.active_model(wh)
    registry.registry(wh)
    score.score_warehouse(wh, scorer)
    score.score_aspects(wh, scorer)
    store.models(wh)
    store.read_recs(wh, "C1")
    campaigns.segment_preview(wh, ["C1"])


def visit_at_once(wh: Warehouse) -> list[BaseException]:
    """SESSIONS threads doing `first_visit` together; what they raised."""
    return at_once(lambda: first_visit(wh, FixedScorer()))


def at_once(action) -> list[BaseException]:
    """SESSIONS threads calling `action()` at the same moment; what they raised."""
    start = threading.Barrier(SESSIONS)
    failures: list[BaseException] = []

    def session():
        start.wait()
        try:
            action()
        except Exception as exc:  # collected: an exception in a thread would not fail the test
            failures.append(exc)

    threads = [threading.Thread(target=session) for _ in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return failures


def test_simultaneous_first_visits_on_a_fresh_warehouse(tmp_path):
    for trial in range(5):
        wh = Warehouse(tmp_path / f"fresh{trial}.duckdb")
        with wh.transaction() as cur:
            for i, text in enumerate(TEXTS):
                cur.execute("INSERT INTO main.reviews (review_id, review_text) VALUES (?, ?)", [f"R{i}", text])
        assert visit_at_once(wh) == []
        cur = wh.cursor()
        try:
            scores = cur.execute("SELECT count(*), count(DISTINCT text_hash) FROM app.review_scores").fetchone()
            runs = cur.execute("SELECT count(*) FROM app.review_aspect_runs").fetchone()[0]
        finally:
            cur.close()
        assert scores == (len(TEXTS), len(TEXTS)) and runs == len(TEXTS)
        wh.close()


def test_simultaneous_first_visits_start_one_scoring_job(tmp_path, monkeypatch):
    """What the Reviews page's first visits do now: each finds texts without scores and asks for the
    background job; six at once start one job, and every text is scored once."""
    from ecom.reviews import background

    runs = []
    real = score.score_all

    def counted(wh, scorer, progress=None, **kw):
        runs.append(threading.get_ident())
        return real(wh, scorer, progress, **kw)

    monkeypatch.setattr(score, "shared", lambda *_: FixedScorer())
    monkeypatch.setattr(score, "score_all", counted)
    wh = Warehouse(tmp_path / "fresh.duckdb")
    with wh.transaction() as cur:
        for i, text in enumerate(TEXTS):
            cur.execute("INSERT INTO main.reviews (review_id, review_text) VALUES (?, ?)", [f"R{i}", text])
    failures = at_once(lambda: background.start(wh))
    status = background.wait(wh, 120)
    try:
        assert failures == [] and status.state == "done" and status.scored == len(TEXTS)
        assert 1 <= len(runs) <= 2 and len(set(runs)) == 1  # one thread; it looks again at most once
        with wh.cursor() as cur:
            assert cur.execute("SELECT count(*), count(DISTINCT text_hash) FROM app.review_scores").fetchone() == (len(TEXTS), len(TEXTS))
    finally:
        wh.close()
