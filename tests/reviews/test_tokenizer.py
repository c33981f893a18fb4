from ecom.reviews.tokenizer import train_tokenizer

CORPUS = ["物流很快，质量很好！Great quality, fast delivery.", "快递慢，质量差 but the price is great", "great great quality 物流"] * 20


def test_round_trip_mixed_chinese_english(tmp_path):
    tok = train_tokenizer(CORPUS, vocab_size=120)
    text = "物流很快, Great quality!"
    ids = tok(text)["input_ids"]
    assert tok.convert_ids_to_tokens(ids) == ["[CLS]", "物", "流", "很", "快", ",", "great", "quality", "!", "[SEP]"]
    # decoding gives the normalised text back: lower case, one space between Chinese characters
    assert tok.decode(ids, skip_special_tokens=True) == "物 流 很 快, great quality!"
    tok.save_pretrained(tmp_path)
    from transformers import AutoTokenizer

    again = AutoTokenizer.from_pretrained(tmp_path)
    assert again(text)["input_ids"] == ids
    assert again.pad_token_id == 0 and again.unk_token == "[UNK]"


def test_unknown_characters_and_digits():
    tok = train_tokenizer(CORPUS, vocab_size=120)
    tokens = tok.convert_ids_to_tokens(tok("龘 128")["input_ids"])
    # digits are split one by one, so "128" is three tokens (here all unknown to this tiny vocabulary)
    assert tokens == ["[CLS]", "[UNK]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"]
