"""Aspects of a review (delivery/物流, quality/质量, price/价格, …), each with the sentiment of its clause.

The taxonomy and the words live in data files (`lexicons/aspects.json`: the words that name an
aspect; `lexicons/opinions.json`: words that judge it, per aspect and in general;
`lexicons/negators.txt`). A review is cut into clauses at punctuation and at contrast words
("但是", "but"), Chinese clauses are segmented with jieba and English ones split into words.
An aspect found in a clause takes, in order: the polarity of that aspect's own opinion words
in the clause, else of the general opinion words, else the model's sentiment of the clause
(when a scorer is given), else neutral. A negator up to three words before an opinion word
flips it: 不贵 → price positive, "not cheap" → price negative.

Some words name an aspect only in some of their uses (`_WEAK`): "fast" is delivery in "delivery
was fast" but not in "it goes fast", "return" is after-sales service in "the seller refused the
return" but only the buyer's decision in "I had to return it", "box" is packaging in "the box was
crushed" but a unit in "$5 per box", "broken" is the product's make in "broken after a week, flimsy"
but mostly goods broken in transit (a packing matter) in "two jars arrived broken". Such a word names
its aspect only when the clause also holds another of that aspect's words or one of its own opinion
words; alone it is no mention.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

LEXICONS = Path(__file__).resolve().parent / "lexicons"
NEGATION_WINDOW = 3
_CJK = re.compile(r"[\u3400-\u9fff]")
_LABEL_POLARITY = {"negative": -1, "neutral": 0, "positive": 1}
_CLAUSE = re.compile(r"[，,。.!！?？;；\n~～…]+|(?:但是|可是|不过|然而|就是|只是)|\b(?:but|however|although|though|except)\b", re.IGNORECASE)
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Words that name the aspect only with support from their clause (see the module docstring): each
# also has a common other sense (快 any speed, 态度 anyone's attitude, "support" of a bra, "package"
# as the unit sold); the English ones were read off the real reviews in tests/fixtures/aspects.
_WEAK = {
    "delivery": {
        "zh": {"快", "慢", "速度", "及时", "准时", "迟到", "超时", "晚点", "小哥"},
        "en": {"fast", "quick", "slow", "late", "on time", "days to"},
    },
    "price": {"zh": {"值"}, "en": {"deal", "money"}},
    "quality": {"en": {"broke", "broken", "damaged"}},
    "service": {"zh": {"态度"}, "en": {"return", "support", "helpful", "rude", "staff", "replacement"}},
    "packaging": {"zh": {"漏", "洒", "撒"}, "en": {"package", "box", "packed", "packing", "wrapped", "seal", "sealed"}},
    "size_fit": {"en": {"length", "loose", "tight"}},
    # "I have used it for a month", "my original phone"; "love the color", "takes great photos", "looks like new"
    "authenticity": {"en": {"used", "original"}},
    "as_described": {"en": {"color", "picture", "pictures", "photo", "photos", "looks like"}},
}

# Words that name an aspect only in a shop whose goods have it: "hot" is a phone's battery but a
# hotel's water, a dress's summer or a hot sauce; "charge" a battery's or a price; "fresh" a dish's
# taste or a towel's smell; 分量 a dish's portion or a phone's heft; "breakfast" a hotel's or the
# cereal sold; 耳机 the sound of a phone's earphones or the thing an earphone shop sells. A mention that
# rests on such words alone is stored under one of them as its `term` (any other word of the aspect
# comes first), and `ecom.reviews.insights` counts it only where the shop's reviews name the aspect
# by its other words too. Read off real exports: Booking.com hotel reviews, the CC0 women's clothing
# and Fine Food reviews, JD and Taobao phone and earphone reviews.
CONTEXTUAL = {
    "battery": {"zh": {"发热", "发烫"}, "en": {"charge", "charging", "drain", "draining", "heating", "heats", "hot", "backup"}},
    "taste": {"zh": {"分量", "份量", "量", "凉了", "辣", "淡", "咸", "油", "菜", "饭", "新鲜"}, "en": {"fresh", "portion"}},
    "room": {"zh": {"环境", "位置", "干净", "卫生", "隔音", "床", "早餐"}, "en": {"clean", "dirty", "location", "breakfast", "bed"}},
    "sound": {"zh": {"耳机"}, "en": {"earphones", "headphones", "volume"}},
}

# English packaging words name something other than the packing of the order when the packaging
# carries print ("on the packaging", "the packaging says": what the product claims to be) or is a
# thing the buyer keeps, throws away or sends back ("threw away the packaging")
_NOT_PACKING_BEFORE = frozenset(
    {"on", "from", "within", "inside"}  # the packaging as a surface with print on it
    | {"threw", "throw", "thrown", "tossed", "keep", "keeping", "kept", "save", "saved", "recycle", "recycled"}
)
_NOT_PACKING_AFTER = frozenset(
    {"say", "says", "said", "state", "states", "stated", "mention", "mentions", "mentioned", "claim", "claims", "read", "reads"}
    | {"away", "send"}
)
# opinion words that as often describe the goods as their packing ("leaking", "open") do not make a
# weak word ("box", "seal") a mention
_STATE_OF_GOODS = frozenset({("leaking",), ("open",)})


@dataclass(frozen=True)
class _OtherSense:
    """Neighbours that show a term of an aspect names something else: a word of `before` among the
    `reach[0]` tokens before it, or of `after` among the `reach[1]` tokens after it."""

    before: frozenset[str]
    after: frozenset[str]
    reach: tuple[int, int]
    terms: frozenset[tuple[str, ...]] | None = None  # the terms it applies to (None: all of the aspect's)

    def holds(self, tokens: list[str], at: int, n: int) -> bool:
        before, after = tokens[max(0, at - self.reach[0]) : at], tokens[at + n : at + n + self.reach[1]]
        return bool(self.before.intersection(before) or self.after.intersection(after))


_OTHER_SENSE = {
    "en": {
        "packaging": _OtherSense(_NOT_PACKING_BEFORE, _NOT_PACKING_AFTER, (4, 2)),
        # "service" is some other service than the one the buyer got from the shop when a noun next to it
        # says which ("lip service", "subscription service", "service station")
        "service": _OtherSense(
            frozenset({"lip", "subscription", "delivery", "mail", "postal", "cable", "phone", "internet", "streaming"}),
            frozenset({"station", "stations", "pack", "packs", "provider", "providers"}), (1, 1), frozenset({("service",)}),
        ),
        # a "room" is space ("plenty of room in the bust", "room to layer"), a shop's ("dressing room") or a
        # temperature rather than a room one stays in (read off the CC0 clothing and Fine Food reviews)
        "room": _OtherSense(
            frozenset({"plenty", "enough", "more", "extra", "ample", "little", "bit", "lots", "of", "wiggle", "breathing", "leg", "elbow",
                       "dressing", "fitting", "sale", "storage"}),
            frozenset({"for", "to", "in", "temperature", "temp", "air"}), (2, 1), frozenset({("room",), ("rooms",)}),
        ),
    },
    "zh": {
        # 收到货 that only dates the story (收到货后就开始吃了, 刚收到货, 到货就迫不及待打开了) says nothing of the
        # delivery; 很快就收到货了, 到货快 and 当天下单第二天到货 do
        "delivery": _OtherSense(
            frozenset({"刚", "刚刚", "刚收", "已", "已经", "终于"}), frozenset({"后", "以后", "之后", "就", "第一", "第一时间", "时", "时候"}), (2, 1),
            frozenset({("到货",)}),
        ),
        # 服务 or 态度 of the courier (快递小哥服务态度很好, 物流公司的服务, 送货上门的服务) is the delivery's, which
        # its own words name (in JD reviews of herbal goods, 4,312 of 14,094 mentions by 服务 had a courier
        # word in their clause)
        "service": _OtherSense(
            frozenset({"快递", "快递员", "小哥", "快递小哥", "物流", "配送", "配送员", "送货", "送货上门", "上门", "骑手"}),
            frozenset(), (2, 0), frozenset({("服务",), ("态度",)}),
        ),
        # 太大/太小 of a difference, a change or a smell (差别太大, 价格波动太大, 没有太大的区别, 味道太大), or of a
        # child's age (宝宝太小), rather than of the goods
        "size_fit": _OtherSense(
            frozenset({"差别", "区别", "差距", "差异", "变化", "变动", "波动", "温差", "出入", "影响", "压力", "作用", "反应", "负担",
                       "没", "没有", "没什么", "味道", "气味", "味", "霉味", "异味", "药味", "腥味", "怪味", "酒味", "苦味", "酸味",
                       "声音", "宝宝", "孩子", "年纪", "年龄"}),
            frozenset({"的", "差别", "区别", "变化", "影响", "作用", "关系", "感觉", "效果"}), (2, 1), frozenset({("太大",), ("太小",)}),
        ),
    },
}


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, dict[str, list[tuple[str, ...]]]]  # aspect -> lang -> term token tuples
    opinions: dict[str, dict[str, dict[tuple[str, ...], int]]]  # aspect or "_general" -> lang -> term -> ±1
    negators: frozenset[str]
    # lang -> first token -> the aspect and opinion terms that start with it: a clause is read once
    # for all terms instead of once per term
    starts: dict[str, dict[str, list[tuple[str, ...]]]]
    # lang -> aspect term -> the aspects it names: a clause's found terms lead to their aspects
    aspects_of: dict[str, dict[tuple[str, ...], list[str]]]


@lru_cache(maxsize=1)
def _jieba():
    """jieba with the lexicon's Chinese words in its dictionary, built at the first Chinese clause (its
    dictionary takes ~0.6 s to load, which a shop with English reviews only never needs)."""
    import jieba

    tokenizer = jieba.Tokenizer()
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr
    lex = lexicon()
    for group in (lex.terms, lex.opinions):
        for by_lang in group.values():
            for term in by_lang.get("zh", ()):
                tokenizer.add_word(term[0], freq=200000)
    for word in lex.negators:
        if _CJK.search(word):
            tokenizer.add_word(word, freq=200000)
    return tokenizer


def _tokens(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return [t for t in (w.strip().lower() for w in _jieba().lcut(text)) if t]
    return _EN_WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    aspects = json.loads((LEXICONS / "aspects.json").read_text(encoding="utf-8"))
    opinions = json.loads((LEXICONS / "opinions.json").read_text(encoding="utf-8"))
    negators = frozenset(
        line.strip().lower() for line in (LEXICONS / "negators.txt").read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    )

    def split(term: str, lang: str) -> tuple[str, ...]:
        return (term,) if lang == "zh" else tuple(_tokens(term, "en"))

    terms = {a: {lang: [split(t, lang) for t in words] for lang, words in langs.items()} for a, langs in aspects.items()}
    ops = {a: {lang: {split(t, lang): int(v) for t, v in words.items()} for lang, words in langs.items()} for a, langs in opinions.items()}
    starts: dict[str, dict[str, list[tuple[str, ...]]]] = {}
    for group in (terms, ops):
        for by_lang in group.values():
            for lang, words in by_lang.items():
                for term in words:
                    if term:
                        bucket = starts.setdefault(lang, {}).setdefault(term[0], [])
                        if term not in bucket:
                            bucket.append(term)
    aspects_of: dict[str, dict[tuple[str, ...], list[str]]] = {}
    for aspect, by_lang in terms.items():
        for lang, words in by_lang.items():
            for term in words:
                aspects_of.setdefault(lang, {}).setdefault(term, []).append(aspect)
    return Lexicon(terms, ops, negators, starts, aspects_of)


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text or "") if c and c.strip()]


def _occurrences(tokens: list[str], starts: dict[str, list[tuple[str, ...]]]) -> dict[tuple[str, ...], list[int]]:
    """Every lexicon term found in the clause -> the token positions where it starts, in order."""
    found: dict[tuple[str, ...], list[int]] = {}
    for i, tok in enumerate(tokens):
        for term in starts.get(tok, ()):
            if len(term) == 1 or tuple(tokens[i : i + len(term)]) == term:
                found.setdefault(term, []).append(i)
    return found


def _negated(tokens: list[str], at: int, negators: frozenset[str]) -> bool:
    for tok in tokens[max(0, at - NEGATION_WINDOW) : at]:
        if tok in negators or tok.endswith("n't"):
            return True
    return False


def _polarity(tokens: list[str], where: dict, words: dict[tuple[str, ...], int], negators: frozenset[str]) -> int | None:
    """Sum of the clause's opinion words (negated ones flipped) as -1/0/1, or None if it has none."""
    total, found = 0, False
    # longer terms first, so "不值" is read as itself and not as 不 + 值
    taken: set[int] = set()
    present = [(term, value) for term, value in words.items() if term in where]
    for term, value in sorted(present, key=lambda kv: -len("".join(kv[0]))):
        for at in where[term]:
            if at in taken:
                continue
            taken.update(range(at, at + len(term)))
            found = True
            total += -value if _negated(tokens, at, negators) else value
    if not found:
        return None
    return (total > 0) - (total < 0)


def language(text: str) -> str:
    return "zh" if _CJK.search(text or "") else "en"


@lru_cache(maxsize=64)
def _weak(aspect: str, lang: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_tokens(w, lang)) if lang == "en" else (w,) for w in _WEAK.get(aspect, {}).get(lang, ()))


def _supported(lex: Lexicon, aspect: str, lang: str, tokens: list[str], where: dict, terms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """`terms` less the weak ones when the clause holds no other word of the aspect."""
    weak = _weak(aspect, lang)
    other = _OTHER_SENSE.get(lang, {}).get(aspect)
    if other is not None:
        terms = [t for t in terms if (other.terms is not None and t not in other.terms) or not all(other.holds(tokens, at, len(t)) for at in where[t])]
    strong = [t for t in terms if t not in weak]
    judges = lex.opinions.get(aspect, {}).get(lang, {})
    if strong or any(t in where for t in judges if t not in terms and t not in _STATE_OF_GOODS):
        return strong or terms
    return []


def _judges(lex: Lexicon, aspect: str, lang: str, terms: list[tuple[str, ...]]) -> bool:
    """Whether every one of `terms` is an opinion word of `aspect`."""
    words = lex.opinions.get(aspect, {}).get(lang, {})
    return all(t in words for t in terms)


def _clause_tokens(text: str) -> Iterator[tuple[str, str, list[str]]]:
    """(clause, language, tokens) of each clause of a review."""
    for clause in clauses(text):
        lang = language(clause)
        yield clause, lang, _tokens(clause, lang)


def segment(text: str) -> list[str]:
    """The jieba words of a review's Chinese clauses, as the aspects read them."""
    return [t for _, lang, tokens in _clause_tokens(text) if lang == "zh" for t in tokens]


def _analyse(text: str) -> tuple[list[dict], list[str]]:
    """Aspects of one review (polarity None where the clause holds no opinion word), and `segment(text)`."""
    lex = lexicon()
    found, words = [], []
    for clause, lang, tokens in _clause_tokens(text):
        if lang == "zh":
            words += tokens
        where = _occurrences(tokens, lex.starts.get(lang, {}))
        if not where:
            continue
        named = lex.aspects_of.get(lang, {})
        found_in = {a for t in where for a in named.get(t, ())}
        # in the lexicon's order of aspects and of each aspect's terms (the first is the stored term)
        hits = {a: [t for t in by_lang[lang] if t in where] for a, by_lang in lex.terms.items() if a in found_in}
        hits = {a: h for a, h in ((a, _supported(lex, a, lang, tokens, where, h)) for a, h in hits.items() if h) if h}
        for aspect, terms in hits.items():
            if any(_judges(lex, other, lang, terms) and not _judges(lex, aspect, lang, hits[other]) for other in hits if other != aspect):
                # "the fabric feels cheap": cheap judges the quality named here, it is no price aspect
                continue
            context = CONTEXTUAL.get(aspect, {}).get(lang, ())
            terms = sorted(terms, key=lambda t: " ".join(t) in context)  # a word that names the aspect anywhere is its term
            polarity = _polarity(tokens, where, lex.opinions.get(aspect, {}).get(lang, {}), lex.negators)
            if polarity is None:
                polarity = _polarity(tokens, where, lex.opinions["_general"].get(lang, {}), lex.negators)
            found.append({"aspect": aspect, "polarity": polarity, "clause": clause, "term": " ".join(terms[0])})
    return found, words


def analyse_many(texts: Sequence[str], scorer=None) -> tuple[pd.DataFrame, list[list[str]]]:
    """`detect_many`'s frame, and each text's `segment` (one cut of each text serves both)."""
    done = [_analyse(text if isinstance(text, str) else "") for text in texts]
    rows = [{"row": i, **f} for i, (found, _) in enumerate(done) for f in found]
    frame = pd.DataFrame(rows, columns=["row", "aspect", "polarity", "clause", "term"])
    unknown = frame.polarity.isna()
    if scorer is not None and unknown.any():
        # a clause repeats across reviews ("味道不错"): each distinct one is read once
        clauses = frame.loc[unknown, "clause"].unique()
        label = dict(zip(clauses, scorer.label(scorer.p_positive(clauses.tolist())), strict=True))
        frame.loc[unknown, "polarity"] = [_LABEL_POLARITY[label[c]] for c in frame.loc[unknown, "clause"]]
    frame["polarity"] = frame.polarity.fillna(0).astype(int)
    return frame, [words for _, words in done]


def detect_many(texts: Sequence[str], scorer=None) -> pd.DataFrame:
    """One row per (text index, aspect, clause): columns row, aspect, polarity (-1/0/1), clause, term.

    Clauses without an opinion word get the scorer's label of the clause (one batch for all), or 0.
    """
    return analyse_many(texts, scorer)[0]


def detect(text: str, scorer=None) -> list[dict]:
    """[{aspect, polarity, clause, term}] for one review."""
    return detect_many([text], scorer).drop(columns="row").to_dict("records")
