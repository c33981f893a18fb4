"""The canonical tables and columns of the warehouse, in one place.

Each column says its DuckDB type, whether a load needs it, its unit, its value kind (which parser
ingestion applies) and its English and Chinese synonyms (how source headers map onto it).
The README's schema table is generated from this module (`python -m ecom schema`), and a test
checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MONEY = "DECIMAL(18,2)"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    kind: str  # id | text | timestamp | date | period | money | int | number | share | rating | event | status | linekind
    required: bool = False
    unit: str = ""
    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()
    default: str | None = None  # SQL expression used when the source has no such column
    per_order: bool = False  # an amount platforms often repeat on every line of an order
    # Headers that are no synonym still match when their words include one of each group (English
    # words, or Chinese substrings) and none of `avoid`: order_purchase_timestamp, 买家会员ID, Units Sold.
    words: tuple[tuple[str, ...], ...] = ()
    avoid: tuple[str, ...] = ()
    looks: str = ""  # what the values must look like when that differs from `kind` ("freetext")
    computed: bool = False  # filled by ingestion itself, never from a source column

    @property
    def synonyms(self) -> tuple[str, ...]:
        return (self.name, *self.en, *self.zh)


@dataclass(frozen=True)
class Table:
    name: str
    help: str
    columns: tuple[Column, ...]
    # groups of columns of which at least one each must be mapped (beyond the required columns)
    one_of: tuple[tuple[str, ...], ...] = ()
    # groups of which every row must have at least one value (else the row is rejected)
    row_one_of: tuple[tuple[str, ...], ...] = ()
    # the natural key of a row: the same key loaded twice is reported, not duplicated
    key: tuple[str, ...] = field(default=())
    # columns whose unreadable values do not cost the row: it loads without the value, which is kept in
    # its _extra under the file's column name, and the load's notes count them (a review is its text and
    # rating: a date in a format nobody reads, an id Excel turned into 1.03E+12, or a rating its scale
    # cannot read, Digikala's 0 for no stars, must not lose it);
    # free text that is the platform's stand-in for none (此用户未填写评价内容) loads as no text the same way
    lenient: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def mappable(self) -> list[str]:
        """Columns a source column can be mapped onto (not the computed ones)."""
        return [c.name for c in self.columns if not c.computed]


C = Column

_ID = ("id", "no", "nr", "number", "num", "code", "key", "ref", "编号", "号", "ID", "Id", "码", "编码")
_DATE = ("date", "time", "timestamp", "datetime", "at", "day", "时间", "日期")
_NOT_ORDER_TIME = ("ship", "shipped", "shipping", "delivery", "delivered", "deliver", "approved", "estimated", "carrier", "due",
                   "return", "refund", "update", "updated", "limit", "cancel", "cancelled", "canceled", "sla", "deadline", "expire", "expiry", "发货", "收货", "签收", "退款", "预计", "确认")
# a customer's membership level or tier (JD's userLevelName: 金牌会员) is no customer
_TIER = ("level", "grade", "tier", "rank", "等级", "级别")
# a variant's option ("Option 1 Value") is no amount
_MONEY_NOT_REVENUE = ("option", "discount", "tax", "shipping", "freight", "refund", "cost", "fee", "profit", "margin", "rate", "count", "qty",
                      "quantity", "number", "unit", "each", "list", "original", "products", "items", "diskon", "desconto", "descuento", "weight",
                      "berat", "peso", "优惠", "折扣", "运费", "邮费", "退款", "成本", "利润", "税", "单价", "原价", "数量", "件数")  # "Total products", "Total Items": counts

SALES = Table(
    "sales",
    "Order lines: one row per product in an order.",
    (
        C("order_id", "VARCHAR", "id", False, "", ("Order ID", "Order No", "Order Number", "OrderID", "InvoiceNo", "Invoice", "order_no", "Invoice ID", "Invoice Number", "Transaction ID", "Receipt No", "Order Reference", "ID đơn hàng", "Mã đơn hàng", "ID do pedido", "ID del pedido", "Número do pedido", "Número de pedido", "No. Pesanan", "N.º de venda", "Número de venda", "N.º de venta", "# de venta", "注文番号", "受注番号", "注文ID", "オーダー番号", "주문번호", "Order", "เลขที่ Order", "เลขที่คำสั่งซื้อ", "หมายเลขคำสั่งซื้อ", "เลขที่ออเดอร์", "Номер заказа", "№ заказа", "ID заказа", "id", "Sipariş No", "Sipariş Numarası", "Numer zamówienia", "increment_id", "Num", "เลขใบเสร็จ", "เลขที่ใบเสร็จ", "Bestellnummer", "Auftragsnummer", "Kvittonummer", "Ordernummer", "Ordrenummer", "Kvitteringsnummer", "Bestelnummer", "Numéro de commande", "N° de commande", "Numero ordine"), ("订单号", "订单编号", "订单ID", "主订单编号", "子订单编号", "订单id", "交易单号", "订单编码", "单号"),
          words=(("order", "invoice", "transaction", "receipt", "bill", "订单", "交易", "单据", "发票"), _ID), avoid=("item", "line", "status", "type", "customer", "product", "sku", "count", "qty", "quantity", "currency", "orders", "invoices", "transactions", "receipts", "明细", "商品", "状态", "币种")),
        C("line_no", "INTEGER", "int", False, "", ("Line", "Line No", "Line Number", "Item No", "Lineitem", "order_item_id", "Line Item ID", "ลำดับที่"), ("行号", "明细序号", "序号")),
        C("order_time", "TIMESTAMP", "timestamp", True, "shop time zone", ("Order Date", "Order Time", "InvoiceDate", "Created at", "Date", "Paid at", "order_date", "purchase_date", "Order Datetime", "Purchase Date", "Transaction Date", "Invoice Date", "Sale Date", "Thời gian đặt hàng", "Ngày đặt hàng", "Created Time", "create_time", "createTime", "gmt_create", "Order Creation Date", "Data de criação do pedido", "Fecha de creación del pedido", "Waktu Pesanan Dibuat", "วันที่-เวลา", "วันที่สั่งซื้อ", "เวลาสั่งซื้อ", "วันที่ทำการสั่งซื้อ", "注文日時", "注文日", "受注日", "受注日時", "購入日時", "주문일시", "결제일", "Дата создания заказа", "Дата заказа", "Принят в обработку", "Sipariş Tarihi", "Data zamówienia", "주문일", "발주일", "결제일시", "วัน-เวลา", "วันเวลา", "Datum", "Bestelldatum", "Orderdatum", "Ordredato", "Dato", "Besteldatum", "Date de commande", "Data ordine", "Fecha del pedido", "Fecha de pedido"), ("下单时间", "付款时间", "订单创建时间", "订单付款时间", "创建时间", "支付时间", "成交时间", "日期", "下单日期", "订单时间", "交易时间", "购买时间", "订单日期", "付款日期"),
          words=(("order", "purchase", "invoice", "transaction", "sale", "sales", "create", "created", "paid", "payment", "checkout", "下单", "付款", "支付", "成交", "交易", "订单", "购买", "创建"), _DATE), avoid=_NOT_ORDER_TIME),
        C("customer_id", "VARCHAR", "id", False, "", ("Customer ID", "CustomerID", "Customer", "Buyer", "Buyer ID", "Email", "user_id", "User ID", "Client ID", "Member ID", "Customer Email", "Customer Name", "Cust ID", "From Email Address", "Payer Email", "Payer ID", "Buyer Username", "Username (Buyer)", "カスタマーのユーザー名", "Nome de usuário (comprador)", "Nombre de usuario (comprador)", "Username (Pembeli)", "Comprador", "ชื่อลูกค้า", "ชื่อผู้ซื้อ", "ชื่อผู้ใช้ (ผู้ซื้อ)", "注文者メールアドレス", "購入者メールアドレス", "顧客ID", "구매자ID", "주문자ID", "회원ID", "id ของลูกค้า", "รหัสลูกค้า", "Kunde", "Kundennummer", "Kund", "Klant", "Cliente"), ("买家会员名", "买家ID", "买家昵称", "用户ID", "客户ID", "会员名", "买家账号", "用户名", "买家会员ID", "会员ID", "顾客ID", "客户编号", "客户名称", "用户标识", "对方账户"),
          words=(("customer", "buyer", "client", "user", "member", "consumer", "shopper", "cust", "payer", "买家", "会员", "客户", "用户", "顾客", "使用者"), (*_ID, "name", "email", "unique", "nick", "名", "账号", "昵称")),
          avoid=("city", "state", "zip", "address", "phone", "segment", "type", "age", "gender", "country", "region", "province", "prefix", *_TIER, "地址", "城市", "省",
                 "电话", "手机", "备注", "留言")),
        C("product_id", "VARCHAR", "id", False, "", ("Product ID", "ProductID", "SKU", "StockCode", "Item ID", "Lineitem sku", "product_code", "goods_id", "Product Code", "Item Code", "SKU ID", "Item SKU", "ASIN", "Variant SKU", "Article Number", "SKU Reference No.", "Número de referência SKU", "Número de referencia SKU", "Nomor Referensi SKU", "Артикул", "Артикул продавца", "Stok Kodu", "Kod produktu", "รหัสสินค้า", "เลขอ้างอิง SKU (SKU Reference No.)", "商品番号", "商品コード", "商品管理番号", "品番", "상품번호", "상품코드", "상품ID"), ("商品ID", "商品编码", "商品编号", "宝贝ID", "商家编码", "货号", "SKU编码", "商品id", "SKU", "货品编号", "商品SKU", "规格编码", "存货编号", "存货编码", "物料编码", "物料编号"),
          words=(("product", "item", "sku", "goods", "article", "asin", "variant", "宝贝", "商品", "货品", "产品"), (*_ID, "sku")),
          avoid=("name", "title", "description", "category", "type", "qty", "quantity", "price", "order", "名称", "标题", "类目", "数量", "价格", "订单", "count", "of", "weight", "peso", "berat", "重量")),
        C("product_name", "VARCHAR", "text", False, "", ("Product Name", "Product", "Item Title", "Description", "Item Name", "Title", "Lineitem name", "Product Title", "Item Description", "Item", "Goods Name", "Product Description", "Products", "Tên sản phẩm", "Tên Item", "Nome do Produto", "Nombre del producto", "Nama Produk", "ชื่อสินค้า", "상품명", "Наименование товара", "Название товара", "Товар", "Ürün Adı", "Nazwa produktu", "주문상품명", "제품명", "รายการ", "Artikelname", "Artikel", "Produkt", "Produktname", "Produktnamn", "Artikelnaam", "Nom du produit", "Nome prodotto"), ("宝贝标题", "商品名称", "商品标题", "商品", "宝贝名称", "货品名称", "产品名称", "商品名"),
          words=(("product", "item", "goods", "article", "listing", "商品", "宝贝", "货品", "产品"), ("name", "title", "description", "desc", "名称", "标题", "名")),
          avoid=("category", "cat", "type", "brand", "length", "lenght", "类目", "品类", "分类", "品牌")),
        C("category", "VARCHAR", "text", False, "", ("Category", "Product Category", "product_category", "Product Type", "Category Name", "Department", "Product Line"), ("类目", "品类", "商品类目", "类别", "分类", "一级类目", "商品分类"),
          words=(("category", "department", "cate", "类目", "品类", "类别", "分类"),),
          avoid=("sub", "id", "order", "customer", "payment", "二级", "三级", "订单", "客户", "会员", "支付")),  # an order's or a customer's kind is no product category
        C("brand", "VARCHAR", "text", False, "", ("Brand", "Vendor", "Make", "Manufacturer", "Brand Name"), ("品牌", "品牌名称", "品牌名"), words=(("brand", "make", "manufacturer", "品牌"),),
          avoid=("card", "payment", "wallet", "卡", "支付")),  # a payment card's brand (Shopify Payments' Card Brand: Visa) is no product brand
        C("quantity", "INTEGER", "int", False, "units", ("Quantity", "Qty", "Units", "sales_volume", "Lineitem quantity", "volume", "Quantity Ordered", "Qty Ordered", "Units Sold", "Pieces", "Số lượng", "Quantidade", "Quantidade Comprada", "Cantidad", "Cantidad comprada", "Jumlah", "Unidades", "จำนวน", "個数", "注文数", "수량", "Количество", "Кол-во", "Adet", "Miktar", "Ilość", "受注個数", "受注数", "Anzahl", "Menge", "Antal", "Antall", "Aantal", "Quantité", "Quantità"), ("购买数量", "数量", "销量", "商品数量", "件数", "购买件数", "宝贝数量"),
          words=(("qty", "quantity", "units", "pieces", "pcs", "number", "count", "数量", "件数", "销量"),),
          avoid=("price", "cost", "amount", "value", "total", "order", "invoice", "phone", "tracking", "serial", "reference", "account", "card", "zip", "installment", "installments", "parcela", "cuota",
                 "postal", "id", "photo", "image", "picture", "weight", "length", "height", "width", "size", "per", "stock", "单价", "金额", "库存")),
        C("unit_price", MONEY, "money", False, "currency", ("Unit Price", "UnitPrice", "Price", "Lineitem price", "Price Each", "Retail", "Retail Price", "Item Price", "Sale Price", "Selling Price", "Đơn giá", "Giá", "Deal Price", "Preço acordado", "Precio acordado", "Harga Setelah Diskon", "Preço", "Precio", "Preço do produto", "Precio del producto", "Preço unitário", "Precio unitario", "Valor do Produto", "Valor unitário", "Valor Unitário", "Harga", "ราคา", "ราคาต่อหน่วย", "ราคาขาย", "単価", "販売価格", "판매가", "Цена", "Цена товара", "Итоговая стоимость товара", "Fiyat", "Birim Fiyat", "Cena", "ราคาต่อบริการ", "Einzelpreis", "Stückpreis", "Preis", "Styckpris", "Prix unitaire", "Prezzo unitario", "Prijs"), ("单价", "商品单价", "价格", "商品价格", "售价", "成交单价"),
          words=(("price", "单价", "售价", "价格"),), avoid=("total", "list", "original", "compare", "原价", "总", "shipping", "freight", "type", "id")),
        C("revenue", MONEY, "money", False, "currency", ("product sales", "商品売上", "Umsätze", "ventes de produits", "Vendite", "ventas de productos", "Revenue", "Receita por produtos", "Ingresos por productos", "Sales", "Amount", "Total", "Line Total", "sales_amount", "Paid Amount", "Sales Amount", "Total Price", "Total Amount", "Line Amount", "Net Amount", "Payment Value", "Subtotal", "Net Sales", "Amount Paid", "Gross", "Gross Amount", "Gross Amt", "Gross Sales", "Giá trị đơn hàng", "Thành tiền", "SKU Subtotal After Discount", "SKU小計", "Product Subtotal", "Subtotal do produto", "Subtotal del producto", "Total Harga Produk", "Total Pembayaran", "商品合計金額", "合計金額", "小計", "จำนวนเงิน", "ยอดขาย", "ราคาสินค้ารวม", "Сумма отправления", "Сумма", "Стоимость", "Tutar", "Toplam Tutar", "Kwota", "결제금액", "상품별 총 주문금액", "최종 상품별 총 주문금액", "受注金額", "売上金額", "ราคาหลังหักส่วนลด", "ยอดขายสุทธิ", "Slutpris", "Umsatz", "Betrag", "Belopp", "Beløb", "Montant", "Importo", "Bedrag"), ("实付金额", "成交金额", "销售额", "金额", "实收款", "买家实付", "支付金额", "商品金额", "订单金额", "订单价格", "实际支付金额", "买家实际支付金额", "销售金额", "交易金额", "总金额", "销售实洋", "实洋", "销售码洋", "码洋"),
          default="quantity * unit_price", per_order=True, words=(("amount", "total", "sales", "revenue", "subtotal", "gmv", "value", "gross", "金额", "销售额", "实付", "实收", "货款"),),
          avoid=_MONEY_NOT_REVENUE),
        C("discount", MONEY, "money", False, "currency", ("Discount", "Discount Amount", "Coupon Amount", "ส่วนลด", "クーポン利用総額", "クーポン利用額", "値引額", "割引額", "プロモーション割引額", "promotional rebates", "セラーSKU割引", "ส่วนลดต่อบริการ", "Rabatt", "Rabat", "Korting", "Remise", "Sconto", "Descuento"), ("优惠", "优惠金额", "折扣金额", "店铺优惠"), per_order=True,
          words=(("discount", "coupon", "promotion", "rebate", "desconto", "cupom", "descuento", "cupón", "diskon", "优惠", "折扣", "减免"),), avoid=("rate", "percent", "pct", "率", "比例", "code", "name", "id", "type")),
        C("discount_rate", "DOUBLE", "share", False, "fraction 0–1", ("Discount Rate", "Discount %", "Discount Percent", "Discount Pct"), ("折扣率", "折扣比例", "优惠比例"),
          words=(("discount", "折扣", "优惠"), ("rate", "percent", "pct", "率", "比例"))),
        C("shipping_fee", MONEY, "money", False, "currency", ("Shipping", "Shipping Fee", "Freight", "Shipping Cost", "Shipping Charge", "Delivery Fee", "Postage", "freight_value", "Shipping Fee After Discount", "Buyer Paid Shipping Fee", "Taxa de envio pagas pelo comprador", "Valor do Frete", "Frete", "Costo de envío", "Versandkosten", "Frais de port", "Frais de livraison", "Ongkos Kirim Dibayar oleh Pembeli", "ค่าส่ง", "ค่าจัดส่ง", "ค่าขนส่ง", "送料", "送料合計", "배송비", "Frakt", "Fraktkostnad", "Verzendkosten", "Frais d'expédition"), ("运费", "邮费", "快递费"), per_order=True,
          words=(("shipping", "freight", "delivery", "postage", "运费", "邮费", "快递费"), ("fee", "cost", "charge", "value", "amount", "price", "total", "费")),
          avoid=("weight", "days", "time", "date", "method", "status", "address", "tax")),
        C("refund_amount", MONEY, "money", False, "currency", ("Refund", "Refund Amount", "Refunded", "Refunded Amount", "Return Amount", "Số tiền hoàn trả", "Số tiền hoàn lại", "Cancelamentos e reembolsos",
                                                                   "Cancelaciones y reembolsos"), ("退款金额", "退款", "退款额", "买家退款金额", "实际退款金额", "退款总额"),
          # a refund's tax or shipping part (Magento's tax_refunded) is not what was refunded
          words=(("refund", "refunded", "退款"),), avoid=("status", "date", "time", "reason", "状态", "时间", "原因", "type", "tax", "shipping", "fee", "qty", "quantity", "count", "adjustment", "rounding", "税", "运费", "数量")),
        C("order_status", "VARCHAR", "status", False, "", ("Status", "Order Status", "Status do Pedido", "注文状況", "Estado del pedido", "Estado do pedido", "Bestellstatus", "Statut de la commande", "Статус", "Статус заказа", "Durum", "Sipariş Durumu", "Financial Status", "Order State", "Fulfillment Status", "Trạng thái đơn hàng", "Trạng thái đặt hàng", "สถานะ", "สถานะคำสั่งซื้อ", "ステータス", "注文ステータス", "주문상태"), ("订单状态", "交易状态", "状态"),
          words=(("status", "状态"),), avoid=("refund", "退款", "payment", "review")),
        C("channel", "VARCHAR", "text", False, "", ("Channel", "Platform", "Source", "Sales Channel", "Marketplace"), ("渠道", "平台", "来源", "流量来源"), words=(("channel", "platform", "marketplace", "渠道", "平台"),),
          avoid=("id", "fee", "amount", "price", "tax", "gst", "charge", "cost", "commission", "discount", "coupon", "voucher", "费", "金额", "优惠", "折扣")),
        C("region", "VARCHAR", "text", False, "", ("Region", "Province", "State", "Country", "Shipping Province", "Shipping Country", "Ship State", "Ship Country", "Billing Province", "จังหวัด", "Provinsi", "Província", "Provincia", "都道府県", "注文者住所都道府県", "送付先住所都道府県"), ("地区", "省份", "收货地区", "区域", "收货省份", "省"),
          words=(("region", "province", "state", "country", "省份", "地区", "区域"),), avoid=("zip", "code", "id", "status", "prefix", "amount", "金额")),
        C("shop", "VARCHAR", "text", False, "", ("Shop", "Store", "Store Name", "Shop Name", "Seller", "Branch", "Outlet", "Location", "Магазин", "Mağaza", "Sklep", "Tên Shop", "ショップ名", "店舗名"), ("店铺", "店铺名称", "门店", "店铺名", "商家", "卖家"),
          words=(("shop", "store", "seller", "merchant", "branch", "outlet", "店铺", "门店", "商家", "卖家"),),
          avoid=("city", "state", "zip", "type", "sku", "order", "item", "message", "note", "remark", "comment", "tax", "fee", "amount", "discount", "coupon", "voucher",
                 "cashback", "coin", "rebate", "price", "cost", "留言", "备注", "优惠")),
        C("currency", "VARCHAR", "text", False, "", ("Currency", "Currency Code", "Moeda", "Moneda", "Mata Uang", "Moeda do vendedor", "Währung", "Valuta", "Devise"), ("币种", "货币"),
          words=(("currency", "币种", "货币"),)),  # "moeda" is also a coin: Shopee's Compensar Moedas Shopee is a count of coins
        C("line_kind", "VARCHAR", "linekind", False, "sale/return/cancelled", computed=True),
    ),
    # a line sold something: an amount, a price, a quantity or a product (an orders file with times and
    # statuses only is not order lines; it completes order lines in a multi-file export)
    one_of=(("revenue", "unit_price", "quantity", "product_id"),),
    key=("order_id", "line_no", "product_id"),
)

BEHAVIOR = Table(
    "behavior",
    "Customer behaviour events (view, cart, favorite, purchase), or one row per customer with a purchase frequency.",
    (
        # an anonymous log's session stands for its visitor (YOOCHOOSE, Diginetica, OTTO, Coveo: session_id_hash)
        C("customer_id", "VARCHAR", "id", True, "", ("Customer ID", "User ID", "user_id", "UserID", "Visitor ID", "visitorid", "User", "Session ID", "session_id", "sessionId", "session"),
          ("用户ID", "买家ID", "客户ID", "会员ID", "用户id", "会话ID"),
          words=(("customer", "user", "visitor", "member", "buyer", "session", "用户", "客户", "会员", "买家", "会话"), _ID)),
        C("event_time", "TIMESTAMP", "timestamp", True, "shop time zone", ("Event Time", "Timestamp", "Time", "Date", "event_date", "Event Timestamp", "Time Stamp", "ts"), ("行为时间", "时间", "时间戳", "日期"),
          words=(("event", "behavior", "behaviour", "action", "visit", "server", "client", "hit", "行为", "事件"), _DATE)),
        C("event_type", "VARCHAR", "event", True, "view/cart/favorite/purchase", ("Event Type", "Behavior", "Behavior Type", "Action", "Event", "behavior_type", "Event Name", "Action Type"), ("行为类型", "行为", "事件类型"),
          words=(("event", "behavior", "behaviour", "action", "行为", "事件"), ("type", "name", "类型"))),
        # OTTO's sessions name the article by its aid
        C("product_id", "VARCHAR", "id", False, "", ("Product ID", "Item ID", "item_id", "SKU", "itemid", "aid", "Article ID", "article_id"), ("商品ID", "商品编码", "宝贝ID"),
          words=(("product", "item", "sku", "skus", "goods", "article", "商品", "宝贝"), (*_ID, "hash"))),
        C("category", "VARCHAR", "text", False, "", ("Category", "Category ID", "category_id", "categoryid", "cat_id", "category_code"), ("类目", "品类", "类目ID"), words=(("category", "cat", "cate", "类目", "品类"),)),
        C("purchase_frequency", "INTEGER", "int", False, "orders", ("Purchase Frequency", "purchase_frequency", "Orders", "Order Count", "Number of Orders"), ("购买频次", "购买次数", "下单次数")),
    ),
)

MARKET = Table(
    "market",
    "Market data by period and brand (or category): sales, units or share.",
    (
        C("period", "DATE", "period", True, "first day of month or the day (of the year for yearly figures)", ("Period", "Month", "Date", "date", "Year-Month", "Month Year", "Year"),
          ("月份", "期间", "日期", "统计周期", "时间", "年月", "年份"),
          words=(("month", "period", "week", "月份", "期间", "周期", "年月"),), avoid=("report", "出表")),
        C("category", "VARCHAR", "text", False, "", ("Category", "Segment", "Product Category"), ("类目", "品类", "行业", "产业别"),
          words=(("category", "segment", "industry", "类目", "品类", "行业", "产业"),)),
        C("brand", "VARCHAR", "text", False, "", ("Brand", "Competitor", "brand_name", "Make", "Manufacturer", "Brand Name", "Company", "Maker"), ("品牌", "品牌名称", "品牌名", "厂商", "公司名称"),
          words=(("brand", "make", "manufacturer", "competitor", "company", "vendor", "品牌", "厂商", "公司"),), avoid=("id", "code", "代号", "代码", "编号")),
        C("sales_amount", MONEY, "money", False, "currency", ("Sales Amount", "Sales", "Revenue", "GMV"), ("销售额", "成交金额", "交易额", "营业收入", "营收"),
          words=(("sales", "revenue", "gmv", "amount", "销售额", "成交额", "交易额", "营收", "营业收入"),),
          avoid=("volume", "units", "qty", "quantity", "count", "share", "growth", "change", "previous", "last", "cumulative", "ytd", "%",
                 "销量", "上月", "去年", "累计", "增减", "比较", "备注")),
        C("units", "BIGINT", "int", False, "units", ("Units", "Volume", "Sales Volume", "Quantity", "Units Sold", "Qty", "Registrations"), ("销量", "销售量", "件数", "数量"),
          words=(("units", "volume", "quantity", "qty", "number", "count", "registrations", "销量", "销售量", "数量"),), avoid=("id", "phone", "code")),
        C("market_share", "DOUBLE", "share", False, "fraction 0–1", ("Market Share", "Share", "market_share", "Pct", "Pct Share", "Share %", "Percent"), ("市场份额", "份额", "市占率", "占比"), words=(("share", "pct", "percent", "份额", "占比", "市占"),)),
    ),
    one_of=(("brand", "category"), ("sales_amount", "units", "market_share")),
)

REVIEWS = Table(
    "reviews",
    "Customer reviews.",
    (
        C("review_id", "VARCHAR", "id", False, "", ("Review ID", "ReviewID", "id", "Comment ID", "recommendation_id"), ("评价ID", "评论ID"), words=(("review", "comment", "评价", "评论"), _ID),
          avoid=("user", "customer", "buyer", "author", "reviewer", "member", "用户", "买家", "会员", "使用者")),  # 评论用户id is the reviewer's
        # JD's comment data names the reviewed SKU referenceId (its referenceTime is the purchase's);
        # a file of an app's reviews names the app
        C("product_id", "VARCHAR", "id", False, "", ("Product ID", "SKU", "Item ID", "asin", "Clothing ID", "referenceId", "App", "App Name", "App ID", "Package Name",
                                                             "product_handle", "Product Handle"),
          ("商品ID", "商品编码", "宝贝ID"), words=(("product", "item", "sku", "asin", "商品", "宝贝"), _ID)),
        C("customer_id", "VARCHAR", "id", False, "", ("Customer ID", "User ID", "Reviewer", "reviewer_id", "reviewerID", "Reviewer Name", "Author", "Nickname", "User Name",
                                                              "Nama User", "Автор", "계정 ID", "작성자", "닉네임", "User", "Kullanıcı", "Kullanıcı Adı", "Adlar", "author_steamid",
                                                              "display_name", "投稿者", "レビュアー", "評価者"),
          ("买家ID", "用户ID", "买家会员名", "评价人", "用户名", "昵称", "使用者ID", "使用者名称", "评论人", "评论人信息", "评价人信息"),
          # a count of the author's reviews (Steam's author_num_reviews) is no author
          words=(("customer", "user", "reviewer", "buyer", "author", "用户", "买家", "评价人", "使用者"), (*_ID, "name")), avoid=(*_TIER, "reviews", "count")),
        C("review_time", "TIMESTAMP", "timestamp", False, "shop time zone", ("Review Time", "Review Date", "Date", "date", "Review Timestamp", "review_creation_date", "Date Posted", "creationTime", "date_reviewed", "Date Reviewed", "reviewed_at",
                                                                      "Tanggal", "Дата публикации", "Дата отзыва", "Дата", "방문 날짜", "작성일", "날짜", "Ngày đánh giá",
                                                                      "Fecha", "Data da avaliação", "created_at", "Created At", "Date Created", "Created", "Tarih", "Tarihler", "Yorum Tarihi",
                                                                      "SubmissionTime", "Submission Time", "レビュー日付", "レビュー日", "投稿日"),
          ("评价时间", "评论时间", "日期", "时间", "留言时间"), words=(("review", "reviewed", "comment", "posted", "created", "评价", "评论", "留言"), _DATE)),
        C("rating", "INTEGER", "rating", False, "1–5 stars", ("Rating", "Stars", "Score", "ReviewStar", "Review Score", "review_score", "Star Rating", "Overall", "Recommended", "Thumbs", "voted_up",
                                                               "Оценка", "별점", "평점", "Bintang", "Số sao", "Calificación", "Nota", "Puan", "Yıldız", "Ocena", "星", "星の数",
                                                               "評価", "レビュー評価"),
          ("评分", "星级", "打分", "评价星级", "得分", "评价等级", "评价类型", "是否推荐", "给星", "星数"),
          words=(("rating", "score", "stars", "star", "grade", "recommended", "recommend", "thumbs", "评分", "星级", "打分", "推荐"),), avoid=("count", "helpful", "id", "sentiment", "%", "percent", "percentage", "pct", "share")),
        C("review_text", "VARCHAR", "text", False, "", ("Review Text", "Review", "caption", "Text", "Comment", "Content", "ReviewBody", "review", "verified_reviews", "Review Body", "Review Content", "Comments", "reviewText", "review_comment_message", "Body", "message", "Review Message", "Ulasan", "Текст отзыва", "Отзыв", "리뷰 내용", "리뷰", "후기",
                                                                    "Nội dung đánh giá", "Reseña", "Comentario", "Comentário", "Yorum", "Yorumlar", "Opinia", "Комментарий", "리뷰내용"),
          ("评价内容", "评论内容", "评价", "评论", "内容", "评语", "留言内容"),
          words=(("review", "reviews", "comment", "comments", "text", "body", "content", "feedback", "评价", "评论", "内容", "评语", "留言"),),
          # a reviewer's name (Meituan's 评论用户姓名) is no text
          avoid=("id", "date", "time", "title", "rating", "score", "count", "helpful", "star", "name", "时间", "日期", "标题", "姓名", "昵称", "名称"), looks="freetext"),
        # ratings on other scales (1–10, thumbs, 好评/差评) are stored on 1–5: what the file said is kept
        C("rating_raw", "VARCHAR", "text", False, "as the file wrote it", computed=True),
    ),
    one_of=(("rating", "review_text"),),
    row_one_of=(("rating", "review_text"),),
    lenient=("review_id", "product_id", "customer_id", "review_time", "review_text", "rating"),
)

PRODUCTS = Table(
    "products",
    "Product master data.",
    (
        # Shopify's product and inventory exports name a product by its Handle (their SKU is often empty)
        C("product_id", "VARCHAR", "id", True, "", ("Product ID", "SKU", "StockCode", "Item ID", "Product Code", "Variant SKU", "Handle", "ID", "상품번호", "상품코드"), ("商品ID", "商品编码", "宝贝ID", "商家编码", "商品编号", "存货编号", "存货编码", "物料编码", "物料编号"),
          words=(("product", "item", "sku", "goods", "article", "商品", "宝贝", "货品", "产品"), (*_ID, "sku")), avoid=("name", "title", "category", "名称", "类目")),
        C("product_name", "VARCHAR", "text", False, "", ("Product Name", "Name", "Title", "Description", "Product Title", "Item Name", "상품명", "제품명"), ("商品名称", "宝贝标题", "商品标题", "产品名称", "存货名称", "物料名称"),
          words=(("product", "item", "goods", "listing", "商品", "宝贝", "产品"), ("name", "title", "名称", "标题")),
          avoid=("category", "cat", "brand", "length", "lenght", "类目", "品类", "分类", "品牌")),  # Olist's product_category_name_english
        C("category", "VARCHAR", "text", False, "", ("Category", "Product Category", "Category Name", "product_category_name"), ("类目", "品类", "分类", "商品类目"), words=(("category", "cate", "类目", "品类", "分类"),), avoid=("id", "sub")),
        # a brand's code (Tiki's brand_id beside its brand_name) is no brand
        C("brand", "VARCHAR", "text", False, "", ("Brand", "Vendor", "Make", "Manufacturer"), ("品牌",), words=(("brand", "品牌"),), avoid=("id", "code", "编码")),
        C("price", MONEY, "money", False, "currency", ("Price", "List Price", "Unit Price", "Regular Price", "Sale Price", "Retail Price", "Variant Price", "MRP", "가격", "판매가"),
          # MRP: India's maximum retail price; a price before a markdown (Jumia's old_price beside its new_price) is none
          ("价格", "售价", "单价", "商品价格"), words=(("price", "mrp", "价格", "售价"),), avoid=("old", "was", "before", "original", "compare", "原价")),
    ),
    one_of=(("product_name", "category", "brand", "price"),),
    # a product is a product without a price that reads as one (a range, "EGP 29.00 - EGP 100.00")
    lenient=("price",),
)

STOCK = Table(
    "stock",
    "Inventory snapshots.",
    (
        C("product_id", "VARCHAR", "id", True, "", ("Product ID", "SKU", "StockCode", "Item ID", "Product Code", "Handle", "商品コード", "商品番号"),
          ("商品ID", "商品编码", "商家编码", "商品编号", "存货编号", "存货编码", "物料编码", "物料编号"),
          words=(("product", "item", "sku", "inventory", "商品"), (*_ID, "sku"))),  # a stock file's InventoryId names what is stocked
        C("snapshot_date", "DATE", "date", True, "", ("Snapshot Date", "Date", "As Of", "Stock Date", "Inventory Date", "Report Date", "Exported At", "Export Date"), ("快照日期", "日期", "盘点日期", "库存日期"),
          words=(("snapshot", "stock", "inventory", "count", "end", "report", "盘点", "库存", "快照"), _DATE)),
        C("on_hand", "INTEGER", "int", True, "units", ("On Hand", "Stock", "Inventory", "Available", "Qty On Hand", "Quantity On Hand", "Stock Level", "In Stock", "Available Quantity", "Inventory Quantity", "在庫数", "在庫残数"), ("库存", "现有库存", "可用库存", "库存数量", "现存量", "结存数量", "库存量", "结存"),
          words=(("stock", "inventory", "hand", "available", "库存"),), avoid=("date", "order", "incoming", "日期", "在途")),
        C("on_order", "INTEGER", "int", False, "units", ("On Order", "Incoming", "In Transit", "Qty On Order"), ("在途", "在途库存", "采购在途")),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (SALES, BEHAVIOR, MARKET, REVIEWS, PRODUCTS, STOCK)}
# The column that dates each row of a table (the products table has none)
TIME_COLUMNS = {"sales": "order_time", "behavior": "event_time", "reviews": "review_time", "market": "period", "stock": "snapshot_date"}

# Bookkeeping columns every canonical table carries: which upload a row came from, its row number
# in the source file, the source columns the schema does not know (kept, not dropped), the data set
# the upload was given to, and a hash of the row's identity (order id and line, or its whole
# content) by which a row already loaded into the same data set is recognised.
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_upload_id", "BIGINT"),
    ("_source_row", "BIGINT"),
    ("_extra", "MAP(VARCHAR, VARCHAR)"),
    ("_dataset", "VARCHAR"),
    ("_line_key", "UBIGINT"),
)


def create_sql(table: Table) -> str:
    cols = [f'"{c.name}" {c.type}' for c in table.columns] + [f'"{n}" {t}' for n, t in META_COLUMNS]
    return f"CREATE TABLE IF NOT EXISTS main.{table.name} ({', '.join(cols)})"


def markdown() -> str:
    """The README's schema table."""
    lines = ["| table | column | type | required | unit | English synonyms | Chinese synonyms |", "|---|---|---|---|---|---|---|"]
    for t in TABLES.values():
        for c in t.columns:
            if c.computed:
                continue
            req = "yes" if c.required else ("one of" if any(c.name in group for group in t.one_of) else "")
            lines.append(f"| {t.name} | {c.name} | {c.type} | {req} | {c.unit} | {', '.join(c.en)} | {'、'.join(c.zh)} |")
    return "\n".join(lines)
