"""No table hands a spreadsheet a formula: the project's config hides the tables' own download (and
Streamlit sends that to the browser); with that option off, text cells are drawn neutralised and
numbers stay numbers; a data editor draws its read-only text neutralised and returns the real
values; and every table of the app goes through ecom/ui/tables.py."""

import re
import tomllib
from decimal import Decimal

import pytest
from streamlit import config
from streamlit.proto.NewSession_pb2 import Config
from streamlit.runtime.app_session import _populate_config_msg
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.ui.conftest import assert_clean, open_app
from tests.ui.test_app_sql import run_sql

FORMULAS = ("SELECT '=HYPERLINK(\"http://x\",\"y\")' AS review, '＝1+1' AS wide, '@SUM(A1)' AS at_sign, '-5' AS code, "
            "CAST(-12.5 AS DOUBLE) AS amount, CAST(-3.25 AS DECIMAL(18,2)) AS money, 7 AS n")
RAW = {"review": '=HYPERLINK("http://x","y")', "wide": "＝1+1", "at_sign": "@SUM(A1)", "code": "-5", "amount": -12.5, "money": Decimal("-3.25"), "n": 7}


def test_project_config_hides_table_export_and_error_details():
    client = tomllib.loads((ROOT / ".streamlit/config.toml").read_text(encoding="utf-8"))["client"]
    assert client["disableDataExport"] is True
    assert client["showErrorDetails"] == "none"
    # the options as the app (run from the project folder) reads them, and as the browser is told
    assert config.get_option("client.disableDataExport") is True
    msg = Config()
    _populate_config_msg(msg)
    assert msg.disable_data_export is True


def test_sql_result_shows_the_real_values_while_export_is_hidden(app_env):
    at = open_app("app_pages/sql.py")
    run_sql(at, FORMULAS)
    assert_clean(at)
    assert at.dataframe[0].value.iloc[0].to_dict() == RAW


@pytest.fixture
def export_on():
    """client.disableDataExport turned off, as an environment variable or another config file could."""
    before = config.get_option("client.disableDataExport")
    config.set_option("client.disableDataExport", False)
    yield
    config.set_option("client.disableDataExport", before)


def test_with_export_on_text_cells_are_drawn_neutralised_and_numbers_stay_numbers(app_env, export_on):
    at = open_app("app_pages/sql.py")
    run_sql(at, FORMULAS)
    assert_clean(at)
    shown = at.dataframe[0].value
    assert shown.iloc[0].to_dict() == {**RAW, "review": "'" + RAW["review"], "wide": "'＝1+1", "at_sign": "'@SUM(A1)", "code": "'-5"}
    # numbers stay numbers, negative ones included: only text gets the apostrophe
    assert shown["amount"].dtype.kind == "f" and shown["n"].dtype.kind == "i" and isinstance(shown["money"][0], Decimal)


def editor_script():
    import pandas as pd
    import streamlit as st

    from ecom.ui import tables

    frame = pd.DataFrame({"column": ["=cmd|' /C calc'!A0", "price"], "example": ["＠SUM(1)", "-3"], "target": ["=keep", "unit_price"], "n": [-1, 2]})
    edited = tables.edit(frame, key="editor", hide_index=True, disabled=["column", "example", "n"])
    st.session_state["returned"] = edited.to_dict("list")


def test_data_editor_draws_read_only_text_neutralised_and_returns_real_values():
    at = AppTest.from_function(editor_script).run()
    assert_clean(at)
    shown = at.data_editor[0].value
    assert shown["column"].tolist() == ["'=cmd|' /C calc'!A0", "price"]
    assert shown["example"].tolist() == ["'＠SUM(1)", "'-3"]
    assert shown["n"].tolist() == [-1, 2]
    assert shown["target"].tolist() == ["=keep", "unit_price"]  # editable cells are the person's own: untouched
    assert at.session_state["returned"] == {"column": ["=cmd|' /C calc'!A0", "price"], "example": ["＠SUM(1)", "-3"],
                                            "target": ["=keep", "unit_price"], "n": [-1, 2]}


def test_every_table_goes_through_the_helper():
    # any st.dataframe / st.data_editor / st.table, also called on a container (col.dataframe(...))
    pattern = re.compile(r"\.(dataframe|data_editor)\(|\bst\.table\(")
    files = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "ecom").rglob("*.py"))]
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        if path != ROOT / "ecom/ui/tables.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
