"""Opening a revdesk database: pragmas, migrations, the refusal of a newer schema or another program's file,
dry runs that write nothing, private file modes, and the store with its one writer.

Connections are per thread (workers query on their own connection); nothing connects at import time.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from revdesk.core.common.errors import InvalidInput, SchemaTooNew
from revdesk.db.common.files import NewDatabase, private_file, tighten
from revdesk.db.common.transactions import transaction as transaction  # where services have always found it
from revdesk.db.migrations.runner import SCHEMA_VERSION

if TYPE_CHECKING:
    from concurrent.futures import Future

    from revdesk.db.common.writer import Waiting, Writer

T = TypeVar("T")
REVDESK_TABLES = frozenset({"users", "accounts", "contacts", "changes"})  # there from the first migration on
_scratch_names = itertools.count(1)


def lock_wait() -> float:
    """Seconds to wait for another process's write lock before giving up (REVDESK_LOCK_WAIT; default 10)."""
    try:
        return max(float(os.environ.get("REVDESK_LOCK_WAIT", "10")), 0.0)
    except ValueError:
        return 10.0


def connect(path: str | Path, uri: bool = False) -> sqlite3.Connection:
    """A connection with revdesk's pragmas; transactions are explicit (see `transaction`). A new file is made
    0600 first (SQLite gives its -wal and -shm the same mode) and an existing one loses group and other bits."""
    if not uri and str(path) != ":memory:":
        try:
            private_file(Path(path))
        except OSError:  # no such folder, no permission: SQLite says so in its own words below
            pass
        tighten(Path(path))
    wait = lock_wait()
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=wait, uri=uri)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def enable_wal(conn: sqlite3.Connection) -> None:
    """WAL lets workers read while the UI writes; set only once the schema version has been checked."""
    conn.execute("PRAGMA journal_mode = WAL")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def schema_state(conn: sqlite3.Connection) -> str:
    """"empty" (no tables yet), "revdesk" (revdesk's schema, at any version) or "foreign" (another program's)."""
    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    if schema_version(conn) == 0:
        return "foreign" if tables else "empty"
    return "revdesk" if REVDESK_TABLES <= tables else "foreign"


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database lacks; refuse one written by a newer revdesk."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"this database has schema version {version}, but this revdesk knows only up to "
            f"{SCHEMA_VERSION}: upgrade revdesk to open it (nothing was changed)"
        )
    if version == SCHEMA_VERSION:
        return version
    from revdesk.db.migrations import runner  # loads only the migrations this database lacks

    held_data = version > 0 and conn.execute("SELECT EXISTS (SELECT 1 FROM changes)"
                                             " OR EXISTS (SELECT 1 FROM users)").fetchone()[0]
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with transaction(conn):
            runner.run_one(conn, number)  # its SQL, its data hook (timezones, ...) and the capture triggers
            if held_data and runner.has_data_hook(number):
                runner.record(conn, number)
    return SCHEMA_VERSION


class Store:
    """One database file; each thread gets its own migrated connection on first use.

    Another program's SQLite file (tables, but not revdesk's) is refused before anything is written to it.
    A `scratch` store (for dry runs) never writes to the file: a missing file, or one whose schema is missing or
    older, is copied into memory and migrated there; the file itself, if any, is only read.
    """

    def __init__(self, path: str | Path, create: bool = True, scratch: bool = False) -> None:
        """`create=False` refuses a file without revdesk's schema instead of writing the schema into it."""
        self.path = Path(path)
        self.create = create
        self.scratch = scratch
        self._local = threading.local()
        self._lock = threading.Lock()
        self._migrated = False
        self._memory: str | None = None  # the shared in-memory database of a scratch store
        self._anchor: sqlite3.Connection | None = None  # keeps that in-memory database alive
        self._new: NewDatabase | None = None
        self._writer: Writer | None = None
        self.patience: float | None = lock_wait()  # seconds a write waits for another process; None: for ever
        self._waiting_listeners: list[Callable[[Waiting | None], None]] = []

    @classmethod
    def new_file(cls, path: str | Path) -> Store:
        """A store for a database that does not exist yet, built beside `path`: it appears under that name
        only on `keep()`, so a failed or killed first write leaves no database behind."""
        new = NewDatabase(Path(path))
        store = cls(new.partial, create=True)
        store._new = new
        return store

    def keep(self) -> None:
        """A store made by `new_file`: move its finished database onto its name (other stores: nothing to do).
        Call it from the thread that used it, once no other thread has a connection."""
        if self._new is None:
            return
        self.close()
        self._new.keep()
        self.path, self._new = self._new.target, None

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (for reads; on the writer's own thread, the write connection)."""
        conn = getattr(self._local, "conn", None)
        return conn if conn is not None else self._thread_connection()

    def _ensure_open(self) -> None:
        with self._lock:
            if not self._migrated:
                self._open_first()
                self._migrated = True

    @property
    def writer(self) -> Writer:
        """The one writer of this database (its thread starts with the first write)."""
        with self._lock:
            if self._writer is None:
                from revdesk.db.common.writer import Writer

                me = weakref.ref(self)  # the writer's thread must not keep its store alive
                self._writer = Writer(lambda: me()._thread_connection(), self.path,  # type: ignore[union-attr]
                                      lambda: getattr(me(), "patience", 0.0), self._waiting_listeners)
            return self._writer

    def on_waiting(self, listener: Callable[[Waiting | None], None]) -> None:
        """Call `listener(Waiting)` when a write starts waiting for another process's lock (or the reason changes)
        and `listener(None)` when the wait ends; it runs on the writer's thread."""
        self._waiting_listeners.append(listener)

    @property
    def waiting(self) -> Waiting | None:
        """Why the writer is waiting right now, if it is."""
        return self._writer.waiting if self._writer is not None else None

    def _thread_connection(self) -> sqlite3.Connection:
        """This thread's new connection; on the writer's thread the write connection, which it then reads through
        too (so its reads see its own writes)."""
        self._ensure_open()
        conn = self._connect()
        self._local.conn = conn
        return conn

    def write(self, fn: Callable[[sqlite3.Connection], T], doing: str | None = None) -> T:
        """Run `fn(conn)` on the one writer, in one transaction; its result, or its exception raised here. While
        another process holds the lock it waits up to `patience` (then LockWaitExpired). `doing` ("import in
        progress") is left beside the database while it runs, for another revdesk waiting on it to show."""
        self._ensure_open()
        return self.writer.write(fn, doing)

    def submit(self, fn: Callable[[sqlite3.Connection], T], doing: str | None = None) -> Future[T]:
        """`write`, without waiting: a Future of its result."""
        self._ensure_open()
        return self.writer.submit(fn, doing)

    def _connect(self) -> sqlite3.Connection:
        if self._memory is not None:
            return connect(self._memory, uri=True)
        try:
            conn = connect(self.path)
            enable_wal(conn)
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None
        return conn

    def _open_first(self) -> None:
        """Check what the file holds and bring its schema up to date (in memory for a scratch store)."""
        if not self.path.exists() and (self.scratch or not self.create):
            if not self.create:
                raise InvalidInput("--db", f"{self.path} does not exist (nothing was changed)")
            self._open_memory(None)
            return
        try:
            probe = connect(self.path)  # read-write, but a scratch store only reads through it (a read-only
            # connection would leave a WAL database's -wal and -shm behind, which only a writer removes)
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None
        try:
            if schema_version(probe) > SCHEMA_VERSION:
                migrate(probe)  # refuses it, naming the versions
            state = schema_state(probe)
            if state == "foreign":
                raise InvalidInput("--db", f"{self.path} is not a revdesk database: another program's SQLite file (it"
                                           " has tables, but not revdesk's), which revdesk will not write into"
                                           " (nothing was changed)")
            if state == "empty" and not self.create:
                raise self._not_revdesk("(nothing was changed)")
            if self.scratch and schema_version(probe) != SCHEMA_VERSION:
                self._open_memory(probe)
                return
            if not self.scratch:
                migrate(probe)
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None
        finally:
            probe.close()

    def _open_memory(self, source: sqlite3.Connection | None) -> None:
        """A private in-memory copy of `source` (or an empty database), migrated: what a dry run writes into."""
        self._memory = f"file:revdesk-scratch-{id(self)}-{next(_scratch_names)}?mode=memory&cache=shared"
        self._anchor = connect(self._memory, uri=True)
        if source is not None:
            source.backup(self._anchor)
        migrate(self._anchor)

    def _not_revdesk(self, why: str) -> InvalidInput:
        return InvalidInput("--db", f"{self.path} is not a revdesk database {why}")

    def _failure(self, exc: sqlite3.DatabaseError) -> InvalidInput:
        """A lock held by another process or a damaged file says so; any other failure to open means not ours."""
        from revdesk.db.common.failures import database_failure

        meaning = database_failure(exc, self.path)
        return InvalidInput("--db", meaning) if meaning else self._not_revdesk(f"({exc})")

    def close(self) -> None:
        """Close this thread's connection, and the writer (after its queued writes) if it was started."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

