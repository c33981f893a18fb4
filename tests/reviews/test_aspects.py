import pytest

from ecom.reviews.aspects import clauses, detect


@pytest.mark.parametrize(
    "text, expected",
    [
        ("价格不贵，物流很快，但是包装破了", {("price", 1), ("delivery", 1), ("packaging", -1)}),
        ("太贵了，不值", {("price", -1)}),
        ("衣服尺码偏小，客服态度很好", {("size_fit", -1), ("service", 1)}),
        ("不是正品，和图片不符", {("authenticity", -1), ("as_described", -1)}),
        ("送餐很慢，味道还可以", {("delivery", -1), ("taste", 1)}),
        ("Not cheap, but the quality is great.", {("price", -1), ("quality", 1)}),
        ("Delivery was not slow at all", {("delivery", 1)}),
        ("The fabric feels cheap", {("quality", -1)}),
        ("It runs small. The seller was very helpful", {("size_fit", -1), ("service", 1)}),
        ("Fake product, do not buy", {("authenticity", -1)}),
        # a negated complaint is praise: "no damage" is no negative word
        ("Arrived with no damage, packaging was great", {("delivery", 1), ("packaging", 1)}),
        ("No damage at all, well packed", {("packaging", 1)}),
        ("The box was damaged", {("packaging", -1)}),
        ("等了一周还没收到货", {("delivery", -1)}),
        ("今天天气不错", set()),
    ],
)
def test_aspect_table(text, expected):
    assert {(d["aspect"], d["polarity"]) for d in detect(text)} == expected


@pytest.mark.parametrize(
    "text, aspect, found",
    [
        # words with a common other sense name their aspect only with support in the clause
        ("I have used it every day for a month", "authenticity", False),
        ("It came used, not new, and clearly not genuine", "authenticity", True),
        ("Love the color", "as_described", False),
        ("The color is not as pictured", "as_described", True),
        ("It looks like new", "as_described", False),
        # a room that is space, a shop's, or a temperature
        ("Plenty of room in the bust", "room", False),
        ("Size up if you want room to layer", "room", False),
        ("Keep it at room temperature", "room", False),
        ("The room was spacious", "room", True),
        ("The rooms were dirty", "room", True),
        # 收到货 that only dates the story is no delivery; its speed, time or absence is
        ("收到货后就开始吃了", "delivery", False),
        ("刚收到货还未开始使用", "delivery", False),
        ("到货就迫不及待打开了", "delivery", False),
        ("很快就收到货了", "delivery", True),
        ("到货快", "delivery", True),
        ("当天下单第二天到货", "delivery", True),
        ("根本没收到货", "delivery", True),
        # 服务/态度 of the courier is the delivery's; the shop's stays service
        ("快递小哥服务态度很好", "service", False),
        ("京东物流的服务一流", "service", False),
        ("商家服务态度很好", "service", True),
        ("客服服务很好", "service", True),
        # 太大/太小 of a difference, a change, a smell or a child's age is no size
        ("实物与照片差距太大", "size_fit", False),
        ("没有太大的区别", "size_fit", False),
        ("味道太大了", "size_fit", False),
        ("霉味太大了", "size_fit", False),
        ("宝宝太小了", "size_fit", False),
        ("枸杞个头太小了", "size_fit", True),
        ("盒子太大了", "size_fit", True),
    ],
)
def test_words_with_another_sense_need_support_from_their_clause(text, aspect, found):
    assert (aspect in {d["aspect"] for d in detect(text)}) is found


@pytest.mark.parametrize(
    "text, aspect, term",
    [
        # a mention that rests on contextual words alone is stored under one of them (insights decides)
        ("The water was not hot enough", "battery", "hot"),
        ("The battery gets hot", "battery", "battery"),
        ("手机发热严重", "battery", "发热"),
        ("电池发热严重", "battery", "电池"),
        ("分量很足", "taste", "分量"),
        ("味道和分量都不错", "taste", "味道"),
        ("The location is great", "room", "location"),
        ("耳机收到了", "sound", "耳机"),
    ],
)
def test_a_mention_on_contextual_words_alone_is_stored_under_one_of_them(text, aspect, term):
    assert [d["term"] for d in detect(text) if d["aspect"] == aspect] == [term]


def test_contextual_words_are_words_of_their_aspect_and_never_all_of_them():
    from ecom.reviews.aspects import CONTEXTUAL, lexicon

    for aspect, by_lang in CONTEXTUAL.items():
        for lang, words in by_lang.items():
            terms = {" ".join(t) for t in lexicon().terms[aspect][lang]}
            assert words <= terms, (aspect, lang, words - terms)
            assert terms - words, (aspect, lang)


def test_clauses_split_at_punctuation_and_contrast():
    assert clauses("物流快，但是质量差。Good price but slow delivery!") == ["物流快", "质量差", "Good price", "slow delivery"]


def test_clause_without_opinion_word_is_neutral_without_a_model():
    assert detect("包装是纸箱") == [{"aspect": "packaging", "polarity": 0, "clause": "包装是纸箱", "term": "包装"}]


def test_clause_without_opinion_word_takes_the_model_label():
    class Stub:
        def p_positive(self, texts):
            return [0.1 for _ in texts]

        def label(self, p):
            import numpy as np

            return np.array(["negative" for _ in p])

    assert detect("包装是纸箱", scorer=Stub())[0]["polarity"] == -1


def test_a_clause_repeated_across_reviews_is_read_by_the_model_once():
    import numpy as np

    from ecom.reviews.aspects import detect_many

    read = []

    class Counting:
        def p_positive(self, texts):
            read.extend(texts)
            return np.array([0.9 if "纸箱" in t else 0.1 for t in texts])

        def label(self, p):
            return np.where(np.asarray(p) >= 0.5, "positive", "negative")

    frame = detect_many(["包装是纸箱", "包装是纸箱，物流也一般般", "包装是塑料袋", "包装是纸箱"], scorer=Counting())
    assert sorted(read) == ["包装是塑料袋", "包装是纸箱"]
    packaging = frame[frame.aspect == "packaging"]
    assert packaging[["row", "polarity"]].values.tolist() == [[0, 1], [1, 1], [2, -1], [3, 1]]


def test_every_aspect_has_names_in_both_languages():
    from ecom.i18n import t
    from ecom.reviews.aspects import lexicon

    for aspect in lexicon().terms:
        assert t(f"reviews.aspect.{aspect}", "en") != t(f"reviews.aspect.{aspect}", "zh")
    assert t("reviews.aspect.delivery", "zh") == "物流"


def test_english_reviews_never_load_jiebas_dictionary():
    """jieba's dictionary takes ~0.6 s to load: only a Chinese clause loads it (with the lexicon's words)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("from ecom.reviews import aspects; aspects.analyse_many(['Runs small, but fast delivery']); "
            "print(aspects._jieba.cache_info().currsize); aspects.analyse_many(['物流很快']); print(aspects._jieba.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "1"]
