"""Dormant accounts: customers who paid once, have no open deal and nobody has touched for the playbook's
dormancy period. One definition, used by Today, the dormant screen, the CLI and the KPIs.

An account is quiet since the later of its last touch (a call, e-mail, LinkedIn message or meeting by
anyone) and the last close of any of its deals (a deal won or lost was being worked); with neither, since it
was created. It is dormant when it has won revenue, no open deal (none without a close), and has been quiet
for at least `days` (exactly `days` counts). Notes are internal and touch nobody: they do not wake an account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

MAX_WEIGHT = 3.0  # an account quiet for three dormancy periods or more weighs three times its revenue


class DormantAccount(NamedTuple):
    account_id: int
    name: str
    domain: str | None
    owner_id: int | None
    owner_name: str | None
    lifetime_revenue: float  # won revenue, in the playbook's base currency
    currency: str
    last_won_at: datetime | None
    last_touch_at: datetime | None
    quiet_since: datetime
    days_dormant: int  # whole days since quiet_since
    value_at_risk: float
    snoozed_until: datetime | None = None
    snooze_reason: str | None = None

    def reason(self) -> str:
        return dormant_reason(self.days_dormant, self.last_touch_at is not None, self.lifetime_revenue,
                              self.currency)

    def to_json(self) -> dict[str, object]:
        def stamp(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "account_id": self.account_id, "name": self.name, "domain": self.domain, "owner_id": self.owner_id,
            "owner": self.owner_name, "lifetime_revenue": round(self.lifetime_revenue, 2), "currency": self.currency,
            "last_won_at": stamp(self.last_won_at), "last_touch_at": stamp(self.last_touch_at),
            "quiet_since": stamp(self.quiet_since), "days_dormant": self.days_dormant,
            "value_at_risk": round(self.value_at_risk, 2), "snoozed_until": stamp(self.snoozed_until),
            "snooze_reason": self.snooze_reason,
        }


def dormant_cutoff(now: datetime, days: int) -> datetime:
    """Accounts quiet since this moment or earlier are dormant."""
    return now - timedelta(days=days)


def is_dormant(won_revenue: float, open_deals: int, quiet: datetime, now: datetime, days: int) -> bool:
    return won_revenue > 0 and open_deals == 0 and quiet <= dormant_cutoff(now, days)


def risk_weight(days_quiet: float, days: int) -> float:
    """How much an account's revenue weighs in the ranking: 1 at the start of dormancy, growing with the time
    it has been quiet, up to MAX_WEIGHT (the longer nobody calls, the likelier a competitor has)."""
    return min(max(days_quiet / days, 1.0), MAX_WEIGHT)


def value_at_risk(revenue: float, days_quiet: float, days: int) -> float:
    return revenue * risk_weight(days_quiet, days)


def dormant_reason(days_dormant: int, touched: bool, revenue: float, currency: str) -> str:
    """"No touch for 14 months; 48,000 EUR lifetime" (the queue's and call mode's words)."""
    touch = "No touch" if touched else "Never touched"
    return f"{touch} for {quiet_for(days_dormant)}; {revenue:,.0f} {currency} lifetime"


def quiet_for(days: int) -> str:
    """Whole months from a year on ("14 months"), else days."""
    months = int(days // 30.44)
    return f"{months} months" if months >= 12 else f"{days} days"


def round_robin(account_ids: Sequence[int], assignee_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(account, assignee) pairs dealing the accounts out in order: the most valuable to the first rep named,
    the next to the second, and so on round."""
    if not assignee_ids:
        return []
    return [(account, assignee_ids[i % len(assignee_ids)]) for i, account in enumerate(account_ids)]


class RevivalRow(NamedTuple):
    """Revival for one owner and month: their dormant accounts touched (by anyone; an unowned one counts for
    whoever touched it), deals opened on those accounts within a dormancy period of the touch, and the deals
    and revenue (base currency) won from them."""

    user_id: int
    handle: str
    month: str  # YYYY-MM
    revived: int
    deals_reopened: int
    deals_won: int
    revived_revenue: float

    def to_json(self) -> dict[str, object]:
        return {"owner": self.handle, "month": self.month, "revived": self.revived,
                "deals_reopened": self.deals_reopened, "deals_won": self.deals_won,
                "revived_revenue": round(self.revived_revenue, 2)}


class Revival(NamedTuple):
    account_id: int
    user_id: int  # credited: the account's owner when it was touched, else whoever touched it
    at: datetime


class AccountDeal(NamedTuple):
    account_id: int
    created_at: datetime
    closed_at: datetime | None
    won: int | None
    amount: float  # in the base currency (0 when unknown)


def revival_totals(revivals: Sequence[Revival], deals: Sequence[AccountDeal], start: datetime, end: datetime,
                   days: int) -> dict[int, tuple[int, int, int, float]]:
    """Per reviver, over [start, end): (accounts revived, deals reopened, deals won, revived revenue).

    A deal counts for the latest revival of its account before the deal was created, when it was created
    within `days` (one dormancy period) of it; it is reopened in the period it was created and won in the
    period it closed won."""
    totals: dict[int, list] = {}
    by_account: dict[int, list[Revival]] = {}
    for revival in sorted(revivals, key=lambda r: r.at):
        by_account.setdefault(revival.account_id, []).append(revival)
    for user_id, accounts in _revived(revivals, start, end).items():
        totals.setdefault(user_id, [0, 0, 0, 0.0])[0] = len(accounts)
    period = timedelta(days=days)
    for deal in deals:
        earlier = [r for r in by_account.get(deal.account_id, []) if r.at <= deal.created_at]
        if not earlier or deal.created_at - earlier[-1].at > period:
            continue
        row = totals.setdefault(earlier[-1].user_id, [0, 0, 0, 0.0])
        if start <= deal.created_at < end:
            row[1] += 1
        if deal.won == 1 and deal.closed_at is not None and start <= deal.closed_at < end:
            row[2] += 1
            row[3] += deal.amount
    return {user: (r[0], r[1], r[2], r[3]) for user, r in totals.items() if r[0] or r[1] or r[2]}


def _revived(revivals: Sequence[Revival], start: datetime, end: datetime) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for revival in revivals:
        if start <= revival.at < end:
            result.setdefault(revival.user_id, set()).add(revival.account_id)
    return result
