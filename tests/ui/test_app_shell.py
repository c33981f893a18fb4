"""The shell: every page opens by deep link with the shared sidebar; language; password; caching."""

import pytest

from ecom import i18n
from ecom.ui import nav
from tests.ui.conftest import assert_clean, open_app

PAGES = [p.file for p in nav.available()]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_by_deep_link_with_the_sidebar(app_env, page):
    at = open_app(page)
    assert_clean(at)
    assert [r.label for r in at.sidebar.radio][:1] == ["Language · 语言"]
    assert len(at.main.children) > 0


def test_first_deep_link_after_a_server_start_still_runs_app_py(app_env):
    # With no pages/ folder, Streamlit never runs a page file alone (no sign-in gate, no sidebar):
    # the first deep link after a start goes through app.py's st.navigation.
    at = open_app("app_pages/sql.py")
    assert_clean(at)
    assert [r.value for r in at.sidebar.radio] == ["en"]
    assert [t.value for t in at.title] == ["SQL"]


def test_browser_locale_decides_the_language(app_env):
    at = open_app(locale="zh-CN")
    assert [t.value for t in at.title] == ["Ecom Insight"]
    assert at.caption[0].value == i18n.t("home.subtitle", "zh")
    assert "尚未加载数据。" in [c.value for c in at.sidebar.caption]


def test_query_parameter_overrides_the_browser(app_env):
    at = open_app("app_pages/sql.py", lang="en", locale="zh-CN")
    assert [t.value for t in at.title] == ["SQL"]
    at = open_app("app_pages/sql.py", lang="zh", locale="en-US")
    assert [t.value for t in at.title] == ["SQL 查询"]


def test_setting_decides_without_browser_locale(app_env, monkeypatch):
    monkeypatch.setenv("ECOM_LANG", "zh")
    at = open_app("app_pages/sql.py")
    assert [t.value for t in at.title] == ["SQL 查询"]


def test_sidebar_switch_changes_language_and_url(app_env):
    at = open_app("app_pages/sql.py")
    assert [t.value for t in at.title] == ["SQL"]
    at.sidebar.radio[0].set_value("zh").run()
    assert [t.value for t in at.title] == ["SQL 查询"]
    assert at.query_params["lang"] == "zh"
    at.switch_page("app_pages/home.py").run()
    assert at.caption[0].value == i18n.t("home.subtitle", "zh")


def test_no_sign_in_configured_means_local_admin_and_says_so(app_env):
    at = open_app("app_pages/sql.py")
    assert len(at.text_area) == 1
    assert any("127.0.0.1" in c.value for c in at.sidebar.caption)


def test_home_points_to_data_page_when_empty(app_env):
    at = open_app()
    assert_clean(at)
    assert at.info[0].value == i18n.t("home.empty", "en")
    first_link = at.main.get("page_link")[0].proto
    assert (first_link.page, first_link.label) == ("data", "Upload files on the Data page")


def test_freshness_text():
    from datetime import date, datetime

    from ecom.ui.sidebar import freshness_text

    now = datetime(2024, 11, 21, 9, 0)
    info = {"data_through": date(2024, 11, 20), "loaded_at": datetime(2024, 11, 21, 8, 50)}
    assert freshness_text(info, now, "en") == "Data through 2024-11-20, loaded 10 min ago"
    assert freshness_text(info, now, "zh") == "数据截至 2024-11-20，10 分钟前加载"
    info["loaded_at"] = datetime(2024, 11, 19, 9, 0)
    assert freshness_text(info, now, "en") == "Data through 2024-11-20, loaded 2 days ago"
    assert freshness_text({"data_through": None, "loaded_at": None}, now, "en") == "No data loaded yet."
