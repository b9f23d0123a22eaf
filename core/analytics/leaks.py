"""The revenue-leak report (pure): the four diagnostic questions plus limbo leads, each answered by figures
whose every number is the count of the records listed behind it (so every number drills down).

The definitions, each in one place (see the functions below for the exact rules):

- Qualification alignment: MQLs disqualified by sales (`sales_disqualifications`), and SDR→AE handoffs rejected
  by AEs, in total and by reject reason (`rejected_by_ae`), in the report period.
- Context continuity: open deals whose handoff context is incomplete under the current playbook
  (`missing_context`), and open deals with no handoff at all. Point in time: now.
- Handoff accountability: deals that stalled in the previous period, credited to whoever held them when they
  stalled (`first_stall`, `owner_at`); handoffs pending past their SLA now, and those decided in the period
  after their SLA (`decided_late`).
- Dormant visibility: accounts dormant (core.dormancy.definition's definition) at 18 months and at the playbook's
  dormancy period: count, lifetime revenue, and how many of them nobody owns. Point in time: now.
- Limbo leads: MQLs nobody has touched since they became MQL, for longer than the first-touch SLA
  (`in_limbo`). Point in time: now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from revdesk.core.common.models import HandoffSummary
from revdesk.core.handoffs.rules import context_problems
from revdesk.core.playbook.model import Playbook, Stage

RecordKind = Literal["contact", "account", "deal", "handoff"]
SALES_ROLES = ("ae", "manager", "founder")  # a disqualification by one of these is sales disagreeing
MQL_OR_LATER = ("mql", "sal", "sql", "opportunity", "customer")  # lifecycle stages at or past MQL
EIGHTEEN_MONTHS_DAYS = 548  # "no touch for 18 months"


class RecordRef(NamedTuple):
    """One record behind a figure; `account_id` is where to open it (a contact's or deal's account)."""

    kind: RecordKind
    id: int
    label: str
    detail: str
    account_id: int | None = None
    revenue: float | None = None  # base currency, where the figure sums revenue

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.id, "account_id": self.account_id, "label": self.label,
                "detail": self.detail, **({"revenue": round(self.revenue, 2)} if self.revenue is not None else {})}


@dataclass(frozen=True)
class Figure:
    """A number with the records behind it: its count is always how many records it lists."""

    key: str
    label: str
    records: tuple[RecordRef, ...] = ()
    with_revenue: bool = False  # whether the figure also sums its records' revenue
    help: str = ""

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def revenue(self) -> float | None:
        return sum(r.revenue or 0.0 for r in self.records) if self.with_revenue else None

    def to_json(self) -> dict[str, object]:
        revenue = self.revenue
        return {"key": self.key, "label": self.label, "count": self.count,
                "revenue": round(revenue, 2) if revenue is not None else None, "help": self.help,
                "records": [r.to_json() for r in self.records]}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    question: str
    figures: tuple[Figure, ...]

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "title": self.title, "question": self.question,
                "figures": [f.to_json() for f in self.figures]}


@dataclass(frozen=True)
class LeakReport:
    period: str
    start: datetime  # [start, end): qualification alignment and handoffs decided late
    end: datetime
    stall_start: datetime  # [stall_start, stall_end): the previous period, for stalled deals
    stall_end: datetime
    as_of: datetime  # the point-in-time figures (context, pending past SLA, dormant, limbo)
    currency: str
    sections: tuple[Section, ...]

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for item in section.figures:
                if item.key == key:
                    return item
        raise KeyError(key)

    def to_json(self) -> dict[str, object]:
        return {"period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "stall_window": {"start": self.stall_start.isoformat(), "end": self.stall_end.isoformat()},
                "as_of": self.as_of.isoformat(), "currency": self.currency,
                "sections": [s.to_json() for s in self.sections]}


# -- the facts db/ reads ---------------------------------------------------------------------------------------

class Disqualification(NamedTuple):
    """A contact's lifecycle moved to 'disqualified' (one status_history row)."""

    contact_id: int
    contact_name: str
    account_id: int | None
    account_name: str | None
    from_value: str | None
    mql_before: bool  # its history shows it at MQL before this change
    by_name: str | None
    by_role: str | None
    at: datetime
    reason: str | None


class OpenDeal(NamedTuple):
    deal_id: int
    name: str
    account_id: int
    account_name: str
    amount: float  # base currency (0 when unknown)
    owner_name: str | None
    handoff_id: int | None
    handoff_kind: str | None
    context: Mapping[str, object]
    account_contacts: Mapping[int, str]  # the account's contacts the context names (id → name)


class Stint(NamedTuple):
    stage: str
    entered_at: datetime
    left_at: datetime | None  # None: still there


class DealTimeline(NamedTuple):
    deal_id: int
    name: str
    account_id: int
    account_name: str
    amount: float  # base currency
    owner_id: int | None  # now
    stints: tuple[Stint, ...]  # in order
    owner_changes: tuple[tuple[datetime, int | None, int | None], ...]  # (at, from, to), in order


class MqlLead(NamedTuple):
    """A contact whose lifecycle is MQL now; `mql_at` is when it became one: its latest lifecycle change (None: it
    was created as one)."""

    contact_id: int
    name: str
    account_id: int | None
    account_name: str | None
    owner_name: str | None
    created_at: datetime
    mql_at: datetime | None
    last_touch_at: datetime | None


@dataclass(frozen=True)
class LeakFacts:
    disqualifications: Sequence[Disqualification] = ()
    handoffs: Sequence[HandoffSummary] = ()  # rejected or decided late in the period, and every pending one
    open_deals: Sequence[OpenDeal] = ()
    timelines: Sequence[DealTimeline] = ()  # deals open at some moment of the stall window
    dormant: Mapping[int, Sequence] = field(default_factory=dict)  # days → core.dormancy.definition.DormantAccount list
    mql_leads: Sequence[MqlLead] = ()
    users: Mapping[int, str] = field(default_factory=dict)  # id → name


# -- the definitions -----------------------------------------------------------------------------------------

def sales_disqualifications(rows: Sequence[Disqualification], start: datetime, end: datetime) -> list[Disqualification]:
    """MQLs disqualified by sales: lifecycle changes to 'disqualified' in [start, end) made by a user whose role is
    ae, manager or founder, of contacts that had reached MQL (they left a stage from MQL onwards, or their history
    shows them at MQL earlier). One per contact: its latest such change."""
    latest: dict[int, Disqualification] = {}
    for row in sorted(rows, key=lambda r: r.at):
        if (start <= row.at < end and row.by_role in SALES_ROLES
                and (row.from_value in MQL_OR_LATER or row.mql_before)):
            latest[row.contact_id] = row
    return sorted(latest.values(), key=lambda r: (r.at, r.contact_id))


def rejected_by_ae(handoffs: Sequence[HandoffSummary], start: datetime, end: datetime) -> list[HandoffSummary]:
    """SDR→AE handoffs rejected (by their recipient, an AE) with the decision in [start, end)."""
    return sorted((h for h in handoffs if h.kind == "sdr_ae" and h.status == "rejected" and h.decided_at
                   and start <= h.decided_at < end), key=lambda h: (h.decided_at, h.id))


def decided_late(h: HandoffSummary) -> bool:
    """Accepted or rejected after its SLA ran out."""
    return h.decided_at is not None and h.sla_due_at is not None and h.decided_at > h.sla_due_at


def missing_context(playbook: Playbook, deal: OpenDeal) -> list[str] | None:
    """The labels of the fields an open deal's handoff context lacks under the current playbook (a field missing,
    a placeholder, too short, not a contact at the account, not a date: core.handoffs.rules.context_problems; keys that
    are no field of the kind do not make it incomplete). [] when complete; None for a deal with no handoff."""
    if deal.handoff_id is None:
        return None
    try:
        kind = playbook.handoff.kind(deal.handoff_kind or "")
    except KeyError:
        return [f"the playbook has no {deal.handoff_kind} handoff any more"]
    labels = {f.key: f.label for f in kind.fields}
    problems = context_problems(kind, playbook.handoff, deal.context, deal.account_contacts)
    keys = [key for key, _ in problems if key in labels]
    return [labels[key] for key in dict.fromkeys(keys)]


def stale_at(stage: Stage, entered_at: datetime) -> datetime | None:
    """When a deal that entered `stage` at `entered_at` goes stale (core.pipeline.lanes.is_stale: after the stage's
    stale_after_days); None for a closed stage or one that never goes stale."""
    if stage.closed or stage.stale_after_days is None:
        return None
    return entered_at + timedelta(days=stage.stale_after_days)


def first_stall(stages: Mapping[str, Stage], deal: DealTimeline, start: datetime, end: datetime,
                now: datetime) -> tuple[Stint, datetime] | None:
    """The first moment in [start, end) (and not after now) at which the deal passed its stage's stale_after_days
    while still in that stage; with the stint. None when it did not stall in the window. `stages`: the playbook's
    stages by key."""
    for stint in deal.stints:
        stage = stages.get(stint.stage)
        moment = stale_at(stage, stint.entered_at) if stage else None
        if (moment is not None and start <= moment < end and moment <= now
                and (stint.left_at is None or stint.left_at > moment)):
            return stint, moment
    return None


def owner_at(deal: DealTimeline, moment: datetime) -> int | None:
    """Who held the deal at `moment` by its owner history (the last change at or before it, else the first change's
    previous owner); with no history, its current owner."""
    before = [change for change in deal.owner_changes if change[0] <= moment]
    if before:
        return before[-1][2]
    if deal.owner_changes:
        return deal.owner_changes[0][1]
    return deal.owner_id


def in_limbo(lead: MqlLead, playbook: Playbook, now: datetime) -> bool:
    """A lead in limbo: an MQL now, with no touch since it became MQL (its latest move to MQL, else its creation),
    and longer than the first-touch SLA has passed since then."""
    since = lead.mql_at or lead.created_at
    untouched = lead.last_touch_at is None or lead.last_touch_at < since
    return untouched and now - since > timedelta(minutes=playbook.sla.first_touch_minutes)


def stints_from_history(stage: str, stage_entered_at: datetime, created_at: datetime,
                        history: Sequence[tuple[str | None, str, datetime]]) -> tuple[Stint, ...]:
    """A deal's stays in its stages from its stage history ((from, to, at) in order): each move starts a stint
    that the next one ends; before the first recorded move it sat in that move's 'from' stage since its creation.
    With no history, one stint in its current stage since it entered it."""
    if not history:
        return (Stint(stage, stage_entered_at, None),)
    stints: list[Stint] = []
    first_from, _, first_at = history[0]
    if first_from is not None and created_at < first_at:
        stints.append(Stint(first_from, created_at, first_at))
    for index, (_, to, at) in enumerate(history):
        left = history[index + 1][2] if index + 1 < len(history) else None
        stints.append(Stint(to, at, left))
    return tuple(stints)
