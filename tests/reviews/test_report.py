import pandas as pd
import pytest

from ecom.reviews import report
from ecom.reviews.model import ReviewSentimentConfig
from ecom.reviews.train import TrainArgs, train
from tests.reviews.conftest import NEGATIVE, POSITIVE, TINY

# three categories and waimai; every kind of row in every category, so each fold can train and test
CATS = ["手机", "水果", "酒店"]


def _split(repeat: int) -> pd.DataFrame:
    rows = []
    for cat in [*CATS, ""]:
        for text, label in [(t, 1) for t in POSITIVE] + [(t, 0) for t in NEGATIVE]:
            rows += [{"text": f"{text} {cat}", "label": label, "domain": "online_shopping" if cat else "waimai", "cat": cat}] * repeat
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_leave_one_category_out_from_a_pretrained_base(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "load_split", lambda split, corpora: _split(4 if split == "train" else 1))
    texts, labels = _split(2).text.tolist(), _split(2).label.tolist()
    train(texts, labels, tmp_path / "run", TrainArgs(epochs=1, batch_size=8, vocab_size=300, mlm_epochs=2), TINY)

    result = report.loco(tmp_path / "corpora", tmp_path / "loco", 1, {}, {"batch_size": 8}, base=tmp_path / "run" / "pretrained")

    assert list(result) == [*sorted(CATS), "_mean"] and result["_mean"]["categories"] == 3
    # each fold is tested on its category's validation + test rows (12 each) and knows only the other domains
    for cat in CATS:
        assert result[cat]["model"]["n"] == 24
        assert ReviewSentimentConfig.from_pretrained(tmp_path / "loco" / cat).domains == sorted({*CATS, "waimai"} - {cat})
        assert (tmp_path / "loco" / cat / "deep" / "metrics.json").is_file()
