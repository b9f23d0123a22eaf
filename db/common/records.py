"""Reading contacts, accounts, deals and activities as core records (what call mode shows)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from revdesk.core.accounts.facts import account_status
from revdesk.core.common.errors import NotFound
from revdesk.core.common.models import Account, Activity, CallContext, Contact, Deal
from revdesk.core.common.when import from_stored

_DEAL_FIELDS = set(Deal._fields)
_ACCOUNT_FIELDS = set(Account._fields)


def _time(value: str | None) -> datetime | None:
    return from_stored(value) if value else None


def get_contact(conn: sqlite3.Connection, contact_id: int) -> Contact:
    row = conn.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    if row is None:
        raise NotFound("contact", contact_id)
    data = dict(row)
    for key in ("created_at", "first_touch_at", "last_touch_at", "score_at"):
        data[key] = _time(data[key])
    return Contact(**data)


def get_account(conn: sqlite3.Connection, account_id: int, now: datetime) -> Account:
    row = conn.execute(
        "SELECT a.*, u.name AS owner_name,"
        " (SELECT COALESCE(SUM(amount), 0) FROM deals WHERE account_id = a.id AND won = 1) AS lifetime_revenue,"
        " (SELECT MAX(closed_at) FROM deals WHERE account_id = a.id AND won = 1) AS last_won_at,"
        " (SELECT CASE WHEN COUNT(DISTINCT currency) <= 1 THEN COALESCE(MAX(currency), 'EUR') END FROM deals"
        "  WHERE account_id = a.id AND won = 1) AS revenue_currency"
        " FROM accounts a LEFT JOIN users u ON u.id = a.owner_id WHERE a.id = ?",
        (account_id,),
    ).fetchone()
    if row is None:
        raise NotFound("account", account_id)
    data = dict(row)
    last_won = _time(data.pop("last_won_at"))
    data["last_touch_at"] = _time(data["last_touch_at"])
    data["status"] = account_status(data["lifetime_revenue"], last_won, now)
    return Account(**{k: v for k, v in data.items() if k in _ACCOUNT_FIELDS})


def open_deal_for(conn: sqlite3.Connection, account_id: int) -> Deal | None:
    row = conn.execute(
        "SELECT d.*, u.name AS owner_name FROM deals d LEFT JOIN users u ON u.id = d.owner_id"
        " WHERE d.account_id = ? AND d.closed_at IS NULL ORDER BY d.created_at DESC LIMIT 1",
        (account_id,),
    ).fetchone()
    if row is None:
        return None
    data = dict(row)
    data["stage_entered_at"] = from_stored(data["stage_entered_at"])
    return Deal(**{k: v for k, v in data.items() if k in _DEAL_FIELDS})


def recent_activities(conn: sqlite3.Connection, contact_id: int, limit: int = 6) -> list[Activity]:
    rows = conn.execute(
        "SELECT a.id, a.kind, a.outcome, a.user_id, u.handle AS user_handle, a.contact_id, a.account_id,"
        " a.occurred_at, a.note FROM activities a JOIN users u ON u.id = a.user_id"
        " WHERE a.contact_id = ? AND a.undone_at IS NULL ORDER BY a.occurred_at DESC, a.id DESC LIMIT ?",
        (contact_id, limit),
    ).fetchall()
    return [Activity(**{**dict(r), "occurred_at": from_stored(r["occurred_at"])}) for r in rows]


def call_context(conn: sqlite3.Connection, contact_id: int, now: datetime) -> CallContext:
    contact = get_contact(conn, contact_id)
    account = get_account(conn, contact.account_id, now) if contact.account_id else None
    deal = open_deal_for(conn, contact.account_id) if contact.account_id else None
    owner = None
    if contact.owner_id:
        row = conn.execute("SELECT name FROM users WHERE id = ?", (contact.owner_id,)).fetchone()
        owner = row["name"] if row else None
    return CallContext(
        contact=contact, account=account, open_deal=deal, recent=recent_activities(conn, contact_id),
        owner_name=owner,
    )
