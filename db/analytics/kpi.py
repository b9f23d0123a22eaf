"""Counting activities and handoffs for the metrics: db/ counts, core applies the definitions."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from revdesk.core.analytics.kpi import KpiReport, build_kpi
from revdesk.core.analytics.metrics import ActivityCount, DealCount, HandoffCount, outcome, period_bounds
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.playbook.model import Period, Playbook

if TYPE_CHECKING:
    from revdesk.db.common.connection import Store


def activity_counts(
    conn: sqlite3.Connection, user_ids: list[int], start: datetime, end: datetime,
) -> list[ActivityCount]:
    """Activities (not undone) by the given users on the dates of [start, end) (each on their own local
    date), grouped by kind and outcome."""
    from revdesk.db.calls.activity_days import day_counts

    return day_counts(conn, user_ids, start.date(), end.date())


def handoff_counts(conn: sqlite3.Connection, user_ids: list[int], start: datetime, end: datetime) -> HandoffCount:
    """SDR-to-AE handoffs the users sent in [start, end), and theirs accepted in it."""
    return handoffs_by_period(conn, user_ids, [to_stored(start), to_stored(end)])[0]


def deal_counts(conn: sqlite3.Connection, user_ids: list[int], start: datetime, end: datetime,
                playbook: Playbook) -> DealCount:
    """Deals the users own that closed won in [start, end), and their amounts in the base currency."""
    return wins_by_period(conn, user_ids, [to_stored(start), to_stored(end)], playbook)[0]


def period_case(column: str, bounds: list[str]) -> tuple[str, list[str], list[str]]:
    """A CASE giving the index of the period a `column` value falls in (bounds: each period's start, then the
    last one's end), its parameters, and the whole range's (low, high) parameters."""
    whens = " ".join(f"WHEN {column} < ? THEN {index}" for index in range(len(bounds) - 2))
    case = f"CASE {whens} ELSE {len(bounds) - 2} END" if whens else "0"
    return case, bounds[1:-1], [bounds[0], bounds[-1]]


def handoffs_by_period(conn: sqlite3.Connection, user_ids: list[int], bounds: list[str]) -> list[HandoffCount]:
    """Per period (bounds: stored moments, each period's start then the last one's end), the SDR-to-AE handoffs
    the users sent (by when sent) and theirs accepted (by when accepted)."""
    periods = len(bounds) - 1
    sent, accepted = [0] * periods, [0] * periods
    if user_ids:
        marks = ",".join("?" * len(user_ids))
        for column, into, extra in (("created_at", sent, ""), ("decided_at", accepted, " AND status = 'accepted'")):
            case, inner, outer = period_case(column, bounds)
            for bucket, n in conn.execute(
                    f"SELECT {case}, COUNT(*) FROM handoffs WHERE from_user_id IN ({marks}) AND {column} >= ?"
                    f" AND {column} < ? AND kind = 'sdr_ae'{extra} GROUP BY 1", (*inner, *user_ids, *outer)):
                into[bucket] = n
    return [HandoffCount(s, a) for s, a in zip(sent, accepted, strict=True)]


def wins_by_period(conn: sqlite3.Connection, user_ids: list[int], bounds: list[str],
                   playbook: Playbook) -> list[DealCount]:
    """Per period, the users' deals closed in it that were won (core.analytics.deals.outcome: the won flag, else a
    closed stage), and their amounts in the base currency."""
    periods = len(bounds) - 1
    won, revenue = [0] * periods, [0.0] * periods
    if user_ids:
        stages = {s.key: s for s in playbook.stages}
        case, inner, outer = period_case("closed_at", bounds)
        for bucket, flag, stage, amount, code in conn.execute(
                f"SELECT {case}, won, stage, amount, currency FROM deals WHERE owner_id IN"
                f" ({','.join('?' * len(user_ids))}) AND closed_at >= ? AND closed_at < ?",
                (*inner, *user_ids, *outer)):
            if outcome(flag, stages.get(stage)):
                won[bucket] += 1
                revenue[bucket] += playbook.currency.to_base(amount or 0.0, code)
    return [DealCount(w, r) for w, r in zip(won, revenue, strict=True)]


def kpi_for(store: Store, playbook: Playbook, scope: str, members: list[User], period: Period, day: date,
            tz: ZoneInfo) -> KpiReport:
    """The KPIs of `members` for the period containing `day`: the one reading `revdesk kpi`, the KPI bar and the
    dashboard share."""
    from revdesk.db.dormancy.revival import revival_figures

    start, end = period_bounds(period, day, tz)
    ids = [m.id for m in members]
    conn = store.conn
    return build_kpi(playbook, scope, members, activity_counts(conn, ids, start, end), period, day, start, end,
                     handoff_counts(conn, ids, start, end), revival_figures(conn, playbook, start, end),
                     deal_counts(conn, ids, start, end, playbook))
