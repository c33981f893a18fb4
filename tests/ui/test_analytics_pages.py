"""AppTests of the analytics pages on a demo warehouse of ~27k order lines: every page renders with
non-default filters without fetching a result over 10k rows; filters come from the URL; saved views."""

import shutil
from datetime import date

import pytest
from ibis.backends.duckdb import Backend
from streamlit.testing.v1 import AppTest

from ecom import views
from ecom.filters import Filters
from ecom.queries import overview
from ecom.warehouse import Warehouse
from tests.conftest import ROOT
from tests.queries.helpers import fill_demo
from tests.ui.conftest import APP, assert_clean

PAGES = ["overview", "sales", "customers", "market", "inventory", "explore", "views"]
FILTERS = {"from": "2024-10-01", "to": "2024-11-20", "cat": "女装", "ch": ["天猫", "京东"]}


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    wh = Warehouse(path)
    fill_demo(wh)
    assert wh.row_counts()["sales"] > 10_000
    wh.close()
    return path


@pytest.fixture(scope="session")
def sample_file(tmp_path_factory):
    """The committed sample data set, loaded through the ingestion command users run."""
    from ecom.ingest.cli import main as ingest

    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    assert ingest([str(ROOT / "sample_data"), "--warehouse", str(path)]) == 0
    return path


@pytest.fixture
def demo(app_env, demo_file):
    shutil.copy(demo_file, app_env)
    return app_env


@pytest.fixture
def no_raw_rows(monkeypatch):
    """Query execution fails on any result over 10,000 rows."""
    original = Backend.execute

    def guarded(self, expr, *args, **kwargs):
        result = original(self, expr, *args, **kwargs)
        if hasattr(result, "__len__") and len(result) > 10_000:
            raise AssertionError(f"a page fetched {len(result)} rows")
        return result

    monkeypatch.setattr(Backend, "execute", guarded)


def run_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(f"app_pages/{page}.py")
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_filters_without_pulling_raw_rows(demo, no_raw_rows, page):
    at = run_page(page, FILTERS)
    assert_clean(at)
    assert at.sidebar.date_input(key="from").value == date(2024, 10, 1)
    assert at.sidebar.multiselect(key="cat").value == ["女装"]
    assert at.sidebar.multiselect(key="ch").value == ["天猫", "京东"]
    assert len(at.main.children) > 1
    assert not at.sidebar.warning  # no filter notice


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_sample_data_without_pulling_raw_rows(app_env, sample_file, no_raw_rows, page):
    shutil.copy(sample_file, app_env)
    for params in ({}, {"range": "1111", "region": "浙江省"}):
        at = run_page(page, params)
        assert_clean(at)
        assert not at.sidebar.warning


def test_guard_catches_a_raw_row_fetch(demo, no_raw_rows):
    wh = Warehouse(demo)
    with pytest.raises(AssertionError, match="rows"):
        wh.ibis().table("sales").execute()
    wh.close()


def test_overview_kpis_match_the_query_for_the_url_filters(demo):
    at = run_page("overview", FILTERS)
    assert_clean(at)
    f = Filters(start=date(2024, 10, 1), end=date(2024, 11, 20), category=("女装",), channel=("天猫", "京东"))
    wh = Warehouse(demo)
    k = overview.kpis(wh, f)
    wh.close()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["GMV"] == f"¥{k.current['gmv']:,.0f}"
    assert metrics["Orders"] == f"{k.current['orders']:,.0f}"
    assert "Double 11" not in at.caption[0].value and "2024-10-01 – 2024-11-20" in at.caption[0].value
    yoy = k.vs_last_year["gmv"]  # the demo shop starts 2023-09-15, so last year's window has sales
    assert f"vs same period last year: {yoy:+.1%}" in [c.value for c in at.caption]


def test_preset_from_url_and_page_options(demo):
    at = run_page("sales", {"range": "1111", "grain": "week", "by": "brand", "top": "10"})
    assert_clean(at)
    assert "Double 11 (双11): 2024-10-20 – 2024-11-11 (23 days)" in " ".join(c.value for c in at.sidebar.caption)
    assert at.sidebar.date_input(key="to").value == date(2024, 11, 11)
    assert at.selectbox(key="by").value == "brand" and at.selectbox(key="top").value == 10
    assert at.segmented_control(key="grain").value == "week"
    # the preset became dates (bound widgets write those to the browser's URL); page options stay codes
    assert at.query_params["grain"] == "week" and at.query_params["top"] == "10" and "range" not in at.query_params


def test_invalid_url_values_fall_back_with_a_notice(demo):
    at = run_page("overview", {"from": "2024-99-01", "to": "2024-11-20", "cat": "不存在"})
    assert_clean(at)
    notes = [w.value for w in at.sidebar.warning]
    assert "“2024-99-01” in the link is not a date (YYYY-MM-DD): showing the last 30 days." in notes
    assert "Not in the data, so not applied (cat): 不存在" in notes
    assert "2024-10-22 – 2024-11-20" in " ".join(c.value for c in at.sidebar.caption)


def test_saved_view_opens_its_page_with_its_filters(demo):
    wh = Warehouse(demo)
    f = Filters(start=date(2024, 11, 1), end=date(2024, 11, 11), brand=("对手A",))
    token = views.save(wh, "双11 对手A", "sales", f, {"grain": "month", "by": "region"})
    wh.close()
    at = run_page("home", {"view": token})
    assert_clean(at)
    assert at.title[0].value == "Sales"
    assert at.sidebar.multiselect(key="brand").value == ["对手A"]
    assert at.sidebar.date_input(key="from").value.isoformat() == "2024-11-01"
    assert at.selectbox(key="by").value == "region"
    assert "Opened the saved view “双11 对手A”." in [i.value for i in at.info]


@pytest.mark.parametrize(("token", "message"), [
    ("not a token!", "This view link is not valid: check that it was copied completely."),
    ("A" * 16, "This view does not exist (it may have been deleted)."),
])
def test_tampered_or_unknown_view_token(demo, token, message):
    at = run_page("overview", {"view": token})
    assert_clean(at)
    assert [e.value for e in at.error] == [message]


def test_explore_view_whose_table_was_replaced(demo):
    wh = Warehouse(demo)
    with wh.transaction() as cur:
        cur.execute("CREATE TABLE main.ads AS SELECT 'x' AS channel, 1.0 AS spend")
    token = views.save(wh, "ads", "explore", Filters(start=date(2024, 11, 1), end=date(2024, 11, 2)),
                       {"t": "ads", "x": "channel", "y": "spend", "agg": "sum"})
    with wh.transaction() as cur:
        cur.execute("CREATE OR REPLACE TABLE main.ads AS SELECT 'x' AS channel, 1.0 AS cost")
    wh.close()
    at = run_page("overview", {"view": token})
    assert_clean(at)
    assert [e.value for e in at.error] == ["The view “ads” uses column “spend” of table “ads”, which is no longer there (the table was replaced)."]


def test_views_page_lists_and_renames(demo):
    wh = Warehouse(demo)
    f = Filters(start=date(2024, 11, 1), end=date(2024, 11, 2))
    views.save(wh, "first", "overview", f)
    wh.close()
    at = run_page("views")
    assert_clean(at)
    assert "**first** · Overview" in [m.value for m in at.markdown]
    at.text_input[0].set_value("renamed")
    at.button[0].click().run()
    assert_clean(at)
    assert "**renamed** · Overview" in [m.value for m in at.markdown]
