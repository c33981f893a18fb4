"""Mapping source headers onto canonical columns.

In order of trust: a mapping the user confirmed earlier for the same header signature
(app.mapping_memory), a platform preset (presets/*.json: Taobao/Tmall, JD, Pinduoduo, Douyin shop,
Shopify, and the original pipeline's legacy files), then the schema's synonyms.

A mapping is `{source column: target}` where target is a canonical column, optionally with a marker:
  `revenue@order`    the amount is per order, repeated (or only filled) on the order's lines: it is
                     allocated over the lines (by quantity × unit_price) so totals are not double counted;
  `order_time@order` an order-level field filled only on the first line: copied to the order's lines;
  `order_time@dayfirst` / `@monthfirst`  decide 03/04/2024 when the data cannot;
  `period@year` + `period@month`  a market period from separate year and month columns.
Source columns not in the mapping are kept in the row's `_extra` map.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ecom import i18n, schema

PRESET_DIR = Path(__file__).resolve().parent / "presets"
MARKERS = {"order", "dayfirst", "monthfirst", "year", "month"}
TABLE_ORDER = ("sales", "behavior", "market", "reviews", "stock", "products")
_YEAR_NAMES = {"year", "年", "年份", "yr"}
_MONTH_NAMES = {"month", "月", "月份", "mon"}


@dataclass
class Guess:
    table: str | None
    mapping: dict[str, str]
    unmapped_required: list[str] = field(default_factory=list)
    preset: str | None = None
    derive: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def normalize(header: str) -> str:
    """Header key: case, spaces, underscores, punctuation and unit suffixes such as (元) ignored."""
    text = str(header).replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\(（\[【][^\)）\]】]*[\)）\]】]$", "", text) or text
    return re.sub(r"[\s_\-./:：#]+", "", text)


def split_target(target: str) -> tuple[str, str | None]:
    col, _, marker = target.partition("@")
    return col.strip(), (marker.strip().lower() or None)


@cache
def _synonym_index() -> dict[str, dict[str, tuple[str, int]]]:
    """table -> normalized synonym -> (column, rank); a lower rank is a better match."""
    index: dict[str, dict[str, tuple[str, int]]] = {}
    for t in schema.TABLES.values():
        idx: dict[str, tuple[str, int]] = {}
        for c in t.columns:
            for rank, syn in enumerate(c.synonyms):
                key = normalize(syn)
                if key and (key not in idx or idx[key][1] > rank):
                    idx[key] = (c.name, rank)
        index[t.name] = idx
    return index


@cache
def _all_synonyms() -> frozenset[str]:
    return frozenset(k for idx in _synonym_index().values() for k in idx)


def is_known_header(cell: str) -> bool:
    return bool(cell) and normalize(cell) in _all_synonyms()


@cache
def presets() -> tuple[dict, ...]:
    out = []
    for p in sorted(PRESET_DIR.glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        # "defaults" are constants for absent columns; "derive" rules fill a column the file lacks
        # (or leaves empty): "row" = a synthetic id per row, "upload_time", "=literal"
        data["derive"] = {**{k: "=" + v for k, v in data.get("defaults", {}).items()}, **data.get("derive", {})}
        out.append(data)
    return tuple(out)


def signature(columns: list[str]) -> str:
    """The header signature a confirmed mapping is remembered under."""
    return hashlib.sha256("\x1f".join(normalize(c) for c in columns).encode("utf-8")).hexdigest()[:24]


def synonym_mapping(columns: list[str], table: str) -> dict[str, str]:
    idx = _synonym_index()[table]
    best: dict[str, tuple[int, str]] = {}
    for col in columns:
        hit = idx.get(normalize(col))
        if hit and (hit[0] not in best or best[hit[0]][0] > hit[1]):
            best[hit[0]] = (hit[1], col)
    return {src: canon for canon, (_, src) in best.items()}


def _year_month(columns: list[str], mapping: dict[str, str], values: list[list] | None) -> dict[str, str]:
    """Market periods from separate year and month columns."""
    year = next((c for c in columns if normalize(c) in _YEAR_NAMES), None)
    month = next((c for c in columns if normalize(c) in _MONTH_NAMES), None)
    if not (year and month):
        return mapping
    if values:
        i = columns.index(month)
        cells = [str(r[i]).strip() for r in values if i < len(r) and r[i] not in (None, "")]
        months = sum(1 for c in cells if c.isdigit() and 1 <= int(c) <= 12)
        if cells and months <= len(cells) / 2:
            return mapping
    out = {k: v for k, v in mapping.items() if split_target(v)[0] != "period"}
    out[year] = "period@year"
    out[month] = "period@month"
    return out


def check_mapping(table: str, mapping: dict[str, str], derive: dict[str, str] | None = None) -> list[str]:
    """Required (and one-of) canonical columns the mapping leaves without a source."""
    t = schema.TABLES[table]
    targets = {split_target(v)[0] for v in mapping.values() if v}
    targets |= set(derive or {})
    missing = [c for c in t.required if c not in targets]
    if t.one_of and not targets & set(t.one_of):
        missing.append(" or ".join(t.one_of))
    return missing


def validate(table: str, mapping: dict[str, str], columns: list[str], lang: str = "en") -> str | None:
    """A one-line problem with a user-given mapping (in `lang`), or None."""
    names = set(schema.TABLES[table].names)
    for src, target in mapping.items():
        if src not in columns:
            return i18n.t("ingest.map.no_column", lang, source=src, column=repr(src), columns=", ".join(columns[:30]))
        if not target:
            continue
        col, marker = split_target(target)
        if col not in names:
            return i18n.t("ingest.map.no_target", lang, source=src, target=target, table=table, column=repr(col), columns=", ".join(sorted(names)))
        if marker and marker not in MARKERS:
            return i18n.t("ingest.map.bad_marker", lang, source=src, target=target, marker=marker)
    return None


def recall(wh, columns: list[str]) -> tuple[str, dict[str, str]] | None:
    if wh is None:
        return None
    cur = wh.cursor()
    try:
        row = cur.execute("SELECT table_name, mapping FROM app.mapping_memory WHERE signature = ?", [signature(columns)]).fetchone()
    finally:
        cur.close()
    if not row:
        return None
    return row[0], json.loads(row[1])


def remember_mapping(wh, columns, table, mapping, cur=None) -> None:
    """Remember the confirmed `mapping` for files with these `columns` (the header signature)."""
    sql = (
        "INSERT INTO app.mapping_memory VALUES (?, ?, ?, now()::TIMESTAMP) ON CONFLICT (signature) DO UPDATE "
        "SET table_name = excluded.table_name, mapping = excluded.mapping, updated_at = excluded.updated_at"
    )
    args = [signature(list(columns)), table, json.dumps(dict(mapping), ensure_ascii=False)]
    if cur is not None:
        cur.execute(sql, args)
        return
    with wh.transaction() as tx:
        tx.execute(sql, args)


def _preset_for(columns: list[str], table: str | None) -> dict | None:
    keys = {normalize(c) for c in columns}
    best, best_hits = None, 0
    for p in presets():
        if table not in (None, "auto") and p["table"] != table:
            continue
        hits = sum(1 for m in p["match"] if normalize(m) in keys)
        distinct = any(normalize(m) in keys for m in p.get("distinct", p["match"]))
        if distinct and hits >= p.get("min_match", 3) and hits > best_hits:
            best, best_hits = p, hits
    return best


def _apply_preset(p: dict, columns: list[str]) -> dict[str, str]:
    by_key = {normalize(k): v for k, v in p["mapping"].items()}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        target = by_key.get(normalize(col))
        if target and split_target(target)[0] not in taken:
            out[col] = target
            taken.add(split_target(target)[0])
    # columns the preset does not name still map by synonyms
    for src, canon in synonym_mapping(columns, p["table"]).items():
        if src not in out and canon not in taken:
            out[src] = canon
            taken.add(canon)
    return out


def suggest(columns: list[str], wh=None, values=None, table: str | None = None, lang: str = "en") -> Guess:
    """The table and mapping for a file with these columns (table=None/'auto' guesses the table); notes in `lang`."""
    table = None if table in (None, "auto") else table
    remembered = recall(wh, columns)
    if remembered and (table is None or remembered[0] == table):
        t, m = remembered
        m = {k: v for k, v in m.items() if k in columns}
        return Guess(t, m, check_mapping(t, m), notes=[i18n.t("ingest.note.remembered", lang)])
    preset = _preset_for(columns, table)
    if preset:
        m = _apply_preset(preset, columns)
        derive = dict(preset["derive"])
        return Guess(preset["table"], m, check_mapping(preset["table"], m, derive), preset=preset["name"], derive=derive,
                     notes=[i18n.t("ingest.note.preset", lang, label=preset["label"])])
    candidates = [table] if table else list(TABLE_ORDER)
    best: Guess | None = None
    best_key = None
    for name in candidates:
        m = synonym_mapping(columns, name)
        if name == "market":
            m = _year_month(columns, m, values)
        missing = check_mapping(name, m)
        key = (not missing, len(m) - len(missing), -TABLE_ORDER.index(name))
        if best_key is None or key > best_key:
            best, best_key = Guess(name, m, missing), key
    assert best is not None
    if table is None and best.unmapped_required and not best.mapping:
        best = Guess(None, {}, [], notes=[i18n.t("ingest.note.no_known_column", lang)])
    return best
