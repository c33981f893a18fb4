import json
import re

from ecom import i18n


def test_every_key_has_english_and_chinese():
    missing = [(k, lang) for k, v in i18n.catalog().items() for lang in i18n.LANGS if not str(v.get(lang, "")).strip()]
    assert missing == []


def test_chinese_differs_from_english_outside_allow_list():
    same = [k for k, v in i18n.catalog().items() if v["zh"] == v["en"] and v["en"] not in i18n.ALLOW_SAME]
    assert same == []


def test_keys_are_unique_across_area_files():
    seen: dict[str, str] = {}
    dupes = []
    for path in sorted(i18n.LOCALES.glob("*.json")):
        # object_pairs_hook also catches a key repeated inside one file, which json.loads would hide
        pairs = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=lambda kv: kv)
        for key, _ in pairs:
            if key in seen:
                dupes.append((key, seen[key], path.name))
            seen[key] = path.name
    assert dupes == []


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w*)}")
    wrong = [k for k, v in i18n.catalog().items() if sorted(field.findall(v["en"])) != sorted(field.findall(v["zh"]))]
    assert wrong == []


def test_every_page_has_titles():
    from ecom.ui import nav

    missing = [key for p in nav.PAGES for key in (p.title_key, p.help_key) if key not in i18n.catalog()]
    assert missing == []


def test_t_formats_and_falls_back():
    assert i18n.t("time.minutes_ago", "zh", n=10) == "10 分钟前"
    assert i18n.t("time.minutes_ago", "en", n=10) == "10 min ago"
    assert i18n.t("no.such.key", "zh") == "no.such.key"
    assert i18n.normalize("zh-CN") == "zh" and i18n.normalize("en-US") == "en" and i18n.normalize("fr-FR") is None
