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
from ecom.recsys.model import PAD, SASRec, SASRecConfig

# progress(done, total, message): done/total in epochs, message a short status line
Progress = Callable[[float, float, str], None]


@dataclass
class TrainConfig:
    epochs: int = 30
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.0
    patience: int = 3
    max_seconds: float = 170.0
    sampled_negatives: int = 0  # 0: full softmax; else this many shared negatives per batch
    valid_users: int = 4000  # validation subset size (full ranking) for early stopping
    seed: int = 0
    threads: int = 0  # torch threads; 0 leaves torch's default


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


def _loss(model: SASRec, inp: torch.Tensor, tgt: torch.Tensor, negatives: int, rng: torch.Generator) -> torch.Tensor:
    hidden = model(inp)  # (B, L, H)
    real = tgt != PAD  # (B, L)
    h = hidden[real]  # (N, H) real positions only
    y = tgt[real]  # (N,)
    emb = model.item_emb.weight  # (V, H)
    if not negatives:
        logits = h @ emb[1:].T  # (N, V-1): padding is never a target
        return F.cross_entropy(logits, y - 1)
    neg = torch.randint(1, emb.shape[0], (negatives,), generator=rng)  # (K,) shared by the batch
    pos_logit = (h * emb[y]).sum(-1, keepdim=True)  # (N, 1)
    neg_logits = h @ emb[neg].T  # (N, K)
    neg_logits = neg_logits.masked_fill(neg[None, :] == y[:, None], float("-inf"))  # a sampled target is no negative
    logits = torch.cat([pos_logit, neg_logits], 1)  # (N, 1+K)
    return F.cross_entropy(logits, torch.zeros(len(y), dtype=torch.long))


def model_scorer(model: SASRec, batch_size: int = 512) -> Callable[[list[np.ndarray]], torch.Tensor]:
    def score(histories: list[np.ndarray]) -> torch.Tensor:
        model.eval()
        out = []
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
    # the vocabulary size always comes from the data; everything else from the config as given
    config = dataclasses.replace(config, n_items=n_items) if config else SASRecConfig(n_items=n_items)
    if tc.threads:
        torch.set_num_threads(tc.threads)
    torch.manual_seed(tc.seed)
    rng = np.random.default_rng(tc.seed)
    trng = torch.Generator().manual_seed(tc.seed)
    model = SASRec(config)
    opt = torch.optim.Adam(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay)
    pairs = [(s[:-1][-config.max_len :], s[1:][-config.max_len :]) for s in split.train if len(s) >= 2]
    if not pairs:
        raise ValueError("no customer has two or more purchases: nothing to learn a next item from")
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
            loss = _loss(model, inp, tgt, tc.sampled_negatives, trng)
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
        if stale >= tc.patience or time.perf_counter() - start > tc.max_seconds:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return TrainResult(model, epoch, best_epoch, best, time.perf_counter() - start, history)
