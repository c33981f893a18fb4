"""Every setting of Ecom Insight, declared once: name, default, one help line and a check.

A value comes from, in order: the process environment, `.streamlit/secrets.toml`, the default.
The README lists every setting (a test checks it).

Broken configuration fails closed: a secrets file that cannot be parsed, or a setting whose value
does not pass its check, raises `SettingError` (one line naming the file or setting and what is
wrong) instead of quietly falling back to a default. `check()` tries everything at once; the
server and the command line call it at start-up and stop on the first problem.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingError(ValueError):
    """A setting or the secrets file is invalid; the message is one line for the operator."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    kind: object = str  # a callable: raw text -> value, raising ValueError with the reason


def text(value) -> str:
    """Free text on one line (no control characters), at most 1,000 characters."""
    value = str(value)
    if len(value) > 1000 or any(ord(c) < 32 for c in value):
        raise ValueError("must be one line of text (no control characters, at most 1,000 characters)")
    return value


def currency_code(value) -> str:
    """A three-letter ISO currency code (upper case)."""
    code = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"not a currency code: {value!r}")
    return code


def _between(lo, hi, kind=int):
    """A whole number (kind int) or a number (kind float) from `lo` to `hi`."""
    what = "a whole number" if kind is int else "a number"

    def check(value):
        try:
            x = kind(str(value).strip())
        except ValueError:
            x = None
        if x is None or not lo <= x <= hi:
            raise ValueError(f"must be {what} from {lo:g} to {hi:g}")
        return x

    return check


def memory_size(value) -> str:
    """A DuckDB memory size such as 512MB or 2GB."""
    text_ = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", text_, flags=re.I):
        raise ValueError("must be a size such as 512MB or 2GB")
    return text_


def jvm_memory(value) -> str:
    """A JVM memory size as Spark writes it: 512m, 4g."""
    text_ = str(value).strip().lower()
    if not re.fullmatch(r"[1-9]\d*[kmgt]", text_):
        raise ValueError("must be a JVM size such as 512m or 4g")
    return text_


def timezone(value) -> str:
    try:
        ZoneInfo(str(value).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as Asia/Shanghai") from None
    return str(value).strip()


def _choice(*allowed: str):
    """One of `allowed` (case-insensitive, returned in lower case)."""

    def check(value) -> str:
        value = str(value).strip().lower()
        if value not in allowed:
            raise ValueError(f"must be {' or '.join(allowed)}")
        return value

    return check


language = _choice("en", "zh")


def password(value) -> str:
    value = text(value)
    if value and len(value) < 8:
        raise ValueError("must be at least 8 characters (or empty for no password)")
    return value


def month_day_window(value) -> str:
    m = re.fullmatch(r"(\d{2})-(\d{2}):(\d{2})-(\d{2})", str(value).strip())
    if not m or not all(1 <= int(m[i]) <= 12 and 1 <= int(m[i + 1]) <= 31 for i in (1, 3)):
        raise ValueError("must be a month-day window MM-DD:MM-DD, e.g. 06-01:06-20")
    return m[0]


def model_ref(value) -> str:
    """A local directory or a Hugging Face hub id (owner/name)."""
    value = text(value).strip()
    if not value or ".." in Path(value).parts:
        raise ValueError("must be a directory or a hub id such as owner/name")
    return value


def path(value) -> str:
    value = text(value).strip()
    if not value:
        raise ValueError("must be a file path")
    return value


def emails(value) -> tuple[str, ...]:
    """Comma-separated e-mail addresses, lower-cased."""
    out = tuple(e.strip().lower() for e in str(value).split(",") if e.strip())
    bad = [e for e in out if not re.fullmatch(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+", e)]
    if bad:
        raise ValueError(f"not an e-mail address: {bad[0]!r}")
    return out


def claim_path(value) -> str:
    """A claim name, or a dotted path into nested claims (Keycloak: realm_access.roles)."""
    value = str(value).strip()
    if not re.fullmatch(r"[A-Za-z_][\w:/-]*(\.[A-Za-z_][\w:/-]*)*", value):
        raise ValueError("must be a claim name such as roles or realm_access.roles")
    return value


def networks(value) -> tuple:
    """Comma-separated IP addresses or networks (CIDR)."""
    out = []
    for part in (p.strip() for p in str(value).split(",")):
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {part!r}") from None
    return tuple(out)



engine = _choice("duckdb", "spark")


def spark_master(value) -> str:
    """A Spark master URL: local, local[N], local[*], spark://host:port[,host:port] or yarn."""
    value = str(value).strip()
    if not re.fullmatch(r"local(\[(\*|[1-9]\d*)\])?|spark://[\w.-]+:\d+(,[\w.-]+:\d+)*|yarn", value):
        raise ValueError("must be local[*], local[N], spark://host:port or yarn")
    return value


def lake(value) -> str:
    """A folder, or a file:// or hdfs:// URI, on a file system whose renames are atomic."""
    value = text(value).strip()
    scheme = re.match(r"([a-z][a-z0-9+.-]*)://", value)
    if not value or ".." in Path(value).parts or (scheme and scheme[1] not in ("file", "hdfs")):
        raise ValueError("must be a folder, or a file:// or hdfs:// URI (object stores cannot rename a folder atomically)")
    return value



SETTINGS: tuple[Setting, ...] = (
    Setting("ECOM_WAREHOUSE", "data/warehouse.duckdb", "Path of the DuckDB warehouse file (created on first use).", path),
    Setting("ECOM_ENGINE", "duckdb", "Analytic engine: duckdb (embedded, nothing to install) or spark (canonical tables as Parquet in ECOM_LAKE).", engine),
    Setting("ECOM_SPARK_MASTER", "local[*]", "Spark master with ECOM_ENGINE=spark: local[*], local[N], spark://host:port or yarn.", spark_master),
    Setting("ECOM_SPARK_MEMORY", "4g", "With ECOM_ENGINE=spark: the Spark driver's JVM heap (in local mode it also runs the tasks: at 100M order lines it peaked at 5.6 GB).", jvm_memory),
    Setting("ECOM_LAKE", "data/lake", "With ECOM_ENGINE=spark: the folder (or file:// / hdfs:// URI) of the canonical tables' Parquet files.", lake),
    Setting("ECOM_MEMORY_LIMIT", "1GB", "DuckDB memory limit of the warehouse (its block cache otherwise grows to 80% of RAM); larger work spills to disk.", memory_size),
    Setting("ECOM_TIMEZONE", "Asia/Shanghai", "The shop's time zone: timestamps are stored as wall-clock time in it.", timezone),
    Setting("ECOM_CURRENCY", "CNY", "Currency (ISO code) of amounts when a file says none (no currency column, symbol or header).", currency_code),
    Setting("ECOM_MAX_UPLOAD_MB", "200", "Largest file accepted by the uploader and the command line, in MB.", _between(1, 100_000)),
    Setting("ECOM_MAX_COLUMNS", "2000", "Most columns a file may have; wider files are refused before they are parsed.", _between(10, 100_000)),
    Setting("ECOM_LANG", "en", "UI language when the browser does not say one (en or zh); ?lang= overrides.", language),
    Setting("ECOM_PASSWORD", "", "The shared password of the small-team sign-in (at least 8 characters; signs in as admin). Empty: no password sign-in.", password),
    Setting("ECOM_ADMINS", "", "Comma-separated e-mails of the first admins (OpenID Connect sign-in); admins name everyone else in the app.", emails),
    Setting("ECOM_ROLE_CLAIM", "roles", "The provider's claim that holds a person's role (viewer, analyst or admin; a string or a list; dotted for nested claims).", claim_path),
    Setting("ECOM_SHOPS_CLAIM", "shops", "The provider's claim that limits a person to a list of shops (absent: no limit from the provider).", claim_path),
    Setting("ECOM_TRUSTED_PROXIES", "", "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed (for sign-in limits and the audit log).", networks),
    Setting("ECOM_SQL_TIMEOUT_S", "10", "Seconds after which a query on the SQL page is interrupted.", _between(0.1, 3600, float)),
    Setting("ECOM_SQL_ROW_CAP", "10000", "Most rows the SQL page and table previews return.", _between(1, 10_000_000)),
    Setting("ECOM_OUR_BRANDS", "", "Comma-separated brands that are ours, for the market-share page.", text),
    Setting("ECOM_LEAD_TIME_DAYS", "14", "Supplier lead time in days, for reorder suggestions.", _between(0, 365)),
    Setting("ECOM_PROMO_618", "06-01:06-20", "Month-day window of the 618 promotion (MM-DD:MM-DD).", month_day_window),
    Setting("ECOM_PROMO_1111", "10-20:11-11", "Month-day window of the 双11 promotion (MM-DD:MM-DD).", month_day_window),
    Setting("ECOM_REVIEW_MODEL", "models/review-sentiment", "Review model: a local save_pretrained directory or a Hugging Face hub id.", model_ref),
    Setting("ECOM_SCORING_THREADS", "1", "Torch threads of the app's background review scoring (the other cores keep serving pages).", _between(1, 256)),
    Setting("ECOM_RECSYS_MODEL", "data/recsys", "Directory where the trained next-item model is saved and loaded.", path),
)

_BY_NAME = {s.name: s for s in SETTINGS}
ROOT = Path(__file__).resolve().parent.parent
AUTH_KEYS = ("client_id", "client_secret", "server_metadata_url")


def secrets_path() -> Path:
    return Path(os.environ.get("ECOM_SECRETS_FILE", ROOT / ".streamlit" / "secrets.toml"))


_parsed: dict[tuple, dict] = {}


def secrets() -> dict:
    """The parsed secrets file ({} when there is none); a file that cannot be read or parsed is an error.

    Parsed once per version of the file (settings are read on every request of the sign-in gate).
    """
    file = secrets_path()
    try:
        stat = file.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingError(f"{file}: cannot be read ({exc})") from None
    key = (str(file), stat.st_mtime_ns, stat.st_size)
    if key not in _parsed:
        try:
            parsed = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingError(f"{file}: cannot be read as TOML ({exc}); fix or remove it") from None
        _parsed.clear()
        _parsed[key] = parsed
    return _parsed[key]


def get(name: str):
    """The value of setting `name`, converted and checked by its kind."""
    setting = _BY_NAME[name]
    raw = os.environ.get(name)
    where = "environment variable"
    if raw is None:
        raw = secrets().get(name)
        where = str(secrets_path())
    if raw is None or raw == "":
        raw, where = setting.default, "default"
    try:
        return setting.kind(raw)
    except (TypeError, ValueError) as exc:
        raise SettingError(f"{name} = {str(raw)[:60]!r} ({where}): {exc}") from None


def auth_section() -> dict | None:
    """The `[auth]` table of the secrets file (Streamlit's OpenID Connect sign-in), or None."""
    section = secrets().get("auth")
    return section if isinstance(section, dict) and section else None


def providers() -> list[str]:
    """Names of the configured OpenID Connect providers ("default" for a provider at the top of [auth])."""
    section = auth_section() or {}
    named = [k for k, v in section.items() if isinstance(v, dict)]
    return (["default"] if all(section.get(k) for k in AUTH_KEYS) else []) + named


def _check_auth(section: dict) -> None:
    file = secrets_path()
    for key in ("redirect_uri", "cookie_secret"):
        if not str(section.get(key) or "").strip():
            raise SettingError(f"{file}: [auth] needs {key}")
    if len(str(section["cookie_secret"])) < 32:
        raise SettingError(f"{file}: [auth] cookie_secret must be at least 32 characters (a random string)")
    if not re.match(r"https?://[^/]+/oauth2callback$", str(section["redirect_uri"])):
        raise SettingError(f"{file}: [auth] redirect_uri must be http(s)://<host>/oauth2callback")
    names = providers()
    if not names:
        raise SettingError(f"{file}: [auth] names no provider (client_id, client_secret, server_metadata_url)")
    for name in names:
        table = section if name == "default" else section[name]
        missing = [k for k in AUTH_KEYS if not str(table.get(k) or "").strip()]
        if missing:
            where = "[auth]" if name == "default" else f"[auth.{name}]"
            raise SettingError(f"{file}: {where} needs {', '.join(missing)}")


def check() -> None:
    """Raise `SettingError` for the first problem: the secrets file, its [auth] table, then each setting."""
    section = auth_section()
    if section is not None:
        _check_auth(section)
    elif "auth" in secrets():
        raise SettingError(f"{secrets_path()}: [auth] must be a table of sign-in settings")
    for s in SETTINGS:
        get(s.name)


def sign_in_configured() -> bool:
    return auth_section() is not None or bool(get("ECOM_PASSWORD"))


def warehouse_path() -> Path:
    path_ = Path(get("ECOM_WAREHOUSE"))
    return path_ if path_.is_absolute() else ROOT / path_


def lake_root() -> str:
    """ECOM_LAKE as an absolute folder or a URI (a relative folder is taken from the project root)."""
    value = get("ECOM_LAKE")
    if "://" in value:
        return value
    path_ = Path(value)
    return str(path_ if path_.is_absolute() else ROOT / path_)
