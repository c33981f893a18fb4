import json

import pytest
import torch

from ecom.reviews.tokenizer import train_tokenizer
from ecom.reviews.train import TrainArgs, length_batches, train
from tests.reviews.conftest import NEGATIVE, POSITIVE, TINY, straight_and_interrupted, tiny_data


def test_length_batches_cover_every_row_once():
    import random

    import numpy as np

    lengths = np.array([5, 1, 9, 3, 3, 7, 2])
    batches = length_batches(lengths, 3, random.Random(0))
    assert sorted(np.concatenate(batches).tolist()) == list(range(7))
    assert [len(b) for b in sorted(batches, key=len)] == [1, 3, 3]


@pytest.mark.slow
def test_resume_after_interruption_gives_the_same_model(tmp_path):
    texts, labels = tiny_data(4)
    args = TrainArgs(epochs=3, batch_size=8, vocab_size=200, save_every=4, seed=3)
    tokenizer = train_tokenizer(texts, vocab_size=200)
    a = straight_and_interrupted(tmp_path, texts, labels, args, tokenizer, lambda step, info: step == 10)
    state = torch.load(tmp_path / "resumed" / "checkpoint" / "state.pt", weights_only=False)
    assert state["step"] == 8
    train(texts, labels, tmp_path / "resumed", args, TINY, resume=True)

    from safetensors.torch import load_file

    b = load_file(tmp_path / "resumed" / "model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_tiny_model_learns_and_records_its_band(tiny_model_dir):
    metrics = json.loads((tiny_model_dir / "metrics.json").read_text())
    assert metrics["validation"]["n"] == len(POSITIVE + NEGATIVE)
    assert metrics["validation"]["accuracy"] == 1.0
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["model_type"] == "ecom-review-sentiment"
    assert config["neutral_band"] == metrics["neutral_band"]["band"]
