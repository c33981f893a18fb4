"""Excel workbooks are read in a worker process; each sheet becomes a CSV that the loader reads like any other.

python-calamine holds a sheet's whole grid in memory and aborts its process when an allocation fails,
so it never runs in the app's process. `read_workbook` starts `python -m ecom.ingest.sheets` under a
memory limit (RLIMIT_AS) and a time limit. The worker checks the workbook's declared sizes first
(`ecom.ingest.limits`), then writes each sheet's non-empty rows, the sheet's row number first, to a CSV
in the upload's working folder, and hands back the first rows (for the header, the mapping and the
preview) in a small JSON file. A refusal, or a worker that runs out of memory or time, becomes one
IngestError line; the app's process carries on.

The worker needs only the standard library, python-calamine and the message catalog: it starts in
~0.1 s. Its files are 0600 (umask 077) in the caller's private folder (ecom.tempfiles).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path

from ecom import i18n
from ecom.ingest import limits
from ecom.ingest.limits import IngestError

ROOT = Path(__file__).resolve().parents[2]

# Memory the worker may map (RLIMIT_AS) beyond what it holds at start: reading a sheet costs
# python-calamine ~14x the workbook's size on real exports (measured: 127 MB for a 9.4 MB workbook of
# 1.8 million cells), up to ~40x for the densest; the old in-process reader took 55x.
WORKER_MEMORY_MIN = 1 << 30
WORKER_MEMORY_PER_BYTE = 48
WORKER_MEMORY_MAX = 8 << 30
# Time: ~0.8 s per MB of workbook (9.4 MB: checks 0.5 s, reading 3.6 s, writing the CSV 2 s), so 60 s
# plus 3 s per MB leaves every real workbook 3x its time and still ends a reader that loops
WORKER_SECONDS = 60
WORKER_SECONDS_PER_MB = 3
# the rows handed back: enough for the header search (40 rows), the sample (2,000) and the preview,
# and never more than 16 MB of text however wide or long the cells
HEAD_ROWS = 2_100
HEAD_BYTES = 16 << 20
MEMORY_EXIT = 3  # the worker's exit status after a MemoryError


@dataclass
class Sheet:
    """One non-empty sheet as the worker wrote it."""

    name: str
    csv: Path  # `_row`, then one column per sheet column from A (UTF-8, comma, quoted as needed)
    width: int  # columns from A to the last one with a cell
    rows: int  # non-empty rows in the CSV
    head: list[tuple[int, list[str | None]]]  # (sheet row number, cells) of the first rows, trailing empty cells left off


@dataclass
class Workbook:
    sheet_names: list[str]  # every sheet, empty ones too
    sheets: list[Sheet]
    # the worker's peak resident memory (its VmHWM: ru_maxrss would also count the app's pages it held
    # for a moment between fork and exec) and its resident memory before it read anything
    peak_kb: int = 0
    baseline_kb: int = 0
    seconds: float = 0.0  # from starting the worker to its result


def worker_memory(file_size: int) -> int:
    return min(WORKER_MEMORY_MAX, max(WORKER_MEMORY_MIN, WORKER_MEMORY_PER_BYTE * file_size))


def worker_seconds(file_size: int) -> int:
    return WORKER_SECONDS + WORKER_SECONDS_PER_MB * (file_size >> 20)


def cell_text(value) -> str | None:
    """A cell as the text the loader parses (None when empty)."""
    if type(value) is str:  # most cells, empty ones included (python-calamine gives "")
        return value if value.strip() else None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time_of_day):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


# -- the app's side ------------------------------------------------------------------------------
def read_workbook(path, name: str, workdir, lang: str = "en", max_columns: int = 2000) -> Workbook:
    """Every sheet of the workbook at `path` as a CSV in a new folder of `workdir`. Raises IngestError."""
    from ecom import tempfiles

    path = Path(path)
    size = path.stat().st_size
    with path.open("rb") as fh:
        zipped = fh.read(4).startswith(b"PK")
    out = Path(tempfile.mkdtemp(prefix="xl-", dir=workdir))
    memory, seconds = worker_memory(size), worker_seconds(size)
    request = {"path": str(path), "name": name, "lang": lang, "out": str(out), "max_columns": max_columns,
               "memory": memory, "seconds": seconds, "check": zipped}
    with tempfiles.open_private(out / "request.json", "w", encoding="utf-8") as fh:
        json.dump(request, fh)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    started = time.monotonic()
    with tempfiles.open_private(out / "stderr.txt") as err:
        proc = subprocess.Popen([sys.executable, "-m", "ecom.ingest.sheets", str(out / "request.json")], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    status, late = _wait(proc, seconds)
    result_path = out / "result.json"
    if status == 0 and result_path.is_file():
        result = json.loads(result_path.read_text(encoding="utf-8"))
        if "error" in result:
            raise IngestError(result["error"])
        return Workbook(
            sheet_names=result["sheet_names"],
            sheets=[Sheet(s["name"], Path(s["csv"]), s["width"], s["rows"], [(n, cells) for n, cells in s["head"]])
                    for s in result["sheets"]],
            peak_kb=result["peak_kb"], baseline_kb=result["baseline_kb"], seconds=time.monotonic() - started,
        )
    raise _failure(name, lang, status, late, (out / "stderr.txt").read_bytes()[-4000:].decode("utf-8", "replace"), memory, seconds)


def _wait(proc: subprocess.Popen, seconds: float):
    """(exit status, whether it ran out of time) of the worker, killed after `seconds`."""
    deadline = time.monotonic() + seconds
    pause, late, reaped = 0.002, False, False
    try:
        while True:
            pid, status = os.waitpid(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                late = True
                proc.kill()
                _, status = os.waitpid(proc.pid, 0)
                break
            time.sleep(pause)
            pause = min(0.05, pause * 2)
        reaped = True
    finally:
        if not reaped:  # interrupted while waiting: the worker does not outlive its caller
            proc.kill()
            os.waitpid(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, late


def _failure(name: str, lang: str, status: int, late: bool, stderr: str, memory: int, seconds: int) -> IngestError:
    """The one line for a worker that ended without a result."""
    if late or status == -signal.SIGXCPU:
        return limits.refuse("time", lang, name=name, limit=seconds)
    if status == MEMORY_EXIT or status == -signal.SIGKILL or "memory allocation" in stderr or "MemoryError" in stderr:
        # Rust aborts on a failed allocation; SIGKILL without our deadline is the kernel's out-of-memory killer
        return limits.refuse("memory", lang, name=name, limit=memory >> 20)
    last = next((ln.strip() for ln in reversed(stderr.splitlines()) if ln.strip()), "")
    detail = last[:120] or (f"signal {signal.Signals(-status).name}" if status < 0 else f"exit status {status}")
    return IngestError(i18n.t("ingest.err.xlsx_unreadable", lang, name=name, detail=detail))


# -- the worker's side -----------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    import python_calamine  # noqa: F401  (loaded before the limits: what the worker holds at start is its baseline)

    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    os.umask(0o077)
    _limit(request["memory"], request["seconds"])
    baseline = _status_kb("VmRSS")
    path, name, lang, out = request["path"], request["name"], request["lang"], Path(request["out"])
    try:
        if request["check"]:
            limits.check_workbook(path, name, lang, request["max_columns"])
        result = _convert(path, name, lang, out, request["max_columns"])
    except IngestError as exc:
        result = {"error": str(exc)}
    except MemoryError:
        os.write(2, b"MemoryError\n")
        os._exit(MEMORY_EXIT)
    result["baseline_kb"], result["peak_kb"] = baseline, _status_kb("VmHWM")
    (out / "result.part").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    os.replace(out / "result.part", out / "result.json")
    return 0


def _limit(memory: int, seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a 512 GB attempt must not leave a core dump behind
    resource.setrlimit(resource.RLIMIT_CPU, (int(seconds) + 5, int(seconds) + 10))  # a backstop: the caller kills it at `seconds`
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = _status_kb("VmSize") * 1024 + memory
    resource.setrlimit(resource.RLIMIT_AS, (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))


def _status_kb(key: str) -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _convert(path: str, name: str, lang: str, out: Path, max_columns: int) -> dict:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        msg = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        if "password" in msg.lower() or "encrypt" in msg.lower():
            raise IngestError(i18n.t("ingest.err.xlsx_password", lang, name=name)) from None
        raise IngestError(i18n.t("ingest.err.xlsx_unreadable", lang, name=name, detail=msg)) from None
    limit = limits.cells_limit(os.path.getsize(path))
    sheets = []
    for i, sheet_name in enumerate(wb.sheet_names):
        where = f"{name}[{sheet_name}]"
        try:
            sheet = wb.get_sheet_by_name(sheet_name)
            if sheet.end is None:
                continue
            width, height = sheet.end[1] + 1, sheet.end[0] + 1
            # formats checked only now (.xls, .xlsb: no XML to scan) are judged before a row is made
            if width > max_columns:
                raise limits.refuse("columns", lang, name=name, sheet=sheet_name, found=width,
                                    cell=f"{limits.column_letters(width)}{height}", limit=max_columns)
            if width * height > limit:
                raise limits.refuse("cells", lang, name=name, sheet=sheet_name, found=width * height,
                                    corner=f"{limits.column_letters(width)}{height}", limit=limit)
            target = out / f"sheet{i}.csv"
            rows, head = _write(sheet, target, width, height, where, lang)
        except IngestError:
            raise
        except MemoryError:
            raise
        except Exception as exc:
            raise IngestError(i18n.t("ingest.err.sheet_unreadable", lang, name=where, detail=str(exc)[:120])) from None
        del sheet  # its grid goes before the next sheet's comes
        if rows:
            sheets.append({"name": sheet_name, "csv": str(target), "width": width, "rows": rows, "head": head})
    return {"sheet_names": list(wb.sheet_names), "sheets": sheets}


def _write(sheet, target: Path, width: int, height: int, where: str, lang: str) -> tuple[int, list]:
    """The sheet's non-empty rows into `target`; (their number, the first of them)."""
    pad = [None] * sheet.start[1]  # rows come from the first column that has a cell
    rows = head_bytes = 0
    head: list = []
    n = 0
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for n, raw in enumerate(sheet.iter_rows(), 1):  # from row 1: python-calamine yields the rows above the data too
            cells = list(map(cell_text, raw))
            if cells.count(None) == len(cells):
                continue
            cells = pad + cells
            writer.writerow((n, *cells))
            rows += 1
            if len(head) < HEAD_ROWS and head_bytes < HEAD_BYTES:
                while cells and cells[-1] is None:
                    cells.pop()
                head.append((n, cells))
                head_bytes += sum(len(c) for c in cells if c is not None)
    if n != height:  # rows would be numbered wrong: refuse rather than load them under other numbers
        raise IngestError(i18n.t("ingest.err.sheet_unreadable", lang, name=where, detail=f"{n} rows read of {height}"))
    return rows, head


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
