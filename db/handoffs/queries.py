"""Reading handoffs: an inbox or outbox by status, one handoff whole, and who could receive one."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from revdesk.core.calls.scoring import Score
from revdesk.core.common.errors import NotFound
from revdesk.core.common.models import Account, Activity, Contact, HandoffSummary, User
from revdesk.core.common.when import from_stored
from revdesk.core.playbook.model import Playbook

_SELECT = """
SELECT h.id, h.kind, h.status, h.from_user_id, f.name AS from_name, h.to_user_id, t.name AS to_name,
       h.contact_id, c.first_name || ' ' || c.last_name AS contact_name, h.account_id, a.name AS account_name,
       h.deal_id, h.context, h.created_at, h.sla_due_at, h.decided_at, h.reject_reason, h.reject_note
FROM handoffs h
JOIN users f ON f.id = h.from_user_id
JOIN users t ON t.id = h.to_user_id
JOIN accounts a ON a.id = h.account_id
LEFT JOIN contacts c ON c.id = h.contact_id
"""


def _summary(row: sqlite3.Row) -> HandoffSummary:
    data = dict(row)
    data["context"] = json.loads(data["context"] or "{}")
    for key in ("created_at", "sla_due_at", "decided_at"):
        data[key] = from_stored(data[key]) if data[key] else None
    return HandoffSummary(**data)


def list_handoffs(conn: sqlite3.Connection, *, to_user_id: int | None = None, from_user_id: int | None = None,
                  status: str | None = None, limit: int = 500) -> list[HandoffSummary]:
    """Handoffs to or from a user (or everyone's), pending first by SLA due, then newest decided."""
    where, params = [], []
    if to_user_id is not None and from_user_id is not None:
        where.append("(h.to_user_id = ? OR h.from_user_id = ?)")
        params += [to_user_id, from_user_id]
    elif to_user_id is not None:
        where.append("h.to_user_id = ?")
        params.append(to_user_id)
    elif from_user_id is not None:
        where.append("h.from_user_id = ?")
        params.append(from_user_id)
    if status is not None:
        where.append("h.status = ?")
        params.append(status)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY h.status != 'pending', CASE WHEN h.status = 'pending' THEN h.sla_due_at END,"
    sql += " h.decided_at DESC, h.id DESC LIMIT ?"
    return [_summary(r) for r in conn.execute(sql, (*params, limit))]


def get_handoff(conn: sqlite3.Connection, handoff_id: int) -> HandoffSummary:
    row = conn.execute(_SELECT + " WHERE h.id = ?", (handoff_id,)).fetchone()
    if row is None:
        raise NotFound("handoff", handoff_id)
    return _summary(row)


def recipients(conn: sqlite3.Connection, role: str) -> list[tuple[User, int]]:
    """Users who can receive a handoff, each with their load: open deals plus pending handoffs."""
    rows = conn.execute(
        "SELECT u.id, u.handle, u.name, u.role, u.team, u.timezone,"
        " (SELECT COUNT(*) FROM deals d WHERE d.owner_id = u.id AND d.closed_at IS NULL)"
        " + (SELECT COUNT(*) FROM handoffs h WHERE h.to_user_id = u.id AND h.status = 'pending') AS load"
        " FROM users u WHERE u.role = ? ORDER BY u.name", (role,),
    ).fetchall()
    return [(User(*r[:6]), r["load"]) for r in rows]


@dataclass(frozen=True)
class HandoffReview:
    """Everything the AE's review screen shows: the handoff, its account, its contact (with score and
    activity timeline) and the contacts its contact fields name."""

    handoff: HandoffSummary
    account: Account
    contact: Contact | None
    score: Score | None
    timeline: list[Activity]
    people: dict[int, Contact] = field(default_factory=dict)


def handoff_review(conn: sqlite3.Connection, playbook: Playbook, handoff_id: int, now: datetime,
                   timeline_limit: int = 30) -> HandoffReview:
    """One handoff with its whole context; indexed lookups only. Raises NotFound for an unknown id."""
    from revdesk.db.calls.scoring import contact_score
    from revdesk.db.common.records import get_account, get_contact, recent_activities

    handoff = get_handoff(conn, handoff_id)
    contact = get_contact(conn, handoff.contact_id) if handoff.contact_id is not None else None
    people: dict[int, Contact] = {}
    try:
        fields = playbook.handoff.kind(handoff.kind).fields
    except KeyError:  # the playbook no longer defines this kind: show the stored answers as they are
        fields = []
    for item in fields:
        raw = str(handoff.context.get(item.key) or "")
        if item.type == "contact" and raw.isascii() and raw.isdigit():
            try:
                people[int(raw)] = get_contact(conn, int(raw))
            except NotFound:
                pass  # deleted since: the screen shows the id
    score = contact_score(conn, playbook, contact.id, now) if contact is not None else None
    timeline = recent_activities(conn, contact.id, timeline_limit) if contact is not None else []
    return HandoffReview(handoff, get_account(conn, handoff.account_id, now), contact, score, timeline, people)
