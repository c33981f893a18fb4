"""Masked-language-model pretraining of the review model's encoder on review text, labels unused.

A classifier trained from scratch on a few tens of thousands of labelled reviews learns which
n-grams go with which label in the training domains and little else, so it fails on categories it
has not seen. Pretraining the attention encoder to fill in masked tokens first (BERT's objective:
15% of tokens chosen, 80% of those replaced by [MASK], 10% by a random token, 10% kept) lets it
learn how reviews are written — negation, "but" clauses, what is said about what — from every
review at hand, including 3★ ones and ones without a rating, before it sees a label.

Only the encoder is pretrained: the n-gram bag and the wide part read n-grams, which masking says
nothing about. The MLM head is thrown away afterwards; the encoder's weights stay in the model.
Every `save_every` steps the whole state goes to `OUT/pretrain-checkpoint/`, and `resume=True`
continues from there with the same data order.
"""

from __future__ import annotations

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
from ecom.reviews.model import ReviewSentimentModel

Progress = Callable[[int, int, dict], None]
CHECKPOINT = "pretrain-checkpoint"


@dataclass
class PretrainArgs:
    epochs: float = 3.0
    tokens_per_batch: int = 4096  # batches are packed by length up to this many tokens (padding included)
    lr: float = 1e-3
    warmup_steps: int = 300
    mask_prob: float = 0.15
    save_every: int = 500
    seed: int = 17
    # "cuda" pretrains on a GPU; the masks are drawn on the CPU either way, so both see the same draws
    device: str = "cpu"


class MlmHead(nn.Module):
    """Encoder states [N, H] -> logits over the vocabulary [N, V] (BERT's transform + decoder)."""

    def __init__(self, hidden: int, vocab: int):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.norm = nn.LayerNorm(hidden)
        self.decoder = nn.Linear(hidden, vocab)
        for linear in (self.dense, self.decoder):
            nn.init.normal_(linear.weight, std=0.02)
            nn.init.zeros_(linear.bias)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.norm(nn.functional.gelu(self.dense(h))))


def mask_tokens(
    input_ids: torch.Tensor, attention_mask: torch.Tensor, special_ids: torch.Tensor, mask_id: int, vocab_size: int, prob: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT masking. input_ids, attention_mask [B, T] -> corrupted ids [B, T], chosen positions [B, T]."""
    candidates = attention_mask.bool() & ~torch.isin(input_ids, special_ids)  # [B, T]
    chosen = candidates & (torch.rand(input_ids.shape, generator=generator) < prob)  # [B, T]
    roll = torch.rand(input_ids.shape, generator=generator)  # [B, T]
    corrupted = input_ids.clone()
    corrupted[chosen & (roll < 0.8)] = mask_id
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    # the tokenizer gives the special tokens the first ids; random replacements come from the rest
    corrupted[swap] = torch.randint(int(special_ids.max()) + 1, vocab_size, (int(swap.sum()),), generator=generator)
    return corrupted, chosen


def token_batches(lengths: np.ndarray, tokens_per_batch: int, rng: random.Random) -> list[np.ndarray]:
    """Shuffled batches of similar length, each holding at most `tokens_per_batch` padded tokens."""
    order = np.array(rng.sample(range(len(lengths)), len(lengths)))
    batches = []
    chunk = 6400
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        i = 0
        while i < len(part):
            j = i + 1
            while j < len(part) and (j - i + 1) * lengths[part[j]] <= tokens_per_batch:
                j += 1
            batches.append(part[i:j])
            i = j
    rng.shuffle(batches)
    return batches


def pretrain(
    model: ReviewSentimentModel,
    tokenizer,
    texts: Sequence[str],
    out: Path,
    args: PretrainArgs | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Pretrain `model.encoder` in place on `texts`; returns the steps run and the final MLM loss."""
    from ecom.reviews.train import collate

    args = args or PretrainArgs()
    encoder = model.encoder
    if encoder is None:
        raise ValueError("this model has no encoder to pretrain (num_hidden_layers is 0)")
    config = model.config
    ckpt = Path(out) / CHECKPOINT
    ids = tokenizer(list(texts), truncation=True, max_length=config.max_position_embeddings)["input_ids"]
    lengths = np.array([len(r) for r in ids])
    device = torch.device(args.device)
    model.to(device)
    head = MlmHead(config.hidden_size, config.vocab_size).to(device)
    special = torch.tensor(sorted(set(tokenizer.all_special_ids)))

    sparse = [encoder.tokens.weight]
    dense = [p for n, p in encoder.named_parameters() if not n.startswith("tokens.")] + list(head.parameters())
    opts = [torch.optim.AdamW(dense, lr=args.lr, weight_decay=0.01), torch.optim.SparseAdam(sparse, lr=args.lr)]
    per_epoch = len(token_batches(lengths, args.tokens_per_batch, random.Random(args.seed)))
    total = max(1, int(per_epoch * args.epochs))

    def factor(step: int) -> float:
        return min(1.0, (step + 1) / args.warmup_steps) * max(0.0, 1 - step / total)

    scheds = [torch.optim.lr_scheduler.LambdaLR(o, factor) for o in opts]
    gen = torch.Generator().manual_seed(args.seed)
    step = 0
    if resume and (ckpt / "state.pt").is_file():
        state = torch.load(ckpt / "state.pt", weights_only=False, map_location="cpu")
        encoder.load_state_dict(state["encoder"])
        head.load_state_dict(state["head"])
        gen.set_state(state["generator"])
        step = restore_training_state(opts, scheds, state)

    def save_checkpoint() -> None:
        state = {"encoder": encoder.state_dict(), "head": head.state_dict(), "args": asdict(args), "generator": gen.get_state()}
        replace_folder(ckpt, lambda folder: torch.save({**state, **training_state(opts, scheds, step)}, folder / "state.pt"))

    encoder.train()
    head.train()
    loss_ema, started = math.nan, time.time()
    while step < total:
        epoch, offset = divmod(step, per_epoch)
        batches = token_batches(lengths, args.tokens_per_batch, random.Random(args.seed * 1000 + epoch))
        # packing another order can give a batch or two more or fewer: every epoch is cut or wrapped
        # to the same count, so that step -> (epoch, batch) stays fixed and resuming finds its place
        batches = (batches * 2)[:per_epoch]
        for pick in batches[offset:]:
            if step >= total:
                break
            input_ids, mask = collate(ids, pick, tokenizer.pad_token_id)  # [B, T] each
            corrupted, chosen = mask_tokens(input_ids, mask, special, tokenizer.mask_token_id, config.vocab_size, args.mask_prob, gen)
            input_ids, mask, corrupted, chosen = (t.to(device, non_blocking=True) for t in (input_ids, mask, corrupted, chosen))
            step += 1
            if chosen.any():
                states = encoder.states(corrupted, mask)  # [B, T, H]
                loss = nn.functional.cross_entropy(head(states[chosen]), input_ids[chosen])  # over [N] chosen positions
                loss.backward()
                nn.utils.clip_grad_norm_(dense, 1.0)
                for o in opts:
                    o.step()
                    o.zero_grad(set_to_none=True)
                loss_ema = loss.item() if math.isnan(loss_ema) else 0.98 * loss_ema + 0.02 * loss.item()
            for s in scheds:
                s.step()
            if progress:
                progress(step, total, {"loss": loss_ema, "epoch": step / per_epoch, "seconds": time.time() - started})
            if step % args.save_every == 0:
                save_checkpoint()
    save_checkpoint()
    encoder.eval()
    return {"steps": total, "texts": len(ids), "tokens": int(lengths.sum()), "mlm_loss": loss_ema, "args": asdict(args)}
