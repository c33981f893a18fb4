"""Training the next-item model, with a progress callback and early stopping on validation.

Speed on CPU comes from three choices: batches hold customers of similar history length (little
padding), the loss is computed only at real positions, and the softmax runs over the full catalogue
in one matrix product per batch (or, for very large catalogues, over sampled negatives). Training
stops when validation NDCG@10 has not improved for `patience` epochs, or when `max_seconds` runs out.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from ecom.recsys.data import Split, pad_left
from ecom.recsys.evaluate import evaluate
from ecom.recsys.model import PAD, SASRec, SASRecConfig, threads

# progress(done, total, message): done/total in epochs, message a short status line
Progress = Callable[[float, float, str], None]


@dataclass
class TrainConfig:
    epochs: int = 30
    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 0.0
    patience: int = 4
    max_seconds: float = 170.0  # time budget: no epoch starts that would likely end after it
    sampled_negatives: int = 2048  # shared negatives per batch; 0, or a catalogue no larger: full softmax
    negative_power: float = 0.5  # negatives are drawn ∝ popularity ** this (0: uniform)
    valid_users: int = 10000  # validation subset size (full ranking) for early stopping
    seed: int = 0
    threads: int = 1  # torch threads while training (0: torch's default); see model.threads


@dataclass
class TrainResult:
    model: SASRec
    epochs: int
    best_epoch: int
    best_valid_ndcg: float
    seconds: float
    history: list[dict] = field(default_factory=list)


def _batches(pairs: list[tuple[np.ndarray, np.ndarray]], batch_size: int, rng: np.random.Generator):
    """Batches of (input, target) pairs of similar length, in random order."""
    lengths = np.array([len(p[0]) for p in pairs]) + rng.random(len(pairs))  # jitter shuffles within a length
    order = np.argsort(lengths)
    chunks = [order[a : a + batch_size] for a in range(0, len(order), batch_size)]
    rng.shuffle(chunks)
    for chunk in chunks:
        length = max(len(pairs[i][0]) for i in chunk)
        yield (
            torch.from_numpy(pad_left([pairs[i][0] for i in chunk], length)),
            torch.from_numpy(pad_left([pairs[i][1] for i in chunk], length)),
        )


def _loss(model: SASRec, inp: torch.Tensor, tgt: torch.Tensor, negatives: int, rng: torch.Generator, q: torch.Tensor | None = None) -> torch.Tensor:
    """Cross-entropy of the next item at every real position: over the whole catalogue, or over the
    target and `negatives` items shared by the batch, drawn from `q` (V,) with the log-q correction
    that makes the sampled softmax an unbiased stand-in for the full one."""
    hidden = model(inp)  # (B, L, H)
    real = tgt != PAD  # (B, L)
    h = hidden[real]  # (N, H) real positions only
    y = tgt[real]  # (N,)
    emb = model.item_emb.weight  # (V, H)
    if not negatives or negatives >= emb.shape[0] - 1:
        logits = h @ emb[1:].T  # (N, V-1): padding is never a target
        return F.cross_entropy(logits, y - 1)
    neg = torch.multinomial(q, negatives, replacement=True, generator=rng)  # (K,) shared by the batch
    log_q = torch.log(q * negatives)  # (V,) expected draws of each item, in logs
    pos_logit = (h * emb[y]).sum(-1, keepdim=True) - log_q[y][:, None]  # (N, 1)
    neg_logits = h @ emb[neg].T - log_q[neg][None, :]  # (N, K)
    neg_logits = neg_logits.masked_fill(neg[None, :] == y[:, None], float("-inf"))  # a sampled target is no negative
    logits = torch.cat([pos_logit, neg_logits], 1)  # (N, 1+K)
    return F.cross_entropy(logits, torch.zeros(len(y), dtype=torch.long))


def sampling_distribution(train: list[np.ndarray], n_items: int, power: float = 0.5) -> torch.Tensor:
    """(V,) probabilities for drawing negatives: smoothed popularity (count + 1) ** power, no padding."""
    counts = np.bincount(np.concatenate(train), minlength=n_items).astype(np.float64) if train else np.zeros(n_items)
    q = (counts + 1.0) ** power
    q[PAD] = 0.0
    return torch.from_numpy(q / q.sum()).float()


def model_scorer(model: SASRec, batch_size: int = 512, n_threads: int = 1) -> Callable[[list[np.ndarray]], torch.Tensor]:
    def score(histories: list[np.ndarray]) -> torch.Tensor:
        model.eval()
        out = []
        with threads(n_threads):
            for a in range(0, len(histories), batch_size):
                chunk = histories[a : a + batch_size]
                length = min(model.config.max_len, max(1, max(len(h) for h in chunk)))
                out.append(model.score_next(torch.from_numpy(pad_left(chunk, length))))
        return torch.cat(out)

    return score


def train(
    split: Split,
    n_items: int,
    config: SASRecConfig | None = None,
    tc: TrainConfig | None = None,
    repeatable: np.ndarray | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Train on `split.train`, early-stopping on validation NDCG@10; returns the best epoch's model."""
    tc = tc or TrainConfig()
    with threads(tc.threads):
        return _train(split, n_items, config, tc, repeatable, progress)


def _train(split: Split, n_items: int, config: SASRecConfig | None, tc: TrainConfig, repeatable: np.ndarray | None, progress: Progress | None) -> TrainResult:
    # the vocabulary size always comes from the data; everything else from the config as given
    config = dataclasses.replace(config, n_items=n_items) if config else SASRecConfig(n_items=n_items)
    torch.manual_seed(tc.seed)
    rng = np.random.default_rng(tc.seed)
    trng = torch.Generator().manual_seed(tc.seed)
    model = SASRec(config)
    opt = torch.optim.Adam(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay)
    pairs = [(s[:-1][-config.max_len :], s[1:][-config.max_len :]) for s in split.train if len(s) >= 2]
    if not pairs:
        raise ValueError("no customer has two or more purchases: nothing to learn a next item from")
    q = sampling_distribution(split.train, n_items, tc.negative_power)
    pick = rng.permutation(len(split.valid_target))[: tc.valid_users]
    v_hist = [split.valid_hist[i] for i in pick]
    v_tgt = split.valid_target[pick]
    n_batches = math.ceil(len(pairs) / tc.batch_size)
    start = time.perf_counter()
    best, best_epoch, best_state, history, stale = -1.0, 0, None, [], 0
    epoch = 0
    for epoch in range(1, tc.epochs + 1):
        model.train()
        total = 0.0
        for b, (inp, tgt) in enumerate(_batches(pairs, tc.batch_size, rng), start=1):
            loss = _loss(model, inp, tgt, tc.sampled_negatives, trng, q)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
            if progress and (b % 20 == 0 or b == n_batches):
                progress(epoch - 1 + b / n_batches, tc.epochs, f"epoch {epoch}: loss {total / b:.3f}")
        valid = evaluate(model_scorer(model), v_hist, v_tgt, n_items, repeatable) if len(v_tgt) else None
        ndcg = valid.ndcg if valid else 0.0
        history.append({"epoch": epoch, "loss": total / n_batches, "valid_ndcg@10": ndcg, "seconds": time.perf_counter() - start})
        if progress:
            progress(epoch, tc.epochs, f"epoch {epoch}: loss {total / n_batches:.3f}, validation NDCG@10 {ndcg:.4f}")
        if ndcg > best:
            best, best_epoch, stale = ndcg, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
        elapsed = time.perf_counter() - start
        # stop before an epoch that would end past the time budget (epochs take about equally long)
        if stale >= tc.patience or elapsed * (epoch + 1) / epoch > tc.max_seconds:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return TrainResult(model, epoch, best_epoch, best, time.perf_counter() - start, history)
