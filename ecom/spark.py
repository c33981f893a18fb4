"""The Spark engine (`ECOM_ENGINE=spark`): one SparkSession per process and an Ibis backend over it.

The canonical tables are the lake's Parquet files (`ecom.lake`); each data version gets one temporary
view per table over exactly the folders of the uploads that are live in that version (read from the
upload log, so a load is seen whole or not at all). The query layer's Ibis expressions run on these
views unchanged: Ibis compiles them to Spark SQL. The app's own tables (upload log, views, people,
audit) stay in the DuckDB file of `ecom.warehouse`.

Timestamps are wall-clock shop time on both engines: DuckDB writes them to Parquet without a zone,
Spark 4 reads them as `timestamp_ntz`, and no session zone can shift them.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import threading

from ecom import settings, tempfiles

_lock = threading.Lock()
_session = None
_backend = None
_views: dict[tuple, dict[str, str]] = {}  # (lake, data version) -> table -> view name
KEEP_VERSIONS = 3  # views of older data versions are dropped (a query of one may still be running)
_tags = itertools.count(1)
# Jobs of a query that has returned can still be submitted a few ms later (measured: 6-27 ms): they are
# cancelled again after this delay.
LATE_CANCEL_S = 0.25


def session(master: str | None = None):
    """The process's SparkSession, started on first use (5–10 s), with nothing written outside the
    app's temporary folder and no web UI or port of its own beyond the driver's."""
    global _session
    with _lock:
        if _session is None:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            from pyspark.sql import SparkSession

            scratch = tempfiles.make_dir("spark")
            master = master or settings.get("ECOM_SPARK_MASTER")
            builder = (
                SparkSession.builder.master(master)
                .appName("ecom-insight")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
                .config("spark.local.dir", str(scratch / "local"))
                .config("spark.sql.session.timeZone", "UTC")
                # read when the driver's JVM starts, which is here: the heap's size (local mode's tasks
                # share it; with too small a heap a big aggregation fails with a StackOverflowError,
                # Spark retrying a page allocation until the stack runs out)
                .config("spark.driver.memory", settings.get("ECOM_SPARK_MEMORY"))
                .config("spark.sql.adaptive.enabled", "true")
            )
            partitions = shuffle_partitions(master)
            if partitions is not None:
                builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
            _session = builder.getOrCreate()
            _session.sparkContext.setLogLevel("ERROR")
        return _session


def shuffle_partitions(master: str) -> int | None:
    """The shuffle partitions the app sets: in local mode a page's queries are small, so one per core
    rather than Spark's 200; on a cluster none (Spark's own, whose adaptive execution merges the
    partitions a query does not need: the app machine's cores say nothing of the cluster's)."""
    return max(2, os.cpu_count() or 2) if master.startswith("local") else None


def backend():
    """The process's Ibis backend over the SparkSession (Ibis compiles to Spark SQL; safe to share)."""
    global _backend
    spark = session()
    with _lock:
        if _backend is None:
            import ibis

            _backend = ibis.pyspark.connect(spark)
        return _backend


@contextlib.contextmanager
def own_jobs():
    """Run one query's Spark jobs under a job tag of their own and cancel whatever is left of them when
    it returns. With adaptive execution, a join one side of which turns out empty answers at once while
    the stages of its other side go on (PySpark 4.0 does not cancel them; SPARK-37043, SPARK-52024):
    the inventory page's queries for a period without a stock snapshot left two or three jobs scanning
    every order line behind each, and the next query shared the cores with them."""
    if os.environ.get("PYSPARK_PIN_THREAD", "true").lower() != "true":
        # tags belong to a thread only when PySpark pins each Python thread to a JVM thread (its
        # default): else another thread's query would carry the tag and be cancelled with this one's
        yield
        return
    sc = session().sparkContext
    tag = f"ecom-query-{next(_tags)}"
    sc.addJobTag(tag)  # a property of this thread's jobs, and of the stages submitted on their behalf
    try:
        yield
    finally:
        sc.removeJobTag(tag)
        sc.cancelJobsWithTag(tag)
        late = threading.Timer(LATE_CANCEL_S, _cancel_late, [sc, tag])
        late.daemon = True
        late.start()


def _cancel_late(sc, tag: str) -> None:
    with _lock:  # `stop` holds it while the session stops: a stopped one cannot be asked to cancel
        if _session is not None and sc is _session.sparkContext:
            sc.cancelJobsWithTag(tag)


def stop() -> None:
    """Stop the session (tests and the CLI at exit)."""
    global _session, _backend
    with _lock:
        if _session is not None:
            _session.stop()
        _session, _backend = None, None
        _views.clear()
        _outputs.clear()


def views(wh, version: int) -> dict[str, str]:
    """Temporary views of the canonical tables for this data version: table -> view name."""
    from ecom import schema

    key = (wh.lake.root, version)
    with _lock:
        if key in _views:
            return _views[key]
    spark = session()
    live = wh.live_uploads()
    made = {}
    for name in schema.TABLES:
        view = f"ecom_v{version}_{name}"
        uris = wh.lake.uris(name, live.get(name, ()))
        if uris:
            df = (spark.read.option("basePath", wh.lake.table_uri(name)).option("mergeSchema", "true")
                  .parquet(*uris).select(*wh.columns(name)))
        else:
            # an RDD without partitions: one made from a Python list starts Python workers for its
            # partitions on every query that scans it (a table without rows is common: stock, market)
            df = spark.createDataFrame(spark.sparkContext.emptyRDD(), _empty_schema(wh, name))
        df.createOrReplaceTempView(view)
        made[name] = view
    with _lock:
        _views[key] = made
        for old in sorted(k for k in _views if k[0] == key[0])[:-KEEP_VERSIONS]:
            for view in _views.pop(old).values():
                spark.catalog.dropTempView(view)
    return made


_outputs: dict[tuple, str] = {}  # (warehouse file, table, output version) -> view name


def output_view(wh, name: str) -> str:
    """A view of model output table app.`name` (written by the app into DuckDB) as of its latest
    write: made once per version of it, from an Arrow copy (these tables hold a row per review text
    or per customer and recommendation: far smaller than the order lines)."""
    version = wh.output_version(name)
    key = (str(wh.path), name, version)
    with _lock:
        if key in _outputs:
            return _outputs[key]
    cur = wh.cursor()
    try:
        arrow = cur.execute(f"SELECT * FROM app.{name}").to_arrow_table()
    finally:
        cur.close()
    spark = session()
    # named for the warehouse file too: two warehouses at the same version of a table would share
    # the view, and the first to move on would drop the other's (its reads then found no view)
    view = f"ecom_out_{name}_{hashlib.sha256(key[0].encode()).hexdigest()[:12]}_{version}"
    # from Arrow, not pandas: pandas turns a missing text into NaN (stored as 'NaN') and an integer
    # column with gaps into floats
    df = spark.createDataFrame(arrow, schema=_spark_schema(wh.ibis().table(name, database="app").schema()))
    df.createOrReplaceTempView(view)
    with _lock:
        _outputs[key] = view
        # the version before this one stays: a reader that looked its name up a moment ago (a page, or
        # the background scoring job) may not have opened it yet; older ones go
        mine = sorted((k for k in _outputs if k[:2] == key[:2]), key=lambda k: k[2])
        for old in mine[:-2]:
            spark.catalog.dropTempView(_outputs.pop(old))
    return view


def _empty_schema(wh, name: str):
    """The Spark schema of a table without rows, from its DuckDB template (as the Parquet files read)."""
    return _spark_schema(wh.ibis().table(name, database="main").schema())


def _spark_schema(duck):
    """The Spark schema of an Ibis schema, with the types Parquet files written by DuckDB read as."""
    import ibis
    from ibis.backends.pyspark.datatypes import PySparkType
    from pyspark.sql import types as st

    fields = []
    for col, dtype in duck.items():
        if dtype.is_timestamp():
            spark_type = st.TimestampNTZType()
        elif dtype.is_unsigned_integer():
            spark_type = st.DecimalType(20, 0)  # Parquet's UINT64 as Spark reads it
        else:
            spark_type = PySparkType.from_ibis(ibis.dtype(dtype))
        fields.append(st.StructField(col, spark_type, True))
    return st.StructType(fields)
