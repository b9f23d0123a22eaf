"""Undo: reverse a user's latest logged activity from its change record, and log the undo itself."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from core.errors import NothingToUndo
from core.models import User
from core.when import to_stored
from db.changes import append_change, last_undoable
from db.connection import transaction
from db.history import record_status_change

UNDOABLE = ("log_activity",)


@dataclass(frozen=True)
class Undone:
    change_id: int
    contact_id: int
    outcome: str | None
    reopened_tasks: list[int]


def undo_last(conn: sqlite3.Connection, user: User, now: datetime) -> Undone:
    """Undo the user's latest logged activity: the activity is marked undone (never deleted), statuses and
    touch facts go back, closed tasks reopen and a scheduled follow-up is cancelled."""
    with transaction(conn):
        change = last_undoable(conn, user.id, UNDOABLE)
        if change is None:
            raise NothingToUndo("nothing to undo: you have no logged activity left to take back")
        payload = json.loads(change["payload"])
        stamp = to_stored(now)
        conn.execute("UPDATE activities SET undone_at = ? WHERE id = ?", (stamp, payload["activity_id"]))
        contact_id = payload["contact_id"]
        before = payload.get("contact_before")
        if before is not None:
            _restore_contact(conn, user, contact_id, before, now)
        closed = payload.get("closed_tasks", [])
        conn.executemany("UPDATE tasks SET status = 'open', closed_at = NULL WHERE id = ?", [(i,) for i in closed])
        if payload.get("created_task"):
            conn.execute("UPDATE tasks SET status = 'cancelled', closed_at = ? WHERE id = ? AND status = 'open'",
                         (stamp, payload["created_task"]))
        change_id = append_change(conn, at=now, user_id=user.id, command="undo", entity="activity",
                                  entity_id=payload["activity_id"], payload={"undid": change["command"]},
                                  undoes=change["id"])
    return Undone(change_id, contact_id, payload.get("outcome"), closed)


def _restore_contact(conn: sqlite3.Connection, user: User, contact_id: int, before: dict, now: datetime) -> None:
    current = conn.execute("SELECT lead_status, lifecycle_stage, account_id FROM contacts WHERE id = ?",
                           (contact_id,)).fetchone()
    # Touch facts are recomputed from what remains, so another person's later touch is kept.
    touches = conn.execute(
        "SELECT MIN(occurred_at), MAX(occurred_at) FROM activities WHERE contact_id = ? AND undone_at IS NULL"
        " AND kind IN ('call', 'email', 'linkedin', 'meeting')", (contact_id,),
    ).fetchone()
    conn.execute(
        "UPDATE contacts SET lead_status = ?, lifecycle_stage = ?, first_touch_at = ?, last_touch_at = ?"
        " WHERE id = ?", (before["lead_status"], before["lifecycle_stage"], touches[0], touches[1], contact_id),
    )
    record_status_change(conn, contact_id, "lead_status", current["lead_status"], before["lead_status"],
                         user.id, now, "undo")
    record_status_change(conn, contact_id, "lifecycle", current["lifecycle_stage"], before["lifecycle_stage"],
                         user.id, now, "undo")
    if current["account_id"]:
        last = conn.execute(
            "SELECT MAX(occurred_at) FROM activities WHERE account_id = ? AND undone_at IS NULL"
            " AND kind IN ('call', 'email', 'linkedin', 'meeting')", (current["account_id"],),
        ).fetchone()[0]
        conn.execute("UPDATE accounts SET last_touch_at = ? WHERE id = ?", (last, current["account_id"]))
