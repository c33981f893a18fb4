"""Review texts composed from clause templates, in Chinese and English.

Every clause is a fixed phrase with a known aspect and polarity (negations such as 不贵 / "not
cheap at all" included), so a review's text polarity is known exactly and its rating can be made
to agree with it, or, for the planted mismatches, to contradict it. Clauses never contain the
punctuation used to join them, so a text splits back into its clauses (`clauses`).
"""

from __future__ import annotations

import re

import numpy as np

ASPECTS = ("delivery", "quality", "price", "size", "service", "packaging")

# aspect -> (positive clauses, negative clauses)
ZH: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "delivery": (
        ("物流很快", "快递第二天就到了", "发货速度很快", "物流超快", "配送很及时", "快递小哥很给力送货上门",
         "物流一点都不慢", "发货不慢", "隔天就收到了", "顺丰发货很放心"),
        ("物流太慢了", "快递一个星期才到", "发货特别慢", "物流慢得离谱", "催了好几次才发货", "物流一点也不快",
         "快递不送上门", "等了十天才收到", "物流信息好几天不更新"),
    ),
    "quality": (
        ("质量很好", "做工精细", "质量不错", "材质很舒服", "用料扎实", "质量没得说", "做工一点也不差",
         "没有色差", "手感很好", "用起来很顺手"),
        ("质量很差", "做工粗糙", "用了两天就坏了", "有很多线头", "质量一般般还开线了", "质量不好",
         "洗了一次就掉色", "有股异味", "用了一次就不行了", "跟图片差太多"),
    ),
    "price": (
        ("价格不贵", "性价比很高", "价格实惠", "活动价很划算", "不贵还好用", "这个价位很值", "比超市便宜",
         "价格很良心"),
        ("价格偏贵", "性价比太低", "一点也不便宜", "刚买就降价了", "不值这个价", "比别家贵不少",
         "价格虚高"),
    ),
    "size": (
        ("尺码标准", "大小合适", "按平时尺码买的刚好", "尺码很准", "版型很正", "码数不偏小", "上身效果很好"),
        ("尺码偏小", "尺码偏大", "码数不准", "穿着太紧", "大了一码只能退", "版型不好尺码也不对", "袖子太短了"),
    ),
    "service": (
        ("客服很耐心", "客服回复很及时", "售后处理很快", "客服态度很好", "客服不敷衍", "客服推荐的很合适"),
        ("客服态度很差", "客服一直不回复", "售后推来推去", "客服不理人", "退换货很麻烦", "客服答非所问"),
    ),
    "packaging": (
        ("包装很严实", "包装精美", "包装完好无损", "包装很用心", "包装没有破损", "送礼很有面子"),
        ("包装破损了", "包装太简陋", "盒子都压扁了", "包装不严实漏了", "外包装很脏", "收到时瓶盖是开的"),
    ),
}
EN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "delivery": (
        ("Arrived in two days", "Fast shipping", "Delivery was quicker than expected", "Shipping was not slow at all",
         "Came right on time", "Delivered to my door the next day"),
        ("Shipping took forever", "Delivery was two weeks late", "The package arrived late",
         "Delivery was not fast at all", "Tracking did not update for days", "Had to chase the courier twice"),
    ),
    "quality": (
        ("Great quality", "Well made and sturdy", "The material feels premium", "Quality is not bad at all",
         "Feels solid in the hand", "Exactly as described"),
        ("Poor quality", "It broke after two days", "The stitching came apart", "Cheap flimsy material",
         "The quality is not good at all", "It smells of chemicals", "Looks nothing like the photos"),
    ),
    "price": (
        ("Great value for money", "Not expensive at all", "Worth every penny", "Good price during the sale",
         "Cheaper than in stores"),
        ("Overpriced for what it is", "Not cheap at all", "Way too expensive", "Not worth the money",
         "The price dropped right after I bought it"),
    ),
    "size": (
        ("True to size", "Fits perfectly", "The size chart is accurate", "Sizing is spot on"),
        ("Runs small", "Runs large", "Way too tight", "Had to return it for a bigger size", "The sizing is not accurate"),
    ),
    "service": (
        ("Customer service was very helpful", "Support replied within minutes", "The seller was friendly and patient",
         "The return was handled quickly"),
        ("Customer service never replied", "The seller was rude", "Support was not helpful at all",
         "The return process was a nightmare"),
    ),
    "packaging": (
        ("Nicely packaged", "The packaging was secure", "Arrived well packed with no damage", "The box was not damaged at all"),
        ("The box arrived crushed", "The packaging was damaged", "It leaked all over the box", "Poorly packed"),
    ),
}
# Phrases without an aspect: openers (neutral), closers by polarity.
ZH_OPENERS = ("收到了", "第二次买了", "给家人买的", "买来送朋友的", "用了一周再来评价", "双十一囤的货", "看了好几家才下单",
              "帮同事带的", "第一次在这家买")
EN_OPENERS = ("Bought this for my wife", "Second time ordering", "Got it during the sale", "Ordered it last week",
              "Been using it for a month now", "Bought it as a gift", "First order from this shop")
ZH_CLOSERS = {1: ("会回购的", "推荐购买", "非常满意", "五星好评", "下次还来", "总体很满意", "值得入手"),
              0: ("还行吧", "一般般", "凑合用吧", "中规中矩", "有待改进"),
              -1: ("不会再买了", "非常失望", "差评", "不推荐", "已经申请退货了", "后悔买了")}
EN_CLOSERS = {1: ("Would buy again", "Highly recommend", "Love it", "Five stars", "Very happy with it"),
              0: ("It is okay I guess", "Average overall", "Nothing special", "Could be better"),
              -1: ("Would not buy again", "Very disappointed", "Do not recommend", "Returning it", "Total waste of money")}
ZH_PRODUCT = ("这款{p}用了一段时间", "买的{p}收到了", "{p}已经用上了")
EN_PRODUCT = ("Got the {p} yesterday", "Bought the {p} last month", "Using the {p} daily")

_SPLIT = re.compile(r"[，。！～,.!]\s*")


def clauses(text: str) -> list[str]:
    """The clauses of a composed review text."""
    return [c.strip() for c in _SPLIT.split(text) if c.strip()]


def lexicon(product_names: dict[str, list[str]] | None = None) -> dict[str, tuple[str, int]]:
    """clause -> (aspect or '' , polarity) for every phrase the composer can emit."""
    out: dict[str, tuple[str, int]] = {}
    for table in (ZH, EN):
        for aspect, (pos, neg) in table.items():
            out.update({c: (aspect, 1) for c in pos})
            out.update({c: (aspect, -1) for c in neg})
    for closers in (ZH_CLOSERS, EN_CLOSERS):
        for pol, phrases in closers.items():
            out.update({c: ("", pol) for c in phrases})
    out.update({c: ("", 0) for c in ZH_OPENERS + EN_OPENERS})
    for lang, names in (product_names or {}).items():
        for p in names:
            for tmpl in ZH_PRODUCT if lang == "zh" else EN_PRODUCT:
                out[tmpl.format(p=p)] = ("", 0)
    return out


def polarity_of(rating: int) -> int:
    return 1 if rating >= 4 else (0 if rating == 3 else -1)


def compose(rng: np.random.Generator, lang: str, text_rating: int, aspects: list[str], product: str,
            forced: tuple[str, int] | None = None) -> tuple[str, dict[str, int]]:
    """A review whose text reads like `text_rating` stars, talking about some of `aspects`.

    Returns the text and the aspects it mentions with their polarity. `forced` puts that aspect
    in with that polarity (planted problems, refunds). Clause polarities sum to > 0 for 4–5 stars,
    0 for 3 stars, < 0 for 1–2 stars.
    """
    table = ZH if lang == "zh" else EN
    rng_choice = rng.choice
    n_pos, n_neg = {5: (2 + int(rng.random() < 0.4), 0), 4: (2, int(rng.random() < 0.5)), 3: (1, 1),
                    2: (int(rng.random() < 0.5), 2), 1: (0, 2 + int(rng.random() < 0.4))}[text_rating]
    picked = list(rng.permutation(aspects))
    mentioned: dict[str, int] = {}
    if forced and forced[0] in aspects:
        mentioned[forced[0]] = forced[1]
        picked.remove(forced[0])
        n_pos, n_neg = (n_pos - 1, n_neg) if forced[1] > 0 else (n_pos, n_neg - 1)
        if n_pos < 0 or n_neg < 0:  # a forced clause against the text's polarity: swap roles
            n_pos, n_neg = max(n_pos, 0), max(n_neg, 0)
    for pol, count in ((1, n_pos), (-1, n_neg)):
        for _ in range(count):
            if picked:
                mentioned[picked.pop()] = pol
    parts = [str(rng_choice(table[a][0 if pol > 0 else 1])) for a, pol in mentioned.items()]
    order = rng.permutation(len(parts))
    parts = [parts[i] for i in order]
    pol_text = polarity_of(text_rating)
    if rng.random() < 0.35:
        parts.insert(0, str(rng_choice(ZH_OPENERS if lang == "zh" else EN_OPENERS)))
    elif rng.random() < 0.25:
        parts.insert(0, str(rng_choice(ZH_PRODUCT if lang == "zh" else EN_PRODUCT)).format(p=product))
    if pol_text == 0 or rng.random() < 0.6:
        parts.append(str(rng_choice((ZH_CLOSERS if lang == "zh" else EN_CLOSERS)[pol_text])))
    if lang == "zh":
        text = "，".join(parts) + str(rng_choice(("。", "！", "～", "。")))
    else:
        end = "!" if pol_text != 0 and rng.random() < 0.3 else "."
        text = ". ".join(parts) + end
    return text, mentioned
