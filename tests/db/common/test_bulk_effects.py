"""db/common/bulk_effects.py: rows an import adds are recorded a thousand to an effect, taken back exactly,
replayed exactly onto a copy from before, and a block that deletes a row it added is refused."""

from __future__ import annotations

import sqlite3

import pytest

from revdesk.db.common.bulk_effects import CHUNK, bulk_inserts
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.common.effects import apply_effects, effects_of, unclaimed, undo_effects
from tests.factories import NOW

CHANGE_LOG = ("changes", "change_effects", "local_state")


def _rows(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                                        " 'sqlite_%' ORDER BY name") if r[0] not in CHANGE_LOG]
    return {n: sorted(map(tuple, conn.execute(f"SELECT * FROM {n}")), key=repr) for n in names}


def _import(conn: sqlite3.Connection, people: int) -> int:
    """An import's shape: new accounts and contacts in bulk, one old row updated, one new row updated after."""
    with transaction(conn), bulk_inserts(conn) as bulk:
        conn.executemany("INSERT INTO accounts (name, domain, created_at) VALUES (?, ?, '2026-11-23T09:00:00Z')",
                         [(f"Firm {n}", f"firm{n}.example") for n in range(3)])
        first = conn.execute("SELECT max(id) FROM accounts").fetchone()[0]
        conn.executemany("INSERT INTO contacts (account_id, first_name, last_name, email, created_at)"
                         " VALUES (?, ?, 'Ode', ?, '2026-11-23T09:00:00Z')",
                         [(first, f"P{n}", f"p{n}@firm.example") for n in range(people)])
        conn.execute("UPDATE contacts SET title = 'CFO' WHERE id = 1")  # a row from before
        conn.execute("UPDATE contacts SET title = 'COO' WHERE id = (SELECT max(id) FROM contacts)")  # a new one
        change = append_change(conn, at=NOW, user_id=None, command="import", entity="contacts", entity_id=None,
                               payload={})
        bulk.record(change)
    return change


def _claimed(conn: sqlite3.Connection) -> sqlite3.Connection:
    """The factory wrote its rows directly, not through services: a change claims them first."""
    with transaction(conn):
        append_change(conn, at=NOW, user_id=None, command="factory", entity="user", entity_id=None, payload={})
    return conn


def test_an_imports_rows_are_a_few_effects_taken_back_and_replayed_exactly(store, tmp_path):
    conn = _claimed(store.conn)
    before_path = tmp_path / "before.db"
    copy = sqlite3.connect(before_path)
    conn.backup(copy)
    before = _rows(conn)
    change = _import(conn, CHUNK * 2 + 5)
    assert unclaimed(conn) == 0
    effects = effects_of(conn, change)
    bulk = [e for e in effects if e.op == "insert_rows"]
    assert [(e.table, len(e.new["rows"])) for e in bulk] == [
        ("accounts", 3), ("contacts", CHUNK), ("contacts", CHUNK), ("contacts", 5)]
    assert conn.execute("SELECT title FROM contacts WHERE id = (SELECT max(id) FROM contacts)").fetchone()[0] == "COO"
    after = _rows(conn)

    copy.execute("PRAGMA foreign_keys = ON")
    with transaction(copy):
        apply_effects(copy, effects)
    assert _rows(copy) == after, "replayed onto a copy from before: the same rows"
    copy.close()

    with transaction(conn):
        undo_effects(conn, effects)
    assert _rows(conn) == before, "taken back: as before the import"


def test_a_bulk_block_that_deletes_a_row_it_added_is_refused(store):
    conn = _claimed(store.conn)
    count = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    with pytest.raises(RuntimeError, match="deleted rows it added"):
        with transaction(conn), bulk_inserts(conn) as bulk:
            conn.execute("INSERT INTO contacts (first_name, last_name, created_at)"
                         " VALUES ('Gone', 'Soon', '2026-11-23T09:00:00Z')")
            conn.execute("DELETE FROM contacts WHERE first_name = 'Gone'")
            bulk.record(append_change(conn, at=NOW, user_id=None, command="t", entity="x", entity_id=None,
                                      payload={}))
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == count
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert "effects_contacts_insert" in names, "the insert triggers are back"
