"""Small hand-made fixtures: rows inserted straight into a fresh warehouse's canonical tables (order
lines get their kind as an older warehouse's would: `Warehouse.classify_lines`)."""

from __future__ import annotations

SALES_DEFAULTS = {
    "order_id": None, "line_no": 1, "order_time": None, "customer_id": None, "product_id": None, "product_name": None,
    "category": None, "brand": None, "quantity": 1, "unit_price": None, "revenue": None, "refund_amount": None,
    "order_status": None, "channel": None, "region": None, "shop": None, "currency": None,
}


def insert(wh, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts of canonical columns) with bound values, then bump the data version."""
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO main.{table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    with wh.transaction() as cur:
        cur.executemany(sql, [[r[c] for c in cols] for r in rows])
        wh.classify_lines(cur)
        wh.bump_version(cur)


def insert_frame(wh, table: str, df) -> None:
    """Insert a DataFrame of canonical columns (many rows at once), then bump the data version."""
    with wh.transaction() as cur:
        cur.register("frame", df)
        cur.execute(f"INSERT INTO main.{table} BY NAME SELECT * FROM frame")
        cur.unregister("frame")
        wh.classify_lines(cur)
        wh.bump_version(cur)


def sale(order_id, order_time, product_id, revenue, customer_id=None, **kw) -> dict:
    row = dict(SALES_DEFAULTS)
    row.update(order_id=order_id, order_time=order_time, product_id=product_id, revenue=revenue, customer_id=customer_id, **kw)
    return row


DEMO_END = "2024-11-20"


def fill_demo(wh, seed: int = 7, orders_per_day: int = 28) -> None:
    """A small shop over 14 months (to 20 Nov 2024) with more than 10,000 order lines, stock
    snapshots, monthly market data and behaviour events: enough for every page to draw."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cats = {"女装": ["连衣裙", "半身裙", "衬衫", "外套"], "男装": ["T恤", "夹克", "裤子"], "童装": ["童鞋", "童帽", "卫衣"]}
    brands = ["我的牌", "对手A", "对手B"]
    products = [(f"SKU{i:03d}", f"{name}{i}", cat, brands[i % 3], float(50 + 20 * (i % 9)))
                for i, (cat, name) in enumerate((c, n) for c, ns in cats.items() for n in ns for _ in range(4))]
    days = pd.date_range("2023-09-15", DEMO_END, freq="D")
    rows = []
    n = 0
    for day in days:
        k = orders_per_day * (3 if day.month == 11 and day.day <= 11 else 1)
        for _ in range(int(rng.poisson(k))):
            n += 1
            cust = f"C{int(rng.integers(0, 1500)):04d}"
            when = day + pd.Timedelta(minutes=int(rng.integers(0, 1440)))
            channel, region = rng.choice(["天猫", "京东", "抖音"]), rng.choice(["浙江", "广东", "北京", "上海"])
            for line in range(1, int(rng.integers(1, 4)) + 1):
                pid, name, cat, brand, price = products[int(rng.integers(0, len(products)))]
                qty = int(rng.integers(1, 4))
                refund = price * qty if rng.random() < 0.04 else 0.0
                rows.append((f"O{n:06d}", line, when, cust, pid, name, cat, brand, qty, price, price * qty, refund, channel, region, "旗舰店", "CNY"))
    sales = pd.DataFrame(rows, columns=["order_id", "line_no", "order_time", "customer_id", "product_id", "product_name", "category", "brand",
                                        "quantity", "unit_price", "revenue", "refund_amount", "channel", "region", "shop", "currency"])
    stock = pd.DataFrame([(p[0], pd.Timestamp(DEMO_END).date(), int(rng.integers(0, 400)), int(rng.integers(0, 50))) for p in products],
                         columns=["product_id", "snapshot_date", "on_hand", "on_order"])
    months = pd.date_range("2023-09-01", DEMO_END, freq="MS")
    market = pd.DataFrame([(m.date(), c, b, float(rng.integers(1000, 9000)), int(rng.integers(10, 90)))
                           for m in months for c in cats for b in [*brands, "对手C", "对手D"]],
                          columns=["period", "category", "brand", "sales_amount", "units"])
    ev = [(f"C{int(rng.integers(0, 300)):04d}", days[-1 - int(rng.integers(0, 60))], rng.choice(["view", "view", "view", "cart", "purchase"]),
           products[int(rng.integers(0, len(products)))][0], None) for _ in range(3000)]
    ev += [(f"U{i:04d}", days[-1], None, None, int(rng.integers(1, 12))) for i in range(200)]
    behavior = pd.DataFrame(ev, columns=["customer_id", "event_time", "event_type", "product_id", "purchase_frequency"])
    with wh.transaction() as cur:
        for name, df in (("sales", sales), ("stock", stock), ("market", market), ("behavior", behavior)):
            cur.register("frame", df)
            cur.execute(f"INSERT INTO main.{name} BY NAME SELECT * FROM frame")
            cur.unregister("frame")
        wh.classify_lines(cur)
        wh.bump_version(cur)
