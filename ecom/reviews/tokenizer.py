"""The review tokenizer: one token per Chinese character, WordPiece for everything else.

Trained with `tokenizers` on review text, wrapped as a `PreTrainedTokenizerFast` so that
`AutoTokenizer.from_pretrained(dir)` and `transformers.pipeline` load it like any other.
Chinese is split into characters (so the model's n-gram branch sees character n-grams), English
into lower-cased words and word pieces, digits one at a time (prices and sizes need no vocabulary).
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from tokenizers.trainers import WordPieceTrainer
from transformers import PreTrainedTokenizerFast

SPECIAL = {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]"}
MAX_LENGTH = 512


def train_tokenizer(texts: Iterable[str], vocab_size: int = 16000, max_length: int = MAX_LENGTH) -> PreTrainedTokenizerFast:
    tok = Tokenizer(WordPiece(unk_token=SPECIAL["unk_token"], max_input_chars_per_word=50))
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True)]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.BertPreTokenizer(), pre_tokenizers.Digits(individual_digits=True)])
    trainer = WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=list(SPECIAL.values()),
        # Chinese needs some thousands of single characters in the alphabet; rarer ones become [UNK]
        limit_alphabet=6000,
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    cls, sep = SPECIAL["cls_token"], SPECIAL["sep_token"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{cls} $A {sep}", pair=f"{cls} $A {sep} $B {sep}", special_tokens=[(cls, tok.token_to_id(cls)), (sep, tok.token_to_id(sep))]
    )
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=max_length, padding_side="right", **SPECIAL)
