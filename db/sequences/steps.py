"""Working a due sequence step: the e-mail it would send (rendered, or blocked by a merge field without a
value), sending it (logged as an e-mail on the contact, which moves the sequence on), and marking a
LinkedIn or task step done. Calls are logged like any call (db/calls/services.py) and move the sequence on too."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.calls.services import Logged, log_activity
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.common.records import get_account, get_contact
from revdesk.db.sequences.definitions import sequence_by_id
from revdesk.db.sequences.enrollments import step_done


@dataclass(frozen=True)
class StepWork:
    task_id: int
    contact_id: int
    sequence_name: str
    step_number: int
    channel: str
    note: str | None


@dataclass(frozen=True)
class EmailDraft:
    task_id: int
    contact_id: int
    to: str
    to_name: str
    subject: str
    body: str
    sender_name: str


def due_step(conn: sqlite3.Connection, user: User, task_id: int) -> tuple[StepWork, object]:
    """The open step task of mine behind a queue item, and its step definition."""
    row = conn.execute(
        "SELECT t.contact_id, t.step_index, e.sequence_id, s.name FROM tasks t JOIN enrollments e"
        " ON e.id = t.enrollment_id JOIN sequences s ON s.id = e.sequence_id WHERE t.id = ? AND t.user_id = ?"
        " AND t.status IN ('open', 'snoozed') AND e.status = 'active'", (task_id, user.id)).fetchone()
    if row is None:
        raise InvalidInput("task", f"{task_id} is not a due sequence step of yours")
    step = sequence_by_id(conn, row["sequence_id"]).steps[row["step_index"]]
    work = StepWork(task_id, row["contact_id"], row["name"], row["step_index"] + 1, step.channel, step.note)
    return work, step


def email_draft(conn: sqlite3.Connection, user: User, task_id: int, now: datetime) -> EmailDraft:
    """The step's e-mail, merged with the contact's, account's and my details. A merge field without a
    value raises MissingMergeFields naming each one: nothing goes out as "Hi {first_name}"."""
    from revdesk.sequences.templates import merge_values, render

    work, step = due_step(conn, user, task_id)
    if work.channel != "email":
        raise InvalidInput("task", f"step {work.step_number} of '{work.sequence_name}' is a {work.channel} step")
    contact = get_contact(conn, work.contact_id)
    if not contact.email:
        raise InvalidInput("email", f"{contact.name} has no e-mail address: add one or skip the step")
    account = get_account(conn, contact.account_id, now) if contact.account_id else None
    values = merge_values(contact, account, user)
    return EmailDraft(task_id, contact.id, contact.email, contact.name, render(step.subject or "", values),
                      render(step.template or "", values), user.name)


def send_email_step(conn: sqlite3.Connection, playbook: Playbook, user: User, task_id: int,
                    now: datetime) -> Logged:
    """Log the step's e-mail as sent (after the mail client or SMTP took it): the step is done and the
    next one is scheduled."""
    draft = email_draft(conn, user, task_id, now)
    return log_activity(conn, playbook, user, draft.contact_id, "email", "sent", now, note=draft.subject,
                        task_id=task_id)


def complete_step(conn: sqlite3.Connection, playbook: Playbook, user: User, task_id: int, now: datetime,
                  ) -> Logged | int:
    """Mark a LinkedIn step done (logged as a LinkedIn message) or a task step done (no activity)."""
    work, _ = due_step(conn, user, task_id)
    if work.channel == "linkedin":
        return log_activity(conn, playbook, user, work.contact_id, "linkedin", "message", now, note=work.note,
                            task_id=task_id)
    if work.channel != "task":
        raise InvalidInput("task", f"a {work.channel} step is done by logging the {work.channel}")
    with transaction(conn):
        conn.execute("UPDATE tasks SET status = 'done', closed_at = ? WHERE id = ?", (to_stored(now), task_id))
        before = step_done(conn, task_id, "done", user, now)
        return append_change(conn, at=now, user_id=user.id, command="complete_step", entity="task",
                             entity_id=task_id, payload={"before": before})
