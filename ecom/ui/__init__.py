"""The Streamlit side of Ecom Insight: the only package in `ecom` that imports streamlit.

lang     which language a session sees (?lang=, the sidebar switch, the browser, ECOM_LANG)
nav      every page of the product, in menu order, with its stable URL path
cache    the shared warehouse and query results cached per data version
sidebar  the shared sidebar (language, data freshness, and later the global filters)
auth     the optional app password
guards   what a page shows when its data is not loaded yet
routing  every page runs inside app.py, even the first deep link after a server start
download CSV / XLSX download buttons
"""
