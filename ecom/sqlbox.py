"""Read-only SQL for people: exactly one SELECT over the user tables, a time limit and a row cap.

The warehouse already runs with external access off (no SQL can touch files). On top of that, a
statement is only run when DuckDB's own parser says it is one SELECT whose every table is one of
the user tables in the main schema (never `app.*`), with no table functions (read_csv, glob,
query, pragma_*, ...) and no function that changes state (nextval). Refusals are `SqlRefused`
with a message for the person who typed the query; nothing is executed for them.
A statement still running after the time limit is interrupted from a timer thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from ecom import settings
from ecom.i18n import t
from ecom.warehouse import gate

# Scalar functions that change state or reveal the server's configuration.
REFUSED_FUNCTIONS = {"nextval", "currval", "setseed", "current_setting"}
# Kinds of FROM items that are plain reads of something the query names or builds itself.
# Table functions that only generate values and cannot reach any data.
SAFE_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
ALLOWED_REFS = {"BASE_TABLE", "JOIN", "SUBQUERY", "EXPRESSION_LIST", "EMPTY", "EMPTY_FROM", "PIVOT"}


class SqlRefused(ValueError):
    """The statement was not run; `text(lang)` says why, in the reader's language."""

    def __init__(self, key: str, **fmt):
        self.key = key
        self.fmt = fmt
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.fmt)


@dataclass
class SqlResult:
    frame: pd.DataFrame
    total_rows: int
    truncated: bool
    elapsed_s: float


def _statement_word(stmt) -> str:
    name = getattr(stmt.type, "name", str(stmt.type))
    return name.replace("_STATEMENT", "").replace("_", " ")


def _first_word(sql: str) -> str:
    for line in sql.splitlines():
        line = line.split("--", 1)[0].strip()
        if line:
            return line.split()[0].upper().rstrip(";")
    return ""


def _walk(node, ctes: set[str], found: dict[str, list]) -> None:
    """Collect table references, table functions and function calls anywhere in the parse tree."""
    if isinstance(node, list):
        for item in node:
            _walk(item, ctes, found)
        return
    if not isinstance(node, dict):
        return
    cte_map = node.get("cte_map")
    if isinstance(cte_map, dict):
        for entry in cte_map.get("map", []):
            ctes.add(str(entry.get("key", "")).lower())
    kind = node.get("type")
    if "class" in node:
        # an expression
        if node["class"] == "FUNCTION":
            found["functions"].append((str(node.get("function_name", "")).lower(), node.get("schema") or "", node.get("catalog") or ""))
    elif "sample" in node and "alias" in node and isinstance(kind, str):
        # a FROM item
        if kind == "BASE_TABLE":
            found["tables"].append((node.get("catalog_name") or "", node.get("schema_name") or "", node.get("table_name") or ""))
        elif kind == "TABLE_FUNCTION":
            name = str((node.get("function") or {}).get("function_name", "?"))
            if name.lower() not in SAFE_TABLE_FUNCTIONS or (node.get("function") or {}).get("schema"):
                found["table_functions"].append(name)
        elif kind == "SHOW_REF":
            found["show"].append(kind)
        elif kind not in ALLOWED_REFS:
            found["other_refs"].append(kind)
    for value in node.values():
        if isinstance(value, dict | list):
            _walk(value, ctes, found)


def check(cur: duckdb.DuckDBPyConnection, sql: str, allowed_tables: Iterable[str]) -> str:
    """The single SELECT in `sql`, or SqlRefused saying what is not allowed. Runs nothing."""
    if not sql or not sql.strip():
        raise SqlRefused("sql.err.empty")
    try:
        statements = cur.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlRefused("sql.err.parse", detail=str(exc).splitlines()[0]) from None
    if len(statements) == 0:
        raise SqlRefused("sql.err.empty")
    if len(statements) > 1:
        raise SqlRefused("sql.err.several", n=len(statements))
    stmt = statements[0]
    first = _first_word(sql)
    if first in {"PRAGMA", "CALL", "SET", "RESET", "CHECKPOINT", "USE"}:
        raise SqlRefused("sql.err.statement", kind=first)
    if stmt.type != duckdb.StatementType.SELECT:
        raise SqlRefused("sql.err.statement", kind=_statement_word(stmt))

    raw = cur.execute("SELECT json_serialize_sql(?)", [stmt.query]).fetchone()[0]
    tree = json.loads(raw)
    if tree.get("error"):
        raise SqlRefused("sql.err.parse", detail=tree.get("error_message", "?"))
    ctes: set[str] = set()
    found: dict[str, list] = {"tables": [], "table_functions": [], "functions": [], "show": [], "other_refs": []}
    _walk(tree.get("statements", []), ctes, found)

    if found["table_functions"]:
        names = ", ".join(sorted(set(found["table_functions"])))
        raise SqlRefused("sql.err.table_function", names=names)
    if found["show"]:
        raise SqlRefused("sql.err.show")
    if found["other_refs"]:
        raise SqlRefused("sql.err.from_item", kind=", ".join(sorted(set(found["other_refs"]))))
    for name, schema_name, catalog in found["functions"]:
        if name in REFUSED_FUNCTIONS:
            raise SqlRefused("sql.err.function", name=name)
        if (schema_name and schema_name.lower() != "main") or catalog:
            raise SqlRefused("sql.err.function", name=".".join(p for p in (catalog, schema_name, name) if p))

    allowed = {t.lower() for t in allowed_tables}
    database = cur.execute("SELECT current_database()").fetchone()[0].lower()
    for catalog, schema_name, table in found["tables"]:
        shown = ".".join(p for p in (catalog, schema_name, table) if p)
        if catalog and catalog.lower() != database:
            raise SqlRefused("sql.err.schema", name=shown)
        if schema_name and schema_name.lower() != "main":
            raise SqlRefused("sql.err.schema", name=shown)
        if not schema_name and not catalog and table.lower() in ctes:
            continue
        if table.lower() not in allowed:
            if "/" in table or "." in table or "\\" in table:
                raise SqlRefused("sql.err.file", name=table)
            raise SqlRefused("sql.err.unknown_table", name=shown, tables=", ".join(sorted(allowed)))
    return stmt.query


def run(wh, sql: str, row_cap: int | None = None, timeout_s: float | None = None) -> SqlResult:
    """Check and run `sql`; returns at most `row_cap` rows and the total row count."""
    if wh.engine != "duckdb":
        # the guard below parses DuckDB's SQL and DuckDB holds no rows of the canonical tables on Spark
        raise SqlRefused("sql.err.engine")
    row_cap = int(row_cap if row_cap is not None else settings.get("ECOM_SQL_ROW_CAP"))
    timeout_s = float(timeout_s if timeout_s is not None else settings.get("ECOM_SQL_TIMEOUT_S"))
    cur = wh.cursor()
    try:
        query = check(cur, sql, wh.user_tables())
        timed_out = threading.Event()

        def interrupt() -> None:
            timed_out.set()
            cur.interrupt()

        timer = threading.Timer(timeout_s, interrupt)
        start = time.perf_counter()
        timer.start()
        kept: list[pa.RecordBatch] = []
        kept_rows = total = 0
        try:
            with gate.reading():  # see ecom.warehouse.gate
                reader = cur.execute(query).to_arrow_reader(min(max(row_cap, 1), 100_000))
                schema = reader.schema
                for batch in reader:
                    total += batch.num_rows
                    if kept_rows < row_cap:
                        take = batch.slice(0, row_cap - kept_rows)
                        kept.append(take)
                        kept_rows += take.num_rows
        except duckdb.InterruptException:
            raise SqlRefused("sql.err.timeout", seconds=f"{timeout_s:g}") from None
        except duckdb.Error as exc:
            if timed_out.is_set():
                raise SqlRefused("sql.err.timeout", seconds=f"{timeout_s:g}") from None
            raise SqlRefused("sql.err.failed", detail=str(exc).splitlines()[0]) from None
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - start
        frame = pa.Table.from_batches(kept, schema=schema).to_pandas()
        return SqlResult(frame=frame, total_rows=total, truncated=total > row_cap, elapsed_s=elapsed)
    finally:
        cur.close()
