"""China's provinces in the ways exports write them, for the region column.

Chinese exports give the region as a province in several forms, often within one file (Tmall's
收货地址: 上海, 安徽省, 内蒙古自治区), or only as part of a whole address (浙江省 杭州市 西湖区…,
北京朝阳区…). Each of China's 34 provincial divisions is stored by one name, its full name as
Taobao's addresses write it (安徽省, 上海市, 内蒙古自治区, 香港特别行政区, 台湾), so a page's regions
group one province once, whichever form a file used.
"""

from __future__ import annotations

import re

from ecom.ingest.sqltext import lit

# short name -> the name stored; every form begins with the short name
_CITIES = ("北京", "天津", "上海", "重庆")
_PROVINCES = ("河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东",
              "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海")
PROVINCES = {**{c: f"{c}市" for c in _CITIES}, **{p: f"{p}省" for p in _PROVINCES}, "内蒙古": "内蒙古自治区", "广西": "广西壮族自治区",
             "西藏": "西藏自治区", "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区", "香港": "香港特别行政区", "澳门": "澳门特别行政区",
             "台湾": "台湾"}
# traditional characters of province names (Taiwan and Hong Kong exports), read as the simplified ones
_TRADITIONAL = ("臺灣廣貴遼寧龍陝肅雲內門慶蘇國", "台湾广贵辽宁龙陕肃云内门庆苏国")
_SIMPLIFIED = str.maketrans(*_TRADITIONAL)
# an address may begin with the country (中国 浙江省…); the longest name first (内蒙古 before 内…)
PATTERN = rf"^\s*(?:中国)?\s*({'|'.join(sorted(PROVINCES, key=len, reverse=True))})"
_RE = re.compile(PATTERN)


def province(value: str | None) -> str | None:
    """The province a region or address starts with, by its stored name; None when it names none."""
    m = _RE.match((value or "").translate(_SIMPLIFIED))
    return PROVINCES[m.group(1)] if m else None


def share(values: list[str | None]) -> float:
    """The share of the non-empty values that start with a province."""
    filled = [v for v in values if v and v.strip()]
    return sum(province(v) is not None for v in filled) / len(filled) if filled else 0.0


def province_sql(x: str) -> str:
    """SQL of a region value that starts with a province: the province's stored name (others as they are)."""
    names = ", ".join(f"{lit(k)}: {lit(v)}" for k, v in PROVINCES.items())
    short = f"regexp_extract(translate({x}, {lit(_TRADITIONAL[0])}, {lit(_TRADITIONAL[1])}), {lit(PATTERN)}, 1)"
    return f"coalesce(MAP {{{names}}}[{short}], {x})"
