"""The recommender reads the same purchases, sequences, evidence, campaign figures and stored top-N on
DuckDB and on PySpark (local mode), from the sample data and the edge orders (returns, refunds with
and without an amount, cancellations, a product on two lines of an order) plus the sample's
behaviour purchase events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecom.queries import common
from ecom.recsys import campaigns, data, explain, store
from ecom.recsys.recommend import customer_histories, customer_history, product_names, stored_preview
from tests.spark.test_parity import canon, same

pytestmark = pytest.mark.spark


def on_both(engines, fn, label: str):
    """`fn(wh)` on each engine, compared (money to the cent, other floats to 1e-9); DuckDB's answer."""
    expected = fn(engines["duckdb"])
    same(canon(expected), canon(fn(engines["spark"])), label)
    return expected


@pytest.fixture(scope="module")
def histories(engines):
    return on_both(engines, customer_histories, "customer_histories")


def test_purchases_hold_every_case_the_parity_needs(engines):
    """Sale lines, minus those refunded in full (partly refunded ones and the positive lines of returned
    orders count; cancelled ones do not), plus behaviour purchase events."""
    for wh in engines.values():
        p = data.purchases(wh)
        n = common.fetch(p.aggregate(events=p.order_id.startswith("event:").sum(), edge=p.customer_id.startswith("K").sum()))
        assert int(n.events.iloc[0]) > 100 and int(n.edge.iloc[0]) > 100, (wh.engine, n)
    t = common.table(engines["duckdb"], "sales")
    t = t.filter(t._dataset == "edge")
    lines = common.fetch(t.select("order_id", "product_id", "customer_id", "line_kind", "order_status", "revenue", "refund_amount"))
    bought = set(common.fetch(data.purchases(engines["duckdb"]).select("order_id", "product_id")).itertuples(index=False, name=None))
    refunded = lines[(lines.line_kind == "sale") & (lines.order_status == "refunded") & lines.customer_id.notna() & (lines.revenue > 0)]
    partly = refunded[refunded.refund_amount.notna() & (refunded.refund_amount < refunded.revenue)]
    fully = refunded[refunded.refund_amount.isna()]
    assert len(partly) and len(fully)
    assert all((o, p) in bought for o, p in zip(partly.order_id, partly.product_id, strict=True))
    only_line = fully.merge(lines.groupby(["order_id", "product_id"]).size().reset_index(name="lines")).query("lines == 1")
    assert len(only_line) and not any((o, p) in bought for o, p in zip(only_line.order_id, only_line.product_id, strict=True))
    returned = lines[(lines.line_kind == "sale") & (lines.order_status == "returned") & lines.customer_id.notna()]
    assert len(returned) and all((o, p) in bought for o, p in zip(returned.order_id, returned.product_id, strict=True))
    cancelled = set(lines[lines.line_kind == "cancelled"].order_id)
    assert cancelled and not cancelled & {o for o, _ in bought}


def test_training_sequences_are_equal_on_both_engines(engines, histories):
    d, s = data.from_warehouse(engines["duckdb"]), data.from_warehouse(engines["spark"])
    assert d.users == s.users and d.items == s.items and d.users == sorted(histories)
    assert len(d.users) > 1000 and d.n_interactions > 10_000
    for u, a, b, ta, tb in zip(d.users, d.seqs, s.seqs, d.times, s.times, strict=True):
        assert np.array_equal(a, b), u
        assert np.array_equal(ta, tb), u
        assert [d.items[i] for i in a] == histories[u]
        assert (np.diff(ta) >= 0).all(), u


def test_customer_history_is_equal_on_both_engines(engines, histories):
    edge = max((c for c in histories if c.startswith("K")), key=lambda c: (len(histories[c]), c))
    with_event = common.fetch(data.purchases(engines["duckdb"]).filter(lambda p: p.order_id.startswith("event:")).select("customer_id")
                              .distinct().order_by("customer_id").limit(1)).customer_id.iloc[0]
    for c in (edge, with_event, "nobody"):
        hist = on_both(engines, lambda wh, c=c: customer_history(wh, c), f"customer_history {c}")
        assert hist.product_id.tolist() == histories.get(c, [])
        assert hist.order_time.is_monotonic_increasing


def test_evidence_is_equal_on_both_engines(engines):
    def evidence(wh):
        ev = explain.collect(wh)
        return {
            "now": ev.now, "next_pairs": ev.next_pairs, "next_base": ev.next_base, "together_pairs": ev.together_pairs,
            "together_base": ev.together_base, "category_top": ev.category_top, "product_category": ev.product_category,
            "buyers": ev.buyers, "repeatable": sorted(ev.repeatable), "customer_category": ev.customer_category,
            "customer_repeats": ev.customer_repeats,
        }  # fmt: skip

    ev = on_both(engines, evidence, "explain.collect")
    assert ev["next_pairs"] and ev["together_pairs"] and ev["repeatable"] and ev["customer_repeats"] and ev["category_top"]


def test_product_names_and_campaign_helpers_are_equal_on_both_engines(engines):
    names = on_both(engines, product_names, "product_names")
    assert names["E1"] == "Name E1"
    top = sorted(names)[0]
    for product in ("E1", "E7", top):
        buyers = on_both(engines, lambda wh, p=product: campaigns.buyers_of(wh, p), f"buyers_of {product}")
        assert buyers == sorted(buyers) and buyers
        for unit in ("day", "week", "month") if product == "E1" else ("week",):
            trend = on_both(engines, lambda wh, p=product, u=unit: campaigns.product_trend(wh, p, u), f"product_trend {product} {unit}")
            assert len(trend) and trend.period.is_monotonic_increasing


def _recs(histories: dict[str, list[str]]) -> pd.DataFrame:
    """A small stored top-N: every edge customer and a few others, with each kind of reason, ties in
    reach and a customer who is not in the sales."""
    customers = sorted(c for c in histories if c.startswith("K")) + sorted(c for c in histories if not c.startswith("K"))[:20] + ["nobody"]
    products = sorted({p for h in histories.values() for p in h})[:12]
    kinds = ("bought_next", "bought_together", "repeat", "top_category", "popular_in_category", "model")
    rows = []
    for i, c in enumerate(customers):
        for rank in range(1, 6):
            kind = kinds[(i + rank) % len(kinds)]
            rows.append({"model_id": "parity", "customer_id": c, "rank": rank, "product_id": products[(i + 2 * rank) % len(products)],
                         "score": round(1 / (rank + i % 3), 4), "reason": kind,
                         "reason_product": products[(i + rank + 1) % len(products)] if kind in ("bought_next", "bought_together") else None,
                         "reason_category": "Tea" if kind in ("top_category", "popular_in_category") else None,
                         "reason_count": 3 + rank, "reason_base": 10 + i, "reason_share": round((3 + rank) / (10 + i), 4), "reason_rank": rank,
                         "reason_interval_days": 12.5 if kind == "repeat" else 0.0, "reason_days_since": 3.0 if kind == "repeat" else 0.0})  # fmt: skip
    return pd.DataFrame(rows)


def test_stored_recommendations_read_the_same_on_both_engines(engines, histories):
    recs = _recs(histories)
    for wh in engines.values():
        assert store.write_recs(wh, recs) == len(recs)
    everyone = on_both(engines, store.read_recs, "read_recs")
    assert len(everyone) == len(recs)
    segment = sorted(set(recs.customer_id))
    for c, lang in ((segment[0], "zh"), ("nobody", "en"), ("not-stored", "en")):
        on_both(engines, lambda wh, c=c: store.read_recs(wh, c), f"read_recs {c}")
        on_both(engines, lambda wh, c=c, lang=lang: stored_preview(wh, c, lang), f"stored_preview {c} {lang}")
    for top in (1, 3):
        preview = on_both(engines, lambda wh, top=top: campaigns.segment_preview(wh, segment, top=top, n=100), f"segment_preview top {top}")
        assert preview.reach.sum() == top * len(segment)
        listing = on_both(engines, lambda wh, top=top: campaigns.campaign_list(wh, segment, top=top), f"campaign_list top {top}")
        assert len(listing) == len(segment)
    product = recs.product_id.iloc[0]
    only = on_both(engines, lambda wh: campaigns.campaign_list(wh, segment[:10], top=2, products=[product]), "campaign_list one product")
    assert set(only["items"]) <= {product}
    shown = stored_preview(engines["spark"], "nobody", "en")
    assert len(shown) == 5 and shown.product_name.notna().all() and shown.why.str.len().gt(0).all()
