import math

import numpy as np
import pytest
import torch

from ecom.recsys.baselines import ItemKNN
from ecom.recsys.blend import choose_weight, load_knn, mix, save_knn

# Items 1..4 (0 is padding). Training pairs 1↔2 and 3↔4, so item-kNN predicts the validation
# targets perfectly, while the "model" confidently predicts the other pair's item.
TRAIN = [np.array([1, 2]), np.array([1, 2]), np.array([3, 4]), np.array([3, 4])]
VALID_HIST = [np.array([1]), np.array([3])]
VALID_TARGET = np.array([2, 4])


def wrong_model(histories):
    scores = torch.zeros(len(histories), 5)
    for r, h in enumerate(histories):
        scores[r, 4 if h[-1] == 1 else 2] = 9.0
    return scores


def test_weight_and_temperature_come_from_validation_where_knn_is_right():
    knn = ItemKNN().fit(TRAIN, 5)
    best, ndcg = choose_weight(wrong_model, knn, VALID_HIST, VALID_TARGET)
    # transformer alone: the target ties with one other item for places 2-3 in both rows
    assert ndcg[0.0, 1.0] == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / 2)
    # at T=4 the model's top item has p = e^2.25 / (e^2.25 + 4) = 0.7034 and the target 0.0741:
    # kNN's probability 1 on the target wins once w > 0.6293 (1 - w), i.e. from w = 0.4 on the grid
    assert ndcg[0.35, 4.0] == pytest.approx(1 / math.log2(3))
    assert ndcg[0.4, 4.0] == pytest.approx(1.0)
    # at T=1 and T=2 the model is sharper, so kNN needs w = 0.5
    assert ndcg[0.45, 2.0] == pytest.approx(1 / math.log2(3))
    assert ndcg[0.5, 1.0] == pytest.approx(1.0)
    assert best == (0.4, 4.0)


def test_mix_is_a_distribution_and_knn_survives_save_load(tmp_path):
    knn = ItemKNN().fit(TRAIN, 5)
    save_knn(tmp_path, knn)
    loaded = load_knn(tmp_path, 5)
    hist = [np.array([1]), np.array([3, 4])]
    assert torch.equal(loaded.score(hist), knn.score(hist))
    p = mix(wrong_model(hist), knn.score(hist), 0.4, 4.0)
    assert p.sum(1).tolist() == pytest.approx([1.0, 1.0])
    assert p[0, 2].item() == pytest.approx(0.6 / (math.exp(2.25) + 4) + 0.4)
    assert load_knn(tmp_path / "none", 5) is None


def test_the_served_scores_are_the_evaluated_blend(trained):
    from ecom.recsys.recommend import Recommender, customer_histories
    from ecom.recsys.train import model_scorer

    wh, model_dir, record = trained
    assert record["config"]["knn_weight"] > 0.0  # on the sample, validation prefers some kNN
    rec = Recommender.load(wh, model_dir)
    customer, history = max(customer_histories(wh).items(), key=lambda kv: len(kv[1]))
    seq = np.array([rec.index[p] for p in history])
    c = rec.model.config
    expected = mix(model_scorer(rec.model)([seq]), rec.knn.score([seq]), c.knn_weight, c.temperature)[0]
    for r in rec.recommend(customer, history):
        assert r.score == pytest.approx(expected[rec.index[r.product_id]].item(), rel=1e-5)
