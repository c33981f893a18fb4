"""The shared warehouse, and query results cached per data version.

`warehouse()` is one `Warehouse` per warehouse file for the whole server process. Functions
decorated with `cached_query` take the warehouse as first argument and are cached on
(warehouse file, `wh.data_version()`, their other arguments): every load or undo bumps the data
version, so no page ever shows numbers from before the last upload, and nothing is recomputed
while the data stays the same.

    @cached_query
    def sales_by_day(wh, start, end) -> pd.DataFrame: ...

    df = sales_by_day(start, end)      # the warehouse is supplied
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

import streamlit as st

from ecom import settings
from ecom.queries import common
from ecom.warehouse import Warehouse


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Warehouse:
    return Warehouse(path)


def warehouse() -> Warehouse:
    """The warehouse named by ECOM_WAREHOUSE, opened once per server process."""
    return _open(str(settings.warehouse_path()))


@st.cache_data(show_spinner=False, max_entries=1024)
def _run_cached(fn_id: str, path: str, version: tuple[int, ...], _fn: Callable, args: tuple, kwargs: dict):
    return _fn(_open(path), *args, **kwargs)


def cached_query(fn: Callable | None = None, *, outputs: tuple[str, ...] = ()) -> Callable:
    """Cache `fn(wh, *args, **kwargs)` per warehouse file and data version; call it without `wh`.

    `outputs` names the model output tables `fn` reads too (app.review_scores …): their versions join
    the key, as background scoring adds to them without a load."""
    if fn is None:
        return functools.partial(cached_query, outputs=outputs)
    # Page scripts all run as module "__main__", so the file tells their functions apart.
    fn_id = f"{fn.__code__.co_filename}:{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        wh = warehouse()
        return _run_cached(fn_id, str(wh.path), wh.versions(outputs), fn, args, kwargs)

    return wrapper


@cached_query
def row_counts(wh: Warehouse) -> dict[str, int]:
    return wh.row_counts()


@cached_query
def freshness(wh: Warehouse) -> dict:
    """The latest day in the data and the time of the last load still in place (shop time)."""
    latest = common.latest_day(wh)
    loaded: datetime | None = wh.last_loaded_at()
    return {"data_through": latest, "loaded_at": loaded}
