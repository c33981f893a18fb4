"""Reading sentiment labels from a user's column: 0/1, 1–5 stars, or words.

Returns 1 positive, 0 negative, 2 neutral (3★; left out of training and of accuracy), -1 missing.
A column whose numbers are all 0 or 1 is binary; one whose numbers lie in 1–5 is stars
(≥4 positive, ≤2 negative, in between neutral).
"""

from __future__ import annotations

import math

WORDS = {
    "positive": 1, "pos": 1, "正面": 1, "好评": 1, "积极": 1,
    "negative": 0, "neg": 0, "负面": 0, "差评": 0, "消极": 0,
    "neutral": 2, "neu": 2, "中性": 2, "中评": 2,
}  # fmt: skip


class LabelError(ValueError):
    """A label column that cannot be read; the message names the file, column and row."""


def _number(value) -> float | None:
    try:
        number = float(str(value).strip().rstrip("★☆星"))
    except ValueError:
        return None
    return None if math.isnan(number) else number


def parse_labels(values, where: str = "labels") -> list[int]:
    out: list[int | None] = []
    numbers: list[float] = []
    for row, value in enumerate(values, start=1):
        if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
            out.append(-1)
            continue
        word = WORDS.get(str(value).strip().lower())
        if word is not None:
            out.append(word)
            continue
        number = _number(value)
        if number is None:
            raise LabelError(f"{where}, row {row}: {value!r} is not a label (use 0/1, 1–5 stars or negative/neutral/positive)")
        out.append(None)
        numbers.append(number)
    if not numbers:
        return [int(v) for v in out]
    binary = all(n in (0.0, 1.0) for n in numbers)
    if not binary and not all(1.0 <= n <= 5.0 for n in numbers):
        bad = next(n for n in numbers if not 1.0 <= n <= 5.0)
        raise LabelError(f"{where}: {bad:g} is neither a 0/1 label nor 1–5 stars")
    it = iter(numbers)
    result = []
    for v in out:
        if v is not None:
            result.append(v)
            continue
        n = next(it)
        result.append(int(n) if binary else 1 if n >= 4 else 0 if n <= 2 else 2)
    return result
