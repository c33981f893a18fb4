import torch

from ecom.reviews.model import ReviewSentimentConfig, ReviewSentimentModel, hashed_ngrams, masked_mean
from tests.reviews.conftest import TINY


def tiny(**over):
    torch.manual_seed(0)
    return ReviewSentimentModel(ReviewSentimentConfig(**{"vocab_size": 50, **TINY, **over}))


def test_hashed_ngrams_shapes_and_validity():
    ids = torch.tensor([[2, 7, 9, 3], [2, 8, 3, 0]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    grams, valid = hashed_ngrams(ids, mask, orders=3, buckets=1000)
    assert grams.shape == (2, 4 + 3 + 2) and valid.shape == (2, 9)
    # row 2 has 3 real tokens: 3 unigrams, 2 bigrams, 1 trigram are inside the text
    assert valid[1].tolist() == [True, True, True, False, True, True, False, True, False]
    # the bigram (7, 9) by hand: salt + 7*1_000_003 + 9*998_244_353, modulo the buckets
    assert grams[0, 5].item() == (2_654_435_761 + 7 * 1_000_003 + 9 * 998_244_353) % 1000
    # the same n-gram hashes alike wherever it stands
    same = hashed_ngrams(torch.tensor([[7, 9]]), torch.tensor([[1, 1]]), 2, 1000)[0]
    assert same[0, 2].item() == grams[0, 5].item()


def test_masked_mean():
    x = torch.tensor([[[1.0], [3.0], [100.0]]])
    assert masked_mean(x, torch.tensor([[1, 1, 0]])).item() == 2.0


def test_output_shapes():
    model = tiny().eval()
    ids = torch.randint(5, 50, (3, 7))
    out = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=torch.tensor([0, 1, 1]))
    assert out.logits.shape == (3, 2)
    assert out.loss.shape == ()
    assert tiny(num_hidden_layers=0).eval()(input_ids=ids).logits.shape == (3, 2)


def test_padding_does_not_change_logits():
    model = tiny().eval()
    ids = torch.tensor([[2, 11, 12, 13, 3]])
    padded = torch.tensor([[2, 11, 12, 13, 3, 0, 0]])
    a = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
    b = model(input_ids=padded, attention_mask=padded.ne(0).long()).logits
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_loss_falls_over_a_few_steps():
    from ecom.reviews.train import TrainArgs, _optimizers

    model = tiny()
    ids = torch.randint(5, 50, (8, 6))
    labels = torch.tensor([0, 1] * 4)
    opts = _optimizers(model, TrainArgs(lr=1e-2, sparse_lr=5e-2))
    losses = []
    for _ in range(30):
        loss = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels).loss
        loss.backward()
        for o in opts:
            o.step()
            o.zero_grad()
        losses.append(loss.item())
    assert losses[0] > 0.6  # about ln 2 at the start
    assert losses[-1] < 0.5 * losses[0]


def test_save_load_gives_identical_logits(tmp_path):
    model = tiny().eval()
    ids = torch.randint(5, 50, (4, 9))
    before = model(input_ids=ids).logits
    model.save_pretrained(tmp_path)
    from transformers import AutoModelForSequenceClassification

    loaded = AutoModelForSequenceClassification.from_pretrained(tmp_path).eval()
    assert type(loaded) is ReviewSentimentModel
    assert torch.equal(before, loaded(input_ids=ids).logits)


def test_bucket_counts_by_hand():
    from ecom.reviews.model import bucket_counts

    grams = torch.tensor([[5, 3, 5, 9, 5]])
    valid = torch.tensor([[True, True, True, True, False]])
    s, counts, keep = bucket_counts(grams, valid)
    assert s.tolist() == [[-1, 3, 5, 5, 9]]
    assert counts[0, 1:].tolist() == [1, 2, 2, 1]
    assert keep.tolist() == [[False, True, True, True, True]]


def test_wide_part_equals_tfidf_logistic_regression_and_mixes_at_inference():
    import numpy as np

    from ecom.reviews.tokenizer import train_tokenizer
    from ecom.reviews.wide import fit_wide, tfidf, tfidf_counts
    from tests.reviews.conftest import tiny_data

    texts, labels = tiny_data(2)
    tok = train_tokenizer(texts, vocab_size=150)
    model = ReviewSentimentModel(ReviewSentimentConfig(vocab_size=len(tok), **{**TINY, "wide_buckets": 4096}))
    fit_wide(model, tok, texts, labels)
    enc = tok(texts[:12], padding=True, return_tensors="pt")
    model.eval()
    z = model.wide(enc.input_ids, enc.attention_mask).detach().numpy()
    x = tfidf(tfidf_counts(model, tok, texts[:12]), model.wide.idf.numpy().astype(np.float64))
    expected = np.asarray(x @ model.wide.weight.numpy().astype(np.float64)).ravel() + model.wide.bias.item()
    np.testing.assert_allclose(z, expected, rtol=1e-4, atol=1e-5)
    assert ((z > 0) == np.array(labels[:12], dtype=bool)).all()
    # inference mixes the log-odds of the deep and wide parts by wide_weight (0.8 by default)
    logits = model(**enc).logits.detach()
    wide, model.wide = model.wide, None
    deep = model(**enc).logits.detach()
    assert model.config.wide_weight == 0.8
    mixed = 0.2 * (deep[:, 1] - deep[:, 0]).numpy() + 0.8 * z
    np.testing.assert_allclose((logits[:, 1] - logits[:, 0]).numpy(), mixed, rtol=1e-5, atol=1e-6)
    # training runs the deep part alone: the same as without a wide part
    model.train()
    torch.manual_seed(1)
    alone = model(**enc).logits.detach()
    model.wide = wide
    torch.manual_seed(1)
    assert torch.equal(model(**enc).logits.detach(), alone)


def _domain_xor():
    """"薄" (thin) is praise for a phone and a complaint about a coat, "厚" (thick) the other way round;
    the domain word is far from the sentiment word, so no n-gram holds both and no single linear
    model over the shared n-grams can label all four kinds of review right (an XOR)."""
    kinds = [("手机收到了。很薄", 1, "phone"), ("手机收到了。很厚", 0, "phone"), ("外套收到了。很薄", 0, "coat"), ("外套收到了。很厚", 1, "coat")]
    texts, labels, domains = zip(*(kinds * 6), strict=True)
    return list(texts), list(labels), list(domains)


def test_domain_copies_learn_what_a_shared_wide_part_cannot():
    import numpy as np

    from ecom.reviews.tokenizer import train_tokenizer
    from ecom.reviews.wide import fit_wide

    texts, labels, domains = _domain_xor()
    tok = train_tokenizer(texts, vocab_size=120)
    enc = tok(texts[:4], padding=True, return_tensors="pt")

    def wide_log_odds(**over) -> np.ndarray:
        model = ReviewSentimentModel(ReviewSentimentConfig(vocab_size=len(tok), **{**TINY, "wide_buckets": 1 << 14, **over})).eval()
        fit_wide(model, tok, texts, labels, c=100.0, domains=domains)
        return model, model.wide(enc.input_ids, enc.attention_mask).detach().numpy()

    _, shared = wide_log_odds()
    assert ((shared > 0) == np.array(labels[:4], dtype=bool)).sum() <= 3
    model, z = wide_log_odds(domains=["coat", "phone"], domain_buckets=256)
    assert ((z > 0) == np.array(labels[:4], dtype=bool)).all()
    # the domain is read from the text alone
    new = tok(["这件外套挺好", "新手机"], padding=True, return_tensors="pt")
    index, x = model.wide.features(new.input_ids, new.attention_mask)
    assert model.wide.domain_logits(index, x).argmax(-1).tolist() == [0, 1]


def test_domain_model_saves_and_loads_identical_logits(tmp_path):
    from ecom.reviews.tokenizer import train_tokenizer
    from ecom.reviews.wide import fit_wide

    texts, labels, domains = _domain_xor()
    tok = train_tokenizer(texts, vocab_size=120)
    model = tiny(vocab_size=len(tok), domains=["coat", "phone"], domain_buckets=256).eval()
    fit_wide(model, tok, texts, labels, domains=domains)
    model.save_pretrained(tmp_path)
    again = ReviewSentimentModel.from_pretrained(tmp_path).eval()
    assert again.config.domains == ["coat", "phone"]
    enc = tok(texts[:4], padding=True, return_tensors="pt")
    assert torch.equal(model(**enc).logits, again(**enc).logits)


def test_fit_wide_needs_a_known_domain_for_every_text():
    import pytest

    from ecom.reviews.tokenizer import train_tokenizer
    from ecom.reviews.wide import fit_wide

    texts, labels, domains = _domain_xor()
    tok = train_tokenizer(texts, vocab_size=120)
    model = tiny(vocab_size=len(tok), domains=["coat", "phone"], domain_buckets=256)
    with pytest.raises(ValueError, match="give every training text its domain"):
        fit_wide(model, tok, texts, labels)
    with pytest.raises(ValueError, match="not in the model's config: shoe"):
        fit_wide(model, tok, texts, labels, domains=domains[:-1] + ["shoe"])
