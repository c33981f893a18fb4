"""A query on Spark leaves none of its jobs running once it has answered (`ecom.spark.own_jobs`)."""

from __future__ import annotations

import time

import pytest

from ecom import spark
from ecom.queries import common

pytestmark = pytest.mark.spark


def wait_idle(tracker, limit_s: float = 60) -> None:
    end = time.monotonic() + limit_s
    while tracker.getActiveJobsIds() and time.monotonic() < end:
        time.sleep(0.1)


def test_a_join_whose_one_side_is_empty_leaves_no_jobs_behind(engines):
    # the shape of the inventory page's queries when no stock snapshot is in range: an empty table
    # left-joined with an aggregate of many rows (here 20M, with a hash each: about 9 s on two cores)
    session = spark.session()
    session.range(0, 20_000_000, numPartitions=8).selectExpr(
        "id % 1000 AS k", "sha2(CAST(id AS STRING), 256) AS h").createOrReplaceTempView("jobs_big")
    session.createDataFrame(session.sparkContext.emptyRDD(), "k BIGINT, n BIGINT").createOrReplaceTempView("jobs_empty")
    con = spark.backend()
    big, empty = con.table("jobs_big"), con.table("jobs_empty")
    expr = empty.left_join(big.group_by("k").aggregate(h=big.h.max()), "k")
    tracker = session.sparkContext.statusTracker()
    wait_idle(tracker)

    # what Spark does by itself: the answer (no rows) comes at once, and the other side's jobs go on
    assert len(expr.execute()) == 0
    end = time.monotonic() + 1
    while not tracker.getActiveJobsIds() and time.monotonic() < end:
        time.sleep(0.01)
    assert tracker.getActiveJobsIds(), "adaptive execution no longer answers this query early: the test shows nothing"
    session.sparkContext.cancelAllJobs()
    wait_idle(tracker)

    # through the query layer: the same answer, and nothing left running after it
    assert len(common.execute(expr)) == 0
    time.sleep(spark.LATE_CANCEL_S + 0.5)
    assert tracker.getActiveJobsIds() == []
    session.catalog.dropTempView("jobs_big")
    session.catalog.dropTempView("jobs_empty")


def test_queries_are_not_tagged_when_threads_share_their_jobs_properties(engines, monkeypatch):
    # without pinned threads a tag set here would be every thread's, and their queries cancelled with this one
    sc = spark.session().sparkContext
    monkeypatch.setenv("PYSPARK_PIN_THREAD", "false")
    with spark.own_jobs():
        assert set(sc.getJobTags()) == set()
    monkeypatch.setenv("PYSPARK_PIN_THREAD", "true")
    with spark.own_jobs():
        assert len(set(sc.getJobTags())) == 1
    assert set(sc.getJobTags()) == set()
