"""The one writer of a database: a dedicated thread owning the only write connection, fed by a queue.

`Writer.write(fn)` runs `fn(conn)` on that thread inside one BEGIN IMMEDIATE transaction (so a service's own
`transaction(conn)` becomes a savepoint) and returns its result or raises its exception in the caller;
`Writer.submit(fn)` returns a concurrent.futures.Future instead (for a thread that must not wait).

Another process holding the write lock is waited for in short slices rather than with one long busy timeout:
while waiting the writer publishes a `Waiting` (since when, and why: what the other revdesk said it is doing in its
`<db>.writing` note, see `doing`) to whoever listens, and gives up after its patience with `LockWaitExpired`.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from revdesk.core.common.errors import InvalidInput
from revdesk.db.common.failures import lock_held
from revdesk.db.common.files import PRIVATE_FILE
from revdesk.db.common.transactions import transaction

T = TypeVar("T")
SLICE = 0.2  # seconds of busy_timeout per attempt at the lock: short, so waiting can be published and abandoned
UNKNOWN_HOLDER = "another program is writing to the database"
REVDESK_HOLDER = "another revdesk is writing: "  # then what it said it is doing
_writer_names = itertools.count(1)


class LockWaitExpired(InvalidInput):
    """Another process held the write lock past this writer's patience; nothing was written. `holder` is what it
    said it is doing (None: it left no note)."""

    def __init__(self, path: Path, holder: str | None, waited: float) -> None:
        super().__init__("--db", lock_held(path, holder, waited))
        self.path, self.holder, self.waited = path, holder, waited


@dataclass(frozen=True)
class Waiting:
    """The writer is waiting for another process's lock since `since`, because `reason`."""

    since: datetime
    reason: str

    def line(self, short: bool = False) -> str:
        """For a status line; `short` (a narrow screen) keeps only what the other process is doing."""
        if short:
            return f"waiting to save: {self.reason.removeprefix(REVDESK_HOLDER)}"
        return f"waiting to save: {self.reason} (since {self.since.astimezone():%H:%M:%S})"


def note_path(db: str | Path) -> Path:
    return Path(f"{db}.writing")


@contextmanager
def doing(db: str | Path, what: str) -> Iterator[None]:
    """Leave a note beside `db` saying what this process is writing ("import in progress") while the block runs,
    so that another revdesk waiting for the lock can say why. The note is 0600 and removed afterwards; a note left
    by a process that died is ignored by `holder`."""
    path = note_path(db)
    body = json.dumps({"pid": os.getpid(), "doing": what})
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w") as handle:
            handle.write(body)
    except OSError:  # a read-only folder: the wait is then reported as by an unknown program
        yield
        return
    try:
        yield
    finally:
        with suppress(OSError):
            if path.read_text() == body:
                path.unlink()


def holder(db: str | Path) -> str | None:
    """What holds `db`'s write lock, as the other revdesk described it in its note; None if no live one left one."""
    try:
        note = json.loads(note_path(db).read_text())
        pid, what = int(note["pid"]), str(note["doing"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid() or not _alive(pid):
        return None
    return f"{REVDESK_HOLDER}{what}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _busy(exc: BaseException) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return isinstance(exc, sqlite3.OperationalError) and (
        name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc))


class Writer:
    """One thread, one write connection (made by `opener` on that thread), one queue of jobs."""

    def __init__(self, opener: Callable[[], sqlite3.Connection], path: Path,
                 patience: Callable[[], float | None], listeners: list[Callable[[Waiting | None], None]]) -> None:
        """`listeners` (the store's, kept by reference) hear each Waiting, then None, on the writer's thread."""
        self._opener = opener
        self.path = path
        self._patience = patience
        self._jobs: queue.Queue[tuple[Callable[[sqlite3.Connection], Any], Future[Any], str | None] | None]
        self._jobs = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self.conn: sqlite3.Connection | None = None
        self.waiting: Waiting | None = None
        self._listeners = listeners

    # -- callers ------------------------------------------------------------------------------------------
    def in_writer(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, fn: Callable[[sqlite3.Connection], T], doing: str | None = None) -> Future[T]:
        """Queue `fn(conn)`; the Future holds its result or its exception. `doing` ("import in progress") is
        left in a note beside the database while it runs, for other revdesks to show."""
        future: Future[T] = Future()
        if self.in_writer():  # a write inside a write: part of the same transaction
            try:
                future.set_result(self._run_nested(fn))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller through the Future
                future.set_exception(exc)
            return future
        self._ensure_thread()
        self._jobs.put((fn, future, doing))
        return future

    def write(self, fn: Callable[[sqlite3.Connection], T], doing: str | None = None) -> T:
        """Run `fn(conn)` on the writer in one transaction; its result, or its exception raised here."""
        return self.submit(fn, doing).result()

    def close(self) -> None:
        """Finish the queued jobs, close the write connection and end the thread."""
        thread = self._thread
        if thread is None or self.in_writer():
            return
        self._jobs.put(None)
        thread.join()
        self._thread = None

    # -- the writer thread --------------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                # the thread holds its writer only weakly, so a store dropped without close() is freed (and its
                # unkept new file removed); the writer's finalizer then ends the thread
                self._thread = threading.Thread(target=_loop, args=(self._jobs, weakref.ref(self)), daemon=True,
                                                name=f"revdesk-writer-{next(_writer_names)}")
                self._thread.start()
                weakref.finalize(self, self._jobs.put, None)

    def _job(self, fn: Callable[[sqlite3.Connection], Any], future: Future[Any], what: str | None) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(self._run(fn, what))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the Future
            future.set_exception(exc)

    def _close_connection(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            self.conn = self._opener()
            self.conn.execute(f"PRAGMA busy_timeout = {int(SLICE * 1000)}")
        return self.conn

    def _run(self, fn: Callable[[sqlite3.Connection], T], what: str | None) -> T:
        conn = self._connection()
        self._begin(conn)
        try:
            if what is None:
                result = fn(conn)
            else:
                with doing(self.path, what):
                    result = fn(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if conn.in_transaction:
            conn.execute("COMMIT")
        return result

    def _run_nested(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with transaction(self._connection()) as conn:
            return fn(conn)

    def _begin(self, conn: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE, retried in short slices while another process holds the lock, publishing why."""
        started = time.monotonic()
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise
                held_by = holder(self.path)
                reason = held_by or UNKNOWN_HOLDER
                waited = time.monotonic() - started
                patience = self._patience()
                if patience is not None and waited >= patience:
                    raise LockWaitExpired(self.path, held_by, waited) from None
                if self.waiting is None or self.waiting.reason != reason:
                    self._publish(Waiting(self.waiting.since if self.waiting else datetime.now(UTC), reason))
                if patience is not None and patience - waited < SLICE:
                    time.sleep(max(patience - waited, 0.0))
        finally:
            if self.waiting is not None:
                self._publish(None)

    def _publish(self, waiting: Waiting | None) -> None:
        self.waiting = waiting
        for listener in list(self._listeners):
            with suppress(Exception):  # a listener's failure must not stop the write
                listener(waiting)


def _loop(jobs: queue.Queue[Any], ref: weakref.ReferenceType[Writer]) -> None:
    """The writer thread: run each queued job until told to stop (None) or the writer is gone."""
    while True:
        job = jobs.get()
        if job is None:
            break
        writer = ref()
        if writer is None:
            return
        writer._job(*job)
        del writer, job  # hold nothing while waiting for the next job
    writer = ref()
    if writer is not None:
        writer._close_connection()
