"""The language of a review, told cheaply, and the languages a review model reads.

A model reads the languages it was trained on. The shipped one was trained on Chinese and English
corpora; given an Indonesian review it still returns a probability, which means nothing. So each
review's language is told first (`detect`) and a review in a language the model does not read is
left unscored (`ecom.reviews.score`), and the Reviews page says how many and why.

No language-detection library is installed, and none is needed for this: Han characters, kana,
Hangul and most other scripts name the language (or at least the script) by themselves. Latin-script
text is English unless the common words of another language outnumber the English ones in it, so a
one-word "Good" stays English while "barang bagus, pengiriman cepat" is Indonesian. Text without
letters (emoji, "???") has no language: it is scored as before, the model being no worse at it than
anything else.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

# Unicode character-name prefixes -> language (or ISO 15924 script where one script serves many languages)
_SCRIPTS = (
    ("CJK UNIFIED IDEOGRAPH", "zh"), ("CJK COMPATIBILITY IDEOGRAPH", "zh"), ("HIRAGANA", "kana"), ("KATAKANA", "kana"),
    ("HANGUL", "ko"), ("CYRILLIC", "Cyrl"), ("ARABIC", "Arab"), ("HEBREW", "he"), ("THAI", "th"), ("DEVANAGARI", "Deva"),
    ("GREEK", "el"), ("LATIN", "Latn"),
)
# one Han character, kana or Hangul syllable says about what an English word of three letters does
_WIDE = {"zh": 3, "kana": 3, "ko": 3}
# Common words (function words and the commonest review words) of Latin-script languages; a word in
# several lists counts for the first of them (English's first).
_WORDS = {
    "en": "the and is it this was for with not but very you are have has my they to of in on that too so would just all "
          "be one good great nice love product quality works perfect fit size price recommend bought well".split(),
    "id": "yang dan tidak ini itu dengan untuk sudah saya tapi juga ada bisa sangat barang bagus sesuai cepat pengiriman terima "
          "kasih mantap banget kurang pesanan sampai aman baik rapi murah harga yg dgn tdk gak nggak udah sdh lagi karena jadi "
          "belum semoga puas berfungsi kualitas produk pengemasan penjual dikirim packing di ke dari nya ga gk engga bgt beli "
          "baru lama jelek kecewa mengecewakan rusak kecil besar buat pakai pake dipakai sekali ternyata langsung aja saja suka "
          "apa sama enak cuma hanya semua sampe agak mau terimakasih makasih parah setelah kirim terus belanja sih bukan kok "
          "mudah lebih cepet malah udh jangan aku anak asli toko banyak terlalu padahal jg hari minta dulu masih pesan mati "
          "kotor nyaman bahan bahannya barangnya warna warnanya gampang keren oke disini tipis pas".split(),
    "es": "el los las que muy es para por una pero bueno buena producto calidad todo bien llegó lo".split(),
    "pt": "os muito não para uma mas bom boa produto qualidade tudo bem chegou veio é".split(),
    "fr": "le les et est très pour avec une mais pas bon bonne produit qualité je ce".split(),
    "de": "der das und ist sehr nicht mit für ein eine aber gut gute produkt qualität ich".split(),
    "it": "il lo è molto non con buono buona prodotto qualità tutto".split(),
    "nl": "het een en zeer niet met voor goed goede kwaliteit ik".split(),
    "tr": "ve bir bu çok için ile ama ürün güzel iyi değil".split(),
}
_VIETNAMESE = re.compile(r"[ơưđăƠƯĐĂ\u1ea0-\u1ef9]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def _word_language() -> dict[str, str]:
    out: dict[str, str] = {}
    for lang, words in _WORDS.items():
        for w in words:
            out.setdefault(w, lang)
    return out


@lru_cache(maxsize=65536)
def _script(ch: str) -> str | None:
    if ch.isascii():
        return "Latn" if ch.isalpha() else None
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return next((script for prefix, script in _SCRIPTS if name.startswith(prefix)), "other")


def detect(text: str | None) -> str | None:
    """The review's language (ISO 639-1, or an ISO 15924 script code such as Cyrl), or None without letters."""
    text = text or ""
    if text.isascii():  # the common case read without a look at each character: Latin letters or none
        return _latin(text) if _ASCII_LETTER.search(text) else None
    weight: dict[str, int] = {}
    # a long text's distinct characters once (counting them costs more than it saves on a short one)
    for ch, n in Counter(text).items() if len(text) > 64 else ((ch, 1) for ch in text):
        script = _script(ch)
        if script is not None:
            weight[script] = weight.get(script, 0) + n * _WIDE.get(script, 1)
    if not weight:
        return None
    if weight.get("kana", 0) * 10 >= weight.get("zh", 0) > 0 or weight.get("kana", 0) > weight.get("zh", 0):
        return "ja"  # Japanese writes kanji among its kana; Chinese has no kana
    top = max(weight, key=lambda s: (weight[s], s == "zh"))
    return _latin(text) if top == "Latn" else top


def _latin(text: str) -> str:
    if len(_VIETNAMESE.findall(text)) >= 2:
        return "vi"
    hits: dict[str, int] = {}
    words = _word_language()
    for w in _LATIN_WORD.findall(text.lower()):
        lang = words.get(w)
        if lang is not None:
            hits[lang] = hits.get(lang, 0) + 1
    other = max((lang for lang in hits if lang != "en"), key=lambda lang: hits[lang], default=None)
    return other if other is not None and hits[other] > hits.get("en", 0) else "en"


def model_languages(where: str, config) -> tuple[str, ...] | None:
    """The languages a model reads: its config's `languages`, else its model card's `language`, else,
    for this project's own model type, its training corpora's; None when nothing says (every text is
    then scored, as a model of unknown coverage cannot be second-guessed)."""
    said = getattr(config, "languages", None) or _card_languages(Path(where) / "README.md")
    if said:
        return tuple(said)
    if getattr(config, "model_type", None) == "ecom-review-sentiment":
        from ecom.reviews.corpora import SOURCES

        return tuple(dict.fromkeys(s.lang for s in SOURCES))
    return None


def _card_languages(card: Path) -> list[str]:
    """The `language:` of a Hugging Face model card's metadata ("language: [zh, en]", or one)."""
    from huggingface_hub.repocard import metadata_load

    said = (metadata_load(card) or {}).get("language") or [] if card.is_file() else []
    return [str(x) for x in ([said] if isinstance(said, str) else said)]
