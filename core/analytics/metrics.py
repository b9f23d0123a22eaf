"""Metric definitions (one each, used by every screen, CLI command and report) and period bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.playbook.model import Period, Playbook, Stage

ACTIVITY_METRICS = ("calls", "connects", "emails", "meetings_booked")
DEAL_METRICS = ("deals_won", "revenue_won")
HANDOFF_METRICS = ("opportunities_created", "opportunities_accepted")
REVIVAL_METRICS = ("dormant_revived", "revived_deals", "revived_revenue")


@dataclass(frozen=True)
class ActivityCount:
    """How many activities of one kind and outcome fall in a period (what db/ returns)."""

    kind: str
    outcome: str | None
    count: int
    lead_status: str | None = None  # the contact's lead status when logged (when counted by it)


def activity_metrics(counts: list[ActivityCount], playbook: Playbook) -> dict[str, int]:
    """calls: every call logged; connects: calls whose outcome counts as a conversation; emails: e-mails
    sent (not replies or bounces); meetings_booked: activities whose outcome books a meeting."""
    conversation = set(playbook.conversation_outcomes())
    meeting = set(playbook.meeting_outcomes())
    result = dict.fromkeys(ACTIVITY_METRICS, 0)
    for row in counts:
        if row.kind == "call":
            result["calls"] += row.count
            if row.outcome in conversation:
                result["connects"] += row.count
        if row.kind == "email" and row.outcome not in ("replied", "bounced"):
            result["emails"] += row.count
        if row.outcome in meeting:
            result["meetings_booked"] += row.count
    return result


def outcome(won: int | None, stage: Stage | None) -> bool | None:
    """A deal's result from its `won` flag (1/0), else from its stage when that is closed; None while open."""
    if won is not None:
        return bool(won)
    if stage is not None and stage.closed:
        return stage.won
    return None


@dataclass(frozen=True)
class DealCount:
    """Deals the people owned that closed won in a period, and their amounts in the base currency."""

    won: int = 0
    revenue: float = 0.0


def deal_metrics(counts: DealCount) -> dict[str, float]:
    """deals_won: deals closed won in the period, credited to their owner; revenue_won: their amounts in the
    playbook's base currency (a deal with no amount counts as won with no revenue)."""
    return {"deals_won": counts.won, "revenue_won": round(counts.revenue, 2)}


@dataclass(frozen=True)
class HandoffCount:
    """SDR-to-AE handoffs a person sent in a period, and those of theirs an AE accepted in it."""

    sent: int = 0
    accepted: int = 0


def handoff_metrics(counts: HandoffCount) -> dict[str, int]:
    """opportunities_created: handoffs sent (by created time); opportunities_accepted: handoffs accepted
    (by decision time), credited to the sender."""
    return {"opportunities_created": counts.sent, "opportunities_accepted": counts.accepted}


def revival_metrics(totals: dict[int, tuple[int, int, int, float]], user_ids: list[int]) -> dict[str, float]:
    """dormant_revived: dormant accounts the people touched; revived_deals: deals opened on accounts they
    revived; revived_revenue: revenue (base currency) won from those deals (core.dormancy.definition.revival_totals)."""
    rows = [totals[u] for u in user_ids if u in totals]
    return {"dormant_revived": sum(r[0] for r in rows), "revived_deals": sum(r[1] for r in rows),
            "revived_revenue": round(sum(r[3] for r in rows), 2)}


def period_bounds(period: Period, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the period containing `day`, in `tz`. Weeks start on Monday."""
    if period == "day":
        first, after = day, day + timedelta(days=1)
    elif period == "week":
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
    elif period == "month":
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    else:
        first = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        after = (first + timedelta(days=95)).replace(day=1)
    return datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)


def working_days(start: date, end: date) -> int:
    """Weekdays in [start, end)."""
    days, current = 0, start
    while current < end:
        days += current.weekday() < 5
        current += timedelta(days=1)
    return days
