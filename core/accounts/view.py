"""Account 360: one company with its people, deals, activity, handoffs and owner history, as plain records.

db/accounts/view.py builds an AccountView; tui/accounts/account_360.py shows it. The helpers here (role labels,
the company intelligence line, pipeline sums) are pure so every screen words them the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from revdesk.core.common.models import Account
from revdesk.core.dormancy.definition import DormantAccount

# Buying roles in the order a seller cares about them: who signs first, who can block last.
BUYING_ROLES: dict[str, str] = {
    "decision_maker": "Decision maker", "approver": "Approver", "champion": "Champion",
    "influencer": "Influencer", "user": "User", "blocker": "Blocker",
}
_ROLE_RANK = {key: rank for rank, key in enumerate(BUYING_ROLES)}


class AccountContactRow(NamedTuple):
    id: int
    name: str
    title: str | None
    buying_role: str | None
    lifecycle_stage: str
    lead_status: str
    score: int
    owner_name: str | None
    last_touch_at: datetime | None


class AccountDealRow(NamedTuple):
    id: int
    name: str
    stage: str  # the playbook key
    stage_label: str
    amount: float | None
    currency: str
    owner_name: str | None
    stage_entered_at: datetime
    closed_at: datetime | None
    won: bool | None  # None while the deal is open
    expected_close_date: str | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class TimelineEntry(NamedTuple):
    occurred_at: datetime
    kind: str
    outcome: str | None
    user_handle: str
    contact_name: str | None
    note: str | None


class HandoffRow(NamedTuple):
    id: int
    kind: str
    from_name: str
    to_name: str
    contact_name: str | None
    status: str
    created_at: datetime
    decided_at: datetime | None
    reject_reason: str | None


class OwnerChange(NamedTuple):
    record_type: str  # account, contact or deal
    record_id: int
    from_name: str | None  # None: nobody owned it
    to_name: str | None
    changed_at: datetime
    reason: str | None


@dataclass(frozen=True)
class AccountView:
    account: Account
    contacts: list[AccountContactRow] = field(default_factory=list)
    deals: list[AccountDealRow] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)  # newest first, live activities only
    handoffs: list[HandoffRow] = field(default_factory=list)  # newest first
    owner_history: list[OwnerChange] = field(default_factory=list)  # newest first
    lifetime_revenue: float = 0.0
    open_pipeline: float = 0.0
    dormant: DormantAccount | None = None  # set when the account is dormant (snoozed or not)

    def record_name(self, record_type: str, record_id: int) -> str:
        """What an owner change is about, in words: the account, a contact's name or a deal's name."""
        if record_type == "account":
            return self.account.name
        rows = self.contacts if record_type == "contact" else self.deals
        found = next((r.name for r in rows if r.id == record_id), None)
        return found or f"{record_type} #{record_id}"

    @property
    def currency(self) -> str | None:
        """The currency of the account's deals when they share one (revenue sums are only meaningful then)."""
        currencies = {d.currency for d in self.deals}
        return currencies.pop() if len(currencies) == 1 else None


def role_label(role: str | None) -> str:
    return BUYING_ROLES.get(role or "", role or "no role")


def role_rank(role: str | None) -> int:
    """Sort key: decision makers first, contacts without a role last."""
    return _ROLE_RANK.get(role or "", len(_ROLE_RANK))


def intelligence_line(account: Account) -> str:
    """The company intelligence every contact and deal of the account shows, e.g. 'ICP A · Scale-up ·
    committee high'. Unknown parts are left out; with none known it says so."""
    parts = []
    if account.icp_tier:
        parts.append(f"ICP {account.icp_tier}")
    if account.growth_stage:
        parts.append(account.growth_stage[:1].upper() + account.growth_stage[1:])
    if account.committee_complexity:
        parts.append(f"committee {account.committee_complexity}")
    return " · ".join(parts) if parts else "no company intelligence yet"


def ago(moment: datetime | None, now: datetime) -> str:
    """'today', 'yesterday', '12 days ago' or 'never'."""
    if moment is None:
        return "never"
    days = (now - moment).days
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"


def open_pipeline(deals: list[AccountDealRow]) -> float:
    """The amounts of the account's open deals (deals without an amount count as nothing)."""
    return sum(d.amount or 0.0 for d in deals if d.is_open)
