"""A real browser against `streamlit run app.py`: deep link, Chinese UI, GBK upload, tables browser."""

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
GBK_ORDERS = (
    "订单号,下单时间,商品编码,商品名称,数量,单价,实付金额,省份\n"
    "A1001,2024-11-01 10:00:00,P01,红色T恤,2,49.50,99.00,浙江\n"
    "A1002,2024-11-02 11:30:00,P02,蓝色牛仔裤,1,129.00,129.00,广东\n"
    "A1003,2024-11-20 09:15:00,P01,红色T恤,1,49.50,49.50,江苏\n"
).encode("gbk")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh `streamlit run app.py` on a free localhost port with an empty temporary warehouse."""
    tmp = tmp_path_factory.mktemp("server")
    port = free_port()
    env = dict(os.environ, ECOM_WAREHOUSE=str(tmp / "wh.duckdb"), ECOM_SECRETS_FILE=str(tmp / "none.toml"))
    for name in ("ECOM_PASSWORD", "ECOM_LANG"):
        env.pop(name, None)
    log = (tmp / "streamlit.log").open("w")
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
            pytest.fail("streamlit did not start: " + (tmp / "streamlit.log").read_text())
        yield url, tmp
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


def test_deep_link_upload_gbk_in_chinese_and_browse(server, browser):
    url, tmp = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page.set_default_timeout(60_000)
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
    page.close()
