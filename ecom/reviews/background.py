"""Review scoring in the background: texts are scored, and their aspects found, when they arrive, in
a thread of the app, not while somebody waits on the Reviews page.

One job per warehouse file and process. `start(wh)` is called after a reviews load through the app,
at start-up (`resume`), and by a page that finds texts the active model has not done; a start
while the job runs makes it look again when it ends (a second upload during the first one's
scoring). The job:

- scores with ECOM_SCORING_THREADS torch threads (default 1, so the other core serves pages; torch's
  thread count is per thread, so the pages' own torch work keeps its threads);
- commits every chunk (`score.score_warehouse`), newest reviews first, so a page shows what is done;
- keeps its progress in `status(wh)` for the progress bars, and its error, which pages show.

Results are keyed by text hash and model version (`ecom.reviews.score`): no visit and no restart
scores a text twice. DuckDB allows one writing process, and this thread writes through the app's
own warehouse connection.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from ecom import settings

log = logging.getLogger("ecom.reviews.background")


@dataclass(frozen=True)
class Status:
    """Where a warehouse's scoring stands. state: running, done or failed; stage: load (the model),
    score (sentiment) or aspects; done/total: texts of the stage; error: why it failed (one line)."""

    state: str
    stage: str = "load"
    done: int = 0
    total: int = 0
    model: str = ""
    started: float = 0.0
    finished: float | None = None
    scored: int = 0  # texts scored by the runs of this job (not texts done before)
    error: str | None = None
    exc: BaseException | None = field(default=None, compare=False, repr=False)  # for the page's error id and log

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def seconds(self) -> float:
        return (self.finished or time.time()) - self.started


class _Job:
    def __init__(self) -> None:
        self.status: Status | None = None
        self.again = False
        self.thread: threading.Thread | None = None


_JOBS: dict[str, _Job] = {}
_LOCK = threading.Lock()


def status(wh) -> Status | None:
    """The warehouse's scoring job as it stands (None: none ran in this process)."""
    job = _JOBS.get(str(wh.path))
    return job.status if job else None


def start(wh) -> Status:
    """Score what the active model has not done, in the background; returns the job's status."""
    with _LOCK:
        job = _JOBS.setdefault(str(wh.path), _Job())
        if job.status is not None and job.status.running:
            job.again = True
            return job.status
        job.again = False
        job.status = Status("running", started=time.time())
        job.thread = threading.Thread(target=_run, args=(wh, job), name="ecom-review-scoring", daemon=True)
        job.thread.start()
        return job.status


def resume(wh) -> Status | None:
    """At start-up: start the job when the reviews hold texts the active model has not done."""
    from ecom.reviews import registry, score

    try:
        info = score.describe(registry.active_model(wh))
        if not any(score.pending(wh, info).values()):
            return None
    except Exception:  # the job itself says what is wrong, on the pages
        log.exception("checking for unscored reviews at start-up failed")
    return start(wh)


def warm(wh) -> None:
    """Load the active model in the background (a reviews file is about to load): the scoring that
    follows the load does not wait for torch and the weights."""
    from ecom.reviews import registry, score

    def load() -> None:
        try:
            score.shared(registry.active_model(wh))
        except Exception:  # the scoring after the load says what is wrong
            log.exception("loading the review model ahead of a load failed")

    threading.Thread(target=load, name="ecom-review-model", daemon=True).start()


def wait(wh, timeout: float = 300.0) -> Status | None:
    """Block until the warehouse's job has ended (tests, the command line, shutting down)."""
    deadline = time.monotonic() + timeout
    while True:
        job = _JOBS.get(str(wh.path))
        thread = job.thread if job else None
        if thread is None or not thread.is_alive():
            return job.status if job else None
        thread.join(max(0.0, min(0.5, deadline - time.monotonic())))
        if time.monotonic() >= deadline:
            return job.status


def wait_all(timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    for job in list(_JOBS.values()):
        if job.thread is not None:
            job.thread.join(max(0.0, deadline - time.monotonic()))


def _run(wh, job: _Job) -> None:
    import torch

    from ecom.reviews import registry, score

    torch.set_num_threads(int(settings.get("ECOM_SCORING_THREADS")))
    _lowest_priority()
    scored = 0
    while True:
        try:
            job.status = replace(job.status, stage="load", done=0, total=0)
            scorer = score.shared(registry.active_model(wh))
            job.status = replace(job.status, model=scorer.version, stage="score")

            def report(stage: str, done: int, total: int) -> None:
                job.status = replace(job.status, stage=stage, done=done, total=total)

            result = score.score_all(wh, scorer, progress=report, rest=_pages_drawn)
            scored += result["scored"] + result["unread"]
        except Exception as exc:  # kept for the pages, which show it; the details go to the log
            log.exception("scoring reviews in the background failed")
            with _LOCK:
                job.status = replace(job.status, state="failed", finished=time.time(), scored=scored, error=_one_line(exc), exc=exc)
                return
        with _LOCK:
            if not job.again:
                job.status = replace(job.status, state="done", finished=time.time(), scored=scored)
                return
            job.again = False


# Pages being drawn now, in this process (`drawing`); the aspects pass rests while there are any
_DRAWING = [0]
_NO_PAGE = threading.Event()
_NO_PAGE.set()
# The longest one rest waits for the pages: a server drawing pages without a break still gets its
# aspects found, a piece at a time
MAX_REST_S = 2.0


@contextmanager
def drawing() -> Iterator[None]:
    """Around a page run (app.py): the background aspects pass rests meanwhile. Its work is Python
    (clauses, jieba) and would share Python's lock with the page: visits during the scoring of
    10,000 Chinese reviews took up to 2.7 s with it working on, up to 1.8 s with it resting."""
    with _LOCK:
        _DRAWING[0] += 1
        _NO_PAGE.clear()
    try:
        yield
    finally:
        with _LOCK:
            _DRAWING[0] -= 1
            if not _DRAWING[0]:
                _NO_PAGE.set()


def _pages_drawn() -> None:
    _NO_PAGE.wait(MAX_REST_S)


def _lowest_priority() -> None:
    """This thread, and the torch threads it starts, yield the CPU to page visits (Linux: the nice
    value is per thread and inherited by the threads it creates)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):  # not on this system: scoring still runs, at normal priority
        log.info("could not lower the priority of background review scoring")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]
