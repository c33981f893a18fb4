"""A real browser uploads a real review export (2,000 women's clothing reviews, no dates), loads it, sees
the background scoring's progress on the Data page, opens Reviews while it runs, and sees the page
draw itself again, finished, when scoring ends. The shipped model scores, on one torch thread."""

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

EXPORT = ROOT / "tests" / "fixtures" / "real" / "rv_womens_clothing" / "Womens Clothing E-Commerce Reviews.csv"
PROGRESS = re.compile(r"(Scoring review sentiment|Finding aspects in reviews) in the background: [\d,]+ / [\d,]+|Loading the review model to score")


def metric(page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text()


def test_upload_reviews_see_the_scoring_progress_and_open_reviews_while_it_runs(server, browser):
    url, tmp = server
    page = fresh_page(browser)
    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Data", exact=True).wait_for()
    page.locator("input[type=file]").set_input_files(str(EXPORT))
    load = page.get_by_role("button", name="Load", exact=True)
    load.wait_for()
    load.click()
    page.get_by_text(f"{EXPORT.name}: 2,000 rows loaded into reviews, 0 rejected, 0 skipped.").wait_for()
    # the load is done and the scoring runs: its bar is on the Data page
    page.get_by_text(PROGRESS).first.wait_for(timeout=60_000)
    page.screenshot(path=str(tmp / "data_scoring.png"), full_page=True)
    page.get_by_role("link", name="Open Reviews").first.click()
    page.get_by_role("heading", name="Reviews", exact=True).first.wait_for()
    page.get_by_test_id("stMetric").first.wait_for()
    running = page.get_by_text(PROGRESS).count() > 0
    if running:  # the figures cover what is scored so far, and say so
        page.get_by_text("The figures below cover the reviews scored so far").first.wait_for()
        page.screenshot(path=str(tmp / "reviews_while_scoring.png"), full_page=True)
    assert metric(page, "Reviews") == "2,000"
    assert metric(page, "Mean rating") == "4.16 ★"  # 8,325 stars over 2,000 reviews (case.json, from the raw file)
    # the page draws itself again when scoring ends: no bar, sentiment shares and aspect chips
    page.wait_for_function("() => !document.body.innerText.match(/in the background: [0-9,]+ \\/ [0-9,]+|Loading the review model to score/)",
                           timeout=180_000)
    # the run that redraws the page removes the old run's elements only as it ends: one tab bar, three checks in a row
    tabs = page.get_by_role("tab", name="Aspects")
    settled = 0
    for _ in range(240):
        settled = settled + 1 if tabs.count() == 1 else 0
        if settled == 3:
            break
        page.wait_for_timeout(250)
    tabs.click()
    page.get_by_role("radio", name=re.compile(r"^Size & fit \d+%")).first.wait_for()  # an aspect chip (fit is what clothing reviews discuss)
    assert re.fullmatch(r"\d+\.\d%", metric(page, "Negative share"))
    page.screenshot(path=str(tmp / "reviews_scored.png"), full_page=True)
    print(f"Reviews opened while scoring ran: {running}")
    page.context.close()
