"""Ecom Insight: the library behind the dashboard (warehouse, ingestion, queries, models)."""

__version__ = "0.1.0"
