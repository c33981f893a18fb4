import math

import numpy as np
import pytest
import torch

from ecom.recsys.evaluate import evaluate, rank_metrics

INF = float("inf")


def test_rank_metrics_hand_computed_with_ties():
    scores = torch.tensor([
        [-INF, 5, 3, 3, 1, 0],  # target 2 ties with item 3, one item above: places 1 or 2
        [-INF, 9, 1, 1, 1, 1],  # target 1 alone at the top
        [-INF, 2, -INF, 1, 1, 1],  # target 2 excluded: a miss
        [-INF, 0, 0, 0, 0, 0],  # a constant scorer: places 0..4 equally likely
    ])  # fmt: skip
    targets = torch.tensor([2, 1, 2, 4])
    hr, ndcg = rank_metrics(scores, targets, k=2)
    assert hr.tolist() == pytest.approx([0.5, 1.0, 0.0, 0.4])
    assert ndcg.tolist() == pytest.approx([(1 / math.log2(3)) / 2, 1.0, 0.0, (1 + 1 / math.log2(3)) / 5])
    hr, ndcg = rank_metrics(scores, targets, k=10)
    assert hr.tolist() == pytest.approx([1.0, 1.0, 0.0, 1.0])
    assert ndcg[0].item() == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / 2)
    assert ndcg[3].item() == pytest.approx(sum(1 / math.log2(r + 2) for r in range(5)) / 5)


def test_full_ranking_counts_every_item():
    # 30 items; the target is beaten by exactly 9 or 12 others: rank 9 is a hit at 10, rank 12 is not
    scores = torch.arange(31, dtype=torch.float32).flip(0)[None].repeat(2, 1)  # item i scores 30 - i
    scores[:, 0] = -INF
    hr, ndcg = rank_metrics(scores, torch.tensor([10, 13]), k=10)
    assert hr.tolist() == [1.0, 0.0]
    assert ndcg.tolist() == pytest.approx([1 / math.log2(11), 0.0])


def test_evaluate_excludes_bought_items_unless_repeatable_and_reports_coverage():
    fixed = torch.tensor([-INF, 9.0, 5.0, 4.0, 3.0, 2.0])

    def score(histories):
        return fixed.expand(len(histories), -1)

    hist = [np.array([1]), np.array([3])]
    targets = np.array([2, 1])
    res = evaluate(score, hist, targets, 6, k=2)
    # user 1: item 1 bought -> target 2 first (NDCG 1); user 2: target 1 first
    assert (res.hr, res.ndcg, res.users) == (1.0, 1.0, 2)
    # top-2 lists: {2, 3} and {1, 2} -> 3 of 5 items shown
    assert res.coverage == pytest.approx(3 / 5)
    repeatable = np.array([False, True, False, False, False, False])
    res = evaluate(score, hist, targets, 6, repeatable=repeatable, k=2)
    # item 1 may be shown again: user 1's target drops to place 1
    assert res.ndcg == pytest.approx((1 / math.log2(3) + 1) / 2)
    assert res.hr == 1.0
