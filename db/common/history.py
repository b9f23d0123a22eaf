"""History rows: every lifecycle, lead-status, stage and owner change is timestamped with who and why."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from revdesk.core.common.when import to_stored


def record_status_change(conn: sqlite3.Connection, contact_id: int, axis: str, before: str | None, after: str,
                         user_id: int | None, at: datetime, reason: str) -> None:
    """Write a status_history row when the value really changed."""
    if before == after:
        return
    conn.execute(
        "INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by, changed_at, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (contact_id, axis, before, after, user_id, to_stored(at), reason),
    )
