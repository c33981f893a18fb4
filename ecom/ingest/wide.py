"""Wide tables turned into rows: one column per brand (or category), or one column per month.

Two shapes are recognised, and only in a table that fits nothing as it stands:

- *one row per period*: a column of dates or months and at least three number columns named by
  something else, none of them a measure or a key (StatCounter's `Date, Samsung, Apple, …`, not
  `Date, Campaign ID, Ad Cost, GST`): each cell becomes a row (period, the
  column's name as brand — or category when the row label says so — and the number);
- *one row per entity*: at least three number columns named by months (`Jan. 2001`, `2024-03`,
  `2024年3月`) beside a label column: each cell becomes a row (the label, the month, the number).

The rows must be one per period (or per label): a sheet that repeats its labels (adjusted and
unadjusted blocks, subtotals) is no clean wide table and stays refused. Totals columns are left out.
The number is a share when the cells of a row add up to about 100 (or 1), else units when they are
whole numbers, else an amount; the mapping step shows the result and can change it. Empty cells
give no row.
"""

from __future__ import annotations

from ecom.ingest import mapping as mapping_mod
from ecom.ingest.profile import ColumnValues, is_period
from ecom.ingest.read import TOTAL_WORDS, Source, raw_relation
from ecom.ingest.sqltext import lit

MIN_VALUE_COLUMNS = 3
_LABEL, _PERIOD = "brand", "period"
# Words that name a measure or a key, never a brand or category: a sheet of dates beside "Campaign ID,
# Ad Cost, GST, Total Ads Cost" (Meesho's ad deductions) or "Sales, Profit, Orders" is a table of figures
# per day, not one column per brand
_MEASURE_WORDS = ("id", "cost", "amount", "price", "tax", "gst", "vat", "fee", "discount", "total", "qty", "quantity", "revenue",
                  "sales", "profit", "order", "count", "unit", "gmv", "spend", "balance",
                  "金额", "数量", "成本", "费用", "税", "合计", "销售额", "订单", "单价", "利润", "编号")


def _names_a_measure(header: str) -> bool:
    return mapping_mod.names_any(header, _MEASURE_WORDS)


def _numeric(v: ColumnValues) -> bool:
    return v.n == 0 or v.number_share >= 0.9


def _unique(v: ColumnValues) -> bool:
    return v.n > 0 and len(set(v.values)) == v.n


def _measure(src: Source, value_idx: list[int], samples: dict[str, ColumnValues]) -> str:
    from ecom.ingest.profile import to_number

    sums = []
    for row in src.sample[:200]:
        cells = [to_number(str(row[i])) for i in value_idx if i < len(row) and row[i] not in (None, "")]
        cells = [c for c in cells if c is not None]
        if cells:
            sums.append(sum(cells))
    if sums and all(90 <= s <= 110 or 0.9 <= s <= 1.1 for s in sums if s):
        return "market_share"
    whole = all(samples[src.columns[i]].integer_share >= 0.99 for i in value_idx if samples[src.columns[i]].n)
    return "units" if whole else "sales_amount"


def melt(src: Source, workdir) -> Source | None:
    """The rows of a wide table as a long source (columns: period, brand or category, and a measure
    named as its canonical column), or None when the table is not wide."""
    cols = src.columns
    samples = mapping_mod.column_samples(cols, src.sample)
    totals = {c for c in cols if mapping_mod.normalize(c) in {w.replace(" ", "") for w in TOTAL_WORDS}}
    period_headers = [c for c in cols if c not in totals and is_period(c) and _numeric(samples[c])]
    if len(period_headers) >= MIN_VALUE_COLUMNS:
        labels = [c for c in cols if c not in period_headers and c not in totals and samples[c].n and samples[c].number_share < 0.5]
        if not labels or not _unique(samples[labels[-1]]):
            return None
        label, values, header_as = labels[-1], period_headers, _PERIOD
    else:
        dated = [c for c in cols if samples[c].n and (samples[c].date_profile.share >= 0.9 or samples[c].fit("period") >= 0.9)]
        if not dated or not _unique(samples[dated[0]]):
            return None
        label = dated[0]
        values = [c for c in cols if c != label and c not in totals and _numeric(samples[c]) and samples[c].n]
        if len(values) < MIN_VALUE_COLUMNS or len(values) < 0.6 * (len(cols) - 1) or any(map(_names_a_measure, values)):
            return None
        header_as = _LABEL
    value_idx = [cols.index(c) for c in values]
    measure = _measure(src, value_idx, samples)
    label_idx = cols.index(label)
    if header_as == _PERIOD:
        words, cjk = mapping_mod.header_words(label)
        entity = "category" if words & {"category", "segment", "industry", "business", "kind"} or any(w in cjk for w in ("类", "行业", "产业")) else _LABEL
        names = [entity, "period", measure]
    else:
        names = [label, _LABEL, measure]
    headers = ", ".join(f"({i}, {lit(c)})" for i, c in zip(value_idx, values, strict=True))
    pick = " ".join(f"WHEN {i} THEN r.c{i}" for i in value_idx)

    def relation(con, tag: str, workdir) -> str:
        raw = raw_relation(con, src, tag=tag, workdir=workdir)
        # c0 the row's label (a period, or a brand/category), c1 the column's name, c2 the cell
        cells = (f"SELECT r._row AS _row, r.c{label_idx} AS c0, h.name AS c1, CASE h.i {pick} END AS c2 "
                 f"FROM ({raw}) r CROSS JOIN (VALUES {headers}) h(i, name)")
        return f"SELECT * FROM ({cells}) WHERE c2 IS NOT NULL AND trim(c2) <> ''"

    long = Source(
        name=src.name, kind="wide", content_hash=src.content_hash, path=src.path, encoding=src.encoding, delimiter=src.delimiter,
        header_row=src.header_row, columns=names, notes=list(src.notes), size=src.size, relation=relation, members=[src],
    )
    long.rows_estimate = (src.rows_estimate or 0) * len(values)
    long.sample = list(_cells(src, label_idx, value_idx, values))[:2000]
    long.preview = long.sample[:20]
    return long


def _cells(src: Source, label_idx: int, value_idx: list[int], values: list[str]):
    for row in src.sample:
        label = row[label_idx] if label_idx < len(row) else None
        for i, header in zip(value_idx, values, strict=True):
            cell = row[i] if i < len(row) else None
            if cell is not None and str(cell).strip():
                yield [label, header, cell]
