"""Real public exports nobody here wrote (tests/fixtures/real/, sources and licences in its README):
each case's files loaded together through `python -m ecom ingest` with no --map and no --table, then
compared with what its case.json says: the table(s) and the rows loaded and rejected, figures computed
independently of this code (pandas, by the helpers who gathered the files), and, for order files,
`python -m ecom kpis` against independently computed GMV, refunds, orders and customers.

The files of a case are one upload, as a person would drop them together; `upload_currency` is what
that person says the amounts are in when the files name no currency (`--currency`).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import duckdb
import pytest

from ecom.ingest.cli import main as ingest_main
from ecom.kpis_cli import main as kpis_main

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "real"
CASES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(REAL.glob("*/case.json"))]
ORDER_CASES = [c for c in CASES if c.get("kpis")]

pytestmark = pytest.mark.slow


def _run(main, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """case id -> (warehouse path, exit code, reports, stderr): each case loaded once for every test here."""
    done: dict[str, tuple] = {}

    def load(case: dict):
        if case["id"] not in done:
            wh = tmp_path_factory.mktemp(case["id"]) / "wh.duckdb"
            args = [str(REAL / case["id"] / f) for f in case["files"]]
            if case.get("upload_currency"):
                args += ["--currency", case["upload_currency"]]
            code, out, err = _run(ingest_main, [*args, "--warehouse", str(wh), "--json"])
            done[case["id"]] = (wh, code, [json.loads(line) for line in out.splitlines() if line.startswith("{")], err)
        return done[case["id"]]

    return load


def test_the_corpus_is_at_least_25_real_exports_each_within_2_mb():
    assert len(CASES) >= 25
    for case in CASES:
        assert len(case["figures"]) >= 3, case["id"]
        assert case["licence"] and case["source"]["url"].startswith("https://github.com/"), case["id"]
        for name in case["files"]:
            assert (REAL / case["id"] / name).stat().st_size <= 2 * 1024 * 1024, name
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    assert all(f"`{c['id']}`" in readme for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_real_export_loads_as_its_manifest_says(case, loaded):
    wh, code, reports, err = loaded(case)
    expect = case["expect"]
    assert "Traceback" not in err
    got: dict[str, dict[str, int]] = {}
    for r in reports:
        if r["status"] == "loaded":
            t = got.setdefault(r["table"], {"rows_loaded": 0, "rows_rejected": 0})
            t["rows_loaded"] += r["rows_loaded"]
            t["rows_rejected"] += r["rows_rejected"]
    assert got == expect["tables"], [(r["source"], r["status"], r["message"]) for r in reports]
    if not expect["tables"]:
        # refused: one clear line saying what each table would need, nothing loaded
        assert code == 1 and "fits no table" in err, err
    else:
        assert code == 0, err
    # every data row of a file that loads alone is loaded or rejected, or skipped as a review repeated
    # word for word or as a line that sold no product (a shipping line); joined and wide files make other rows
    for name, rows in expect.get("rows_read", {}).items():
        own = [r for r in reports if r["status"] == "loaded" and (r["source"] == name or r["source"].startswith(f"{name}["))]
        if own and " + " not in own[0]["source"] and "wide" not in " ".join(own[0]["notes"]):
            skipped = expect.get("repeated", {}).get(name, 0) + expect.get("skipped", {}).get(name, 0)
            assert sum(r["rows_loaded"] + r["rows_rejected"] for r in own) + skipped == rows, name
    con = duckdb.connect(str(wh), read_only=True)
    try:
        for fig in case["figures"]:
            value = con.execute(fig["sql"]).fetchone()[0]
            assert str(value) == fig["value"], (fig["what"], fig["sql"])
        # nothing lost: what the reports say landed is in the tables, every reject kept with a reason
        for table, counts in expect["tables"].items():
            assert con.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0] == counts["rows_loaded"]
        rejected = sum(r["rows_rejected"] for r in reports if r["status"] == "loaded")
        assert con.execute("SELECT count(*) FROM main.rejects WHERE reason IS NOT NULL").fetchone()[0] == rejected
    finally:
        con.close()


def assert_kpis_match(wh, case: dict, *options: str) -> dict:
    """`python -m ecom kpis --json [options]` over the case's range gives its independent figures
    (currency, GMV, refunds and net sales to the cent, orders, customers); returns the output."""
    k = case["kpis"]
    args = ["--warehouse", str(wh), "--json", *options]
    if k.get("from"):
        args += ["--from", k["from"]]
    if k.get("to"):
        args += ["--to", k["to"]]
    code, out, err = _run(kpis_main, args)
    assert code == 0, err
    got = json.loads(out)
    assert got["currency"] == k["currency"]
    for key in ("gmv", "refunds", "net_sales"):
        assert got[key] == pytest.approx(k[key], abs=0.005), key
    assert (got["orders"], got["customers"]) == (k["orders"], k["customers"])
    return got


@pytest.mark.parametrize("case", ORDER_CASES, ids=[c["id"] for c in ORDER_CASES])
def test_kpis_of_a_real_order_export_match_its_independent_figures(case, loaded):
    wh, _, _, _ = loaded(case)
    k = case["kpis"]
    got = assert_kpis_match(wh, case)
    assert [c["currency"] for c in got["by_currency"]] == [k["currency"]]
    expected_rate = k["refunds"] / k["gmv"] if k["gmv"] else None
    assert got["refund_rate"] == (pytest.approx(expected_rate, abs=1e-6) if expected_rate is not None else None)
