"""Who is using this session, and what they may do; the sign-in screen for everyone else.

`person()` is called by app.py before anything else is drawn. It stops the run with a plain
message when the configuration is broken, when the app is not served through `python -m ecom
serve` (whose gate guards every HTTP route), or when nobody is signed in (the sign-in screen),
and with a refusal when a signed-in person has no role. Pages and actions then ask `require()` /
`can()`.
"""

from __future__ import annotations

import streamlit as st

from ecom import access, server, settings
from ecom.ui.lang import tr

STATE_KEY = "_person"


def _stop_with(message: str) -> None:
    st.title(tr("app.title"))
    st.error(message, icon=":material/lock:")
    st.stop()


def _served_unguarded() -> bool:
    # A server that is not ours (plain `streamlit run app.py`) would leave uploads and media
    # ungated. A browser's websocket always carries headers (Host at least); AppTest's simulated
    # session has none and no HTTP routes to guard.
    return not server.GATED and bool(st.context.headers)


def person() -> access.Person:
    """The signed-in person; stops the run (sign-in screen or refusal) when there is none."""
    try:
        settings.check()
    except settings.SettingError as exc:
        _stop_with(tr("auth.config_broken", problem=str(exc)))
    if _served_unguarded():
        _stop_with(tr("auth.not_served"))
    if not settings.sign_in_configured():
        found = access.LOCAL_PERSON
    elif server.password_session_ok(st.context.cookies.get(server.SESSION_COOKIE)):
        found = access.PASSWORD_PERSON
    elif st.user.to_dict().get("is_logged_in"):  # st.user has no is_logged_in until Streamlit sees an [auth] table
        found = server.person_from_claims(st.user.to_dict())
        if found is None:
            _refused()
    else:
        _sign_in_screen()
    st.session_state[STATE_KEY] = found
    return found


def current() -> access.Person:
    """This run's person (after app.py called `person()`)."""
    found = st.session_state.get(STATE_KEY)
    if not isinstance(found, access.Person):
        raise PermissionError("no person: app.py calls auth.person() before any page")
    return found


def can(action: str) -> bool:
    found = st.session_state.get(STATE_KEY)
    return isinstance(found, access.Person) and found.can(action)


def require(action: str) -> access.Person:
    """Stop the page with a plain message unless this session's person may do `action`."""
    found = current()
    if not found.can(action):
        st.warning(tr("auth.not_allowed", role=tr("role." + found.role)), icon=":material/block:")
        st.stop()
    return found


def address() -> str:
    """The client's address as Streamlit saw it (the proxy's, behind one; the gate's audit rows
    for sign-ins use the forwarded address from a trusted proxy)."""
    ip = st.context.ip_address
    if ip is None:
        return "localhost"  # Streamlit gives no address for a client on this machine
    return ip if isinstance(ip, str) else ""


def _sign_in_screen() -> None:
    st.title(tr("app.title"))
    st.subheader(tr("auth.sign_in"))
    for name in settings.providers():
        label = tr("auth.with_provider") if name == "default" else tr("auth.with_named", name=name)
        if st.button(label, key=f"login_{name}", type="primary", icon=":material/login:"):
            st.login() if name == "default" else st.login(name)
    if settings.get("ECOM_PASSWORD"):
        st.link_button(tr("auth.with_password"), f"{server.SIGNIN_PATH}?lang={st.session_state.get('lang', 'en')}",
                       icon=":material/password:")
    st.stop()


def _refused() -> None:
    # The refusal is in the audit log already: the gate records it when the provider calls back.
    claims = st.user.to_dict()
    email = str(claims.get("email") or claims.get("sub") or "")
    st.title(tr("app.title"))
    st.error(tr("auth.refused", email=email), icon=":material/block:")
    if st.button(tr("auth.sign_out"), icon=":material/logout:"):
        st.logout()
    st.stop()


def sidebar_badge(found: access.Person) -> None:
    """Who is signed in, with which role, and the way out; the local-mode notice."""
    with st.sidebar:
        if found.via == access.VIA_LOCAL:
            st.caption(":material/lock_open: " + tr("auth.local_notice"))
            return
        shops = tr("auth.shops", shops=", ".join(found.shops)) if found.shops else ""
        st.caption(tr("auth.badge", who=found.name or found.id, role=tr("role." + found.role)) + shops)
        if found.via == access.VIA_PASSWORD:
            st.link_button(tr("auth.sign_out"), server.SIGNOUT_PATH, icon=":material/logout:")
        elif st.button(tr("auth.sign_out"), key="sign_out", icon=":material/logout:"):
            st.logout()
