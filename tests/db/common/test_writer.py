"""db/common/writer.py and the writer's half of db/common/connection.py: one write connection on one thread, nested
transactions as savepoints, and waiting for another process's lock (really held, by a second process)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest

from revdesk.db.common.connection import Store, transaction
from revdesk.db.common.writer import UNKNOWN_HOLDER, LockWaitExpired, Waiting, doing, holder, note_path
from tests.lock_holder import held_lock


@pytest.fixture
def plain(tmp_path):
    store = Store(tmp_path / "w.db")
    store.conn.execute("CREATE TABLE t (x INTEGER)")
    yield store
    store.close()


def count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM t").fetchone()[0]


def test_savepoints_nest_and_an_inner_failure_undoes_only_its_part(plain):
    conn = plain.conn
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), transaction(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            with transaction(conn):
                conn.execute("INSERT INTO t VALUES (3)")
            raise ValueError("inner")
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (4)")
        assert conn.in_transaction
    assert not conn.in_transaction
    assert [r[0] for r in conn.execute("SELECT x FROM t ORDER BY x")] == [1, 4]


def test_an_outer_failure_undoes_the_released_savepoints_too(plain):
    conn = plain.conn
    with pytest.raises(RuntimeError), transaction(conn):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("outer")
    assert count(plain) == 0 and not conn.in_transaction


def test_writes_run_on_one_thread_with_one_connection_and_return_or_raise_in_the_caller(plain):
    seen: list[tuple[str, int]] = []

    def insert(conn: sqlite3.Connection) -> int:
        seen.append((threading.current_thread().name, id(conn)))
        with transaction(conn):  # a service's own transaction: a savepoint in the writer's
            conn.execute("INSERT INTO t VALUES (1)")
        assert plain.conn is conn  # on the writer's thread, reads see the write connection
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]

    results = []
    threads = [threading.Thread(target=lambda: results.append(plain.write(insert))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [1, 2, 3, 4] and count(plain) == 4
    assert len(set(seen)) == 1 and seen[0][0].startswith("revdesk-writer") and seen[0][1] != id(plain.conn)

    def fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES (9)")
        raise KeyError("no such thing")

    with pytest.raises(KeyError):
        plain.write(fail)
    assert count(plain) == 4  # the whole write was rolled back
    assert plain.write(lambda conn: plain.write(lambda inner: inner is conn))  # a write inside a write: inline


def test_a_future_for_a_thread_that_must_not_wait(plain):
    future = plain.submit(lambda conn: conn.execute("INSERT INTO t VALUES (1)").rowcount)
    assert future.result(timeout=10) == 1 and count(plain) == 1


def test_a_write_waits_for_another_process_says_why_and_lands_when_the_lock_clears(plain):
    plain.patience = None  # for ever, as in the app
    heard = []
    plain.on_waiting(heard.append)
    with held_lock(plain.path, seconds=1.5, doing="import in progress"):
        started = time.monotonic()
        plain.write(lambda conn: conn.execute("INSERT INTO t VALUES (1)"))
        waited = time.monotonic() - started
    assert waited >= 0.8 and count(plain) == 1
    assert heard[0] is not None and heard[0].reason == "another revdesk is writing: import in progress"
    assert "import in progress" in heard[0].line() and heard[-1] is None and plain.waiting is None


def test_past_its_patience_a_write_gives_up_naming_the_holder_and_writes_nothing(plain):
    plain.patience = 0.5
    with held_lock(plain.path, seconds=20, doing="seed in progress"):
        with pytest.raises(LockWaitExpired) as raised:
            plain.write(lambda conn: conn.execute("INSERT INTO t VALUES (1)"))
        assert raised.value.field == "--db"
        assert raised.value.reason.startswith(f"another revdesk is writing: seed in progress ({plain.path});")
        assert "nothing was written" in raised.value.reason
    assert count(plain) == 0
    plain.write(lambda conn: conn.execute("INSERT INTO t VALUES (2)"))  # the writer goes on once it clears
    assert count(plain) == 1


def test_a_lock_held_without_a_note_is_another_program(plain):
    plain.patience = 0.0
    with held_lock(plain.path, seconds=20), pytest.raises(LockWaitExpired) as raised:
        plain.write(lambda conn: None)
    assert raised.value.holder is None and "another revdesk process" in raised.value.reason
    assert holder(plain.path) is None and UNKNOWN_HOLDER == "another program is writing to the database"


def test_the_note_is_private_removed_after_and_ignored_when_its_process_is_gone(tmp_path):
    db = tmp_path / "n.db"
    with doing(db, "import in progress"):
        assert os.stat(note_path(db)).st_mode & 0o777 == 0o600
        assert holder(db) is None  # this process's own note says nothing about another one
    assert not note_path(db).exists()
    note_path(db).write_text('{"pid": 999999999, "doing": "import in progress"}')  # a process that died
    assert holder(db) is None
    note_path(db).write_text("not json")
    assert holder(db) is None


def test_the_waiting_line_keeps_what_the_other_process_does_on_a_narrow_screen():
    from datetime import UTC, datetime

    waiting = Waiting(datetime(2026, 11, 24, 8, 0, tzinfo=UTC), "another revdesk is writing: import in progress")
    assert waiting.line().startswith("waiting to save: another revdesk is writing: import in progress (since ")
    assert waiting.line(short=True) == "waiting to save: import in progress"
    assert Waiting(waiting.since, UNKNOWN_HOLDER).line(short=True) == f"waiting to save: {UNKNOWN_HOLDER}"
