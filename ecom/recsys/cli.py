"""`python -m ecom recommend train|eval ...`: train the next-item model on the warehouse, or train and
evaluate it (with both baselines) on a file.

    python -m ecom recommend train [--warehouse FILE] [--out DIR]
    python -m ecom recommend eval FILE --format sequences|orders [--json]

`eval` never touches the user's warehouse: an orders file is loaded through the project's ingestion
into a temporary in-memory warehouse. Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ecom import settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ecom recommend", description="Train and evaluate the next-item recommender.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train on the warehouse's purchases, save the model, write top-N per customer to app.recs")
    t.add_argument("--warehouse", type=Path, default=None, help="warehouse file (default: ECOM_WAREHOUSE)")
    t.add_argument("--out", type=Path, default=None, help="model directory (default: ECOM_RECSYS_MODEL)")
    t.add_argument("--top", type=int, default=10, help="recommendations stored per customer (default 10)")
    e = sub.add_parser("eval", help="train on a file and evaluate leave-one-out against popularity and item-kNN")
    e.add_argument("file", type=Path)
    e.add_argument("--format", choices=("sequences", "orders"), required=True,
                   help="sequences: `user item item ...` per line in time order; orders: a sales export (any format ingestion reads)")
    e.add_argument("--json", action="store_true", help="print one JSON object with hr@10 and ndcg@10 for model, popularity and item_knn")
    e.add_argument("--save", type=Path, default=None, help="also save the trained model to this directory")
    for sp in (t, e):
        sp.add_argument("--epochs", type=int, default=None, help="most training epochs (early stopping usually ends sooner)")
        sp.add_argument("--max-seconds", type=float, default=None, help="stop training after this many seconds")
        sp.add_argument("--lr", type=float, default=None, help="learning rate (default 0.002)")
        sp.add_argument("--patience", type=int, default=None, help="epochs without a better validation NDCG@10 before stopping (default 4)")
        sp.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
        sp.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _progress(quiet: bool):
    if quiet:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=1.0, file=sys.stderr, bar_format="{l_bar}{bar}| {elapsed}", disable=None)

    def update(done: float, total: float, message: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_description(message, refresh=True)

    return update, bar.close


def _train_config(args):
    from ecom.recsys.train import TrainConfig

    tc = TrainConfig(seed=args.seed)
    if args.epochs is not None:
        tc.epochs = args.epochs
    if args.max_seconds is not None:
        tc.max_seconds = args.max_seconds
    if args.lr is not None:
        tc.lr = args.lr
    if args.patience is not None:
        tc.patience = args.patience
    return tc


def _load_orders(path: Path):
    """An in-memory warehouse holding the orders file, or an error message."""
    from ecom.ingest import ingest_file
    from ecom.warehouse import Warehouse

    # always DuckDB: with ECOM_ENGINE=spark the rows would otherwise go into the user's lake
    wh = Warehouse(":memory:", engine="duckdb")
    reports = ingest_file(wh, path, table="sales")
    failed = [r.message for r in reports if r.status == "failed"]
    if failed or not any(r.status == "loaded" for r in reports):
        wh.close()
        return None, "; ".join(failed) or f"{path}: nothing was loaded as sales"
    return wh, None


def cmd_eval(args) -> int:
    from ecom.recsys import data
    from ecom.recsys.blend import save_knn
    from ecom.recsys.compare import compare

    started = time.perf_counter()
    if not args.file.is_file():
        print(f"recommend eval: {args.file}: no such file", file=sys.stderr)
        return 2
    if args.format == "sequences":
        try:
            seqs = data.read_sequences_file(args.file)
        except data.SequenceFileError as exc:
            print(f"recommend eval: {exc}", file=sys.stderr)
            return 2
    else:
        wh, error = _load_orders(args.file)
        if wh is None:
            print(f"recommend eval: {error}", file=sys.stderr)
            return 2
        try:
            seqs = data.from_warehouse(wh)
        finally:
            wh.close()
    progress, close = _progress(args.quiet or args.json)
    try:
        result = compare(seqs, tc=_train_config(args), progress=progress)
    except ValueError as exc:
        close()
        print(f"recommend eval: {args.file}: {exc}", file=sys.stderr)
        return 2
    close()
    if args.save:
        result.trained.model.save_pretrained(args.save, seqs.items)
        save_knn(args.save, result.knn)
    out = {
        **result.metrics(),
        "data": {"file": str(args.file), "format": args.format, "customers": len(seqs.users), "items": seqs.n_items - 1,
                 "interactions": seqs.n_interactions, "evaluated_customers": int(len(result.split.test_target))},
        "training": {"epochs": result.trained.epochs, "best_epoch": result.trained.best_epoch, "seconds": round(result.trained.seconds, 1)},
        "blend": {"knn_weight": result.trained.model.config.knn_weight, "temperature": result.trained.model.config.temperature,
                  "valid_ndcg@10": round(max(result.valid_ndcg.values(), default=0.0), 5)},
        "wall_seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"{args.file}: {out['data']['customers']:,} customers, {out['data']['items']:,} items, {out['data']['interactions']:,} interactions")
    print(f"leave-one-out, full ranking over all items ({out['data']['evaluated_customers']:,} customers evaluated)")
    print(f"{'method':<12} {'HR@10':>8} {'NDCG@10':>8} {'coverage':>9}")
    for name, m in result.metrics().items():
        print(f"{name:<12} {m['hr@10']:>8.4f} {m['ndcg@10']:>8.4f} {m['coverage']:>9.3f}")
    print(f"model = transformer (temperature {out['blend']['temperature']}) blended with item-kNN at weight {out['blend']['knn_weight']}, both chosen on validation")
    print(f"training: {out['training']['epochs']} epochs (best {out['training']['best_epoch']}) in {out['training']['seconds']} s; total {out['wall_seconds']} s")
    return 0


def cmd_train(args) -> int:
    from ecom.warehouse import Warehouse, WarehouseBusy

    try:
        wh = Warehouse(args.warehouse) if args.warehouse else Warehouse()
    except WarehouseBusy as exc:
        print(f"recommend train: {exc}", file=sys.stderr)
        return 1
    out_dir = args.out or Path(settings.get("ECOM_RECSYS_MODEL"))
    if not out_dir.is_absolute() and args.out is None:
        out_dir = settings.ROOT / out_dir
    from ecom.recsys.retrain import train_warehouse

    progress, close = _progress(args.quiet)
    try:
        result = train_warehouse(wh, out_dir, _train_config(args), progress, args.top)
    except ValueError as exc:
        close()
        print(f"recommend train: {exc}", file=sys.stderr)
        return 2
    finally:
        wh.close()
    close()
    print(f"saved the model to {out_dir} ({result['customers']:,} customers, {result['items']:,} items, {result['interactions']:,} purchases)")
    for name, m in result["metrics"].items():
        print(f"{name:<12} HR@10 {m['hr@10']:.4f}  NDCG@10 {m['ndcg@10']:.4f}  coverage {m['coverage']:.3f}")
    print(f"wrote {result['recs']:,} recommendations to app.recs; training {result['train_seconds']:.0f} s, total {result['wall_seconds']:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return cmd_train(args) if args.command == "train" else cmd_eval(args)
