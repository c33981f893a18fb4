"""A crafted order-lines file with every case the business definitions tell apart (shared by the
summary and engine tests)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path


def edge_orders(path: Path) -> Path:
    """Order lines with every case the definitions tell apart: returns (negative lines), refunds with and
    without an amount, cancellations, lines without a customer, category, brand, shop, channel or
    region, an order with the same product on two lines, two currencies and a customer whose orders
    span months. Seeded: the same file on every run."""
    rnd = random.Random(15)
    shops, channels, regions = ["Edge A", "Edge B", ""], ["web", "app", ""], ["North", "South", ""]
    cats, brands = ["Tea", "Cups", "Pots", ""], ["Leaf", "Clay", ""]
    rows = ["order_id,line_no,order_time,customer_id,product_id,product_name,category,brand,quantity,unit_price,revenue,refund_amount,"
            "order_status,channel,region,shop,currency"]
    start = datetime(2025, 1, 3, 9, 30)
    for o in range(240):
        when = start + timedelta(hours=rnd.randrange(0, 24 * 420))
        customer = "" if o % 17 == 0 else f"K{rnd.randrange(60)}"
        status = rnd.choice(["paid", "paid", "paid", "completed", "cancelled", "refunded", "returned"])
        shop, channel, region = rnd.choice(shops), rnd.choice(channels), rnd.choice(regions)
        currency = "USD" if o % 11 == 0 else "CNY"
        for line in range(1, rnd.randrange(2, 5)):
            product = f"E{rnd.randrange(25)}" if not (o % 13 == 0 and line == 2) else "E1"
            qty = rnd.randrange(1, 4)
            price = rnd.choice(["9.90", "15.00", "120.50", "0.00"])
            revenue = f"{qty * float(price):.2f}"
            refund = f"{qty * float(price) / 2:.2f}" if status == "refunded" and line == 1 and o % 2 else ""
            rows.append(f"O{o},{line},{when:%Y-%m-%d %H:%M:%S},{customer},{product},Name {product},{rnd.choice(cats)},{rnd.choice(brands)},"
                        f"{qty},{price},{revenue},{refund},{status},{channel},{region},{shop},{currency}")
        if status == "returned":  # a separate negative line, dated later
            back = when + timedelta(days=rnd.randrange(1, 20))
            rows.append(f"O{o},9,{back:%Y-%m-%d %H:%M:%S},{customer},E1,Name E1,Tea,Leaf,-1,15.00,-15.00,,returned,{channel},{region},{shop},{currency}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
