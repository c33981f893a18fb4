"""Downloads: CSV that Excel on Windows opens with Chinese intact, and XLSX that keeps ids as text.

Cells a spreadsheet would run as a formula (text starting with = + - @ tab or CR, or the full-width
＝ ＋ － ＠) get a leading apostrophe, the usual defence against CSV/formula injection: a review text
like "=HYPERLINK(...)" shows as text instead of running. `neutralise` is the one place that decides;
the tables the app draws use it too (ecom/ui/tables.py).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import re

import pandas as pd

from ecom import schema

# The full-width forms too: spreadsheets set up for Chinese or Japanese input read a leading ＝ as =.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Columns whose values are identifiers, not quantities: written as text so that an order number
# like 202411200001234567 is not shown as 2.02E+17 and leading zeros survive.
ID_COLUMNS = {c.name for t in schema.TABLES.values() for c in t.columns if c.kind == "id"} | {"upload_id", "_upload_id"}


def neutralise(value):
    """The value, with a leading apostrophe when it is text a spreadsheet would treat as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _is_id(column: str) -> bool:
    name = str(column).lower()
    return name in ID_COLUMNS or name.endswith("_id") or name == "id"


def _is_text(col: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col) or pd.api.types.is_bool_dtype(col))


def safe_cells(df: pd.DataFrame, columns=None) -> pd.DataFrame:
    """A copy of `df` with formula-looking text cells neutralised, in `columns` (default all); numbers,
    dates and headers untouched."""
    # column by column through items(): a query result may repeat a column name
    parts = [
        col.map(neutralise, na_action="ignore") if _is_text(col) and (columns is None or name in columns) else col.copy()
        for name, col in df.items()
    ]
    return pd.concat(parts, axis=1) if parts else df.copy()


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with formula-looking text and headers neutralised (numbers and dates untouched)."""
    out = safe_cells(df)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV, UTF-8 with a byte-order mark (so Excel on Windows detects UTF-8), formulas neutralised."""
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "data"
    return cleaned[:31]


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    """XLSX with a header row; id columns and all text written as text, never as formulas."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(_sheet_name(sheet))
    bold = book.add_format({"bold": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    text_fmt = book.add_format({"num_format": "@"})
    ids = [_is_id(c) for c in df.columns]
    for j, col in enumerate(df.columns):
        ws.write_string(0, j, str(neutralise(str(col))), bold)
        ws.set_column(j, j, 18, text_fmt if ids[j] else None)
    for i, row in enumerate(df.itertuples(index=False, name=None), start=1):
        for j, value in enumerate(row):
            _write_cell(ws, i, j, value, ids[j], date_fmt, time_fmt)
    if len(df.columns):
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)
    book.close()
    return buf.getvalue()


def _write_cell(ws, i: int, j: int, value, is_id: bool, date_fmt, time_fmt) -> None:
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, float) and math.isnan(value):
        return
    if is_id:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        ws.write_string(i, j, str(neutralise(str(value))))
    elif isinstance(value, bool):
        ws.write_boolean(i, j, value)
    elif isinstance(value, int | float | decimal.Decimal):
        number = float(value)
        if math.isinf(number):
            ws.write_string(i, j, str(value))
        else:
            ws.write_number(i, j, number)
    elif isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        ws.write_datetime(i, j, stamp.to_pydatetime(), time_fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(i, j, dt.datetime(value.year, value.month, value.day), date_fmt)
    else:
        ws.write_string(i, j, str(neutralise(value if isinstance(value, str) else str(value))))
