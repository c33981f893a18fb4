"""Sign-in and roles in the script, on an unpatched Streamlit: the sign-in screen, refusals, each
role x page, the actions each role gets, and shop limits. (The HTTP side of the same gate is tested
in tests/test_server.py against a running server, and end to end in tests/browser/test_signin_browser.py.)"""

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from ecom import access, people, views
from ecom.filters import Filters
from ecom.i18n import t
from ecom.ingest.cli import main as ingest_main
from ecom.ui import nav
from ecom.ui.analytics import money
from ecom.warehouse import Warehouse
from tests.servers import secrets_toml
from tests.ui.conftest import APP, assert_clean

SHOPS_CSV = """order_id,order_time,customer_id,product_id,quantity,revenue,shop
A1,2025-03-01 10:00,c1,p1,1,100.00,North
A2,2025-03-02 11:00,c2,p2,2,250.50,North
B1,2025-03-02 12:00,c3,p1,1,999.00,South
B2,2025-03-03 09:00,c1,p3,3,30.00,South
"""


@pytest.fixture
def oidc_env(app_env, tmp_path, monkeypatch):
    """The app configured for OpenID Connect sign-in (the provider is never called by AppTest)."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(secrets_toml(8501, provider_port=9), encoding="utf-8")
    monkeypatch.setenv("ECOM_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("ECOM_ADMINS", "boss@example.com")
    return app_env


def open_as(user: dict | None, page: str | None = None, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.user = {"is_logged_in": True, **user}
    if page:
        at.switch_page(page)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def role_user(role: str) -> dict:
    return {"email": f"{role}@example.com", "email_verified": True, "roles": [role]}


def test_nobody_signed_in_sees_only_the_sign_in_screen(oidc_env):
    at = open_as(None, "app_pages/sql.py")
    assert_clean(at)
    assert [b.label for b in at.button] == [t("auth.with_provider")]
    assert len(at.text_area) == 0 and len(at.sidebar.multiselect) == 0
    assert [s.value for s in at.subheader] == [t("auth.sign_in")]


def test_password_only_offers_the_password_page(app_env, monkeypatch):
    monkeypatch.setenv("ECOM_PASSWORD", "correct horse battery")
    at = open_as(None, "app_pages/sql.py")
    assert_clean(at)
    links = at.get("link_button")
    assert [lb.proto.url for lb in links] == ["/ecom/signin?lang=en"]
    assert len(at.text_area) == 0


def test_signed_in_without_a_role_is_refused_plainly(oidc_env):
    at = open_as({"email": "stranger@example.com", "roles": ["guest"]}, "app_pages/overview.py")
    assert_clean(at)
    assert [e.value for e in at.error] == [t("auth.refused", email="stranger@example.com")]
    assert len(at.metric) == 0


def test_unverified_email_does_not_match_the_admin_list(oidc_env):
    at = open_as({"email": "boss@example.com", "email_verified": False}, "app_pages/admin.py")
    assert [e.value for e in at.error] == [t("auth.refused", email="boss@example.com")]


def test_broken_setting_shows_nothing_but_the_problem(oidc_env, monkeypatch):
    monkeypatch.setenv("ECOM_SQL_ROW_CAP", "lots")
    at = open_as(role_user("admin"), "app_pages/sql.py")
    assert len(at.error) == 1 and "ECOM_SQL_ROW_CAP" in at.error[0].value
    assert len(at.text_area) == 0


PAGES = [p for p in nav.available()]


@pytest.mark.parametrize("role", access.ROLES)
@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
def test_role_by_page(oidc_env, role, spec):
    at = open_as(role_user(role), spec.file)
    assert_clean(at)
    assert [e.value for e in at.error] == []  # no plain "Something went wrong" either
    allowed = access.allows(role, spec.need)
    titles = [x.value for x in at.title]
    page_title = t(spec.title_key) if spec.name != "sql" else t("sql.title")
    if spec.name == "home":
        assert allowed and titles[:1] == ["Ecom Insight"]
    elif allowed:
        assert page_title in titles, (role, spec.name, titles)
    else:
        assert page_title not in titles  # the page is not even registered: Streamlit shows Home instead
        assert titles[:1] == ["Ecom Insight"]


def _sales(app_env):
    csv = app_env.parent / "shops.csv"
    csv.write_text(SHOPS_CSV, encoding="utf-8")
    assert ingest_main([str(csv), "--warehouse", str(app_env), "--currency", "CNY"]) == 0


@pytest.mark.parametrize(("role", "downloads"), [("viewer", 0), ("analyst", 2), ("admin", 2)])
def test_only_analysts_and_admins_get_downloads(oidc_env, role, downloads):
    _sales(oidc_env)
    at = open_as(role_user(role), "app_pages/sales.py", {"from": "2025-03-01", "to": "2025-03-03"})
    assert_clean(at)
    found = at.get("download_button")
    assert (len(found) > 0) == (downloads > 0)


def test_analyst_uploads_but_neither_replaces_nor_undoes(oidc_env):
    _sales(oidc_env)
    at = open_as(role_user("analyst"), "app_pages/data.py")
    assert_clean(at)
    assert t("data.log.undo") not in [s.value for s in at.subheader]
    admin = open_as(role_user("admin"), "app_pages/data.py")
    assert t("data.log.undo") in [s.value for s in admin.subheader]


def test_views_are_managed_by_their_owner_or_an_admin(oidc_env):
    wh = Warehouse(oidc_env)
    f = Filters(start=date(2025, 3, 1), end=date(2025, 3, 3))
    mine = views.save(wh, "mine", "sales", f, owner="analyst@example.com")
    old = views.save(wh, "from before owners", "overview", f)
    analyst = access.Person("analyst@example.com", "analyst", access.VIA_OIDC)
    other = access.Person("viewer@example.com", "viewer", access.VIA_OIDC)
    admin = access.Person("boss@example.com", "admin", access.VIA_OIDC)
    with pytest.raises(views.ViewError, match="not_owner"):
        views.rename(wh, mine, "stolen", other)
    with pytest.raises(views.ViewError, match="not_owner"):
        views.delete(wh, old, analyst)  # old views belong to the admins
    views.rename(wh, mine, "still mine", analyst)
    views.delete(wh, old, admin)
    assert list(views.list_views(wh)["name"]) == ["still mine"]
    wh.close()
    viewer = open_as(role_user("viewer"), "app_pages/views.py")
    assert_clean(viewer)
    assert len(viewer.main.selectbox) == 0  # nothing of theirs to manage; the link is still listed
    assert any(mine in c.value for c in viewer.code)
    owner = open_as(role_user("analyst"), "app_pages/views.py")
    assert [s.label for s in owner.main.selectbox] == [t("views.pick")]


def test_a_person_limited_to_a_shop_sees_only_its_figures(oidc_env):
    _sales(oidc_env)
    wh = Warehouse(oidc_env)
    people.put(wh, access.Person("boss@example.com", "admin", access.VIA_OIDC), "north@example.com", "viewer", ["North"])
    wh.close()
    at = open_as({"email": "north@example.com"}, "app_pages/overview.py", {"from": "2025-03-01", "to": "2025-03-03"})
    assert_clean(at)
    cards = {m.label: m.value for m in at.metric}
    assert cards["GMV"] == money(350.50, "¥")  # 100.00 + 250.50: North's two orders, none of South's 1,029.00
    assert cards["Orders"] == "2"
    assert [o for o in at.sidebar.multiselect[0].options] == ["North"]
    # Pages that cannot be limited to shops are not offered
    sql = open_as({"email": "north@example.com"}, "app_pages/sql.py")
    assert t("sql.title") not in [x.value for x in sql.title]
    # A URL asking for the other shop gets nothing of it
    other = open_as({"email": "north@example.com"}, "app_pages/overview.py", {"from": "2025-03-01", "to": "2025-03-03", "shop": "South"})
    assert {m.label: m.value for m in other.metric}["GMV"] == money(350.50, "¥")


def test_admin_gives_a_role_and_it_is_in_the_audit_log(oidc_env):
    at = open_as(role_user("admin"), "app_pages/admin.py")
    assert_clean(at)
    at.main.text_input[0].set_value("new@example.com")
    at.main.selectbox[0].set_value("analyst")
    next(b for b in at.button if b.label == t("admin.save_person")).click().run()
    assert_clean(at)
    assert not at.error
    wh = Warehouse(oidc_env)
    assert people.table(wh) == {"new@example.com": ("analyst", ())}
    log = wh.cursor().execute("SELECT actor, kind, detail FROM app.audit").fetchall()
    assert log == [("admin@example.com", "role_change", "new@example.com -> analyst")]
    wh.close()
