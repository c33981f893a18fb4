"""The audit log (app.audit): who did what, when, and from where.

Kinds: signin, signin_failed, signin_refused, signout, upload, undo, replace, sql, export,
role_change, view_change. Rows are only ever added; admins read and download them on the
Admin page. Each row also goes to the server log.
"""

from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd

from ecom.warehouse import apptables

log = logging.getLogger("ecom.audit")

MAX_DETAIL = 2000


def _row(who, kind: str, detail: str, address: str) -> list:
    actor = who if isinstance(who, str) else who.id
    via = "" if isinstance(who, str) else who.via
    return [datetime.now().replace(microsecond=0), actor, via, kind, str(detail)[:MAX_DETAIL], address or ""]


def record(cur, who, kind: str, detail: str = "", address: str = "") -> None:
    """Add a row inside the caller's transaction `cur` (so the action and its record land together)."""
    row = _row(who, kind, detail, address)
    apptables.add_audit(cur, row)
    log.info("audit %s %s (%s) from %s: %s", kind, row[1], row[2], row[5] or "-", row[4])


def write(wh, who, kind: str, detail: str = "", address: str = "") -> None:
    """Add a row in a transaction of its own."""
    with wh.transaction() as cur:
        record(cur, who, kind, detail, address)


def read(wh, limit: int = 10_000) -> pd.DataFrame:
    """The newest `limit` rows, newest first."""
    return apptables.audit_rows(wh, limit)
