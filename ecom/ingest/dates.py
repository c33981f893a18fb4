"""Dates and times in uploads: a column's format inferred from its values, and the SQL that parses it.

`infer(values)` reads every sampled value of a column (and `full_scan_sql` lets the loader check the
whole column when the sample cannot decide) and returns a `DateProfile`: the strptime formats the
values follow (most frequent first), whether numeric dates are day-first or month-first and why, and
how time zones are handled. `timestamp_sql` turns that profile into one DuckDB expression.

Zones: a value with an offset or `Z` names an instant and is converted into the shop's time zone;
Unix epochs are instants too; every other value is taken as shop wall-clock time already.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from ecom.ingest.sqltext import lit

# a time of day after a date: 13:08, 13:08:59, 13:08:59.123, 1:08 PM, 1:08:59 pm
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
_AMPM = r"(?:\s*[AaPp]\.?[Mm]\.?)"
_ZONE = r"(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT))"
ISO_RE = re.compile(rf"^\d{{4}}-\d{{1,2}}-\d{{1,2}}{_TIME}?$")
ISO_ZONED_RE = re.compile(rf"^\d{{4}}-\d{{1,2}}-\d{{1,2}}[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?{_ZONE}$")
NUMERIC_RE = re.compile(rf"^(\d{{1,2}})([/.\-])(\d{{1,2}})\2(\d{{2}}|\d{{4}})(?:{_TIME}{_AMPM}?)?$")
_DIGITS_RE = re.compile(r"^\d+(?:\.\d+)?$")
# Month names of the languages marketplaces write dates in besides English (Indonesian and Malay,
# Spanish, Portuguese, French, German, Italian, Dutch, Turkish, Polish and Russian, the last two as
# dates write them: "12 czerwca", "12 июня"), by the English abbreviation strptime reads: a column that
# has them is read through `localize` (Lazada's "20 Des 2023", Mercado Libre's "3 de enero de 2024",
# Amazon.de's "5. März 2024", Hepsiburada's "13 Ekim 2022, Perşembe"). The English names are left alone.
MONTH_WORDS = {
    "jan": ("januari", "januar", "janvier", "janv", "janeiro", "enero", "ene", "gennaio", "gen", "ocak", "stycznia", "styczeń", "января", "январь"),
    "feb": ("februari", "februar", "février", "fevrier", "févr", "fevr", "fevereiro", "fev", "febrero", "febbraio", "şubat", "subat", "lutego", "luty", "февраля", "февраль"),
    "mar": ("maret", "maart", "mrt", "märz", "maerz", "mär", "mars", "março", "marco", "marzo", "mart", "marca", "marzec", "марта", "март"),
    "apr": ("avril", "avr", "abril", "abr", "aprile", "nisan", "kwietnia", "kwiecień", "апреля", "апрель"),
    "may": ("mei", "mai", "maio", "mayo", "maggio", "mag", "mayıs", "mayis", "maja", "мая", "май"),
    "jun": ("juni", "juin", "junho", "junio", "giugno", "giu", "haziran", "czerwca", "czerwiec", "июня", "июнь"),
    "jul": ("juli", "juillet", "juil", "julho", "julio", "luglio", "lug", "temmuz", "lipca", "lipiec", "июля", "июль"),
    "aug": ("agustus", "agu", "agt", "août", "aout", "agosto", "ago", "ağustos", "sierpnia", "sierpień", "августа", "август"),
    "sep": ("septembre", "setembro", "set", "septiembre", "settembre", "eylül", "eylul", "września", "wrzesień", "сентября", "сентябрь"),
    "oct": ("oktober", "okt", "octobre", "outubro", "out", "octubre", "ottobre", "ott", "ekim", "października", "październik", "октября", "октябрь"),
    "nov": ("novembre", "novembro", "noviembre", "nop", "kasım", "kasim", "listopada", "listopad", "ноября", "ноябрь"),
    "dec": ("desember", "des", "dezember", "dez", "décembre", "decembre", "déc", "dezembro", "diciembre", "dic", "dicembre", "aralık", "aralik", "grudnia", "grudzień", "декабря", "декабрь"),
}
_FOREIGN_MONTH = "|".join(sorted((w for ws in MONTH_WORDS.values() for w in ws), key=len, reverse=True))
_FOREIGN_RE = re.compile(rf"(?<!\w)({_FOREIGN_MONTH})(?!\w)\.?", re.IGNORECASE)
# a weekday's name after the year ("13 Ekim 2022, Perşembe"), in any language, and the Russian and
# Polish word for year ("12 июня 2020 г.", "5 czerwca 2021 r."): dropped
_WEEKDAY_AFTER = r"(\d{4})(?:,\s*[^\d\s,]+|\s+[гr]\.?)\s*$"
_OF_RE = re.compile(r"(?<=\d)\.?\s+de\s+|\s+de\s+(?=\d)", re.IGNORECASE)  # Spanish and Portuguese "3 de enero de 2024"
_TO_ENGLISH = {w: en for en, ws in MONTH_WORDS.items() for w in ws}


# words after a time that say it is one (Mercado Libre's "06:52 hs.", German "14:30 Uhr"), and a zone in
# brackets (Amazon Shipping's "15:43 (UTC)": the column's times are then UTC): taken off before the date is read
SUFFIX = r"(?i)(\d)\s*(?:hs?\.?|hrs?\.?|horas|uhr|\((?:utc|gmt)\))\s*$"  # the time's last digit kept: \1
_SUFFIX_RE = re.compile(SUFFIX)
_BRACKETED_UTC_RE = re.compile(r"\((?:utc|gmt)\)\s*$", re.IGNORECASE)


def localize(value: str) -> str:
    """A date written with another language's month name, with the English abbreviation instead."""
    v = _OF_RE.sub(" ", value)
    v = re.sub(r"(?<=\d)\.\s+(?=[^\d\s])", " ", v)  # German "5. März 2024"
    v = re.sub(_WEEKDAY_AFTER, r"\1", v)
    return _FOREIGN_RE.sub(lambda m: _TO_ENGLISH[m.group(1).lower()], v)


def read_localized(value: str) -> str:
    """The date a value with another language's month name, or inside a sentence (PHRASE), says, as
    YYYY-MM-DD (for the load's notes)."""
    v = localize(unphrase(value) or value)
    fmt = _first_format(v, _NAMED + _YMD)
    return datetime.strptime(v, fmt).date().isoformat() if fmt else value


def localize_sql(x: str) -> str:
    """SQL of `localize` (a regular expression per English month, on the column's values that need it)."""
    v = rf"regexp_replace(regexp_replace({x}, '(\d)\.?\s+[dD][eE]\s+', '\1 ', 'g'), '\s+[dD][eE]\s+(\d)', ' \1', 'g')"
    v = rf"regexp_replace({v}, '(\d)\.\s+([^\d\s])', '\1 \2', 'g')"
    v = f"regexp_replace({v}, {lit(_WEEKDAY_AFTER)}, '\\1')"
    for en, words in MONTH_WORDS.items():
        alternatives = "|".join(sorted(words, key=len, reverse=True))
        v = rf"regexp_replace({v}, '(?i)(^|[^\pL\d_])({alternatives})\.?($|[^\pL\d_])', '\1{en}\3', 'g')"
    return v


# The date in the sentence an Amazon review page puts before (or, in Japanese, around) it, in the
# languages of its marketplaces: "Reviewed in the United States on September 3, 2021", "Rezension aus
# Deutschland vom 5. März 2024", "2021年3月3日に日本でレビュー済み". One group per language, all but one empty.
PHRASE = ("^(?:Reviewed in .+? on (.+)|Rezension aus .+? vom (.+)|Commenté (?:en|au|aux) .+? le (.+)|Revisado en .+? el (.+)"
          "|Recensito in .+? il (.+)|Beoordeeld in .+? op (.+)|Avaliado n[oa]s? .+? em (.+)|(\\d{4}年\\d{1,2}月\\d{1,2}日)に.+レビュー済み)$")
_PHRASE_RE = re.compile(PHRASE)


def unphrase(value: str) -> str | None:
    """The date part of a value written inside such a sentence, or None."""
    m = _PHRASE_RE.match(value)
    return next((g.strip() for g in m.groups() if g), None) if m else None


def unphrase_sql(x: str) -> str:
    """SQL of `unphrase` (values outside a sentence are left as they are)."""
    return f"regexp_replace({x}, {lit(PHRASE)}, '\\1\\2\\3\\4\\5\\6\\7\\8')"


# what any non-numeric date has somewhere: digits and a date separator, or a month's name beside a number
_MONTH = rf"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|{_FOREIGN_MONTH})[a-zé]*"
_DATEISH_RE = re.compile(rf"\d{{1,4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,4}}|\b{_MONTH}\.?,?\s+\d{{1,4}}|\d{{1,2}}[-\s]{_MONTH}\b", re.IGNORECASE)

# Formats tried, in this order, for values that are neither ISO nor plain numbers. Numeric day/month
# formats are generated for the order in force (see `_numeric_formats`).
_TIMES = ("", " %H:%M:%S", " %H:%M", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p", "T%H:%M:%S", "T%H:%M")
_NAMED = [
    f + t
    for f in ("%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d-%B-%Y",
              "%d %b %y", "%b-%d-%Y", "%a, %d %b %Y", "%A, %B %d, %Y")
    for t in _TIMES[:6]
] + ["%a %b %d %H:%M:%S %Y"]
_YMD = [
    f + t
    for f in ("%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d")
    for t in _TIMES
] + ["%Y年%m月%d日%H时%M分%S秒", "%Y年%m月%d日%H:%M:%S", "%Y年%m月%d日 %H时%M分", "%Y-%m-%d %H:%M:%S.%f",
       "%Y-%m-%d %H"]  # to the hour (Tianchi's mobile behaviour logs: 2014-12-06 02)


def _numeric_formats(order: str) -> list[str]:
    day, month = ("%d", "%m") if order == "dayfirst" else ("%m", "%d")
    return [f"{day}{s}{month}{s}{y}{t}" for s in "/-." for y in ("%Y", "%y") for t in _TIMES]


@dataclass
class DateProfile:
    """How a column's dates are written."""

    formats: list[str] = field(default_factory=list)  # strptime formats seen, most frequent first
    order: str | None = None  # dayfirst | monthfirst, for numeric dates such as 03/04/2024
    decided_by: str | None = None  # data | file_order | convention | user
    evidence: str | None = None  # the value (or rule) that decided the order
    zoned: int = 0  # values with an offset or Z (converted into the shop's zone)
    epochs: int = 0  # Unix seconds or milliseconds (instants, converted into the shop's zone)
    serials: int = 0  # Excel serial day numbers
    naive: int = 0  # values taken as shop wall-clock time
    parsed: int = 0
    total: int = 0
    separator: str | None = None
    example: str | None = None
    has_time: bool = False
    localized_examples: list[str] = field(default_factory=list)  # values with another language's month names (MONTH_WORDS)
    utc: bool = False  # the header says the times are UTC (Stripe's "Created (UTC)"): values without an offset are too
    zone_column: str | None = None  # a column naming each row's zone (`zone_column`): values without an offset are in it
    zone_names: dict[str, str] = field(default_factory=dict)  # that column's values that are zone names -> IANA names
    phrased_examples: list[str] = field(default_factory=list)  # values inside a sentence (PHRASE)
    suffixed: bool = False  # the times are followed by a word or a bracketed zone (SUFFIX), taken off to read them
    zone_tail: bool = False  # the times end in a zone's abbreviation (ZONE_TAIL: "2:33 AM EDT"), read on each row
    unread_zones: list[str] = field(default_factory=list)  # such abbreviations of more than one meaning (ZONES_UNREAD)

    @property
    def localized(self) -> bool:
        """Whether the column is read through `localize`."""
        return bool(self.localized_examples)

    @property
    def ambiguous(self) -> bool:
        """The data cannot tell day-first from month-first: the choice is a convention the person can change."""
        return self.order is not None and self.decided_by in ("convention", "file_order")

    @property
    def share(self) -> float:
        return self.parsed / self.total if self.total else 0.0

    def zone(self) -> str:
        """naive | converted | mixed: what the loader does with time zones."""
        given = self.utc or self.zone_column is not None or self.zone_tail
        instants = self.zoned + self.epochs + (self.naive if given else 0)
        if instants and self.naive and not given:
            return "mixed"
        return "converted" if instants else "naive"


def _numeric_parts(values: list[str]) -> list[tuple[int, int, str]]:
    out = []
    for v in values:
        m = NUMERIC_RE.match(v)
        if m:
            out.append((int(m.group(1)), int(m.group(3)), m.group(2)))
    return out


def decide_order(values: list[str]) -> tuple[str | None, str | None, str | None]:
    """(order, decided_by, evidence) for numeric dates like 08-11-2016; (None, None, None) when there are none.

    A first number above 12 anywhere means day-first, a second one above 12 month-first. When no value
    tells, the file's own order decides if reading it one way keeps the rows in date order clearly more
    often; failing that, the separator's convention: '/' month-first (US exports), '-' and '.' day-first.
    """
    parts = _numeric_parts(values)
    if not parts:
        return None, None, None
    over_first = next((v for v, (a, _, _) in zip(values, _all_parts(values), strict=True) if a is not None and a > 12), None)
    over_second = next((v for v, (_, b, _) in zip(values, _all_parts(values), strict=True) if b is not None and b > 12), None)
    if over_first and not over_second:
        return "dayfirst", "data", over_first
    if over_second and not over_first:
        return "monthfirst", "data", over_second
    if over_first and over_second:
        # both kinds occur (a mixed column): the more frequent reading wins, the rest are rejected
        n_first = sum(1 for a, _, _ in parts if a > 12)
        n_second = sum(1 for _, b, _ in parts if b > 12)
        return ("dayfirst", "data", over_first) if n_first >= n_second else ("monthfirst", "data", over_second)
    by_order = _file_order(values)
    if by_order:
        return by_order, "file_order", None
    sep = Counter(s for _, _, s in parts).most_common(1)[0][0]
    return ("monthfirst" if sep == "/" else "dayfirst"), "convention", sep


def _all_parts(values: list[str]):
    for v in values:
        m = NUMERIC_RE.match(v)
        yield (int(m.group(1)), int(m.group(3)), m.group(2)) if m else (None, None, None)


def _file_order(values: list[str]) -> str | None:
    """The reading under which consecutive values are in date order clearly more often, if any."""
    keys = {"dayfirst": [], "monthfirst": []}
    for v in values:
        m = NUMERIC_RE.match(v)
        if not m:
            continue
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        y = y + (2000 if y < 69 else 1900) if y < 100 else y
        keys["dayfirst"].append((y, b, a))
        keys["monthfirst"].append((y, a, b))
    n = len(keys["dayfirst"]) - 1
    if n < 10:
        return None
    sorted_share = {k: sum(1 for x, y in zip(s, s[1:], strict=False) if x <= y) / n for k, s in keys.items()}
    # a clear margin: a file sorted by date read the wrong way round jumps back at every month's end
    if abs(sorted_share["dayfirst"] - sorted_share["monthfirst"]) >= 0.1 and max(sorted_share.values()) >= 0.8:
        return max(sorted_share, key=sorted_share.get)
    return None


def _digits_kind(v: str) -> str | None:
    """epoch_s | epoch_ms | serial | compact for plain numbers that stand for a date, else None."""
    if not _DIGITS_RE.match(v):
        return None
    whole = v.split(".")[0]
    if len(whole) in (8, 14) and "." not in v:
        return "compact"
    if len(whole) in (9, 10):
        return "epoch_s"
    if len(whole) in (12, 13):
        return "epoch_ms"
    if len(whole) == 5 and 20000 <= float(v) <= 80000:
        return "serial"
    return None


def infer(values: list[str | None], order: str | None = None) -> DateProfile:
    """The profile of a date column from its values (all of them, or a sample); `order` forces
    day-first or month-first (the person's choice)."""
    vals = [v.strip() for v in values if v is not None and v.strip()]
    p = DateProfile(total=len(vals))
    if not vals:
        return p
    if sum(1 for v in vals if _SUFFIX_RE.search(v)) >= 0.5 * len(vals):
        p.suffixed = True
        p.utc = sum(1 for v in vals if _BRACKETED_UTC_RE.search(v)) >= 0.9 * len(vals)
        vals = [_SUFFIX_RE.sub(r"\1", v) for v in vals]
    tails = [ZONE_TAIL_RE.search(v) for v in vals]
    if sum(1 for m in tails if m) >= 0.5 * len(vals):
        p.zone_tail = True
        p.unread_zones = sorted({m.group(1).upper() for m in tails if m and m.group(1).upper() in ZONES_UNREAD})
        vals = [ZONE_TAIL_RE.sub("", v) for v in vals]
    inner = [unphrase(v) for v in vals]
    if any(inner):
        p.phrased_examples = [v for v, d in zip(vals, inner, strict=True) if d][:3]
        vals = [d or v for v, d in zip(vals, inner, strict=True)]
    if order in ("dayfirst", "monthfirst"):
        p.order, p.decided_by = order, "user"
    else:
        p.order, p.decided_by, p.evidence = decide_order(vals)
    candidates = _NAMED + _YMD + _numeric_formats(p.order or "monthfirst")
    seen: Counter = Counter()
    for v, count in Counter(vals).items():  # each distinct value once: columns repeat their dates
        if ISO_ZONED_RE.match(v):
            p.zoned += count
            p.parsed += count
            p.has_time = True
            continue
        if ISO_RE.match(v):
            p.naive += count
            p.parsed += count
            p.has_time = p.has_time or len(v) > 10
            continue
        kind = _digits_kind(v)
        if kind:
            p.parsed += count
            if kind.startswith("epoch"):
                p.epochs += count
                p.has_time = True
            elif kind == "serial":
                p.serials += count
                p.naive += count
                p.has_time = p.has_time or "." in v
            else:
                p.naive += count
            continue
        # no date is longer than 64 characters: a column of review texts is not searched word by word
        short = len(v) <= 64
        known = [f for f, _ in seen.most_common()]
        fmt = _first_format(v, known + candidates) if short and _DATEISH_RE.search(v) else None
        if fmt is None and short and _FOREIGN_RE.search(v) and _DATEISH_RE.search(local := localize(v)):
            fmt = _first_format(local, known + _NAMED)
            if fmt and len(p.localized_examples) < 3:
                p.localized_examples.append(v)
        if fmt:
            seen[fmt] += count
            p.parsed += count
            p.naive += count
            p.has_time = p.has_time or "%H" in fmt or "%I" in fmt
    p.formats = [f for f, _ in seen.most_common()]
    numeric = _numeric_parts(vals)
    if numeric:
        p.separator = Counter(s for _, _, s in numeric).most_common(1)[0][0]
    else:
        p.order = p.order if p.decided_by == "user" else None
        p.decided_by = p.decided_by if p.decided_by == "user" else None
    p.example = p.phrased_examples[0] if p.phrased_examples else vals[0]
    return p


def _first_format(value: str, formats: list[str]) -> str | None:
    for f in dict.fromkeys(formats):
        try:
            datetime.strptime(value, f)
            return f
        except ValueError:
            continue
    return None


def is_time_column(values: list[str | None]) -> bool:
    """Mostly times of day (13:08, 1:08 PM) and nothing that is a date."""
    vals = [v.strip() for v in values if v is not None and v.strip()]
    return bool(vals) and sum(1 for v in vals if TIME_ONLY_RE.match(v)) >= 0.9 * len(vals)


# -- SQL -------------------------------------------------------------------------------------------
# A zone named beside the times, on each row (PayPal's TimeZone: PDT, PST; Square's "Pacific Time (US &
# Canada)"; an IANA name; an offset such as +08:00 or GMT-5). Abbreviations by their offsets in minutes,
# only those with one meaning (CST is China's or US Central time, IST India's or Ireland's: not read).
ZONE_OFFSETS = {"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "EST": -300, "EDT": -240, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480,
                "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "BST": 60, "CET": 60, "CEST": 120, "WEST": 60, "EET": 120,
                "EEST": 180, "MSK": 180, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "AWST": 480, "ACST": 570, "AEST": 600,
                "AEDT": 660, "NZST": 720, "NZDT": 780}
ZONES_UNREAD = frozenset(("CST", "IST", "AST"))  # they make a column one of zones, but each has more than one meaning
# a time followed by one of those abbreviations (Amazon's "Jan 1, 2024 12:03:44 AM PST", Big Cartel's
# time column "2:33 AM EDT"): the zone of that value, taken off to read the time and applied on each row
_ZONE_WORDS = "|".join(sorted((a for a in (*ZONE_OFFSETS, *ZONES_UNREAD) if a != "Z"), key=len, reverse=True))
ZONE_TAIL = rf"(?i)\s+({_ZONE_WORDS})\s*$"
ZONE_TAIL_RE = re.compile(ZONE_TAIL)
TIME_ONLY_RE = re.compile(rf"^\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s+(?i:{_ZONE_WORDS}))?$")
# names some platforms write (Rails' zone names, which Square and Shopify use) -> IANA
ZONE_ALIASES = {"Pacific Time (US & Canada)": "America/Los_Angeles", "Mountain Time (US & Canada)": "America/Denver",
                "Central Time (US & Canada)": "America/Chicago", "Eastern Time (US & Canada)": "America/New_York",
                "Arizona": "America/Phoenix", "Alaska": "America/Juneau", "Hawaii": "Pacific/Honolulu", "London": "Europe/London",
                "Beijing": "Asia/Shanghai", "Hong Kong": "Asia/Hong_Kong", "Singapore": "Asia/Singapore", "Tokyo": "Asia/Tokyo",
                "Sydney": "Australia/Sydney", "Paris": "Europe/Paris", "Berlin": "Europe/Berlin"}
ZONE_HEADERS = frozenset(("timezone", "tz", "zone", "timezonename", "时区"))  # as mapping.normalize writes them ("Time Zone")
_OFFSET_ZONE = r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?"


def zone_name(value: str) -> str | None:
    """The IANA name of a zone value that names a zone (an IANA name, or an alias in ZONE_ALIASES), else None."""
    v = value.strip()
    name = ZONE_ALIASES.get(v, v)
    return name if "/" in name and name in _iana() else None


@functools.cache
def _iana() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def is_zone(value: str) -> bool:
    """Whether a value names a zone: an abbreviation, an offset, an IANA name or an alias."""
    v = value.strip()
    return v.upper() in ZONE_OFFSETS or v.upper() in ZONES_UNREAD or bool(re.fullmatch(_OFFSET_ZONE, v)) or zone_name(v) is not None


def zone_column(sample: dict[str, list[str | None]]) -> DateProfile | None:
    """A column of zones beside the times (ZONE_HEADERS, nearly all its sampled values zones), as the
    profile fields it sets: `zone_column`, `zone_names`; None when there is none."""
    from ecom.ingest.mapping import normalize  # mapping builds on this module (through profile)

    for src, values in sample.items():
        if normalize(src) not in ZONE_HEADERS:
            continue
        vals = [v.strip() for v in values if v and v.strip()]
        if vals and sum(map(is_zone, vals)) >= 0.9 * len(vals):
            return DateProfile(zone_column=src, zone_names={v: n for v in set(vals) if (n := zone_name(v))})
    return None


def _zoned_wall(n: str, z: str, profile: DateProfile, tzl: str) -> str:
    """Shop time of the naive time `n` written in the zone the row's zone value `z` names; a value that
    names no zone leaves it as shop time. `n` appears once (the conversion runs without common-subexpression
    elimination)."""
    abbrev = " ".join(f"WHEN {lit(a)} THEN {m}" for a, m in ZONE_OFFSETS.items())
    parsed = (f"CASE WHEN regexp_matches(upper({z}), '^{_OFFSET_ZONE}$') THEN (CASE WHEN regexp_extract({z}, '([+-])', 1) = '-' THEN -1 ELSE 1 END) "
              rf"* (CAST(regexp_extract({z}, '[+-](\d{{1,2}})', 1) AS INTEGER) * 60 "
              rf"+ coalesce(TRY_CAST(NULLIF(regexp_extract({z}, '[+-]\d{{1,2}}:?(\d{{2}})', 1), '') AS INTEGER), 0)) END")
    offset = f"CASE upper(trim({z})) {abbrev} ELSE {parsed} END"
    names = " ".join(f"WHEN {lit(value)} THEN {lit(iana)}" for value, iana in sorted(profile.zone_names.items()))
    name = f"CASE trim({z}) {names} END" if names else "NULL"
    zone = f"coalesce({name}, CASE WHEN ({offset}) IS NOT NULL THEN 'UTC' END, {tzl})"
    return f"timezone({tzl}, timezone({zone}, {n} - to_minutes(CAST(coalesce({offset}, 0) AS BIGINT))))"


def timestamp_sql(x: str, profile: DateProfile | None, tz: str, zone: str | None = None) -> str:
    """A DuckDB TIMESTAMP (shop wall-clock time) from the cleaned text `x`; NULL where it is not a date.

    ISO values take the fast paths; zoned ISO values and epochs are converted into `tz`; everything
    else goes through strptime with the column's own formats first, then every known format under the
    column's day/month order. `zone`: the SQL of the row's zone value, where the profile has a zone
    column (times written without an offset are in that zone).
    """
    profile = profile or DateProfile()
    if profile.suffixed:
        x = f"regexp_replace({x}, {lit(SUFFIX)}, '\\1')"
    by_row = zone is not None and profile.zone_column is not None and profile.has_time
    if profile.zone_tail:  # the value's own zone, taken off it; a value without one is shop time
        if not by_row and profile.has_time:
            zone, by_row = f"regexp_extract({x}, {lit(ZONE_TAIL)}, 1)", True
        x = f"regexp_replace({x}, {lit(ZONE_TAIL)}, '')"
    order = profile.order or "monthfirst"
    fallback = _NAMED + _YMD + _numeric_formats(order)
    formats = list(dict.fromkeys(profile.formats + fallback))
    fmt_list = "[" + ", ".join(lit(f) for f in formats) + "]"
    tzl = lit(tz)
    # offsets as DuckDB reads them: '+0530' and ' +05:30' become '+05:30', '+05' becomes '+05:00', UTC/GMT '+00:00'
    offset = f"regexp_replace({x}, '\\s*(UTC|GMT)$', '+00:00')"
    offset = f"regexp_replace({offset}, '\\s*([+-]\\d{{2}}):?(\\d{{2}})$', '\\1:\\2')"
    offset = f"regexp_replace({offset}, '\\s*([+-]\\d{{2}})$', '\\1:00')"
    zoned = f"timezone({tzl}, TRY_CAST({offset} AS TIMESTAMPTZ))"


    def wall(ts: str) -> str:
        """A value written without a zone: shop time, or UTC converted into it where the header says UTC
        (a zone column's conversion is applied once, around them all)."""
        return f"timezone({tzl}, timezone('UTC', {ts}))" if profile.utc and not by_row else ts

    iso_seconds, iso_day = wall(f"TRY_STRPTIME({x}, '%Y-%m-%d %H:%M:%S')"), wall(f"TRY_STRPTIME({x}, '%Y-%m-%d')")
    iso = wall(f"TRY_CAST(replace({x}, 'T', ' ') AS TIMESTAMP)")
    digits8, digits14 = wall(f"TRY_STRPTIME({x}, '%Y%m%d')"), wall(f"TRY_STRPTIME({x}, '%Y%m%d%H%M%S')")
    serial = wall(f"TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST({x} AS DOUBLE) * 86400000000) AS BIGINT))")
    other = wall(f"TRY_STRPTIME({localize_sql(x) if profile.localized else x}, {fmt_list})")
    # a date inside a sentence is a named or 年月日 date: the sentence is taken off once, in its own branch
    inner = unphrase_sql(x)
    # (condition, value, whether the value is an instant), in the order the values are tried: the usual
    # shapes first, as they cost least
    branches = [
        (f"regexp_full_match({x}, {lit(PHRASE)})", wall(f"TRY_STRPTIME({localize_sql(inner) if profile.localized else inner}, {fmt_list})"), False),
        (f"{x} LIKE '____-__-__ __:__:__'", iso_seconds, False),
        (f"{x} LIKE '____-__-__'", iso_day, False),
        (f"regexp_full_match({x}, {lit(ISO_RE.pattern[1:-1])})", iso, False),
        (f"regexp_full_match({x}, {lit(ISO_ZONED_RE.pattern[1:-1])})", zoned, True),
        (f"regexp_full_match({x}, '\\d{{8}}')", digits8, False),
        (f"regexp_full_match({x}, '\\d{{14}}')", digits14, False),
        (f"regexp_full_match({x}, '\\d{{9,10}}(\\.\\d+)?')", f"timezone({tzl}, to_timestamp(CAST({x} AS DOUBLE)))", True),
        (f"regexp_full_match({x}, '\\d{{12,13}}')", f"timezone({tzl}, to_timestamp(CAST({x} AS DOUBLE) / 1000))", True),
        (f"regexp_full_match({x}, '\\d{{5}}(\\.\\d+)?') AND CAST({x} AS DOUBLE) BETWEEN 20000 AND 80000", serial, False),
    ]
    if not profile.phrased_examples:
        branches = branches[1:]

    def case(of: list) -> str:
        return "CASE " + "".join(f"WHEN {cond} THEN {value} " for cond, value, _ in of) + f"ELSE {other} END"

    if by_row:  # the instants first; every other value is a wall-clock time in the row's zone
        instants = "".join(f"WHEN {cond} THEN {value} " for cond, value, instant in branches if instant)
        return f"CASE {instants}ELSE {_zoned_wall(case([b for b in branches if not b[2]]), zone, profile, tzl)} END"
    return case(branches)


def full_scan_sql(raw_sql: str, column: str) -> str:
    """One row: the largest first and second number of numeric dates in the whole column (the
    loader runs it when a sample could not tell day-first from month-first)."""
    pat = lit(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]")
    return (
        f"SELECT max(TRY_CAST(regexp_extract({column}, {pat}, 1) AS INTEGER)), max(TRY_CAST(regexp_extract({column}, {pat}, 2) AS INTEGER)) "
        f"FROM ({raw_sql})"
    )
