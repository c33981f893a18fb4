"""The lake: canonical tables as Parquet files, for the Spark engine (`ECOM_ENGINE=spark`).

Layout under `ECOM_LAKE` (a folder, or a file:// or hdfs:// URI):

    <table>/upload=<upload id>/part-0.parquet                  every table but sales
    sales/upload=<upload id>/month=<YYYY-MM>/part-0.parquet     order lines, by the month of order_time
    .staging/<table>-<upload id>/                               a load being written (hidden from Spark)

Each upload owns one folder. A load writes its rows into a staging folder and renames it into place
as the last step of its warehouse transaction, so a failed load leaves nothing behind; undo and
replace delete whole folders once their transaction has committed. Which folders hold current data
is decided by the upload log (uploads not undone), never by listing the lake: a folder renamed into
place by a load whose commit then failed is never read, and `sweep` deletes it when the warehouse is
next opened for writing. Delta Lake or Iceberg would give the same guarantees with a transaction log,
but their jars come from a Maven repository, which these machines cannot reach.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

STAGING = ".staging"
PARTITION = "month"  # the sales' partition column: the month of order_time as YYYY-MM
# rows buffered per month folder before a Parquet row group is written: memory holds up to this many
# rows for each month an upload spans (exports in time order keep one or two months open at once)
ROW_GROUP_ROWS = 32_768


class Lake:
    def __init__(self, root: str):
        self.root = root.rstrip("/")
        self.fs, self.base = pafs.FileSystem.from_uri(self.root if "://" in self.root else f"file://{self.root}")

    # -- where things are ---------------------------------------------------------------------------
    def folder(self, table: str, upload_id: int) -> str:
        return f"{self.base}/{table}/upload={int(upload_id)}"

    def table_uri(self, table: str) -> str:
        """The table's folder as a URI for Spark (the base path its partitions are found under)."""
        return f"{self._scheme()}{self.base}/{table}"

    def uris(self, table: str, upload_ids) -> list[str]:
        """URIs of these uploads' folders (those that exist) for Spark to read."""
        return [f"{self._scheme()}{self.folder(table, u)}" for u in sorted(upload_ids) if self._exists(self.folder(table, u))]

    def _scheme(self) -> str:
        return self.root.split("://", 1)[0] + "://" if "://" in self.root else "file://"

    def _exists(self, path: str) -> bool:
        return self.fs.get_file_info(path).type != pafs.FileType.NotFound

    # -- writing -----------------------------------------------------------------------------------
    def write(self, reader: pa.RecordBatchReader, table: str, upload_id: int) -> str:
        """Write an upload's rows into a staging folder; returns it (see `publish`). Order lines go
        into one folder per month of their `month` column."""
        staging = f"{self.base}/{STAGING}/{table}-{int(upload_id)}"
        self.fs.delete_dir_contents(staging, missing_dir_ok=True)
        partitioned = table == "sales" and PARTITION in reader.schema.names
        ds.write_dataset(
            reader, staging, filesystem=self.fs, format="parquet", basename_template="part-{i}.parquet",
            partitioning=[PARTITION] if partitioned else None, partitioning_flavor="hive" if partitioned else None,
            existing_data_behavior="overwrite_or_ignore",
            # the reader's batches are split among the months, so without a floor every month folder
            # gets a row group per batch (a few thousand rows each); Spark reads fewer, larger ones faster
            min_rows_per_group=ROW_GROUP_ROWS,
        )
        return staging

    def publish(self, staging: str, table: str, upload_id: int) -> str:
        """Rename a staging folder into place (one rename: readers see all of it or none)."""
        final = self.folder(table, upload_id)
        self.fs.create_dir(f"{self.base}/{table}", recursive=True)
        self.fs.move(staging, final)
        return final

    def discard(self, path: str) -> None:
        self.fs.delete_dir_contents(path, missing_dir_ok=True)
        if self._exists(path):
            self.fs.delete_dir(path)

    def remove(self, table: str, upload_ids) -> None:
        """Delete these uploads' folders (after the transaction that undid them committed)."""
        for u in upload_ids:
            self.discard(self.folder(table, u))

    # -- reading -----------------------------------------------------------------------------------
    def keys(self, table: str, upload_ids) -> pa.Table:
        """The `_line_key` of every row of these uploads (to skip lines a data set already holds)."""
        return self.columns(table, upload_ids, {"_line_key": pa.uint64()})

    def columns(self, table: str, upload_ids, types: dict[str, pa.DataType]) -> pa.Table:
        """These columns (name -> type) of every row of these uploads."""
        paths = [self.folder(table, u) for u in upload_ids if self._exists(self.folder(table, u))]
        if not paths:
            return pa.table({name: pa.array([], type_) for name, type_ in types.items()})
        parts = [ds.dataset(p, filesystem=self.fs, format="parquet", partitioning="hive").to_table(columns=list(types)) for p in paths]
        return pa.concat_tables(parts)

    def sweep(self, live: dict[str, set[int]]) -> list[str]:
        """Delete staging folders and upload folders that no live upload owns (left by a process that
        was killed, or by a commit that failed after its rename); returns what was deleted."""
        gone = []
        listing = self.fs.get_file_info(pafs.FileSelector(self.base, allow_not_found=True))
        for entry in listing:
            if entry.type != pafs.FileType.Directory:
                continue
            name = entry.base_name
            if name == STAGING:
                self.discard(entry.path)
                gone.append(entry.path)
                continue
            for sub in self.fs.get_file_info(pafs.FileSelector(entry.path)):
                owner = sub.base_name.removeprefix("upload=")
                if sub.type == pafs.FileType.Directory and owner.isdigit() and int(owner) not in live.get(name, set()):
                    self.discard(sub.path)
                    gone.append(sub.path)
        return gone
