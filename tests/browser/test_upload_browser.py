"""A real browser uploads a real multi-file export (Northwind: orders, order lines, products, categories,
customers) together with a dd-mm-yyyy order file, changes how one column is read on the Data page,
loads, and sees the expected figures on Overview."""

import json
import re
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, fresh_page
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"),
]

NORTHWIND = ROOT / "tests" / "fixtures" / "real" / "en_northwind"
# dd-mm-yyyy dates whose order only the data can tell (25-12), and dates like 03-04-2024 that alone could be either
DDMM = (
    "Order ID,Order Date,SKU,Qty,Amount\n"
    "D1,25-12-2023,S1,1,100.00\n"
    "D2,03-01-2024,S2,2,50.00\n"
    "D3,04-01-2024,S1,1,100.00\n"
)



def test_upload_a_multi_file_export_and_a_dd_mm_yyyy_file_then_see_overview(server, browser):
    url, tmp = server
    ddmm = tmp / "december.csv"
    ddmm.write_text(DDMM, encoding="utf-8")
    page = fresh_page(browser)
    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Data", exact=True).wait_for()
    files = [str(NORTHWIND / name) for name in json.loads((NORTHWIND / "case.json").read_text())["files"]] + [str(ddmm)]
    page.locator("input[type=file]").set_input_files(files)
    # the planner joined the order lines with their orders, products, categories and customers
    page.get_by_text("These files complete each other and are joined into order lines").wait_for()
    page.get_by_text("order_details.csv + orders.csv", exact=False).first.wait_for()
    # Amount is the line's amount; read it as the unit price instead, then back: one mapping changed by hand
    page.get_by_role("strong").filter(has_text="december.csv").wait_for()
    panel = page.get_by_test_id("stVerticalBlock").filter(has=page.get_by_role("strong").filter(has_text="december.csv")).last
    grid = panel.get_by_test_id("stDataFrame").last  # the mapping editor (the preview table comes first)
    assert grid.get_by_test_id("glide-cell-2-4").inner_text() == "revenue"  # Amount, 5th file column, guessed as the line total
    # the grid draws on a canvas: focus its first cell, walk to Amount's target and pick unit_price from the list
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)
    for key in ["ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Enter"]:
        page.keyboard.press(key)
        page.wait_for_timeout(100)  # the grid moves its selection between key presses
    page.get_by_role("option", name="unit_price", exact=True).wait_for()
    page.keyboard.type("unit_price")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('[role=option]').length === 0")
    page.wait_for_timeout(1500)  # the edit goes to the server, which reruns the page
    assert grid.get_by_test_id("glide-cell-2-4").inner_text() == "unit_price"
    load = page.get_by_role("button", name="Load", exact=True)
    load.click()
    page.get_by_text("december.csv: 3 rows loaded into sales, 0 rejected, 0 skipped.").wait_for()
    joined = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"^order_details\.csv \+ .*: 2,155 rows loaded into sales, 0 rejected"))
    joined.wait_for()
    assert all(f"{name}.csv" in joined.inner_text() for name in ("orders", "products", "categories", "customers"))
    page.screenshot(path=str(tmp / "data_loaded.png"), full_page=True)
    # Northwind's figures (independent: tests/fixtures/real/en_northwind/case.json)
    page.goto(f"{url}/overview?from=1996-07-04&to=1998-05-06")
    page.get_by_role("heading", name="Overview", exact=True).wait_for()
    metrics = page.get_by_test_id("stMetric")
    metrics.first.wait_for()
    texts = metrics.all_inner_texts()
    assert any(t.startswith("GMV") and "¥1,265,793" in t for t in texts), texts
    assert any(t.startswith("Orders") and "830" in t for t in texts), texts
    assert any(t.startswith("Active customers") and "89" in t for t in texts), texts
    # the dd-mm-yyyy file: 25 December read day-first, and Amount read as the unit price (× Qty)
    page.goto(f"{url}/overview?from=2023-12-25&to=2024-01-04")
    page.get_by_role("heading", name="Overview", exact=True).wait_for()
    page.get_by_test_id("stMetric").first.wait_for()
    texts = page.get_by_test_id("stMetric").all_inner_texts()
    assert any(t.startswith("GMV") and "¥300" in t for t in texts), texts
    assert any(t.startswith("Orders") and "3" in t for t in texts), texts
    page.screenshot(path=str(tmp / "overview.png"), full_page=True)
    page.context.close()
