"""The optional app password (ECOM_PASSWORD): nothing is shown until it is entered."""

from __future__ import annotations

import hashlib
import hmac
import time

import streamlit as st

from ecom import settings
from ecom.ui.lang import tr

STATE_KEY = "_auth"


def _token(password: str) -> str:
    # The session keeps a digest, so changing ECOM_PASSWORD logs every session out.
    return hashlib.sha256(("ecom-insight:" + password).encode("utf-8")).hexdigest()


def unlocked() -> bool:
    expected = settings.get("ECOM_PASSWORD")
    return not expected or st.session_state.get(STATE_KEY) == _token(expected)


def require_password() -> None:
    """Show the password form and stop the run, unless no password is set or it was entered."""
    if unlocked():
        return
    expected = settings.get("ECOM_PASSWORD")
    st.title(tr("app.title"))
    with st.form("login"):
        given = st.text_input(tr("auth.password"), type="password")
        submitted = st.form_submit_button(tr("auth.enter"), type="primary")
    if submitted:
        if hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
            st.session_state[STATE_KEY] = _token(expected)
            st.rerun()
        time.sleep(0.5)  # slows down guessing
        st.error(tr("auth.wrong"))
    st.stop()
