"""Keeping each contact's qualification score current: one event adds to the stored parts (no rescans), a
new playbook rescores everyone once, and reaching the MQL threshold moves a lead to mql with history."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import datetime

from core.errors import NotFound
from core.playbook import Playbook
from core.scoring import (
    FIT_FIELDS,
    Score,
    ScoreParts,
    add_event,
    compute_parts,
    engagement_event,
    lifecycle_after_score,
    score_now,
)
from core.when import from_stored, to_stored
from db.history import record_status_change

_FACTS = ("SELECT c.id, c.title, c.country AS contact_country, c.buying_role, c.lead_source, c.inbound,"
          " c.created_at, c.lifecycle_stage, c.score, c.score_detail, c.score_at,"
          " a.industry, a.employees, a.country AS account_country"
          " FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id")


def _facts(row: sqlite3.Row) -> dict[str, object]:
    facts = {k: row[k] for k in FIT_FIELDS if k != "country"}
    facts["country"] = row["contact_country"] or row["account_country"]
    return facts


def _row(conn: sqlite3.Connection, contact_id: int) -> sqlite3.Row:
    row = conn.execute(_FACTS + " WHERE c.id = ?", (contact_id,)).fetchone()
    if row is None:
        raise NotFound("contact", contact_id)
    return row


def _events(conn: sqlite3.Connection, playbook: Playbook, rows: list[sqlite3.Row],
            contact_ids: list[int] | None) -> dict[int, list[tuple[str, datetime]]]:
    """Engagement events per contact from live activities (and inbound requests)."""
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for row in rows:
        if row["inbound"]:
            events[row["id"]].append(("inbound_request", from_stored(row["created_at"])))
    where = "undone_at IS NULL AND contact_id IS NOT NULL AND outcome IS NOT NULL"
    params: tuple = ()
    if contact_ids is not None:
        where += f" AND contact_id IN ({', '.join('?' * len(contact_ids))})"
        params = tuple(contact_ids)
    cache: dict[tuple[str, str], str | None] = {}
    for contact_id, kind, outcome, at in conn.execute(
            f"SELECT contact_id, kind, outcome, occurred_at FROM activities WHERE {where}", params):
        key = (kind, outcome)
        if key not in cache:
            cache[key] = engagement_event(kind, outcome, playbook)
        if cache[key] is not None:
            events[contact_id].append((cache[key], from_stored(at)))  # type: ignore[arg-type]
    return events


def stored_parts(conn: sqlite3.Connection, playbook: Playbook, row: sqlite3.Row, now: datetime) -> ScoreParts:
    """The contact's stored parts, or (never scored yet) its parts computed from its history."""
    if row["score_detail"]:
        return ScoreParts.from_json(row["score_detail"])
    events = _events(conn, playbook, [row], [row["id"]])
    return compute_parts(playbook.qualification, _facts(row), events.get(row["id"], []), now)


def contact_score(conn: sqlite3.Connection, playbook: Playbook, contact_id: int, now: datetime) -> Score:
    """The contact's score now, with its explanation (a read: nothing is written)."""
    row = _row(conn, contact_id)
    return score_now(stored_parts(conn, playbook, row, now), playbook.qualification, now)


def _write(conn: sqlite3.Connection, playbook: Playbook, row: sqlite3.Row, parts: ScoreParts, user_id: int | None,
           now: datetime, engaged: bool = False) -> dict:
    """Store the parts, move a lead to mql at the threshold; return what undo needs to put things back."""
    before = {"score": row["score"], "score_detail": row["score_detail"], "score_at": row["score_at"]}
    total = parts.total()
    conn.execute("UPDATE contacts SET score = ?, score_detail = ?, score_at = ? WHERE id = ?",
                 (total, parts.to_json(), to_stored(parts.at), row["id"]))
    lifecycle = row["lifecycle_stage"]
    moved = lifecycle_after_score(lifecycle, total, playbook.qualification, engaged)
    if moved is not None:
        conn.execute("UPDATE contacts SET lifecycle_stage = ? WHERE id = ?", (moved, row["id"]))
        record_status_change(conn, row["id"], "lifecycle", lifecycle, moved, user_id, now,
                             f"Score {total} reached the MQL threshold {playbook.qualification.mql_threshold}")
    return before


def score_activity(conn: sqlite3.Connection, playbook: Playbook, contact_id: int, kind: str, outcome: str | None,
                   occurred: datetime, user_id: int | None, now: datetime) -> dict | None:
    """Add one logged activity to the contact's score (inside the caller's transaction). Returns the score
    before, for undo, or None when the activity is not an engagement event."""
    event = engagement_event(kind, outcome, playbook)
    if event is None or not any(r.event == event for r in playbook.qualification.engagement_rules):
        return None
    row = _row(conn, contact_id)
    if not row["score_detail"]:  # never scored: the full history already includes this activity
        parts = stored_parts(conn, playbook, row, now)
    else:
        parts = add_event(ScoreParts.from_json(row["score_detail"]), playbook.qualification, event, occurred, now)
    return _write(conn, playbook, row, parts, user_id, now, engaged=True)


def rescore(conn: sqlite3.Connection, playbook: Playbook, now: datetime, contact_ids: list[int] | None = None,
            user_id: int | None = None) -> int:
    """Score contacts from scratch (all of them when the playbook changes; some when their facts change).
    Runs inside the caller's transaction; returns how many were scored."""
    where, params = "", ()
    if contact_ids is not None:
        where, params = f" WHERE c.id IN ({', '.join('?' * len(contact_ids))})", tuple(contact_ids)
    rows = conn.execute(_FACTS + where, params).fetchall()
    events = _events(conn, playbook, rows, contact_ids)
    q = playbook.qualification
    for row in rows:
        _write(conn, playbook, row, compute_parts(q, _facts(row), events.get(row["id"], []), now), user_id, now)
    return len(rows)
