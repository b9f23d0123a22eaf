"""Counting activities and handoffs for the metrics: db/ counts, core applies the definitions."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from core.metrics import ActivityCount, HandoffCount
from core.when import to_stored


def activity_counts(
    conn: sqlite3.Connection, user_ids: list[int], start: datetime, end: datetime,
) -> list[ActivityCount]:
    """Activities (not undone) by the given users in [start, end), grouped by kind and outcome."""
    if not user_ids:
        return []
    marks = ",".join("?" * len(user_ids))
    rows = conn.execute(
        f"SELECT kind, outcome, COUNT(*) FROM activities WHERE user_id IN ({marks})"
        " AND occurred_at >= ? AND occurred_at < ? AND undone_at IS NULL GROUP BY kind, outcome",
        (*user_ids, to_stored(start), to_stored(end)),
    ).fetchall()
    return [ActivityCount(kind=r[0], outcome=r[1], count=r[2]) for r in rows]


def handoff_counts(conn: sqlite3.Connection, user_ids: list[int], start: datetime, end: datetime) -> HandoffCount:
    """SDR-to-AE handoffs the users sent in [start, end), and theirs accepted in it."""
    if not user_ids:
        return HandoffCount()
    marks = ",".join("?" * len(user_ids))
    bounds = (to_stored(start), to_stored(end))
    sent = conn.execute(f"SELECT COUNT(*) FROM handoffs WHERE from_user_id IN ({marks}) AND kind = 'sdr_ae'"
                        " AND created_at >= ? AND created_at < ?", (*user_ids, *bounds)).fetchone()[0]
    accepted = conn.execute(f"SELECT COUNT(*) FROM handoffs WHERE from_user_id IN ({marks}) AND kind = 'sdr_ae'"
                            " AND status = 'accepted' AND decided_at >= ? AND decided_at < ?",
                            (*user_ids, *bounds)).fetchone()[0]
    return HandoffCount(sent, accepted)
