"""Overview, Sales and Customers on real exports (tests/fixtures/real/), opened with a from/to in the URL
that covers the file: no exception, no error, and the cards show the figures computed independently
of this code (each case's `kpis`)."""

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from ecom.currency import symbol
from ecom.ingest.cli import main as ingest_main
from ecom.ui.analytics import money
from tests.conftest import ROOT
from tests.ui.conftest import APP, assert_clean

REAL = ROOT / "tests" / "fixtures" / "real"
CASES = ["en_superstore_us", "en_online_retail_days", "en_olist_marketplace", "en_northwind", "en_cdnow_master", "zh_taobao_exportorderlist_xlsx"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """case id -> (warehouse file, case): each case loaded once through the ingestion command."""
    out = {}
    for cid in CASES:
        case = json.loads((REAL / cid / "case.json").read_text(encoding="utf-8"))
        path = tmp_path_factory.mktemp(cid) / "wh.duckdb"
        args = [str(REAL / cid / f) for f in case["files"]] + (["--currency", case["upload_currency"]] if case.get("upload_currency") else [])
        assert ingest_main([*args, "--warehouse", str(path)]) == 0
        out[cid] = (path, case)
    return out


def open_page(page: str, k: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(f"app_pages/{page}.py")
    at.query_params["from"], at.query_params["to"] = k["from"], k["to"]
    return at.run()


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("cid", CASES)
def test_cards_of_overview_sales_and_customers_equal_the_independent_figures(cid, loaded, app_env):
    path, case = loaded[cid]
    shutil.copy(path, app_env)
    k = case["kpis"]
    sym = symbol(k["currency"])
    overview = open_page("overview", k)
    assert_clean(overview)
    assert not overview.error
    got = cards(overview)
    assert got["GMV"] == money(k["gmv"], sym)
    assert got["Refunds"] == money(k["refunds"], sym)
    assert got["Net sales"] == money(k["net_sales"], sym)
    assert got["Orders"] == f"{k['orders']:,}"
    assert got["Active customers"] == f"{k['customers']:,}"
    assert got["Refund rate"] == (f"{k['refunds'] / k['gmv']:.1%}" if k["gmv"] else "—")
    sales = open_page("sales", k)
    assert_clean(sales)
    assert not sales.error
    got = cards(sales)
    assert (got["GMV"], got["Orders"]) == (money(k["gmv"], sym), f"{k['orders']:,}")
    customers = open_page("customers", k)
    assert_clean(customers)
    assert not customers.error
    assert cards(customers)["Buyers"] == f"{k['customers']:,}"
