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
    need: str = "view"  # the action of ecom.access a person needs to open it
    scoped: bool = True  # whether everything it shows can be limited to a person's shops

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
    # Inventory, reviews, recommendations and free-form reads have no shop column to limit them by.
    PageSpec("inventory", "inventory", ":material/inventory_2:", "nav.inventory", "nav.inventory.help", scoped=False),
    PageSpec("reviews", "reviews", ":material/reviews:", "nav.reviews", "nav.reviews.help", scoped=False),
    PageSpec("recommendations", "recommendations", ":material/recommend:", "nav.recommendations", "nav.recommendations.help",
             scoped=False),
    PageSpec("explore", "explore", ":material/travel_explore:", "nav.explore", "nav.explore.help", scoped=False),
    PageSpec("views", "views", ":material/bookmarks:", "nav.views", "nav.views.help"),
    PageSpec("data", "data", ":material/upload_file:", "nav.data", "nav.data.help", need="upload", scoped=False),
    PageSpec("sql", "sql", ":material/terminal:", "nav.sql", "nav.sql.help", need="sql", scoped=False),
    PageSpec("admin", "admin", ":material/admin_panel_settings:", "nav.admin", "nav.admin.help", need="people", scoped=False),
)

BY_NAME = {p.name: p for p in PAGES}


def available(root: Path = ROOT) -> list[PageSpec]:
    """The pages whose file exists, in menu order."""
    return [p for p in PAGES if p.exists(root)]


def allowed(spec: PageSpec, person) -> bool:
    """Whether `person` may open the page: the role allows it, and a person limited to shops
    sees only pages whose every figure can be limited to them."""
    return person.can(spec.need) and (spec.scoped or not person.limited)


def for_person(person, root: Path = ROOT) -> list[PageSpec]:
    return [p for p in available(root) if allowed(p, person)]


def link(name: str, label: str | None = None, icon: str | None = None) -> None:
    """A link to page `name`, drawn only when that page exists and this session's person may open it."""
    import streamlit as st

    from ecom.ui import auth

    spec = BY_NAME[name]
    person = st.session_state.get(auth.STATE_KEY)
    if spec.exists() and person is not None and allowed(spec, person):
        st.page_link(spec.file, label=label, icon=icon or spec.icon)
