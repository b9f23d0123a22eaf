"""Deal metrics (pure; one definition each, used by the CLI, the Funnel & deals screen and the reports).

Over a period [start, end):
- won / lost: deals closed won / closed lost with their close moment in the period; a closed deal with no close
  moment is in no period and is counted apart as "undated" (visible, never silently dropped);
- win rate = won / (won + lost), never won / all; None when nothing closed;
- revenue won: Σ won amounts in the base currency (a won deal with no amount counts as a win worth 0);
- average won value = revenue won / won (None without wins);
- days to close: for the period's won deals, whole days from engaged (else created) to closed; averaged;
- open: deals still open that were created before the period's end, their amount, and their weighted forecast;
- time in stage: days deals spent in a stage, for stays that ended in the period (count, median, mean);
- stagnating stages: per open stage with a "stale after", the open deals sitting there that long or longer now;
- weighted forecast: Σ amount × stage probability over open deals whose expected close date is in the period
  (open deals with no expected close date are counted apart, never in the sum).
Grouped by owner (their name), team (the owner's team), product or source; empty keys read "(none)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean, median
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from revdesk.core.pipeline.lanes import is_stale
from revdesk.core.playbook.model import Playbook

Grouping = Literal["owner", "team", "product", "source"]
GROUPINGS: tuple[Grouping, ...] = ("owner", "team", "product", "source")
NONE_KEY = "(none)"
UNOWNED_KEY = "(unowned)"
ALL_KEY = "(all)"
DAY = timedelta(days=1)


class DealFact(NamedTuple):
    """One deal as the metrics need it; `amount` is already in the base currency (None when unknown)."""

    id: int
    owner: str | None  # the owner's name
    team: str | None  # the owner's team
    product: str | None
    source: str | None
    amount: float | None
    stage: str
    won: bool | None  # True won, False lost, None open
    created_at: datetime
    closed_at: datetime | None = None
    engaged_at: datetime | None = None
    stage_entered_at: datetime | None = None
    expected_close: date | None = None


class StageStay(NamedTuple):
    """A deal's time in one stage: from entering it to leaving it."""

    deal_id: int
    stage: str
    entered_at: datetime
    left_at: datetime


def range_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) covering the days `first` to `last`, both whole days, in `tz`."""
    return datetime.combine(first, time(0), tz), datetime.combine(last + DAY, time(0), tz)


def group_key(fact: DealFact, by: Grouping) -> str:
    if by == "owner":
        return fact.owner or UNOWNED_KEY
    if by == "team":
        return UNOWNED_KEY if fact.owner is None else (fact.team or NONE_KEY)
    value = fact.product if by == "product" else fact.source
    return value.strip() if value and value.strip() else NONE_KEY


def in_period(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def days_to_close(fact: DealFact) -> int | None:
    """Whole days from engaged (else created) to closed, for a deal with a close moment (never negative)."""
    if fact.closed_at is None:
        return None
    began = fact.engaged_at or fact.created_at
    return max((fact.closed_at - began) // DAY, 0)


def closes_in(expected: date | None, start: datetime, end: datetime) -> bool:
    """An expected close date (a calendar day where the period's timezone is) falls in [start, end)."""
    return expected is not None and start.date() <= expected < end.date()


def _probabilities(playbook: Playbook) -> dict[str, float]:
    return {s.key: s.probability for s in playbook.stages}


@dataclass(frozen=True)
class DealRow:
    key: str
    won: int = 0
    lost: int = 0
    revenue_won: float = 0.0
    avg_days_to_close: float | None = None
    undated: int = 0  # closed (won or lost) with no close date: in no period
    open: int = 0  # open deals created before the period's end
    open_amount: float = 0.0
    weighted_forecast: float = 0.0  # Σ amount × probability, open deals expected to close in the period

    @property
    def win_rate(self) -> float | None:
        decided = self.won + self.lost
        return self.won / decided if decided else None

    @property
    def avg_won_value(self) -> float | None:
        return self.revenue_won / self.won if self.won else None

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "won": self.won, "lost": self.lost, "win_rate": _round(self.win_rate, 4),
                "revenue_won": round(self.revenue_won, 2), "avg_won_value": _round(self.avg_won_value, 2),
                "avg_days_to_close": _round(self.avg_days_to_close, 2), "undated": self.undated, "open": self.open,
                "open_amount": round(self.open_amount, 2), "weighted_forecast": round(self.weighted_forecast, 2)}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _row(key: str, facts: list[DealFact], start: datetime, end: datetime, probability: dict[str, float]) -> DealRow:
    low, high = start.astimezone(UTC), end.astimezone(UTC)  # moments of one timezone compare much quicker
    won = [f for f in facts if f.won is True and in_period(f.closed_at, low, high)]
    lost = sum(1 for f in facts if f.won is False and in_period(f.closed_at, low, high))
    undated = sum(1 for f in facts if f.won is not None and f.closed_at is None)
    days = [d for d in map(days_to_close, won) if d is not None]
    still_open = [f for f in facts if f.won is None and f.created_at < high]
    weighted = sum((f.amount or 0.0) * probability.get(f.stage, 0.0) for f in facts
                   if f.won is None and closes_in(f.expected_close, start, end))
    return DealRow(key=key, won=len(won), lost=lost, revenue_won=sum(f.amount or 0.0 for f in won),
                   avg_days_to_close=mean(days) if days else None, undated=undated, open=len(still_open),
                   open_amount=sum(f.amount or 0.0 for f in still_open), weighted_forecast=weighted)


def deal_stats(facts: list[DealFact], by: Grouping, start: datetime, end: datetime, playbook: Playbook,
               keys: tuple[str, ...] = ()) -> list[DealRow]:
    """One row per group key (plus a zero row for each of `keys` with no deals, e.g. a rep with none),
    most revenue won first, then most won, then by key."""
    groups: dict[str, list[DealFact]] = {key: [] for key in keys}
    for fact in facts:
        groups.setdefault(group_key(fact, by), []).append(fact)
    probability = _probabilities(playbook)
    rows = [_row(key, members, start, end, probability) for key, members in groups.items()]
    return sorted(rows, key=lambda r: (-r.revenue_won, -r.won, -r.open, r.key))


def deal_total(facts: list[DealFact], start: datetime, end: datetime, playbook: Playbook) -> DealRow:
    """Everyone together: the row every grouping adds up to."""
    return _row(ALL_KEY, facts, start, end, _probabilities(playbook))


# -- stages -----------------------------------------------------------------------------------------------

class StageTime(NamedTuple):
    stage: str
    label: str
    stays: int  # stays in the stage that ended in the period
    median_days: float | None
    mean_days: float | None


class Stagnation(NamedTuple):
    stage: str
    label: str
    stale_after_days: int
    open: int  # open deals in the stage now
    stale: int  # of those, in it for stale_after_days or longer
    share: float | None  # stale / open


class ForecastLine(NamedTuple):
    stage: str
    label: str
    probability: float
    deals: int  # open deals in the stage expected to close in the period
    amount: float
    weighted: float


@dataclass(frozen=True)
class Forecast:
    lines: list[ForecastLine]
    undated_deals: int  # open deals with no expected close date (counted apart, not in the sum)
    undated_amount: float

    @property
    def deals(self) -> int:
        return sum(line.deals for line in self.lines)

    @property
    def amount(self) -> float:
        return sum(line.amount for line in self.lines)

    @property
    def weighted(self) -> float:
        return sum(line.weighted for line in self.lines)


def _label(playbook: Playbook, key: str) -> str:
    return next((s.label for s in playbook.stages if s.key == key), key)


def time_in_stage(stays: list[StageStay], playbook: Playbook, start: datetime, end: datetime) -> list[StageTime]:
    """Per stage (playbook order, then any unknown stage), the days of the stays that ended in [start, end).
    Every open stage is listed, with no stays too; closed stages only when a deal was reopened from them."""
    days: dict[str, list[float]] = {s.key: [] for s in playbook.stages if not s.closed}
    low, high = start.astimezone(UTC), end.astimezone(UTC)
    for stay in stays:
        if in_period(stay.left_at, low, high):
            days.setdefault(stay.stage, []).append(max((stay.left_at - stay.entered_at) / DAY, 0.0))
    order = [s.key for s in playbook.stages]
    keys = sorted(days, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [StageTime(k, _label(playbook, k), len(days[k]), median(days[k]) if days[k] else None,
                      mean(days[k]) if days[k] else None) for k in keys]


def stagnation(facts: list[DealFact], playbook: Playbook, now: datetime) -> list[Stagnation]:
    """Per open stage with a "stale after": its open deals now, and how many have sat there that long
    (the pipeline's own staleness rule, core.pipeline.lanes.is_stale)."""
    result = []
    for stage in playbook.open_stages():
        if stage.stale_after_days is None:
            continue
        here = [f for f in facts if f.won is None and f.stage == stage.key]
        stale = sum(1 for f in here if is_stale(stage, f.stage_entered_at or f.created_at, now))
        result.append(Stagnation(stage.key, stage.label, stage.stale_after_days, len(here), stale,
                                 stale / len(here) if here else None))
    return result


def weighted_forecast(facts: list[DealFact], playbook: Playbook, start: datetime, end: datetime) -> Forecast:
    """Σ amount × stage probability over open deals expected to close in [start, end), per open stage."""
    lines: dict[str, list[float]] = {s.key: [] for s in playbook.open_stages()}
    undated = [f for f in facts if f.won is None and f.expected_close is None]
    for fact in facts:
        if fact.won is None and closes_in(fact.expected_close, start, end):
            lines.setdefault(fact.stage, []).append(fact.amount or 0.0)
    probability = _probabilities(playbook)
    return Forecast(
        [ForecastLine(k, _label(playbook, k), probability.get(k, 0.0), len(v), sum(v), sum(v) * probability.get(k, 0.0))
         for k, v in lines.items()],
        len(undated), sum(f.amount or 0.0 for f in undated))


@dataclass(frozen=True)
class StageReport:
    """Time in stage, stagnating stages and the weighted forecast for one period."""

    start: datetime
    end: datetime
    now: datetime
    times: list[StageTime]
    stagnating: list[Stagnation]
    forecast: Forecast

    def to_json(self) -> dict[str, object]:
        f = self.forecast
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "now": self.now.isoformat(),
            "time_in_stage": [{"stage": t.stage, "label": t.label, "stays": t.stays,
                               "median_days": _round(t.median_days, 2), "mean_days": _round(t.mean_days, 2)}
                              for t in self.times],
            "stagnating": [{"stage": s.stage, "label": s.label, "stale_after_days": s.stale_after_days,
                            "open": s.open, "stale": s.stale, "share": _round(s.share, 4)} for s in self.stagnating],
            "forecast": {"deals": f.deals, "amount": round(f.amount, 2), "weighted": round(f.weighted, 2),
                         "no_expected_close_deals": f.undated_deals,
                         "no_expected_close_amount": round(f.undated_amount, 2),
                         "stages": [{"stage": x.stage, "label": x.label, "probability": x.probability,
                                     "deals": x.deals, "amount": round(x.amount, 2), "weighted": round(x.weighted, 2)}
                                    for x in f.lines]},
        }


def stage_report(facts: list[DealFact], stays: list[StageStay], playbook: Playbook, start: datetime, end: datetime,
                 now: datetime) -> StageReport:
    return StageReport(start, end, now, time_in_stage(stays, playbook, start, end), stagnation(facts, playbook, now),
                       weighted_forecast(facts, playbook, start, end))


@dataclass(frozen=True)
class DealFigures:
    """Everything the Funnel & deals screen shows about deals for one period, computed once."""

    rows: dict[Grouping, list[DealRow]]
    total: DealRow
    stages: StageReport


def deal_figures(facts: list[DealFact], stays: list[StageStay], playbook: Playbook, start: datetime, end: datetime,
                 now: datetime, keys: dict[Grouping, tuple[str, ...]] | None = None) -> DealFigures:
    keys = keys or {}
    return DealFigures({by: deal_stats(facts, by, start, end, playbook, keys.get(by, ())) for by in GROUPINGS},
                       deal_total(facts, start, end, playbook), stage_report(facts, stays, playbook, start, end, now))
