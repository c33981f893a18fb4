"""The app's one folder for temporary files: `tmp/` beside the warehouse file (ECOM_WAREHOUSE).

Uploads waiting to be loaded, unpacked zip members, transcoded text, the sheets the Excel worker writes
and DuckDB's spill files of a load all live in folders made here. The folder and every folder in it
are 0700 and the files written through `open_private` 0600: an upload is never readable by other local
users, as it was in the system temp folder (0644 there).

Each folder holds an advisory lock (flock on its `.lock`) for as long as it is in use; the kernel
drops the lock when its process dies, however it dies. `cleanup()` removes every folder whose lock
nobody holds, i.e. what a killed process (kill -9, an out-of-memory kill, a power cut) left behind:
call it at start-up (`python -m ecom ingest` does; so must the server). It never touches a folder
that another running process (the app, an `ingest` beside it) is using.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecom import settings

PREFIX = "ecom-"
LOCK = ".lock"
# a folder is made a moment before its lock is taken: a lockless one this young may be in the making
YOUNG_S = 60

_held: dict[Path, int] = {}  # folder -> the descriptor that holds its lock
_guard = threading.Lock()


def root() -> Path:
    """The folder, made (0700) when missing."""
    path = settings.warehouse_path().parent / "tmp"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def make_dir(prefix: str) -> Path:
    """A new private folder `ecom-<prefix>-…` in `root()`, locked until `remove(path)`."""
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{prefix}-", dir=root()))  # mkdtemp makes it 0700
    fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with _guard:
        _held[path] = fd
    return path


def remove(path) -> None:
    """Delete a folder made by `make_dir` and release its lock."""
    path = Path(path)
    shutil.rmtree(path, ignore_errors=True)
    with _guard:
        fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    """A private folder for the duration of the block, removed after it (also on errors)."""
    path = make_dir(prefix)
    try:
        yield path
    finally:
        remove(path)


def open_private(path, mode: str = "wb", **kwargs):
    """`open(path, mode)` for writing a new file that only this user can read (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    return os.fdopen(fd, mode, **kwargs)


def cleanup() -> list[Path]:
    """Remove what killed processes left in `root()`; returns what was removed."""
    removed = []
    for entry in sorted(root().iterdir()):
        if not entry.name.startswith(PREFIX):
            continue
        if entry.is_dir() and not entry.is_symlink():
            if _abandoned(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        else:
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def _abandoned(folder: Path) -> bool:
    """Whether no live process holds the folder's lock (taking it for a moment to find out)."""
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > YOUNG_S
        except OSError:  # removed meanwhile by its owner
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
