"""The one module that opens DuckDB connections.

A `Warehouse` owns one DuckDB database instance (one file). Every query runs on a cursor of it
(one per thread), analytic queries through an Ibis backend made over such a cursor.

With `ECOM_ENGINE=spark` the canonical tables' rows live in the lake instead (`ecom.lake`, read by
`ecom.spark`): the DuckDB file keeps the app's own tables and the canonical tables' (empty) templates,
which give every engine the same columns and types. The instance
runs with external access off, so no SQL, whoever writes it, can read or write files on the
server; uploads are parsed outside it (see `ecom.ingest`) and arrive as Arrow tables.

Timestamps are stored as TIMESTAMP (no zone): wall-clock time in the shop's zone (ECOM_TIMEZONE).
Ibis sets its session zone to UTC, which cannot shift such values, so days never move.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ecom import schema, settings, tempfiles
from ecom.warehouse import apptables, gate

APP_SCHEMA_SQL = (
    "CREATE SCHEMA IF NOT EXISTS app",
    "CREATE TABLE IF NOT EXISTS app.meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS app.mapping_memory (signature VARCHAR PRIMARY KEY, table_name VARCHAR, mapping VARCHAR, updated_at TIMESTAMP)",
    "CREATE SEQUENCE IF NOT EXISTS app.upload_seq START 1",
    """CREATE TABLE IF NOT EXISTS main.upload_log (
        upload_id BIGINT PRIMARY KEY, loaded_at TIMESTAMP, file_name VARCHAR, content_hash VARCHAR,
        table_name VARCHAR, mode VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT,
        rows_skipped BIGINT, encoding VARCHAR, delimiter VARCHAR, mapping VARCHAR, notes VARCHAR,
        undone_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS app.views (
        token VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, page VARCHAR NOT NULL, state VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)""",
    # Views saved before owners existed belong to the admins (owner NULL).
    "ALTER TABLE app.views ADD COLUMN IF NOT EXISTS owner VARCHAR",
    """CREATE TABLE IF NOT EXISTS app.people (
        email VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, shops VARCHAR[], updated_by VARCHAR, updated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS app.audit (
        happened_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, via VARCHAR, kind VARCHAR NOT NULL, detail VARCHAR, address VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS main.rejects (
        upload_id BIGINT, file_name VARCHAR, table_name VARCHAR, source_row BIGINT,
        reason VARCHAR, raw MAP(VARCHAR, VARCHAR))""",
)

RESERVED_STEMS = ("app", "main", "system", "temp")

# Tables users may read (SQL page, Explore, table browser). The app schema is never among them.
BOOKKEEPING_TABLES = ("upload_log", "rejects")


_spill_dirs: dict[str, Path] = {}
_spill_lock = threading.Lock()


def _spill_dir(path: Path) -> Path:
    with _spill_lock:
        key = str(path.resolve()) if str(path) != ":memory:" else ":memory:"
        if key not in _spill_dirs or not _spill_dirs[key].is_dir():
            if not _spill_dirs:
                atexit.register(release_spill_dirs)
            _spill_dirs[key] = tempfiles.make_dir("spill")
        return _spill_dirs[key]


def release_spill_dirs() -> None:
    """Remove this process's spill folders (at exit; the server calls it when it stops)."""
    with _spill_lock:
        for folder in _spill_dirs.values():
            tempfiles.remove(folder)


class WarehouseBusy(RuntimeError):
    """Another process (usually the running app) holds the warehouse file for writing."""


class Warehouse:
    def __init__(self, path: str | Path | None = None, read_only: bool = False, engine: str | None = None, lake: str | None = None):
        self.path = Path(path) if path is not None else settings.warehouse_path()
        self.read_only = read_only
        self.engine = settings.engine(engine) if engine else settings.get("ECOM_ENGINE")
        self.lake = None
        if self.engine == "spark":
            from ecom.lake import Lake

            self.lake = Lake(settings.lake(lake) if lake else settings.lake_root())
        if self.path.stem.lower() in RESERVED_STEMS:
            # DuckDB names the database after the file, and that name would shadow a schema
            raise ValueError(f"the warehouse file cannot be called {self.path.name!r}: pick another name (e.g. warehouse.duckdb)")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # DuckDB spills large work to files: into a private folder of the app's temp folder (not
        # beside the warehouse, readable by everyone), which a killed process leaves to cleanup().
        # One per warehouse file and process: DuckDB refuses a second connection to the same file
        # with another configuration.
        self._spill = _spill_dir(self.path)
        try:
            self.con = duckdb.connect(
                str(self.path),
                read_only=read_only,
                # a new warehouse file is written in the installed DuckDB's own storage format, whose
                # compression costs ~30% less CPU per row written than the default's (kept readable by
                # DuckDB 0.10; bench/engines.py's load of 1M lines: ~0.2 s faster); a file made before keeps its format
                config={"enable_external_access": False, "memory_limit": settings.get("ECOM_MEMORY_LIMIT"),
                        "temp_directory": str(self._spill), "storage_compatibility_version": "latest"},
            )
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise WarehouseBusy(
                    f"the warehouse {self.path} is in use by another process (is the app running?): "
                    "load files through the app's Data page, or stop the app first"
                ) from exc
            raise
        self.write_lock = threading.RLock()
        if not read_only:
            self._create()
            if self.lake is not None:
                # only one process opens the file for writing: what no live upload owns is debris
                self.lake.sweep(self.live_uploads())

    def _create(self) -> None:
        cur = self.con.cursor()
        for sql in APP_SCHEMA_SQL:
            cur.execute(sql)
        apptables.ensure_output_tables(cur)
        for table in schema.TABLES.values():
            cur.execute(schema.create_sql(table))
            self._add_new_columns(cur, table)
        cur.execute("ALTER TABLE main.upload_log ADD COLUMN IF NOT EXISTS dataset VARCHAR")
        cur.execute("INSERT INTO app.meta VALUES ('data_version', '0') ON CONFLICT DO NOTHING")
        cur.close()

    @staticmethod
    def classify_lines(cur) -> None:
        """Give order lines written by an older version their kind (from status and signs) and a
        currency (upper-case; ECOM_CURRENCY where they had none)."""
        from ecom.ingest.values import line_kind_sql

        cur.execute(f"UPDATE main.sales SET line_kind = {line_kind_sql('order_status', 'coalesce(quantity, 1)', 'revenue')} "
                    "WHERE line_kind IS NULL")
        cur.execute("UPDATE main.sales SET currency = upper(coalesce(currency, ?)) WHERE currency IS NULL OR currency <> upper(currency)",
                    [settings.get("ECOM_CURRENCY")])

    @classmethod
    def _add_new_columns(cls, cur, table: schema.Table) -> None:
        """Columns the schema gained since this warehouse was made, added (line kinds filled in)."""
        have = {r[0] for r in cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table.name]
        ).fetchall()}
        for name, type_ in [*((c.name, c.type) for c in table.columns), *schema.META_COLUMNS]:
            if name in have:
                continue
            cur.execute(f'ALTER TABLE main.{table.name} ADD COLUMN "{name}" {type_}')
            if name == "line_kind":
                cls.classify_lines(cur)

    # -- connections -------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor: use one per thread and per query."""
        return self.con.cursor()

    def ibis(self, cursor: duckdb.DuckDBPyConnection | None = None):
        """An Ibis backend over its own cursor (one backend per thread; never share one)."""
        import ibis

        return ibis.duckdb.from_connection(cursor if cursor is not None else self.cursor())

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction: everything in it lands, or nothing does."""
        with self.write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                cur.close()
                raise
            with gate.committing():  # see ecom.warehouse.gate: no read may scan a table while it commits
                cur.execute("COMMIT")
            cur.close()

    def close(self) -> None:
        self.con.close()

    # -- bookkeeping -------------------------------------------------------------------------
    def data_version(self) -> int:
        """A number that changes with every load or undo: the key for cached query results."""
        return self.versions()[0]

    @staticmethod
    def bump_version(cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute("UPDATE app.meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'")

    @staticmethod
    def bump_output(cur: duckdb.DuckDBPyConnection, name: str) -> None:
        """In the transaction that changed model output table app.`name`: its version moves on (the
        key under which another engine keeps a copy of it; see `ecom.queries.common.output`)."""
        cur.execute("INSERT INTO app.meta VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR)",
                    [f"output:{name}"])

    def versions(self, outputs: tuple[str, ...] = ()) -> tuple[int, ...]:
        """The data version and the versions of model output tables `outputs`, in one read: the key of
        results that also read model outputs (background scoring changes them without a load)."""
        keys = ["data_version", *(f"output:{name}" for name in outputs)]
        with self.cursor() as cur:
            found = dict(cur.execute("SELECT key, value FROM app.meta WHERE key IN (SELECT unnest(?))", [keys]).fetchall())
        return tuple(int(found.get(k, 0)) for k in keys)

    def output_version(self, name: str) -> int:
        with self.cursor() as cur:
            row = cur.execute("SELECT value FROM app.meta WHERE key = ?", [f"output:{name}"]).fetchone()
        return int(row[0]) if row else 0

    def user_tables(self) -> list[str]:
        """Tables in the main schema (canonical + bookkeeping), the allow-list for user-facing reads."""
        with self.cursor() as cur:
            rows = cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name"
            ).fetchall()
        return [r[0] for r in rows]

    def row_counts(self) -> dict[str, int]:
        with self.cursor() as cur:
            counts = {t: cur.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0] for t in self.user_tables()}
            if self.lake is not None:
                # the lake's tables: the rows their live uploads loaded (no Spark job for a count)
                counts.update({t: 0 for t in schema.TABLES} | dict(cur.execute(
                    "SELECT table_name, sum(rows_loaded)::BIGINT FROM main.upload_log WHERE undone_at IS NULL GROUP BY 1").fetchall()))
            return counts

    def upload_log(self):
        """The upload log, newest first (a pandas frame)."""
        with self.cursor() as cur:
            return cur.execute("SELECT * FROM main.upload_log ORDER BY upload_id DESC").df()

    def rejects(self, upload_id: int | None = None, limit: int | None = None):
        """Rejected rows (of one upload, or all) with their raw values as text (a pandas frame)."""
        cap = f" LIMIT {int(limit)}" if limit is not None else ""
        with self.cursor() as cur:
            if upload_id is None:
                return cur.execute("SELECT * REPLACE (CAST(raw AS VARCHAR) AS raw) FROM main.rejects ORDER BY upload_id, source_row" + cap).df()
            return cur.execute("SELECT source_row, reason, CAST(raw AS VARCHAR) AS raw FROM main.rejects WHERE upload_id = ? "
                               "ORDER BY source_row" + cap, [upload_id]).df()

    def last_loaded_at(self):
        """When the latest upload still in place was loaded (shop time), or None."""
        with self.cursor() as cur:
            return cur.execute("SELECT max(loaded_at) FROM main.upload_log WHERE undone_at IS NULL").fetchone()[0]

    def live_uploads(self) -> dict[str, set[int]]:
        """Per canonical table, the uploads whose rows are current (loaded, not undone)."""
        with self.cursor() as cur:
            rows = cur.execute("SELECT table_name, upload_id FROM main.upload_log WHERE undone_at IS NULL AND rows_loaded > 0").fetchall()
        out: dict[str, set[int]] = {}
        for table, upload_id in rows:
            out.setdefault(table, set()).add(int(upload_id))
        return out

    def analytic(self):
        """An Ibis backend where the canonical tables' rows are: this thread's DuckDB backend, or the
        process's Spark backend (see `ecom.queries.common.table`)."""
        if self.engine == "spark":
            from ecom import spark

            return spark.backend()
        return self.ibis()

    def columns(self, table: str) -> list[str]:
        with self.cursor() as cur:
            rows = cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
        return [r[0] for r in rows]


def open_warehouse(path: str | Path | None = None, read_only: bool = False) -> Warehouse:
    return Warehouse(path, read_only=read_only)
