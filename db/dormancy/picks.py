"""Today's dormant accounts for one owner: at most the playbook's daily cap, most valuable first, picked once a
day (the owner's local date) so the queue stays stable through the day. A picked account leaves the queue
when anyone touches it, it is reassigned or snoozed; it is not replaced until tomorrow.

The picks are a memo of what Today offered (dormant_days.picked_at says when). Picking is a write, made through
the writer before the queue reads the picks, and recorded like every write (a `pick_dormant` change, written by
revdesk itself as a day starts, with the rows as its effects)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

from revdesk.core.common.models import QueueCandidate, User
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.dormancy.queries import DORMANT, NOT_SNOOZED, cutoff_params, dormant_accounts

# The contact to call at a dormant account: whoever decides or champions, the last one we spoke to first.
_BEST_CONTACT = """
SELECT id FROM contacts WHERE account_id = ? AND do_not_contact = 0
ORDER BY CASE buying_role WHEN 'decision_maker' THEN 0 WHEN 'champion' THEN 1 WHEN 'approver' THEN 2 ELSE 3 END,
         last_touch_at IS NULL, last_touch_at DESC, id
LIMIT 1
"""
_PICKED = f"""
SELECT p.rank, a.id AS account_id, a.name AS account_name, a.won_revenue, a.last_touch_at, a.quiet_since AS quiet,
       c.id AS contact_id, c.first_name || ' ' || c.last_name AS contact_name, c.title, c.timezone,
       c.lead_source, c.score
FROM dormant_picks p
JOIN accounts a ON a.id = p.account_id
JOIN contacts c ON c.id = p.contact_id
WHERE p.user_id = :user AND p.day = :day AND a.owner_id = :user AND c.do_not_contact = 0
  AND {DORMANT} AND {NOT_SNOOZED}
ORDER BY p.rank
"""


def best_contact(conn: sqlite3.Connection, account_id: int) -> int | None:
    """Whom to call at the account, or None when nobody there may be contacted."""
    row = conn.execute(_BEST_CONTACT, (account_id,)).fetchone()
    return row[0] if row else None


_DAY_PICKED = "SELECT 1 FROM dormant_days WHERE user_id = ? AND day = ?"


def picked(conn: sqlite3.Connection, user: User, day: date) -> bool:
    """Whether the user's dormant accounts for `day` have been picked (a read: the queue asks before writing)."""
    return conn.execute(_DAY_PICKED, (user.id, day.isoformat())).fetchone() is not None


def pick_for_day(conn: sqlite3.Connection, playbook: Playbook, user: User, day: date, now: datetime) -> list[int]:
    """Pick the user's dormant accounts for `day` unless already picked, recording a `pick_dormant` change;
    the picked account ids, in rank order."""
    key = day.isoformat()
    if conn.execute(_DAY_PICKED, (user.id, key)).fetchone() is None:  # once a day: the write lock only then
        with transaction(conn):
            if conn.execute(_DAY_PICKED, (user.id, key)).fetchone() is None:
                accounts = _pick(conn, playbook, user, key, now)
                append_change(conn, at=now, user_id=user.id, command="pick_dormant", entity="user",
                              entity_id=user.id, payload={"day": key, "accounts": accounts},
                              arguments={"day": key})
    return [r[0] for r in conn.execute(
        "SELECT account_id FROM dormant_picks WHERE user_id = ? AND day = ? ORDER BY rank", (user.id, key))]


def _pick(conn: sqlite3.Connection, playbook: Playbook, user: User, key: str, now: datetime) -> list[int]:
    picks: list[tuple[int, int]] = []
    cap = playbook.dormancy.daily_cap
    for account in (dormant_accounts(conn, playbook, now, user.id) if cap else []):
        contact = best_contact(conn, account.account_id)
        if contact is not None:  # nobody to call there: the dormant screen still lists it
            picks.append((account.account_id, contact))
        if len(picks) == cap:
            break
    conn.execute("INSERT INTO dormant_days (user_id, day, picked_at) VALUES (?, ?, ?)", (user.id, key, to_stored(now)))
    conn.executemany("INSERT INTO dormant_picks (user_id, day, rank, account_id, contact_id) VALUES (?, ?, ?, ?, ?)",
                     [(user.id, key, rank, a, c) for rank, (a, c) in enumerate(picks)])
    return [a for a, _ in picks]


def todays_dormant(conn: sqlite3.Connection, playbook: Playbook, user: User, day: date, now: datetime,
                   day_start: datetime) -> list[QueueCandidate]:
    """The day's picks still dormant, still the user's and not snoozed, as queue candidates (a read: the
    caller picks first, through the writer, with `pick_for_day`)."""
    from revdesk.core.dormancy.definition import dormant_reason

    rows = conn.execute(_PICKED, {"user": user.id, "day": day.isoformat(), **cutoff_params(playbook, now)}).fetchall()
    result = []
    for row in rows:
        days = int((now - from_stored(row["quiet"])).total_seconds() // 86400)
        reason = dormant_reason(days, bool(row["last_touch_at"]), row["won_revenue"], playbook.currency.base)
        result.append(QueueCandidate(
            source="dormant", task_id=row["account_id"], task_kind=None, task_note=reason,
            due_at=day_start + timedelta(seconds=row["rank"]), created_at=day_start, contact_id=row["contact_id"],
            contact_name=row["contact_name"], contact_title=row["title"], contact_timezone=row["timezone"],
            lead_source=row["lead_source"], score=row["score"], account_id=row["account_id"],
            account_name=row["account_name"],
        ))
    return result
