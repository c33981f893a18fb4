"""Shared pieces of the real-browser tests: a `streamlit run app.py` on a free localhost port over a
given warehouse, and headless Debian Chromium driven by Playwright."""

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(warehouse: Path, tmp: Path):
    """Start the app on `warehouse` (no password, no language override); yield its base URL."""
    port = free_port()
    env = dict(os.environ, ECOM_WAREHOUSE=str(warehouse), ECOM_SECRETS_FILE=str(tmp / "none.toml"))
    for name in ("ECOM_PASSWORD", "ECOM_LANG"):
        env.pop(name, None)
    log_path = tmp / "streamlit.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/streamlit"), "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("streamlit did not start: " + log_path.read_text())
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh app on an empty temporary warehouse, one per test module: (base URL, its folder)."""
    tmp = tmp_path_factory.mktemp("server")
    with streamlit_server(tmp / "wh.duckdb", tmp) as url:
        yield url, tmp


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


def fresh_page(browser):
    """A page in a new browser context (no cookies or session of earlier pages); close with page.context.close()."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
    page.set_default_timeout(60_000)
    return page
