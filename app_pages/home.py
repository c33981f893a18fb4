"""Home: what is loaded, what each page answers, and where to start."""

import streamlit as st

from ecom import schema
from ecom.ui import auth, nav
from ecom.ui.cache import freshness, row_counts
from ecom.ui.lang import current, tr
from ecom.ui.sidebar import ago, shop_now

lang = current()
me = auth.current()
st.title(tr("app.title"))
st.caption(tr("home.subtitle"))

counts = row_counts()
if not any(counts.get(name, 0) for name in schema.TABLES):
    st.info(tr("home.empty"), icon=":material/upload_file:")
    nav.link("data", label=tr("home.start"), icon=":material/arrow_forward:")
elif not me.limited:  # every shop's row counts are not for someone limited to some shops
    st.subheader(tr("home.loaded"))
    names = list(schema.TABLES)
    cols = [c for _ in range(0, len(names), 3) for c in st.columns(3)]
    for col, name in zip(cols, names, strict=False):
        col.metric(tr("data.table." + name), f"{counts.get(name, 0):,}", help=tr("data.table." + name + ".help"), border=True)
    info = freshness()
    if info["data_through"] is not None and info["loaded_at"] is not None:
        st.caption(tr("home.freshness", date=info["data_through"].isoformat(), ago=ago(info["loaded_at"], shop_now(), lang)))

st.subheader(tr("home.pages"))
for spec in nav.for_person(me):  # only the pages this person may open
    if spec.name == "home":
        continue
    st.page_link(spec.file, label=tr(spec.title_key), icon=spec.icon)
    st.caption(tr(spec.help_key))
