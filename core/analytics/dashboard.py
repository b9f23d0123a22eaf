"""The KPI dashboard's figures beyond the period's KPIs: the trend over recent periods and the activity per lead
stage (calls on attempting leads, meetings from connected ones...). Definitions only; db/analytics/dashboard.py
reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

from revdesk.core.analytics.kpi import KpiReport
from revdesk.core.analytics.metrics import ActivityCount, activity_metrics, period_bounds
from revdesk.core.playbook.model import LeadStatus, Period, Playbook

TREND_METRICS = ("calls", "connects", "emails", "meetings_booked", "opportunities_created", "deals_won",
                 "revenue_won")
UNKNOWN_STAGE = "(unknown)"  # activities logged before revdesk knew the lead's status, or on no contact
TREND_LENGTH: dict[Period, int] = {"day": 10, "week": 8, "month": 6, "quarter": 4}
LEAD_STAGES: tuple[str, ...] = (*get_args(LeadStatus), UNKNOWN_STAGE)


@dataclass(frozen=True)
class TrendPoint:
    label: str  # "Mon 23", "W48", "Nov", "Q4"
    start: datetime
    end: datetime
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StageActivity:
    """What was done with leads while they were at one lead stage (the stage when the activity was logged)."""

    stage: str
    calls: int = 0
    connects: int = 0
    emails: int = 0
    meetings_booked: int = 0


@dataclass(frozen=True)
class Dashboard:
    report: KpiReport
    trend: list[TrendPoint]
    stages: list[StageActivity]
    people: int  # how many people the figures cover

    def to_json(self) -> dict:
        return {
            **self.report.to_json(), "people": self.people,
            "trend": [{"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(), **p.values}
                      for p in self.trend],
            "by_lead_stage": [vars(s) for s in self.stages],
        }


def periods_back(period: Period, day: date, tz: ZoneInfo, count: int) -> list[tuple[str, datetime, datetime]]:
    """The `count` periods ending with the one containing `day`, oldest first, each (label, start, end)."""
    result = []
    for _ in range(count):
        start, end = period_bounds(period, day, tz)
        result.append((period_label(period, start), start, end))
        day = start.date() - timedelta(days=1)
    return result[::-1]


def period_label(period: Period, start: datetime) -> str:
    """Short enough for a chart's axis: "23", "W48", "Nov", "Q4"."""
    if period == "day":
        return start.strftime("%d")
    if period == "week":
        return f"W{start.isocalendar().week:02d}"
    if period == "month":
        return start.strftime("%b")
    return f"Q{(start.month - 1) // 3 + 1}"


def stage_activity(counts: list[ActivityCount], playbook: Playbook) -> list[StageActivity]:
    """Per lead stage the activities were logged at, the activity metrics (same definitions as the KPIs);
    stages with nothing done are listed too, so an empty stage shows as zeros."""
    by_stage: dict[str, list[ActivityCount]] = {}
    for count in counts:
        by_stage.setdefault(count.lead_status or UNKNOWN_STAGE, []).append(count)
    rows = []
    for stage in LEAD_STAGES:
        figures = activity_metrics(by_stage.get(stage, []), playbook)
        rows.append(StageActivity(stage, figures["calls"], figures["connects"], figures["emails"],
                                  figures["meetings_booked"]))
    return rows
