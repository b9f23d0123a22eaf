"""Transactions that nest: the outermost is BEGIN IMMEDIATE ... COMMIT, an inner one a SAVEPOINT."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

_savepoint_names = itertools.count(1)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All of the block is written, or none: BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any error) at the outermost
    level; inside an open transaction a SAVEPOINT, released at the end or rolled back to on an error, so that a
    service may be called from another service (or from the writer's own transaction) and still undo its part."""
    if conn.in_transaction:
        name = f"revdesk_{next(_savepoint_names)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # an error SQLite answered with a rollback of its own leaves nothing to undo
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
