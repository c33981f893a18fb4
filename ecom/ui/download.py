"""Download buttons: CSV (UTF-8 with BOM) and XLSX, built only when clicked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecom import audit, export
from ecom.ui import auth
from ecom.ui.lang import tr

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(df: pd.DataFrame, basename: str, key: str, xlsx: bool = True) -> None:
    """A CSV and an XLSX button for `df`, side by side; `key` must be unique on the page. Nothing
    is drawn for a role without downloads; each download is in the audit log."""
    if not auth.can("download"):
        return
    who, address = auth.current(), auth.address()

    def exported(kind: str, build):
        from ecom.ui.cache import warehouse

        audit.write(warehouse(), who, "export", f"{basename}.{kind} ({len(df):,} rows)", address)
        return build()

    row = st.container(horizontal=True)
    row.download_button(
        tr("download.csv"),
        data=lambda: exported("csv", lambda: export.to_csv_bytes(df)),
        file_name=f"{basename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    if xlsx:
        row.download_button(
            tr("download.xlsx"),
            data=lambda: exported("xlsx", lambda: export.to_xlsx_bytes(df, sheet=basename)),
            file_name=f"{basename}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}_xlsx",
            on_click="ignore",
            icon=":material/download:",
        )
