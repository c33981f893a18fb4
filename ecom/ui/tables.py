"""Every table the app draws goes through here, so that no table hands a spreadsheet a formula.

The toolbar of st.dataframe / st.data_editor offers a CSV download, and a read-only table can be
copied to the clipboard; both would pass a cell such as "=HYPERLINK(...)" on as it is. The
project's .streamlit/config.toml sets `client.disableDataExport`, which hides that download (and
the copy of read-only tables); the app's own buttons (ecom/ui/download.py) export instead, with
formulas neutralised. Where that option is off (an environment variable or another config file
can turn it off), `show` draws text cells neutralised the way the downloads write them, so what
the toolbar exports is safe too. A data editor keeps copy and paste whatever the option says, so
`edit` always draws its read-only text neutralised. Numbers, dates and booleans are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from ecom import export


def export_hidden() -> bool:
    """Whether Streamlit hides the tables' own download and copy (client.disableDataExport)."""
    return bool(st.get_option("client.disableDataExport"))


def show(df: pd.DataFrame, **kwargs):
    """st.dataframe of `df`; keyword arguments as st.dataframe's."""
    return st.dataframe(df if export_hidden() else export.safe_frame(df), **kwargs)


def edit(df: pd.DataFrame, *, disabled: bool | Iterable[str] = False, **kwargs) -> pd.DataFrame:
    """st.data_editor of `df` whose read-only (`disabled`) columns show their text neutralised; the
    frame returned holds their real values. Other keyword arguments as st.data_editor's."""
    if disabled is True:
        fixed = list(df.columns)
    elif disabled is False:
        fixed = []
    else:
        disabled = list(disabled)
        fixed = [c for c in df.columns if c in disabled]
    edited = st.data_editor(export.safe_cells(df, columns=fixed), disabled=disabled, **kwargs)
    for col in fixed:
        # read-only cells cannot change: the original values, matched by row (an added row has none)
        edited[col] = df[col].reindex(edited.index)
    return edited
