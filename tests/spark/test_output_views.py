"""Model outputs on Spark (`ecom.spark.output_view`): each warehouse file's views are its own."""

from __future__ import annotations

import pandas as pd
import pytest

from ecom.queries import common
from ecom.warehouse import Warehouse, apptables

pytestmark = pytest.mark.spark


def languages(wh, n: int) -> None:
    apptables.add_review_scores(wh, pd.DataFrame({"text_hash": [f"h{i}" for i in range(n)], "model_version": "m", "p_positive": 0.5,
                                                  "label": "neutral", "language": "en"}))


def test_two_warehouses_at_the_same_version_of_an_output_keep_their_own_views(engines, tmp_path):  # noqa: ARG001 (one SparkSession)
    a = Warehouse(tmp_path / "a.duckdb", engine="spark", lake=str(tmp_path / "lake_a"))
    b = Warehouse(tmp_path / "b.duckdb", engine="spark", lake=str(tmp_path / "lake_b"))
    try:
        languages(a, 2)
        languages(b, 3)  # both at version 1 of review_languages
        assert common.scalar(common.output(a, "review_languages").count()) == 2
        assert common.scalar(common.output(b, "review_languages").count()) == 3
        languages(b, 5)  # b moves on: its view of version 1 is dropped, a's must stay
        assert common.scalar(common.output(b, "review_languages").count()) == 5
        assert common.scalar(common.output(a, "review_languages").count()) == 2
    finally:
        a.close()
        b.close()


def test_a_view_of_the_version_before_stays_for_a_reader_that_looked_it_up(engines, tmp_path):  # noqa: ARG001 (one SparkSession)
    """A reader (the background scoring job) that got the view of version 1 while a writer moved on to
    version 2 can still open it; version 3 lets version 1 go. (Dropped at once, the job's read failed
    with TABLE_OR_VIEW_NOT_FOUND under load.)"""
    from ecom import spark

    wh = Warehouse(tmp_path / "c.duckdb", engine="spark", lake=str(tmp_path / "lake_c"))
    try:
        languages(wh, 2)
        first = spark.output_view(wh, "review_languages")
        languages(wh, 3)
        spark.output_view(wh, "review_languages")
        assert spark.session().table(first).count() == 2
        languages(wh, 4)
        spark.output_view(wh, "review_languages")
        assert not spark.session().catalog.tableExists(first)
    finally:
        wh.close()
