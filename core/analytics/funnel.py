"""The lifecycle funnel (pure; one definition, used by the CLI, the Funnel & deals screen and the reports).

The cohort is the contacts created in the period. For each consecutive pair of lifecycle stages
(lead → mql → sal → sql → opportunity → customer):
- reached: cohort contacts that reached the first stage. A contact enters the funnel at the stage it was
  created in (its earliest stage in the history, else its stage now) and counts as having passed every stage
  from there to the furthest it reached (in its history or now); one created as an MQL never was a lead, so
  it is not in the lead → MQL step;
- converted: of those, the ones that reached the second stage; conversion = converted / reached (None at 0);
- median days: between the contact's first entry into the first stage and its first entry into the second, only
  where both moments are in the history (and in that order).
Disqualified and nurture are not steps: the funnel says how many of the cohort ended in each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import NamedTuple

# The playbook's Lifecycle type lists these plus the two side exits; the funnel order is defined here.
LIFECYCLE_ORDER: tuple[str, ...] = ("lead", "mql", "sal", "sql", "opportunity", "customer")
SIDE_EXITS: tuple[str, ...] = ("disqualified", "nurture")
NONE_SOURCE = "(none)"
ALL_KEY = "(all)"
DAY = timedelta(days=1)


class ContactPath(NamedTuple):
    """A contact's way through the lifecycle: where it is now and its first entry into each stage."""

    contact_id: int
    source: str | None
    created_at: datetime
    stage: str  # its lifecycle stage now
    entered: Mapping[str, datetime]  # first time it entered each lifecycle stage (from the history)


class FunnelStep(NamedTuple):
    from_stage: str
    to_stage: str
    reached: int  # cohort contacts that reached from_stage
    converted: int  # of those, the ones that reached to_stage
    median_days: float | None  # from first entering from_stage to first entering to_stage
    timed: int  # contacts behind the median (both moments known)

    @property
    def conversion(self) -> float | None:
        return self.converted / self.reached if self.reached else None


@dataclass(frozen=True)
class Funnel:
    key: str  # ALL_KEY, or the lead source
    cohort: int
    steps: list[FunnelStep]
    disqualified: int  # cohort contacts whose lifecycle stage is disqualified now
    nurture: int  # ... and nurture

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "cohort": self.cohort, "disqualified": self.disqualified, "nurture": self.nurture,
                "steps": [{"from": s.from_stage, "to": s.to_stage, "reached": s.reached, "converted": s.converted,
                           "conversion": None if s.conversion is None else round(s.conversion, 4),
                           "median_days": None if s.median_days is None else round(s.median_days, 2),
                           "timed": s.timed} for s in self.steps]}


_RANK = {stage: index for index, stage in enumerate(LIFECYCLE_ORDER)}
_PAIRS = list(zip(LIFECYCLE_ORDER, LIFECYCLE_ORDER[1:], strict=False))


def furthest(path: ContactPath) -> int:
    """Index in LIFECYCLE_ORDER of the furthest stage the contact reached (now or in its history); -1: none."""
    far = _RANK.get(path.stage, -1)
    for stage in path.entered:
        rank = _RANK.get(stage, -1)
        if rank > far:
            far = rank
    return far


def entry(path: ContactPath) -> int:
    """Index in LIFECYCLE_ORDER of the stage the contact entered the funnel at; -1: never in it."""
    ranks = [_RANK[stage] for stage in path.entered if stage in _RANK]
    if ranks:
        return min(ranks)
    return _RANK.get(path.stage, -1)


def step_days(path: ContactPath, index: int) -> float | None:
    """Days from the first entry into LIFECYCLE_ORDER[index] to the first entry into the next stage, when both are
    in the history and in that order."""
    first, second = path.entered.get(LIFECYCLE_ORDER[index]), path.entered.get(LIFECYCLE_ORDER[index + 1])
    if first is None or second is None or second < first:
        return None
    return (second - first) / DAY


def source_key(source: str | None) -> str:
    return source.strip() if source and source.strip() else NONE_SOURCE


def in_cohort(path: ContactPath, start: datetime, end: datetime) -> bool:
    return start <= path.created_at < end


def _utc(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The bounds in UTC, as stored moments are: comparing moments of one timezone is much quicker."""
    return start.astimezone(UTC), end.astimezone(UTC)


class _Tally:
    """Counts for one funnel, filled one contact at a time."""

    def __init__(self) -> None:
        self.spans: Counter[tuple[int, int]] = Counter()  # (entry stage, furthest stage) -> contacts
        self.days: list[list[float]] = [[] for _ in _PAIRS]
        self.ended = dict.fromkeys(SIDE_EXITS, 0)

    def add(self, path: ContactPath) -> None:
        first, far = entry(path), furthest(path)
        self.spans[(first, far)] += 1
        if path.stage in self.ended:
            self.ended[path.stage] += 1
        for index in range(max(first, 0), min(far, len(_PAIRS))):
            days = step_days(path, index)
            if days is not None:
                self.days[index].append(days)

    def merge(self, other: _Tally) -> None:
        self.spans.update(other.spans)
        for mine, theirs in zip(self.days, other.days, strict=True):
            mine.extend(theirs)
        for key, count in other.ended.items():
            self.ended[key] += count

    def funnel(self, key: str) -> Funnel:
        def passed(index: int, beyond: int) -> int:  # entered at or before `index`, reached `beyond` or further
            return sum(n for (first, far), n in self.spans.items() if 0 <= first <= index and far >= beyond)

        steps = [FunnelStep(first, second, passed(i, i), passed(i, i + 1),
                            median(self.days[i]) if self.days[i] else None, len(self.days[i]))
                 for i, (first, second) in enumerate(_PAIRS)]
        return Funnel(key, sum(self.spans.values()), steps, self.ended["disqualified"], self.ended["nurture"])


def funnel(paths: list[ContactPath], start: datetime, end: datetime, key: str = ALL_KEY) -> Funnel:
    """The funnel of the contacts created in [start, end) (others in `paths` are ignored)."""
    tally = _Tally()
    start, end = _utc(start, end)
    for path in paths:
        if in_cohort(path, start, end):
            tally.add(path)
    return tally.funnel(key)


def funnel_by_source(paths: list[ContactPath], start: datetime, end: datetime) -> list[Funnel]:
    """One funnel per lead source (no source: "(none)"), largest cohort first."""
    return funnel_report(paths, start, end).by_source


@dataclass(frozen=True)
class FunnelReport:
    start: datetime
    end: datetime
    overall: Funnel
    by_source: list[Funnel]

    def to_json(self, by_source: bool = True) -> dict[str, object]:
        data: dict[str, object] = {"start": self.start.isoformat(), "end": self.end.isoformat(),
                                   "all": self.overall.to_json()}
        if by_source:
            data["by_source"] = [f.to_json() for f in self.by_source]
        return data


def funnel_report(paths: list[ContactPath], start: datetime, end: datetime) -> FunnelReport:
    """The funnel overall and per lead source, from one pass over the cohort."""
    sources: dict[str | None, _Tally] = {}
    low, high = _utc(start, end)
    for path in paths:
        if in_cohort(path, low, high):
            tally = sources.get(path.source)
            if tally is None:
                tally = sources[path.source] = _Tally()
            tally.add(path)
    merged: dict[str, _Tally] = {}
    for source, tally in sources.items():  # "" and None (and spaces) are all "(none)"
        key = source_key(source)
        if key in merged:
            merged[key].merge(tally)
        else:
            merged[key] = tally
    overall = _Tally()
    for tally in merged.values():
        overall.merge(tally)
    by_source = sorted((t.funnel(k) for k, t in merged.items()), key=lambda f: (-f.cohort, f.key))
    return FunnelReport(start, end, overall.funnel(ALL_KEY), by_source)
