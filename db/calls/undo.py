"""Undo: reverse a user's latest logged activity from its change record, and log the undo itself."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from revdesk.core.calls.activities import TOUCH_KINDS
from revdesk.core.common.errors import NothingToUndo
from revdesk.core.common.models import User
from revdesk.core.common.when import day_bounds, to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.calls.activity_days import count_activity
from revdesk.db.calls.scoring import rescore
from revdesk.db.common.changes import append_change, last_undoable
from revdesk.db.common.connection import transaction
from revdesk.db.common.history import record_status_change
from revdesk.db.sequences.enrollments import undo_steps

_LIVE_TOUCH = "undone_at IS NULL AND kind IN ({})".format(", ".join(f"'{k}'" for k in TOUCH_KINDS))


@dataclass(frozen=True)
class Undone:
    change_id: int
    contact_id: int
    outcome: str | None
    reopened_tasks: list[int]


def undo_last(conn: sqlite3.Connection, user: User, now: datetime, playbook: Playbook | None = None) -> Undone:
    """Undo the user's latest call outcome logged today (their day): the activity is marked undone (never
    deleted), statuses and touch facts go back, closed tasks reopen and a scheduled follow-up is cancelled.
    Earlier days' calls are history and stay as they are."""
    tz = ZoneInfo(user.timezone)
    start_of_day, _ = day_bounds(now.astimezone(tz).date(), tz)
    with transaction(conn):
        change = last_undoable(conn, user.id, "log_activity", "call", start_of_day)
        if change is None:
            raise NothingToUndo("nothing to undo: no call outcome of yours from today is left to take back")
        payload = json.loads(change["payload"])
        handed = conn.execute("SELECT id FROM handoffs WHERE contact_id = ? AND created_at >= ?",
                              (payload["contact_id"], change["at"])).fetchone()
        if handed is not None:
            raise NothingToUndo(f"nothing to undo: handoff {handed[0]} was sent after that call, so the call"
                                " stands")
        stamp = to_stored(now)
        conn.execute("UPDATE activities SET undone_at = ? WHERE id = ?", (stamp, payload["activity_id"]))
        gone = conn.execute("SELECT occurred_at, kind, outcome, lead_status FROM activities WHERE id = ?",
                            (payload["activity_id"],)).fetchone()
        count_activity(conn, user.id, user.timezone, gone["occurred_at"], gone["kind"], gone["outcome"],
                       gone["lead_status"], -1)
        contact_id = payload["contact_id"]
        if payload.get("contact_before") is not None:
            _restore_contact(conn, user, contact_id, payload, now)
        if payload.get("steps") or payload.get("exited"):
            undo_steps(conn, payload.get("steps", []), payload.get("exited", []), now)
        if payload.get("score_before") is not None and playbook is not None:
            rescore(conn, playbook, now, [contact_id], user.id)  # the undone activity no longer counts
        closed = payload.get("closed_tasks", [])
        conn.executemany("UPDATE tasks SET status = 'open', closed_at = NULL WHERE id = ?", [(i,) for i in closed])
        if payload.get("created_task"):
            conn.execute("UPDATE tasks SET status = 'cancelled', closed_at = ? WHERE id = ? AND status = 'open'",
                         (stamp, payload["created_task"]))
        change_id = append_change(conn, at=now, user_id=user.id, command="undo", entity="activity",
                                  entity_id=payload["activity_id"], payload={"undid": change["command"]},
                                  undoes=change["id"])
    return Undone(change_id, contact_id, payload.get("outcome"), closed)


def _restore_contact(conn: sqlite3.Connection, user: User, contact_id: int, payload: dict, now: datetime) -> None:
    """Put statuses back only where nothing has moved them since; touch facts are recomputed from what
    remains, so another person's later touch and dates from before the activity log both survive."""
    before, after = payload["contact_before"], payload.get("contact_after", {})
    current = conn.execute("SELECT lead_status, lifecycle_stage, account_id FROM contacts WHERE id = ?",
                           (contact_id,)).fetchone()
    status, lifecycle = current["lead_status"], current["lifecycle_stage"]
    later = conn.execute(f"SELECT 1 FROM activities WHERE contact_id = ? AND id > ? AND {_LIVE_TOUCH} LIMIT 1",
                         (contact_id, payload["activity_id"])).fetchone()
    if later is not None:  # a later touch stands: the statuses it gave stay
        after = {}
    if status == after.get("lead_status", object()):
        status = before["lead_status"]
    if lifecycle == after.get("lifecycle_stage", object()):
        lifecycle = before["lifecycle_stage"]
    touches = conn.execute(
        f"SELECT MIN(occurred_at), MAX(occurred_at) FROM activities WHERE contact_id = ? AND {_LIVE_TOUCH}",
        (contact_id,),
    ).fetchone()
    first = min(filter(None, [touches[0], before["first_touch_at"]]), default=None)
    last = max(filter(None, [touches[1], before["last_touch_at"]]), default=None)
    conn.execute("UPDATE contacts SET lead_status = ?, lifecycle_stage = ?, first_touch_at = ?, last_touch_at = ?"
                 " WHERE id = ?", (status, lifecycle, first, last, contact_id))
    record_status_change(conn, contact_id, "lead_status", current["lead_status"], status, user.id, now, "undo")
    record_status_change(conn, contact_id, "lifecycle", current["lifecycle_stage"], lifecycle, user.id, now, "undo")
    if current["account_id"]:
        latest = conn.execute(f"SELECT MAX(occurred_at) FROM activities WHERE account_id = ? AND {_LIVE_TOUCH}",
                              (current["account_id"],)).fetchone()[0]
        last_account = max(filter(None, [latest, payload.get("account_before")]), default=None)
        conn.execute("UPDATE accounts SET last_touch_at = ? WHERE id = ?", (last_account, current["account_id"]))
