"""The people table (app.people): roles and shop limits that admins give in the app.

Keyed by lower-case e-mail. Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import re
import threading
import time

import pandas as pd

from ecom import access, audit
from ecom.warehouse import apptables

MAX_SHOPS = 200
TTL_S = 5.0  # the sign-in gate reads the table at most this often; changes made in this process apply at once
_cache: dict[str, tuple[float, dict]] = {}
_cache_lock = threading.Lock()


class PeopleError(ValueError):
    """A change an admin asked for is not valid; `key` is the message key."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key = key
        self.args_ = args


def table(wh) -> dict[str, tuple[str, tuple[str, ...]]]:
    """E-mail -> (role, shops) for everyone in the table."""
    return {email: (role, tuple(shops or ())) for email, role, shops in apptables.people(wh)}


def cached_table(wh) -> dict[str, tuple[str, tuple[str, ...]]]:
    """`table(wh)`, re-read at most every TTL_S seconds (it is consulted on every request)."""
    key = str(wh.path)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < TTL_S:
        return hit[1]
    fresh = table(wh)
    with _cache_lock:
        _cache[key] = (time.monotonic(), fresh)
    return fresh


def _forget(wh) -> None:
    with _cache_lock:
        _cache.pop(str(wh.path), None)


def listing(wh) -> pd.DataFrame:
    return apptables.people_listing(wh)


def _email(value: str) -> str:
    email = str(value or "").strip().lower()
    if not re.fullmatch(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+", email) or len(email) > 254:
        raise PeopleError("people.error.email", email=str(value)[:80])
    return email


def put(wh, who: access.Person, email: str, role: str, shops: list[str] | tuple[str, ...] = (), address: str = "") -> None:
    """Give `email` a role (and optionally limit it to shops); only an admin may."""
    if not who.can("people"):
        raise PermissionError("people")
    email = _email(email)
    if role not in access.ROLES:
        raise PeopleError("people.error.role", role=str(role)[:40])
    shops = tuple(dict.fromkeys(s.strip() for s in shops if s and s.strip()))[:MAX_SHOPS]
    with wh.transaction() as cur:
        apptables.put_person(cur, email, role, list(shops), who.id)
        audit.record(cur, who, "role_change", f"{email} -> {role}" + (f" (shops: {', '.join(shops)})" if shops else ""), address)
    _forget(wh)


def remove(wh, who: access.Person, email: str, address: str = "") -> None:
    if not who.can("people"):
        raise PermissionError("people")
    email = _email(email)
    with wh.transaction() as cur:
        apptables.remove_person(cur, email)
        audit.record(cur, who, "role_change", f"{email} removed", address)
    _forget(wh)
