"""Limits on untrusted upload files, checked before anything is allocated for them.

A workbook or an archive says how big it is before it is read: a zip's directory gives each member's
size, a sheet's `<dimension>` and cell references give its grid, the shared-strings table its count.
Readers believe those numbers (python-calamine reserves a sheet's whole grid: a 2 KB workbook whose one
cell is at XFD1048576 asks for ~512 GB and aborts the process), so they are checked here first: the
zip's end record and directory are read without unpacking anything, and each workbook part is inflated
in bounded chunks and scanned with regular expressions, never held in memory whole. What is unpacked
is counted as it comes, so a member that unpacks to more than its directory entry says is caught too.

Only the standard library is used: the Excel worker (ecom.ingest.sheets) runs these checks before it
imports the reader. Every refusal is an `IngestError` whose message says what, where, the number found
and the limit, on one line in the caller's language.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
from xml.etree import ElementTree

from ecom import i18n

# -- the limits ----------------------------------------------------------------------------------
# A sheet's grid (rows x columns, counted from A1) costs python-calamine ~70 bytes a cell (measured: the
# parsed cells, then the dense grid). A real workbook at the 200 MB upload limit holds ~40 million cells
# (~5 compressed bytes a cell, measured), so 50 million (~3.5 GB, within the worker's 8 GB) passes every
# real export. Excel's own sheet is 1,048,576 x 16,384 = 17,179,869,184 cells: declaring it costs a
# 2 KB file nothing; holding it costs ~1 TB.
MAX_CELLS = 50_000_000
# ...and a file cannot honestly hold many more cells than its size: real workbooks hold 0.1-0.5 cells
# per compressed byte (measured: exports, and a sheet of one repeated value), so 20 a byte is 40x the
# densest; any file may have a million (a stray cell far below a small table)
CELLS_PER_BYTE = 20
MIN_CELLS = 1_000_000
# one shared string: Excel keeps at most 32,767 characters in a cell, at most ~160 KB of XML
MAX_STRING_BYTES = 1 << 20
# members of an archive: workbooks have tens of parts (a few hundred with many sheets and drawings);
# an upload zips a handful of exports
MAX_MEMBERS = 2_000
# the zip's central directory (100-300 bytes an entry): Python's zipfile reads it whole, so it is
# judged from the end record before zipfile is asked to
MAX_DIRECTORY_BYTES = 2 << 20
# unpacked / packed size of a member: sheet XML packs 5-10:1, a sheet of one repeated value 14:1, CSV
# 2-20:1 (measured on the real exports in tests/fixtures/real); deflate bombs run at ~1,000:1. A member
# unpacking to less than RATIO_FLOOR may have any ratio
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20
# all parts of one workbook unpacked (a 200 MB workbook of real data unpacks to 1-3 GB)
MAX_UNPACKED = 4 << 30
# workbook parts read whole (workbook.xml and its relationships: a few KB)
MAX_PART_BYTES = 16 << 20
# one XML tag (a cell's tag is ~30 bytes; the root tag with its namespaces a few KB)
MAX_TAG_BYTES = 1 << 20
CHUNK = 4 << 20
# a sheet whose rows go out of order (each below the last) is scanned exactly instead
MAX_JUMPS = 64


class IngestError(Exception):
    """A file that cannot be read; the message is one line a person understands (in the caller's language)."""


def cells_limit(file_size: int) -> int:
    """The most cells a sheet (and shared strings a workbook) of a file of `file_size` bytes may have."""
    return min(MAX_CELLS, max(MIN_CELLS, CELLS_PER_BYTE * file_size))


def refuse(key: str, lang: str, **fmt) -> IngestError:
    """The error for limit `key`, numbers written with thousands separators."""
    return IngestError(i18n.t(f"ingest.limit.{key}", lang, **{k: f"{v:,}" if isinstance(v, int) else v for k, v in fmt.items()}))


# -- archives --------------------------------------------------------------------------------------
def open_zip(path, name: str, lang: str = "en") -> zipfile.ZipFile:
    """The zip at `path`, opened once its end record shows a directory of sensible size."""
    entries, directory = _end_record(path, name, lang)
    if entries > MAX_MEMBERS:
        raise refuse("members", lang, name=name, found=entries, limit=MAX_MEMBERS)
    if directory > MAX_DIRECTORY_BYTES:
        raise refuse("directory", lang, name=name, found=directory, limit=MAX_DIRECTORY_BYTES)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise IngestError(i18n.t("ingest.err.bad_zip", lang, name=name)) from None
    if len(zf.infolist()) > MAX_MEMBERS:  # the end record undercounted
        found = len(zf.infolist())
        zf.close()
        raise refuse("members", lang, name=name, found=found, limit=MAX_MEMBERS)
    return zf


def check_members(infos: list[zipfile.ZipInfo], name: str, lang: str) -> int:
    """Each member's ratio, as the directory declares it; returns their unpacked size in all."""
    for info in infos:
        if info.flag_bits & 0x1:
            raise IngestError(i18n.t("ingest.err.zip_member_password", lang, name=f"{name}/{info.filename}"))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise refuse("ratio", lang, name=name, member=info.filename, found=info.file_size, packed=info.compress_size,
                         ratio=info.file_size // max(1, info.compress_size), limit=MAX_RATIO)
    return sum(info.file_size for info in infos)


def _end_record(path, name: str, lang: str) -> tuple[int, int]:
    """(entries, central directory bytes) from the zip's end record (ZIP64 too)."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - (22 + 65535 + 20)))
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            raise IngestError(i18n.t("ingest.err.bad_zip", lang, name=name))
        entries, directory, offset = struct.unpack("<10xHLL", tail[at:at + 20])
        if entries == 0xFFFF or 0xFFFFFFFF in (directory, offset):  # ZIP64: the real numbers are in its own end record
            locator = tail[at - 20:at] if at >= 20 else b""
            if locator[:4] != b"PK\x06\x07":
                raise IngestError(i18n.t("ingest.err.bad_zip", lang, name=name))
            fh.seek(struct.unpack("<4xQ4x", locator[4:])[0])
            record = fh.read(56)
            if record[:4] != b"PK\x06\x06" or len(record) < 48:
                raise IngestError(i18n.t("ingest.err.bad_zip", lang, name=name))
            entries, directory = struct.unpack("<QQ", record[32:48])
    return entries, directory


def inflate(path, info: zipfile.ZipInfo, name: str, lang: str):
    """The member's bytes, in chunks of at most CHUNK, checked against its directory entry: never more
    than it declares (the readers would believe the declaration), and its CRC."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise refuse("method", lang, name=name, member=info.filename, found=str(info.compress_type))
    damaged = IngestError(i18n.t("ingest.err.zip_member_damaged", lang, name=f"{name}/{info.filename}",
                                 detail=i18n.t("ingest.limit.not_as_declared", lang)))
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise damaged
        fh.seek(info.header_offset + 30 + sum(struct.unpack("<HH", local[26:30])))
        left, out, crc = info.compress_size, 0, 0
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        while left > 0 or (inflater is not None and inflater.unconsumed_tail):
            if inflater is not None and inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            else:
                data = fh.read(min(left, 1 << 20))
                if not data:
                    raise damaged
                left -= len(data)
            try:
                piece = data if inflater is None else inflater.decompress(data, CHUNK)
            except zlib.error:
                raise damaged from None
            out += len(piece)
            if out > info.file_size:
                raise damaged
            crc = zlib.crc32(piece, crc)
            if piece:
                yield piece
        if inflater is not None:
            piece = inflater.flush()
            out += len(piece)
            crc = zlib.crc32(piece, crc)
            if not inflater.eof or out > info.file_size:
                raise damaged
            if piece:
                yield piece
    if out != info.file_size or crc != info.CRC:
        raise damaged


def read_part(path, info: zipfile.ZipInfo, name: str, lang: str) -> bytes:
    """A small part whole (workbook.xml, relationships)."""
    if info.file_size > MAX_PART_BYTES:
        raise refuse("member_size", lang, name=name, member=info.filename, found=info.file_size, limit=MAX_PART_BYTES)
    return b"".join(inflate(path, info, name, lang))


# -- workbooks -------------------------------------------------------------------------------------
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # any namespace prefix
_VALUE = rb"(?:\"[^\"]*\"|'[^']*')"
_CELL = re.compile(rb"<" + _NS + rb"c[\s/>]")
# a cell or row tag, its attributes stepped over whole (a quoted value cannot hide a fake r="…")
_TOKEN = re.compile(rb"<" + _NS + rb"(row|c)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*" + _VALUE + rb")*)\s*/?>")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([^\"']*)[\"']")
_R_AT = re.compile(rb' r="([A-Za-z]*)0*([0-9]+)"')  # a reference where the quick scan found one
# cell tags the quick scan does not count: no attributes, other white space, a namespace prefix
_ODD_CELL = re.compile(rb"<c[^ A-Za-z]")
_PREFIXED_CELL = re.compile(rb":c[^A-Za-z]")
_DIMENSION = re.compile(rb"<" + _NS + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_STRING = re.compile(rb"<" + _NS + rb"si[\s/>]")
_STRING_PLAIN = re.compile(rb"<si[\s/>]")  # as Excel writes them: a literal start, searched fast
_STRING_PREFIXED = re.compile(rb":si[\s/>]")
_SST = re.compile(rb"<" + _NS + rb"sst\b([^>]*)>")
_COUNT = re.compile(rb"\b(count|uniqueCount)\s*=\s*[\"']\s*([0-9]+)\s*[\"']")
_A1 = re.compile(r"\$?([A-Za-z]+)\$?([0-9]+)")


def _beyond_column(letters: str) -> re.Pattern:
    """References in a column right of `letters` (A, ..., Z, AA, ...), in either case. Character
    classes rather than IGNORECASE: the literal ` r="` must stay literal for the search to run fast."""
    def either(ch: str) -> str:
        return f"[{ch}{ch.lower()}]"

    def after(ch: str) -> str:
        nxt = chr(ord(ch) + 1)
        return f"[{nxt}-Z{nxt.lower()}-z]"

    n = len(letters)
    longer = f"[A-Za-z]{{{n + 1},}}"
    same = ["".join(map(either, letters[:i])) + after(letters[i]) + f"[A-Za-z]{{{n - i - 1}}}" for i in range(n) if letters[i] != "Z"]
    return re.compile((' r="(?:' + "|".join([longer, *same]) + ")[0-9]").encode())


def _below_row(row: int) -> re.Pattern:
    """References in a row below `row`."""
    digits = str(row)
    n = len(digits)
    longer = f"[1-9][0-9]{{{n},}}"
    same = [f"{digits[:i]}[{int(digits[i]) + 1}-9][0-9]{{{n - i - 1}}}" for i in range(n) if digits[i] != "9"]
    return re.compile((' r="[A-Za-z]*0*(?:' + "|".join([longer, *same]) + ')"').encode())


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def check_workbook(path, name: str, lang: str = "en", max_columns: int = 2000) -> None:
    """Refuse an .xlsx/.xlsm/.xlsb whose parts, sheets or shared strings exceed the limits. Every part
    is unpacked (in chunks) and counted, so the reader later sees nothing that was not checked; every
    XML part is scanned as a sheet (parts that are not sheets hold no cells), so a sheet the reader
    finds by another path than ours is scanned all the same."""
    limit = cells_limit(os.path.getsize(path))
    with open_zip(path, name, lang) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        unpacked = check_members(infos, name, lang)
        if unpacked > MAX_UNPACKED:
            raise refuse("unpacked", lang, name=name, found=unpacked, limit=MAX_UNPACKED)
        sheets = _sheet_names(path, zf, name, lang)
        for info in infos:
            lower = info.filename.lower()
            if lower.endswith("sharedstrings.xml"):
                _scan(inflate(path, info, name, lang), _Strings(name, limit, lang), name, info.filename, lang)
            elif lower.endswith(".xml"):
                sheet = sheets.get(info.filename, info.filename)
                try:
                    _scan(inflate(path, info, name, lang), _Sheet(name, sheet, limit, max_columns, lang), name, info.filename, lang)
                except _Restart:
                    _scan(inflate(path, info, name, lang), _Sheet(name, sheet, limit, max_columns, lang, exact=True), name, info.filename, lang)
            else:
                for _ in inflate(path, info, name, lang):
                    pass


def _sheet_names(path, zf: zipfile.ZipFile, name: str, lang: str) -> dict[str, str]:
    """Sheet part -> sheet name, from xl/workbook.xml and its relationships ({} when they cannot be read:
    messages then name the part)."""
    try:
        book = read_part(path, zf.getinfo("xl/workbook.xml"), name, lang)
        rels = read_part(path, zf.getinfo("xl/_rels/workbook.xml.rels"), name, lang)
    except KeyError:
        return {}
    if b"<!DOCTYPE" in book or b"<!DOCTYPE" in rels:  # no entity tricks: OOXML never declares a DTD
        raise IngestError(i18n.t("ingest.err.bad_zip", lang, name=name))
    try:
        targets = {r.get("Id"): r.get("Target") or "" for r in ElementTree.fromstring(rels)}
        sheets = [s for s in ElementTree.fromstring(book).iter() if s.tag.rpartition("}")[2] == "sheet"]
    except ElementTree.ParseError:
        return {}
    out = {}
    for s in sheets:
        target = targets.get(next((v for k, v in s.attrib.items() if k.endswith("}id")), None))
        if target:
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out[part] = s.get("name") or part
    return out


def _scan(chunks, scanner, name: str, member: str, lang: str) -> None:
    """Feed the scanner whole tags only: a tag cut by a chunk's end waits for the next chunk."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        lt, gt = data.rfind(b"<"), data.rfind(b">")
        cut = lt if lt > gt else len(data)
        carry = data[cut:]
        if len(carry) > MAX_TAG_BYTES:
            raise refuse("tag", lang, name=name, member=member, limit=MAX_TAG_BYTES)
        scanner.feed(data[:cut])
    scanner.feed(carry)
    scanner.close()


class _Restart(Exception):
    """The sheet has cells without a reference (or one the quick scan does not read): scan it again,
    following positions cell by cell."""


class _Sheet:
    """A sheet's declared dimension, its number of cells and the far corner of its grid (from A1)."""

    def __init__(self, name, sheet, limit, max_columns, lang, exact=False):
        self.name, self.sheet, self.limit, self.max_columns, self.lang, self.exact = name, sheet, limit, max_columns, lang, exact
        self.cells = self.rows = self.cols = 0
        self.far = ""  # the letters of the column furthest right
        self.far_ref = ""  # a cell in that column, for the message
        self.row = self.col = 0  # exact scan: where the last cell was
        self.before_data = True

    def feed(self, data: bytes) -> None:
        if self.before_data:
            found = _DIMENSION.search(data) if b"dimension" in data else None
            if found:
                self._dimension(found.group(1).decode("ascii", "replace"))
            self.before_data = not (found or b"sheetData" in data)
        if self.exact:
            self._exact(data)
        else:
            self._quick(data)
        self._check()

    def _quick(self, data: bytes) -> None:
        """Counting and maxima at C speed, for sheets written as Excel writes them: every cell `<c r="…"`
        (anything else is scanned again, exactly). Only references beyond the far corner so far are looked at,
        and rows come in order, so a chunk's last reference is nearly always its lowest."""
        cells = data.count(b"<c ")
        if data.count(b' r="') != cells + data.count(b"<row ") or _ODD_CELL.search(data) or _PREFIXED_CELL.search(data):
            raise _Restart
        if not cells:
            return
        self.cells += cells
        last = _R_AT.match(data, data.rfind(b' r="'))
        if last is None:
            raise _Restart
        self.rows = max(self.rows, int(last.group(2)))
        jumps = 0
        for pattern in ("column", "row"):
            at = 0
            while True:
                found = (_beyond_column(self.far) if pattern == "column" else _below_row(self.rows)).search(data, at)
                if found is None:
                    break
                ref = _R_AT.match(data, found.start())
                jumps += pattern == "row"  # columns only grow, and never past max_columns
                if ref is None or jumps > MAX_JUMPS:
                    raise _Restart
                self._cell(ref.group(1).decode("ascii").upper(), int(ref.group(2)))
                self._check_columns()
                at = found.start() + 1

    def _cell(self, letters: str, row: int) -> None:
        self.rows = max(self.rows, row)
        col = column_number(letters)
        if col > self.cols:
            self.cols, self.far, self.far_ref = col, letters, f"{letters}{row}"

    def _exact(self, data: bytes) -> None:
        self.cells += len(_CELL.findall(data))  # every cell tag, even one too malformed to follow
        for kind, attrs in _TOKEN.findall(data):
            ref = _R_ATTR.search(attrs)
            if kind == b"row":
                self.row = int(ref.group(1)) if ref and ref.group(1).isdigit() else self.row + 1
                self.col = 0
                continue
            parts = _A1.fullmatch(ref.group(1).decode("ascii", "replace")) if ref else None
            if parts:
                self.col, self.row = column_number(parts.group(1)), int(parts.group(2))
            else:
                self.col += 1
            widest = self.cols
            self._cell(column_letters(self.col), self.row)
            if self.cols > widest:
                self._check()

    def _dimension(self, ref: str) -> None:
        corners = [_A1.fullmatch(p) for p in ref.split(":")]
        if not all(corners):
            return  # a malformed dimension is ignored by the readers too
        cols = [column_number(c.group(1)) for c in corners]
        rows = [int(c.group(2)) for c in corners]
        declared = (max(cols) - min(cols) + 1) * (max(rows) - min(rows) + 1)
        if declared > self.limit:
            raise refuse("declared_cells", self.lang, name=self.name, sheet=self.sheet, found=declared, limit=self.limit)

    def _check_columns(self) -> None:
        if self.cols > self.max_columns:
            raise refuse("columns", self.lang, name=self.name, sheet=self.sheet, found=self.cols, cell=self.far_ref, limit=self.max_columns)

    def _check(self) -> None:
        self._check_columns()
        if self.rows * self.cols > self.limit:
            raise refuse("cells", self.lang, name=self.name, sheet=self.sheet, found=self.rows * self.cols,
                         corner=f"{column_letters(self.cols)}{self.rows}", limit=self.limit)
        if self.cells > self.limit:
            raise refuse("cell_count", self.lang, name=self.name, sheet=self.sheet, limit=self.limit)

    def close(self) -> None:
        self._check()


class _Strings:
    """The shared-strings table: its declared and real count, and the size of each string."""

    def __init__(self, name, limit, lang):
        self.name, self.limit, self.lang = name, limit, lang
        self.count = 0
        self.offset = 0  # bytes fed so far
        self.start = None  # where the current string began
        self.before_data = True

    def feed(self, data: bytes) -> None:
        if self.before_data:
            head = _SST.search(data)
            if head:
                self.before_data = False
                for _, n in _COUNT.findall(head.group(1)):
                    if int(n) > self.limit:
                        raise refuse("declared_strings", self.lang, name=self.name, found=int(n), limit=self.limit)
        for m in (_STRING if _STRING_PREFIXED.search(data) else _STRING_PLAIN).finditer(data):
            self._ended(self.offset + m.start())
            self.count += 1
            self.start = self.offset + m.start()
            if self.count > self.limit:
                raise refuse("strings", self.lang, name=self.name, limit=self.limit)
        self.offset += len(data)

    def _ended(self, at: int) -> None:
        """The current string ends at `at`: it may not be bigger than a cell can hold."""
        if self.start is not None and at - self.start > MAX_STRING_BYTES:
            raise refuse("string_size", self.lang, name=self.name, n=self.count, found=at - self.start, limit=MAX_STRING_BYTES)

    def close(self) -> None:
        self._ended(self.offset)
