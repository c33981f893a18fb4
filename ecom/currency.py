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
          ("元", "CNY"), ("￥", "CNY"), ("¥", "CNY"), ("€", "EUR"), ("£", "GBP"), ("₹", "INR"), ("₩", "KRW"), ("₫", "VND"),
          ("₱", "PHP"), ("₽", "RUB"), ("₺", "TRY"), ("฿", "THB"), ("$", "USD"))
_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(CODES) + r")(?![A-Za-z])")


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
    for mark, code in _MARKS:
        if mark in text:
            return code
    return None


def of_file(headers: list[str], amounts: list[str]) -> str | None:
    """The currency a file's money headers or amounts name (the most frequent), or None."""
    found = Counter(c for c in (named_in(t) for t in [*headers, *amounts] if t) if c)
    return found.most_common(1)[0][0] if found else None
