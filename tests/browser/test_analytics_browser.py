"""A real browser against the app (`python -m ecom serve`) on a demo warehouse: filters survive page switches
and a copied URL reproduces them (and the KPIs) in a fresh browser context; a saved-view link too."""

import re
from datetime import date

import pytest

from ecom import views
from ecom.filters import Filters
from ecom.warehouse import Warehouse
from tests.browser.conftest import fresh_page, streamlit_server
from tests.queries.helpers import fill_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("analytics")
    wh = Warehouse(tmp / "wh.duckdb")
    fill_demo(wh)
    token = views.save(wh, "双11 男装", "sales", Filters(start=date(2024, 10, 20), end=date(2024, 11, 11), category=("男装",)), {"grain": "week"})
    wh.close()
    with streamlit_server(tmp / "wh.duckdb", tmp) as url:
        yield url, tmp, token


def gmv(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text("GMV", exact=True)).first
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_filters_survive_page_switches_and_a_copied_url(demo_server, browser):
    url, tmp, _ = demo_server
    page = fresh_page(browser)
    page.goto(f"{url}/sales")
    page.get_by_role("heading", name="Sales", exact=True).wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Date range").click()
    page.get_by_role("option", name="Double 11 (双11)").click()
    sidebar.get_by_text("Double 11 (双11): 2024-10-20 – 2024-11-11 (23 days)", exact=False).wait_for()
    page.wait_for_url(re.compile(r"from=2024-10-20"))
    category = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Category")
    option = page.get_by_role("option", name="女装", exact=True)
    for _ in range(5):  # a click can land during a rerun (the one the preset started), which closes the list
        category.click()
        try:
            option.click(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    else:
        pytest.fail("the category list did not stay open for a click in five tries")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"cat=%E5%A5%B3%E8%A3%85"))
    sidebar.get_by_role("link", name="Overview").click()
    page.get_by_role("heading", name="Overview", exact=True).wait_for()
    page.wait_for_url(re.compile(r"/overview\?.*cat="))
    assert "from=2024-10-20" in page.url and "to=2024-11-11" in page.url
    page.get_by_test_id("stMetric").first.wait_for()
    value = gmv(page)
    copied = page.url
    page.screenshot(path=str(tmp / "overview.png"), full_page=True)
    page.context.close()

    page = fresh_page(browser)
    page.goto(copied)
    page.get_by_role("heading", name="Overview", exact=True).wait_for()
    page.get_by_test_id("stSidebar").get_by_text("2024-10-20 – 2024-11-11", exact=False).wait_for()
    page.get_by_test_id("stSidebar").get_by_text("女装").first.wait_for()
    page.get_by_test_id("stMetric").first.wait_for()
    assert gmv(page) == value
    page.context.close()


def test_saved_view_link_in_a_fresh_context(demo_server, browser):
    url, tmp, token = demo_server
    page = fresh_page(browser)
    page.goto(f"{url}/?view={token}")
    page.get_by_role("heading", name="Sales", exact=True).wait_for()
    page.get_by_text("Opened the saved view “双11 男装”.").wait_for()
    page.wait_for_url(re.compile(r"/sales\?.*grain=week"))
    assert "from=2024-10-20" in page.url and "cat=%E7%94%B7%E8%A3%85" in page.url
    page.screenshot(path=str(tmp / "view.png"), full_page=True)
    page.goto(f"{url}/?view=tampered-token-xyz")
    page.get_by_text("This view does not exist (it may have been deleted).").wait_for()
    page.context.close()
