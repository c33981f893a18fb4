"""Every awkward fixture of tests/fixtures/ingest/manifest.json through `python -m ecom ingest --json`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))["files"]


def run_ingest(args, warehouse, env=None):
    return subprocess.run(
        [sys.executable, "-m", "ecom", "ingest", *args, "--warehouse", str(warehouse), "--json", "--no-score"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120, env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("case", MANIFEST, ids=[f"{c['file']}:{c['kind'].split(':')[0]}:{i}" for i, c in enumerate(MANIFEST)])
def test_fixture(case, tmp_path):
    wh = tmp_path / "wh.duckdb"
    proc = run_ingest([str(FIXTURES / case["file"]), *case.get("args", [])], wh)
    if "exit" in case:
        assert proc.returncode == case["exit"], proc.stdout + proc.stderr
        err = proc.stderr.strip().splitlines()
        assert len(err) == 1 and case["message"] in err[0], proc.stderr
        assert "Traceback" not in proc.stderr
        return
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    expect = dict(case["expect"])
    assert len(reports) == expect.pop("reports", 1)
    first = reports[0]
    note = expect.pop("note", None)
    for key, value in expect.items():
        assert first[key] == value, (key, first)
    for r in reports:
        assert r["rows_read"] == r["rows_loaded"] + r["rows_rejected"] + r["rows_skipped"]
        assert r["status"] == "loaded" and isinstance(r["mapping"], dict)
    if note:
        assert any(note in n for n in first["notes"]), first["notes"]
    con = duckdb.connect(str(wh), read_only=True)
    try:
        for sql, expected in case["values"]:
            assert str(con.execute(sql).fetchone()[0]) == expected, sql
        # nothing lost: every row read is in its table or in rejects
        for table in {r["table"] for r in reports}:
            loaded = sum(r["rows_loaded"] for r in reports if r["table"] == table)
            assert con.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0] == loaded
        rejected = sum(r["rows_rejected"] for r in reports)
        assert con.execute("SELECT count(*) FROM main.rejects").fetchone()[0] == rejected
        assert con.execute("SELECT count(*) FROM main.rejects WHERE reason IS NULL OR raw IS NULL OR source_row IS NULL").fetchone()[0] == 0
    finally:
        con.close()
