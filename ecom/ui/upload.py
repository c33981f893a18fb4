"""The Data page's upload step: the files of one upload saved once per session, planned together
(`ecom.ingest.preview`), and the person's changes (a table, a mapping, a day/month order, an
encoding, a left-out file) kept between reruns until they load.

The person's choices live in `st.session_state[CHOICES]`:
`{"tables": {load: table}, "skip": [source, ...], "encodings": {file: codec}}`; mappings are read from
each load's editor when they press Load.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import streamlit as st

from ecom import tempfiles
from ecom.ingest import preview as preview_mod
from ecom.ui.cache import warehouse
from ecom.ui.lang import current

FILES = "data_files"
CHOICES = "data_choices"
PREVIEW = "data_preview"
ENCODINGS = ("utf-8", "gb18030", "cp950", "cp949", "cp1252", "latin-1", "shift_jis", "cp1250", "cp1251", "cp1254", "utf-16")


def upload_dir() -> Path:
    """The session's private folder for its uploads (in ecom.tempfiles' folder, removed by `forget`,
    or at the next start-up when the session never loads)."""
    if "data_dir" not in st.session_state:
        st.session_state["data_dir"] = str(tempfiles.make_dir("upload"))
    return Path(st.session_state["data_dir"])


def saved(uploaded) -> dict:
    """The uploaded file on disk (written once per session): {"name", "path"}."""
    files = st.session_state.setdefault(FILES, {})
    if uploaded.file_id not in files:
        folder = upload_dir() / uuid.uuid4().hex
        folder.mkdir(mode=0o700)
        path = folder / Path(uploaded.name).name
        with tempfiles.open_private(path) as fh:
            fh.write(uploaded.getbuffer())
        files[uploaded.file_id] = {"name": uploaded.name, "path": str(path)}
    return files[uploaded.file_id]


def choices() -> dict:
    return st.session_state.setdefault(CHOICES, {"tables": {}, "skip": [], "encodings": {}})


def forget() -> None:
    """After a load: the saved files, the choices and the uploader go."""
    if "data_dir" in st.session_state:
        tempfiles.remove(st.session_state.pop("data_dir"))
    for key in (FILES, CHOICES, PREVIEW):
        st.session_state.pop(key, None)
    st.session_state["data_uploader_gen"] = st.session_state.get("data_uploader_gen", 0) + 1


def plan(files: list[dict]) -> preview_mod.UploadView:
    """The upload as it would load now (recomputed only when the files or the choices change)."""
    c = choices()
    key = json.dumps([[f["path"] for f in files], c, current()], sort_keys=True, ensure_ascii=False)
    cached = st.session_state.get(PREVIEW)
    if cached is None or cached[0] != key:
        view = preview_mod.preview([f["path"] for f in files], [f["name"] for f in files], wh=warehouse(), lang=current(),
                                   skip=c["skip"], tables=c["tables"], encodings=c["encodings"])
        st.session_state[PREVIEW] = (key, view)
    return st.session_state[PREVIEW][1]


def key_of(name: str) -> str:
    """A short, stable widget key for a load or a source (names may hold any character)."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


def set_table(load: str, widget: str) -> None:
    value = st.session_state.get(widget)
    c = choices()
    c["tables"] = {k: v for k, v in c["tables"].items() if k != load}
    c["skip"] = [s for s in c["skip"] if s != load]
    if value == "skip":
        c["skip"].append(load)
    elif value:
        c["tables"][load] = value


def set_member(member: str, widget: str) -> None:
    c = choices()
    c["skip"] = [s for s in c["skip"] if s != member] + ([member] if not st.session_state.get(widget) else [])


def set_encoding(file: str, widget: str) -> None:
    value = st.session_state.get(widget)
    c = choices()
    c["encodings"] = {k: v for k, v in c["encodings"].items() if k != file}
    if value:
        c["encodings"][file] = value
