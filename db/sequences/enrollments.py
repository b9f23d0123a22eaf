"""Enrollment services: enroll, pause, resume, remove; the tick that turns due steps into queue tasks; moving
an enrollment on when its step is done or skipped; and ending it when the contact replies, books, bounces,
is handed off or asks not to be contacted. Each validates, writes and records its change in one transaction."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import EnrollmentRefused, InvalidInput, NotFound
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.sequences.rules import LiveEnrollment, enrollment_problems

TICK_HORIZON = timedelta(days=1)  # steps due within a day become tasks (the queue shows today's)
# Due steps become tasks, once per enrollment and step (the unique index makes a repeat a no-op).
_STEPS_DUE = """
INSERT OR IGNORE INTO tasks (user_id, kind, contact_id, account_id, due_at, note, created_at, enrollment_id,
                             step_index, channel)
SELECT e.user_id, 'step', e.contact_id, c.account_id, e.next_due_at,
       'Step ' || (e.step_index + 1) || ' of ''' || s.name || ''': ' || x.channel, :now, e.id, e.step_index,
       x.channel
FROM (SELECT e.id, json_extract(s.data, '$.steps[' || e.step_index || '].channel') AS channel
      FROM enrollments e JOIN sequences s ON s.id = e.sequence_id
      WHERE e.status = 'active' AND e.next_due_at <= :horizon AND {which}
        AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.enrollment_id = e.id AND t.step_index = e.step_index)) x
JOIN enrollments e ON e.id = x.id
JOIN contacts c ON c.id = e.contact_id AND c.do_not_contact = 0
JOIN sequences s ON s.id = e.sequence_id
"""
_TICK_STEPS = _STEPS_DUE.format(which="e.next_due_at > :since")  # the window no tick has covered yet
_ONE_STEP = _STEPS_DUE.format(which="e.id = :id")


@dataclass(frozen=True)
class Enrolled:
    change_id: int
    enrollments: list[int]
    refused: dict[int, str]  # contact id -> why not


def contact_place(conn: sqlite3.Connection, contact_id: int, fallback_tz: str | None = None,
                  owner_id: int | None = None) -> tuple[ZoneInfo, str | None]:
    """The contact's timezone and country (the account's when the contact has none, else the owner's zone)."""
    row = conn.execute("SELECT c.timezone, c.country, a.timezone AS atz, a.country AS acountry,"
                       " (SELECT timezone FROM users WHERE id = ?) AS otz FROM contacts c"
                       " LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id = ?", (owner_id, contact_id)).fetchone()
    zone = row["timezone"] or row["atz"] or row["otz"] or fallback_tz or "UTC"
    return ZoneInfo(zone), row["country"] or row["acountry"]


def enroll(conn: sqlite3.Connection, user: User, key: str, contact_ids: list[int], now: datetime,
           owner: User | None = None) -> Enrolled:
    """Enroll contacts in a sequence, owned by `owner` (default: me). Contacts that may not be enrolled
    (do-not-contact, already in a sequence, done with this one) are refused by name; the others go in.
    With a single contact, a refusal is an error."""
    from revdesk.db.sequences.definitions import get_sequence
    from revdesk.sequences.schedule import step_due

    stored = get_sequence(conn, key)
    seq, owner = stored.sequence, owner or user
    refused: dict[int, str] = {}
    ids: list[int] = []
    with transaction(conn):
        for contact_id in dict.fromkeys(contact_ids):
            contact = conn.execute("SELECT do_not_contact FROM contacts WHERE id = ?", (contact_id,)).fetchone()
            if contact is None:
                refused[contact_id] = "no such contact"
                continue
            live = [LiveEnrollment(r[0], r[1], bool(_allows_parallel(r[2]))) for r in conn.execute(
                "SELECT s.key, s.name, s.data FROM enrollments e JOIN sequences s ON s.id = e.sequence_id"
                " WHERE e.contact_id = ? AND e.status IN ('active', 'paused')", (contact_id,))]
            before = conn.execute("SELECT 1 FROM enrollments WHERE contact_id = ? AND sequence_id = ? LIMIT 1",
                                  (contact_id, stored.id)).fetchone() is not None
            problems = enrollment_problems(seq.key, seq.name, seq.allow_parallel, seq.allow_reenroll,
                                           bool(contact[0]), live, before)
            if problems:
                refused[contact_id] = "; ".join(problems)
                continue
            tz, country = contact_place(conn, contact_id, owner.timezone)
            due = step_due(now, seq.steps[0], tz, country)
            ids.append(int(conn.execute(
                "INSERT INTO enrollments (sequence_id, contact_id, user_id, status, step_index, next_due_at,"
                " enrolled_at, enrolled_by) VALUES (?, ?, ?, 'active', 0, ?, ?, ?)",
                (stored.id, contact_id, owner.id, to_stored(due), to_stored(now), user.id)).lastrowid or 0))
            materialize(conn, ids[-1], now)
        if len(contact_ids) == 1 and refused:
            raise EnrollmentRefused(contact_ids[0], refused[contact_ids[0]])
        if not ids:
            raise InvalidInput("contact", "none of them can be enrolled: " + "; ".join(
                f"{k} {v}" for k, v in refused.items()) if refused else "give at least one contact")
        change = append_change(conn, at=now, user_id=user.id, command="enroll", entity="sequence",
                               entity_id=stored.id, payload={"key": key, "enrollments": ids, "owner": owner.handle,
                                                             "refused": {str(k): v for k, v in refused.items()}})
    return Enrolled(change, ids, refused)


def _allows_parallel(data: str) -> bool:
    return bool(json.loads(data).get("allow_parallel"))


def _live(conn: sqlite3.Connection, enrollment_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM enrollments WHERE id = ?", (enrollment_id,)).fetchone()
    if row is None:
        raise NotFound("enrollment", enrollment_id)
    return row


def _cancel_step_tasks(conn: sqlite3.Connection, enrollment_id: int, now: datetime) -> list[int]:
    ids = [r[0] for r in conn.execute("SELECT id FROM tasks WHERE enrollment_id = ? AND status IN ('open',"
                                      " 'snoozed')", (enrollment_id,))]
    conn.executemany("UPDATE tasks SET status = 'cancelled', closed_at = ? WHERE id = ?",
                     [(to_stored(now), i) for i in ids])
    return ids


def change_status(conn: sqlite3.Connection, user: User, enrollment_id: int, action: str, now: datetime) -> None:
    """pause (its due step leaves the queue), resume (the next step is scheduled from now) or remove."""
    if action not in ("pause", "resume", "remove"):
        raise InvalidInput("action", f"{action!r} is not pause, resume or remove")
    with transaction(conn):
        row = _live(conn, enrollment_id)
        wanted = {"pause": ("active",), "resume": ("paused",), "remove": ("active", "paused")}[action]
        if row["status"] not in wanted:
            raise InvalidInput("enrollment", f"{enrollment_id} is {row['status']}; it cannot be {action}d")
        dnc = conn.execute("SELECT do_not_contact FROM contacts WHERE id = ?", (row["contact_id"],)).fetchone()[0]
        if action == "resume" and dnc:
            raise InvalidInput("contact", f"{row['contact_id']} is marked do-not-contact: never scheduled")
        stamp = to_stored(now)
        if action == "pause":
            conn.execute("UPDATE enrollments SET status = 'paused' WHERE id = ?", (enrollment_id,))
            _cancel_step_tasks(conn, enrollment_id, now)
        elif action == "remove":
            conn.execute("UPDATE enrollments SET status = 'removed', ended_at = ?, next_due_at = NULL WHERE id = ?",
                         (stamp, enrollment_id))
            _cancel_step_tasks(conn, enrollment_id, now)
        else:
            from revdesk.db.sequences.definitions import sequence_by_id
            from revdesk.sequences.schedule import step_due

            seq = sequence_by_id(conn, row["sequence_id"])
            tz, country = contact_place(conn, row["contact_id"], owner_id=row["user_id"])
            due = step_due(now, seq.steps[row["step_index"]], tz, country)
            conn.execute("UPDATE enrollments SET status = 'active', next_due_at = ? WHERE id = ?",
                         (to_stored(due), enrollment_id))
            # the step's task, cancelled on pause, comes back at its new time
            conn.execute("UPDATE tasks SET status = 'open', due_at = ?, closed_at = NULL WHERE enrollment_id = ?"
                         " AND step_index = ? AND status = 'cancelled'", (to_stored(due), enrollment_id,
                                                                          row["step_index"]))
            materialize(conn, enrollment_id, now)
        append_change(conn, at=now, user_id=user.id, command=f"{action}_enrollment", entity="enrollment",
                      entity_id=enrollment_id, payload={"status_before": row["status"]})


def tick(conn: sqlite3.Connection, now: datetime) -> dict[str, int]:
    """Move time-based state forward; running it twice changes nothing the second time.

    Do-not-contact contacts leave every sequence; steps coming due within a day become tasks in their
    owner's queue, one per enrollment and step. Steps scheduled by enrolling, resuming or working a step
    get their task at once (see `materialize`), so a tick only looks at the window it has not covered yet
    (kept in meta), which keeps a repeated tick cheap."""
    stamp, horizon = to_stored(now), to_stored(now + TICK_HORIZON)
    with transaction(conn):
        dnc = conn.execute(
            "SELECT e.id FROM contacts c JOIN enrollments e ON e.contact_id = c.id AND e.status IN ('active',"
            " 'paused') WHERE c.do_not_contact = 1").fetchall()
        for (enrollment_id,) in dnc:
            end_enrollment(conn, enrollment_id, "exited", "do_not_contact", now)
        row = conn.execute("SELECT value FROM local_state WHERE key = 'sequences_ticked_through'").fetchone()
        since = row[0] if row else ""
        if horizon < since:  # the clock went back: look at everything again, once
            since = ""
        created = 0
        if horizon > since:  # how far it has looked is this copy's own bookkeeping (local_state, not synced)
            created = conn.execute(_TICK_STEPS, {"now": stamp, "horizon": horizon, "since": since}).rowcount
            conn.execute("INSERT INTO local_state (key, value) VALUES ('sequences_ticked_through', ?)"
                         " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (horizon,))
        if dnc or created:
            append_change(conn, at=now, user_id=None, command="tick", entity="sequence", entity_id=None,
                          payload={"exited_do_not_contact": len(dnc), "steps_due": created},
                          arguments={"now": stamp})
    return {"exited_do_not_contact": len(dnc), "steps_due": created}


def materialize(conn: sqlite3.Connection, enrollment_id: int, now: datetime) -> None:
    """Give an enrollment's next step its task now when it comes due within the tick's window (inside the
    caller's transaction); later steps wait for a tick."""
    conn.execute(_ONE_STEP, {"now": to_stored(now), "horizon": to_stored(now + TICK_HORIZON), "id": enrollment_id})


def end_enrollment(conn: sqlite3.Connection, enrollment_id: int, status: str, reason: str | None,
                   now: datetime) -> list[int]:
    """End the enrollment with `status` and `reason`; the ids of its open step tasks, cancelled."""
    conn.execute("UPDATE enrollments SET status = ?, exit_reason = ?, ended_at = ?, next_due_at = NULL WHERE id = ?",
                 (status, reason, to_stored(now), enrollment_id))
    return _cancel_step_tasks(conn, enrollment_id, now)


def exit_sequences(conn: sqlite3.Connection, contact_id: int, reason: str, now: datetime) -> list[dict]:
    """End the contact's live enrollments whose sequence exits on `reason` (inside the caller's
    transaction); returns each as it was, with the step tasks cancelled (for undo)."""
    ended = []
    for enrollment_id, status, due, data in conn.execute(
            "SELECT e.id, e.status, e.next_due_at, s.data FROM enrollments e JOIN sequences s ON s.id = e.sequence_id"
            " WHERE e.contact_id = ? AND e.status IN ('active', 'paused')", (contact_id,)).fetchall():
        if reason in json.loads(data).get("exit_on", []):
            tasks = end_enrollment(conn, enrollment_id, "exited", reason, now)
            ended.append({"enrollment_id": enrollment_id, "status": status, "next_due_at": due, "tasks": tasks})
    return ended


def step_done(conn: sqlite3.Connection, task_id: int, outcome: str, user: User, now: datetime,
              activity_id: int | None = None) -> dict | None:
    """The step behind a closed task was done or skipped: record it and schedule the next step, or finish.
    Inside the caller's transaction; returns the enrollment as it was (for undo), or None when the task is
    not a step or its enrollment has moved on."""
    task = conn.execute("SELECT enrollment_id, step_index FROM tasks WHERE id = ?", (task_id,)).fetchone()
    if task is None or task["enrollment_id"] is None:
        return None
    row = _live(conn, task["enrollment_id"])
    if row["status"] != "active" or row["step_index"] != task["step_index"]:
        return None  # ended or moved on meanwhile: nothing more to do
    from revdesk.db.sequences.definitions import (
        sequence_by_id,  # the scheduling libraries load only when a step is done
    )
    from revdesk.sequences.schedule import step_due

    seq = sequence_by_id(conn, row["sequence_id"])
    step = seq.steps[row["step_index"]]
    run_id = conn.execute(
        "INSERT INTO step_runs (enrollment_id, step_index, channel, outcome, at, user_id, activity_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (row["id"], row["step_index"], step.channel, outcome, to_stored(now), user.id, activity_id)).lastrowid
    following = row["step_index"] + 1
    if following >= len(seq.steps):
        conn.execute("UPDATE enrollments SET status = 'finished', step_index = ?, ended_at = ?, next_due_at = NULL"
                     " WHERE id = ?", (following, to_stored(now), row["id"]))
    else:
        tz, country = contact_place(conn, row["contact_id"], owner_id=row["user_id"])
        due = step_due(now, seq.steps[following], tz, country)
        conn.execute("UPDATE enrollments SET step_index = ?, next_due_at = ? WHERE id = ?",
                     (following, to_stored(due), row["id"]))
        materialize(conn, row["id"], now)
    return {"enrollment_id": row["id"], "step_index": row["step_index"], "next_due_at": row["next_due_at"],
            "step_run": run_id}


def skip_step(conn: sqlite3.Connection, user: User, task_id: int, now: datetime) -> int:
    """Skip a due step (a LinkedIn or task step not worth doing): the next one is scheduled."""
    with transaction(conn):
        task = conn.execute("SELECT * FROM tasks WHERE id = ? AND user_id = ? AND status IN ('open', 'snoozed')",
                            (task_id, user.id)).fetchone()
        if task is None or task["enrollment_id"] is None:
            raise InvalidInput("task", f"{task_id} is not an open sequence step of yours")
        conn.execute("UPDATE tasks SET status = 'skipped', closed_at = ? WHERE id = ?", (to_stored(now), task_id))
        before = step_done(conn, task_id, "skipped", user, now)
        return append_change(conn, at=now, user_id=user.id, command="skip_step", entity="enrollment",
                             entity_id=task["enrollment_id"], payload={"task_id": task_id, "before": before})




def undo_steps(conn: sqlite3.Connection, advanced: list[dict], exited: list[dict], now: datetime) -> None:
    """Put enrollments back as a logged activity found them (inside undo's transaction). An exited one stays
    ended when the contact has gone into a sequence since."""
    for state in exited:
        row = _live(conn, state["enrollment_id"])
        since = conn.execute("SELECT 1 FROM enrollments WHERE contact_id = ? AND id != ? AND status IN ('active',"
                             " 'paused')", (row["contact_id"], row["id"])).fetchone()
        if since is not None or row["status"] != "exited":
            continue
        conn.execute("UPDATE enrollments SET status = ?, exit_reason = NULL, ended_at = NULL, next_due_at = ?"
                     " WHERE id = ?", (state["status"], state["next_due_at"], state["enrollment_id"]))
        conn.executemany("UPDATE tasks SET status = 'open', closed_at = NULL WHERE id = ?",
                         [(i,) for i in state["tasks"]])
        materialize(conn, state["enrollment_id"], now)
    for state in advanced:
        conn.execute("UPDATE enrollments SET status = 'active', step_index = ?, next_due_at = ?, ended_at = NULL"
                     " WHERE id = ?", (state["step_index"], state["next_due_at"], state["enrollment_id"]))
        conn.execute("DELETE FROM step_runs WHERE id = ?", (state["step_run"],))
        # a tick may have brought in the following step meanwhile: it is not due any more
        conn.execute("DELETE FROM tasks WHERE enrollment_id = ? AND step_index > ? AND status = 'open'",
                     (state["enrollment_id"], state["step_index"]))
        materialize(conn, state["enrollment_id"], now)


def step_label(conn: sqlite3.Connection, task_id: int | None) -> str | None:
    """'cold_outbound:3' for an activity logged on a sequence step's task (stored on the activity)."""
    if task_id is None:
        return None
    row = conn.execute("SELECT s.key, t.step_index FROM tasks t JOIN enrollments e ON e.id = t.enrollment_id"
                       " JOIN sequences s ON s.id = e.sequence_id WHERE t.id = ?", (task_id,)).fetchone()
    return None if row is None else f"{row[0]}:{row[1] + 1}"


def live_enrollment(conn: sqlite3.Connection, contact_id: int, key: str | None = None) -> int:
    """The id of the contact's active or paused enrollment (in sequence `key` when given)."""
    rows = conn.execute("SELECT e.id, s.key FROM enrollments e JOIN sequences s ON s.id = e.sequence_id"
                        " WHERE e.contact_id = ? AND e.status IN ('active', 'paused')", (contact_id,)).fetchall()
    if key is not None:
        rows = [r for r in rows if r[1] == key]
    if not rows:
        raise InvalidInput("contact", f"{contact_id} is in no sequence" + (f" {key!r}" if key else ""))
    if len(rows) > 1:
        raise InvalidInput("sequence", f"contact {contact_id} is in {', '.join(r[1] for r in rows)}: say which")
    return int(rows[0][0])


def next_step(conn: sqlite3.Connection, task_id: int) -> tuple[int, str | None] | None:
    """After a step's task: its enrollment's next step (0-based) and when it is due, or None when the
    enrollment has ended."""
    row = conn.execute("SELECT e.step_index, e.next_due_at FROM tasks t JOIN enrollments e ON e.id = t.enrollment_id"
                       " WHERE t.id = ? AND e.status IN ('active', 'paused')", (task_id,)).fetchone()
    return None if row is None else (row[0], row[1])


def warm_up(conn: sqlite3.Connection, user_id: int, day: date) -> int:
    """Load the scheduler and the public holidays of the countries the user's live enrollments are in, so
    the first step worked in a session does not wait for them (from a worker). Returns how many."""
    from revdesk.sequences.schedule import calendar_for

    countries = [r[0] for r in conn.execute(
        "SELECT DISTINCT COALESCE(c.country, a.country) FROM enrollments e JOIN contacts c ON c.id = e.contact_id"
        " LEFT JOIN accounts a ON a.id = c.account_id WHERE e.user_id = ? AND e.status = 'active'", (user_id,))]
    for country in countries:
        calendar_for(country).is_business_day(day)
    return len(countries)
