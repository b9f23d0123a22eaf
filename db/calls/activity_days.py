"""Activity counts per person and local day (activity_days), kept as activities are logged and undone, so the
metrics over a month or a trend of months read a few thousand rows instead of scanning activities.

A person's activity counts on their own local date: a London rep's Tuesday is London's Tuesday, whoever looks.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from zoneinfo import ZoneInfo

from revdesk.core.analytics.metrics import ActivityCount
from revdesk.core.common.when import from_stored

_UPSERT = """
INSERT INTO activity_days (user_id, day, kind, outcome, lead_status, n) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, day, kind, outcome, lead_status) DO UPDATE SET n = n + excluded.n
"""


def count_activity(conn: sqlite3.Connection, user_id: int, timezone: str, occurred_at: str, kind: str,
                   outcome: str | None, lead_status: str | None, delta: int = 1) -> None:
    """Add `delta` (1 when logged, -1 when undone) to the person's count for that day (in the transaction)."""
    day = from_stored(occurred_at).astimezone(ZoneInfo(timezone)).date().isoformat()
    conn.execute(_UPSERT, (user_id, day, kind, outcome or "", lead_status or "", delta))


def rebuild_activity_days(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> int:
    """Recount every live activity (after a bulk load or a migration); the number of activities counted."""
    zones = {row[0]: ZoneInfo(row[1]) for row in conn.execute("SELECT id, timezone FROM users")}
    total = conn.execute("SELECT COUNT(*) FROM activities WHERE undone_at IS NULL").fetchone()[0]
    counts: Counter[tuple] = Counter()
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute("SELECT user_id, occurred_at, kind, COALESCE(outcome, ''), COALESCE(lead_status, '')"
                   " FROM activities WHERE undone_at IS NULL ORDER BY user_id")
    done, parse = 0, from_stored
    while rows := cursor.fetchmany(50_000):
        for user_id, occurred, kind, outcome, status in rows:
            day = parse(occurred).astimezone(zones[user_id]).date().isoformat()
            counts[(user_id, day, kind, outcome, status)] += 1
        done += len(rows)
        if progress:
            progress(done, total)
    conn.execute("DELETE FROM activity_days")
    conn.executemany("INSERT INTO activity_days (user_id, day, kind, outcome, lead_status, n)"
                     " VALUES (?, ?, ?, ?, ?, ?)", ((*key, n) for key, n in counts.items()))
    return done


def backfill_lead_status(conn: sqlite3.Connection) -> None:
    """Give activities logged before schema 6 the contact's lead status at the time, from status_history."""
    conn.execute(
        "UPDATE activities SET lead_status = COALESCE((SELECT h.to_value FROM status_history h"
        " WHERE h.contact_id = activities.contact_id AND h.axis = 'lead_status'"
        " AND h.changed_at < activities.occurred_at ORDER BY h.changed_at DESC LIMIT 1), 'new')"
        " WHERE lead_status IS NULL AND undone_at IS NULL AND contact_id IS NOT NULL")


def day_counts(conn: sqlite3.Connection, user_ids: Iterable[int], first: date, after: date,
               by_status: bool = False) -> list[ActivityCount]:
    """The users' activities on their local days in [first, after), by kind and outcome (and lead status)."""
    ids = list(user_ids)
    if not ids:
        return []
    status = "lead_status" if by_status else "''"
    rows = conn.execute(
        f"SELECT kind, outcome, {status}, SUM(n) FROM activity_days WHERE user_id IN ({','.join('?' * len(ids))})"
        f" AND day >= ? AND day < ? GROUP BY kind, outcome, {status} HAVING SUM(n) != 0",
        (*ids, first.isoformat(), after.isoformat())).fetchall()
    return [ActivityCount(kind=r[0], outcome=r[1] or None, count=r[3], lead_status=r[2] or None) for r in rows]
