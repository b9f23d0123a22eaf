"""KPI results: metric actuals beside their targets, for one person or a team, over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from revdesk.core.analytics.metrics import (
    ACTIVITY_METRICS,
    DEAL_METRICS,
    HANDOFF_METRICS,
    REVIVAL_METRICS,
    ActivityCount,
    DealCount,
    HandoffCount,
    activity_metrics,
    deal_metrics,
    handoff_metrics,
    revival_metrics,
)
from revdesk.core.analytics.targets import team_target
from revdesk.core.common.models import User
from revdesk.core.playbook.model import Period, Playbook

KPI_METRICS = (*ACTIVITY_METRICS, *HANDOFF_METRICS, *DEAL_METRICS, *REVIVAL_METRICS)
METRIC_LABELS = {
    "calls": "Calls", "connects": "Connects", "emails": "E-mails", "meetings_booked": "Meetings booked",
    "opportunities_created": "Opportunities created", "opportunities_accepted": "Opportunities accepted",
    "deals_won": "Deals won", "revenue_won": "Revenue won", "dormant_revived": "Dormant accounts revived",
    "revived_deals": "Deals from revived accounts", "revived_revenue": "Revived revenue",
}
MONEY_METRICS = ("revenue_won", "revived_revenue")


@dataclass(frozen=True)
class MetricValue:
    actual: float
    target: float | None

    @property
    def ratio(self) -> float | None:
        return None if not self.target else self.actual / self.target


@dataclass(frozen=True)
class KpiReport:
    scope: str
    period: Period
    start: datetime
    end: datetime
    metrics: dict[str, MetricValue]

    def to_json(self) -> dict:
        return {
            "scope": self.scope, "period": self.period,
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "metrics": {k: {"actual": _num(v.actual), "target": _num(v.target)} for k, v in self.metrics.items()},
        }


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def build_kpi(playbook: Playbook, scope: str, users: list[User], counts: list[ActivityCount], period: Period,
              day: date, start: datetime, end: datetime, handoffs: HandoffCount | None = None,
              revivals: dict[int, tuple[int, int, int, float]] | None = None,
              deals: DealCount | None = None) -> KpiReport:
    actual = (activity_metrics(counts, playbook) | handoff_metrics(handoffs or HandoffCount())
              | deal_metrics(deals or DealCount()) | revival_metrics(revivals or {}, [u.id for u in users]))
    metrics = {
        name: MetricValue(actual=actual[name], target=team_target(playbook, users, name, period, day))
        for name in KPI_METRICS
    }
    return KpiReport(scope=scope, period=period, start=start, end=end, metrics=metrics)
