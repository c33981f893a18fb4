"""Ecom Insight: routes to the pages and draws the shared sidebar. Pages live in app_pages/ (not pages/, so Streamlit never runs a page without this shell)."""

import streamlit as st

from ecom.i18n import t
from ecom.ui import auth, nav, sidebar

st.set_page_config(page_title="Ecom Insight", page_icon=":material/insights:", layout="wide")

lang = sidebar.language_switch()
pages = [
    st.Page(spec.file, title=t(spec.title_key, lang), icon=spec.icon, url_path=spec.url_path, default=spec.name == "home")
    for spec in nav.available()
]
page = st.navigation(pages, position="sidebar" if auth.unlocked() else "hidden", expanded=True)
auth.require_password()
sidebar.render()
page.run()
