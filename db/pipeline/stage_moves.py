"""Moving a deal through the playbook's stages: exit and entry criteria enforced, history and a change record
written in one transaction, a won deal's contact made a customer. Nothing here changes a deal's owner:
owners change only when a handoff is accepted (db/handoffs/services.py)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from revdesk.core.common.errors import InvalidFields, InvalidInput, NotFound
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.pipeline.deal_rules import (
    COLUMN_FIELDS,
    MOVERS,
    may_move,
    missing_fields,
    parse_fields,
    required_fields,
)
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.common.history import record_status_change


@dataclass(frozen=True)
class Moved:
    change_id: int
    deal_id: int
    from_stage: str
    to_stage: str
    won: bool  # the deal was just won: customer success should get a handoff


def _deal(conn: sqlite3.Connection, deal_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT d.*, u.name AS owner_name FROM deals d LEFT JOIN users u ON u.id = d.owner_id"
                       " WHERE d.id = ?", (deal_id,)).fetchone()
    if row is None:
        raise NotFound("deal", deal_id)
    return row


def deal_values(row: sqlite3.Row) -> dict[str, object]:
    """The deal's field values: its columns plus the extra criteria kept in `details`."""
    values: dict[str, object] = dict(json.loads(row["details"] or "{}"))
    values.update({k: row[k] for k in COLUMN_FIELDS})
    return values


def move_deal(conn: sqlite3.Connection, playbook: Playbook, user: User, deal_id: int, stage: str,
              fields: dict[str, str], now: datetime) -> Moved:
    """Move a deal to `stage`, giving the fields the move requires; every missing or wrong field is named
    at once and nothing is written until all of them are right. The deal is read and checked inside the
    write transaction, so a move made meanwhile by someone else is never overwritten."""
    try:
        target = playbook.stage(stage)
    except KeyError:
        raise InvalidInput("stage", f"{stage!r} is not a stage; the playbook has: "
                           + ", ".join(s.key for s in playbook.stages)) from None
    with transaction(conn):
        row = _deal(conn, deal_id)
        if not may_move(user.role, user.id, row["owner_id"]):
            raise InvalidInput("as", f"deal {deal_id} is {row['owner_name'] or 'unowned'}'s; {MOVERS}")
        if row["stage"] == stage:
            raise InvalidInput("stage", f"deal {deal_id} is already in {target.label}")
        source = playbook.stage(row["stage"])
        if source.won and not target.won:
            handed = conn.execute("SELECT id FROM handoffs WHERE deal_id = ? AND kind = 'ae_cs' AND status !="
                                  " 'rejected'", (deal_id,)).fetchone()
            if handed is not None:
                raise InvalidInput("stage", f"deal {deal_id} was handed to customer success (handoff {handed[0]});"
                                            " it stays won")
        given, problems = parse_fields(playbook, fields, now.date(), playbook.handoff.placeholders, row["currency"])
        current = deal_values(row)
        contact_id = given.get("primary_contact_id")
        if contact_id is not None:
            at = conn.execute("SELECT account_id FROM contacts WHERE id = ?", (contact_id,)).fetchone()
            if at is None or at[0] != row["account_id"]:
                problems.append(("primary_contact_id", f"contact {contact_id} is not at this deal's account"))
        bad = {key for key, _ in problems}
        problems += [p for p in missing_fields(required_fields(playbook, row["stage"], stage), current, given)
                     if p[0] not in bad]
        if problems:
            raise InvalidFields(problems)
        _write_fields(conn, row, given)
        closed_at = to_stored(now) if target.closed else None
        won = (1 if target.won else 0) if target.closed else None
        conn.execute("UPDATE deals SET stage = ?, stage_entered_at = ?, closed_at = ?, won = ? WHERE id = ?",
                     (target.key, to_stored(now), closed_at, won, deal_id))
        if (target.won or not target.closed) and "lost_reason" not in given:  # the old reason stays in history
            conn.execute("UPDATE deals SET lost_reason = NULL WHERE id = ?", (deal_id,))
        conn.execute("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at, reason)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     (deal_id, row["stage"], target.key, user.id, to_stored(now),
                      str(given.get("lost_reason") or "") or None))
        contact = row["primary_contact_id"]
        if target.won and contact is not None:
            _set_lifecycle(conn, contact, "customer", user, now, f"Won: {row['name']}")
        elif source.won and contact is not None and not _won_elsewhere(conn, contact, deal_id):
            _set_lifecycle(conn, contact, "opportunity", user, now, f"No longer won: {row['name']}")
        change = append_change(conn, at=now, user_id=user.id, command="move_deal", entity="deal", entity_id=deal_id,
                               payload={"from": row["stage"], "to": target.key, "fields": given,
                                        "before": {k: current.get(k) for k in given}})
    return Moved(change, deal_id, row["stage"], target.key, bool(target.closed and target.won))


def _write_fields(conn: sqlite3.Connection, row: sqlite3.Row, given: dict[str, object]) -> None:
    """Write the given field values: columns directly, other criteria into `details`."""
    columns = {k: v for k, v in given.items() if k in COLUMN_FIELDS}
    extra = {k: v for k, v in given.items() if k not in COLUMN_FIELDS}
    if columns:
        sets = ", ".join(f"{k} = ?" for k in columns)
        conn.execute(f"UPDATE deals SET {sets} WHERE id = ?", (*columns.values(), row["id"]))
    if extra:
        details = dict(json.loads(row["details"] or "{}"), **extra)
        conn.execute("UPDATE deals SET details = ? WHERE id = ?", (json.dumps(details, sort_keys=True), row["id"]))


def _won_elsewhere(conn: sqlite3.Connection, contact_id: int, deal_id: int) -> bool:
    return conn.execute("SELECT 1 FROM deals WHERE primary_contact_id = ? AND won = 1 AND id != ? LIMIT 1",
                        (contact_id, deal_id)).fetchone() is not None


def _set_lifecycle(conn: sqlite3.Connection, contact_id: int, stage: str, user: User, now: datetime,
                   reason: str) -> None:
    before = conn.execute("SELECT lifecycle_stage FROM contacts WHERE id = ?", (contact_id,)).fetchone()[0]
    if before != stage:
        conn.execute("UPDATE contacts SET lifecycle_stage = ? WHERE id = ?", (stage, contact_id))
        record_status_change(conn, contact_id, "lifecycle", before, stage, user.id, now, reason)
