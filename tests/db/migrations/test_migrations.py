"""db/common/connection.py and db/migrations/schema.py: migrations, the newer-schema refusal, pragmas and append-only
tables."""

from __future__ import annotations

import sqlite3

import pytest

from revdesk.core.common.errors import SchemaTooNew
from revdesk.db.common.connection import Store, connect, migrate, schema_version
from revdesk.db.migrations.runner import SCHEMA_VERSION

TABLES = {
    "users", "accounts", "contacts", "handoffs", "deals", "activities", "tasks", "owner_history", "stage_history",
    "status_history", "changes", "playbooks", "meta",
}
TS = "2026-11-23T13:00:00Z"


def _schema(conn: sqlite3.Connection) -> list[tuple]:
    return [tuple(r) for r in conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")]


@pytest.fixture
def fresh(tmp_path):
    store = Store(tmp_path / "fresh.db")
    yield store
    store.close()


@pytest.fixture
def with_activity(fresh):
    """A migrated database with one user and one call activity (id 1)."""
    conn = fresh.conn
    conn.execute("INSERT INTO users (id, handle, name, role, created_at) VALUES (1, 'maya', 'Maya', 'sdr', ?)", (TS,))
    conn.execute(
        "INSERT INTO activities (id, kind, outcome, user_id, occurred_at, created_at)"
        " VALUES (1, 'call', 'voicemail', 1, ?, ?)", (TS, TS),
    )
    return conn


def test_a_new_file_is_migrated_to_the_current_version_with_all_tables(fresh):
    conn = fresh.conn
    assert SCHEMA_VERSION >= 1
    assert schema_version(conn) == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert TABLES <= tables
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"activities_no_delete", "activities_no_update", "changes_no_update", "changes_no_delete"} <= triggers


def test_tables_are_strict(fresh):
    strict = {r["name"]: r["strict"] for r in fresh.conn.execute("PRAGMA table_list") if r["schema"] == "main"}
    assert all(strict[name] == 1 for name in TABLES), strict
    with pytest.raises(sqlite3.IntegrityError):
        fresh.conn.execute("INSERT INTO accounts (name, employees, created_at) VALUES ('A', 'many', ?)", (TS,))


def test_reopening_is_idempotent(tmp_path):
    path = tmp_path / "again.db"
    first = Store(path)
    first.conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    before = _schema(first.conn)
    first.close()
    second = Store(path)
    assert schema_version(second.conn) == SCHEMA_VERSION
    assert _schema(second.conn) == before
    assert second.conn.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0] == "v"
    assert migrate(second.conn) == SCHEMA_VERSION  # nothing left to apply
    assert _schema(second.conn) == before
    second.close()


def test_foreign_keys_wal_and_busy_timeout_are_on(fresh):
    conn = fresh.conn
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute(
            "INSERT INTO activities (kind, outcome, user_id, occurred_at, created_at) VALUES ('call', 'x', 99, ?, ?)",
            (TS, TS),
        )


def test_every_connection_of_a_store_has_the_pragmas(fresh):
    fresh.conn  # noqa: B018 - the store opens (and switches the file to WAL) first
    other = connect(fresh.path)
    try:
        assert other.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def _newer_database(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future_things (id INTEGER PRIMARY KEY, what TEXT)")
    conn.execute("INSERT INTO future_things (what) VALUES ('from a newer revdesk')")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def test_a_database_from_a_newer_schema_is_refused_and_its_data_left_alone(tmp_path):
    path = tmp_path / "newer.db"
    _newer_database(path)
    with pytest.raises(SchemaTooNew, match=f"schema version {SCHEMA_VERSION + 1}"):
        Store(path).conn  # noqa: B018
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        names = [r[0] for r in check.execute("SELECT name FROM sqlite_master")]
        assert names == ["future_things"]
        assert check.execute("SELECT what FROM future_things").fetchall() == [("from a newer revdesk",)]
    finally:
        check.close()


def test_a_database_from_a_newer_schema_is_left_byte_for_byte_unchanged(tmp_path):
    path = tmp_path / "newer.db"
    _newer_database(path)
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew):
        Store(path).conn  # noqa: B018
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.db"]


def test_activities_refuse_changes_to_their_columns(with_activity):
    for column, value in (("outcome", "'connected'"), ("note", "'edited'"), ("occurred_at", "'2026-01-01T00:00:00Z'"),
                          ("user_id", "1 + 0 * id"), ("kind", "'email'")):
        sql = f"UPDATE activities SET {column} = {value} WHERE id = 1"
        if column == "user_id":
            # same value: allowed, nothing changes
            with_activity.execute(sql)
            continue
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            with_activity.execute(sql)
    row = with_activity.execute("SELECT kind, outcome, note, occurred_at FROM activities WHERE id = 1").fetchone()
    assert tuple(row) == ("call", "voicemail", None, TS)


def test_activities_cannot_be_deleted(with_activity):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with_activity.execute("DELETE FROM activities WHERE id = 1")
    assert with_activity.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 1


def test_an_activity_can_be_marked_undone_once_only(with_activity):
    with_activity.execute("UPDATE activities SET undone_at = ? WHERE id = 1", (TS,))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with_activity.execute("UPDATE activities SET undone_at = '2026-11-24T00:00:00Z' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with_activity.execute("UPDATE activities SET undone_at = NULL WHERE id = 1")
    assert with_activity.execute("SELECT undone_at FROM activities WHERE id = 1").fetchone()[0] == TS


def test_the_change_log_refuses_update_and_delete(fresh):
    conn = fresh.conn
    conn.execute("INSERT INTO changes (at, command, entity, payload) VALUES (?, 'x', 'y', '{}')", (TS,))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE changes SET command = 'z'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM changes")
    assert [tuple(r) for r in conn.execute("SELECT command, entity FROM changes")] == [("x", "y")]


def test_a_change_is_undone_at_most_once(fresh):
    conn = fresh.conn
    conn.execute("INSERT INTO changes (id, at, command, entity) VALUES (1, ?, 'log_activity', 'activity')", (TS,))
    conn.execute("INSERT INTO changes (at, command, entity, undoes) VALUES (?, 'undo', 'activity', 1)", (TS,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO changes (at, command, entity, undoes) VALUES (?, 'undo', 'activity', 1)", (TS,))
