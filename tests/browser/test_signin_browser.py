"""Sign-in end to end in headless Chromium: a real OpenID Connect provider (oidc-provider-mock) and
the app, both started here on free ports of 127.0.0.1. A viewer, an analyst and an admin sign in
through the provider; each allowed and each refused action is tried; sign-out ends the session.
The shared password signs in through its own page, with its HttpOnly cookie."""

import json
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, fresh_page
from tests.servers import app_server, free_port, oidc_provider, secrets_toml

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"),
]
PASSWORD = "correct horse battery"
USERS = {
    "vera": {"email": "vera@example.com", "email_verified": True, "name": "Vera", "roles": ["viewer"]},
    "ana": {"email": "ana@example.com", "email_verified": True, "name": "Ana", "roles": "analyst"},
    "ada": {"email": "ada@example.com", "email_verified": True, "name": "Ada"},  # admin through ECOM_ADMINS
    "sam": {"email": "sam@example.com", "email_verified": True, "name": "Sam"},  # no role anywhere
}
ORDERS = "order_id,order_time,customer_id,product_id,quantity,revenue\nA1,2025-03-01 10:00,c1,p1,1,100.00\nA2,2025-03-02 11:00,c2,p2,2,250.50\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("signin")
    port = free_port()
    with oidc_provider(tmp, USERS) as provider_port:
        secrets = secrets_toml(port, password=PASSWORD, provider_port=provider_port)
        with app_server(tmp / "wh.duckdb", tmp, secrets=secrets, port=port, env={"ECOM_ADMINS": "ada@example.com"}) as (url, _):
            yield url, tmp


def sign_in(browser, url: str, sub: str):
    page = fresh_page(browser)
    page.route("**/cdn.jsdelivr.net/**", lambda route: route.abort())  # the provider's page links a stylesheet online
    page.goto(url)
    page.get_by_role("button", name="Sign in with your company account").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    return page


def menu(page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    return [t.strip().splitlines()[-1] for t in nav.get_by_test_id("stSidebarNavLink").all_inner_texts()]  # after the icon's name


def status_of(page, path: str) -> int:
    """A request from inside the signed-in browser (its cookies), as a link or script would make it."""
    return page.request.get(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path).status


def test_viewer_analyst_admin_and_sign_out(stack, browser):
    url, tmp = stack
    csv = tmp / "orders.csv"
    csv.write_text(ORDERS, encoding="utf-8")

    viewer = sign_in(browser, url, "vera")
    viewer.get_by_text("Signed in: Vera · viewer").wait_for()
    assert viewer.get_by_role("button", name="Deploy").count() == 0  # no Deploy button, no developer menu
    assert "Data" not in menu(viewer) and "SQL" not in menu(viewer) and "Admin" not in menu(viewer)
    assert status_of(viewer, "/_stcore/metrics") == 403
    viewer.goto(f"{url}/sql")  # not hers: Streamlit serves Home instead
    viewer.get_by_text("Signed in: Vera · viewer").wait_for()
    assert viewer.get_by_role("heading", name="SQL", exact=True).count() == 0
    viewer.screenshot(path=str(tmp / "viewer.png"), full_page=True)

    analyst = sign_in(browser, url, "ana")
    analyst.get_by_text("Signed in: Ana · analyst").wait_for()
    assert {"Data", "SQL"} <= set(menu(analyst)) and "Admin" not in menu(analyst)
    analyst.goto(f"{url}/data")
    analyst.get_by_role("heading", name="Data", exact=True).wait_for()
    analyst.locator("input[type=file]").set_input_files(str(csv))
    analyst.get_by_role("button", name="Load", exact=True).click()
    analyst.get_by_text("orders.csv: 2 rows loaded into sales, 0 rejected, 0 skipped.").wait_for()
    assert analyst.get_by_text("Replace").count() == 0  # replacing and undoing are for admins
    analyst.goto(f"{url}/sql")
    analyst.get_by_role("button", name="Run").click()
    analyst.get_by_role("button", name="CSV").wait_for()  # downloads are allowed
    assert status_of(analyst, "/_stcore/metrics") == 403

    admin = sign_in(browser, url, "ada")
    admin.get_by_text("Signed in: Ada · admin").wait_for()
    assert "Admin" in menu(admin)
    admin.goto(f"{url}/admin")
    admin.get_by_role("heading", name="Audit log").wait_for()
    assert status_of(admin, "/_stcore/metrics") == 200
    admin.screenshot(path=str(tmp / "admin.png"), full_page=True)
    # The grid draws on a canvas; its cells are also in the DOM as an accessible table.
    admin.locator("[role=gridcell]", has_text="vera@example.com").first.wait_for(state="attached")
    cells = admin.locator("[role=gridcell]").all_inner_texts()
    assert {"vera@example.com", "ana@example.com", "upload", "signin"} <= set(cells)

    refused = sign_in(browser, url, "sam")
    refused.get_by_text("You are signed in as sam@example.com, but you have no role in this app.").wait_for()
    assert status_of(refused, "/_stcore/metrics") == 401

    analyst.get_by_role("button", name="Sign out").click()
    analyst.get_by_role("button", name="End session").click()  # the provider's own sign-out page
    analyst.get_by_role("button", name="Sign in with your company account").wait_for()
    assert status_of(analyst, "/_stcore/metrics") == 401
    for page in (viewer, analyst, admin, refused):
        page.context.close()


def test_password_sign_in_sets_an_http_only_cookie(stack, browser):
    url, _ = stack
    start = fresh_page(browser)
    start.goto(url)
    with start.context.expect_page() as opened:  # the password page opens in a tab of its own
        start.get_by_role("link", name="Sign in with the team password").click()
    page = opened.value
    page.set_default_timeout(60_000)
    page.locator("input[name=password]").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Wrong password.").wait_for()
    page.wait_for_timeout(1100)  # the pause after a wrong password
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in: password · admin").wait_for()
    cookie = next(c for c in page.context.cookies() if c["name"] == "ecom_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("ecom_session") == -1
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Sign out").click()
    opened.value.get_by_role("button", name="Sign in with your company account").wait_for()
    assert json.dumps(page.context.cookies()).find("ecom_session") == -1
    # The tab that was signed in is signed out at its next run (the cookie it started with is revoked)
    page.get_by_role("link", name="Sales").first.click()
    page.get_by_role("button", name="Sign in with your company account").wait_for()
    page.context.close()
