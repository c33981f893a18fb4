from datetime import date

import pytest

from ecom import access, views
from ecom.filters import Filters
from tests.queries.helpers import insert

ANCHOR = date(2024, 3, 31)
F = Filters(start=date(2024, 3, 1), end=date(2024, 3, 31), preset="month", category=("女装",))


def test_save_and_open_round_trip(warehouse):
    token = views.save(warehouse, "  March  女装 ", "sales", F, {"grain": "week", "by": "brand", "top": "15", "evil": "DROP TABLE x"})
    assert views.TOKEN_RE.match(token) and len(token) >= 16  # 96 random bits
    v = views.load(warehouse, token, ANCHOR)
    assert (v.name, v.page) == ("March 女装", "sales")
    # the dates are kept as dates (exactly what was shown); unknown options are not stored
    assert v.params == {"from": "2024-03-01", "to": "2024-03-31", "cat": ["女装"], "grain": "week", "by": "brand", "top": "15"}
    assert v.notices == ()


def test_invalid_option_values_are_dropped(warehouse):
    token = views.save(warehouse, "x", "sales", F, {"grain": "fortnight", "top": "100000"})
    assert views.load(warehouse, token, ANCHOR).params == {"from": "2024-03-01", "to": "2024-03-31", "cat": ["女装"]}


def test_list_rename_delete(warehouse):
    a = views.save(warehouse, "a", "overview", F, owner="ana@example.com")
    b = views.save(warehouse, "b", "customers", F, owner="ana@example.com")
    assert a != b
    ana = access.Person("ana@example.com", "analyst", access.VIA_OIDC)
    views.rename(warehouse, a, "renamed", ana)
    listed = views.list_views(warehouse)
    assert set(zip(listed.token, listed.name, listed.page, strict=True)) == {(a, "renamed", "overview"), (b, "b", "customers")}
    views.delete(warehouse, b, ana)
    assert views.list_views(warehouse).token.tolist() == [a]
    with pytest.raises(views.ViewError) as e:
        views.load(warehouse, b, ANCHOR)
    assert e.value.key == "views.error.unknown"


@pytest.mark.parametrize("token", ["", "short", "x" * 65, "abc'; DROP TABLE app.views; --", "../../etc/passwd"])
def test_tampered_tokens(warehouse, token):
    with pytest.raises(views.ViewError) as e:
        views.load(warehouse, token, ANCHOR)
    assert e.value.key == "views.error.bad_token"


def test_unknown_token_and_bad_names(warehouse):
    with pytest.raises(views.ViewError) as e:
        views.load(warehouse, "A" * 16, ANCHOR)
    assert e.value.key == "views.error.unknown"
    with pytest.raises(views.ViewError):
        views.save(warehouse, "   ", "sales", F)
    with pytest.raises(views.ViewError):
        views.save(warehouse, "x", "sql", F)


def test_filter_values_gone_from_the_data_open_with_a_notice(warehouse):
    token = views.save(warehouse, "x", "overview", F)
    v = views.load(warehouse, token, ANCHOR, allowed={"category": ["男装"]})
    assert "cat" not in v.params and v.notices == ("filters.notice.unknown_value|cat|女装",)


def explore_view(warehouse):
    with warehouse.transaction() as cur:
        cur.execute("CREATE TABLE main.campaigns (day DATE, channel VARCHAR, spend DOUBLE)")
    insert(warehouse, "campaigns", [{"day": date(2024, 3, 1), "channel": "抖音", "spend": 10.0}])
    opts = {"t": "campaigns", "x": "channel", "y": "spend", "agg": "sum", "chart": "bar"}
    return views.save(warehouse, "spend", "explore", F, opts)


def test_explore_view_whose_table_was_replaced(warehouse):
    token = explore_view(warehouse)
    assert views.load(warehouse, token, ANCHOR).params["y"] == "spend"
    with warehouse.transaction() as cur:
        cur.execute("DROP TABLE main.campaigns")
        cur.execute("CREATE TABLE main.campaigns (day DATE, channel VARCHAR, cost DOUBLE)")
    with pytest.raises(views.ViewError) as e:
        views.load(warehouse, token, ANCHOR)
    assert (e.value.key, e.value.args_) == ("views.error.gone_column", {"name": "spend", "table": "campaigns", "column": "spend"})
    with warehouse.transaction() as cur:
        cur.execute("DROP TABLE main.campaigns")
    with pytest.raises(views.ViewError) as e:
        views.load(warehouse, token, ANCHOR)
    assert e.value.key == "views.error.gone_table"


def test_views_cannot_point_explore_at_the_app_schema(warehouse):
    from ecom.queries.explore import SpecError

    with pytest.raises(SpecError):
        views.save(warehouse, "x", "explore", F, {"t": "app.views", "x": "token"})
    with pytest.raises(SpecError):
        views.save(warehouse, "x", "explore", F, {"t": "views", "x": "token"})
