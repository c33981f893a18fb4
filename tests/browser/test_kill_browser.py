"""kill -9 of the server in the middle of a load of a ~50 MB file uploaded through the browser; the
server started again: the warehouse is as it was before that load, and no temporary file of the
killed server remains (uploads, transcoded copies, spill files)."""

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.browser.conftest import CHROMIUM, fresh_page
from tests.servers import ROOT, app_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"),
]
SMALL = "order_id,order_time,customer_id,product_id,quantity,revenue\nS1,2025-03-01 10:00,c1,p1,1,100.00\nS2,2025-03-02 11:00,c2,p2,2,250.50\n"


def counts(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (con.execute("SELECT count(*) FROM main.sales").fetchone()[0],
                con.execute("SELECT count(*) FROM main.upload_log").fetchone()[0])
    finally:
        con.close()


def test_kill_9_during_a_load_then_start_again(tmp_path, browser):
    db = tmp_path / "wh.duckdb"
    small = tmp_path / "small.csv"
    small.write_text(SMALL, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ecom", "ingest", str(small), "--warehouse", str(db)], cwd=ROOT, check=True,
                   capture_output=True, env={"ECOM_WAREHOUSE": str(db), "PATH": "/usr/bin:/bin"})
    before = counts(db)
    assert before == (2, 1)
    # ~50 MB of GB18030 text: the load writes a UTF-8 copy before the rows go in
    big = tmp_path / "订单大.csv"
    lines = "".join(f"B{i},2024-11-{1 + i % 28:02d} 10:{i % 60:02d},c{i % 5000},商品{i % 300},{1 + i % 4},{19.9 + i % 300:.2f}\n"
                    for i in range(1_100_000))
    big.write_bytes(("订单号,下单时间,买家,商品编码,数量,实付金额\n" + lines).encode("gb18030"))
    assert big.stat().st_size > 45 << 20
    root = tmp_path / "tmp"  # the app's temporary folder, beside the warehouse
    with app_server(db, tmp_path) as (url, proc):
        page = fresh_page(browser)
        page.goto(f"{url}/data")
        page.locator("input[type=file]").set_input_files(str(big))
        page.get_by_role("button", name="Load", exact=True).click(timeout=120_000)
        deadline = time.monotonic() + 120
        while not any(p.stat().st_size > 20 << 20 for p in root.glob("ecom-ingest-*/*.csv")):
            assert time.monotonic() < deadline, "the load never started"
            time.sleep(0.05)
        proc.kill()  # SIGKILL: no cleanup of any kind runs
        proc.wait()
        page.context.close()
    left = {p.name for p in root.iterdir()}
    assert any(n.startswith("ecom-upload-") for n in left) and any(n.startswith("ecom-ingest-") for n in left)
    assert counts(db) == before  # the load's transaction never committed
    with app_server(db, tmp_path) as (url, _):
        assert not left & {p.name for p in root.iterdir()}  # start-up removed what the killed server left
        assert [p.name.split("-")[1] for p in root.iterdir()] == ["spill"]  # only the new server's own, in use
    assert counts(db) == before
    assert [p.name for p in root.iterdir()] == []  # a server that stops normally leaves nothing either
