"""Aspect mentions on real reviews, checked against hand labels (issue 16, point 3).

tests/fixtures/aspects holds whole real reviews in English and Chinese and, for every (review,
aspect) mention the extractor finds for the six fixed aspects, a label a person gave by reading
the review (1: the review talks about that aspect there, 0: it does not). A change in the
extractor that finds a new mention fails here until that mention is labelled, so the precision
figures always cover every prediction.
"""

from pathlib import Path

import pandas as pd
import pytest

from ecom.reviews.aspects import _tokens, detect_many

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aspects"
FIXED = ("delivery", "quality", "price", "size_fit", "service", "packaging")
MIN_MENTIONS = 30
MIN_PRECISION = 0.8


@pytest.fixture(scope="module", params=["en", "zh"])
def found(request):
    lang = request.param
    reviews = pd.read_csv(FIXTURES / f"reviews_{lang}.csv")
    rows = detect_many(reviews.text.tolist())
    rows.insert(0, "text_id", reviews.text_id.to_numpy()[rows.row.to_numpy()])
    labels = pd.read_csv(FIXTURES / f"labels_{lang}.csv", keep_default_na=False)
    return lang, rows, labels


def test_every_predicted_mention_has_a_hand_label(found):
    lang, rows, labels = found
    mentions = rows[rows.aspect.isin(FIXED)].drop_duplicates(["text_id", "aspect"])
    labelled = set(zip(labels.text_id, labels.aspect, strict=True))
    missing = [f"{r.text_id} {r.aspect}: {r.clause}" for r in mentions.itertuples() if (r.text_id, r.aspect) not in labelled]
    assert not missing, f"label these in labels_{lang}.csv:\n" + "\n".join(missing)


def test_fixed_aspects_are_precise_on_real_reviews(found):
    lang, rows, labels = found
    mentions = rows[rows.aspect.isin(FIXED)].drop_duplicates(["text_id", "aspect"])
    scored = mentions.merge(labels[["text_id", "aspect", "label"]], on=["text_id", "aspect"])
    figures = scored.groupby("aspect").label.agg(n="size", precision="mean").reindex(list(FIXED)).fillna(0)
    print(f"\n{lang}\n{figures.to_string(float_format='%.3f')}")
    short = figures[(figures.n < MIN_MENTIONS) | (figures.precision < MIN_PRECISION)]
    assert short.empty, f"{lang}: under {MIN_MENTIONS} mentions or precision {MIN_PRECISION}:\n{short.to_string()}"


def test_added_aspects_quote_their_term(found):
    lang, rows, _ = found
    added = rows[~rows.aspect.isin(FIXED)]
    assert len(added), "the samples should show aspects beyond the six fixed ones"
    # a quote links an aspect to text that names it: the term is in the quoted clause
    wrong = [f"{r.aspect} {r.term!r}: {r.clause}" for r in added.itertuples() if not _quotes(r.clause, r.term, lang)]
    assert not wrong, "\n".join(wrong)


def _quotes(clause: str, term: str, lang: str) -> bool:
    if lang == "zh":
        return term in clause
    words, tokens = term.split(), _tokens(clause, "en")
    return any(tokens[i : i + len(words)] == words for i in range(len(tokens)))
