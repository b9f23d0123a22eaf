"""Targets from the playbook: a user's own target wins over their role's; a period without a target of
its own is derived from another period's target by working days."""

from __future__ import annotations

from datetime import date

from revdesk.core.analytics.metrics import period_bounds, working_days
from revdesk.core.common.models import User
from revdesk.core.playbook.model import Period, Playbook, Target

_PREFERENCE: tuple[Period, ...] = ("day", "week", "month", "quarter")


def _days_in(period: Period, day: date) -> int:
    from zoneinfo import ZoneInfo

    start, end = period_bounds(period, day, ZoneInfo("UTC"))
    return working_days(start.date(), end.date()) or 1


def target_for(playbook: Playbook, user: User, metric: str, period: Period, day: date) -> float | None:
    """The user's target for `metric` over the `period` containing `day`, or None when none is set.

    Targets count working days: a day target does not apply on a Saturday or Sunday, and derived targets
    of counted metrics are whole numbers."""
    if period == "day" and day.weekday() >= 5:
        return None
    own = [t for t in playbook.targets if t.metric == metric and t.user == user.handle]
    role = [t for t in playbook.targets if t.metric == metric and t.role == user.role]
    for pool in (own, role):
        if not pool:
            continue
        exact = _pick(pool, period)
        if exact is not None:
            return exact.value
        source = min(pool, key=lambda t: abs(_PREFERENCE.index(t.period) - _PREFERENCE.index(period)))
        per_day = source.value / _days_in(source.period, day)
        derived = per_day * _days_in(period, day)
        return round(derived, 2) if metric in ("revenue_won", "revived_revenue") else float(round(derived))
    return None


def _pick(pool: list[Target], period: Period) -> Target | None:
    return next((t for t in pool if t.period == period), None)


def team_target(playbook: Playbook, users: list[User], metric: str, period: Period, day: date) -> float | None:
    values = [target_for(playbook, u, metric, period, day) for u in users]
    known = [v for v in values if v is not None]
    return round(sum(known), 1) if known else None
