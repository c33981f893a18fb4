"""Purchase sequences for the recommender: read from the warehouse or a sequences file, indexed
against an item vocabulary, and split leave-one-out in time order.

What counts as a purchase (`purchases`, an Ibis expression, so it runs on either engine; the model,
its evidence and the Recommendations page all read it):

- the sale lines of `ecom.queries.definitions` (no cancelled lines, no return lines) with a customer,
  a product and a time, except lines refunded in full (`fully_refunded`: their refund, as the
  definitions count it, covers their revenue). The customer did not keep such a product, and
  recommending it again or calling it evidence would mislead; a partly refunded line was kept, and
  counts. Positive lines of an order with a separate return line count: the return is its own line.
- plus `behavior` purchase events not already among those lines the same day for the same customer
  and product; each event is an order of its own (order id `event:<time>`).

One row per (customer, order, product): a product on two lines of an order is one purchase, at its
earliest time and lowest line number.

A customer's sequence is their purchased products in time order, ties broken by order id, line
number and product id, so that both engines give the same sequences. Index 0 of the vocabulary is
padding; products are 1..V-1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from ecom.queries import common, definitions
from ecom.recsys.model import PAD

PAD_TOKEN = "<pad>"

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


def fully_refunded(t):
    """Whether a line of `definitions.counted(t)` was refunded in full (its refund, as the definitions
    count it, covers its revenue): the one place that says a sale line was not kept."""
    return (t.refund > 0) & (t.refund >= t.gmv)


def purchases(warehouse, customer_id: str | None = None):
    """An Ibis table with one row per purchased (customer_id, order_id, product_id), with its
    `category`, time `t` and `line` (see the module docstring); one customer's when `customer_id` is
    given."""
    c = definitions.counted(common.table(warehouse, "sales"))
    c = c.filter(definitions.is_sale(c) & ~fully_refunded(c) & c.customer_id.notnull() & c.product_id.notnull() & c.order_time.notnull())
    if customer_id is not None:
        c = c.filter(c.customer_id == customer_id)
    sales = c.group_by(["customer_id", "order_id", "product_id"]).aggregate(
        category=c.category.max(), t=c.order_time.min(), line=c.line_no.fill_null(0).min())
    if not has_behavior_purchases(warehouse):
        return sales
    b = _behavior_purchases(warehouse)
    if customer_id is not None:
        b = b.filter(b.customer_id == customer_id)
    b = b.mutate(day=b.event_time.date())
    bought_that_day = sales.select("customer_id", "product_id", day=sales.t.date())
    b = b.anti_join(bought_that_day, ["customer_id", "product_id", "day"])
    # second precision on both engines, so that an event's order id reads the same on each
    b = b.mutate(order_id=ibis.literal("event:") + b.event_time.strftime("%Y-%m-%d %H:%M:%S"))
    events = b.group_by(["customer_id", "order_id", "product_id"]).aggregate(
        category=b.category.max(), t=b.event_time.min(), line=ibis.literal(0).cast(sales.schema()["line"]))
    return sales.union(events.select(*sales.columns))


def _behavior_purchases(warehouse):
    b = common.table(warehouse, "behavior")
    return b.filter((b.event_type.lower() == "purchase") & b.customer_id.notnull() & b.product_id.notnull() & b.event_time.notnull())


@common.memoized
def has_behavior_purchases(warehouse) -> bool:
    return bool(common.scalar(_behavior_purchases(warehouse).count()))


# A customer's purchases in time order; the ties broken so that both engines give one order.
SEQUENCE_ORDER = ("t", "order_id", "line", "product_id")


def in_sequence_order(p, *first: str):
    """`p` (purchases) sorted by `first`, then time, order id, line and product, nulls last."""
    return p.order_by([ibis.asc(c, nulls_first=False) for c in (*first, *SEQUENCE_ORDER)])


def epoch_seconds(times) -> np.ndarray:
    """Timestamps (wall-clock shop time, without a zone) as seconds since 1970-01-01 00:00."""
    return ((pd.to_datetime(pd.Series(times)) - pd.Timestamp(0)) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64)


def ordered_purchases(warehouse) -> pd.DataFrame:
    """Every purchase (customer_id and the sequence order's columns), by customer, then in sequence order."""
    p = purchases(warehouse)
    return common.fetch(in_sequence_order(p.select("customer_id", *SEQUENCE_ORDER), "customer_id"))


def runs(customers: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of equal values in a sorted array."""
    if not len(customers):
        return []
    starts = np.flatnonzero(np.r_[True, customers[1:] != customers[:-1]])
    return list(zip(starts.tolist(), np.r_[starts[1:], len(customers)].tolist(), strict=True))


def from_warehouse(warehouse) -> Sequences:
    """Every customer's purchase sequence (see the module docstring for what counts)."""
    df = ordered_purchases(warehouse)
    customers = df.customer_id.to_numpy(dtype=object)
    products = df.product_id.to_numpy(dtype=object)
    ts = epoch_seconds(df.t)
    rows = [(str(customers[a]), [str(p) for p in products[a:b]], list(ts[a:b])) for a, b in runs(customers)]
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
