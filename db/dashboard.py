"""Reading the KPI dashboard: the period's KPIs (db.workbench.kpi_for, the same as `revdesk kpi`), the trend
over recent periods and the activity per lead stage. A handful of reads over the per-day activity counts,
handoffs and won deals, so a team's month with its trend stays well inside 200 ms on the bench data."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core.dashboard import TREND_LENGTH, Dashboard, TrendPoint, periods_back, stage_activity
from core.metrics import ActivityCount, activity_metrics
from core.models import User
from core.playbook import Period, Playbook
from core.when import to_stored
from db.activity_days import day_counts
from db.connection import Store


def dashboard(store: Store, playbook: Playbook, scope: str, members: list[User], period: Period, day: date,
              tz: ZoneInfo) -> Dashboard:
    """The dashboard of `members` (one person, a team or everyone) for the period containing `day`."""
    from db.workbench import kpi_for

    report = kpi_for(store, playbook, scope, members, period, day, tz)
    conn, ids = store.conn, [m.id for m in members]
    periods = periods_back(period, day, tz, TREND_LENGTH[period])
    values: list[dict[str, float]] = [{} for _ in periods]
    if ids:
        marks = ",".join("?" * len(ids))
        days = _buckets("day", [p[1].date().isoformat() for p in periods] + [periods[-1][2].date().isoformat()])
        counts: list[list[ActivityCount]] = [[] for _ in periods]
        for bucket, kind, outcome, n in conn.execute(
                f"SELECT {days[0]}, kind, outcome, SUM(n) FROM activity_days WHERE user_id IN ({marks})"
                f" AND day >= ? AND day < ? GROUP BY 1, kind, outcome", (*days[1], *ids, *days[2])):
            counts[bucket].append(ActivityCount(kind, outcome or None, n))
        for index, bucket in enumerate(counts):
            values[index].update(activity_metrics(bucket, playbook))
        stamps = [to_stored(p[1]) for p in periods] + [to_stored(periods[-1][2])]
        for metric, sql in (
                ("opportunities_created", f"SELECT {{case}}, COUNT(*) FROM handoffs WHERE from_user_id IN ({marks})"
                                          " AND created_at >= ? AND created_at < ? AND kind = 'sdr_ae' GROUP BY 1"),
                ("opportunities_accepted", f"SELECT {{case}}, COUNT(*) FROM handoffs WHERE from_user_id IN ({marks})"
                                           " AND decided_at >= ? AND decided_at < ? AND kind = 'sdr_ae'"
                                           " AND status = 'accepted' GROUP BY 1")):
            case, inner, outer = _buckets("created_at" if metric == "opportunities_created" else "decided_at", stamps)
            for index in range(len(periods)):
                values[index][metric] = 0
            for bucket, n in conn.execute(sql.format(case=case), (*inner, *ids, *outer)):
                values[bucket][metric] = n
        for index in range(len(periods)):
            values[index].update(deals_won=0, revenue_won=0.0)
        case, inner, outer = _buckets("closed_at", stamps)
        for bucket, amount, code in conn.execute(
                f"SELECT {case}, amount, currency FROM deals WHERE owner_id IN ({marks}) AND won = 1"
                " AND closed_at >= ? AND closed_at < ?", (*inner, *ids, *outer)):
            values[bucket]["deals_won"] += 1
            values[bucket]["revenue_won"] += playbook.currency.to_base(amount or 0.0, code)
    trend = [TrendPoint(label, start, end, {k: round(v, 2) for k, v in figures.items()})
             for (label, start, end), figures in zip(periods, values, strict=True)]
    stages = stage_activity(day_counts(conn, ids, report.start.date(), report.end.date(), by_status=True), playbook)
    return Dashboard(report, trend, stages, len(members))


def _buckets(column: str, bounds: list[str]) -> tuple[str, list[str], list[str]]:
    """A CASE giving the index of the period a `column` value falls in (bounds: each period's start, then the
    last one's end), its parameters, and the range's (low, high) parameters."""
    whens = " ".join(f"WHEN {column} < ? THEN {index}" for index in range(len(bounds) - 2))
    case = f"CASE {whens} ELSE {len(bounds) - 2} END" if whens else "0"
    return case, bounds[1:-1], [bounds[0], bounds[-1]]
