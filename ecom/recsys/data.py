"""Purchase sequences for the recommender: read from the warehouse or a sequences file, indexed
against an item vocabulary, and split leave-one-out in time order.

A customer's sequence is their purchased products in time order (orders by `order_time`, lines in
an order by line number). Index 0 of the vocabulary is padding; products are 1..V-1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecom.recsys.model import PAD

PAD_TOKEN = "<pad>"

# Order statuses whose lines were not really bought (compared case-insensitively, trimmed).
CANCELLED_STATUSES = (
    "cancelled", "canceled", "refunded", "closed", "returned", "failed", "voided", "void",
    "已取消", "取消", "交易关闭", "已关闭", "退款成功", "已退款", "退货", "已退货",
)  # fmt: skip


class SequenceFileError(ValueError):
    """A sequences file that cannot be read; the message says where."""


@dataclass
class Sequences:
    users: list[str]
    items: list[str]  # the vocabulary: items[0] is padding
    seqs: list[np.ndarray]  # per user, item indices in time order (int64)
    times: list[np.ndarray] | None = None  # per user, event times as epoch seconds (None for sequence files)
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {item: i for i, item in enumerate(self.items)}

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_interactions(self) -> int:
        return int(sum(len(s) for s in self.seqs))


def build(rows: list[tuple[str, list[str], list[float] | None]]) -> Sequences:
    """Sequences from (user, product ids in time order, times or None) rows; the vocabulary is
    ordered by first appearance so it does not depend on hashing."""
    items = [PAD_TOKEN]
    index: dict[str, int] = {}
    users, seqs, times = [], [], []
    has_times = bool(rows) and rows[0][2] is not None
    for user, products, ts in rows:
        ids = []
        for p in products:
            i = index.get(p)
            if i is None:
                i = index[p] = len(items)
                items.append(p)
            ids.append(i)
        users.append(user)
        seqs.append(np.asarray(ids, dtype=np.int64))
        if has_times:
            times.append(np.asarray(ts, dtype=np.float64))
    return Sequences(users, items, seqs, times if has_times else None)


def read_sequences_file(path: str | Path) -> Sequences:
    """A file with one customer per line: `user item item ...` in time order (whitespace-separated)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SequenceFileError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise SequenceFileError(f"{path}: not UTF-8 text (byte {exc.start}); expected `user item item ...` per line") from exc
    rows = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 2:
            raise SequenceFileError(f"{path}, line {n}: user {parts[0]!r} has no items; expected `user item item ...`")
        if parts[0] in seen:
            raise SequenceFileError(f"{path}, line {n}: user {parts[0]!r} already appeared on line {seen[parts[0]]}")
        seen[parts[0]] = n
        rows.append((parts[0], parts[1:], None))
    if not rows:
        raise SequenceFileError(f"{path}: no sequences found; expected `user item item ...` per line")
    return build(rows)


def purchases_cte(has_behavior: bool) -> str:
    """SQL of a relation with one row per purchased (customer_id, order_id, product_id, category, t,
    line): sales lines that were not cancelled or fully refunded, plus `behavior` purchase events not
    already in sales on the same day (each such event counts as an order of its own)."""
    statuses = ", ".join("'" + s + "'" for s in CANCELLED_STATUSES)
    sales = f"""
        SELECT customer_id, order_id, product_id, max(category) AS category, min(order_time) AS t, min(coalesce(line_no, 0)) AS line
        FROM main.sales
        WHERE customer_id IS NOT NULL AND product_id IS NOT NULL AND order_time IS NOT NULL
          AND coalesce(lower(trim(order_status)), '') NOT IN ({statuses})
        GROUP BY customer_id, order_id, product_id"""
    if not has_behavior:
        return sales
    return f"""
        WITH s AS ({sales})
        SELECT * FROM s
        UNION ALL
        SELECT b.customer_id, 'event:' || CAST(b.event_time AS VARCHAR), b.product_id, b.category, b.event_time, 0
        FROM main.behavior b
        WHERE lower(b.event_type) = 'purchase' AND b.product_id IS NOT NULL AND b.customer_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM s WHERE s.customer_id = b.customer_id AND s.product_id = b.product_id
                          AND CAST(s.t AS DATE) = CAST(b.event_time AS DATE))"""


def has_behavior_purchases(cur) -> bool:
    return cur.execute("SELECT count(*) FROM main.behavior WHERE lower(event_type) = 'purchase'").fetchone()[0] > 0


def from_warehouse(warehouse) -> Sequences:
    """Every customer's purchase sequence from `main.sales` (and `main.behavior` purchases when loaded)."""
    cur = warehouse.cursor()
    try:
        sql = f"SELECT customer_id, product_id, epoch(t) AS ts FROM ({purchases_cte(has_behavior_purchases(cur))}) ORDER BY customer_id, t, order_id, line, product_id"
        table = cur.execute(sql).to_arrow_table()
    finally:
        cur.close()
    customers = table.column("customer_id").to_numpy(zero_copy_only=False)
    products = table.column("product_id").to_numpy(zero_copy_only=False)
    ts = table.column("ts").to_numpy(zero_copy_only=False).astype(np.float64)
    rows = []
    if len(customers):
        starts = np.flatnonzero(np.r_[True, customers[1:] != customers[:-1]])
        ends = np.r_[starts[1:], len(customers)]
        for a, b in zip(starts, ends, strict=True):
            rows.append((str(customers[a]), [str(p) for p in products[a:b]], list(ts[a:b])))
    seqs = build(rows)
    seqs.times = seqs.times or []
    return seqs


@dataclass
class Split:
    """Leave-one-out in time order: train on all but the last two purchases; validation predicts the
    second-to-last from what came before it, test predicts the last from everything before it."""

    train: list[np.ndarray]  # per user (all users), the training part of the sequence
    eval_users: np.ndarray  # indices of users with ≥ 3 purchases (the evaluated ones)
    valid_hist: list[np.ndarray]
    valid_target: np.ndarray
    test_hist: list[np.ndarray]
    test_target: np.ndarray
    train_times: list[np.ndarray] | None = None


def leave_one_out(data: Sequences) -> Split:
    train, eval_users, vh, vt, th, tt = [], [], [], [], [], []
    train_times = [] if data.times is not None else None
    for u, s in enumerate(data.seqs):
        if len(s) >= 3:
            train.append(s[:-2])
            eval_users.append(u)
            vh.append(s[:-2])
            vt.append(s[-2])
            th.append(s[:-1])
            tt.append(s[-1])
            if train_times is not None:
                train_times.append(data.times[u][:-2])
        else:
            train.append(s)
            if train_times is not None:
                train_times.append(data.times[u])
    return Split(train, np.asarray(eval_users, dtype=np.int64), vh, np.asarray(vt, dtype=np.int64), th, np.asarray(tt, dtype=np.int64), train_times)



def pad_left(seqs: list[np.ndarray], length: int) -> np.ndarray:
    """(B, length) array: each sequence's last `length` items, left-padded with PAD."""
    out = np.full((len(seqs), length), PAD, dtype=np.int64)
    for r, s in enumerate(seqs):
        s = s[-length:]
        if len(s):
            out[r, length - len(s) :] = s
    return out
