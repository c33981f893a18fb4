"""Review ratings on any scale, stored as 1–5 stars (the value as the file wrote it kept in `rating_raw`).

A rating column's scale is decided from its values together (`scale_of`), never value by value: a 6
says a column of 6s, 8s and 3s is out of ten, and its 3s are then 2★, not 3★.

  five     1–5 stars: 4, "4.0", "4星", "4 stars", "star4", "4/5", "★★★★"        stored as they are; half stars (Dianping's 4.5) as ⌈x⌉, as on ten
  ten      numbers 0–10 with one above 5, "8/10", "8分", "7.5" (hotel sites)     stored as ⌈x/2⌉ (0 as 1)
  tens     stars times ten: 10, 20, 30, 40, 50 (iHerb, Tripadvisor's bubbles)     stored as x/10; Meituan's half
           stars (5, 15 … 45) as ⌈x/10⌉
  hundred  numbers 0–100, most above 10 (a percentage score)                     stored as ⌈x/20⌉ (0 as 1)
  thumbs   up/down, 👍/👎, yes/no, recommended flags (1 and 0 only)             stored as 5 and 1
  grade    好评/中评/差评 (Chinese marketplaces' good/middling/bad)              stored as 5, 3 and 1

A number above 100 is no rating on any scale (a column of Unix times headed "score" is not one).

The conversion itself is SQL (`sql`), run by `ecom.ingest.values` on every row; a value the column's
scale cannot read (a 0 on five stars, "six") gives NULL: the review loads without a rating, the value
kept in `rating_raw` and `_extra`, and the load's notes name the first such row.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from ecom.ingest.sqltext import lit

FIVE, TEN, TENS, HUNDRED, THUMBS, GRADE = "five", "ten", "tens", "hundred", "thumbs", "grade"
SCALES = (FIVE, TEN, TENS, HUNDRED, THUMBS, GRADE)
UP = ("up", "thumbs up", "yes", "y", "true", "recommended", "recommend", "推荐", "是", "赞")
DOWN = ("down", "thumbs down", "no", "n", "false", "not recommended", "not recommend", "don't recommend", "不推荐", "否", "踩")
GRADES = {"好评": 5, "中评": 3, "差评": 1}
_TENS = tuple(range(5, 55, 5))  # stars times ten, half stars included
_NUMBER = r"(\d{1,3}(?:\.\d+)?)"
_PREFIX = r"(?:stars?\s*)?"  # a scraper's CSS class: JD's "star5"
_SUFFIX = r"\s*(?:星|stars?|分)?"
_PLAIN = re.compile(rf"^{_PREFIX}{_NUMBER}{_SUFFIX}$", re.IGNORECASE)
_FRACTION = re.compile(rf"^{_NUMBER}\s*/\s*(5|10)$")


def _read(value: str) -> tuple[str, float | None] | None:
    """(family, number) of one value: stars, of5, of10, plain (a number 0–100), thumbs or grade."""
    v = value.strip()
    if "★" in v:
        return "stars", v.count("★")
    if "👍" in v or "👎" in v or v.lower() in UP or v.lower() in DOWN:
        return "thumbs", None
    if v in GRADES:
        return "grade", GRADES[v]
    m = _FRACTION.match(v)
    if m and float(m.group(1)) <= float(m.group(2)):
        return ("of5" if m.group(2) == "5" else "of10"), float(m.group(1))
    m = _PLAIN.match(v)
    return ("plain", float(m.group(1))) if m and float(m.group(1)) <= 100 else None


def scale_of(values: Iterable[str] | Mapping[str, int]) -> str | None:
    """The scale of a column from its non-empty values, a list or {value: how many rows}; None when no
    value is a rating."""
    counts = values if isinstance(values, Mapping) else Counter(values)
    families: Counter = Counter()
    plain: Counter = Counter()  # number -> rows, of the plain numbers
    for value, n in counts.items():
        r = _read(value)
        if r is None:
            continue
        families[r[0]] += n
        if r[0] == "plain":
            plain[r[1]] += n
    if not families:
        return None
    numeric = families.total() - families["thumbs"] - families["grade"]
    if families["grade"] > max(families["thumbs"], numeric):
        return GRADE
    if families["thumbs"] > numeric:
        return THUMBS
    only_plain = numeric == plain.total()
    if only_plain and 2 * sum(n for v, n in plain.items() if v > 10) >= plain.total():
        # most values above 10 (a few stray ones do not move a star column): stars times ten or a percentage
        tens = sum(n for v, n in plain.items() if v in _TENS)
        return TENS if max(plain) <= 50 and 10 * tens >= 9 * plain.total() else HUNDRED
    small = [v for v in plain if v <= 10]  # stray values above 10 are refused on any smaller scale
    if families["of10"] or (small and max(small) > 5 and not families["of5"] and not families["stars"]):
        return TEN
    if only_plain and set(plain) == {0, 1}:
        return THUMBS  # a 0/1 column is a recommended flag, not stars with some zeros
    return FIVE


def stars(value: str, scale: str) -> int | None:
    """The 1–5 stars of one value on `scale`, or None where the scale cannot read it (as `sql` does)."""
    r = _read(value)
    if r is None:
        return None
    family, x = r
    v = value.strip()
    if scale == THUMBS:
        if "👍" in v or v == "1" or v.lower() in UP:
            return 5
        return 1 if "👎" in v or v == "0" or v.lower() in DOWN else None
    if scale == GRADE:
        return int(x) if family == "grade" else None
    if family == "stars":
        return int(x) if scale == FIVE and 1 <= x <= 5 else None
    if scale == FIVE and family in ("plain", "of5"):
        return math.ceil(x) if 1 <= x <= 5 and 2 * x == int(2 * x) else None
    if scale == TEN and family in ("plain", "of10"):
        return max(1, math.ceil(x / 2)) if 0 <= x <= 10 else None
    if scale == TENS and family == "plain":
        return math.ceil(x / 10) if x in _TENS else None
    if scale == HUNDRED and family == "plain":
        return max(1, math.ceil(x / 20))
    return None


def fit_share(values: list[str]) -> float:
    """The share of a column's values that its own scale reads (a column of 4.9s is no star rating)."""
    scale = scale_of(values)
    return sum(1 for v in values if stars(v, scale) is not None) / len(values) if scale and values else 0.0


def _number(x: str) -> str:
    """The number of a plain value ("4", "4.0", "7.5", "4 stars", "8分"); a single digit (most ratings)
    without a regular expression."""
    slow = f"TRY_CAST(regexp_extract({x}, '(?i)^{_PREFIX}{_NUMBER}{_SUFFIX}$', 1) AS DOUBLE)"
    return f"CASE WHEN strlen({x}) = 1 AND {x} >= '0' AND {x} <= '9' THEN CAST({x} AS DOUBLE) ELSE {slow} END"


def _fraction(x: str, of: int) -> str:
    return f"TRY_CAST(regexp_extract({x}, '^{_NUMBER}\\s*/\\s*{of}$', 1) AS DOUBLE)"


def number_sql(x: str, scale: str) -> str | None:
    """SQL of the number a value says on a numeric scale (parsed once, in its own layer), else None."""
    if scale == TEN:
        return f"coalesce({_number(x)}, {_fraction(x, 10)})"
    if scale in (TENS, HUNDRED):
        return _number(x)
    if scale == FIVE:
        stars = f"length(regexp_replace({x}, '[^★]', '', 'g'))"
        return f"CASE WHEN contains({x}, '★') THEN {stars} ELSE coalesce({_number(x)}, {_fraction(x, 5)}) END"
    return None


def sql(x: str, scale: str, n: str) -> str:
    """SQL of the 1–5 rating of the cleaned value `x` on `scale` (`n`: its `number_sql`); NULL when it does not fit."""
    if scale == TEN:
        return f"CASE WHEN {n} BETWEEN 0 AND 10 THEN greatest(1, CAST(ceil({n} / 2) AS INTEGER)) END"
    if scale == TENS:
        return f"CASE WHEN {n} IN ({', '.join(map(str, _TENS))}) THEN CAST(ceil({n} / 10) AS INTEGER) END"
    if scale == HUNDRED:
        return f"CASE WHEN {n} BETWEEN 0 AND 100 THEN greatest(1, CAST(ceil({n} / 20) AS INTEGER)) END"
    if scale == THUMBS:
        low = f"lower({x})"
        up = " OR ".join([f"contains({x}, '👍')", f"{x} = '1'", *(f"{low} = {lit(w)}" for w in UP)])
        down = " OR ".join([f"contains({x}, '👎')", f"{x} = '0'", *(f"{low} = {lit(w)}" for w in DOWN)])
        return f"CASE WHEN {up} THEN 5 WHEN {down} THEN 1 END"
    if scale == GRADE:
        return f"CASE {x} " + " ".join(f"WHEN {lit(k)} THEN {v}" for k, v in GRADES.items()) + " END"
    # a half star goes up, as a 7 of ten does; a product's 4.7 average fits no star scale
    return f"CASE WHEN {n} BETWEEN 1 AND 5 AND 2 * {n} = floor(2 * {n}) THEN CAST(ceil({n}) AS INTEGER) END"
