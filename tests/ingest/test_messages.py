"""Ingestion messages, notes and reject reasons in the uploader's language (English stays as it was)."""

import pytest

from ecom.ingest import IngestError, ingest_file, sniff
from ecom.ingest.values import text_sql

MIXED = (
    "order_id,order_time,product_id,quantity\n"
    "A1,2024-11-01 10:00,P1,1\n"
    "A2,2024-13-45,P2,1\n"
    "A3,2024-11-02 10:00,P3,1\n"
    "A4,2024-11-03 10:00,P4,x\n"
    "合计,,,3\n"
    "A5,2024-11-03 10:00,P5,1,9\n"
)


def rejects(wh):
    cur = wh.cursor()
    try:
        return cur.execute("SELECT source_row, reason FROM main.rejects ORDER BY source_row").fetchall()
    finally:
        cur.close()


@pytest.mark.parametrize(
    ("lang", "message", "note", "reasons"),
    [
        ("en", "e.csv: 2 rows loaded into sales, 3 rejected, 1 skipped", "skipped 1 totals row(s) (row 6)",
         [(3, 'order_time "2024-13-45" is not a date'), (5, 'quantity "x" is not a whole number'),
          (7, "the line has 5 fields but the header has 4")]),
        ("zh", "e.csv：2 行已加载到 sales，3 行被拒绝，1 行被跳过", "跳过了 1 个合计行（第 6 行）",
         [(3, 'order_time 的值 "2024-13-45" 不是日期'), (5, 'quantity 的值 "x" 不是整数'), (7, "该行有 5 个字段，而表头有 4 个")]),
    ],
)
def test_reject_reasons_message_and_notes_follow_the_language(warehouse, tmp_path, lang, message, note, reasons):
    f = tmp_path / "e.csv"
    f.write_text(MIXED, encoding="utf-8")
    [rep] = ingest_file(warehouse, f, lang=lang)
    assert (rep.status, rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == ("loaded", 2, 3, 1)
    assert rep.message == message
    assert rep.notes == [ZONE[lang], CNY[lang], note]
    assert rejects(warehouse) == reasons


CNY = {"en": "the file names no currency: amounts are taken as CNY (ECOM_CURRENCY); choose another for this upload if they are not",
       "zh": "文件未注明币种：金额按 CNY（ECOM_CURRENCY）计；如不是，请为本次上传另选币种"}
ZONE = {"en": "order_time (order_time): times have no time zone and are taken as shop time (Asia/Shanghai)",
        "zh": "order_time（order_time）：时间不带时区，按店铺时间（Asia/Shanghai）读取"}


def test_unmapped_required_column_is_named_in_chinese(warehouse, tmp_path):
    f = tmp_path / "u.csv"
    f.write_text("发货时间,商品编码,数量\n2024-11-01 10:00,P1,1\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, f, table="sales", lang="zh")
    assert rep.status == "failed" and rep.unmapped_required == ["order_time"]
    assert rep.message == (
        "u.csv：sales 的必需列 order_time 没有对应的文件列（文件的列：发货时间, 商品编码, 数量）；请映射一列（--map 列名=order_time）"
    )
    [en] = ingest_file(warehouse, f, table="sales")
    assert en.message == (
        "u.csv: no column for required sales column(s) order_time (file columns: 发货时间, 商品编码, 数量); use --map COLUMN=order_time"
    )


def test_duplicate_and_all_rejected_in_chinese(warehouse, tmp_path):
    good = tmp_path / "g.csv"
    good.write_text("order_id,order_time,product_id\nA,2024-11-01,P\n", encoding="utf-8")
    ingest_file(warehouse, good, lang="zh")
    [dup] = ingest_file(warehouse, good, lang="zh")
    assert dup.message == "g.csv：该文件已加载到 sales（上传 1）；未加载任何数据"
    bad = tmp_path / "b.csv"
    bad.write_text("order_id,order_time,product_id\nA,not a date,P\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, bad, lang="zh")
    assert rep.status == "failed"
    assert rep.message == 'b.csv：全部 1 行都被拒绝，未加载任何数据（第 2 行：order_time 的值 "not a date" 不是日期）'


def test_unreadable_file_and_sniff_notes_in_chinese(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a table")
    with pytest.raises(IngestError, match="^x.pdf：该文件是 PDF 文档，不是 CSV、Excel 或 Parquet 文件$"):
        sniff(pdf, lang="zh")
    with pytest.raises(IngestError, match="^x.pdf: the file is a PDF document, not CSV, Excel or Parquet$"):
        sniff(pdf)
    titled = tmp_path / "t.csv"
    titled.write_text("报表标题\n\norder_id,order_time,product_id\nA,03/04/2024,P\nB,05/06/2024,Q\n", encoding="utf-8")
    [s] = sniff(titled, lang="zh")
    assert s.notes == ["跳过了表头上方的 1 行标题：报表标题"]
    assert sniff(titled)[0].notes == ["skipped 1 title row(s) above the header: 报表标题"]


def test_text_sql_splices_sql_between_literal_pieces():
    # constants (which may hold braces or quotes) are merged into the literals around them
    assert text_sql("ingest.reject.value", "en", {"value": "v0"}, column="a{b}'c", problem="is bad") == "'a{b}''c \"' || v0 || '\" is bad'"
    assert text_sql("ingest.reject.empty", "zh", {}, column="order_id") == "'order_id 为空'"
