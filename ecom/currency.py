"""Currencies: the symbol each is shown with, and the currency a file's headers and amounts name.

Amounts in two currencies are never summed into one figure: every order line carries its currency
(from a currency column, else what its file names, else the upload's choice, else ECOM_CURRENCY),
and pages and `python -m ecom kpis` work on one currency at a time.
"""

from __future__ import annotations

import re
from collections import Counter

SYMBOLS = {
    "CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$", "TWD": "NT$", "BRL": "R$", "INR": "₹", "KRW": "₩",
    "AUD": "A$", "CAD": "C$", "SGD": "S$", "NZD": "NZ$", "MXN": "MX$", "CHF": "CHF ", "IDR": "Rp", "MYR": "RM", "THB": "฿",
    "VND": "₫", "PHP": "₱", "RUB": "₽", "TRY": "₺", "ZAR": "R ", "SEK": "kr ", "NOK": "kr ", "DKK": "kr ", "PLN": "zł ",
}
CODES = tuple(SYMBOLS)

# marks in amounts or headers -> currency, longest first so "HK$" is not read as "$"
_MARKS = (("US$", "USD"), ("HK$", "HKD"), ("NT$", "TWD"), ("R$", "BRL"), ("A$", "AUD"), ("C$", "CAD"), ("S$", "SGD"), ("RMB", "CNY"),
          ("人民币", "CNY"), ("港币", "HKD"), ("美元", "USD"), ("新台币", "TWD"), ("欧元", "EUR"), ("英镑", "GBP"), ("日元", "JPY"),
          ("元", "CNY"), ("원", "KRW"), ("円", "JPY"), ("￥", "CNY"), ("¥", "CNY"), ("€", "EUR"), ("£", "GBP"), ("₹", "INR"), ("₩", "KRW"), ("₫", "VND"),
          ("₱", "PHP"), ("₽", "RUB"), ("₺", "TRY"), ("₴", "UAH"), ("₸", "KZT"), ("₦", "NGN"), ("฿", "THB"), ("$", "USD"))
_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(CODES) + r")(?![A-Za-z])")
# currencies written in letters beside an amount ("13.400,00 TL", "459,99 zł", "Rp 91.000"): whole words
# only (the TL inside TITLE names none); kr names no one currency (Swedish, Norwegian, Danish, Icelandic)
_WORD_MARKS = {"TL": "TRY", "zł": "PLN", "lei": "RON", "Kč": "CZK", "Ft": "HUF", "RM": "MYR", "Rp": "IDR", "руб": "RUB", "лв": "BGN", "đ": "VND", "บาท": "THB", "kr": None}
_WORD = re.compile(r"(?<![^\W\d_])(" + "|".join(_WORD_MARKS) + r")\.?(?![^\W\d_])")
# what an amount may carry before or after its number, for the number readers (ecom.ingest.profile and
# the load's SQL, whose regular expressions both take these)
AMOUNT_SIGNS = "¥￥$€£₹₩₽₺₴₸₦฿₫₱원円"
AMOUNT_WORDS = r"R\$|RMB|Rp|RM|TL|zł|lei|Kč|Ft|kr|руб\.?|лв\.?|đ|บาท"


def symbol(code: str | None) -> str:
    """How amounts in `code` are written: ¥, $, €, R$, or the code itself."""
    if not code:
        return ""
    return SYMBOLS.get(code.upper(), code.upper() + " ")


def named_in(text: str) -> str | None:
    """The currency a header or an amount names (an ISO code, or a symbol), if any."""
    m = _CODE.search(text)
    if m:
        return m.group(1)
    m = _WORD.search(text)
    if m and _WORD_MARKS[m.group(1)]:
        return _WORD_MARKS[m.group(1)]
    for mark, code in _MARKS:
        if mark in text:
            return code
    return None


# scripts that belong to one country's currency: a file headed in Korean is in won (Chinese characters
# name none: CNY, TWD, HKD and Japan's kanji alike)
_SCRIPTS = ((re.compile(r"[\uac00-\ud7a3]"), "KRW"), (re.compile(r"[\u3041-\u309f\u30a0-\u30ff]"), "JPY"), (re.compile(r"[\u0e01-\u0e5b]"), "THB"))


def of_script(headers: list[str]) -> str | None:
    """The currency of the country whose script a fifth or more of the headers are written in, or None."""
    for pattern, code in _SCRIPTS:
        if headers and sum(1 for h in headers if pattern.search(str(h))) >= max(1, len(headers) / 5):
            return code
    return None


# encodings used by one country's software only: a file saved in one is in that country's currency
# (Big5 is Taiwan's and Hong Kong's; Taiwan's shops write far more of it, and the note names the choice)
_ENCODINGS = {"cp932": "JPY", "shift_jis": "JPY", "euc_jp": "JPY", "cp949": "KRW", "euc_kr": "KRW", "cp950": "TWD", "big5": "TWD"}


def of_encoding(encoding: str | None) -> str | None:
    """The currency of the country whose encoding a file is saved in (Shift-JIS, EUC-KR, Big5), or None."""
    return _ENCODINGS.get((encoding or "").lower().replace("-", "_"))


def of_file(headers: list[str], amounts: list[str]) -> str | None:
    """The currency a file's money headers or amounts name (the most frequent), or None."""
    found = Counter(c for c in (named_in(t) for t in [*headers, *amounts] if t) if c)
    return found.most_common(1)[0][0] if found else None
