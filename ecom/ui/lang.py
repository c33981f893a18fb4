"""Which language a session sees.

`?lang=zh` / `?lang=en` in the URL wins; then the sidebar switch (kept in the session, and
written back to `?lang=` so a reload or a shared link keeps it); before anyone chose, the
browser's language (`st.context.locale`), then the ECOM_LANG setting.
"""

from __future__ import annotations

import streamlit as st

from ecom import i18n, settings

# Session-state key holding the session's language; also the URL query parameter's name.
KEY = "lang"


def default_lang() -> str:
    """The language before anyone chose one: the browser's, else the setting, else English."""
    return i18n.normalize(st.context.locale) or i18n.normalize(settings.get("ECOM_LANG")) or "en"


def current() -> str:
    lang = st.session_state.get(KEY)
    return lang if lang in i18n.LANGS else default_lang()


def tr(key: str, **fmt) -> str:
    """The text for `key` in this session's language."""
    return i18n.t(key, current(), **fmt)


def resolve() -> str:
    """This run's language; call once per run (app.py does) before anything is drawn."""
    from_url = i18n.normalize(st.query_params.get(KEY))
    if from_url:
        st.session_state[KEY] = from_url
    elif st.session_state.get(KEY) not in i18n.LANGS:
        st.session_state[KEY] = default_lang()
    return st.session_state[KEY]


def choose(lang: str) -> None:
    if lang in i18n.LANGS:
        st.session_state[KEY] = lang
        st.query_params[KEY] = lang
