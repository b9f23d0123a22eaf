"""Dormant accounts for tests: a customer account with one won deal, one contact and a last touch N days ago."""

from __future__ import annotations

from datetime import datetime, timedelta

from revdesk.core.common.when import to_stored
from revdesk.db.calls.activity_days import count_activity
from revdesk.db.common.connection import Store, transaction
from tests.factories import NOW


def add_customer(store: Store, name: str, *, owner_id: int | None, revenue: float, quiet_days: float,
                 currency: str = "EUR", won: int = 1, open_deal: bool = False, now: datetime = NOW,
                 touched_by: int = 2) -> int:
    """An account whose deal closed (won or lost) before its last touch `quiet_days` ago; its contact was
    touched then by `touched_by` (an activity, so direct counts from the activities agree)."""
    conn = store.conn
    touch = now - timedelta(days=quiet_days)
    closed = touch - timedelta(days=30)
    slug = name.lower().replace(" ", "")
    with transaction(conn):
        account = int(conn.execute(
            "INSERT INTO accounts (name, domain, country, timezone, owner_id, created_at, last_touch_at)"
            " VALUES (?, ?, 'DE', 'Europe/Berlin', ?, ?, ?)",
            (name, f"{slug}.example", owner_id, to_stored(closed - timedelta(days=200)), to_stored(touch)),
        ).lastrowid or 0)
        contact = int(conn.execute(
            "INSERT INTO contacts (account_id, first_name, last_name, title, email, timezone, country, buying_role,"
            " lifecycle_stage, owner_id, created_at, last_touch_at) VALUES (?, 'Pat', ?, 'COO', ?, 'Europe/Berlin',"
            " 'DE', 'decision_maker', 'customer', ?, ?, ?)",
            (account, name, f"pat@{slug}.example", owner_id, to_stored(closed - timedelta(days=200)),
             to_stored(touch)),
        ).lastrowid or 0)
        conn.execute(
            "INSERT INTO deals (account_id, primary_contact_id, name, amount, currency, stage, owner_id, closed_at,"
            " won, created_at, stage_entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (account, contact, f"{name} first order", revenue, currency, "closed_won" if won else "closed_lost",
             owner_id, to_stored(closed), won, to_stored(closed - timedelta(days=60)), to_stored(closed)),
        )
        if open_deal:
            conn.execute(
                "INSERT INTO deals (account_id, primary_contact_id, name, amount, currency, stage, owner_id,"
                " created_at, stage_entered_at) VALUES (?, ?, ?, 1000, 'EUR', 'discovery', ?, ?, ?)",
                (account, contact, f"{name} renewal", owner_id, to_stored(touch), to_stored(touch)),
            )
        conn.execute(
            "INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, occurred_at, created_at,"
            " lead_status) VALUES ('call', 'connected', ?, ?, ?, ?, ?, 'connected')",
            (touched_by, contact, account, to_stored(touch), to_stored(touch)),
        )
        zone = conn.execute("SELECT timezone FROM users WHERE id = ?", (touched_by,)).fetchone()[0]
        count_activity(conn, touched_by, zone, to_stored(touch), "call", "connected", "connected")
    return account


# The definition in plain SQL, from the raw tables: won revenue (base currency), no open deal, and quiet (no
# touch activity by anyone, no deal closed) for the dormancy period.
DIRECT_DORMANT_COUNT = """
WITH won AS (
  SELECT d.account_id,
         SUM(d.amount * COALESCE((SELECT per_base FROM currency_rates r WHERE r.currency = d.currency), 1)) AS revenue,
         MAX(d.closed_at) AS last_won
  FROM deals d WHERE d.won = 1 GROUP BY d.account_id),
closed AS (SELECT account_id, MAX(closed_at) AS last_closed FROM deals GROUP BY account_id),
touched AS (
  SELECT account_id, MAX(occurred_at) AS last_touch FROM activities
  WHERE kind IN ('call', 'email', 'linkedin', 'meeting') AND undone_at IS NULL GROUP BY account_id)
SELECT COUNT(*) FROM accounts a JOIN won w ON w.account_id = a.id LEFT JOIN touched t ON t.account_id = a.id
  LEFT JOIN closed c ON c.account_id = a.id
WHERE w.revenue > 0
  AND NOT EXISTS (SELECT 1 FROM deals o WHERE o.account_id = a.id AND o.closed_at IS NULL)
  AND COALESCE(NULLIF(MAX(COALESCE(t.last_touch, ''), COALESCE(c.last_closed, '')), ''), a.created_at) <= :cutoff
  {owner}
"""
