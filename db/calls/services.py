"""Service functions for the SDR's day: log an activity or call outcome, add a note (a note is an activity),
schedule a follow-up. Each reads the state it needs, asks core what changes (core.calls.outcome,
core.calls.follow_up), and applies that with one change record in a single transaction, or writes nothing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from revdesk.core.calls.follow_up import decide_follow_up
from revdesk.core.calls.outcome import OutcomeRequest, check_activity, decide_outcome
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.calls.outcome import apply_outcome, read_contact, read_outcome_state
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction


@dataclass(frozen=True)
class Logged:
    change_id: int
    activity_id: int
    follow_up_task_id: int | None
    follow_up_due_at: datetime | None


def log_activity(
    conn: sqlite3.Connection, playbook: Playbook, user: User, contact_id: int, kind: str,
    outcome: str | None, now: datetime, *, at: datetime | None = None, note: str | None = None,
    task_id: int | None = None,
) -> Logged:
    """Log a touch (a call outcome, an e-mail, a meeting...) on a contact, moving its statuses and closing
    the user's tasks for that contact due today; a call outcome may schedule the playbook's follow-up.

    The model for every service: read the state, let core decide what changes (core.calls.outcome), apply
    the decision and its change record in one transaction."""
    occurred = at or now
    check_activity(playbook, kind, outcome, occurred, now)
    request = OutcomeRequest(user.id, user.role, ZoneInfo(user.timezone), contact_id, kind, outcome, occurred, now,
                             note, task_id)
    with transaction(conn):
        decision = decide_outcome(request, read_outcome_state(conn, playbook, request), playbook)
        activity_id, follow_id, payload = apply_outcome(conn, decision, user, now)
        arguments = {"contact_id": contact_id, "kind": kind, "outcome": outcome, "at": to_stored(occurred),
                     "note": note, "task_id": task_id}
        change = append_change(conn, at=now, user_id=user.id, command="log_activity", entity="activity",
                               entity_id=activity_id, payload=payload, arguments=arguments)
    follow_due = decision.follow_up.due if decision.follow_up else None
    return Logged(change, activity_id, follow_id, follow_due)


def schedule_follow_up(conn: sqlite3.Connection, user: User, contact_id: int, when: str, now: datetime,
                       note: str | None = None, kind: str = "follow_up") -> tuple[int, datetime]:
    """Schedule a follow-up from a quick form ("+2d", "tomorrow 9:00", "next monday"), read in the
    contact's local time."""
    with transaction(conn):
        contact = read_contact(conn, contact_id, ZoneInfo(user.timezone))
        follow = decide_follow_up(when, contact.zone, now, note, kind)
        task_id = int(conn.execute(
            "INSERT INTO tasks (user_id, kind, contact_id, account_id, due_at, note, created_at) VALUES (?, ?, ?, ?,"
            " ?, ?, ?)", (user.id, follow.kind, contact_id, contact.account_id, to_stored(follow.due), follow.note,
                          to_stored(now))).lastrowid or 0)
        append_change(conn, at=now, user_id=user.id, command="schedule_follow_up", entity="task",
                      entity_id=task_id, payload={"contact_id": contact_id, "due_at": to_stored(follow.due),
                                                  "created_task": task_id},
                      arguments={"contact_id": contact_id, "when": when, "note": note, "kind": kind})
    return task_id, follow.due
