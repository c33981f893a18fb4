"""Data: upload files, check and fix how they are read, load them, browse tables, undo uploads."""

import pandas as pd
import streamlit as st

from ecom import audit, ingest, schema, settings
from ecom.currency import CODES
from ecom.ingest import mapping as mapping_mod
from ecom.ingest.read import SUPPORTED_EXT
from ecom.queries import common
from ecom.reviews import background
from ecom.ui import auth, tables, upload
from ecom.ui import reviews as rv
from ecom.ui.cache import cached_query, row_counts, warehouse
from ecom.ui.download import download_buttons
from ecom.ui.lang import current, tr

TABLES = list(schema.TABLES)
IGNORE = "—"
SKIP = "skip"
BROWSE_ROWS = 200


# -- cached reads (keyed on the data version) ----------------------------------------------------
@cached_query
def data_table_preview(wh, table: str, limit: int) -> pd.DataFrame:
    return common.preview(wh, table, limit)


@cached_query
def data_upload_log(wh) -> pd.DataFrame:
    return wh.upload_log()


@cached_query
def data_rejects(wh, upload_id: int) -> pd.DataFrame:
    return wh.rejects(upload_id)


@cached_query
def data_quality(wh, table: str, upload_id: int) -> pd.DataFrame:
    return ingest.column_quality(wh, table, upload_id)


# -- helpers -------------------------------------------------------------------------------------
def table_label(name: str) -> str:
    return f"{name} · {tr('data.table.' + name)}"


def delimiter_label(delimiter: str | None) -> str:
    if delimiter == "\t":
        return tr("data.delim.tab")
    if delimiter in ("whitespace", " "):
        return tr("data.delim.space")
    return f"“{delimiter}”"


def detected_caption(load) -> None:
    rows = f"{load.rows_estimate:,}" if load.rows_estimate is not None else "?"
    header = load.header_row + 1 if load.header_row is not None else None
    if load.encoding not in (None, "xlsx", "parquet"):
        st.caption(tr("data.detected", encoding=load.encoding, delimiter=delimiter_label(load.delimiter), header=header or "—", rows=rows))
    else:
        st.caption(tr("data.detected.sheet", header=header or "—", rows=rows))
    if header is None and load.kind != "join":
        st.caption(tr("data.no_header"))


def mapping_editor(k: str, load, table: str) -> dict[str, str]:
    """The editable mapping of one load (file column -> warehouse column), with how sure each guess is."""
    targets = list(schema.TABLES[table].mappable)
    targets += sorted({v for v in load.mapping.values() if v and v not in targets})
    frame = pd.DataFrame({
        "column": load.columns,
        "example": [load.examples.get(c, "") for c in load.columns],
        "target": [load.mapping.get(c) or IGNORE for c in load.columns],
        "confidence": [tr(f"data.confidence.{load.confidence[c]}") if c in load.confidence else "" for c in load.columns],
    })
    edited = tables.edit(
        frame, key=f"data_map_{k}_{table}", hide_index=True, disabled=["column", "example", "confidence"], width="stretch",
        column_config={
            "column": st.column_config.TextColumn(tr("data.map.source")),
            "example": st.column_config.TextColumn(tr("data.map.example")),
            "target": st.column_config.SelectboxColumn(tr("data.map.target"), options=[IGNORE, *targets], required=True),
            "confidence": st.column_config.TextColumn(tr("data.map.confidence"), help=tr("data.map.confidence.help")),
        },
    )
    return {c: ("" if t in (IGNORE, None) else t) for c, t in zip(edited["column"], edited["target"], strict=True)}


def date_orders(k: str, load, mapping: dict[str, str]) -> dict[str, str]:
    """Day-first or month-first for dates the data cannot tell apart: the guess, its reason, the person's choice."""
    for col, why in load.date_notes.items():
        source = load.dates[col]["source"]
        if source not in mapping or "@" in mapping[source] or "," in mapping[source]:
            continue
        st.caption(why)
        orders = ["dayfirst", "monthfirst"]
        labels = {o: tr(f"ingest.date.{o}") for o in orders}
        order = st.radio(tr("data.date_order", column=f"{col} ({source})"), orders, index=orders.index(load.dates[col]["order"]),
                         format_func=labels.__getitem__, horizontal=True, key=f"data_order_{k}_{upload.key_of(col)}")
        mapping = {**mapping, source: f"{mapping[source]}@{order}"}
    return mapping


def problems_of(load, table: str, mapping: dict[str, str]) -> list[str]:
    out = []
    by_target: dict[str, list[str]] = {}
    for col, target in mapping_mod.pairs(mapping):
        name, marker = mapping_mod.split_target(target)
        if marker not in ("year", "month", "time", "payment"):  # these complete another column's value
            by_target.setdefault(name, []).append(col)
    for target, cols in by_target.items():
        if len(cols) > 1:
            out.append(tr("data.duplicate_target", target=target, columns=", ".join(cols)))
    derive = load.derive if table == load.table else {}
    missing = mapping_mod.check_mapping(table, {k: v for k, v in mapping.items() if v}, derive)
    if missing:
        out.append(tr("data.missing_required", table=table, columns=", ".join(missing)))
    return out


def load_panel(load) -> tuple[dict | None, bool]:
    """One load of the upload: what was read, its table and why, the files joined into it, the mapping
    with its confidences and the date choices. Returns (what to load, whether it is ready)."""
    k = upload.key_of(load.name)
    c = upload.choices()
    with st.container(border=True):
        st.markdown(f"**{load.name}**")
        detected_caption(load)
        if load.reason:
            st.caption(load.reason)
        if load.kind == "join":
            st.caption(tr("data.joined"))
            for member in load.members:
                w = f"data_member_{upload.key_of(member)}"
                st.checkbox(member, value=True, key=w, on_change=upload.set_member, args=(member, w))
        elif load.encoding not in (None, "xlsx", "parquet"):
            w = f"data_encoding_{k}"
            options = list(dict.fromkeys([load.encoding, *upload.ENCODINGS]))
            st.selectbox(tr("data.encoding"), options, index=0, key=w, on_change=upload.set_encoding, args=(load.name, w),
                         help=tr("data.encoding.help"))
        options = ["sales"] if load.kind == "join" else list(TABLES)
        options.append(SKIP)
        if load.name in c["skip"]:
            index = options.index(SKIP)
        elif load.kind == "skip" or load.table not in options:
            index = None
        else:
            index = options.index(load.table)
        w = f"data_table_{k}"
        labels = {t: tr("data.skip") if t == SKIP else table_label(t) for t in options}
        table = st.selectbox(tr("data.target_table"), options, index=index, key=w, on_change=upload.set_table, args=(load.name, w),
                             format_func=labels.__getitem__)
        if table == SKIP:
            st.caption(tr("data.skipped"))
            return None, True
        if table is None:
            st.warning(tr("data.choose_table"))
            return None, False
        if load.notes:
            with st.expander(tr("data.notes"), expanded=bool(load.date_notes)):
                st.markdown("\n".join(f"- {n}" for n in load.notes))
        with st.expander(tr("data.preview"), expanded=False):
            tables.show(load.preview.head(10), hide_index=True)
        st.markdown(tr("data.mapping"))
        mapping = date_orders(k, load, mapping_editor(k, load, table))
        problems = problems_of(load, table, mapping)
        for problem in problems:
            st.warning(problem, icon=":material/warning:")
        return {"name": load.name, "table": table, "mapping": mapping}, not problems


def run_load(files: list[dict], loads: list[dict], mode: str, dataset: str, currency: str) -> list[dict]:
    bar = st.progress(0.0)

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(1.0, fraction), text=tr("data.loading", name=message[:60] if message else ""))

    c = upload.choices()
    reports = ingest.ingest_files(
        warehouse(), [f["path"] for f in files], names=[f["name"] for f in files], mode=mode, progress=progress, lang=current(),
        refresh=False, skip=c["skip"], tables=c["tables"],
        mappings={ld["name"]: ld["mapping"] for ld in loads}, encodings=c["encodings"], currency=currency or None, dataset=dataset or None,
    )
    # the pages' summary tables once for the whole upload, not once per file
    bar.progress(0.99, text=tr("data.summaries"))
    ingest.refresh_summaries(warehouse())
    bar.progress(1.0, text=tr("data.done"))
    done = [r.to_dict() for r in reports]
    if any(r["table"] == "reviews" and r["status"] == "loaded" and r["rows_loaded"] for r in done):
        background.start(warehouse())  # sentiment and aspects of the new texts, while the person goes on
    audit.write(warehouse(), auth.current(), "replace" if mode == "replace" else "upload",
                "; ".join(f"{r['source']} -> {r['table'] or '-'}: {r['status']}, {r['rows_loaded']} loaded, {r['rows_rejected']} rejected"
                          for r in done), auth.address())
    return done


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
    tables.show(summary, hide_index=True)
    for i, r in enumerate(reports):
        fmt = {
            "source": r["source"], "table": r["table"] or "—", "loaded": f"{r['rows_loaded']:,}",
            "rejected": f"{r['rows_rejected']:,}", "skipped": f"{r['rows_skipped']:,}", "upload_id": r["upload_id"],
        }
        if r["status"] == "loaded":
            (st.warning if r["rows_rejected"] else st.success)(tr("data.report.loaded", **fmt))
        elif r["status"] == "duplicate":
            st.info(tr("data.report.duplicate", **fmt))
        elif r["status"] in ("joined", "skipped"):
            st.info(r["message"])
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
                tables.show(rejects, hide_index=True)
                download_buttons(rejects, f"rejects_{r['upload_id']}", key=f"data_rejects_{i}")
        with st.expander(tr("data.quality", source=r["source"], table=r["table"])):
            tables.show(data_quality(r["table"], int(r["upload_id"])), hide_index=True)


def scoring_note(status) -> None:
    """Under a load report with reviews: how their background scoring ended, and the way to the page."""
    if status is not None and status.state == "failed":
        st.warning(tr("data.scoring.failed"), icon=":material/warning:")
    elif status is not None and status.state == "done" and status.scored:
        st.success(tr("data.scoring.done", n=f"{status.scored:,}", seconds=f"{status.seconds:.1f}"), icon=":material/reviews:")
    st.page_link("app_pages/reviews.py", label=tr("data.scoring.open"), icon=":material/arrow_forward:")


# -- the page ------------------------------------------------------------------------------------

st.title(tr("data.title"))
st.caption(tr("data.intro"))
me = auth.require("upload")
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
    files = [upload.saved(u) for u in uploads or []]
    if files:
        view = upload.plan(files)
        if any(ld.table == "reviews" for ld in view.loads):
            background.warm(warehouse())  # the model is ready when the reviews have loaded
        for name, why in view.errors:
            st.error(tr("data.read_failed", name=name, reason=why))
        left, right = st.columns(2)
        dataset = left.text_input(tr("data.dataset"), value=ingest.default_dataset(files[0]["name"]), key="data_dataset",
                                  help=tr("data.dataset.help"))
        # labels made now, in this run's language (a format_func is also called outside the run)
        currency_labels = {"": tr("data.currency.auto"), **{code: code for code in CODES}}
        currency = right.selectbox(tr("data.currency"), list(currency_labels), key="data_currency", format_func=currency_labels.__getitem__,
                                   help=tr("data.currency.help"))
        chosen, all_ok = [], True
        for load in view.loads:
            what, ok = load_panel(load)
            all_ok = all_ok and ok
            if what is not None:
                chosen.append(what)
        if view.loads:
            mode_labels = {m: tr("data.mode." + m) for m in ("append", "replace") if m == "append" or me.can("replace")}
            mode = st.radio(tr("data.mode"), list(mode_labels), format_func=mode_labels.__getitem__, horizontal=True, key="data_mode")
            if not all_ok:
                st.info(tr("data.fix_first"))
            if st.button(tr("data.load"), type="primary", disabled=not all_ok or not chosen, icon=":material/upload:", key="data_load"):
                auth.require("replace" if mode == "replace" else "upload")
                st.session_state["data_reports"] = run_load(files, chosen, mode, dataset, currency)
                loaded = [r["table"] for r in st.session_state["data_reports"] if r["status"] == "loaded"]
                if loaded:
                    st.session_state["data_browse"] = loaded[0]  # the tables browser opens on what was just loaded
                upload.forget()
                st.rerun()
    if st.session_state.get("data_reports"):
        show_reports(st.session_state["data_reports"])
    status = rv.scoring()  # its progress bar while it runs, whoever loaded the reviews
    if any(r["table"] == "reviews" for r in st.session_state.get("data_reports") or ()):
        scoring_note(status)

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
            tables.show(preview, hide_index=True)
            download_buttons(preview, browse, key="data_browse_dl")

with log_tab:
    log = data_upload_log()
    if log.empty:
        st.info(tr("data.log.empty"))
    else:
        shown = log[["upload_id", "loaded_at", "file_name", "table_name", "dataset", "mode", "rows_read", "rows_loaded", "rows_rejected", "rows_skipped",
                     "encoding", "undone_at"]]
        tables.show(shown, hide_index=True)
        download_buttons(shown, "upload_log", key="data_log_dl")
        with_rejects = log[(log["rows_rejected"] > 0) & log["undone_at"].isna()]
        if not with_rejects.empty:
            st.subheader(tr("data.log.rejects"))
            names = {int(r.upload_id): tr("data.log.option", upload_id=int(r.upload_id), file=r.file_name, table=r.table_name,
                                          rows=f"{int(r.rows_rejected):,}", when=str(r.loaded_at)[:16]) for r in with_rejects.itertuples()}
            which = st.selectbox(tr("data.log.rejects_pick"), list(names), format_func=names.__getitem__, key="data_log_rejects")
            rejected = data_rejects(int(which))
            tables.show(rejected, hide_index=True)
            download_buttons(rejected, f"rejects_{which}", key="data_log_rejects_dl")
        active = log[log["undone_at"].isna()]
        if not active.empty and me.can("undo"):
            st.subheader(tr("data.log.undo"))
            labels = {
                int(r.upload_id): tr("data.log.option", upload_id=int(r.upload_id), file=r.file_name, table=r.table_name,
                                     rows=f"{int(r.rows_loaded):,}", when=str(r.loaded_at)[:16])
                for r in active.itertuples()
            }
            pick = st.selectbox(tr("data.log.pick"), list(labels), format_func=labels.__getitem__, key="data_undo_pick")
            sure = st.checkbox(tr("data.log.confirm"), key="data_undo_sure")
            if st.button(tr("data.log.undo_button"), disabled=not sure, icon=":material/undo:", key="data_undo"):
                auth.require("undo")
                removed = ingest.undo_upload(warehouse(), int(pick))
                audit.write(warehouse(), me, "undo", f"upload {int(pick)}: {removed} rows removed", auth.address())
                st.session_state["data_undone"] = (int(pick), removed)
                st.session_state.pop("data_undo_sure", None)
                st.rerun()
    if st.session_state.get("data_undone"):
        upload_id, removed = st.session_state.pop("data_undone")
        st.success(tr("data.log.undone", upload_id=upload_id, rows=f"{removed:,}"))
