"""Data: upload files, check and fix how they are read, load them, browse tables, undo uploads."""

import shutil
import tempfile
import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from ecom import ingest, schema, settings
from ecom.ingest import mapping as mapping_mod
from ecom.ingest.read import SUPPORTED_EXT, IngestError
from ecom.ui.cache import cached_query, row_counts, warehouse
from ecom.ui.download import download_buttons
from ecom.ui.lang import current, tr

TABLES = list(schema.TABLES)
IGNORE = "—"
BROWSE_ROWS = 200


# -- cached reads (keyed on the data version) ----------------------------------------------------
@cached_query
def data_table_preview(wh, table: str, limit: int) -> pd.DataFrame:
    # MAP columns (the unmapped source columns, raw reject values) are shown as text.
    if table in schema.TABLES:
        sql = f'SELECT * REPLACE (CAST(_extra AS VARCHAR) AS _extra) FROM main."{table}" ORDER BY _upload_id, _source_row'
    elif table == "rejects":
        sql = "SELECT * REPLACE (CAST(raw AS VARCHAR) AS raw) FROM main.rejects ORDER BY upload_id, source_row"
    else:
        sql = f'SELECT * FROM main."{table}"'
    cur = wh.cursor()
    try:
        return cur.execute(f"{sql} LIMIT {int(limit)}").df()
    finally:
        cur.close()


@cached_query
def data_upload_log(wh) -> pd.DataFrame:
    cur = wh.cursor()
    try:
        return cur.execute("SELECT * FROM main.upload_log ORDER BY upload_id DESC").df()
    finally:
        cur.close()


@cached_query
def data_rejects(wh, upload_id: int) -> pd.DataFrame:
    cur = wh.cursor()
    try:
        return cur.execute(
            "SELECT source_row, reason, CAST(raw AS VARCHAR) AS raw FROM main.rejects WHERE upload_id = ? ORDER BY source_row", [upload_id]
        ).df()
    finally:
        cur.close()


@cached_query
def data_quality(wh, table: str, upload_id: int) -> pd.DataFrame:
    return ingest.column_quality(wh, table, upload_id)


# -- helpers -------------------------------------------------------------------------------------
def table_label(name: str) -> str:
    return f"{name} · {tr('data.table.' + name)}"


def upload_dir() -> Path:
    if "data_dir" not in st.session_state:
        st.session_state["data_dir"] = tempfile.mkdtemp(prefix="ecom-upload-")
    return Path(st.session_state["data_dir"])


def sniffed(uploaded) -> dict:
    """Save an uploaded file to disk once and sniff it; remembered for the session."""
    files = st.session_state.setdefault("data_files", {})
    if uploaded.file_id not in files:
        folder = upload_dir() / uuid.uuid4().hex
        folder.mkdir()
        path = folder / Path(uploaded.name).name
        path.write_bytes(uploaded.getbuffer())
        entry = {"name": uploaded.name, "path": str(path), "sources": [], "error": None}
        try:
            entry["sources"] = ingest.sniff(path, name=uploaded.name, wh=warehouse(), lang=current())
        except IngestError as exc:
            entry["error"] = str(exc)
        files[uploaded.file_id] = entry
    return files[uploaded.file_id]


def forget_files() -> None:
    shutil.rmtree(st.session_state.pop("data_dir", ""), ignore_errors=True)
    st.session_state.pop("data_files", None)
    st.session_state["data_uploader_gen"] = st.session_state.get("data_uploader_gen", 0) + 1


def delimiter_label(delimiter: str | None) -> str:
    if delimiter == "\t":
        return tr("data.delim.tab")
    if delimiter in ("whitespace", " "):
        return tr("data.delim.space")
    return f"“{delimiter}”"


def examples(preview: pd.DataFrame, column: str) -> str:
    if column not in preview.columns:
        return ""
    values = [str(v) for v in preview[column].tolist() if v not in (None, "") and not pd.isna(v)]
    return values[0][:40] if values else ""


def mapping_editor(key: str, src, table: str, preset: dict | None) -> tuple[dict[str, str], list[str]]:
    """The editable mapping of one source; returns (mapping, problems)."""
    columns = list(src.columns)
    derive: dict[str, str] = {}
    if preset is not None:
        suggested = mapping_mod._apply_preset(preset, columns)
        derive = {k: v for k, v in preset.get("derive", {}).items() if k not in {mapping_mod.split_target(x)[0] for x in suggested.values()}}
    elif table == src.table:
        suggested = dict(src.mapping)
    else:
        suggested = mapping_mod.suggest(columns, wh=warehouse(), values=src.preview.values.tolist(), table=table).mapping
    targets = list(schema.TABLES[table].names)
    targets += sorted({v for v in suggested.values() if v and v not in targets})
    frame = pd.DataFrame(
        {
            "column": columns,
            "example": [examples(src.preview, c) for c in columns],
            "target": [suggested.get(c) or IGNORE for c in columns],
        }
    )
    edited = st.data_editor(
        frame,
        key=f"data_map_{key}_{table}_{preset['name'] if preset else ''}",
        hide_index=True,
        disabled=["column", "example"],
        column_config={
            "column": st.column_config.TextColumn(tr("data.map.source")),
            "example": st.column_config.TextColumn(tr("data.map.example")),
            "target": st.column_config.SelectboxColumn(tr("data.map.target"), options=[IGNORE, *targets], required=True),
        },
        width="stretch",
    )
    mapping = {c: ("" if t in (IGNORE, None) else t) for c, t in zip(edited["column"], edited["target"], strict=True)}
    problems = []
    by_target: dict[str, list[str]] = {}
    for col, target in mapping.items():
        if target:
            by_target.setdefault(mapping_mod.split_target(target)[0], []).append(col)
    for target, cols in by_target.items():
        if len(cols) > 1 and not all(mapping_mod.split_target(mapping[c])[1] in ("year", "month") for c in cols):
            problems.append(tr("data.duplicate_target", target=target, columns=", ".join(cols)))
    missing = mapping_mod.check_mapping(table, {k: v for k, v in mapping.items() if v}, derive)
    if missing:
        problems.append(tr("data.missing_required", table=table, columns=", ".join(missing)))
    return mapping, problems


def source_panel(key: str, src) -> tuple[str | None, dict[str, str], bool]:
    """One sheet / file: what was detected, preview, table, preset and mapping. Returns (table, mapping, ok)."""
    with st.container(border=True):
        st.markdown(f"**{src.source}**")
        rows = f"{src.rows_estimate:,}" if src.rows_estimate is not None else "?"
        header = src.header_row + 1 if src.header_row is not None else None
        if src.encoding:
            st.caption(tr("data.detected", encoding=src.encoding, delimiter=delimiter_label(src.delimiter), header=header or "—", rows=rows))
        else:
            st.caption(tr("data.detected.sheet", header=header or "—", rows=rows))
        if header is None:
            st.caption(tr("data.no_header"))
        if src.notes:
            with st.expander(tr("data.notes")):
                st.markdown("\n".join(f"- {n}" for n in src.notes))
        with st.expander(tr("data.preview"), expanded=False):
            st.dataframe(src.preview.head(10), hide_index=True)
        left, right = st.columns(2)
        table_labels = {t: table_label(t) for t in TABLES}
        table = left.selectbox(
            tr("data.target_table"),
            TABLES,
            index=TABLES.index(src.table) if src.table in TABLES else None,
            format_func=table_labels.__getitem__,
            key=f"data_table_{key}",
        )
        if table is None:
            st.warning(tr("data.choose_table"))
            return None, {}, False
        presets = {p["name"]: p for p in mapping_mod.presets() if p["table"] == table}
        options = [None, *presets]
        preset_labels = {None: tr("data.preset.none"), **{n: p.get("label", n) for n, p in presets.items()}}
        chosen = right.selectbox(
            tr("data.preset"),
            options,
            index=options.index(src.preset) if src.preset in options and table == src.table else 0,
            format_func=preset_labels.__getitem__,
            key=f"data_preset_{key}_{table}",
        )
        st.markdown(tr("data.mapping"))
        mapping, problems = mapping_editor(key, src, table, presets.get(chosen))
        for problem in problems:
            st.warning(problem, icon=":material/warning:")
        return table, mapping, not problems


def run_load(plans: list[dict], mode: str) -> list[dict]:
    bar = st.progress(0.0)
    reports = []
    for j, plan in enumerate(plans):
        def progress(fraction: float, message: str, j=j, name=plan["name"]) -> None:
            bar.progress(min(1.0, (j + fraction) / len(plans)), text=tr("data.loading", name=name))

        progress(0.0, "")
        for report in ingest.ingest_file(
            warehouse(), plan["path"], table=plan["table"], mode=mode, mapping=plan["mapping"], name=plan["name"], progress=progress,
            lang=current(), refresh=False,
        ):
            reports.append(report.to_dict())
    # the pages' summary tables once for the whole upload, not once per file
    bar.progress(0.99, text=tr("data.summaries"))
    ingest.refresh_summaries(warehouse())
    bar.progress(1.0, text=tr("data.done"))
    return reports


def show_reports(reports: list[dict]) -> None:
    st.subheader(tr("data.report"))
    summary = pd.DataFrame(
        {
            tr("data.col.source"): [r["source"] for r in reports],
            tr("data.col.table"): [r["table"] or "" for r in reports],
            tr("data.col.read"): [r["rows_read"] for r in reports],
            tr("data.col.loaded"): [r["rows_loaded"] for r in reports],
            tr("data.col.rejected"): [r["rows_rejected"] for r in reports],
            tr("data.col.skipped"): [r["rows_skipped"] for r in reports],
            tr("data.col.status"): [tr("data.status." + r["status"]) for r in reports],
        }
    )
    st.dataframe(summary, hide_index=True)
    for i, r in enumerate(reports):
        fmt = {
            "source": r["source"], "table": r["table"] or "—", "loaded": f"{r['rows_loaded']:,}",
            "rejected": f"{r['rows_rejected']:,}", "skipped": f"{r['rows_skipped']:,}", "upload_id": r["upload_id"],
        }
        if r["status"] == "loaded":
            (st.warning if r["rows_rejected"] else st.success)(tr("data.report.loaded", **fmt))
        elif r["status"] == "duplicate":
            st.info(tr("data.report.duplicate", **fmt))
        else:
            st.error(tr("data.report.failed", **fmt) + " " + r["message"])
        if r["notes"] or (r["status"] == "loaded" and r["message"]):
            with st.expander(tr("data.report.details")):
                st.markdown("\n".join(f"- {n}" for n in [r["message"], *r["notes"]] if n))
        if r["status"] != "loaded" or r["upload_id"] is None:
            continue
        if r["rows_rejected"]:
            with st.expander(tr("data.rejects", source=r["source"]), expanded=True):
                rejects = data_rejects(int(r["upload_id"]))
                st.dataframe(rejects, hide_index=True)
                download_buttons(rejects, f"rejects_{r['upload_id']}", key=f"data_rejects_{i}")
        with st.expander(tr("data.quality", source=r["source"], table=r["table"])):
            st.dataframe(data_quality(r["table"], int(r["upload_id"])), hide_index=True)


# -- the page ------------------------------------------------------------------------------------

st.title(tr("data.title"))
st.caption(tr("data.intro"))
upload_tab, tables_tab, log_tab = st.tabs([tr("data.tab.upload"), tr("data.tab.tables"), tr("data.tab.log")])

with upload_tab:
    # Streamlit's server refuses bodies over server.maxUploadSize whatever the widget says, so the
    # widget shows the smaller of the two (`make run` passes ECOM_MAX_UPLOAD_MB to the server).
    max_mb = min(settings.get("ECOM_MAX_UPLOAD_MB"), st.get_option("server.maxUploadSize"))
    uploads = st.file_uploader(
        tr("data.uploader", mb=max_mb),
        type=sorted(e.lstrip(".") for e in SUPPORTED_EXT),
        accept_multiple_files=True,
        max_upload_size=max_mb,
        help=tr("data.uploader.help"),
        key=f"data_uploader_{st.session_state.get('data_uploader_gen', 0)}",
    )
    plans, all_ok = [], True
    for uploaded in uploads or []:
        entry = sniffed(uploaded)
        if entry["error"]:
            st.error(tr("data.read_failed", name=entry["name"], reason=entry["error"]))
            continue
        chosen_tables, merged = set(), {}
        for i, src in enumerate(entry["sources"]):
            table, mapping, ok = source_panel(f"{uploaded.file_id}_{i}", src)
            all_ok = all_ok and ok
            chosen_tables.add(table)
            merged.update(mapping)
        # One table and one mapping per file: a workbook whose sheets go to different tables is loaded
        # with the table guessed per sheet, and each sheet only uses the mapping entries of its columns.
        table = chosen_tables.pop() if len(chosen_tables) == 1 else "auto"
        plans.append({"name": entry["name"], "path": entry["path"], "table": table or "auto", "mapping": merged})
    if plans:
        mode_labels = {m: tr("data.mode." + m) for m in ("append", "replace")}
        mode = st.radio(tr("data.mode"), list(mode_labels), format_func=mode_labels.__getitem__, horizontal=True, key="data_mode")
        if not all_ok:
            st.info(tr("data.fix_first"))
        if st.button(tr("data.load"), type="primary", disabled=not all_ok, icon=":material/upload:", key="data_load"):
            st.session_state["data_reports"] = run_load(plans, mode)
            loaded = [r["table"] for r in st.session_state["data_reports"] if r["status"] == "loaded"]
            if loaded:
                st.session_state["data_browse"] = loaded[0]  # the tables browser opens on what was just loaded
            forget_files()
            st.rerun()
    if st.session_state.get("data_reports"):
        show_reports(st.session_state["data_reports"])

with tables_tab:
    counts = row_counts()
    browse_labels = {t: f"{table_label(t)} ({counts.get(t, 0):,})" for t in warehouse().user_tables()}
    non_empty = [t for t in browse_labels if counts.get(t, 0)]
    if st.session_state.get("data_browse") not in browse_labels and non_empty:
        st.session_state["data_browse"] = non_empty[0]
    browse = st.selectbox(
        tr("data.browse.table"),
        list(browse_labels),
        format_func=browse_labels.__getitem__,
        key="data_browse",
    )
    if browse:
        total = counts.get(browse, 0)
        if total == 0:
            st.info(tr("data.browse.empty"))
        else:
            preview = data_table_preview(browse, BROWSE_ROWS)
            st.caption(tr("data.browse.rows", table=browse, rows=f"{total:,}", shown=f"{len(preview):,}"))
            st.dataframe(preview, hide_index=True)
            download_buttons(preview, browse, key="data_browse_dl")

with log_tab:
    log = data_upload_log()
    if log.empty:
        st.info(tr("data.log.empty"))
    else:
        shown = log[["upload_id", "loaded_at", "file_name", "table_name", "mode", "rows_read", "rows_loaded", "rows_rejected", "rows_skipped", "encoding", "undone_at"]]
        st.dataframe(shown, hide_index=True)
        download_buttons(shown, "upload_log", key="data_log_dl")
        active = log[log["undone_at"].isna()]
        if not active.empty:
            st.subheader(tr("data.log.undo"))
            labels = {
                int(r.upload_id): tr("data.log.option", upload_id=int(r.upload_id), file=r.file_name, table=r.table_name,
                                     rows=f"{int(r.rows_loaded):,}", when=str(r.loaded_at)[:16])
                for r in active.itertuples()
            }
            pick = st.selectbox(tr("data.log.pick"), list(labels), format_func=labels.__getitem__, key="data_undo_pick")
            sure = st.checkbox(tr("data.log.confirm"), key="data_undo_sure")
            if st.button(tr("data.log.undo_button"), disabled=not sure, icon=":material/undo:", key="data_undo"):
                removed = ingest.undo_upload(warehouse(), int(pick))
                st.session_state["data_undone"] = (int(pick), removed)
                st.session_state.pop("data_undo_sure", None)
                st.rerun()
    if st.session_state.get("data_undone"):
        upload_id, removed = st.session_state.pop("data_undone")
        st.success(tr("data.log.undone", upload_id=upload_id, rows=f"{removed:,}"))
