"""Reads and commits take turns: no query runs on the warehouse while a transaction commits.

DuckDB (1.5.6, and 2.0.0 as well) lets a query that scans a table while another connection's
transaction commits see part of that transaction's rows: with 200,000 lines committing, readers
counted 100,354 (the committed rows are added to the table before their version information is).
Snapshot isolation holds outside that moment, so it is enough that the two never overlap: every
read of the analytics path runs inside `reading()` (many at once), and `Warehouse.transaction`
commits inside `committing()`, which waits for the running reads to finish and holds new ones back
until the commit is done (a commit waiting is served before later reads, so loads are not starved).

Only the executing step of a read is held: building an expression, which may itself start a
transaction (a summaries build), happens outside, so a thread never commits while it reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_cond = threading.Condition()
_readers = 0
_committing = False
_waiting = 0  # commits waiting for the running reads to finish


@contextmanager
def reading() -> Iterator[None]:
    """Run one read of the warehouse; waits while a commit is waiting or under way."""
    global _readers
    with _cond:
        while _committing or _waiting:
            _cond.wait()
        _readers += 1
    try:
        yield
    finally:
        with _cond:
            _readers -= 1
            if not _readers:
                _cond.notify_all()


@contextmanager
def committing() -> Iterator[None]:
    """Commit with no read running."""
    global _committing, _waiting
    with _cond:
        _waiting += 1
        while _committing or _readers:
            _cond.wait()
        _waiting -= 1
        _committing = True
    try:
        yield
    finally:
        with _cond:
            _committing = False
            _cond.notify_all()
