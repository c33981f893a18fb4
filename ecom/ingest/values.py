"""Typed conversion with reject reasons, generated as one SQL statement per upload.

`decide()` looks at a sample of each mapped column once (day-first or month-first dates, decimal
commas, shares written as 0–100) and `conversion_sql()` turns the raw string relation into the
canonical columns plus `_status` (0 loaded, 1 rejected, 2 skipped), `_reason`, `_extra` and `_raw`.
DuckDB runs it in parallel; no value passes through Python. Reject and skip reasons are SQL string
literals taken from the catalog in the uploader's language (they are stored with the rejected row).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ecom import currency, i18n, schema
from ecom.ingest import dates as dates_mod
from ecom.ingest import places, ratings
from ecom.ingest.mapping import (
    RETURN_WORDS,
    child_lines,
    filled_down,
    header_words,
    is_flag,
    names_any,
    normalize,
    pairs,
    return_id,
    split_target,
)
from ecom.ingest.profile import ColumnValues
from ecom.ingest.read import TOTAL_WORDS
from ecom.ingest.sqltext import ident, lit

_SPACES = " \t\r\n\u3000\u00a0"
NULL_TOKENS = ("", "null", "NULL", "Null", "None", "none", "NaN", "nan", "N/A", "n/a", "#N/A", "-", "--", "—", "\\N", "Nil", "NIL", "nil", "Nill")
# What a platform writes where the buyer wrote nothing (JD's 此用户未填写评价内容, 此用户未及时填写评价内容，系统默认评价！,
# Suning's 此用户没有填写评论!, Taobao's 评价方未及时做出评价,系统默认好评!, 订单超时未评价，系统默认好评, Booking.com's
# No Positive), read with spaces, punctuation and symbols left out: the whole text is such a phrase and
# names its marker (no 好评 alone, no 默认设置很好用).
# Scored, it would count as a buyer's opinion, and its words would enter the terms.
NO_TEXT = (r"(?:(?:此|该|本)?(?:订单)?(?:用户|买家|顾客|会员|评价方)?您?(?:超时)?(?:未|没有|没)(?:及时)?(?:填写|做出|作出|发表|留下)?"
           r"(?:文字|任何)?(?:评价|评论|内容)(?:内容)?)?(?:此处为)?(?:系统)?(?:默认|自动)?(?:给出)?(?:好评|评价)?"
           r"|(?i:nopositive|nonegative|belumadaulasan)")  # Booking.com's empty halves of a review; Tokopedia's "belum ada ulasan"
# Reviewer names that stand for no one in particular: Google Play's for anyone without a public name (in
# the languages of its exports), Amazon's default public names, and "anonymous"
NO_REVIEWER = ("A Google user", "Pengguna Google", "Un utilisateur de Google", "Ein Google-Nutzer", "Un usuario de Google",
               "Um usuário do Google", "Un utente Google", "Google 用户", "Google 使用者", "Google ユーザー", "Người dùng Google",
               "Amazon Customer", "Kindle Customer", "Amazon カスタマー", "Amazonカスタマー", "amazonカスタマー", "名無しカスタマー", "Amazon Kunde",
               "Client d'Amazon", "Cliente Amazon", "Cliente de Amazon", "Anonymous", "anonymous", "匿名用户", "匿名買家", "匿名买家",
               "Покупатель Wildberries", "Покупатель Ozon",
               # an account since deleted (Douban's 已注销, Weibo's 用户已注销): not one person
               "已注销", "[已注销]", "用户已注销", "账号已注销", "该用户已注销", "[deleted]", "deleted", "Deleted User",
               "کاربر دیجی‌کالا")  # Digikala's "Digikala user"
# what a shop writes for a buyer without an account: WooCommerce's and OpenCart's customer 0, "Guest"
GUESTS = ("0", "Guest", "guest", "GUEST", "访客", "游客", "非会员", "Gast", "Invité", "Invitado", "Convidado", "Ospite", "Misafir", "Гость", "ゲスト", "비회원")
NO_TEXT_MARK = r"填写|默认(?:好评|评价)|未及时|自动好评|(?i:nopositive|nonegative|belumadaulasan)"
_ISO_TS = "^\\d{4}-\\d{1,2}-\\d{1,2}([ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?$"
_TZ_SUFFIX = "([+-]\\d{2}:?\\d{2}|Z|UTC|GMT)$"
_COMMON_FORMATS = [
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S.%f",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y年%m月%d日%H时%M分%S秒", "%Y年%m月%d日%H:%M:%S",
    "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y %H:%M", "%d-%b-%Y %H:%M:%S",
    "%a %b %d %H:%M:%S %Y",
]
_DAY_FIRST = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y %H:%M", "%d/%m/%y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
              "%d.%m.%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y"]
_MONTH_FIRST = [f.replace("%d", "%~").replace("%m", "%d").replace("%~", "%m") for f in _DAY_FIRST]
PERIOD_FORMATS = ["%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月", "%Y%m", "%b %Y", "%B %Y", "%b. %Y", "%b-%y", "%b-%Y", "%m/%Y", "%Y-M%m"]
_EVENTS = {
    "view": ("pv", "view", "views", "page_view", "pageview", "click", "clicks", "browse", "detail", "浏览", "点击", "查看", "访问"),
    "favorite": ("fav", "favorite", "favourite", "collect", "wishlist", "like", "follow", "收藏", "关注"),
    "cart": ("cart", "carts", "addtocart", "add_to_cart", "add-to-cart", "add to cart", "add", "add_to_basket", "加购", "加入购物车", "购物车"),
    "purchase": ("buy", "buys", "purchase", "purchases", "order", "orders", "transaction", "paid", "购买", "下单", "成交", "支付"),
}
# a removal from the cart (Coveo's "remove") is none of the four: its rows are skipped, counted and named
REMOVALS = ("remove", "remove_from_cart", "removefromcart", "remove from cart", "remove_from_basket", "移出购物车", "删除购物车")
EVENT_WORDS = frozenset([*(w for words in _EVENTS.values() for w in words), *REMOVALS])
# Behaviour logs that write their event types as numbers, by the codes they use: Taobao's (Tianchi's
# UserBehavior and mobile logs: 1 view, 2 favourite, 3 cart, 4 buy) and JD's (JData: 1 view, 2 add to
# cart, 3 removal from the cart, 4 order, 5 follow, 6 click), told apart by JD's 5 and 6. A removal from
# the cart is none of the four event types: its rows are skipped, counted and named.
EVENT_CODES = {
    "taobao": {"1": "view", "2": "favorite", "3": "cart", "4": "purchase"},
    "jd": {"1": "view", "2": "cart", "3": None, "4": "purchase", "5": "favorite", "6": "view"},
}


def event_codes(values: list[str]) -> str | None:
    """The code scheme (EVENT_CODES) of an event column's values, None when they are no codes."""
    codes = {v.strip() for v in values if v and v.strip()}
    if not codes or not codes <= set(EVENT_CODES["jd"]):
        return None
    return "jd" if codes & {"5", "6"} else "taobao"


def is_event(value: str) -> bool:
    """Whether a value is an event type in words or a code (EVENT_CODES)."""
    v = value.strip().lower()
    return v in EVENT_WORDS or v in EVENT_CODES["jd"]


def is_event_log(values: list[str]) -> bool:
    """Whether a column's values are a behaviour log's event types: nearly all event words or codes, and
    of several kinds, as a log has views beside its purchases (a sales file's Order/Return, or an order
    type coded 1 and 2, is none): at least two kinds in words, or at least three codes."""
    vals = [v.strip().lower() for v in values if v and v.strip()]
    if not vals or sum(map(is_event, vals)) < 0.9 * len(vals):
        return False
    kinds = {name for name, words in _EVENTS.items() if set(vals) & set(words)}
    return len(kinds) >= 2 or len(set(vals) & set(EVENT_CODES["jd"])) >= 3


# Order statuses, each said the same way in English and Chinese (first), and in the languages of the
# marketplaces sellers export from: Spanish, Portuguese, French, German, Italian, Vietnamese, Indonesian
# and Malay, and Russian (Ozon's), with the English words; Thai, Japanese and Korean with the Chinese. A value is the first status
# (in this order) one of whose words it contains: a refund that "succeeded" is a refund, "unpaid" is pending.
# Lines of a cancelled order count nowhere (ecom.queries.definitions); this list is the one place that
# says which statuses mean cancelled.
STATUSES = (
    # an order received, that the buyer may still return (Shopee Indonesia's "Pesanan diterima, namun
    # Pembeli masih dapat mengajukan pengembalian hingga …"): completed, though it names a return
    ("completed", ("pesanan diterima", "order received", "đã nhận hàng"), ()),
    # a refund asked for and not made (Taobao's 退款关闭, a seller's refusal): no refund; in a file of
    # returns the return counts nowhere
    ("refund_closed", ("refund closed", "refund declined", "refund rejected", "refund refused", "refund failed", "refund cancel",
                       "return declined", "return rejected", "return cancel"),
     ("退款关闭", "拒绝退款", "退款失败", "退款已关闭", "退款取消", "退款申请被拒", "拒绝退货", "退货关闭")),
    ("refunded", ("refund", "chargeback", "charged back", "reembols", "rembours", "erstatt", "rimbors", "hoàn tiền", "pengembalian dana", "возврат денег", "возврат средств"),
     ("退款", "售后", "คืนเงิน", "返金", "환불")),
    # RTO: returned to origin, undelivered (Indian marketplaces), as a word: Portuguese "Aberto" (open) is none
    ("returned", ("return", r"(?:^|[^a-z])rto(?:[^a-z]|$)", "devuelt", "devolvid", "retour", "zurückgesendet", "trả hàng", "dikembalikan", "pengembalian", "возврат"),
     ("退货", "คืนสินค้า", "返品", "반품")),
    # an English "Closed" alone is no cancellation: Amazon's order history says it of every finished order
    ("cancelled", ("cancel", "void", "expired", "trade closed", "transaction closed", "invalid", "rejected", "declined", "denied", "annul", "storn",
                   "recusad", "rechazad", "refusé", "abgelehnt", "rifiutat", "hủy", "batal", "отмен", "отклон", "iptal", "anulowan", "odrzucon"),
     ("取消", "关闭", "作废", "失效", "无效", "驳回", "ยกเลิก", "キャンセル", "취소")),
    # an order not yet placed (Odoo's draft quotations, a CRM's 未提交) is no sale: it counts nowhere, as a cancelled one
    ("draft", ("draft", "quotation"), ("草稿", "未提交", "报价单")),
    ("pending", ("pending", "unpaid", "awaiting", "authorized", "created", "pendiente", "pendente", "en attente", "ausstehend", "in attesa",
                 "chưa thanh toán", "chờ xác nhận", "chờ xử lý", "belum bayar", "não pago", "nao pago", "aguardando pagamento", "no pagado", "ожидает оплаты", "не оплачен"),
     ("待付款", "未付款", "等待买家付款", "待支付", "ที่ต้องชำระ", "未入金", "결제대기")),
    ("paid", ("paid", "processing", "approved", "invoiced", "pagado", "pago confirmado", "payé", "bezahlt", "pagato", "đã thanh toán",
              "chờ lấy hàng", "perlu dikirim", "sudah dibayar", "to ship", "ready to ship", "a enviar", "por enviar", "pago", "оплачен", "ожидает сборки",
              "ожидает отгрузки", "ожидает упаковки"),
     ("已付款", "待发货", "等待卖家发货", "已支付", "ที่ต้องจัดส่ง", "入金済", "결제완료")),
    ("shipped", ("shipped", "in transit", "partially_fulfilled", "dispatched", "enviado", "expédié", "versandt", "versendet", "spedito",
                 "đang giao", "dikirim", "доставляется", "в пути", "отправлен", "передан в доставку"),
     ("已发货", "待收货", "卖家已发货", "运输中", "กำลังจัดส่ง", "発送済", "배송중")),
    ("completed", ("completed", "complete", "delivered", "success", "fulfilled", "finished", "completado", "entregado", "entregue", "concluído",
                   "livré", "terminé", "abgeschlossen", "zugestellt", "consegnato", "completato", "hoàn thành", "đã giao", "selesai", "доставлен", "выполнен", "получен"),
     ("交易成功", "已完成", "已签收", "完成", "成功", "สำเร็จ", "完了", "配達済", "완료", "구매확정")),
)
_STATUS = tuple((name, en + zh) for name, en, zh in STATUSES)
# A ledger (PayPal's activity download, eBay's transaction report, Stripe's balance history, Alipay's
# 账务明细) lists payouts, fees, transfers, holds and memos beside the payments for sales, in a column of
# entry types, and may say of each row whether money came in or went out: only its sales and refunds are
# order lines. The column is a ledger's when its header names entry types (not "payment type": a
# payment method's "bank transfer" is no transfer) and its sample holds both kinds of entry.
# (Lemon Squeezy's payouts head theirs "Sale": Order #84725209, Refund - Order #…, Payout fee)
LEDGER_TYPE_HEADERS = frozenset(map(normalize, ("type", "transaction type", "entry type", "activity type", "sale", "交易类型", "业务类型",
                                                 "账务类型", "财务类型", "ประเภท", "トランザクションの種類", "取引の種類", "typ", "tipo",
                                                 "type de transaction", "transaktionstyp")))
# an accounting report's Invoice and Credit Memo (QuickBooks') and a payment provider's settlement of a sale
# (Mercado Pago's SETTLEMENT) are sales and refunds; PayPal's "Invoice Sent" memo and a settlement of
# shipping costs are neither
# (Amazon's date range reports name theirs in the marketplace's language: 注文, 返金, 振込み; Bestellung,
# Erstattung, Übertrag; Commande, Remboursement; Ordine, Rimborso; Pedido, Reembolso)
LEDGER_SALE = (r"order|sale|payment|charge|refund|settlement|invoice|credit (?:memo|note)|income|交易|订单|销售|收款|支付|退款|收入|รายรับ"
               r"|注文|返金|bestellung|erstattung|commande|remboursement|ordine|rimborso|pedido|reembolso")
LEDGER_OTHER = (r"payout|fee|withdraw|transfer|hold|authori[sz]|label|deposit|adjust|invoice sent|bonus|reserve|dispute|shipping|expense"
                r"|提现|转账|手续费|服务费|充值|保证金|佣金|支出|รายจ่าย|振込|手数料|調整|料金|übertrag|gebühr|anpassung|transfert|frais"
                r"|ajustement|trasferimento|commission|rettifica|transferir|tarifa|ajuste")
LEDGER_REFUND = r"refund|credit (?:memo|note)|退款|返金|erstattung|remboursement|rimborso|reembolso"
MONEY_DIRECTION_HEADERS = frozenset(map(normalize, ("balance impact", "debit/credit", "credit/debit", "dr/cr", "收/支", "收支类型", "资金流向")))
MONEY_OUT = r"debit|memo|支出"
STATUS_NAMES = frozenset(name for name, _, _ in STATUSES)
# column kind -> catalog key (ingest.bad.<key>) of what a rejected value is not
_BAD_KEY = {"id": "id", "timestamp": "date", "date": "date", "period": "period", "money": "money", "number": "number", "int": "int",
            "share": "share", "event": "event"}


@dataclass
class Decisions:
    """Per canonical column choices made from a sample of the data."""

    dates: dict[str, dates_mod.DateProfile] = field(default_factory=dict)  # column -> how its dates are written
    decimal_comma: set[str] = field(default_factory=set)
    share_percent: set[str] = field(default_factory=set)
    known_values: dict[str, list[str]] = field(default_factory=dict)  # column -> distinct sample values
    credit_note: str | None = None  # a regular expression of the order ids that are credit notes (C536379)
    placeholders: dict[str, list[str]] = field(default_factory=dict)  # column -> words that stand for no number ("无退款申请", "not stocked")
    text_parts: list[str] = field(default_factory=list)  # the source columns a review's text is joined from (`text_parts`)
    currency: str | None = None  # the currency the file's money headers or amounts name
    rating_scales: dict[str, str] = field(default_factory=dict)  # column -> its scale (ecom.ingest.ratings)
    event_codes: str | None = None  # the code scheme of an event column written in numbers (EVENT_CODES)
    before_discounts: bool = False  # the amount column is before the line's discount (`before_discounts`)
    total_with_shipping: bool = False  # the amount column is an order's total with its shipping (`total_with_shipping`)
    net_of_refunds: bool = False  # the amount column is what was paid less the refund (`net_of_refunds`)
    ledger: tuple[str, str | None] | None = None  # a ledger's (entry type, money direction) source columns (`ledger_columns`)
    provinces: bool = False  # the region values are China's provinces, stored by one name each (ecom.ingest.places)
    returns: str | None = None  # the source column that shows the file lists returns, not sales (`returns_file`)
    refund_flag: str | None = None  # a yes/no source column that says a line was refunded (`refund_flag`)
    guest_mail: str | None = None  # the e-mail source column that tells guests apart (`guest_mail`)
    child_lines: str | None = None  # the source column that marks a line as part of another (`child_lines`)
    notes: list[str] = field(default_factory=list)


def text_sql(key: str, lang: str, sql: dict[str, str], **consts) -> str:
    """The catalog text `key` as a SQL string expression: placeholders named in `sql` are SQL expressions,
    the others are filled with `consts`; neighbouring constant text is one literal."""
    pieces, buf = [], ""
    for i, part in enumerate(re.split(r"{(\w+)}", i18n.t(key, lang))):
        if i % 2 == 0 or part not in sql:
            buf += part if i % 2 == 0 else str(consts[part])
            continue
        if buf:
            pieces.append(lit(buf))
            buf = ""
        pieces.append(sql[part])
    if buf or not pieces:
        pieces.append(lit(buf))
    return " || ".join(pieces)


# -- decisions from a sample -----------------------------------------------------------------------
_COMMA_DECIMAL = re.compile(r"^[^.]*\d,\d{1,2}\D*$|\d\.\d{3},\d")
# an amount whose dots group its thousands and that has no decimals (Shopee Indonesia's 91.000 and
# 1.400.000 rupiah): when a money column's every dotted amount is one, its dots are no decimal point,
# as in 1.234,56 (a column that also has 548.9715 or 80.22 has decimal points)
_DOT_THOUSANDS = re.compile(r"^\D*\d{1,3}(?:\.\d{3})+\D*$")
_POINT_DECIMAL = re.compile(r"\d\.\d{1,2}\D*$|\d,\d{3}\.\d")


def decide(table: str, mapping: dict[str, str], sample: dict[str, list[str | None]], lang: str = "en", tz: str = "UTC") -> Decisions:
    """`sample`: source column -> sample of its raw values, every column of the file in its order; notes in `lang`."""
    t = schema.TABLES[table]
    d = Decisions()
    d.text_parts = text_parts(table, mapping, sample)
    if d.text_parts:
        d.notes.append(i18n.t("ingest.note.text_parts", lang, parts=", ".join(d.text_parts)))
    for src, target in pairs(mapping):
        col, marker = split_target(target)
        kind = t.column(col).kind
        if marker == "payment":  # read beside the order's status (see `conversion_sql`), with no decisions of its own
            continue
        if col == "order_id":
            d.credit_note = credit_notes(sample.get(src, []))
        if kind == "money" and d.currency is None:
            d.currency = currency.of_file([src], [str(v) for v in sample.get(src, [])[:2000] if v])
        if col == "currency" and d.currency is None:
            # lines whose currency cell is empty (Amazon.in's cancelled lines) are in the file's own currency
            d.currency = currency.of_file([], [str(v) for v in sample.get(src, [])[:2000] if v])
        if kind == "rating":
            d.rating_scales[col] = rating_scale(col, src, sample.get(src, []), d.notes, lang)
        if col == "region" and places.share(sample.get(src, [])) >= 0.5:
            d.provinces = True
            d.notes.append(i18n.t("ingest.note.provinces", lang, src=src))
        if kind == "event":
            d.event_codes = event_codes(sample.get(src, []))
            if d.event_codes:
                d.notes.append(i18n.t(f"ingest.note.event_codes_{d.event_codes}", lang, col=col, src=src))
        if kind not in ("status", "timestamp", "date", "period", "money", "number", "int", "share"):
            continue
        values = [v.strip() for v in sample.get(src, []) if v is not None and v.strip()]
        if kind in ("money", "number", "int", "share"):
            values = values[:2000]  # separators and scales show in the first rows
        if kind == "status":
            d.known_values[col] = sorted(set(values))[:200]
        if kind in ("timestamp", "date", "period"):
            if marker == "time":
                continue
            raw = combined_values(mapping, src, col, sample)
            profile = dates_mod.infer(raw, order=marker if marker in ("dayfirst", "monthfirst") else None)
            profile.utc = profile.utc or bool(header_words(src)[0] & {"utc", "gmt"})
            if kind == "timestamp" and (by_row := dates_mod.zone_column(sample)) is not None:
                profile.zone_column, profile.zone_names = by_row.zone_column, by_row.zone_names
            d.dates[col] = profile
            d.notes += date_notes(col, src, profile, tz, lang)
        elif kind in ("money", "number", "int", "share"):
            # a word repeated in a number column is the export's way of saying "none"; a one-off word is an error
            repeated = sorted(w for w, n in Counter(v for v in values if not re.search(r"\d", v)).items() if n >= 2)
            if repeated:
                d.placeholders[col] = repeated[:50]
                if not t.column(col).required:  # in a required column the row is skipped instead (conversion_sql)
                    d.notes.append(i18n.t("ingest.note.no_number", lang, col=col, src=src, example=repeated[0][:30]))
            comma_decimal = sum(1 for v in values if _COMMA_DECIMAL.search(v))
            point_decimal = sum(1 for v in values if _POINT_DECIMAL.search(v))
            if kind == "money":
                grouped = sum(1 for v in values if _DOT_THOUSANDS.search(v))
                if grouped and grouped == sum(1 for v in values if re.search(r"\d\.\d", v)):
                    comma_decimal += grouped  # every amount with a dot groups thousands with it: none has decimals
            if comma_decimal > point_decimal:
                d.decimal_comma.add(col)
            if kind == "share":
                nums = []
                for v in values:
                    if v.endswith("%"):
                        continue
                    try:
                        nums.append(float(v.replace(",", ".") if col in d.decimal_comma else v))
                    except ValueError:
                        pass
                if nums and max(nums) > 1:
                    d.share_percent.add(col)
                    d.notes.append(i18n.t("ingest.note.share_percent", lang, col=col, src=src))
    if table == "sales":
        d.ledger = ledger_columns(sample)
        if d.ledger:
            d.notes.append(i18n.t("ingest.note.ledger", lang, src=d.ledger[0]))
        # how the amount column stands to the discount, shipping and refund columns beside it
        by = {split_target(target)[0]: src for src, target in pairs(mapping)}
        d.returns = returns_file(by, sample)
        if d.returns:
            d.notes.append(i18n.t("ingest.note.returns_file", lang, src=d.returns))
        d.refund_flag = refund_flag(sample)
        if d.refund_flag:
            d.notes.append(i18n.t("ingest.note.refund_flag", lang, src=d.refund_flag))
        d.child_lines = child_lines(mapping, sample)
        if d.child_lines:
            d.notes.append(i18n.t("ingest.note.child_lines", lang, src=d.child_lines))
        d.guest_mail = guest_mail(by.get("customer_id"), mapping, sample)
        if d.guest_mail:
            d.notes.append(i18n.t("ingest.note.guest_mail", lang, src=by["customer_id"], mail=d.guest_mail))
        d.before_discounts = before_discounts(by, sample, d.decimal_comma)
        d.total_with_shipping = total_with_shipping(by, sample, d.decimal_comma)
        total = net_of_refunds(by, sample, d.decimal_comma)
        d.net_of_refunds = total is not None
        for key, on, names in (("before_discounts", d.before_discounts, {"discount": by.get("discount")}),
                               ("total_with_shipping", d.total_with_shipping, {"shipping": by.get("shipping_fee")}),
                               ("net_of_refunds", d.net_of_refunds, {"refund": by.get("refund_amount"), "total": total})):
            if on:
                d.notes.append(i18n.t(f"ingest.note.{key}", lang, src=by["revenue"], **names))
    return d


# an address that is not the buyer's: the payment's recipient, the shop's
_NOT_BUYER = frozenset(("to", "recipient", "receiver", "seller", "merchant", "vendor", "shop", "store", "supplier", "payee", "support", "reply", "cc", "bcc"))


def guest_mail(customer: str | None, mapping: dict[str, str], sample: dict[str, list[str | None]]) -> str | None:
    """The unmapped e-mail column that names the buyers the customer column leaves empty or calls guests
    (Magento's empty customer_id beside customer_email, WooCommerce's customer 0 beside Billing Email):
    its address is their id, or every guest is one customer or none."""
    if customer is None or not sample.get(customer):
        return None
    ids = sample[customer]
    guests = [i for i, v in enumerate(ids) if v is None or not v.strip() or v.strip() in GUESTS]
    if not guests or len(guests) == len(ids) and not any(v and v.strip() in GUESTS for v in ids):
        return None  # every id is filled, or the column is empty throughout (then it is no customer column)
    for src, values in sample.items():
        if src in mapping or src == customer or not names_any(src, ("email", "e-mail", "mail", "邮箱", "邮件", "电子邮件")):
            continue
        if header_words(src)[0] & _NOT_BUYER or names_any(src, ("卖家", "商家", "收款")):
            continue  # PayPal's To Email Address is the shop's own
        filled = [values[i].strip() for i in guests if i < len(values) and values[i] and values[i].strip()]
        if filled and ColumnValues(filled).email_share >= 0.9:
            return src
    return None


def _numbers(by: dict[str, str], sample: dict[str, list[str | None]], col: str, comma: set[str] = frozenset()) -> list[float | None]:
    """The canonical column `col`'s sampled values as numbers where they are (`by`: canonical column ->
    source; `comma`: the canonical columns written with decimal commas, `Decisions.decimal_comma`)."""
    from ecom.ingest.profile import to_number

    return [to_number(v.replace(".", "").replace(",", ".") if col in comma else v) if v else None for v in sample.get(by[col], [])]


def _amounts(by: dict[str, str], sample: dict[str, list[str | None]], col: str, comma: set[str] = frozenset()) -> list[tuple[float | None, float | None]]:
    """(amount, `col`) of each sampled row, as numbers where they are (see `_numbers`)."""
    return list(zip(_numbers(by, sample, "revenue", comma), _numbers(by, sample, col, comma), strict=False))


# a unit price that is already after the discount (Shopee's Harga Setelah Diskon, Preço acordado, 成交单价; TikTok's
# sale_price beside its original_price)
_PRICE_AFTER_DISCOUNT = ("after", "discount", "discounted", "net", "deal", "sale", "setelah", "diskon", "desconto", "acordado", "descuento",
                         "成交", "折后", "优惠后", "实付")


def before_discounts(by: dict[str, str], sample: dict[str, list[str | None]], comma: set[str] = frozenset()) -> bool:
    """Whether the amount column is before the discount a discount column beside it gives, and no
    sampled discount exceeds it. GMV is then the amount less the discount. Either its header says so
    (Etsy's Order Value, Square's Gross Sales: value, gross, list, before), or its values do: on every
    sampled line with a discount (at least two), the amount is the quantity times a unit price that does
    not say it is after discounts (Etsy's Item Total = Quantity × Price, its coupon in Discount Amount)."""
    if "revenue" not in by or "discount" not in by or names_any(by["revenue"], ("net",)):
        return False
    every = _amounts(by, sample, "discount", comma)
    discounted = [i for i, (a, d) in enumerate(every) if a and d and a > 0]
    if names_any(by["revenue"], ("value", "gross", "list", "before", "割引前", "折扣前", "优惠前")):
        return all(abs(every[i][1]) <= every[i][0] for i in discounted)
    once = _once_per_order(by, sample, comma)
    if once is not None:
        return once
    # an order's coupon may be written whole on one of its lines, larger than that line (it is spread
    # over the order's lines: `mapping.per_order`; without orders a line's GMV goes down to 0, no further),
    # but the discounts never come to more than the amounts
    if ("unit_price" not in by or names_any(by["unit_price"], _PRICE_AFTER_DISCOUNT) or len(discounted) < 2
            or sum(abs(d) for _, d in every if d) > sum(a for a, _ in every if a and a > 0)):
        return False
    prices = _numbers(by, sample, "unit_price", comma)
    quantities = _numbers(by, sample, "quantity", comma) if "quantity" in by else []

    def quantity(i: int) -> float | None:  # a line without its quantity is one
        return quantities[i] if i < len(quantities) and sample[by["quantity"]][i] else 1.0

    return all(i < len(prices) and prices[i] is not None and (q := quantity(i)) is not None and abs(every[i][0] - q * prices[i]) < 0.005
               for i in discounted)


def _once_per_order(by: dict[str, str], sample: dict[str, list[str | None]], comma: set[str]) -> bool | None:
    """For an amount and a discount written once per order, on its first line (Nuvemshop's Subtotal and
    Desconto): whether the amount is its lines' quantities times their prices, in every sampled order of
    several lines with a discount (at least two); None where there are not two such orders."""
    if "order_id" not in by or "unit_price" not in by or names_any(by["unit_price"], _PRICE_AFTER_DISCOUNT):
        return None
    every, prices = _amounts(by, sample, "discount", comma), _numbers(by, sample, "unit_price", comma)
    quantities = _numbers(by, sample, "quantity", comma) if "quantity" in by else []
    orders: dict[str, list[int]] = {}
    for i, o in enumerate(filled_down(sample[by["order_id"]])):
        orders.setdefault(o, []).append(i)
    once = [rows for rows in orders.values() if len(rows) > 1 and every[rows[0]][0] and every[rows[0]][1]
            and not any(every[i][0] or every[i][1] for i in rows[1:])]
    if len(once) < 2:
        return None

    def value(i: int) -> float | None:
        q = quantities[i] if i < len(quantities) and quantities[i] is not None else 1.0
        return None if i >= len(prices) or prices[i] is None else q * prices[i]

    return all(None not in (values := [value(i) for i in rows]) and abs(every[rows[0]][0] - sum(values)) < 0.005
               and abs(every[rows[0]][1]) <= every[rows[0]][0] for rows in once)


_TOTAL_OF_ITEMS = ("sub", "subtotal", "item", "product", "merchandise", "goods", "line", "produk", "produto", "producto", "barang", "商品", "宝贝", "货品")


def total_with_shipping(by: dict[str, str], sample: dict[str, list[str | None]], comma: set[str] = frozenset()) -> bool:
    """Whether the amount column is an order's total that includes its shipping, which a shipping column
    beside it states: its header says total (Order Total Amount, Total Owed, 订单总额), not of the items
    (Subtotal, Item Total, 商品总价), and no sampled shipping exceeds it. GMV is then the total less the
    shipping."""
    if "revenue" not in by or "shipping_fee" not in by:
        return False
    if not names_any(by["revenue"], ("total", "总额", "总金额")) or names_any(by["revenue"], _TOTAL_OF_ITEMS):
        return False
    return all(s <= t for t, s in _amounts(by, sample, "shipping_fee", comma) if t and s and t > 0)


def net_of_refunds(by: dict[str, str], sample: dict[str, list[str | None]], comma: set[str] = frozenset()) -> str | None:
    """The column that shows the amount to be net of refunds: on every sampled row with a refund (at
    least three), the amount plus the refund is that column's value (a Tmall order report's 总金额 =
    买家实际支付金额 + 退款金额). Then GMV is the amount plus the refund, or the refund would count twice."""
    from ecom.ingest.profile import to_number

    if "revenue" not in by or "refund_amount" not in by:
        return None
    refunded = [(i, a, r) for i, (a, r) in enumerate(_amounts(by, sample, "refund_amount", comma)) if a is not None and r]
    if len(refunded) < 3:
        return None
    def total(values: list[str | None], i: int) -> float | None:  # read only at the refunded rows, until one differs
        return to_number(values[i]) if i < len(values) and values[i] else None

    for src, values in sample.items():
        if src not in (by["revenue"], by["refund_amount"]) and all(
                (t := total(values, i)) is not None and abs(a + r - t) < 0.005 for i, a, r in refunded):
            return src
    return None


def returns_file(by: dict[str, str], sample: dict[str, list[str | None]]) -> str | None:
    """The column that shows a file to list returns, not sales (Amazon's OrdersReturned, an FBA returns
    report, a Taobao refund report): its rows are dated by their return (return-date, 退款的申请时间:
    `mapping._as_returns` dates them so), or each has a return's own id (`mapping.return_id`)."""
    time = by.get("order_time")
    if time and names_any(time, RETURN_WORDS):
        return time
    filled = {src: [v.strip() for v in values if v and v.strip()] for src, values in sample.items() if src != by.get("order_id")}
    return return_id(filled, max(map(len, sample.values()), default=0))


# The answers of a yes/no column, as exports write them
YES = ("1", "true", "t", "yes", "y", "是", "ja", "sí", "si", "oui", "sim", "ya", "có", "はい", "예")
NO = ("0", "false", "f", "no", "n", "否", "nein", "non", "não", "nao", "tidak", "không", "いいえ", "아니요")


def refund_flag(sample: dict[str, list[str | None]]) -> str | None:
    """A yes/no column saying a line was refunded (Gumroad's `Refunded?` and `Fully Refunded?`, 是否退款):
    a full refund is a yes beside no refund amount (Gumroad writes `Partial Refund` 0), so the one
    naming a full refund is preferred. A refund asked for (`Refund requested?`, 是否申请退款) is none."""
    def yes_no(src: str) -> bool:
        answers = {v.strip().lower() for v in sample[src] if v and v.strip()}
        return bool(answers) and answers <= {*YES, *NO}

    flags = [src for src in sample if is_flag(src) and normalize_status(src) == "refunded"
             and not re.search(r"request|申请|ask", src.lower()) and yes_no(src)]
    return next((src for src in flags if re.search(r"full|全额|全部", src.lower())), flags[0] if flags else None)


def ledger_columns(sample: dict[str, list[str | None]]) -> tuple[str, str | None] | None:
    """A ledger's entry-type column and its money-direction column (None if it has none), or None
    when the file is no ledger (see LEDGER_TYPE_HEADERS)."""
    def kinds(src: str) -> set[str]:
        return {v.strip().lower() for v in sample[src] if v and v.strip()}

    def is_sale(kind: str) -> bool:
        return bool(re.search(LEDGER_SALE, kind)) and not re.search(LEDGER_OTHER, kind)

    entry = next((src for src in sample if normalize(src) in LEDGER_TYPE_HEADERS
                  and any(map(is_sale, kinds(src))) and any(re.search(LEDGER_OTHER, k) for k in kinds(src))), None)
    if entry is None:
        return None
    direction = next((src for src in sample if normalize(src) in MONEY_DIRECTION_HEADERS
                      and any(re.search(MONEY_OUT, k) for k in kinds(src))), None)
    return entry, direction


def rating_scale(col: str, src: str, values: list[str | None] | dict[str, int], notes: list[str], lang: str) -> str:
    """The scale of a rating column from its sampled values (or {value: rows} of the whole column),
    said in a note that replaces an earlier one for the column (five when no value is a rating)."""
    if not isinstance(values, dict):
        values = [v for v in values if v is not None and v.strip()]
    scale = ratings.scale_of(values) or ratings.FIVE
    said = {i18n.t(f"ingest.note.rating_{s}", lang, col=col, src=src) for s in ratings.SCALES}
    notes[:] = [n for n in notes if n not in said] + [i18n.t(f"ingest.note.rating_{scale}", lang, col=col, src=src)]
    return scale


def credit_notes(ids: list[str | None]) -> str | None:
    """A pattern of the order ids that are credit notes: `C` and the digits of an invoice number, in a
    file whose other ids are plain numbers (C536379 beside 536365)."""
    vals = [v.strip() for v in ids if v and v.strip()]
    plain = sum(1 for v in vals if v.isdigit())
    credit = sum(1 for v in vals if re.fullmatch(r"[Cc]\d+", v))
    return "[Cc]\\d+" if credit and plain >= 0.5 * len(vals) else None


def time_source(mapping: dict[str, str], col: str) -> str | None:
    """The source column mapped as `col@time`: a time of day that completes the date in `col`."""
    return next((src for src, target in pairs(mapping) if target == f"{col}@time"), None)


def combined_values(mapping: dict[str, str], src: str, col: str, sample: dict[str, list[str | None]]) -> list[str | None]:
    """The sample values of a date column, with the time of day of its `@time` column appended."""
    dates = sample.get(src, [])
    tsrc = time_source(mapping, col)
    if tsrc is None:
        return list(dates)
    times = sample.get(tsrc, [])
    out = []
    for d, t in zip(dates, times, strict=False):
        d = d.strip() if d else d
        if d and t and t.strip():
            d = re.sub(r"[ T]00:00(:00)?$", "", d) + " " + t.strip()
        out.append(d)
    return out


def date_notes(col: str, src: str, p: dates_mod.DateProfile, tz: str, lang: str) -> list[str]:
    """What the loader decided about a date column, in words: day/month order when the data could
    not tell, and time zones."""
    notes = []
    if p.ambiguous:
        reading = i18n.t(f"ingest.date.{p.order}", lang)
        why = i18n.t(f"ingest.date.why.{p.decided_by}", lang, sep=p.evidence or "")
        notes.append(i18n.t("ingest.note.date_order", lang, col=col, src=src, example=p.example, reading=reading, why=why,
                            other=f"{col}@{'monthfirst' if p.order == 'dayfirst' else 'dayfirst'}"))
    if p.parsed and p.has_time and p.zone_column:
        notes.append(i18n.t("ingest.note.zone_column", lang, col=col, src=src, zone=p.zone_column, tz=tz))
    elif p.parsed and p.has_time:
        notes.append(i18n.t(f"ingest.note.zone_{p.zone()}", lang, col=col, src=src, tz=tz))
    if p.parsed and p.has_time and p.unread_zones:
        notes.append(i18n.t("ingest.note.zone_unread", lang, col=col, src=src, zones=", ".join(p.unread_zones), tz=tz))
    if p.phrased_examples:
        example = p.phrased_examples[0]
        notes.append(i18n.t("ingest.note.date_phrase", lang, col=col, src=src, example=example, reading=dates_mod.read_localized(example)))
    if p.localized:
        example = p.localized_examples[0]
        notes.append(i18n.t("ingest.note.month_names", lang, col=col, src=src, example=example, reading=dates_mod.read_localized(example)))
    return notes


# -- SQL building blocks ---------------------------------------------------------------------------
def is_one_of(x: str, values) -> str:
    """`x IN (...)` for a CASE WHEN: as an OR of comparisons DuckDB stops at the first match for each row,
    where an IN list (with the in_clause rewrite off) compares every row with every value."""
    return "(" + " OR ".join(f"{x} = {v}" for v in values) + ")"


def _ledger_skips(plan: Plan, idx: dict[str, int]) -> str:
    """CASE branches that skip a ledger's rows that are no sale or refund: an entry of another kind, or
    money that went out (a refund aside)."""
    entry, direction = plan.decisions.ledger
    x = f"v{idx[entry]}"
    kind = f"lower({x})"
    skip = f"THEN {text_sql('ingest.skip.ledger', plan.lang, {'value': x}, src=entry)} "
    out = f"WHEN NOT regexp_matches({kind}, {lit(LEDGER_SALE)}) OR regexp_matches({kind}, {lit(LEDGER_OTHER)}) {skip}"
    rev = next((src for src, target in pairs(plan.mapping) if split_target(target)[0] == "revenue"), None)
    if rev is not None:
        # a refund's money goes back to the buyer: written as money in (Mercado Pago's statement, the seller's
        # account: "Reembolso Envío cancelado", a shipping cost paid back to the seller) it is no refund of a sale
        r = f"trim(v{idx[rev]})"
        out += f"WHEN regexp_matches({kind}, {lit(LEDGER_REFUND)}) AND regexp_matches({r}, '[1-9]') AND NOT regexp_matches({r}, '^[-(−]') {skip}"
    if direction is not None:
        y = f"v{idx[direction]}"
        out += (f"WHEN regexp_matches(lower({y}), {lit(MONEY_OUT)}) AND NOT regexp_matches({kind}, {lit(LEDGER_REFUND)}) "
                f"THEN {text_sql('ingest.skip.money_out', plan.lang, {'value': y}, src=direction)} ")
    return out


def _clean(i: int) -> str:
    """The value of column c{i} trimmed, with empty and null-like tokens as NULL, and without the
    backtick WeChat Pay's bills put in front of every value (`2015-03-30 21:25:32, `0.01) to keep
    spreadsheets from reading them as numbers or dates.

    trim() costs ~10× an edge test, so only values that start or end with white space (or a backtick)
    pay for it; and no null token starts with a digit, so numbers skip that comparison. (Comparisons
    look at the first bytes only; ascii() would check the whole string's UTF-8 first.)
    """
    c = f"c{i}"
    # a first byte below '!' (space, tab, newline, CR, or an empty value) or a backtick, or a first character
    # that is a no-break or ideographic space, or a last one that is any of these (names padded with U+3000 are common)
    edges = " OR ".join([f"{c} < '!'", *(f"({c} >= chr({o}) AND {c} < chr({o + 1}))" for o in (96, 160, 12288)),
                         *(f"suffix({c}, chr({o}))" for o in (32, 9, 10, 13, 160, 12288))])
    tokens = [lit(t) for t in NULL_TOKENS]
    trimmed = f"trim(ltrim(trim({c}, {lit(_SPACES)}), '`'), {lit(_SPACES)})"
    return (
        f"CASE WHEN {edges} THEN CASE WHEN {is_one_of(trimmed, tokens)} THEN NULL ELSE {trimmed} END "
        f"WHEN strlen({c}) <= 4 AND NOT {_starts_with_digit(c)} AND {is_one_of(c, tokens)} THEN NULL ELSE {c} END"
    )


def _no_text_sql(x: str) -> str:
    """SQL: whether free text `x` is a platform's stand-in for no text (NO_TEXT); a few substring tests
    spare the regular expressions nearly every real review."""
    squeezed = f"regexp_replace({x}, '[\\s\\p{{P}}\\p{{S}}]', '', 'g')"
    hint = " OR ".join(f"contains({x}, {lit(w)})" for w in ("填写", "默认", "未及时", "自动", "ositive", "egative", "OSITIVE", "EGATIVE", "ulasan", "ULASAN"))
    return (f"({x} IS NOT NULL AND strlen({x}) <= 120 AND ({hint}) AND regexp_full_match({squeezed}, {lit(NO_TEXT)}) "
            f"AND regexp_matches({squeezed}, {lit(NO_TEXT_MARK)}))")


def _starts_with_digit(x: str) -> str:
    return f"({x} >= '0' AND {x} < ':')"  # ':' follows '9' in byte order


def _variants(words) -> list[str]:
    """Exact spellings to compare with (an IN list is far cheaper than lower() on every row)."""
    out = []
    for w in words:
        for v in (w, w.upper(), w.title(), w.capitalize()):
            for suffix in ("", ":", "："):
                if v + suffix not in out:
                    out.append(v + suffix)
    return out


def id_expr(x: str) -> str:
    return (
        f"CASE WHEN {x} LIKE '=%' THEN regexp_replace({x}, '^=\"?(.*?)\"?$', '\\1') "
        f"WHEN {x} LIKE '''%' THEN ltrim({x}, '''') "
        f"WHEN contains({x}, '.') AND regexp_full_match({x}, '-?\\d+\\.0+') THEN regexp_replace({x}, '\\.0+$', '') "
        f"ELSE {x} END"
    )


def _id_bad(x: str) -> str:
    # Excel turns long numbers into 1.23457E+18: the digits are gone. False, not NULL, for an empty id,
    # so that a required one is said to be empty
    return f"({x} IS NOT NULL AND (contains({x}, 'E+') OR contains({x}, 'e+')) AND regexp_full_match({x}, '\\d(\\.\\d+)?[eE]\\+\\d+'))"


# with the apostrophes some exports wrap amounts in to keep spreadsheets off them ('-10.68')
_CURRENCY_STRIP = f"[\\s\\x{{00a0}}\\x{{27}}{currency.AMOUNT_SIGNS}元]|{currency.AMOUNT_WORDS}|[A-Z]{{3}}"


def number_expr(x: str, decimal_comma: bool, allow_percent: bool, money: bool = False) -> str:
    """A number from text with currency signs and codes, separators, (negatives), 万/亿 and percent.

    DOUBLE in general (parsed fastest). Money is parsed as a decimal from the text itself, so cents
    round half away from zero as written (2.675 -> 2.68), never through a binary fraction.
    """
    s = f"regexp_replace({x}, '{_CURRENCY_STRIP}', '', 'g')"
    if decimal_comma:
        s = f"replace(replace({s}, '.', ''), ',', '.')"
    else:
        s = f"replace({s}, ',', '')"
    s = f"CASE WHEN {s} LIKE '(%)' THEN '-' || trim({s}, '()') ELSE {s} END"
    body = f"rtrim({s}, '万亿%')"
    scale = f"(CASE WHEN {s} LIKE '%万' THEN 10000 WHEN {s} LIKE '%亿' THEN 100000000 ELSE 1 END)"
    pct = f"(CASE WHEN {s} LIKE '%\\%%' ESCAPE '\\' THEN 0.01 ELSE 1 END)" if allow_percent else "1"
    if money:
        # the double only for what a decimal cannot read (1.5E+3); an amount with a remark in brackets
        # after it ("131.77(已退款89.84)") is its leading number
        remark = f"TRY_CAST(regexp_extract({s}, '^([-+]?[0-9]*\\.?[0-9]+)\\s*[(（]', 1) AS DECIMAL(38,10))"
        # (wide decimals only on this rare path: DECIMAL(38,…) is 128-bit arithmetic, 6× the cost per row)
        slow = (f"TRY_CAST(coalesce(TRY_CAST({body} AS DECIMAL(38,10)), CAST(TRY_CAST({body} AS DOUBLE) AS DECIMAL(38,10)), {remark}) * {scale} "
                "AS DECIMAL(18,2))")
        fast = "NULL" if decimal_comma else f"TRY_CAST({x} AS DECIMAL(18,2))"
    else:
        slow = f"TRY_CAST({body} AS DOUBLE) * {scale} * {pct}"
        fast = "NULL" if decimal_comma else f"TRY_CAST({x} AS DOUBLE)"
    if not allow_percent:
        slow = f"CASE WHEN {s} LIKE '%\\%%' ESCAPE '\\' THEN NULL ELSE {slow} END"
    return f"coalesce({fast}, {slow})"


def period_expr(x: str, profile: dates_mod.DateProfile | None, tz: str) -> str:
    """A period's first day from a month (2024-03, Mar 2024, 2024年3月), a day, or a Taiwanese (民國)
    year and month (11402: the year 114 + 1911 = 2025, February)."""
    fmt_list = "[" + ", ".join(lit(f) for f in PERIOD_FORMATS) + "]"
    roc = (f"CASE WHEN regexp_full_match({x}, '1[0-4][0-9](0[1-9]|1[0-2])') "
           f"THEN make_date(CAST(left({x}, 3) AS INTEGER) + 1911, CAST(right({x}, 2) AS INTEGER), 1) "
           f"WHEN regexp_full_match({x}, '(19|20)\\d\\d') THEN make_date(CAST({x} AS INTEGER), 1, 1) END")  # a year: its first day
    return f"coalesce({roc}, CAST(TRY_STRPTIME({x}, {fmt_list}) AS DATE), CAST({dates_mod.timestamp_sql(x, profile, tz)} AS DATE))"


def event_expr(x: str, codes: str | None = "taobao") -> str:
    """An event type from its words, or from its code in the scheme `codes` (EVENT_CODES)."""
    by_code: dict[str, list[str]] = {}
    for code, name in EVENT_CODES[codes or "taobao"].items():
        if name:
            by_code.setdefault(name, []).append(code)
    whens = " ".join(f"WHEN {is_one_of(x, [lit(v) for v in (*_variants(vals), *by_code.get(name, ()))])} THEN {lit(name)}"
                     for name, vals in _EVENTS.items())
    return f"CASE {whens} ELSE NULL END"


def _says(low: str, word: str) -> bool:
    """Whether a lower-cased status holds `word`: as text, or, written as a regular expression `(?:…`, matching it."""
    return bool(re.search(word, low)) if word.startswith("(?:") else word in low


def _says_sql(x: str, word: str) -> str:
    return f"regexp_matches(lower({x}), {lit(word)})" if word.startswith("(?:") else f"contains(lower({x}), {lit(word)})"


def normalize_status(text: str) -> str:
    low = text.strip().lower()
    for name, words in _STATUS:
        if any(_says(low, w) for w in words):
            return name
    return low


def status_expr(x: str, known: list[str] = ()) -> str:
    """Order statuses onto completed/pending/paid/shipped/cancelled/draft/refunded/returned (others kept, lower-case).

    Values seen in the sample are compared exactly (cheap); only unseen ones pay for the substring tests.
    """
    fast = " ".join(f"WHEN {lit(v)} THEN {lit(normalize_status(v))}" for v in known)
    whens = " ".join(
        f"WHEN {' OR '.join(_says_sql(x, w) for w in words)} THEN {lit(name)}" for name, words in _STATUS
    )
    slow = f"CASE {whens} ELSE lower({x}) END"
    return f"CASE {x} {fast} ELSE {slow} END" if known else f"CASE WHEN {x} IS NULL THEN NULL ELSE {slow} END"


# -- the statement ---------------------------------------------------------------------------------
@dataclass
class Plan:
    """How each canonical column is filled."""

    table: str
    columns: list[str]  # source headers, c0..cN
    mapping: dict[str, str]
    derive: dict[str, str]
    decisions: Decisions
    upload_id: int
    loaded_at: str  # 'YYYY-MM-DD HH:MM:SS' in the shop's zone
    tz: str
    lang: str = "en"  # of the reject and skip reasons
    nul_check: bool = False  # the file holds NUL bytes: rows with one in any value are rejected
    currency: str = "CNY"  # of lines without a currency column value: the upload's choice, else the file's, else ECOM_CURRENCY
    footer_row: int | None = None  # rows from here on are an export's footer (totals, notes): skipped


def _by_target(plan: Plan) -> dict[str, tuple[str, str | None]]:
    """Canonical column -> (source column, marker); year + month columns fill `period` together."""
    by_target: dict[str, tuple[str, str | None]] = {}
    for src, target in pairs(plan.mapping):
        col, marker = split_target(target)
        if marker in ("time", "payment"):
            by_target[f"{col}@{marker}"] = (src, marker)
            continue
        if col == "period" and marker in ("year", "month"):
            by_target.setdefault("period", ("", "ym"))
            by_target[f"period_{marker}"] = (src, marker)
            continue
        by_target[col] = (src, marker)
    return by_target


def _extra_sources(plan: Plan) -> list[str]:
    """Source columns kept in `_extra`: the unmapped ones, and every half of a review text joined from halves."""
    mapped_sources = {s for s in plan.mapping if plan.mapping[s]}
    return [c for c in plan.columns if c not in mapped_sources or c in plan.decisions.text_parts]


# Words naming one half of a review that a site asks for in two boxes (Booking.com's Positive_Review and
# Negative_Review, pros and cons, liked and disliked, 优点 and 缺点)
_HALVES = (({"positive", "pros", "liked"}, ("优点",)), ({"negative", "cons", "disliked"}, ("缺点",)))


def text_parts(table: str, mapping: dict[str, str], sample: dict[str, list]) -> list[str]:
    """The source columns a review's text is made of, in the file's order: the column mapped to
    review_text and an unmapped column of free text that is its other half (a "positive" one and a
    "negative" one); [] when the text is one column. `sample`: every source column, in the file's
    order -> raw sample values."""
    from ecom.ingest.mapping import header_words
    from ecom.ingest.profile import ColumnValues

    source = next((s for s, tg in pairs(mapping) if split_target(tg) == ("review_text", None)), None)
    if table != "reviews" or source is None:
        return []

    def half(col: str) -> int | None:
        words, cjk = header_words(col)
        return next((i for i, (en, zh) in enumerate(_HALVES) if words & en or any(w in cjk for w in zh)), None)

    side = half(source)
    if side is None:
        return []
    mapped = {s for s, _ in pairs(mapping)}
    other = next((c for c, values in sample.items() if c not in mapped and half(c) == 1 - side
                  and ColumnValues.of(values).fit("freetext") == 1.0), None)
    return [c for c in sample if c in (source, other)] if other else []


def constant_columns(plan: Plan) -> dict[str, str]:
    """Canonical columns that hold the same value on every row (unmapped, or a preset's constant), as SQL.

    The loader writes these in its INSERT instead of carrying a million copies over Arrow; `_extra` is
    one of them when every source column is mapped.
    """
    t = schema.TABLES[plan.table]
    by_target = _by_target(plan)
    ruled = set(_post_rules(plan, by_target, {c.name: "NULL" for c in t.columns}))
    out = {}
    for c in t.columns:
        if c.name in by_target or c.name in ruled or plan.derive.get(c.name) in ROW_RULES:
            continue
        out[c.name] = f"CAST({_derived(c.name, plan)} AS {c.type})"
    if not _extra_sources(plan) and not lenient_columns(plan):
        out["_extra"] = "CAST(NULL AS MAP(VARCHAR, VARCHAR))"
    return out


def lenient_columns(plan: Plan) -> list[tuple[str, str]]:
    """(canonical column, source column) of the mapped columns whose unreadable values leave the row
    loaded without them (`schema.Table.lenient`); a date with a separate time column is read whole."""
    by_target = _by_target(plan)
    return [(name, by_target[name][0]) for name in schema.TABLES[plan.table].lenient
            if name in by_target and by_target[name][1] is None and f"{name}@time" not in by_target
            and not (name == "review_text" and plan.decisions.text_parts)]  # both halves are in _extra as they are


# a group's subtotal under its lines: "Total A00100 (…)", "小计：华东"
_SUBTOTAL = r"^(?i:total|subtotal|sub-total|summe|totale|合计|总计|小计|汇总)(?:\s|[:：]|$)"


# derive rules that make an id of the row's number in the file
ROW_RULES = ("row", "customer_time")


def _fill_down_id() -> str:
    """The REPLACE clause that gives a line without an order id the id of the line above it."""
    return ("REPLACE (coalesce(k_order_id, last_value(k_order_id IGNORE NULLS) OVER (ORDER BY _row ROWS BETWEEN UNBOUNDED PRECEDING "
            "AND CURRENT ROW)) AS k_order_id)")


def _order_level(plan: Plan, by_target: dict) -> list[str]:
    """Order-level fields (markers @order) of order lines: spread over each order's lines in file order."""
    if plan.table != "sales":
        return []
    names = schema.TABLES[plan.table].names
    return [name for name, (_, m) in by_target.items() if m == "order" and name in names]


def uses_row_numbers(plan: Plan) -> bool:
    """Whether the conversion reads `_row` (a footer's place, an order's lines in file order, ids made
    of row numbers); when not, the rows can be numbered after it."""
    return bool(plan.footer_row or _order_level(plan, _by_target(plan)) or set(plan.derive.values()) & set(ROW_RULES))


def conversion_sql(raw_sql: str, plan: Plan) -> str:
    t = schema.TABLES[plan.table]
    cols = plan.columns
    n = len(cols)
    idx = {c: i for i, c in enumerate(cols)}
    by_target = _by_target(plan)
    extra_sources = _extra_sources(plan)
    lenient = lenient_columns(plan)
    spared = {name for name, _ in lenient}

    v = [f"{_clean(i)} AS v{i}" for i in range(n)]
    h0 = lit(cols[0])
    totals = [lit(w) for w in _variants(TOTAL_WORDS)]
    # no totals word starts with a digit: ids, line numbers and amounts skip the comparisons
    skip_total = " OR ".join(
        f"(strlen(v{i}) <= 15 AND NOT {_starts_with_digit(f'v{i}')} AND {is_one_of(f'v{i}', totals)})" for i in range(min(2, n))
    )
    repeated = " AND ".join(f"v{i} = {lit(cols[i])}" for i in range(min(3, n)))
    blank = " AND ".join(f"v{i} IS NULL" for i in range(n)) or "false"
    lang = plan.lang
    blank_why, header_why, totals_why, footer_why = (lit(i18n.t(f"ingest.skip.{k}", lang)) for k in ("blank", "repeated_header", "totals", "footer"))
    footer = f"WHEN _row >= {int(plan.footer_row)} THEN {footer_why} " if plan.footer_row else ""
    # a word a required number column repeats instead of a number (a stock file's on hand) says the row has
    # nothing to give: Shopify's inventory writes "not stocked" for a location without the item
    says = ""
    for col, words in plan.decisions.placeholders.items():
        if col in by_target and t.column(col).required:
            x = f"v{idx[by_target[col][0]]}"
            says += f"WHEN {is_one_of(x, [lit(w) for w in words])} THEN {text_sql('ingest.skip.says', lang, {'value': x}, col=col, src=by_target[col][0])} "
    for code, name in EVENT_CODES.get(plan.decisions.event_codes or "", {}).items():
        if name is None and "event_type" in by_target:
            x = f"v{idx[by_target['event_type'][0]]}"
            says += f"WHEN {x} = {lit(code)} THEN {lit(i18n.t('ingest.skip.cart_removal', lang, src=by_target['event_type'][0], value=code))} "
    if plan.table == "behavior" and "event_type" in by_target and not plan.decisions.event_codes:
        x = f"v{idx[by_target['event_type'][0]]}"
        says += (f"WHEN {is_one_of(f'lower({x})', [lit(w) for w in REMOVALS])} "
                 f"THEN {text_sql('ingest.skip.cart_removal', lang, {'value': x}, src=by_target['event_type'][0])} ")
    if plan.table == "sales" and plan.decisions.ledger:
        says += _ledger_skips(plan, idx)
    if plan.table == "sales":
        # a line that is the order's freight or shipping (Xero's "Freight Charges" under "Freight & Delivery"),
        # named as such in full: no product sold, and GMV is without shipping
        for col in ("product_name", "category"):
            if col in by_target and by_target[col][0] in idx:
                x = f"v{idx[by_target[col][0]]}"
                says += (f"WHEN regexp_matches(lower({x}), {lit(_SHIPPING_LINE)}) "
                         f"THEN {text_sql('ingest.skip.shipping_line', lang, {'value': x}, src=by_target[col][0])} ")
    if plan.table == "sales" and plan.decisions.child_lines:
        x = f"v{idx[plan.decisions.child_lines]}"
        says += f"WHEN {x} IS NOT NULL THEN {lit(i18n.t('ingest.skip.child_line', lang, src=plan.decisions.child_lines))} "
    # a report grouped by item (QuickBooks' Sales by Item Detail): a group's title alone in the first cell
    # above its lines, its "Total …" below them; only rows that lack a required value anyway, so no line is lost
    lacking = [f"v{idx[by_target[name][0]]} IS NULL" for name in t.required
               if name in by_target and by_target[name][0] in idx and by_target[name][0] != cols[0]]
    if lacking and n > 2:
        alone = " AND ".join(f"v{i} IS NULL" for i in range(1, n))
        says += (f"WHEN {' AND '.join(lacking)} AND v0 IS NOT NULL AND {alone} THEN {lit(i18n.t('ingest.skip.group_title', lang))} "
                 f"WHEN {' AND '.join(lacking)} AND regexp_matches(v0, {lit(_SUBTOTAL)}) THEN {totals_why} ")
    skip = (
        f"CASE {footer}WHEN {blank} THEN {blank_why} WHEN {repeated} THEN {header_why} WHEN {skip_total} THEN {totals_why} {says}END"
    ) if h0 else "NULL"

    conv: list[str] = []  # layer p: converted values k_<col>
    flags: list[str] = []  # layer q: failure flags f_<col>
    numbers: list[str] = []  # layer n: numbers parsed from text, n_<col>
    reasons: list[str] = []
    for c in t.columns:
        name = c.name
        k, f = f"k_{name}", f"f_{name}"
        src_marker = by_target.get(name)
        if src_marker is None:
            conv.append(f"{_derived(name, plan)} AS {k}")
            flags.append(f"false AS {f}")
            continue
        src, marker = src_marker
        if marker == "ym":
            ys = by_target["period_year"][0]
            yv = f"v{idx[ys]}"
            # a year without a month column is its first month (yearly figures)
            mv = f"v{idx[by_target['period_month'][0]]}" if "period_month" in by_target else "'1'"
            expr = f"make_date(TRY_CAST({yv} AS INTEGER), TRY_CAST({mv} AS INTEGER), 1)"
            conv.append(f"CASE WHEN TRY_CAST({mv} AS INTEGER) BETWEEN 1 AND 12 THEN {expr} END AS {k}")
            flags.append(f"({yv} IS NOT NULL AND {mv} IS NOT NULL AND {k} IS NULL) AS {f}")
            why = text_sql("ingest.reject.period", lang, {"year": f"left({yv}, 20)", "month": f"left({mv}, 20)"})
            reasons.append(f"CASE WHEN f_{name} THEN {why} END")
            continue
        x = f"v{idx[src]}"
        if name == "review_text" and plan.decisions.text_parts:
            # the halves of the review, each unless it is the site's words for none ("No Negative"), one per line
            kept = ", ".join(f"CASE WHEN NOT {_no_text_sql(f'v{idx[part]}')} THEN v{idx[part]} END" for part in plan.decisions.text_parts)
            numbers.append(f"NULLIF(concat_ws(chr(10), {kept}), '') AS t_{name}")
            x = f"t_{name}"
        if f"{name}@time" in by_target:
            # a date and a separate time of day: parsed as one value (a date cell's midnight dropped)
            tv = f"v{idx[by_target[name + '@time'][0]]}"
            numbers.append(f"CASE WHEN {tv} IS NULL THEN {x} ELSE regexp_replace({x}, '[ T]00:00(:00)?$', '') || ' ' || {tv} END AS t_{name}")
            x = f"t_{name}"
        expr, bad = _convert(c, x, plan)
        pre = number_source(c, x, plan)
        if pre is not None:
            numbers.append(f"{pre} AS n_{name}")
            expr = expr.replace("{N}", f"n_{name}")
        if name in plan.derive:
            expr = f"coalesce({expr}, {_derived(name, plan)})"
        if f"{name}@payment" in by_target:
            # a payment declined, failed or voided cancels the order, whatever its own status says
            pv = f"v{idx[by_target[name + '@payment'][0]]}"
            expr = f"CASE WHEN {status_expr(pv)} = 'cancelled' THEN 'cancelled' ELSE {expr} END"
        conv.append(f"{expr} AS {k}")
        flags.append(f"({bad.replace('{K}', k)}) AS {f}")
        if name not in spared:  # a lenient column's value does not fail the row
            why = text_sql("ingest.reject.value", lang, {"value": f"left({x}, 60)"}, column=_label(name, src), problem=_bad_word(c, plan))
            reasons.append(f"CASE WHEN f_{name} THEN {why} END")

    # layer w: order-level fields (markers @order) spread over the order's lines
    order_cols = _order_level(plan, by_target)
    # an order id on its first line only (order_id@order): its other lines take the id above them
    filled_id = "order_id" in order_cols
    order_cols = [nm for nm in order_cols if nm != "order_id"]
    amount_cols = [nm for nm in order_cols if t.column(nm).kind == "money"]
    plain_cols = [nm for nm in order_cols if nm not in amount_cols]
    win_sel = ["*"]
    if order_cols:
        # a skipped row (a configurable product's part) takes no share of its order's amounts
        w = "(PARTITION BY k_order_id, _skip IS NULL ORDER BY _row ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        for nm in plain_cols:
            win_sel.append(f"first(k_{nm} IGNORE NULLS) OVER {w} AS o_{nm}")
        if amount_cols:
            weight = "coalesce(CAST(k_quantity AS DECIMAL(18,4)) * k_unit_price, CAST(k_quantity AS DECIMAL(18,4)), 1)"
            win_sel.append(f"{weight} AS _w")
            win_sel.append(f"sum({weight}) OVER {w} AS _wsum")
            win_sel.append("row_number() OVER (PARTITION BY k_order_id, _skip IS NULL ORDER BY _row) AS _rn")
            win_sel.append(f"count(*) OVER {w} AS _cnt")
            for nm in amount_cols:
                win_sel.append(f"first(k_{nm} IGNORE NULLS) OVER {w} AS o_{nm}")

    final_vals = {}
    for c in t.columns:
        final_vals[c.name] = f"k_{c.name}"
    for name in spared:
        final_vals[name] = f"CASE WHEN NOT f_{name} THEN k_{name} END"  # an id Excel damaged is no id
    for nm in plain_cols:
        final_vals[nm] = f"coalesce(k_{nm}, o_{nm})"

    required_checks = []
    for name in t.required:
        if name in by_target or name not in plan.derive:
            val = final_vals[name] if name not in amount_cols else f"o_{name}"
            required_checks.append(f"CASE WHEN {val} IS NULL AND NOT f_{name} THEN {lit(i18n.t('ingest.reject.empty', lang, column=name))} END")
    # the reason text is only built for rows that fail a check; a lenient column's value does not fail it
    never = {f.rsplit(" AS ", 1)[1] for f in flags if f.startswith(("false AS ", "(false) AS "))} | {f"f_{name}" for name in spared}
    failing = [f"f_{c.name}" for c in t.columns if f"f_{c.name}" not in never] + [
        f"{final_vals[n] if n not in amount_cols else f'o_{n}'} IS NULL" for n in t.required if n in by_target or n not in plan.derive
    ]
    if plan.nul_check:
        # a NUL byte is damage, never data: the row is rejected, naming the first column that holds one
        flags.append(f"({' OR '.join(f'contains(c{i}, chr(0))' for i in range(n))}) AS f__nul")
        which = " ".join(f"WHEN contains(c{i}, chr(0)) THEN {lit(i18n.t('ingest.reject.nul', lang, column=cols[i]))}" for i in range(n))
        reasons.insert(0, f"CASE WHEN f__nul THEN CASE {which} END END")
        failing.append("f__nul")
    # a row without any column of a group (a review with neither a rating nor a text) says nothing
    for group in t.row_one_of:
        mapped = [name for name in group if name in by_target]
        empty = " AND ".join(f"{final_vals[name]} IS NULL AND NOT f_{name}" for name in mapped)
        why = i18n.t("ingest.reject.empty", lang, column=mapped[0]) if len(mapped) == 1 else i18n.t("ingest.reject.none_of", lang, columns=", ".join(mapped))
        required_checks.append(f"CASE WHEN {empty} THEN {lit(why)} END")
        failing.append(f"({empty})")
    reason = (
        f"CASE WHEN {' OR '.join(failing)} THEN NULLIF(concat_ws('; ', {', '.join(required_checks + reasons) or 'NULL'}), '') END"
    )

    # amounts allocated over the order's lines; the last line takes the rounding remainder
    alloc_sel = ["*"]
    if amount_cols:
        for nm in amount_cols:
            alloc_sel.append(
                f"CASE WHEN _wsum IS NULL OR _wsum = 0 THEN CASE WHEN _rn = 1 THEN o_{nm} ELSE 0 END "
                f"ELSE round(o_{nm} * _w / _wsum, 2) END AS a_{nm}"
            )
    final_alloc = {}
    for nm in amount_cols:
        prev = f"sum(a_{nm}) OVER (PARTITION BY k_order_id, _skip IS NULL ORDER BY _row ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        final_alloc[nm] = f"CASE WHEN _rn = _cnt THEN o_{nm} - coalesce({prev}, 0) ELSE a_{nm} END"
    for nm, expr in final_alloc.items():
        final_vals[nm] = expr

    out_cols = []
    post = _post_rules(plan, by_target, final_vals)
    for c in t.columns:
        expr = post.get(c.name, final_vals[c.name])
        out_cols.append(f"CAST({expr} AS {c.type}) AS {ident(c.name)}")
    extra = _map_sql(extra_sources, [f"v{idx[c]}" for c in extra_sources]) if extra_sources else "NULL"
    if lenient:
        # the unreadable values join the row's other columns, under their own names (only on the rows that have one)
        kept = ", ".join(f"{{'key': {lit(src)}, 'value': CASE WHEN f_{name} THEN v{idx[src]} END}}" for name, src in lenient)
        unread = f"map_from_entries(list_filter([{kept}], e -> e.value IS NOT NULL))"
        extra = (f"CASE WHEN {' OR '.join(f'f_{name}' for name, _ in lenient)} THEN map_concat(coalesce(CAST({extra} AS MAP(VARCHAR, VARCHAR)), "
                 f"MAP {{}}::MAP(VARCHAR, VARCHAR)), {unread}) ELSE CAST({extra} AS MAP(VARCHAR, VARCHAR)) END")
    raw_map = _map_sql(cols, [f"c{i}" for i in range(n)])
    return f"""
WITH r AS ({raw_sql}),
v AS (SELECT _row, {', '.join(f'c{i}' for i in range(n))}, {', '.join(v)} FROM r),
n AS (SELECT *, {', '.join(numbers + ['0 AS _n'])} FROM v),
p AS (SELECT *, {skip} AS _skip, {', '.join(conv)} FROM n),
q AS (SELECT *, {', '.join(flags)} FROM p),
d AS (SELECT * {_fill_down_id() if filled_id else ''} FROM q),
w AS (SELECT {', '.join(win_sel)} FROM d),
a AS (SELECT {', '.join(alloc_sel)} FROM w),
z AS (SELECT *, {reason} AS _why FROM a)
SELECT _row,
  CAST(CASE WHEN _skip IS NOT NULL THEN 2 WHEN _why IS NOT NULL THEN 1 ELSE 0 END AS TINYINT) AS _status,
  coalesce(_skip, _why) AS _reason,
  {', '.join(out_cols)},
  CASE WHEN _skip IS NULL AND _why IS NULL THEN CAST({extra} AS MAP(VARCHAR, VARCHAR)) END AS _extra,
  CASE WHEN _skip IS NULL AND _why IS NOT NULL THEN CAST({raw_map} AS MAP(VARCHAR, VARCHAR)) END AS _raw
FROM z"""


def _map_sql(keys: list[str], vals: list[str]) -> str:
    """A MAP(VARCHAR, VARCHAR) from column names to values.

    Cast from a struct: 8× cheaper than MAP([...], [...]), which checks its keys on every row.
    Struct field names are case-insensitive, so names differing only in case use the slow form.
    """
    if len({k.lower() for k in keys}) == len(keys):
        return "struct_pack(" + ", ".join(f"{ident(k)} := {v}" for k, v in zip(keys, vals, strict=True)) + ")"
    return "MAP([" + ", ".join(lit(k) for k in keys) + "], [" + ", ".join(vals) + "])"


def normalize_eq(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _label(name: str, src: str) -> str:
    """A canonical column as messages name it: with the file's header when that says something else."""
    return name if normalize_eq(name, src) else f"{name} ({src})"


def unreadable(name: str, src: str, value: str, plan: Plan) -> str:
    """What a reject says of a value of canonical column `name` (source `src`) that cannot be read."""
    return i18n.t("ingest.reject.value", plan.lang, column=_label(name, src), value=value[:60],
                  problem=_bad_word(schema.TABLES[plan.table].column(name), plan))


def _bad_word(c: schema.Column, plan: Plan) -> str:
    if c.kind == "rating":
        return i18n.t(f"ingest.bad.rating_{_scale(c, plan)}", plan.lang)
    return i18n.t("ingest.bad." + _BAD_KEY.get(c.kind, "valid"), plan.lang)


def _scale(c: schema.Column, plan: Plan) -> str:
    return plan.decisions.rating_scales.get(c.name, ratings.FIVE)


def _convert(c: schema.Column, x: str, plan: Plan) -> tuple[str, str]:
    """(SQL value, SQL failure flag) for column `c` from the cleaned string `x`.

    The flag refers to the converted value as {K} (a column of the next layer), so no conversion runs twice.
    """
    d = plan.decisions
    kind = c.kind
    if kind == "id" and plan.table == "reviews" and c.name == "customer_id":
        # the name a site shows for everyone who set none is nobody in particular
        return f"CASE WHEN {is_one_of(x, [lit(n) for n in NO_REVIEWER])} THEN NULL ELSE {id_expr(x)} END", _id_bad(x)
    if kind == "id" and c.name == "customer_id":
        # an e-mail address names one person however it is capitalised (Andreis816@ and andreis816@); a
        # buyer without an account is nobody known, unless an e-mail column names them (a behaviour log's
        # visitor 0 is a visitor)
        guest = f"strlen({x}) <= {max(map(len, GUESTS))} AND {is_one_of(x, [lit(g) for g in GUESTS])}" if plan.table == "sales" else "false"
        value = f"CASE WHEN contains({x}, '@') THEN lower({x}) WHEN {guest} THEN NULL ELSE {id_expr(x)} END"
        if d.guest_mail:
            mail = f"v{plan.columns.index(d.guest_mail)}"
            value = f"coalesce({value}, CASE WHEN contains({mail}, '@') THEN lower({mail}) END)"
        return value, _id_bad(x)
    if kind == "id":
        return id_expr(x), _id_bad(x)
    if c.name == "region" and d.provinces:
        return places.province_sql(x), "false"
    if kind in ("text",):
        # a text joined from halves has had the sites' words for none taken out of each
        return x, _no_text_sql(x) if c.looks == "freetext" and not plan.decisions.text_parts else "false"
    if kind == "status":
        return status_expr(x, plan.decisions.known_values.get(c.name, [])), "false"
    if kind == "timestamp":
        profile = d.dates.get(c.name)
        zone = f"v{plan.columns.index(profile.zone_column)}" if profile and profile.zone_column in plan.columns else None
        e = dates_mod.timestamp_sql(x, profile, plan.tz, zone)
        return e, f"{x} IS NOT NULL AND {{K}} IS NULL"
    if kind == "date":
        e = f"CAST({dates_mod.timestamp_sql(x, d.dates.get(c.name), plan.tz)} AS DATE)"
        return e, f"{x} IS NOT NULL AND {{K}} IS NULL"
    if kind == "period":
        e = period_expr(x, d.dates.get(c.name), plan.tz)
        return e, f"{x} IS NOT NULL AND {{K}} IS NULL"
    if kind == "event":
        e = event_expr(x, d.event_codes)
        return e, f"{x} IS NOT NULL AND {{K}} IS NULL"
    if kind == "rating":
        return ratings.sql(x, _scale(c, plan), "{N}"), f"{x} IS NOT NULL AND {{K}} IS NULL"
    # the parsed number is a column of the layer before ({N}): parsed once, used several times. A word
    # the column repeats instead of a number ("无退款申请") says there is none: empty, not rejected
    words = d.placeholders.get(c.name)
    bad = f"{x} IS NOT NULL AND {{K}} IS NULL" + (f" AND NOT {is_one_of(x, [lit(w) for w in words])}" if words else "")
    if kind == "int":
        # within the column's type: a gift card's 16-digit number read as a quantity is no quantity (the
        # INSERT's cast into INTEGER failed the whole load)
        limit = "2147483648" if c.type == "INTEGER" else "1e15"
        return f"CASE WHEN {{N}} = trunc({{N}}) AND abs({{N}}) < {limit} THEN CAST({{N}} AS BIGINT) END", bad
    if kind == "share":
        has_pct = f"{x} LIKE '%\\%%' ESCAPE '\\'"
        scaled = "{N}" if c.name not in d.share_percent else f"CASE WHEN {has_pct} THEN {{N}} ELSE {{N}} / 100 END"
        return f"CASE WHEN ({scaled}) BETWEEN 0 AND 1 THEN CAST({scaled} AS DOUBLE) END", bad
    if kind == "money":
        return "CASE WHEN abs({N}) < CAST(1e13 AS DECIMAL(18,2)) THEN {N} END", bad
    return "{N}", bad


def number_source(c: schema.Column, x: str, plan: Plan) -> str | None:
    """The number parse of a numeric column or a rating on a numeric scale (layer n), or None for other kinds."""
    if c.kind == "rating":
        return ratings.number_sql(x, _scale(c, plan))
    if c.kind not in ("int", "share", "money", "number"):
        return None
    return number_expr(x, c.name in plan.decisions.decimal_comma, allow_percent=c.kind in ("share", "number"), money=c.kind == "money")


def _derived(name: str, plan: Plan) -> str:
    """A column the file does not have: from a derive rule (a preset's, or mapping's for order lines
    without an order id), or NULL (defaults come later)."""
    rule = plan.derive.get(name)
    if rule is None and name == "currency" and plan.table == "sales":
        return lit(plan.currency)  # the file has no currency column: one currency for the whole upload
    if rule is None:
        return "NULL"
    if rule == "row":
        return f"'U{plan.upload_id}-' || CAST(_row AS VARCHAR)"
    if rule == "customer_time":
        # one order per customer and purchase time, as written in the file; each line its own without a customer
        by_target = _by_target(plan)
        idx = {c: i for i, c in enumerate(plan.columns)}
        cust = f"v{idx[by_target['customer_id'][0]]}"
        when = " || ' ' || ".join(f"coalesce(v{idx[by_target[k][0]]}, '')" for k in ("order_time", "order_time@time") if k in by_target)
        guest = is_one_of(cust, [lit(g) for g in GUESTS])
        return f"CASE WHEN {cust} IS NULL OR {guest} THEN 'U{plan.upload_id}-' || CAST(_row AS VARCHAR) ELSE {cust} || ' @ ' || {when} END"
    if rule == "upload_time":
        return f"TIMESTAMP {lit(plan.loaded_at)}"
    if rule.startswith("="):
        return lit(rule[1:])
    raise ValueError(f"unknown derive rule {rule!r} for {name}")


def _post_rules(plan: Plan, by_target: dict, vals: dict[str, str]) -> dict[str, str]:
    """Schema defaults and cross-column rules (revenue from quantity × price, returns flagged; a
    review's rating as the file wrote it)."""
    out: dict[str, str] = {}
    if plan.table == "reviews" and "rating" in by_target:
        out["rating_raw"] = f"v{plan.columns.index(by_target['rating'][0])}"
    if plan.table != "sales":
        return out
    q = f"coalesce({vals['quantity']}, 1)"
    out["quantity"] = q
    price = vals["unit_price"]
    revenue = vals["revenue"]
    if plan.decisions.before_discounts:
        less = f"{revenue} - abs(coalesce({vals['discount']}, 0))"
        revenue = f"(CASE WHEN {revenue} > 0 THEN greatest({less}, 0) ELSE {less} END)"
    if plan.decisions.total_with_shipping:
        revenue = f"({revenue} - coalesce({vals['shipping_fee']}, 0))"
    if plan.decisions.net_of_refunds:
        revenue = f"({revenue} + coalesce({vals['refund_amount']}, 0))"
    # kept 64-bit: INTEGER × DECIMAL(18,2) would widen to a 128-bit decimal
    gross = f"TRY_CAST({q} * {price} AS DECIMAL(18,2))"
    if "discount" in by_target:
        # GMV is after line discounts: a line without its amount is its price less its discount (a free
        # gift's discount is its price: Odoo leaves its Subtotal empty), never below nothing; a return's
        # negative amount stays as it is. Exports write discounts with either sign.
        gross = f"CASE WHEN {gross} > 0 THEN greatest({gross} - abs(coalesce({vals['discount']}, 0)), 0) ELSE {gross} END"
    out["revenue"] = f"coalesce({revenue}, {gross})"
    if "unit_price" not in by_target and "revenue" in by_target:
        out["unit_price"] = f"CASE WHEN {q} <> 0 THEN round({revenue} / {q}, 2) END"
    if "revenue" not in by_target and "discount_rate" in by_target:
        # a rate is applied only to an amount before discounts (quantity × unit price), never to a net one
        rate = f"coalesce(CAST({vals['discount_rate']} AS DECIMAL(18,6)), 0)"
        out["revenue"] = f"round({q} * {price} * (1 - {rate}), 2)"
    # a refund is money back, written either way round (Lemon Squeezy's "Refunds (USD)" of -199.99)
    refund = out["refund_amount"] = f"abs({vals['refund_amount']})"
    status = f"coalesce({vals['order_status']}, CASE WHEN {q} < 0 THEN 'returned' WHEN {refund} > 0 THEN 'refunded' END)"
    if plan.decisions.refund_flag:
        # a line flagged refunded without an amount refunded is refunded whole (its revenue: see definitions)
        yes = is_one_of(f"lower(v{plan.columns.index(plan.decisions.refund_flag)})", [lit(w) for w in YES])
        refund = out["refund_amount"] = f"CASE WHEN {yes} AND coalesce({refund}, 0) = 0 THEN NULL ELSE {refund} END"
        status = f"CASE WHEN {yes} AND coalesce({vals['order_status']}, 'completed') IN ('completed', 'paid', 'shipped') THEN 'refunded' ELSE {status} END"
    out["order_status"] = status
    if "currency" in by_target:
        out["currency"] = f"coalesce(upper({vals['currency']}), {lit(plan.currency)})"
    credit = f"regexp_full_match({vals['order_id']}, {lit(plan.decisions.credit_note)})" if plan.decisions.credit_note else "false"
    # the sign of the amount without computing it again: a line's own amount, else its price (quantity is tested already)
    # a negative line that names a discount (Xero's "Promotional Offer", "Package Discount") lowers the
    # order's sales; it returns nothing
    named = [vals[c] for c in ("product_name", "product_id") if c in by_target]
    discount = f"regexp_matches(lower(concat_ws(' ', {', '.join(named)})), {lit(_DISCOUNT_LINE)})" if named else "false"
    out["line_kind"] = line_kind_sql(vals["order_status"], q, f"coalesce({revenue}, {price})", credit, discount)
    if plan.decisions.returns:
        # a file of returns: each line a return, its refund (the amount refunded, else the line's amount) as a negative amount
        out["quantity"] = f"-abs({q})"
        out["revenue"] = f"-abs(coalesce({refund}, {out['revenue']}, 0))"
        out["line_kind"] = f"CASE WHEN {vals['order_status']} IN ('cancelled', 'draft', 'refund_closed') THEN 'cancelled' ELSE 'return' END"
    return out


_SHIPPING_LINE = (r"^\s*(?:freight|shipping|delivery|postage|carriage)(?:\s*(?:&|and)\s*(?:freight|shipping|delivery|handling))?"
                  r"(?:\s+(?:charges?|fees?|costs?))?\s*$|^\s*(?:运费|邮费|配送料|送料|frete|envío|envio|versandkosten|frais de port)\s*$")
_DISCOUNT_LINE = r"discount|promotion|promotional|coupon|voucher|rabatt|desconto|descuento|remise|优惠|折扣|满减|立减"


def line_kind_sql(status: str, quantity: str, revenue: str, credit_note: str = "false", discount: str = "false") -> str:
    """The kind of an order line (see ecom.queries.definitions), from its normalised status, quantity,
    revenue, whether its order id is a credit note's, and whether it is a discount line (a negative
    amount of no negative quantity, named as a discount: a sale line that lowers the order's sales)."""
    return (
        f"CASE WHEN {status} IN ('cancelled', 'draft') THEN 'cancelled' "
        f"WHEN {revenue} < 0 AND NOT ({quantity} < 0) AND NOT {credit_note} AND {discount} THEN 'sale' "
        f"WHEN {quantity} < 0 OR {revenue} < 0 OR {credit_note} THEN 'return' ELSE 'sale' END"
    )
