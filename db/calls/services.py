"""Service functions for the SDR's day: log an activity or call outcome, add a note, schedule a follow-up,
undo. Each validates, writes its rows and one change record in a single transaction, or writes nothing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.calls.activities import ACTIVITY_KINDS, OTHER_OUTCOMES, TOUCH_KINDS
from revdesk.core.calls.transitions import move_for_outcome
from revdesk.core.common.errors import InvalidInput, NotFound
from revdesk.core.common.models import User
from revdesk.core.common.when import day_bounds, from_stored, into_working_hours, resolve_quick_form, to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.calls.activity_days import count_activity
from revdesk.db.calls.scoring import score_activity
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.common.history import record_status_change
from revdesk.db.dormancy.queries import note_revival
from revdesk.db.sequences.enrollments import exit_sequences, step_done, step_label
from revdesk.sequences.rules import exit_reason


@dataclass(frozen=True)
class Logged:
    change_id: int
    activity_id: int
    follow_up_task_id: int | None
    follow_up_due_at: datetime | None


def _contact_row(conn: sqlite3.Connection, contact_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT id, account_id, lead_status, lifecycle_stage, first_touch_at, last_touch_at, timezone,"
        " do_not_contact FROM contacts WHERE id = ?",
        (contact_id,),
    ).fetchone()
    if row is None:
        raise NotFound("contact", contact_id)
    return row


def _contact_zone(row: sqlite3.Row, user: User) -> ZoneInfo:
    return ZoneInfo(row["timezone"] or user.timezone)


def log_activity(
    conn: sqlite3.Connection, playbook: Playbook, user: User, contact_id: int, kind: str,
    outcome: str | None, now: datetime, *, at: datetime | None = None, note: str | None = None,
    task_id: int | None = None,
) -> Logged:
    """Log a touch (a call outcome, an e-mail, a meeting...) on a contact, moving its statuses and closing
    the user's tasks for that contact due today; a call outcome may schedule the playbook's follow-up."""
    if kind not in ACTIVITY_KINDS:
        raise InvalidInput("type", f"{kind!r} is not one of {', '.join(ACTIVITY_KINDS)}")
    rule = None
    if kind == "call":
        if outcome is None:
            raise InvalidInput("outcome", "a call needs an outcome: " + ", ".join(o.key for o in playbook.outcomes))
        try:
            rule = playbook.outcome(outcome)
        except KeyError as exc:
            raise InvalidInput("outcome", str(exc.args[0])) from None
    elif outcome is not None and outcome not in OTHER_OUTCOMES[kind]:
        allowed = ", ".join(OTHER_OUTCOMES[kind]) or "none"
        raise InvalidInput("outcome", f"{outcome!r} is not an outcome of {kind!r} (allowed: {allowed})")
    occurred = at or now
    if occurred > now + timedelta(minutes=5):
        raise InvalidInput("at", "is in the future; log what happened, schedule what will")
    with transaction(conn):
        contact = _contact_row(conn, contact_id)
        if contact["do_not_contact"] and kind != "note":
            raise InvalidInput("contact", f"{contact_id} is marked do-not-contact")
        stamp = to_stored(occurred)
        activity_id = int(conn.execute(
            "INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, occurred_at, note,"
            " created_at, sequence_step, lead_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, outcome, user.id, contact_id, contact["account_id"], stamp, note, to_stored(now),
             step_label(conn, task_id), contact["lead_status"]),
        ).lastrowid or 0)
        count_activity(conn, user.id, user.timezone, stamp, kind, outcome, contact["lead_status"])
        payload: dict = {"activity_id": activity_id, "contact_id": contact_id, "kind": kind, "outcome": outcome}
        if kind in TOUCH_KINDS:
            payload.update(_touch(conn, playbook, user, contact, rule, stamp, now, activity_id))
            doing = kind if outcome not in ("replied", "bounced") else None
            payload["closed_tasks"] = _close_tasks(conn, user, contact, task_id, now, doing)
            steps = [state for state in (step_done(conn, t, "done", user, now, activity_id)
                                         for t in payload["closed_tasks"]) if state]
            reason = exit_reason(kind, outcome, playbook)
            exited = exit_sequences(conn, contact_id, reason, now) if reason else []
            payload.update({k: v for k, v in (("steps", steps), ("exited", exited)) if v})
            score_before = score_activity(conn, playbook, contact_id, kind, outcome, occurred, user.id, now)
            if score_before is not None:
                payload["score_before"] = score_before
                payload["contact_after"]["lifecycle_stage"] = conn.execute(
                    "SELECT lifecycle_stage FROM contacts WHERE id = ?", (contact_id,)).fetchone()[0]
        follow_id, follow_due = None, None
        if rule is not None and rule.follow_up:
            local_now = now.astimezone(_contact_zone(contact, user))
            follow_due = into_working_hours(resolve_quick_form(rule.follow_up, local_now), not_before=local_now,
                                            hours=playbook.working_hours.bounds())
            follow_id = _insert_task(conn, user, contact, rule.follow_up_kind, follow_due, rule.label, now,
                                     activity_id)
            payload["created_task"] = follow_id
        change = append_change(conn, at=now, user_id=user.id, command="log_activity", entity="activity",
                               entity_id=activity_id, payload=payload)
    return Logged(change, activity_id, follow_id, follow_due)


def _touch(conn: sqlite3.Connection, playbook: Playbook, user: User, contact: sqlite3.Row, rule, stamp: str,
           now: datetime, activity_id: int) -> dict:
    """Move statuses and the last-touch facts; return what undo needs to put them back."""
    before = {k: contact[k] for k in ("lead_status", "lifecycle_stage", "first_touch_at", "last_touch_at")}
    status, lifecycle = contact["lead_status"], contact["lifecycle_stage"]
    if rule is not None:
        move = move_for_outcome(status, lifecycle, rule, user.role)
        status, lifecycle = move.lead_status, move.lifecycle_stage
    elif status == "new":
        status = "attempting"
    first = min(filter(None, [contact["first_touch_at"], stamp]))
    last = max(filter(None, [contact["last_touch_at"], stamp]))
    conn.execute(
        "UPDATE contacts SET lead_status = ?, lifecycle_stage = ?, first_touch_at = ?, last_touch_at = ?"
        " WHERE id = ?", (status, lifecycle, first, last, contact["id"]),
    )
    reason = f"{rule.label} call" if rule else "touch"
    record_status_change(conn, contact["id"], "lead_status", before["lead_status"], status, user.id, now, reason)
    record_status_change(conn, contact["id"], "lifecycle", before["lifecycle_stage"], lifecycle, user.id, now,
                         reason)
    account_before, revival = None, None
    if contact["account_id"]:
        row = conn.execute("SELECT last_touch_at FROM accounts WHERE id = ?", (contact["account_id"],)).fetchone()
        account_before = row["last_touch_at"]
        revival = note_revival(conn, playbook, contact["account_id"], user.id, activity_id, from_stored(stamp))
        conn.execute("UPDATE accounts SET last_touch_at = MAX(COALESCE(last_touch_at, ''), ?) WHERE id = ?",
                     (stamp, contact["account_id"]))
    after = {"lead_status": status, "lifecycle_stage": lifecycle}
    return {"contact_before": before, "contact_after": after, "account_before": account_before,
            **({"revival": revival} if revival else {})}


def _close_tasks(conn: sqlite3.Connection, user: User, contact: sqlite3.Row, task_id: int | None,
                 now: datetime, doing: str | None) -> list[int]:
    """Close the item's task and the user's other tasks for this contact due through today. A sequence
    step closes only when it is the item, or when this touch is what the step asks for (`doing`: a call
    does a due call step; a reply does no step of ours)."""
    _, end = day_bounds(now.astimezone(ZoneInfo(user.timezone)).date(), ZoneInfo(user.timezone))
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM tasks WHERE user_id = ? AND contact_id = ? AND status IN ('open', 'snoozed')"
        " AND ((due_at < ? AND (enrollment_id IS NULL OR channel = ?)) OR id = ?)",
        (user.id, contact["id"], to_stored(end), doing, task_id),
    )]
    if task_id is not None and task_id not in ids:
        raise InvalidInput("task", f"{task_id} is not an open task of yours for contact {contact['id']}")
    conn.executemany("UPDATE tasks SET status = 'done', closed_at = ? WHERE id = ?",
                     [(to_stored(now), i) for i in ids])
    return ids


def _insert_task(conn: sqlite3.Connection, user: User, contact: sqlite3.Row, kind: str, due: datetime,
                 note: str | None, now: datetime, activity_id: int | None) -> int:
    return int(conn.execute(
        "INSERT INTO tasks (user_id, kind, contact_id, account_id, due_at, note, created_at, source_activity_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (user.id, kind, contact["id"], contact["account_id"], to_stored(due), note, to_stored(now), activity_id),
    ).lastrowid or 0)


def schedule_follow_up(conn: sqlite3.Connection, user: User, contact_id: int, when: str, now: datetime,
                       note: str | None = None, kind: str = "follow_up") -> tuple[int, datetime]:
    """Schedule a follow-up from a quick form ("+2d", "tomorrow 9:00", "next monday"), read in the
    contact's local time."""
    contact = _contact_row(conn, contact_id)
    due = resolve_quick_form(when, now.astimezone(_contact_zone(contact, user)), field="when")
    if due <= now:
        raise InvalidInput("when", f"{when!r} is in the past")
    with transaction(conn):
        task_id = _insert_task(conn, user, contact, kind, due, note, now, None)
        append_change(conn, at=now, user_id=user.id, command="schedule_follow_up", entity="task",
                      entity_id=task_id, payload={"contact_id": contact_id, "due_at": to_stored(due),
                                                  "created_task": task_id})
    return task_id, due
