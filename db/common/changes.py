"""The append-only change log: every service writes one record in the same transaction as its rows.

A record has a globally unique, time-ordered id (`uid`, a UUIDv7), the command and its arguments (enough to run it
again), the payload undo reads, and its row-level effects: the capture triggers (db.common.effects) write them as
the service writes its rows, and `append_change` claims them, so no service can forget one."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime

from revdesk.core.common.when import to_stored
from revdesk.db.common.effects import claim

_clock = threading.Lock()
_last = [0, 0]  # the last uuid7's millisecond and counter: uids made in one process never go backwards


def uuid7(ms: int | None = None) -> str:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit counter within the millisecond, 62 random
    bits. Within a process each one sorts after the one before, also when the clock steps back."""
    with _clock:
        now = time.time_ns() // 1_000_000 if ms is None else ms
        if now > _last[0]:
            _last[0], _last[1] = now, int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:
            _last[1] += 1
            if _last[1] > 0xFFF:
                _last[0], _last[1] = _last[0] + 1, 0
        stamp, counter = _last
    value = (stamp << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | (int.from_bytes(os.urandom(8), "big") >> 2)
    return str(uuid.UUID(int=value))


def uuid7_at(stored: str) -> str:
    """A UUIDv7 for a record made at `stored` (UTC text), for records older than uids."""
    try:
        at = datetime.fromisoformat(stored.replace("Z", "+00:00"))
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        return uuid7(int(at.timestamp() * 1000))
    except (ValueError, OverflowError):
        return uuid7()


def append_change(
    conn: sqlite3.Connection, *, at: datetime, user_id: int | None, command: str, entity: str,
    entity_id: int | None, payload: dict, undoes: int | None = None, arguments: dict | None = None,
) -> int:
    """Append the record of a change (inside its transaction, after its writes): it claims the effects the
    capture triggers wrote. `arguments` defaults to the payload."""
    cursor = conn.execute(
        "INSERT INTO changes (uid, at, user_id, command, entity, entity_id, payload, arguments, undoes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (uuid7(), to_stored(at), user_id, command, entity, entity_id, json.dumps(payload, sort_keys=True),
         json.dumps(payload if arguments is None else arguments, sort_keys=True), undoes),
    )
    change_id = int(cursor.lastrowid or 0)
    claim(conn, change_id)
    return change_id


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


# written by revdesk itself as time passes, not by anyone's work
AUTOMATIC_COMMANDS = ("tick", "migrate", "pick_dormant")


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
