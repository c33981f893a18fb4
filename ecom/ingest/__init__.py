"""Ingestion: platform exports and spreadsheets into the warehouse, without losing a row.

read     bytes -> table of strings (encoding, delimiter, header row, xlsx, parquet, zip)
limits   what an untrusted file may declare and hold (cells, columns, zip members, ratios), checked first
sheets   Excel workbooks read in a worker process with memory and time limits, each sheet into a CSV
mapping  source headers -> canonical columns (synonyms, header words, values; presets; remembered mappings)
dates    a date column's format, day/month order and time zones, inferred from its values
profile  what a column's values look like (dates, money, rates, ids, free text)
plan     the tables of one upload planned together: alone, joined into order lines, or skipped
values   typed conversion with reject reasons, as one generated SQL statement per table
sqltext  values and names quoted for the SQL the loader writes (also the summaries' ENUMs)
load     one transaction per sheet/file: canonical table + rejects + upload log + data version
cli      `python -m ecom ingest PATH... [--table ...] [--mode ...] [--map SRC=CANONICAL ...] [--json] [--if-empty]`

Callers with an upload in memory write it to a temporary file (ecom.tempfiles) and pass its display
name as `name`. `sniff` and `ingest_file` take `lang` ("en" or "zh", from ecom/locales/ingest.json) for
their messages, notes and the reject reasons stored in main.rejects; the CLI keeps English.

The names below are imported on first use, so that the Excel worker (`python -m ecom.ingest.sheets`),
which needs none of them, starts without pandas, DuckDB and pyarrow.
"""

from importlib import import_module

_EXPORTS = {
    "SUPPORTED_EXT": "ecom.ingest.read",
    "IngestError": "ecom.ingest.limits",
    "Report": "ecom.ingest.load",
    "Sniffed": "ecom.ingest.read",
    "column_quality": "ecom.ingest.load",
    "default_dataset": "ecom.ingest.load",
    "ingest_file": "ecom.ingest.load",
    "ingest_files": "ecom.ingest.load",
    "refresh_summaries": "ecom.ingest.load",
    "read_frame": "ecom.ingest.read",
    "remember_mapping": "ecom.ingest.mapping",
    "sniff": "ecom.ingest.read",
    "undo_upload": "ecom.ingest.load",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
