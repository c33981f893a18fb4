import time

import pytest

from ecom import sqlbox


@pytest.fixture
def wh(warehouse):
    with warehouse.transaction() as cur:
        cur.execute(
            "INSERT INTO sales (order_id, order_time, product_id, quantity, revenue, category, line_kind) VALUES "
            "('A1', '2024-11-01 10:00', 'P1', 2, 20.00, '服装', 'sale'), ('A2', '2024-11-02 11:00', 'P2', 1, 5.50, '服装', 'sale'), "
            "('A3', '2024-11-03 12:00', 'P1', 3, 30.00, '鞋', 'sale')"
        )
    return warehouse


def snapshot(wh):
    cur = wh.cursor()
    try:
        state = {
            "tables": cur.execute("SELECT table_schema, table_name FROM information_schema.tables ORDER BY ALL").fetchall(),
            "sales": cur.execute("SELECT * EXCLUDE (_extra) FROM sales ORDER BY order_id").fetchall(),
            "meta": cur.execute("SELECT * FROM app.meta ORDER BY key").fetchall(),
            "threads": cur.execute("SELECT current_setting('threads')").fetchone(),
        }
    finally:
        cur.close()
    return state


HOSTILE = {
    "read_csv": ("SELECT * FROM read_csv('/etc/passwd')", "sql.err.table_function"),
    "from_file": ("SELECT * FROM '/some/file.csv'", "sql.err.file"),
    "from_first_file": ("FROM '/etc/passwd'", "sql.err.file"),
    "read_text": ("SELECT * FROM read_text('/etc/hostname')", "sql.err.table_function"),
    "read_blob": ("SELECT content FROM read_blob('/etc/hostname')", "sql.err.table_function"),
    "glob": ("SELECT * FROM glob('/etc/*')", "sql.err.table_function"),
    "copy_to": ("COPY sales TO '{tmp}/out.csv'", "sql.err.statement"),
    "copy_query_to": ("COPY (SELECT * FROM sales) TO '{tmp}/out.csv'", "sql.err.statement"),
    "export": ("EXPORT DATABASE '{tmp}/dump'", "sql.err.statement"),
    "attach": ("ATTACH '{tmp}/other.duckdb' AS other", "sql.err.statement"),
    "detach": ("DETACH other", "sql.err.statement"),
    "install": ("INSTALL httpfs", "sql.err.statement"),
    "load": ("LOAD httpfs", "sql.err.statement"),
    "set": ("SET threads = 1", "sql.err.statement"),
    "reset": ("RESET threads", "sql.err.statement"),
    "pragma": ("PRAGMA version", "sql.err.statement"),
    "pragma_table_info": ("PRAGMA table_info('app.meta')", "sql.err.statement"),
    "call": ("CALL pragma_version()", "sql.err.statement"),
    "create": ("CREATE TABLE evil AS SELECT 1", "sql.err.statement"),
    "create_view": ("CREATE VIEW v AS SELECT * FROM sales", "sql.err.statement"),
    "drop": ("DROP TABLE sales", "sql.err.statement"),
    "alter": ("ALTER TABLE sales ADD COLUMN x INT", "sql.err.statement"),
    "insert": ("INSERT INTO sales (order_id) VALUES ('X')", "sql.err.statement"),
    "update": ("UPDATE sales SET revenue = 0", "sql.err.statement"),
    "delete": ("DELETE FROM sales", "sql.err.statement"),
    "several": ("SELECT 1; DROP TABLE sales", "sql.err.several"),
    "several_selects": ("SELECT 1; SELECT 2", "sql.err.several"),
    "app_meta": ("SELECT * FROM app.meta", "sql.err.schema"),
    "app_mapping_memory": ("SELECT * FROM app.mapping_memory", "sql.err.schema"),
    "app_in_subquery": ("SELECT * FROM sales WHERE order_id IN (SELECT key FROM app.meta)", "sql.err.schema"),
    "app_in_cte": ("WITH x AS (SELECT * FROM app.meta) SELECT * FROM x", "sql.err.schema"),
    "app_catalog_qualified": ("SELECT * FROM wh.app.meta", "sql.err.schema"),
    "nextval": ("SELECT nextval('app.upload_seq')", "sql.err.function"),
    "information_schema": ("SELECT * FROM information_schema.tables", "sql.err.schema"),
    "duckdb_tables": ("SELECT * FROM duckdb_tables()", "sql.err.table_function"),
    "query_fn": ("SELECT * FROM query('SELECT * FROM app.meta')", "sql.err.table_function"),
    "describe": ("DESCRIBE sales", "sql.err.show"),
    "show_all": ("SHOW ALL TABLES", "sql.err.show"),
    "unknown": ("SELECT * FROM meta", "sql.err.unknown_table"),
    "checkpoint": ("CHECKPOINT", "sql.err.statement"),
    "transaction": ("BEGIN TRANSACTION", "sql.err.statement"),
    "empty": ("  -- nothing\n", "sql.err.empty"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_statement_is_refused_and_changes_nothing(wh, tmp_path, name):
    sql, key = HOSTILE[name]
    before = snapshot(wh)
    with pytest.raises(sqlbox.SqlRefused) as refused:
        sqlbox.run(wh, sql.format(tmp=tmp_path))
    assert refused.value.key == key
    assert snapshot(wh) == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists() and not (tmp_path / "other.duckdb").exists()


def test_refusal_reads_in_both_languages(wh):
    with pytest.raises(sqlbox.SqlRefused) as refused:
        sqlbox.run(wh, "SELECT * FROM app.meta")
    assert "app.meta" in refused.value.text("en") and refused.value.text("en").startswith("Only the tables")
    assert refused.value.text("zh") == "只能读取编辑器旁列出的表，不能读取 app.meta。"


def test_select_returns_exact_values(wh):
    result = sqlbox.run(
        wh,
        "WITH c AS (SELECT category, sum(quantity) AS units, sum(revenue) AS revenue FROM sales GROUP BY category) "
        "SELECT * FROM c ORDER BY revenue DESC",
    )
    assert result.total_rows == 2 and not result.truncated
    assert result.frame["category"].tolist() == ["鞋", "服装"]
    assert result.frame["units"].tolist() == [3, 3]
    assert [float(x) for x in result.frame["revenue"]] == [30.0, 25.5]


def test_bookkeeping_tables_are_readable(wh):
    assert sqlbox.run(wh, "SELECT count(*) AS n FROM upload_log").frame["n"].tolist() == [0]
    assert sqlbox.run(wh, "select * from main.rejects").total_rows == 0


def test_row_cap_reports_first_n_of_m(wh):
    result = sqlbox.run(wh, "SELECT * FROM range(25)", row_cap=10)
    assert (len(result.frame), result.total_rows, result.truncated) == (10, 25, True)
    assert result.frame.iloc[:, 0].tolist() == list(range(10))
    result = sqlbox.run(wh, "SELECT * FROM sales", row_cap=3)
    assert (len(result.frame), result.total_rows, result.truncated) == (3, 3, False)


def test_long_query_is_interrupted(wh):
    start = time.perf_counter()
    with pytest.raises(sqlbox.SqlRefused) as refused:
        sqlbox.run(wh, "SELECT count(*) FROM range(1000000000) a, range(1000000) b", timeout_s=0.5)
    assert refused.value.key == "sql.err.timeout"
    assert time.perf_counter() - start < 5
    # the warehouse still answers afterwards
    assert sqlbox.run(wh, "SELECT count(*) AS n FROM sales").frame["n"].tolist() == [3]


def test_runtime_errors_are_reported_not_raised(wh):
    with pytest.raises(sqlbox.SqlRefused) as refused:
        sqlbox.run(wh, "SELECT no_such_column FROM sales")
    assert refused.value.key == "sql.err.failed" and "no_such_column" in str(refused.value)
