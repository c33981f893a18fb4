"""The next-item model: a small causal transformer over a customer's purchase sequence (SASRec-style).

Each product is a word, each customer's history a sentence, and the model reads it left to right,
predicting at every position the product that comes next. Scores over the whole catalogue are dot
products between the last hidden state and the item embeddings (input and output tied), so the
model has few parameters and learns from little data.

Everything the model needs is in `SASRecConfig`, passed whole; `save_pretrained` writes it with
the weights and the item vocabulary into one directory, `from_pretrained` reads it back.

Shapes: B = batch of customers, L = sequence length (≤ max_len, left-padded with 0),
H = hidden size, V = vocabulary size (index 0 is padding, never recommended).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
VOCAB_FILE = "items.json"
PAD = 0


@contextmanager
def threads(n: int) -> Iterator[None]:
    """Run torch on `n` threads inside the block (0: leave as is). The model is small: on 2 cores
    shared with other work, OpenMP's spinning second thread made training epochs and previews several
    times slower than one thread (see bench/recsys.py), so training and scoring use one."""
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class SASRecConfig:
    n_items: int  # vocabulary size V, padding included
    max_len: int = 50  # the most recent purchases the model reads
    hidden: int = 64
    n_layers: int = 2
    n_heads: int = 2
    dropout: float = 0.3
    knn_weight: float = 0.0  # share of item-kNN in the served next-item probabilities (see blend), chosen on validation
    temperature: float = 1.0  # softmax temperature of the transformer inside that blend, chosen with it

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SASRecConfig:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class Block(nn.Module):
    """Pre-norm transformer block: causal self-attention, then a position-wise feed-forward."""

    def __init__(self, config: SASRecConfig):
        super().__init__()
        self.n_heads = config.n_heads
        self.ln1 = nn.LayerNorm(config.hidden)
        self.qkv = nn.Linear(config.hidden, 3 * config.hidden)
        self.proj = nn.Linear(config.hidden, config.hidden)
        self.ln2 = nn.LayerNorm(config.hidden)
        self.ff = nn.Sequential(
            nn.Linear(config.hidden, config.hidden),
            nn.GELU(),
            nn.Dropout(config.dropout),
            nn.Linear(config.hidden, config.hidden),
        )
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # x: (B, L, H); mask: (B, 1, L, L) bool, True where a position may attend
        b, n, h = x.shape  # n = L
        q, k, v = self.qkv(self.ln1(x)).split(h, dim=-1)  # 3 × (B, L, H)
        q, k, v = (t.view(b, n, self.n_heads, h // self.n_heads).transpose(1, 2) for t in (q, k, v))  # (B, nh, L, H/nh)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=self.drop.p if self.training else 0.0)
        a = a.transpose(1, 2).reshape(b, n, h)  # (B, L, H)
        x = x + self.drop(self.proj(a))
        return x + self.drop(self.ff(self.ln2(x)))


class SASRec(nn.Module):
    def __init__(self, config: SASRecConfig):
        super().__init__()
        self.config = config
        self.item_emb = nn.Embedding(config.n_items, config.hidden, padding_idx=PAD)
        self.pos_emb = nn.Embedding(config.max_len, config.hidden)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.ln = nn.LayerNorm(config.hidden)
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        """Hidden states (B, L, H) for left-padded item indices `seq` (B, L)."""
        n = seq.shape[1]  # L
        # Positions count back from the newest purchase, so the last one is always max_len - 1
        # whatever length a batch was padded to (batches are bucketed by length).
        pos = torch.arange(self.config.max_len - n, self.config.max_len, device=seq.device)  # (L,)
        x = self.item_emb(seq) * self.config.hidden**0.5 + self.pos_emb(pos)  # (B, L, H)
        x = self.drop(x)
        valid = seq != PAD  # (B, L)
        causal = torch.ones(n, n, dtype=torch.bool, device=seq.device).tril()  # (L, L)
        # attend to earlier real purchases, and always to oneself (a padding row must not be all-masked)
        mask = (causal & valid[:, None, :]) | torch.eye(n, dtype=torch.bool, device=seq.device)  # (B, L, L)
        mask = mask[:, None]  # (B, 1, L, L)
        for block in self.blocks:
            x = block(x, mask)
        return self.ln(x)

    def item_scores(self, hidden: torch.Tensor) -> torch.Tensor:
        """Scores (..., V) of every item for hidden states (..., H); padding scores -inf."""
        scores = hidden @ self.item_emb.weight.T
        scores[..., PAD] = float("-inf")
        return scores

    @torch.no_grad()
    def score_next(self, seq: torch.Tensor) -> torch.Tensor:
        """Scores (B, V) for the item following each left-padded sequence (B, L)."""
        return self.item_scores(self.forward(seq[:, -self.config.max_len :])[:, -1])

    # -- save / load -------------------------------------------------------------------------
    def save_pretrained(self, directory: str | Path, items: list[str]) -> None:
        """Write config, weights and the item vocabulary (items[i] is the product id of index i)."""
        from safetensors.torch import save_file

        if len(items) != self.config.n_items:
            raise ValueError(f"vocabulary has {len(items)} entries, the model {self.config.n_items}")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / CONFIG_FILE).write_text(json.dumps({"model_type": "sasrec", **self.config.to_dict()}, indent=2), encoding="utf-8")
        (directory / VOCAB_FILE).write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        save_file({k: v.contiguous() for k, v in self.state_dict().items()}, str(directory / WEIGHTS_FILE))

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> tuple[SASRec, list[str]]:
        """The model (in eval mode) and its item vocabulary."""
        from safetensors.torch import load_file

        directory = Path(directory)
        for name in (CONFIG_FILE, WEIGHTS_FILE, VOCAB_FILE):
            if not (directory / name).is_file():
                raise FileNotFoundError(f"{directory} holds no trained recommender ({name} missing): run `python -m ecom recommend train`")
        config = SASRecConfig.from_dict(json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8")))
        model = cls(config)
        model.load_state_dict(load_file(str(directory / WEIGHTS_FILE)))
        model.eval()
        items = json.loads((directory / VOCAB_FILE).read_text(encoding="utf-8"))
        return model, items
