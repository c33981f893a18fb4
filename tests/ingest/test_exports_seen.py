"""One test for each thing seen when a second round of real exports was tried (WeChat Pay and Alipay
merchant bills, Taobao reports without an order number, Shopify, Amazon, PayPal, Etsy and Stripe
downloads, JD's comment data), on small crafted files shaped like the real ones, whose figures are
worked out by hand in each test. The real files state no licence, so they are not kept here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ecom import settings
from ecom.filters import Filters
from ecom.ingest import ingest_file, ingest_files
from ecom.ingest.mapping import suggest
from ecom.kpis_cli import figures
from ecom.queries.sales import breakdown


def load(wh, path, text: str, encoding: str = "utf-8", **options):
    """Write `text` to `path` as the export would be and load it: the load's one report."""
    path.write_text(text, encoding=encoding)
    [rep] = ingest_file(wh, path, **options)
    return rep


def rows(wh, sql):
    cur = wh.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def test_a_wechat_pay_bill_loads_without_its_backticks_and_its_totals_block_is_skipped(warehouse, tmp_path):
    # WeChat Pay's merchant bill: every value behind a backtick (so spreadsheets keep it as text), and
    # under the lines a header and row of totals with fewer fields
    rep = load(warehouse, tmp_path / "wxpay_bill.csv", "交易时间,公众账号ID,商户号,微信订单号,商户订单号,用户标识,交易类型,交易状态,货币种类,总金额,退款金额,商品名称,手续费\n"
               "`2015-03-30 21:25:32,`wx58,`10027619,`4200001,`M1,`oqMI-a,`JSAPI,`SUCCESS,`CNY,`0.01,`0,`洁面慕斯,`0.00020\n"
               "`2015-03-30 21:15:32,`wx58,`10027619,`4200002,`M2,`oqMI-b,`JSAPI,`SUCCESS,`CNY,`12.50,`0,`精华套装,`0.25000\n"
               "总交易单数,总交易额,总退款金额,手续费总金额\n`2,`12.51,`0.00,`0.25020\n")
    assert (rep.table, rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == ("sales", 2, 0, 2)
    assert rep.mapping["总金额"] == "revenue" and rep.mapping["用户标识"] == "customer_id"
    assert rows(warehouse, "SELECT order_id, order_time, customer_id, revenue, order_status FROM sales ORDER BY order_time") == [
        ("4200002", datetime(2015, 3, 30, 21, 15, 32), "oqMI-b", Decimal("12.50"), "completed"),
        ("4200001", datetime(2015, 3, 30, 21, 25, 32), "oqMI-a", Decimal("0.01"), "completed"),
    ]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (12.51, 2, 2)


def test_a_commented_rule_line_ends_the_table_and_what_follows_is_skipped(warehouse, tmp_path):
    # Alipay's merchant detail: '#' title lines above, and below a titled rule line and '#' totals; 对方账户 is the buyer
    rep = load(warehouse, tmp_path / "业务明细.csv", "#支付宝业务明细查询\n#账号：[20880211096256330156]\n#-----------------------------------------业务明细列表----------------------------------------\n"
               "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,对方账户,订单金额（元）\n"
               + "".join(f"20190916220{i},S{i},交易,下单测试,2019-09-16 1{i}:55:16,*津水(602***@qq.com),0.0{i}\n" for i in range(1, 4))
               + "".join(f"20190916220{i},S{i},交易,下单测试,2019-09-16 1{i}:55:16,*庚辰(182****01),0.0{i}\n" for i in range(4, 7))
               + "#-----------------------------------------业务明细列表结束------------------------------------\n"
               "#交易合计：6笔，商家实收共0.21元\n#导出时间：[2019年09月17日 05:46:49]\n", encoding="gb18030")
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (6, 0, 3)
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (0.21, 6, 2)  # 0.01 + 0.02 + … + 0.06; 对方账户 is the buyer


def test_an_english_closed_status_is_no_cancellation_but_a_closed_trade_is(warehouse, tmp_path):
    # Amazon's order history says "Closed" of every finished order; Taobao's 交易关闭 (in English
    # "Trade Closed") is an order closed unpaid
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Order Date,Product ID,Total Owed,Order Status\nA1,2024-05-01,P1,10.00,Closed\nA2,2024-05-02,P2,20.00,Closed\n"
               "A3,2024-05-03,P3,40.00,Cancelled\nT1,2024-05-04,P4,80.00,Trade Closed\nT2,2024-05-05,P5,160.00,交易关闭\n")
    assert rep.rows_loaded == 5
    assert rows(warehouse, "SELECT order_id, line_kind FROM sales ORDER BY order_id") == [
        ("A1", "sale"), ("A2", "sale"), ("A3", "cancelled"), ("T1", "cancelled"), ("T2", "cancelled")]
    assert (figures(warehouse, None, None)["gmv"], figures(warehouse, None, None)["orders"]) == (30.0, 2)


def test_amounts_wrapped_in_apostrophes_load(warehouse, tmp_path):
    # Amazon's order history writes negative discounts as '-10.68' (the quotes keep spreadsheets off them)
    rep = load(warehouse, tmp_path / "Retail.OrderHistory.1.csv", "Order ID,Order Date,ASIN,Quantity,Unit Price,Total Discounts,Total Owed\n"
               "701-1,2023-02-01T10:00:00Z,B01,1,25.00,'-10.68',14.32\n701-2,2023-02-02T10:00:00Z,B02,2,5.00,'0',10.00\n")
    assert (rep.rows_loaded, rep.rows_rejected) == (2, 0)
    assert rows(warehouse, "SELECT order_id, discount, revenue FROM sales ORDER BY order_id") == [("701-1", Decimal("-10.68"), Decimal("14.32")),
                                                                                           ("701-2", Decimal("0.00"), Decimal("10.00"))]


def test_a_taobao_report_without_an_order_number_still_counts_orders(warehouse, tmp_path):
    # a 千牛 report cut to a few columns: no 订单编号, so each buyer's purchase at one time is one order
    rep = load(warehouse, tmp_path / "TB2018.csv", "买家会员名,买家实际支付金额,宝贝总数量,宝贝标题,订单付款时间,订单创建时间\n"
               "mr001,748.5,1,PHP从入门到精通,2018-01-01 09:26:18,2018-01-01 09:26:00\n"
               "mr002,269.0,4,Java从入门到精通,2018-01-01 10:18:12,2018-01-01 09:37:42\n"
               "mr001,59.8,2,Python从入门到精通,2018-02-03 20:01:00,2018-02-03 20:00:00\n")
    assert (rep.preset, rep.rows_loaded) == ("taobao", 3)
    assert "no order id column: each customer's purchases at one time form one order" in rep.notes
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (1077.3, 3, 2)


def test_an_order_id_filled_on_few_rows_is_not_the_order_id_and_a_utc_header_converts_the_times(warehouse, tmp_path):
    # Stripe's payments: "order_id (metadata)" set on one payment of four; "Created (UTC)" in UTC
    rep = load(warehouse, tmp_path / "unified_payments.csv", "id,Created (UTC),Amount,Currency,Status,Customer ID,Seller Message,order_id (metadata)\n"
               "ch_1,2020-12-13 14:38,1.00,usd,Paid,cus_A,Payment complete.,\nch_2,2020-12-13 16:35,10.00,usd,Paid,cus_B,Payment complete.,\n"
               "ch_3,2020-12-14 01:00,5.00,usd,Paid,cus_A,Payment complete.,\nch_4,2020-12-14 02:00,2.50,usd,Paid,cus_C,Payment complete.,O-77\n")
    assert rep.rows_loaded == 4
    assert "order_id (metadata)" not in rep.mapping and "Seller Message" not in rep.mapping
    assert "order_id (metadata) is filled on only 1 of 4 sampled rows, too few to tell the orders apart: it is not used as the order id" in rep.notes
    # 14:38 UTC is 22:38 in the shop's zone (Asia/Shanghai, UTC+8); 16:35 UTC is the next day there
    assert rows(warehouse, "SELECT customer_id, order_time FROM sales ORDER BY order_time") == [
        ("cus_A", datetime(2020, 12, 13, 22, 38)), ("cus_B", datetime(2020, 12, 14, 0, 35)),
        ("cus_A", datetime(2020, 12, 14, 9, 0)), ("cus_C", datetime(2020, 12, 14, 10, 0))]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"], k["currency"]) == (18.5, 4, 3, "USD")


def test_gross_is_revenue_and_a_variant_option_value_is_not(warehouse, tmp_path):
    # PayPal's activity download: the amount is "Gross"; "Option 1 Value" is a variant's option
    rep = load(warehouse, tmp_path / "Download.CSV", "Date,Time,Name,Type,Status,Currency,Gross,Fee,Net,From Email Address,Transaction ID,Item Title,Option 1 Name,Option 1 Value,Quantity\n"
               '1/5/2021,10:00:00,Ann,Website Payment,Completed,USD,"1,200.00",-35.10,"1,164.90",ann@example.com,T1,Oak table,Colour,Dark,1\n'
               "1/6/2021,11:00:00,Bo,Website Payment,Completed,USD,80.00,-2.62,77.38,bo@example.com,T2,Stool,Colour,Light,2\n")
    assert rep.mapping["Gross"] == "revenue" and "Option 1 Value" not in rep.mapping
    assert figures(warehouse, None, None)["gmv"] == 1280.0


def test_a_number_of_items_is_a_quantity_not_a_product(tmp_path):
    # Etsy's sold orders: "Number of Items" counts; "Item Number" (eBay) names an item
    g = suggest(["Sale Date", "Order ID", "Buyer", "Number of Items", "Order Value", "Currency"],
                values=[["01/03/2023", "2780001", "ann", "2", "31.00", "USD"], ["01/04/2023", "2780002", "bo", "1", "12.00", "USD"]])
    assert (g.table, g.mapping.get("Number of Items")) == ("sales", "quantity")
    g = suggest(["Sale Date", "Order ID", "Item Number", "Quantity", "Sale Price"],
                values=[["01/03/2023", "A1", "1234567890", "1", "9.99"]])
    assert g.mapping.get("Item Number") == "product_id"


def test_jd_comment_data_names_its_reviewer_time_and_product(warehouse, tmp_path):
    # JD's comment data (as scrapers save it): nickname is the reviewer, userLevelName the membership
    # level, creationTime the review's time, referenceId the SKU and referenceTime the purchase's time
    rep = load(warehouse, tmp_path / "1015650.csv", "nickname,userProvince,userLevelName,score,creationTime,referenceTime,referenceId,content\n"
               '"百***乐","四川","金牌会员","5","2016-06-29 18:52:01","2016-06-18 08:33:39","1015650","京东真的好，送货师傅也真好"\n'
               '"a***6","陕西","钻石会员","4","2016-06-07 21:17:43","2016-06-05 16:22:47","1015650","很不错，值得购买"\n', encoding="gb18030")
    assert rep.table == "reviews"
    assert {k: v for k, v in rep.mapping.items() if v in ("customer_id", "review_time", "product_id")} == {
        "nickname": "customer_id", "creationTime": "review_time", "referenceId": "product_id"}
    assert rows(warehouse, "SELECT customer_id, review_time, product_id, rating FROM reviews ORDER BY review_time") == [
        ("a***6", datetime(2016, 6, 7, 21, 17, 43), "1015650", 4), ("百***乐", datetime(2016, 6, 29, 18, 52, 1), "1015650", 5)]


def test_a_behaviour_log_timed_to_the_hour_loads_as_behaviour(warehouse, tmp_path):
    # Tianchi's mobile behaviour log: times to the hour, events coded 1-4 (view, favourite, cart, buy)
    rep = load(warehouse, tmp_path / "user_behavior.csv", "user_id,item_id,behavior_type,user_geohash,item_category,time\n98047837,232431562,1,,4245,2014-12-06 02\n"
               "98047837,232431562,3,,4245,2014-12-06 21\n97726136,383583590,2,,5894,2014-12-09 20\n97726136,383583590,4,,5894,2014-12-18 09\n")
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("behavior", 4, 0)
    assert rows(warehouse, "SELECT customer_id, event_type, event_time FROM behavior ORDER BY event_time") == [
        ("98047837", "view", datetime(2014, 12, 6, 2)), ("98047837", "cart", datetime(2014, 12, 6, 21)),
        ("97726136", "favorite", datetime(2014, 12, 9, 20)), ("97726136", "purchase", datetime(2014, 12, 18, 9))]


def test_dates_inside_amazons_review_sentence_are_read(warehouse, tmp_path):
    # an Amazon review page's "Reviewed in <country> on <date>", also in German and Japanese
    rep = load(warehouse, tmp_path / "amazon_reviews.csv", "title,rating,date,text\nGreat,5.0,\"Reviewed in the United States on September 3, 2021\",\"It is fast and light, and the screen is sharp.\"\n"
               "Meh,3.0,\"Reviewed in India on 12 May 2021\",The battery could be better for the price I paid.\n"
               "Gut,4.0,Rezension aus Deutschland vom 5. März 2024,\"Schnell geliefert, gut verpackt und funktioniert.\"\n"
               "良い,5.0,2021年3月3日に日本でレビュー済み,とても良い商品です。また買いたいと思います。\n")
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("reviews", 4, 0)
    assert rows(warehouse, "SELECT rating, review_time::DATE::VARCHAR FROM reviews ORDER BY review_time") == [
        (5, "2021-03-03"), (3, "2021-05-12"), (5, "2021-09-03"), (4, "2024-03-05")]
    assert ('review_time (date): dates are read out of the sentence around them ("Reviewed in the United States on September 3, 2021" '
            "as 2021-09-03)") in rep.notes


def test_an_inventory_export_without_a_date_is_todays_stock_and_not_stocked_rows_are_skipped(warehouse, tmp_path):
    # Shopify's inventory export: no date (it is the stock of now), "not stocked" where a location does
    # not carry the item, products named by their Handle where the SKU is empty
    not_stocked = ",".join(["not stocked"] * 5)
    rep = load(warehouse, tmp_path / "inventory_export_1.csv", "Handle,Title,SKU,Location,Incoming,Unavailable,Committed,Available,On hand\n"
               'puff-large,Puff Large,"",Shop location,0,0,0,103,103\npuff-large,Puff Large,"",Shop location,5,0,0,200,200\n'
               f'brochure,Brochure,"",Shop location,{not_stocked}\nmug,Mug,"",Shop location,{not_stocked}\n'
               + "".join(f'poems-{i},Poems {i},"",Shop location,0,0,2,{i},{i + 2}\n' for i in range(1, 7)))
    assert (rep.table, rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == ("stock", 8, 0, 2)
    assert rep.mapping["Handle"] == "product_id"
    [(day,)] = rows(warehouse, "SELECT DISTINCT snapshot_date FROM stock")
    assert f"no snapshot date column: the stock is dated the day it is loaded ({day.isoformat()})" in rep.notes
    assert 'skipped 2 on_hand (On hand) "not stocked" row(s) (rows 4, 5)' in rep.notes
    # 103 + 200 on hand of puff-large, 5 on order; the poems 3 + 4 + … + 8 = 33
    assert rows(warehouse, "SELECT product_id = 'puff-large', sum(on_hand), sum(on_order) FROM stock GROUP BY 1 ORDER BY 1") == [
        (False, 33, 0), (True, 303, 5)]


def test_a_required_id_left_empty_rejects_its_row(warehouse, tmp_path):
    rep = load(warehouse, tmp_path / "stock.csv", "SKU,Snapshot Date,On Hand\nA-1,2024-03-01,5\n,2024-03-01,4\n")
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("stock", 1, 1)
    assert rows(warehouse, "SELECT source_row, reason FROM rejects") == [(3, "product_id is empty")]


def test_a_product_export_with_html_descriptions_is_products_not_reviews(warehouse, tmp_path):
    # Shopify's product export: its "Body (HTML)" is a description, its SKU often empty, its Handle the product
    rep = load(warehouse, tmp_path / "products_export_1.csv", "Handle,Title,Body (HTML),Vendor,Product Category,Type,Variant SKU,Variant Inventory Qty,Variant Price\n"
               'puff-large,Puff Large,"<p>A large, soft pouf for the living room.</p>",Puff,Home & Garden,Pouf,,103,89.00\n'
               "puff-large,,,,,,,200,89.00\n"
               'puff-small,Puff Small,"<p>The small one, for a child\'s room.</p>",Puff,Home & Garden,Pouf,,40,49.00\n')
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("products", 3, 0)
    assert rows(warehouse, "SELECT product_id, product_name, brand, price FROM products ORDER BY _source_row") == [
        ("puff-large", "Puff Large", "Puff", Decimal("89.00")), ("puff-large", None, None, Decimal("89.00")),
        ("puff-small", "Puff Small", "Puff", Decimal("49.00"))]


def test_a_sites_name_for_anyone_is_no_reviewer_and_an_apps_name_is_its_product(warehouse, tmp_path):
    # google-play-scraper's export: "A Google user" (in Indonesian "Pengguna Google") for everyone
    # without a public name; three apps' reviews in one file, told apart by app_name
    rep = load(warehouse, tmp_path / "playstore_reviews.csv", "reviewId,userName,content,score,at,app_name\n"
               "r1,A Google user,The app keeps logging me out after the update.,2,2023-05-01 10:00:00,grab\n"
               "r2,Pengguna Google,Aplikasinya bagus dan cepat sekali.,5,2023-05-02 11:00:00,gojek\n"
               "r3,Siti Rahma,Drivers arrive quickly and the fares are fair.,4,2023-05-03 12:00:00,maxim\n")
    assert (rep.table, rep.rows_loaded, rep.mapping["app_name"]) == ("reviews", 3, "product_id")
    assert rows(warehouse, "SELECT product_id, customer_id FROM reviews ORDER BY review_time") == [
        ("grab", None), ("gojek", None), ("maxim", "Siti Rahma")]


def test_odoo_path_headers_name_their_last_part_unless_the_path_says_otherwise(warehouse, tmp_path):
    # Odoo exports a relation's field as "Relation/Field": the order's reference and date, the
    # customer's name; "Taxes/Amount" is a tax, and the line's own Subtotal beats the order's Total
    rep = load(warehouse, tmp_path / "sale.order.line.csv", '"Order Reference/Order Reference","Order Reference/Date","Status","Customer/Name","Description","Unit Price","Quantity",'
               '"Subtotal","Taxes/Amount","Order Reference/Total"\n'
               '"SO121","2014-11-27","Confirmed","See Baby","[SL5077] Stroller red","1390.0","3.0","3084.11","0.07","6600.0"\n'
               '"SO121","2014-11-27","Confirmed","See Baby","[SL5081] Stroller blue","1390.0","3.0","3084.11","0.07","6600.0"\n'
               '"SO122","2014-11-28","Confirmed","Mama Shop","[SL5077] Stroller red","1390.0","1.0","1300.00","0.07","1391.0"\n')
    assert {k: rep.mapping[k] for k in ("Order Reference/Order Reference", "Customer/Name", "Subtotal")} == {
        "Order Reference/Order Reference": "order_id", "Customer/Name": "customer_id", "Subtotal": "revenue"}
    assert "Taxes/Amount" not in rep.mapping and "Order Reference/Total" not in rep.mapping
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (7468.22, 2, 2)  # 3084.11 × 2 + 1300.00


def test_a_product_name_a_person_maps_stands_for_the_product(warehouse, tmp_path):
    # a WooCommerce export of e-mail, date and the products' names only: mapped by hand, the name is the product
    rep = load(warehouse, tmp_path / "woocommerce_orders.csv", "Customer Email,Order Date,Wines\nAndreis816@example.com,2021-03-01,Merlot 2018\nandreis816@example.com,2021-03-05,Rosé 2020\n"
               "bo@example.com,2021-03-05,Merlot 2018\n", mapping={"Wines": "product_name"})
    assert (rep.status, rep.rows_loaded) == ("loaded", 3)
    assert "no product id column: the product name (Wines) stands for the product" in rep.notes
    # an e-mail address is one customer however it is capitalised
    assert rows(warehouse, "SELECT customer_id, product_id FROM sales ORDER BY _source_row") == [
        ("andreis816@example.com", "Merlot 2018"), ("andreis816@example.com", "Rosé 2020"), ("bo@example.com", "Merlot 2018")]
    assert figures(warehouse, None, None)["customers"] == 2


def test_a_status_column_the_header_does_not_name_is_found_by_its_values(warehouse, tmp_path):
    # Meesho's supplier orders: the status is "Reason for Credit Entry"; RTO (returned to origin) is a return
    statuses = ["DELIVERED", "DELIVERED", "CANCELLED", "RTO_COMPLETE", "SHIPPED", "DELIVERED"]
    rep = load(warehouse, tmp_path / "orders_august.csv", "Reason for Credit Entry,Sub Order No,Order Date,Product Name,SKU,Quantity,Supplier Listed Price\n"
               + "".join(f"{s},1843378851131192{i}_1,2025-08-0{i + 1},Cotton saree,ctn-{i},1,{100 * (i + 1)}\n" for i, s in enumerate(statuses)))
    assert rep.mapping["Reason for Credit Entry"] == "order_status"
    assert "Reason for Credit Entry was taken for order_status by its values (CANCELLED, DELIVERED, RTO_COMPLETE): check it before loading, or map it with --map" in rep.notes
    assert rows(warehouse, "SELECT order_status, line_kind FROM sales ORDER BY order_time") == [
        ("completed", "sale"), ("completed", "sale"), ("cancelled", "cancelled"), ("returned", "sale"), ("shipped", "sale"), ("completed", "sale")]
    assert figures(warehouse, None, None)["gmv"] == 1800.0  # all but the cancelled 300


def test_an_item_title_is_the_product_name_and_a_collected_tax_no_shop(tmp_path):
    # eBay's transaction report: Item title (Description is the transaction's), Seller collected tax
    g = suggest(["Transaction date", "Type", "Order number", "Item title", "Description", "Quantity", "Seller collected tax", "Gross transaction amount"],
                values=[["Feb 1, 2023", "Order", "12-09876-54321", "Vintage lamp", "Order 12-09876-54321", "1", "2.40", "30.00"]])
    assert g.mapping.get("Item title") == "product_name,product_id" and "Seller collected tax" not in g.mapping


def test_yearly_figures_are_periods_of_their_first_day_and_a_month_alone_is_refused(warehouse, tmp_path):
    rep = load(warehouse, tmp_path / "ev_sales.csv", "Year,Brand,Units\n2021,Tesla,100\n2021,BYD,80\n2022,Tesla,120\n2022,BYD,150\n")
    assert (rep.table, rep.rows_loaded) == ("market", 4)
    assert rows(warehouse, "SELECT period::VARCHAR, sum(units) FROM market GROUP BY 1 ORDER BY 1") == [("2021-01-01", 180), ("2022-01-01", 270)]
    # a year mapped by hand with its marker, and no month beside it (this raised a KeyError)
    g = tmp_path / "iea.csv"
    g.write_text("region,category,year,value\nAustralia,EV sales,2011,49\nAustralia,EV sales,2012,253\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, g, table="market", mapping={"year": "period@year", "value": "units"}, name="iea.csv")
    assert (rep.status, rep.rows_loaded) == ("loaded", 2)
    assert rows(warehouse, "SELECT period::VARCHAR, units FROM market WHERE _dataset = 'iea.csv' ORDER BY 1") == [("2011-01-01", 49), ("2012-01-01", 253)]
    from ecom.ingest.mapping import validate
    assert validate("market", {"value": "period@month"}, ["value"]) == (
        "period@month needs a column mapped as period@year beside it (a month alone is no period)")


def test_an_inventory_with_its_end_date_is_stock_not_sales(warehouse, tmp_path):
    # Bibitor's year-end inventory: InventoryId names the stocked item, endDate dates the count
    rep = load(warehouse, tmp_path / "EndInvFINAL12312016.csv", "InventoryId,Store,City,Brand,Description,Size,onHand,Price,endDate\n"
               "1_HARDERSFIELD_58,1,HARDERSFIELD,58,Gekkeikan Black & Gold Sake,750mL,11,12.99,31-12-2016\n"
               "1_HARDERSFIELD_62,1,HARDERSFIELD,62,Herradura Silver Tequila,750mL,7,36.99,31-12-2016\n"
               "1_HARDERSFIELD_63,1,HARDERSFIELD,63,Herradura Reposado Tequila,750mL,7,38.99,31-12-2016\n,,,,,,,,\n")
    assert (rep.table, rep.rows_loaded, rep.rows_skipped) == ("stock", 3, 1)
    assert rows(warehouse, "SELECT snapshot_date::VARCHAR, sum(on_hand) FROM stock GROUP BY 1") == [("2016-12-31", 25)]


def test_a_product_feeds_id_and_mrp_and_a_nil_placeholder(warehouse, tmp_path):
    # a Google Merchant Center feed names products by "id"; an Indian price list's MRP is the price and "Nill" is none
    rep = load(warehouse, tmp_path / "products-feed.csv", "ID,Title,Description,Availability,MRP,Brand,Category\nP-1,Oud Attar,Warm oud,in stock,352 AED,Arabian,Nill\n"
               "P-2,Rose Attar,Fresh rose,in stock,120 AED,Arabian,Perfume\n")
    assert (rep.table, rep.mapping["ID"], rep.mapping["MRP"]) == ("products", "product_id", "price")
    assert rows(warehouse, "SELECT product_id, price, category FROM products ORDER BY 1") == [("P-1", Decimal("352.00"), None), ("P-2", Decimal("120.00"), "Perfume")]


def test_a_paypal_activity_download_loads_its_incoming_payments_and_skips_the_rest_of_the_ledger(warehouse, tmp_path):
    # PayPal's activity download lists holds, card spending, authorizations and "Invoice Sent" memos beside the
    # payments received; Balance Impact says whether money came in. Payer: From Email Address.
    head = "Date,Time,Name,Type,Status,Currency,Gross,Fee,Net,From Email Address,Transaction ID,Invoice Number,Balance Impact\n"
    body = ('4/1/2022,06:09:53,TAKE 5,General PayPal Debit Card Transaction,Completed,USD,-72.78,0.00,-72.78,shop@example.com,T1,,Debit\n'
            "4/1/2022,06:09:53,PayPal,Reversal of General Account Hold,Completed,USD,72.78,0.00,72.78,,T2,,Credit\n"
            '4/2/2022,09:00:00,Ann,Website Payment,Completed,USD,"1,200.00",-35.10,"1,164.90",Ann@Example.com,T3,,Credit\n'
            "4/2/2022,09:00:01,Ann,Invoice Sent,Paid,USD,1200.00,0.00,1200.00,shop@example.com,T4,INV-7,Memo\n"
            "4/3/2022,10:00:00,Bo,PayPal Here Payment,Completed,USD,80.00,-2.62,77.38,bo@example.com,T5,,Credit\n"
            "4/4/2022,11:00:00,Supplies Inc,Express Checkout Payment,Completed,USD,-54.64,0.00,-54.64,shop@example.com,T6,,Debit\n"
            "4/5/2022,12:00:00,Bo,Payment Refund,Completed,USD,-20.00,0.50,-19.50,bo@example.com,T7,,Debit\n"
            "4/6/2022,13:00:00,Cy,Mobile Payment,Completed,USD,100.00,-3.20,96.80,ann@example.com,T8,,Credit\n"
            "4/7/2022,14:00:00,,General Withdrawal,Completed,USD,-1000.00,0.00,-1000.00,,T9,,Debit\n")
    rep = load(warehouse, tmp_path / "Download.CSV", head + body)
    # kept: the three payments received (T3, T5, T8) and the refund (T7); the card spending, the hold's
    # reversal, the memo, the purchase paid out (T6) and the withdrawal are skipped, each named
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (4, 0, 5)
    assert rep.mapping["From Email Address"] == "customer_id"
    skipped = next(n for n in rep.notes if n.startswith("skipped"))
    assert '1 Type "Invoice Sent" ledger row(s) (row 5)' in skipped and '1 Balance Impact "Debit" (money out) row(s) (row 7)' in skipped
    k = figures(warehouse, None, None)
    # GMV 1,200.00 + 80.00 + 100.00; the refund 20.00; Ann paid twice (her address in two cases), Bo once
    assert (k["gmv"], k["refunds"], k["customers"]) == (1380.0, 20.0, 2)


def test_an_ebay_transaction_report_is_its_orders_and_refunds_not_its_payouts_and_fees(warehouse, tmp_path):
    # eBay's Seller Hub transaction report: one Order row per item sold, beside fees, shipping labels, payouts,
    # transfers and holds, every one with an amount
    head = "Transaction date,Type,Order number,Buyer name,Net amount,Payout currency,Item ID,Item title,Quantity\n"
    body = ('"Jan 1, 2023",Other fee,16-09530-33898,Tim Pratt,-1.66,USD,394317,--,--\n'
            '"Jan 1, 2023",Order,16-09530-33898,Tim Pratt,19.00,USD,394317,Bionic Woman DVD,1\n'
            '"Dec 31, 2022",Payout,--,--,-4.67,USD,--,--,--\n'
            '"Dec 29, 2022",Shipping label,15-09518-53603,James Frakes,-3.88,USD,--,--,--\n'
            '"Dec 29, 2022",Order,15-09518-53603,James Frakes,19.75,USD,394399,Wii Sports,1\n'
            '"Dec 29, 2022",Transfer,--,--,-9.94,USD,--,--,--\n'
            '"Dec 28, 2022",Refund,15-09518-53603,James Frakes,-10.56,USD,394399,Wii Sports,--\n'
            '"Dec 27, 2022",Hold,15-09518-53603,James Frakes,12.99,USD,--,--,--\n')
    rep = load(warehouse, tmp_path / "Transaction-Report.csv", head + body)
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (3, 0, 5)
    k = figures(warehouse, None, None)
    # the two orders' 19.00 + 19.75, and the refund's 10.56 (before: every payout and fee was a "return")
    assert (k["gmv"], k["refunds"], k["orders"]) == (38.75, 10.56, 2)


def test_a_chinese_ledger_keeps_its_trades_and_refunds_and_a_payment_method_column_is_no_ledger(warehouse, tmp_path):
    # an Alipay 账务明细: 业务类型 beside 收支类型; a 提现 (withdrawal) and a 服务费 (service fee) are no sales
    rep = load(warehouse, tmp_path / "账务明细.csv", "入账时间,支付宝交易号,业务类型,收支类型,对方账户,金额（元）\n"
               "2023-05-01 10:00:00,A1,交易,收入,buyer1,30.00\n"
               "2023-05-01 11:00:00,A2,交易,收入,buyer2,45.50\n"
               "2023-05-02 09:00:00,A3,提现,支出,,-70.00\n"
               "2023-05-02 10:00:00,A4,服务费,支出,,-0.45\n"
               "2023-05-03 10:00:00,A5,交易退款,支出,buyer1,-30.00\n")
    assert (rep.rows_loaded, rep.rows_skipped) == (3, 2)
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["customers"]) == (75.5, 30.0, 2)
    # a payment method's "Bank Transfer" names no ledger entry: every order of this export loads
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Order Date,Payment Type,Amount\n"
               "W1,2023-06-01,Bank Transfer,10.00\nW2,2023-06-01,Credit Card,20.00\nW3,2023-06-02,Bank Transfer,5.00\n")
    assert (rep.rows_loaded, rep.rows_skipped) == (3, 0)


def test_a_log_whose_type_column_holds_event_codes_is_behaviour_read_by_the_codes_it_uses(warehouse, tmp_path):
    # JD's JData action log: the event column is headed just "type", codes 1-6 (3: a removal from the cart)
    head = "user_id,sku_id,time,type,cate\n"
    jd = ("1.0,10,2016-02-01 10:00:00,1,8\n1.0,10,2016-02-01 10:00:01,6,8\n1.0,10,2016-02-01 10:01:00,2,8\n"
          "1.0,10,2016-02-01 10:02:00,3,8\n2.0,11,2016-02-01 11:00:00,5,8\n2.0,11,2016-02-01 11:05:00,4,8\n")
    rep = load(warehouse, tmp_path / "JData_Action.csv", head + jd)
    assert (rep.table, rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == ("behavior", 5, 0, 1)
    assert any("read as JD's" in n for n in rep.notes)
    assert rows(warehouse, "SELECT event_type, count(*) FROM behavior GROUP BY 1 ORDER BY 1") == [
        ("cart", 1), ("favorite", 1), ("purchase", 1), ("view", 2)]
    # the same column with codes 1-4 only is Taobao's: 2 is a favourite, 3 the cart
    rep = load(warehouse, tmp_path / "UserBehavior.csv", head + "7,20,2017-11-25 09:00:00,1,4\n7,20,2017-11-25 09:01:00,2,4\n"
               "7,20,2017-11-25 09:02:00,3,4\n8,21,2017-11-25 09:03:00,4,4\n8,21,2017-11-25 09:04:00,1,4\n", table="behavior")
    assert (rep.rows_loaded, rep.rows_skipped) == (5, 0) and any("read as Taobao's" in n for n in rep.notes)
    assert rows(warehouse, "SELECT event_type, count(*) FROM behavior WHERE customer_id IN ('7', '8') GROUP BY 1 ORDER BY 1") == [
        ("cart", 1), ("favorite", 1), ("purchase", 1), ("view", 2)]
    # a Type column of other things (an order's kind) makes no behaviour log
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Customer,Date,Type,Amount\n"
               "A1,c1,2023-06-01,Normal,10.00\nA2,c2,2023-06-01,Presale,20.00\nA3,c1,2023-06-02,Normal,5.00\nA4,c3,2023-06-02,Normal,5.00\n"
               "A5,c3,2023-06-03,Presale,1.00\n")
    assert (rep.table, rep.rows_loaded) == ("sales", 5)
    # nor does a column headed "event" that holds no event types (Stripe's metadata: the show a ticket is for)
    rep = load(warehouse, tmp_path / "unified_payments.csv", "id,Created (UTC),Amount,Currency,Customer ID,event (metadata)\n"
               "ch_1,2023-01-05 10:00:00,30.00,usd,cus_1,Tango night\nch_2,2023-01-05 11:00:00,30.00,usd,cus_2,Tango night\n"
               "ch_3,2023-01-06 10:00:00,45.00,usd,cus_1,Live show\nch_4,2023-01-06 12:00:00,45.00,usd,cus_3,Live show\n"
               "ch_5,2023-01-07 10:00:00,45.00,usd,cus_4,Live show\n")
    assert (rep.table, rep.rows_loaded) == ("sales", 5)


def test_a_sheet_of_costs_per_day_is_no_wide_table_of_brands_and_a_platform_fee_no_channel(warehouse, tmp_path):
    # Meesho's payments workbook: its "Ads Cost" sheet (a date, then Campaign ID, Ad Cost, GST, Total Ads Cost)
    # became 60 sales lines of "brands" named Campaign ID, Ad Cost…, campaign ids as revenue (GMV 148 million)
    path = tmp_path / "ads_cost.csv"
    path.write_text("Deduction Duration,Deduction Date,Campaign ID,Ad Cost,Credits / Waivers / Discounts,GST,Total Ads Cost\n"
                    "2025-08-20,2025-08-22,14837470,6.02,0,-1.08,-7.1\n2025-08-19,2025-08-22,14837470,86.64,0,-15.6,-102.24\n"
                    "2025-08-14,2025-08-22,14715536,0.21,0,-0.04,-0.25\n2025-08-13,2025-08-22,14715536,205.94,0,-37.07,-243.01\n", encoding="utf-8")
    [rep] = ingest_file(warehouse, path)
    assert rep.status == "failed" and "fits no table" in rep.message
    # its Order Payments sheet's "Meesho gold platform fee" is an amount, not the sales channel
    g = suggest(["Sub Order No", "Order Date", "Listing Price (Incl. taxes)", "Quantity", "Meesho gold platform fee (Incl. GST)"],
                values=[["1871_1", "2025-08-13 13:20:27", "499", "1", "-12.5"], ["1872_1", "2025-08-14 10:00:00", "299", "1", "-7.5"]])
    assert "Meesho gold platform fee (Incl. GST)" not in g.mapping


def test_a_line_priced_by_quantity_and_price_is_less_its_discount(warehouse, tmp_path):
    # Odoo's sale lines: a free gift's Discount Amount is its Unit Price and its Subtotal is empty; it was
    # counted at full price (830.00). Lines with their Subtotal keep it.
    rep = load(warehouse, tmp_path / "sale.order.line.csv", '"Order Reference/Order Reference","Order Reference/Date","Customer/Name",'
               '"Description","Unit Price","Quantity","Discount Amount","Subtotal"\n'
               '"SO112","2014-11-25","Shop A","[SL1] Stroller","1390.0","1.0","0.0","1390.0"\n'
               '"SO112","2014-11-25","Shop A","[GF1] Gift bag","830.0","1.0","830.0",""\n'
               '"SO113","2014-11-26","Shop B","[SL2] Car seat","500.0","2.0","100.0",""\n')
    assert rep.rows_loaded == 3
    # 1,390.00 + 0.00 (the gift) + (2 × 500.00 − 100.00)
    assert figures(warehouse, None, None)["gmv"] == 2290.0
    # a file without amounts: GMV is after line discounts, whatever their sign; a returned line stays negative
    rep = load(warehouse, tmp_path / "lines.csv", "Order ID,Date,Product,Price,Qty,Discount\n"
               "P1,2024-02-01,A,20.00,3,-5.00\nP2,2024-02-01,B,10.00,1,\nP3,2024-02-02,A,20.00,-1,\n")
    assert rows(warehouse, "SELECT order_id, revenue, line_kind FROM sales WHERE order_id LIKE 'P%' ORDER BY 1") == [
        ("P1", Decimal("55.00"), "sale"), ("P2", Decimal("10.00"), "sale"), ("P3", Decimal("-20.00"), "return")]


def test_an_amount_net_of_refunds_has_its_refund_added_back_so_it_is_not_taken_off_twice(warehouse, tmp_path):
    # a Tmall order report: 买家实际支付金额 is what the buyer paid less the refund (总金额 = 买家实际支付金额 + 退款金额 on
    # every order with a refund); GMV had been the net amount and the refunds were taken off it once more
    rep = load(warehouse, tmp_path / "tmall_order_report.csv", "订单编号,总金额,买家实际支付金额,收货地址 ,订单创建时间,订单付款时间 ,退款金额\n"
               "1,327.7,148.9,上海,2020-02-01 10:00:00,2020-02-01 10:01:00,178.8\n"
               "2,21.0,21.0,浙江省,2020-02-01 11:00:00,2020-02-01 11:00:05,0.0\n"
               "3,100.0,60.0,安徽省,2020-02-02 09:00:00,2020-02-02 09:00:10,40.0\n"
               "4,50.0,0.0,湖南省,2020-02-02 12:00:00,2020-02-02 12:00:09,50.0\n"
               "5,80.0,80.0,上海,2020-02-03 12:00:00,2020-02-03 12:00:09,0.0\n")
    assert rep.rows_loaded == 5 and any("退款金额" in n and "总金额" in n for n in rep.notes)
    k = figures(warehouse, None, None)
    # GMV: the totals 327.7 + 21 + 100 + 50 + 80; refunds 178.8 + 40 + 50; net sales what was paid (148.9 + 21 + 60 + 0 + 80)
    assert (k["gmv"], k["refunds"], k["net_sales"]) == (578.7, 268.8, 309.9)


def test_a_bookshops_sales_at_cover_price_are_its_revenue_and_what_it_received_comes_first(tmp_path):
    # a publisher's daily sales: 销售码洋 is the sales at cover price (GMV was 0 without it); 实洋, what was received, wins beside it
    g = suggest(["日期", "商品名称", "成交件数", "销售码洋"], values=[["2019-01-01", "零基础学Python（全彩版）", "28", "2234.4"]])
    assert g.table == "sales" and g.mapping["销售码洋"] == "revenue"
    g = suggest(["日期", "书名", "册数", "码洋", "实洋"], values=[["2019-01-01", "零基础学C语言", "20", "1396", "977.2"]])
    assert g.mapping["实洋"] == "revenue" and "码洋" not in g.mapping


def test_drafts_and_rejected_orders_count_nowhere_and_an_orders_kind_is_no_category(warehouse, tmp_path):
    # a Chinese CRM's 订单报表: 未提交 (not submitted) and 已驳回 (rejected) orders are no sales; 订单类别 ("1次下单",
    # the customer's nth order) is no product category. Odoo's draft quotations count nowhere either.
    rep = load(warehouse, tmp_path / "订单报表.csv", "订单ID,客户ID,订单状态,下单时间,订单类别,实收金额\n"
               "2000241,K1,已签收,2022-03-01 10:00:00,1次下单,897.00\n2000242,K2,未提交,2022-03-01 11:00:00,1次下单,450.00\n"
               "2000243,K1,已驳回,2022-03-02 09:00:00,2次下单,120.00\n2000244,K3,已发货,2022-03-02 10:00:00,1次下单,60.50\n"
               "2000245,K4,已取消,2022-03-03 10:00:00,1次下单,30.00\n")
    assert rep.rows_loaded == 5 and "订单类别" not in rep.mapping
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (957.5, 2, 2)  # 897.00 + 60.50
    rep = load(warehouse, tmp_path / "sale.order.csv", "Order Reference,Order Date,Customer,Status,Total\n"
               "SO001,2014-11-20,Shop A,Sales Order,100.00\nSO002,2014-11-21,Shop B,Quotation,250.00\n"
               "SO003,2014-11-22,Shop A,Draft,80.00\nSO004,2014-11-23,Shop C,Quotation Sent,40.00\nSO005,2014-11-24,Shop B,Done,10.00\n")
    assert rows(warehouse, "SELECT count(*) FILTER (WHERE line_kind = 'cancelled'), sum(revenue) FILTER (WHERE line_kind = 'sale') "
                "FROM sales WHERE order_id LIKE 'SO%'") == [(3, Decimal("110.00"))]


def test_an_orders_total_is_less_its_shipping_and_a_count_of_products_is_no_amount(warehouse, tmp_path):
    # WooCommerce order lines: the order's total (with its shipping) and its shipping on every line, "Total
    # products" the count of its lines; free shipping (0) on some orders. GMV had been the count (576.00 for
    # a real export), then the totals with their shipping.
    rep = load(warehouse, tmp_path / "woo.csv", "Order Number,Order Status,Order Date,Item Name,Total products,Order Total Amount,Order Shipping Amount\n"
               "16379,Completed,2025/12/31 11:23,Butter 250ml,2,370.0,60\n16379,Completed,2025/12/31 11:23,Kojic soap,2,370.0,60\n"
               "16380,Completed,2025/12/31 12:00,Butter 250ml,2,500.0,0\n16380,Completed,2025/12/31 12:00,Body oil,2,500.0,0\n"
               "16381,Completed,2025/12/30 09:00,Kojic soap,3,245.0,45\n16381,Completed,2025/12/30 09:00,Body oil,3,245.0,45\n"
               "16381,Completed,2025/12/30 09:00,Butter 250ml,3,245.0,45\n16382,Cancelled,2025/12/29 09:00,Body oil,1,99.0,0\n")
    assert rep.mapping["Order Total Amount"] == "revenue@order" and rep.mapping["Order Shipping Amount"] == "shipping_fee@order"
    assert "Total products" not in rep.mapping
    k = figures(warehouse, None, None)
    # (370 − 60) + (500 − 0) + (245 − 45); the cancelled order counts nowhere
    assert (k["gmv"], k["orders"]) == (1010.0, 3)
    assert rows(warehouse, "SELECT sum(shipping_fee) FROM sales WHERE line_kind = 'sale'") == [(Decimal("105.00"),)]
    # an items' total leaves the shipping beside it alone
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Order Date,Item Total,Shipping\nX1,2025-01-02,30.00,5.00\nX2,2025-01-03,20.00,5.00\n")
    assert rows(warehouse, "SELECT sum(revenue) FROM sales WHERE order_id LIKE 'X%'") == [(Decimal("50.00"),)]


def test_an_amount_before_discounts_has_its_discount_taken_off(warehouse, tmp_path):
    # Etsy's sold orders: Order Value is the items before the shop's discount (Discount Amount); GMV is after it
    rep = load(warehouse, tmp_path / "EtsySoldOrders2023.csv", "Sale Date,Order ID,Buyer,Number of Items,Currency,Order Value,Discount Amount,Shipping,Order Total\n"
               "01/03/23,2901,anna,1,USD,40.00,4.00,5.00,41.00\n01/04/23,2902,bo,2,USD,25.50,0,4.00,29.50\n01/05/23,2903,cy,1,USD,18.00,1.80,3.00,19.20\n")
    assert any("Order Value" in n and "Discount Amount" in n for n in rep.notes)
    assert figures(warehouse, None, None)["gmv"] == 77.7  # 36.00 + 25.50 + 16.20


def test_a_zone_named_on_each_row_converts_the_times_into_shop_time(warehouse, tmp_path, monkeypatch):
    # PayPal's activity download writes each time in the zone its TimeZone column names (PDT in summer,
    # PST in winter); they were taken as shop time, 15 or 16 hours off for a shop in Shanghai
    monkeypatch.setenv("ECOM_TIMEZONE", "Asia/Shanghai")
    rep = load(warehouse, tmp_path / "Download.CSV", "Date,Time,TimeZone,Name,Type,Status,Currency,Gross,Transaction ID\n"
               "4/1/2022,06:09:53,PDT,Ann,Website Payment,Completed,USD,10.00,T1\n"
               "1/15/2022,23:30:00,PST,Bo,Website Payment,Completed,USD,20.00,T2\n"
               "7/1/2022,12:00:00,Europe/Paris,Cy,Website Payment,Completed,USD,30.00,T3\n"
               "7/2/2022,12:00:00,+05:30,Di,Website Payment,Completed,USD,40.00,T4\n"
               "7/3/2022,12:00:00,CST,Ed,Website Payment,Completed,USD,50.00,T5\n")
    assert any("TimeZone" in n for n in rep.notes)
    assert [t for (t,) in rows(warehouse, "SELECT order_time FROM sales ORDER BY revenue")] == [
        datetime(2022, 4, 1, 21, 9, 53),   # 06:09:53 PDT = 13:09:53 UTC
        datetime(2022, 1, 16, 15, 30),     # 23:30 PST = 07:30 UTC the next day
        datetime(2022, 7, 1, 18, 0),       # 12:00 in Paris in summer = 10:00 UTC
        datetime(2022, 7, 2, 14, 30),      # 12:00 +05:30 = 06:30 UTC
        datetime(2022, 7, 3, 12, 0),       # CST is China's or US Central time: not read, the time stays shop time
    ]


def test_order_statuses_of_southeast_asian_and_european_marketplaces_are_read(warehouse, tmp_path):
    # a Shopee Vietnam export's cancelled (Đã hủy) and unpaid (Chưa thanh toán) orders; Indonesian, Thai and
    # Spanish statuses beside them. A cancelled line had counted as a sale with a refund.
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Order Date,Status,Amount\n"
               "V1,2026-03-01,Hoàn thành,100.00\nV2,2026-03-01,Đã hủy,50.00\nV3,2026-03-02,Chưa thanh toán,20.00\n"
               "I1,2026-03-02,Selesai,30.00\nI2,2026-03-03,Dibatalkan,40.00\nT1,2026-03-03,ยกเลิก,60.00\n"
               "E1,2026-03-04,Entregado,70.00\nE2,2026-03-04,Reembolsado,80.00\n")
    assert rep.rows_loaded == 8
    assert dict(rows(warehouse, "SELECT order_id, order_status FROM sales")) == {
        "V1": "completed", "V2": "cancelled", "V3": "pending", "I1": "completed", "I2": "cancelled", "T1": "cancelled",
        "E1": "completed", "E2": "refunded"}
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (300.0, 80.0, 5)  # 100 + 20 + 30 + 70 + 80; E2's 80 refunded
    # a column of notes whose sentences hold a status word is no status; the short labels beside it are
    notes = ["Trạng thái của sản phẩm đang chờ xử lý, hoa hồng sẽ chỉ được thanh toán khi nó được hoàn thành", "Đơn hàng bị hủy bởi người mua."]
    labels = ["Đang chờ xử lý", "Đã hủy", "Hoàn thành"]
    g = suggest(["ID", "Thời Gian Đặt Hàng", "Ghi chú sản phẩm", "Trạng thái đặt hàng", "Giá"],
                values=[[f"{i}", "2026-03-01 10:00:00", notes[i % 2], labels[i % 3], "10"] for i in range(12)], table="sales")
    assert g.mapping.get("Trạng thái đặt hàng") == "order_status" and "Ghi chú sản phẩm" not in g.mapping


def test_a_line_whose_status_changed_between_two_overlapping_exports_counts_once(warehouse, tmp_path):
    # two Shopee exports a day apart, one data set, no line numbers: an order pending in the first is completed
    # in the second; by its whole content the line was new and its GMV counted twice
    head = "Order ID,Order Date,Item id,Status,Amount\n"
    (tmp_path / "day1.csv").write_text(head + "S1,2026-04-15 10:00:00,I1,Đang chờ xử lý,100.00\nS2,2026-04-15 11:00:00,I2,Hoàn thành,50.00\n",
                                       encoding="utf-8")
    (tmp_path / "day2.csv").write_text(head + "S1,2026-04-15 10:00:00,I1,Hoàn thành,100.00\nS2,2026-04-15 11:00:00,I2,Hoàn thành,50.00\n"
                                       "S3,2026-04-16 09:00:00,I1,Hoàn thành,30.00\n", encoding="utf-8")
    [first] = ingest_files(warehouse, [tmp_path / "day1.csv"], dataset="shopee")
    [second] = ingest_files(warehouse, [tmp_path / "day2.csv"], dataset="shopee")
    assert (first.rows_loaded, second.rows_loaded, second.rows_duplicate) == (2, 1, 2)
    assert figures(warehouse, None, None)["gmv"] == 180.0  # 100 + 50 + 30
    # orders numbered again from 1 in each month's file, in one data set, are other orders
    (tmp_path / "may.csv").write_text("Order ID,Order Date,Item id,Amount\n1,2026-05-01 10:00:00,I1,10.00\n", encoding="utf-8")
    (tmp_path / "june.csv").write_text("Order ID,Order Date,Item id,Amount\n1,2026-06-01 10:00:00,I1,10.00\n", encoding="utf-8")
    [may] = ingest_files(warehouse, [tmp_path / "may.csv"], dataset="monthly")
    [june] = ingest_files(warehouse, [tmp_path / "june.csv"], dataset="monthly")
    assert (may.rows_loaded, june.rows_loaded) == (1, 1)


def test_a_shopee_vietnam_export_names_its_columns_in_vietnamese_and_a_mapped_order_id_says_no_made_up_orders(warehouse, tmp_path):
    # Shopee Vietnam's order report: no header was read (GMV 0, each line its own order, amounts in CNY)
    rep = load(warehouse, tmp_path / "AffiliateCommissionReport.csv", "ID đơn hàng,Trạng thái đặt hàng,Thời Gian Đặt Hàng,Tên Shop,Item id,Tên Item,Giá(₫),"
               "Số lượng,Giá trị đơn hàng (₫),Số tiền hoàn trả (₫)\n"
               "2604171NVKG7D8,Hoàn thành,2026-04-16 10:00:00,Shop A,11,Áo thun,73426,1,63426,0\n"
               "2604171NVKG7D8,Hoàn thành,2026-04-16 10:00:00,Shop A,12,Quần short,165000,1,130400,0\n"
               "2604171NE40R9C,Đã hủy,2026-04-16 11:00:00,Shop B,13,Giày,435000,0,0,365400\n"
               "2604171NA55XG3,Đang chờ xử lý,2026-04-16 12:00:00,Shop B,14,Mũ,460000,1,335393,0\n")
    assert {rep.mapping[k] for k in ("ID đơn hàng", "Trạng thái đặt hàng", "Giá trị đơn hàng (₫)", "Số lượng")} == {
        "order_id", "order_status", "revenue", "quantity"}
    k = figures(warehouse, None, None)
    # 63,426 + 130,400 + 335,393 in two orders; the cancelled one counts nowhere
    assert (k["currency"], k["gmv"], k["refunds"], k["orders"]) == ("VND", 529219.0, 0.0, 2)
    # an order id a person maps is no made-up one: the note that each line is its own order goes
    path = tmp_path / "refs.csv"
    path.write_text("Ref,Date,Amount\nA1,2024-01-01,5\nA2,2024-01-02,7\n", encoding="utf-8")
    [mapped] = ingest_file(warehouse, path, mapping={"Ref": "order_id"})
    assert mapped.rows_loaded == 2 and not any("own order" in n for n in mapped.notes)


def test_an_orders_type_is_no_event_column(warehouse, tmp_path):
    # a column of one event word (Order beside a few Returns) or an order type coded 1 and 2 names no behaviour
    # log: the file stays order lines
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Customer,Date,Type,Amount\n"
               + "".join(f"A{i},c{i % 4},2023-06-0{1 + i % 9},Order,10.00\n" for i in range(12)) + "A99,c1,2023-06-09,Return,-10.00\n")
    assert (rep.table, rep.rows_loaded) == ("sales", 13)
    rep = load(warehouse, tmp_path / "订单.csv", "订单编号,买家ID,下单时间,订单类型,实付金额\n"
               + "".join(f"B{i},u{i % 3},2023-07-0{1 + i % 9} 10:00:00,{1 + i % 2},20.00\n" for i in range(10)))
    assert (rep.table, rep.rows_loaded) == ("sales", 10)


def test_a_chinese_shipping_address_gives_the_province_as_region_and_each_province_is_named_one_way(warehouse, tmp_path):
    # Tmall's order report: 收货地址 holds the province, written 上海, 安徽省 or 内蒙古自治区 in one file; a
    # Taobao export's holds whole addresses; a file of another shop names the province in 省份, some in
    # traditional characters. Each province is one region, by its full name: 安徽省 of 安徽省 and 安徽 alike
    rep = load(warehouse, tmp_path / "tmall.csv", "订单编号,总金额,买家实际支付金额,收货地址 ,订单创建时间\n"
               "1,10.00,10.00,上海,2020-02-21 00:00:00\n2,20.00,20.00,内蒙古自治区,2020-02-20 23:59:54\n"
               "3,30.00,30.00,安徽省,2020-02-20 23:59:35\n4,40.00,40.00,安徽省,2020-02-20 23:58:34\n"
               "5,50.00,50.00,广西壮族自治区,2020-02-20 23:57:00\n6,60.00,60.00,上海,2020-02-20 23:56:00\n")
    assert rep.mapping["收货地址"] == "region"
    rep = load(warehouse, tmp_path / "taobao.csv", "订单编号,买家会员名,买家实际支付金额,订单状态,收货地址,订单创建时间\n"
               "7,tb1,7.00,交易成功,安徽省 合肥市 蜀山区 长江西路1号,2020-03-01 10:00:00\n"
               "8,tb2,8.00,交易成功,北京 北京市 朝阳区 建国路2号,2020-03-01 11:00:00\n"
               "9,tb3,9.00,交易成功,中国 上海 上海市 浦东新区 世纪大道3号,2020-03-01 12:00:00\n"
               "10,tb4,10.00,交易成功,内蒙古自治区 呼和浩特市 新城区 4号,2020-03-01 13:00:00\n"
               "11,tb5,11.00,交易成功,广东省 深圳市 南山区 5号,2020-03-01 14:00:00\n")
    assert rep.preset == "taobao" and rep.mapping["收货地址"] == "region"
    rep = load(warehouse, tmp_path / "shop.csv", "订单号,金额,省份,下单时间\n"
               "12,12.00,臺灣,2020-03-02 10:00:00\n13,13.00,安徽,2020-03-02 11:00:00\n14,14.00,广东省,2020-03-02 12:00:00\n"
               "15,15.00,CA,2020-03-02 13:00:00\n16,16.00,华东,2020-03-02 14:00:00\n")
    assert rep.mapping["省份"] == "region"
    assert dict(rows(warehouse, "SELECT region, sum(revenue) FROM sales GROUP BY 1")) == {
        "上海市": Decimal("79.00"), "内蒙古自治区": Decimal("30.00"), "安徽省": Decimal("90.00"), "广西壮族自治区": Decimal("50.00"),
        "北京市": Decimal("8.00"), "广东省": Decimal("25.00"), "台湾": Decimal("12.00"), "CA": Decimal("15.00"), "华东": Decimal("16.00")}
    regions = breakdown(warehouse, Filters(date(2020, 1, 1), date(2020, 12, 31)), "region")
    assert dict(zip(regions.key, regions.gmv, strict=True))["安徽省"] == 90.0  # 30 + 40 + 7 + 13


def test_an_address_that_is_no_chinese_province_is_no_region(warehouse, tmp_path):
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Total,Shipping Address,Created At\n"
               + "".join(f"A{i},{i}.00,{i} Main St Springfield IL,2024-01-0{i}\n" for i in range(1, 7)))
    assert "region" not in rep.mapping.values()


def test_a_file_of_returns_loads_as_returns_not_as_new_orders(warehouse, tmp_path):
    # Amazon's OrdersReturned beside its order history: a return's own id on each line (one id on each
    # line of a return of several items), its amount state no region; a declined return counts nowhere
    load(warehouse, tmp_path / "Retail.OrderHistory.1.csv", "Order ID,Order Date,Currency,Total Owed,Quantity,Order Status\n"
         "702-1,2024-07-01T10:00:00Z,CAD,30.00,1,Closed\n702-2,2024-07-02T10:00:00Z,CAD,50.00,2,Closed\n702-3,2024-07-03T10:00:00Z,CAD,20.00,1,Closed\n")
    rep = load(warehouse, tmp_path / "Retail.OrdersReturned.1.csv",
               "Website,ReversalID,OrderID,CreationDate,Quantity,Currency,ReversalStatus,ReversalAmountState,ReversalReason,DirectDebitRefundAmount\n"
               "Amazon.ca,Ni8S,702-1,2024-07-25T19:03:35.340Z,1,CAD,Completed,Final,Customer return,30.00\n"
               "Amazon.ca,mVJp,702-2,2024-07-18T22:27:55.006Z,1,CAD,Completed,Final,Customer return,25.00\n"
               "Amazon.ca,mVJp,702-2,2024-07-18T22:27:55.006Z,1,CAD,Completed,Final,Customer return,25.00\n"
               "Amazon.ca,QSgz,702-3,2024-07-20T10:00:00.000Z,1,CAD,Declined,Final,Undeliverable,20.00\n"
               "Amazon.ca,FTHI,702-1,2024-07-26T10:00:00.000Z,1,CAD,Completed,Final,Customer return,0\n")
    assert rep.rows_loaded == 5 and "region" not in rep.mapping.values()
    assert any("ReversalID" in n for n in rep.notes)
    assert rows(warehouse, "SELECT line_kind, count(*), sum(revenue) FROM sales WHERE _upload_id = 2 GROUP BY 1 ORDER BY 1") == [
        ("cancelled", 1, Decimal("-20.00")), ("return", 4, Decimal("-80.00"))]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (100.0, 80.0, 3)  # the returns are no orders; 30 + 25 + 25 + 0 refunded


def test_a_refund_report_is_dated_by_its_refunds_and_a_closed_refund_is_none(warehouse, tmp_path):
    # Taobao's refund report: its rows are refunds, dated by the refund's request time; 退款关闭 and a
    # seller's refusal are refunds not made. In an order export, 退款关闭 leaves the sale as it was
    rep = load(warehouse, tmp_path / "退款报表.csv", "订单编号,退款编号,买家实际支付金额,买家退款金额,订单付款时间,退款的申请时间,退款状态,宝贝标题\n"
               "1001,R1,100.00,100.00,2024-02-20 10:00:00,2024-03-01 10:00:00,退款成功,连衣裙\n"
               "1002,R2,80.00,30.00,2024-02-21 10:00:00,2024-03-02 10:00:00,退款成功,T恤\n"
               "1003,R3,50.00,50.00,2024-02-22 10:00:00,2024-03-02 11:00:00,退款关闭,袜子\n"
               "1004,R4,60.00,60.00,2024-02-23 10:00:00,2024-03-03 12:00:00,卖家拒绝退款,帽子\n"
               "1005,R5,40.00,20.00,2024-02-24 10:00:00,2024-03-04 09:00:00,退款中,围巾\n")
    assert rep.mapping["退款的申请时间"] == "order_time" and rep.rows_loaded == 5
    assert rows(warehouse, "SELECT count(*), min(order_time)::DATE, max(order_time)::DATE FROM sales WHERE line_kind = 'return'") == [
        (3, date(2024, 3, 1), date(2024, 3, 4))]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (0.0, 150.0, 0)  # 100 + 30 + 20
    rep = load(warehouse, tmp_path / "orders.csv", "订单号,客户,金额,售后状态,下单时间\n"
               "2001,a,70.00,退款关闭,2024-03-05 10:00:00\n2002,b,90.00,退款成功,2024-03-05 11:00:00\n")
    assert rep.mapping["售后状态"] == "order_status"
    assert rows(warehouse, "SELECT line_kind, order_status FROM sales WHERE _upload_id = 2 ORDER BY order_id") == [
        ("sale", "refund_closed"), ("sale", "refunded")]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (160.0, 240.0, 2)  # the refunds above and 2002's 90


def test_a_returns_report_dated_only_by_its_returns_loads_as_returns_and_a_refund_id_on_a_few_lines_leaves_sales(warehouse, tmp_path):
    # an FBA customer returns report has no order time, only return-date
    rep = load(warehouse, tmp_path / "fba_returns.csv", "return-date,order-id,sku,asin,product-name,quantity,detailed-disposition,reason,status\n"
               + "".join(f"2024-05-0{i}T08:00:00+00:00,111-{i},SKU{i},B0{i},Mug {i},{i},SELLABLE,UNWANTED_ITEM,Unit returned to inventory\n"
                         for i in range(1, 6)))
    assert rep.table == "sales" and rep.mapping["return-date"] == "order_time"
    assert rows(warehouse, "SELECT line_kind, count(*), sum(quantity) FROM sales GROUP BY 1") == [("return", 5, -15)]
    rep = load(warehouse, tmp_path / "orders.csv", "Order ID,Created At,Total,Refund ID\n"
               + "".join(f"S{i},2024-05-0{i} 10:00:00,{i}0.00,{'RF9' if i == 3 else ''}\n" for i in range(1, 8)))
    assert rows(warehouse, f"SELECT line_kind, count(*) FROM sales WHERE _upload_id = {rep.upload_id} GROUP BY 1") == [("sale", 7)]


# A fourth round: Etsy, Gumroad, Lemon Squeezy and eBay downloads; TikTok Shop, Shopee and SHEIN
# Brazil, a Thai live-commerce shop


def test_a_coupon_amount_below_one_is_an_amount_and_yes_no_columns_are_no_amounts_or_channels(warehouse, tmp_path):
    # Etsy writes an order's coupon once, on its first item line (1.00, 0.83): amounts, not rates of 100%
    # and 83%. Gumroad's Refunded? (0/1) is no refund amount (its Partial Refund ($) is); Lemon
    # Squeezy's Is Marketplace is no channel; a refund written negative is money back all the same
    rep = load(warehouse, tmp_path / "EtsySoldOrderItems2020.csv", "Sale Date,Item Name,Buyer,Quantity,Price,Discount Amount,Order ID,Item Total\n"
               "07/17/20,Sticker A,ann,2,3.30,1.00,185,6.60\n07/18/20,Sticker B,bob,1,5.50,0.83,186,5.50\n"
               "07/19/20,Sticker C,cat,1,8.80,0.88,187,8.80\n07/20/20,Sticker D,dan,1,4.00,0,188,4.00\n")
    assert rep.mapping["Discount Amount"] == "discount"
    assert rows(warehouse, "SELECT sum(discount), count(discount_rate) FROM sales") == [(Decimal("2.71"), 0)]
    rep = load(warehouse, tmp_path / "gumroad.csv", "Purchase ID,Item Name,Purchase Date,Subtotal ($),Refunded?,Partial Refund ($),Is Marketplace,Order Number\n"
               "p1,Course,2024-01-01,99.99,1,30.00,No,1\np2,Course,2024-01-02,99.99,0,0,No,2\np3,Ebook,2024-01-03,19.99,0,-5.00,-,3\n")
    assert "Refunded?" not in rep.mapping and "Is Marketplace" not in rep.mapping and rep.mapping["Partial Refund ($)"] == "refund_amount"
    assert rows(warehouse, f"SELECT sum(refund_amount), count(channel) FROM sales WHERE _upload_id = {rep.upload_id}") == [(Decimal("35.00"), 0)]


def test_a_tiktok_shop_export_is_read_by_its_line_amounts_and_a_platform_discount_is_no_channel(warehouse, tmp_path):
    # TikTok Shop (the same English headers in every country): Order Amount is what the buyer paid for
    # the order, shipping and taxes in; the line's GMV is its SKU Subtotal After Discount
    head = ("Order ID,Order Status,SKU ID,Product Name,Quantity,SKU Subtotal Before Discount,SKU Platform Discount,SKU Seller Discount,"
            "SKU Subtotal After Discount,Shipping Fee After Discount,Order Amount,Created Time,Paid Time,Buyer Username,State\n")
    rep = load(warehouse, tmp_path / "tiktok.csv", head
               + '582,Enviado,17,Pulseira,1,"BRL 19,90","BRL 0,00","BRL 0,00","BRL 19,90","BRL 10,80","BRL 32,13",02/01/2026 4:25:15 PM,02/01/2026 4:25:53 PM,rhuan,SC\n'
               + '583,Enviado,18,Colar,2,"BRL 39,80","BRL 0,57","BRL 1,00","BRL 38,23","BRL 11,30","BRL 49,53",02/01/2026 2:55:52 PM,02/01/2026 2:56:02 PM,ftig,RR\n'
               + '584,Concluído,17,Pulseira,1,"BRL 19,90","BRL 0,00","BRL 0,00","BRL 19,90","BRL 0,00","BRL 19,90",02/02/2026 9:00:00 AM,02/02/2026 9:01:00 AM,rhuan,SC\n')
    assert {k: rep.mapping.get(k) for k in ("SKU Subtotal After Discount", "Created Time", "Buyer Username", "SKU Platform Discount")} == {
        "SKU Subtotal After Discount": "revenue", "Created Time": "order_time", "Buyer Username": "customer_id", "SKU Platform Discount": None}
    k = figures(warehouse, None, None)
    assert (k["currency"], k["gmv"], k["orders"], k["customers"]) == ("BRL", 78.03, 3, 2)  # 19.90 + 38.23 + 19.90


def test_a_shopee_brazil_export_is_read_in_portuguese_and_a_weight_or_cashback_is_no_product_or_shop(warehouse, tmp_path):
    # Valor Total is the product subtotal plus the shipping the buyer paid; an unpaid order (Não pago) is pending
    rep = load(warehouse, tmp_path / "shopee.csv",
               "ID do pedido,Status do pedido,Data de criação do pedido,Nome do Produto,Número de referência SKU,Preço acordado,Quantidade,"
               "Subtotal do produto,Peso total SKU,Seller Absorbed Coin Cashback,Compensar Moedas Shopee,Valor Total,Taxa de envio pagas pelo comprador,"
               "Nome de usuário (comprador)\n"
               "2601A,Entregue,2026-01-28 00:11,Colar,COR-UTAH,16.90,1,16.90,0.010,0.00,0,16.90,0.00,matheus\n"
               "2601B,A Enviar,2026-01-28 00:25,Colar,CA-96,29.90,1,29.90,0.010,0.00,0,39.90,10.00,pedro\n"
               "2601C,Não pago,2026-01-28 00:28,Colar,CA-93,22.90,2,45.80,0.300,0.00,331,45.80,0.00,matheus\n")
    assert {k: rep.mapping.get(k) for k in ("ID do pedido", "Subtotal do produto", "Número de referência SKU", "Peso total SKU",
                                            "Seller Absorbed Coin Cashback", "Nome de usuário (comprador)")} == {
        "ID do pedido": "order_id", "Subtotal do produto": "revenue", "Número de referência SKU": "product_id", "Peso total SKU": None,
        "Seller Absorbed Coin Cashback": None, "Nome de usuário (comprador)": "customer_id"}
    assert rows(warehouse, "SELECT order_status FROM sales ORDER BY order_id") == [("completed",), ("paid",), ("pending",)]
    k = figures(warehouse, None, None)
    # 16.90 + 29.90 + 45.80: the shipping is not GMV; Shopee's coins (moedas) are no currency
    assert (k["currency"], k["gmv"], k["orders"], k["customers"]) == (settings.get("ECOM_CURRENCY"), 92.60, 3, 2)


def test_a_band_of_group_titles_above_the_header_is_skipped(warehouse, tmp_path):
    # SHEIN's seller orders: a row of group titles, each written over every column it spans, then the header
    band = ",".join(["Solicite informações básicas"] * 6 + ["Fornecedor de logística"] + ["Solicite informações básicas"] * 2)
    rep = load(warehouse, tmp_path / "shein.csv", band + "\n"
               "Tipo de pedido,Número do pedido,Status do pedido,Nome do produto,SHEIN-SKU,Data e hora de criação do pedido,Código de rastreio,Moeda do vendedor,Preço do produto\n"
               "Pedido normal,GSH1,Enviado,Colar Cruz,I17y,03 fevereiro 2026 00:41,137300,BRL,22.9\n"
               "Pedido normal,GSH2,Enviado,Colar Verde,I934,03 fevereiro 2026 00:16,888001,BRL,24.9\n"
               "Pedido normal,GSH2,Reembolsado por cliente,Colar Azul,I935,03 fevereiro 2026 00:16,888001,BRL,20.0\n")
    assert (rep.table, rep.rows_loaded, rep.mapping["Número do pedido"]) == ("sales", 3, "order_id")
    k = figures(warehouse, None, None)
    assert (k["currency"], k["gmv"], k["refunds"], k["orders"]) == ("BRL", 67.8, 20.0, 2)


def test_a_thai_shops_order_sheet_is_sales_not_reviews_of_its_item_codes(warehouse, tmp_path):
    # a Facebook-live shop's sheet: its Comment column holds the buyers' item codes (ก16, T798m), no reviews
    rep = load(warehouse, tmp_path / "order.csv", "เลขที่ Order,ลำดับที่,ชื่อลูกค้า,จังหวัด,จำนวนเงิน,ส่วนลด,ค่าส่ง,รหัสสินค้า,Comment,จำนวน,ราคา,วันที่-เวลา\n"
               "133246,1,ศิริพร,สุรินทร์,1070,0,29,ก16,ก16,1,290,2023-12-13 20:24:14\n"
               "133246,2,ศิริพร,สุรินทร์,1070,0,29,ก17,ก17m,1,390,2023-12-13 20:24:38\n"
               "133246,3,ศิริพร,สุรินทร์,1070,0,29,ก18,ก18xl,1,390,2023-12-13 20:18:53\n"
               "133247,1,มะลิวัลย์,อุดรธานี,1580,0,29,T798,T798m,2,790,2023-12-13 20:40:23\n")
    assert rep.table == "sales" and rep.mapping["เลขที่ Order"] == "order_id" and rep.mapping["วันที่-เวลา"] == "order_time"
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (2650.0, 2, 2)  # the order amounts 1,070 and 1,580, without the shipping


def test_an_etsy_review_download_keeps_its_dates_and_messages(warehouse, tmp_path):
    rep = load(warehouse, tmp_path / "reviews.json", '[{"reviewer":"dom","date_reviewed":"07/12/2023","star_rating":5,"message":"Great customer service! Would purchase again.","order_id":2931837964},'
               '{"reviewer":"Vinnie","date_reviewed":"12/11/2022","star_rating":4,"message":"","order_id":2672096215},'
               '{"reviewer":"Emery","date_reviewed":"12/10/2022","star_rating":5,"message":"Cute stickers, fast shipping.","order_id":2671}]')
    assert rep.table == "reviews" and rep.mapping["date_reviewed"] == "review_time" and rep.mapping["message"] == "review_text"
    assert rows(warehouse, "SELECT review_time::DATE, review_text FROM reviews ORDER BY review_time") == [
        (date(2022, 12, 10), "Cute stickers, fast shipping."), (date(2022, 12, 11), None),
        (date(2023, 7, 12), "Great customer service! Would purchase again.")]


def test_a_header_line_that_ends_with_a_separator_is_no_sign_of_a_cut_file_and_a_listing_title_names_the_product(warehouse, tmp_path):
    # eBay's Listings & Sales report: its header ends with a comma its rows do not have
    rep = load(warehouse, tmp_path / "eBay-ListingsSalesReport.csv", "eBay item ID,Listing title,Store category L1,Average Selling price,\n"
               "1234,Vintage mug,Kitchen,12.00\n1235,Tea towel,Kitchen,8.50\n1236,Egg cup,Kitchen,4.25\n", table="products")
    assert rep.rows_loaded == 3 and not any("cut short" in n for n in rep.notes)
    assert rows(warehouse, "SELECT product_name FROM products ORDER BY product_id") == [("Vintage mug",), ("Tea towel",), ("Egg cup",)]


def test_rows_under_the_header_that_describe_its_columns_are_skipped_but_sentences_of_a_review_file_are_data(warehouse, tmp_path):
    # TikTok Shop's order export: the row under its header says what each column holds
    rep = load(warehouse, tmp_path / "tiktok.csv", "Order ID,Order Status,SKU ID,Quantity,SKU Subtotal After Discount,Created Time\n"
               "Platform unique order ID.,Current order status.,Platform SKU ID.,SKU sold quantity in the order.,"
               "It equals SKU Subtotal Before Discount - SKU Platform Discount - SKU Seller Discount.,Order created time.\n"
               "582,Shipped,17,1,19.90,02/01/2026 4:25:15 PM\n583,Shipped,18,2,38.23,02/01/2026 2:55:52 PM\n")
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (2, 0, 0)
    assert any("Platform unique order ID." in n for n in rep.notes)
    assert rows(warehouse, "SELECT order_id, _source_row FROM sales ORDER BY order_id") == [("582", 3), ("583", 4)]
    rep = load(warehouse, tmp_path / "reviews.csv", "Review,Rating,Date\n"
               "Arrived on time and works well.,5,2024-01-01\nThe strap broke after a week.,1,2024-01-02\nGood value for the money.,4,2024-01-03\n")
    assert (rep.table, rep.rows_loaded) == ("reviews", 3)


def test_a_payouts_file_whose_sale_column_names_its_entries_is_a_ledger(warehouse, tmp_path):
    # Lemon Squeezy's payouts: the Sale column says Order #…, Refund - Order #… or Payout fee; the fee
    # is no order, and the refund written negative is money back
    rep = load(warehouse, tmp_path / "payouts.csv", '"Date","Sale","Is Marketplace","Total (USD)","Refunds (USD)","Tax (USD)","Net Total (USD)"\n'
               '"2024-09-19 00:02:25","Order #84725209","No","122.5","0","-24.5","89.53"\n'
               '"2024-09-19 13:19:35","Order #84725210","No","98","0","0","92.6"\n'
               '"2024-09-20 10:00:00","Refund - Order #84725209","No","0","-122.5","0","-122.5"\n'
               '"2024-09-28 00:00:00","Payout fee","-","0","0","0","-6.21"\n')
    assert (rep.rows_loaded, rep.rows_skipped) == (3, 1)
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (220.5, 122.5, 3)  # each line its own order: the file has no order column


def test_a_row_of_formulas_under_the_table_is_its_totals_and_a_file_of_nothing_else_has_no_data_rows(warehouse, tmp_path):
    # Walmart's PO export saved from a spreadsheet: a row of =SUM(…) formulas under the lines
    head = "PO#,Order#,Order Date,Customer Name,Line#,Status,Item Description,Qty,SKU,Item Cost\n"
    path = tmp_path / "Wally-11-14-2017.csv"
    path.write_text(head + ",,,,,,,=SUM(H2:H1),,=SUM(J2:J1)\n")
    [rep] = ingest_file(warehouse, path)
    assert rep.status == "failed" and "no data rows" in rep.message
    rep = load(warehouse, tmp_path / "Wally-11-15-2017.csv", head + "P1,O1,2017-11-15,Ann,1,Shipped,Mug,2,M1,9.50\n"
               "P1,O1,2017-11-15,Ann,2,Shipped,Cup,1,C1,4.00\n,,,,,,,=SUM(H2:H3),,=SUM(J2:J3)\n")
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (2, 0, 1)


def test_a_line_without_its_currency_is_in_the_currency_its_file_uses(warehouse, tmp_path):
    # Amazon.in's sale report leaves the currency (and amount) of its cancelled lines empty
    rep = load(warehouse, tmp_path / "Amazon Sale Report.csv", "Order ID,Date,Status,SKU,Qty,currency,Amount\n"
               "405-1,04-30-22,Cancelled,SET389,0,,\n171-2,04-30-22,Shipped - Delivered to Buyer,JNE3781,1,INR,406.00\n"
               "404-3,04-30-22,Shipped,JNE3371,1,INR,329.00\n")
    assert any("INR where it is empty" in n for n in rep.notes)
    assert rows(warehouse, "SELECT currency, count(*) FROM sales GROUP BY 1") == [("INR", 3)]


# A fifth round: Amazon's settlement and shipping reports, Mercado Livre, Shopee Indonesia, JD review scrapes


def test_a_settlement_report_is_dated_by_the_date_on_every_line_and_ids_or_types_are_no_price_discount_or_shop(warehouse, tmp_path):
    # Amazon's settlement report: its first row is the settlement's summary (its dates, total and
    # currency), the lines below have their posted-date; price-type and promotion-id are labels
    head = ("settlement-id\tsettlement-start-date\tsettlement-end-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\t"
            "merchant-order-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\tprice-type\tprice-amount\tpromotion-id\tposted-date\n")
    lines = ["50011\t2024-01-01 00:00:00 UTC\t2024-01-15 00:00:00 UTC\t80.00\tCAD\t\t\t\t\t\t\t\t\t\t\n"]
    lines += [f"50011\t\t\t\t\tOrder\t702-{i}\tM{i}\tA{i}\tSKU{i}\t1\tPrincipal\t{10 * i}.00\tPROMO-{i}\t2024-01-0{i} 10:00:00 UTC\n" for i in range(1, 5)]
    rep = load(warehouse, tmp_path / "50011020300.txt", head + "".join(lines))
    assert rep.mapping["posted-date"] == "order_time"
    assert not {"price-type", "promotion-id", "merchant-order-id", "merchant-adjustment-item-id"} & set(rep.mapping)
    assert rows(warehouse, "SELECT currency, count(*) FROM sales WHERE order_id IS NOT NULL GROUP BY 1") == [("CAD", 4)]


def test_a_mercado_livre_sales_report_is_read_with_its_hours_word_its_ids_and_its_status_label(warehouse, tmp_path):
    # "1 de fevereiro de 2026 06:52 hs.": a Portuguese date with the word for hours after its time; the
    # status is Estado (a label), not the sentence of Descrição do status; Total (BRL) is what the seller
    # keeps after fees, the line's GMV is Receita por produtos (BRL)
    rep = load(warehouse, tmp_path / "vendas.csv",
               "N.º de venda,Data da venda,Estado,Descrição do status,Unidades,Receita por produtos (BRL),Tarifa de venda e impostos (BRL),"
               "Cancelamentos e reembolsos (BRL),Total (BRL),SKU,Comprador\n"
               "2000011323600041,1 de fevereiro de 2026 06:52 hs.,Entregue,Chegou em 2 de fevereiro,1,24.78,-10.96,,24.82,COMBO-PF-G,Jose\n"
               "2000011304564793,30 de janeiro de 2026 19:45 hs.,Entregue,Chegou em 2 de fevereiro,1,24.15,-10.84,,25.53,CA-98,Douglas\n"
               "2000011304564794,29 de janeiro de 2026 10:00 hs.,Cancelada pelo comprador,Cancelou porque se arrependeu da compra.,1,30.00,0,-30.00,0,CA-99,Ana\n"
               "2000011304564795,28 de janeiro de 2026 09:30 hs.,Devolução finalizada com reembolso para o comprador,Devolvido no dia 6 de janeiro,1,40.00,-5.00,-40.00,0,CA-97,Jose\n"
               "2000011304564796,27 de janeiro de 2026 08:15 hs.,Entregue,Chegou em 30 de janeiro,2,50.00,-8.00,,42.00,CA-96,Bia\n")
    assert {k: rep.mapping.get(k) for k in ("N.º de venda", "Estado", "Descrição do status", "Receita por produtos (BRL)", "Comprador")} == {
        "N.º de venda": "order_id", "Estado": "order_status", "Descrição do status": None, "Receita por produtos (BRL)": "revenue",
        "Comprador": "customer_id"}
    assert rows(warehouse, "SELECT min(order_time), max(order_time) FROM sales") == [(datetime(2026, 1, 27, 8, 15), datetime(2026, 2, 1, 6, 52))]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"], k["customers"]) == (138.93, 40.0, 4, 3)  # 24.78 + 24.15 + 40 + 50; the cancelled line counts nowhere


def test_a_time_followed_by_its_zone_in_brackets_is_that_zones_and_one_followed_by_uhr_is_read(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOM_TIMEZONE", "Asia/Shanghai")
    load(warehouse, tmp_path / "shipments.csv", "Order ID,Order Date,Total\n"
         "A1,02/01/2026 15:43 (UTC),10.00\nA2,02/13/2026 09:01 (UTC),20.00\nA3,02/14/2026 23:30 (UTC),30.00\n")
    assert rows(warehouse, "SELECT order_time FROM sales ORDER BY order_id") == [
        (datetime(2026, 2, 1, 23, 43),), (datetime(2026, 2, 13, 17, 1),), (datetime(2026, 2, 15, 7, 30),)]
    load(warehouse, tmp_path / "bestellungen.csv", "Bestellnummer,Datum,Betrag\nB1,05.03.2024 14:30 Uhr,5.00\nB2,26.03.2024 09:00 Uhr,6.00\n",
         mapping={"Bestellnummer": "order_id", "Datum": "order_time", "Betrag": "revenue"})
    assert rows(warehouse, "SELECT order_time FROM sales WHERE order_id LIKE 'B%' ORDER BY order_id") == [
        (datetime(2024, 3, 5, 14, 30),), (datetime(2024, 3, 26, 9, 0),)]


def test_ratings_written_as_a_scrapers_star_class_are_stars(warehouse, tmp_path):
    # a JD review scrape's 评价星级: star5, star1 (the page's CSS class)
    rep = load(warehouse, tmp_path / "京东商品评论.csv", "会员,评价星级,评价内容,时间\n"
               "j***1,star5,手机很好用，运行流畅,2018-06-07 21:32\nj***2,star1,发货太慢了,2018-06-08 10:00\nj***3,star4,还不错,2018-06-09 11:00\n")
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("reviews", 3, 0)
    assert rows(warehouse, "SELECT rating, rating_raw FROM reviews ORDER BY review_time") == [(5, "star5"), (1, "star1"), (4, "star4")]


def test_a_shopee_indonesia_cut_is_read_by_its_payment_per_order_not_its_discount_in_rupiah_with_dot_thousands(warehouse, tmp_path):
    # the publisher's cut of Shopee Indonesia's export: no product column; Total Pembayaran (the order's
    # payment, shipping in) repeated on each of its lines; Total Diskon is a discount; 22.500 is Rp 22,500
    rep = load(warehouse, tmp_path / "OctoberSales2024_public.csv",
               "order_id,Status Pesanan,Waktu Pesanan Dibuat,Jumlah,Total Diskon,Ongkos Kirim Dibayar oleh Pembeli,Total Pembayaran,Provinsi\n"
               "ORD_1,Selesai,2024-10-01 00:53,1,0,5.000,180.178,DKI JAKARTA\nORD_1,Selesai,2024-10-01 00:53,2,7,5.000,180.178,DKI JAKARTA\n"
               "ORD_2,Selesai,2024-10-01 01:51,1,0,0,22.500,JAWA BARAT\nORD_2,Selesai,2024-10-01 01:51,1,0,0,22.500,JAWA BARAT\n"
               "ORD_3,Batal,2024-10-01 04:02,1,0,0,18.160,BANTEN\nORD_3,Batal,2024-10-01 04:02,3,0,0,18.160,BANTEN\n"
               "ORD_4,\"Pesanan diterima, namun Pembeli masih dapat mengajukan pengembalian hingga 2024-10-12.\",2024-10-01 06:10,1,0,0,1.400.000,BANTEN\n"
               "ORD_4,\"Pesanan diterima, namun Pembeli masih dapat mengajukan pengembalian hingga 2024-10-12.\",2024-10-01 06:10,1,0,0,1.400.000,BANTEN\n")
    assert {k: rep.mapping.get(k) for k in ("Total Diskon", "Total Pembayaran", "Provinsi")} == {
        "Total Diskon": "discount", "Total Pembayaran": "revenue@order", "Provinsi": "region"}
    assert rows(warehouse, "SELECT line_kind, count(*) FROM sales GROUP BY 1 ORDER BY 1") == [("cancelled", 2), ("sale", 6)]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (1597678.0, 0.0, 3)  # (180,178 − 5,000) + 22,500 + 1,400,000: each order's payment once, less its shipping


def test_amounts_with_three_decimals_beside_others_keep_their_decimal_point(warehouse, tmp_path):
    # a supermarket's totals with tax to four places: 340.525 is no 340,525
    load(warehouse, tmp_path / "supermarket.csv", "Invoice ID,Date,Total\nA1,1/5/2019,548.9715\nA2,1/6/2019,340.525\nA3,1/7/2019,80.22\n")
    assert rows(warehouse, "SELECT sum(revenue) FROM sales") == [(Decimal("969.72"),)]  # 548.97 + 340.53 + 80.22, each rounded as written


# A sixth round: Rakuten and Japanese order-management exports, Etsy items, Shopify Payments


def test_a_shift_jis_rakuten_order_export_is_read_in_japanese(warehouse, tmp_path):
    # Rakuten's RMS order CSV, in Shift-JIS (CP932) as Japanese tools write it: read as GB18030 every
    # header was mojibake and nothing mapped. 商品合計金額 is the order's goods total, on each of its lines
    rep = load(warehouse, tmp_path / "c005_20231212.csv",
               "注文番号,ステータス,注文日時,商品合計金額,送料合計,請求金額,注文者住所都道府県,注文者メールアドレス,商品番号,商品名,単価,個数\n"
               "393415-20231201-001,発送済,2023-12-01 10:00:00,3000,500,3500,東京都,a@example.jp,K-1,ココア風味 プロテイン,1000,1\n"
               "393415-20231201-001,発送済,2023-12-01 10:00:00,3000,500,3500,東京都,a@example.jp,K-2,抹茶風味 プロテイン,2000,1\n"
               "393415-20231202-002,発送済,2023-12-02 11:00:00,1500,0,1500,大阪府,b@example.jp,K-1,ココア風味 プロテイン,1500,1\n"
               "393415-20231203-003,キャンセル,2023-12-03 12:00:00,2000,500,2500,北海道,c@example.jp,K-3,バニラ風味 プロテイン,2000,1\n",
               encoding="cp932")
    assert rep.encoding == "cp932"
    assert {k: rep.mapping.get(k) for k in ("注文番号", "注文日時", "商品合計金額", "注文者メールアドレス", "個数")} == {
        "注文番号": "order_id", "注文日時": "order_time", "商品合計金額": "revenue@order", "注文者メールアドレス": "customer_id", "個数": "quantity"}
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (4500.0, 2, 2)  # 3,000 + 1,500: the order's goods once, no shipping; キャンセル counts nowhere


def test_a_japanese_stock_ledger_is_stock(warehouse, tmp_path):
    rep = load(warehouse, tmp_path / "c004_202310.csv", "商品コード,商品名,繰越残数,入荷数量,出荷数量,在庫残数,在庫単価,在庫金額\n"
               "A-100,パウチ 白,100,50,30,120,12.5,1500\nA-101,パウチ 黒,80,0,20,60,12.5,750\n")
    assert (rep.table, rep.rows_loaded, rep.mapping["在庫残数"], rep.mapping["商品コード"]) == ("stock", 2, "on_hand", "product_id")


def test_an_items_total_that_is_quantity_times_price_has_its_coupon_taken_off_spread_over_its_order(warehouse, tmp_path):
    # Etsy's sold order items: Item Total = Quantity × Price; the order's coupon is written whole on its
    # first line (larger than that line), the other lines empty
    rep = load(warehouse, tmp_path / "EtsySoldOrderItems2024.csv", "Sale Date,Item Name,Buyer,Quantity,Price,Discount Amount,Order ID,Item Total\n"
               "01/02/24,Sticker A,ann,1,16.00,26.60,101,16.00\n01/02/24,Sticker B,ann,2,20.00,,101,40.00\n"
               "01/03/24,Sticker C,bob,1,13.00,10.80,102,13.00\n01/03/24,Sticker D,bob,1,15.00,,102,15.00\n"
               "01/04/24,Sticker E,cat,1,9.00,,103,9.00\n")
    assert rep.mapping["Discount Amount"] == "discount@order"
    k = figures(warehouse, None, None)
    assert k["gmv"] == 55.60  # 56 − 26.60 + 28 − 10.80 + 9
    assert rows(warehouse, "SELECT count(*) FROM sales WHERE revenue < 0") == [(0,)]


def test_a_payments_export_names_its_orders_in_an_order_column_and_a_card_brand_is_no_brand(warehouse, tmp_path):
    # Shopify Payments' transactions: Order holds #43033; Card Brand is visa, master
    rep = load(warehouse, tmp_path / "payment_transactions_export_1.csv", "Transaction Date,Type,Order,Card Brand,Amount,Currency\n"
               "2025-06-01 10:00:00 -0400,charge,#43033,visa,50.00,USD\n2025-06-01 11:00:00 -0400,charge,#43033,master,25.00,USD\n"
               "2025-06-02 09:00:00 -0400,charge,#43034,american_express,40.00,USD\n")
    assert rep.mapping["Order"] == "order_id" and "Card Brand" not in rep.mapping
    assert figures(warehouse, None, None)["orders"] == 2


# A seventh round: review downloads in Indonesian, Russian and Korean, a market table by maker


def test_review_downloads_in_indonesian_russian_and_korean_keep_their_texts_dates_and_reviewers(warehouse, tmp_path):
    # Tokopedia: only Rating was read, the texts, dates and reviewers were dropped; "belum ada ulasan"
    # (no review yet) is no text
    rep = load(warehouse, tmp_path / "Tokopedia.csv", "No,Nama User,Nama Produk,Rating,Tanggal,Ulasan\n"
               "1,Budi,ORICO M.2 Enclosure,5,2024-01-03,Barang bagus dan pengiriman cepat\n2,Sari,ORICO M.2 Enclosure,4,2024-01-05,belum ada ulasan\n"
               "3,Andi,ORICO USB Hub,5,2024-01-07,Sesuai deskripsi dan berfungsi dengan baik\n")
    assert {k: rep.mapping.get(k) for k in ("Nama User", "Tanggal", "Ulasan", "Nama Produk")} == {
        "Nama User": "customer_id", "Tanggal": "review_time", "Ulasan": "review_text", "Nama Produk": "product_id"}
    assert rows(warehouse, "SELECT count(review_text), count(review_time), count(DISTINCT customer_id), count(DISTINCT product_id) FROM reviews") == [
        (2, 3, 3, 2)]
    # Wildberries: refused; its name for a buyer who gave none is nobody in particular
    rep = load(warehouse, tmp_path / "wildberries_reviews.csv", '"Дата публикации","Автор","Текст отзыва","Оценка"\n'
               '"2024-02-01","Татьяна","Светит очень хорошо, потолок заиграл другими красками","5"\n'
               '"2024-02-02","Покупатель Wildberries","Пришло все целое, спасибо","4"\n"2024-02-03","Покупатель Wildberries","Не работает","1"\n')
    assert (rep.table, rep.rows_loaded) == ("reviews", 3)
    assert rows(warehouse, f"SELECT count(customer_id), round(avg(rating), 4) FROM reviews WHERE _upload_id = {rep.upload_id}") == [(1, 3.3333)]
    # Kakao Map: refused
    rep = load(warehouse, tmp_path / "kakao_reviews.csv", "가게 이름,계정 ID,방문 날짜,별점,리뷰 내용\n"
               "정돈,밈미,2026-04-11,2.0,등심 비계 잡내가 많이 심했어요\n정돈,하늘,2026-04-12,5.0,맛있고 친절해요\n정돈,바다,2026-04-13,4.0,또 올게요\n")
    assert (rep.table, rep.rows_loaded, rep.mapping["리뷰 내용"], rep.mapping["별점"], rep.mapping["가게 이름"]) == (
        "reviews", 3, "review_text", "rating", "product_id")  # the place reviewed, as a hotel's name is


def test_a_market_table_of_makers_is_read_by_its_maker(warehouse, tmp_path):
    rep = load(warehouse, tmp_path / "market_share.csv", '"month","maker","registrations","market_share_pct"\n'
               '"2023-01","OLA ELECTRIC","18355","42.9"\n"2023-01","ATHER ENERGY","9227","21.6"\n"2023-02","OLA ELECTRIC","17000","40.0"\n')
    assert (rep.table, rep.mapping["maker"]) == ("market", "brand")


# An eighth round: what earlier rounds noticed and left


def test_a_sale_flagged_fully_refunded_without_an_amount_is_refunded_whole_and_the_buyer_is_their_email(warehouse, tmp_path):
    # Gumroad's sales: Refunded? and Fully Refunded? are 0/1 flags; Partial Refund is 0 on a sale refunded
    # whole; Buyer Name is empty for a guest and shared by two buyers, Purchase Email is each buyer's
    rep = load(warehouse, tmp_path / "gumroad.csv",
               "Purchase ID,Item Name,Buyer Name,Purchase Email,Purchase Date,Subtotal ($),Refunded?,Partial Refund ($),Fully Refunded?\n"
               "p1,Design System,Ann Lee,ann@example.com,2023-08-07,49.99,0,0.0,0\n"
               "p2,Design System,Ann Lee,ann.lee@example.org,2023-08-08,49.99,1,0.0,1\n"
               "p3,Icons,,guest@example.net,2023-08-09,20.00,1,5.00,0\n"
               "p4,Icons,Bo Chen,bo@example.com,2023-08-10,20.00,0,0.0,0\n")
    assert rep.mapping["Purchase Email"] == "customer_id" and "Buyer Name" not in rep.mapping
    assert rep.mapping["Partial Refund ($)"] == "refund_amount"
    k = figures(warehouse, None, None)
    # 49.99 refunded whole (p2) + 5.00 of p3; four buyers by e-mail where the names say two
    assert (k["gmv"], k["refunds"], k["orders"], k["customers"]) == (139.98, 54.99, 4, 4)
    assert rows(warehouse, "SELECT order_status FROM sales WHERE customer_id = 'ann.lee@example.org'") == [("refunded",)]
    # a refund asked for is no refund; a flag column whose answers are no yes/no is no flag
    rep = load(warehouse, tmp_path / "orders.csv", "Order,Date,Amount,Refund requested?\nA1,2023-08-07,10.00,yes\nA2,2023-08-08,12.00,no\n")
    assert "Refund requested?" not in rep.mapping and rep.rows_loaded == 2
    assert rows(warehouse, f"SELECT count(refund_amount), count(*) FILTER (WHERE order_status = 'refunded') FROM sales WHERE _upload_id = {rep.upload_id}") == [(0, 0)]


def test_a_dump_of_reviews_with_products_customers_times_and_statuses_is_reviews_not_order_lines(warehouse, tmp_path):
    # Tiki's review dump: ids, product, customer, a title, the text, an edit counter, a moderation status;
    # no amount, price or order id, so it sold nothing: it loaded as 2 one-line "orders"
    path = tmp_path / "1005148.review.json"
    path.write_text('[{"id": 904630, "product_id": 1005148, "customer_id": 1702217, "title": "Cực kì hài lòng", '
                    '"content": "Cuốn sách này đọc càng sớm càng tốt", "author_name": "Bạch Tử Hoạ", "count_edit": 0, "status": 1, '
                    '"created_at": "2017-10-10 12:56:12", "platform": 1},'
                    '{"id": 909062, "product_id": 1005148, "customer_id": 570824, "title": "hay", '
                    '"content": "muốn một lần đc gặp dượng Tony để cảm ơn", "author_name": "Như Quỳnh", "count_edit": 2, "status": 2, '
                    '"created_at": "2017-10-12 09:18:25", "platform": 3}]', encoding="utf-8")
    [rep] = ingest_file(warehouse, path)
    assert (rep.table, rep.rows_loaded, rep.mapping["content"], rep.mapping["created_at"]) == ("reviews", 2, "review_text", "review_time")
    assert rows(warehouse, "SELECT count(DISTINCT customer_id), max(review_time) FROM reviews") == [(2, datetime(2017, 10, 12, 9, 18, 25))]
    assert rows(warehouse, "SELECT count(*) FROM sales") == [(0,)]


def test_a_products_share_of_ratings_with_each_star_is_no_reviews_rating(warehouse, tmp_path):
    # Daraz: each review row repeats its product's "5 Star %" … "1 Star %"; 1 Star % was each review's
    # rating on 0–100. A row without text has nothing of its own
    rep = load(warehouse, tmp_path / "daraz_reviews.csv", "Item,Product Name,Total Ratings,Review,5 Star %,4 Star %,3 Star %,2 Star %,1 Star %\n"
               "headphone,Wired Headset,347,Good sound for the price,191,80,40,20,16\n"
               "headphone,Wired Headset,347,,191,80,40,20,16\n"
               "charger,USB Charger,12,Works well,8,2,1,0,1\n")
    assert not any(target == "rating" for target in rep.mapping.values())
    assert (rep.rows_loaded, rep.rows_rejected) == (2, 1)
    assert rows(warehouse, "SELECT count(rating), count(review_text) FROM reviews") == [(0, 2)]


def test_chinese_review_scrapes_name_their_text_reviewer_shop_and_stars_in_their_own_words(warehouse, tmp_path):
    # Meituan: 评论用户姓名 (a name) was the text and 评论用户id the review id; the shop reviewed is what
    # the reviews are about; the longest text column is the review (not the dishes ordered)
    rep = load(warehouse, tmp_path / "meituan.csv", "评论店铺,评论用户姓名,评论用户id,评论用户星级,评论用户菜品,评论用户内容,评论时间\n"
               "158743609,养了四条鱼,156107390,50,男票甜蜜双人餐,今天休息团了个男票的火锅双人券，真划算啊，去得早没排队，分量满足,1630763461703\n"
               "158743609,ddddddeft,1792254311,40,真爱虾滑,味道真的不错，价格也很实惠，朋友推荐去吃的，服务员都超级热情,1630763236546\n"
               "158743610,养了四条鱼,156107390,30,经典双人餐,一般般吧，等了很久才上菜，下次不会再来了,1630663236546\n")
    assert {k: rep.mapping.get(k) for k in ("评论用户内容", "评论用户id", "评论店铺", "评论用户姓名", "评论用户菜品")} == {
        "评论用户内容": "review_text", "评论用户id": "customer_id", "评论店铺": "product_id", "评论用户姓名": None, "评论用户菜品": None}
    assert rows(warehouse, f"SELECT count(DISTINCT customer_id), count(DISTINCT product_id), avg(rating) FROM reviews WHERE _upload_id = {rep.upload_id}") == [
        (2, 2, 4.0)]
    # Shopee Taiwan, in traditional characters: 給星 stars, 留言時間 Unix seconds, 使用者ID the buyer
    rep = load(warehouse, tmp_path / "運動內衣_留言資料.csv", ",使用者ID,是否匿名,留言時間,是否隱藏,訂單編號,給星,留言內容,商品規格\n"
               "0,14408270.0,1.0,1585207626.0,0.0,38656035571632.0,5.0,,['黑-M']\n"
               "1,53477665.0,1.0,1583942017.0,0.0,37459652830435.0,4.0,質感很好,['黑-S']\n"
               "2,14408270.0,0.0,1583539200.0,0.0,36941852830435.0,3.0,,['黑-XL']\n")
    assert {k: rep.mapping.get(k) for k in ("給星", "留言時間", "使用者ID")} == {"給星": "rating", "留言時間": "review_time", "使用者ID": "customer_id"}
    assert rows(warehouse, f"SELECT count(*), count(DISTINCT customer_id), avg(rating), min(review_time) FROM reviews WHERE _upload_id = {rep.upload_id}") == [
        (3, 2, 4.0, datetime(2020, 3, 7, 8, 0))]  # 1583539200 is 2020-03-07 00:00 UTC, 08:00 in Shanghai
    # Douban: a reviewer headed just user; an account since deleted (已注销) is nobody
    rep = load(warehouse, tmp_path / "douban.csv", ",user,star,time,comments\n0,火火火的北京,4,2020-02-21,还是蛮值得期待的\n"
               "1,已注销,1,2020-02-21,演员演技用力过猛\n2,[已注销],2,2020-02-22,画风过于浮夸\n")
    assert rep.mapping["user"] == "customer_id"
    assert rows(warehouse, f"SELECT count(customer_id) FROM reviews WHERE _upload_id = {rep.upload_id}") == [(1,)]


def test_a_russian_marketplace_export_is_read_with_its_statuses(warehouse, tmp_path):
    # Ozon's postings: refused (no header known); Отменен is cancelled, Доставляется shipped
    rep = load(warehouse, tmp_path / "postings.csv",
               '\ufeff"Номер заказа";"Номер отправления";"Дата создания заказа";"Дата отгрузки";"Статус";"Сумма отправления";'
               '"Наименование товара";"OZON id";"Артикул";"Итоговая стоимость товара";"Количество"\n'
               '"39284417-0010";"39284417-0010-7";"2020-06-12 19:20:22";"2020-06-14 10:00:00";"Доставлен";"740.00";"Носки ""Капитан Америка""";"169256379";"319";"370.00";"2"\n'
               '"39284417-0010";"39284417-0010-7";"2020-06-12 19:20:22";"2020-06-14 10:00:00";"Доставлен";"350.00";"Арт носки ""Мопс""";"169917488";"M1117";"350.00";"1"\n'
               '"02966088-0086";"02966088-0086-1";"2020-06-12 15:30:39";"2020-06-13 10:00:00";"Отменен";"350.00";"Арт носки";"169831049";"M1269";"350.00";"1"\n'
               '"46949958-0002";"46949958-0002-2";"2020-06-12 13:17:18";"2020-06-13 10:00:00";"Доставляется";"370.00";"Арт носки ""Микки""";"169834792";"M1073";"370.00";"1"\n')
    assert {k: rep.mapping.get(k) for k in ("Номер заказа", "Статус", "Артикул", "Количество", "Сумма отправления")} == {
        "Номер заказа": "order_id", "Статус": "order_status", "Артикул": "product_id", "Количество": "quantity", "Сумма отправления": "revenue"}
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"]) == (1460.0, 2)  # 740 + 350 + 370, the cancelled posting left out
    assert rows(warehouse, "SELECT order_status, count(*) FROM sales GROUP BY 1 ORDER BY 1") == [("cancelled", 1), ("completed", 2), ("shipped", 1)]


def test_a_tills_location_is_its_shop(warehouse, tmp_path):
    # Square's items: its Event Type (Payment, Refund) is no log's event and its Count (1 to 4) no event code
    rep = load(warehouse, tmp_path / "items-2026-06-01.csv", "Date,Time,Category,Item,Qty,Net Sales,Transaction ID,Event Type,Location,Channel,Customer ID,Count\n"
               "2026-05-30,13:03:14,None,sticker,1.0,$2.00,eZvKQy5,Payment,Sunrise Social Club LLC,Sunrise Social Club LLC,C1,1\n"
               "2026-05-30,13:00:57,Drinks,Cold Brew,1.0,$7.00,mreQfX2,Payment,Sunrise Social Club LLC,Sunrise Social Club LLC,C2,2\n"
               "2026-05-30,12:10:00,Drinks,Latte,1.0,$5.00,kQ3,Payment,Sunrise Social Club LLC,Sunrise Social Club LLC,C3,3\n"
               "2026-05-30,12:00:00,Food,Bagel,1.0,$4.00,pT4,Payment,Sunrise Social Club LLC,Sunrise Social Club LLC,C4,4\n"
               "2026-05-30,11:00:00,Food,Bagel,1.0,$4.00,pT5,Payment,Sunrise Social Club LLC,Sunrise Social Club LLC,C1,1\n"
               "2026-05-30,11:30:00,Food,Bagel,-1.0,-$4.00,pT5,Refund,Sunrise Social Club LLC,Sunrise Social Club LLC,C1,1\n")
    assert rep.table == "sales" and rep.mapping["Location"] == "shop"
    assert rows(warehouse, "SELECT DISTINCT shop FROM sales") == [("Sunrise Social Club LLC",)]


def test_turkish_reviews_in_their_code_page_with_dates_in_turkish_and_one_quoted_review_a_line(warehouse, tmp_path):
    # Hepsiburada's scraped reviews, Windows-1254: were read as CP1252 and refused (Satýcý); its dates
    # name the month and weekday in Turkish
    path = tmp_path / "yorumlar.csv"
    path.write_bytes(("Column1;Adlar;Tarihler;Yorumlar;Satıcı;Begenme\n"
                      "0;ÖK;13 Ekim 2022, Perşembe;Gayet güzel bir telefon. Kameraları ışıklı;Hepsiburada;7\n"
                      "1;İK;2 Şubat 2022, Çarşamba;Telefonum sorunsuz şekilde geldi;Hepsiburada;3\n"
                      "2;ÖK;9 Nisan 2022, Cumartesi;Çok beğendim, teşekkürler;Hepsiburada;1\n").encode("cp1254"))
    [rep] = ingest_file(warehouse, path)
    assert (rep.encoding, rep.table, rep.rows_loaded) == ("cp1254", "reviews", 3)
    assert rows(warehouse, "SELECT customer_id, review_time::DATE FROM reviews ORDER BY review_time") == [
        ("İK", date(2022, 2, 2)), ("ÖK", date(2022, 4, 9)), ("ÖK", date(2022, 10, 13))]
    # Trendyol's: no header, one quoted review a line, commas inside; it was split on spaces into words
    rep = load(warehouse, tmp_path / "trendyol.csv", '"Tam kalıbınızı alabilirsiniz..biraz salaş bir model,ben çok beğendim"\n'
               '"iç gösteriyor"\n"dilediğiniz gibi gönül ferahlığıyla alışveriş yapabilirsiniz, tam bedeninizi almanız yeterlidir"\n'
               '"hızlı kargo, teşekkürler"\n')
    assert (rep.table, rep.rows_loaded, rep.mapping) == ("reviews", 4, {"column_1": "review_text"})


def test_dates_with_russian_and_polish_month_names_are_read():
    from ecom.ingest.dates import localize

    assert [localize(v) for v in ("12 июня 2020 г.", "5 czerwca 2021 r.", "1 Aralık 2023, Cuma")] == ["12 jun 2020", "5 jun 2021", "1 dec 2023"]


def test_a_listing_without_ids_is_products_by_name_and_a_price_it_cannot_read_leaves_the_product(warehouse, tmp_path):
    # Jumia's listing: no id (refused), prices written "EGP 159.00", a range for some, the price before a
    # markdown beside the price
    rep = load(warehouse, tmp_path / "jumia_products.csv", "name,new_price,old_price,discount,link\n"
               "Cotton T-Shirt,EGP 159.00,EGP 300.00,47%,/t-shirt\n"
               "Glass Jar,EGP 29.00 - EGP 100.00,,,/jar\n"
               "Wall Clock,\"EGP 1,250.50\",EGP 1500.00,17%,/clock\n"
               "Desk Lamp,EGP 420.00,,,/lamp\nPhone Case,EGP 85.00,EGP 100.00,15%,/case\n")
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("products", 5, 0)
    assert rep.mapping == {"name": "product_name,product_id", "new_price": "price"}
    assert rows(warehouse, "SELECT count(*), count(price), sum(price) FROM products") == [(5, 4, Decimal("1914.50"))]
    # Hepsiburada's: prices ending in TL, with decimal commas
    rep = load(warehouse, tmp_path / "hepsiburada.csv", "title,price\nLenovo IdeaPad 3,\"13.400,00 TL\"\nHP 15s,\"9.999,90 TL\"\n")
    assert rows(warehouse, f"SELECT sum(price) FROM products WHERE _upload_id = {rep.upload_id}") == [(Decimal("23399.90"),)]


def test_amounts_with_their_currency_after_them_are_numbers():
    from ecom.currency import named_in
    from ecom.ingest.profile import to_number

    assert [to_number(v) for v in ("370,00 €", "13.400,00 TL", "459,99 zł", "Rp 91000", "1 234,50 ₽", "TITLE")] == [
        370.0, 13400.0, 459.99, 91000.0, 1234.5, None]
    assert [named_in(v) for v in ("13.400,00 TL", "Fiyat (TL)", "459,99 zł", "120 kr", "TITLE")] == ["TRY", "TRY", "PLN", None, None]


def test_a_product_and_a_day_alone_are_no_order_lines_and_an_erps_inventory_code_is_the_product(warehouse, tmp_path):
    # JD's JData_Comment: each product's review counts per day; it loaded as 3 one-line orders of 0.00
    rep = load(warehouse, tmp_path / "JData_Comment.csv", "dt,sku_id,comment_num,has_bad_comment,bad_comment_rate\n"
               "2016-02-01,1000,3,1,0.0417\n2016-02-01,10000,2,0,0.0\n2016-02-08,1000,3,1,0.0392\n")
    assert rep.status == "failed" and "revenue or unit_price or quantity or order_id or customer_id" in rep.message
    assert rows(warehouse, "SELECT count(*) FROM sales") == [(0,)]
    # 管家婆, 金蝶 and 用友 name a product by its 存货编号
    rep = load(warehouse, tmp_path / "库存.csv", "存货编号,存货名称,现存量\nA001,面霜,12\nA002,精华,0\n")
    assert (rep.table, rep.mapping["存货编号"]) == ("stock", "product_id")


def test_a_clickstream_of_sessions_reads_its_events_from_the_product_action_and_skips_removals(warehouse, tmp_path):
    # Coveo's shopper-intent sample: refused. Its event_type holds hit types (pageview, event); the
    # events are product_action's; sessions stand for visitors; the time is Unix milliseconds
    rep = load(warehouse, tmp_path / "sample_dataset.csv",
               "session_id_hash,event_type,product_action,product_skus_hash,server_timestamp_epoch_ms,hashed_url\n"
               "s1,pageview,detail,p1,1545550811488,u1\ns1,event,click,p1,1545550811500,u1\ns1,event,add,p1,1545550812500,u1\n"
               "s1,event,remove,p1,1545550813500,u1\ns2,pageview,detail,p2,1545550821488,u2\ns2,event,add,p2,1545550822488,u2\n"
               "s2,event,purchase,p2,1545550823488,u2\n")
    assert rep.mapping == {"session_id_hash": "customer_id", "server_timestamp_epoch_ms": "event_time", "product_skus_hash": "product_id",
                           "product_action": "event_type"}
    assert (rep.rows_loaded, rep.rows_skipped, rep.rows_rejected) == (6, 1, 0)
    assert rows(warehouse, "SELECT event_type, count(*) FROM behavior GROUP BY 1 ORDER BY 1") == [("cart", 2), ("purchase", 1), ("view", 3)]
    # 2018-12-23 07:40:11.488 UTC, in Shanghai time
    assert rows(warehouse, "SELECT min(event_time) FROM behavior") == [(datetime(2018, 12, 23, 15, 40, 11, 488000),)]
    # JD's JData action log names its category cate
    rep = load(warehouse, tmp_path / "JData_Action_201604.csv", "user_id,sku_id,time,model_id,type,cate,brand\n"
               "266079.0,138778,2016-01-31 23:59:02,,1,8,403\n266079.0,138778,2016-01-31 23:59:03,0.0,6,8,403\n"
               "200719.0,61226,2016-01-31 23:59:07,,1,8,30\n200719.0,61226,2016-01-31 23:59:08,0.0,2,8,30\n"
               "263587.0,72348,2016-01-31 23:59:08,,1,5,159\n263587.0,72348,2016-01-31 23:59:09,,4,5,159\n")
    assert rep.mapping["cate"] == "category"
    assert rows(warehouse, f"SELECT category, count(*) FROM behavior WHERE _upload_id = {rep.upload_id} GROUP BY 1 ORDER BY 1") == [("5", 2), ("8", 4)]


def test_a_headerless_ranking_of_chinese_product_titles_is_no_reviews(warehouse, tmp_path):
    # a scraped 生意参谋 热销商品榜 (rank, title, units, list, date) loaded as reviews whose texts were titles
    path = tmp_path / "industry_product.xls"
    path.write_text("".join(f"{i}\t{i}\t{title}\t{units}\t{i * 90}\t热销商品榜\t2017-06-24\n" for i, (title, units) in enumerate([
        ("汇仁+肾宝片 0.7g*126片*1瓶/盒", "105,659"), ("艾丽+0.12g*21粒/盒 奥利司他胶囊", "78,221"), ("同溢堂+益安宁丸 112丸*3瓶/盒", "56,443"),
        ("江中+健胃消食片 0.8g*32片", "41,200"), ("999+感冒灵颗粒 10g*9袋", "39,870"), ("云南白药+气雾剂 85g+30g", "30,112")], 1)),
        encoding="utf-8")
    [rep] = ingest_file(warehouse, path)
    assert rep.status == "failed" and rows(warehouse, "SELECT count(*) FROM reviews") == [(0,)]
    # the same shape with reviews in it is reviews
    rep = load(warehouse, tmp_path / "评价.csv", "".join(f"z***{i},2024-03-0{i} 10:00:00,{text}\n" for i, text in enumerate([
        "面料有味道 袖口不工整", "手机收到了，没有立马来评论", "质量很好，穿着舒服", "物流太慢了", "还可以吧，性价比一般", "颜色和图片一样，很满意"], 1)))
    assert (rep.table, rep.rows_loaded) == ("reviews", 6)


def test_json_records_with_a_list_of_objects_become_a_row_per_object(warehouse, tmp_path):
    # OTTO's sessions: one JSON line per session, its events in a list (refused); plural event words
    path = tmp_path / "train.jsonl"
    path.write_text('{"session":0,"events":[{"aid":1517085,"ts":1659304800025,"type":"clicks"},{"aid":1563459,"ts":1659304904511,"type":"carts"},'
                    '{"aid":1563459,"ts":1659305000000,"type":"orders"}]}\n'
                    '{"session":1,"events":[{"aid":424964,"ts":1659304800095,"type":"clicks"},{"aid":1517085,"ts":1659304900000,"type":"clicks"}]}\n',
                    encoding="utf-8")
    [rep] = ingest_file(warehouse, path)
    assert (rep.table, rep.rows_loaded) == ("behavior", 5)
    assert rep.mapping == {"session": "customer_id", "aid": "product_id", "ts": "event_time", "type": "event_type"}
    assert rows(warehouse, "SELECT event_type, count(*), count(DISTINCT customer_id) FROM behavior GROUP BY 1 ORDER BY 1") == [
        ("cart", 1, 1), ("purchase", 1, 1), ("view", 3, 2)]
    # an API's orders: the customer an object (customer.id), the lines a list whose id meets the order's
    # (line_items.id); the order's total repeated on its lines is split over them
    path = tmp_path / "orders.json"
    order = ('{{"id": {id}, "created_at": "{at}", "currency": "USD", "financial_status": "{status}", "total_price": "{total}", '
             '"customer": {{"id": {c}, "email": "{c}@example.com"}}, "line_items": [{lines}]}}')
    line = '{{"id": {id}, "sku": "{sku}", "title": "{sku}", "quantity": {q}, "price": "{p}"}}'
    path.write_text("[" + ",\n".join([
        order.format(id=5001, at="2024-03-01T10:00:00-05:00", status="paid", total="59.00", c=901,
                     lines=", ".join([line.format(id=1, sku="TEE", q=2, p="19.50"), line.format(id=2, sku="CAP", q=1, p="20.00")])),
        order.format(id=5002, at="2024-03-02T11:30:00-05:00", status="refunded", total="20.00", c=902, lines=line.format(id=3, sku="CAP", q=1, p="20.00")),
        order.format(id=5003, at="2024-03-03T09:15:00-05:00", status="paid", total="39.00", c=901, lines=line.format(id=4, sku="TEE", q=2, p="19.50")),
    ]) + "]", encoding="utf-8")
    [rep] = ingest_file(warehouse, path)
    assert (rep.table, rep.rows_loaded, rep.mapping["id"], rep.mapping["customer.id"], rep.mapping["total_price"]) == (
        "sales", 4, "order_id", "customer_id", "revenue@order")
    assert "line_items.id" not in rep.mapping
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"], k["customers"]) == (118.0, 20.0, 3, 2)


def test_figures_of_an_empty_warehouse_have_no_range(warehouse):
    # they said from and to were today
    k = figures(warehouse, None, None)
    assert (k["from"], k["to"], k["gmv"], k["orders"], k["by_currency"]) == (None, None, 0.0, 0, [])


def test_json_wrapped_orders_keep_their_times_zone_and_records_without_ids_are_orders(warehouse, tmp_path):
    # a GraphQL result wraps the orders in data.orders.nodes and the lines in lineItems.nodes; its money
    # is nested objects; DuckDB turned 2025-08-30T00:02:16-05:00 into 00:02 without its zone (now 13:02 Shanghai)
    node = ('{{"id": "gid://shopify/Order/{n}", "createdAt": "2025-08-30T0{n}:02:16-05:00", "displayFinancialStatus": "PAID", '
            '"customer": {{"id": "gid://shopify/Customer/{c}"}}, "lineItems": {{"nodes": [{lines}], "pageInfo": {{"hasNextPage": false}}}}}}')
    line = '{{"sku": "{sku}", "quantity": {q}, "originalUnitPriceSet": {{"shopMoney": {{"amount": {p}, "currencyCode": "COP"}}}}}}'
    path = tmp_path / "shopify_orders.json"
    path.write_text('{"data": {"orders": {"nodes": [' + ", ".join([
        node.format(n=1, c=7, lines=", ".join([line.format(sku="A", q=2, p=1000.0), line.format(sku="B", q=1, p=500.0)])),
        node.format(n=2, c=8, lines=line.format(sku="A", q=1, p=1000.0))]) + ']}}, "extensions": {"cost": {"requestedQueryCost": 12}}}',
        encoding="utf-8")
    [rep] = ingest_file(warehouse, path)
    assert (rep.table, rep.rows_loaded, rep.mapping["id"], rep.mapping["sku"], rep.mapping["quantity"]) == ("sales", 3, "order_id", "product_id", "quantity")
    assert rows(warehouse, "SELECT min(order_time), count(DISTINCT order_id), sum(quantity) FROM sales") == [(datetime(2025, 8, 30, 14, 2, 16), 2, 4)]
    # a shop's own JSONL: one order a line, its items in a list, no id: each record is one order, and its
    # total (with shipping) is split over its lines
    rep = load(warehouse, tmp_path / "orders.jsonl",
               '{"customer": "ann@example.com", "status": "paid", "created_at": "2026-07-18", "total": 45.0, "shipping": 5.0, '
               '"items": [{"title": "Print A", "qty": 1, "price": 20.0}, {"title": "Print B", "qty": 1, "price": 20.0}], "currency": "CAD"}\n'
               '{"customer": "ann@example.com", "status": "paid", "created_at": "2026-07-18", "total": 35.0, "shipping": 5.0, '
               '"items": [{"title": "Print C", "qty": 2, "price": 15.0}], "currency": "CAD"}\n')
    assert rep.mapping["order"] == "order_id"
    assert rows(warehouse, f"SELECT count(DISTINCT order_id), sum(revenue) FROM sales WHERE _upload_id = {rep.upload_id}") == [(2, Decimal("70.00"))]


def test_a_row_of_dashes_in_every_cell_is_no_rule_and_a_brands_code_is_no_brand(warehouse, tmp_path):
    # Lazada's daily report: a month's summary, then "-" in every cell, then the days; the days were
    # taken for a footer below a rule line and the file refused
    rep = load(warehouse, tmp_path / "samplelazada2.csv", "Date,Revenue,Visitors,Buyers,Units Sold\n2025-01-01~2025-01-31,1622.00,300,4,4\n"
               "-,-,-,-,-\n2025-01-01,822.00,151,2,2\n2025-01-02,800.00,149,2,2\n")
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (2, 1, 1)
    assert figures(warehouse, None, None)["gmv"] == 1622.0
    # its rows are days, not orders: said, since the report's own buyer counts have nowhere to go
    assert any(n.startswith("Visitors, Buyers count orders, buyers or visitors per row: this looks like a report of totals") for n in rep.notes)
    # 生意参谋's daily figures say the same in Chinese; an order line's 数量 is no count of orders
    rep = load(warehouse, tmp_path / "店铺整体日报.csv", "统计日期,支付金额,访客数,支付买家数,支付件数\n2024-06-01,1234.50,820,31,40\n2024-06-02,980.00,760,25,33\n")
    assert rep.rows_loaded == 2 and any(n.startswith("访客数, 支付买家数 count orders") for n in rep.notes)
    rep = load(warehouse, tmp_path / "lines.csv", "日期,商品,数量,金额\n2024-06-01,A,2,20.00\n2024-06-02,B,1,9.90\n")
    assert rep.rows_loaded == 2 and not any("report of totals" in n for n in rep.notes)
    # Tiki's products: brand_id (a code) beside brand_name
    rep = load(warehouse, tmp_path / "productData.csv", "id,name,brand_id,brand_name,price\n1,Galaxy A15,18802,Samsung,4990000\n"
               "2,Redmi 13C,17827,Xiaomi,2990000\n3,iPhone 15,18801,Apple,19990000\n")
    assert rep.mapping.get("brand_name") == "brand" and "brand_id" not in rep.mapping


def test_a_review_whose_rating_no_scale_reads_keeps_its_text_and_half_stars_go_up(warehouse, tmp_path):
    # Digikala writes 0 where the buyer gave no stars: the whole review, text included, was rejected
    rep = load(warehouse, tmp_path / "digikala_comments.csv", "product_id,comment_id,rating,date,comment_text\n"
               "p1,c1,5,11 آبان 1404,گوشی عالیه و باتری خوبی داره\np1,c2,0,10 آبان 1404,قیمتش نسبت به کیفیت مناسب نیست\n"
               "p2,c3,4,9 آبان 1404,برای استفاده روزمره خوبه\np2,c4,0,9 آبان 1404,ارسال سریع بود ولی جعبه آسیب دیده بود\n")
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("reviews", 4, 0)
    assert rows(warehouse, "SELECT review_id, rating, rating_raw, review_text IS NOT NULL FROM reviews ORDER BY review_id") == [
        ("c1", 5, "5", True), ("c2", None, "0", True), ("c3", 4, "4", True), ("c4", None, "0", True)]
    assert any(n.startswith('2 row(s) loaded without a value that could not be read (the first, row 3: rating "0" is not a rating from 1 to 5 stars)')
               for n in rep.notes)
    # Meituan's stars times ten, with half stars (45 is 4.5★): they were rejected; a half star goes up, as 7 of 10 does
    rep = load(warehouse, tmp_path / "meituan.csv", "评论用户id,评论用户星级,评论用户内容\n" + "".join(
        f"u{i},{s},{t}\n" for i, (s, t) in enumerate([(50, "味道很好，下次还来"), (45, "环境不错，上菜有点慢"), (40, "分量足，价格实惠"), (35, "一般般吧"),
                                                     (10, "服务态度太差了"), (5, "再也不会来了"), (30, "中规中矩")])))
    assert (rep.rows_loaded, rep.rows_rejected) == (7, 0)
    assert rows(warehouse, "SELECT rating_raw, rating FROM reviews WHERE _dataset = 'meituan.csv' ORDER BY _source_row") == [
        ("50", 5), ("45", 5), ("40", 4), ("35", 4), ("10", 1), ("5", 1), ("30", 3)]
    # Dianping's half stars on 1–5
    rep = load(warehouse, tmp_path / "dianping.csv", "用户,评分,评论内容\na,4.5,景色很美，值得一去\nb,3.5,人太多了，排队很久\nc,5,非常满意\nd,2,门票太贵\n")
    assert (rep.rows_loaded, rep.rows_rejected) == (4, 0)
    assert rows(warehouse, "SELECT rating FROM reviews WHERE _dataset = 'dianping.csv' ORDER BY _source_row") == [(5,), (4,), (5,), (2,)]


def test_guests_are_told_apart_by_their_email_not_counted_as_one_customer(warehouse, tmp_path):
    # WooCommerce writes customer 0 for every guest checkout, beside the Billing Email: the three guest
    # orders of two people were one customer with three orders
    rep = load(warehouse, tmp_path / "orders-2024-05-01.csv",
               "Order ID,Order Date,Order Status,Customer User ID,Billing First Name,Billing Email,Item Name,Quantity,Order Total\n"
               "101,2024-04-02 10:00,wc-completed,12,Ann,ann@example.com,Mug,2,16.00\n"
               "102,2024-04-03 11:00,wc-completed,0,Bob,bob@example.com,Mug,1,8.00\n"
               "103,2024-04-05 12:00,wc-completed,0,Cid,cid@example.com,Tee,1,20.00\n"
               "104,2024-04-07 09:00,wc-completed,12,Ann,ann@example.com,Tee,1,20.00\n"
               "105,2024-04-08 09:30,wc-completed,0,Bob,Bob@Example.com,Cap,1,12.00\n")
    assert rep.mapping["Customer User ID"] == "customer_id"
    assert rows(warehouse, "SELECT order_id, customer_id FROM sales ORDER BY order_id") == [
        ("101", "12"), ("102", "bob@example.com"), ("103", "cid@example.com"), ("104", "12"), ("105", "bob@example.com")]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (76.0, 5, 3)
    # Magento's orders: a guest's customer_id is empty, its customer_email filled; a guest without an
    # e-mail stays nobody
    rep = load(warehouse, tmp_path / "sales_order.csv", "increment_id,created_at,customer_id,customer_email,customer_is_guest,grand_total\n"
               "000000001,2024-05-01 10:00:00,7,kim@example.com,0,30.00\n000000002,2024-05-02 10:00:00,,lee@example.com,1,40.00\n"
               "000000003,2024-05-03 10:00:00,,lee@example.com,1,50.00\n000000004,2024-05-04 10:00:00,,,1,60.00\n")
    assert rows(warehouse, "SELECT order_id, customer_id FROM sales WHERE _dataset = 'sales_order.csv' ORDER BY order_id") == [
        ("000000001", "7"), ("000000002", "lee@example.com"), ("000000003", "lee@example.com"), ("000000004", None)]
    assert "customer_id (customer_id): buyers it leaves empty or calls guests are told apart by their e-mail address in customer_email" in rep.notes


def test_a_configurable_products_chosen_item_is_part_of_its_line_not_a_second_sale(warehouse, tmp_path):
    # Magento's REST orders: a configurable shirt is a line (product_type configurable, its price) and
    # under it the simple product chosen (parent_item_id, row_total 0, and the parent line nested in
    # it): two units were counted for one shirt, the parent's name taken as the product's, and the
    # product_type (simple, configurable) as a category
    import json

    def item(i, sku, name, kind, price, parent=None):
        line = {"item_id": i, "sku": sku, "name": name, "product_type": kind, "qty_ordered": 1, "price": price, "row_total": 0 if parent else price}
        return {**line, "parent_item_id": parent["item_id"], "parent_item": parent} if parent else line

    shirt, bag, tank = item(1, "WS03-XS-Red", "Iris Workout Top", "configurable", 29), item(3, "24-MB02", "Fusion Backpack", "simple", 59), \
        item(4, "MT07-S-Gray", "Argus All-Weather Tank", "configurable", 22)
    orders = [{"increment_id": "000000001", "created_at": "2019-05-10 07:36:09", "customer_email": "a@example.com", "status": "processing",
               "subtotal": 88, "items": [shirt, item(2, "WS03-XS-Red", "Iris Workout Top-XS-Red", "simple", 29, shirt), bag]},
              {"increment_id": "000000002", "created_at": "2019-06-01 10:00:00", "customer_email": "b@example.com", "status": "processing",
               "subtotal": 22, "items": [tank, item(5, "MT07-S-Gray", "Argus All-Weather Tank-S-Gray", "simple", 22, tank)]}]
    rep = load(warehouse, tmp_path / "orders.json", json.dumps({"items": orders, "total_count": 2}))
    assert (rep.table, rep.rows_loaded, rep.rows_skipped) == ("sales", 3, 2)
    assert "category" not in rep.mapping.values() and not any(k.startswith("parent_item.") for k in rep.mapping)
    assert "skipped 2 part-of-another-line (parent_item_id) row(s) (rows 2, 5)" in rep.notes  # the second and fifth lines
    assert rows(warehouse, "SELECT order_id, sum(quantity), sum(revenue) FROM sales GROUP BY 1 ORDER BY 1") == [
        ("000000001", 2, Decimal("88.00")), ("000000002", 1, Decimal("22.00"))]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (110.0, 2, 2)


def test_a_review_scrape_that_fetched_pages_twice_loads_each_review_once(warehouse, tmp_path):
    # Tiki's scrape repeats whole pages (4,791 of its 9,576 rows): every row loaded, each review twice;
    # two reviews alike in text and rating but not in reviewer are two reviews
    page = "1,Hàng tốt,u1,5,2022-06-01 10:00:00\n,Giao hàng nhanh,u2,4,2022-06-02 11:00:00\n,Tốt,u3,5,2022-06-03 12:00:00\n,Tốt,u4,5,2022-06-03 12:00:00\n"
    rep = load(warehouse, tmp_path / "comments_data_ncds.csv", "id,content,customer_id,rating,created_at\n" + page + page + page.splitlines()[1] + "\n")
    assert (rep.table, rep.rows_loaded, rep.rows_skipped) == ("reviews", 4, 5)
    assert "skipped 5 repeated review row(s) (rows 6, 7, 8, 9, 10)" in rep.notes
    assert rows(warehouse, "SELECT count(*), avg(rating), count(DISTINCT customer_id) FROM reviews") == [(4, 4.75, 4)]


def test_lines_ending_in_cr_alone_or_cr_cr_lf_are_read_as_lines(warehouse, tmp_path):
    # Steam's review download ends its lines in CR alone (read as one line: refused); a scrape written by
    # Python's csv module on Windows ends them in CR CR LF (DuckDB's parser broke on it)
    head, rows_ = "recommendation_id,author_steamid,voted_up,review_text,timestamp_created\n", [
        "201,7656119801,True,Great game with friends,1757011662", "202,7656119802,False,Crashes on start,1757012000",
        "203,7656119803,True,,1757013000"]
    path = tmp_path / "all_reviews_sample.csv"
    path.write_bytes((head + "\n".join(rows_) + "\n").replace("\n", "\r").encode())
    [rep] = ingest_file(warehouse, path)
    assert (rep.table, rep.rows_loaded, rep.rows_rejected) == ("reviews", 3, 0)
    assert rep.mapping == {"recommendation_id": "review_id", "author_steamid": "customer_id", "voted_up": "rating", "review_text": "review_text",
                           "timestamp_created": "review_time"}
    assert rows(warehouse, "SELECT review_id, rating, review_text FROM reviews ORDER BY 1") == [
        ("201", 5, "Great game with friends"), ("202", 1, "Crashes on start"), ("203", 5, None)]
    path = tmp_path / "coupang.csv"
    path.write_bytes("상품명,가격,링크\r\r\n보온병 500ml,\"39,500원\",https://c.kr/p/1\r\r\n운동화,원,https://c.kr/p/2\r\r\n텀블러,\"12,900원\",https://c.kr/p/3\r\r\n".encode())
    [rep] = ingest_file(warehouse, path, table="products", mapping={"링크": "product_id"})
    assert (rep.rows_loaded, rep.rows_rejected) == (3, 0)
    assert rows(warehouse, "SELECT product_name, price FROM products ORDER BY product_id") == [
        ("보온병 500ml", Decimal("39500.00")), ("운동화", None), ("텀블러", Decimal("12900.00"))]


def test_big5_and_euc_kr_files_are_read_in_their_encodings_and_korean_headers_name_won(warehouse, tmp_path):
    # Taiwan's Big5 was read as GB18030 (its header garbled, the file refused); Korean EUC-KR likewise
    text = "訂單編號,下單時間,商品名稱,數量,實付金額\n1,2024-05-01 10:00,保溫杯,2,798\n2,2024-05-02 11:00,運動鞋,1,2400\n"
    rep = load(warehouse, tmp_path / "露天訂單.csv", text, encoding="cp950")
    assert (rep.encoding, rep.table, rep.rows_loaded) == ("cp950", "sales", 2)
    assert rows(warehouse, "SELECT product_name FROM sales ORDER BY order_id") == [("保溫杯",), ("運動鞋",)]
    # a Korean order export (Cafe24's headers) in EUC-KR: its won amounts are labelled KRW, not the default
    text = "주문번호,발주일,상품번호,주문상품명,수량,판매가,주문상태\n20250927-01,2025-09-27 11:41:40,218,보온병,2,14000,구매확정\n20250927-02,2025-09-27 12:00:00,219,운동화,1,52000,취소\n"
    rep = load(warehouse, tmp_path / "hada.csv", text, encoding="cp949")
    assert (rep.encoding, rep.rows_loaded) == ("cp949", 2)
    assert "the file names no currency, and its headers are in the language of KRW: amounts are taken as KRW; choose another for this upload if they are not" in rep.notes
    assert rows(warehouse, "SELECT order_id, currency, order_status, revenue FROM sales WHERE _dataset = 'hada.csv' ORDER BY 1") == [
        ("20250927-01", "KRW", "completed", Decimal("28000.00")), ("20250927-02", "KRW", "cancelled", Decimal("52000.00"))]


def test_an_accounting_reports_invoices_and_credit_memos_are_sales_and_refunds_under_group_titles_and_totals(warehouse, tmp_path):
    # QuickBooks' Sales by Item Detail: Type Invoice / Credit Memo (an invoice was taken for a ledger's
    # non-sale entry and the file refused), each item's title alone above its lines and its "Total …" below
    rep = load(warehouse, tmp_path / "sales by item.CSV", '"Type","Date","Num","Memo","Name","Qty","Sales Price","Amount","Balance"\n'
               '"Parts",,,,,,,,""\n"A00100 (Original 12/5.5 oz.)",,,,,,,,""\n'
               '"Invoice","10/08/2025","INV-1","Original","Monte Corp",10,12.00,120.00,120.00\n'
               '"Invoice","10/09/2025","INV-2","Original","Bodega Sol",5,12.00,60.00,180.00\n'
               '"Credit Memo","10/10/2025","CM-1","Original","Bodega Sol",-1,12.00,-12.00,168.00\n'
               '"Total A00100 (Original 12/5.5 oz.)",,,,,14,,168.00,168.00\n"Total Parts",,,,,14,,168.00,168.00\n"TOTAL",,,,,14,,168.00,168.00\n')
    assert (rep.rows_loaded, rep.rows_rejected, rep.rows_skipped) == (3, 0, 5)
    assert rep.mapping["Num"] == "order_id"
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (180.0, 12.0, 2)
    # Mercado Pago's settlement report: SETTLEMENT is its word for a paid sale, a tip column of zeros and
    # what the seller nets are no revenue, and the seller's own USER_ID on every row is no customer
    head = "SOURCE_ID;USER_ID;TRANSACTION_TYPE;TRANSACTION_AMOUNT;TRANSACTION_DATE;REAL_AMOUNT;TIP_AMOUNT;SETTLEMENT_CURRENCY\n"
    lines = "".join(f"{900 + i};1234567;{'PAYOUTS' if i % 10 == 9 else 'SETTLEMENT'};{100 + i}.00;2026-01-{1 + i:02d}T10:00:00.000-03:00;"
                    f"{90 + i}.00;0.00;BRL\n" for i in range(25))
    rep = load(warehouse, tmp_path / "settlement.csv", head + lines)
    assert rep.mapping.get("TRANSACTION_AMOUNT") == "revenue" and "USER_ID" not in rep.mapping
    assert (rep.rows_loaded, rep.rows_skipped) == (23, 2)
    k = figures(warehouse, None, None)["by_currency"]
    assert [(b["currency"], b["gmv"], b["customers"]) for b in k if b["currency"] == "BRL"] == [
        ("BRL", float(sum(100 + i for i in range(25) if i % 10 != 9)), 0)]


def test_a_list_of_businesses_with_their_review_counts_is_no_reviews(warehouse, tmp_path):
    # Yelp's search results: a business a row, its mean rating and how many reviews it has, loaded as
    # 5,856 reviews (the ids as review ids, the means as stars)
    rep = load(warehouse, tmp_path / "yelp.csv", "ID,Name,Term,Phone,Address,Price,Rating,Number of Review,Cuisine\n"
               "8YWL,Ye's Apothecary,dinner,,\"119 Orchard St, New York\",,4.5,91.0,chinese\n"
               "4DIn,Antidote,dinner,(718) 782-2585,\"66 S 2nd St, Brooklyn\",$$,5.0,220.0,chinese\n"
               "9kQz,Wo Hop,dinner,,\"17 Mott St, New York\",$,4.0,1530.0,chinese\n")
    assert rep.table == "products" and rows(warehouse, "SELECT count(*) FROM reviews") == [(0,)]


def test_an_orders_total_with_shipping_and_tax_yields_to_its_items_total_and_a_denied_payment_is_no_sale(warehouse, tmp_path):
    # Big Cartel's orders: Total price = Item total + Total shipping + Total tax; GMV was the Total price
    rep = load(warehouse, tmp_path / "_orders.csv", "Number,Buyer email,Date,Status,Currency,Item count,Item total,Total price,Total shipping,Total tax,Total discount\n"
               "KPEU-1,a@example.com,2022-07-09,completed,USD,1,5.0,5.52,0.0,0.52,0.0\n"
               "CJLI-2,b@example.com,2022-07-01,completed,USD,2,12.0,18.05,5.0,1.05,0.0\n")
    assert (rep.mapping["Item total"], rep.mapping["Total shipping"]) == ("revenue", "shipping_fee") and "Total price" not in rep.mapping
    assert figures(warehouse, None, None)["gmv"] == 17.0
    # Toast's payment details: a card payment DENIED was counted as a sale
    rep = load(warehouse, tmp_path / "PaymentDetails.csv", "Payment Id,Order Id,Order Date,Amount,Status,Email\n"
               "p1,o1,9/29/25 10:26 AM,16.87,CAPTURED,x@example.com\np2,o2,9/29/25 10:40 AM,40.00,DENIED,y@example.com\n"
               "p3,o3,9/29/25 11:02 AM,25.13,CAPTURED,\n")
    assert rows(warehouse, "SELECT order_id, order_status FROM sales WHERE _dataset = 'PaymentDetails.csv' ORDER BY 1") == [
        ("o1", "captured"), ("o2", "cancelled"), ("o3", "captured")]
    # a Japanese order extract: 受注金額 (the line's amount) and 受注個数 (its quantity), not 商品金額 (the price)
    rep = load(warehouse, tmp_path / "受注.csv", "受注番号,受注日,商品番号,商品名,商品金額,受注個数,受注金額\nJ1,2017/01/20,A1,ハンドクリーム,500,3,1500\n"
               "J2,2017/01/21,B2,テスト商品,1000,1,1000\n", encoding="cp932")
    assert (rep.mapping["受注金額"], rep.mapping["受注個数"]) == ("revenue", "quantity")
    assert rows(warehouse, "SELECT sum(revenue), sum(quantity) FROM sales WHERE _dataset = '受注.csv'") == [(Decimal("2500.00"), 4)]


def test_an_orders_paid_price_repeated_on_its_lines_is_its_revenue_not_the_list_prices(warehouse, tmp_path):
    # 唯品会's order pages: 商品价格 × 型号数量 is the list value, 订单价格 the order's paid total on each of its
    # lines; GMV was the list value (41,770.05 against 30,803.48 paid)
    rep = load(warehouse, tmp_path / "test1.csv", "商品编号,商品名称,型号数量,商品价格,订单号,用户ID,订单状态,订单时间,订单价格\n"
               "11,面膜75ml,1,59.00,V1,u1,已签收,2023-04-27 23:21:32,80.00\n12,AD钙奶220g,1,42.00,V1,u1,已签收,2023-04-27 23:21:32,80.00\n"
               "13,洗衣液,2,30.00,V2,u2,已签收,2023-04-26 10:00:00,50.00\n15,纸巾,1,12.00,V2,u2,已签收,2023-04-26 10:00:00,50.00\n"
               "16,抱枕,1,35.00,V4,u4,已签收,2023-04-24 08:00:00,40.00\n17,毛毯,1,20.00,V4,u4,已签收,2023-04-24 08:00:00,40.00\n"
               "14,牙刷,1,20.00,V3,u3,订单已取消,2023-04-25 09:00:00,18.00\n")
    assert rep.mapping["订单价格"] == "revenue@order"
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"]) == (170.0, 3)


def test_a_tab_separated_file_without_quoting_keeps_a_headline_that_opens_with_a_quote_mark(warehouse, tmp_path):
    # Amazon's review TSVs are documented as unquoted: a headline starting with " was taken for an opening
    # quote, and the row rejected as "a quoted value is never closed"
    rep = load(warehouse, tmp_path / "sample_fr.tsv", "marketplace\tcustomer_id\treview_id\tproduct_id\tstar_rating\treview_headline\treview_body\treview_date\n"
               "FR\t111\tR1\tP1\t5\tParfait\tTrès bon produit, je recommande\t2015-08-31\n"
               'FR\t222\tR2\tP1\t4\t"Super" produit\tLivré vite, "comme neuf" selon le vendeur\t2015-08-30\n'
               "FR\t333\tR3\tP2\t2\tBof\tLa couleur ne correspond pas\t2015-08-29\n")
    assert (rep.rows_loaded, rep.rows_rejected) == (3, 0)
    assert rows(warehouse, "SELECT review_id, rating, review_text, _extra['review_headline'] FROM reviews ORDER BY 1") == [
        ("R1", 5, "Très bon produit, je recommande", "Parfait"), ("R2", 4, 'Livré vite, "comme neuf" selon le vendeur', '"Super" produit'),
        ("R3", 2, "La couleur ne correspond pas", "Bof")]


def test_a_small_table_of_totals_above_the_real_one_is_no_header(warehouse, tmp_path):
    # Mercado Pago's account statement: its balances (four columns and a row), a blank line, then the
    # entries' own header; the balances were taken for the header and the file refused
    rep = load(warehouse, tmp_path / "extrato.csv", "INITIAL_BALANCE;CREDITS;DEBITS;FINAL_BALANCE\n4.476,23;207.185,69;-210.571,52;1.090,40\n\n"
               "ORDER_DATE;ORDER_ID;PRODUCT;AMOUNT;STATUS\n01-01-2026;A1;Caneca;35,90;approved\n02-01-2026;A2;Camiseta;59,00;approved\n"
               "03-01-2026;A3;Caneca;35,90;cancelled\n")
    assert (rep.table, rep.rows_loaded) == ("sales", 3)
    assert any(n.startswith("skipped 2 title row(s) above the header: INITIAL_BALANCE CREDITS DEBITS") for n in rep.notes)
    assert figures(warehouse, None, None)["gmv"] == 94.9


def test_an_orders_other_lines_without_its_id_belong_to_the_order_above(warehouse, tmp_path):
    # ERPNext's data export (Odoo's writes its orders the same way): an invoice's fields on its first row
    # only, its further items on rows of their own; they were rejected as "order_time is empty"
    rep = load(warehouse, tmp_path / "Sales Invoice.csv", "ID,Date,Customer,Currency,Status,Item Code (Items),Quantity (Items),Amount (Items)\n"
               "SINV-3,2026-02-22,West View Ltd.,ILS,Paid,SKU001,100,50000\n,,,,,SKU002,100,89000\n,,,,,SKU003,100,90000\n"
               "SINV-2,2026-03-26,Palmer Ltd.,ILS,Paid,SKU004,150,15000\nSINV-1,2026-05-09,Grant Ltd.,ILS,Cancelled,SKU001,20,10000\n,,,,,SKU005,40,12000\n")
    assert (rep.rows_loaded, rep.rows_rejected) == (6, 0)
    assert rep.mapping["ID"] == "order_id@order" and rep.mapping["Date"] == "order_time@order"
    assert rows(warehouse, "SELECT order_id, customer_id, order_status, sum(revenue), sum(quantity) FROM sales GROUP BY ALL ORDER BY 1") == [
        ("SINV-1", "Grant Ltd.", "cancelled", Decimal("22000.00"), 60), ("SINV-2", "Palmer Ltd.", "paid", Decimal("15000.00"), 150),
        ("SINV-3", "West View Ltd.", "paid", Decimal("229000.00"), 300)]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (244000.0, 2, 2)


def test_a_negative_line_named_as_a_discount_lowers_its_orders_sales_and_returns_nothing(warehouse, tmp_path):
    # Xero's invoice lines: a "Promotional Offer" line of -120.00 inside an invoice was a return (refunds
    # 53,161.22 for a real export of no returns); a credit of a returned chair stays a return
    rep = load(warehouse, tmp_path / "Invoice_Line_Items.csv", "InvoiceNumber,InvoiceDate,ContactName,Description,Quantity,UnitAmount,LineAmount\n"
               "INV-1,2024-03-01,Harbour Cafe,Oak dining table,1,1200.00,1200.00\nINV-1,2024-03-01,Harbour Cafe,Promotional Offer,1,-120.00,-120.00\n"
               "INV-2,2024-03-05,Bay Hotel,Lounge chair,4,300.00,1200.00\nINV-2,2024-03-05,Bay Hotel,Package Discount 5%,1,-60.00,-60.00\n"
               "CN-3,2024-03-09,Bay Hotel,Lounge chair,-1,300.00,-300.00\n")
    assert rep.rows_loaded == 5
    assert rows(warehouse, "SELECT line_kind, count(*), sum(revenue) FROM sales GROUP BY 1 ORDER BY 1") == [
        ("return", 1, Decimal("-300.00")), ("sale", 4, Decimal("2220.00"))]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"]) == (2220.0, 300.0)


def test_a_thai_pos_receipts_total_on_its_first_line_and_petty_cash_expenses_are_no_sales(warehouse, tmp_path):
    # a Thai spa's POS workbook: its sales sheet's headers were unknown (the sheet skipped), the receipt's
    # total after discounts (ราคาหลังหักส่วนลด) is on the receipt's first line only; its petty cash sheet
    # lists expenses (รายจ่าย), which loaded as sales
    rep = load(warehouse, tmp_path / "ภาพรวม.csv", "วัน-เวลา,เลขใบเสร็จ,id ของลูกค้า,รายการ,ราคาต่อบริการ,ส่วนลดต่อบริการ,ราคาหลังหักส่วนลด\n"
               "01/01/2025 13:00,R1,68399,Foot Massage 60นาที,480,0,1860\n01/01/2025 13:00,R1,,Thai Massage 90นาที,700,0,\n"
               "01/01/2025 13:00,R1,,Oil Massage 60นาที,800,120,\n01/01/2025 15:00,R2,68400,Foot Massage 60นาที,480,0,480\n"
               "02/01/2025 10:00,R3,68399,Thai Massage 90นาที,700,0,650\n02/01/2025 10:00,R3,,Herbal Compress,100,0,\n")
    assert (rep.table, rep.rows_loaded) == ("sales", 6)
    assert rep.mapping["ราคาหลังหักส่วนลด"] == "revenue@order" and rep.mapping["เลขใบเสร็จ"] == "order_id"
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"], k["currency"]) == (2990.0, 3, 2, "THB")
    rep = load(warehouse, tmp_path / "แคชเชียร์.csv", "วันที่,รายละเอียด,ประเภท,ราคา\n01/01/2025,เบิกซื้อข้าวสาร 10 กก.,รายจ่าย,378\n"
               "02/01/2025,ค่าชุดกันเปิ้อน 4 ชุด,รายจ่าย,205\n03/01/2025,ไส้ขนม,รายจ่าย,120\n03/01/2025,เงินทอน,รายรับ,500\n")
    assert (rep.rows_loaded, rep.rows_skipped) == (1, 3)
    assert rows(warehouse, "SELECT sum(unit_price) FROM sales WHERE _dataset = 'แคชเชียร์.csv'") == [(Decimal("500.00"),)]


def test_times_that_end_in_a_zones_abbreviation_are_converted_from_that_zone(warehouse, tmp_path):
    # Big Cartel's orders: the date in one column, its time of day with the shop's zone in the next
    # ("2:33 AM EDT"): the time was dropped and every order sat at midnight shop time
    rep = load(warehouse, tmp_path / "_orders.csv", "Number,Buyer email,Date,Time,Status,Transaction ID,Currency,Item count,Item total\n"
               "KPEU-1,a@example.com,2022-07-09,2:33 AM EDT,completed,pi_3LJX,USD,1,5.0\n"
               "CJLI-2,b@example.com,2022-01-10,11:05 PM EST,completed,pi_3KQA,USD,2,12.0\n")  # the shop is in ECOM_TIMEZONE's default, Asia/Shanghai
    assert rep.mapping["Time"] == "order_time@time"
    # 02:33 EDT (UTC-4) = 06:33 UTC = 14:33 in Shanghai; 23:05 EST (UTC-5) = 04:05 UTC the next day = 12:05
    assert rows(warehouse, "SELECT customer_id, order_time FROM sales ORDER BY 1") == [
        ("a@example.com", datetime(2022, 7, 9, 14, 33)), ("b@example.com", datetime(2022, 1, 11, 12, 5))]
    # Amazon's date range report: "Jan 1, 2024 12:03:44 AM PST" in one cell (its seconds and AM/PM were
    # not read after a month's name either); CST is US Central or China's: taken as shop time, and said
    rep = load(warehouse, tmp_path / "2024JanMonthlyTransaction.csv", "date/time,settlement id,type,order id,sku,quantity,product sales\n"
               "\"Jan 1, 2024 12:03:44 AM PST\",1,Order,111-1,S1,1,10.00\n\"Jul 4, 2024 1:15:00 PM PDT\",1,Order,111-2,S2,1,20.00\n"
               "\"Mar 3, 2024 9:00:00 PM CST\",1,Order,111-3,S1,1,30.00\n")  # the shop is in ECOM_TIMEZONE's default, Asia/Shanghai
    assert rows(warehouse, "SELECT order_id, order_time FROM sales WHERE order_id LIKE '111-%' ORDER BY 1") == [
        ("111-1", datetime(2024, 1, 1, 16, 3, 44)),  # 08:03:44 UTC
        ("111-2", datetime(2024, 7, 5, 4, 15)),  # 20:15 UTC
        ("111-3", datetime(2024, 3, 3, 21, 0)),
    ]
    assert any("CST" in n and "shop time" in n for n in rep.notes)


def test_a_file_saved_in_shift_jis_or_big5_is_in_its_countrys_currency(warehouse, tmp_path):
    # a Japanese order extract headed in kanji alone (kana, which name yen, only in its product names)
    # was taken as CNY; its encoding, Shift-JIS, is Japan's. One without kana at all was not told from
    # Korean, and the tie-break then failed (KeyError). Big5 (Ruten's exports) is Taiwan's. The same
    # Chinese text in UTF-8 names none: the setting's CNY
    japanese = "受注番号,受注日,商品番号,商品名,受注個数,受注金額\nJ1,2017/01/20,A1,ハンドクリーム,3,1500\nJ2,2017/01/21,B2,テスト商品,1,1000\n"
    kanji = "注文番号,注文日,商品番号,商品名,数量,金額\nJ3,2017/01/20,A1,化粧水,3,1500\nJ4,2017/01/21,B2,日焼止,1,1000\n"
    chinese = "訂單編號,訂單日期,商品編號,商品名稱,數量,金額\nT1,2017/01/20,A1,保濕乳液,3,1500\nT2,2017/01/21,B2,洗面乳,1,1000\n"
    for name, text, encoding, code in (("受注.csv", japanese, "cp932", "JPY"), ("注文.csv", kanji, "cp932", "JPY"), ("露天.csv", chinese, "cp950", "TWD"),
                                       ("订单.csv", chinese, "utf-8", "CNY")):
        rep = load(warehouse, tmp_path / name, text, encoding=encoding)
        assert rep.rows_loaded == 2 and rep.encoding == encoding, name
        assert rows(warehouse, f"SELECT DISTINCT currency FROM sales WHERE _dataset = '{name}'") == [(code,)], name
        assert any(code in n for n in rep.notes), name


def test_a_workbooks_invoice_totals_and_customer_summary_beside_its_line_items_are_not_sales_again(warehouse, tmp_path):
    # Xero's dashboard workbook: line items, then the same invoices' totals (tax included), then a row per
    # customer (Num_Invoices, a count, was taken as the order id): all three were summed as sales
    import xlsxwriter

    path = tmp_path / "A2Z_Dashboard.xlsx"
    book = xlsxwriter.Workbook(path)
    sheets = {
        "Invoice_Line_Items": [["InvoiceNumber", "CustomerID", "InvoiceDate", "Status", "Description", "Quantity", "LineAmount"],
                               ["INV-1", "C1", "2024-01-05", "PAID", "Oak chair", 2, 200], ["INV-1", "C1", "2024-01-05", "PAID", "Table", 1, 300],
                               ["INV-2", "C2", "2024-01-06", "PAID", "Oak chair", 1, 100], ["INV-3", "C1", "2024-02-01", "PAID", "Lamp", 1, 50]],
        "Invoice_Summary": [["InvoiceNumber", "CustomerID", "InvoiceDate", "Status", "Total"],
                            ["INV-1", "C1", "2024-01-05", "PAID", 550], ["INV-2", "C2", "2024-01-06", "PAID", 110], ["INV-3", "C1", "2024-02-01", "PAID", 55]],
        "Customer_Summary": [["CustomerID", "Num_Invoices", "Last_Invoice_Date", "Total_Paid"], ["C1", 2, "2024-02-01", 605], ["C2", 1, "2024-01-06", 110]],
    }
    for name, data in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(data):
            sheet.write_row(r, 0, row)
    book.close()
    reps = {r.source.split("[")[-1].rstrip("]"): r for r in ingest_files(warehouse, [path])}
    assert "Num_Invoices" not in reps["Customer_Summary"].mapping
    assert [(reps[n].rows_loaded, reps[n].rows_skipped) for n in sheets] == [(4, 0), (0, 3), (0, 2)]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (650.0, 3, 2)
    assert rows(warehouse, "SELECT sum(quantity) FROM sales") == [(5,)]
    # the same invoices' totals as a file of their own are another data set: loaded (the person said so)
    rep = load(warehouse, tmp_path / "invoices.csv", "InvoiceNumber,CustomerID,InvoiceDate,Status,Total\nINV-1,C1,2024-01-05,PAID,550\n")
    assert (rep.rows_loaded, rep.rows_skipped) == (1, 0)


def test_an_orders_further_lines_that_repeat_its_number_but_not_its_date_belong_to_it(warehouse, tmp_path):
    # Nuvemshop's sales export: an order's second product on a line of its own that repeats the order
    # number and e-mail, its date, statuses and totals empty (4,393 of 9,144 lines rejected, "order_time is
    # empty"); Subtotal (the items, before the discount) beside Valor do Frete, not Total, is the sales
    text = ('"Número do Pedido";E-mail;Data;"Status do Pedido";"Status do Envio";Moeda;Subtotal;Desconto;"Valor do Frete";Total;'
            '"Nome do Produto";"Valor do Produto";"Quantidade Comprada";SKU\n'
            '5297;a@example.com;"15/11/2025 21:37:10";Aberto;"Não está embalado";BRL;458;45.80;10;422.20;Aliança (20);229;1;ANT405\n'
            '5297;a@example.com;;;;;;;;;Aliança (26);229;1;ANT406\n'
            '5296;b@example.com;"15/11/2025 21:15:51";Aberto;"Não está embalado";BRL;209;0.00;9.07;218.07;Tradicional (28);209;1;ant01\n'
            '5295;c@example.com;"14/11/2025 18:29:10";Aberto;"Não está embalado";BRL;448;22.40;10.18;435.78;Love (4mm);199;2;ANT7\n'
            '5295;c@example.com;;;;;;;;;Gravação;25;2;GR1\n')
    rep = load(warehouse, tmp_path / "nuvemshop.csv", text.replace("\n", "\r\n"), encoding="cp1252")
    assert (rep.rows_loaded, rep.rows_rejected) == (5, 0)
    assert (rep.mapping["Subtotal"], rep.mapping["Quantidade Comprada"], rep.mapping["Status do Pedido"]) == (
        "revenue@order", "quantity", "order_status@order")
    # 458 − 45.80 split 229 : 229, and 448 − 22.40 split 398 : 50 (the lines' quantity × price)
    assert rows(warehouse, "SELECT order_id, product_id, order_time, revenue FROM sales ORDER BY order_id, product_id") == [
        ("5295", "ANT7", datetime(2025, 11, 14, 18, 29, 10), Decimal("378.10")), ("5295", "GR1", datetime(2025, 11, 14, 18, 29, 10), Decimal("47.50")),
        ("5296", "ant01", datetime(2025, 11, 15, 21, 15, 51), Decimal("209.00")),
        ("5297", "ANT405", datetime(2025, 11, 15, 21, 37, 10), Decimal("206.10")), ("5297", "ANT406", datetime(2025, 11, 15, 21, 37, 10), Decimal("206.10")),
    ]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (1046.8, 3, 3)  # 412.20 + 209 + 425.60


def test_an_amazon_date_range_report_reads_its_product_sales_entry_types_and_the_currency_above_its_header(warehouse, tmp_path):
    # Amazon's date range (custom transaction) report: GMV was `total` (the payout after Amazon's fees), every
    # entry type loaded as a sale, `order state` (the US state) was the order's status, and the currency
    # named in a line above the header ("All amounts in USD") was not read
    above = ('"Includes Amazon Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore transactions"\n'
             '"All amounts in USD, unless specified"\n"Definitions:"\n')
    header = ('"date/time","settlement id","type","order id","sku","description","quantity","marketplace","order city","order state",'
              '"product sales","promotional rebates","selling fees","fba fees","total"\n')
    lines = ('"Dec 1, 2019 12:07:47 AM PST","1","Order","111-1","S1","Mug","1","amazon.com","Dover","DE","26.50","-0.27","-3.98","-5.21","17.04"\n'
             '"Dec 2, 2019 9:00:00 AM PST","1","Order","111-2","S2","Cup","2","amazon.com","Austin","TX","20.00","0","-3.00","-4.00","13.00"\n'
             '"Dec 3, 2019 10:00:00 AM PST","1","Refund","111-2","S2","Cup","1","amazon.com","Austin","TX","-10.00","0","1.50","0","-8.50"\n'
             '"Dec 4, 2019 1:00:00 PM PST","1","Service Fee","","","Subscription Fee","","","","","0","0","0","0","-39.99"\n'
             '"Dec 5, 2019 1:00:00 PM PST","1","Transfer","","","To account ending in: 123","","","","","0","0","0","0","-200.00"\n')
    rep = load(warehouse, tmp_path / "2019DecMonthlyTransaction.csv", above + header + lines)
    assert (rep.mapping["product sales"], rep.mapping["order state"]) == ("revenue", "region") and "total" not in rep.mapping
    assert (rep.rows_loaded, rep.rows_skipped) == (3, 2)
    k = figures(warehouse, None, None)
    assert (k["currency"], k["gmv"], k["refunds"], k["orders"]) == ("USD", 46.5, 10.0, 2)
    assert rows(warehouse, "SELECT DISTINCT region FROM sales ORDER BY 1") == [("DE",), ("TX",)]
    # the Japanese report (Shift-JIS): its entry types are 注文, 返金, 振込み, FBA 在庫関連の手数料; two sizes of one
    # item at one price in an order are two lines, not one order's amount written on both
    jp = ('"Amazon 出品サービス、フルフィルメント by Amazon (FBA)"\n"指定のない場合、単位は円"\n'
          '"日付/時間","決済番号","トランザクションの種類","注文番号","SKU","説明","数量","都道府県","商品売上","合計"\n'
          + "".join(f'"2022/10/0{d} 10:00:00 JST","9","注文","{o}","{s}","Tシャツ","1","東京都","1,278","714"\n'
                    for d, o, s in ((1, "503-1", "A-S"), (1, "503-1", "A-M"), (2, "503-2", "B-S"), (2, "503-2", "B-M"), (3, "503-3", "C-S"),
                                    (3, "503-3", "C-M")))
          + '"2022/10/04 10:00:00 JST","9","返金","503-3","C-M","Tシャツ","1","東京都","-1,278","-1,200"\n'
          + '"2022/10/05 10:00:00 JST","9","振込み","","","","","","0","-5,000"\n"2022/10/06 10:00:00 JST","9","FBA 在庫関連の手数料","","","","","","0","-120"\n')
    rep = load(warehouse, tmp_path / "202210-CustomTransaction.csv", jp, encoding="cp932")
    assert (rep.mapping["商品売上"], rep.rows_loaded, rep.rows_skipped) == ("revenue", 7, 2)
    assert rows(warehouse, "SELECT currency, sum(revenue) FILTER (WHERE revenue > 0), count(DISTINCT order_id) FROM sales "
                           "WHERE _dataset = '202210-CustomTransaction.csv' GROUP BY 1") == [("JPY", Decimal("7668.00"), 3)]


def test_a_lines_own_subtotal_beats_an_orders_total_and_a_parent_sku_is_no_parent_line(warehouse, tmp_path):
    # Shopee Malaysia's order report: Total Amount (the order's, with its shipping) repeated on its lines was
    # split over them and the shipping taken off each line whole (a line of 6.00 went to -2.33, a "return");
    # the line's Product Subtotal is its sales. Its product id is the Parent SKU Reference No. (the SKU
    # Reference No. is empty): "No." made it read as a parent line's nested field, and it was dropped
    text = ("Order ID,Order Status,Parent SKU Reference No.,SKU Reference No.,Product Name,Deal Price,Quantity,Product Subtotal,"
            "Total Amount,Buyer Paid Shipping Fee,Username (Buyer),Order Creation Date\n"
            "0CEXA,Shipping,123,,Mask,40,1,40,99.3,6.3,a****1,2024-12-09 10:00\n0CEXA,Shipping,126,,Gel,35,1,35,99.3,6.3,a****1,2024-12-09 10:00\n"
            "0CEXA,Shipping,125,,Pad,6,2,12,99.3,6.3,a****1,2024-12-09 10:00\n0CEXA,Shipping,124,,Clip,6,1,6,99.3,6.3,a****1,2024-12-09 10:00\n"
            "Q750V,Completed,126,,Gel,35,1,35,90,9,b****2,2024-12-09 11:00\nQ750V,Completed,123,,Mask,40,1,40,90,9,b****2,2024-12-09 11:00\n"
            "Q750V,Completed,125,,Pad,6,1,6,90,9,b****2,2024-12-09 11:00\n")
    rep = load(warehouse, tmp_path / "Order.all.20241209.csv", text)
    assert (rep.mapping["Product Subtotal"], rep.mapping["Parent SKU Reference No."]) == ("revenue", "product_id")
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["refunds"], k["orders"]) == (174.0, 0.0, 2)  # 93 + 81
    assert rows(warehouse, "SELECT count(DISTINCT product_id) FROM sales") == [(4,)]


def test_review_exports_of_japanese_scrapes_bazaarvoice_judge_me_and_yotpo_name_their_fields(warehouse, tmp_path):
    # an Amazon.co.jp scrape: 星 (stars), 投稿者 (reviewer), レビュー日付 (date) behind ％ and ＊ marks, and Amazon's
    # default names for a reviewer without one; Bazaarvoice's SubmissionTime; Judge.me's product_handle; Yotpo's
    # display_name beside the e-mail that tells reviewers apart
    rep = load(warehouse, tmp_path / "amazon_jp.csv", "％番号,％商品名,％星,タイトル,％投稿者,＊レビュー日付,レビュー内容\n"
               "1,本A,5,最高,織,2018/07/25,とても良かったです\n2,本A,3,普通,Amazon カスタマー,2018/07/26,まあまあ\n"
               "3,本B,4,良い,amazonカスタマー,2018/07/27,良い本でした\n", encoding="cp932")
    assert rows(warehouse, "SELECT count(*), avg(rating), count(review_time), count(DISTINCT customer_id) FROM reviews") == [(3, 4.0, 3, 1)]
    rep = load(warehouse, tmp_path / "bv.tsv", "Id\tProductId\tRating\tReviewText\tSubmissionTime\n"
               "r1\tP1\t4\tNice balm\t2008-09-12T10:00:00.000+00:00\nr2\tP1\t5\tLove it\t2021-03-15T22:00:00.000+00:00\n")
    assert rep.mapping["SubmissionTime"] == "review_time"
    rep = load(warehouse, tmp_path / "judgeme.csv", "title,body,rating,review_date,reviewer_name,reviewer_email,product_handle\n"
               "Great,Works well,5,2025-01-01,Ann,ann@example.com,red-mug\nOk,Fine,4,2025-01-02,Bob,bob@example.com,blue-cup\n")
    assert rep.mapping["product_handle"] == "product_id"
    rep = load(warehouse, tmp_path / "yotpo.csv", "review_content,review_score,date,sku,display_name,email\n"
               "Nice,5,2015-12-01,S1,Jo,jo@example.com\nGood,4,2015-12-02,S1,Jo B.,jo@example.com\nMeh,3,2015-12-03,S1,Al,al@example.com\n")
    assert rep.mapping["email"] == "customer_id"
    assert rows(warehouse, "SELECT count(DISTINCT customer_id) FROM reviews WHERE _dataset = 'yotpo.csv'") == [(2,)]


def test_a_tiktok_shop_japan_order_reads_its_line_subtotal_seller_discount_status_and_buyer(warehouse, tmp_path):
    # TikTok Shop Japan: GMV was 注文金額 (the order's, shipping included); the line's SKU小計（割引前） less the
    # seller's SKU discount is it, 注文状況 its status, カスタマーのユーザー名 its buyer
    text = ("注文ID,注文状況,SKU ID,商品名,数量,SKU小計（割引前）,セラーSKU割引,SKU小計（割引後）,割引後の送料,注文金額,注文作成時刻,カスタマーのユーザー名\n"
            "5823,未発送,1733,商品名,2,\"11,000 JPY\",\"1,000 JPY\",\"10,000 JPY\",990 JPY,\"10,990 JPY\",01/27/2026 6:03:56 PM,yamada_taro\n"
            "5824,キャンセル,1734,商品名B,1,\"3,000 JPY\",0 JPY,\"3,000 JPY\",990 JPY,\"3,990 JPY\",01/28/2026 9:00:00 AM,suzuki\n")
    rep = load(warehouse, tmp_path / "tiktokshop-order.csv", text)
    assert (rep.mapping["注文状況"], rep.mapping["カスタマーのユーザー名"], rep.mapping["セラーSKU割引"]) == ("order_status", "customer_id", "discount")
    k = figures(warehouse, None, None)
    assert (k["currency"], k["gmv"], k["orders"], k["customers"]) == ("JPY", 10000.0, 1, 1)


def test_a_subtotal_beside_a_total_with_tax_less_its_discount_and_a_refund_paid_in_to_the_seller(warehouse, tmp_path):
    # Lightspeed Retail's sales lines: Total is Subtotal − Discount plus 6% tax; Subtotal is Qty × Retail
    rep = load(warehouse, tmp_path / "mtg_data.csv", '"ID","Date","Description","Qty","Retail","Subtotal","Discount","Tax","Total","Customer"\n'
               '"437695","2020-07-02","Booster Pack","5","$4.00","$20.00","$2.00","6%","$19.08",""\n'
               '"439105","2020-07-18","Booster Box","1","$120.00","$120.00","$12.00","6%","$114.48","Ann"\n')
    assert (rep.mapping["Subtotal"], rep.mapping["Retail"]) == ("revenue", "unit_price")
    assert figures(warehouse, None, None)["gmv"] == 126.0  # 18 + 108
    # a seller's account statement: a refund kind written as money in is a reimbursement to the seller, not a
    # sale; a refund of a sale is money out (Lemon Squeezy's "Refund - Order #" with its amount in Refunds)
    rep = load(warehouse, tmp_path / "extrato.csv", "RELEASE_DATE;TRANSACTION_TYPE;REFERENCE_ID;TRANSACTION_NET_AMOUNT\n"
               "01-01-2026;Pedido 2000001;1;19,08\n02-01-2026;Reembolso Envío cancelado;2;531,95\n"
               "03-01-2026;Reembolso;3;-10,00\n04-01-2026;Transferência Pix enviada;4;-500,00\n")
    assert (rep.rows_loaded, rep.rows_skipped) == (2, 2)
    assert rows(warehouse, "SELECT line_kind, revenue FROM sales WHERE _dataset = 'extrato.csv' ORDER BY revenue") == [
        ("return", Decimal("-10.00")), ("sale", Decimal("19.08"))]


def test_an_api_dump_of_orders_dated_by_create_time_with_their_sale_prices_after_the_sellers_discount(warehouse, tmp_path):
    # TikTok Shop's Open API order search: it loaded as a product list (create_time, Unix seconds, was not
    # an order time), and forced to order lines it was dated by cancel_order_sla_time and its seller discount
    # came off sale_price, which is already after it (99,000 = 169,000 − 70,000)
    import json

    def order(i, status, when, price):
        return {"id": f"58013561347503043{i}", "status": status, "create_time": when, "cancel_order_sla_time": when + 300000,
                "update_time": when + 600000, "user_id": f"u{i % 2}", "payment": {"currency": "VND", "sub_total": str(price), "shipping_fee": "0"},
                "line_items": [{"id": f"l{i}", "product_id": "1730615733496023482", "product_name": "Củ sạc 20W", "original_price": "169000",
                                "sale_price": str(price), "seller_discount": str(169000 - price), "currency": "VND"}]}
    data = [order(1, "CANCELLED", 1756185057, 99000), order(2, "AWAITING_SHIPMENT", 1756949820, 89000), order(3, "CANCELLED", 1756200000, 99000)]
    rep = load(warehouse, tmp_path / "orders_20250905_123608.json", json.dumps(data))
    assert (rep.table, rep.mapping["create_time"], rep.mapping["sale_price"]) == ("sales", "order_time", "unit_price")
    k = figures(warehouse, None, None)
    assert (k["currency"], k["gmv"], k["orders"], k["customers"]) == ("VND", 89000.0, 1, 1)
    # 1756949820 is 2025-09-04 01:37 UTC: 09:37 in Shanghai
    assert rows(warehouse, "SELECT order_time FROM sales WHERE order_status <> 'cancelled'") == [(datetime(2025, 9, 4, 9, 37),)]


def test_an_integer_beyond_its_columns_range_rejects_its_row_instead_of_failing_the_load(warehouse, tmp_path):
    # Lightspeed's gift cards as JSON lines: a card's 15-digit number read as a quantity passed the number
    # check and then failed the INSERT's cast into INTEGER: "Conversion Error: Type INT64 … out of range"
    rep = load(warehouse, tmp_path / "lines.csv", "order_id,order_time,product_id,quantity,revenue\n"
               "A1,2025-03-14 20:15,P1,660876000021858,27.50\nA2,2025-03-14 21:00,P2,2,10.00\n")
    assert (rep.status, rep.rows_loaded, rep.rows_rejected) == ("loaded", 1, 1)
    assert rows(warehouse, "SELECT source_row, reason LIKE '%quantity%' FROM rejects") == [(2, True)]


def test_an_apis_inventory_levels_are_stock_and_its_customers_are_no_products(warehouse, tmp_path):
    # Lightspeed X-Series (Vend) records pulled from its API: inventory levels loaded as sales (current_amount
    # as revenue, the export's time as the order time); a list of customers and one of consignments loaded
    # as products, their bare id and name read as a product's
    import json

    stock = "".join(json.dumps({"id": f"i{i}", "outlet_id": "o1", "product_id": f"p{i}", "inventory_level": n, "current_amount": n,
                                "average_cost": 4.93, "_exported_at": "2025-09-02T03:18:18.650093"}) + "\n" for i, n in enumerate((0, 5, 2, -1)))
    rep = load(warehouse, tmp_path / "inventory.jsonl", stock)
    assert (rep.table, rep.mapping["inventory_level"], rep.mapping["_exported_at"]) == ("stock", "on_hand", "snapshot_date")
    assert rows(warehouse, "SELECT count(*), sum(on_hand), min(snapshot_date) FROM stock") == [(4, 6, date(2025, 9, 2))]
    for name, text in (("customers.jsonl", '{"name": null, "id": "c1", "customer_code": "WALKIN", "first_name": null, "email": null, "year_to_date": 0.0}\n'
                                           '{"name": "Ann Lee", "id": "c2", "customer_code": "ANN-1", "first_name": "Ann", "email": "ann@example.com", "year_to_date": 12.5}\n'),
                       ("consignments.jsonl", '{"id": "k1", "outlet_id": "o1", "name": "initial QOH load", "type": "SUPPLIER", "status": "RECEIVED"}\n'
                                              '{"id": "k2", "outlet_id": "o1", "name": null, "type": "STOCKTAKE", "status": "STOCKTAKE_COMPLETE"}\n')):
        (tmp_path / name).write_text(text, encoding="utf-8")
        [rep] = ingest_file(warehouse, tmp_path / name)
        assert rep.status == "failed" and "fits no table" in rep.message, name
    assert rows(warehouse, "SELECT count(*) FROM products") == [(0,)]


def test_german_and_swedish_order_exports_name_their_columns_in_their_own_words(warehouse, tmp_path):
    # Zettle's Swedish raw data report (5 title rows above Datum, Kvittonummer, Antal, Rabatt, Slutpris) was
    # refused ("fits no table"); a German shop's Bestellnummer, Bestelldatum, Artikelname, Anzahl, Einzelpreis too
    rep = load(warehouse, tmp_path / "Zettle-Raw-Data-Report.csv", "Detaljerad försäljningsrapport\nSektionen\nPeriod: 2021-04-01 - 2021-04-30\n\n"
               "Datum,Tid,Personal,Kvittonummer,Namn,Antal,Pris (SEK),Rabatt (SEK),Slutpris (SEK)\n"
               "2021-04-23 16:05,16:05,Kassa,101,Kaffe,2,30,0,30\n2021-04-23 16:07,16:07,Kassa,102,Bulle,3,45,5,40\n")
    assert (rep.mapping["Kvittonummer"], rep.mapping["Antal"], rep.mapping["Slutpris (SEK)"]) == ("order_id", "quantity", "revenue")
    k = figures(warehouse, None, None)
    assert (k["currency"], k["gmv"], k["orders"]) == ("SEK", 70.0, 2)
    rep = load(warehouse, tmp_path / "bestellungen.csv", "Bestellnummer;Bestelldatum;Kunde;Artikelname;Anzahl;Einzelpreis;Währung\n"
               "10001;03.02.2024;K-1;Kaffeebecher;2;12,50;EUR\n10002;04.02.2024;K-2;Teekanne;1;30,00;EUR\n")
    assert rep.mapping == {"Bestellnummer": "order_id", "Bestelldatum": "order_time", "Kunde": "customer_id", "Artikelname": "product_name,product_id",
                           "Anzahl": "quantity", "Einzelpreis": "unit_price", "Währung": "currency"}
    assert rows(warehouse, "SELECT currency, sum(quantity * unit_price), min(order_time) FROM sales WHERE _dataset = 'bestellungen.csv' GROUP BY 1") == [
        ("EUR", Decimal("55.00"), datetime(2024, 2, 3))]


def test_a_tmall_scrapes_reviewer_column_names_the_reviewer_so_a_page_fetched_twice_loads_once(warehouse, tmp_path):
    # a Tmall review scrape: 评论人信息 (the masked reviewer) was not read, so rows repeated in every column, with
    # short texts and no reviewer, stayed (5,393 against 4,780 distinct)
    page = "".join(f"三只松鼠坚果,https://detail.tmall.com/1,{t},2019.12.31,{who},,//img/{i}.jpg\n"
                   for i, (t, who) in enumerate((("好吃", "美***阿（匿名）"), ("不错", "t***1（匿名）"), ("还行", "小***鼠"))))
    rep = load(warehouse, tmp_path / "评论.csv", "商品名,链接,评论,评论时间,评论人信息,店家回复,头像\n" + page + page)
    assert (rep.mapping["评论人信息"], rep.rows_loaded, rep.rows_skipped) == ("customer_id", 3, 3)


def test_a_declined_payment_beside_an_open_orders_status_cancels_the_order(warehouse, tmp_path):
    # Nuvemshop's Status do Pedido is "Aberto" on every order; its Status do Pagamento says which payments
    # were declined (Recusado): 29 such orders counted as sales (6,086.93 BRL)
    rep = load(warehouse, tmp_path / "vendas.csv", '"Número do Pedido";E-mail;Data;"Status do Pedido";"Status do Pagamento";Moeda;Total;"Nome do Produto"\n'
               '1;a@example.com;"15/11/2025 21:37:10";Aberto;Confirmado;BRL;100;Anel\n2;b@example.com;"15/11/2025 22:00:00";Aberto;Recusado;BRL;40;Colar\n'
               '3;c@example.com;"16/11/2025 09:00:00";Aberto;Pendente;BRL;25;Brinco\n')
    assert rep.mapping["Status do Pagamento"] == "order_status@payment"
    assert any("Status do Pagamento" in n for n in rep.notes)
    # "Aberto" (open) holds "rto" (returned to origin) as text, not as a word: it is no return
    assert rows(warehouse, "SELECT order_status FROM sales ORDER BY order_id") == [("aberto",), ("cancelled",), ("aberto",)]
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"], k["customers"]) == (125.0, 2, 2)


def test_an_order_time_named_in_its_header_keeps_its_place_when_one_cancelled_row_leaves_it_empty(warehouse, tmp_path):
    # Shopee Malaysia: one cancelled row without an Order Creation Date gave the file's time to Order
    # Complete Time (filled on one row more), days later
    text = "Order ID,Order Status,Order Creation Date,Product Name,Product Subtotal,Order Complete Time\n" + "".join(
        f"O{i},Completed,2024-12-09 00:{10 + i}, Gel,35,2024-12-14 00:41\n" for i in range(7)) + "OX,Cancelled,,Gel,35,2024-12-13 00:14\n"
    rep = load(warehouse, tmp_path / "Order.all.csv", text)
    assert rep.mapping["Order Creation Date"] == "order_time" and "Order Complete Time" not in rep.mapping
    assert rows(warehouse, "SELECT min(order_time)::DATE, max(order_time)::DATE FROM sales WHERE line_kind = 'sale'") == [(date(2024, 12, 9), date(2024, 12, 9))]


def test_an_invoices_freight_line_is_shipping_not_a_product_sold(warehouse, tmp_path):
    # Xero's invoice line items: "Freight Charges" lines (category "Freight & Delivery") counted as sales,
    # 93,627.45 of the workbook's GMV; a product whose name only mentions shipping stays a product
    rep = load(warehouse, tmp_path / "Invoice_Line_Items.csv", "InvoiceNumber,CustomerID,InvoiceDate,Status,Category,Description,Quantity,LineAmount\n"
               "INV-1,C1,2024-01-05,PAID,Chairs,Oak chair,2,200\nINV-1,C1,2024-01-05,PAID,Freight & Delivery,Freight Charges,1,45\n"
               "INV-2,C2,2024-01-06,PAID,Boxes,Shipping Box,3,30\nINV-3,C3,2024-01-07,PAID,Lamps,Lamp,1,50\nINV-3,C3,2024-01-07,PAID,Other,Delivery,1,20\n")
    assert (rep.rows_loaded, rep.rows_skipped) == (3, 2)
    assert any("shipping line" in n for n in rep.notes)
    k = figures(warehouse, None, None)
    assert (k["gmv"], k["orders"]) == (280.0, 3)
