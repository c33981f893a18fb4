"""Review-model speed and accuracy: the project's batched scorer against a naive pipeline.

    .venv/bin/python bench/sentiment.py --corpora ../shared/corpora [--model DIR] [--threads 2]

Reads the validation split (a hand-run script: it may read the corpora), reports the token length
distribution (p50/p95), then reviews/s and accuracy of
  1. `Scorer.p_positive` (batches sorted by length, torch.inference_mode) over every validation review,
  2. the same at a fixed 128 tokens a review (every review padded out / cut to 128 real tokens),
  3. `transformers.pipeline("text-classification")` on the same model, one review at a time,
     over the first --naive reviews (it is slow), with the scorer's accuracy on those same reviews.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecom.reviews.corpora import load_split  # noqa: E402
from ecom.reviews.evaluate import wilson  # noqa: E402
from ecom.reviews.score import Scorer  # noqa: E402


def _acc(pred: np.ndarray, y: np.ndarray) -> str:
    k = int((pred == y).sum())
    lo, hi = wilson(k, len(y))
    return f"{k / len(y):.4f} (95% CI {lo:.4f}–{hi:.4f}, n={len(y)})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpora")
    parser.add_argument("--model", default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--naive", type=int, default=500, help="reviews for the one-at-a-time pipeline")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    val = load_split("val", args.corpora)
    val = val[val.label < 2].reset_index(drop=True)
    texts, y = val.text.tolist(), val.label.to_numpy()
    scorer = Scorer.load(args.model)
    lengths = np.array([len(ids) for ids in scorer.tokenizer(texts, truncation=True, max_length=256)["input_ids"]])
    print(f"model {scorer.version}; torch threads {torch.get_num_threads()}")
    print(f"validation reviews: {len(texts)}; tokens per review p50 {np.percentile(lengths, 50):.0f}, p95 {np.percentile(lengths, 95):.0f}, "
          f"max {lengths.max()}; cut at 256")

    scorer.p_positive(texts[:256])  # warm-up
    start = time.perf_counter()
    p = scorer.p_positive(texts)
    seconds = time.perf_counter() - start
    print(f"batched scorer, real lengths: {len(texts) / seconds:.0f} reviews/s ({seconds:.1f} s); accuracy {_acc((p >= 0.5).astype(int), y)}")

    # 128 real tokens per review: the review's ids repeated until 128, so no padding is skipped
    ids = scorer.tokenizer(texts[:2048], truncation=True, max_length=256)["input_ids"]
    fixed = torch.tensor([(row * (128 // max(1, len(row)) + 1))[:128] for row in ids])
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(fixed), scorer.batch_size):
            batch = fixed[i : i + scorer.batch_size]
            scorer.model(input_ids=batch, attention_mask=torch.ones_like(batch))
    seconds = time.perf_counter() - start
    print(f"batched model, 128 tokens each: {len(fixed) / seconds:.0f} reviews/s ({len(fixed)} reviews)")

    from transformers import pipeline

    clf = pipeline("text-classification", model=scorer.model, tokenizer=scorer.tokenizer, device=-1)
    subset = texts[: args.naive]
    clf(subset[0], truncation=True, max_length=256)
    start = time.perf_counter()
    naive = [clf(t, truncation=True, max_length=256)[0]["label"] for t in subset]
    seconds = time.perf_counter() - start
    naive_pred = np.array([1 if label == "positive" else 0 for label in naive])
    print(f"naive pipeline, one at a time: {len(subset) / seconds:.0f} reviews/s ({len(subset)} reviews); accuracy {_acc(naive_pred, y[: len(subset)])}")
    print(f"batched scorer on the same {len(subset)}: accuracy {_acc((p[: len(subset)] >= 0.5).astype(int), y[: len(subset)])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
