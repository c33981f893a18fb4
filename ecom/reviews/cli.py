"""`python -m ecom reviews {train,eval,score}`: the review model from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ecom.reviews.labels import LabelError, parse_labels

DEFAULT_OUT = "runs/review-model"


def _read(path: str, text: str, label: str, domain: str | None = None):
    """(texts, labels 0/1/2, domains or None) of one file read by the project's ingestion; rows
    without text are dropped."""
    from ecom.ingest import read_frame

    frame = read_frame(path)
    for column in (text, label, domain):
        if column is not None and column not in frame.columns:
            raise LabelError(f"{path}: no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    labels = parse_labels(frame[label].tolist(), where=f"{path}, column {label!r}")
    texts = [t.strip() if isinstance(t, str) else "" for t in frame[text].tolist()]
    keep = [i for i, t in enumerate(texts) if t and labels[i] >= 0]
    domains = None
    if domain is not None:
        values = [str(v).strip() if v is not None and v == v else "" for v in frame[domain].tolist()]
        blank = [i for i in keep if not values[i]]
        if blank:
            rows = ", ".join(str(i + 2) for i in blank[:5])  # +2: the header is line 1
            raise LabelError(f"{path}, column {domain!r}: {len(blank)} rows have no domain (rows {rows}{', …' if len(blank) > 5 else ''})")
        domains = [values[i] for i in keep]
    return [texts[i] for i in keep], np.asarray([labels[i] for i in keep], dtype=int), domains


def _read_all(paths: list[str], text: str, label: str, domain: str | None):
    """_read over several files, concatenated: (texts, labels, domains or None)."""
    texts, labels, domains = [], [], []
    for path in paths:
        t, y, d = _read(path, text, label, domain)
        texts += t
        labels += y.tolist()
        domains += d or []
    return texts, labels, domains if domain else None


def _bar(desc: str, unit: str = "step"):
    from tqdm import tqdm

    bar = tqdm(total=0, desc=desc, unit=unit, dynamic_ncols=True)

    def update(done: int, total: int, info: dict | None = None) -> None:
        bar.total = total
        bar.n = done
        if info and "loss" in info:
            bar.set_postfix(loss=f"{info['loss']:.4f}", epoch=f"{info['epoch']:.2f}")
        bar.refresh()

    return bar, update


def cmd_train(args) -> int:
    from transformers import AutoTokenizer

    from ecom.reviews.corpora import assign_split
    from ecom.reviews.train import TrainArgs, train

    texts, labels, domains = _read_all(args.data, args.text, args.label, args.domain)
    if args.val:
        val_texts, val_labels, _ = _read(args.val, args.text, args.label)
        train_idx = range(len(texts))
    else:
        # a fixed 10% by text hash, so --resume sees the same split
        split = [assign_split(t) for t in texts]
        train_idx = [i for i, s in enumerate(split) if s != "val"]
        val_idx = [i for i, s in enumerate(split) if s == "val"]
        val_texts, val_labels = [texts[i] for i in val_idx], [labels[i] for i in val_idx]
    train_texts, train_labels = [texts[i] for i in train_idx], [labels[i] for i in train_idx]
    train_domains = [domains[i] for i in train_idx] if domains else None
    config = json.loads(args.config) if args.config else None
    # rates and warm-up left out keep TrainArgs' defaults (stated once, there)
    given = {"lr": args.lr, "sparse_lr": args.sparse_lr, "mlm_lr": args.mlm_lr, "mlm_warmup_steps": args.mlm_warmup}
    targs = TrainArgs(
        epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, threads=args.threads, mlm_epochs=args.mlm_epochs,
        mlm_tokens=args.mlm_tokens, wide_c=args.wide_c, device=args.device, **{k: v for k, v in given.items() if v is not None},
    )
    print(f"training on {sum(y in (0, 1) for y in train_labels)} reviews, validating on {len(val_texts)} -> {args.out}", file=sys.stderr)
    bar, update = _bar("train")
    try:
        result = train(
            train_texts, train_labels, Path(args.out), targs, config, base=args.base,
            val=(val_texts, val_labels) if len(val_texts) else None, resume=args.resume, progress=update, domains=train_domains,
            tokenizer=AutoTokenizer.from_pretrained(args.tokenizer) if args.tokenizer else None,
        )
    finally:
        bar.close()
    summary = {k: result["validation"][k] for k in ("n", "accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci")} if "validation" in result else {}
    print(json.dumps({"out": args.out, "validation": summary, "neutral_band": result.get("neutral_band")}, ensure_ascii=False))
    return 0


def cmd_refit_wide(args) -> int:
    from ecom.reviews.train import refit_wide

    texts, labels, domains = _read_all(args.data, args.text, args.label, args.domain)
    val = _read(args.val, args.text, args.label)[:2] if args.val else None
    print(f"fitting the wide part of {args.base} on {sum(y in (0, 1) for y in labels)} reviews -> {args.out}", file=sys.stderr)
    result = refit_wide(args.base, texts, labels, Path(args.out), c=args.wide_c, domains=domains, val=val, buckets=args.wide_buckets,
                        weight=args.wide_weight)
    summary = {k: result["validation"][k] for k in ("n", "accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci")} if "validation" in result else {}
    print(json.dumps({"out": args.out, "validation": summary, "wide_weight": result.get("wide_weight")}, ensure_ascii=False))
    return 0


def cmd_eval(args) -> int:
    from ecom.reviews.evaluate import metrics
    from ecom.reviews.score import Scorer

    texts, labels, _ = _read(args.file, args.text, args.label)
    binary = labels != 2
    texts, labels = [t for t, b in zip(texts, binary, strict=True) if b], labels[binary]
    if not len(texts):
        raise LabelError(f"{args.file}: no rows with text and a positive or negative label")
    scorer = Scorer.load(args.model)
    p = scorer.p_positive(texts)
    result = {"model": scorer.version, **metrics(labels, (p >= 0.5).astype(int))}
    result["neutral_share"] = float((scorer.label(p) == "neutral").mean())
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        lo, hi = result["accuracy_ci"]
        print(f"model     {result['model']}\nn         {result['n']}")
        print(f"accuracy  {result['accuracy']:.4f}  (95% CI {lo:.4f}–{hi:.4f})")
        lo, hi = result["macro_f1_ci"]
        print(f"macro-F1  {result['macro_f1']:.4f}  (95% CI {lo:.4f}–{hi:.4f})")
        print(f"confusion (rows true neg/pos, columns predicted): {result['confusion']}")
    return 0


def stage_bars(unit: str = "review"):
    """A progress callback (stage, done, total) drawing one tqdm bar per stage, and a close()."""
    bars: dict[str, tuple] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            for bar, _ in bars.values():
                bar.close()
            bars[stage] = _bar(stage, unit)
        bars[stage][1](done, total)

    def close() -> None:
        for bar, _ in bars.values():
            bar.close()

    return update, close


def cmd_score(args) -> int:
    from ecom.reviews.score import Scorer, score_all
    from ecom.warehouse import Warehouse

    wh = Warehouse(args.warehouse)
    try:
        scorer = Scorer.load(args.model)
        update, close = stage_bars()
        try:
            result = score_all(wh, scorer, progress=update)
        finally:
            close()
    finally:
        wh.close()
    print(json.dumps(result, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ecom reviews", description="Train, evaluate and apply the review-sentiment model.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a model on labelled review files (or --resume one)")
    p.add_argument("--data", nargs="+", required=True, metavar="FILE", help="CSV/TSV/Excel/Parquet files with a text and a label column")
    p.add_argument("--text", required=True, metavar="COLUMN")
    p.add_argument("--label", required=True, metavar="COLUMN", help="0/1, 1–5 stars (≥4 positive, ≤2 negative, 3 neutral) or negative/neutral/positive")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"where the model and its checkpoints go (default {DEFAULT_OUT})")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --out")
    p.add_argument("--val", metavar="FILE", help="validation file (default: 10%% of --data, chosen by text hash)")
    p.add_argument("--domain", metavar="COLUMN", help="column naming each review's domain (e.g. product category): the wide part keeps weights per domain")
    p.add_argument("--base", metavar="DIR", help="fine-tune this model directory instead of training from scratch")
    p.add_argument("--epochs", type=float, default=3.0)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--device", default="cpu", help="torch device of the deep part's training, e.g. cuda (the wide part is fit on the CPU)")
    p.add_argument("--mlm-epochs", type=float, default=0.0, help="masked-language-model pretraining of a new model's encoder on all --data texts first (epochs; 0: none)")
    p.add_argument("--mlm-lr", type=float, help="learning rate of the pretraining (default 1e-3)")
    p.add_argument("--mlm-tokens", type=int, default=0, help="tokens per pretraining batch (0: 64 x --batch-size)")
    p.add_argument("--mlm-warmup", type=int, help="warm-up steps of the pretraining (default 300)")
    p.add_argument("--tokenizer", metavar="DIR", help="a new model uses this directory's tokenizer instead of training one (e.g. the shipped model's)")
    p.add_argument("--wide-c", type=float, default=4.0, help="inverse regularisation of the wide part's logistic regression")
    p.add_argument("--lr", type=float, help="learning rate of the dense weights (default 2e-3)")
    p.add_argument("--sparse-lr", type=float, help="learning rate of the embedding tables (default 1e-2)")
    p.add_argument("--config", metavar="JSON", help='model settings other than the shipped model\'s, e.g. \'{"hidden_size": 128, "wide_buckets": 0}\'')
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("refit-wide", help="fit a trained model's wide part again (e.g. with --domain), keeping the rest")
    p.add_argument("--base", required=True, metavar="DIR", help="the trained model")
    p.add_argument("--data", nargs="+", required=True, metavar="FILE", help="the training files the model was trained on")
    p.add_argument("--text", required=True, metavar="COLUMN")
    p.add_argument("--label", required=True, metavar="COLUMN")
    p.add_argument("--domain", metavar="COLUMN", help="column naming each review's domain: one weight copy per domain")
    p.add_argument("--val", metavar="FILE", help="validation file: chooses the wide/deep mix and the neutral band again")
    p.add_argument("--wide-c", type=float, default=4.0, help="inverse regularisation of the logistic regression")
    p.add_argument("--wide-buckets", type=int, help="hash buckets of the wide part (default: the base's; 2,097,152 where it has none)")
    p.add_argument("--wide-weight", type=float, help="mix of the wide part's log-odds (default: the lowest validation log-loss); the neutral band is still chosen on --val")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(run=cmd_refit_wide)

    p = sub.add_parser("eval", help="accuracy and macro-F1 of a model on a labelled file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--text", required=True, metavar="COLUMN")
    p.add_argument("--label", required=True, metavar="COLUMN")
    p.add_argument("--model", metavar="DIR", help="model directory or hub id (default: ECOM_REVIEW_MODEL)")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("score", help="score main.reviews into app.review_scores and app.review_aspects (incremental)")
    p.add_argument("--warehouse", metavar="FILE", help="warehouse file (default: ECOM_WAREHOUSE)")
    p.add_argument("--model", metavar="DIR", help="model directory or hub id (default: ECOM_REVIEW_MODEL)")
    p.set_defaults(run=cmd_score)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ecom.ingest.read import IngestError
    from ecom.reviews.score import ReviewModelError

    try:
        return args.run(args)
    except (LabelError, ReviewModelError, IngestError, ValueError) as exc:
        print(f"reviews {args.command}: {exc}", file=sys.stderr)
        return 1
