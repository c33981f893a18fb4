"""Every setting of Ecom Insight, declared once: name, default and one help line.

A value comes from, in order: the process environment, `.streamlit/secrets.toml`, the default.
The README lists every setting (a test checks it).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    kind: type = str


def currency_code(value) -> str:
    """A three-letter ISO currency code (upper case)."""
    code = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"not a currency code: {value!r}")
    return code


SETTINGS: tuple[Setting, ...] = (
    Setting("ECOM_WAREHOUSE", "data/warehouse.duckdb", "Path of the DuckDB warehouse file (created on first use)."),
    Setting("ECOM_MEMORY_LIMIT", "1GB", "DuckDB memory limit of the warehouse (its block cache otherwise grows to 80% of RAM); larger work spills to disk."),
    Setting("ECOM_TIMEZONE", "Asia/Shanghai", "The shop's time zone: timestamps are stored as wall-clock time in it."),
    Setting("ECOM_CURRENCY", "CNY", "Currency (ISO code) of amounts when a file says none (no currency column, symbol or header).", currency_code),
    Setting("ECOM_MAX_UPLOAD_MB", "200", "Largest file accepted by the uploader and the command line, in MB.", int),
    Setting("ECOM_LANG", "en", "UI language when the browser does not say one (en or zh); ?lang= overrides.", str),
    Setting("ECOM_PASSWORD", "", "If set, the app asks for this password before showing anything (use on shared servers)."),
    Setting("ECOM_SQL_TIMEOUT_S", "10", "Seconds after which a query on the SQL page is interrupted.", float),
    Setting("ECOM_SQL_ROW_CAP", "10000", "Most rows the SQL page and table previews return.", int),
    Setting("ECOM_OUR_BRANDS", "", "Comma-separated brands that are ours, for the market-share page."),
    Setting("ECOM_LEAD_TIME_DAYS", "14", "Supplier lead time in days, for reorder suggestions.", int),
    Setting("ECOM_PROMO_618", "06-01:06-20", "Month-day window of the 618 promotion (MM-DD:MM-DD)."),
    Setting("ECOM_PROMO_1111", "10-20:11-11", "Month-day window of the 双11 promotion (MM-DD:MM-DD)."),
    Setting("ECOM_REVIEW_MODEL", "models/review-sentiment", "Review model: a local save_pretrained directory or a Hugging Face hub id."),
    Setting("ECOM_RECSYS_MODEL", "data/recsys", "Directory where the trained next-item model is saved and loaded."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
ROOT = Path(__file__).resolve().parent.parent


def _secrets() -> dict:
    path = Path(os.environ.get("ECOM_SECRETS_FILE", ROOT / ".streamlit" / "secrets.toml"))
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def get(name: str):
    """The value of setting `name`, converted to its declared kind."""
    setting = _BY_NAME[name]
    raw = os.environ.get(name)
    if raw is None:
        raw = _secrets().get(name)
    if raw is None or raw == "":
        raw = setting.default
    if setting.kind is str:
        return str(raw)
    try:
        return setting.kind(raw)
    except (TypeError, ValueError):
        return setting.kind(setting.default)


def warehouse_path() -> Path:
    path = Path(get("ECOM_WAREHOUSE"))
    return path if path.is_absolute() else ROOT / path
