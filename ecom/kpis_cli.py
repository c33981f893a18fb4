"""`python -m ecom kpis`: the headline figures of a date range, as the Overview page computes them.

GMV, refunds, net sales, orders, customers and refund rate of the lines whose own time falls in
[from, to] (both dates inclusive; all data when omitted), by `ecom.queries.overview.kpis`, the
function behind the Overview page's cards, with the definitions of `ecom.queries.definitions`.
Amounts in different currencies are never added up: `by_currency` gives the figures per currency,
and the top-level figures are those of the only currency, or null when there are several.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date

KEYS = ("gmv", "refunds", "net_sales", "orders", "customers", "refund_rate")
MONEY = ("gmv", "refunds", "net_sales")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ecom kpis", description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", metavar="FILE", help="warehouse file (default: ECOM_WAREHOUSE)")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", type=date.fromisoformat, help="first day (default: the first order's)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", type=date.fromisoformat, help="last day, inclusive (default: the last order's)")
    p.add_argument("--engine", choices=("duckdb", "spark"), help="analytic engine (default: ECOM_ENGINE)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def figures(wh, start: date | None, end: date | None) -> dict:
    """The figures of [start, end] (the whole data where a bound is None), overall and per currency; a
    bound is None where neither it nor any data gives one (an empty warehouse)."""
    from ecom.filters import Filters
    from ecom.queries import common, overview

    span = common.data_span(wh)
    lo = start or (span[0] if span else None)
    hi = end or (span[1] if span else None)
    per = []
    f = Filters(start=lo, end=hi) if lo and hi else None
    for code, _ in common.currencies(wh, lo, hi) if f else ():
        k = overview.kpis(wh, replace(f, currency=code))["current"]
        row = {"currency": code}
        for key in KEYS:
            v = k[key]
            row[key] = None if v != v else round(float(v), 2) if key in MONEY else round(float(v), 6) if key == "refund_rate" else int(v)
        per.append(row)
    out = {"from": lo and lo.isoformat(), "to": hi and hi.isoformat()}
    single = per[0] if len(per) == 1 else None
    for key in KEYS:
        out[key] = single[key] if single else (0 if key in ("orders", "customers") and not per else 0.0 if key in MONEY and not per else None)
    out["currency"] = single["currency"] if single else None
    out["by_currency"] = per
    return out


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.start and args.end and args.start > args.end:
        print(f"kpis: --from {args.start} is after --to {args.end}", file=sys.stderr)
        return 2
    from ecom.warehouse import Warehouse, WarehouseBusy

    try:
        # read-only: figures never change the warehouse, and a read-only open shares it with other readers
        wh = Warehouse(args.warehouse, read_only=True, engine=args.engine)
    except WarehouseBusy as exc:
        print(f"kpis: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:  # a missing or damaged file: one line, not a traceback
        print(f"kpis: cannot open the warehouse: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    try:
        if "line_kind" not in wh.columns("sales"):
            print(f"kpis: the warehouse {wh.path} was made by an older version: open it once with the app or `python -m ecom ingest` "
                  "to bring it up to date", file=sys.stderr)
            return 3
        out = figures(wh, args.start, args.end)
    finally:
        wh.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"{out['from'] or '…'} – {out['to'] or '…'}")
    for row in out["by_currency"]:
        rate = "—" if row["refund_rate"] is None else f"{row['refund_rate']:.1%}"
        print(f"  {row['currency']}: GMV {row['gmv']:,.2f}  refunds {row['refunds']:,.2f}  net sales {row['net_sales']:,.2f}  "
              f"orders {row['orders']:,}  customers {row['customers']:,}  refund rate {rate}")
    if not out["by_currency"]:
        print("  no sales in this range")
    return 0
