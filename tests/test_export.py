import datetime as dt
import decimal
import io

import pandas as pd
from python_calamine import CalamineWorkbook

from ecom import export


def frame():
    return pd.DataFrame(
        {
            "order_id": [202411200001234567, 7],
            "product_id": ["00123", "P-9"],
            "review_text": ["=HYPERLINK(\"http://x\")", "红色T恤很好"],
            "note": ["+86 138", "@SUM(A1)"],
            "quantity": [2, -1],
            "revenue": [decimal.Decimal("19.90"), None],
            "order_time": pd.to_datetime(["2024-11-20 10:30:00", None]),
        }
    )


def test_neutralise_prefixes_every_formula_start():
    for text in ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "＝1+1", "＋1", "－1", "＠A1", "＝HYPERLINK(\"http://x\")"]:
        assert export.neutralise(text) == "'" + text
    assert export.neutralise("a=b") == "a=b"
    assert export.neutralise(-1) == -1
    assert export.neutralise("") == ""


def test_csv_is_utf8_with_bom_and_neutralised():
    data = export.to_csv_bytes(frame())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "order_id,product_id,review_text,note,quantity,revenue,order_time"
    assert lines[1] == "202411200001234567,00123,\"'=HYPERLINK(\"\"http://x\"\")\",'+86 138,2,19.90,2024-11-20 10:30:00"
    assert lines[2] == "7,P-9,红色T恤很好,'@SUM(A1),-1,,"


def test_xlsx_keeps_ids_as_text_numbers_as_numbers():
    data = export.to_xlsx_bytes(frame(), sheet="orders/2024")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["orders_2024"]
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == ["order_id", "product_id", "review_text", "note", "quantity", "revenue", "order_time"]
    assert rows[1] == ["202411200001234567", "00123", "'=HYPERLINK(\"http://x\")", "'+86 138", 2.0, 19.9, dt.datetime(2024, 11, 20, 10, 30)]
    assert rows[2] == ["7", "P-9", "红色T恤很好", "'@SUM(A1)", -1.0, "", ""]


def test_xlsx_has_no_formula_cells():
    data = export.to_xlsx_bytes(frame())
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet


def test_empty_frame_exports():
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    assert export.to_csv_bytes(empty) == "\ufeffa\r\n".encode()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.to_xlsx_bytes(empty))).get_sheet_by_index(0).to_python()
    assert rows == [["a"]]


def test_full_width_tab_and_cr_are_neutralised_in_csv_and_xlsx():
    df = pd.DataFrame({"text": ["＝HYPERLINK(\"http://x\")", "＠SUM(A1)", "\t=1", "\r=1", "－5", "ok"], "amount": [-5.5, -1.0, 0.0, 2.0, 3.0, 4.0]})
    lines = export.to_csv_bytes(df).decode("utf-8-sig").split("\r\n")
    assert lines[1:3] == ["\"'＝HYPERLINK(\"\"http://x\"\")\",-5.5", "'＠SUM(A1),-1.0"]
    assert lines[5:7] == ["'－5,3.0", "ok,4.0"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.to_xlsx_bytes(df))).get_sheet_by_index(0).to_python()
    assert [r[0] for r in rows[1:]] == ["'＝HYPERLINK(\"http://x\")", "'＠SUM(A1)", "'\t=1", "'\r=1", "'－5", "ok"]
    assert [r[1] for r in rows[1:]] == [-5.5, -1.0, 0.0, 2.0, 3.0, 4.0]


def test_safe_cells_touches_only_text_and_keeps_repeated_columns():
    df = pd.DataFrame([["=1", -5, "=2", decimal.Decimal("-1.50")], [None, 3, "b", None]], columns=["a", "n", "a", "money"])
    out = export.safe_cells(df)
    assert out.columns.tolist() == ["a", "n", "a", "money"]
    assert out.iloc[:, 0].tolist()[0] == "'=1" and pd.isna(out.iloc[1, 0])
    assert out.iloc[:, 2].tolist() == ["'=2", "b"]
    assert out["n"].tolist() == [-5, 3] and out["n"].dtype == df["n"].dtype
    assert out["money"].tolist()[0] == decimal.Decimal("-1.50")  # a number in an object column stays a number
    assert export.safe_cells(df, columns=["n"]).iloc[:, 0].tolist()[0] == "=1"
    assert df.iloc[0, 0] == "=1"  # the input is left alone
