"""Ingestion: platform exports and spreadsheets into the warehouse, without losing a row.

read     bytes -> table of strings (encoding, delimiter, header row, xlsx, parquet, zip)
mapping  source headers -> canonical columns (synonyms, header words, values; presets; remembered mappings)
dates    a date column's format, day/month order and time zones, inferred from its values
profile  what a column's values look like (dates, money, rates, ids, free text)
plan     the tables of one upload planned together: alone, joined into order lines, or skipped
values   typed conversion with reject reasons, as one generated SQL statement per table
load     one transaction per sheet/file: canonical table + rejects + upload log + data version
cli      `python -m ecom ingest PATH... [--table ...] [--mode ...] [--map SRC=CANONICAL ...] [--json] [--if-empty]`

Callers with an upload in memory write it to a temporary file and pass its display name as `name`.
`sniff` and `ingest_file` take `lang` ("en" or "zh", from ecom/locales/ingest.json) for their messages, notes
and the reject reasons stored in main.rejects; the CLI keeps English.
"""

from ecom.ingest.load import Report, column_quality, default_dataset, ingest_file, ingest_files, refresh_summaries, undo_upload
from ecom.ingest.mapping import remember_mapping
from ecom.ingest.read import SUPPORTED_EXT, IngestError, Sniffed, read_frame, sniff

__all__ = [
    "SUPPORTED_EXT",
    "IngestError",
    "Report",
    "Sniffed",
    "column_quality",
    "default_dataset",
    "ingest_file",
    "ingest_files",
    "refresh_summaries",
    "read_frame",
    "remember_mapping",
    "sniff",
    "undo_upload",
]
