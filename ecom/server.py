"""`python -m ecom serve`: the app, with a sign-in gate in front of every route.

The app runs as Streamlit's ASGI app (`st.App`) under uvicorn. `Gate`, an ASGI middleware, sees
every HTTP request and websocket before Streamlit does. Without a signed-in session only what
signing in needs gets through: the static front end, `/_stcore/health` and `/_stcore/host-config`,
the sign-in routes, and the websocket, whose script (app.py) shows nothing but the sign-in screen
until `ecom.ui.auth` finds a person. Uploads, media, metrics and every other route answer 401
without a session and 403 without the role (uploads: analyst; media, which carries downloads:
analyst; metrics: admin; Streamlit's agent routes: nobody).

A session is either Streamlit's OpenID Connect cookie (`st.login`, configured in the `[auth]`
table of `.streamlit/secrets.toml`) or this module's password cookie: signed, HttpOnly, set by
`/ecom/signin` after the shared password (ECOM_PASSWORD), with growing delays and a lockout per
client address (`ecom.lockout`). With no sign-in configured the server listens on 127.0.0.1 only
and refuses any other address.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import os
import secrets
import sys
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse

from ecom import access, audit, i18n, settings
from ecom.lockout import Lockout

log = logging.getLogger("ecom.server")

ROOT = Path(__file__).resolve().parent.parent
SESSION_COOKIE = "ecom_session"
SESSION_MAX_AGE_S = 12 * 3600
STREAMLIT_USER_COOKIE = "_streamlit_user"  # Streamlit's OpenID Connect session cookie
SIGNIN_PATH, SIGNOUT_PATH = "/ecom/signin", "/ecom/signout"
MAX_FORM_BYTES = 4096

# Signs password sessions; new per process, so a restart signs every password session out.
_PASSWORD_SECRET = secrets.token_hex(32)
LOCKOUT = Lockout()
GATED = False  # True once this process serves app.py through build_app(): app.py refuses to run otherwise

PUBLIC_PATHS = {"/_stcore/health", "/_stcore/host-config", "/auth/login", "/auth/logout", "/oauth2callback", SIGNIN_PATH, SIGNOUT_PATH}
PRIVATE_PREFIXES = ("/_stcore/", "/media/", "/component/", "/app/")
NOBODY = "nobody"


def route_need(path: str, method: str) -> str | None:
    """What a request needs: None (public), "signed_in", an action of `ecom.access`, or NOBODY."""
    if path in PUBLIC_PATHS:
        return None
    if path.startswith("/_stcore/agent"):
        return NOBODY
    if path.startswith("/_stcore/upload_file"):
        return "upload"
    if path.startswith("/media/"):
        return "download"
    if path.startswith("/_stcore/metrics"):
        return "settings"
    if path.startswith(PRIVATE_PREFIXES) or method not in ("GET", "HEAD"):
        return "signed_in"
    return None  # the front end's files and page URLs (index.html)


# -- who is asking ---------------------------------------------------------------------------
def _password_digest() -> str:
    # Changing ECOM_PASSWORD ends every password session.
    return hashlib.sha256(("ecom-insight:" + settings.get("ECOM_PASSWORD")).encode("utf-8")).hexdigest()


def _serializer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(_PASSWORD_SECRET, salt="ecom-password-session")


def password_session() -> str:
    return _serializer().dumps({"pw": _password_digest()})


# Password sessions signed out before they expired: a tab still open with the old cookie is signed
# out at its next run too. token -> when it would have expired (pruned as they pass).
_revoked: dict[str, float] = {}


def revoke(value: str) -> None:
    now = time.time()
    for token in [t for t, until in _revoked.items() if until < now]:
        _revoked.pop(token, None)
    _revoked[value] = now + SESSION_MAX_AGE_S


def password_session_ok(value: str | None) -> bool:
    from itsdangerous import BadData

    if not value or value in _revoked or not settings.get("ECOM_PASSWORD"):
        return False
    try:
        data = _serializer().loads(value, max_age=SESSION_MAX_AGE_S)
    except BadData:
        return False
    return isinstance(data, dict) and hmac.compare_digest(str(data.get("pw", "")), _password_digest())


def oidc_claims(cookies: dict[str, str]) -> dict | None:
    """The claims in Streamlit's sign-in cookie, if it is valid for this app's redirect URI."""
    from streamlit.auth_util import get_cookie_with_chunks
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

    section = settings.auth_section()
    if not section or STREAMLIT_USER_COOKIE not in cookies:
        return None
    secret = str(section["cookie_secret"])

    def single(name: str) -> bytes | None:
        value = cookies.get(name)
        return decode_signed_value(secret, name, value) if value else None

    try:
        raw = get_cookie_with_chunks(single, STREAMLIT_USER_COOKIE)
        payload = json.loads(raw) if raw else None
    except ValueError:
        return None
    uri = urlparse(str(section["redirect_uri"]))
    if not isinstance(payload, dict) or not payload.get("is_logged_in") or payload.get("origin") != f"{uri.scheme}://{uri.netloc}":
        return None
    return payload


def people_table() -> dict:
    from ecom import people
    from ecom.ui.cache import warehouse

    return people.cached_table(warehouse())


def person_from_claims(claims: dict) -> access.Person | None:
    return access.resolve(claims, people_table(), settings.get("ECOM_ADMINS"), settings.get("ECOM_ROLE_CLAIM"),
                          settings.get("ECOM_SHOPS_CLAIM"))


def identify(cookies: dict[str, str]) -> access.Person | None:
    """The person a request's cookies sign in, or None."""
    if not settings.sign_in_configured():
        return access.LOCAL_PERSON
    if password_session_ok(cookies.get(SESSION_COOKIE)):
        return access.PASSWORD_PERSON
    claims = oidc_claims(cookies)
    return person_from_claims(claims) if claims else None


def client_address(scope) -> str:
    """The client's address. uvicorn has already replaced a trusted proxy's address with the one in
    X-Forwarded-For (FORWARDED_ALLOW_IPS, set from ECOM_TRUSTED_PROXIES by `main`)."""
    client = scope.get("client")
    return client[0] if client else ""


# -- the gate ----------------------------------------------------------------------------------
async def _refuse(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Gate:
    """ASGI middleware: every route but sign-in's needs a signed-in session with the right role."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            if scope["path"] != "/_stcore/stream":
                await send({"type": "websocket.close", "code": 1008})
                return
            return await self.app(scope, receive, send)  # app.py shows only the sign-in screen until a person is found
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        conn = HTTPConnection(scope)  # Starlette's own parsing of the cookies and headers
        path, method = scope["path"], scope["method"]
        need = route_need(path, method)
        if need is None:
            if path == "/auth/logout":
                await run_in_threadpool(_audit_signout, conn.cookies, scope)
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if path == "/oauth2callback" and ("code" in query or "error" in query):  # not the return from signing out
                return await self.app(scope, receive, _watch_callback(scope, send))
            return await self.app(scope, receive, send)
        person = await run_in_threadpool(identify, conn.cookies)
        if person is None:
            return await _refuse(send, 401, "Sign in first.")
        if need == NOBODY or (need != "signed_in" and not person.can(need)):
            return await _refuse(send, 403, "Your role does not allow this.")
        if need == "upload":
            length = conn.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > settings.get("ECOM_MAX_UPLOAD_MB") * 1024 * 1024 + 65536):
                return await _refuse(send, 413, "File too large.")
        return await self.app(scope, receive, send)


def _watch_callback(scope, send):
    """Record the outcome of an OpenID Connect callback (Streamlit's route) in the audit log."""
    address = client_address(scope)

    async def watching(message):
        if message["type"] == "http.response.start":
            jar: dict[str, str] = {}
            for name, value in message.get("headers", []):
                if name.lower() == b"set-cookie":
                    first = value.decode("latin-1").split(";", 1)[0]
                    key, _, val = first.partition("=")
                    jar[key.strip()] = val.strip().strip('"')
            await run_in_threadpool(_audit_callback, jar, address)
        await send(message)

    return watching


def _audit_signout(cookies: dict[str, str], scope) -> None:
    from ecom.ui.cache import warehouse

    person = identify(cookies) if settings.auth_section() else None
    if person is not None:
        address = client_address(scope)
        audit.write(warehouse(), person, "signout", "", address)


def _audit_callback(jar: dict[str, str], address: str) -> None:
    from ecom.ui.cache import warehouse

    claims = oidc_claims(jar)
    if claims is None:
        audit.write(warehouse(), "unknown", "signin_failed", "OpenID Connect callback without a session", address)
        return
    person = person_from_claims(claims)
    who = str(claims.get("email") or claims.get("sub") or "unknown")
    if person is None:
        audit.write(warehouse(), who, "signin_refused", "no role (not in ECOM_ADMINS, the people table or the role claim)", address)
    else:
        audit.write(warehouse(), person, "signin", f"role {person.role}", address)


# -- password sign-in routes -------------------------------------------------------------------
def _lang(request) -> str:
    return (i18n.normalize(request.query_params.get("lang"))
            or i18n.normalize((request.headers.get("accept-language") or "").split(",")[0]) or settings.get("ECOM_LANG"))


def _page(lang: str, message: str = "", status: int = 200):
    t = lambda key, **kw: html.escape(i18n.t(key, lang, **kw))  # noqa: E731
    note = f'<p role="alert" style="color:#b00020">{html.escape(message)}</p>' if message else ""
    body = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{t('app.title')}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:26rem;margin:4rem auto">
<h1>{t('app.title')}</h1>{note}
<form method="post" action="{SIGNIN_PATH}?lang={lang}">
<label>{t('auth.password')} <input type="password" name="password" autocomplete="current-password" autofocus required></label>
<button type="submit">{t('auth.enter')}</button></form>
<p><a href="/?lang={lang}">{t('auth.back')}</a></p></body></html>"""
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def signin(request):
    from ecom.ui.cache import warehouse

    lang = _lang(request)
    if not settings.get("ECOM_PASSWORD"):
        return PlainTextResponse("No password sign-in is configured.", status_code=404)
    if request.method == "GET":
        return _page(lang)
    address = client_address(request.scope)
    wait = LOCKOUT.wait_s(address)
    if wait > 0:
        key = "auth.locked" if LOCKOUT.locked(address) else "auth.wait"
        await run_in_threadpool(audit.write, warehouse(), "password", "signin_failed", f"refused: retry in {wait:.0f} s", address)
        return _page(lang, i18n.t(key, lang, s=int(wait) + 1), 429)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return PlainTextResponse("Too large.", status_code=413)
    given = (parse_qs(body.decode("utf-8", "replace")).get("password") or [""])[0]
    if not hmac.compare_digest(given.encode("utf-8"), settings.get("ECOM_PASSWORD").encode("utf-8")):
        failures = LOCKOUT.failed(address)
        await run_in_threadpool(audit.write, warehouse(), "password", "signin_failed", f"wrong password ({failures} in a row)", address)
        return _page(lang, i18n.t("auth.wrong", lang), 401)
    LOCKOUT.succeeded(address)
    await run_in_threadpool(audit.write, warehouse(), access.PASSWORD_PERSON, "signin", "role admin", address)
    response = RedirectResponse(f"/?lang={lang}", status_code=303)
    response.set_cookie(SESSION_COOKIE, password_session(), max_age=SESSION_MAX_AGE_S, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


async def signout(request):
    from ecom.ui.cache import warehouse

    cookie = request.cookies.get(SESSION_COOKIE)
    if password_session_ok(cookie):
        revoke(cookie)
        await run_in_threadpool(audit.write, warehouse(), access.PASSWORD_PERSON, "signout", "", client_address(request.scope))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- the app and the command -------------------------------------------------------------------
def build_app():
    """The st.App serving app.py behind the gate."""
    global GATED
    import streamlit as st
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from ecom.ui import errors

    GATED = True
    return st.App(
        str(ROOT / "app.py"),
        secrets=settings.secrets() or None,  # the file settings.check() validated is the one Streamlit uses
        routes=[Route(SIGNIN_PATH, signin, methods=["GET", "POST"]), Route(SIGNOUT_PATH, signout, methods=["GET", "POST"])],
        middleware=[Middleware(Gate)],
        on_script_error=errors.on_script_error,
        exception_handlers={Exception: _plain_error},
        lifespan=_lifespan,
    )


@asynccontextmanager
async def _lifespan(_app):
    if settings.get("ECOM_ENGINE") == "spark":
        # the JVM and its SparkSession take 5–10 s to start: started now, the first visitor does not wait for them
        threading.Thread(target=_warm_spark, name="ecom-spark-warmup", daemon=True).start()
    # reviews a stopped app or `ingest --no-score` left unscored are scored now, not on a page visit
    threading.Thread(target=_resume_scoring, name="ecom-review-resume", daemon=True).start()
    yield None
    # A normal stop leaves no temporary folder of this process behind (a killed one leaves them to
    # the next start-up's cleanup).
    from ecom import warehouse

    warehouse.release_spill_dirs()


def _warm_spark() -> None:
    from ecom import spark

    try:
        spark.backend()
    except Exception:  # the first query tries again and shows its own error
        log.exception("starting Spark at start-up failed")


def _resume_scoring() -> None:
    from ecom.reviews import background
    from ecom.ui.cache import warehouse

    try:
        background.resume(warehouse())
    except Exception:  # the Reviews page tries again and shows its own error
        log.exception("resuming review scoring at start-up failed")


async def _plain_error(request, exc):
    """An HTTP route that fails (a busy warehouse while signing in ...) answers one line with an error id."""
    from ecom.ui import errors

    error_id = errors.new_id()
    errors.log.error("error id %s on %s", error_id, request.url.path, exc_info=exc)
    return PlainTextResponse(errors.message(errors.kind_of(exc), error_id, _lang(request)), status_code=500)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecom serve", description="Start the app behind its sign-in gate.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; others need sign-in configured)")
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args(argv)
    if not settings.sign_in_configured() and not _loopback(args.host):
        print(f"ecom serve: no sign-in is configured ([auth] in {settings.secrets_path()} or ECOM_PASSWORD), so the app only "
              f"listens on 127.0.0.1; refusing to listen on {args.host}", file=sys.stderr)
        return 2
    # uvicorn believes X-Forwarded-For/-Proto only from these peers (its default trusts 127.0.0.1, which
    # would let anyone on this machine pick their address, and so dodge the password lockout).
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(str(n) for n in settings.get("ECOM_TRUSTED_PROXIES"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _start_up()
    build_app().run(config={
        "server.address": args.host,
        "server.port": args.port,
        "server.headless": True,
        "server.maxUploadSize": settings.get("ECOM_MAX_UPLOAD_MB"),
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "client.toolbarMode": "minimal",  # no Deploy button, no developer menu
        "client.showErrorDetails": "none",
        "client.disableDataExport": True,  # the tables' own CSV download; the app's buttons export, neutralised
        "browser.gatherUsageStats": False,
    })
    return 0


def _start_up() -> None:
    """Leftovers of a killed process go, and every table exists before the first visit."""
    from ecom import tempfiles
    from ecom.warehouse import Warehouse

    tempfiles.cleanup()
    Warehouse().close()
