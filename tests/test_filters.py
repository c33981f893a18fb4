from datetime import date

import pytest

from ecom import filters, settings
from ecom.filters import Filters

ANCHOR = date(2024, 11, 20)


def test_default_is_last_30_days_to_the_latest_order():
    f = filters.from_params({}, ANCHOR)
    assert (f.start, f.end, f.preset, f.days) == (date(2024, 10, 22), ANCHOR, "30d", 30)
    assert f.notices == ()


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("7d", date(2024, 11, 14), ANCHOR),
        ("90d", date(2024, 8, 23), ANCHOR),
        ("month", date(2024, 11, 1), ANCHOR),
        ("618", date(2024, 6, 1), date(2024, 6, 20)),
        ("1111", date(2024, 10, 20), date(2024, 11, 11)),
    ],
)
def test_presets(preset, start, end):
    f = filters.from_params({"range": preset}, ANCHOR)
    assert (f.start, f.end, f.preset) == (start, end, preset)


def test_promo_windows_come_from_settings_and_roll_back_a_year(monkeypatch):
    monkeypatch.setenv("ECOM_PROMO_618", "05-25:06-18")
    assert filters.preset_range("618", date(2024, 5, 1)) == (date(2023, 5, 25), date(2023, 6, 18))
    # a window still running on the anchor ends at the anchor
    assert filters.preset_range("618", date(2024, 6, 3)) == (date(2024, 5, 25), date(2024, 6, 3))
    # a window with no such day in the year falls back to the default range, with a notice
    monkeypatch.setenv("ECOM_PROMO_1111", "02-30:03-05")
    f = filters.from_params({"range": "1111"}, ANCHOR)
    assert f.preset == "30d" and f.notices == ("filters.notice.bad_range|1111",)
    # a malformed setting is not quietly ignored: it stops the app at start-up (ecom.settings.check)
    monkeypatch.setenv("ECOM_PROMO_1111", "nonsense")
    with pytest.raises(settings.SettingError, match="ECOM_PROMO_1111"):
        filters.from_params({"range": "1111"}, ANCHOR)


def test_url_round_trip_with_repeated_keys():
    f = Filters(start=date(2024, 3, 1), end=date(2024, 3, 31), category=("女装", "男装"), product=("P1",), region=("浙江",))
    params = f.to_params()
    assert params == {"from": "2024-03-01", "to": "2024-03-31", "cat": ["女装", "男装"], "sku": ["P1"], "region": ["浙江"]}
    assert filters.from_params(params, ANCHOR) == f


def test_preset_is_kept_as_a_preset_in_the_url():
    f = filters.from_params({"range": "7d", "brand": "X"}, ANCHOR)
    assert f.to_params() == {"range": "7d", "brand": ["X"]}


def test_invalid_values_fall_back_with_a_notice():
    f = filters.from_params({"from": "2024-13-01", "to": "2024-03-31"}, ANCHOR)
    assert (f.start, f.end, f.preset) == (date(2024, 10, 22), ANCHOR, "30d")
    assert f.notices == ("filters.notice.bad_date|2024-13-01",)
    f = filters.from_params({"from": "2024-03-31", "to": "2024-03-01"}, ANCHOR)
    assert (f.start, f.end) == (date(2024, 3, 1), date(2024, 3, 31)) and f.notices[0].startswith("filters.notice.swapped")
    f = filters.from_params({"range": "'; DROP TABLE sales; --"}, ANCHOR)
    assert f.preset == "30d" and f.notices[0].startswith("filters.notice.bad_range")


def test_values_outside_the_data_are_dropped():
    f = filters.from_params({"cat": ["女装", "不存在"], "ch": "tmall"}, ANCHOR, allowed={"category": ["女装"], "channel": ["jd"]})
    assert f.category == ("女装",) and f.channel == ()
    assert f.notices == ("filters.notice.unknown_value|cat|不存在", "filters.notice.unknown_value|ch|tmall")


def test_previous_period_and_last_year():
    f = Filters(start=date(2024, 2, 23), end=date(2024, 2, 29))
    p = f.previous_period()
    assert (p.start, p.end) == (date(2024, 2, 16), date(2024, 2, 22))
    ly = f.last_year()
    assert (ly.start, ly.end) == (date(2023, 2, 23), date(2023, 2, 28))


def test_dims_map_to_sales_columns():
    f = Filters(start=ANCHOR, end=ANCHOR, shop=("s",), product=("p",), channel=("c",))
    assert f.dims() == {"shop": ("s",), "product_id": ("p",), "channel": ("c",)}
