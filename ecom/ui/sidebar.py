"""The shared sidebar, drawn by app.py on every page under the page menu.

`language_switch()` comes first (page titles depend on it); `render()` draws everything else:
what is loaded and how fresh it is. Global filters (issue 4) belong in `render()`, below the
freshness block, so every page sees the same ones.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from ecom import i18n, settings
from ecom.ui import filters as ui_filters
from ecom.ui import lang as ui_lang
from ecom.ui import nav
from ecom.ui.cache import freshness, row_counts
from ecom.ui.lang import tr

LANG_NAMES = {"en": "English", "zh": "中文"}


SWITCH_KEY = "_lang_switch"


def _switched() -> None:
    ui_lang.choose(st.session_state[SWITCH_KEY])


def language_switch() -> str:
    """Decide this run's language and draw the switch; returns the language."""
    lang = ui_lang.resolve()
    st.session_state[SWITCH_KEY] = lang
    st.sidebar.radio(
        i18n.t("sidebar.language", "en") + " · " + i18n.t("sidebar.language", "zh"),
        options=list(i18n.LANGS),
        format_func=LANG_NAMES.__getitem__,
        key=SWITCH_KEY,
        on_change=_switched,
        horizontal=True,
    )
    return lang


def ago(then: datetime, now: datetime, lang: str) -> str:
    """'10 min ago' / '10 分钟前' from two naive shop-time datetimes."""
    minutes = max(0, int((now - then).total_seconds() // 60))
    if minutes < 1:
        return i18n.t("time.just_now", lang)
    if minutes < 60:
        return i18n.t("time.minutes_ago", lang, n=minutes)
    if minutes < 48 * 60:
        return i18n.t("time.hours_ago", lang, n=minutes // 60)
    return i18n.t("time.days_ago", lang, n=minutes // (24 * 60))


def freshness_text(info: dict, now: datetime, lang: str) -> str:
    if info["data_through"] is None:
        return i18n.t("sidebar.no_data", lang)
    text = i18n.t("sidebar.data_through", lang, date=info["data_through"].isoformat())
    if info["loaded_at"] is not None:
        text += i18n.t("sidebar.loaded", lang, ago=ago(info["loaded_at"], now, lang))
    return text


def shop_now() -> datetime:
    return datetime.now(ZoneInfo(settings.get("ECOM_TIMEZONE"))).replace(tzinfo=None)


def render() -> None:
    """Everything in the sidebar below the language switch."""
    lang = ui_lang.current()
    with st.sidebar:
        info = freshness()
        st.caption(freshness_text(info, shop_now(), lang))
        counts = row_counts()
        loaded = {t: n for t, n in counts.items() if n and t not in ("upload_log", "rejects")}
        if loaded and not ui_filters.scoped_person():  # every shop's row counts are not for someone limited to some
            st.caption(" · ".join(f"{tr('data.table.' + t)} {n:,}" for t, n in loaded.items()))
        elif not loaded:
            nav.link("data", label=tr("sidebar.load_data"))
    ui_filters.render()
