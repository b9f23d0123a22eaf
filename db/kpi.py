"""Counting activities for the metrics: grouped by kind and outcome, so core applies the definitions."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from core.metrics import ActivityCount
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
