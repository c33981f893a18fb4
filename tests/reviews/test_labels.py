import pytest

from ecom.reviews.labels import LabelError, parse_labels


def test_binary_stars_and_words():
    assert parse_labels(["0", "1", 1, None, ""]) == [0, 1, 1, -1, -1]
    assert parse_labels(["5", "4", "3", "2", "1", "4.0"]) == [1, 1, 2, 0, 0, 1]
    assert parse_labels(["positive", "Negative", "neutral", "好评"]) == [1, 0, 2, 1]


def test_bad_labels_say_where():
    with pytest.raises(LabelError, match=r"f.csv, column 'y', row 2: 'great'"):
        parse_labels(["1", "great"], where="f.csv, column 'y'")
    with pytest.raises(LabelError, match="7 is neither"):
        parse_labels(["1", "7"])
