"""Make sure every page runs inside app.py (shell: language, password, sidebar).

Streamlit keeps an old mode for apps with a `pages/` folder: until some session has run
`st.navigation`, a server treats `pages/*.py` as stand-alone pages, so the first deep link after
a start (say `/data`) would run pages/data.py *without* app.py: no password gate, no sidebar.
AppTest starts every run in that mode. `ensure_shell()` (called through `lang.current()`, which
every page uses for its first text) notices that mode, switches it off and reruns, so the same
URL is served again, this time through app.py's `st.navigation`.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_shell() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
