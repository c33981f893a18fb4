import json

import pytest

from ecom.reviews import registry
from tests.reviews.conftest import NEGATIVE, POSITIVE, TINY


@pytest.fixture
def rated(warehouse):
    with warehouse.transaction() as cur:
        for i in range(12):
            suffix = " " + "abcdefghijkl"[i] * 3  # distinct texts (digits would not change the split hash)
            for text in POSITIVE:
                cur.execute("INSERT INTO main.reviews (review_text, rating) VALUES (?, 5)", [text + suffix])
            for text in NEGATIVE:
                cur.execute("INSERT INTO main.reviews (review_text, rating) VALUES (?, 1)", [text + suffix])
        cur.execute("INSERT INTO main.reviews (review_text, rating) VALUES ('还行吧', 3), ('no rating here', NULL)")
    return warehouse


@pytest.mark.slow
def test_finetune_registers_a_model_and_activation_switches(rated, tiny_model_dir, monkeypatch):
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(tiny_model_dir))
    data = registry.rated_reviews(rated)
    assert len(data) == 145 and (data.label == 2).sum() == 1
    row = registry.finetune(rated, "mine", epochs=3, config=TINY)
    table = registry.registry(rated)
    assert table.name.tolist() == ["mine"] and not table.active.iloc[0]
    assert row["train_rows"] + row["test_rows"] == 144
    new = json.loads(row["metrics"])
    assert new["n"] == row["test_rows"] and 0.0 <= new["accuracy"] <= 1.0
    compare = registry.comparison(table.iloc[0])
    assert compare.metric.tolist() == ["accuracy", "macro_f1", "negative recall", "negative f1", "positive recall", "positive f1"]
    assert compare.active.notna().all()

    assert registry.active_model(rated) == str(tiny_model_dir)
    registry.activate(rated, "mine")
    assert registry.active_model(rated) == row["path"]
    registry.activate(rated, None)
    assert registry.active_model(rated) == str(tiny_model_dir)
    with pytest.raises(ValueError, match="already exists"):
        registry.finetune(rated, "mine", config=TINY)
    with pytest.raises(ValueError, match="no trained review model"):
        registry.activate(rated, "nope")


def test_too_few_rated_reviews_is_a_clear_error(warehouse):
    with warehouse.transaction() as cur:
        cur.execute("INSERT INTO main.reviews (review_text, rating) VALUES ('good', 5), ('bad', 1)")
    with pytest.raises(ValueError, match="at least 20 rated reviews"):
        registry.finetune(warehouse, "x", config=TINY)
