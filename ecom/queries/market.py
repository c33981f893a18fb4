"""Market share: brand share over time within a category, our brands against competitors, share
gainers and losers, concentration (CR4, HHI) and category share.

Shares come from the `market_share` column where the rows in view have one; otherwise they are
computed from `sales_amount` (or `units` when there is no amount) per period and category. The
shop's brands are the setting ECOM_OUR_BRANDS.
"""

from __future__ import annotations

import ibis
import pandas as pd

from ecom import settings
from ecom.filters import Filters
from ecom.queries.common import fetch, memoized, money, table


def our_brands() -> list[str]:
    return [b.strip() for b in str(settings.get("ECOM_OUR_BRANDS")).split(",") if b.strip()]


def _rows(wh, f: Filters):
    m = table(wh, "market")
    # Market rows are usually monthly: a period counts when its month overlaps the range.
    return m.filter((m.period >= f.start.replace(day=1)) & (m.period <= f.end))


def categories(wh, f: Filters) -> list[str]:
    """Categories of the market rows in the range, most rows first ("" stands for rows without one)."""
    return list(_categories(wh, f))


# Every chart of the page resolves its category and share basis: they are looked up once per page.
@memoized
def _categories(wh, f: Filters) -> tuple[str, ...]:
    m = _rows(wh, f)
    df = fetch(m.group_by(c=m.category.fill_null("")).aggregate(n=m.count()).order_by([ibis.desc("n"), "c"]).limit(500))
    return tuple(str(c) for c in df.c)


@memoized
def _basis_in(wh, f: Filters, cat: str) -> str:
    m = _rows(wh, f)
    return _basis_of(m.filter(m.category.fill_null("") == cat))


def _category(wh, f: Filters, category: str | None) -> str | None:
    """The category to show: the one asked for, else the filter's first present, else the largest."""
    cats = categories(wh, f)
    if category is not None and category in cats:
        return category
    for c in f.category:
        if c in cats:
            return c
    return cats[0] if cats else None


def basis(wh, f: Filters, category: str | None = None) -> str:
    """Which column the shares come from: market_share, sales_amount, units, or '' (no rows)."""
    cat = _category(wh, f, category)
    return _basis_in(wh, f, cat) if cat is not None else ""


def shares(wh, f: Filters, category: str | None = None, how: str | None = None):
    """An expression: one row per period and brand with its share (0–1) within one category
    (`category`, "" for rows without one; see `_category` for the default)."""
    cat = _category(wh, f, category)
    m = _rows(wh, f)
    m = m.filter(m.category.fill_null("") == (cat or ""))
    how = how or _basis_in(wh, f, cat or "")
    if how == "market_share":
        return m.filter(m.market_share.notnull()).group_by(["period", "brand"]).aggregate(share=m.market_share.sum())
    col = money(m.sales_amount) if how == "sales_amount" else m.units.cast("float64")
    per = m.group_by(["period", "brand"]).aggregate(value=col.sum())
    per = per.filter(per.value.notnull())
    total = per.value.sum().over(ibis.window(group_by=per.period))
    return per.mutate(share=ibis.cases((total != 0, per.value / total), else_=None)).drop("value")


def _basis_of(m) -> str:
    row = fetch(m.aggregate(share=m.market_share.count(), sales=m.sales_amount.count(), units=m.units.count())).iloc[0]
    return "market_share" if row.share else "sales_amount" if row.sales else "units" if row.units else ""


def share_trend(wh, f: Filters, category: str | None = None, top: int = 8) -> pd.DataFrame:
    """Brand share per period within a category, for the `top` brands by average share plus our
    brands and the brand filter; the rest summed as "(other)"."""
    per = shares(wh, f, category)
    lead = per.group_by("brand").aggregate(avg=per.share.mean()).order_by([ibis.desc("avg"), "brand"]).limit(top)
    keep = set(fetch(lead).brand) | set(our_brands()) | set(f.brand)
    key = ibis.cases((per.brand.isin(sorted(keep)), per.brand), else_="(other)") if keep else ibis.literal("(other)")
    df = fetch(per.group_by(period=per.period, brand=key).aggregate(share=per.share.sum()).order_by(["period", "brand"]))
    df["period"] = pd.to_datetime(df["period"])
    return df


def ours_vs_competitors(wh, f: Filters, category: str | None = None) -> pd.DataFrame:
    """Per period: the share of our brands (ECOM_OUR_BRANDS) and of everyone else, in a category."""
    s = shares(wh, f, category)
    ours = our_brands()
    side = ibis.cases((s.brand.isin(ours), "ours"), else_="competitors") if ours else ibis.literal("competitors")
    df = fetch(s.group_by(period=s.period, side=side).aggregate(share=s.share.sum()).order_by(["period", "side"]))
    df["period"] = pd.to_datetime(df["period"])
    return df


def movers(wh, f: Filters, category: str | None = None, n: int = 5) -> pd.DataFrame:
    """Share change per brand in a category between the first and the last period in view
    (percentage points as a fraction), the `n` largest gains and the `n` largest losses."""
    per = shares(wh, f, category)
    bounds = per.aggregate(p0=per.period.min(), p1=per.period.max())
    j = per.cross_join(bounds)
    wide = j.group_by("brand").aggregate(
        first=ibis.cases((j.period == j.p0, j.share), else_=0.0).sum(),
        last=ibis.cases((j.period == j.p1, j.share), else_=0.0).sum(),
    )
    wide = wide.mutate(change=wide["last"] - wide["first"])
    up = wide.filter(wide.change > 0).order_by([ibis.desc("change"), "brand"]).limit(n)
    down = wide.filter(wide.change < 0).order_by(["change", "brand"]).limit(n)
    return fetch(up.union(down).order_by([ibis.desc("change"), "brand"]))


def concentration(wh, f: Filters, category: str | None = None) -> pd.DataFrame:
    """Per period in a category: CR4 (share of the 4 largest brands) and HHI (sum of squared
    shares in percent, 0–10,000), and the number of brands."""
    s = shares(wh, f, category)
    rank = ibis.row_number().over(ibis.window(group_by=s.period, order_by=[ibis.desc(s.share), s.brand]))
    s = s.mutate(rank=rank)
    df = fetch(
        s.group_by("period")
        .aggregate(
            cr4=ibis.cases((s["rank"] < 4, s.share), else_=0.0).sum(),
            hhi=((s.share * 100) ** 2).sum(),
            brands=s.count(),
        )
        .order_by("period")
    )
    df["period"] = pd.to_datetime(df["period"])
    return df


def category_share(wh, f: Filters) -> pd.DataFrame:
    """Per category over the range: market size (sales, else units), its share of the market, and
    our brands' share within it. Needs sales_amount or units (a share column alone has no sizes)."""
    m = _rows(wh, f)
    m_has = fetch(m.aggregate(s=m.sales_amount.count(), u=m.units.count())).iloc[0]
    how = "sales_amount" if m_has.s else ("units" if m_has.u else "")
    if not how:
        return pd.DataFrame(columns=["category", "size", "share", "our_share"])
    col = money(m.sales_amount) if how == "sales_amount" else m.units.cast("float64")
    ours = our_brands()
    m = m.mutate(category=m.category.fill_null("(all)"), v=col).filter(lambda x: x.v.notnull())
    ourv = ibis.cases((m.brand.isin(ours), m.v), else_=0.0) if ours else m.v * 0
    per = m.group_by("category").aggregate(size=m.v.sum(), ours=ourv.sum())
    total = per["size"].sum().over(ibis.window())
    per = per.mutate(share=per["size"] / total, our_share=ibis.cases((per["size"] != 0, per.ours / per["size"]), else_=None)).drop("ours")
    return fetch(per.order_by([ibis.desc("size"), "category"]))
