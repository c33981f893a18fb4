"""Admin: people and roles, the audit log, and the effective settings (read-only)."""

import pandas as pd
import streamlit as st

from ecom import access, audit, people, settings
from ecom.ui import auth, tables
from ecom.ui.cache import warehouse
from ecom.ui.download import download_buttons
from ecom.ui.lang import tr

me = auth.require("people")
wh = warehouse()
st.title(tr("nav.admin"))

st.subheader(tr("admin.people"))
st.caption(tr("admin.people.caption"))
listed = people.listing(wh)
if listed.empty:
    st.info(tr("admin.people.none"))
else:
    tables.show(listed, hide_index=True, width="stretch")
with st.form("person", border=True):
    a, b = st.columns([3, 1])
    email = a.text_input(tr("admin.email"))
    role = b.selectbox(tr("admin.role"), access.ROLES, format_func=lambda r: tr("role." + r))
    shops = st.text_input(tr("admin.shops"))
    save, remove = st.columns(2)
    saved = save.form_submit_button(tr("admin.save_person"), type="primary")
    removed = remove.form_submit_button(tr("admin.remove_person"))
if saved or removed:
    try:
        if saved:
            people.put(wh, me, email, role, shops.split(","), auth.address())
        else:
            people.remove(wh, me, email, auth.address())
    except people.PeopleError as exc:
        st.error(tr(exc.key, **exc.args_))
    else:
        st.success(tr("admin.saved"))
        st.rerun()

st.subheader(tr("admin.audit"))
st.caption(tr("admin.audit.caption"))
log = audit.read(wh)
tables.show(log, hide_index=True, width="stretch")
download_buttons(log, "audit-log", key="audit")

st.subheader(tr("admin.settings"))
st.caption(tr("admin.settings.caption"))
SECRET = {"ECOM_PASSWORD"}


def shown(s: settings.Setting) -> str:
    value = settings.get(s.name)
    if s.name in SECRET:
        return tr("admin.hidden") if value else ""
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


tables.show(pd.DataFrame([{tr("admin.setting"): s.name, tr("admin.value"): shown(s), tr("admin.help"): s.help}
                           for s in settings.SETTINGS]), hide_index=True, width="stretch")
