"""The sample generator: determinism, the shape of the files, and the planted signals, each
recomputed from the written CSVs (not from the generator's own bookkeeping)."""

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecom import schema
from ecom.sample import FILES, GROUND_TRUTH, SALES_HEADERS, generate, main
from ecom.sample.review_text import clauses, lexicon

ROOT = Path(__file__).resolve().parent.parent
TABLE_OF_FILE = {name: table for table, name in FILES.items()}


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """The default set (seed and scale as committed), generated afresh."""
    out = tmp_path_factory.mktemp("sample_full")
    generate(out)
    return out


@pytest.fixture(scope="module")
def sales(full):
    df = pd.read_csv(full / FILES["sales"], dtype=str, encoding="utf-8-sig")
    df = df.rename(columns=SALES_HEADERS)
    df["order_time"] = pd.to_datetime(df["order_time"])
    for col in ("quantity", "line_no"):
        df[col] = df[col].astype(int)
    for col in ("unit_price", "revenue", "refund_amount"):
        df[col] = df[col].astype(float)
    return df


@pytest.fixture(scope="module")
def truth(full):
    return json.loads((full / GROUND_TRUTH).read_text(encoding="utf-8"))


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    generate(tmp_path / "a", scale=0.02, seed=7)
    generate(tmp_path / "b", scale=0.02, seed=7)
    generate(tmp_path / "c", scale=0.02, seed=8)
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert set(a) == set(FILES.values()) | {GROUND_TRUTH, "README.md"}
    assert a == b
    assert a[FILES["sales"]] != c[FILES["sales"]] and a[FILES["reviews"]] != c[FILES["reviews"]]


def test_committed_sample_is_what_the_generator_writes(full):
    committed = _digest(ROOT / "sample_data")
    assert committed == _digest(full), "sample_data/ is stale: regenerate it with `make sample`"
    total = sum(p.stat().st_size for p in full.iterdir())
    assert total < 25e6


def _canonical(header: str, table: schema.Table) -> list[str]:
    h = header.strip().casefold()
    return [c.name for c in table.columns if h in (s.casefold() for s in c.synonyms)]


@pytest.mark.parametrize("name", list(FILES.values()))
def test_headers_map_unambiguously_to_the_canonical_table(full, name):
    table = schema.TABLES[TABLE_OF_FILE[name]]
    raw = (full / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (name == FILES["sales"])
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    mapped = {}
    for h in header:
        hits = _canonical(h, table)
        assert len(hits) <= 1, f"{name}: header {h!r} maps to {hits}"
        if hits:
            mapped[h] = hits[0]
    assert len(set(mapped.values())) == len(mapped), f"{name}: two headers map to one column: {mapped}"
    assert set(table.required) <= set(mapped.values())
    for group in table.one_of:
        assert set(group) & set(mapped.values())
    if name == FILES["sales"]:
        assert mapped == SALES_HEADERS
    # only `language` of the reviews is left for the extra columns
    assert set(header) - set(mapped) == ({"language"} if name == FILES["reviews"] else set())


def test_sales_shape(sales):
    assert len(sales) >= 100_000
    assert sales["customer_id"].nunique() >= 5_000
    assert sales["product_id"].nunique() == 300
    assert sales["category"].nunique() == 10
    assert 15 <= sales["brand"].nunique() <= 16
    assert set(sales["channel"]) == {"天猫", "京东", "拼多多", "抖音", "自营"}
    assert sales["order_time"].min() >= pd.Timestamp("2024-12-01") and sales["order_time"].max() < pd.Timestamp("2026-12-01")
    assert sales["order_id"].str.fullmatch(r"\d{19}").all()
    assert sales["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert sales["product_id"].str.startswith("0").mean() > 0.8  # leading zeros survive as text
    assert not sales.duplicated(["order_id", "line_no"]).any()
    assert np.allclose(sales["revenue"], (sales["quantity"] * sales["unit_price"]).round(2))
    assert (sales["refund_amount"] <= sales["revenue"]).all()
    full_refund = sales["order_status"].isin(["退款成功", "交易关闭"])
    assert np.allclose(sales.loc[full_refund, "refund_amount"], sales.loc[full_refund, "revenue"])
    assert (sales.loc[sales["order_status"] == "交易成功", "refund_amount"] == 0).all()
    assert 0.02 < sales["refund_amount"].sum() / sales["revenue"].sum() < 0.1
    lines_per_order = sales.groupby("order_id").size()
    assert 0.25 < (lines_per_order > 1).mean() < 0.5
    orders = sales.drop_duplicates("order_id").groupby("customer_id").size()
    assert 0.55 < (orders == 1).mean() < 0.8  # many one-timers
    assert orders.max() >= 30  # and a long tail of loyal buyers


def _window_mean(daily, year, a, b):
    return daily[pd.Timestamp(f"{year}-{a}"):pd.Timestamp(f"{year}-{b}")].mean()


def test_promotion_peaks(sales):
    daily = sales.groupby(sales["order_time"].dt.floor("D"))["revenue"].sum()
    for year in (2025, 2026):
        october = _window_mean(daily, year, "10-01", "10-31")
        assert _window_mean(daily, year, "10-20", "11-11") > 1.3 * october
        assert daily[pd.Timestamp(f"{year}-11-11")] > 4 * october
        assert daily[pd.Timestamp(f"{year}-06-18")] > 2.5 * _window_mean(daily, year, "05-01", "05-31")
    by_weekday = daily.groupby(daily.index.day_of_week).mean()
    assert by_weekday[[5, 6]].mean() > by_weekday[[1, 2]].mean()


def test_bought_next_pairs_appear_at_their_planted_rate(sales, truth):
    end = pd.Timestamp(truth["period"]["end"]) + pd.Timedelta(days=1)
    for pair in truth["bought_next"]["pairs"]:
        x = sales[sales["product_id"] == pair["antecedent"]].groupby("customer_id")["order_time"].min()
        x = x[x <= end - pd.Timedelta(days=pair["gap_days"][1])]
        y = sales[sales["product_id"] == pair["consequent"]].groupby("customer_id")["order_time"].max()
        later = (y.reindex(x.index) > x).sum()
        rate = later / len(x)
        assert len(x) == pair["customers"] and len(x) > 150
        assert rate == pytest.approx(pair["observed_rate"], abs=1e-4)
        assert abs(rate - pair["probability"]) < 0.1, pair


def test_co_purchase_pairs(sales, truth):
    for pair in truth["co_purchase"]["pairs"]:
        with_a = set(sales.loc[sales["product_id"] == pair["anchor"], "order_id"])
        with_b = set(sales.loc[sales["product_id"] == pair["companion"], "order_id"])
        rate = len(with_a & with_b) / len(with_a)
        assert rate == pytest.approx(pair["observed_rate"], abs=1e-4)
        assert abs(rate - pair["probability"]) < 0.08, pair


def test_replenishment_cycles(sales, truth):
    for prod in truth["replenishment"]["products"]:
        assert len(prod["customers"]) >= 50
        s = sales[(sales["product_id"] == prod["product_id"]) & sales["customer_id"].isin(prod["customers"])]
        s = s.drop_duplicates(["customer_id", "order_time"]).sort_values(["customer_id", "order_time"])
        gaps = s.groupby("customer_id")["order_time"].diff().dropna().dt.total_seconds() / 86400
        assert abs(gaps.median() - prod["cycle_days"]) < 2, prod["product_name"]


def test_reviews_ratings_agree_with_text(full, truth):
    reviews = pd.read_csv(full / FILES["reviews"], dtype={"product_id": str})
    products = pd.read_csv(full / FILES["products"], dtype={"product_id": str})
    assert len(reviews) >= 5_000
    assert 0.15 < (reviews["language"] == "en").mean() < 0.35
    assert set(reviews["product_id"]) <= set(products["product_id"])
    from ecom.sample.catalog import CATEGORIES

    names = {"zh": [t.zh for ts in CATEGORIES.values() for t in ts], "en": [t.en for ts in CATEGORIES.values() for t in ts]}
    lex = lexicon(names)
    mismatch = set(truth["reviews"]["mismatch_review_ids"])
    seen_aspects = {"zh": set(), "en": set()}
    for rid, rating, text, lang in reviews[["review_id", "rating", "review_text", "language"]].itertuples(index=False):
        parts = clauses(text)
        unknown = [p for p in parts if p not in lex]
        assert not unknown, (rid, text)
        score = sum(lex[p][1] for p in parts)
        seen_aspects[lang] |= {lex[p][0] for p in parts if lex[p][0]}
        text_side = np.sign(score)
        rating_side = np.sign(rating - 3)
        if rid in mismatch:
            assert text_side != rating_side and text_side != 0, (rid, rating, text)
        else:
            assert text_side == rating_side, (rid, rating, text)
    assert 0.01 < len(mismatch) / len(reviews) < 0.06
    for lang in ("zh", "en"):
        assert seen_aspects[lang] == {"delivery", "quality", "price", "size", "service", "packaging"}
    texts = " ".join(reviews["review_text"])
    for negation in ("价格不贵", "物流一点都不慢", "一点也不便宜", "Not expensive at all", "Not cheap at all"):
        assert negation in texts
    # a problem product's reviews mostly complain about its aspect
    for prob in truth["problem_products"]:
        rows = reviews[reviews["product_id"] == prob["product_id"]]
        neg = [truth["reviews"]["labels"][r]["aspects"].get(prob["aspect"]) == -1 for r in rows["review_id"]]
        assert len(rows) >= 20 and np.mean(neg) > 0.5


def test_behaviour_events_follow_the_funnel(full, sales):
    events = pd.read_csv(full / FILES["behavior"], dtype=str)
    events["event_time"] = pd.to_datetime(events["event_time"])
    counts = events["event_type"].value_counts()
    assert counts["view"] > counts["cart"] > counts["purchase"] > counts["favorite"] > 0
    buys = events[events["event_type"] == "purchase"]
    start = buys["event_time"].min()
    window = sales[(sales["order_time"] >= start) & (sales["customer_id"].isin(set(events["customer_id"])))]
    key = ["customer_id", "product_id", "event_time"]
    assert sorted(map(tuple, buys[key].values.tolist())) == sorted(
        map(tuple, window[["customer_id", "product_id", "order_time"]].values.tolist()))
    views = events[events["event_type"] == "view"].groupby(["customer_id", "product_id"])["event_time"].min()
    first_view = views.reindex(pd.MultiIndex.from_frame(buys[["customer_id", "product_id"]]))
    assert (first_view.values < buys["event_time"].values).all()


def test_market_shares(full, truth):
    market = pd.read_csv(full / FILES["market"], parse_dates=["period"])
    assert market["period"].nunique() == 24
    sums = market.groupby(["period", "category"])["market_share"].sum()
    assert np.allclose(sums, 1.0, atol=0.002)
    assert set(truth["our_brands"]) <= set(market["brand"])
    for trend in truth["market_share_trends"]:
        s = market[(market["brand"] == trend["brand"]) & (market["category"] == trend["category"])].sort_values("period")
        delta = s["market_share"].tail(3).mean() - s["market_share"].head(3).mean()
        assert np.sign(delta) == (1 if trend["direction"] == "gaining" else -1), trend


def test_stock_running_out(full, sales, truth):
    stock = pd.read_csv(full / FILES["stock"], dtype={"product_id": str}, parse_dates=["snapshot_date"])
    assert stock["product_id"].nunique() == 300 and (stock["on_hand"] >= 0).all()
    last = stock[stock["snapshot_date"] == stock["snapshot_date"].max()].set_index("product_id")
    recent = sales[sales["order_time"] >= pd.Timestamp(truth["period"]["end"]) - pd.Timedelta(days=27)]
    rate = recent.groupby("product_id")["quantity"].sum() / 28
    dos = last["on_hand"] / rate.reindex(last.index)
    for item in truth["stock"]["running_out"]:
        assert dos[item["product_id"]] == pytest.approx(item["days_of_stock"], abs=0.05)
        assert item["days_of_stock"] < 14
    running_out = {i["product_id"] for i in truth["stock"]["running_out"]}
    others = dos.drop(index=list(running_out))
    assert (others < 7).mean() < 0.05  # only a few products run low


def test_cli_writes_and_reports(tmp_path, capsys):
    assert main(["--scale", "0.02", "--seed", "3", "--out", str(tmp_path), "--stats"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"双11 window 2025-10-20\.\.2025-11-11: .*× the October daily mean", out)
    assert "order lines" in out and (tmp_path / FILES["sales"]).is_file()
    assert main(["--scale", "0", "--out", str(tmp_path)]) == 2
    assert "--scale must be above 0" in capsys.readouterr().err


def test_every_file_loads_through_the_ingest_command_without_rejects(tmp_path):
    import subprocess
    import sys

    data = tmp_path / "data"
    generate(data, scale=0.03, seed=11)
    proc = subprocess.run(
        [sys.executable, "-m", "ecom", "ingest", str(data), "--warehouse", str(tmp_path / "wh.duckdb"), "--json", "--no-score"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    reports = {r["source"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert set(reports) == set(FILES.values())
    for name, report in reports.items():
        rows = len((data / name).read_text(encoding="utf-8-sig").splitlines()) - 1
        if name == FILES["reviews"]:
            rows = len(pd.read_csv(data / name))
        assert (report["table"], report["rows_loaded"], report["rows_rejected"]) == (TABLE_OF_FILE[name], rows, 0), report
