"""Reading one account's 360 view: contacts, deals, activity timeline, handoffs and owner history.

Every query is an indexed lookup by account (or by the account's contacts and deals), so the view costs a few
milliseconds even at bench scale; screens still run it in a worker."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from revdesk.core.accounts.view import (
    AccountContactRow,
    AccountDealRow,
    AccountView,
    HandoffRow,
    OwnerChange,
    TimelineEntry,
    open_pipeline,
    role_rank,
)
from revdesk.core.common.when import from_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.records import get_account
from revdesk.db.dormancy.queries import dormant_account
from revdesk.db.playbook.stored import current_playbook

OWNER_HISTORY_LIMIT = 50


def _time(value: str | None) -> datetime | None:
    return from_stored(value) if value else None


@contextmanager
def _snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Read every part of the view from one snapshot, so a write in between cannot make them disagree."""
    if conn.in_transaction:  # the caller's transaction already gives one
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def account_view(conn: sqlite3.Connection, account_id: int, now: datetime, timeline_limit: int = 60,
                 playbook: Playbook | None = None) -> AccountView:
    """The account's 360 view; raises NotFound for an unknown account. `now` decides customer status."""
    playbook = playbook or current_playbook(conn)
    with _snapshot(conn):
        account = get_account(conn, account_id, now)
        deals = account_deals(conn, account_id, playbook)
        return AccountView(
            account=account,
            contacts=account_contacts(conn, account_id),
            deals=deals,
            timeline=account_timeline(conn, account_id, timeline_limit),
            handoffs=account_handoffs(conn, account_id),
            owner_history=account_owner_history(conn, account_id),
            lifetime_revenue=account.lifetime_revenue,
            open_pipeline=open_pipeline(deals),
            dormant=dormant_account(conn, playbook, account_id, now),
        )


def account_contacts(conn: sqlite3.Connection, account_id: int) -> list[AccountContactRow]:
    """Contacts by buying role (decision makers first), then by name."""
    rows = conn.execute(
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name, c.title, c.buying_role, c.lifecycle_stage,"
        " c.lead_status, c.score, u.name AS owner_name, c.last_touch_at"
        " FROM contacts c LEFT JOIN users u ON u.id = c.owner_id WHERE c.account_id = ?",
        (account_id,),
    ).fetchall()
    contacts = [AccountContactRow(**{**dict(r), "name": r["name"].strip(), "last_touch_at": _time(r["last_touch_at"])})
                for r in rows]
    return sorted(contacts, key=lambda c: (role_rank(c.buying_role), c.name.lower()))


def account_deals(conn: sqlite3.Connection, account_id: int, playbook: Playbook) -> list[AccountDealRow]:
    """Open deals first (newest first), then closed ones by close date, newest first."""
    rows = conn.execute(
        "SELECT d.id, d.name, d.stage, d.amount, d.currency, u.name AS owner_name, d.stage_entered_at,"
        " d.closed_at, d.won, d.expected_close_date"
        " FROM deals d LEFT JOIN users u ON u.id = d.owner_id WHERE d.account_id = ?"
        " ORDER BY d.closed_at IS NOT NULL, COALESCE(d.closed_at, d.created_at) DESC, d.id DESC",
        (account_id,),
    ).fetchall()
    labels = {s.key: s.label for s in playbook.stages}
    return [
        AccountDealRow(
            id=r["id"], name=r["name"], stage=r["stage"], stage_label=labels.get(r["stage"], r["stage"]),
            amount=r["amount"], currency=r["currency"], owner_name=r["owner_name"],
            stage_entered_at=from_stored(r["stage_entered_at"]), closed_at=_time(r["closed_at"]),
            won=None if r["won"] is None else bool(r["won"]), expected_close_date=r["expected_close_date"],
        )
        for r in rows
    ]


def account_timeline(conn: sqlite3.Connection, account_id: int, limit: int = 60) -> list[TimelineEntry]:
    """The account's latest live activities, newest first (undone ones are left out)."""
    rows = conn.execute(
        "SELECT a.occurred_at, a.kind, a.outcome, u.handle AS user_handle,"
        " c.first_name || ' ' || c.last_name AS contact_name, a.note"
        " FROM activities a JOIN users u ON u.id = a.user_id LEFT JOIN contacts c ON c.id = a.contact_id"
        " WHERE a.account_id = ? AND a.undone_at IS NULL ORDER BY a.occurred_at DESC, a.id DESC LIMIT ?",
        (account_id, limit),
    ).fetchall()
    return [TimelineEntry(**{**dict(r), "occurred_at": from_stored(r["occurred_at"])}) for r in rows]


def account_handoffs(conn: sqlite3.Connection, account_id: int) -> list[HandoffRow]:
    """Handoffs about the account's contacts or deals, newest first.

    handoffs has no index on account_id: the lookup goes through the contact and deal indexes, and the `+`
    keeps SQLite from scanning the table to test account_id first. A handoff with neither a contact nor a
    deal would not be found (none is written that way today)."""
    rows = conn.execute(
        "SELECT h.id, h.kind, f.name AS from_name, t.name AS to_name,"
        " c.first_name || ' ' || c.last_name AS contact_name, h.status, h.created_at, h.decided_at,"
        " h.reject_reason"
        " FROM handoffs h JOIN users f ON f.id = h.from_user_id JOIN users t ON t.id = h.to_user_id"
        " LEFT JOIN contacts c ON c.id = h.contact_id"
        " WHERE +h.account_id = :a AND (h.contact_id IN (SELECT id FROM contacts WHERE account_id = :a)"
        "    OR h.deal_id IN (SELECT id FROM deals WHERE account_id = :a))"
        " ORDER BY h.created_at DESC, h.id DESC",
        {"a": account_id},
    ).fetchall()
    return [
        HandoffRow(**{**dict(r), "created_at": from_stored(r["created_at"]), "decided_at": _time(r["decided_at"])})
        for r in rows
    ]


def account_owner_history(conn: sqlite3.Connection, account_id: int,
                          limit: int = OWNER_HISTORY_LIMIT) -> list[OwnerChange]:
    """Owner changes of the account, its deals and its contacts, newest first."""
    rows = conn.execute(
        "SELECT o.record_type, o.record_id, f.name AS from_name, t.name AS to_name, o.changed_at, o.reason"
        " FROM owner_history o LEFT JOIN users f ON f.id = o.from_user_id LEFT JOIN users t ON t.id = o.to_user_id"
        " WHERE (o.record_type = 'account' AND o.record_id = :a)"
        "    OR (o.record_type = 'deal' AND o.record_id IN (SELECT id FROM deals WHERE account_id = :a))"
        "    OR (o.record_type = 'contact' AND o.record_id IN (SELECT id FROM contacts WHERE account_id = :a))"
        " ORDER BY o.changed_at DESC, o.id DESC LIMIT :limit",
        {"a": account_id, "limit": limit},
    ).fetchall()
    return [OwnerChange(**{**dict(r), "changed_at": from_stored(r["changed_at"])}) for r in rows]
