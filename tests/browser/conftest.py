"""Shared pieces of the real-browser tests: the app (`python -m ecom serve`) on a free localhost port
over a given warehouse, and headless Debian Chromium driven by Playwright."""

from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import app_server

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def streamlit_server(warehouse: Path, tmp: Path):
    """Start the app on `warehouse` (no sign-in configured: local admin on 127.0.0.1); yield its base URL."""
    with app_server(warehouse, tmp) as (url, _):
        yield url


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
