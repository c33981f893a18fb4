"""What a page shows when what it needs is missing: a short note, a way forward, and stop."""

from __future__ import annotations

import streamlit as st

from ecom.ui import nav
from ecom.ui.cache import row_counts
from ecom.ui.lang import tr


def need_tables(*tables: str) -> dict[str, int]:
    """Stop the page with a pointer to the Data page unless every table in `tables` has rows."""
    counts = row_counts()
    missing = [t for t in tables if counts.get(t, 0) == 0]
    if missing:
        st.info(tr("guard.need_tables", tables=", ".join(missing)), icon=":material/info:")
        nav.link("data", label=tr("guard.go_data"))
        st.stop()
    return counts
