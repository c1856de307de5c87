"""What the local backends (embedded Tantivy, SQLite FTS5) share: an index in a configurable directory,
built in generations behind a ``CURRENT`` pointer, written under one lock across processes.

A rebuild writes a new generation directory (``index-<time>-<pid>-<ns>``) nobody else sees, then
swaps the pointer with ``os.replace``, so readers never see a half-built index; the old generation
is removed after the swap. Every write holds an exclusive ``fcntl`` lock on ``writer.lock``, so two
processes (web, worker, a rebuild command) never write at once.
"""

import fcntl
import json
import os
import shutil
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from django.utils.translation import gettext as _

from zhunru.search.backends.base import ProgressCallback, SearchBackend, SearchUnavailable

PROGRESS_EVERY = 1000  # documents between two progress reports while loading


class DirectoryBackend(SearchBackend):
    """A backend whose index lives under ``params["PATH"]``; subclasses say how to create, load and count one."""

    def __init__(self, params: dict):
        super().__init__(params)
        self.root = Path(params["PATH"])
        self.root.mkdir(parents=True, exist_ok=True)
        self.lock_timeout = float(params.get("LOCK_TIMEOUT", 60))
        self._mutex = threading.RLock()
        self._lock_depth = 0

    @abstractmethod
    def _create(self, path: Path) -> None:
        """Create an empty index in the fresh generation directory ``path``."""

    @abstractmethod
    def _load(self, path: Path, docs: Iterable[dict], total: int, progress: ProgressCallback | None) -> int:
        """Fill the unpublished index at ``path`` (private: no lock needed); return how many documents."""

    @abstractmethod
    def count(self) -> int:
        """Documents in the live index."""

    def _forget(self) -> None:  # noqa: B027  (optional hook)
        """Drop handles on the previous generation; called under the writer lock right after a swap."""

    # --- generations ----------------------------------------------------------------------------

    def _current_name(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _new_dir(self) -> Path:
        path = self.root / f"index-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        path.mkdir(parents=True)
        self._create(path)
        return path

    def _set_current(self, path: Path) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(path.name)
        os.replace(tmp, self.root / "CURRENT")

    def _ensure_current(self) -> str:
        """The live generation's directory name, creating an empty first one if there is none."""
        name = self._current_name()
        if name and (self.root / name).exists():
            return name
        with self._write_lock():
            name = self._current_name()
            if name and (self.root / name).exists():
                return name
            path = self._new_dir()
            self._set_current(path)
            return path.name

    @contextmanager
    def _write_lock(self):
        """An exclusive lock across processes (re-entrant in a thread); waits up to LOCK_TIMEOUT."""
        with self._mutex:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            fd = os.open(self.root / "writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
            deadline = time.monotonic() + self.lock_timeout
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise SearchUnavailable(_("检索索引正被其他进程写入，请稍后重试。"))
                        time.sleep(0.05)
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
            finally:
                os.close(fd)  # closing releases the flock

    # --- the interface --------------------------------------------------------------------------

    def rebuild(self, docs: Iterable[dict], total: int | None = None, progress: ProgressCallback | None = None,
                before_swap: Callable[[], None] | None = None) -> int:
        path = self._new_dir()
        try:
            n = self._load(path, docs, total or 0, progress)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        if progress:
            progress(n, total or n)
        if before_swap:
            before_swap()
        with self._write_lock():
            old = self._current_name()
            self._set_current(path)
            self._forget()
        if old and old != path.name:
            shutil.rmtree(self.root / old, ignore_errors=True)
        return n

    def health(self) -> dict:
        try:
            return {"ok": True, "backend": self.name, "documents": self.count(), "path": str(self.root),
                    "index": self._current_name()}
        except Exception as exc:  # health never raises
            return {"ok": False, "backend": self.name, "error": str(exc), "path": str(self.root)}

    def info(self) -> str:
        return json.dumps(self.health(), ensure_ascii=False)
