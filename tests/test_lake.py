"""The lake of the Spark engine: each upload's own Parquet folder, whole or absent (no Spark needed:
the files are read with pyarrow here; tests/spark reads them with Spark)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from ecom import lake as lake_mod
from ecom.ingest import ingest_file, ingest_files, undo_upload
from ecom.warehouse import Warehouse

ORDERS = (
    "order_id,order_time,customer_id,product_id,quantity,revenue\n"
    "A1,2024-01-05 10:00,c1,P1,1,10.50\n"
    "A2,2024-01-31 23:59,c2,P2,2,20.00\n"
    "A3,2024-02-01 00:01,c1,P1,1,10.50\n"
)


@pytest.fixture
def lake_wh(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb", engine="spark", lake=str(tmp_path / "lake"))
    yield wh
    wh.close()


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def folders(root):
    """The lake's folders; the staging folder must be empty (nothing half-written is left)."""
    assert not any((root / lake_mod.STAGING).glob("*"))
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir() and p.name != lake_mod.STAGING)


def rows(folder) -> int:
    return ds.dataset(str(folder), format="parquet", partitioning="hive").count_rows()


def test_a_load_writes_its_own_folder_by_month_and_undo_deletes_it(lake_wh, tmp_path):
    [rep] = ingest_file(lake_wh, write(tmp_path / "o.csv", ORDERS))
    assert rep.status == "loaded" and rep.rows_loaded == 3
    root = tmp_path / "lake"
    up = f"sales/upload={rep.upload_id}"
    assert folders(root) == ["sales", up, f"{up}/month=2024-01", f"{up}/month=2024-02"]
    assert rows(root / up) == 3 and rows(root / up / "month=2024-01") == 2
    assert lake_wh.row_counts()["sales"] == 3 and lake_wh.live_uploads() == {"sales": {rep.upload_id}}
    # DuckDB keeps only the (empty) template of the table
    assert lake_wh.cursor().execute("SELECT count(*) FROM main.sales").fetchone()[0] == 0

    assert undo_upload(lake_wh, rep.upload_id) == 3
    assert folders(root) == ["sales"] and lake_wh.row_counts()["sales"] == 0


def test_a_failed_load_leaves_nothing(lake_wh, tmp_path):
    [rep] = ingest_file(lake_wh, write(tmp_path / "bad.csv", "order_id,order_time,product_id,quantity\nA,not a date,P,1\nB,never,P,1\n"))
    assert rep.status == "failed"
    assert not (tmp_path / "lake").exists() or folders(tmp_path / "lake") == []
    assert lake_wh.live_uploads() == {}


def test_a_commit_that_fails_after_the_rename_leaves_nothing(lake_wh, tmp_path, monkeypatch):
    real_publish = lake_mod.Lake.publish
    published = []

    def publish(self, staging, table, upload_id):
        published.append(real_publish(self, staging, table, upload_id))
        raise RuntimeError("commit failed")  # as if COMMIT failed right after the rename

    monkeypatch.setattr(lake_mod.Lake, "publish", publish)
    with pytest.raises(RuntimeError):
        ingest_file(lake_wh, write(tmp_path / "o.csv", ORDERS))
    assert published and not any((tmp_path / "lake" / "sales").glob("upload=*"))
    assert not any((tmp_path / "lake" / lake_mod.STAGING).glob("*"))
    assert lake_wh.live_uploads() == {} and lake_wh.upload_log().empty


def test_replace_deletes_the_old_uploads_folders(lake_wh, tmp_path):
    [a] = ingest_file(lake_wh, write(tmp_path / "a.csv", ORDERS))
    [b] = ingest_file(lake_wh, write(tmp_path / "b.csv", ORDERS.replace("A", "B")), mode="replace")
    assert b.status == "loaded"
    root = tmp_path / "lake" / "sales"
    assert sorted(p.name for p in root.iterdir()) == [f"upload={b.upload_id}"]
    assert lake_wh.live_uploads() == {"sales": {b.upload_id}} and a.upload_id != b.upload_id


def test_overlapping_exports_of_one_data_set_skip_lines_already_in_the_lake(lake_wh, tmp_path):
    [a] = ingest_file(lake_wh, write(tmp_path / "week1.csv", ORDERS), name="shop.csv")
    more = ORDERS + "A4,2024-02-02 09:00,c3,P3,1,5.00\n"
    [b] = ingest_file(lake_wh, write(tmp_path / "week2.csv", more), name="shop.csv")
    assert (b.rows_loaded, b.rows_duplicate) == (1, 3)
    assert rows(tmp_path / "lake" / "sales" / f"upload={b.upload_id}") == 1
    assert lake_wh.row_counts()["sales"] == 4


def test_opening_the_warehouse_sweeps_what_no_live_upload_owns(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb", engine="spark", lake=str(tmp_path / "lake"))
    [rep] = ingest_file(wh, write(tmp_path / "o.csv", ORDERS))
    wh.close()
    root = tmp_path / "lake"
    (root / "sales" / "upload=999" / "month=2024-01").mkdir(parents=True)  # renamed in, then the process died before COMMIT
    (root / lake_mod.STAGING / "sales-1000").mkdir(parents=True)  # killed while writing
    wh = Warehouse(tmp_path / "w.duckdb", engine="spark", lake=str(tmp_path / "lake"))
    try:
        assert folders(root) == ["sales", f"sales/upload={rep.upload_id}", f"sales/upload={rep.upload_id}/month=2024-01",
                                 f"sales/upload={rep.upload_id}/month=2024-02"]
    finally:
        wh.close()


def test_a_month_gets_whole_row_groups_however_the_rows_arrive(tmp_path):
    lake = lake_mod.Lake(str(tmp_path / "lake"))
    batches = [pa.record_batch({"x": list(range(i * 1000, (i + 1) * 1000)), lake_mod.PARTITION: ["2024-01"] * 1000}) for i in range(5)]
    staging = lake.write(pa.RecordBatchReader.from_batches(batches[0].schema, batches), "sales", 1)
    files = list((tmp_path / "lake").rglob("*.parquet"))
    assert len(files) == 1 and staging
    assert pq.ParquetFile(files[0]).metadata.num_row_groups == 1
    assert pq.ParquetFile(files[0]).metadata.num_rows == 5000


def test_order_totals_of_lines_the_data_set_holds_are_skipped_on_the_lake_too(lake_wh, tmp_path):
    # the lake's uploads are read for the data set's lines as the warehouse's table is (see test_exports_seen)
    lines = write(tmp_path / "lines.csv", ORDERS)
    totals = write(tmp_path / "totals.csv", "order_id,order_time,customer_id,total\nA1,2024-01-05 10:00,c1,12.00\nA9,2024-03-01 09:00,c3,7.00\n")
    reps = ingest_files(lake_wh, [lines, totals], dataset="shop", refresh=False)
    assert [(r.rows_loaded, r.rows_skipped) for r in reps] == [(3, 0), (1, 1)]
    held = ds.dataset(str(tmp_path / "lake" / f"sales/upload={reps[1].upload_id}"), format="parquet", partitioning="hive").to_table()
    assert held.column("order_id").to_pylist() == ["A9"]
