"""Review-model speed and accuracy: the project's batched scorer against a naive pipeline.

    .venv/bin/python bench/sentiment.py --corpora ../shared/corpora [--model DIR] [--threads 2]

Reads the validation split (a hand-run script: it may read the corpora), reports the token length
distribution (p50/p95), then reviews/s and accuracy of
  1. `Scorer.p_positive` (batches sorted by length, torch.inference_mode) over every validation review,
  2. the same at a fixed 128 tokens a review (every review padded out / cut to 128 real tokens),
  3. `transformers.pipeline("text-classification")` on the same model, one review at a time,
     over --naive reviews drawn at random (seeded; it is slow), with the scorer's accuracy on those.
Each rate is given per wall-clock second and per CPU second of this process (all its threads):
on a shared machine the wall-clock figure says as much about the neighbours as about the model.
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


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def rate(self, n: int) -> str:
        return f"{n / self.wall:.0f} reviews/s wall-clock, {n / self.cpu:.0f} per CPU-second ({n} reviews, {self.wall:.1f} s)"


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
    limit = scorer.max_tokens()
    lengths = np.array([len(ids) for ids in scorer.tokenizer(texts, truncation=True, max_length=4096)["input_ids"]])
    print(f"model {scorer.version}; torch threads {torch.get_num_threads()}")
    print(f"validation reviews: {len(texts)}; tokens per review p50 {np.percentile(lengths, 50):.0f}, p95 {np.percentile(lengths, 95):.0f}, "
          f"max {lengths.max()}; the model reads up to {limit}")

    scorer.p_positive(texts[:256])  # warm-up
    with Clock() as clock:
        p = scorer.p_positive(texts)
    print(f"batched scorer, real lengths: {clock.rate(len(texts))}; accuracy {_acc((p >= 0.5).astype(int), y)}")

    # 128 real tokens per review: the review's ids repeated up to 128, so there is no padding to skip
    ids = scorer.tokenizer(texts[:2048], truncation=True, max_length=limit)["input_ids"]
    fixed = torch.tensor([(row * (128 // max(1, len(row)) + 1))[:128] for row in ids])
    with Clock() as clock, torch.inference_mode():
        for i in range(0, len(fixed), scorer.batch_size):
            batch = fixed[i : i + scorer.batch_size]
            scorer.model(input_ids=batch, attention_mask=torch.ones_like(batch))
    print(f"batched model, 128 tokens each: {clock.rate(len(fixed))}")

    from transformers import pipeline

    clf = pipeline("text-classification", model=scorer.model, tokenizer=scorer.tokenizer, device=-1)
    pick = np.random.default_rng(0).choice(len(texts), size=min(args.naive, len(texts)), replace=False)
    subset = [texts[i] for i in pick]
    clf(subset[0], truncation=True, max_length=limit)
    with Clock() as clock:
        naive = [clf(t, truncation=True, max_length=limit)[0]["label"] for t in subset]
    naive_pred = np.array([1 if label == "positive" else 0 for label in naive])
    print(f"naive pipeline, one at a time: {clock.rate(len(subset))}; accuracy {_acc(naive_pred, y[pick])}")
    print(f"batched scorer on the same {len(subset)}: accuracy {_acc((p[pick] >= 0.5).astype(int), y[pick])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
