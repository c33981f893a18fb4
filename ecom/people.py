"""The people table (app.people): roles and shop limits that admins give in the app.

Keyed by lower-case e-mail. Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime

import pandas as pd

from ecom import access, audit

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
    cur = wh.cursor()
    try:
        rows = cur.execute("SELECT email, role, shops FROM app.people").fetchall()
    finally:
        cur.close()
    return {email: (role, tuple(shops or ())) for email, role, shops in rows}


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
    cur = wh.cursor()
    try:
        return cur.execute("SELECT email, role, array_to_string(shops, ', ') AS shops, updated_by, updated_at "
                           "FROM app.people ORDER BY email").df()
    finally:
        cur.close()


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
        cur.execute("INSERT INTO app.people VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO UPDATE SET role = excluded.role, "
                    "shops = excluded.shops, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    [email, role, list(shops), who.id, datetime.now().replace(microsecond=0)])
        audit.record(cur, who, "role_change", f"{email} -> {role}" + (f" (shops: {', '.join(shops)})" if shops else ""), address)
    _forget(wh)


def remove(wh, who: access.Person, email: str, address: str = "") -> None:
    if not who.can("people"):
        raise PermissionError("people")
    email = _email(email)
    with wh.transaction() as cur:
        cur.execute("DELETE FROM app.people WHERE email = ?", [email])
        audit.record(cur, who, "role_change", f"{email} removed", address)
    _forget(wh)
