"""All user-visible text, in English and Simplified Chinese.

The catalog is split by area into `ecom/locales/<area>.json` files, each a mapping
`key -> {"en": ..., "zh": ...}`; keys are unique across files (a test checks it, and that every
key has both languages, and that a Chinese value differs from the English one outside ALLOW_SAME).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LANGS = ("en", "zh")
LOCALES = Path(__file__).resolve().parent / "locales"

# Values that are the same in both languages on purpose (brand names, units, symbols).
ALLOW_SAME = {"Ecom Insight", "SQL", "GMV", "AOV", "RFM", "CSV", "XLSX", "HHI", "CR4", "ABC", "SKU", "ID", "%", "¥", "HR@10", "NDCG@10"}


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES.glob("*.json")):
        for key, values in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"i18n key {key!r} is defined twice (second time in {path.name})")
            merged[key] = values
    return merged


def normalize(lang: str | None) -> str | None:
    """'zh-CN', 'zh_Hans', 'zh' -> 'zh'; 'en-US' -> 'en'; anything else -> None."""
    if not lang:
        return None
    head = lang.replace("_", "-").split("-")[0].lower()
    return head if head in LANGS else None


def t(key: str, lang: str = "en", **fmt) -> str:
    """The text for `key` in `lang`, formatted with `fmt`. A missing key shows as the key itself."""
    entry = catalog().get(key)
    text = key if entry is None else entry.get(lang) or entry.get("en") or key
    return text.format(**fmt) if fmt else text
