"""Domain records as the rest of revdesk sees them (built by db/ repositories, shown by tui/).

Immutable named tuples, always built with keywords: cheap to define and to create, which keeps start-up and
the call-mode loop quick. Fields with defaults come last."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from revdesk.core.calls.scoring import Score

Role = Literal["sdr", "ae", "cs", "manager", "founder"]
QueueKind = Literal["handoff", "inbound", "call_back", "follow_up", "step", "stale_deal", "dormant", "lookup"]


class User(NamedTuple):
    id: int
    handle: str
    name: str
    role: Role
    team: str
    timezone: str


class Account(NamedTuple):
    id: int
    name: str
    domain: str | None
    industry: str | None
    employees: int | None
    country: str | None
    timezone: str | None
    owner_id: int | None
    icp_tier: str | None
    growth_stage: str | None
    committee_complexity: str | None
    last_touch_at: datetime | None
    owner_name: str | None = None
    lifetime_revenue: float = 0.0  # won deals' amounts as written, in revenue_currency
    status: Literal["prospect", "customer", "former customer"] = "prospect"
    revenue_currency: str | None = None  # the won deals' currency; None when they mix currencies


class Contact(NamedTuple):
    id: int
    account_id: int | None
    first_name: str
    last_name: str
    title: str | None
    email: str | None
    phone: str | None
    timezone: str | None
    country: str | None
    buying_role: str | None
    lead_source: str | None
    inbound: bool
    lifecycle_stage: str
    lead_status: str
    score: int
    owner_id: int | None
    do_not_contact: bool
    created_at: datetime
    first_touch_at: datetime | None
    last_touch_at: datetime | None
    score_detail: str | None = None  # JSON of the score's parts as of score_at (see core.calls.scoring)
    score_at: datetime | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Deal(NamedTuple):
    id: int
    account_id: int
    name: str
    amount: float | None
    currency: str
    recurring: bool
    stage: str
    owner_id: int | None
    expected_close_date: str | None
    stage_entered_at: datetime
    owner_name: str | None = None


class Activity(NamedTuple):
    id: int
    kind: Literal["call", "email", "linkedin", "meeting", "note"]
    outcome: str | None
    user_id: int
    contact_id: int | None
    account_id: int | None
    occurred_at: datetime
    note: str | None
    user_handle: str | None = None


class QueueCandidate(NamedTuple):
    """A row the queue query returns before ranking: a task due, an untouched inbound lead, or a handoff
    awaiting my decision (task_id is then the handoff's id, task_kind its kind, task_note its sender), or a
    deal of mine stale in its stage (task_id the deal's id, task_kind its stage, task_note its name; due_at
    the moment it entered the stage), or a dormant account picked for me today (task_id the account's id,
    task_note the reason; due_at orders the day's picks)."""

    source: Literal["task", "inbound", "handoff", "deal", "dormant"]
    task_id: int | None
    task_kind: str | None
    task_note: str | None
    due_at: datetime
    created_at: datetime
    contact_id: int
    contact_name: str
    contact_title: str | None
    contact_timezone: str | None
    lead_source: str | None
    score: int
    account_id: int | None
    account_name: str | None


class QueueItem(NamedTuple):
    kind: QueueKind
    reason: str
    due_at: datetime
    urgency: int
    contact_id: int
    contact_name: str
    contact_title: str | None
    account_id: int | None
    account_name: str | None
    task_id: int | None = None
    contact_timezone: str | None = None
    handoff_id: int | None = None
    deal_id: int | None = None
    step_channel: str | None = None  # a sequence step: call, email, linkedin or task

    @property
    def key(self) -> tuple[str, int]:
        """Identifies the item across reloads (a handoff, a deal, a task, or the inbound lead itself)."""
        if self.handoff_id is not None:
            return ("handoff", self.handoff_id)
        if self.deal_id is not None:
            return ("deal", self.deal_id)
        return ("task", self.task_id) if self.task_id is not None else ("contact", self.contact_id)


class CallContext(NamedTuple):
    """Everything call mode shows for one conversation."""

    contact: Contact
    account: Account | None
    open_deal: Deal | None
    recent: list[Activity]
    owner_name: str | None = None
    score: Score | None = None


class HandoffSummary(NamedTuple):
    """A handoff as the inbox, the CLI and the team view show it."""

    id: int
    kind: str
    status: str
    from_user_id: int
    from_name: str
    to_user_id: int
    to_name: str
    contact_id: int | None
    contact_name: str | None
    account_id: int
    account_name: str
    deal_id: int | None
    context: dict[str, str]
    created_at: datetime
    sla_due_at: datetime | None
    decided_at: datetime | None
    reject_reason: str | None
    reject_note: str | None

    def past_sla(self, now: datetime) -> bool:
        """Still pending after its SLA: it stands out in the AE's queue and the team view."""
        return self.status == "pending" and self.sla_due_at is not None and now > self.sla_due_at
