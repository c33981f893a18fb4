"""Telling a review's language (ecom.reviews.language) and the languages a model reads. Real review
files are checked in test_file_shapes; these are the script rules, one short text each."""

import pytest

from ecom.reviews.language import detect, model_languages
from tests.conftest import ROOT


@pytest.mark.parametrize(("text", "lang"), [
    ("质量很好，物流很快", "zh"),
    ("iPhone 15 Pro 很好用", "zh"),  # brand and model names in Latin letters inside Chinese
    ("とても良い商品です", "ja"),  # kanji among kana
    ("배송이 빨라요", "ko"),
    ("Отличный товар", "Cyrl"),
    ("Good", "en"),  # no word of another language: English
    ("barang bagus, pengiriman cepat", "id"),
    ("Muy bueno el producto", "es"),
    ("Sản phẩm tốt", "vi"),
    ("👍👍👍", None),
    ("???", None),
    ("", None),
    ("2024-05-01 12:00", None),  # ASCII without a letter
    ("Très bon produit, qualité parfaite", "fr"),  # Latin letters beyond ASCII
    ("Great dress ❤️ fits well", "en"),
    ("好评 good", "zh"),  # two Han characters outweigh one English word
])
def test_the_language_of_a_text(text, lang):
    assert detect(text) == lang


def test_the_shipped_model_reads_what_its_card_says():
    card = ROOT / "models" / "review-sentiment"

    class Config:
        model_type = "ecom-review-sentiment"

    assert model_languages(str(card), Config()) == ("zh", "en")


def test_a_model_that_says_nothing_reads_everything(tmp_path):
    class Config:
        model_type = "bert"

    assert model_languages(str(tmp_path), Config()) is None
