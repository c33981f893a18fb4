"""A real browser against the app (`python -m ecom serve`): deep link, Chinese UI, GBK upload, tables browser."""

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, fresh_page
from tests.ui.test_app_data import GBK_ORDERS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"),
]



def test_deep_link_upload_gbk_in_chinese_and_browse(server, browser):
    url, tmp = server
    page = fresh_page(browser)
    # The first request to this fresh server is a deep link: it must still get the shared sidebar.
    page.goto(f"{url}/sql")
    page.get_by_role("heading", name="SQL", exact=True).wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Language · 语言").wait_for()
    sidebar.get_by_text("No data loaded yet.").wait_for()
    page.screenshot(path=str(tmp / "sql_en.png"), full_page=True)

    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Data", exact=True).wait_for()
    sidebar.get_by_text("中文", exact=True).click()
    page.get_by_role("heading", name="数据管理", exact=True).wait_for()
    assert "lang=zh" in page.url

    csv = tmp / "订单.csv"
    csv.write_bytes(GBK_ORDERS)
    page.locator("input[type=file]").set_input_files(str(csv))
    page.get_by_text("编码 gb18030 · 分隔符 “,” · 表头在第 1 行").wait_for()
    load = page.get_by_role("button", name="加载", exact=True)
    load.wait_for()
    page.screenshot(path=str(tmp / "data_zh_mapping.png"), full_page=True)
    load.click()
    page.get_by_text("订单.csv：3 行已加载到 sales，0 行被拒绝，0 行被跳过。").wait_for()
    sidebar.get_by_text("销售 3").wait_for()

    page.get_by_role("tab", name="数据表").click()
    page.get_by_text("sales：共 3 行，显示前 3 行。").wait_for()
    # The grid draws on a canvas; its cells are also in the DOM as an accessible table.
    page.locator("[role=gridcell]", has_text="蓝色牛仔裤").wait_for(state="attached")
    cells = page.locator("[role=gridcell]").all_inner_texts()
    assert cells.count("红色T恤") == 2 and cells.count("蓝色牛仔裤") == 1
    assert {"A1001", "A1002", "A1003"} <= set(cells)  # columns further right are not drawn until scrolled to
    page.screenshot(path=str(tmp / "data_zh_tables.png"), full_page=True)
    page.context.close()
