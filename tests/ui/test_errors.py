"""No traceback reaches a person: a failure shows a plain message in their language with an 8-hex
error id, the server log has the trace under the same id, and st.stop / st.rerun pass through. Real
pages: a query that fails, a warehouse another process holds, a review model that cannot load."""

import logging
import re
import subprocess
import sys

import duckdb
import pytest
from streamlit.testing.v1 import AppTest, local_script_runner

from ecom import i18n
from ecom.reviews.score import ReviewModelError
from ecom.ui import errors
from ecom.warehouse import Warehouse, WarehouseBusy
from tests.ui.conftest import open_app
from tests.ui.test_app_sql import run_sql

ID_LINE = re.compile(r"\n\nError id: ([0-9a-f]{8})$")
UNEXPECTED = "Something went wrong; an administrator can find the details in the server log."
BUSY = "The warehouse is busy (another program is using it); try again in a moment."
MODEL = "The model could not be loaded; an administrator can find the reason in the server log."


@pytest.fixture
def served(monkeypatch):
    """AppTest runs the script as `python -m ecom serve` does: st.App(on_script_error=errors.on_script_error).
    (AppTest's runner takes no handler, so it is set on the runner the way ScriptRunner keeps it.)"""
    init = local_script_runner.LocalScriptRunner.__init__

    def with_handler(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._on_script_error = errors.on_script_error

    monkeypatch.setattr(local_script_runner.LocalScriptRunner, "__init__", with_handler)


def shown_error(at: AppTest, plain: str) -> str:
    """The one error on the page: `plain` and an id line; returns the id."""
    assert [e.message for e in at.exception] == []
    assert len(at.error) == 1, [e.value for e in at.error]
    text = at.error[0].value
    assert text.startswith(plain + "\n\n"), text
    match = ID_LINE.search(text)
    assert match, text
    return match.group(1)


def logged(caplog, error_id: str) -> logging.LogRecord:
    """The server log's record for `error_id`, with the exception's trace."""
    (record,) = [r for r in caplog.records if r.name == "ecom.errors" and error_id in r.getMessage()]
    assert record.exc_info is not None
    return record


def displayed_text(at: AppTest) -> str:
    """Everything drawn, as Streamlit sends it to the browser."""
    out = []

    def walk(node):
        if getattr(node, "proto", None) is not None:
            out.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


# -- the mechanism -------------------------------------------------------------------------------


def failing_script():
    from ecom.ui import errors

    with errors.guarded():
        raise RuntimeError("boom in /srv/ecom/secret.py")


def test_guarded_block_shows_a_plain_message_and_logs_the_trace(caplog):
    at = AppTest.from_function(failing_script).run()
    error_id = shown_error(at, UNEXPECTED)
    record = logged(caplog, error_id)
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is RuntimeError and str(record.exc_info[1]) == "boom in /srv/ecom/secret.py"
    assert "/srv/ecom" not in displayed_text(at) and "RuntimeError" not in displayed_text(at)


def test_message_in_chinese(caplog):
    at = AppTest.from_function(failing_script)
    at.session_state["lang"] = "zh"
    at.run()
    assert [e.message for e in at.exception] == []
    text = at.error[0].value
    assert re.fullmatch(r"出了点问题；管理员可以在服务器日志中查看详情。\n\n错误编号：[0-9a-f]{8}", text), text


def control_flow_script():
    import streamlit as st

    from ecom.ui import errors

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    with errors.guarded():
        if st.session_state["runs"] == 1:
            st.rerun()
        with errors.guarded():
            st.stop()
    st.write("not reached")


def test_stop_and_rerun_pass_through():
    at = AppTest.from_function(control_flow_script).run()
    assert at.session_state["runs"] == 2
    assert [e.message for e in at.exception] == [] and len(at.error) == 0 and len(at.markdown) == 0


def raising_script():
    import streamlit as st

    def callback():
        raise ValueError("callback failed at /srv/x")

    st.button("go", on_click=callback)
    if st.session_state.get("fail"):
        raise KeyError("/srv/y")


def test_on_script_error_covers_what_escapes_the_script_and_callbacks(served, caplog):
    at = AppTest.from_function(raising_script)
    at.session_state["fail"] = True
    at.run()
    logged(caplog, shown_error(at, UNEXPECTED))
    at.session_state["fail"] = False
    at.button[0].click().run()
    record = logged(caplog, shown_error(at, UNEXPECTED))
    assert record.exc_info[0] is ValueError
    assert "/srv/" not in displayed_text(at)


def test_kinds():
    assert all(f"errors.{kind}" in i18n.catalog() for kind in errors.KINDS)
    busy = duckdb.IOException('IO Error: Could not set lock on file "/srv/w.duckdb": Conflicting lock is held in python (PID 1)')
    conflict = duckdb.TransactionException('TransactionContext Error: Catalog write-write conflict on create with "app.x"')
    assert errors.kind_of(busy) == "busy"
    assert errors.kind_of(WarehouseBusy("the warehouse /srv/w.duckdb is in use")) == "busy"
    assert errors.kind_of(conflict) == "conflict"
    assert errors.kind_of(ReviewModelError("no model at /srv/m")) == "model"
    assert errors.kind_of(duckdb.IOException("IO Error: No such file")) == "unexpected"
    assert errors.kind_of(duckdb.IOException("IO Error: Could not read enough bytes from block 12")) == "unexpected"
    try:
        try:
            raise busy
        except duckdb.IOException as exc:
            raise RuntimeError("while opening") from exc
    except RuntimeError as wrapped:
        assert errors.kind_of(wrapped) == "busy"


# -- real pages ----------------------------------------------------------------------------------


def test_a_page_whose_query_fails(app_env, served, monkeypatch, caplog):
    from ecom import sqlbox

    def failing(wh, sql, *args, **kwargs):
        raise duckdb.InternalException(f"INTERNAL Error: failed in {app_env}")

    monkeypatch.setattr(sqlbox, "run", failing)
    at = open_app("app_pages/sql.py")
    run_sql(at, "SELECT 1 AS one")
    record = logged(caplog, shown_error(at, UNEXPECTED))
    assert record.exc_info[0] is duckdb.InternalException
    assert str(app_env) not in displayed_text(at)


@pytest.fixture
def held(app_env):
    """The warehouse file held open for writing by another process (as a second app or a script would)."""
    Warehouse(app_env).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(120)", str(app_env)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield app_env
    finally:
        holder.kill()
        holder.wait(timeout=20)


@pytest.mark.parametrize("page", ["app_pages/home.py", "app_pages/sales.py", "app_pages/data.py"])
def test_busy_warehouse_shows_a_plain_message(held, served, caplog, page):
    at = open_app(page)
    error_id = shown_error(at, BUSY)
    record = logged(caplog, error_id)
    assert "lock" in str(record.exc_info[1]).lower() or isinstance(record.exc_info[1], WarehouseBusy)
    text = displayed_text(at)
    assert str(held.parent) not in text and "Traceback" not in text and "duckdb" not in text.lower()


def test_review_model_that_cannot_load(app_env, served, monkeypatch, caplog, tmp_path):
    wh = Warehouse(app_env)
    with wh.transaction() as cur:
        cur.execute("INSERT INTO main.reviews (review_id, product_id, review_time, rating, review_text) VALUES ('R1', 'P1', '2024-11-01', 5, 'good')")
        Warehouse.bump_version(cur)
    wh.close()
    missing = tmp_path / "no-such-model"
    monkeypatch.setenv("ECOM_REVIEW_MODEL", str(missing))
    at = open_app("app_pages/reviews.py")
    record = logged(caplog, shown_error(at, MODEL))
    assert record.exc_info[0] is ReviewModelError
    assert str(tmp_path) not in displayed_text(at)
