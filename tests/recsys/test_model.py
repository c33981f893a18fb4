import numpy as np
import pytest
import torch

from ecom.recsys.data import Split, pad_left
from ecom.recsys.model import PAD, SASRec, SASRecConfig
from ecom.recsys.train import TrainConfig, _batches, _loss, train

TINY = SASRecConfig(n_items=12, max_len=8, hidden=16, n_layers=1, n_heads=2, dropout=0.0)


def test_shapes_and_padding():
    torch.manual_seed(0)
    model = SASRec(TINY).eval()
    seq = torch.tensor([[0, 0, 3, 4, 5], [1, 2, 3, 4, 5]])
    hidden = model(seq)
    assert hidden.shape == (2, 5, 16)
    scores = model.score_next(seq)
    assert scores.shape == (2, 12)
    assert torch.isinf(scores[:, PAD]).all() and (scores[:, PAD] < 0).all()
    assert torch.isfinite(scores[:, 1:]).all()


def test_left_padding_does_not_change_scores():
    # the same history padded to different lengths must score identically: padding is masked out
    torch.manual_seed(0)
    model = SASRec(TINY).eval()
    a = model.score_next(torch.tensor([[3, 4, 5]]))
    b = model.score_next(torch.tensor([[0, 0, 0, 3, 4, 5]]))
    torch.testing.assert_close(a, b)


def test_sequences_longer_than_max_len_keep_the_newest():
    torch.manual_seed(0)
    model = SASRec(TINY).eval()
    long = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]])
    torch.testing.assert_close(model.score_next(long), model.score_next(long[:, -8:]))


def test_pad_left():
    out = pad_left([np.array([1, 2, 3]), np.array([4])], 2)
    assert out.tolist() == [[2, 3], [0, 4]]


def _cycle_split(n_users=60, n_items=11, length=6, seed=0):
    rng = np.random.default_rng(seed)
    seqs = []
    for _ in range(n_users):
        start = rng.integers(1, n_items)
        seqs.append(np.array([(start + k - 1) % (n_items - 1) + 1 for k in range(length)], dtype=np.int64))
    return Split(seqs, np.arange(n_users), [s[:-2] for s in seqs], np.array([s[-2] for s in seqs]), [s[:-1] for s in seqs], np.array([s[-1] for s in seqs]))


def test_loss_falls():
    torch.manual_seed(0)
    split = _cycle_split()
    model = SASRec(SASRecConfig(n_items=11, max_len=8, hidden=16, n_layers=1, n_heads=1, dropout=0.0))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    pairs = [(s[:-1], s[1:]) for s in split.train]
    rng = np.random.default_rng(0)
    g = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(15):
        for inp, tgt in _batches(pairs, 16, rng):
            loss = _loss(model, inp, tgt, 0, g)
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses.append(loss.item())
    # 10 items: chance is log(10) = 2.30; the cycle is deterministic, so the loss must go far below
    assert losses[0] > 1.5
    assert losses[-1] < 0.3


@pytest.mark.parametrize("negatives", [0, 4])
def test_train_returns_best_epoch_and_history(negatives):
    split = _cycle_split()
    result = train(split, 11, SASRecConfig(n_items=11, max_len=8, hidden=16, n_layers=1, n_heads=1, dropout=0.0),
                   TrainConfig(epochs=6, batch_size=16, lr=1e-2, patience=6, sampled_negatives=negatives, seed=1))  # fmt: skip
    assert result.epochs == 6 and len(result.history) == 6
    assert result.best_valid_ndcg == max(h["valid_ndcg@10"] for h in result.history)
    assert result.best_valid_ndcg > 0.9  # the successor of a cycle is always predictable


def test_save_load_identical_scores(tmp_path):
    torch.manual_seed(0)
    model = SASRec(TINY).eval()
    items = ["<pad>"] + [f"P{i:02d}" for i in range(1, 12)]
    model.save_pretrained(tmp_path / "m", items)
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["config.json", "items.json", "model.safetensors"]
    loaded, loaded_items = SASRec.from_pretrained(tmp_path / "m")
    assert loaded_items == items
    assert loaded.config == model.config
    seq = torch.tensor([[0, 1, 5, 7], [2, 3, 4, 11]])
    assert torch.equal(model.score_next(seq), loaded.score_next(seq))


def test_save_rejects_a_vocabulary_of_the_wrong_size(tmp_path):
    with pytest.raises(ValueError, match="vocabulary has 3 entries, the model 12"):
        SASRec(TINY).save_pretrained(tmp_path, ["<pad>", "a", "b"])


def test_load_missing_directory_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="recommend train"):
        SASRec.from_pretrained(tmp_path / "nothing")
