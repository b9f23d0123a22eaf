"""Reading enrollments for the screens: one sequence's enrollments (contact, owner, status, step, next due with
the contact's zone), and what the enroll dialog needs to say beforehand who would be refused and why."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from revdesk.core.common.when import from_stored
from revdesk.sequences.rules import LiveEnrollment

ENROLLMENTS_SHOWN = 500  # live ones first; a sequence with more shows the first ones and says how many in all


@dataclass(frozen=True)
class EnrollmentRow:
    id: int
    contact_id: int
    contact_name: str
    account_name: str | None
    owner_name: str
    status: str  # active, paused, finished, exited, removed
    step_index: int  # 0-based: the step that comes next
    next_due_at: datetime | None  # UTC
    timezone: str | None  # the contact's zone (else the account's)
    exit_reason: str | None
    ended_at: datetime | None


@dataclass(frozen=True)
class EnrollmentList:
    rows: list[EnrollmentRow]
    total: int  # all enrollments of the sequence (rows may hold fewer)
    live: int  # active and paused


@dataclass(frozen=True)
class EnrollCandidate:
    """A contact about to be enrolled: enough to tell ahead which sequences would refuse them."""

    id: int
    name: str
    do_not_contact: bool
    live: tuple[LiveEnrollment, ...]  # active or paused enrollments
    been_in: frozenset[str]  # keys of the sequences they were ever enrolled in


def sequence_enrollments(conn: sqlite3.Connection, sequence_id: int,
                         limit: int = ENROLLMENTS_SHOWN) -> EnrollmentList:
    """Active and paused enrollments first (soonest due first), then the ended ones (latest first)."""
    rows = conn.execute(
        "SELECT e.id, e.contact_id, c.first_name || ' ' || c.last_name AS contact, a.name AS account,"
        " u.name AS owner, e.status, e.step_index, e.next_due_at, COALESCE(c.timezone, a.timezone) AS tz,"
        " e.exit_reason, e.ended_at"
        " FROM enrollments e JOIN contacts c ON c.id = e.contact_id LEFT JOIN accounts a ON a.id = c.account_id"
        " JOIN users u ON u.id = e.user_id WHERE e.sequence_id = ?"
        " ORDER BY CASE e.status WHEN 'active' THEN 0 WHEN 'paused' THEN 1 ELSE 2 END,"
        " e.next_due_at, e.ended_at DESC, e.id LIMIT ?", (sequence_id, limit)).fetchall()
    total, live = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(status IN ('active', 'paused')), 0) FROM enrollments WHERE sequence_id = ?",
        (sequence_id,)).fetchone()
    return EnrollmentList([EnrollmentRow(
        r["id"], r["contact_id"], r["contact"], r["account"], r["owner"], r["status"], r["step_index"],
        from_stored(r["next_due_at"]) if r["next_due_at"] else None, r["tz"], r["exit_reason"],
        from_stored(r["ended_at"]) if r["ended_at"] else None) for r in rows], total, live)


def enroll_candidates(conn: sqlite3.Connection, contact_ids: list[int]) -> list[EnrollCandidate]:
    """The contacts in the order given (unknown ids are left out)."""
    found = []
    for contact_id in dict.fromkeys(contact_ids):
        row = conn.execute("SELECT first_name || ' ' || last_name, do_not_contact FROM contacts WHERE id = ?",
                           (contact_id,)).fetchone()
        if row is None:
            continue
        enrolled = conn.execute(
            "SELECT s.key, s.name, s.data, e.status FROM enrollments e JOIN sequences s ON s.id = e.sequence_id"
            " WHERE e.contact_id = ?", (contact_id,)).fetchall()
        live = tuple(LiveEnrollment(r[0], r[1], bool(json.loads(r[2]).get("allow_parallel")))
                     for r in enrolled if r[3] in ("active", "paused"))
        found.append(EnrollCandidate(contact_id, row[0], bool(row[1]), live, frozenset(r[0] for r in enrolled)))
    return found


def account_contacts(conn: sqlite3.Connection, account_id: int) -> tuple[list[int], list[str]]:
    """The account's contacts that may be contacted (ids), and the names of those marked do-not-contact."""
    rows = conn.execute("SELECT id, first_name || ' ' || last_name, do_not_contact FROM contacts"
                        " WHERE account_id = ? ORDER BY id", (account_id,)).fetchall()
    return [r[0] for r in rows if not r[2]], [r[1] for r in rows if r[2]]
