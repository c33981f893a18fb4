"""The running server (`python -m ecom serve`): every HTTP and websocket route, tried without a
session, with a viewer's and with an admin's, gets the expected answer; password sign-in with its
delays and lockout; start-up refusals. Servers run on free ports of 127.0.0.1 and are stopped."""

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

import pytest

from ecom import lockout
from tests.servers import COOKIE_SECRET, ROOT, app_server, free_port, secrets_toml

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


def request(url: str, method: str = "GET", path: str = "/", body: bytes | None = None, cookies: dict | None = None,
            headers: dict | None = None) -> tuple[int, dict, bytes]:
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=20)
    h = dict(headers or {})
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    out = (resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    conn.close()
    return out


def streamlit_user_cookie(port: int, claims: dict) -> str:
    """A session cookie as Streamlit's /oauth2callback sets it (signed with the configured secret)."""
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    payload = json.dumps({"origin": f"http://127.0.0.1:{port}", "is_logged_in": True, **claims})
    return create_signed_value(COOKIE_SECRET, "_streamlit_user", payload).decode()


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """One server with both kinds of sign-in configured (the provider is never called here)."""
    tmp = tmp_path_factory.mktemp("gate")
    port = free_port()
    secrets = secrets_toml(port, password=PASSWORD, provider_port=9)
    with app_server(tmp / "wh.duckdb", tmp, secrets=secrets, port=port) as (url, proc):
        yield url, port, tmp, proc


def password_cookie(url: str) -> str:
    status, headers, _ = request(url, "POST", "/ecom/signin", body=urllib.parse.urlencode({"password": PASSWORD}).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    return cookie.split(";", 1)[0].split("=", 1)[1]


ROUTES = [
    # (method, path, without a session, viewer, admin)
    ("GET", "/_stcore/health", 200, 200, 200),
    ("GET", "/_stcore/host-config", 200, 200, 200),
    ("GET", "/", 200, 200, 200),
    ("GET", "/sales", 200, 200, 200),
    ("GET", "/ecom/signin", 200, 200, 200),
    ("GET", "/_stcore/metrics", 401, 403, 200),
    ("PUT", "/_stcore/upload_file/abc/def", 401, 403, None),
    ("DELETE", "/_stcore/upload_file/abc/def", 401, 403, None),
    ("GET", "/media/0123456789abcdef.csv", 401, 403, 404),
    ("GET", "/_stcore/agent/openapi.json", 401, 403, 403),
    ("POST", "/_stcore/agent/interact", 401, 403, 403),
    ("GET", "/component/some.component/index.html", 401, None, None),
    ("GET", "/_stcore/bidi-components/x/y.js", 401, None, None),
    ("GET", "/app/static/secret.txt", 401, None, None),
    ("POST", "/", 401, None, None),
    ("GET", "/_stcore/anything-new", 401, None, None),
]


@pytest.mark.parametrize(("method", "path", "anon", "viewer", "admin"), ROUTES, ids=[f"{m} {p}" for m, p, *_ in ROUTES])
def test_every_route_without_a_session_and_with_roles(running, method, path, anon, viewer, admin):
    url, port, _, _ = running
    body = b"x" * 100_000 if method == "PUT" else None
    assert request(url, method, path, body=body)[0] == anon
    if viewer is not None:
        cookie = {"_streamlit_user": streamlit_user_cookie(port, {"email": "v@example.com", "roles": ["viewer"]})}
        assert request(url, method, path, body=body, cookies=cookie)[0] == viewer
    if admin is not None:
        assert request(url, method, path, body=body, cookies={"ecom_session": password_cookie(url)})[0] == admin


def test_forged_or_foreign_cookies_sign_nobody_in(running):
    url, port, _, _ = running
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    forged = create_signed_value("not-the-secret-" * 3, "_streamlit_user",
                                 json.dumps({"origin": f"http://127.0.0.1:{port}", "is_logged_in": True, "roles": ["admin"]})).decode()
    other_origin = streamlit_user_cookie(port + 1, {"roles": ["admin"]})
    for cookies in ({"_streamlit_user": forged}, {"_streamlit_user": other_origin}, {"ecom_session": "bogus"},
                    {"_streamlit_user": streamlit_user_cookie(port, {"email": "nobody@example.com"})}):
        assert request(url, "GET", "/_stcore/metrics", cookies=cookies)[0] == 401


def test_an_upload_within_the_limit_from_an_analyst_reaches_streamlit(running):
    url, port, _, _ = running
    cookie = {"_streamlit_user": streamlit_user_cookie(port, {"email": "a@example.com", "roles": "analyst"})}
    # Streamlit itself answers (no XSRF token, unknown session), not the gate: the analyst got through.
    status, _, body = request(url, "PUT", "/_stcore/upload_file/abc/def", body=b"x" * 1000, cookies=cookie)
    assert body not in (b"Sign in first.", b"Your role does not allow this.")
    viewer = {"_streamlit_user": streamlit_user_cookie(port, {"email": "v@example.com", "roles": ["viewer"]})}
    assert request(url, "PUT", "/_stcore/upload_file/abc/def", body=b"x" * 1000, cookies=viewer)[2] == b"Your role does not allow this."
    too_big = b"x" * (200 * 1024 * 1024 + 70_000)
    assert request(url, "PUT", "/_stcore/upload_file/abc/def", body=too_big, cookies=cookie)[0] == 413


def test_websocket_other_than_the_app_stream_is_closed(running):
    url, *_ = running
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    conn.request("GET", "/_stcore/other", headers={"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                                     "Sec-WebSocket-Version": "13"})
    resp = conn.getresponse()
    assert resp.status != 101  # never upgraded
    conn.close()


def test_wrong_passwords_slow_down_then_lock_out_per_address(running):
    url, *_ = running

    def attempt(password: str, forwarded: str | None = None) -> int:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forwarded:
            headers["X-Forwarded-For"] = forwarded
        return request(url, "POST", "/ecom/signin", body=urllib.parse.urlencode({"password": password}).encode(), headers=headers)[0]

    assert attempt("wrong one") == 401
    assert attempt("wrong two") == 429  # within the 1 s pause: refused unchecked
    assert attempt(PASSWORD) == 429  # even the right password waits
    time.sleep(1.1)
    assert attempt(PASSWORD) == 303
    # X-Forwarded-For is not believed from an untrusted peer: it does not give a fresh address
    assert attempt("wrong three", forwarded="203.0.113.9") == 401
    assert attempt("wrong four", forwarded="198.51.100.7") == 429


def test_lockout_counts_grow_then_lock():
    now = [0.0]
    lock = lockout.Lockout(clock=lambda: now[0])
    waits = []
    for _ in range(lockout.MAX_FAILURES):
        now[0] += waits[-1] if waits else 0  # each try comes as soon as it is allowed
        lock.failed("1.2.3.4")
        waits.append(lock.wait_s("1.2.3.4"))
    assert waits[:7] == [1, 2, 4, 8, 16, 32, 60]
    assert waits[-1] == lockout.LOCKOUT_S and lock.wait_s("5.6.7.8") == 0
    assert lock.locked("1.2.3.4")
    now[0] += lockout.LOCKOUT_S + 1
    assert lock.locked("1.2.3.4") is False and lock.wait_s("1.2.3.4") == 0  # the lockout ran out


def test_sign_ins_are_in_the_audit_log(tmp_path):
    import duckdb

    port = free_port()
    # This server trusts a reverse proxy on 127.0.0.1: the address it forwards is the client's.
    with app_server(tmp_path / "wh.duckdb", tmp_path, secrets=secrets_toml(port, password=PASSWORD), port=port,
                    env={"ECOM_TRUSTED_PROXIES": "127.0.0.1/32"}) as (url, _):
        password_cookie(url)
        form = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "198.51.100.23"}
        assert request(url, "POST", "/ecom/signin", body=b"password=nope", headers=form)[0] == 401
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)  # the server has stopped and let go of it
    rows = con.execute("SELECT actor, via, kind, detail, address FROM app.audit ORDER BY rowid").fetchall()
    con.close()
    assert rows == [("password", "password", "signin", "role admin", "127.0.0.1"),
                    ("password", "", "signin_failed", "wrong password (1 in a row)", "198.51.100.23")]


def test_sign_out_ends_the_password_session(running):
    url, *_ = running
    cookie = password_cookie(url)
    status, headers, _ = request(url, "GET", "/ecom/signout", cookies={"ecom_session": cookie})
    assert status == 303 and 'ecom_session=""' in headers["set-cookie"]


def serve(*args, env=None, timeout=30):
    return subprocess.run([sys.executable, "-m", "ecom", "serve", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_no_sign_in_refuses_any_other_address(tmp_path):
    env = {"ECOM_SECRETS_FILE": str(tmp_path / "none.toml"), "ECOM_WAREHOUSE": str(tmp_path / "wh.duckdb")}
    env.update({k: "" for k in ("ECOM_PASSWORD",)})
    done = serve("--host", "0.0.0.0", "--port", str(free_port()), env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("ecom serve: no sign-in is configured")
    assert "refusing to listen on 0.0.0.0" in done.stderr


def test_broken_secrets_file_stops_the_server_at_start_up(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[auth\n", encoding="utf-8")
    done = serve("--port", str(free_port()), env={"ECOM_SECRETS_FILE": str(secrets), "ECOM_WAREHOUSE": str(tmp_path / "wh.duckdb")})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"ecom: {secrets}: cannot be read as TOML (Expected ']' at the end of a table declaration "
                                                "(at line 1, column 6)); fix or remove it"]


@pytest.mark.parametrize("engine, warmed", [("spark", True), ("duckdb", False)])
def test_spark_is_started_with_the_server_not_by_the_first_visitor(monkeypatch, engine, warmed):
    import asyncio
    import threading

    from ecom import server, spark, warehouse

    started = threading.Event()
    monkeypatch.setenv("ECOM_ENGINE", engine)
    monkeypatch.setattr(spark, "backend", started.set)
    monkeypatch.setattr(warehouse, "release_spill_dirs", lambda: None)  # other tests' warehouses keep theirs
    monkeypatch.setattr(server, "_resume_scoring", lambda: None)

    async def serve_briefly():
        async with server._lifespan(None):
            return started.wait(5 if warmed else 0.5)

    assert asyncio.run(serve_briefly()) is warmed


def test_reviews_left_unscored_are_scored_when_the_server_starts(monkeypatch, tmp_path):
    import asyncio
    import threading

    from ecom import server, warehouse
    from ecom.reviews import background

    resumed = []
    called = threading.Event()
    monkeypatch.setenv("ECOM_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setattr(background, "resume", lambda wh: (resumed.append(wh.path), called.set()))
    monkeypatch.setattr(warehouse, "release_spill_dirs", lambda: None)

    async def serve_briefly():
        async with server._lifespan(None):
            return called.wait(10)

    assert asyncio.run(serve_briefly())
    assert resumed == [tmp_path / "wh.duckdb"]
