"""Training the review model: from scratch (new tokenizer) or fine-tuning an existing directory.

Batches are drawn by length (shuffled chunks sorted by token count), so short Chinese reviews do
not pay for long English ones. The embedding tables take sparse gradients (SparseAdam): a step
only touches the rows of the n-grams and tokens in its batch, which is most of the speed on CPU.
Every `save_every` steps the full training state goes to `OUT/checkpoint/`; `resume=True` picks up
from there with the same data order, so an interrupted run ends with the same model.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ecom.reviews.checkpoint import replace_folder, restore_training_state, training_state
from ecom.reviews.evaluate import choose_neutral_band, metrics
from ecom.reviews.model import ReviewSentimentConfig, ReviewSentimentModel
from ecom.reviews.tokenizer import train_tokenizer
from ecom.reviews.wide import fit_wide

NEUTRAL = 2
Progress = Callable[[int, int, dict], None]


@dataclass
class TrainArgs:
    epochs: float = 3.0
    batch_size: int = 64
    lr: float = 2e-3
    sparse_lr: float = 1e-2
    weight_decay: float = 0.01
    warmup: float = 0.05  # share of steps
    max_length: int = 160  # tokens kept per review while training (inference reads up to the config's limit)
    save_every: int = 200
    seed: int = 13
    vocab_size: int = 16000
    threads: int = 0  # 0: leave torch's default
    mlm_epochs: float = 0.0  # masked-language-model pretraining of a new model's encoder on all texts first
    mlm_lr: float = 1e-3
    mlm_tokens: int = 0  # tokens per pretraining batch (0: batch_size * 64); a GPU takes larger batches
    mlm_warmup_steps: int = 300
    wide_c: float = 4.0  # inverse regularisation strength of the wide part's logistic regression
    device: str = "cpu"  # "cuda": train the deep part (and pretrain) on a GPU; the wide part is fit on the CPU


def encode(tokenizer, texts: Sequence[str], max_length: int) -> list[list[int]]:
    return tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]


def length_batches(lengths: np.ndarray, batch_size: int, rng: random.Random) -> list[np.ndarray]:
    """Shuffled batches of similar length: shuffle, sort within chunks of 50 batches, shuffle batches."""
    order = np.array(rng.sample(range(len(lengths)), len(lengths)))
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def collate(ids: list[list[int]], pick: np.ndarray, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    rows = [ids[i] for i in pick]
    width = max(len(r) for r in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)  # [B, T]
    for i, r in enumerate(rows):
        input_ids[i, : len(r)] = torch.tensor(r)
    return input_ids, input_ids.ne(pad_id).long()


def _optimizers(model: nn.Module, args: TrainArgs):
    sparse = [m.weight for m in model.modules() if isinstance(m, nn.Embedding) and m.sparse]
    sparse_ids = {id(p) for p in sparse}
    dense = [p for p in model.parameters() if id(p) not in sparse_ids and p.requires_grad]
    opts = [torch.optim.AdamW(dense, lr=args.lr, weight_decay=args.weight_decay)]
    if sparse:
        opts.append(torch.optim.SparseAdam(sparse, lr=args.sparse_lr))
    return opts


def _schedule(total: int, warmup: float) -> Callable[[int], float]:
    """Linear warm-up, then linear decay to zero at the last step."""
    warm = max(1, int(total * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total - step) / max(1, total - warm))

    return factor


def predict_proba(model, tokenizer, texts: Sequence[str], batch_size: int = 128, max_length: int | None = None) -> np.ndarray:
    """P(positive) for each text, batched by length (this module's own model, in memory)."""
    max_length = max_length or getattr(model.config, "max_tokens", model.config.max_position_embeddings)
    ids = encode(tokenizer, texts, max_length)
    order = np.argsort([len(r) for r in ids], kind="stable")
    out = np.empty(len(ids))
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            pick = order[start : start + batch_size]
            input_ids, mask = collate(ids, pick, tokenizer.pad_token_id)
            logits = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits.float()
            out[pick] = torch.softmax(logits, -1)[:, 1].cpu().numpy()
    return out


def binary_rows(texts: Sequence[str], labels: Sequence[int], domains: Sequence | None = None) -> tuple[list[str], np.ndarray, list[str] | None]:
    """The positive and negative rows (neutral ones left out): texts, labels as int64, domains as strings."""
    texts, labels = list(texts), list(labels)
    keep = [i for i, y in enumerate(labels) if y in (0, 1)]
    if domains is not None and len(domains) != len(labels):
        raise ValueError(f"{len(domains)} domains for {len(labels)} texts")
    return ([texts[i] for i in keep], np.array([labels[i] for i in keep], dtype=np.int64),
            [str(domains[i]) for i in keep] if domains is not None else None)


def train(
    texts: Sequence[str],
    labels: Sequence[int],
    out: Path,
    args: TrainArgs | None = None,
    config: dict | None = None,
    base: str | Path | None = None,
    val: tuple[Sequence[str], Sequence[int]] | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    tokenizer=None,
    domains: Sequence[str] | None = None,
) -> dict:
    """Train on `texts`/`labels` (0 negative, 1 positive; 2 neutral rows are left out), save to `out`.

    config: ReviewSentimentConfig fields for a new model; base: a model directory to fine-tune
    instead (its tokenizer and config are kept). tokenizer: use this one for a new model instead of
    training one (`tokenizers` breaks ties between equally frequent merges in no fixed order, so
    two tokenizer trainings on the same text can differ slightly). val: texts and labels (0/1/2) that pick the
    neutral band and give the reported metrics. domains: each text's domain (e.g. its product
    category), for a new model's wide part to keep weights per domain. Returns the metrics (also
    in out/metrics.json).
    """
    from transformers import AutoTokenizer

    args = args or TrainArgs()
    out = Path(out)
    ckpt = out / "checkpoint"
    init = out / "init"
    if args.threads:
        torch.set_num_threads(args.threads)
    all_texts = list(texts)
    texts, labels, domains = binary_rows(texts, labels, domains)
    if len(set(labels.tolist())) < 2:
        raise ValueError("training needs both positive and negative reviews")

    state = None
    if resume and (ckpt / "state.pt").is_file():
        state = torch.load(ckpt / "state.pt", weights_only=False, map_location="cpu")
        tokenizer = AutoTokenizer.from_pretrained(ckpt)
        model = ReviewSentimentModel(ReviewSentimentConfig.from_pretrained(ckpt))
        model.load_state_dict(state["model"])
        args = TrainArgs(**state["args"])
    elif resume and (init / "config.json").is_file():
        # interrupted during pretraining: the tokenizer and wide part were saved before it began
        model = ReviewSentimentModel.from_pretrained(init).float()
        tokenizer = AutoTokenizer.from_pretrained(init)
        _pretrain(model, tokenizer, all_texts, out, args, resume=True, progress=progress)
    elif base is not None:
        from ecom.reviews.score import load_model

        model, tokenizer = load_model(base)
        if not isinstance(model, ReviewSentimentModel):
            raise ValueError(f"{base}: fine-tuning needs a model of this project's kind ({model.config.model_type} given)")
    else:
        torch.manual_seed(args.seed)
        tokenizer = tokenizer or train_tokenizer(texts, vocab_size=args.vocab_size)
        fields = {"vocab_size": len(tokenizer), "pad_token_id": tokenizer.pad_token_id, **(config or {})}
        if domains is not None:
            fields["domains"] = sorted(set(domains))
        model = ReviewSentimentModel(ReviewSentimentConfig(**fields))
        if model.wide is not None:
            # the wide part is a convex fit, done once before the deep part trains (and saved with it)
            fit_wide(model, tokenizer, texts, labels, c=args.wide_c, domains=domains)
        if args.mlm_epochs > 0 and model.encoder is not None:
            # fp32, so that a run resumed from here starts from exactly these weights
            _save_fp32(model, tokenizer, init)
            _pretrain(model, tokenizer, all_texts, out, args, resume=False, progress=progress)
    device = torch.device(args.device)
    model.float().to(device)

    ids = encode(tokenizer, texts, args.max_length)
    lengths = np.array([len(r) for r in ids])
    steps_per_epoch = math.ceil(len(ids) / args.batch_size)
    total = max(1, int(steps_per_epoch * args.epochs))
    opts = _optimizers(model, args)
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, _schedule(total, args.warmup)) for o in opts]
    step = restore_training_state(opts, scheds, state) if state is not None else 0

    def save_checkpoint() -> None:
        def write(folder: Path) -> None:
            model.config.save_pretrained(folder)
            tokenizer.save_pretrained(folder)
            torch.save({"model": model.state_dict(), "args": asdict(args), **training_state(opts, scheds, step)}, folder / "state.pt")

        replace_folder(ckpt, write)

    out.mkdir(parents=True, exist_ok=True)
    loss_ema, started = None, time.time()
    model.train()
    while step < total:
        epoch, offset = divmod(step, steps_per_epoch)
        batches = length_batches(lengths, args.batch_size, random.Random(args.seed * 1000 + epoch))
        for pick in batches[offset:]:
            if step >= total:
                break
            input_ids, mask = collate(ids, pick, tokenizer.pad_token_id)
            loss = model(input_ids=input_ids.to(device), attention_mask=mask.to(device), labels=torch.from_numpy(labels[pick]).to(device)).loss
            loss.backward()
            nn.utils.clip_grad_norm_([p for p in model.parameters() if p.grad is not None and not p.grad.is_sparse], 1.0)
            for o in opts:
                o.step()
                o.zero_grad(set_to_none=True)
            for s in scheds:
                s.step()
            step += 1
            loss_ema = loss.item() if loss_ema is None else 0.98 * loss_ema + 0.02 * loss.item()
            if progress:
                progress(step, total, {"loss": loss_ema, "epoch": step / steps_per_epoch, "seconds": time.time() - started})
            if step % args.save_every == 0:
                save_checkpoint()
    save_checkpoint()
    model.eval()

    result: dict = {"train_rows": len(ids), "steps": total, "args": asdict(args)}
    if val is not None:
        result.update(validate(model, tokenizer, val[0], val[1]))
    save_model(model, tokenizer, out)
    (out / "metrics.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return result


def refit_wide(
    base: str | Path,
    texts: Sequence[str],
    labels: Sequence[int],
    out: Path,
    c: float = 4.0,
    domains: Sequence[str] | None = None,
    val: tuple[Sequence[str], Sequence[int]] | None = None,
    buckets: int | None = None,
    weight: float | None = None,
) -> dict:
    """Fit a trained model's wide part again (with `domains`, one weight copy per domain) and keep
    everything else. The deep part trains without the wide part and fitting the wide part draws
    no random numbers, so this gives the model that training with the same data and domains gives,
    in a minute instead of an hour. buckets: the wide part's hash buckets (default: the base's, or
    the config default where the base has no wide part). weight: the wide/deep mix, instead of the
    one `val` would choose. Returns the metrics (also in out/metrics.json)."""
    from ecom.reviews.score import load_model

    old, tokenizer = load_model(base)
    if not isinstance(old, ReviewSentimentModel):
        raise ValueError(f"{base}: only a model of this project's kind has a wide part ({old.config.model_type} given)")
    texts, labels, domains = binary_rows(texts, labels, domains)
    fields = old.config.to_dict()
    fields["domains"] = sorted(set(domains)) if domains is not None else []
    if buckets:
        fields["wide_buckets"] = buckets
    elif not fields.get("wide_buckets"):
        fields["wide_buckets"] = ReviewSentimentConfig().wide_buckets
    model = ReviewSentimentModel(ReviewSentimentConfig(**fields))
    model.load_state_dict({k: v for k, v in old.state_dict().items() if not k.startswith("wide.")}, strict=False)
    result = {"wide": fit_wide(model, tokenizer, texts, labels, c=c, domains=domains), "base": str(base), "wide_c": c}
    model.eval()
    if weight is not None:
        model.config.wide_weight = weight
    if val is not None:
        result.update(validate(model, tokenizer, val[0], val[1], choose_weight=weight is None))
    save_model(model, tokenizer, out)
    (Path(out) / "metrics.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return result


def validate(model, tokenizer, texts: Sequence[str], labels: Sequence[int], choose_weight: bool = True) -> dict:
    """Choose the wide/deep mix (unless told not to) and the neutral band on validation texts
    labelled 0/1/2 (set in the model's config) and return the validation metrics with that mix."""
    texts, labels = list(texts), np.asarray(labels, dtype=int)
    binary = labels != NEUTRAL
    result: dict = {}
    if choose_weight and model.wide is not None and binary.any():
        weight, loss = choose_wide_weight(model, tokenizer, [t for t, b in zip(texts, binary, strict=True) if b], labels[binary])
        model.config.wide_weight = weight
        result["wide_weight"] = {"weight": weight, "log_loss": loss, "n": int(binary.sum())}
    # scored once, with the mix it will ship with
    p = predict_proba(model, tokenizer, texts)
    result["validation"] = metrics(labels[binary], (p[binary] >= 0.5).astype(int))
    if (labels == NEUTRAL).any():
        band, score = choose_neutral_band(p, labels)
        model.config.neutral_band = list(band)
        result["neutral_band"] = {"band": list(band), "macro_f1_3class": score, "n": int(len(labels))}
    return result


def choose_wide_weight(model, tokenizer, texts: Sequence[str], labels: np.ndarray) -> tuple[float, float]:
    """The mix of wide and deep log-odds with the lowest validation log-loss (a proper score, so the
    choice does not hinge on a threshold), from 0.5 to 0.95 in steps of 0.05."""
    original = model.config.wide_weight
    model.config.wide_weight = 0.0
    deep = _log_odds(predict_proba(model, tokenizer, texts))
    model.config.wide_weight = 1.0
    wide = _log_odds(predict_proba(model, tokenizer, texts))
    model.config.wide_weight = original
    y = np.asarray(labels, dtype=float)
    best = (original, math.inf)
    for weight in np.round(np.arange(0.5, 0.951, 0.05), 2):
        z = (1 - weight) * deep + weight * wide
        loss = float(np.mean(np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y)))
        if loss < best[1]:
            best = (float(weight), loss)
    return best


def _log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def _pretrain(model, tokenizer, texts, out: Path, args: TrainArgs, resume: bool, progress: Progress | None) -> None:
    """Pretrain the encoder (ecom.reviews.pretrain); its progress is reported with phase "pretrain".

    The model as pretraining leaves it goes to OUT/pretrained: a `base` to fine-tune on other data,
    e.g. by the leave-one-category-out folds. Its encoder has read the texts but no label; its wide
    part was fit on the labels, so a fold fits that again (`refit_wide`)."""
    from ecom.reviews.pretrain import PretrainArgs, pretrain

    def report(step: int, total: int, info: dict) -> None:
        if progress:
            progress(step, total, {**info, "phase": "pretrain"})

    result = pretrain(model, tokenizer, texts, out, PretrainArgs(epochs=args.mlm_epochs, lr=args.mlm_lr, seed=args.seed, save_every=args.save_every,
                 tokens_per_batch=args.mlm_tokens or args.batch_size * 64, warmup_steps=args.mlm_warmup_steps, device=args.device),
                 resume=resume, progress=report)
    (out / "pretrain.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    _save_fp32(model, tokenizer, out / "pretrained")


def _save_fp32(model, tokenizer, folder: Path) -> None:
    """Model and tokenizer in full precision, so that what starts from them starts from exactly these weights."""
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def save_model(model, tokenizer, out: Path) -> None:
    """fp16 weights (half the size; loading turns them back to fp32 for CPU speed)."""
    model.half().save_pretrained(out)
    model.float()
    tokenizer.save_pretrained(out)
