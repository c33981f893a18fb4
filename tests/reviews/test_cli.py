import csv
import json

import pytest

from ecom.reviews.cli import main
from tests.reviews.conftest import NEGATIVE, POSITIVE, TINY


def _write(path, rows, header=("review", "stars")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.mark.slow
def test_train_then_eval_json(tmp_path, capsys):
    rows = [(t, 5) for t in POSITIVE] * 6 + [(t, 1) for t in NEGATIVE] * 6 + [("还行吧，一般般", 3)]
    data = _write(tmp_path / "train.csv", rows)
    val = _write(tmp_path / "val.csv", [(t, 4) for t in POSITIVE] + [(t, 2) for t in NEGATIVE] + [("还行吧，一般般", 3)])
    out = tmp_path / "model"
    code = main(["train", "--data", str(data), "--text", "review", "--label", "stars", "--val", str(val), "--out", str(out),
                 "--epochs", "6", "--batch-size", "16", "--config", json.dumps(TINY)])
    assert code == 0
    assert (out / "config.json").is_file() and (out / "checkpoint" / "state.pt").is_file()
    capsys.readouterr()
    assert main(["eval", str(val), "--text", "review", "--label", "stars", "--model", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 12  # the 3-star row is left out
    assert {"accuracy", "macro_f1", "accuracy_ci", "confusion"} <= set(result)


@pytest.mark.slow
def test_train_with_a_domain_column_keeps_weights_per_domain(tmp_path, capsys):
    from ecom.reviews.model import ReviewSentimentConfig

    rows = [(t, y, "手机" if i % 2 else "外卖") for i, (t, y) in enumerate([(t, 5) for t in POSITIVE] * 4 + [(t, 1) for t in NEGATIVE] * 4)]
    data = _write(tmp_path / "train.csv", rows, header=("review", "stars", "category"))
    out = tmp_path / "model"
    code = main(["train", "--data", str(data), "--text", "review", "--label", "stars", "--domain", "category", "--out", str(out),
                 "--epochs", "1", "--batch-size", "16", "--config", json.dumps(TINY)])
    assert code == 0
    assert ReviewSentimentConfig.from_pretrained(out).domains == ["外卖", "手机"]


def test_train_reports_rows_without_a_domain(tmp_path, capsys):
    data = _write(tmp_path / "train.csv", [("好", 5, "a"), ("差", 1, ""), ("还行", 3, "")], header=("review", "stars", "category"))
    assert main(["train", "--data", str(data), "--text", "review", "--label", "stars", "--domain", "category", "--out", str(tmp_path / "m")]) == 1
    assert "column 'category': 2 rows have no domain (rows 3, 4)" in capsys.readouterr().err


def test_refit_wide_adds_domains_and_keeps_the_deep_part(tmp_path, capsys, tiny_model_dir):
    import torch

    from ecom.reviews.score import load_model

    rows = [(t, y, "外卖" if any("\u4e00" <= ch <= "\u9fff" for ch in t) else "shop") for t, y in [(t, 5) for t in POSITIVE] * 3 + [(t, 1) for t in NEGATIVE] * 3]
    data = _write(tmp_path / "train.csv", rows, header=("review", "stars", "category"))
    val = _write(tmp_path / "val.csv", [(t, 4) for t in POSITIVE] + [(t, 2) for t in NEGATIVE])
    out = tmp_path / "refit"
    assert main(["refit-wide", "--base", str(tiny_model_dir), "--data", str(data), "--text", "review", "--label", "stars",
                 "--domain", "category", "--val", str(val), "--out", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["validation"]["n"] == 12 and 0.5 <= result["wide_weight"]["weight"] <= 0.95
    old, tok = load_model(tiny_model_dir)
    new, _ = load_model(out)
    assert new.config.domains == ["shop", "外卖"] and new.wide.domain_count == 2
    enc = tok(POSITIVE + NEGATIVE, padding=True, return_tensors="pt")
    old.config.wide_weight = new.config.wide_weight = 0.0
    # the deep part is the base model's (to fp16 storage precision)
    torch.testing.assert_close(new(**enc).logits, old(**enc).logits, rtol=0, atol=1e-6)
    new.config.wide_weight = 1.0
    assert ((new(**enc).logits[:, 1] > new(**enc).logits[:, 0]).tolist()) == [True] * 6 + [False] * 6


@pytest.mark.slow
def test_the_shipped_recipe_from_the_command_line(tmp_path, capsys, tiny_model_dir):
    """A deep part pretrained with a given tokenizer and batch size and no wide part, then the wide
    part fit with its own buckets and a fixed mix (the model card's steps, on a tiny config)."""
    from transformers import AutoTokenizer

    from ecom.reviews.model import ReviewSentimentConfig

    data = _write(tmp_path / "train.csv", [(t, 5) for t in POSITIVE] * 4 + [(t, 1) for t in NEGATIVE] * 4)
    val = _write(tmp_path / "val.csv", [(t, 4) for t in POSITIVE] + [(t, 2) for t in NEGATIVE] + [("还行吧，一般般", 3)])
    deep = tmp_path / "deep"
    assert main(["train", "--data", str(data), "--text", "review", "--label", "stars", "--out", str(deep), "--epochs", "1",
                 "--batch-size", "16", "--mlm-epochs", "1", "--mlm-tokens", "256", "--mlm-lr", "2e-3", "--mlm-warmup", "5",
                 "--tokenizer", str(tiny_model_dir), "--device", "cpu", "--config", json.dumps({**TINY, "wide_buckets": 0})]) == 0
    capsys.readouterr()
    assert AutoTokenizer.from_pretrained(deep).get_vocab() == AutoTokenizer.from_pretrained(tiny_model_dir).get_vocab()
    pretrained = json.loads((deep / "pretrain.json").read_text())["args"]
    assert (pretrained["tokens_per_batch"], pretrained["lr"], pretrained["warmup_steps"], pretrained["device"]) == (256, 2e-3, 5, "cpu")
    assert ReviewSentimentConfig.from_pretrained(deep).wide_buckets == 0

    out = tmp_path / "mixed"
    assert main(["refit-wide", "--base", str(deep), "--data", str(data), "--text", "review", "--label", "stars", "--val", str(val),
                 "--wide-buckets", "4096", "--wide-weight", "0.75", "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["wide_weight"] is None  # fixed, not chosen
    config = ReviewSentimentConfig.from_pretrained(out)
    assert (config.wide_buckets, config.wide_weight) == (4096, 0.75)
    assert json.loads((out / "metrics.json").read_text())["neutral_band"]["n"] == 13


def test_eval_reports_a_missing_column(tmp_path, capsys, tiny_model_dir):
    data = _write(tmp_path / "r.csv", [("good", 1), ("bad", 0)])
    assert main(["eval", str(data), "--text", "comment", "--label", "stars", "--model", str(tiny_model_dir)]) == 1
    assert "no column 'comment'" in capsys.readouterr().err


def test_eval_reports_bad_labels(tmp_path, capsys, tiny_model_dir):
    data = _write(tmp_path / "r.csv", [("good", 1), ("bad", "awful")])
    assert main(["eval", str(data), "--text", "review", "--label", "stars", "--model", str(tiny_model_dir)]) == 1
    assert "row 2: 'awful' is not a label" in capsys.readouterr().err


def test_score_command_is_incremental(tmp_path, capsys, tiny_model_dir):
    from ecom.warehouse import Warehouse

    path = tmp_path / "wh.duckdb"
    wh = Warehouse(path)
    with wh.transaction() as cur:
        for t in POSITIVE[:3] + NEGATIVE[:2]:
            cur.execute("INSERT INTO main.reviews (review_text) VALUES (?)", [t])
    wh.close()
    assert main(["score", "--warehouse", str(path), "--model", str(tiny_model_dir)]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (first["scored"], first["cached"], first["aspects"]["texts"]) == (5, 0, 5)
    assert main(["score", "--warehouse", str(path), "--model", str(tiny_model_dir)]) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (second["scored"], second["cached"], second["aspects"]["texts"]) == (0, 5, 0)
