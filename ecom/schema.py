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
    kind: str  # id | text | timestamp | date | period | money | int | number | share | rating | event | status
    required: bool = False
    unit: str = ""
    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()
    default: str | None = None  # SQL expression used when the source has no such column
    per_order: bool = False  # an amount platforms often repeat on every line of an order

    @property
    def synonyms(self) -> tuple[str, ...]:
        return (self.name, *self.en, *self.zh)


@dataclass(frozen=True)
class Table:
    name: str
    help: str
    columns: tuple[Column, ...]
    # at least one of these must be mapped (beyond the required columns)
    one_of: tuple[str, ...] = ()
    # the natural key of a row: the same key loaded twice is reported, not duplicated
    key: tuple[str, ...] = field(default=())

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


C = Column

SALES = Table(
    "sales",
    "Order lines: one row per product in an order.",
    (
        C("order_id", "VARCHAR", "id", True, "", ("Order ID", "Order No", "Order Number", "OrderID", "InvoiceNo", "Invoice", "Name", "order_no"), ("订单号", "订单编号", "订单ID", "主订单编号", "子订单编号", "订单id")),
        C("line_no", "INTEGER", "int", False, "", ("Line", "Line No", "Line Number", "Item No", "Lineitem"), ("行号", "明细序号", "序号")),
        C("order_time", "TIMESTAMP", "timestamp", True, "shop time zone", ("Order Date", "Order Time", "InvoiceDate", "Created at", "Date", "Paid at", "order_date", "purchase_date"), ("下单时间", "付款时间", "订单创建时间", "订单付款时间", "创建时间", "支付时间", "成交时间", "日期", "下单日期")),
        C("customer_id", "VARCHAR", "id", False, "", ("Customer ID", "CustomerID", "Customer", "Buyer", "Buyer ID", "Email", "user_id", "User ID"), ("买家会员名", "买家ID", "买家昵称", "用户ID", "客户ID", "会员名", "买家账号", "用户名")),
        C("product_id", "VARCHAR", "id", True, "", ("Product ID", "ProductID", "SKU", "StockCode", "Item ID", "Lineitem sku", "product_code", "goods_id"), ("商品ID", "商品编码", "商品编号", "宝贝ID", "商家编码", "货号", "SKU编码", "商品id", "SKU")),
        C("product_name", "VARCHAR", "text", False, "", ("Product Name", "Product", "Description", "Item Name", "Title", "Lineitem name"), ("宝贝标题", "商品名称", "商品标题", "商品", "宝贝名称")),
        C("category", "VARCHAR", "text", False, "", ("Category", "Product Category", "product_category", "Product Type"), ("类目", "品类", "商品类目", "类别", "分类", "一级类目")),
        C("brand", "VARCHAR", "text", False, "", ("Brand", "Vendor"), ("品牌",)),
        C("quantity", "INTEGER", "int", False, "units", ("Quantity", "Qty", "Units", "sales_volume", "Lineitem quantity", "volume"), ("购买数量", "数量", "销量", "商品数量", "件数"), default="1"),
        C("unit_price", MONEY, "money", False, "currency", ("Unit Price", "UnitPrice", "Price", "Lineitem price"), ("单价", "商品单价", "价格", "商品价格")),
        C("revenue", MONEY, "money", False, "currency", ("Revenue", "Sales", "Amount", "Total", "Line Total", "sales_amount", "Paid Amount"), ("实付金额", "成交金额", "销售额", "金额", "实收款", "买家实付", "支付金额", "商品金额"), default="quantity * unit_price", per_order=True),
        C("discount", MONEY, "money", False, "currency", ("Discount", "Discount Amount"), ("优惠", "优惠金额", "折扣金额", "店铺优惠"), per_order=True),
        C("shipping_fee", MONEY, "money", False, "currency", ("Shipping", "Shipping Fee", "Freight"), ("运费", "邮费", "快递费"), per_order=True),
        C("refund_amount", MONEY, "money", False, "currency", ("Refund", "Refund Amount", "Refunded"), ("退款金额", "退款"), per_order=False),
        C("order_status", "VARCHAR", "status", False, "", ("Status", "Order Status", "Financial Status"), ("订单状态", "交易状态", "状态")),
        C("channel", "VARCHAR", "text", False, "", ("Channel", "Platform", "Source"), ("渠道", "平台", "来源")),
        C("region", "VARCHAR", "text", False, "", ("Region", "Province", "State", "Country", "Shipping Province", "Shipping Country"), ("地区", "省份", "收货地区", "区域", "收货省份")),
        C("shop", "VARCHAR", "text", False, "", ("Shop", "Store", "Store Name"), ("店铺", "店铺名称", "门店")),
        C("currency", "VARCHAR", "text", False, "", ("Currency",), ("币种", "货币")),
    ),
    key=("order_id", "line_no", "product_id"),
)

BEHAVIOR = Table(
    "behavior",
    "Customer behaviour events (view, cart, favorite, purchase), or one row per customer with a purchase frequency.",
    (
        C("customer_id", "VARCHAR", "id", True, "", ("Customer ID", "User ID", "user_id", "UserID", "Visitor ID"), ("用户ID", "买家ID", "客户ID", "会员ID", "用户id")),
        C("event_time", "TIMESTAMP", "timestamp", True, "shop time zone", ("Event Time", "Timestamp", "Time", "Date", "event_date"), ("行为时间", "时间", "时间戳", "日期")),
        C("event_type", "VARCHAR", "event", True, "view/cart/favorite/purchase", ("Event Type", "Behavior", "Behavior Type", "Action", "Event"), ("行为类型", "行为", "事件类型")),
        C("product_id", "VARCHAR", "id", False, "", ("Product ID", "Item ID", "item_id", "SKU"), ("商品ID", "商品编码", "宝贝ID")),
        C("category", "VARCHAR", "text", False, "", ("Category", "Category ID", "category_id"), ("类目", "品类", "类目ID")),
        C("purchase_frequency", "INTEGER", "int", False, "orders", ("Purchase Frequency", "purchase_frequency", "Orders", "Order Count"), ("购买频次", "购买次数", "下单次数")),
    ),
)

MARKET = Table(
    "market",
    "Market data by period and brand: sales, units or share.",
    (
        C("period", "DATE", "period", True, "first day of month or the day", ("Period", "Month", "Date", "date"), ("月份", "期间", "日期", "统计周期", "时间")),
        C("category", "VARCHAR", "text", False, "", ("Category", "Segment", "Product Category"), ("类目", "品类", "行业")),
        C("brand", "VARCHAR", "text", True, "", ("Brand", "Competitor", "brand_name"), ("品牌", "品牌名称")),
        C("sales_amount", MONEY, "money", False, "currency", ("Sales Amount", "Sales", "Revenue", "GMV"), ("销售额", "成交金额", "交易额")),
        C("units", "BIGINT", "int", False, "units", ("Units", "Volume", "Sales Volume", "Quantity"), ("销量", "销售量", "件数")),
        C("market_share", "DOUBLE", "share", False, "fraction 0–1", ("Market Share", "Share", "market_share"), ("市场份额", "份额", "市占率", "占比")),
    ),
    one_of=("sales_amount", "units", "market_share"),
)

REVIEWS = Table(
    "reviews",
    "Customer reviews.",
    (
        C("review_id", "VARCHAR", "id", False, "", ("Review ID", "ReviewID", "id"), ("评价ID", "评论ID")),
        C("product_id", "VARCHAR", "id", False, "", ("Product ID", "SKU", "Item ID", "asin", "Clothing ID"), ("商品ID", "商品编码", "宝贝ID")),
        C("customer_id", "VARCHAR", "id", False, "", ("Customer ID", "User ID", "Reviewer", "reviewer_id"), ("买家ID", "用户ID", "买家会员名", "评价人")),
        C("review_time", "TIMESTAMP", "timestamp", False, "shop time zone", ("Review Time", "Review Date", "Date", "date"), ("评价时间", "评论时间", "日期")),
        C("rating", "INTEGER", "rating", False, "1–5 stars", ("Rating", "Stars", "Score", "ReviewStar"), ("评分", "星级", "打分")),
        C("review_text", "VARCHAR", "text", True, "", ("Review Text", "Review", "Text", "Comment", "Content", "ReviewBody", "review"), ("评价内容", "评论内容", "评价", "评论", "内容")),
    ),
)

PRODUCTS = Table(
    "products",
    "Product master data.",
    (
        C("product_id", "VARCHAR", "id", True, "", ("Product ID", "SKU", "StockCode", "Item ID"), ("商品ID", "商品编码", "宝贝ID", "商家编码")),
        C("product_name", "VARCHAR", "text", False, "", ("Product Name", "Name", "Title", "Description"), ("商品名称", "宝贝标题", "商品标题")),
        C("category", "VARCHAR", "text", False, "", ("Category",), ("类目", "品类", "分类")),
        C("brand", "VARCHAR", "text", False, "", ("Brand",), ("品牌",)),
        C("price", MONEY, "money", False, "currency", ("Price", "List Price", "Unit Price"), ("价格", "售价", "单价")),
    ),
)

STOCK = Table(
    "stock",
    "Inventory snapshots.",
    (
        C("product_id", "VARCHAR", "id", True, "", ("Product ID", "SKU", "StockCode", "Item ID"), ("商品ID", "商品编码", "商家编码")),
        C("snapshot_date", "DATE", "date", True, "", ("Snapshot Date", "Date", "As Of"), ("快照日期", "日期", "盘点日期")),
        C("on_hand", "INTEGER", "int", True, "units", ("On Hand", "Stock", "Inventory", "Available", "Qty On Hand"), ("库存", "现有库存", "可用库存", "库存数量")),
        C("on_order", "INTEGER", "int", False, "units", ("On Order", "Incoming", "In Transit"), ("在途", "在途库存", "采购在途")),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (SALES, BEHAVIOR, MARKET, REVIEWS, PRODUCTS, STOCK)}

# Bookkeeping columns every canonical table carries: which upload a row came from, its row number
# in the source file, and the source columns the schema does not know (kept, not dropped).
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_upload_id", "BIGINT"),
    ("_source_row", "BIGINT"),
    ("_extra", "MAP(VARCHAR, VARCHAR)"),
)


def create_sql(table: Table) -> str:
    cols = [f'"{c.name}" {c.type}' for c in table.columns] + [f'"{n}" {t}' for n, t in META_COLUMNS]
    return f"CREATE TABLE IF NOT EXISTS main.{table.name} ({', '.join(cols)})"


def markdown() -> str:
    """The README's schema table."""
    lines = ["| table | column | type | required | unit | English synonyms | Chinese synonyms |", "|---|---|---|---|---|---|---|"]
    for t in TABLES.values():
        for c in t.columns:
            req = "yes" if c.required else ("one of" if c.name in t.one_of else "")
            lines.append(f"| {t.name} | {c.name} | {c.type} | {req} | {c.unit} | {', '.join(c.en)} | {'、'.join(c.zh)} |")
    return "\n".join(lines)
