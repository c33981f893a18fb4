"""Classification metrics with their 95% intervals, and the neutral band chosen on validation data.

Accuracy gets a Wilson score interval; macro-F1 and differences between two models on the same
reviews get a (paired) bootstrap percentile interval with a fixed seed, so figures reproduce.
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054
BOOTSTRAP = 1000


def wilson(successes: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return (centre - half, centre + half)


def confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """[k, k] counts: rows are the true class, columns the predicted one."""
    return np.bincount(np.asarray(y_true) * k + np.asarray(y_pred), minlength=k * k).reshape(k, k)


def _macro_f1_from_confusions(conf: np.ndarray) -> np.ndarray:
    """conf [..., k, k] -> macro-F1 [...] (a class absent from truth and prediction counts as F1 0)."""
    tp = np.diagonal(conf, axis1=-2, axis2=-1).astype(float)
    denom = conf.sum(-1) + conf.sum(-2)
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return f1.mean(-1)


def macro_f1(y_true, y_pred, k: int = 2) -> float:
    return float(_macro_f1_from_confusions(confusion(y_true, y_pred, k)))


def _bootstrap_index(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(BOOTSTRAP, n))


def _boot_macro_f1(y_true: np.ndarray, y_pred: np.ndarray, k: int, idx: np.ndarray) -> np.ndarray:
    codes = (y_true * k + y_pred)[idx]  # [BOOTSTRAP, n]
    counts = np.stack([(codes == c).sum(1) for c in range(k * k)], axis=1).reshape(-1, k, k)
    return _macro_f1_from_confusions(counts)


def metrics(y_true, y_pred, k: int = 2) -> dict:
    """accuracy, macro_f1, n, per-class precision/recall/F1, confusion matrix, each with a 95% CI."""
    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    n = len(y_true)
    conf = confusion(y_true, y_pred, k)
    correct = int(np.trace(conf))
    out = {
        "n": n,
        "accuracy": correct / n if n else float("nan"),
        "accuracy_ci": list(wilson(correct, n)),
        "macro_f1": macro_f1(y_true, y_pred, k) if n else float("nan"),
        "confusion": conf.tolist(),
    }
    if n:
        boot = _boot_macro_f1(y_true, y_pred, k, _bootstrap_index(n))
        out["macro_f1_ci"] = [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))]
    per_class = []
    for c in range(k):
        tp, true_c, pred_c = conf[c, c], conf[c].sum(), conf[:, c].sum()
        precision = tp / pred_c if pred_c else 0.0
        recall = tp / true_c if true_c else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append({"class": c, "n": int(true_c), "precision": float(precision), "recall": float(recall), "f1": float(f1)})
    out["per_class"] = per_class
    return out


def paired_difference(y_true, pred_a, pred_b, metric: str = "accuracy", k: int = 2) -> dict:
    """metric(a) - metric(b) on the same reviews, with a paired bootstrap 95% interval."""
    y_true, pred_a, pred_b = (np.asarray(v, dtype=int) for v in (y_true, pred_a, pred_b))
    idx = _bootstrap_index(len(y_true), seed=1)
    if metric == "accuracy":
        ok_a, ok_b = (pred_a == y_true).astype(float), (pred_b == y_true).astype(float)
        point = ok_a.mean() - ok_b.mean()
        boot = ok_a[idx].mean(1) - ok_b[idx].mean(1)
    else:
        point = macro_f1(y_true, pred_a, k) - macro_f1(y_true, pred_b, k)
        boot = _boot_macro_f1(y_true, pred_a, k, idx) - _boot_macro_f1(y_true, pred_b, k, idx)
    return {"difference": float(point), "ci": [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))]}


def three_way(p_positive: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """0 negative, 1 positive, 2 neutral: neutral when low <= P(positive) < high."""
    p = np.asarray(p_positive, dtype=float)
    return np.where(p < band[0], 0, np.where(p >= band[1], 1, 2))


def choose_neutral_band(p_positive, labels, step: float = 0.05) -> tuple[tuple[float, float], float]:
    """The band [low, high) maximising 3-class macro-F1 on reviews labelled 0, 1 or 2 (neutral)."""
    p, y = np.asarray(p_positive, dtype=float), np.asarray(labels, dtype=int)
    grid = np.round(np.arange(step, 1.0, step), 4)
    best = ((0.5, 0.5), -1.0)
    for low in grid:
        for high in grid[grid >= low]:
            score = macro_f1(y, three_way(p, (low, high)), 3)
            if score > best[1] + 1e-12:
                best = ((float(low), float(high)), score)
    return best
