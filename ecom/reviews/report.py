"""The evaluation protocol of the model card (run by hand; it reads the corpora).

`python -m ecom.reviews.report --corpora ../shared/corpora --model models/review-sentiment` scores
the model and the TF-IDF baseline (trained on the same training split) on the validation and test
split of every corpus, and with `--loco DIR` also runs leave-one-category-out on online shopping:
for each category, model and baseline are trained on the Chinese training rows of the other
categories plus waimai, and tested on the held-out category's validation and test rows. The fold
models follow the shipped recipe as `--config` and `--loco-train` give it (domains: the other
categories and waimai), with the mix of wide and deep parts chosen on the validation rows of the
categories they were trained on. A fold does no masked-language-model pretraining of its own (hours per
fold on CPU); `--loco-base` starts every fold from one pretrained model instead. Writes
JSON (all figures with n and 95% intervals, model minus baseline with a paired bootstrap
interval) and prints the Markdown tables of the model card.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ecom.reviews.baseline import Baseline
from ecom.reviews.corpora import DOMAINS, domain_group, load_split
from ecom.reviews.evaluate import metrics, paired_difference


def _pair(y, p_model, p_base) -> dict:
    y = np.asarray(y, dtype=int)
    pm, pb = (np.asarray(p_model) >= 0.5).astype(int), (np.asarray(p_base) >= 0.5).astype(int)
    return {
        "model": metrics(y, pm),
        "baseline": metrics(y, pb),
        "accuracy_difference": paired_difference(y, pm, pb, "accuracy"),
        "macro_f1_difference": paired_difference(y, pm, pb, "macro_f1"),
    }


def _model_p(model_dir, texts) -> np.ndarray:
    from ecom.reviews.score import Scorer

    return Scorer.load(model_dir).p_positive(list(texts))


def by_domain(corpora: Path, model_dir: Path) -> dict:
    train = load_split("train", corpora)
    train = train[train.label < 2]
    baseline = Baseline().fit(train.text.tolist(), train.label.to_numpy())
    out = {}
    for split in ("val", "test"):
        frame = load_split(split, corpora)
        frame = frame[frame.label < 2]
        p_model = _model_p(model_dir, frame.text)
        p_base = baseline.predict_proba(frame.text.tolist())
        out[split] = {d: _pair(frame.label[frame.domain == d], p_model[(frame.domain == d).to_numpy()], p_base[(frame.domain == d).to_numpy()]) for d in DOMAINS}
    return out


def _chinese_binary(frame: pd.DataFrame) -> pd.DataFrame:
    """The positive and negative online-shopping and waimai rows."""
    return frame[(frame.label < 2) & frame.domain.isin(["online_shopping", "waimai"])]


def loco(corpora: Path, work: Path, epochs: float, config: dict, train_args: dict | None = None, base: Path | None = None) -> dict:
    """base: a pretrained model (e.g. `OUT/pretrained` of a `reviews train --mlm-epochs` run) whose
    tokenizer and encoder every fold model starts from; its wide part is fit again on the fold."""
    from ecom.reviews.train import TrainArgs, refit_wide, train

    zh = _chinese_binary(load_split("train", corpora))
    val = _chinese_binary(load_split("val", corpora))
    held = pd.concat([val, _chinese_binary(load_split("test", corpora))])
    shopping = zh[zh.domain == "online_shopping"]
    out = {}
    for cat in sorted(shopping.cat.unique()):
        fold, fold_val = zh[zh.cat != cat], val[val.cat != cat]
        test = held[(held.domain == "online_shopping") & (held.cat == cat)]
        done = work / cat / "metrics.json"
        if not done.is_file():
            fold_args = TrainArgs(**{"threads": 1, **(train_args or {}), "epochs": epochs})
            texts, labels, domains = fold.text.tolist(), fold.label.tolist(), domain_group(fold).tolist()
            fold_val_rows = (fold_val.text.tolist(), fold_val.label.tolist())
            if base is None:
                train(texts, labels, work / cat, fold_args, config, val=fold_val_rows, resume=True, domains=domains)
            else:
                deep = work / cat / "deep"
                if not (deep / "metrics.json").is_file():
                    train(texts, labels, deep, fold_args, base=base, resume=True)
                refit_wide(deep, texts, labels, work / cat, c=fold_args.wide_c, domains=domains, val=fold_val_rows)
        p_model = _model_p(work / cat, test.text)
        p_base = Baseline().fit(fold.text.tolist(), fold.label.to_numpy()).predict_proba(test.text.tolist())
        out[cat] = _pair(test.label, p_model, p_base)
        print(cat, round(out[cat]["model"]["accuracy"], 4), round(out[cat]["baseline"]["accuracy"], 4), flush=True)
    model_acc = [v["model"]["accuracy"] for v in out.values()]
    base_acc = [v["baseline"]["accuracy"] for v in out.values()]
    out["_mean"] = {"model_accuracy": float(np.mean(model_acc)), "baseline_accuracy": float(np.mean(base_acc)), "categories": len(model_acc)}
    return out


def _ci(m: dict, key: str) -> str:
    lo, hi = m[f"{key}_ci"]
    return f"{m[key]:.3f} ({lo:.3f}–{hi:.3f})"


def markdown(result: dict) -> str:
    lines = []
    for split, domains in result.get("domains", {}).items():
        lines += [f"\n**{split}** (accuracy and macro-F1 with 95% intervals; Δ = model − baseline, paired bootstrap)\n",
                  "| corpus | n | model acc | baseline acc | Δ acc | model macro-F1 | baseline macro-F1 | Δ macro-F1 |",
                  "|---|---|---|---|---|---|---|---|"]
        for d, r in domains.items():
            da, df = r["accuracy_difference"], r["macro_f1_difference"]
            lines.append(
                f"| {d} | {r['model']['n']} | {_ci(r['model'], 'accuracy')} | {_ci(r['baseline'], 'accuracy')} | "
                f"{da['difference']:+.3f} ({da['ci'][0]:+.3f}–{da['ci'][1]:+.3f}) | {_ci(r['model'], 'macro_f1')} | "
                f"{_ci(r['baseline'], 'macro_f1')} | {df['difference']:+.3f} ({df['ci'][0]:+.3f}–{df['ci'][1]:+.3f}) |"
            )
    if "loco" in result:
        lines += ["\n**Leave one online-shopping category out** (trained without it, tested on its validation + test rows)\n",
                  "| held-out category | n | model acc | baseline acc | Δ acc |", "|---|---|---|---|---|"]
        for cat, r in result["loco"].items():
            if cat.startswith("_"):
                continue
            da = r["accuracy_difference"]
            lines.append(f"| {cat} | {r['model']['n']} | {_ci(r['model'], 'accuracy')} | {_ci(r['baseline'], 'accuracy')} | "
                         f"{da['difference']:+.3f} ({da['ci'][0]:+.3f}–{da['ci'][1]:+.3f}) |")
        mean = result["loco"]["_mean"]
        lines.append(f"| **mean of {mean['categories']}** | | {mean['model_accuracy']:.3f} | {mean['baseline_accuracy']:.3f} | "
                     f"{mean['model_accuracy'] - mean['baseline_accuracy']:+.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecom.reviews.report", description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, required=True)
    parser.add_argument("--model", type=Path, help="model directory to score on the validation and test splits")
    parser.add_argument("--loco", type=Path, metavar="DIR", help="run leave-one-category-out, training fold models under DIR")
    parser.add_argument("--loco-epochs", type=float, default=1.0)
    parser.add_argument("--config", default="{}", help="model config (JSON) for the fold models")
    parser.add_argument("--loco-train", default="{}", metavar="JSON", help='TrainArgs of the fold models, e.g. \'{"wide_c": 16, "lr": 1e-3}\'')
    parser.add_argument("--loco-base", type=Path, metavar="DIR", help="pretrained model the fold models start from (e.g. OUT/pretrained of a training run)")
    parser.add_argument("--out", type=Path, required=True, help="JSON file for the results (merged into an existing one)")
    args = parser.parse_args(argv)
    result = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    if args.model:
        result["domains"] = by_domain(args.corpora, args.model)
    if args.loco:
        result["loco"] = loco(args.corpora, args.loco, args.loco_epochs, json.loads(args.config), json.loads(args.loco_train), args.loco_base)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
