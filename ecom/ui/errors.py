"""What a person sees when something fails: a plain sentence in their language and a short error
id, never a traceback or a server path. The full trace goes to the server log (logger
"ecom.errors") under the same id, so an administrator can find it from a screenshot.

app.py runs its script inside `guarded()`; the server gives `on_script_error` to st.App, which
catches what escapes anyway (widget callbacks included). .streamlit/config.toml sets
client.showErrorDetails = "none" for anything that gets past both.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import streamlit as st
from streamlit.errors import FragmentHandledException

from ecom import i18n
from ecom.reviews.score import ReviewModelError
from ecom.warehouse import WarehouseBusy

log = logging.getLogger("ecom.errors")

KINDS = ("busy", "conflict", "model", "unexpected")
# "lock" as a word: an IO error about a damaged "block" is not a busy warehouse
LOCK = re.compile(r"\block\b")


def new_id() -> str:
    """8 hex characters (32 random bits): short enough to read out, and ids in one log practically never repeat."""
    return secrets.token_hex(4)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the exceptions it was raised from or while handling."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def kind_of(exc: BaseException) -> str:
    """Which plain message fits `exc` (one of KINDS)."""
    for e in _chain(exc):
        text = str(e).lower()
        # DuckDB: 'IO Error: Could not set lock on file "...": Conflicting lock is held in ...'
        if isinstance(e, WarehouseBusy) or (isinstance(e, duckdb.IOException) and LOCK.search(text)):
            return "busy"
        # DuckDB: 'TransactionContext Error: Catalog write-write conflict on create with ...'
        if isinstance(e, duckdb.TransactionException) and "conflict" in text:
            return "conflict"
        if isinstance(e, ReviewModelError):
            return "model"
    return "unexpected"


def _lang() -> str:
    from ecom.ui.lang import current

    try:
        return current()
    except Exception:  # no session to ask (the failure may be the session's own): English
        return "en"


def message(kind: str, error_id: str, lang: str = "en") -> str:
    """The text shown for an error of `kind`: the plain sentence, then the id."""
    return f"{i18n.t(f'errors.{kind}', lang)}\n\n{i18n.t('errors.id', lang, id=error_id)}"


def show(exc: BaseException, kind: str | None = None) -> str:
    """Log `exc` with its trace under a new error id and draw the plain message with that id;
    `kind` overrides what `kind_of` would say (e.g. "model" where a model was being loaded).
    Returns the id."""
    kind = kind or kind_of(exc)
    error_id = new_id()
    level = logging.ERROR if kind == "unexpected" else logging.WARNING
    log.log(level, "error id %s (%s): %s: %s", error_id, kind, type(exc).__name__, exc, exc_info=(type(exc), exc, exc.__traceback__))
    st.error(message(kind, error_id, _lang()), icon=":material/error:")
    return error_id


@contextmanager
def guarded() -> Iterator[None]:
    """Run the block; an exception it raises is shown with `show` instead of a traceback.

    st.stop(), st.rerun() and st.switch_page() raise StopException / RerunException, which derive
    from BaseException, not Exception: they pass through untouched, as do KeyboardInterrupt and
    SystemExit. A fragment's FragmentHandledException says Streamlit has already handled the
    error, so it passes too."""
    try:
        yield
    except FragmentHandledException:
        raise
    except Exception as exc:
        show(exc)


def on_script_error(exc: Exception) -> bool:
    """For st.App(on_script_error=...): draw the plain message; True keeps Streamlit's own display
    of the exception off the page."""
    show(exc)
    return True
