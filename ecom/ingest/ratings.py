"""Review ratings on any scale, stored as 1–5 stars (the value as the file wrote it kept in `rating_raw`).

A rating column's scale is decided from its values together (`scale_of`), never value by value: a 6
says a column of 6s, 8s and 3s is out of ten, and its 3s are then 2★, not 3★.

  five    1–5 stars: 4, "4.0", "4星", "4 stars", "4/5", "★★★★"                 stored as they are
  ten     whole numbers 0–10 with one above 5, or "8/10", "8分"                 stored as ⌈x/2⌉ (0 as 1)
  thumbs  up/down, 👍/👎, yes/no, recommended flags (1 and 0 only)              stored as 5 and 1
  grade   好评/中评/差评 (Chinese marketplaces' good/middling/bad)               stored as 5, 3 and 1

The conversion itself is SQL (`sql`), run by `ecom.ingest.values` on every row; a value the column's
scale cannot read gives NULL, and the loader rejects its row naming the column and the value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from ecom.ingest.sqltext import lit

FIVE, TEN, THUMBS, GRADE = "five", "ten", "thumbs", "grade"
SCALES = (FIVE, TEN, THUMBS, GRADE)
UP = ("up", "thumbs up", "yes", "y", "true", "recommended", "recommend", "推荐", "是", "赞")
DOWN = ("down", "thumbs down", "no", "n", "false", "not recommended", "not recommend", "don't recommend", "不推荐", "否", "踩")
GRADES = {"好评": 5, "中评": 3, "差评": 1}
_WHOLE = r"(10|\d)(?:\.0+)?"
_PLAIN = re.compile(rf"^{_WHOLE}\s*(?:星|stars?|分)?$", re.IGNORECASE)
_FRACTION = re.compile(rf"^{_WHOLE}\s*/\s*(5|10)$")


def _read(value: str) -> tuple[str, int | None] | None:
    """(family, number) of one value: stars, of5, of10, plain (a whole number), thumbs or grade."""
    v = value.strip()
    if "★" in v:
        return "stars", v.count("★")
    if "👍" in v or "👎" in v or v.lower() in UP or v.lower() in DOWN:
        return "thumbs", None
    if v in GRADES:
        return "grade", GRADES[v]
    m = _FRACTION.match(v)
    if m:
        return ("of5" if m.group(2) == "5" else "of10"), int(m.group(1))
    m = _PLAIN.match(v)
    return ("plain", int(m.group(1))) if m else None


def readable(value: str) -> bool:
    """Whether the value is a rating on some scale (what a rating column's values must look like)."""
    return _read(value) is not None


def scale_of(values: Iterable[str] | Mapping[str, int]) -> str | None:
    """The scale of a column from its non-empty values, a list or {value: how many rows}; None when no
    value is a rating."""
    counts = values if isinstance(values, Mapping) else Counter(values)
    read = [(r, n) for r, n in ((_read(v), n) for v, n in counts.items()) if r is not None]
    if not read:
        return None
    families = Counter()
    for (family, _), n in read:
        families[family] += n
    numeric = families.total() - families["thumbs"] - families["grade"]
    read = [r for r, _ in read]
    if families["grade"] > max(families["thumbs"], numeric):
        return GRADE
    if families["thumbs"] > numeric:
        return THUMBS
    plain = [n for family, n in read if family == "plain"]
    if families["of10"] or (plain and max(plain) > 5 and max(plain) <= 10 and not families["of5"] and not families["stars"]):
        return TEN
    if plain and set(plain) == {0, 1} and not families["of5"] and not families["stars"]:
        return THUMBS  # a 0/1 column is a recommended flag, not stars with some zeros
    return FIVE


def _number(x: str) -> str:
    """The whole number of a plain value ("4", "4.0", "4 stars", "8分"); a single digit (most ratings)
    without a regular expression. (TRY_CAST alone would round "4.5" to 5.)"""
    slow = f"TRY_CAST(regexp_extract({x}, '(?i)^{_WHOLE}\\s*(星|stars?|分)?$', 1) AS INTEGER)"
    return f"CASE WHEN strlen({x}) = 1 AND {x} >= '0' AND {x} <= '9' THEN CAST({x} AS INTEGER) ELSE {slow} END"


def _fraction(x: str, of: int) -> str:
    return f"TRY_CAST(regexp_extract({x}, '^{_WHOLE}\\s*/\\s*{of}$', 1) AS INTEGER)"


def number_sql(x: str, scale: str) -> str | None:
    """SQL of the number a value says on a numeric scale (parsed once, in its own layer), else None."""
    if scale == TEN:
        return f"coalesce({_number(x)}, {_fraction(x, 10)})"
    if scale == FIVE:
        stars = f"length(regexp_replace({x}, '[^★]', '', 'g'))"
        return f"CASE WHEN contains({x}, '★') THEN {stars} ELSE coalesce({_number(x)}, {_fraction(x, 5)}) END"
    return None


def sql(x: str, scale: str, n: str) -> str:
    """SQL of the 1–5 rating of the cleaned value `x` on `scale` (`n`: its `number_sql`); NULL when it does not fit."""
    if scale == TEN:
        return f"CASE WHEN {n} BETWEEN 0 AND 10 THEN greatest(1, ({n} + 1) // 2) END"
    if scale == THUMBS:
        low = f"lower({x})"
        up = " OR ".join([f"contains({x}, '👍')", f"{x} = '1'", *(f"{low} = {lit(w)}" for w in UP)])
        down = " OR ".join([f"contains({x}, '👎')", f"{x} = '0'", *(f"{low} = {lit(w)}" for w in DOWN)])
        return f"CASE WHEN {up} THEN 5 WHEN {down} THEN 1 END"
    if scale == GRADE:
        return f"CASE {x} " + " ".join(f"WHEN {lit(k)} THEN {v}" for k, v in GRADES.items()) + " END"
    return f"CASE WHEN {n} BETWEEN 1 AND 5 THEN {n} END"
