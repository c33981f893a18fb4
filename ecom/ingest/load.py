"""Loading uploads into the warehouse: one transaction per sheet or file.

The file is parsed and converted by a separate in-memory DuckDB (the warehouse itself cannot read
files); the converted rows stream over as Arrow batches of one row group each, so memory stays flat
however large the file. Loaded rows go to the canonical table, rejected rows with their raw values
and a reason to `main.rejects`, the counts to `main.upload_log`, and the data version moves on.
"""

from __future__ import annotations

import json
import os
import queue
import re
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecom import currency as currency_mod
from ecom import i18n, schema, settings, tempfiles
from ecom import lake as lake_mod
from ecom.ingest import dates, values
from ecom.ingest import mapping as mapping_mod
from ecom.ingest import plan as plan_mod
from ecom.ingest.read import IngestError, Source, blank_lines_before, open_upload, raw_relation, with_serial_fallback
from ecom.ingest.sqltext import ident, lit
from ecom.queries import summaries

# One Arrow batch per row group of the warehouse (DuckDB's 122,880 rows): the INSERT writes each batch
# as row groups of its own, so a larger batch ends in a partial row group, and the next checkpoint merges
# those by rewriting the row groups around them (at 250,000 rows a batch: about 0.4 s per million lines).
BATCH_ROWS = 122_880
SAMPLE_ROWS = 20_000  # rows read to decide date orders, decimal commas, per-order amounts
MAX_PARSER_REJECTS = 10_000


@dataclass
class Report:
    """The outcome of loading one sheet or file."""

    source: str
    table: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    upload_id: int | None = None
    status: str = "failed"  # loaded | duplicate | joined (into another table's lines) | skipped | failed
    message: str = ""
    notes: list[str] = field(default_factory=list)
    preset: str | None = None
    unmapped_required: list[str] = field(default_factory=list)
    dataset: str | None = None
    rows_duplicate: int = 0  # rows already loaded into the same data set, skipped (counted in rows_skipped)

    def to_dict(self) -> dict:
        return asdict(self)


def refresh_summaries(wh, progress=None) -> None:
    """The pages' summary tables, built now rather than on the next page visit (a no-op unless the
    sales changed since they were built)."""
    summaries.refresh(wh, progress)


def _now_local() -> str:
    tz = settings.get("ECOM_TIMEZONE")
    return datetime.now(ZoneInfo(tz)).replace(tzinfo=None, microsecond=0).isoformat(sep=" ")


def ingest_file(wh, path, table="auto", mode="append", mapping=None, name=None, progress=None, lang="en", refresh=True) -> list[Report]:
    """Load every sheet / member of the file at `path` (planned together: see `ingest_files`)."""
    return ingest_files(wh, [path], table=table, mode=mode, mapping=mapping, names=[name] if name else None, progress=progress, lang=lang,
                        refresh=refresh)


def default_dataset(source_name: str) -> str:
    """The data set an upload goes to unless it is given one: its file's (or zip's) name."""
    return re.split(r"[/\[]", source_name, maxsplit=1)[0]


def ingest_files(wh, paths, table="auto", mode="append", mapping=None, names=None, progress=None, lang="en", refresh=True,
                 skip=(), tables=None, mappings=None, currency=None, encodings=None, dataset=None) -> list[Report]:
    """Load the files of one upload (or one `ingest` call), their zip members and sheets planned
    together (`ecom.ingest.plan`): each table that is complete alone loads alone, tables that complete
    each other are joined into order lines, the rest are listed and skipped. Never raises for bad
    files: see Report.status (loaded, duplicate, joined, skipped, failed).

    `mapping` maps source columns to canonical columns (markers: see ecom.ingest.mapping), overriding
    what was guessed, for every table that has those columns; `mappings` and `tables` do the same per
    source name, and `skip` names sources to leave out. `currency` is the upload's currency (ISO code)
    for amounts without one of their own; `encodings` overrides detected text encodings per file
    name. `dataset` names the data set the loads go to (default: each file's name): lines already
    loaded into it are skipped. `progress(fraction, message)` is called as
    batches land. Messages, notes and the reject reasons stored in main.rejects are in `lang`.
    `refresh=False` leaves the pages' summary tables to the caller, which then calls
    `refresh_summaries` once.
    """
    paths = [Path(p) for p in paths]
    names = list(names) if names else [p.name for p in paths]
    if mode not in ("append", "replace"):
        return [Report(n, status="failed", message=i18n.t("ingest.err.mode", lang, name=n, mode=repr(mode))) for n in names]
    if table not in ("auto", None, *schema.TABLES):
        return [Report(n, status="failed", message=i18n.t("ingest.err.table", lang, name=n, table=repr(table), tables=", ".join(schema.TABLES)))
                for n in names]
    report = progress or (lambda fraction, message: None)
    out: list[Report] = []
    with tempfiles.workdir("ingest") as tmp:
        sources, errors = open_upload(paths, names, tmp, lang, encodings)
        out += [Report(display, status="failed", message=why) for display, why in errors]
        forced = {s.name: table for s in sources} if table not in ("auto", None) else dict(tables or {})
        mapped = {s.name for s in sources if set((mappings or {}).get(s.name, mapping or {})) & set(s.columns)}
        units = plan_mod.plan(sources, tmp, wh=wh, lang=lang, skip=set(skip), tables=forced, mapped=mapped)
        loads = [u for u in units if u.kind != "skip"]
        for i, unit in enumerate(loads):
            def sub(fraction, message, i=i):
                report((i + min(1.0, fraction)) / max(1, len(loads)), message)

            src = unit.source
            chosen = (mappings or {}).get(src.name, mapping or {})
            try:
                rep = _load_source(wh, src, forced.get(src.name, "auto") if unit.kind == "single" else "sales", mode, chosen, sub, tmp, lang,
                                   currency, dataset or default_dataset(unit.members[0].name if unit.members else src.name))
            except IngestError as exc:
                rep = Report(src.name, encoding=src.encoding, delimiter=src.delimiter, status="failed", message=str(exc))
            except duckdb.Error as exc:
                rep = Report(src.name, encoding=src.encoding, delimiter=src.delimiter, status="failed", message=f"{src.name}: {_one_line(exc)}")
            out.append(rep)
            for member in unit.members[1:]:
                out.append(Report(member.name, table="sales", encoding=member.encoding, delimiter=member.delimiter,
                                  status="joined" if rep.status == "loaded" else rep.status,
                                  message=i18n.t("ingest.plan.joined", lang, name=member.name, lines=unit.members[0].name)))
        alone = len(sources) == 1
        for unit in units:
            if unit.kind != "skip":
                continue
            src = unit.source
            if alone and src.name not in skip:
                # a lone file that fits nothing is refused; in an upload of several it is listed and skipped
                out.append(Report(src.name, encoding=src.encoding, delimiter=src.delimiter, status="failed",
                                  message=i18n.t("ingest.err.fits_none", lang, name=src.name, columns=", ".join(src.columns[:20]), lacks=unit.lacks)))
            else:
                out.append(Report(src.name, encoding=src.encoding, delimiter=src.delimiter, status="skipped", message=f"{src.name}: {unit.reason}"))
        if refresh:
            refresh_summaries(wh, lambda fraction, message: report(0.99, message))
        report(1.0, "done")
        return out


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _sales_keys_of(g: mapping_mod.Guess, lang: str) -> list[str]:
    """Order lines mapped by a person get the keys a guess would make up (a product's name for its id,
    an order per customer and time), where they map none; the notes that say so."""
    if g.table != "sales":
        return []
    keys, notes = mapping_mod.sales_keys(g.mapping, lang)
    g.derive = {**keys, **g.derive}
    return [n for n in notes if n not in g.notes]


def _resolve_mapping(src: Source, wh, table: str, user: dict[str, str], lang: str = "en") -> tuple[mapping_mod.Guess, list[str]]:
    notes = []
    present = {k: v for k, v in user.items() if k in src.columns}
    for k in user:
        if k not in src.columns:
            notes.append(i18n.t("ingest.note.map_ignored", lang, column=k, name=src.name))
    guess = mapping_mod.suggest(src.columns, wh=wh, values=src.sample, table=table, lang=lang)
    targets = mapping_mod.targets_of(present)
    if table == "auto" and targets and (guess.table is None or not targets <= set(schema.TABLES[guess.table].mappable)):
        # the user's --map names columns of another table than the guess: take the table they fit best
        fits = [n for n in mapping_mod.TABLE_ORDER if targets <= set(schema.TABLES[n].mappable)]
        options = [mapping_mod.suggest(src.columns, wh=wh, values=src.sample, table=n, lang=lang) for n in fits]
        for g in options:
            g.mapping = {**{k: v for k, v in g.mapping.items() if k not in present}, **present}
            _sales_keys_of(g, lang)
        if options:
            guess = min(options, key=lambda g: len(mapping_mod.check_mapping(g.table, g.mapping, g.derive)))
    if guess.table is None:
        raise IngestError(i18n.t("ingest.err.fits_none", lang, name=src.name, columns=", ".join(src.columns[:20]),
                                 lacks=mapping_mod.lacks(guess.fits, lang) if guess.fits else i18n.t("ingest.reason.no_known", lang)))
    if present:
        problem = mapping_mod.validate(guess.table, present, src.columns, lang)
        if problem:
            raise IngestError(f"{src.name}: {problem}")
        if guess.table == "sales":  # what the guess said of keys it made up goes; the final mapping's keys say again below
            stale = mapping_mod.sales_keys(dict(guess.mapping), lang)[1]
            guess.notes = [n for n in guess.notes if n not in stale]
        overridden = mapping_mod.targets_of({k: v for k, v in present.items() if v})
        # a guessed column keeps what the person did not map elsewhere (a name that stood for the id stays the name)
        final = {k: ",".join(kept) for k, v in guess.mapping.items() if k not in present
                 and (kept := [tg for tg in v.split(",") if mapping_mod.split_target(tg)[0] not in overridden])}
        final.update({k: v for k, v in present.items() if v})
        guess.mapping = final
        # keys the person mapped themselves are not made up
        guess.derive = {k: v for k, v in guess.derive.items() if k not in mapping_mod.targets_of(final)}
        notes += _sales_keys_of(guess, lang)
    guess.unmapped_required = mapping_mod.check_mapping(guess.table, guess.mapping, guess.derive)
    return guess, notes


def _load_source(wh, src: Source, table: str, mode: str, user_mapping: dict[str, str], progress, workdir: Path,
                 lang: str = "en", currency: str | None = None, dataset: str | None = None) -> Report:
    rep = Report(src.name, encoding=src.encoding, delimiter=src.delimiter, notes=list(src.notes), dataset=dataset or default_dataset(src.name))
    guess, map_notes = _resolve_mapping(src, wh, table, user_mapping, lang)
    rep.table, rep.mapping, rep.preset = guess.table, dict(guess.mapping), guess.preset
    rep.notes += guess.notes + map_notes
    if guess.unmapped_required:
        rep.unmapped_required = guess.unmapped_required
        rep.message = i18n.t(
            "ingest.msg.unmapped", lang, name=src.name, table=guess.table, missing=", ".join(guess.unmapped_required),
            columns=", ".join(src.columns[:25]), first=guess.unmapped_required[0].split(" ")[0],
        )
        return rep
    t = schema.TABLES[guess.table]
    cur = wh.cursor()
    try:
        dup = cur.execute(
            "SELECT upload_id FROM main.upload_log WHERE content_hash = ? AND table_name = ? AND undone_at IS NULL "
            "AND dataset IS NOT DISTINCT FROM ? LIMIT 1",
            [src.content_hash, t.name, rep.dataset],
        ).fetchone()
        upload_id = cur.execute("SELECT nextval('app.upload_seq')").fetchone()[0]
    finally:
        cur.close()
    if dup and mode == "append":
        rep.status, rep.upload_id = "duplicate", dup[0]
        rep.message = i18n.t("ingest.msg.duplicate", lang, name=src.name, table=t.name, upload_id=dup[0])
        return rep

    tz = settings.get("ECOM_TIMEZONE")
    con = duckdb.connect()
    # a bounded parser (spilling to the upload's temporary folder) keeps memory flat however large the file
    con.execute("SET enable_progress_bar = false; SET memory_limit = '512MB'; SET preserve_insertion_order = true")
    # strings leave as Arrow string views: DuckDB's own layout, so export and the warehouse's import copy less
    con.execute("SET arrow_output_version = '1.4'; SET produce_arrow_string_view = true")
    # every core scans; a conversion that streams in order on one thread anyway gets fewer (below)
    con.execute(f"SET threads = {os.cpu_count() or 1}; SET streaming_buffer_size = '64MB'")
    con.execute(f"SET temp_directory = {lit(str(workdir / 'spill'))}")
    # IN lists stay comparisons: as hash joins (the in_clause rewrite) they cost more on every row; and
    # repeated pieces of the rare-case branches (a number's currency-stripping regexp) stay in their branch:
    # common-subexpression elimination would hoist them and run them on every row (~20% of the conversion)
    con.execute("SET TimeZone = 'UTC'; SET disabled_optimizers = 'in_clause,common_subexpressions'")
    try:
        progress(0.02, f"{src.name}: sampling")
        sample_tbl = with_serial_fallback(con, src, lambda: con.execute(
            f"SELECT * FROM ({raw_relation(con, src, tag='sample', workdir=workdir)}) LIMIT {SAMPLE_ROWS}").to_arrow_table())
        sample = {c: sample_tbl.column(f"c{i}").to_pylist() for i, c in enumerate(src.columns)}
        rep.mapping, order_notes = mapping_mod.per_order(t.name, rep.mapping, sample, lang)
        decisions = values.decide(t.name, rep.mapping, sample, lang, tz)
        if sample_tbl.num_rows >= SAMPLE_ROWS:
            _whole_column_dates(con, src, workdir, rep.mapping, sample, decisions, tz, lang)
            _whole_column_ratings(con, src, workdir, rep.mapping, decisions, lang)
        rep.notes += order_notes + decisions.notes
        code, why = _currency_of(currency, decisions, rep.mapping, src.columns, src.encoding, src.titles)
        if t.name == "sales":
            rep.notes.append(i18n.t(f"ingest.note.currency_{why}", lang, code=code))
        plan = values.Plan(t.name, src.columns, rep.mapping, guess.derive, decisions, upload_id, _now_local(), tz, lang, currency=code,
                           nul_check=src.nul or any(m.nul for m in src.members),
                           footer_row=src.footer_row or next((m.footer_row for m in src.members if m.footer_row), None))
        remember = rep.mapping if user_mapping else None
        # A CSV whose conversion needs no row numbers is converted on every core, in order, and numbered
        # here as it streams; the buffer (DuckDB's default is 1 MB) lets the cores run ahead of the INSERT.
        # Else the row numbers keep the conversion on one thread: half the cores parse while the
        # warehouse's INSERT consumes the batches on the others (with every core parsing, the two sides
        # fight over them: on 2 busy cores, threads=2 cost ~40% more wall and CPU time).
        first_row = src.skip_lines if src.relation is None and src.kind == "csv" and not values.uses_row_numbers(plan) else None
        if first_row is None:
            con.execute(f"SET threads = {max(1, (os.cpu_count() or 2) // 2)}")
        counts = with_serial_fallback(con, src, lambda: _stream(
            wh, con, values.conversion_sql(raw_relation(con, src, tag="full", workdir=workdir, numbered=first_row is None), plan), plan,
            src, t, mode, upload_id, progress, rep.mapping, remember, rep.notes, rep.dataset, first_row, bool(guess.totals)))
    finally:
        con.close()
    rep.rows_loaded, rep.rows_rejected, rep.rows_skipped, rep.rows_duplicate = counts
    rep.rows_read = rep.rows_loaded + rep.rows_rejected + rep.rows_skipped
    rep.upload_id = upload_id
    if rep.status == "failed" and not rep.message:
        rep.status = "loaded"
        rep.message = i18n.t("ingest.msg.loaded", lang, name=src.name, loaded=rep.rows_loaded, table=t.name,
                             rejected=rep.rows_rejected, skipped=rep.rows_skipped)
    return rep


def _currency_of(chosen: str | None, decisions: values.Decisions, mapping: dict[str, str], headers: list[str],
                 encoding: str | None, titles: list[str] = ()) -> tuple[str, str]:
    """(currency of amounts without one of their own, why: chosen | column | file | script | encoding | setting).
    The file names one in its headers or amounts, or in a line above its header (Amazon's "All amounts in
    USD, unless specified")."""
    if chosen:
        return settings.currency_code(chosen), "chosen"
    named = decisions.currency or currency_mod.of_file(list(titles), [])
    script, encoded = currency_mod.of_script(headers), currency_mod.of_encoding(encoding)
    code = named or script or encoded or settings.get("ECOM_CURRENCY")
    if "currency" in mapping_mod.targets_of(mapping):
        return code, "column"
    return code, "file" if named else "script" if script else "encoding" if encoded else "setting"


def _whole_column_dates(con, src: Source, workdir: Path, mapping: dict[str, str], sample: dict[str, list], decisions: values.Decisions,
                        tz: str, lang: str) -> None:
    """Day-first or month-first from the whole column when the first rows could not tell (a file
    longer than the sample, with no day above 12 in its first rows)."""
    for col, profile in list(decisions.dates.items()):
        if not profile.ambiguous:
            continue
        source = next(s for s, tg in mapping_mod.pairs(mapping) if mapping_mod.split_target(tg) == (col, None))
        raw_sql = raw_relation(con, src, tag=f"scan_{col}", workdir=workdir, numbered=False)
        first, second = con.execute(dates.full_scan_sql(raw_sql, f"c{src.columns.index(source)}")).fetchone()
        order = "dayfirst" if (first or 0) > 12 else "monthfirst" if (second or 0) > 12 else None
        if order is None:
            continue
        stale = values.date_notes(col, source, profile, tz, lang)
        better = dates.infer(values.combined_values(mapping, source, col, sample), order=order)
        better.decided_by = "data"
        decisions.dates[col] = better
        decisions.notes = [n for n in decisions.notes if n not in stale] + values.date_notes(col, source, better, tz, lang)


def _whole_column_ratings(con, src: Source, workdir: Path, mapping: dict[str, str], decisions: values.Decisions, lang: str) -> None:
    """A rating column's scale from all its values (a file longer than the sample): a 0–10 column whose
    first rows happen to hold nothing above 5 is still out of ten."""
    for col in list(decisions.rating_scales):
        source = next((s for s, tg in mapping_mod.pairs(mapping) if mapping_mod.split_target(tg) == (col, None)), None)
        if source is None:
            continue
        c = f"c{src.columns.index(source)}"
        raw_sql = raw_relation(con, src, tag=f"scan_{col}", workdir=workdir, numbered=False)
        # a rating column has few distinct values; the most frequent thousand decide any real one
        counts = dict(con.execute(f"SELECT trim({c}) AS v, count(*) FROM ({raw_sql}) WHERE trim({c}) <> '' "
                                  "GROUP BY v ORDER BY count(*) DESC, v LIMIT 1000").fetchall())
        decisions.rating_scales[col] = values.rating_scale(col, source, counts, decisions.notes, lang)


_OTHERS_SCHEMA = pa.schema([("_row", pa.int64()), ("_status", pa.int8()), ("_reason", pa.string()),
                            ("_raw", pa.map_(pa.string(), pa.string()))])


class _AllRejected(Exception):
    pass


def _line_key(t: schema.Table, mapping: dict[str, str], exprs: dict[str, str]) -> str:
    """SQL of a row's identity: order id and line number where the file has both; else order id, order
    time and product, where it has those (a line whose status or amount changed between two exports is
    the same line: by its whole content it counted twice; the time keeps apart orders of files whose
    numbers start again); else its whole content."""
    named = mapping_mod.targets_of(mapping)
    if t.name == "sales" and {"order_id", "line_no"} <= named:
        cols = ["order_id", "line_no"]
    elif t.name == "sales" and "order_id" in named and named & {"product_id", "product_name"}:
        cols = ["order_id", "order_time", "product_id"]
    else:
        cols = [*t.names, "_extra"]
    return f"hash({', '.join(exprs[c] for c in cols)})"


def _stream(wh, con, sql: str, plan: values.Plan, src: Source, t: schema.Table, mode: str, upload_id: int, progress, mapping, remember,
            notes, dataset: str, first_row: int | None = None, totals: bool = False):
    """Run the conversion and land its batches in one warehouse transaction. Returns counts (loaded,
    rejected, skipped) and the rows skipped as already loaded into the data set. With `first_row`,
    the conversion's `_row` is NULL and its rows, in file order, are numbered from `first_row` + 1 here.
    `totals`: the rows count orders (see `_held_elsewhere`)."""
    consts = values.constant_columns(plan)
    varying = [c for c in (*t.names, "_extra") if c not in consts]
    # constant columns are written by the INSERT itself, not carried row by row over Arrow
    sql = f"SELECT _row, _status, _reason, _raw, {', '.join(ident(c) for c in varying)} FROM ({sql})"
    targets = ", ".join(ident(c) for c in (*varying, *consts))
    exprs = {**{c: ident(c) for c in varying}, **consts}
    key = _line_key(t, mapping, exprs)
    # The rows land in a table of the transaction's own first and are published from there: DuckDB 1.5
    # shows the rows of an INSERT that scans a Python Arrow stream to other connections before the
    # transaction commits (readers counted half a load), but nobody sees a table created by a
    # transaction that has not committed. Into an empty table (a first load, a replace) the staging
    # table is a warehouse table that takes the old one's place (`_publish`), so the rows are written
    # once; else it is a temporary table whose rows are copied over.
    def stage_rows(stage: str) -> str:
        return (
            f"CREATE {'TEMP ' if stage.startswith('temp.') else ''}TABLE {stage} AS SELECT * FROM main.{t.name} LIMIT 0; "
            f"INSERT INTO {stage} ({targets}, _upload_id, _source_row, _dataset, _line_key) "
            f"SELECT {', '.join([*(ident(c) for c in varying), *consts.values()])}, {upload_id}, _row, {lit(dataset)}, {key} "
            "FROM _rows WHERE _status = 0"
        )

    insert_rejects = (
        f"INSERT INTO main.rejects SELECT {upload_id}, {lit(src.name)}, {lit(t.name)}, _row, _reason, _raw "
        "FROM _others WHERE _status = 1 ORDER BY _row"
    )
    counts = {0: 0, 1: 0, 2: 0}
    others: list[pa.RecordBatch] = []  # rejected and skipped rows: few, kept aside while the rows stream in
    events: queue.Queue = queue.Queue()  # progress from DuckDB's scan thread, reported on the caller's thread
    estimate = max(1, src.rows_estimate or 1)

    def loaded_rows(reader):
        row = first_row
        for batch in reader:
            if row is not None:
                numbers = np.arange(row + 1, row + 1 + batch.num_rows, dtype=np.int64)
                batch = batch.set_column(batch.schema.get_field_index("_row"), "_row", pa.array(numbers))
                row += batch.num_rows
            status = batch.column("_status")
            items = pc.value_counts(status).to_pylist()
            for item in items:
                counts[item["values"]] += item["counts"]
            if any(item["values"] for item in items):
                # the INSERT keeps only _status = 0; the few other rows are copied aside here
                # (pyarrow has no filter kernel for string views: the four columns are cast to plain strings first)
                aside = batch.select(["_row", "_status", "_reason", "_raw"]).cast(_OTHERS_SCHEMA)
                others.append(aside.filter(pc.not_equal(status, 0)))
            done = sum(counts.values())
            events.put((0.05 + 0.9 * min(1.0, done / estimate), f"{src.name}: {done:,} rows"))
            yield batch

    skipped: dict[str, list] = {}
    first_reason = None
    staged = None
    replaced: list[int] = []
    try:
        with wh.transaction() as cur:
            if mode == "replace":
                replaced = _live(cur, t.name)
                cur.execute("DELETE FROM main.rejects WHERE table_name = ?", [t.name])
                cur.execute("UPDATE main.upload_log SET undone_at = now()::TIMESTAMP WHERE table_name = ? AND undone_at IS NULL", [t.name])
            same_dataset = _live(cur, t.name, dataset)
            takes_place = wh.lake is None and (mode == "replace" or not cur.execute(f"SELECT count(*) FROM main.{t.name}").fetchone()[0])
            stage = f"{'main' if takes_place else 'temp'}._stage_{upload_id}"
            reader = con.execute(sql).to_arrow_reader(BATCH_ROWS)
            # one INSERT consuming the stream: DuckDB's bulk path, memory flat (per-batch INSERTs pile up in the transaction)
            cur.register("_rows", pa.RecordBatchReader.from_batches(reader.schema, loaded_rows(reader)))
            _run_reporting(lambda: cur.execute(stage_rows(stage)), events, progress)
            cur.unregister("_rows")
            rejected = counts[1]
            if others:
                cur.register("_others", pa.Table.from_batches(others))
                if rejected:
                    cur.execute(insert_rejects)
                    first_reason = cur.execute("SELECT _row, _reason FROM _others WHERE _status = 1 ORDER BY _row LIMIT 1").fetchone()
                for why, n, rows in cur.execute(
                    "SELECT _reason, count(*), list(_row ORDER BY _row)[1:5] FROM _others WHERE _status = 2 GROUP BY 1"
                ).fetchall():
                    skipped[why] = [n, rows]
                cur.unregister("_others")
            # lines DuckDB could not split: the file's own, or the joined lines table's (its relation's tag is "full" too)
            scanned = src if src.kind == "csv" else src.members[0] if src.members and src.members[0].kind == "csv" else None
            if scanned is not None:
                bad_lines = _parser_rejects(con, cur, scanned, t, stage, upload_id, plan.lang)
                rejected += len(bad_lines)
                # rows after a line that could not be split were numbered as if it were not there
                skipped = {why: [n, [_after_bad_lines(r, bad_lines) for r in rows]] for why, (n, rows) in skipped.items()}
                if first_reason is not None:
                    first_reason = (_after_bad_lines(first_reason[0], bad_lines), first_reason[1])
            _note_lenient(cur, stage, plan, notes)
            repeats = _repeated_reviews(cur, stage, t, plan.lang, skipped) + _held_elsewhere(wh, cur, stage, t, mapping, totals, same_dataset,
                                                                                         plan.lang, skipped)
            loaded, staged = _publish(wh, cur, stage, t.name, upload_id, same_dataset)
            duplicates = counts[0] - repeats - loaded
            skipped_n = counts[2] + repeats + duplicates
            if duplicates:
                notes.append(i18n.t("ingest.note.already_loaded", plan.lang, n=duplicates, dataset=dataset))
            # rows skipped for their shape (blank, a header again, totals, a footer) are no data either
            shape = {i18n.t(f"ingest.skip.{k}", plan.lang) for k in ("blank", "repeated_header", "totals", "footer")}
            if loaded == 0 and not duplicates and (rejected or not skipped_n or set(skipped) <= shape):
                raise _AllRejected()
            if skipped:
                notes.append(i18n.t("ingest.note.skipped", plan.lang, items="; ".join(
                    i18n.t("ingest.note.skipped_many" if n > 1 else "ingest.note.skipped_one", plan.lang, n=n, why=why,
                           rows=", ".join(map(str, rows)), more="…" if n > len(rows) else "")
                    for why, (n, rows) in sorted(skipped.items()))))
            cur.execute(
                "INSERT INTO main.upload_log (upload_id, loaded_at, file_name, content_hash, table_name, mode, rows_read, rows_loaded, "
                "rows_rejected, rows_skipped, encoding, delimiter, mapping, notes, dataset) "
                "VALUES (?, ?::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [upload_id, _now_local(), src.name, src.content_hash, t.name, mode, loaded + rejected + skipped_n, loaded, rejected,
                 skipped_n, src.encoding, src.delimiter, json.dumps(mapping, ensure_ascii=False), json.dumps(notes, ensure_ascii=False), dataset],
            )
            if remember:
                mapping_mod.remember_mapping(wh, src.columns, t.name, remember, cur=cur)
            wh.bump_version(cur)
            if t.name != "sales" or not loaded:
                summaries.keep(cur)
            elif wh.lake is None and mode == "append":
                summaries.apply_upload(cur, upload_id)  # else the full build after the load (or on the next page visit)
            if staged is not None:
                # the last step before COMMIT: the upload's folder appears whole (see ecom.lake)
                wh.lake.publish(staged, t.name, upload_id)
    except _AllRejected:
        if rejected:
            row, why = first_reason or (None, i18n.t("ingest.err.all_rejected_split", plan.lang))
            where = i18n.t("ingest.err.all_rejected_where", plan.lang, row=row) if row is not None else ""
            raise IngestError(i18n.t("ingest.err.all_rejected", plan.lang, name=src.name, n=rejected, where=where, why=why)) from None
        raise IngestError(i18n.t("ingest.err.no_data_rows", plan.lang, name=src.name)) from None
    except BaseException:
        if wh.lake is not None:
            # renamed into place perhaps, but not committed: the upload's folder must not stay behind
            wh.lake.discard(wh.lake.folder(t.name, upload_id))
        raise
    finally:
        if staged is not None:
            wh.lake.discard(staged)  # gone already when it was renamed into place
    if wh.lake is not None and replaced:
        wh.lake.remove(t.name, replaced)
    return loaded, rejected, skipped_n, duplicates


def _note_lenient(cur, stage: str, plan: values.Plan, notes: list[str]) -> None:
    """A note per lenient column (`schema.Table.lenient`) with values that could not be read: how many
    rows were loaded without theirs, and the first of them (its value is in the row's `_extra`)."""
    for name, src in values.lenient_columns(plan):
        n, row, value = cur.execute(
            f"SELECT count(*), min(_source_row), arg_min(_extra[{lit(src)}], _source_row) FROM {stage} WHERE map_contains(_extra, {lit(src)})"
        ).fetchone()
        if not n:
            continue
        if schema.TABLES[plan.table].column(name).looks == "freetext":  # a platform's stand-in for no text
            notes.append(i18n.t("ingest.note.no_text", plan.lang, n=n, row=row, first=value[:60]))
        else:
            notes.append(i18n.t("ingest.note.lenient", plan.lang, n=n, row=row, first=values.unreadable(name, src, value, plan)))


def _repeated_reviews(cur, stage: str, t: schema.Table, lang: str, skipped: dict[str, list]) -> int:
    """Reviews that repeat an earlier row of the file in every column (a scraper that fetched a page
    twice: Tiki's 4,791 of 9,576) are dropped from `stage` and entered in `skipped`; how many. Only
    rows that say who wrote them, or hold a text too long to be two buyers' words by chance: two 5★
    reviews without text or reviewer on one day, or two "Ürün çok güzel, tavsiye ederim", are two
    buyers. Order lines are left alone: two alike can be two sales."""
    if t.name != "reviews":
        return 0
    rows = [r[0] for r in cur.execute(
        f"DELETE FROM {stage} WHERE rowid IN (SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY _line_key ORDER BY _source_row) AS n "
        f"FROM {stage} WHERE customer_id IS NOT NULL OR review_id IS NOT NULL OR length(review_text) >= 50) WHERE n > 1) RETURNING _source_row"
    ).fetchall()]
    if rows:
        skipped[i18n.t("ingest.skip.repeated_row", lang)] = [len(rows), sorted(rows)[:5]]
    return len(rows)


def _held_elsewhere(wh, cur, stage: str, t: schema.Table, mapping: dict[str, str], totals: bool, same_dataset: list[int], lang: str,
                    skipped: dict[str, list]) -> int:
    """Sales rows that the data set's order lines already hold at another grain are dropped from
    `stage` and entered in `skipped`; how many. A workbook's sheets go to one data set, and beside its
    line items one can hold the invoices' totals (a row an order, no product: each such order whose
    lines are held) or a summary per customer or day (`totals`, rows that count orders: all of them).
    Summed with the lines, they would count the same sales two or three times."""
    if t.name != "sales" or not same_dataset or (not totals and mapping_mod.targets_of(mapping) & {"product_id", "product_name"}):
        return 0
    uploads = ", ".join(map(str, same_dataset))
    if wh.lake is None:
        held = f"(SELECT order_id FROM main.sales WHERE _upload_id IN ({uploads}) AND product_id IS NOT NULL)"
    else:
        lines = wh.lake.columns("sales", same_dataset, {"order_id": pa.string(), "product_id": pa.string()})
        cur.register("_held_lines", lines.filter(pc.is_valid(lines.column("product_id"))))
        held = "_held_lines"
    try:
        if totals:
            which = f"EXISTS (SELECT 1 FROM {held})"
        else:
            which = f"order_id IN (SELECT order_id FROM {held} WHERE order_id IN (SELECT order_id FROM {stage}))"
        rows = [r[0] for r in cur.execute(f"DELETE FROM {stage} WHERE {which} RETURNING _source_row").fetchall()]
    finally:
        if wh.lake is not None:
            cur.unregister("_held_lines")
    if rows:
        why = "ingest.skip.totals_of_lines" if totals else "ingest.skip.order_of_lines"
        skipped[i18n.t(why, lang)] = [len(rows), sorted(rows)[:5]]
    return len(rows)


def _live(cur, table: str, dataset: str | None = None) -> list[int]:
    """The uploads whose rows are in `table` now (only those of `dataset`, when given)."""
    sql = "SELECT upload_id FROM main.upload_log WHERE table_name = ? AND undone_at IS NULL AND rows_loaded > 0"
    args = [table]
    if dataset is not None:
        sql += " AND dataset IS NOT DISTINCT FROM ?"
        args.append(dataset)
    return [int(r[0]) for r in cur.execute(sql + " ORDER BY upload_id", args).fetchall()]


def _publish(wh, cur, stage: str, table: str, upload_id: int, same_dataset: list[int]) -> tuple[int, str | None]:
    """Move the staged rows (table `stage`: see `_stream`) into the table, less the lines the uploads
    `same_dataset` already hold (overlapping weekly exports of one data set); returns the rows published and, on the lake, the
    staging folder they were written to (renamed into place as the transaction's last step)."""
    if stage.startswith("main."):  # into an empty table: the staged one takes its place
        cur.execute(f"DROP TABLE main.{table}")
        cur.execute(f"ALTER TABLE {stage} RENAME TO {table}")
        return cur.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0], None
    if wh.lake is None:
        published = f"INSERT INTO main.{table} SELECT * FROM {stage}"
        if same_dataset:
            # the held keys are looked up by the staged ones (few), not gathered whole (the data set's every line)
            published += (f" WHERE _line_key NOT IN (SELECT _line_key FROM main.{table} WHERE _upload_id IN ({', '.join(map(str, same_dataset))}) "
                          f"AND _line_key IN (SELECT _line_key FROM {stage}))")
        loaded = cur.execute(published).fetchone()[0]
        cur.execute(f"DROP TABLE {stage}")
        return loaded, None
    if same_dataset:
        cur.register("_held", wh.lake.keys(table, same_dataset))
        cur.execute(f"DELETE FROM {stage} WHERE _line_key IN (SELECT _line_key FROM _held)")
        cur.unregister("_held")
    loaded = cur.execute(f"SELECT count(*) FROM {stage}").fetchone()[0]
    staged = None
    if loaded:
        month = f", strftime(order_time, '%Y-%m') AS {lake_mod.PARTITION}" if table == "sales" else ""
        reader = cur.execute(f"SELECT *{month} FROM {stage}").to_arrow_reader(BATCH_ROWS)
        staged = wh.lake.write(reader, table, upload_id)
    cur.execute(f"DROP TABLE {stage}")
    return loaded, staged


def _run_reporting(work, events: queue.Queue, progress) -> None:
    """Run `work` on a helper thread while progress events are passed on from this one
    (Streamlit's st.progress only works on the script's own thread)."""
    failure: list[BaseException] = []

    def target():
        try:
            work()
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    worker = threading.Thread(target=target, name="ecom-ingest", daemon=True)
    worker.start()
    while worker.is_alive() or not events.empty():
        try:
            progress(*events.get(timeout=0.1))
        except queue.Empty:
            pass
    worker.join()
    if failure:
        raise failure[0]


def _after_bad_lines(row: int, bad_lines: list[int]) -> int:
    """A row number counted without the unsplittable lines, moved on past them (as the UPDATEs below do)."""
    for line in bad_lines:
        if row >= line:
            row += 1
    return row


def _parser_rejects(con, cur, src: Source, t: schema.Table, stage: str, upload_id: int, lang: str = "en") -> list[int]:
    """Lines DuckDB could not split into the header's columns: into rejects, and the row numbers of
    the staged rows (table `stage`) and of the rejects fixed.
    Returns their row numbers, in order."""
    try:
        errors = con.execute(
            "SELECT DISTINCT line, line_byte_position, csv_line, error_type FROM rej_errors_full ORDER BY line"
        ).fetchall()
    except duckdb.Error:
        return []
    if not errors:
        return []
    if len(errors) > MAX_PARSER_REJECTS:
        raise IngestError(i18n.t("ingest.err.too_many_bad_lines", lang, name=src.name, n=len(errors), width=len(src.columns),
                                 first=errors[0][0]))
    width = len(src.columns)
    blanks = blank_lines_before(src.utf8_path or src.path, [e[1] for e in errors])
    errors = [(line - b, text, kind) for (line, _, text, kind), b in zip(errors, blanks, strict=True)]
    for line, _, _ in errors:
        # rows after a skipped line were numbered as if it were not there
        cur.execute(f"UPDATE {stage} SET _source_row = _source_row + 1 WHERE _source_row >= ?", [line])
        cur.execute("UPDATE main.rejects SET source_row = source_row + 1 WHERE upload_id = ? AND source_row >= ?", [upload_id, line])
    rows = []
    for line, text, kind in errors:
        found = len(text.split(src.delimiter if src.delimiter not in (None, "whitespace") else "\t")) if text else 0
        if "TOO MANY" in kind:
            why = i18n.t("ingest.reject.fields", lang, found=found, width=width)
        elif "QUOTE" in kind:
            why = i18n.t("ingest.reject.open_quote", lang)
        else:
            why = i18n.t("ingest.reject.split", lang, width=width, kind=kind.lower())
        rows.append((upload_id, src.name, t.name, line, why, {"line": text}))
    tbl = pa.table({
        "upload_id": [r[0] for r in rows], "file_name": [r[1] for r in rows], "table_name": [r[2] for r in rows],
        "source_row": [r[3] for r in rows], "reason": [r[4] for r in rows],
        "raw": pa.array([list(r[5].items()) for r in rows], pa.map_(pa.string(), pa.string())),
    })
    cur.register("_prej", tbl)
    cur.execute("INSERT INTO main.rejects SELECT * FROM _prej")
    cur.unregister("_prej")
    return [r[3] for r in rows]


def undo_upload(wh, upload_id: int) -> int:
    """Remove an upload's rows (and its rejects); returns the rows removed and bumps the data version."""
    with wh.transaction() as cur:
        row = cur.execute("SELECT table_name FROM main.upload_log WHERE upload_id = ? AND undone_at IS NULL", [upload_id]).fetchone()
        if not row or row[0] not in schema.TABLES:
            return 0
        if wh.lake is None:
            scoped = row[0] == "sales" and summaries.scope_of(cur, upload_id)
            removed = cur.execute(f"DELETE FROM main.{row[0]} WHERE _upload_id = ?", [upload_id]).fetchone()[0]
        else:
            removed = cur.execute("SELECT rows_loaded FROM main.upload_log WHERE upload_id = ?", [upload_id]).fetchone()[0] or 0
        cur.execute("DELETE FROM main.rejects WHERE upload_id = ?", [upload_id])
        cur.execute("UPDATE main.upload_log SET undone_at = ?::TIMESTAMP WHERE upload_id = ?", [_now_local(), upload_id])
        wh.bump_version(cur)
        if row[0] != "sales" or not removed:
            summaries.keep(cur)
        elif wh.lake is None and scoped:
            summaries.apply_scope(cur, None)
    if wh.lake is not None:
        wh.lake.remove(row[0], [upload_id])  # no reader of the new version reads it; a failure here leaves debris for sweep
    refresh_summaries(wh)
    return int(removed)


def column_quality(wh, table: str, upload_id: int | None = None) -> pd.DataFrame:
    """Per canonical column: type, nulls, distinct, min, max (one aggregate query on the warehouse's engine)."""
    from ecom.queries import common  # the query layer imports this package's values

    if table not in schema.TABLES:
        raise ValueError(f"unknown table {table!r}")
    t = common.table(wh, table)
    if upload_id is not None:
        t = t.filter(t._upload_id == upload_id)
    names = [c.name for c in schema.TABLES[table].columns]
    figures = {}
    for i, name in enumerate(names):
        col = t[name]
        figures.update({f"n{i}": col.isnull().sum(), f"d{i}": col.nunique(), f"lo{i}": col.min().cast("string"), f"hi{i}": col.max().cast("string")})
    row = common.fetch(t.aggregate(**figures)).iloc[0]
    return pd.DataFrame({
        "column": names,
        "type": [c.type for c in schema.TABLES[table].columns],
        "nulls": [int(row[f"n{i}"] or 0) for i in range(len(names))],
        "distinct": [int(row[f"d{i}"]) for i in range(len(names))],
        "min": [None if pd.isna(row[f"lo{i}"]) else row[f"lo{i}"] for i in range(len(names))],
        "max": [None if pd.isna(row[f"hi{i}"]) else row[f"hi{i}"] for i in range(len(names))],
    })
