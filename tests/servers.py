"""Servers the tests start and stop themselves, on free ports of 127.0.0.1: the app (`python -m ecom
serve`) and an OpenID Connect provider (oidc-provider-mock)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COOKIE_SECRET = "test-cookie-secret-" + "0123456789abcdef" * 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, log_path: Path, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not start: " + log_path.read_text())


def secrets_toml(port: int, password: str = "", provider_port: int | None = None, extra: str = "") -> str:
    """A secrets file for the app on `port`: a password and/or an [auth] table for a local provider."""
    text = f"ECOM_PASSWORD = {json.dumps(password)}\n" if password else ""
    text += extra
    if provider_port:
        text += (f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\ncookie_secret = "{COOKIE_SECRET}"\n'
                 'client_id = "ecom-insight"\nclient_secret = "ecom-insight-secret"\n'
                 f'server_metadata_url = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"\n')
    return text


@contextmanager
def app_server(warehouse: Path, tmp: Path, secrets: str | None = None, port: int | None = None, env: dict | None = None):
    """`python -m ecom serve` on `warehouse` with the given secrets file text; yields (base URL, process)."""
    port = port or free_port()
    secrets_file = tmp / f"secrets-{port}.toml"
    if secrets is not None:
        secrets_file.write_text(secrets, encoding="utf-8")
    full_env = dict(os.environ, ECOM_WAREHOUSE=str(warehouse), ECOM_SECRETS_FILE=str(secrets_file), **(env or {}))
    for name in ("ECOM_PASSWORD", "ECOM_LANG", "ECOM_ADMINS"):
        if name not in (env or {}):
            full_env.pop(name, None)
    log_path = tmp / f"server-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "ecom", "serve", "--port", str(port)], cwd=ROOT, env=full_env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/_stcore/health", log_path, "the app")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def oidc_provider(tmp: Path, users: dict[str, dict]):
    """oidc-provider-mock on a free port with `users` (sub -> claims); yields its port."""
    port = free_port()
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for sub, claims in users.items():
        args += ["--user-claims", json.dumps({"sub": sub, **claims})]
    log_path = tmp / f"oidc-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(args, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/.well-known/openid-configuration", log_path, "the OpenID Connect provider")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
