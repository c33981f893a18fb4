"""Saved views: open, rename and delete the views people saved from the analytics pages."""

import streamlit as st

from ecom import views
from ecom.ui import auth
from ecom.ui.cache import warehouse
from ecom.ui.lang import tr

me = auth.require("view")
st.title(tr("nav.views"))
st.caption(tr("views.caption"))
wh = warehouse()
listed = views.list_views(wh)
if listed.empty:
    st.info(tr("views.none"), icon=":material/bookmarks:")
    st.stop()

base = st.context.url or ""
for row in listed.itertuples():
    with st.container(border=True):
        a, b = st.columns([4, 1])
        a.markdown(f"**{row.name}** · {tr('nav.' + row.page)}")
        a.code(f"{base}?view={row.token}", language=None)
        b.page_link("app_pages/views.py", label=tr("views.open"), icon=":material/open_in_new:", query_params={"view": row.token})

mine = [row for row in listed.itertuples() if me.can("manage_any_view") or (row.owner is not None and row.owner == me.id)]
if not mine:
    st.stop()
st.subheader(tr("views.manage"))
labels = {row.token: f"{row.name} · {tr('nav.' + row.page)}" for row in mine}
token = st.selectbox(tr("views.pick"), list(labels), format_func=labels.__getitem__, key="views_pick")
with st.form("rename_view", border=False):
    new_name = st.text_input(tr("views.new_name"), max_chars=views.MAX_NAME)
    if st.form_submit_button(tr("views.rename")):
        try:
            views.rename(wh, token, new_name, me)
        except views.ViewError as exc:
            st.error(tr(exc.key, **exc.args_))
        else:
            st.rerun()
if st.button(tr("views.delete"), icon=":material/delete:", key="views_delete"):
    try:
        views.delete(wh, token, me)
    except views.ViewError as exc:
        st.error(tr(exc.key, **exc.args_))
    else:
        st.rerun()
