"""Real public exports nobody here wrote, loaded into the lake and read by Spark: `kpis --engine spark`
gives each case's figures computed independently of this code (tests/fixtures/real/*/case.json, the
same figures tests/ingest/test_real_exports.py holds DuckDB to)."""

from __future__ import annotations

import pytest

from ecom.ingest.cli import main as ingest_main
from tests.ingest.test_real_exports import CASES, REAL, _run, assert_kpis_match

pytestmark = pytest.mark.spark

# credit notes, a five-file marketplace joined into order lines, dd-mm dates, a Chinese Excel export,
# a GBK bill: the cases that exercise the most of the load path
CHOSEN = ("en_online_retail_adjustments", "en_olist_marketplace", "en_superstore_us", "zh_taobao_exportorderlist_xlsx",
          "zh_alipay_bill_gbk")


@pytest.mark.parametrize("case", [c for c in CASES if c["id"] in CHOSEN], ids=lambda c: c["id"])
def test_kpis_on_spark_match_the_independent_figures(case, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOM_ENGINE", "spark")
    monkeypatch.setenv("ECOM_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(tmp_path / "none.toml"))
    wh = tmp_path / "wh.duckdb"
    args = [str(REAL / case["id"] / f) for f in case["files"]]
    if case.get("upload_currency"):
        args += ["--currency", case["upload_currency"]]
    code, _, err = _run(ingest_main, [*args, "--warehouse", str(wh)])
    assert code == 0, err
    assert any((tmp_path / "lake" / "sales").glob("upload=*"))  # the lines are in the lake, not in DuckDB
    assert_kpis_match(wh, case, "--engine", "spark")
