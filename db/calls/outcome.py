"""Logging an activity, the db half: read the state core decides from (`read_outcome_state`), and apply core's
`OutcomeDecision` (`apply_outcome`) inside the caller's transaction, returning the change record's payload
(what undo needs to put things back)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

from revdesk.core.calls.activities import TOUCH_KINDS
from revdesk.core.calls.outcome import (
    AccountState,
    ContactState,
    EnrollmentState,
    NextStep,
    OpenTask,
    OutcomeDecision,
    OutcomeRequest,
    OutcomeState,
    ScoreState,
    closing_tasks,
    scored_event,
)
from revdesk.core.common.errors import NotFound
from revdesk.core.common.models import User
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.calls.activity_days import count_activity
from revdesk.db.calls.scoring import score_inputs
from revdesk.db.common.history import record_status_change
from revdesk.db.dormancy.queries import dormant_account, record_revival
from revdesk.db.sequences.enrollments import contact_place, end_enrollment, materialize, step_label
from revdesk.sequences.rules import exit_reason

_CONTACT = ("SELECT id, account_id, lead_status, lifecycle_stage, first_touch_at, last_touch_at, timezone,"
            " do_not_contact FROM contacts WHERE id = ?")
_OPEN_TASKS = ("SELECT id, due_at, enrollment_id, step_index, channel FROM tasks WHERE user_id = ? AND contact_id = ?"
               " AND status IN ('open', 'snoozed')")
_LIVE_ENROLLMENTS = ("SELECT e.id, e.status, e.step_index, e.next_due_at, e.user_id, s.data FROM enrollments e"
                     " JOIN sequences s ON s.id = e.sequence_id WHERE e.contact_id = ? AND e.status IN ('active',"
                     " 'paused')")


def read_contact(conn: sqlite3.Connection, contact_id: int, user_zone: ZoneInfo) -> ContactState:
    row = conn.execute(_CONTACT, (contact_id,)).fetchone()
    if row is None:
        raise NotFound("contact", contact_id)
    return ContactState(row["id"], row["account_id"], row["lead_status"], row["lifecycle_stage"],
                        row["first_touch_at"], row["last_touch_at"],
                        ZoneInfo(row["timezone"]) if row["timezone"] else user_zone, bool(row["do_not_contact"]))


def read_outcome_state(conn: sqlite3.Connection, playbook: Playbook, request: OutcomeRequest) -> OutcomeState:
    """Everything `decide_outcome` needs, in one read step (inside the caller's transaction)."""
    contact = read_contact(conn, request.contact_id, request.user_zone)
    sequence_step = step_label(conn, request.task_id)
    if request.kind not in TOUCH_KINDS:
        return OutcomeState(contact, sequence_step)
    tasks = tuple(OpenTask(*row) for row in conn.execute(_OPEN_TASKS, (request.user_id, contact.id)))
    closing = closing_tasks(request, tasks)
    account = None
    if contact.account_id:
        touched = conn.execute("SELECT last_touch_at FROM accounts WHERE id = ?", (contact.account_id,)).fetchone()
        occurred = from_stored(to_stored(request.occurred))
        account = AccountState(contact.account_id, touched[0], dormant_account(conn, playbook, contact.account_id,
                                                                                   occurred))
    score = None
    if scored_event(playbook, request.kind, request.outcome) is not None:
        row, facts, history = score_inputs(conn, playbook, contact.id, request.now)
        score = ScoreState(row["score"], row["score_detail"], row["score_at"], facts, history)
    return OutcomeState(contact, sequence_step, tasks, _enrollments(conn, contact.id, closing, request.now),
                        account, score, exit_reason(request.kind, request.outcome, playbook))


def _enrollments(conn: sqlite3.Connection, contact_id: int, closing: tuple[OpenTask, ...],
                 now: datetime) -> tuple[EnrollmentState, ...]:
    """The contact's live enrollments; for one whose current step a closing task does, where it goes next."""
    doing = {(t.enrollment_id, t.step_index) for t in closing if t.enrollment_id is not None}
    found = []
    for enrollment_id, status, index, due, owner_id, data in conn.execute(_LIVE_ENROLLMENTS, (contact_id,)).fetchall():
        stored = json.loads(data)
        next_step = None
        if status == "active" and (enrollment_id, index) in doing:
            next_step = _next_step(conn, stored, index, contact_id, owner_id, now)
        found.append(EnrollmentState(enrollment_id, status, index, due, tuple(stored.get("exit_on", [])), next_step))
    return tuple(found)


def _next_step(conn: sqlite3.Connection, stored: dict, index: int, contact_id: int, owner_id: int,
               now: datetime) -> NextStep:
    from revdesk.sequences.definition import sequence_from_json  # the scheduler loads only when a step is done
    from revdesk.sequences.schedule import step_due

    steps = sequence_from_json(stored).steps
    if index + 1 >= len(steps):
        return NextStep(steps[index].channel, None)
    tz, country = contact_place(conn, contact_id, owner_id=owner_id)
    return NextStep(steps[index].channel, step_due(now, steps[index + 1], tz, country))


def apply_outcome(conn: sqlite3.Connection, decision: OutcomeDecision, user: User,
                  now: datetime) -> tuple[int, int | None, dict]:
    """Write the decision (inside the caller's transaction): the activity's id, the follow-up task's id and
    the change record's payload."""
    new = decision.activity
    activity_id = int(conn.execute(
        "INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, occurred_at, note,"
        " created_at, sequence_step, lead_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new.kind, new.outcome, new.user_id, new.contact_id, new.account_id, new.occurred_at, new.note,
         new.created_at, new.sequence_step, new.lead_status),
    ).lastrowid or 0)
    count_activity(conn, user.id, user.timezone, new.occurred_at, new.kind, new.outcome, new.lead_status)
    payload: dict = {"activity_id": activity_id, "contact_id": new.contact_id, "kind": new.kind,
                     "outcome": new.outcome}
    if decision.touch is not None:
        payload.update(_apply_touch(conn, decision, user, now, activity_id))
    follow_id = None
    if decision.follow_up is not None:
        follow = decision.follow_up
        follow_id = int(conn.execute(
            "INSERT INTO tasks (user_id, kind, contact_id, account_id, due_at, note, created_at,"
            " source_activity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (user.id, follow.kind, new.contact_id, new.account_id, to_stored(follow.due), follow.note,
             to_stored(now), activity_id),
        ).lastrowid or 0)
        payload["created_task"] = follow_id
    return activity_id, follow_id, payload


def _apply_touch(conn: sqlite3.Connection, decision: OutcomeDecision, user: User, now: datetime,
                 activity_id: int) -> dict:
    touch, contact_id, stamp = decision.touch, decision.activity.contact_id, to_stored(now)
    assert touch is not None
    conn.execute("UPDATE contacts SET lead_status = ?, lifecycle_stage = ?, first_touch_at = ?, last_touch_at = ?"
                 " WHERE id = ?", (touch.lead_status, touch.lifecycle_stage, touch.first_touch_at,
                                   touch.last_touch_at, contact_id))
    for move in touch.history:
        record_status_change(conn, contact_id, move.axis, move.before, move.after, user.id, now, move.reason)
    part: dict = {"contact_before": touch.before, "account_before": touch.account_before,
                  "contact_after": {"lead_status": touch.lead_status, "lifecycle_stage": touch.lifecycle_stage}}
    if touch.account_id:
        if touch.revival is not None:
            part["revival"] = record_revival(conn, touch.revival, user.id, activity_id,
                                             decision.activity.occurred_at) or None
        conn.execute("UPDATE accounts SET last_touch_at = ? WHERE id = ?", (touch.account_after, touch.account_id))
    conn.executemany("UPDATE tasks SET status = 'done', closed_at = ? WHERE id = ?",
                     [(stamp, i) for i in decision.closed_tasks])
    part["closed_tasks"] = list(decision.closed_tasks)
    steps = []
    for advance in decision.advances:
        run_id = conn.execute(
            "INSERT INTO step_runs (enrollment_id, step_index, channel, outcome, at, user_id, activity_id)"
            " VALUES (?, ?, ?, 'done', ?, ?, ?)",
            (advance.enrollment_id, advance.step_index, advance.channel, stamp, user.id, activity_id)).lastrowid
        if advance.next_due is None:
            conn.execute("UPDATE enrollments SET status = 'finished', step_index = ?, ended_at = ?, next_due_at = NULL"
                         " WHERE id = ?", (advance.step_index + 1, stamp, advance.enrollment_id))
        else:
            conn.execute("UPDATE enrollments SET step_index = ?, next_due_at = ? WHERE id = ?",
                         (advance.step_index + 1, to_stored(advance.next_due), advance.enrollment_id))
            materialize(conn, advance.enrollment_id, now)
        steps.append({"enrollment_id": advance.enrollment_id, "step_index": advance.step_index,
                      "next_due_at": advance.next_due_at_before, "step_run": run_id})
    exited = [{"enrollment_id": e.enrollment_id, "status": e.status, "next_due_at": e.next_due_at,
               "tasks": end_enrollment(conn, e.enrollment_id, "exited", e.reason, now)} for e in decision.exits]
    part.update({k: v for k, v in (("steps", steps), ("exited", exited)) if v})
    score = decision.score
    if score is not None:
        conn.execute("UPDATE contacts SET score = ?, score_detail = ?, score_at = ? WHERE id = ?",
                     (score.total, score.detail, score.at, contact_id))
        if score.mql is not None:
            conn.execute("UPDATE contacts SET lifecycle_stage = 'mql' WHERE id = ?", (contact_id,))
            record_status_change(conn, contact_id, "lifecycle", score.mql.before, "mql", user.id, now,
                                 score.mql.reason)
        part["score_before"] = score.before
        part["contact_after"]["lifecycle_stage"] = decision.lifecycle_after
    return part
