"""One test for each thing seen when real exports were first tried (issue 13, "What was seen"), on small
crafted files shaped like the real ones; the real files themselves are in test_real_exports.py."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from ecom.filters import Filters
from ecom.ingest import dates, ingest_file, ingest_files
from ecom.ingest.mapping import suggest
from ecom.ingest.read import detect_encoding
from ecom.kpis_cli import figures
from ecom.queries import common, explore
from ecom.queries.explore import Spec


def rows(wh, sql, args=()):
    cur = wh.cursor()
    try:
        return cur.execute(sql, list(args)).fetchall()
    finally:
        cur.close()


def test_dd_mm_yyyy_dates_load_and_the_order_comes_from_the_data(warehouse, tmp_path):
    f = tmp_path / "superstore.csv"
    f.write_text("Order ID,Order Date,Customer ID,Product ID,Sales\nCA-1,08-11-2016,C1,P1,261.96\nCA-2,12-06-2016,C2,P2,14.62\n"
                 "CA-3,25-12-2017,C1,P3,10\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert (rep.status, rep.rows_loaded, rep.rows_rejected) == ("loaded", 3, 0)
    assert rows(warehouse, "SELECT order_time::DATE FROM sales ORDER BY order_id") == [(date(2016, 11, 8),), (date(2016, 6, 12),), (date(2017, 12, 25),)]
    # dashes are no time-zone offset ("-2016" once read as one) and need no slash to load
    assert dates.infer(["08-11-2016"]).order == "dayfirst"


MONTH_NAMES = {
    # as marketplaces of these languages write dates (Lazada, Mercado Libre, Amazon.de/.fr/.it/.nl), and the days they are
    "id": (("20 Des 2023", "1 Agu 2023", "15 Mei 2024"), (date(2023, 12, 20), date(2023, 8, 1), date(2024, 5, 15))),
    "es": (("3 de enero de 2024", "28 de febrero de 2024", "9 de diciembre de 2023"), (date(2024, 1, 3), date(2024, 2, 28), date(2023, 12, 9))),
    "pt": (("27 de dezembro de 2023", "5 de fevereiro de 2024", "1 de outubro de 2023"), (date(2023, 12, 27), date(2024, 2, 5), date(2023, 10, 1))),
    "de": (("5. März 2024", "12. Okt. 2023", "31. Dez. 2023"), (date(2024, 3, 5), date(2023, 10, 12), date(2023, 12, 31))),
    "fr": (("12 août 2023", "1 déc. 2023", "3 févr. 2024"), (date(2023, 8, 12), date(2023, 12, 1), date(2024, 2, 3))),
    "it": (("7 gen 2024", "30 mag 2024", "2 ott 2023"), (date(2024, 1, 7), date(2024, 5, 30), date(2023, 10, 2))),
    "nl": (("4 mrt 2024", "18 mei 2024", "9 okt 2023"), (date(2024, 3, 4), date(2024, 5, 18), date(2023, 10, 9))),
}


@pytest.mark.parametrize("lang", list(MONTH_NAMES))
def test_dates_with_another_languages_month_names_load(warehouse, tmp_path, lang):
    written, days = MONTH_NAMES[lang]
    f = tmp_path / "orders.csv"
    f.write_text("Order ID,Order Date,Customer ID,Product ID,Sales\n" + "".join(f'O{i},"{d}",C{i},P{i},10\n' for i, d in enumerate(written)),
                 encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert (rep.status, rep.rows_loaded, rep.rows_rejected) == ("loaded", 3, 0)
    assert rows(warehouse, "SELECT order_time::DATE FROM sales ORDER BY order_id") == [(d,) for d in days]
    note = f'order_time (Order Date): month names in another language are read as their English months ("{written[0]}" as {days[0].isoformat()})'
    assert note in rep.notes


def test_an_undecidable_day_month_order_says_why_and_can_be_changed(warehouse, tmp_path):
    f = tmp_path / "orders.csv"
    f.write_text("Order ID,Order Date,SKU,Qty\nA,03/04/2024,P,1\nB,05/06/2024,P,1\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    note = next(n for n in rep.notes if "fit both day/month and month/day" in n)
    assert "read as month/day/year because no value tells, and dates written with \"/\" usually are" in note
    assert rows(warehouse, "SELECT order_time::DATE FROM sales WHERE order_id = 'A'") == [(date(2024, 3, 4),)]
    ingest_file(warehouse, f, mode="replace", mapping={"Order Date": "order_time@dayfirst"})
    assert rows(warehouse, "SELECT order_time::DATE FROM sales WHERE order_id = 'A'") == [(date(2024, 4, 3),)]


def test_a_latin1_file_with_two_no_break_spaces_stays_latin():
    data = "Year,Month,Make,Quantity\n" + "".join(f"2007,{m},\xa0Mercedes-Benz,{m}\n2007,{m},Mercedes-Benz,3\n" for m in (1, 2))
    assert detect_encoding(data.encode("latin-1"))[0] == "cp1252"
    assert detect_encoding("订单号,金额\nA1,39.80\n".encode("gbk"))[0] == "gb18030"


@pytest.mark.parametrize(("columns", "values", "table", "column", "source"), [
    (["订单编号", "买家会员ID", "下单时间", "实付金额"], [["A", "buyer1", "2024-01-01 10:00", "9.9"]], "sales", "customer_id", "买家会员ID"),
    (["rating", "date", "variation", "verified_reviews", "feedback"],
     [["5", "31-Jul-18", "Charcoal", "Love my Echo! The sound is great.", "1"]], "reviews", "review_text", "verified_reviews"),
    (["Year", "Month", "Make", "Quantity"], [["2007", "1", "Toyota", "2884"]], "market", "brand", "Make"),
    (["order_id", "order_purchase_timestamp", "order_approved_at", "price"], [["o1", "2017-10-02 10:56:33", "2017-10-02 11:07:15", "9.9"]],
     "sales", "order_time", "order_purchase_timestamp"),
    # a scrape of Amazon reviews: the stars are a "Grade"
    (["", "review Text", "review Grade"], [["0", "Phone works great, battery at 100%", "5"], ["1", "Arrived dead", "1"]], "reviews", "rating", "review Grade"),
    # google-play-scraper's reviews: the review time is "at", the reply's "repliedAt"
    (["reviewId", "userName", "content", "score", "thumbsUpCount", "at", "replyContent", "repliedAt"],
     [["r1", "A user", "Great app, easy to sell", "5", "3", "2024-11-11 03:05:25", "", ""],
      ["r2", "B user", "Too many scams lately", "1", "0", "2024-11-10 21:40:02", "Sorry to hear that", "2024-11-11 08:00:00"]],
     "reviews", "review_time", "at"),
])
def test_headers_seen_in_real_exports_are_recognised(columns, values, table, column, source):
    g = suggest(columns, values=values)
    assert g.table == table and g.mapping[source] == column, g.mapping


def test_a_customer_purchase_log_without_product_or_order_id_loads(warehouse, tmp_path):
    f = tmp_path / "log.txt"
    f.write_text(" customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n 00001 19970101  2   20.00\n"
                 " 00002 19970112  1   12.00\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert (rep.table, rep.rows_loaded) == ("sales", 3)
    assert any("each customer's purchases at one time form one order" in n for n in rep.notes)
    out = figures(warehouse, None, None)
    assert (out["orders"], out["customers"], out["gmv"]) == (2, 2, 43.77)


def test_a_file_that_fits_no_table_is_refused_not_loaded_as_products(warehouse, tmp_path):
    f = tmp_path / "customers.csv"
    f.write_text("customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n"
                 "c1,u1,14409,franca,SP\nc2,u2,9790,sao bernardo do campo,SP\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert rep.status == "failed" and "fits no table" in rep.message and "sales needs" in rep.message
    assert sum(warehouse.row_counts()[t] for t in ("sales", "products", "reviews", "behavior", "market", "stock")) == 0


def test_a_member_of_a_multi_file_export_can_be_left_out(warehouse, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,order_status,order_purchase_timestamp\no1,c1,delivered,2017-10-02 10:56:33\n", encoding="utf-8")
    items = tmp_path / "order_items.csv"
    items.write_text("order_id,order_item_id,product_id,price,freight_value\no1,1,p1,10.00,2.00\no1,2,p2,5.00,2.00\n", encoding="utf-8")
    reports = ingest_files(warehouse, [orders, items])
    assert {(r.source, r.status) for r in reports} == {("order_items.csv + orders.csv", "loaded"), ("orders.csv", "joined")}
    assert rows(warehouse, "SELECT count(*), sum(revenue), min(order_time)::DATE FROM sales") == [(2, 15, date(2017, 10, 2))]
    reports = ingest_files(warehouse, [orders, items], skip=["orders.csv"], mode="replace")
    assert {(r.source, r.status) for r in reports} == {("orders.csv", "skipped"), ("order_items.csv", "skipped")}


def test_credit_notes_are_returns_not_orders_and_count_as_refunds(warehouse, tmp_path):
    f = tmp_path / "retail.csv"
    f.write_text("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                 "536365,85123A,WHITE HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom\n"
                 "536366,22633,HAND WARMER,6,12/1/2010 8:28,1.85,17850,United Kingdom\n"
                 "C536379,D,Discount,-1,12/1/2010 9:41,27.50,14527,United Kingdom\n", encoding="utf-8")
    ingest_file(warehouse, f)
    out = figures(warehouse, None, None)
    assert (out["orders"], out["gmv"], out["refunds"], out["net_sales"]) == (2, 26.4, 27.5, -1.1)
    assert out["refund_rate"] == pytest.approx(27.5 / 26.4)


def test_the_currency_comes_from_the_file_or_the_upload_never_defaults_silently(warehouse, tmp_path):
    dollars = tmp_path / "us.csv"
    dollars.write_text("Order ID,Order Date,SKU,Price\nU1,2024-01-01,P,$10.00\n", encoding="utf-8")
    pounds = tmp_path / "uk.csv"
    pounds.write_text("Order ID,Order Date,SKU,Price\nK1,2024-01-02,P,10.00\n", encoding="utf-8")
    [us] = ingest_file(warehouse, dollars)
    [uk] = ingest_files(warehouse, [pounds], currency="GBP")
    assert "amounts are in USD, as the file's headers or amounts say" in us.notes
    assert "amounts are in GBP, as chosen for this upload" in uk.notes
    out = figures(warehouse, None, None)
    assert out["currency"] is None and out["gmv"] is None  # two currencies are never summed
    assert [(c["currency"], c["gmv"]) for c in out["by_currency"]] == [("GBP", 10.0), ("USD", 10.0)]


def test_overlapping_exports_of_one_data_set_count_each_line_once(warehouse, tmp_path):
    week1 = tmp_path / "w1.csv"
    week1.write_text("Order ID,Line,Order Date,SKU,Amount\nA,1,2024-01-01,P,5\nB,1,2024-01-02,P,7\n", encoding="utf-8")
    week2 = tmp_path / "w2.csv"
    week2.write_text("Order ID,Line,Order Date,SKU,Amount\nB,1,2024-01-02,P,7\nC,1,2024-01-03,P,9\n", encoding="utf-8")
    ingest_files(warehouse, [week1], dataset="shop")
    [rep] = ingest_files(warehouse, [week2], dataset="shop")
    assert (rep.rows_loaded, rep.rows_skipped, rep.rows_duplicate) == (1, 1, 1)
    assert figures(warehouse, None, None)["gmv"] == 21.0
    # another data set is another shop: the same line counts there too
    [other] = ingest_files(warehouse, [week2], dataset="other shop")
    assert other.rows_loaded == 2


def test_labels_come_from_a_products_most_frequent_name(warehouse, tmp_path):
    f = tmp_path / "lines.csv"
    f.write_text("InvoiceNo,InvoiceDate,StockCode,Description,Quantity,UnitPrice\n"
                 "1,2024-01-01 10:00,85123A,WHITE HEART,1,2.5\n2,2024-01-02 10:00,85123A,WHITE HEART,1,2.5\n"
                 "3,2024-01-03 10:00,85123A,faulty,1,0\n4,2024-01-04 10:00,22633,,1,1\n", encoding="utf-8")
    ingest_file(warehouse, f)
    assert common.product_names(warehouse, ["85123A", "22633"]) == {"85123A": "WHITE HEART"}


def test_a_date_and_a_separate_time_make_one_timestamp(warehouse, tmp_path):
    f = tmp_path / "pos.csv"
    f.write_text("Invoice ID,Product line,Unit price,Quantity,Total,Date,Time\n750-67-8428,Health,74.69,7,548.97,1/5/2019,13:08\n"
                 "226-31-3081,Electronic,15.28,5,80.22,3/8/2019,10:29\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert rep.mapping["Time"] == "order_time@time"
    assert rows(warehouse, "SELECT order_time FROM sales ORDER BY order_time") == [(datetime(2019, 1, 5, 13, 8),), (datetime(2019, 3, 8, 10, 29),)]


def test_a_discount_rate_is_stored_as_a_rate_and_never_taken_off_a_net_amount(warehouse, tmp_path):
    f = tmp_path / "discounts.csv"
    f.write_text("Order ID,Order Date,Product ID,Sales,Quantity,Discount\nA,2024-01-01,P,14.62,2,0.2\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert rep.mapping["Discount"] == "discount_rate"
    assert rows(warehouse, "SELECT discount, discount_rate, revenue::DOUBLE FROM sales") == [(None, 0.2, 14.62)]


def test_a_wide_monthly_file_becomes_rows(warehouse, tmp_path):
    f = tmp_path / "share.csv"
    f.write_text('"Date","Samsung","Apple","Nokia"\n2010-04,30,30,40\n2010-05,31,29,40\n', encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert (rep.table, rep.rows_loaded) == ("market", 6)
    assert rows(warehouse, "SELECT market_share FROM market WHERE brand = 'Apple' AND period = '2010-05-01'") == [(pytest.approx(0.29),)]


def test_columns_the_schema_does_not_know_can_be_grouped_and_filtered_in_explore(warehouse, tmp_path):
    f = tmp_path / "orders.csv"
    f.write_text("Order ID,Order Date,SKU,Sales,Ship Mode\nA,2024-01-01,P,5,First\nB,2024-01-02,P,7,Second\nC,2024-01-03,P,9,First\n",
                 encoding="utf-8")
    ingest_file(warehouse, f)
    assert explore.columns(warehouse, "sales")["extra:Ship Mode"] == "text"
    whole = Filters(start=date(2024, 1, 1), end=date(2024, 1, 3))
    by_mode = explore.run(warehouse, whole, Spec(table="sales", x="extra:Ship Mode", y="revenue", agg="sum"))
    assert dict(zip(by_mode.x, by_mode.value, strict=True)) == {"First": 14.0, "Second": 7.0}
    only = explore.run(warehouse, whole, Spec(table="sales", x="order_id", agg="count", where="extra:Ship Mode", equals="Second"))
    assert only.x.tolist() == ["B"]


def test_a_quoted_cell_that_ends_in_a_newline_loads(warehouse, tmp_path):
    f = tmp_path / "reviews.csv"
    f.write_text('id,Review Text,Rating\n1,"Great fit\n",5\n2,"Runs small, order up",3\n3,,4\n', encoding="utf-8")
    [rep] = ingest_file(warehouse, f)
    assert (rep.status, rep.rows_loaded, rep.rows_rejected) == ("loaded", 3, 0)
    # review 3 has a rating and no text: a review all the same
    assert rows(warehouse, "SELECT review_text FROM reviews ORDER BY review_id") == [("Great fit",), ("Runs small, order up",), (None,)]


def test_a_nul_byte_after_the_first_megabyte_rejects_its_row_naming_the_column(warehouse, tmp_path):
    f = tmp_path / "big.csv"
    body = "".join(f"O{i},2024-01-01,P{i % 50},{i % 7 + 1}\n" for i in range(60_000))
    f.write_bytes(b"order_id,order_time,product_id,quantity\n" + body.encode() + b"X1,2024-01-02,P\x001,1\nX2,2024-01-02,P2,1\n")
    assert f.stat().st_size > 1 << 20
    [rep] = ingest_file(warehouse, f)
    assert (rep.rows_loaded, rep.rows_rejected) == (60_001, 1)
    assert rows(warehouse, "SELECT reason FROM rejects") == [("product_id holds a NUL byte (a damaged value)",)]


def test_kpis_json_has_every_key_and_by_currency(warehouse, tmp_path):
    f = tmp_path / "o.csv"
    f.write_text("Order ID,Order Date,SKU,Amount,Status\nA,2024-01-01,P,10,paid\nB,2024-01-02,P,5,cancelled\n", encoding="utf-8")
    ingest_file(warehouse, f)
    out = figures(warehouse, date(2024, 1, 1), date(2024, 1, 2))
    assert json.loads(json.dumps(out)) == {
        "from": "2024-01-01", "to": "2024-01-02", "gmv": 10.0, "refunds": 0.0, "net_sales": 10.0, "orders": 1, "customers": 0,
        "refund_rate": 0.0, "currency": "CNY",
        "by_currency": [{"currency": "CNY", "gmv": 10.0, "refunds": 0.0, "net_sales": 10.0, "orders": 1, "customers": 0, "refund_rate": 0.0}],
    }
