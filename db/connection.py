"""Opening a revdesk database: pragmas, migrations, the newer-schema refusal, and transactions.

Connections are per thread (workers query on their own connection); nothing connects at import time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import InvalidInput, SchemaTooNew
from db.schema import MIGRATIONS, SCHEMA_VERSION


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection with revdesk's pragmas; transactions are explicit (see `transaction`)."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def enable_wal(conn: sqlite3.Connection) -> None:
    """WAL lets workers read while the UI writes; set only once the schema version has been checked."""
    conn.execute("PRAGMA journal_mode = WAL")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: all of it is written, or none."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


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
    import sqlite_utils  # only needed when there is something to migrate

    db = sqlite_utils.Database(conn)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with transaction(conn):
            for statement in _statements(MIGRATIONS[number - 1]):
                db.execute(statement)
            from db.schema_v4_v6 import AFTER_MIGRATION

            if number in AFTER_MIGRATION:  # data only Python can compute (timezones), in the same transaction
                AFTER_MIGRATION[number](conn)
            db.execute(f"PRAGMA user_version = {number}")
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ';', so split on complete statements)."""
    statements, current = [], ""
    for line in script.splitlines():
        if line.strip().startswith("--") and not current:
            continue
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


class Store:
    """One database file; each thread gets its own migrated connection on first use."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        """`create=False` refuses a file without revdesk's schema instead of writing the schema into it."""
        self.path = Path(path)
        self.create = create
        self._local = threading.local()
        self._lock = threading.Lock()
        self._migrated = False

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = connect(self.path)
            except sqlite3.DatabaseError as exc:
                raise InvalidInput("--db", f"{self.path} is not a revdesk database ({exc})") from None
            try:
                with self._lock:
                    if not self._migrated:
                        if not self.create and schema_version(conn) == 0:
                            raise InvalidInput("--db", f"{self.path} is not a revdesk database (nothing was changed)")
                        migrate(conn)
                        self._migrated = True
                enable_wal(conn)
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise InvalidInput("--db", f"{self.path} is not a revdesk database ({exc})") from None
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
