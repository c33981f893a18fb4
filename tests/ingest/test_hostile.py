"""Untrusted uploads cannot hurt the server (issue 14, part 5).

Every hostile file is generated here, into tmp_path: a workbook whose one cell is at XFD1048576, one
declaring millions of cells, one with a huge shared string, a zip bomb, a zip of thousands of members, a
CSV of 20,000 columns. Each is refused with its exact one-line message, and the same warehouse loads a
real file right after. A real multi-MB workbook is read by the worker within its memory bound, and a
load killed with SIGKILL leaves the warehouse as it was and nothing behind once start-up cleans up.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from ecom import tempfiles
from ecom.ingest import ingest_file, limits, sheets
from ecom.ingest.limits import IngestError

ROOT = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SALES = "order_id,order_time,product_id,quantity,revenue\nA1,2024-11-01 10:00,P1,1,9.90\nA2,2024-11-02 11:00,P2,2,19.80\n"


def workbook(path: Path, sheet_xml, strings_xml: bytes | None = None, sheet: str = "Sheet1") -> Path:
    """A minimal .xlsx: one sheet (its XML inside <worksheet>, as bytes or an iterable of bytes) and an
    optional sharedStrings.xml."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                   f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
                   f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{RELS}">'
                   f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/sharedStrings.xml", strings_xml or f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="0" uniqueCount="0"/>'.encode())
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">'.encode())
            for part in [sheet_xml] if isinstance(sheet_xml, bytes) else sheet_xml:
                f.write(part)
            f.write(b"</worksheet>")
    return path


def col(n: int) -> str:
    return limits.column_letters(n)


def sales_workbook(path: Path, rows: int) -> Path:
    """A realistic order export: shared strings for names and statuses, numbers, date cells."""
    rnd = random.Random(14)
    header = ["Order ID", "Line", "Order Date", "Customer ID", "SKU", "Product Name", "Category", "Quantity", "Unit Price", "Revenue", "Status"]
    strings = header + ["Women", "Men", "Beauty", "Digital", "Home", "paid", "refunded"] + [f"C{i:06d}" for i in range(20_000)] + \
        [f"Product {i} classic" for i in range(300)]
    cust, prod = len(header) + 7, len(header) + 7 + 20_000
    sst = (f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>").encode()

    def body():
        yield f'<dimension ref="A1:K{rows + 1}"/><sheetData><row r="1">'.encode()
        yield "".join(f'<c r="{col(j + 1)}1" t="s"><v>{j}</v></c>' for j in range(11)).encode() + b"</row>"
        part = []
        for i in range(rows):
            r, q, price = i + 2, 1 + i % 4, 19.9 + rnd.randrange(300)
            part.append(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>31000{i // 3:012d}</t></is></c><c r="B{r}"><v>{i % 3 + 1}</v></c>'
                f'<c r="C{r}"><v>{45292 + i % 300}</v></c><c r="D{r}" t="s"><v>{cust + rnd.randrange(20_000)}</v></c>'
                f'<c r="E{r}"><v>{100000 + i % 300}</v></c><c r="F{r}" t="s"><v>{prod + i % 300}</v></c><c r="G{r}" t="s"><v>{11 + i % 5}</v></c>'
                f'<c r="H{r}"><v>{q}</v></c><c r="I{r}"><v>{price:.2f}</v></c><c r="J{r}"><v>{price * q:.2f}</v></c>'
                f'<c r="K{r}" t="s"><v>{16 + (i % 50 == 0)}</v></c></row>')
            if len(part) == 10_000:
                yield "".join(part).encode()
                part = []
        yield "".join(part).encode() + b"</sheetData>"

    return workbook(path, body(), sst, sheet="Orders")


def refused(wh, path: Path, lang: str = "en") -> str:
    """The one-line message of a refused file (and the same warehouse then loads a real file)."""
    start = time.monotonic()
    [rep] = ingest_file(wh, path, lang=lang)
    took = time.monotonic() - start
    assert rep.status == "failed" and "\n" not in rep.message
    assert took < 10, f"{path.name} took {took:.1f} s to refuse"
    good = path.parent / "good.csv"
    good.write_text(SALES, encoding="utf-8")
    [ok] = ingest_file(wh, good)
    assert ok.status in ("loaded", "duplicate"), ok.message
    return rep.message


# -- workbooks -----------------------------------------------------------------------------------
def test_far_cell_is_refused_before_it_is_read(warehouse, tmp_path):
    far = workbook(tmp_path / "far.xlsx", b'<dimension ref="XFD1048576"/><sheetData><row r="1048576">'
                   b'<c r="XFD1048576"><v>1</v></c></row></sheetData>')
    assert far.stat().st_size < 3000
    assert refused(warehouse, far) == (
        "far.xlsx, sheet Sheet1: has a cell in column 16,384 (XFD1048576; limit 2,000 columns, ECOM_MAX_COLUMNS) — not loaded.")
    [rep] = ingest_file(warehouse, far, lang="zh")
    assert rep.message == "far.xlsx，工作表 Sheet1：第 16,384 列有单元格（XFD1048576；上限 2,000 列，ECOM_MAX_COLUMNS）——未加载。"


def test_far_cell_within_the_columns_spans_too_many_cells(warehouse, tmp_path):
    far = workbook(tmp_path / "corner.xlsx", b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                   b'<row r="1048576"><c r="ZZ1048576"><v>1</v></c></row></sheetData>')
    assert refused(warehouse, far) == "corner.xlsx, sheet Sheet1: spans 736,100,352 cells (A1:ZZ1048576; limit 1,000,000) — not loaded."
    # one row far below, hidden among rows in order
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}</v></c></row>' for r in range(1, 5000))
    hidden = rows.replace('<row r="7">', '<row r="7"><c r="B1048576"><v>1</v></c>', 1)
    far = workbook(tmp_path / "hidden.xlsx", f"<sheetData>{hidden}</sheetData>".encode())
    assert refused(warehouse, far) == "hidden.xlsx, sheet Sheet1: spans 2,097,152 cells (A1:B1048576; limit 1,000,000) — not loaded."


def test_cells_without_references_are_followed_one_by_one(warehouse, tmp_path):
    # no r="…" on the cells: their columns are counted from the left, as the reader counts them
    wide = workbook(tmp_path / "noref.xlsx", b'<sheetData><row r="1">' + b"<c><v>1</v></c>" * 2001 + b"</row></sheetData>")
    assert refused(warehouse, wide) == "noref.xlsx, sheet Sheet1: has a cell in column 2,001 (BXY1; limit 2,000 columns, ECOM_MAX_COLUMNS) — not loaded."


def test_declared_millions_of_cells(warehouse, tmp_path):
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{col(c)}{r}"><v>{r * c}</v></c>' for c in range(1, 101)) + "</row>" for r in range(1, 301))
    many = workbook(tmp_path / "many.xlsx", f'<dimension ref="A1:CV1048576"/><sheetData>{rows}</sheetData>'.encode())
    limit = limits.cells_limit(many.stat().st_size)
    assert refused(warehouse, many) == f"many.xlsx, sheet Sheet1: declares 104,857,600 cells (limit {limit:,}) — not loaded."


def test_huge_shared_string(warehouse, tmp_path):
    # packed tight (the bomb as seen: a small file that grew past 6 GB): its ratio gives it away
    bomb = workbook(tmp_path / "packed.xlsx", b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>',
                    b'<sst xmlns="x" count="1" uniqueCount="1"><si><t>' + b"x" * (64 << 20) + b"</t></si></sst>")
    info = zipfile.ZipFile(bomb).getinfo("xl/sharedStrings.xml")
    ratio = info.file_size // info.compress_size
    assert refused(warehouse, bomb) == (f"packed.xlsx, member xl/sharedStrings.xml: unpacks to {info.file_size:,} bytes from "
                                        f"{info.compress_size:,} ({ratio:,}:1, limit 200:1) — not loaded.")
    # not packable: the string itself is longer than any cell holds
    text = os.urandom(3 << 19).hex().encode()
    xml = b'<sst xmlns="x" count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    big = workbook(tmp_path / "string.xlsx", b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>', xml)
    assert refused(warehouse, big) == f"string.xlsx: shared string 1 takes {len(xml) - xml.index(b'<si>'):,} bytes (limit 1,048,576) — not loaded."
    # a declared count the reader would reserve room for
    counted = workbook(tmp_path / "count.xlsx", b"<sheetData/>", b'<sst xmlns="x" count="4000000000" uniqueCount="4000000000"/>')
    assert refused(warehouse, counted) == "count.xlsx: declares 4,000,000,000 shared strings (limit 1,000,000) — not loaded."


def test_a_reader_that_runs_out_of_memory_or_time_ends_its_worker_only(warehouse, tmp_path, monkeypatch):
    book = sales_workbook(tmp_path / "orders.xlsx", 20_000)
    monkeypatch.setattr(sheets, "worker_memory", lambda size: 8 << 20)
    assert refused(warehouse, book) == "orders.xlsx: reading the workbook needed more than 8 MB of memory — not loaded."
    monkeypatch.setattr(sheets, "worker_memory", lambda size: 1 << 30)
    monkeypatch.setattr(sheets, "worker_seconds", lambda size: 0.2)
    assert refused(warehouse, book) == "orders.xlsx: reading the workbook took longer than 0.2 s — not loaded."


# -- archives and text -----------------------------------------------------------------------------
def test_zip_bomb(warehouse, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.csv", b"a,b\n" + b"1,2\n" * (25 << 20))
    info = zipfile.ZipFile(bomb).getinfo("data.csv")
    assert bomb.stat().st_size < 200_000
    assert refused(warehouse, bomb) == (f"bomb.zip, member data.csv: unpacks to {info.file_size:,} bytes from {info.compress_size:,} "
                                        f"({info.file_size // info.compress_size:,}:1, limit 200:1) — not loaded.")


def test_zip_of_thousands_of_members(warehouse, tmp_path):
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(5000):
            z.writestr(f"part{i}.csv", SALES)
    assert refused(warehouse, many) == "many.zip: the archive holds 5,000 members (limit 2,000) — not loaded."


def test_zip_directory_is_judged_before_it_is_read(tmp_path):
    # an end record that announces a 64 MB directory: refused before zipfile would read it
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04" + b"\0" * 100 + b"PK\x05\x06" + b"\0" * 6 + (10).to_bytes(2, "little")
                     + (64 << 20).to_bytes(4, "little") + (4).to_bytes(4, "little") + b"\0\0")
    with pytest.raises(IngestError) as exc:
        limits.open_zip(fake, "fake.zip")
    assert str(exc.value) == "fake.zip: the archive's directory takes 67,108,864 bytes (limit 2,097,152) — not loaded."


def test_csv_of_20000_columns(warehouse, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n", encoding="utf-8")
    assert refused(warehouse, wide) == "wide.csv: has 20,000 columns (limit 2,000, ECOM_MAX_COLUMNS) — not loaded."


def test_max_columns_is_a_setting(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOM_MAX_COLUMNS", "10")
    wide = tmp_path / "twelve.csv"
    wide.write_text(",".join(f"c{i}" for i in range(12)) + "\n" + ",".join("1" * 12) + "\n", encoding="utf-8")
    assert refused(warehouse, wide) == "twelve.csv: has 12 columns (limit 10, ECOM_MAX_COLUMNS) — not loaded."


# -- a real workbook, and temporary files ------------------------------------------------------------
@pytest.mark.slow
def test_real_workbook_is_read_within_the_memory_bound(warehouse, tmp_path):
    book = sales_workbook(tmp_path / "orders.xlsx", 100_000)
    size = book.stat().st_size
    assert 5 << 20 <= size <= 10 << 20
    with tempfiles.workdir("test") as work:
        read = sheets.read_workbook(book, book.name, work)
        above = (read.peak_kb - read.baseline_kb) * 1024
        print(f"worker: {size / 1048576:.1f} MB workbook, peak {read.peak_kb / 1024:.0f} MB, baseline {read.baseline_kb / 1024:.0f} MB, "
              f"{above / size:.1f}x the file above baseline, {read.seconds:.1f} s")
        assert above < max(10 * size, 200 << 20)
        assert [(s.name, s.rows, s.width) for s in read.sheets] == [("Orders", 100_001, 11)]
        assert stat.S_IMODE(read.sheets[0].csv.stat().st_mode) == 0o600
        assert stat.S_IMODE(read.sheets[0].csv.parent.stat().st_mode) == 0o700
    [rep] = ingest_file(warehouse, book)
    assert (rep.status, rep.rows_loaded, rep.rows_rejected) == ("loaded", 100_000, 0), rep.message


def test_temporary_folders_are_private_and_cleaned_up(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOM_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    root = tempfiles.root()
    assert root == tmp_path / "tmp" and stat.S_IMODE(root.stat().st_mode) == 0o700
    with tempfiles.workdir("mine") as mine:
        assert stat.S_IMODE(mine.stat().st_mode) == 0o700
        with tempfiles.open_private(mine / "upload.csv") as fh:
            fh.write(b"a\n")
        assert stat.S_IMODE((mine / "upload.csv").stat().st_mode) == 0o600
        # what a killed process left: a folder whose lock nobody holds
        left = root / "ecom-ingest-dead"
        left.mkdir()
        (left / tempfiles.LOCK).touch()
        (left / "copy.csv").write_bytes(b"x" * 100)
        assert tempfiles.cleanup() == [left]
        assert mine.is_dir()  # in use: kept
    assert not mine.exists() and list(root.iterdir()) == []


@pytest.mark.slow
def test_load_killed_midway_leaves_the_warehouse_as_it_was_and_nothing_behind(tmp_path):
    db, systmp = tmp_path / "wh.duckdb", tmp_path / "systmp"
    systmp.mkdir()
    env = {**os.environ, "ECOM_WAREHOUSE": str(db), "TMPDIR": str(systmp), "PYTHONPATH": str(ROOT)}
    small = tmp_path / "small.csv"
    small.write_text(SALES, encoding="utf-8")
    cli = [sys.executable, "-m", "ecom", "ingest", "--json"]
    subprocess.run([*cli, str(small)], env=env, cwd=ROOT, check=True, capture_output=True)
    before = counts(db)
    assert before["sales"] == 2
    # ~50 MB of GB18030: the load first writes a UTF-8 copy of it into its temporary folder
    big = tmp_path / "big.csv"
    lines = "".join(f"B{i},2024-11-{1 + i % 28:02d} 10:{i % 60:02d},商品{i % 300},{1 + i % 4},{19.9 + i % 300:.2f}\n" for i in range(1_200_000))
    text = "订单号,下单时间,商品编码,数量,实付金额\n" + lines
    big.write_bytes(text.encode("gb18030"))
    assert big.stat().st_size > 45 << 20
    whole = len(text.encode("utf-8"))
    proc = subprocess.Popen([*cli, str(big)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = tmp_path / "tmp"
    deadline = time.monotonic() + 60
    # killed just after the copy is whole, while the lines go into the warehouse: a fixed wait after
    # the copy began could land after the load on a fast machine (it takes ~1.5 s here)
    while not any(p.stat().st_size >= whole for p in root.glob("ecom-ingest-*/*.csv")):
        assert proc.poll() is None and time.monotonic() < deadline, "the load ended before it could be killed"
        time.sleep(0.01)
    time.sleep(0.2)
    assert proc.poll() is None, "the load ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(root.glob("ecom-ingest-*"))  # what the issue saw: the copy stays behind
    assert counts(db) == before
    # the next start cleans up, and loads
    again = subprocess.run([*cli, str(small), "--dataset", "again"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert list(root.iterdir()) == []
    assert [p.name for p in systmp.iterdir()] == []
    assert counts(db)["sales"] == 4


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0] for t in ("sales", "upload_log", "rejects")}
    finally:
        con.close()
