"""AppTest fixtures: the real app.py on a temporary warehouse, in English unless a test says otherwise."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Settings for an app under test: a fresh warehouse file, no password, English default."""
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("ECOM_WAREHOUSE", str(path))
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    for name in ("ECOM_PASSWORD", "ECOM_LANG", "ECOM_SQL_ROW_CAP", "ECOM_SQL_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    return path


def open_app(page: str | None = None, lang: str | None = None, locale: str | None = None) -> AppTest:
    """AppTest of app.py opened at `page` (e.g. "app_pages/data.py"), like a deep link."""
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)
    if lang:
        at.query_params["lang"] = lang
    if locale:
        at.context = {"locale": locale}
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert [e.message for e in at.exception] == []
