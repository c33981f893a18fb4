"""Saved views: a page, its filters and its chart options under a name, behind an unguessable token.

A view lives in the warehouse's `app` schema (never reachable from the SQL or Explore pages) and
holds only validated values: the filters in their URL form and the page's chart options, each
checked against an allow-list here. It never holds SQL. A view has an owner (the person who saved
it; views saved before owners existed belong to the admins): only the owner or an admin renames or
deletes it, and anyone signed in opens it by its link. Opening a view re-validates everything
against the warehouse as it is now, so a view whose table or columns are gone opens with a clear
message instead of an error, and a tampered or unknown token gets one too.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from ecom import filters
from ecom.filters import Filters
from ecom.queries import explore
from ecom.warehouse import apptables

TOKEN_BYTES = 12  # 96 random bits, 16 URL-safe characters
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_NAME = 100

def _one_of(*allowed):
    return lambda v: v if v in allowed else None


def _int_between(lo, hi):
    def check(v):
        try:
            n = int(v)
        except (TypeError, ValueError):
            return None
        return str(n) if lo <= n <= hi else None

    return check


def _text(v):
    return v if isinstance(v, str) and len(v) <= 200 else None


# Page -> chart option (its URL key on that page) -> validator returning the clean value or None.
PAGE_OPTIONS: dict[str, dict] = {
    "overview": {"metric": _one_of("gmv", "orders", "customers")},
    "sales": {"grain": _one_of("day", "week", "month"), "by": _one_of("category", "brand", "product_id", "region", "channel", "shop"),
              "top": _int_between(5, 100), "measure": _one_of("gmv", "orders", "units")},
    "customers": {"seg": _text},
    "market": {"mcat": _text},
    "inventory": {"list": _one_of("all", "reorder", "slow")},
    "reviews": {"grain": _one_of("day", "week", "month"), "by": _one_of("category", "product_id"), "aspect": _text,
                "pol": _one_of("all", "negative", "neutral", "positive"), "minr": _int_between(1, 20), "q": _text},
    "explore": {"t": _text, "x": _text, "y": _text, "agg": _one_of(*explore.AGGS), "color": _text,
                "eg": _one_of(*explore.GRAINS), "chart": _one_of(*explore.CHARTS), "w": _text, "wv": _text},
    "recommendations": {"cust": _text, "prod": _text, "segkind": _one_of("rfm", "buyers"), "seg": _text, "segprod": _text,
                        "top": _one_of("1", "3", "5", "10")},
}
PAGES = tuple(PAGE_OPTIONS)


class ViewError(ValueError):
    """A view cannot be saved or opened; `key` is the message key, `args` its arguments."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key = key
        self.args_ = args


@dataclass(frozen=True)
class View:
    token: str
    name: str
    page: str
    params: dict  # URL form of the filters plus the page's options, all validated
    notices: tuple[str, ...] = ()


def clean_options(page: str, options: dict) -> dict[str, str]:
    """The page's known chart options with valid values; everything else is dropped."""
    out = {}
    for key, check in PAGE_OPTIONS.get(page, {}).items():
        value = options.get(key)
        if value is None or value == "":
            continue
        ok = check(str(value))
        if ok is not None:
            out[key] = ok
    return out


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())[:MAX_NAME]
    if not name:
        raise ViewError("views.error.name")
    return name


def save(wh, name: str, page: str, f: Filters, options: dict | None = None, owner: str | None = None) -> str:
    """Store a view and return its token. The date range is stored as fixed dates, so the view
    shows exactly what was on screen."""
    if page not in PAGE_OPTIONS:
        raise ViewError("views.error.page", page=page)
    name = _clean_name(name)
    opts = clean_options(page, options or {})
    if page == "explore":
        explore.validate(wh, explore.spec_from_params(_explore_params(opts)))
    state = {"filters": replace(f, preset="custom").to_params(), "options": opts}
    token = secrets.token_urlsafe(TOKEN_BYTES)
    apptables.add_view(wh, token, name, page, json.dumps(state, ensure_ascii=False), owner)
    return token


def _explore_params(opts: dict) -> dict:
    return {**opts, "grain": opts.get("eg", "day")}


def load(wh, token: str, anchor: date, allowed: dict | None = None) -> View:
    """The view behind `token`, re-validated against the warehouse as it is now."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise ViewError("views.error.bad_token")
    row = apptables.view(wh, token)
    if row is None:
        raise ViewError("views.error.unknown")
    name, page, raw = row
    try:
        state = json.loads(raw)
        stored_filters, stored_opts = dict(state["filters"]), dict(state["options"])
    except (ValueError, KeyError, TypeError):
        raise ViewError("views.error.unknown") from None
    if page not in PAGE_OPTIONS:
        raise ViewError("views.error.unknown")
    f = filters.from_params(stored_filters, anchor, allowed)
    opts = clean_options(page, stored_opts)
    if page == "explore":
        try:
            explore.validate(wh, explore.spec_from_params(_explore_params(opts)))
        except explore.SpecError as exc:
            raise _gone(name, str(exc)) from None
    params = {**f.to_params(), **opts}
    return View(token=token, name=name, page=page, params=params, notices=f.notices)


def _gone(name: str, detail: str) -> ViewError:
    parts = detail.split("|")
    if parts[0] == "table":
        return ViewError("views.error.gone_table", name=name, table=parts[1])
    if parts[0] == "column":
        return ViewError("views.error.gone_column", name=name, table=parts[1], column=parts[2])
    return ViewError("views.error.gone_option", name=name)


def list_views(wh) -> pd.DataFrame:
    return apptables.views(wh)


def may_manage(wh, token: str, who) -> bool:
    """Whether person `who` may rename or delete the view: its owner, or an admin."""
    if who.can("manage_any_view"):
        return True
    row = apptables.view_owner(wh, token)
    return row is not None and row[0] is not None and row[0] == who.id


def _check_manage(wh, token: str, who) -> None:
    if not may_manage(wh, token, who):
        raise ViewError("views.error.not_owner")


def rename(wh, token: str, name: str, who) -> None:
    name = _clean_name(name)
    _check_manage(wh, token, who)
    apptables.rename_view(wh, token, name)


def delete(wh, token: str, who) -> None:
    _check_manage(wh, token, who)
    apptables.delete_view(wh, token)
