"""Planning an upload of several tables at once: the files of one upload or one `ingest` call, the
members of a zip and the sheets of a workbook.

A table that is complete alone loads alone, as before. Tables that are not, but share keys, are
joined into order lines: a *lines* table (amounts, quantities or products per line, but no time)
joined with a *header* table on a key column that is unique there (order time, status, customer),
then with every *lookup* table that shares a key with what is joined so far (a product master for
names and categories, a customer table for the person-level customer id and region, a category table
for category names). A two-column table whose first column is a key of the joined lines translates
that key (Olist's product_category_name_translation). Nothing here knows any marketplace: keys are
columns of the same name whose values are ids, and a lookup is joined only where its key is unique,
so lines are never multiplied. Tables that fit nothing, alone or joined, are listed and skipped;
the person can skip any table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ecom import i18n
from ecom.ingest import mapping as mapping_mod
from ecom.ingest import wide
from ecom.ingest.read import SAMPLE_ROWS, Source, raw_relation, with_serial_fallback

LOOKUP_TABLES = ("products",)  # complete tables that may also complete order lines


@dataclass
class Unit:
    """One load of a planned upload."""

    kind: str  # single | join | skip
    source: Source  # the table loaded (for a join: the joined relation)
    table: str | None = None
    members: list[Source] = field(default_factory=list)  # join: every table joined, the lines table first
    reason: str = ""  # skip: why
    lacks: str = ""  # skip: what each table would need


@dataclass
class _Part:
    src: Source
    key_left: str  # joined column name it is joined on
    key_right: str  # its own column
    alias: str
    translate: bool = False


def _key_like(name: str) -> bool:
    words, cjk = mapping_mod.header_words(name)
    return bool(words & {"id", "code", "key", "no", "sku", "number"}) or "编号" in cjk or "编码" in cjk


def _column_values(src: Source, col: str) -> list[str]:
    i = src.columns.index(col)
    return [str(r[i]).strip() for r in src.sample if i < len(r) and r[i] is not None and str(r[i]).strip()]


def _unique(src: Source, col: str) -> bool:
    vals = _column_values(src, col)
    return bool(vals) and len(set(vals)) >= 0.98 * len(vals)


def _overlap(a: list[str], b: list[str]) -> bool:
    return bool(set(a) & set(b))


def plan(sources: list[Source], workdir, wh=None, lang: str = "en", skip: set[str] | frozenset[str] = frozenset(),
         tables: dict[str, str] | None = None, mapped: set[str] | frozenset[str] = frozenset()) -> list[Unit]:
    """The loads of an upload. `workdir` is where the sources were opened (transcoded copies live
    there); `skip` names sources the person left out; `tables` forces a source's table (its name ->
    table, or "auto"); `mapped` names sources the person mapped themselves (they load alone, into
    the table their mapping fits)."""
    tables = tables or {}
    units: list[Unit] = []
    guesses = {}
    for src in sources:
        if src.name in skip:
            units.append(Unit("skip", src, reason=i18n.t("ingest.plan.skipped_by_you", lang)))
            continue
        forced = tables.get(src.name, "auto")
        guesses[src.name] = mapping_mod.suggest(src.columns, wh=wh, values=src.sample, table=forced, lang=lang)
    live = [s for s in sources if s.name in guesses]
    incomplete = [s for s in live if guesses[s.name].table is None or guesses[s.name].unmapped_required]
    forced_any = {s.name for s in live if tables.get(s.name, "auto") != "auto" or s.name in mapped}
    used: set[str] = set()
    joins: list[Unit] = []
    # a table the person put somewhere themselves joins nothing, unless it is a product master
    fixed = {n for n in forced_any if (tables.get(n) or guesses[n].table) not in LOOKUP_TABLES}
    for base in incomplete:
        if base.name in used or base.name in forced_any:
            continue
        unit = _join_for(base, live, guesses, used | fixed, workdir, lang)
        if unit is not None:
            used.update(m.name for m in unit.members)
            joins.append(unit)
    for src in live:
        g = guesses[src.name]
        complete = g.table is not None and not g.unmapped_required
        long = None if complete or src.name in forced_any or src.name in used else wide.melt(src, workdir)
        if long is not None:
            lg = mapping_mod.suggest(long.columns, wh=wh, values=long.sample, lang=lang)
            if lg.table is not None and not lg.unmapped_required:
                long.notes.append(i18n.t("ingest.note.wide", lang))
                units.append(Unit("single", long, lg.table))
                continue
        if complete or src.name in forced_any:
            units.append(Unit("single", src, g.table))
        elif src.name not in used:
            lacks = mapping_mod.lacks(g.fits, lang) if g.fits else i18n.t("ingest.reason.no_known", lang)
            units.append(Unit("skip", src, reason=i18n.t("ingest.plan.fits_nothing", lang, lacks=lacks), lacks=lacks))
    # the joined order lines load after the tables they looked up (a product master first)
    return [u for u in units if u.kind != "skip"] + joins + [u for u in units if u.kind == "skip"]


def _join_for(base: Source, live: list[Source], guesses: dict, taken: set[str], workdir, lang: str) -> Unit | None:
    """Order lines from `base` (lines without a time) joined with a header table and lookups, or None."""
    lines = mapping_mod.suggest(base.columns, values=base.sample, table="sales", lang=lang)
    targets = mapping_mod.targets_of(lines.mapping)
    if "order_time" in targets or not targets & {"revenue", "unit_price", "quantity"}:
        return None
    others = [s for s in live if s is not base and s.name not in taken
              and (guesses[s.name].table is None or guesses[s.name].unmapped_required or guesses[s.name].table in LOOKUP_TABLES)]
    header = None
    for s in others:
        g = mapping_mod.suggest(s.columns, values=s.sample, table="sales", lang=lang)
        if "order_time" not in mapping_mod.targets_of(g.mapping):
            continue
        key = _shared_key(base.columns, base, s)
        if key is not None:
            header = _Part(s, key[0], key[1], "h0")
            break
    if header is None:
        return None
    parts = [header]
    joined_cols = {c: base for c in base.columns}
    for c in header.src.columns:
        joined_cols.setdefault(c, header.src)
    progress = True
    while progress:
        progress = False
        for s in others:
            if s is header.src or any(p.src is s for p in parts):
                continue
            key = _lookup_key(joined_cols, s)
            if key is None:
                continue
            translate = len(s.columns) == 2 and not _key_like(key[1])
            parts.append(_Part(s, key[0], key[1], f"h{len(parts)}", translate))
            for c in s.columns:
                joined_cols.setdefault(c, s)
            progress = True
    return Unit("join", _joined_source(base, parts, workdir), "sales", [base, *(p.src for p in parts)])


def _shared_key(columns: list[str], left: Source, right: Source) -> tuple[str, str] | None:
    """A column of `left` named as a column of `right` that holds ids and is unique in `right`."""
    by_norm = {mapping_mod.normalize(c): c for c in right.columns}
    for c in columns:
        other = by_norm.get(mapping_mod.normalize(c))
        if other is None or not _unique(right, other):
            continue
        if _key_like(c) or _overlap(_column_values(left, c), _column_values(right, other)):
            return c, other
    return None


def _lookup_key(joined_cols: dict[str, Source], s: Source) -> tuple[str, str] | None:
    for c, owner in joined_cols.items():
        key = _shared_key([c], owner, s)
        if key is not None:
            return key
    return None


def _joined_source(base: Source, parts: list[_Part], workdir) -> Source:
    """A source whose relation is the lines joined with their header and lookups (c0..cN, `_row` of the lines)."""
    names: list[str] = list(base.columns)
    select = [f"b.c{i}" for i in range(len(base.columns))]
    where_from: dict[str, str] = {c: f"b.c{i}" for i, c in enumerate(base.columns)}
    translated: dict[str, str] = {}
    for p in parts:
        for i, c in enumerate(p.src.columns):
            if c == p.key_right:
                continue
            ref = f"{p.alias}.c{i}"
            if p.translate:
                # the key's value translated (its own when the table has no translation for it)
                translated[p.key_left] = f"coalesce({ref}, {translated.get(p.key_left, where_from[p.key_left])})"
                continue
            name = c if c not in names else f"{p.src.name.rsplit('/', 1)[-1]}.{c}"
            names.append(name)
            select.append(ref)
            where_from[name] = ref
            where_from.setdefault(c, ref)
    for left, expr in translated.items():
        select[names.index(left)] = expr

    def relation(con, tag: str, workdir) -> str:
        sql = [f"SELECT b._row AS _row, {', '.join(f'{e} AS c{i}' for i, e in enumerate(select))} "
               f"FROM ({raw_relation(con, base, tag=tag, workdir=workdir)}) b"]
        for p in parts:
            own = f"c{p.src.columns.index(p.key_right)}"
            # one row per key: a lookup never multiplies the lines
            sub = f"SELECT * FROM ({raw_relation(con, p.src, tag=f'{tag}_{p.alias}', workdir=workdir)}) QUALIFY row_number() OVER (PARTITION BY trim({own}) ORDER BY _row) = 1"
            sql.append(f"LEFT JOIN ({sub}) {p.alias} ON trim({where_from[p.key_left]}) = trim({p.alias}.{own})")
        return " ".join(sql)

    src = Source(
        name=" + ".join([base.name, *(p.src.name for p in parts)]), kind="join", content_hash="+".join([base.content_hash, *(p.src.content_hash for p in parts)]),
        path=base.path, encoding=base.encoding, delimiter=base.delimiter, columns=names, notes=list(base.notes),
        rows_estimate=base.rows_estimate, size=base.size, relation=relation, members=[base, *(p.src for p in parts)],
    )
    src.sample = _joined_sample(src, workdir)
    src.preview = src.sample[:20]
    return src


def _joined_sample(src: Source, workdir) -> list[list[str | None]]:
    """The first rows of the joined relation (for mapping and the preview)."""
    con = duckdb.connect(config={"temp_directory": str(Path(workdir) / "spill")})
    try:
        rows = with_serial_fallback(con, src, lambda: con.execute(
            f"SELECT * FROM ({src.relation(con, 'plan', workdir)}) ORDER BY _row LIMIT {SAMPLE_ROWS}").fetchall())
    finally:
        con.close()
    return [list(r[1:]) for r in rows]
