"""SQL: a read-only explorer. One SELECT over the user tables, a time limit, a row cap, downloads."""

import streamlit as st

from ecom import audit, settings, sqlbox
from ecom.ui import auth
from ecom.ui.cache import cached_query, row_counts, warehouse
from ecom.ui.download import download_buttons
from ecom.ui.lang import current, tr
from ecom.ui.tables import show as show_table

EXAMPLE = "SELECT category, count(*) AS lines, sum(revenue) AS revenue\nFROM sales\nGROUP BY category\nORDER BY revenue DESC"


@cached_query
def run_query(wh, sql: str) -> sqlbox.SqlResult:
    return sqlbox.run(wh, sql)


@cached_query
def table_columns(wh) -> dict[str, list[tuple[str, str]]]:
    cur = wh.cursor()
    try:
        rows = cur.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
        ).fetchall()
    finally:
        cur.close()
    allowed = set(wh.user_tables())
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        if table in allowed:
            out.setdefault(table, []).append((column, dtype))
    return out


lang = current()
me = auth.require("sql")
st.title(tr("sql.title"))
if warehouse().engine != "duckdb":
    st.info(sqlbox.SqlRefused("sql.err.engine").text(lang), icon=":material/info:")
    st.stop()
st.caption(tr("sql.intro", cap=f"{settings.get('ECOM_SQL_ROW_CAP'):,}", seconds=f"{settings.get('ECOM_SQL_TIMEOUT_S'):g}"))

editor, tables = st.columns([3, 1])
with editor:
    with st.form("sql_form", border=False):
        sql = st.text_area(tr("sql.editor"), value=EXAMPLE, height=180, key="sql_text")
        submitted = st.form_submit_button(tr("sql.run"), type="primary", icon=":material/play_arrow:")
with tables:
    st.markdown(f"**{tr('sql.tables')}**")
    counts = row_counts()
    for table, cols in table_columns().items():
        with st.expander(f"{table} ({counts.get(table, 0):,})"):
            st.markdown("\n".join(f"- `{c}` {d}" for c, d in cols))

if submitted:
    st.session_state["sql_last"] = sql
    audit.write(warehouse(), me, "sql", sql, auth.address())
query = st.session_state.get("sql_last")
if query:
    try:
        result = run_query(query)
    except sqlbox.SqlRefused as refused:
        st.error(refused.text(lang), icon=":material/block:")
        st.stop()
    if result.truncated:
        st.caption(tr("sql.showing", n=f"{len(result.frame):,}", m=f"{result.total_rows:,}", seconds=f"{result.elapsed_s:.2f}"))
    else:
        st.caption(tr("sql.rows", m=f"{result.total_rows:,}", seconds=f"{result.elapsed_s:.2f}"))
    show_table(result.frame, hide_index=True)
    download_buttons(result.frame, "query", key="sql_download")
