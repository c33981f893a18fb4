"""The fixed world of the sample data: categories, product types, brands, shops, channels, regions,
and the ~300-product catalogue built from them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ProductType:
    zh: str
    en: str
    price: tuple[int, int]  # list-price range in yuan
    cycle: int = 0  # typical repurchase cycle in days for consumables (0: not a consumable)
    sized: bool = False  # reviews may talk about size / fit


T = ProductType

# Category -> product types. Order matters: planted signals refer to (category, type) by name.
CATEGORIES: dict[str, tuple[ProductType, ...]] = {
    "女装": (T("针织开衫", "cardigan", (159, 299), sized=True), T("连衣裙", "dress", (199, 459), sized=True),
            T("牛仔裤", "jeans", (129, 259), sized=True), T("羊毛大衣", "wool coat", (499, 999), sized=True),
            T("卫衣", "hoodie", (99, 199), sized=True), T("衬衫", "blouse", (119, 229), sized=True),
            T("半身裙", "skirt", (99, 199), sized=True), T("T恤", "T-shirt", (59, 129), sized=True)),
    "男装": (T("羽绒服", "down jacket", (399, 899), sized=True), T("休闲裤", "chinos", (129, 259), sized=True),
            T("衬衫", "shirt", (119, 229), sized=True), T("T恤", "T-shirt", (59, 119), sized=True),
            T("夹克", "jacket", (259, 499), sized=True), T("卫衣", "hoodie", (99, 199), sized=True),
            T("Polo衫", "polo shirt", (99, 199), sized=True)),
    "美妆": (T("保湿面霜", "moisturiser", (129, 299), 60), T("精华液", "serum", (199, 459)),
            T("洁面乳", "cleanser", (49, 99), 45), T("口红", "lipstick", (99, 199)),
            T("粉底液", "foundation", (149, 299)), T("防晒霜", "sunscreen", (89, 169)),
            T("面膜", "sheet masks", (69, 129), 28), T("卸妆水", "makeup remover", (59, 119))),
    "个护": (T("洗发水", "shampoo", (49, 99), 45), T("护发素", "conditioner", (49, 99), 45),
            T("沐浴露", "body wash", (39, 79), 40), T("牙膏", "toothpaste", (19, 39), 30),
            T("电动牙刷", "electric toothbrush", (199, 399)), T("牙刷头", "brush heads", (49, 89), 90),
            T("身体乳", "body lotion", (59, 129)), T("洗衣液", "laundry detergent", (39, 69), 35)),
    "食品": (T("挂耳咖啡", "drip coffee", (49, 89), 30), T("坚果礼盒", "nut gift box", (79, 159)),
            T("燕麦片", "oatmeal", (29, 59), 30), T("牛肉干", "beef jerky", (39, 79)),
            T("绿茶", "green tea", (59, 199)), T("蜂蜜", "honey", (49, 99)),
            T("纯牛奶整箱", "milk (case)", (49, 69), 14)),
    "母婴": (T("纸尿裤", "diapers", (99, 169), 30), T("婴儿奶粉", "infant formula", (199, 359), 30),
            T("婴儿湿巾", "baby wipes", (29, 59), 30), T("辅食米粉", "baby rice cereal", (49, 89), 30),
            T("婴儿连体衣", "baby romper", (79, 159), sized=True), T("奶瓶", "baby bottle", (59, 129)),
            T("儿童推车", "stroller", (599, 1299))),
    "家居": (T("四件套", "bedding set", (199, 499)), T("枕头", "pillow", (79, 199)),
            T("收纳箱", "storage box", (39, 89)), T("毛巾", "towels", (29, 69)),
            T("香薰蜡烛", "scented candle", (59, 129)), T("保温杯", "vacuum flask", (89, 199)),
            T("拖鞋", "slippers", (29, 69), sized=True)),
    "数码": (T("手机", "smartphone", (1999, 4999)), T("手机壳", "phone case", (29, 79)),
            T("蓝牙耳机", "wireless earbuds", (199, 699)), T("充电宝", "power bank", (99, 199)),
            T("数据线", "charging cable", (19, 49)), T("智能手表", "smartwatch", (599, 1499)),
            T("平板电脑", "tablet", (1999, 3999)), T("机械键盘", "mechanical keyboard", (149, 399))),
    "运动": (T("跑鞋", "running shoes", (299, 699), sized=True), T("运动袜", "sports socks", (29, 59)),
            T("瑜伽垫", "yoga mat", (79, 199)), T("运动T恤", "sports T-shirt", (79, 159), sized=True),
            T("哑铃", "dumbbells", (99, 299)), T("速干裤", "running shorts", (129, 259), sized=True),
            T("蛋白粉", "protein powder", (199, 399), 30), T("跳绳", "jump rope", (29, 69))),
    "宠物": (T("猫粮", "cat food", (89, 199), 30), T("猫砂", "cat litter", (39, 79), 21),
            T("狗粮", "dog food", (99, 239), 30), T("猫罐头", "canned cat food", (59, 119)),
            T("宠物零食", "pet treats", (29, 69)), T("逗猫棒", "cat teaser", (15, 39)),
            T("宠物窝", "pet bed", (79, 199))),
}
CATEGORY_NAMES = tuple(CATEGORIES)
# Relative size of each category in our sales (the market file has its own sizes).
CATEGORY_WEIGHT = np.array([1.6, 0.9, 1.4, 1.0, 1.0, 0.8, 0.8, 0.9, 0.7, 0.7])
# Month (1..12) x category factors: apparel in spring/autumn, sport in summer, food before the
# Spring Festival, electronics at 618 and 双11.
_SEASON = {
    "女装": (1.0, 0.8, 1.2, 1.2, 1.0, 0.9, 0.8, 0.8, 1.1, 1.2, 1.3, 1.2),
    "男装": (1.1, 0.8, 1.1, 1.0, 0.9, 0.9, 0.8, 0.8, 1.0, 1.2, 1.4, 1.3),
    "美妆": (1.0, 0.9, 1.0, 1.0, 1.0, 1.1, 0.9, 0.9, 1.0, 1.0, 1.2, 1.1),
    "个护": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "食品": (1.5, 1.2, 0.9, 0.9, 0.9, 0.9, 0.8, 0.9, 1.1, 1.0, 1.0, 1.2),
    "母婴": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "家居": (0.9, 0.8, 1.1, 1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 1.0, 1.2, 1.1),
    "数码": (1.0, 0.9, 0.9, 0.9, 1.0, 1.4, 0.9, 1.0, 1.1, 0.9, 1.3, 1.0),
    "运动": (0.8, 0.8, 1.0, 1.1, 1.3, 1.3, 1.3, 1.2, 1.0, 0.9, 0.9, 0.8),
    "宠物": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
}
CATEGORY_SEASON = np.array([_SEASON[c] for c in CATEGORY_NAMES]).T  # (12, n_categories)
# Share of lines refunded, by category (apparel is returned most, mostly for size).
REFUND_RATE = np.array([0.14, 0.10, 0.04, 0.03, 0.02, 0.04, 0.05, 0.05, 0.07, 0.03])

OUR_BRANDS = ("悦颜", "棉语", "小满")
# Brand -> {category: the product types it makes there, None for all}. Every category has two to four
# of these brands; the market file adds competitors we do not sell (MARKET_ONLY_BRANDS).
BRANDS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "悦颜": {"美妆": None, "个护": ("洗发水", "护发素", "沐浴露", "身体乳")},
    "棉语": {"女装": None, "男装": None, "家居": ("四件套", "枕头", "毛巾", "拖鞋"), "母婴": ("婴儿连体衣", "婴儿湿巾")},
    "小满": {"食品": None, "宠物": ("猫粮", "狗粮", "猫罐头", "宠物零食"), "母婴": ("辅食米粉", "婴儿奶粉")},
    "云裳": {"女装": None, "运动": ("运动T恤", "速干裤", "瑜伽垫")},
    "知衣": {"女装": None, "男装": None},
    "北辰": {"男装": None, "运动": None},
    "青禾": {"美妆": None, "个护": None},
    "澜肤": {"美妆": None, "个护": ("沐浴露", "身体乳", "洗发水", "护发素")},
    "鲜谷": {"食品": None, "宠物": ("猫粮", "狗粮", "宠物零食")},
    "禾味": {"食品": None},
    "萌宝": {"母婴": None},
    "木趣": {"家居": None},
    "极客": {"数码": None},
    "星联": {"数码": None, "个护": ("电动牙刷", "牙刷头")},
    "跃动": {"运动": None, "数码": ("智能手表", "蓝牙耳机")},
    "毛孩子": {"宠物": None},
}
BRAND_NAMES = tuple(BRANDS)
# Competitors that appear only in the market data (we do not sell them).
MARKET_ONLY_BRANDS: dict[str, tuple[str, ...]] = {
    "女装": ("素影", "织梦"), "男装": ("简行", "森野"), "美妆": ("花漾", "凝时"), "个护": ("净源", "沐森"),
    "食品": ("良仓", "田趣"), "母婴": ("安贝", "童心"), "家居": ("栖木", "暖居"), "数码": ("光速", "芯动"),
    "运动": ("疾风", "赛途"), "宠物": ("喵宅", "汪仔"),
}


def brands_for(category: str, type_zh: str) -> list[int]:
    return [i for i, cats in enumerate(BRANDS.values())
            if category in cats and (cats[category] is None or type_zh in cats[category])]


CHANNELS = ("天猫", "京东", "拼多多", "抖音", "自营")
# Channel mix of customers acquired at the start and at the end of the two years (抖音 grows).
CHANNEL_MIX_START = np.array([0.42, 0.24, 0.14, 0.10, 0.10])
CHANNEL_MIX_END = np.array([0.34, 0.20, 0.15, 0.23, 0.08])
CHANNEL_PRICE = np.array([1.0, 1.0, 0.92, 0.95, 1.0])  # paid price relative to list price
# Shops by channel, with the share of the channel's orders each one takes.
SHOPS: dict[str, tuple[tuple[str, float], ...]] = {
    "天猫": (("优品天猫旗舰店", 0.7), ("悦颜官方旗舰店", 0.3)),
    "京东": (("优品京东旗舰店", 1.0),),
    "拼多多": (("优品拼多多店", 1.0),),
    "抖音": (("优品抖音小店", 0.6), ("悦颜抖音直播间", 0.4)),
    "自营": (("优品官方商城", 1.0),),
}
SHOP_NAMES = tuple(name for shops in SHOPS.values() for name, _ in shops)

# Provinces with rough weights (population x online spending).
REGIONS: tuple[tuple[str, float], ...] = (
    ("广东省", 12.0), ("浙江省", 8.0), ("江苏省", 8.0), ("上海市", 5.5), ("北京市", 5.0), ("山东省", 6.0),
    ("四川省", 5.0), ("河南省", 5.0), ("湖北省", 4.0), ("福建省", 4.0), ("湖南省", 3.5), ("安徽省", 3.0),
    ("河北省", 3.5), ("陕西省", 2.5), ("辽宁省", 2.5), ("重庆市", 2.5), ("天津市", 1.8), ("江西省", 2.0),
    ("广西壮族自治区", 2.0), ("云南省", 1.8), ("山西省", 1.5), ("黑龙江省", 1.4), ("吉林省", 1.0),
    ("贵州省", 1.2), ("内蒙古自治区", 0.9), ("新疆维吾尔自治区", 0.8), ("甘肃省", 0.7), ("海南省", 0.7),
    ("宁夏回族自治区", 0.3), ("青海省", 0.2), ("西藏自治区", 0.1),
)
REGION_NAMES = tuple(r for r, _ in REGIONS)
REGION_WEIGHT = np.array([w for _, w in REGIONS]) / sum(w for _, w in REGIONS)

PRODUCTS_PER_CATEGORY = 30
_STYLES = ("经典款", "新款", "升级款", "加大装", "轻薄款", "限定款", "基础款", "高端系列", "家庭装", "旗舰款")


@dataclass
class Catalog:
    """The product master as parallel numpy arrays, ordered by category (30 products each)."""

    product_id: np.ndarray  # str
    name: np.ndarray  # str
    category: np.ndarray  # int index into CATEGORY_NAMES
    brand: np.ndarray  # int index into BRAND_NAMES
    type_zh: np.ndarray  # str
    type_en: np.ndarray  # str
    price_cents: np.ndarray  # int64 list price
    cycle: np.ndarray  # int repurchase cycle (0: none)
    sized: np.ndarray  # bool
    popularity: np.ndarray  # float, sums to 1 within each category

    def __len__(self) -> int:
        return len(self.product_id)

    def find(self, category: str, type_zh: str, nth: int = 0) -> int:
        """Index of the nth product of a type (by popularity) in a category."""
        hits = np.flatnonzero((self.category == CATEGORY_NAMES.index(category)) & (self.type_zh == type_zh))
        hits = hits[np.argsort(-self.popularity[hits], kind="stable")]
        return int(hits[nth])


def build_catalog(rng: np.random.Generator) -> Catalog:
    rows = []
    for ci, (cat, types) in enumerate(CATEGORIES.items()):
        for k in range(PRODUCTS_PER_CATEGORY):
            pt = types[k % len(types)]
            brands = brands_for(cat, pt.zh)
            bi = brands[(k // len(types) + ci) % len(brands)]
            lo, hi = pt.price
            price = int(round(rng.uniform(lo, hi))) * 100 - 10  # prices end in .90
            style = _STYLES[(k // len(types) + ci) % len(_STYLES)]
            # product ids are digit strings; category 01..09 give leading zeros ("010007")
            pid = f"{ci + 1:02d}{k + 1:04d}"
            rows.append((pid, f"{BRAND_NAMES[bi]} {pt.zh} {style}", ci, bi, pt.zh, pt.en, price, pt.cycle, pt.sized))
    cols = list(zip(*rows, strict=True))
    cat = np.array(cols[2])
    brand = np.array(cols[3])
    pop = np.empty(len(rows))
    for ci in range(len(CATEGORIES)):
        idx = np.flatnonzero(cat == ci)
        # Zipf-like popularity in random order within a category; our brands sell a bit better
        ranks = rng.permutation(len(idx)) + 1
        w = ranks ** -0.9 * np.where(np.isin(brand[idx], [BRAND_NAMES.index(b) for b in OUR_BRANDS]), 1.4, 1.0)
        pop[idx] = w / w.sum()
    return Catalog(
        product_id=np.array(cols[0]), name=np.array(cols[1]), category=cat, brand=brand,
        type_zh=np.array(cols[4]), type_en=np.array(cols[5]), price_cents=np.array(cols[6], dtype=np.int64),
        cycle=np.array(cols[7]), sized=np.array(cols[8]), popularity=pop,
    )
