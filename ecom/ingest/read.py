"""Reading uploads: bytes -> tables of strings.

Every upload becomes one or more `Source`s (a CSV/TXT file, a zip member, an Excel sheet, a Parquet
file) with its encoding, delimiter and header row sniffed from the first megabyte. Large text files
are never loaded into Python: a UTF-8 file is parsed by DuckDB where it lies; any other encoding is
transcoded chunk by chunk into a temporary UTF-8 file first. Excel sheets are read by a worker process
into CSV files (ecom.ingest.sheets). Nothing is allocated for a file before its declared sizes pass
ecom.ingest.limits (zip members, cells, columns: ECOM_MAX_COLUMNS).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecom import i18n, settings, tempfiles
from ecom.ingest import limits, sheets
from ecom.ingest import mapping as mapping_mod
from ecom.ingest.limits import IngestError
from ecom.ingest.sqltext import ident, lit

TEXT_EXT = {".csv", ".tsv", ".txt", ".tab", ".dat"}
EXCEL_EXT = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_EXT = {".parquet", ".pq"}
JSON_EXT = {".json", ".jsonl", ".ndjson"}  # records as scrapers and APIs write them (see _json_source)
SUPPORTED_EXT = TEXT_EXT | EXCEL_EXT | PARQUET_EXT | JSON_EXT | {".zip"}

SAMPLE_BYTES = 1 << 20
CHUNK_BYTES = 16 << 20
PREVIEW_ROWS = 20
SAMPLE_ROWS = 2000
WHITESPACE = "whitespace"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
# magic bytes -> catalog key (ingest.binary.<kind>) naming what the file is
_BINARY_MAGIC = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif", b"\x1f\x8b": "gzip", b"Rar!": "rar",
                 b"7z\xbc\xaf": "7z", b"SQLite format": "sqlite", b"DUCK": "duckdb"}
TOTAL_WORDS = ("合计", "总计", "小计", "汇总", "总和", "total", "totals", "grand total", "subtotal", "sum")
_CJK_CHARS = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_NUMERIC_LIKE = re.compile(r"^[\s(+\-]*[¥￥$€£]?\s*[\d.,]+\s*(%|元|万|亿)?\)?$|^\d{4}[-/.年]\d{1,2}([-/.月]\d{1,2}日?)?([ T]\d{1,2}:\d{2}(:\d{2})?)?$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?$")


@dataclass
class Sniffed:
    """What sniffing found in one sheet or zip member of an upload."""

    source: str
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None  # 0-based line (CSV) or row (sheet) of the header; None when headerless
    columns: list[str] = field(default_factory=list)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    table: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped_required: list[str] = field(default_factory=list)
    preset: str | None = None
    notes: list[str] = field(default_factory=list)
    rows_estimate: int | None = None
    confidence: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    derive: dict[str, str] = field(default_factory=dict)
    sample: list[list[str | None]] = field(default_factory=list)


@dataclass
class Source:
    """One readable table of an upload, ready to be parsed by DuckDB."""

    name: str  # display name: file, file/member or file[sheet]
    kind: str  # csv | sheet | parquet (| join, wide: see relation)
    content_hash: str
    path: Path | None = None  # csv: a UTF-8 file; sheet: the worker's CSV of the sheet (`_row` first); parquet: the file
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None  # sheet: its data are the rows below this one
    described: int = 0  # sheet: rows right under the header that describe its columns (skipped; see `described_rows`)
    skip_lines: int = 0  # csv: physical lines before the first data row
    columns: list[str] = field(default_factory=list)
    preview: list[list[str | None]] = field(default_factory=list)
    sample: list[list[str | None]] = field(default_factory=list)  # the first rows, for mapping's value checks
    notes: list[str] = field(default_factory=list)
    rows_estimate: int | None = None
    size: int = 0
    parallel: bool = True  # DuckDB's parallel CSV scan; off when quoted newlines meet short rows
    nul: bool = False  # csv: the file holds NUL bytes somewhere (rows with one are rejected)
    footer_row: int | None = None  # csv: `_row` of a rule line (-----) that ends the table; it and what follows are skipped
    bom_len: int = 0
    odd_newlines: bool = False  # csv: lines end in CR alone or CR CR LF (`_odd_newlines`): the copy DuckDB reads ends them in LF
    unquoted: bool = False  # csv: a tab-separated file whose quote marks are text (`_unquoted`), not quoting
    titles: list[str] = field(default_factory=list)  # the lines above the header, their cells joined ("All amounts in USD")
    utf8_path: Path | None = None  # csv: where DuckDB reads it (the file, or its UTF-8 transcoding)
    relation: object = None  # join, wide: (con, tag, workdir) -> SQL of the derived rows (see ecom.ingest.plan, .wide)
    members: list[Source] = field(default_factory=list)  # join: the tables joined, the lines table first; wide: the table

    def preview_frame(self) -> pd.DataFrame:
        width = len(self.columns)
        rows = [(list(r) + [None] * width)[:width] for r in self.preview[:PREVIEW_ROWS]]
        return pd.DataFrame(rows, columns=_unique(self.columns), dtype="object")


# -- entry points ----------------------------------------------------------------------------------
def open_sources(path, name: str | None = None, workdir: Path | None = None, lang: str = "en",
                 encodings: dict[str, str] | None = None) -> list[Source]:
    """Every table in the file at `path`, sniffed. Raises IngestError with a one-line reason in `lang`;
    the sources' notes are in `lang` too. `encodings` overrides the detected encoding of text files
    (display name -> Python codec name)."""
    path = Path(path)
    display = name or path.name
    if not path.is_file():
        raise IngestError(i18n.t("ingest.err.no_file", lang, name=display))
    size = path.stat().st_size
    limit_mb = settings.get("ECOM_MAX_UPLOAD_MB")
    if size == 0:
        raise IngestError(i18n.t("ingest.err.empty", lang, name=display))
    if size > limit_mb * 1024 * 1024:
        raise IngestError(i18n.t("ingest.err.too_big", lang, name=display, size=f"{size / 1048576:.0f}", limit=limit_mb))
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    digest, nul = _scan(path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        with limits.open_zip(path, display, lang) as zf:
            names = zf.namelist()
            if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return _excel_sources(path, display, digest, workdir, lang)
            if workdir is None:
                raise IngestError(i18n.t("ingest.err.zip_workdir", lang, name=display))
            return _zip_sources(zf, display, digest, workdir, limit_mb, lang, encodings)
    if head.startswith(_OLE_MAGIC):
        if _holds(path, _ENCRYPTED):
            raise IngestError(i18n.t("ingest.err.ole_password", lang, name=display))
        return _excel_sources(path, display, digest, workdir, lang)
    if head.startswith(b"PAR1"):
        return [_parquet_source(path, display, digest, lang)]
    if _looks_like_json(head, display):
        if workdir is None:
            raise IngestError(i18n.t("ingest.err.json_workdir", lang, name=display))
        return [_json_source(path, display, digest, workdir, lang)]
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise IngestError(i18n.t("ingest.err.binary", lang, name=display, what=i18n.t(f"ingest.binary.{what}", lang)))
    return [_text_source(path, display, digest, head, size, lang, (encodings or {}).get(display), nul)]


def open_upload(paths, names, workdir: Path, lang: str = "en", encodings: dict[str, str] | None = None
                ) -> tuple[list[Source], list[tuple[str, str]]]:
    """The sources of every file of an upload (each opened in its own folder of `workdir`), and
    (file, one line saying why) for the files that cannot be read at all."""
    import duckdb

    sources: list[Source] = []
    errors: list[tuple[str, str]] = []
    for i, (path, display) in enumerate(zip(paths, names, strict=True)):
        folder = Path(workdir) / f"f{i}"
        folder.mkdir(mode=0o700)
        try:
            sources += open_sources(path, display, folder, lang, encodings)
        except IngestError as exc:
            errors.append((display, str(exc)))
        except (OSError, ValueError, duckdb.Error) as exc:
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            errors.append((display, i18n.t("ingest.err.unreadable", lang, name=display, detail=detail)))
    return sources, errors


def read_frame(path, sheet=None) -> pd.DataFrame:
    """The file read with full sniffing, all columns as strings, header names as in the file.

    Title rows above the header, blank rows, repeated headers and totals rows are left out.
    """
    with tempfiles.workdir("read") as tmp:
        return _read_frame(path, sheet, tmp)


def _read_frame(path, sheet, workdir: Path) -> pd.DataFrame:
    import duckdb

    sources = open_sources(path, workdir=workdir)
    if sheet is not None:
        chosen = [s for s in sources if s.name.endswith(f"[{sheet}]") or s.name.endswith(f"/{sheet}")]
        if not chosen:
            raise IngestError(i18n.t("ingest.err.no_sheet", name=Path(path).name, sheet=repr(sheet)))
        sources = chosen
    src = sources[0]
    con = duckdb.connect(config={"temp_directory": str(workdir / "spill")})
    try:
        rel_sql = raw_relation(con, src, workdir=workdir)
        cols = ", ".join(f"c{i}" for i in range(len(src.columns)))
        frame = con.execute(f"SELECT {cols} FROM ({rel_sql}) ORDER BY _row").df()
    finally:
        con.close()
    frame = frame.astype("object").where(frame.notna(), None)
    frame.columns = _unique(src.columns)
    keep = [
        any(v is not None and str(v).strip() for v in row)
        and not (src.header_row is not None and list(row[:3]) == src.columns[:3])
        and not any(v is not None and str(v).strip().rstrip(":：").lower() in TOTAL_WORDS for v in row[:2])
        for row in frame.itertuples(index=False)
    ]
    return frame[keep].reset_index(drop=True)


def sniff(path, name=None, wh=None, lang: str = "en") -> list[Sniffed]:
    """One `Sniffed` per sheet / zip member: format, header, suggested table and mapping (notes in `lang`)."""
    out = []
    with tempfiles.workdir("sniff") as tmp:
        sources = open_sources(path, name, tmp, lang)
    for src in sources:
        guess = mapping_mod.suggest(src.columns, wh=wh, values=src.sample, lang=lang)
        if guess.table is not None:
            sample = {c: [r[i] if i < len(r) else None for r in src.sample] for i, c in enumerate(src.columns)}
            guess.mapping, more = mapping_mod.per_order(guess.table, guess.mapping, sample, lang)
            guess.notes += more
        out.append(
            Sniffed(
                source=src.name, encoding=src.encoding, delimiter=src.delimiter, header_row=src.header_row,
                columns=list(src.columns), preview=src.preview_frame(), table=guess.table, mapping=guess.mapping,
                unmapped_required=guess.unmapped_required, preset=guess.preset, notes=src.notes + guess.notes,
                rows_estimate=src.rows_estimate, confidence=guess.confidence, reason=guess.reason, derive=guess.derive,
                sample=src.sample,
            )
        )
    return out


def file_hash(path: Path) -> str:
    return _scan(path)[0]


def _holds(path: Path, needle: bytes) -> bool:
    """Whether the file holds `needle`, read a chunk at a time."""
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            if needle in tail + chunk:
                return True
            tail = chunk[-(len(needle) - 1):]
    return False


def _scan(path: Path) -> tuple[str, bool]:
    """The file's SHA-256, and whether it holds a NUL byte anywhere (the loader then checks every
    value of an 8-bit text file for one), in one pass over it."""
    h, nul = hashlib.sha256(), False
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            h.update(chunk)
            nul = nul or b"\x00" in chunk
    return h.hexdigest(), nul


# -- the raw relation DuckDB parses ----------------------------------------------------------------
def utf8_file(src: Source, workdir: Path) -> Path:
    """The CSV as DuckDB can read it: the file itself when UTF-8, else transcoded once into `workdir`."""
    if src.utf8_path is None:
        if src.encoding == "utf-8" and src.delimiter != WHITESPACE and not src.odd_newlines:
            src.utf8_path = src.path
        else:
            src.utf8_path = workdir / (hashlib.sha1(src.name.encode()).hexdigest()[:12] + ".csv")
            _transcode(src.path, src.utf8_path, src.encoding, src.bom_len, src.delimiter == WHITESPACE, src.odd_newlines)
    return src.utf8_path


def raw_relation(con, src: Source, tag: str = "full", workdir: Path | None = None, numbered: bool = True) -> str:
    """SQL for the source as strings: `_row` (row number in the file) and c0..cN (VARCHAR).

    CSV lines that cannot be split into the header's number of fields land in `rej_errors`
    (DuckDB's store_rejects) and become rejects; everything else comes through.

    A CSV's rows are numbered by `WITH ORDINALITY`, which makes the scan and all that follows it run
    on one thread. `numbered=False` leaves a CSV's `_row` NULL and its scan parallel, for a caller that
    needs no row numbers in SQL; it can number the rows as they arrive, since a connection that
    preserves insertion order returns them in the file's order (see `ecom.ingest.load`).
    """
    n = len(src.columns)
    if src.relation is not None:  # a join of several tables, or a wide table's rows
        return src.relation(con, tag, workdir)
    if src.kind == "csv":
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
        delim = "\t" if src.delimiter == WHITESPACE else src.delimiter
        quote = "" if src.delimiter == WHITESPACE or src.unquoted else '"'
        opts = (
            f"header=false, skip={src.skip_lines}, auto_detect=false, delim={lit(delim)}, quote={lit(quote)}, "
            f"escape={lit(quote)}, columns={cols}, null_padding=true, store_rejects=true, rejects_table='rej_errors_{tag}', "
            f"rejects_scan='rej_scans_{tag}', parallel={str(src.parallel).lower()}"
        )
        scan = f"read_csv({lit(str(utf8_file(src, workdir or src.path.parent)))}, {opts})"
        cells = ", ".join(f"c{i}" for i in range(n))
        if not numbered:
            return f"SELECT CAST(NULL AS BIGINT) AS _row, {cells} FROM {scan}"
        return f"SELECT CAST(ordinality AS BIGINT) + {src.skip_lines} AS _row, {cells} FROM {scan} WITH ORDINALITY"
    if src.kind == "sheet":
        cols = "{'_row': 'BIGINT', " + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
        opts = (f"header=false, auto_detect=false, delim=',', quote='\"', escape='\"', columns={cols}, "
                f"parallel={str(src.parallel).lower()}")
        below = 0 if src.header_row is None else src.header_row + 1 + src.described  # the header's own row number, and its descriptions
        return (f"SELECT _row, {', '.join(f'c{i}' for i in range(n))} FROM read_csv({lit(str(src.path))}, {opts}) "
                f"WHERE _row > {below}")
    names = src.columns
    sel = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS c{i}" for i, c in enumerate(names))
    return f"SELECT CAST(file_row_number AS BIGINT) + 1 AS _row, {sel} FROM read_parquet({lit(str(src.path))}, file_row_number=true)"


def with_serial_fallback(con, src: Source, work):
    """`work()`, run again with DuckDB's serial CSV scan when the parallel one gives up (it cannot pad
    short rows when quoted values hold line breaks, e.g. a review that ends in a newline)."""
    import duckdb
    import pyarrow as pa

    scanned = [src, *src.members]
    try:
        return work()
    except (duckdb.Error, pa.ArrowException) as exc:
        if "parallel=false" not in str(exc) or not any(s.parallel for s in scanned):
            raise
    for s in scanned:
        s.parallel = False
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'rej_%'").fetchall():
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
    return work()


def blank_lines_before(path: Path, positions: list[int]) -> list[int]:
    """For each byte position, the number of blank lines before it (DuckDB counts them, row numbers do not).

    Only called for files with malformed lines, so a plain pass over the lines is fine.
    """
    targets = sorted(set(positions))
    found: dict[int, int] = {}
    count = pos = i = 0
    with path.open("rb") as fh:
        for line in fh:
            while i < len(targets) and targets[i] <= pos:
                found[targets[i]] = count
                i += 1
            if i == len(targets):
                break
            if not line.strip(b"\r\n"):
                count += 1
            pos += len(line)
    for t in targets[i:]:
        found[t] = count
    return [found[p] for p in positions]


# -- text files ------------------------------------------------------------------------------------
def _text_source(path: Path, display: str, digest: str, head: bytes, size: int, lang: str = "en", chosen: str | None = None,
                 nul: bool = False) -> Source:
    encoding, bom = detect_encoding(head, display, lang)
    notes = []
    if chosen and chosen != encoding:
        try:
            codecs.lookup(chosen)
        except LookupError:
            raise IngestError(i18n.t("ingest.err.encoding", lang, name=display, encoding=chosen)) from None
        notes.append(i18n.t("ingest.note.encoding_chosen", lang, encoding=chosen, detected=encoding))
        encoding, bom = chosen, (bom if chosen.startswith("utf") else b"")
    text = _decode_sample(head[len(bom):], encoding, complete=size <= len(head))
    if not text.strip():
        raise IngestError(i18n.t("ingest.err.blank_only", lang, name=display))
    if text.count("\x00") >= 2 and text.count("\x00") > 0.01 * len(text):
        raise IngestError(i18n.t("ingest.err.nul_bytes", lang, name=display))
    # a few stray NUL bytes are a damaged row, not a binary file: their rows are rejected when loaded
    text = text.replace("\x00", "")
    odd = _odd_newlines(text)
    if odd:
        text = _to_lf(text)
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    if size > len(head) and len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    delimiter = detect_delimiter(lines)
    unquoted = _unquoted(lines, delimiter)
    records = _records(lines, delimiter, unquoted)
    header_idx, header, header_notes = detect_header(records, delimiter, lang)
    _check_columns(len(header), display, lang)
    notes += header_notes
    described = described_rows(records, header_idx, notes, lang)
    # physical lines up to and including the header and the rows that describe its columns
    skip = records[header_idx + described][0] if header_idx is not None else (records[0][0] - 1 if records else 0)
    if header_idx is None:
        first_data = 0
    else:
        first_data = header_idx + 1 + described
    footer = _footer(records, first_data, len(header))
    data = [r[1] for r in records[first_data:footer]]
    src = Source(
        name=display, kind="csv", content_hash=digest, path=path, encoding=encoding, delimiter=delimiter, bom_len=len(bom),
        header_row=None if header_idx is None else records[header_idx][0] - 1, skip_lines=skip, columns=header,
        preview=data[:PREVIEW_ROWS], sample=data[:SAMPLE_ROWS], notes=notes, size=size,
        nul=nul and not encoding.startswith("utf-16") and not encoding.startswith("utf-32"), odd_newlines=odd, unquoted=unquoted,
        footer_row=None if footer is None else skip + 1 + footer - first_data, titles=_titles(records, header_idx),
    )
    if footer is not None:
        src.notes.append(i18n.t("ingest.note.footer", lang, n=len(records) - footer))
    sample_bytes = sum(len(x.encode("utf-8")) for x in lines) or 1
    src.rows_estimate = max(1, int(len(data) * size / sample_bytes)) if data else 0
    truncated = None if odd else _truncated_tail(path, encoding, delimiter, len(header), lang)
    if truncated:
        src.notes.append(truncated)
    return src


def detect_encoding(head: bytes, display: str = "", lang: str = "en") -> tuple[str, bytes]:
    """(encoding, BOM) in the order: byte-order mark, strict UTF-8, the most plausible of GB18030, CP932
    (Shift-JIS: Japanese exports, Rakuten's among them), CP1251 (Cyrillic: Russian exports) and a Western
    code page (CP1252, or CP1254 for Turkish, CP1250 for Polish and Czech: `_western`)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return enc, (b"" if enc in ("utf-16", "utf-32") else bom)
    sample = head[:SAMPLE_BYTES]
    if _utf16_without_bom(sample):
        return ("utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"), b""
    if sample.count(0) >= 2 and sample.count(0) > 0.01 * len(sample):
        raise IngestError(i18n.t("ingest.err.nul_bytes", lang, name=display))
    sample = sample.replace(b"\x00", b"")
    if _strict_utf8(sample):
        return "utf-8", b""
    scores, texts = {}, {}
    # CP1250 is the Western reading of bytes CP1252 leaves undefined (Polish ź, Czech ť)
    for enc in ("gb18030", "cp950", "cp949", "cp932", "cp1251", "cp1252", "cp1250"):
        if enc == "cp1250" and "cp1252" in scores:
            continue
        try:
            texts[enc] = _trim_decode(sample, enc)
        except UnicodeDecodeError:
            continue
        scores[enc] = _plausibility(texts[enc], enc)
    if not scores:
        return "latin-1", b""
    # the reading under which more of the sample's non-ASCII characters are ordinary text wins; a tie
    # (no reading is clearly better) goes to charset-normalizer
    ranked = sorted(scores, key=scores.get, reverse=True)
    best = ranked[0] if len(ranked) == 1 or scores[ranked[0]] - scores[ranked[1]] >= 0.15 else _tie_break(sample, ranked[:2])
    return (_western(texts[best]) if best in ("cp1252", "cp1250") else best), b""


def _utf16_without_bom(sample: bytes) -> bool:
    if len(sample) < 8:
        return False
    zeros_odd, zeros_even = sample[1::2].count(0), sample[0::2].count(0)
    half = len(sample) / 2
    return max(zeros_odd, zeros_even) > 0.4 * half and min(zeros_odd, zeros_even) < 0.05 * half


def _strict_utf8(sample: bytes) -> bool:
    try:
        _trim_decode(sample, "utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _trim_decode(sample: bytes, encoding: str) -> str:
    """Decode, allowing the sample to end in the middle of a multi-byte character."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    return decoder.decode(sample, final=False)


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x2FFFF


# Western punctuation and symbols that real CP1252/Latin-1 text holds besides accented letters
_WESTERN_MARKS = set("\u00a0’‘“”–—…€£¥°©®·×÷¿¡«»§¶¢¹²³½¼¾\u00ad")


# the Hangul syllables most of Korean text (and of its shops' exports) is written with
_COMMON_HANGUL = frozenset("이다는의에을를가고하기지서사자리로도수나시대주문상품량일번호금액결제배송명구매확정완료취소반품환불격판령인전화우편세부요청옵션"
                           "정보회원아디날짜간총할쿠폰적립포트용분입력선택내작성후별점뷰개객센터한국어쇼핑몰카드신계좌체무통장현영증발행처중준비출택"
                           "있없것들그와해게면으며았었습니요만보")


def _plausibility(text: str, encoding: str) -> float:
    """The share (0..1) of the non-ASCII characters of `text` that are ordinary text under `encoding`,
    judged over the whole sample.

    Real Chinese is almost all common characters (GB2312) and Chinese punctuation; Western bytes read
    as GB18030 pair up into rare characters (a no-break space before "M" becomes 燤). Real Western
    text is accented letters and a few marks (no-break spaces, curly quotes); Chinese read as CP1252
    becomes runs of three or more such symbols ("¶©µ¥ºÅ").
    """
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return 0.0
    if encoding == "cp932":
        # Japanese is kana among kanji; Chinese or Western bytes read as Shift-JIS turn largely into
        # half-width katakana, which real text seldom uses
        kana = sum(1 for ch in non_ascii if 0x3040 <= ord(ch) <= 0x30FF)
        half = sum(1 for ch in non_ascii if 0xFF61 <= ord(ch) <= 0xFF9F)
        ordinary = sum(1 for ch in non_ascii if _is_cjk(ch) or 0x3040 <= ord(ch) <= 0x30FF) - half
        if kana:
            return max(0.0, ordinary / len(non_ascii) - 2 * half / len(non_ascii))
        # kanji alone (a header of 受注番号, 受注金額): Japanese writes them almost all from JIS level 1,
        # lead bytes 88–98, where GBK, Big5 or EUC-KR bytes read as Shift-JIS seldom fall
        level1 = sum(1 for ch in non_ascii if _is_cjk(ch) and 0x88 <= ch.encode("cp932")[0] <= 0x98)
        return max(0.0, (level1 - 2 * half) / len(non_ascii))
    if encoding == "cp1251":
        # Russian is Cyrillic words cased as words are (lower case, or a capital first); a Western accent
        # read as CP1251 is one Cyrillic letter inside a Latin word, and GBK's byte pairs Cyrillic words
        # with capitals anywhere
        words = [w for w in re.findall(r"[^\W\d_]{3,}", text) if all("\u0400" <= ch <= "\u04ff" for ch in w)]
        return sum(len(w) for w in words if w in (w.lower(), w.capitalize())) / len(non_ascii)
    if encoding == "cp950":
        # Taiwan's and Hong Kong's Big5 text is mostly its level-1 (frequent) characters, lead bytes A4–C6,
        # and punctuation (A1–A3); GBK read as Big5 falls as often in the rare level 2
        lead = [ch.encode("cp950", errors="replace")[0] for ch in non_ascii]
        common = sum(1 for b in lead if 0xA1 <= b <= 0xC6)
        return common / len(non_ascii)
    if encoding == "cp949":
        # Korean bytes are common Chinese characters to GB18030, and common Chinese read as EUC-KR is Hangul
        # too, but rare syllables (订单号 -> 땐데뵀): a reading that is nearly all Hangul, much of it the
        # syllables Korean text is mostly made of, wins (real exports: 52–59% of them; Chinese: under 10%)
        hangul = [ch for ch in non_ascii if 0xAC00 <= ord(ch) <= 0xD7A3]
        common = sum(ch in _COMMON_HANGUL for ch in hangul)
        return 1.2 if len(hangul) >= 0.9 * len(non_ascii) and common >= 0.3 * len(hangul) else common / len(non_ascii)
    if encoding == "gb18030":
        good = 0
        for ch in non_ascii:
            try:
                ch.encode("gb2312")
                good += 1
            except UnicodeEncodeError:
                pass
        return good / len(non_ascii)
    ordinary = sum(1 for ch in non_ascii if ch in _WESTERN_MARKS or (ch.isalpha() and ord(ch) < 0x250))
    runs = sum(len(r) for r in re.findall(r"[^\x00-\x7f]{3,}", text))
    return max(0.0, ordinary / len(non_ascii) - min(1.0, runs / len(non_ascii)))


# Turkish read as CP1252: its ı ş ğ İ Ş Ğ become the Icelandic ý þ ð Ý Þ Ð (an Icelandic file would be
# read as Turkish: none has been seen)
_TURKISH_AS_1252 = set("ýþðÝÞÐ")
# Polish and Czech read as CP1252: ą ł ż ś ź Ż Ł Ą Ś ľ Ľ become the marks ¹ ³ ¿ œ Ÿ ¯ £ ¥ Œ ¾ ¼, inside words
_CENTRAL_AS_1252 = re.compile(r"(?<=[^\W\d_])[¹³¿œŸ¯£¥Œ¾¼]")


def _western(text: str) -> str:
    """The Western code page of a sample read as CP1252 (or CP1250): CP1254 when its non-ASCII letters
    are Turkish ones misread, CP1250 when marks stand inside words where Polish or Czech letters would."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    turkish = sum(ch in _TURKISH_AS_1252 for ch in non_ascii)
    if turkish >= 3 and turkish >= 0.05 * len(non_ascii):
        return "cp1254"
    inside = len(_CENTRAL_AS_1252.findall(text))
    if inside >= 2 and inside >= 0.05 * len(non_ascii):
        return "cp1250"
    return "cp1252"


def _tie_break(sample: bytes, candidates: list[str]) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=candidates).best()
    names = {"gb18030": ("gb18030", "gbk", "gb2312"), "cp932": ("cp932", "shift_jis"), "cp950": ("cp950", "big5"), "cp949": ("cp949", "euc_kr")}
    found = best.encoding if best is not None else None
    return next((c for c in candidates if found in names.get(c, (c,))), candidates[0])


def _decode_sample(raw: bytes, encoding: str, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    return decoder.decode(raw, final=complete).lstrip("\ufeff")


def _odd_newlines(text: str) -> bool:
    """Whether a sample's lines end in CR alone (old Mac files: Steam's review download) or in CR CR LF
    (Python's csv writer on Windows with a file not opened with newline=''): DuckDB's parser reads
    neither (one line, or a broken state)."""
    lf = text.count("\n")
    lone = text.count("\r") - text.count("\r\n")  # CRs that end no CR LF
    return text.count("\r\r\n") > lf / 2 or lone > lf


def _to_lf(text: str) -> str:
    return text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")


def _transcode(src: Path, dst: Path, encoding: str, bom_len: int, whitespace: bool, odd_newlines: bool = False) -> None:
    """Stream `src` into a UTF-8 file (whitespace-separated lines become tab-separated; lines ending in
    CR or CR CR LF end in LF)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    ws = re.compile(r"[ \t]+")
    with src.open("rb") as fin, tempfiles.open_private(dst, "w", encoding="utf-8", newline="") as fout:
        fin.read(bom_len)
        pending = ""
        held = ""  # a chunk's trailing CRs, which the next chunk's LF may complete
        while True:
            chunk = fin.read(CHUNK_BYTES)
            final = not chunk
            text = decoder.decode(chunk, final=final)
            if odd_newlines:
                text = held + text
                kept = len(text) if final else len(text.rstrip("\r"))
                text, held = _to_lf(text[:kept]), text[kept:]
            if not whitespace:
                fout.write(text.lstrip("\ufeff") if not pending else text)
                pending = "x"
            else:
                text = pending + text
                lines = text.split("\n")
                pending = "" if final else lines.pop()
                fout.write("".join(ws.sub("\t", line.strip()) + "\n" for line in lines))
            if final:
                if whitespace and pending:
                    fout.write(ws.sub("\t", pending.strip()) + "\n")
                break


# a rule line, bare or commented and titled (Alipay's "#-----业务明细列表结束-----")
_RULE = re.compile(r"^[\s,;|\t#]*[-=_─—]{5,}(.*[-=_─—]{5,})?[\s,;|\t]*$")
# the first cell of a block of totals (WeChat Pay's 总交易单数,总交易额,… under its bill)
_TOTALS_START = re.compile(r"^[#\s]*(合计|总|小计|汇总|total|grand total|sum\b)", re.IGNORECASE)


def _footer(records: list[tuple[int, list[str]]], first_data: int, width: int) -> int | None:
    """The index of the line below the data where an export's totals and notes start: a rule line
    (------), a row of fewer fields than the header's `width` that opens with a word of totals, or a
    row of formulas only."""
    for i in range(first_data, len(records)):
        cells = records[i][1]
        # a rule is drawn in a cell; a row of "-" in every cell (Lazada's, under its month's summary) is empty
        if _RULE.match("".join(cells)) and any(len(c.strip()) >= 5 for c in cells):
            return i
        if 0 < len(cells) < width and _TOTALS_START.match(cells[0]):
            return i
        filled = [c.strip() for c in cells if c.strip()]
        if filled and all(c.startswith("=") and c[1:2].isalpha() for c in filled):
            return i  # a row of spreadsheet formulas (Walmart's =SUM(T2:T1) under its table): totals, not data
    return None


def _truncated_tail(path: Path, encoding: str, delimiter: str, width: int, lang: str = "en") -> str | None:
    """A note when the file's last line stops early (no final newline and too few fields)."""
    if encoding not in ("utf-8", "utf-8-sig", "gb18030", "cp1252", "cp1250", "cp1251", "cp1254", "latin-1"):
        return None
    with path.open("rb") as fh:
        fh.seek(0, 2)
        end = fh.tell()
        fh.seek(max(0, end - 65536))
        tail = fh.read()
    if tail.endswith(b"\n") or tail.endswith(b"\r"):
        return None
    last = tail.rsplit(b"\n", 1)[-1].decode(encoding, errors="replace")
    fields = _split(last, delimiter)
    if 0 < len(fields) < width:
        return i18n.t("ingest.note.truncated", lang, found=len(fields), width=width)
    return None


def detect_delimiter(lines: list[str]) -> str:
    body = [ln for ln in lines[:200] if ln.strip()]
    best, best_score = ",", (0.0, 0)
    for d in (",", "\t", ";", "|"):
        counts = [len(r) for _, r in _records(body, d)][:100]
        score = _consistency(counts)
        if score > best_score:
            best, best_score = d, score
    if best_score[1] <= 1:
        # one quoted value per line (a scraper's column of reviews, commas and spaces inside the quotes)
        # is one column, not words
        quoted = [ln.strip() for ln in body[:100]]
        if quoted and sum(len(q) > 1 and q[0] == q[-1] == '"' for q in quoted) >= 0.8 * len(quoted):
            return ","
        counts = [len(_split(ln, WHITESPACE)) for ln in body[:100]]
        if _consistency(counts)[1] > 1:
            return WHITESPACE
    return best


def _consistency(counts: list[int]) -> tuple[float, int]:
    """(share of rows with the modal field count, that count), judged on the later rows (titles sit on top)."""
    if not counts:
        return (0.0, 0)
    tail = counts[len(counts) // 4:] or counts
    mode = max(set(tail), key=tail.count)
    if mode <= 1:
        return (0.0, mode)
    return (round(tail.count(mode) / len(tail), 2), mode)


def _split(line: str, delimiter: str) -> list[str]:
    line = line.rstrip("\r\n")
    if delimiter == WHITESPACE:
        return line.split()
    return next(csv.reader([line], delimiter=delimiter), [])


def _unquoted(lines: list[str], delimiter: str) -> bool:
    """Whether a tab-separated sample's quote marks are text, not quoting: a field opens with one and does
    not close it, and every line splits on tabs alone into as many fields as the first (Amazon's review
    TSVs, documented as unquoted: a headline `"Super" produit` swallowed the rows after it)."""
    if delimiter != "\t":
        return False
    rows = [ln.rstrip("\r\n").split("\t") for ln in lines if ln.strip()]
    opened = any(f.startswith('"') and not (len(f) > 1 and f.endswith('"')) for row in rows for f in row)
    return opened and len({len(r) for r in rows}) == 1


def _records(lines: list[str], delimiter: str, unquoted: bool = False) -> list[tuple[int, list[str]]]:
    """(last physical line number, fields) for each record of the sample, quoted newlines honoured."""
    if delimiter == WHITESPACE:
        out = []
        for i, ln in enumerate(lines, 1):
            if ln.strip():
                out.append((i, ln.split()))
        return out
    reader = csv.reader(io.StringIO("".join(lines)), delimiter=delimiter, quoting=csv.QUOTE_NONE if unquoted else csv.QUOTE_MINIMAL)
    out = []
    try:
        for row in reader:
            if any(c.strip() for c in row):
                out.append((reader.line_num, row))
    except csv.Error:
        pass
    return out


def detect_header(records: list[tuple[int, list[str]]], delimiter: str, lang: str = "en") -> tuple[int | None, list[str], list[str]]:
    """(index of the header record or None, column names, notes) from the sample records."""
    notes: list[str] = []
    if not records:
        return None, ["column_1"], notes
    counts = [len(r) for _, r in records[:200]]
    width = _consistency(counts)[1] or max(counts)
    header_idx = 0
    for i, (_, row) in enumerate(records[:40]):
        filled = sum(1 for c in row if c.strip())
        if filled >= max(2, (width + 1) // 2) or (width == 1 and filled == 1):
            header_idx = i
            break
    # a small table of totals above the real one (Mercado Pago's statement: INITIAL_BALANCE;CREDITS;… and
    # its row, a blank line, then the entries' header): the header is the next row as wide as the rows,
    # all of it words (a narrower block only: WeChat Pay's totals below its bill are narrower, and no header)
    if len(records[header_idx][1]) < width:
        later = [j for j in range(header_idx + 1, min(header_idx + 5, len(records))) if len(records[j][1]) == width
                 and all(c.strip() and not _NUMERIC_LIKE.match(c.strip()) for c in records[j][1])]
        if later:
            header_idx = later[0]
    # a band of group titles above the header (merged cells written out on every column they span:
    # SHEIN's "Solicite informações básicas" ×30) repeats a few titles; the header under it names each column
    while header_idx + 1 < len(records) and _title_band(records[header_idx][1], records[header_idx + 1][1]):
        header_idx += 1
    row = records[header_idx][1]
    cells = [c.strip() for c in row]
    hits = sum(1 for c in cells if mapping_mod.is_known_header(c))
    value_like = sum(1 for c in cells if c and _NUMERIC_LIKE.match(c))
    if hits == 0 and (value_like >= max(1, len([c for c in cells if c]) / 2) or _like_the_rows_below(cells, records[header_idx + 1:header_idx + 201])):
        if header_idx:
            notes.append(i18n.t("ingest.note.titles_above_data", lang, n=header_idx))
        n = max(width, len(row))
        notes.append(i18n.t("ingest.note.no_header", lang, n=n))
        return None, [f"column_{i + 1}" for i in range(n)], notes
    if header_idx:
        titles = " | ".join(t[:40] for t in _titles(records, header_idx))
        notes.append(i18n.t("ingest.note.titles_above_header", lang, n=header_idx, titles=titles))
    while len(cells) > width and not cells[-1]:
        cells.pop()  # a header line that ends with a separator (eBay's reports) names no column more than its rows have
    header = _clean_header(cells, max(width, len(cells)))
    return header_idx, header, notes


def _describes(cell: str) -> bool:
    """A cell that describes its column in words (TikTok Shop's "Platform unique order ID.", "It equals
    to SKU Unit Original Price * Sku Quantity."), not a value."""
    return len(cell.split()) >= 3 and cell.rstrip().endswith((".", "。"))


def described_rows(records: list[tuple[int, list[str]]], header_idx: int | None, notes: list[str], lang: str = "en") -> int:
    """How many rows right under the header describe its columns in sentences (TikTok Shop's order
    export, sellers' upload templates): most of their filled cells say what the column holds, where the
    rows below hold values. Those rows are skipped, and `notes` says so."""
    if header_idx is None:
        return 0
    n = 0
    for _, row in records[header_idx + 1:header_idx + 4]:
        filled = [c.strip() for c in row if c.strip()]
        if len(filled) < 3 or sum(map(_describes, filled)) < 0.6 * len(filled):
            break
        n += 1
    below = [c.strip() for _, r in records[header_idx + 1 + n:header_idx + 21 + n] for c in r if c.strip()]
    if n and below and sum(map(_describes, below)) >= 0.3 * len(below):
        return 0  # the rows below are sentences too: a file of texts, whose first rows are data
    if n:
        notes.append(i18n.t("ingest.note.described", lang, n=n, first=next(c for c in records[header_idx + 1][1] if c.strip())[:60]))
    return n


def _title_band(row: list[str], below: list[str]) -> bool:
    """Whether `row` is a band of group titles over the header `below`: at least three cells filled,
    with at most a third as many distinct titles, while the row below names as many columns, each once."""
    titles = [c.strip() for c in row if c.strip()]
    names = [c.strip() for c in below if c.strip()]
    return len(titles) >= 3 and len(set(titles)) <= len(titles) / 3 and len(names) >= len(titles) and len(set(names)) >= 0.9 * len(names)


def _kind_of_cell(cell: str) -> str | None:
    """'value' (a number or date), 'text' (words or Chinese 15 columns wide or more, a Chinese character
    two: a sentence, not an identifier such as review_comment_message) or None (a name, a code, a label)."""
    if not cell:
        return None
    if _NUMERIC_LIKE.match(cell):
        return "value"
    wide = len(_CJK_CHARS.findall(cell))
    return "text" if len(cell) + wide >= 15 and (wide or " " in cell) else None


def _like_the_rows_below(cells: list[str], below: list[tuple[int, list[str]]]) -> bool:
    """Whether a first row is data rather than a header, by its columns: in the columns whose values below
    are nearly all numbers and dates, or mostly sentences (short reviews are no sentences), most of its
    cells are of the same kind (a scraped review file without a header: a nickname, a time, a colour, a
    size, the review). Needs two such columns (a long header over a column of texts alone proves nothing),
    or a file of one column whose first cell is a long sentence."""
    typed = same = 0
    for j, cell in enumerate(cells):
        kinds = Counter(_kind_of_cell(r[j].strip()) for _, r in below if j < len(r) and r[j].strip())
        if not kinds:
            continue
        kind, n = kinds.most_common(1)[0]
        if kind is None or n < (0.8 if kind == "value" else 0.6) * kinds.total():
            continue
        typed += 1
        same += _kind_of_cell(cell) == kind
    if len(cells) == 1 and typed == same == 1 and kind == "text":
        # a file of one column: a first cell that is a long sentence among sentences (no header is 40
        # characters of words) is the first review (Trendyol's scraped reviews, one quoted per line)
        return len(cells[0]) + len(_CJK_CHARS.findall(cells[0])) >= 40
    return typed >= 2 and 2 * same > typed


def _clean_header(cells: list[str], width: int) -> list[str]:
    cells = (cells + [""] * width)[:width]
    # trailing unnamed columns beyond the data width are padding from spreadsheets
    out = [c.replace("\ufeff", "").strip().strip('"').strip() or f"column_{i + 1}" for i, c in enumerate(cells)]
    return _unique(out)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}_{seen[n]}")
        else:
            seen[n] = 1
            out.append(n)
    return out


# -- Excel -----------------------------------------------------------------------------------------
def _excel_sources(path: Path, display: str, digest: str, workdir: Path | None, lang: str = "en") -> list[Source]:
    """The workbook's non-empty sheets, read by the worker (ecom.ingest.sheets) into CSV files in `workdir`."""
    if workdir is None:
        raise IngestError(i18n.t("ingest.err.excel_workdir", lang, name=display))
    book = sheets.read_workbook(path, display, workdir, lang, settings.get("ECOM_MAX_COLUMNS"))
    sources = []
    for sheet in book.sheets:
        records = [(n, [c or "" for c in r]) for n, r in sheet.head]
        header_idx, header, notes = detect_header(records, ",", lang)
        described = described_rows(records, header_idx, notes, lang)
        start = 0 if header_idx is None else header_idx + 1 + described
        width = len(header)
        data = [(r + [None] * width)[:width] for _, r in sheet.head[start:]]
        src = Source(
            name=f"{display}[{sheet.name}]" if len(book.sheet_names) > 1 else display, kind="sheet",
            # the workbook's format stands where a text file's encoding would: xls, xlsx, xlsm
            content_hash=f"{digest}#{sheet.name}", path=sheet.csv, encoding=Path(display).suffix.lower().lstrip(".") or "xlsx", delimiter=None,
            header_row=None if header_idx is None else records[header_idx][0] - 1, columns=header,
            notes=notes, size=path.stat().st_size, described=described, titles=_titles(records, header_idx),
        )
        src.preview = data[:PREVIEW_ROWS]
        src.sample = data[:SAMPLE_ROWS]
        src.rows_estimate = sheet.rows - start
        sources.append(src)
    if not sources:
        raise IngestError(i18n.t("ingest.err.all_sheets_empty", lang, name=display))
    return sources


def _titles(records: list[tuple[int, list[str]]], header_idx: int | None) -> list[str]:
    """The lines above the header, each its filled cells joined (the note on them, and a currency named there)."""
    return [" ".join(c for c in r if c.strip()) for _, r in records[:header_idx or 0]]


def _check_columns(found: int, display: str, lang: str) -> None:
    limit = settings.get("ECOM_MAX_COLUMNS")
    if found > limit:
        raise limits.refuse("file_columns", lang, name=display, found=found, limit=limit)


# -- Parquet and zip -------------------------------------------------------------------------------
def _parquet_source(path: Path, display: str, digest: str, lang: str = "en") -> Source:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
        rows = pf.metadata.num_rows
    except Exception as exc:
        raise IngestError(i18n.t("ingest.err.parquet_unreadable", lang, name=display, detail=str(exc).splitlines()[0][:120])) from None
    _check_columns(len(schema.names), display, lang)
    try:
        # the first rows only: reading the first row group whole would hold it all in memory
        first = next(pf.iter_batches(batch_size=SAMPLE_ROWS), None)
        preview = first.to_pylist() if first is not None else []
    except Exception as exc:
        raise IngestError(i18n.t("ingest.err.parquet_unreadable", lang, name=display, detail=str(exc).splitlines()[0][:120])) from None
    columns = list(schema.names)
    return Source(
        name=display, kind="parquet", content_hash=digest, path=path, encoding="parquet", columns=columns,
        preview=[[sheets.cell_text(r.get(c)) for c in columns] for r in preview[:PREVIEW_ROWS]],
        sample=[[sheets.cell_text(r.get(c)) for c in columns] for r in preview], rows_estimate=rows, size=path.stat().st_size,
    )


_JSON_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(\[\s*)?\{\s*\"")


def _looks_like_json(head: bytes, display: str) -> bool:
    """A JSON array of records or one record per line (JSON Lines), as scrapers and APIs write reviews."""
    return bool(_JSON_START.match(head[:4096])) or (display.lower().endswith(tuple(JSON_EXT)) and head.lstrip()[:1] in (b"[", b"{"))


def _text(x: str, kind: str) -> str:
    """SQL of a JSON value as text: a nested one as its JSON."""
    return f"CAST({'to_json(' + x + ')' if kind.endswith(']') or kind.startswith(('STRUCT', 'MAP', 'JSON')) else x} AS VARCHAR)"


_CLOCK_TYPES = re.compile(r'(?<![\w"])(TIMESTAMP WITH TIME ZONE|TIMESTAMP|DATE|TIME)(?![\w"])')


def _json_source(path: Path, display: str, digest: str, workdir: Path, lang: str = "en") -> Source:
    """The records of a JSON file as a table of text: DuckDB reads them (an array or one per line) into a
    Parquet file of the upload's folder, which loads as any Parquet file. A file that is one object
    wrapping the list of records (Shopify's `{"orders": […]}`, Magento's `{"items": […], "total_count": 10}`,
    a GraphQL result's `{"data": {"orders": {"nodes": […]}}}`) is read as that list. An object's fields
    become columns `object.field`; a record's one list of objects, or of several the one named for its
    lines (Magento's items beside its status_histories), (an API's order with its line_items, also
    as a GraphQL connection's `lineItems.nodes`; OTTO's session with its events) becomes a row per object
    beside the record's fields (named `list.field` where a record's field has the name already; a record of
    lines without an id of its own gets its place in the file as its `order`); other
    nested values are kept as their JSON text. Dates and times stay as the file wrote them (DuckDB would
    turn `2024-03-01T10:00:00-05:00` into a time without its zone)."""
    import duckdb

    out = workdir / (hashlib.sha1(display.encode()).hexdigest()[:12] + ".parquet")
    con = duckdb.connect(config={"temp_directory": str(workdir / "spill"), "memory_limit": "512MB"})
    auto = f"read_json({lit(str(path))}, format = 'auto', records = true, sample_size = -1"

    def fields(sql: str) -> list[tuple[str, str]]:
        return con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {sql})").fetchall()

    def is_list(kind: str) -> bool:
        return kind.startswith("STRUCT") and kind.endswith(")[]")

    try:
        typed = ", ".join(f"{lit(c)}: {lit(_CLOCK_TYPES.sub('VARCHAR', t))}" for c, t in fields(f"SELECT * FROM {auto})"))
        base = f"(SELECT * FROM {auto}, columns = {{{typed}}}))"
        for _ in range(4):  # a wrapper's wrapper: GraphQL's data.orders.nodes
            kinds = fields(f"SELECT * FROM {base}")
            scalars = [c for c, t in kinds if not t.startswith("STRUCT") and not t.endswith("]")]
            # the list of records, else the one object holding it (Magento's search_criteria holds lists too)
            holders = [c for c, t in kinds if is_list(t)] or [c for c, t in kinds if t.startswith("STRUCT") and ")[]" in t]
            if len(holders) != 1 or len(scalars) > 2 or con.execute(f"SELECT count(*) FROM {base}").fetchone()[0] != 1:
                break
            kind = dict(kinds)[holders[0]]
            inner = f"(SELECT unnest({ident(holders[0])}) AS _r FROM {base})" if is_list(kind) else None
            base = f"(SELECT unnest(_r) FROM {inner})" if inner else f"(SELECT unnest({ident(holders[0])}) FROM {base})"
        kinds = fields(f"SELECT * FROM {base}")
        # a record's list of objects: its own, or a GraphQL connection's (an object holding just that list)
        lists = [(ident(c), c) for c, t in kinds if is_list(t)]
        for c, t in kinds:
            if t.startswith("STRUCT") and not t.endswith("]"):
                inner = [(f, ft) for f, ft in fields(f"SELECT unnest({ident(c)}) FROM {base}") if is_list(ft)]
                if len(inner) == 1:  # GraphQL's lineItems: its nodes (beside its pageInfo)
                    lists.append((f"{ident(c)}.{ident(inner[0][0])}", f"{c}.{inner[0][0]}"))
        # of several lists, the record's lines (Magento's items beside its status_histories)
        lines = [x for x in lists if re.search(r"item|line|product|sku|goods|event|entr|商品|明细", x[1].lower())]
        unnested = lists[0] if len(lists) == 1 else lines[0] if len(lines) == 1 else None
        cells, names = [], []

        def flat(sql: str, name: str, kind: str, depth: int = 0) -> None:
            """An object's fields, and theirs (GraphQL's originalUnitPriceSet.shopMoney.amount), as columns."""
            if kind.startswith("STRUCT") and not kind.endswith("]") and depth < 3:
                for f, ft in fields(f"SELECT unnest({sql}) FROM {source}"):
                    flat(f"{sql}.{ident(f)}", f"{name}.{f}", ft, depth + 1)
            else:
                cells.append(_text(sql, kind))
                names.append(name)

        source = base
        for c, t in kinds:
            if not (unnested and unnested[1].split(".")[0] == c):
                flat(ident(c), c, t)
        if unnested:
            items, label = unnested
            if lines and not any(re.search(r"id|number|no\b|order|编号|单号", c.lower()) for c in names):
                # a record of lines without a key of its own (a shop's JSONL of orders with their items) is
                # one order: numbered by its place in the file
                base = f"(SELECT *, CAST(row_number() OVER () AS VARCHAR) AS _record FROM {base})"
                cells.append("_record")
                names.append("order")
            # a record whose list is empty keeps a row (its items' fields empty)
            source = f"(SELECT *, unnest(CASE WHEN len({items}) > 0 THEN {items} ELSE [NULL] END) AS _item FROM {base})"
            for f, ft in fields(f"SELECT unnest(_item) FROM {source}"):
                flat(f"_item.{ident(f)}", f"{label}.{f}" if f in names else f, ft)
        select = ", ".join(f"{cell} AS {ident(name)}" for cell, name in zip(cells, _unique(names), strict=True))
        con.execute(f"COPY (SELECT {select} FROM {source}) TO {lit(str(out))} (FORMAT parquet)")
    except duckdb.Error as exc:
        raise IngestError(i18n.t("ingest.err.json_unreadable", lang, name=display, detail=str(exc).strip().splitlines()[0][:160])) from None
    finally:
        con.close()
    src = _parquet_source(out, display, digest, lang)
    src.encoding = "json"
    return src


def _zip_sources(zf: zipfile.ZipFile, display: str, digest: str, workdir: Path, limit_mb: int, lang: str = "en",
                 encodings: dict[str, str] | None = None) -> list[Source]:
    members = []
    for info in zf.infolist():
        parts = info.filename.split("/")
        if info.is_dir() or "__MACOSX" in parts or any(p.startswith(".") for p in parts if p):
            continue
        if Path(info.filename).suffix.lower() in SUPPORTED_EXT - {".zip"}:
            members.append(info)
    if not members:
        raise IngestError(i18n.t("ingest.err.zip_no_tables", lang, name=display))
    # unpacked, the members may take 4x the upload limit (CSV packs 3-20:1)
    unpacked = limits.check_members(members, display, lang)
    if unpacked > limit_mb * 1024 * 1024 * 4:
        raise limits.refuse("zip_total", lang, name=display, found=unpacked // 1048576, limit=limit_mb)
    sources: list[Source] = []
    for i, info in enumerate(members):
        target = workdir / f"zip{i}{Path(info.filename).suffix.lower()}"
        try:
            # zipfile never unpacks more than the size the directory declares (checked above), and checks the CRC
            with zf.open(info) as fin, tempfiles.open_private(target) as fout:
                shutil.copyfileobj(fin, fout, CHUNK_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise IngestError(i18n.t("ingest.err.zip_member_damaged", lang, name=f"{display}/{info.filename}", detail=exc)) from None
        for src in open_sources(target, f"{display}/{info.filename}", workdir, lang, encodings):
            sheet = src.content_hash.partition("#")[2]
            src.content_hash = f"{digest}/{info.filename}" + (f"#{sheet}" if sheet else "")
            sources.append(src)
    return sources
