import numpy as np
import pytest

from ecom.reviews.evaluate import choose_neutral_band, macro_f1, metrics, paired_difference, three_way, wilson


def test_wilson_by_hand():
    # p = 0.8, n = 100: centre (0.8 + 1.92/100) / 1.0384, half-width 1.96*sqrt(0.0016 + 0.00009604) / 1.0384
    lo, hi = wilson(80, 100)
    assert lo == pytest.approx(0.7112, abs=1e-4) and hi == pytest.approx(0.8667, abs=1e-4)


def test_metrics_by_hand():
    y = [1, 1, 1, 0, 0]
    p = [1, 1, 0, 0, 1]
    m = metrics(y, p)
    assert m["n"] == 5 and m["accuracy"] == pytest.approx(0.6)
    assert m["confusion"] == [[1, 1], [1, 2]]
    # F1 negative = 2*1/(2+2) = 0.5, F1 positive = 2*2/(3+3) = 2/3
    assert m["macro_f1"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert m["per_class"][1]["recall"] == pytest.approx(2 / 3)
    lo, hi = m["macro_f1_ci"]
    assert lo <= m["macro_f1"] <= hi


def test_paired_difference_of_identical_models_is_zero():
    y = np.array([0, 1] * 50)
    d = paired_difference(y, y, y)
    assert d == {"difference": 0.0, "ci": [0.0, 0.0]}
    better = paired_difference(y, y, 1 - y)
    assert better["difference"] == 1.0


def test_neutral_band_is_chosen_on_labelled_neutrals():
    p = np.array([0.05, 0.1, 0.2, 0.45, 0.5, 0.55, 0.8, 0.9, 0.95])
    y = np.array([0, 0, 0, 2, 2, 2, 1, 1, 1])
    band, score = choose_neutral_band(p, y)
    assert score == 1.0
    assert three_way(p, band).tolist() == y.tolist()
    assert macro_f1(y, three_way(p, (0.5, 0.5)), 3) < 1.0
