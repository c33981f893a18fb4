"""The app's pages on the Spark engine: each renders without an error and shows the figures DuckDB
gives for the same data; the SQL page says it runs on the embedded engine only."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.reviews.conftest import tiny_model_dir  # noqa: F401  (a fixture)

pytestmark = pytest.mark.spark

APP = str(ROOT / "app.py")
# every query behind these pages is compared in test_parity.py: here, that the pages themselves work on Spark
PAGES = ("home", "explore", "data", "recommendations")
PARAMS = {"from": "2026-06-01", "to": "2026-08-31", "cur": "CNY"}


def run(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.switch_page(f"app_pages/{page}.py")
    for key, value in PARAMS.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture
def on(engines, monkeypatch, tmp_path):
    """Point the app at one engine's warehouse (the same data under each)."""

    def use(engine: str):
        wh = engines[engine]
        monkeypatch.setenv("ECOM_WAREHOUSE", str(wh.path))
        monkeypatch.setenv("ECOM_ENGINE", engine)
        monkeypatch.setenv("ECOM_SECRETS_FILE", str(tmp_path / "none.toml"))
        if wh.lake is not None:
            monkeypatch.setenv("ECOM_LAKE", wh.lake.root)

    return use


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_spark(on, page):
    on("spark")
    at = run(page)
    assert [e.message for e in at.exception] == []
    assert not at.error, [e.value for e in at.error]
    assert len(at.main.children) > 1


def test_overview_shows_the_same_figures_on_both_engines(on):
    shown = {}
    for engine in ("duckdb", "spark"):
        on(engine)
        at = run("overview")
        assert [e.message for e in at.exception] == []
        shown[engine] = {m.label: (m.value, m.delta) for m in at.metric}
    assert shown["spark"] == shown["duckdb"] and shown["duckdb"]["GMV"][0].startswith("¥")


def test_the_sql_page_says_it_is_embedded_only(on):
    on("spark")
    at = run("sql")
    assert [e.message for e in at.exception] == []
    assert any("embedded engine (DuckDB) only" in i.value for i in at.info)
    assert not at.text_area


def test_reviews_are_scored_in_the_background_and_shown_alike_on_both_engines(on, tiny_model_dir, monkeypatch):  # noqa: F811
    """The sample's 6,782 reviews, unscored: the first visit on each engine starts the background job,
    and once it ends both engines' pages show the same figures."""
    from ecom.reviews import background
    from ecom.ui.cache import warehouse

    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(tiny_model_dir))
    shown = {}
    for engine in ("duckdb", "spark"):
        on(engine)
        at = run("reviews")
        assert [e.message for e in at.exception] == [] and not at.error
        assert background.wait(warehouse(), 300).state == "done"
        at.run()
        assert [e.message for e in at.exception] == [] and not at.error, [e.value for e in at.error]
        assert not at.get("progress")
        shown[engine] = {m.label: m.value for m in at.metric}
    assert shown["spark"] == shown["duckdb"] and shown["duckdb"]["Reviews"] != "0"
