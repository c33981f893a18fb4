import numpy as np
import pytest

from ecom.recsys.baselines import DAY, ItemKNN, Popularity
from ecom.recsys.compare import repeatable_items
from ecom.recsys.data import build, leave_one_out
from ecom.recsys.evaluate import evaluate
from ecom.recsys.model import SASRecConfig
from ecom.recsys.train import TrainConfig, model_scorer, train


def test_popularity_counts_only_the_recent_window():
    train = [np.array([1, 2, 2]), np.array([3, 3, 3])]
    times = [np.array([0, 100, 100]) * DAY, np.array([1, 2, 3]) * DAY]
    pop = Popularity(window_days=10).fit(train, 4, times)
    assert pop.counts.tolist() == [0, 0, 2, 0]  # only day 90..100 counts
    pop = Popularity(window_days=None).fit(train, 4, times)
    assert pop.counts.tolist() == [0, 1, 2, 3]
    assert pop.score([np.array([1])] * 2).shape == (2, 4)


def test_item_knn_recovers_a_planted_co_purchase_pair():
    rng = np.random.default_rng(0)
    n_items = 41
    train = [rng.choice(np.arange(3, n_items), size=3, replace=False) for _ in range(300)]
    # item 1 and item 2 are bought by the same 40 customers (with noise around them)
    for u in range(40):
        train[u] = np.array([1, train[u][0], 2])
    knn = ItemKNN().fit(train, n_items)
    scores = knn.score([np.array([1]), np.array([2])]).numpy()
    scores[:, 0] = -np.inf
    scores[0, 1] = scores[1, 2] = -np.inf  # the item itself
    assert scores[0].argmax() == 2
    assert scores[1].argmax() == 1
    # cosine: 40 / sqrt(40 * 40), damped by 40 / (40 + shrink 10)
    assert knn.sim[1, 2] == pytest.approx(40 / 50)


def test_repeatable_items():
    train = [np.array([1, 1, 2]), np.array([1, 1]), np.array([2, 3, 3]), np.array([2])]
    # item 1: 2 of 2 buyers bought it twice; item 3: only 1 repeater (< 2); item 2: no repeater
    assert repeatable_items(train, 4).tolist() == [False, True, False, False]


def test_model_learns_a_then_b_which_popularity_cannot():
    # ten chains A_i -> B_i -> C_i (B_i = A_i + 10, C_i = A_i + 20); each customer follows two
    # different chains. All C_i are equally popular, so popularity ranks the right one first 1 time
    # in 10; the sequence gives it away (training sees one full chain and the next chain's start)
    rng = np.random.default_rng(0)
    rows = []
    for u in range(300):
        chains = rng.choice(np.arange(1, 11), size=2, replace=False)
        rows.append((f"u{u}", [f"i{a + step}" for a in chains for step in (0, 10, 20)], None))
    data = build(rows)
    split = leave_one_out(data)
    config = SASRecConfig(n_items=data.n_items, max_len=4, hidden=16, n_layers=1, n_heads=1, dropout=0.0)
    result = train(split, data.n_items, config, TrainConfig(epochs=30, batch_size=32, lr=1e-2, patience=5, seed=0))
    model = evaluate(model_scorer(result.model), split.test_hist, split.test_target, data.n_items, k=1)
    pop = Popularity(None).fit(split.train, data.n_items)
    popular = evaluate(pop.score, split.test_hist, split.test_target, data.n_items, k=1)
    assert model.hr > 0.95
    assert popular.hr < 0.2
