"""Migration 10: every change record gets a globally unique, time-ordered id (`uid`, a UUIDv7), the command's
arguments (JSON, enough to run it again) and its row-level effects (`change_effects`, written by the capture
triggers of db.common.effects and claimed by the change in the same transaction).

Older change records get a uid made from when they happened, in their order; their arguments are their payload
(every payload so far names what the command acted on). The capture triggers themselves are generated from the
schema by the migration runner after every migration (a later migration may reshape a table).

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

import sqlite3

SQL = """
ALTER TABLE changes ADD COLUMN uid TEXT;
ALTER TABLE changes ADD COLUMN arguments TEXT NOT NULL DEFAULT '{}';
CREATE TABLE change_effects (
    seq INTEGER PRIMARY KEY,
    change_id INTEGER REFERENCES changes(id),
    tbl TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'insert_rows')),
    key TEXT NOT NULL,
    old TEXT,
    new TEXT
) STRICT;
CREATE INDEX change_effects_change ON change_effects(change_id, seq);
CREATE TRIGGER change_effects_no_delete BEFORE DELETE ON change_effects
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
"""


def after(conn: sqlite3.Connection) -> None:
    """Give the change records made before this migration their uid and arguments, then make uid unique."""
    from revdesk.db.common.changes import uuid7_at

    rows = conn.execute("SELECT id, at FROM changes ORDER BY id").fetchall()
    conn.execute("DROP TRIGGER changes_no_update")
    conn.executemany("UPDATE changes SET uid = ?, arguments = payload WHERE id = ?",
                     [(uuid7_at(row[1]), row[0]) for row in rows])
    conn.execute("CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes"
                 " BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END")
    conn.execute("CREATE UNIQUE INDEX changes_uid ON changes(uid)")
