"""What logging an activity changes, decided from plain values: the activity row, the contact's status and
lifecycle moves with their history, the account's last touch and a dormant account's revival, the tasks closed,
the sequence steps done and the sequences exited, the score, and the playbook's follow-up with its due time.

db reads the state (`OutcomeState`), `decide_outcome` returns an `OutcomeDecision`, db applies it in one
transaction with its change record. Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.calls.activities import ACTIVITY_KINDS, OTHER_OUTCOMES, TOUCH_KINDS
from revdesk.core.calls.scoring import (
    ScoreParts,
    add_event,
    decay_weight,
    engagement_event,
    lifecycle_after_score,
    parts_from_sums,
)
from revdesk.core.calls.transitions import move_for_outcome
from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import day_bounds, into_working_hours, resolve_quick_form, to_stored
from revdesk.core.dormancy.definition import DormantAccount
from revdesk.core.playbook.model import Outcome, Playbook

CONTACT_INITIATED = ("inbound_request", "reply", "meeting")  # a nurtured contact comes back only by these
FUTURE_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class OutcomeRequest:
    """What the person asked for: log `kind` (with `outcome`) on a contact, optionally on one of their tasks."""

    user_id: int
    user_role: str
    user_zone: ZoneInfo
    contact_id: int
    kind: str
    outcome: str | None
    occurred: datetime
    now: datetime
    note: str | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class ContactState:
    id: int
    account_id: int | None
    lead_status: str
    lifecycle_stage: str
    first_touch_at: str | None
    last_touch_at: str | None
    zone: ZoneInfo  # the contact's own timezone, else the user's
    do_not_contact: bool


@dataclass(frozen=True)
class OpenTask:
    """One of the user's open or snoozed tasks for the contact."""

    id: int
    due_at: str
    enrollment_id: int | None = None
    step_index: int | None = None
    channel: str | None = None


@dataclass(frozen=True)
class NextStep:
    """What doing an enrollment's current step leads to (worked out by the sequence engine when read)."""

    channel: str  # the channel of the step being done
    due: datetime | None  # when the following step comes due; None when the done step was the last


@dataclass(frozen=True)
class EnrollmentState:
    """One of the contact's live (active or paused) enrollments."""

    id: int
    status: str
    step_index: int
    next_due_at: str | None
    exit_on: tuple[str, ...] = ()
    next_step: NextStep | None = None  # read only when a task closing now is its current step


@dataclass(frozen=True)
class ScoreState:
    """The contact's stored score; `history` (each event's decayed weight and count) and `facts` are read
    only when the contact was never scored."""

    score: int | None
    score_detail: str | None
    score_at: str | None
    facts: Mapping[str, object] = field(default_factory=dict)
    history: Mapping[str, tuple[float, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountState:
    id: int
    last_touch_at: str | None
    dormant: DormantAccount | None  # the account as dormant just before this touch, else None


@dataclass(frozen=True)
class OutcomeState:
    contact: ContactState
    sequence_step: str | None  # 'cold_outbound:3' when logged on a step's task
    open_tasks: tuple[OpenTask, ...] = ()
    enrollments: tuple[EnrollmentState, ...] = ()
    account: AccountState | None = None
    score: ScoreState | None = None
    exit_reason: str | None = None  # the sequence exit this activity means (sequences.rules.exit_reason)


@dataclass(frozen=True)
class NewActivity:
    kind: str
    outcome: str | None
    user_id: int
    contact_id: int
    account_id: int | None
    occurred_at: str
    note: str | None
    created_at: str
    sequence_step: str | None
    lead_status: str  # the contact's status when it happened


@dataclass(frozen=True)
class StatusMove:
    axis: str  # 'lead_status' or 'lifecycle'
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class Touch:
    """The contact's statuses and touch facts after the activity, and the account's last touch."""

    before: dict[str, str | None]
    lead_status: str
    lifecycle_stage: str
    first_touch_at: str
    last_touch_at: str
    history: tuple[StatusMove, ...]
    account_id: int | None = None
    account_before: str | None = None
    account_after: str | None = None
    revival: DormantAccount | None = None


@dataclass(frozen=True)
class StepAdvance:
    """A sequence step done: its run is recorded and the enrollment moves on (or finishes)."""

    enrollment_id: int
    step_index: int
    channel: str
    next_due_at_before: str | None
    next_due: datetime | None  # None: the enrollment finishes


@dataclass(frozen=True)
class SequenceExit:
    enrollment_id: int
    status: str  # as it was (for undo)
    next_due_at: str | None
    reason: str


@dataclass(frozen=True)
class ScoreChange:
    before: dict[str, object]
    total: int
    detail: str
    at: str
    mql: StatusMove | None  # the lead reached the MQL threshold


@dataclass(frozen=True)
class FollowUp:
    kind: str
    due: datetime
    note: str | None


@dataclass(frozen=True)
class OutcomeDecision:
    activity: NewActivity
    touch: Touch | None = None
    closed_tasks: tuple[int, ...] = ()
    advances: tuple[StepAdvance, ...] = ()
    exits: tuple[SequenceExit, ...] = ()
    score: ScoreChange | None = None
    follow_up: FollowUp | None = None

    @property
    def lifecycle_after(self) -> str | None:
        """The contact's lifecycle once everything is applied (None when the activity is no touch)."""
        if self.touch is None:
            return None
        return self.score.mql.after if self.score and self.score.mql else self.touch.lifecycle_stage


def check_activity(playbook: Playbook, kind: str, outcome: str | None, occurred: datetime,
                   now: datetime) -> Outcome | None:
    """Refuse a bad kind, outcome or time; the playbook's rule for a call outcome (None for other kinds)."""
    if kind not in ACTIVITY_KINDS:
        raise InvalidInput("type", f"{kind!r} is not one of {', '.join(ACTIVITY_KINDS)}")
    rule = None
    if kind == "call":
        if outcome is None:
            raise InvalidInput("outcome", "a call needs an outcome: " + ", ".join(o.key for o in playbook.outcomes))
        try:
            rule = playbook.outcome(outcome)
        except KeyError as exc:
            raise InvalidInput("outcome", str(exc.args[0])) from None
    elif outcome is not None and outcome not in OTHER_OUTCOMES[kind]:
        allowed = ", ".join(OTHER_OUTCOMES[kind]) or "none"
        raise InvalidInput("outcome", f"{outcome!r} is not an outcome of {kind!r} (allowed: {allowed})")
    if occurred > now + FUTURE_SLACK:
        raise InvalidInput("at", "is in the future; log what happened, schedule what will")
    return rule


def closing_tasks(request: OutcomeRequest, tasks: tuple[OpenTask, ...]) -> tuple[OpenTask, ...]:
    """The item's task and the user's other tasks for this contact due through today. A sequence step closes
    only when it is the item, or when this touch is what the step asks for (a call does a due call step; a
    reply or a bounce does no step of ours)."""
    if request.kind not in TOUCH_KINDS:
        return ()
    doing = request.kind if request.outcome not in ("replied", "bounced") else None
    _, end = day_bounds(request.now.astimezone(request.user_zone).date(), request.user_zone)
    until = to_stored(end)
    return tuple(t for t in tasks if t.id == request.task_id
                 or (t.due_at < until and (t.enrollment_id is None or (doing is not None and t.channel == doing))))


def scored_event(playbook: Playbook, kind: str, outcome: str | None) -> str | None:
    """The engagement event the activity is when a rule scores it, else None."""
    event = engagement_event(kind, outcome, playbook)
    if event is None or not any(r.event == event for r in playbook.qualification.engagement_rules):
        return None
    return event


def decide_outcome(request: OutcomeRequest, state: OutcomeState, playbook: Playbook) -> OutcomeDecision:
    """Everything logging the activity changes (raises InvalidInput, writing nothing, when it may not be)."""
    rule = check_activity(playbook, request.kind, request.outcome, request.occurred, request.now)
    contact = state.contact
    if contact.do_not_contact and request.kind != "note":
        raise InvalidInput("contact", f"{request.contact_id} is marked do-not-contact")
    stamp = to_stored(request.occurred)
    activity = NewActivity(request.kind, request.outcome, request.user_id, contact.id, contact.account_id, stamp,
                           request.note, to_stored(request.now), state.sequence_step, contact.lead_status)
    if request.kind not in TOUCH_KINDS:
        return OutcomeDecision(activity)
    touch = _touch(request, state, rule, stamp)
    closing = closing_tasks(request, state.open_tasks)
    if request.task_id is not None and request.task_id not in {t.id for t in closing}:
        raise InvalidInput("task", f"{request.task_id} is not an open task of yours for contact {contact.id}")
    advances, after = _advances(closing, state.enrollments)
    exits = tuple(SequenceExit(e.id, e.status, e.next_due_at, state.exit_reason) for e in after
                  if state.exit_reason and e.status in ("active", "paused") and state.exit_reason in e.exit_on)
    score = _score(request, state.score, playbook, touch.lifecycle_stage)
    follow_up = None
    if rule is not None and rule.follow_up:
        local_now = request.now.astimezone(contact.zone)
        due = into_working_hours(resolve_quick_form(rule.follow_up, local_now), not_before=local_now,
                                 hours=playbook.working_hours.bounds())
        follow_up = FollowUp(rule.follow_up_kind, due, rule.label)
    return OutcomeDecision(activity, touch, tuple(t.id for t in closing), advances, exits, score, follow_up)


def _touch(request: OutcomeRequest, state: OutcomeState, rule: Outcome | None, stamp: str) -> Touch:
    contact = state.contact
    before = {"lead_status": contact.lead_status, "lifecycle_stage": contact.lifecycle_stage,
              "first_touch_at": contact.first_touch_at, "last_touch_at": contact.last_touch_at}
    status, lifecycle = contact.lead_status, contact.lifecycle_stage
    if rule is not None:
        move = move_for_outcome(status, lifecycle, rule, request.user_role)
        status, lifecycle = move.lead_status, move.lifecycle_stage
    elif status == "new":
        status = "attempting"
    reason = f"{rule.label} call" if rule else "touch"
    history = tuple(StatusMove(axis, old, new, reason) for axis, old, new in (
        ("lead_status", contact.lead_status, status), ("lifecycle", contact.lifecycle_stage, lifecycle))
        if old != new)
    first = min(filter(None, [contact.first_touch_at, stamp]))
    last = max(filter(None, [contact.last_touch_at, stamp]))
    account = state.account
    if account is None:
        return Touch(before, status, lifecycle, first, last, history)
    return Touch(before, status, lifecycle, first, last, history, account.id, account.last_touch_at,
                 max(account.last_touch_at or "", stamp), account.dormant)


def _advances(closing: tuple[OpenTask, ...], enrollments: tuple[EnrollmentState, ...]
              ) -> tuple[tuple[StepAdvance, ...], list[EnrollmentState]]:
    """The steps the closed tasks do, in task order, and the enrollments as they stand afterwards."""
    current = {e.id: e for e in enrollments}
    advances = []
    for task in closing:
        live = current.get(task.enrollment_id) if task.enrollment_id is not None else None
        if live is None or live.status != "active" or live.step_index != task.step_index or live.next_step is None:
            continue  # not a step, or its enrollment ended or moved on meanwhile
        step = live.next_step
        advances.append(StepAdvance(live.id, live.step_index, step.channel, live.next_due_at, step.due))
        current[live.id] = EnrollmentState(
            live.id, "active" if step.due else "finished", live.step_index + 1,
            to_stored(step.due) if step.due else None, live.exit_on)
    return tuple(advances), list(current.values())


def _score(request: OutcomeRequest, score: ScoreState | None, playbook: Playbook,
           lifecycle: str) -> ScoreChange | None:
    """The score after one more engagement event (None when no rule scores this activity)."""
    event = scored_event(playbook, request.kind, request.outcome)
    if event is None or score is None:
        return None
    q, now = playbook.qualification, request.now
    if score.score_detail:
        parts = add_event(ScoreParts.from_json(score.score_detail), q, event, request.occurred, now)
    else:  # never scored: the whole history, with this activity
        sums = dict(score.history)
        weight, count = sums.get(event, (0.0, 0))
        sums[event] = (weight + decay_weight(q, request.occurred, now), count + 1)
        parts = parts_from_sums(q, score.facts, sums, now)
    total = parts.total()
    mql = None
    # a nurtured contact comes back as an MQL only by something they did, not by being called
    if lifecycle_after_score(lifecycle, total, q, engaged=event in CONTACT_INITIATED):
        mql = StatusMove("lifecycle", lifecycle, "mql", f"Score {total} reached the MQL threshold {q.mql_threshold}")
    before = {"score": score.score, "score_detail": score.score_detail, "score_at": score.score_at}
    return ScoreChange(before, total, parts.to_json(), to_stored(parts.at), mql)
