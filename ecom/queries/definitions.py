"""The business terms, defined once; every page, the summary tables and `python -m ecom kpis` use them.

Each order line has a kind, decided when it is loaded (`ecom.ingest.values`, column `line_kind`):

- **cancelled**: its order's status is cancelled, or a draft not yet placed (the one list of such
  statuses, in English and Chinese, is `ecom.ingest.values.STATUSES`). Cancelled lines count nowhere.
- **return**: a separate negative line: a negative quantity or amount, or a credit note (an
  invoice number such as C536379 in a file of plain invoice numbers). A return line is dated by
  its own time, is never an order, and its absolute amount is a refund.
- **sale**: every other line, including positive lines of refunded or returned orders and lines
  with a price of 0.

Then, for the lines whose own time falls in a range:

- GMV = the revenue of sale lines (after line discounts, without shipping);
- refunds = the refund amounts of sale lines (their revenue when the status says refunded and no
  amount is given) plus the absolute revenue of return lines;
- net sales = GMV − refunds; refund rate = refunds ÷ GMV (none when GMV is 0);
- orders = distinct order ids of sale lines; customers = distinct non-empty customer ids of sale
  lines; units = the quantities of sale lines.

`counted(t)` keeps the lines that count and adds their per-line share of each figure (`gmv`,
`refund`, `units`, and `order_key` / `customer_key`, which are null on other than sale lines), so
every sum or distinct count over it follows these definitions whatever it is grouped by.
"""

from __future__ import annotations

import functools

import ibis

SALE, RETURN, CANCELLED = "sale", "return", "cancelled"


def is_sale(t):
    return t.line_kind == SALE


def counted(t):
    """The lines that count (not cancelled), each with its share of GMV, refunds, units, orders and customers."""
    t = t.filter(t.line_kind != CANCELLED)
    sale = is_sale(t)
    revenue = t.revenue.fill_null(0)
    stated = t.refund_amount
    refund = ibis.cases(
        (sale & stated.notnull(), stated),
        (sale & (t.order_status == "refunded"), revenue),
        (t.line_kind == RETURN, revenue.abs()),
        else_=0,
    )
    return t.mutate(
        gmv=ibis.cases((sale, revenue), else_=0),
        refund=refund,
        units=ibis.cases((sale, t.quantity.fill_null(1)), else_=0),
        order_key=ibis.cases((sale, t.order_id), else_=ibis.null("string")),
        customer_key=ibis.cases((sale & t.customer_id.notnull() & (t.customer_id != ""), t.customer_id), else_=ibis.null("string")),
    )


@functools.cache
def counted_sql(name: str = "sales", database: str = "main") -> str:
    """`counted` over a relation with the sales table's columns (by default the warehouse's sales
    table) as DuckDB SQL, for the summary tables' builds (compiled once per relation: ~35 ms each)."""
    from ecom import schema

    types = {"VARCHAR": "string", "INTEGER": "int32", "BIGINT": "int64", "TIMESTAMP": "timestamp", "DOUBLE": "float64", "DATE": "date",
             "UBIGINT": "uint64", "MAP(VARCHAR, VARCHAR)": "map<string, string>"}
    cols = {c.name: "decimal(18,2)" if c.type == schema.MONEY else types[c.type] for c in schema.SALES.columns}
    cols.update({name: types[type_] for name, type_ in schema.META_COLUMNS})
    return ibis.to_sql(counted(ibis.table(ibis.schema(cols), name=name, database=database)), dialect="duckdb")


def sale_lines(t):
    """Only the sale lines (what product, customer and basket analyses read)."""
    return t.filter(is_sale(t))


def figures(t) -> dict:
    """GMV, refunds, orders, customers and units of `counted` lines, as aggregate expressions (floats
    and integers), for `t.aggregate(**figures(t))` or a grouped aggregate."""
    return {
        "gmv": t.gmv.sum().cast("float64"),
        "refunds": t.refund.sum().cast("float64"),
        "orders": t.order_key.nunique(),
        "customers": t.customer_key.nunique(),
        "units": t.units.sum().cast("int64"),
    }


def net_sales(gmv: float, refunds: float) -> float:
    return gmv - refunds


def refund_rate(gmv: float, refunds: float) -> float | None:
    return refunds / gmv if gmv else None
