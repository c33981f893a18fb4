"""What a column's values look like: dates, times, money, rates, counts, ratings, ids or free text.

Mapping uses these to confirm (or overrule) what a header suggests: a `Discount` column of 0.2s is a
rate, not an amount; a `feedback` column of 0s and 1s is no review text; a column of dates under an
unknown header can still be the order time. Each check returns the share of the non-empty sampled
values that fit, 0..1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ecom.currency import AMOUNT_SIGNS, AMOUNT_WORDS
from ecom.ingest import dates, ratings

_MARK = rf"[{AMOUNT_SIGNS}]|{AMOUNT_WORDS}|[A-Z]{{3}}"  # a currency's sign, word or code, before or after an amount (370,00 €)
_NUMBER = re.compile(rf"^[(+\-]?\s*(?:{_MARK})?\s*[+\-]?(\d{{1,3}}(?:[,.\s\u00a0]\d{{3}})+|\d+)?(?:[.,]\d+)?\s*(?:%|元|万|亿|{_MARK})?\)?$")
_INTEGER = re.compile(r"^[+\-]?\d+(?:\.0+)?$")
_CURRENCY = re.compile(r"[¥￥$€£₹₩₽]|R\$|\b(?:USD|EUR|GBP|CNY|RMB|JPY|HKD|BRL|INR|AUD|CAD|CHF|SGD|KRW|TWD|MXN)\b|元")
_ID = re.compile(r"^[\w\-./:#@+]{1,64}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_MARK = re.compile(r"[的了是很不我也都就还没有好吗呢吧啊太挺真，。！？!?～~]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class ColumnValues:
    """The non-empty sampled values of one source column, and what they look like."""

    values: list[str]

    @classmethod
    def of(cls, raw) -> ColumnValues:
        return cls([str(v).strip() for v in raw if v is not None and str(v).strip() and str(v).strip().lower() not in ("nan", "null", "none", "n/a", "-")])

    @property
    def n(self) -> int:
        return len(self.values)

    def _share(self, pred) -> float:
        return sum(1 for v in self.values if pred(v)) / self.n if self.n else 0.0

    @cached_property
    def numbers(self) -> list[float]:
        out = []
        for v in self.values:
            f = to_number(v)
            if f is not None:
                out.append(f)
        return out

    @cached_property
    def email_share(self) -> float:
        return self._share(_EMAIL.fullmatch)

    @cached_property
    def number_share(self) -> float:
        return len(self.numbers) / self.n if self.n else 0.0

    @cached_property
    def rating_share(self) -> float:
        """The share of the values a rating column's own scale reads (asked once per table the mapping tries)."""
        return ratings.fit_share(self.values)

    @cached_property
    def integer_share(self) -> float:
        return self._share(lambda v: bool(_INTEGER.match(v)))

    @cached_property
    def date_profile(self) -> dates.DateProfile:
        return dates.infer(self.values[:2000])

    @cached_property
    def date_share(self) -> float:
        # plain numbers pass as epochs or serials only under a date header; here they do not count
        plain = self._share(lambda v: bool(re.match(r"^\d+(\.\d+)?$", v)))
        return max(0.0, self.date_profile.share - plain)

    @cached_property
    def time_share(self) -> float:
        return self._share(lambda v: bool(dates.TIME_ONLY_RE.match(v)))

    @cached_property
    def distinct_share(self) -> float:
        return len(set(self.values)) / self.n if self.n else 0.0

    @cached_property
    def nonzero_share(self) -> float:
        """The share of the values that are numbers other than 0 (a tip column of 0.00 says nothing)."""
        return sum(1 for x in self.numbers if x) / self.n if self.n else 0.0

    @cached_property
    def mean_length(self) -> float:
        return sum(len(v) for v in self.values) / self.n if self.n else 0.0

    @cached_property
    def currency_share(self) -> float:
        return self._share(lambda v: bool(_CURRENCY.search(v)))

    def rate_like(self) -> bool:
        """Fractions of one (0.2, 0.15) or percentages (20%): a rate, not an amount."""
        if self.n == 0:
            return False
        if self._share(lambda v: v.endswith("%")) >= 0.9:
            return True
        nums = self.numbers
        return bool(nums) and self.number_share >= 0.9 and all(0 <= x <= 1 for x in nums) and any(0 < x < 1 for x in nums)

    @property
    def status_share(self) -> float:
        """The share of values that are order statuses (`ecom.ingest.values.STATUSES`)."""
        return self._share(is_status)

    def free_text(self) -> bool:
        """Sentences: long values with spaces (or Chinese), mostly distinct, rarely numbers or dates (a
        date and time, 2017-07-20 12:05:56, is long and spaced too)."""
        if self.n == 0:
            return False
        spaced = self._share(lambda v: " " in v)
        chinese = self._share(lambda v: bool(_CJK.search(v)))
        # a Chinese character says about what an English word does: short Chinese reviews are text too
        long_enough = self.mean_length >= (4 if chinese >= 0.5 else 12)
        return (long_enough and max(spaced, chinese) >= 0.5 and self.number_share < 0.2 and self.distinct_share >= 0.3
                and self.date_share < 0.5)

    def chinese_sentences(self) -> bool:
        """Whether Chinese values read as sentences: nearly every review has a particle, an adverb or a
        sentence mark (的 了 很 不 我, ，。！), product titles almost none (汇仁+肾宝片 0.7g*126片*1瓶/盒: a
        生意参谋 ranking's 4%). True for values that are not Chinese (no test here)."""
        chinese = [v for v in self.values if _CJK.search(v)]
        if len(chinese) < 0.5 * self.n:
            return True
        return sum(bool(_SENTENCE_MARK.search(v)) for v in chinese) >= 0.5 * len(chinese)

    def fit(self, kind: str) -> float:
        """The share of values that fit a schema column kind (see ecom.schema.Column.kind)."""
        if self.n == 0:
            return 1.0  # an empty column contradicts nothing
        if kind in ("money", "number"):
            return self.number_share
        if kind == "int":
            return self.integer_share
        if kind == "share":
            return self.number_share if all(0 <= x <= 100 for x in self.numbers) else 0.0
        if kind in ("timestamp", "date"):
            return self.date_profile.share
        if kind == "period":
            return max(self.date_profile.share, self._share(is_period))
        if kind == "rating":
            return self.rating_share
        if kind == "id":
            return self._share(lambda v: bool(_ID.match(v)) or (len(v) <= 64 and v.count(" ") <= 3))
        if kind == "status":
            # a status is a label out of a short list: a column of sentences about each order, dated
            # (Mercado Libre's "Descrição do status": Chegou em 2 de fevereiro), is none
            dated = self._share(lambda v: bool(re.search(r"\d", v)))
            labels = len(set(self.values)) <= max(20, 0.1 * self.n) and self.mean_length <= 40 and dated < 0.2
            return 1.0 if labels else self.status_share
        if kind == "freetext":
            return 1.0 if self.free_text() else 0.0
        return 1.0


def is_status(text: str) -> bool:
    from ecom.ingest.values import STATUS_NAMES, normalize_status  # values builds on this module

    return normalize_status(text) in STATUS_NAMES


def is_period(text: str) -> bool:
    """A month written without a day: 2024-03, 2024年3月, Mar 2024, Jan. 2001, 03/2024, 11402 (民國); or a
    year alone (2011: yearly figures)."""
    from datetime import datetime

    from ecom.ingest.values import PERIOD_FORMATS

    v = text.strip()
    if re.fullmatch(r"1[0-4][0-9](0[1-9]|1[0-2])|(19|20)\d\d", v):
        return True
    for f in PERIOD_FORMATS:
        try:
            datetime.strptime(v, f)
            return True
        except ValueError:
            continue
    return False


def to_number(text: str) -> float | None:
    """The number in `text` (currency signs, thousands separators, %, 万, the apostrophes or backtick
    that keep spreadsheets off it), or None."""
    v = text.strip().lstrip("`")
    if len(v) > 2 and v[0] == v[-1] == "'":
        v = v[1:-1].strip()
    if not _NUMBER.match(v) or not re.search(r"\d", v):
        return None
    scale = 10000 if v.endswith("万") else 100000000 if v.endswith("亿") else 0.01 if v.endswith("%") else 1
    neg = v.startswith("(") and v.endswith(")") or v.startswith("-")
    digits = re.sub(r"[^\d.,]", "", v)
    if "," in digits and "." in digits:
        digits = digits.replace(",", "") if digits.rfind(".") > digits.rfind(",") else digits.replace(".", "").replace(",", ".")
    elif "," in digits:
        head, _, tail = digits.rpartition(",")
        digits = digits.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    try:
        x = float(digits) * scale
    except ValueError:
        return None
    return -x if neg else x
