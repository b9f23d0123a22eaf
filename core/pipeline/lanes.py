"""The pipeline (pure): SDR lanes by lead status beside AE lanes by deal stage, their cards, and the rules the
screen applies to them: age in stage, staleness per the stage's "stale after", lane order, next and previous
stage, and how amounts are written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from revdesk.core.playbook.model import Playbook, Stage

Side = Literal["sdr", "ae"]
Scope = Literal["mine", "team", "all"]
SCOPES: tuple[Scope, ...] = ("mine", "team", "all")
# The SDR's working states, in the order a lead moves through them (disqualified leads leave the board).
LEAD_STATUSES = (("new", "New"), ("attempting", "Attempting"), ("connected", "Connected"),
                 ("qualified", "Qualified"))
CLOSED_WINDOW_DAYS = 30  # closed lanes show only deals closed this recently
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

Money = tuple[str, float]  # (currency, amount)


class LaneSpec(NamedTuple):
    key: str
    label: str
    side: Side
    stage: Stage | None = None  # the playbook stage behind an AE lane


class Card(NamedTuple):
    kind: Literal["lead", "deal"]
    id: int  # contact id for a lead, deal id for a deal
    title: str  # contact or deal name
    subtitle: str  # account name
    account_id: int | None
    lane: str  # lead status or deal stage
    owner_name: str | None
    entered_at: datetime  # when it entered this status or stage
    age_days: int
    stale: bool
    amount: float | None = None
    currency: str = "EUR"
    score: int | None = None


class Lane(NamedTuple):
    key: str
    label: str
    side: Side
    count: int  # every card in the lane for the scope, not only those shown
    total_amount: tuple[Money, ...]  # per currency, largest first (AE lanes)
    weighted_amount: tuple[Money, ...]  # Σ amount × stage probability, per currency (open AE lanes)
    cards: tuple[Card, ...]
    stale_after_days: int | None = None
    closed: bool = False
    stale_count: int = 0  # deals in the lane past its "stale after"


def lane_specs(playbook: Playbook) -> list[LaneSpec]:
    """SDR lanes (new → attempting → connected → qualified), then the playbook's stages in order."""
    lanes = [LaneSpec(key, label, "sdr") for key, label in LEAD_STATUSES]
    return lanes + [LaneSpec(s.key, s.label, "ae", s) for s in playbook.stages]


def age_in_stage(entered_at: datetime, now: datetime) -> int:
    """Whole days since `entered_at` (never negative)."""
    return max((now - entered_at) // timedelta(days=1), 0)


def is_stale(stage: Stage, entered_at: datetime, now: datetime) -> bool:
    """An open stage's deal is stale once it has sat there `stale_after_days` or more."""
    if stage.closed or stage.stale_after_days is None:
        return False
    return age_in_stage(entered_at, now) >= stage.stale_after_days


def stale_before(stage: Stage, now: datetime) -> datetime | None:
    """Deals that entered an open stage at or before this moment are stale (None: the stage never goes stale)."""
    if stage.closed or stage.stale_after_days is None:
        return None
    return now - timedelta(days=stage.stale_after_days)


def closed_since(now: datetime) -> datetime:
    """Closed lanes show deals closed at or after this moment."""
    return now - timedelta(days=CLOSED_WINDOW_DAYS)


def next_stage(playbook: Playbook, key: str) -> Stage | None:
    """The stage after an open one (the last open stage moves on to the first closed one); None once closed."""
    stages = playbook.stages
    index = [s.key for s in stages].index(key)
    if stages[index].closed or index + 1 >= len(stages):
        return None
    return stages[index + 1]


def previous_stage(playbook: Playbook, key: str) -> Stage | None:
    """The stage before an open one; a closed deal goes back to the last open stage (reopened)."""
    stages = playbook.stages
    index = [s.key for s in stages].index(key)
    if stages[index].closed:
        open_stages = playbook.open_stages()
        return open_stages[-1] if open_stages else None
    return stages[index - 1] if index > 0 else None


def next_scope(scope: Scope) -> Scope:
    return SCOPES[(SCOPES.index(scope) + 1) % len(SCOPES)]


def default_scope(role: str) -> Scope:
    """Reps start on their own cards; managers and founders on everyone's."""
    return "all" if role in ("manager", "founder") else "mine"


def short_name(name: str | None) -> str:
    """'Tom Reyes' → 'Tom R.'"""
    if not name:
        return "unowned"
    parts = name.split()
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def money(amount: float, currency: str, compact: bool = False) -> str:
    """€12,500 or, compact, €12.5k / €1.2M."""
    symbol = SYMBOLS.get(currency)
    if compact and amount >= 1_000_000:
        text = f"{amount / 1_000_000:.1f}M".replace(".0M", "M")
    elif compact and amount >= 1_000:
        text = f"{amount / 1_000:.1f}k".replace(".0k", "k") if amount < 100_000 else f"{amount / 1_000:.0f}k"
    else:
        text = f"{amount:,.0f}"
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def totals(rows: list[tuple[str, float]]) -> tuple[Money, ...]:
    """Sum (currency, amount) rows per currency, largest first; zero totals are left out."""
    sums: dict[str, float] = {}
    for currency, amount in rows:
        sums[currency] = sums.get(currency, 0.0) + (amount or 0.0)
    return tuple(sorted(((c, a) for c, a in sums.items() if a), key=lambda item: -item[1]))


def money_list(values: tuple[Money, ...]) -> str:
    return " ".join(money(amount, currency, compact=True) for currency, amount in values) or "—"
