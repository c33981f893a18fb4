"""The Data page driven through its real uploader: GBK file with Chinese headers -> mapping -> load."""

import pandas as pd

from ecom.warehouse import Warehouse
from tests.ui.conftest import assert_clean, open_app

GBK_ORDERS = (
    "订单号,下单时间,商品编码,商品名称,数量,单价,实付金额,省份\n"
    "A1001,2024-11-01 10:00:00,P01,红色T恤,2,49.50,99.00,浙江\n"
    "A1002,2024-11-02 11:30:00,P02,蓝色牛仔裤,1,129.00,129.00,广东\n"
    "A1003,2024-11-20 09:15:00,P01,红色T恤,1,49.50,49.50,江苏\n"
).encode("gbk")

WITH_BAD_DATE = (
    b"Order ID,Order Date,SKU,Quantity,Unit Price\n"
    b"B1,2024-11-05 08:00,S1,1,10.00\n"
    b"B2,not a date,S2,1,12.00\n"
    b"B3,2024-11-06 09:00,S1,2,10.00\n"
)


def upload(at, name, data, mime="text/csv"):
    at.file_uploader[0].set_value((name, data, mime))
    return at.run()


def editor_mapping(at) -> dict:
    frame = at.data_editor[0].value
    return dict(zip(frame["column"], frame["target"], strict=True))


def frame_with(at, column: str) -> pd.DataFrame:
    """The first dataframe on the page that has `column` (the load report's, before the upload log's)."""
    frames = [df.value for df in at.dataframe if column in df.value.columns]
    assert frames, [list(df.value.columns) for df in at.dataframe]
    return frames[0]


def test_gbk_upload_mapping_load_and_browse_in_chinese(app_env):
    at = open_app("app_pages/data.py", lang="zh")
    assert_clean(at)
    upload(at, "订单.csv", GBK_ORDERS)
    assert_clean(at)
    # what was detected, in Chinese
    assert any(c.value.startswith("编码 gb18030 · 分隔符 “,” · 表头在第 1 行") for c in at.caption)
    assert at.selectbox(key=[k for k in at.session_state if str(k).startswith("data_table_")][0]).value == "sales"
    assert editor_mapping(at) == {
        "订单号": "order_id", "下单时间": "order_time", "商品编码": "product_id", "商品名称": "product_name",
        "数量": "quantity", "单价": "unit_price", "实付金额": "revenue", "省份": "region",
    }
    at.button(key="data_load").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["订单.csv：3 行已加载到 sales，0 行被拒绝，0 行被跳过。"]
    summary = at.dataframe[0].value
    assert summary.iloc[0].tolist() == ["订单.csv", "sales", 3, 3, 0, 0, "已加载"]
    # sidebar freshness and counts follow the new data version
    assert "销售 3" in [c.value for c in at.sidebar.caption]
    assert any(c.value.startswith("数据截至 2024-11-20，") for c in at.sidebar.caption)
    # the tables browser shows the rows with the Chinese text intact
    at.selectbox(key="data_browse").set_value("sales").run()
    rows = frame_with(at, "product_name")
    assert rows["product_name"].tolist() == ["红色T恤", "蓝色牛仔裤", "红色T恤"]
    assert rows["region"].tolist() == ["浙江省", "广东省", "江苏省"]  # provinces by their full names (ecom.ingest.places)
    assert [float(x) for x in rows["revenue"]] == [99.0, 129.0, 49.5]
    # upload log with undo
    log = frame_with(at, "file_name")
    assert log[["file_name", "table_name", "rows_loaded", "encoding"]].iloc[0].tolist() == ["订单.csv", "sales", 3, "gb18030"]
    at.checkbox(key="data_undo_sure").check().run()
    at.button(key="data_undo").click().run()
    assert_clean(at)
    assert "已撤销上传 1：删除了 3 行。" in [s.value for s in at.success]
    assert "尚未加载数据。" in [c.value for c in at.sidebar.caption]


def test_rejected_rows_are_reported_and_downloadable(app_env):
    at = open_app("app_pages/data.py")
    upload(at, "orders.csv", WITH_BAD_DATE)
    assert_clean(at)
    at.button(key="data_load").click().run()
    assert_clean(at)
    assert [w.value for w in at.warning] == ["orders.csv: 2 rows loaded into sales, 1 rejected, 0 skipped."]
    rejects = frame_with(at, "reason")
    assert rejects["source_row"].tolist() == [3]
    assert "not a date" in rejects["raw"].iloc[0]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download CSV") >= 2  # rejects and the table preview
    quality = frame_with(at, "distinct")
    by_column = quality.set_index("column")
    assert int(by_column.loc["order_id", "distinct"]) == 2
    assert int(by_column.loc["quantity", "nulls"]) == 0


def test_loading_the_same_file_twice_is_reported_as_duplicate(app_env):
    at = open_app("app_pages/data.py")
    upload(at, "orders.csv", WITH_BAD_DATE)
    at.button(key="data_load").click().run()
    upload(at, "orders.csv", WITH_BAD_DATE)
    at.button(key="data_load").click().run()
    assert_clean(at)
    assert "orders.csv: already loaded into sales (upload 1); nothing loaded." in [i.value for i in at.info]
    wh = Warehouse(app_env)
    assert wh.row_counts()["sales"] == 2


def test_unreadable_file_is_a_message_not_a_traceback(app_env):
    at = open_app("app_pages/data.py")
    upload(at, "picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_clean(at)
    assert [e.value for e in at.error] == ["picture.csv cannot be read: picture.csv: the file is a PNG image, not CSV, Excel or Parquet"]
    assert len(at.button) == 0


def test_unknown_headers_ask_for_a_table(app_env):
    at = open_app("app_pages/data.py")
    upload(at, "mystery.csv", b"foo,bar\n1,2\n3,4\n")
    assert_clean(at)
    assert "Choose the table these rows belong to." in [w.value for w in at.warning]
    assert at.button(key="data_load").disabled
    key = [k for k in at.session_state if str(k).startswith("data_table_")][0]
    at.selectbox(key=key).set_value("reviews").run()
    assert_clean(at)
    assert "Still missing for reviews: rating or review_text. Map a file column to each." in [w.value for w in at.warning]
    assert at.button(key="data_load").disabled


def test_tables_browser_lists_counts(app_env):
    at = open_app("app_pages/data.py")
    options = at.selectbox(key="data_browse").options
    assert "sales · Sales (0)" in options and "upload_log · Upload log (0)" in options
    assert len(options) == 8  # six canonical tables, upload_log, rejects: never the app schema


def test_ingest_messages_and_reject_reasons_in_chinese(app_env):
    at = open_app("app_pages/data.py", lang="zh")
    upload(at, "picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_clean(at)
    assert [e.value for e in at.error] == ["无法读取 picture.csv：picture.csv：该文件是 PNG 图片，不是 CSV、Excel 或 Parquet 文件"]
    upload(at, "orders.csv", WITH_BAD_DATE)
    at.button(key="data_load").click().run()
    assert_clean(at)
    assert [w.value for w in at.warning] == ["orders.csv：2 行已加载到 sales，1 行被拒绝，0 行被跳过。"]
    # the report's details and the stored reject reason are in the uploader's language
    assert "- orders.csv：2 行已加载到 sales，1 行被拒绝，0 行被跳过\n- order_time（Order Date）：时间不带时区，按店铺时间（Asia/Shanghai）读取\n" \
           "- 文件未注明币种：金额按 CNY（ECOM_CURRENCY）计；如不是，请为本次上传另选币种" in [
        m.value for m in at.markdown]
    rejects = frame_with(at, "reason")
    assert rejects["reason"].tolist() == ['order_time (Order Date) 的值 "not a date" 不是日期']


def test_a_payment_status_beside_the_order_status_is_no_second_status_column(app_env):
    # the guess maps Status do Pagamento as order_status@payment: the page must not call it a second column
    # for order_status (that blocked the load)
    at = open_app("app_pages/data.py")
    upload(at, "vendas.csv", ('"Número do Pedido";E-mail;Data;"Status do Pedido";"Status do Pagamento";Total;"Nome do Produto"\n'
                              '1;a@example.com;"15/11/2025 21:37:10";Aberto;Confirmado;100;Anel\n'
                              '2;b@example.com;"15/11/2025 22:00:00";Aberto;Recusado;40;Colar\n').encode())
    assert_clean(at)
    assert editor_mapping(at)["Status do Pagamento"] == "order_status@payment"
    at.button(key="data_load").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["vendas.csv: 2 rows loaded into sales, 0 rejected, 0 skipped."]
    at.selectbox(key="data_browse").set_value("sales").run()
    assert frame_with(at, "order_status")["order_status"].tolist() == ["aberto", "cancelled"]
