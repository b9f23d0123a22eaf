"""Handoff services: send (SDR to AE with discovery context, AE to customer success at Closed Won), accept
and reject. Each validates everything first, naming every problem at once, then writes its rows, the
history and one change record in a single transaction. Accepting is the only way a deal gets its AE."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import InvalidFields, InvalidInput, NotFound
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.handoffs.rules import RECIPIENT_ROLE, clean_context, context_problems, is_placeholder, sla_due
from revdesk.core.playbook.model import Playbook
from revdesk.db.calls.scoring import contact_score
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.common.history import record_status_change
from revdesk.db.common.users import user_by_id
from revdesk.db.sequences.enrollments import exit_sequences


@dataclass(frozen=True)
class HandoffResult:
    change_id: int
    handoff_id: int
    deal_id: int | None = None
    sla_due_at: datetime | None = None


def _user(conn: sqlite3.Connection, user_id: int, field: str = "to") -> User:
    try:
        return user_by_id(conn, user_id)
    except NotFound:
        raise InvalidInput(field, f"no user with id {user_id} (see `revdesk users`)") from None


def account_contacts(conn: sqlite3.Connection, account_id: int) -> dict[int, str]:
    return {r[0]: f"{r[1]} {r[2]}" for r in conn.execute(
        "SELECT id, first_name, last_name FROM contacts WHERE account_id = ?", (account_id,))}


def _set_contact(conn: sqlite3.Connection, contact_id: int, user: User, now: datetime, reason: str, *,
                 lead_status: str | None = None, lifecycle: str | None = None) -> None:
    row = conn.execute("SELECT lead_status, lifecycle_stage FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    status, stage = lead_status or row["lead_status"], lifecycle or row["lifecycle_stage"]
    conn.execute("UPDATE contacts SET lead_status = ?, lifecycle_stage = ? WHERE id = ?", (status, stage, contact_id))
    record_status_change(conn, contact_id, "lead_status", row["lead_status"], status, user.id, now, reason)
    record_status_change(conn, contact_id, "lifecycle", row["lifecycle_stage"], stage, user.id, now, reason)


def _recipient_problems(conn: sqlite3.Connection, kind: str, sender: User, to_user_id: int | None,
                        ) -> list[tuple[str, str]]:
    role = RECIPIENT_ROLE[kind]
    if to_user_id is None:
        return [("to", f"choose who receives it (a user with role {role})")]
    to = _user(conn, to_user_id)
    if to.id == sender.id:
        return [("to", "you cannot hand off to yourself")]
    if to.role != role:
        return [("to", f"{to.handle} is {to.role}; this handoff goes to a user with role {role}")]
    return []


SENDS_TO_AE = ("sdr", "manager", "founder")


def send_handoff(conn: sqlite3.Connection, playbook: Playbook, user: User, kind: str, to_user_id: int | None,
                 context: dict[str, object], now: datetime, *, contact_id: int | None = None,
                 deal_id: int | None = None) -> HandoffResult:
    """SDR to AE (about a contact: qualifies it) or AE to customer success (about a won deal). Every check
    runs inside the write transaction, so two people cannot hand off the same lead at once."""
    try:
        spec = playbook.handoff.kind(kind)
    except KeyError as exc:
        raise InvalidInput("kind", str(exc.args[0])) from None
    if kind == "sdr_ae" and contact_id is None:
        raise InvalidInput("contact", "an SDR to AE handoff is about a contact: give its id")
    if kind == "ae_cs" and deal_id is None:
        raise InvalidInput("deal", "a customer-success handoff is about a won deal: give its id")
    with transaction(conn):
        problems = _recipient_problems(conn, kind, user, to_user_id)
        if kind == "sdr_ae":
            contact = conn.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
            if contact is None:
                raise NotFound("contact", contact_id)
            if contact["account_id"] is None:
                raise InvalidInput("contact", f"{contact_id} belongs to no account; add it to one first")
            account_id = contact["account_id"]
            if user.role not in SENDS_TO_AE:
                problems.append(("as", f"{user.handle} is {user.role}; SDRs, managers and founders hand leads"
                                       " to AEs"))
            problems += _lead_problems(conn, playbook, contact, now)
        else:
            deal = conn.execute("SELECT * FROM deals WHERE id = ?", (deal_id,)).fetchone()
            if deal is None:
                raise NotFound("deal", deal_id)
            account_id, contact_id = deal["account_id"], deal["primary_contact_id"]
            problems += _deal_problems(conn, user, deal)
        problems += context_problems(spec, playbook.handoff, context, account_contacts(conn, account_id))
        if problems:
            raise InvalidFields(problems)
        to = _user(conn, to_user_id)  # type: ignore[arg-type]
        due = sla_due(now, playbook.handoff_sla_hours(kind), ZoneInfo(to.timezone))
        handoff_id = int(conn.execute(
            "INSERT INTO handoffs (kind, from_user_id, to_user_id, contact_id, account_id, deal_id, context,"
            " status, created_at, sla_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (kind, user.id, to.id, contact_id, account_id, deal_id,
             json.dumps(clean_context(spec, context), sort_keys=True), to_stored(now), to_stored(due)),
        ).lastrowid or 0)
        payload: dict[str, object] = {"kind": kind, "to": to.handle, "contact_id": contact_id, "deal_id": deal_id}
        if kind == "sdr_ae":
            _set_contact(conn, contact_id, user, now, f"Handoff sent to {to.name}",  # type: ignore[arg-type]
                         lead_status="qualified", lifecycle="sql")
            owners = {user.id, contact["owner_id"]}
            exited = exit_sequences(conn, contact_id, "handoff", now)  # type: ignore[arg-type]
            if exited:
                payload["exited"] = exited
            payload["cancelled_tasks"] = _cancel_tasks(conn, contact_id, owners, now)  # type: ignore[arg-type]
        change = append_change(conn, at=now, user_id=user.id, command="send_handoff", entity="handoff",
                               entity_id=handoff_id, payload=payload)
    return HandoffResult(change, handoff_id, deal_id, due)


def _lead_problems(conn: sqlite3.Connection, playbook: Playbook, contact: sqlite3.Row, now: datetime,
                   ) -> list[tuple[str, str]]:
    problems = []
    if contact["do_not_contact"]:
        problems.append(("contact", f"{contact['id']} is marked do-not-contact"))
    pending = conn.execute("SELECT h.id, u.name FROM handoffs h JOIN users u ON u.id = h.to_user_id WHERE"
                           " h.contact_id = ? AND h.kind = 'sdr_ae' AND h.status = 'pending'",
                           (contact["id"],)).fetchone()
    if pending is not None:
        problems.append(("contact", f"already handed off: handoff {pending[0]} waits for {pending[1]}"))
    elif contact["lifecycle_stage"] in ("opportunity", "customer"):
        already = "an opportunity" if contact["lifecycle_stage"] == "opportunity" else "a customer"
        problems.append(("contact", f"is already {already}"))
    score = contact_score(conn, playbook, contact["id"], now)
    if score.total < score.sql_threshold:
        top = score.reasons()
        problems.append(("score", f"is {score.total}, below the SQL threshold {score.sql_threshold}"
                                  f" ({top or 'no rule gives points yet'})"))
    return problems


def _deal_problems(conn: sqlite3.Connection, user: User, deal: sqlite3.Row) -> list[tuple[str, str]]:
    problems = []
    if not deal["won"]:
        problems.append(("deal", f"{deal['id']} is not won; customer success takes over won deals"))
    if deal["owner_id"] != user.id and user.role not in ("manager", "founder"):
        problems.append(("as", f"deal {deal['id']} is not yours"))
    taken = conn.execute("SELECT id, status FROM handoffs WHERE deal_id = ? AND kind = 'ae_cs'"
                         " AND status IN ('pending', 'accepted')", (deal["id"],)).fetchone()
    if taken is not None:
        problems.append(("deal", f"already handed to customer success (handoff {taken[0]}, {taken[1]})"))
    return problems


def _cancel_tasks(conn: sqlite3.Connection, contact_id: int, user_ids: set[int | None],
                  now: datetime) -> list[int]:
    """The sender's and the lead owner's open follow-ups for the contact end: it is the AE's now. Sequence
    steps follow their sequence's exit rules instead (see db.sequences.enrollments.exit_sequences)."""
    owners = sorted(u for u in user_ids if u is not None)
    ids = [r[0] for r in conn.execute(
        f"SELECT id FROM tasks WHERE contact_id = ? AND status IN ('open', 'snoozed') AND enrollment_id IS NULL"
        f" AND user_id IN ({', '.join('?' * len(owners))})", (contact_id, *owners))]
    conn.executemany("UPDATE tasks SET status = 'cancelled', closed_at = ? WHERE id = ?",
                     [(to_stored(now), i) for i in ids])
    return ids


def _pending(conn: sqlite3.Connection, user: User, handoff_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT h.*, a.name AS account_name, a.owner_id AS account_owner_id FROM handoffs h"
                       " JOIN accounts a ON a.id = h.account_id WHERE h.id = ?", (handoff_id,)).fetchone()
    if row is None:
        raise NotFound("handoff", handoff_id)
    if row["to_user_id"] != user.id:
        raise InvalidInput("as", f"handoff {handoff_id} is addressed to {_user(conn, row['to_user_id']).handle};"
                                 " only they can decide it")
    if row["status"] != "pending":
        raise InvalidInput("handoff", f"{handoff_id} was already {row['status']} on {row['decided_at'][:10]}")
    return row


def accept_handoff(conn: sqlite3.Connection, playbook: Playbook, user: User, handoff_id: int,
                   now: datetime) -> HandoffResult:
    """Accept: an SDR handoff becomes a deal at the first AE stage, owned by the AE (owner and stage history
    written, the contact an opportunity); a customer-success handoff gives CS the account."""
    stamp = to_stored(now)
    with transaction(conn):
        row = _pending(conn, user, handoff_id)
        sender = _user(conn, row["from_user_id"])
        deal_id = row["deal_id"]
        if row["kind"] == "sdr_ae":
            deal_id = _open_deal(conn, playbook, user, sender, row, now)
            _set_contact(conn, row["contact_id"], user, now, f"Handoff accepted by {user.name}",
                         lifecycle="opportunity")
            if row["account_owner_id"] is None or _user(conn, row["account_owner_id"]).role == "sdr":
                _give_account(conn, row, user, "Handoff accepted", now)
        else:
            _give_account(conn, row, user, "Customer success takes over", now)
        conn.execute("UPDATE handoffs SET status = 'accepted', decided_at = ?, deal_id = ? WHERE id = ?",
                     (stamp, deal_id, handoff_id))
        change = append_change(conn, at=now, user_id=user.id, command="accept_handoff", entity="handoff",
                               entity_id=handoff_id, payload={"deal_id": deal_id, "from": sender.handle})
    return HandoffResult(change, handoff_id, deal_id)


def _open_deal(conn: sqlite3.Connection, playbook: Playbook, ae: User, sdr: User, handoff: sqlite3.Row,
               now: datetime) -> int:
    stage = next(s for s in playbook.stages if not s.closed and s.owner_role == "ae")
    stamp = to_stored(now)
    deal_id = int(conn.execute(
        "INSERT INTO deals (account_id, primary_contact_id, name, stage, owner_id, source, handoff_id, created_at,"
        " stage_entered_at) VALUES (?, ?, ?, ?, ?, 'SDR handoff', ?, ?, ?)",
        (handoff["account_id"], handoff["contact_id"], f"{handoff['account_name']} – new business", stage.key,
         ae.id, handoff["id"], stamp, stamp),
    ).lastrowid or 0)
    conn.execute("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at, reason)"
                 " VALUES (?, NULL, ?, ?, ?, ?)",
                 (deal_id, stage.key, ae.id, stamp, f"Handoff {handoff['id']} accepted"))
    conn.execute("INSERT INTO owner_history (record_type, record_id, from_user_id, to_user_id, changed_by,"
                 " changed_at, reason, handoff_id) VALUES ('deal', ?, ?, ?, ?, ?, 'Handoff accepted', ?)",
                 (deal_id, sdr.id, ae.id, ae.id, stamp, handoff["id"]))
    return deal_id


def _give_account(conn: sqlite3.Connection, handoff: sqlite3.Row, user: User, reason: str, now: datetime) -> None:
    if handoff["account_owner_id"] == user.id:
        return
    conn.execute("UPDATE accounts SET owner_id = ? WHERE id = ?", (user.id, handoff["account_id"]))
    conn.execute("INSERT INTO owner_history (record_type, record_id, from_user_id, to_user_id, changed_by,"
                 " changed_at, reason, handoff_id) VALUES ('account', ?, ?, ?, ?, ?, ?, ?)",
                 (handoff["account_id"], handoff["account_owner_id"], user.id, user.id, to_stored(now),
                  reason, handoff["id"]))


def reject_handoff(conn: sqlite3.Connection, playbook: Playbook, user: User, handoff_id: int, reason: str,
                   note: str, now: datetime) -> HandoffResult:
    """Reject with a reason category and a note. By the playbook's reason the lead goes back to the SDR's
    queue with the reason in view, to nurture, or is disqualified; a CS handoff goes back to the AE."""
    problems = []
    try:
        rule = playbook.handoff.reason(reason)
    except KeyError as exc:
        problems.append(("reason", str(exc.args[0])))
        rule = None
    note = (note or "").strip()
    if len(note) < playbook.handoff.min_length or is_placeholder(note, playbook.handoff.placeholders):
        problems.append(("note", f"say why in at least {playbook.handoff.min_length} characters"))
    with transaction(conn):
        row = _pending(conn, user, handoff_id)
        if problems:
            raise InvalidFields(problems)
        assert rule is not None
        sender = _user(conn, row["from_user_id"])
        why = f"Handoff rejected by {user.name}: {rule.label}"
        task_id = None
        if row["kind"] == "sdr_ae" and rule.then == "disqualify":
            _set_contact(conn, row["contact_id"], user, now, why, lead_status="disqualified", lifecycle="disqualified")
        elif row["kind"] == "sdr_ae" and rule.then == "nurture":
            _set_contact(conn, row["contact_id"], user, now, why, lead_status="connected", lifecycle="nurture")
        else:
            if row["kind"] == "sdr_ae":
                _set_contact(conn, row["contact_id"], user, now, why, lead_status="connected", lifecycle="sal")
            task_id = int(conn.execute(
                "INSERT INTO tasks (user_id, kind, contact_id, account_id, deal_id, due_at, note, created_at)"
                " VALUES (?, 'follow_up', ?, ?, ?, ?, ?, ?)",
                (sender.id, row["contact_id"], row["account_id"], row["deal_id"], to_stored(now), f"{why} — {note}",
                 to_stored(now)),
            ).lastrowid or 0)
        conn.execute("UPDATE handoffs SET status = 'rejected', decided_at = ?, reject_reason = ?, reject_note = ?"
                     " WHERE id = ?", (to_stored(now), rule.key, note, handoff_id))
        change = append_change(conn, at=now, user_id=user.id, command="reject_handoff", entity="handoff",
                               entity_id=handoff_id, payload={"reason": rule.key, "then": rule.then,
                                                              "created_task": task_id, "from": sender.handle})
    return HandoffResult(change, handoff_id, row["deal_id"])
