"""Revival figures: dormant accounts touched, deals reopened on them and revenue won from them, per owner and
period (core.dormancy.definition.revival_totals has the definition; this module reads its inputs)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.dormancy.definition import AccountDeal, Revival, RevivalRow, revival_totals
from revdesk.core.playbook.model import Playbook


def revival_inputs(conn: sqlite3.Connection, playbook: Playbook, end: datetime,
                   ) -> tuple[list[Revival], list[AccountDeal]]:
    """Revivals before `end` whose touch was not undone (each credited to the account's owner at the time, else
    to whoever touched it), and the deals created on those accounts since."""
    revivals = [Revival(r[0], r[1], from_stored(r[2])) for r in conn.execute(
        "SELECT r.account_id, COALESCE(r.owner_id, r.user_id), r.revived_at FROM revivals r"
        " JOIN activities x ON x.id = r.activity_id WHERE x.undone_at IS NULL AND r.revived_at < ?",
        (to_stored(end),))]
    if not revivals:
        return [], []
    first = min(r.at for r in revivals)
    rows = conn.execute(
        "SELECT account_id, created_at, closed_at, won, amount, currency FROM deals"
        " WHERE account_id IN (SELECT account_id FROM revivals) AND created_at >= ? AND created_at < ?",
        (to_stored(first), to_stored(end))).fetchall()
    deals = [AccountDeal(r[0], from_stored(r[1]), from_stored(r[2]) if r[2] else None, r[3],
                         playbook.currency.to_base(r[4] or 0.0, r[5])) for r in rows]
    return revivals, deals


def revival_figures(conn: sqlite3.Connection, playbook: Playbook, start: datetime, end: datetime,
                    ) -> dict[int, tuple[int, int, int, float]]:
    """Per reviver over [start, end): (revived, deals reopened, deals won, revived revenue)."""
    revivals, deals = revival_inputs(conn, playbook, end)
    return revival_totals(revivals, deals, start, end, playbook.dormancy.days)


def revival_by_month(conn: sqlite3.Connection, playbook: Playbook, months: list[tuple[str, datetime, datetime]],
                     ) -> list[RevivalRow]:
    """One row per owner with any revival figure, per (label, start, end) month, newest month first."""
    if not months:
        return []
    revivals, deals = revival_inputs(conn, playbook, max(end for _, _, end in months))
    handles = dict(conn.execute("SELECT id, handle FROM users").fetchall())
    rows = []
    for label, start, end in sorted(months, key=lambda m: m[1], reverse=True):
        totals = revival_totals(revivals, deals, start, end, playbook.dormancy.days)
        for user_id, (revived, reopened, won, revenue) in sorted(totals.items(), key=lambda t: handles.get(t[0], "")):
            if revived or reopened or won:
                rows.append(RevivalRow(user_id, handles.get(user_id, "?"), label, revived, reopened, won, revenue))
    return rows
