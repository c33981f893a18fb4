"""Ecom Insight: signs the person in, routes to the pages they may open and draws the shared
sidebar. Pages live in app_pages/ (not pages/, so Streamlit never runs a page without this shell).

Served by `python -m ecom serve` (see ecom/server.py), whose gate guards every HTTP route; this
script guards every page: nothing below `auth.person()` runs for someone who is not signed in.
"""

import streamlit as st

from ecom.i18n import t
from ecom.reviews import background
from ecom.ui import auth, errors, nav, sidebar

st.set_page_config(page_title="Ecom Insight", page_icon=":material/insights:", layout="wide")

# a failure anywhere shows a plain message with an error id; background review work rests meanwhile
with errors.guarded(), background.drawing():
    lang = sidebar.language_switch()
    person = auth.person()
    pages = [
        st.Page(spec.file, title=t(spec.title_key, lang), icon=spec.icon, url_path=spec.url_path, default=spec.name == "home")
        for spec in nav.for_person(person)
    ]
    page = st.navigation(pages, position="sidebar", expanded=True)
    auth.sidebar_badge(person)
    sidebar.render()
    spec = nav.BY_NAME[page.url_path or "home"]
    if not nav.allowed(spec, person):  # checked again in code, whatever the menu shows
        auth.require(spec.need)
        st.stop()
    page.run()
