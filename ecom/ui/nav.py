"""Every page of the product, in menu order.

`app.py` registers the pages whose file `app_pages/<name>.py` exists, so a page is added by adding its
file (its title key goes in that page's locale file). A page's `url_path` is its public URL
(`/sales`, `/data`, ...): never change one, people bookmark them. Home is served at the root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PageSpec:
    name: str  # file app_pages/<name>.py
    url_path: str
    icon: str  # Material icon, ":material/<name>:"
    title_key: str  # i18n key of the menu title
    help_key: str  # i18n key of one line saying what the page answers

    @property
    def file(self) -> str:
        return f"app_pages/{self.name}.py"

    def exists(self, root: Path = ROOT) -> bool:
        return (root / self.file).is_file()


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "home", ":material/home:", "nav.home", "nav.home.help"),
    PageSpec("overview", "overview", ":material/dashboard:", "nav.overview", "nav.overview.help"),
    PageSpec("sales", "sales", ":material/trending_up:", "nav.sales", "nav.sales.help"),
    PageSpec("customers", "customers", ":material/group:", "nav.customers", "nav.customers.help"),
    PageSpec("market", "market", ":material/pie_chart:", "nav.market", "nav.market.help"),
    PageSpec("inventory", "inventory", ":material/inventory_2:", "nav.inventory", "nav.inventory.help"),
    PageSpec("reviews", "reviews", ":material/reviews:", "nav.reviews", "nav.reviews.help"),
    PageSpec("recommendations", "recommendations", ":material/recommend:", "nav.recommendations", "nav.recommendations.help"),
    PageSpec("explore", "explore", ":material/travel_explore:", "nav.explore", "nav.explore.help"),
    PageSpec("views", "views", ":material/bookmarks:", "nav.views", "nav.views.help"),
    PageSpec("data", "data", ":material/upload_file:", "nav.data", "nav.data.help"),
    PageSpec("sql", "sql", ":material/terminal:", "nav.sql", "nav.sql.help"),
)

BY_NAME = {p.name: p for p in PAGES}


def available(root: Path = ROOT) -> list[PageSpec]:
    """The pages whose file exists, in menu order."""
    return [p for p in PAGES if p.exists(root)]


def link(name: str, label: str | None = None, icon: str | None = None) -> None:
    """A link to page `name`, drawn only when that page exists."""
    import streamlit as st

    spec = BY_NAME[name]
    if spec.exists():
        st.page_link(spec.file, label=label, icon=icon or spec.icon)
