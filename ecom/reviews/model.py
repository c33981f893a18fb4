"""The review-sentiment model: a hashed n-gram bag beside a small transformer encoder, plus a
TF-IDF logistic-regression part over the same n-grams, all in one `PreTrainedModel`.

Two trained branches read the same token ids and meet in one linear classifier (the "deep" part):

- n-gram branch (fastText-like): every token 1-, 2- and 3-gram is hashed into one of
  `ngram_buckets` rows of an embedding table and the rows are averaged. Chinese tokens are
  characters and English tokens are words, so these are character n-grams for Chinese and word
  n-grams for English: the features a TF-IDF baseline uses, and what carries across domains.
- attention branch: token + position embeddings through `num_layers` pre-norm transformer layers,
  mean-pooled over the real tokens; it reads word order and negation scope that bags cannot.

- wide part (optional, `wide_buckets > 0`): a logistic regression over sublinear TF-IDF weights
  of the hashed token 1–3-grams, fit by `ecom.reviews.wide.fit_wide` (convex, exact) rather than
  by gradient steps. At inference the log-odds of the two parts are mixed,
  `(1 - wide_weight) * deep + wide_weight * wide`; in training mode only the deep part runs, so
  it learns on its own rather than on the residual of a regression that already fits the
  training set almost perfectly. It is an ensemble of two different learners inside one model.
- domains (optional, `domains` names two or more): the wide part also learns one copy of its
  weights per domain (product category, platform, corpus), as in "frustratingly easy domain
  adaptation" (Daumé 2007) with the copies hashed into the same buckets (Weinberger et al. 2009):
  "薄" is praise for a phone and a complaint about a coat. A small multinomial regression over the
  same TF-IDF row, folded into `domain_buckets` columns, weighs the copies by how likely each
  domain is, so inference needs nothing but the text; a review from an unseen domain gets the
  copies of the domains it resembles.

The n-grams are computed from `input_ids` inside `forward`, so the model takes exactly what any
Hugging Face sequence classifier takes and works with `AutoModelForSequenceClassification`,
`pipeline("text-classification")` and `from_pretrained` once this module is imported.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import AutoConfig, AutoModelForSequenceClassification, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput
from transformers.utils import logging as hf_logging

MODEL_TYPE = "ecom-review-sentiment"

# Multipliers that mix the token ids of an n-gram into one hash (distinct odd primes per position)
_MIX = (1_000_003, 998_244_353, 1_076_767_633, 1_299_709, 2_147_483_629)
# An offset per n-gram order, so the unigram "a" and a bigram that hashes alike differ
_ORDER_SALT = (0, 2_654_435_761, 1_597_334_677, 3_812_015_801, 2_246_822_519)
# Moves a bucket to its per-domain copy: bucket * _MIX[0] + (domain + 1) * _DOMAIN_SALT, modulo the buckets
_DOMAIN_SALT = 3_266_489_917


class ReviewSentimentConfig(PretrainedConfig):
    """Defaults are a small, fast model (the first shipped checkpoint's); the shipped model's own
    config.json sets a larger encoder, a smaller wide part and domains (see its model card)."""

    model_type = MODEL_TYPE

    def __init__(
        self,
        vocab_size: int = 16000,
        hidden_size: int = 64,
        num_hidden_layers: int = 2,
        num_attention_heads: int = 4,
        intermediate_size: int = 128,
        max_position_embeddings: int = 256,
        max_tokens: int = 512,
        ngram_buckets: int = 1 << 17,
        ngram_dim: int = 64,
        ngram_orders: int = 3,
        hidden_dropout_prob: float = 0.1,
        ngram_dropout_prob: float = 0.2,
        pad_token_id: int = 0,
        neutral_band: tuple[float, float] = (0.4, 0.6),
        wide_buckets: int = 1 << 21,
        wide_weight: float = 0.8,
        domains: list[str] | None = None,
        domain_buckets: int = 1 << 16,
        **kwargs,
    ):
        kwargs.setdefault("id2label", {0: "negative", 1: "positive"})
        if kwargs.get("label2id") is None:
            kwargs["label2id"] = {v: int(k) for k, v in kwargs["id2label"].items()}
        super().__init__(pad_token_id=pad_token_id, **kwargs)
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.intermediate_size = intermediate_size
        self.max_position_embeddings = max_position_embeddings
        # the n-gram and wide parts read up to max_tokens tokens, the encoder the first max_position_embeddings
        self.max_tokens = max_tokens
        self.ngram_buckets = ngram_buckets
        self.ngram_dim = ngram_dim
        self.ngram_orders = ngram_orders
        self.hidden_dropout_prob = hidden_dropout_prob
        self.ngram_dropout_prob = ngram_dropout_prob
        # P(positive) in [low, high) is labelled neutral; chosen on validation data by training
        self.neutral_band = list(neutral_band)
        self.wide_buckets = wide_buckets
        self.wide_weight = wide_weight
        # names of the domains the wide part keeps a weight copy for (fewer than two: none)
        self.domains = list(domains or [])
        self.domain_buckets = domain_buckets


def hashed_ngrams(input_ids: torch.Tensor, attention_mask: torch.Tensor, orders: int, buckets: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Bucket ids of all token n-grams (n = 1..orders) and whether each is inside the text.

    input_ids, attention_mask: [B, T]  ->  ids [B, G], valid [B, G] with G = sum_n (T - n + 1)
    """
    ids = input_ids.long()
    mask = attention_mask.bool()
    grams, valid = [], []
    for n in range(1, orders + 1):
        if n > ids.shape[1]:
            break
        width = ids.shape[1] - n + 1
        h = torch.full_like(ids[:, :width], _ORDER_SALT[n - 1])  # [B, T-n+1]
        ok = torch.ones_like(mask[:, :width])
        for k in range(n):
            h = h + ids[:, k : k + width] * _MIX[k]
            ok = ok & mask[:, k : k + width]
        grams.append(h % buckets)
        valid.append(ok)
    return torch.cat(grams, dim=1), torch.cat(valid, dim=1)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """x [B, L, D], mask [B, L] -> [B, D]: the mean over the positions where mask is true."""
    weights = mask.to(x.dtype).unsqueeze(-1)  # [B, L, 1]
    return (x * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def bucket_counts(grams: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each row's n-gram buckets sorted, with how often each occurs in its row.

    grams, valid: [B, G] -> sorted buckets [B, G], count of that bucket in the row [B, G], valid [B, G]
    """
    g = torch.where(valid, grams, torch.full_like(grams, -1))
    s = torch.sort(g, dim=1).values  # [B, G], invalid (-1) first
    width = s.shape[1]
    pos = torch.arange(width, device=s.device).expand_as(s)  # [B, G]
    starts = torch.ones_like(valid)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = torch.ones_like(valid)
    ends[:, :-1] = s[:, :-1] != s[:, 1:]
    first = torch.cummax(torch.where(starts, pos, torch.zeros_like(pos)), dim=1).values  # [B, G] start of each run
    last = torch.flip(torch.cummin(torch.flip(torch.where(ends, pos, torch.full_like(pos, width)), [1]), dim=1).values, [1])
    return s, last - first + 1, s >= 0


def domain_buckets(buckets: torch.Tensor, domain: torch.Tensor, size: int) -> torch.Tensor:
    """The bucket of each n-gram's copy for a domain: buckets [..., G] and domain [...] -> [..., G]."""
    return (buckets * _MIX[0] + (domain.unsqueeze(-1) + 1) * _DOMAIN_SALT) % size


class Wide(nn.Module):
    """Logistic regression on L2-normalised sublinear TF-IDF of hashed token n-grams: [B, T] -> [B]."""

    def __init__(self, config: ReviewSentimentConfig):
        super().__init__()
        self.orders = config.ngram_orders
        self.buckets = config.wide_buckets
        self.idf = nn.Parameter(torch.zeros(config.wide_buckets), requires_grad=False)
        self.weight = nn.Parameter(torch.zeros(config.wide_buckets), requires_grad=False)
        self.bias = nn.Parameter(torch.zeros(()), requires_grad=False)
        self.domain_count = len(config.domains) if len(config.domains) > 1 else 0
        if self.domain_count:
            self.domain_fold = config.domain_buckets
            self.domain_weight = nn.Parameter(torch.zeros(config.domain_buckets, self.domain_count), requires_grad=False)
            self.domain_bias = nn.Parameter(torch.zeros(self.domain_count), requires_grad=False)

    def features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Each text's distinct buckets [B, G] and their TF-IDF value per occurrence [B, G] (zero for
        padding), scaled so that a row's values over distinct buckets have unit L2 norm."""
        grams, valid = hashed_ngrams(input_ids, attention_mask, self.orders, self.buckets)  # [B, G]
        sorted_grams, counts, keep = bucket_counts(grams, valid)  # [B, G] each
        index = sorted_grams.clamp(min=0)
        counts = counts.to(self.idf.dtype)
        # a bucket occurring c times has feature (1 + ln c) * idf; each of its c positions carries 1/c of it
        value = (1 + torch.log(counts)) * self.idf[index] * keep  # [B, G]
        norm = torch.sqrt((value * value / counts).sum(1)).clamp(min=1e-12)  # [B]
        return index, value / counts / norm[:, None]  # [B, G], [B, G]

    def domain_logits(self, index: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """index, x [B, G] (from `features`) -> [B, domains]"""
        w = self.domain_weight[index % self.domain_fold]  # [B, G, D]
        return (x.unsqueeze(-1) * w).sum(1) + self.domain_bias  # [B, D]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        index, x = self.features(input_ids, attention_mask)  # [B, G], [B, G]
        z = (x * self.weight[index]).sum(1) + self.bias  # [B]
        if self.domain_count:
            # each domain's copy weighted by how likely the review is from it: softer than the most
            # likely domain alone where categories are alike (tablets and phones)
            p = torch.softmax(self.domain_logits(index, x), -1)  # [B, D]
            domains = torch.arange(self.domain_count, device=index.device)  # [D]
            copies = self.weight[domain_buckets(index.unsqueeze(1), domains[None, :], self.buckets)]  # [B, D, G]
            z = z + (p * (copies * x.unsqueeze(1)).sum(-1)).sum(-1)  # [B]
        return z


class NgramBag(nn.Module):
    def __init__(self, config: ReviewSentimentConfig):
        super().__init__()
        self.orders = config.ngram_orders
        self.buckets = config.ngram_buckets
        self.dropout_prob = config.ngram_dropout_prob
        self.table = nn.Embedding(config.ngram_buckets, config.ngram_dim, sparse=True)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        grams, valid = hashed_ngrams(input_ids, attention_mask, self.orders, self.buckets)  # [B, G], [B, G]
        if self.training and self.dropout_prob > 0:
            # Drop whole n-grams so the classifier cannot lean on a few domain-specific ones
            valid = valid & (torch.rand(valid.shape, device=valid.device) >= self.dropout_prob)
        return masked_mean(self.table(grams), valid)  # [B, ngram_dim]


class EncoderLayer(nn.Module):
    """A pre-norm transformer layer. Attention goes through F.scaled_dot_product_attention, which
    is many times faster on CPU with a padding mask than nn.TransformerEncoderLayer's fused path."""

    def __init__(self, config: ReviewSentimentConfig):
        super().__init__()
        h = config.hidden_size
        self.heads = config.num_attention_heads
        self.p = config.hidden_dropout_prob
        self.norm1 = nn.LayerNorm(h)
        self.qkv = nn.Linear(h, 3 * h)
        self.out = nn.Linear(h, h)
        self.norm2 = nn.LayerNorm(h)
        self.ffn_in = nn.Linear(h, config.intermediate_size)
        self.ffn_out = nn.Linear(config.intermediate_size, h)
        self.dropout = nn.Dropout(self.p)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x [B, T, H], mask [B, T] (True for real tokens) -> [B, T, H]"""
        b, t, h = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)  # 3 x [B, heads, T, d]
        attended = nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=mask[:, None, None, :], dropout_p=self.p if self.training else 0.0
        )  # [B, heads, T, d]
        x = x + self.dropout(self.out(attended.transpose(1, 2).reshape(b, t, h)))
        return x + self.dropout(self.ffn_out(self.dropout(nn.functional.gelu(self.ffn_in(self.norm2(x))))))


class Encoder(nn.Module):
    def __init__(self, config: ReviewSentimentConfig):
        super().__init__()
        self.tokens = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id, sparse=True)
        self.positions = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = nn.LayerNorm(config.hidden_size)

    def states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """[B, T] -> [B, T, H]: one vector per token (what masked-language-model pretraining reads)."""
        mask = attention_mask.bool()  # [B, T]
        mask = mask | ~mask.any(1, keepdim=True)  # an all-padding row would make attention NaN
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)  # [T]
        x = self.dropout(self.tokens(input_ids) + self.positions(positions))  # [B, T, H]
        for layer in self.layers:
            x = layer(x, mask)  # [B, T, H]
        return self.norm(x)  # [B, T, H]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return masked_mean(self.states(input_ids, attention_mask), attention_mask)  # [B, H]


class ReviewSentimentModel(PreTrainedModel):
    config_class = ReviewSentimentConfig
    base_model_prefix = "review"
    _no_split_modules: list[str] = []

    def __init__(self, config: ReviewSentimentConfig):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.ngrams = NgramBag(config)
        self.encoder = Encoder(config) if config.num_hidden_layers > 0 else None
        width = config.ngram_dim + (config.hidden_size if self.encoder is not None else 0)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(width, config.num_labels)
        self.wide = Wide(config) if config.wide_buckets > 0 else None
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, Wide):
            return  # set by fit_wide, zeros until then
        if isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
            if module.padding_idx is not None:
                with torch.no_grad():
                    module.weight[module.padding_idx].zero_()
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **kwargs,
    ) -> SequenceClassifierOutput:
        if attention_mask is None:
            attention_mask = input_ids.ne(self.config.pad_token_id)
        input_ids = input_ids[:, : self.config.max_tokens]  # [B, T]
        attention_mask = attention_mask[:, : self.config.max_tokens]  # [B, T]
        features = [self.ngrams(input_ids, attention_mask)]  # [B, ngram_dim]
        if self.encoder is not None:
            first = self.config.max_position_embeddings
            features.append(self.encoder(input_ids[:, :first], attention_mask[:, :first]))  # [B, hidden]
        logits = self.classifier(self.dropout(torch.cat(features, dim=-1)))  # [B, num_labels]
        if self.wide is not None and not self.training and self.num_labels == 2:
            w = self.config.wide_weight
            log_odds = (1 - w) * (logits[:, 1] - logits[:, 0]) + w * self.wide(input_ids, attention_mask)  # [B]
            logits = torch.stack([-log_odds / 2, log_odds / 2], dim=-1)  # [B, 2]
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def traced_for_inference(model: ReviewSentimentModel):
    """`model`'s inference as one frozen TorchScript graph: (input_ids [B, T], attention_mask [B, T]) ->
    logits [B, num_labels], or None where it cannot be made or does not give the model's own logits.

    Why: an eager forward is ~60 small operations per batch, and Python's lock is taken back after
    each of them. While another thread runs Python (a page being drawn, in the same server) every
    taking-back waits for that thread's turn to end: 4,000 reviews took 57.7 s instead of 3.5 s
    beside a busy Python thread. The traced graph runs without the lock (4.5 s there) and ~10% faster
    alone. `torch.jit` is deprecated in favour of `torch.compile`, which needs a C++ compiler and
    minutes at start-up on this hardware; with the pinned torch the trace works, and the scorer falls
    back to the eager forward where it does not.
    """
    import warnings

    class Logits(nn.Module):
        def __init__(self, inner: ReviewSentimentModel):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    generator = torch.Generator().manual_seed(0)
    # traced at one shape, checked at others: texts as short as one token and longer than the encoder reads
    probes = [torch.randint(4, model.config.vocab_size, (n, t), generator=generator) for n, t in ((4, 16), (3, 1), (2, 2), (5, 200))]
    verbosity = hf_logging.get_verbosity()
    try:
        # the tracer reads every attribute, PreTrainedModel.loss_function's "loss_type=None" notice included
        hf_logging.set_verbosity_error()
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # the deprecation, and the tracer's notes on shape arithmetic checked below
            traced = torch.jit.freeze(torch.jit.trace(Logits(model).eval(), (probes[0], torch.ones_like(probes[0])), check_trace=False))
            for ids in probes:
                mask = torch.ones_like(ids)
                mask[0, ids.shape[1] // 2 + 1 :] = 0  # a padded row
                if not torch.allclose(traced(ids, mask), model(input_ids=ids, attention_mask=mask).logits, atol=1e-5):
                    return None
    except Exception:  # a torch without TorchScript, or a module it cannot trace: the eager forward serves
        return None
    finally:
        hf_logging.set_verbosity(verbosity)
    return traced


AutoConfig.register(MODEL_TYPE, ReviewSentimentConfig)
AutoModelForSequenceClassification.register(ReviewSentimentConfig, ReviewSentimentModel)
