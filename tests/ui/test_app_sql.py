"""The SQL page: hostile statements refused with a message and nothing changed; caps; fresh results."""

import pytest

from ecom import sqlbox
from ecom.queries import summaries
from ecom.warehouse import Warehouse
from tests.test_sqlbox import HOSTILE
from tests.ui.conftest import assert_clean, open_app


@pytest.fixture
def loaded(app_env):
    wh = Warehouse(app_env)
    with wh.transaction() as cur:
        cur.execute(
            "INSERT INTO sales (order_id, order_time, product_id, quantity, revenue, line_kind) VALUES "
            "('A1', '2024-11-01 10:00', 'P1', 2, 20.00, 'sale'), ('A2', '2024-11-02 11:00', 'P2', 1, 5.50, 'sale'), "
            "('A3', '2024-11-03 12:00', 'P1', 3, 30.00, 'sale')"
        )
        Warehouse.bump_version(cur)
    yield wh
    wh.close()


def run_sql(at, sql):
    at.text_area(key="sql_text").set_value(sql)
    at.button[0].click()
    return at.run()


def state(wh):
    cur = wh.cursor()
    try:
        return (
            cur.execute("SELECT table_schema, table_name FROM information_schema.tables ORDER BY ALL").fetchall(),
            cur.execute("SELECT order_id, quantity, revenue FROM sales ORDER BY order_id").fetchall(),
            cur.execute("SELECT * FROM app.meta ORDER BY key").fetchall(),
        )
    finally:
        cur.close()


def test_hostile_statements_are_refused_on_the_page(loaded, tmp_path):
    # the summary tables, as a load builds them (the sidebar reads them), are there before the attack
    summaries.refresh(loaded)
    before = state(loaded)
    at = open_app("app_pages/sql.py")
    for name, (sql, key) in sorted(HOSTILE.items()):
        run_sql(at, sql.format(tmp=tmp_path))
        assert_clean(at)
        with pytest.raises(sqlbox.SqlRefused) as expected:
            sqlbox.run(loaded, sql.format(tmp=tmp_path))
        assert expected.value.key == key, name
        assert [e.value for e in at.error] == [expected.value.text("en")], name
        assert len(at.dataframe) == 0, name
    assert state(loaded) == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()


def test_refusal_in_chinese(loaded):
    at = open_app("app_pages/sql.py", lang="zh")
    run_sql(at, "SELECT * FROM app.meta")
    assert [e.value for e in at.error] == ["只能读取编辑器旁列出的表，不能读取 app.meta。"]


def test_results_row_cap_and_download(loaded, monkeypatch):
    monkeypatch.setenv("ECOM_SQL_ROW_CAP", "2")
    at = open_app("app_pages/sql.py")
    run_sql(at, "SELECT order_id, quantity FROM sales ORDER BY order_id")
    assert_clean(at)
    assert at.dataframe[0].value["order_id"].tolist() == ["A1", "A2"]
    assert at.main.caption[-1].value.startswith("Showing the first 2 of 3 rows")
    assert [b.proto.label for b in at.main.get("download_button")] == ["Download CSV", "Download Excel"]


def test_results_follow_the_data_version(loaded):
    at = open_app("app_pages/sql.py")
    run_sql(at, "SELECT count(*) AS n, sum(quantity) AS units FROM sales")
    assert at.dataframe[0].value.iloc[0].tolist() == [3, 6]
    with loaded.transaction() as cur:
        cur.execute("INSERT INTO sales (order_id, order_time, product_id, quantity, line_kind) VALUES ('A4', '2024-11-04 10:00', 'P9', 4, 'sale')")
        Warehouse.bump_version(cur)
    at.run()
    assert at.dataframe[0].value.iloc[0].tolist() == [4, 10]
    # the sidebar follows too
    assert "Sales 4" in [c.value for c in at.sidebar.caption]


def test_tables_beside_the_editor_exclude_the_app_schema(loaded):
    at = open_app("app_pages/sql.py")
    labels = [e.label for e in at.expander]
    assert labels == ["behavior (0)", "market (0)", "products (0)", "rejects (0)", "reviews (0)", "sales (3)", "stock (0)", "upload_log (0)"]
