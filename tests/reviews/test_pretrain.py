import json

import pytest
import torch

from ecom.reviews.model import ReviewSentimentConfig, ReviewSentimentModel
from ecom.reviews.pretrain import PretrainArgs, mask_tokens, pretrain
from ecom.reviews.tokenizer import train_tokenizer
from ecom.reviews.train import TrainArgs, train
from tests.reviews.conftest import TINY, straight_and_interrupted, tiny_data


def _tiny(texts):
    tokenizer = train_tokenizer(texts, vocab_size=200)
    config = ReviewSentimentConfig(**{**TINY, "vocab_size": len(tokenizer), "pad_token_id": tokenizer.pad_token_id, "hidden_dropout_prob": 0.0})
    torch.manual_seed(0)
    return ReviewSentimentModel(config), tokenizer


def test_masking_leaves_padding_and_special_tokens_alone():
    ids = torch.tensor([[2, 10, 11, 12, 13, 3, 0, 0]] * 64)  # [CLS] 4 tokens [SEP] padding
    mask = ids.ne(0).long()
    special = torch.tensor([0, 1, 2, 3, 4])
    corrupted, chosen = mask_tokens(ids, mask, special, 4, 50, 0.5, torch.Generator().manual_seed(0))
    assert not chosen[:, [0, 5, 6, 7]].any()
    assert torch.equal(corrupted[:, [0, 5, 6, 7]], ids[:, [0, 5, 6, 7]])
    share = chosen[:, 1:5].float().mean().item()
    assert 0.4 < share < 0.6
    # chosen positions: about 80% become [MASK]; unchosen ones are never changed
    assert (corrupted[chosen] == 4).float().mean().item() > 0.6
    assert torch.equal(corrupted[~chosen], ids[~chosen])


def test_pretraining_lowers_the_masked_token_loss_and_only_moves_the_encoder(tmp_path):
    texts, _ = tiny_data(8)
    model, tokenizer = _tiny(texts)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    losses = []
    result = pretrain(model, tokenizer, texts, tmp_path, PretrainArgs(epochs=30, tokens_per_batch=256, lr=5e-3, warmup_steps=5),
                      progress=lambda step, total, info: losses.append(info["loss"]))
    assert result["steps"] == len(losses)
    assert losses[-1] < losses[4] * 0.7
    after = model.state_dict()
    assert not torch.equal(before["encoder.layers.0.qkv.weight"], after["encoder.layers.0.qkv.weight"])
    assert torch.equal(before["ngrams.table.weight"], after["ngrams.table.weight"])
    assert torch.equal(before["classifier.weight"], after["classifier.weight"])


@pytest.mark.slow
def test_pretraining_resumes_to_the_same_encoder(tmp_path):
    texts, labels = tiny_data(4)
    tokenizer = train_tokenizer(texts, vocab_size=200)
    args = TrainArgs(epochs=1, batch_size=8, vocab_size=200, mlm_epochs=20, seed=5, save_every=3)
    a = straight_and_interrupted(tmp_path, texts, labels, args, tokenizer, lambda step, info: info.get("phase") == "pretrain" and step == 7)
    state = torch.load(tmp_path / "resumed" / "pretrain-checkpoint" / "state.pt", weights_only=False)
    assert state["step"] == 6
    train(texts, labels, tmp_path / "resumed", args, TINY, resume=True)

    from safetensors.torch import load_file

    b = load_file(tmp_path / "resumed" / "model.safetensors")
    for key in a:
        assert torch.equal(a[key], b[key]), key
    steps = json.loads((tmp_path / "resumed" / "pretrain.json").read_text())["steps"]
    assert steps > 7


def test_epochs_that_pack_into_fewer_batches_still_end(tmp_path, monkeypatch):
    # with more than one chunk of texts, another shuffle can pack an epoch into a batch fewer than the
    # first; the loop must still run one batch per step and stop (it once spun forever there)
    import ecom.reviews.pretrain as pretrain_module

    pack = pretrain_module.token_batches

    def uneven(lengths, tokens_per_batch, rng):
        batches = pack(lengths, tokens_per_batch, rng)
        return batches[:-2] if rng.random() < 0.5 else batches

    monkeypatch.setattr(pretrain_module, "token_batches", uneven)
    texts, _ = tiny_data(8)
    model, tokenizer = _tiny(texts)
    steps = []
    result = pretrain(model, tokenizer, texts, tmp_path, PretrainArgs(epochs=6, tokens_per_batch=64, warmup_steps=2),
                      progress=lambda step, total, info: steps.append(step))
    assert steps == list(range(1, result["steps"] + 1))


def test_pretraining_leaves_a_base_whose_encoder_has_seen_no_label(tmp_path):
    texts, labels = tiny_data(4)
    tokenizer = train_tokenizer(texts, vocab_size=200)
    train(texts, labels, tmp_path / "run", TrainArgs(epochs=1, batch_size=8, vocab_size=200, mlm_epochs=3, seed=5), TINY, tokenizer=tokenizer)
    base = ReviewSentimentModel.from_pretrained(tmp_path / "run" / "pretrained")
    init = ReviewSentimentModel.from_pretrained(tmp_path / "run" / "init")
    pretrained = torch.load(tmp_path / "run" / "pretrain-checkpoint" / "state.pt", weights_only=False)["encoder"]
    for key, value in pretrained.items():
        assert torch.equal(base.encoder.state_dict()[key], value), key
    # the classifier and n-gram bag are as initialised: fine-tuning has not touched them
    assert torch.equal(base.classifier.weight, init.classifier.weight)
    assert not torch.equal(base.encoder.layers[0].qkv.weight, init.encoder.layers[0].qkv.weight)
    # and it is a base like any other
    result = train(texts, labels, tmp_path / "fine", TrainArgs(epochs=1, batch_size=8), base=tmp_path / "run" / "pretrained")
    assert result["train_rows"] == len(texts)
