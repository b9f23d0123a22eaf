"""Reading the KPI dashboard: the period's KPIs (db.analytics.kpi.kpi_for, the same as `revdesk kpi`), the trend
over recent periods and the activity per lead stage. A handful of reads over the per-day activity counts,
handoffs and won deals, so a team's month with its trend stays well inside 200 ms on the bench data."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from revdesk.core.analytics.dashboard import TREND_LENGTH, Dashboard, TrendPoint, periods_back, stage_activity
from revdesk.core.analytics.metrics import ActivityCount, activity_metrics, deal_metrics, handoff_metrics
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.playbook.model import Period, Playbook
from revdesk.db.analytics.kpi import handoffs_by_period, kpi_for, period_case, wins_by_period
from revdesk.db.calls.activity_days import day_counts
from revdesk.db.common.connection import Store


def dashboard(store: Store, playbook: Playbook, scope: str, members: list[User], period: Period, day: date,
              tz: ZoneInfo) -> Dashboard:
    """The dashboard of `members` (one person, a team or everyone) for the period containing `day`."""
    report = kpi_for(store, playbook, scope, members, period, day, tz)
    conn, ids = store.conn, [m.id for m in members]
    periods = periods_back(period, day, tz, TREND_LENGTH[period])
    values: list[dict[str, float]] = [{} for _ in periods]
    if ids:
        marks = ",".join("?" * len(ids))
        days = period_case("day", [p[1].date().isoformat() for p in periods] + [periods[-1][2].date().isoformat()])
        counts: list[list[ActivityCount]] = [[] for _ in periods]
        for bucket, kind, outcome, n in conn.execute(
                f"SELECT {days[0]}, kind, outcome, SUM(n) FROM activity_days WHERE user_id IN ({marks})"
                f" AND day >= ? AND day < ? GROUP BY 1, kind, outcome", (*days[1], *ids, *days[2])):
            counts[bucket].append(ActivityCount(kind, outcome or None, n))
        for index, bucket in enumerate(counts):
            values[index].update(activity_metrics(bucket, playbook))
        stamps = [to_stored(p[1]) for p in periods] + [to_stored(periods[-1][2])]
        for index, handoffs in enumerate(handoffs_by_period(conn, ids, stamps)):
            values[index].update(handoff_metrics(handoffs))
        for index, wins in enumerate(wins_by_period(conn, ids, stamps, playbook)):
            values[index].update(deal_metrics(wins))
    trend = [TrendPoint(label, start, end, {k: round(v, 2) for k, v in figures.items()})
             for (label, start, end), figures in zip(periods, values, strict=True)]
    stages = stage_activity(day_counts(conn, ids, report.start.date(), report.end.date(), by_status=True), playbook)
    return Dashboard(report, trend, stages, len(members))

