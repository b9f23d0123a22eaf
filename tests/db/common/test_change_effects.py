"""db/common/effects.py, db/common/changes.py and db/migrations/: row-level effects captured by the generated
triggers and claimed by their change, taken back in reverse, UUIDv7 ids, and migrations loaded only when needed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest

from revdesk.db.common.changes import append_change, uuid7
from revdesk.db.common.connection import Store, connect, transaction
from revdesk.db.common.effects import effects_of, unclaimed, undo_effects
from revdesk.db.migrations.runner import SCHEMA_VERSION, migration_files, script
from tests.db.helpers import CONTEXT, bench
from tests.factories import NOW

TS = "2026-11-23T13:00:00Z"


def _rows(conn: sqlite3.Connection, *skip: str) -> dict[str, list[tuple]]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                                        " 'sqlite_%' ORDER BY name") if r[0] not in skip]
    return {n: sorted(map(tuple, conn.execute(f"SELECT * FROM {n}")), key=repr) for n in names}


def _change(conn: sqlite3.Connection, command: str = "test") -> int:
    return append_change(conn, at=NOW, user_id=None, command=command, entity="user", entity_id=None, payload={})


def test_insert_update_and_delete_are_captured_and_claimed_by_their_change(store):
    conn = store.conn
    with transaction(conn):  # the factory wrote its rows directly, not through services: claim them first
        _change(conn, "factory")
    with transaction(conn):
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        conn.execute("UPDATE users SET name = 'Maya K.', team = team WHERE id = 1")  # team is unchanged
        conn.execute("UPDATE users SET name = name WHERE id = 2")  # nothing changes: no effect
        conn.execute("DELETE FROM meta WHERE key = 'a'")
        change = _change(conn)
    effects = [(e.table, e.op, e.key, e.old, e.new) for e in effects_of(conn, change)]
    assert effects == [("meta", "insert", {"key": "a"}, None, {"key": "a", "value": "1"}),
                       ("users", "update", {"id": 1}, {"name": "Maya Koch"}, {"name": "Maya K."}),
                       ("meta", "delete", {"key": "a"}, {"key": "a", "value": "1"}, None)]
    assert unclaimed(conn) == 0


def test_a_rolled_back_write_leaves_no_effects(store):
    conn = store.conn
    before = conn.execute("SELECT COUNT(*) FROM change_effects").fetchone()[0]
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("UPDATE users SET name = 'X' WHERE id = 1")
        raise RuntimeError("refused")
    assert conn.execute("SELECT COUNT(*) FROM change_effects").fetchone()[0] == before


def test_undoing_a_deal_move_in_reverse_takes_it_back(maya, store):
    conn = store.conn
    maya.log_call(1, "connected")
    tom = bench(store, "tom")
    handoff = maya.send_handoff("sdr_ae", 2, CONTEXT, contact_id=1).handoff_id
    deal = tom.accept_handoff(handoff).deal_id
    before = _rows(conn, "changes", "change_effects")
    moved = bench(store, "tom", NOW + timedelta(hours=1)).move_deal(deal, "demo", {"amount": "24000"})
    assert _rows(conn, "changes", "change_effects") != before
    with transaction(conn):
        undo_effects(conn, effects_of(conn, moved.change_id))
        _change(conn, "take_back")
    assert _rows(conn, "changes", "change_effects") == before


def test_uuid7_is_version_7_and_time_ordered():
    ids = [uuid7() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_every_change_has_a_unique_uid_and_its_arguments(store):
    conn = store.conn
    rows = conn.execute("SELECT uid, arguments FROM changes").fetchall()
    assert rows and all(uuid.UUID(r[0]).version == 7 and r[1] for r in rows)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO changes (uid, at, command, entity) VALUES (?, ?, 'x', 'y')", (rows[0][0], TS))


def test_the_runner_counts_the_migration_files_and_runtime_code_loads_none():
    assert [int(p.name[1:3]) for p in migration_files()] == list(range(1, SCHEMA_VERSION + 1))
    probe = ("import sys, revdesk.db.workbench, revdesk.db.common.connection, revdesk.db.accounts.facts;"
             "print(sorted(m for m in sys.modules if m.startswith('revdesk.db.migrations.m')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _schema(conn: sqlite3.Connection) -> list[tuple]:
    return [tuple(r) for r in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")]


def test_an_old_database_migrates_to_the_schema_of_a_new_one_and_records_its_data_hooks(tmp_path):
    old = connect(tmp_path / "old.db")
    old.executescript(script(1) + "\nPRAGMA user_version = 1;")
    old.executescript("INSERT INTO users (id, handle, name, role, created_at) VALUES (1, 'm', 'M', 'sdr', '2026');"
                      "INSERT INTO changes (at, command, entity, payload) VALUES"
                      " ('2026-01-02T00:00:00Z', 'import', 'users', '{\"rows\": 1}');")
    old.close()
    migrated, new = Store(tmp_path / "old.db"), Store(tmp_path / "new.db")
    assert _schema(migrated.conn) == _schema(new.conn)
    changes = migrated.conn.execute("SELECT command, entity_id, uid, arguments FROM changes ORDER BY id").fetchall()
    assert [(c[0], c[1]) for c in changes] == [("import", None), ("migrate", 6), ("migrate", 9), ("migrate", 10)]
    assert changes[0][3] == '{"rows": 1}' and all(uuid.UUID(c[2]).version == 7 for c in changes)
    assert changes[0][2] < changes[1][2]  # the old change's uid is from when it happened
    assert unclaimed(migrated.conn) == 0
    migrated.close(), new.close()
