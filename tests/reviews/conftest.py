import pytest


class Stop(Exception):
    """Raised from a progress callback to interrupt training."""


def straight_and_interrupted(tmp_path, texts, labels, args, tokenizer, stop) -> dict:
    """Train into tmp_path/"straight" without a break and into tmp_path/"resumed" until
    `stop(step, info)` is true (the run is interrupted there, not resumed); returns the straight
    run's weights {name: tensor}."""
    from safetensors.torch import load_file

    from ecom.reviews.train import train

    train(texts, labels, tmp_path / "straight", args, TINY, tokenizer=tokenizer)

    def interrupt(step, total, info):
        if stop(step, info):
            raise Stop

    with pytest.raises(Stop):
        train(texts, labels, tmp_path / "resumed", args, TINY, progress=interrupt, tokenizer=tokenizer)
    return load_file(tmp_path / "straight" / "model.safetensors")


TINY = {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 32, "ngram_buckets": 512, "ngram_dim": 8, "max_position_embeddings": 64, "wide_buckets": 1024}

POSITIVE = ["质量很好，物流很快", "非常满意，下次还来", "great quality, fast delivery", "love it, works perfectly", "味道好，送餐快", "excellent product, very happy"]
NEGATIVE = ["质量太差，非常失望", "垃圾，退货了", "terrible quality, broke in a day", "waste of money, very bad", "送餐太慢，菜都凉了", "awful, do not buy"]


def tiny_data(repeat: int = 8):
    texts = (POSITIVE + NEGATIVE) * repeat
    labels = ([1] * len(POSITIVE) + [0] * len(NEGATIVE)) * repeat
    return texts, labels


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny model trained for a few steps on the phrases above (seconds on one core)."""
    from ecom.reviews.train import TrainArgs, train

    out = tmp_path_factory.mktemp("tiny-model")
    texts, labels = tiny_data()
    train(texts, labels, out, TrainArgs(epochs=6, batch_size=16, vocab_size=200, lr=1e-2, sparse_lr=5e-2), TINY,
          val=(POSITIVE + NEGATIVE + ["还行吧"], [1] * 6 + [0] * 6 + [2]))
    return out
