"""Counting activities and handoffs for the metrics: db/ counts, core applies the definitions."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from core.metrics import ActivityCount, DealCount, HandoffCount
from core.playbook import Currency
from core.when import to_stored


def activity_counts(
    conn: sqlite3.Connection, user_ids: list[int], start: datetime, end: datetime,
) -> list[ActivityCount]:
    """Activities (not undone) by the given users on the dates of [start, end) (each on their own local
    date), grouped by kind and outcome."""
    from db.activity_days import day_counts

    return day_counts(conn, user_ids, start.date(), end.date())


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


def deal_counts(conn: sqlite3.Connection, user_ids: list[int], start: datetime, end: datetime,
                currency: Currency) -> DealCount:
    """Deals the users own that closed won in [start, end), and their amounts in the base currency."""
    if not user_ids:
        return DealCount()
    marks = ",".join("?" * len(user_ids))
    rows = conn.execute(f"SELECT amount, currency FROM deals WHERE owner_id IN ({marks}) AND won = 1"
                        " AND closed_at >= ? AND closed_at < ?", (*user_ids, to_stored(start), to_stored(end)))
    won, revenue = 0, 0.0
    for amount, code in rows:
        won += 1
        revenue += currency.to_base(amount or 0.0, code)
    return DealCount(won, revenue)
