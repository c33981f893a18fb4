"""Mapping source headers onto canonical columns.

In order of trust: a mapping the user confirmed earlier for the same header signature
(app.mapping_memory), a platform preset (presets/*.json: Taobao/Tmall, JD, Pinduoduo, Douyin shop,
Shopify, and the original pipeline's legacy files), then the schema: a header that is a synonym, then
a header whose words say it (`order_purchase_timestamp`, `买家会员ID`), then, for a required date, a
column whose values are dates. Every match is checked against what the column's values look like
(`ecom.ingest.profile`): a `Discount` column of 0.2s becomes a discount rate, a `feedback` column of
0s and 1s is no review text. Each mapped column gets a confidence: high (synonym, values fit), medium
(words, or values that only partly fit), low (values alone).

A table is guessed only when the file gives everything the table needs; otherwise the guess is None
and `fits` says, per table, what is missing (the loader refuses such a file, or joins it with the
other files of the same upload: see `ecom.ingest.plan`).

A mapping is `{source column: target}` where target is a canonical column, optionally with a marker,
or several such targets separated by commas (one column feeding several canonical columns, e.g. a
product name that is also the product's id):
  `revenue@order`    the amount is per order, repeated (or only filled) on the order's lines: it is
                     allocated over the lines (by quantity × unit_price) so totals are not double counted;
  `order_time@order` an order-level field filled only on the first line: copied to the order's lines;
  `order_id@order`   an order id on the order's first line only: its other lines take the id above them;
  `order_time@dayfirst` / `@monthfirst`  decide 03/04/2024 when the data cannot;
  `period@year` + `period@month`  a market period from separate year and month columns;
  `order_time@time` a time of day that completes the date in the column mapped as order_time;
  `order_status@payment` a payment's status beside the order's: a payment declined, failed or voided
                     makes the order cancelled, whatever the order's own status says.
Source columns not in the mapping are kept in the row's `_extra` map.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from ecom import i18n, schema, settings
from ecom.ingest.profile import ColumnValues, is_status, to_number

PRESET_DIR = Path(__file__).resolve().parent / "presets"
MARKERS = {"order", "dayfirst", "monthfirst", "year", "month", "time", "payment"}
TABLE_ORDER = ("sales", "behavior", "market", "reviews", "stock", "products")
_YEAR_NAMES = {"year", "年", "年份", "yr"}
_MONTH_NAMES = {"month", "月", "月份", "mon"}


@dataclass
class Guess:
    table: str | None
    mapping: dict[str, str]
    unmapped_required: list[str] = field(default_factory=list)
    preset: str | None = None
    derive: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    confidence: dict[str, str] = field(default_factory=dict)  # source column -> high | medium | low
    reason: str = ""  # why this table, in words
    fits: dict[str, list[str]] = field(default_factory=dict)  # table -> what it lacks (for a file that fits none)
    totals: list[str] = field(default_factory=list)  # sales: columns that count orders on each row (a report of totals)


# Traditional characters of common export headers, read as their simplified forms (Taiwan and Hong
# Kong exports): 訂單編號 matches 订单编号.
_TRADITIONAL = str.maketrans(
    "訂單號碼編貨價數額類別時間買賣員評論費運庫產業營資稱銷總計實際發達單據圖顧戶會帳戶實繳額狀態優惠運費庫存幣種區區域門店鋪廠商購購內容項標題條當應對場來進與備說筆務處統週價給隱規寶貝級點擊瀏覽轉換訪導體確認紀錄紅號碼與開關閉貼評價",
    "订单号码编货价数额类别时间买卖员评论费运库产业营资称销总计实际发达单据图顾户会账户实缴额状态优惠运费库存币种区区域门店铺厂商购购内容项标题条当应对场来进与备说笔务处统周价给隐规宝贝级点击浏览转换访导体确认纪录红号码与开关闭贴评价",
)


def simplified(text: str) -> str:
    return str(text).translate(_TRADITIONAL)


def normalize(header: str) -> str:
    """Header key: case, spaces, underscores, punctuation, traditional characters and unit suffixes such
    as (元) ignored."""
    text = simplified(str(header).replace("\ufeff", "").strip().lower())
    text = re.sub(r"[\(（\[【][^\)）\]】]*[\)）\]】]$", "", text) or text
    return re.sub(r"[\s_\-./:：#*?!'\"’（）()\[\]【】＊＃％]+", "", text)


def split_target(target: str) -> tuple[str, str | None]:
    col, _, marker = target.partition("@")
    return col.strip(), (marker.strip().lower() or None)


def pairs(mapping: dict[str, str]) -> list[tuple[str, str]]:
    """(source column, target) for every target of every mapped column (a column may feed several)."""
    out = []
    for src, value in mapping.items():
        for target in str(value or "").split(","):
            if target.strip():
                out.append((src, target.strip()))
    return out


def targets_of(mapping: dict[str, str]) -> set[str]:
    """The canonical columns a mapping fills (markers left off)."""
    return {split_target(t)[0] for _, t in pairs(mapping)}


_HEADERLESS = re.compile(r"column_\d+")  # the names ecom.ingest.read gives the columns of a file without a header
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def header_words(header: str) -> tuple[frozenset[str], str]:
    """(English words, Chinese text) of a header: `orderPurchase_Timestamp` -> {order, purchase, timestamp}."""
    text = _CAMEL.sub(" ", simplified(str(header).replace("\ufeff", "")))
    cjk = "".join(_CJK_RUN.findall(text))
    words = set()
    for w in re.split(r"[^A-Za-z0-9%]+|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", text):
        if not w:
            continue
        w = w.lower()
        words.add(w)
        if len(w) > 4 and w.endswith("ies"):
            words.add(w[:-3] + "y")
        elif len(w) > 4 and w.endswith(("xes", "ches", "shes", "sses")):
            words.add(w[:-2])  # taxes, batches
        elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            words.add(w[:-1])
    # Chinese headers often end in ID / id / 号
    if "ID" in str(header) or "id" in words:
        words.add("id")
    return frozenset(words), cjk


def _has(word: str, words: frozenset[str], cjk: str) -> bool:
    return word in cjk if _CJK_RUN.search(word) else word.lower() in words


def names_any(header: str, words) -> bool:
    """Whether a header holds one of `words` (English words whole, Chinese as text): as the schema's
    words and avoid lists are matched."""
    own, cjk = header_words(header)
    return any(_has(w, own, cjk) for w in words)


def words_match(column: schema.Column, header: str) -> bool:
    """Whether the header's words name the column (one word of each of its groups, none of `avoid`)."""
    if not column.words:
        return False
    words, cjk = header_words(header)
    if any(_has(a, words, cjk) for a in column.avoid):
        return False
    return all(any(_has(w, words, cjk) for w in group) for group in column.words)


@cache
def _synonym_index() -> dict[str, dict[str, tuple[str, int]]]:
    """table -> normalized synonym -> (column, rank); a lower rank is a better match."""
    index: dict[str, dict[str, tuple[str, int]]] = {}
    for t in schema.TABLES.values():
        idx: dict[str, tuple[str, int]] = {}
        for c in t.columns:
            for rank, syn in enumerate(c.synonyms):
                key = normalize(syn)
                if key and (key not in idx or idx[key][1] > rank):
                    idx[key] = (c.name, rank)
        index[t.name] = idx
    return index


@cache
def _all_synonyms() -> frozenset[str]:
    return frozenset(k for idx in _synonym_index().values() for k in idx)


def is_known_header(cell: str) -> bool:
    return bool(cell) and normalize(cell) in _all_synonyms()


@cache
def presets() -> tuple[dict, ...]:
    out = []
    for p in sorted(PRESET_DIR.glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        # "defaults" are constants for absent columns; "derive" rules fill a column the file lacks
        # (or leaves empty): "row" = a synthetic id per row, "upload_time", "=literal"
        data["derive"] = {**{k: "=" + v for k, v in data.get("defaults", {}).items()}, **data.get("derive", {})}
        out.append(data)
    return tuple(out)


def signature(columns: list[str]) -> str:
    """The header signature a confirmed mapping is remembered under."""
    return hashlib.sha256("\x1f".join(normalize(c) for c in columns).encode("utf-8")).hexdigest()[:24]


def synonym_mapping(columns: list[str], table: str) -> dict[str, str]:
    idx = _synonym_index()[table]
    best: dict[str, tuple[int, str]] = {}
    for col in columns:
        hit = idx.get(normalize(col))
        if hit is None and "/" in str(col):
            # a header that is a path (Odoo exports a relation's field as "Order Reference/Order Reference")
            # names its last part, unless the path's other parts say it is something else ("Taxes/Amount")
            hit = idx.get(normalize(str(col).rsplit("/", 1)[1]))
            words, cjk = header_words(col)
            if hit and any(_has(a, words, cjk) for a in schema.TABLES[table].column(hit[0]).avoid):
                hit = None
            elif hit:
                hit = (hit[0], hit[1] + 1000)  # after every header that names it whole ("Subtotal" before "Order Reference/Total")
        if hit and (hit[0] not in best or best[hit[0]][0] > hit[1]):
            best[hit[0]] = (hit[1], col)
    return {src: canon for canon, (_, src) in best.items()}


def _year_month(columns: list[str], mapping: dict[str, str], samples: dict[str, ColumnValues]) -> dict[str, str]:
    """Market periods from separate year and month columns."""
    year = next((c for c in columns if normalize(c) in _YEAR_NAMES), None)
    month = next((c for c in columns if normalize(c) in _MONTH_NAMES), None)
    if not (year and month):
        return mapping
    cells = samples[month].values
    if cells:
        months = sum(1 for c in cells if c.isdigit() and 1 <= int(c) <= 12)
        if months <= len(cells) / 2:
            return mapping
    out = {k: v for k, v in mapping.items() if split_target(v)[0] != "period"}
    out[year] = "period@year"
    out[month] = "period@month"
    return out


def check_mapping(table: str, mapping: dict[str, str], derive: dict[str, str] | None = None) -> list[str]:
    """Required (and one-of) canonical columns the mapping leaves without a source."""
    t = schema.TABLES[table]
    targets = targets_of(mapping) | set(derive or {})
    missing = [c for c in t.required if c not in targets]
    for group in t.one_of:
        if not targets & set(group):
            missing.append(" or ".join(group))
    return missing


def validate(table: str, mapping: dict[str, str], columns: list[str], lang: str = "en") -> str | None:
    """A one-line problem with a user-given mapping (in `lang`), or None."""
    names = set(schema.TABLES[table].mappable)
    for src in mapping:
        if src not in columns:
            return i18n.t("ingest.map.no_column", lang, source=src, column=repr(src), columns=", ".join(columns[:30]))
    for src, target in pairs(mapping):
        col, marker = split_target(target)
        if col not in names:
            return i18n.t("ingest.map.no_target", lang, source=src, target=target, table=table, column=repr(col), columns=", ".join(sorted(names)))
        if marker and marker not in MARKERS:
            return i18n.t("ingest.map.bad_marker", lang, source=src, target=target, marker=marker)
    markers = {t for _, t in pairs(mapping)}
    if "period@month" in markers and "period@year" not in markers:
        return i18n.t("ingest.map.month_without_year", lang)
    return None


def recall(wh, columns: list[str]) -> tuple[str, dict[str, str]] | None:
    if wh is None:
        return None
    cur = wh.cursor()
    try:
        row = cur.execute("SELECT table_name, mapping FROM app.mapping_memory WHERE signature = ?", [signature(columns)]).fetchone()
    finally:
        cur.close()
    if not row:
        return None
    return row[0], json.loads(row[1])


def remember_mapping(wh, columns, table, mapping, cur=None) -> None:
    """Remember the confirmed `mapping` for files with these `columns` (the header signature)."""
    sql = (
        "INSERT INTO app.mapping_memory VALUES (?, ?, ?, now()::TIMESTAMP) ON CONFLICT (signature) DO UPDATE "
        "SET table_name = excluded.table_name, mapping = excluded.mapping, updated_at = excluded.updated_at"
    )
    args = [signature(list(columns)), table, json.dumps(dict(mapping), ensure_ascii=False)]
    if cur is not None:
        cur.execute(sql, args)
        return
    with wh.transaction() as tx:
        tx.execute(sql, args)


def _preset_for(columns: list[str], table: str | None) -> dict | None:
    keys = {normalize(c) for c in columns}
    best, best_hits = None, 0
    for p in presets():
        if table not in (None, "auto") and p["table"] != table:
            continue
        hits = sum(1 for m in p["match"] if normalize(m) in keys)
        distinct = any(normalize(m) in keys for m in p.get("distinct", p["match"]))
        if distinct and hits >= p.get("min_match", 3) and hits > best_hits:
            best, best_hits = p, hits
    return best


def _apply_preset(p: dict, columns: list[str]) -> dict[str, str]:
    by_key = {normalize(k): v for k, v in p["mapping"].items()}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        target = by_key.get(normalize(col))
        if target and split_target(target)[0] not in taken:
            out[col] = target
            taken.add(split_target(target)[0])
    # columns the preset does not name still map by synonyms
    for src, canon in synonym_mapping(columns, p["table"]).items():
        if src not in out and canon not in taken:
            out[src] = canon
            taken.add(canon)
    return out


def child_lines(mapping: dict[str, str], sample: dict[str, list[str | None]]) -> str | None:
    """The unmapped column that names a line's parent line (Magento's parent_item_id on the simple
    product chosen under a configurable or bundled one), filled on some sampled lines and empty on
    others: the lines that have one are parts, and only their parent line is a sale (else a shirt
    bought once counts two units)."""
    for src, values in sample.items():
        words = header_words(src)[0]
        if src in mapping or "." in src or "parent" not in words or not words & {"item", "line"}:
            continue
        filled = sum(map(_filled, values))
        if 0 < filled < len(values):
            return src
    return None


def per_order(table: str, m: dict[str, str], sample: dict[str, list], lang: str = "en") -> tuple[dict[str, str], list[str]]:
    """Mark amounts that are repeated on every line of an order (e.g. 实付金额) as per order.

    The sign is the same amount on every line of orders with several products (several lines, in a
    file that names no product: Shopee Indonesia's cut with its Total Pembayaran): in most such orders
    (at least three), or, with fewer, where the repeated amount covers the order's lines' list value
    (quantity × price summed), so it is the order's total and not a line's that happens to repeat."""
    if table != "sales":
        return m, []
    rev = {split_target(v)[0]: k for k, v in pairs(m)}
    if "order_id" not in rev:
        return m, []
    m, notes = _continued(m, {split_target(v)[0]: k for k, v in pairs(m) if split_target(v)[1] is None}, sample, lang)
    orders = filled_down(sample.get(rev["order_id"], [])) if notes else sample.get(rev["order_id"], [])
    products = sample[rev["product_id"]] if "product_id" in rev else list(range(len(orders)))
    qty = sample.get(rev.get("quantity", ""), [])
    price = sample.get(rev.get("unit_price", ""), [])

    def list_value(i: int) -> float | None:
        """quantity × unit price of sample row i (read only for the few rows of orders that repeat an amount)."""
        u = to_number(str(price[i])) if i < len(price) and price[i] is not None else None
        q = to_number(str(qty[i])) if i < len(qty) and qty[i] is not None else 1.0
        return None if u is None else (q or 1.0) * u

    out = dict(m)
    parts = sample.get(child_lines(m, sample) or "", [])  # a configurable product's chosen item is no line of its own
    for col in (c.name for c in schema.SALES.columns if c.per_order):
        src = rev.get(col)
        if src is None or "@" in m[src] or "," in m[src]:
            continue
        amounts = sample.get(src, [])
        lines = defaultdict(list)
        for i, (o, p, a) in enumerate(zip(orders, products, amounts, strict=False)):
            if o is not None and not (i < len(parts) and _filled(parts[i])):
                # an order's total over lines without a product id (an API's custom items): each line one of its own
                lines[o].append((("line", i) if col == "revenue" and p in (None, "") else p, a, i))
        multi = [ls for ls in lines.values() if len({p for p, _, _ in ls}) >= 2]
        # an order's amount on its first line only, its other lines empty (a Thai spa POS's ราคาหลังหักส่วนลด
        # per receipt): the order's, as a discount written once per order is (revenue's other lines must be
        # empty, not 0: a free item is a line of 0)
        if (col == "discount" and _on_first_lines(multi)) or (col == "revenue" and _on_first_lines(multi, empty_only=True)):
            out[src] = f"{col}@order"
            notes.append(i18n.t("ingest.note.per_order_first", lang, col=col, src=src))
            continue
        # judged on the orders that have the amount (an amount of 0 repeated on an order's lines, free
        # shipping or no discount, says nothing): nearly all of them repeat it on every line
        given = [ls for ls in multi if any(to_number(str(a or 0)) not in (None, 0.0) for _, a, _ in ls)]
        same = [ls for ls in given if len({a for _, a, _ in ls}) == 1]
        if not given or len(same) < 0.9 * len(given):
            continue
        covers = 0
        # an amount named as a product's or line's (Amazon's product sales, 商品売上) repeats on an order's lines
        # when its products cost the same (two sizes of one item): only the list value says it is the order's
        lined = col == "revenue" and _names_line_amount(src)
        if col == "revenue" and (len(same) < 3 or lined):
            for ls in same:
                values = [list_value(i) for _, _, i in ls]
                covers += all(v is not None for v in values) and (to_number(str(ls[0][1])) or 0) >= 0.8 * sum(values)
        # beside an order's amount split over its lines, another amount its orders repeat is the order's too
        # (a JSON order's shipping beside its total)
        beside = col != "revenue" and out.get(rev.get("revenue", "")) == "revenue@order" and len(same) == len(given)
        if (len(same) >= 3 and not lined) or covers == len(same) or beside:
            out[src] = f"{col}@order"
            notes.append(i18n.t("ingest.note.per_order", lang, col=col, src=src))
    return out, notes


def _names_line_amount(header: str) -> bool:
    """Whether an amount's header names one product's or line's amount and no order's or total's."""
    words, cjk = header_words(header)
    if words & {"order", "total", "grand", "paid", "payment"} or any(w in cjk for w in ("订单", "訂單", "注文", "合計", "合计", "总", "總", "实付", "實付")):
        return False
    return bool(words & {"product", "line", "lineitem", "item", "sku"}) or "商品" in cjk


# what an order line carries for itself, and the order's own fields a continuation row leaves to the row above
_LINE_FIELDS = ("product_id", "product_name", "quantity", "unit_price", "revenue")
_ORDER_FIELDS = ("order_id", "order_time", "customer_id", "order_status", "currency", "region", "shop", "channel")


def _filled(v) -> bool:
    return v is not None and str(v).strip() != ""


def filled_down(values: list) -> list:
    """Each value, or where it is empty the last one filled above it (an order id written on its first line only)."""
    out, last = [], None
    for v in values:
        last = v if _filled(v) else last
        out.append(last)
    return out


def _continued(m: dict[str, str], rev: dict[str, str], sample: dict[str, list], lang: str) -> tuple[dict[str, str], list[str]]:
    """An export that writes an order's fields on its first line only, its other lines leaving the order's
    time empty and its id empty (ERPNext's and Odoo's data exports: an invoice's second item on a row of
    its own) or the same as the line above (Nuvemshop's: the order number and e-mail repeated, the date,
    statuses and totals not): the order's own fields empty on those rows are marked @order (the id too,
    where it is left empty), so each such line belongs to the order above it. The mapping and a note, or
    the mapping as it was and none."""
    ids, when = sample.get(rev["order_id"], []), rev.get("order_time")
    if not ids or not _filled(ids[0]) or when is None or "," in m[when]:
        return m, []
    lines = [rev[c] for c in _LINE_FIELDS if c in rev]
    above = [None, *filled_down(ids)[:-1]]
    rest = [i for i, o in enumerate(ids) if (not _filled(o) or o == above[i]) and not (i < len(sample[when]) and _filled(sample[when][i]))
            and any(i < len(sample[c]) and _filled(sample[c][i]) for c in lines)]
    if not rest or not any(_filled(sample[when][i]) for i in range(len(ids)) if i not in set(rest)):
        return m, []
    out = dict(m)
    for col in _ORDER_FIELDS:
        src = rev.get(col)
        if src is not None and "@" not in m[src] and "," not in m[src] and not any(i < len(sample[src]) and _filled(sample[src][i]) for i in rest):
            out[src] = f"{col}@order"
    return out, [i18n.t("ingest.note.continued", lang, src=rev["order_id"], n=len(rest))]


def _on_first_lines(multi: list[list[tuple]], empty_only: bool = False) -> bool:
    """Whether an amount is written once per order, on its first line, the order's other lines empty or
    0 (Etsy's coupon in Discount Amount; only empty with `empty_only`): in at least two orders of several
    lines, and every such order that has the amount. `multi`: per order of several lines, its (product,
    amount, row) in file order."""
    def given(a) -> bool:
        return a not in (None, "") and to_number(str(a)) not in (None, 0.0)

    def other(a) -> bool:
        return a not in (None, "") if empty_only else given(a)

    having = [ls for ls in multi if any(given(a) for _, a, _ in ls)]
    return len(having) >= 2 and all(given(ls[0][1]) and not any(other(a) for _, a, _ in ls[1:]) for ls in having)


def column_samples(columns: list[str], values) -> dict[str, ColumnValues]:
    """Source column -> its sampled values (`values`: rows aligned with `columns`, or None)."""
    rows = list(values) if values is not None else []
    return {c: ColumnValues.of(r[i] if i < len(r) else None for r in rows) for i, c in enumerate(columns)}


_LEVELS = ("none", "low", "medium", "high")
_WEIGHT = {"high": 3, "medium": 2, "low": 0}
# a header made of these alone names the row's time ("at": google-play-scraper's review time)
_GENERIC_DATE_WORDS = {"time", "date", "timestamp", "datetime", "day", "ts", "unix", "epoch", "at", "when"}


def _names_products(header: str) -> bool:
    """A header naming what a review is about by its name: product_title, Hotel_Name, 商品名称, and in
    Indonesian, Portuguese, Spanish and Korean (Tokopedia's Nama Produk, 가게 이름); or the shop or
    restaurant reviewed, by any key (Meituan's 评论店铺, a restaurant's number)."""
    words, cjk = header_words(header)
    return bool(words & {"name", "title", "nama", "nome", "nombre"}
                and words & {"product", "item", "goods", "hotel", "restaurant", "produk", "produto", "producto"}) or (
        "名" in cjk and any(w in cjk for w in ("商品", "宝贝", "产品"))) or any(w in cjk for w in ("店铺", "商家", "门店", "餐厅", "酒店")) or (
        str(header).strip() in ("가게 이름", "식당 이름", "상품명"))


def _generic_date_header(header: str) -> bool:
    words, cjk = header_words(header)
    return bool(words or cjk) and words <= _GENERIC_DATE_WORDS and cjk in ("", "时间", "日期", "时间戳")


def _fit_share(c: schema.Column, v: ColumnValues) -> float:
    looks = c.looks or c.kind
    if looks == "text" and c.name in ("product_name", "review_text"):
        return 1.0 - v.number_share  # a name is not a number (product_name_lenght is)
    return v.fit(looks)


def is_flag(header: str) -> bool:
    """A yes/no column (Gumroad's `Refunded?`, Lemon Squeezy's `Is Marketplace`, 是否退款): no amount,
    no dimension and no id, whatever words it holds."""
    words = re.split(r"[^a-z]+", str(header).strip().lower())
    return str(header).strip().endswith(("?", "？")) or words[0] in ("is", "has", "was", "did") or str(header).strip().startswith("是否")


def of_parent_line(header: str) -> bool:
    """A field of the parent line nested in a line (Magento's `parent_item.name` on a configurable
    product's child line): it describes another line, so it is no column of this one."""
    if not re.fullmatch(r"\w+(?:\.\w+)+", str(header).strip()):  # a dotted path, not a header ending in "No."
        return False
    parts = str(header).strip().split(".")
    return any("parent" in header_words(p)[0] for p in parts[:-1])


# the words of a header that names an order's whole total
_ORDER_TOTAL = frozenset(("total", "price", "amount", "order", "grand", "sum"))
# the words of an amount of shipping or tax beside an order's total (English, Portuguese, Spanish, German, French)
_SHIPPING_OR_TAX = frozenset(("shipping", "tax", "freight", "frete", "flete", "envio", "envío", "versandkosten", "versand", "livraison", "port"))
# an amount's words that say it is what the seller nets after fees, not what the buyer paid
_NETTED = frozenset(("net", "real", "seller", "payout", "settlement", "settled", "received", "earnings", "proceeds", "payable"))
# counts of a report of totals, none of which an order line has
_COUNT_WORDS = frozenset(("orders", "buyers", "visitors", "visits", "sessions", "pageviews", "customers", "transactions", "invoices", "receipts",
                          "purchases"))
_COUNT_WORDS_ZH = frozenset(("订单数", "买家数", "访客数", "支付买家数", "下单买家数", "浏览量", "成交笔数", "支付订单数", "成交订单数", "顾客数", "客户数", "成交人数"))
_ACCOUNT_STATES = frozenset(("enabled", "disabled", "invited", "declined", "active", "inactive", "blocked", "suspended"))
# a shop system's kinds of product record (Magento's, WooCommerce's): how a product is sold, no category
_PRODUCT_TYPES = frozenset(("simple", "configurable", "bundle", "virtual", "downloadable", "grouped", "variable", "variation", "external",
                            "giftcard", "gift card"))


def _fit(table: str, columns: list[str], samples: dict[str, ColumnValues], lang: str) -> Guess:
    """The mapping of these columns onto one table: synonyms, then words, then values; checked by values."""
    from ecom.ingest.values import is_event_log  # values builds on this module

    t = schema.TABLES[table]
    columns = [c for c in columns if not is_flag(c) and not of_parent_line(c)]
    cols = {c.name: c for c in t.columns if not c.computed}
    mapping: dict[str, str] = {}
    confidence: dict[str, str] = {}
    notes: list[str] = []
    totals: list[str] = []

    def take(src: str, canon: str, level: str) -> None:
        mapping[src] = canon
        confidence[src] = level

    for src, canon in synonym_mapping(columns, table).items():
        # a header that names the column is kept even when its values disagree (the rows then say why
        # they are rejected); the confidence says how well the values fit
        share = _fit_share(cols[canon], samples[src])
        take(src, canon, "high" if share >= 0.8 else "medium" if share >= 0.5 else "low")
    # a named column that is empty throughout the sample, or whose values do not fit, yields to one whose
    # words say the same and whose values fit (PrestaShop's empty "Unit price" beside its "Price tax
    # excluded"; iHerb's "score", Unix times, beside its "ratingValue")
    sampled = any(v.n for v in samples.values())
    for src, canon in list(mapping.items()):
        if sampled and (not samples[src].n or confidence[src] == "low"):
            # another header that names it (a synonym of lower rank, Shopify's Handle beside its empty SKU), or says it in words
            names = {normalize(x) for x in cols[canon].synonyms}
            better = [o for o in columns if o not in mapping and samples[o].n and (normalize(o) in names or words_match(cols[canon], o))
                      and _fit_share(cols[canon], samples[o]) >= 0.8]
            better.sort(key=lambda o: normalize(o) not in names)  # a header that names it first
            if better:
                del mapping[src], confidence[src]
                take(better[0], canon, "high" if normalize(better[0]) in names else "medium")
    # a person-level customer id beats a per-order one (Olist's customer_unique_id over customer_id)
    person = [o for o in columns if o not in mapping and "unique" in header_words(o)[0] and "customer_id" in cols
              and words_match(cols["customer_id"], o) and samples[o].n]
    if person:
        for src in [k for k, v in mapping.items() if v == "customer_id"]:
            del mapping[src], confidence[src]
        take(person[0], "customer_id", "high")
    # a discount written as a rate (0.2, 20%) is a rate, never an amount; one whose header says amount
    # is an amount, however small (Etsy's coupon "Discount Amount" of 0.83)
    for src, target in list(mapping.items()):
        if (target == "discount" and "discount_rate" in cols and samples[src].rate_like()
                and not names_any(src, ("amount", "value", "total", "sum", "金额", "额"))):
            mapping[src] = "discount_rate"
            notes.append(i18n.t("ingest.note.discount_rate", lang, src=src))
    taken = targets_of(mapping)
    for c in cols.values():
        if c.name in taken:
            continue
        options = [(src, _fit_share(c, samples[src])) for src in columns if src not in mapping and words_match(c, src)]
        options = [(src, share) for src, share in options if share >= 0.8]
        if options:
            # the best-fitting values first; a person-level id beats a per-order one (customer_unique_id);
            # of free texts, the longest (Meituan's 评论用户内容, not its 评论用户菜品, the dishes ordered)
            longest = c.looks == "freetext"
            # of amounts paid, one that is seldom 0 (not Mercado Pago's TIP_AMOUNT) and not what the seller nets
            # after the platform's fees (its REAL_AMOUNT, SETTLEMENT_NET_AMOUNT beside TRANSACTION_AMOUNT)
            money = c.name == "revenue"
            options.sort(key=lambda o: (-o[1], -("unique" in header_words(o[0])[0]), -samples[o[0]].mean_length if longest else 0,
                                        -round(samples[o[0]].nonzero_share, 1) if money else 0,
                                        bool(header_words(o[0])[0] & _NETTED) if money else False, len(o[0])))
            take(options[0][0], c.name, "medium")
            taken.add(c.name)
    # an order status the header does not name (Meesho's "Reason for Credit Entry": DELIVERED,
    # CANCELLED, RTO_COMPLETE): a column whose values are nearly all statuses is it
    if "order_status" in cols and "order_status" not in taken:
        # a status is a short label: a note's sentence that happens to hold a status word is none
        said = [src for src in columns if src not in mapping and samples[src].n >= 5 and len(set(samples[src].values)) >= 2
                and sum(len(v) <= 60 and is_status(v) for v in samples[src].values) >= 0.9 * samples[src].n]
        if said:
            take(said[0], "order_status", "low")
            examples = ", ".join(sorted(set(samples[said[0]].values))[:3])
            notes.append(i18n.t("ingest.note.status_by_values", lang, src=said[0], examples=examples))
    # a behaviour log's event column headed just "type" (JD's JData): its values, event types of several
    # kinds in words or codes, say it; the type of an order, a payment or a product is none
    if "event_type" in cols and "event_type" not in taken:
        def says_type(src: str) -> bool:
            return names_any(src, ("type", "kind", "类型")) and not names_any(
                src, ("order", "payment", "product", "item", "customer", "shipping", "delivery", "订单", "支付", "商品", "客户", "配送"))

        said = [src for src in columns if src not in mapping and samples[src].n >= 5 and says_type(src) and is_event_log(samples[src].values)]
        if said:
            take(said[0], "event_type", "medium")
            taken.add("event_type")
    if "event_type" in cols and "event_type" in taken:
        # a column named for events whose values are hit types (Coveo's event_type: pageview, event) yields
        # to one whose values are a log's events in words (its product_action: detail, add, purchase, remove;
        # codes prove nothing without a header: Square's Count of 1 to 4)
        named = next(src for src, target in mapping.items() if target == "event_type")
        if not is_event_log(samples[named].values):
            said = [src for src in columns if src not in mapping and samples[src].n >= 5 and is_event_log(samples[src].values)
                    and samples[src].number_share < 0.5]
            if said:
                del mapping[named], confidence[named]
                take(said[0], "event_type", "medium")
    # a "state" that is an order's or an account's (Magento's processing, Shopify's customer.state:
    # disabled, enabled) is no region
    for src in [k for k, v in mapping.items() if split_target(v)[0] == "region" and samples[k].n]:
        states = sum(v.lower() in _ACCOUNT_STATES or is_status(v) for v in samples[src].values)
        if states >= 0.5 * samples[src].n:
            del mapping[src], confidence[src]
    # an order's total beside its items' total and its shipping or tax (Big Cartel's Total price = Item total
    # + Total shipping + Total tax): the items' total is what was sold
    rev = next((k for k, v in mapping.items() if v == "revenue"), None)
    if rev is not None and header_words(rev)[0] <= _ORDER_TOTAL and any(header_words(o)[0] & _SHIPPING_OR_TAX for o in columns):
        # (WooCommerce's "Total products" is a count of them; a "Subtotal" alone is the items' total before
        # shipping: Nuvemshop's Subtotal + Valor do Frete = Total)
        items = [o for o in columns if o not in mapping and (header_words(o)[0] & {"item", "items", "merchandise"} and header_words(o)[0] & {"total", "subtotal"}
                                                              or header_words(o)[0] >= {"product", "subtotal"}
                                                              # (its discount in a column of its own: a subtotal beside a total
                                                              # that an unnamed order discount lowered is not what was sold)
                                                              or header_words(o)[0] == {"subtotal"} and "discount" in mapping.values())
                 and samples[o].n and samples[o].fit("money") >= 0.8]
        if items:
            del mapping[rev], confidence[rev]
            take(items[0], "revenue", "medium")
    # one id on every one of many rows is the account the file was exported from (Mercado Pago's
    # USER_ID, the seller's own), not its buyers
    for src in [k for k, v in mapping.items() if table == "sales" and split_target(v)[0] == "customer_id" and samples[k].n >= 20]:
        if len(set(samples[src].values)) == 1:
            del mapping[src], confidence[src]
    # a payment's status beside the order's (Nuvemshop's Status do Pagamento: Recusado, on orders still
    # "Aberto"): a declined payment cancels the order
    status = next((k for k, v in mapping.items() if v == "order_status"), None)
    if table == "sales" and status is not None:
        from ecom.ingest.values import normalize_status  # values builds on this module

        paid = [o for o in columns if o not in mapping and samples[o].n and header_words(o)[0] & {"payment", "financial", "pagamento", "pago"}
                and (header_words(o)[0] & {"status", "state", "estado"} or names_any(o, ("状态",)))
                and any(normalize_status(v) == "cancelled" for v in samples[o].values)]
        if paid:
            take(paid[0], "order_status@payment", "medium")
            notes.append(i18n.t("ingest.note.payment_status", lang, src=paid[0], status=status))
    # a "state" of two-letter codes is where the order went (Amazon's order state: DE, CA beside order city), not its status
    for src in [k for k, v in mapping.items() if v == "order_status" and "state" in header_words(k)[0] and samples[k].n and "region" in cols]:
        if "region" not in targets_of(mapping) and sum(bool(re.fullmatch(r"[A-Z]{2}", v.strip())) for v in samples[src].values) >= 0.9 * samples[src].n:
            mapping[src] = "region"
    # Magento's product_type (simple, configurable) says how a product is sold, not what it is
    for src in [k for k, v in mapping.items() if split_target(v)[0] == "category" and samples[k].n]:
        if all(v.strip().lower() in _PRODUCT_TYPES for v in samples[src].values):
            del mapping[src], confidence[src]
    # a person's name is a poor id (two buyers share one, and guests leave it empty): the buyer's e-mail
    # address beside it, filled as often, is the id (Gumroad's Buyer Name and Purchase Email)
    named = [src for src, target in mapping.items() if target == "customer_id" and names_any(src, ("name", "名", "姓名", "名称"))]
    if named:
        mails = [o for o in columns if o not in mapping and names_any(o, ("email", "mail", "邮箱", "邮件"))
                 and samples[o].n >= samples[named[0]].n and samples[o].n and samples[o].email_share >= 0.9]
        if mails:
            del mapping[named[0]], confidence[named[0]]
            take(mails[0], "customer_id", "medium")
    if table == "sales":
        found = _sales_by_values(columns, mapping, samples, notes, lang)
        for src in set(mapping) - set(found):
            del confidence[src]
        confidence.update({src: "medium" for src, target in found.items() if mapping.get(src) != target})
        mapping.clear()
        mapping.update(found)
        taken = targets_of(mapping)
    # a required column takes, among the columns that name it, the one filled on the most rows (an
    # order's creation time, not its payment time that unpaid orders leave empty)
    for name in t.required:
        current = [src for src, tg in mapping.items() if tg == name]
        if not current:
            continue
        rivals = [o for o in columns if o not in mapping and words_match(cols[name], o) and _fit_share(cols[name], samples[o]) >= 0.8]
        if name == "event_type":  # a log's events, not a hit type filled on more rows (see above)
                rivals = [o for o in rivals if is_event_log(samples[o].values) or not is_event_log(samples[current[0]].values)]
        best = max(rivals, key=lambda o: samples[o].n, default=None)
        # (by two rows at least: one cancelled order without its creation time leaves Shopee's Order
        # Creation Date to its Order Complete Time, days later)
        if best is not None and samples[best].n > 1.1 * samples[current[0]].n and samples[best].n - samples[current[0]].n >= 2:
            del mapping[current[0]], confidence[current[0]]
            take(best, name, "medium")
    # a file without a header has only its values to go by: its longest free text is a review, if it is one
    headerless = bool(columns) and all(_HEADERLESS.fullmatch(c) for c in columns)
    if headerless and table == "reviews" and "review_text" not in taken:
        # a Chinese product title (a headerless 生意参谋 ranking's) is no review: a review reads as sentences
        texts = [src for src in columns if src not in mapping and samples[src].fit("freetext") == 1.0 and samples[src].chinese_sentences()]
        if texts:
            best = max(texts, key=lambda src: samples[src].mean_length)
            take(best, "review_text", "low")
            taken.add("review_text")
            notes.append(i18n.t("ingest.note.by_values", lang, src=best, canon="review_text"))
    # a review file that names its products instead of giving their ids (Taobao's 商品名, Booking's
    # Hotel_Name, an Amazon scrape's product_title): the names tell the products apart as ids would
    if table == "reviews" and "product_id" not in taken:
        named = [src for src in columns if src not in mapping and _names_products(src) and samples[src].n]
        if named:
            take(named[0], "product_id", "low")
            taken.add("product_id")
            notes.append(i18n.t("ingest.note.product_by_name", lang, src=named[0]))
    # each table's own time column: a column headed just "Date" or "Time" whose values are dates is it
    when = schema.TIME_COLUMNS.get(table)
    if when and when not in taken:
        c = cols[when]
        generic = [src for src in columns if src not in mapping and (_generic_date_header(src) or headerless)
                   and samples[src].date_profile.share >= 0.9]
        # a required date the headers do not name: a column whose values are dates (and whose header
        # does not say it is some other date, such as a shipping date)
        dated = [src for src in columns if src not in mapping and samples[src].date_share >= 0.9
                 and not any(_has(a, *header_words(src)) for a in c.avoid)]
        # the one filled on the most rows (Amazon's settlement report: posted-date on every line, not the
        # settlement-start-date of its one summary row)
        generic.sort(key=lambda src: -samples[src].n)
        dated.sort(key=lambda src: -samples[src].n)
        if generic:
            take(generic[0], when, "medium")
        elif dated and c.required:
            take(dated[0], when, "low")
    if table == "market":
        mapping = _year_month(columns, mapping, samples)
    if table in ("sales", "behavior", "reviews"):
        _time_of_day(t, columns, mapping, samples, confidence)
    derive: dict[str, str] = {}
    if table == "stock" and "snapshot_date" not in targets_of(mapping):
        # an inventory export is a snapshot of now, and most say no date (Shopify's, ERPs' current stock)
        derive["snapshot_date"] = "upload_time"
        today = datetime.now(ZoneInfo(settings.get("ECOM_TIMEZONE"))).date()  # the load's day in the shop's zone, as the rows get it
        notes.append(i18n.t("ingest.note.snapshot_today", lang, day=today.isoformat()))
    if table == "sales":
        # an order id filled on few rows (Stripe's "order_id (metadata)", set on a handful of payments)
        # tells no orders apart: the lines are grouped as in a file without one (counted among the rows that
        # have a time: a report's group titles and subtotals are no lines)
        when = next((k for k, v in mapping.items() if split_target(v)[0] == "order_time"), None)
        rows = samples[when].n if when else max((v.n for v in samples.values()), default=0)
        for src in [k for k, v in mapping.items() if v == "order_id"]:
            if samples[src].n < 0.5 * rows:
                del mapping[src], confidence[src]
                notes.append(i18n.t("ingest.note.sparse_order_id", lang, src=src, filled=samples[src].n, rows=rows))
        derive, more = sales_keys(mapping, lang)
        notes += more
        if "order_id" in derive:
            # a report of totals per day, product or customer (Lazada's daily Revenue, Visitors, Buyers, Orders;
            # a workbook's customer summary with Num_Invoices) reads as one order a row: said, since its own
            # order counts have nowhere to go
            totals = [c for c in columns if c not in mapping and header_words(c)[0] & _COUNT_WORDS | ({header_words(c)[1]} & _COUNT_WORDS_ZH)
                      and samples[c].n and samples[c].integer_share >= 0.9]
            if totals:
                notes.append(i18n.t("ingest.note.summary_rows", lang, cols=", ".join(totals[:3])))
    if table == "products" and not any(names_any(c, ("id", "编号", "编码", "ID")) for c in columns):
        # a listing that names its products without ids (a marketplace's, scraped) keys them by name; a
        # file with ids of something else (Northwind's categories: category_id) is a list of that thing
        notes += _name_as_id(mapping, lang)
    # a column that is empty in every sampled row gives nothing a table needs
    filled = {k: v for k, v in mapping.items() if not sampled or samples[k].n}
    missing = check_mapping(table, filled, derive)
    if table == "sales" and not missing and not targets_of(filled) & {"revenue", "unit_price", "quantity", "order_id", "customer_id"}:
        # a product and a day alone sold nothing to anyone: JD's JData_Comment (each product's review counts
        # per day) has them
        missing.append("revenue or unit_price or quantity or order_id or customer_id")
    if table == "products" and not missing and targets_of(filled) <= {"product_id", "product_name"} and "id" in (keys := {normalize(k) for k in filled}) \
            and keys <= {"id", "name", "title"}:
        # a bare id and name say nothing of products: an API's customers or consignments have them too (a
        # scraped listing's titles alone, without ids, are its products)
        missing.append("category or brand or price")
    if table == "reviews" and not missing and "review_text" not in targets_of(filled) and any(map(_counts_reviews, columns)):
        # a row with a count of its reviews and their mean (Yelp's businesses: Rating 4.5, Number of Review 91)
        # is a thing reviewed, not a review
        missing.append("review_text")
    return Guess(table, mapping, missing, derive=derive, notes=notes, confidence=confidence, totals=totals)


def _counts_reviews(header: str) -> bool:
    """Whether a header names a count of reviews or ratings (Number of Review, review_count, 评论数)."""
    words, cjk = header_words(header)
    return bool(words & {"review", "rating", "comment", "vote"} and words & {"number", "count", "total", "num", "no"}) or \
        any(w in cjk for w in ("评论数", "评价数", "评分人数", "评论条数"))


# a header of a return's or refund's own record (its id, its date)
RETURN_WORDS = ("return", "returns", "reversal", "refund", "rma", "退货", "退款", "售后")
_RECORD_ID_WORDS = ("id", "number", "no", "编号", "单号")


def return_id(filled: dict[str, list[str]], rows: int) -> str | None:
    """A column of a return's own id (ReversalID, Amazon RMA ID, 退款编号): filled on nearly every row
    (a sales export's refund id is filled on its few refunded lines only), and no placeholder (a return
    of several items has one id on each of its lines). `filled`: each column's non-empty values among
    `rows` sampled rows."""
    return next((src for src, values in filled.items() if names_any(src, RETURN_WORDS) and names_any(src, _RECORD_ID_WORDS)
                 and len(values) >= 5 and len(values) >= 0.9 * rows and len(set(values)) >= 0.2 * len(values)), None)


def _as_returns(columns: list[str], mapping: dict[str, str], samples: dict[str, ColumnValues]) -> dict[str, str]:
    """A file of returns (return ids on its rows, or dated only by its returns) is dated by its returns'
    time and takes its returns' status (a return line is dated by its own time; a refund report's
    退款状态, not its order's 订单状态): `mapping` with those, when the file has them."""
    def said(target: str, *words) -> str | None:
        return next((src for src in columns if split_target(mapping.get(src, target))[0] == target and names_any(src, RETURN_WORDS)
                     and names_any(src, words) and samples[src].n), None)

    when = said("order_time", *_GENERIC_DATE_WORDS, "时间", "日期")
    when = when if when and samples[when].date_profile.share >= 0.9 else None
    rows = max((v.n for v in samples.values()), default=0)
    ids = return_id({src: v.values for src, v in samples.items() if mapping.get(src) != "order_id"}, rows)
    if not ids and not (when and "order_time" not in targets_of(mapping)):
        return mapping
    out = dict(mapping)
    for target, src in (("order_time", when), ("order_status", said("order_status", "status", "状态") or said("order_status", "state"))):
        if src:
            out = {k: v for k, v in out.items() if split_target(v)[0] != target} | {src: target}
    return out


def _sales_by_values(columns: list[str], mapping: dict[str, str], samples: dict[str, ColumnValues], notes: list[str],
                     lang: str) -> dict[str, str]:
    """Order lines' columns only their values tell, after the headers have been read (by a preset or
    by `_fit`): a file of returns' own time and status (`_as_returns`), and the region of a shipping
    address that starts with China's provinces (Taobao's and Tmall's 收货地址: the conversion keeps only
    the province, ecom.ingest.places). Returns the mapping with them; `notes` hears of the region."""
    from ecom.ingest import places

    out = dict(_as_returns(columns, mapping, samples))
    if "region" not in targets_of(out):
        src = next((src for src in columns if src not in out and samples[src].n >= 5 and names_any(src, ("address", "addr", "地址"))
                    and places.share(samples[src].values) >= 0.9), None)
        if src:
            out[src] = "region"
            notes.append(i18n.t("ingest.note.region_from_address", lang, src=src))
    return out


def _time_of_day(t: schema.Table, columns: list[str], mapping: dict[str, str], samples: dict[str, ColumnValues],
                 confidence: dict[str, str]) -> None:
    """A separate time-of-day column completes the date column of the same table (`col@time`)."""
    for src, target in list(pairs(mapping)):
        col, marker = split_target(target)
        if marker or t.column(col).kind != "timestamp" or samples[src].date_profile.has_time:
            continue
        times = [c for c in columns if c not in mapping and samples[c].n and samples[c].time_share >= 0.9]
        if times:
            mapping[times[0]] = f"{col}@time"
            confidence[times[0]] = "medium"


def _name_as_id(mapping: dict[str, str], lang: str) -> list[str]:
    """Without a product id, the product's name stands for it (`mapping` gains it); the note saying so."""
    targets = targets_of(mapping)
    if "product_id" in targets or "product_name" not in targets:
        return []
    src = next(s for s, tg in pairs(mapping) if split_target(tg)[0] == "product_name")
    mapping[src] = f"{mapping[src]},product_id"
    return [i18n.t("ingest.note.name_as_id", lang, src=src)]


def sales_keys(mapping: dict[str, str], lang: str) -> tuple[dict[str, str], list[str]]:
    """Order lines without an order id or product id still load: a product's name stands for its id,
    and an order is one customer's purchase at one time, or each line its own order."""
    notes = _name_as_id(mapping, lang)
    targets = targets_of(mapping)
    derive = {}
    if "order_id" not in targets:
        if "customer_id" in targets:
            derive["order_id"] = "customer_time"
            notes.append(i18n.t("ingest.note.order_from_customer", lang))
        else:
            derive["order_id"] = "row"
            notes.append(i18n.t("ingest.note.order_per_line", lang))
    return derive, notes


def _score(g: Guess) -> tuple:
    """How well a complete guess fits: its weakest needed column first (a table whose order time is
    only a guess from values loses to one whose key is named), then the weight of everything mapped."""
    t = schema.TABLES[g.table]
    level = {}
    first = {}
    for src, target in pairs(g.mapping):
        col = split_target(target)[0]
        # a column that also feeds another stands in for this one (a product's name as its id): a guess
        conf = g.confidence.get(src, "low") if first.setdefault(src, col) == col else "low"
        if _LEVELS.index(conf) > _LEVELS.index(level.get(col, "none")):
            level[col] = conf
    # a derived column is as good as a guess from words; a stock snapshot dated by its load is the usual case
    needed = [level.get(c, ("high" if c == "snapshot_date" else "medium") if c in g.derive else "none") for c in t.required]
    for group in t.one_of:
        needed.append(max((level.get(c, "none") for c in group), key=_LEVELS.index))
    weakest = min((_LEVELS.index(x) for x in needed), default=len(_LEVELS))
    # order lines without an amount, a price or an order id sold nothing anyone can count: a dump of
    # reviews with their product, customer, time and status (Tiki's) fits them only by those
    # (a bare `id` is any record's key: no order id by itself)
    substance = g.table != "sales" or any(split_target(target)[0] in ("revenue", "unit_price") or (
        split_target(target)[0] == "order_id" and normalize(src) != "id") for src, target in pairs(g.mapping))
    # each source column counts once, however many columns it feeds (a product's name that is also its id)
    return (weakest, substance, sum(_WEIGHT[g.confidence.get(src, "low")] for src in g.mapping), -TABLE_ORDER.index(g.table))


def _events_column(g: Guess, samples: dict) -> bool:
    """Whether the guess's event type column holds a log's event types (`is_event_log`)."""
    from ecom.ingest.values import is_event_log  # values builds on this module

    src = next((s for s, target in pairs(g.mapping) if split_target(target)[0] == "event_type"), None)
    return src is not None and is_event_log(samples[src].values)


def _excluded(table: str, columns: list[str]) -> bool:
    """A product master or stock file has no order id: a file with one is order lines (a bare `id` is
    a product list's own key as much as an order's)."""
    return table in ("products", "stock") and any(
        target == "order_id" and normalize(src) != "id" for src, target in synonym_mapping(columns, "sales").items())


def describe(g: Guess, lang: str = "en") -> str:
    """Why this table: the columns that made the file fit it."""
    t = schema.TABLES[g.table]
    key = [*t.required, *(c for group in t.one_of for c in group)]
    shown = [f"{src} → {split_target(tg)[0]}" for src, tg in pairs(g.mapping) if split_target(tg)[0] in key]
    return i18n.t("ingest.reason.table", lang, table=g.table, columns=", ".join(shown) or "—")


def lacks(fits: dict[str, list[str]], lang: str = "en") -> str:
    """What each table would need, in words (for a file that fits none)."""
    return "; ".join(i18n.t("ingest.reason.lacks", lang, table=t, missing=", ".join(m)) for t, m in fits.items())


def suggest(columns: list[str], wh=None, values=None, table: str | None = None, lang: str = "en") -> Guess:
    """The table and mapping for a file with these columns (table=None/'auto' guesses the table); notes in `lang`.

    `values` are sample rows aligned with `columns` (the more, the better the value checks)."""
    table = None if table in (None, "auto") else table
    remembered = recall(wh, columns)
    if remembered and (table is None or remembered[0] == table):
        t, m = remembered
        m = {k: v for k, v in m.items() if k in columns}
        g = Guess(t, m, check_mapping(t, m), notes=[i18n.t("ingest.note.remembered", lang)], confidence={k: "high" for k in m})
        g.reason = i18n.t("ingest.reason.remembered", lang, table=t)
        return g
    preset = _preset_for(columns, table)
    if preset:
        m = _apply_preset(preset, columns)
        derive, notes = dict(preset["derive"]), [i18n.t("ingest.note.preset", lang, label=preset["label"])]
        if preset["table"] == "sales" and "order_id" not in derive:
            # an export without the preset's order number (a Taobao report cut to a few columns) still has orders
            keys, more = sales_keys(m, lang)
            derive.update(keys)
            notes += more
        if preset["table"] == "sales":
            m = _sales_by_values(columns, m, column_samples(columns, values), notes, lang)
        g = Guess(preset["table"], m, check_mapping(preset["table"], m, derive), preset=preset["name"], derive=derive,
                  notes=notes, confidence={k: "high" for k in m})
        g.reason = i18n.t("ingest.reason.preset", lang, table=g.table, label=preset["label"])
        return g
    samples = column_samples(columns, values)
    candidates = [table] if table else [n for n in TABLE_ORDER if not _excluded(n, columns)]
    options = [_fit(name, columns, samples, lang) for name in candidates]
    complete = [g for g in options if not g.unmapped_required]
    if any(g.table == "behavior" and _events_column(g, samples) for g in complete):
        # a column of event types (views, carts, purchases) makes a file a behaviour log: its rows are no order lines
        complete = [g for g in complete if g.table != "sales"]
    if complete:
        best = max(complete, key=_score)
        best.reason = describe(best, lang)
        return best
    if table:
        return options[0]
    fits = {g.table: g.unmapped_required for g in options if g.mapping}
    return Guess(None, {}, [], notes=[i18n.t("ingest.note.fits_none", lang, lacks=lacks(fits, lang) if fits else "—")], fits=fits,
                 reason=i18n.t("ingest.reason.none", lang))
