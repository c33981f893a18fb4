import json

import numpy as np
import pytest

from ecom.recsys import store
from ecom.recsys.cli import main
from ecom.warehouse import Warehouse


def _sequences_file(path, users=300, seed=0):
    # chains A -> B -> C as in test_baselines, written as `user item item ...`
    rng = np.random.default_rng(seed)
    lines = []
    for u in range(users):
        chains = rng.choice(np.arange(1, 11), size=2, replace=False)
        lines.append(" ".join([f"u{u}"] + [f"i{a + step}" for a in chains for step in (0, 10, 20)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_sequences_json(tmp_path, capsys):
    path = _sequences_file(tmp_path / "seq.txt")
    assert main(["eval", str(path), "--format", "sequences", "--json", "--epochs", "15"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"model", "popularity", "item_knn"}
    for method in ("model", "popularity", "item_knn"):
        assert 0.0 <= out[method]["ndcg@10"] <= out[method]["hr@10"] <= 1.0
    assert out["data"] == {"file": str(path), "format": "sequences", "customers": 300, "items": 30, "interactions": 1800, "evaluated_customers": 300}
    assert out["model"]["ndcg@10"] > 2 * out["popularity"]["ndcg@10"]


def test_eval_reports_bad_lines(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text("u1 a b c\nu2\n", encoding="utf-8")
    assert main(["eval", str(path), "--format", "sequences"]) == 2
    assert "bad.txt, line 2: user 'u2' has no items" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "missing.txt"), "--format", "sequences"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_eval_orders_never_touches_a_warehouse_file(sample_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECOM_WAREHOUSE", str(tmp_path / "must-not-exist.duckdb"))
    assert main(["eval", str(sample_dir / "sales_orders.csv"), "--format", "orders", "--json", "--epochs", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["data"]["format"] == "orders" and out["data"]["items"] == 300
    assert out["model"]["ndcg@10"] > out["popularity"]["ndcg@10"]
    assert not (tmp_path / "must-not-exist.duckdb").exists()


def test_eval_orders_rejects_a_file_that_is_not_sales(tmp_path, capsys):
    path = tmp_path / "notes.csv"
    path.write_text("colour,size\nred,M\n", encoding="utf-8")
    assert main(["eval", str(path), "--format", "orders"]) == 2
    assert "notes.csv" in capsys.readouterr().err


@pytest.mark.slow
def test_train_writes_model_registry_and_recs(sample_dir, tmp_path, capsys):
    from ecom.ingest import ingest_file

    wh = Warehouse(tmp_path / "wh.duckdb")
    (report,) = ingest_file(wh, sample_dir / "sales_orders.csv")
    assert report.status == "loaded"
    customers = wh.cursor().execute("SELECT count(DISTINCT customer_id) FROM main.sales").fetchone()[0]
    wh.close()
    assert main(["train", "--warehouse", str(tmp_path / "wh.duckdb"), "--out", str(tmp_path / "model"), "--epochs", "2", "--top", "5", "--quiet"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert (tmp_path / "model" / "config.json").is_file()
    wh = Warehouse(tmp_path / "wh.duckdb")
    registry = store.models(wh)
    assert len(registry) == 1 and registry.path.iloc[0] == str(tmp_path / "model")
    assert {"model ndcg@10", "popularity ndcg@10", "item_knn ndcg@10"} <= set(registry.columns)
    recs = store.read_recs(wh)
    assert recs.customer_id.nunique() == customers
    assert recs.groupby("customer_id").size().max() == 5
    wh.close()


def test_train_on_an_empty_warehouse_says_so(tmp_path, capsys):
    Warehouse(tmp_path / "empty.duckdb").close()
    assert main(["train", "--warehouse", str(tmp_path / "empty.duckdb"), "--out", str(tmp_path / "m"), "--quiet"]) == 2
    assert "no sales with customer ids" in capsys.readouterr().err
