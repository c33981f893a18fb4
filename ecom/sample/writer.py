"""Arrow arrays from numpy and CSV writing (pyarrow's C++ writer, so 10M lines stay fast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

BOM = b"\xef\xbb\xbf"


def money(cents: np.ndarray, scale: int = 2) -> pa.Array:
    """Exact decimals (no float formatting noise) from integer units of 10**-scale."""
    units = np.asarray(cents, dtype=np.int64)
    buf = np.empty((len(units), 2), dtype=np.int64)
    buf[:, 0] = units
    buf[:, 1] = np.where(units < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(18, scale), len(units), [None, pa.py_buffer(buf.tobytes())])


def timestamps(seconds: np.ndarray, start: np.datetime64) -> pa.Array:
    return pa.array(start + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]"))


def lookup(values, idx: np.ndarray) -> pa.Array:
    """values[idx] as an Arrow string array (the take runs in C++)."""
    return pa.array(list(values), pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'C000123'-style ids: prefix plus a zero-padded number."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


class CsvWriter:
    """Writes a CSV in chunks: header once, optional UTF-8 byte-order mark.

    quote=False writes no quotes at all (Arrow refuses a value that would then need them), which
    keeps the large export small; free text is written with quote=True.
    """

    def __init__(self, path: Path, bom: bool = False, quote: bool = False):
        self.path = path
        self._f = open(path, "wb")  # closed in close()
        if bom:
            self._f.write(BOM)
        self._quote = "needed" if quote else "none"
        self._header = True

    def write(self, table: pa.Table) -> None:
        if self._header:
            # Arrow would quote the header names; exports rarely do
            self._f.write((",".join(table.column_names) + "\n").encode("utf-8"))
            self._header = False
        pacsv.write_csv(table, self._f, pacsv.WriteOptions(include_header=False, quoting_style=self._quote))

    def close(self) -> None:
        self._f.close()


def write_csv(path: Path, table: pa.Table, bom: bool = False, quote: bool = False) -> None:
    w = CsvWriter(path, bom=bom, quote=quote)
    try:
        w.write(table)
    finally:
        w.close()
