"""Recommender figures: quality against the baselines, training time, preview latency.

    python bench/recsys.py sequences [FILE]      # default: the Amazon Beauty corpus (dev machines only)
    python bench/recsys.py orders FILE           # a sales export, loaded into an in-memory warehouse
    python bench/recsys.py preview [--warehouse FILE] [--model DIR] [--customers 300]

Prints the wall time and this process's CPU time of each step, and the number of CPU cores, so a
figure can be told apart from a busy machine. Training uses the defaults of `TrainConfig`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BEAUTY = Path("/work/shared/corpora/seqrec/amazon_beauty.txt")


class Clock:
    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __str__(self) -> str:
        return f"{time.perf_counter() - self.wall:.1f} s wall, {time.process_time() - self.cpu:.1f} s CPU"


def compare_and_print(seqs, label: str) -> None:
    from ecom.recsys.compare import compare

    print(f"{label}: {len(seqs.users):,} customers, {seqs.n_items - 1:,} items, {seqs.n_interactions:,} interactions; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    clock = Clock()
    result = compare(seqs, progress=lambda d, t, m: print(f"  {m}", flush=True) if d == int(d) else None)
    print(f"train + evaluate: {clock}")
    tr = result.trained
    print(f"model training: {tr.seconds:.1f} s wall, {tr.epochs} epochs, best {tr.best_epoch} (validation NDCG@10 {tr.best_valid_ndcg:.4f})")
    print(f"{'method':<12} {'HR@10':>8} {'NDCG@10':>8} {'coverage':>9} {'eval s':>7}")
    for name, r in result.results.items():
        print(f"{name:<12} {r.hr:>8.4f} {r.ndcg:>8.4f} {r.coverage:>9.3f} {r.seconds:>7.1f}")
    pop = result.results["popularity"].ndcg
    print(json.dumps({"model/popularity NDCG": round(result.results["model"].ndcg / pop, 2) if pop else None,
                      "model/item_knn NDCG": round(result.results["model"].ndcg / result.results["item_knn"].ndcg, 3)}))  # fmt: skip


def bench_sequences(path: Path) -> None:
    from ecom.recsys.data import read_sequences_file

    compare_and_print(read_sequences_file(path), str(path))


def bench_orders(path: Path) -> None:
    from ecom.recsys.cli import _load_orders
    from ecom.recsys.data import from_warehouse

    clock = Clock()
    wh, error = _load_orders(path)
    if wh is None:
        sys.exit(error)
    seqs = from_warehouse(wh)
    wh.close()
    print(f"ingest + sequences: {clock}")
    compare_and_print(seqs, str(path))


def bench_preview(warehouse: Path | None, model_dir: Path | None, n: int) -> None:
    import numpy as np

    from ecom import settings
    from ecom.recsys import store
    from ecom.recsys.recommend import Recommender, customer_histories
    from ecom.warehouse import Warehouse

    wh = Warehouse(warehouse, read_only=True) if warehouse else Warehouse(read_only=True)
    model_dir = model_dir or settings.ROOT / settings.get("ECOM_RECSYS_MODEL")
    clock = Clock()
    rec = Recommender.load(wh, model_dir)
    print(f"load model + collect evidence: {clock}")
    histories = customer_histories(wh)
    customers = sorted(histories)
    pick = np.random.default_rng(0).choice(len(customers), size=min(n, len(customers)), replace=False)
    live, stored = [], []
    for i in pick:
        c = customers[i]
        t = time.perf_counter()
        rec.recommend(c, histories[c], 10)
        live.append(time.perf_counter() - t)
        t = time.perf_counter()
        store.read_recs(wh, c)
        stored.append(time.perf_counter() - t)
    for label, xs in (("live model + reasons", live), ("stored app.recs read", stored)):
        ms = np.array(xs) * 1000
        print(f"per-customer preview, {label}: median {np.median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, max {ms.max():.1f} ms ({len(ms)} customers)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("sequences")
    s.add_argument("file", type=Path, nargs="?", default=BEAUTY)
    o = sub.add_parser("orders")
    o.add_argument("file", type=Path)
    v = sub.add_parser("preview")
    v.add_argument("--warehouse", type=Path, default=None)
    v.add_argument("--model", type=Path, default=None)
    v.add_argument("--customers", type=int, default=300)
    args = p.parse_args()
    if args.what == "sequences":
        bench_sequences(args.file)
    elif args.what == "orders":
        bench_orders(args.file)
    else:
        bench_preview(args.warehouse, args.model, args.customers)


if __name__ == "__main__":
    main()
