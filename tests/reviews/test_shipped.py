"""The checkpoint the project ships: loads offline, is small, labels obvious reviews right, and holds
its accuracy on reviews of a domain it never saw."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from ecom.reviews.score import Scorer
from ecom.settings import ROOT

SHIPPED = ROOT / "models" / "review-sentiment"

SCRIPT = """
import json, sys
from ecom.reviews.score import Scorer
scorer = Scorer.load(sys.argv[1])
texts = json.loads(sys.argv[2])
print(json.dumps(scorer.predict(texts).label.tolist()))
"""

OBVIOUS = {
    "质量非常好，物流也很快，非常满意！": "positive",
    "太差了，用了两天就坏了，再也不买了": "negative",
    "味道很好，送餐也快，好评": "positive",
    "送餐慢了一个多小时，饭菜都凉了，难吃": "negative",
    "Excellent product, works perfectly and arrived early. Highly recommend!": "positive",
    "Terrible quality, it broke after one day. Waste of money.": "negative",
    "Love this dress, fits perfectly and the fabric is beautiful.": "positive",
    "Worst phone ever, battery drains in hours and it heats up.": "negative",
}


def test_shipped_checkpoint_loads_offline_and_labels_obvious_reviews():
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SHIPPED), json.dumps(list(OBVIOUS), ensure_ascii=False)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == list(OBVIOUS.values())


def test_shipped_checkpoint_size_and_card():
    size = sum(p.stat().st_size for p in SHIPPED.rglob("*") if p.is_file())
    assert size <= 30 * 1024 * 1024
    config = json.loads((SHIPPED / "config.json").read_text())
    assert config["model_type"] == "ecom-review-sentiment"
    low, high = config["neutral_band"]
    assert 0.0 < low <= high < 1.0
    card = (SHIPPED / "README.md").read_text(encoding="utf-8")
    for needle in ("online_shopping_10_cats", "waimai_10k", "ChnSentiCorp_htl_all", "Blitzer", "sha256", "baseline", "95%"):
        assert needle in card, needle


HELD_OUT = ROOT / "tests" / "fixtures" / "heldout_reviews" / "fine_food_reviews_1-3000.csv"


def test_shipped_model_on_food_reviews_it_never_saw():
    """Amazon Fine Food reviews (CC0; no food-product corpus was in training), stars as the labels:
    4-5 positive, 1-2 negative, 3 left out. Measured: accuracy 0.893 (95% CI 0.881-0.904), macro-F1
    0.814 on these 2,758 reviews; the TF-IDF baseline trained on the model's training split: 0.894
    and 0.816. The floors sit under those intervals: a broken checkpoint, tokenizer or label order
    falls far below them (a coin gives 0.5, all-positive 0.833 accuracy and 0.45 macro-F1)."""
    frame = pd.read_csv(HELD_OUT)
    assert len(frame) == 3000
    frame = frame[frame.Score != 3]
    truth, said = _stars_and_calls(frame.Score, frame.Text.astype(str))
    assert len(truth) == 2758
    assert accuracy_score(truth, said) >= 0.88
    assert f1_score(truth, said, average="macro") >= 0.79


def _stars_and_calls(stars: pd.Series, texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Stars 4-5 as positive (1-2 negative; 3 left out by the caller) beside the shipped model's calls,
    for scikit-learn to score, not the project's own evaluation code."""
    said = np.asarray(Scorer.load(SHIPPED).p_positive(texts.tolist())) >= 0.5
    return (stars >= 4).astype(int).to_numpy(), said.astype(int)


HELD_OUT_ZH = ROOT / "tests" / "fixtures" / "heldout_reviews" / "jd_herbal_reviews_3_products.csv"
# JD's words where the buyer wrote nothing: no opinion to score (written out here rather than read from
# ecom.ingest.values, so the figures stay independent of the loader)
JD_STAND_INS = {"此用户未填写评价内容", "此用户未及时填写评价内容", "您没有填写评价内容"}


def test_shipped_model_on_chinese_reviews_of_goods_it_never_saw():
    """JD.com reviews of herbal and health goods (MIT; no such goods in the training corpora), every
    review of three products, stars as the labels: 4-5 positive, 1-2 negative, 3 and JD's stand-ins
    left out. Measured: accuracy 0.973 (95% CI 0.967-0.977), macro-F1 0.956 (0.947-0.964) on these
    3,694 reviews; the TF-IDF baseline trained on the model's training split: 0.974 and 0.959. All
    positive gives 0.809 accuracy and 0.447 macro-F1."""
    frame = pd.read_csv(HELD_OUT_ZH, keep_default_na=False)
    assert len(frame) == 4154
    frame = frame[(frame["评分"] != 3) & ~frame["评论内容"].isin(JD_STAND_INS)]
    truth, said = _stars_and_calls(frame["评分"], frame["评论内容"])
    assert len(truth) == 3694
    assert accuracy_score(truth, said) >= 0.96
    assert f1_score(truth, said, average="macro") >= 0.93
