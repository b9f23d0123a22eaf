"""The append-only change log: every service writes one record in the same transaction as its rows."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from revdesk.core.common.when import to_stored


def append_change(
    conn: sqlite3.Connection, *, at: datetime, user_id: int | None, command: str, entity: str,
    entity_id: int | None, payload: dict, undoes: int | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO changes (at, user_id, command, entity, entity_id, payload, undoes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (to_stored(at), user_id, command, entity, entity_id, json.dumps(payload, sort_keys=True), undoes),
    )
    return int(cursor.lastrowid or 0)


def last_undoable(conn: sqlite3.Connection, user_id: int, command: str, kind: str, since: datetime,
                  ) -> sqlite3.Row | None:
    """The user's latest `command` change about a `kind` activity since `since` not yet undone."""
    return conn.execute(
        "SELECT c.* FROM changes c WHERE c.user_id = ? AND c.command = ? AND c.at >= ?"
        " AND json_extract(c.payload, '$.kind') = ?"
        " AND NOT EXISTS (SELECT 1 FROM changes u WHERE u.undoes = c.id)"
        " ORDER BY c.id DESC LIMIT 1",
        (user_id, command, to_stored(since), kind),
    ).fetchone()


def latest_change(conn: sqlite3.Connection, command: str) -> tuple[str, dict] | None:
    """When the latest change of `command` happened (stored UTC text) and its payload, or None."""
    row = conn.execute("SELECT at, payload FROM changes WHERE command = ? ORDER BY id DESC LIMIT 1",
                       (command,)).fetchone()
    return (row[0], json.loads(row[1])) if row else None


AUTOMATIC_COMMANDS = ("tick",)  # written by revdesk itself as time passes, not by anyone's work


def work_since_seed(conn: sqlite3.Connection) -> tuple[str, dict, int] | None:
    """For a seeded database: when it was seeded (stored UTC text), the seed's payload, and how many changes
    people have made since (imports, calls, moves, playbooks; not the automatic ones). None if never seeded."""
    seed = conn.execute("SELECT id, at, payload FROM changes WHERE command = 'seed' ORDER BY id DESC LIMIT 1"
                        ).fetchone()
    if seed is None:
        return None
    marks = ", ".join("?" * len(AUTOMATIC_COMMANDS))
    work = conn.execute(f"SELECT COUNT(*) FROM changes WHERE id > ? AND command NOT IN ({marks})",
                        (seed[0], *AUTOMATIC_COMMANDS)).fetchone()[0]
    return seed[1], json.loads(seed[2]), int(work)
