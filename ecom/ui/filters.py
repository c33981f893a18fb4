"""The global filters in the sidebar, kept in the URL, and the current `Filters` for pages.

`render()` is called by the shared sidebar on every page. The date inputs (`from`, `to`) and the
value lists (`shop`, `cat`, `brand`, `sku`, `ch`, `region`) are widgets created in app.py's run
with `bind="query-params"`, so they keep their values across page switches and reloads and a
copied address reproduces the view. Their URL values are language-neutral (dates, data values).

Presets (last 7/30/90 days, this month, 618, 双11) are a plain selectbox that sets the two dates;
a hand-written `?range=618` link works too. Page options (grain, breakdown, ...) go through
`url_option`: a selection widget whose *code* is kept in the URL (a bound selection widget would
put its translated label there, which changes with the language).

Before drawing, the raw parameters are checked, and a notice says which values could not be used
(Streamlit drops such values from bound widgets silently). A `?view=<token>` link is handled here
too, before any widget exists: the view's values go into the session and the app switches to the
view's page with them in the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

import streamlit as st

from ecom import currency, filters, settings, views
from ecom.filters import CURRENCY_KEY, DATASET_KEY, DIMENSIONS, PRESETS, Filters
from ecom.queries import common
from ecom.ui.cache import cached_query, warehouse
from ecom.ui.lang import tr

STATE_KEY = "_filters"
PRESET_KEY = "_preset"
VIEW_MESSAGE_KEY = "_view_message"
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2100, 12, 31)  # old exports (Northwind, CDNOW) predate 2000


@cached_query
def anchor_date(wh) -> date:
    return common.anchor_date(wh)


@cached_query
def dimension_values(wh) -> dict[str, list[str]]:
    return common.dimension_values(wh)


@cached_query
def currencies(wh, start: date, end: date) -> list[tuple[str, float]]:
    return common.currencies(wh, start, end)


def currency_symbol() -> str:
    """The symbol of the currency this run's figures are in."""
    return currency.symbol(current().currency or settings.get("ECOM_CURRENCY"))


def _notice_text(notice: str) -> str:
    key, *args = notice.split("|")
    return tr(key, **dict(zip(("a", "b"), args, strict=False)))


def _open_view(token: str, anchor: date, allowed: dict) -> None:
    """Put a saved view's values into the session and switch to its page, or say why not."""
    try:
        view = views.load(warehouse(), token, anchor, allowed)
    except views.ViewError as exc:
        st.session_state[VIEW_MESSAGE_KEY] = ("error", tr(exc.key, **exc.args_))
        del st.query_params["view"]
        return
    f = filters.from_params(view.params, anchor, allowed)
    st.session_state["from"], st.session_state["to"] = f.start, f.end
    for name, (key, _) in DIMENSIONS.items():
        st.session_state[key] = list(getattr(f, name))
    options = {k: v for k, v in view.params.items() if k not in filters.URL_KEYS}
    notes = " ".join(_notice_text(n) for n in view.notices)
    st.session_state[VIEW_MESSAGE_KEY] = ("info", tr("views.opened", name=view.name) + (f" {notes}" if notes else ""))
    st.switch_page(f"app_pages/{view.page}.py", query_params={**f.to_params(), **options})


def _apply_preset() -> None:
    preset = st.session_state.get(PRESET_KEY)
    window = filters.preset_range(preset, anchor_date()) if preset else None
    if window:
        st.session_state["from"], st.session_state["to"] = window
    st.session_state[PRESET_KEY] = None


def _seed_from_url(anchor: date, checked: Filters) -> None:
    """A `range=` preset in a link, or from/to that Streamlit would drop, set the date inputs."""
    if "range" in st.query_params:
        st.session_state["from"], st.session_state["to"] = checked.start, checked.end
        del st.query_params["range"]
    elif any(n.startswith(("filters.notice.bad_date", "filters.notice.swapped")) for n in checked.notices):
        st.session_state["from"], st.session_state["to"] = checked.start, checked.end


AUTO_KEY = "_range_auto"  # the default range the date inputs hold until the person picks one (False once they have)


def _follow_data(default: Filters, linked: bool) -> None:
    """Until the person picks a range (or opens a link with one), the date inputs follow the data:
    after a load or an undo they move to the 30 days ending at the latest order."""
    auto = st.session_state.get(AUTO_KEY)
    wanted = (default.start, default.end)
    if auto is None:
        st.session_state[AUTO_KEY] = False if linked else wanted
        return
    if auto is False or "from" not in st.session_state:
        return
    if (st.session_state.get("from"), st.session_state.get("to")) != auto:
        st.session_state[AUTO_KEY] = False  # the person chose these dates
    elif auto != wanted:
        st.session_state["from"], st.session_state["to"] = wanted
        st.session_state[AUTO_KEY] = wanted


def scoped_person() -> bool:
    """Whether this session's person is limited to some shops."""
    return bool(_shops_of_person())


def _shops_of_person() -> tuple[str, ...]:
    from ecom.ui import auth

    person = st.session_state.get(auth.STATE_KEY)
    return person.shops if person is not None else ()


def scoped(f: Filters) -> Filters:
    """`f` limited to the person's shops: no shop chosen means all of theirs, never everyone's."""
    shops = _shops_of_person()
    if not shops:
        return f
    return replace(f, shop=tuple(s for s in f.shop if s in shops) or shops)


def render() -> Filters:
    """Draw the filters in the sidebar and return (and remember for the page) the current value."""
    anchor = anchor_date()
    allowed = dimension_values()
    if _shops_of_person():
        allowed = {**allowed, "shop": [s for s in allowed.get("shop") or [] if s in _shops_of_person()]}
    token = st.query_params.get("view")
    linked = bool(token) or any(k in st.query_params for k in filters.DATE_KEYS)
    if token:
        _open_view(token, anchor, allowed)
    raw = {key: st.query_params.get_all(key) for key in filters.URL_KEYS if key in st.query_params}
    checked = filters.from_params(raw, anchor, allowed)
    _seed_from_url(anchor, checked)
    default = filters.default(anchor)
    _follow_data(default, linked)
    with st.sidebar:
        st.subheader(tr("filters.title"))
        st.selectbox(tr("filters.range"), [p for p in PRESETS if p != "custom"], index=None, key=PRESET_KEY,
                     placeholder=tr("filters.preset"), format_func=lambda p: tr(f"filters.preset.{p}"), on_change=_apply_preset)
        start = st.date_input(tr("filters.from"), value=default.start, min_value=MIN_DATE, max_value=MAX_DATE, key="from", bind="query-params")
        end = st.date_input(tr("filters.to"), value=default.end, min_value=MIN_DATE, max_value=MAX_DATE, key="to", bind="query-params")
        params: dict[str, str | list[str]] = {"from": (start or default.start).isoformat(), "to": (end or default.end).isoformat()}
        for name, (key, _) in DIMENSIONS.items():
            options = allowed.get(name) or []
            if options:
                chosen = st.multiselect(tr(f"filters.{name}"), options, key=key, bind="query-params", placeholder=tr("filters.all"))
                if chosen:
                    params[key] = list(chosen)
        ds = _dataset_choice(allowed.get("dataset") or [], checked.dataset)
        if ds:
            params[DATASET_KEY] = ds
        chosen = _currency_choice((start or default.start, end or default.end), checked.currency)
        if chosen:
            params[CURRENCY_KEY] = chosen
        f = filters.from_params(params, anchor, allowed)
        preset = next((p for p in PRESETS[:-1] if filters.preset_range(p, anchor) == (f.start, f.end)), "custom")
        f = Filters(**{**f.__dict__, "preset": preset, "notices": checked.notices + f.notices})
        label = tr(f"filters.preset.{preset}") if preset != "custom" else tr("filters.custom_range")
        st.caption(tr("filters.showing", label=label, start=f.start.isoformat(), end=f.end.isoformat(), days=f.days, anchor=anchor.isoformat()))
        for notice in dict.fromkeys(f.notices):
            st.warning(_notice_text(notice), icon=":material/filter_alt_off:")
    f = scoped(f)
    st.session_state[STATE_KEY] = f
    message = st.session_state.pop(VIEW_MESSAGE_KEY, None)
    if message:
        (st.error if message[0] == "error" else st.info)(message[1], icon=":material/bookmark:")
    return f


def _dataset_choice(names: list[str], asked: str) -> str:
    """One data set (a name given at upload) or all of them: a choice when there are several, kept in the URL."""
    if len(names) <= 1:
        st.query_params.pop(DATASET_KEY, None)
        return ""
    options = ["", *names]
    if st.session_state.get(DATASET_KEY) not in options:
        st.session_state[DATASET_KEY] = asked if asked in names else ""
    name = st.selectbox(tr("filters.dataset"), options, key=DATASET_KEY, format_func=lambda n: n or tr("filters.dataset.all"),
                        help=tr("filters.dataset.help"))
    if name:
        st.query_params[DATASET_KEY] = name
    else:
        st.query_params.pop(DATASET_KEY, None)
    return name


def _currency_choice(window: tuple[date, date], asked: str) -> str:
    """The one currency the figures are in: the range's only one, or (with several, never summed)
    the one chosen in the sidebar and kept in the URL, by default the one with the largest GMV."""
    found = currencies(*window)
    codes = [c for c, _ in found]
    if len(codes) <= 1:
        st.query_params.pop(CURRENCY_KEY, None)
        return codes[0] if codes else ""
    if st.session_state.get(CURRENCY_KEY) not in codes:
        st.session_state[CURRENCY_KEY] = asked if asked in codes else codes[0]
    labels = {c: f"{c} · {currency.symbol(c).strip()}{g:,.0f}" for c, g in found}
    code = st.selectbox(tr("filters.currency"), codes, key=CURRENCY_KEY, format_func=labels.__getitem__, help=tr("filters.currency.help"))
    st.query_params[CURRENCY_KEY] = code
    return code


def current() -> Filters:
    """The filters the sidebar drew this run (the default range when it has not run)."""
    f = st.session_state.get(STATE_KEY)
    return scoped(f if isinstance(f, Filters) else filters.default(anchor_date()))


def _sync_url(key: str, default) -> None:
    value = st.session_state.get(key)
    if value is None or value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)


def url_option(widget: Callable, label: str, options: Sequence, key: str, default, format_func: Callable = str, **kwargs):
    """A page option (selectbox, segmented_control, radio, ...) whose code is kept in the URL under
    `key`, so a link reproduces it in any language. Returns the chosen option (`default` if none)."""
    codes = {str(o): o for o in options}
    in_url = st.query_params.get(key)
    if in_url is not None and in_url in codes:
        st.session_state[key] = codes[in_url]
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default
    value = widget(label, options, key=key, format_func=format_func, on_change=_sync_url, args=(key, default), **kwargs)
    _sync_url(key, default)
    return default if value is None else value
