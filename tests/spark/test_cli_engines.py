"""`python -m ecom kpis --engine spark` prints the figures `--engine duckdb` prints, each warehouse
loaded with `python -m ecom ingest` under its own ECOM_ENGINE."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.edge import edge_orders

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[2]


def ecom(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecom", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)


def test_kpis_are_the_same_on_both_engines(tmp_path):
    files = [str(edge_orders(tmp_path / "edge_orders.csv"))]
    out = {}
    for engine in ("duckdb", "spark"):
        env = {"ECOM_ENGINE": engine, "ECOM_WAREHOUSE": str(tmp_path / f"{engine}.duckdb"), "ECOM_LAKE": str(tmp_path / "lake"),
               "ECOM_SECRETS_FILE": str(tmp_path / "none.toml")}
        loaded = ecom(["ingest", *files], env)
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        # the other engine's command line flag wins over ECOM_ENGINE
        other = {"ECOM_ENGINE": "spark" if engine == "duckdb" else "duckdb"}
        done = ecom(["kpis", "--json", "--engine", engine], {**env, **other})
        assert done.returncode == 0, done.stderr[-2000:]
        out[engine] = json.loads(done.stdout)
    assert out["spark"] == out["duckdb"]
    assert {c["currency"] for c in out["duckdb"]["by_currency"]} == {"CNY", "USD"}
    assert all(c["refunds"] > 0 for c in out["duckdb"]["by_currency"]) and (tmp_path / "lake" / "sales").is_dir()
