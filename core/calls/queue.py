"""The Today queue: what to work next, ranked, each item with a reason in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.common.models import QueueCandidate, QueueItem
from revdesk.core.common.when import humanize_delta
from revdesk.core.playbook.model import Sla, Stage

# Lower urgency is worked first.
HANDOFF_PAST_SLA = -2
HANDOFF_PENDING = -1
INBOUND_PAST_SLA = 0
CALL_BACK_DUE = 1
INBOUND_WITHIN_SLA = 2
INBOUND_STALE = 3
FOLLOW_UP_OVERDUE = 4
STALE_DEAL = 5
DORMANT_ACCOUNT = 6
DUE_LATER_TODAY = 7


def rank_queue(candidates: list[QueueCandidate], now: datetime, sla: Sla, user_tz: ZoneInfo,
               stages: Sequence[Stage] = ()) -> list[QueueItem]:
    """Rank candidates: handoffs awaiting my decision (past their SLA first), today's inbound leads at or
    near their SLA, promised call-backs, other fresh inbound,
    inbound leads left untouched for over a day, overdue follow-ups, my deals stale in their stage (longest
    first), today's dormant accounts (most valuable first), then the rest of the day by due time.

    Inbound leads go newest first: the fresher the lead, the more a call now is worth.
    """
    by_key = {s.key: s for s in stages}
    items = [_stale_deal(c, now, by_key) if c.source == "deal" else _item(c, now, sla, user_tz) for c in candidates]
    items.sort(key=lambda item: (item.urgency, _order(item), item.contact_id))
    # One item per person: the most urgent reason to call them (logging the call closes the rest).
    seen: set[int] = set()
    return [item for item in items if not (item.contact_id in seen or seen.add(item.contact_id))]


def _order(item: QueueItem) -> float:
    return -item.due_at.timestamp() if item.kind == "inbound" else item.due_at.timestamp()


def _item(c: QueueCandidate, now: datetime, sla: Sla, user_tz: ZoneInfo) -> QueueItem:
    if c.source == "handoff":
        return _handoff(c, now)
    if c.source == "dormant":
        return QueueItem(
            kind="dormant", reason=c.task_note or "", due_at=c.due_at, urgency=DORMANT_ACCOUNT,
            contact_id=c.contact_id, contact_name=c.contact_name, contact_title=c.contact_title,
            account_id=c.account_id, account_name=c.account_name, contact_timezone=c.contact_timezone,
        )
    if c.source == "inbound":
        kind = "inbound"
        urgency, reason = _inbound(c, now, sla)
    elif c.task_kind and c.task_kind.startswith("step:"):
        urgency = FOLLOW_UP_OVERDUE if c.due_at <= now else DUE_LATER_TODAY
        return _step(c, now, user_tz, urgency)
    elif c.task_kind == "call_back":
        kind = "call_back"
        window = timedelta(minutes=sla.call_back_window_minutes)
        urgency = CALL_BACK_DUE if c.due_at <= now + window else DUE_LATER_TODAY
        reason = _call_back(c, now, user_tz, window)
    else:
        kind = "follow_up"
        urgency = FOLLOW_UP_OVERDUE if c.due_at <= now else DUE_LATER_TODAY
        reason = _follow_up(c, now, user_tz)
    return QueueItem(
        kind=kind, reason=reason, due_at=c.due_at, urgency=urgency, contact_id=c.contact_id,
        contact_name=c.contact_name, contact_title=c.contact_title, account_id=c.account_id,
        account_name=c.account_name, task_id=c.task_id, contact_timezone=c.contact_timezone,
    )


def _step(c: QueueCandidate, now: datetime, user_tz: ZoneInfo, urgency: int) -> QueueItem:
    """A sequence step due: "Step 3 of 'Cold outbound': call, due 10:00 (09:00 their time)"."""
    when = _clock(c.due_at, user_tz, now) + _their_time(c, user_tz, now)
    reason = f"{c.task_note}, due {when}" + (f", {humanize_delta(now - c.due_at)} ago" if c.due_at < now else "")
    return QueueItem(
        kind="step", reason=reason, due_at=c.due_at, urgency=urgency, contact_id=c.contact_id,
        contact_name=c.contact_name, contact_title=c.contact_title, account_id=c.account_id,
        account_name=c.account_name, task_id=c.task_id, contact_timezone=c.contact_timezone,
        step_channel=(c.task_kind or "").removeprefix("step:"),
    )


def _stale_deal(c: QueueCandidate, now: datetime, stages: dict[str, Stage]) -> QueueItem:
    stage = stages.get(c.task_kind or "")
    label = stage.label if stage else c.task_kind
    limit = f", stale after {stage.stale_after_days} d" if stage and stage.stale_after_days else ""
    reason = f"{c.task_note}: {(now - c.due_at).days} d in {label}{limit}. Move it on or close it"
    return QueueItem(
        kind="stale_deal", reason=reason, due_at=c.due_at, urgency=STALE_DEAL, contact_id=c.contact_id,
        contact_name=c.contact_name, contact_title=c.contact_title, account_id=c.account_id,
        account_name=c.account_name, contact_timezone=c.contact_timezone, deal_id=c.task_id,
    )


def _handoff(c: QueueCandidate, now: datetime) -> QueueItem:
    what = "Handoff" if c.task_kind == "sdr_ae" else "Customer-success handoff"
    if now > c.due_at:  # the same rule as HandoffSummary.past_sla
        urgency = HANDOFF_PAST_SLA
        reason = f"{what} from {c.task_note}, {humanize_delta(now - c.due_at)} past its SLA: accept or reject"
    else:
        urgency = HANDOFF_PENDING
        reason = f"{what} from {c.task_note}: {humanize_delta(c.due_at - now)} left to accept or reject"
    return QueueItem(
        kind="handoff", reason=reason, due_at=c.due_at, urgency=urgency, contact_id=c.contact_id,
        contact_name=c.contact_name, contact_title=c.contact_title, account_id=c.account_id,
        account_name=c.account_name, contact_timezone=c.contact_timezone, handoff_id=c.task_id,
    )


def _inbound(c: QueueCandidate, now: datetime, sla: Sla) -> tuple[int, str]:
    source = c.lead_source or "inbound"
    age = humanize_delta(now - c.created_at)
    limit = humanize_delta(timedelta(minutes=sla.first_touch_minutes))
    if now - c.created_at >= timedelta(hours=sla.stale_inbound_hours):
        return INBOUND_STALE, f"Inbound lead ({source}) {age} ago, never touched: first-touch SLA was {limit}"
    if now >= c.due_at:
        late = humanize_delta(now - c.due_at)
        return INBOUND_PAST_SLA, f"Inbound lead ({source}) {age} ago: {late} past the {limit} first-touch SLA"
    left = humanize_delta(c.due_at - now)
    near = (c.due_at - now) <= timedelta(minutes=sla.first_touch_minutes * (1 - sla.near_fraction))
    urgency = INBOUND_PAST_SLA if near else INBOUND_WITHIN_SLA
    return urgency, f"Inbound lead ({source}) {age} ago: {left} left of the {limit} first-touch SLA"


def _clock(moment: datetime, tz: ZoneInfo, now: datetime) -> str:
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def _their_time(c: QueueCandidate, user_tz: ZoneInfo, now: datetime) -> str:
    if not c.contact_timezone or c.contact_timezone == str(user_tz):
        return ""
    return f" ({_clock(c.due_at, ZoneInfo(c.contact_timezone), now)} their time)"


def _with_note(text: str, note: str | None) -> str:
    return f"{text}: {note}" if note else text


def _call_back(c: QueueCandidate, now: datetime, user_tz: ZoneInfo, window: timedelta) -> str:
    when = _clock(c.due_at, user_tz, now) + _their_time(c, user_tz, now)
    if c.due_at < now - window:
        return _with_note(f"Call back promised for {when}, {humanize_delta(now - c.due_at)} late", c.task_note)
    return _with_note(f"Call back promised for {when}", c.task_note)


def _follow_up(c: QueueCandidate, now: datetime, user_tz: ZoneInfo) -> str:
    if c.due_at.astimezone(user_tz).date() < now.astimezone(user_tz).date():
        return _with_note(f"Follow-up overdue by {humanize_delta(now - c.due_at)}", c.task_note)
    if c.due_at <= now:
        late = humanize_delta(now - c.due_at)
        return _with_note(f"Follow-up due {_clock(c.due_at, user_tz, now)}, {late} ago", c.task_note)
    return _with_note(f"Follow-up due {_clock(c.due_at, user_tz, now)}", c.task_note)
