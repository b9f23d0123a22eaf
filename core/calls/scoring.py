"""The qualification score: fit (who they are) plus engagement (what they did, decaying with the playbook's
half-life), every point explained by the rule that gave it.

The parts are kept as of a moment (`ScoreParts.at`): a new event only decays what is there and adds to it,
and reading the score later only decays it, so nothing rescans a contact's history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, NamedTuple

from revdesk.core.common.patterns import UserPattern, compile_pattern
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.playbook.model import FitRule, Playbook, Qualification

_DUMPS = json.JSONEncoder(separators=(",", ":")).encode
FIT_FIELDS = ("industry", "employees", "country", "title", "buying_role", "lead_source")
_DAY = 86400.0


class ScoreLine(NamedTuple):  # a named tuple: rescoring builds millions of them
    rule: str
    kind: Literal["fit", "engagement"]
    points: float
    why: str
    count: int = 1


@dataclass(frozen=True)
class ScoreParts:
    """Fit lines and engagement lines (points decayed to `at`)."""

    fit: tuple[ScoreLine, ...]
    engagement: tuple[ScoreLine, ...]
    at: datetime

    def to_json(self, stamp: str | None = None) -> str:
        """As stored; `stamp` is `at` as stored text when the caller has it already (bulk rescoring)."""
        lines = [[x.rule, x.kind, round(x.points, 4), x.why, x.count] for x in (*self.fit, *self.engagement)]
        return _DUMPS({"at": stamp or to_stored(self.at), "lines": lines})

    @classmethod
    def from_json(cls, text: str) -> ScoreParts:
        data = json.loads(text)
        lines = [ScoreLine(rule, kind, points, why, count) for rule, kind, points, why, count in data["lines"]]
        return cls(tuple(x for x in lines if x.kind == "fit"), tuple(x for x in lines if x.kind == "engagement"),
                   from_stored(data["at"]))

    def total(self) -> int:
        return max(0, round(sum(x.points for x in (*self.fit, *self.engagement))))


@dataclass(frozen=True)
class Score:
    total: int
    lines: tuple[ScoreLine, ...]
    mql_threshold: int
    sql_threshold: int
    at: datetime

    @property
    def level(self) -> str:
        """'sql' at or above the SQL threshold, 'mql' at or above the MQL one, else 'below mql'."""
        if self.total >= self.sql_threshold:
            return "sql"
        return "mql" if self.total >= self.mql_threshold else "below mql"

    def explain(self) -> list[str]:
        """One line per rule that gave points, then where the total stands against the thresholds."""
        out = [f"{_signed(x.points):>4}  {x.rule}" + (f" ×{x.count}" if x.count > 1 else "") + f": {x.why}"
               for x in self.lines if round(x.points) != 0 or x.kind == "fit"]
        if not out:
            out.append("   0  no fit or engagement rule applies yet")
        out.append(f"{self.total:>4}  total; MQL at {self.mql_threshold}, SQL at {self.sql_threshold}")
        return out

    def reasons(self) -> str:
        """The rules that gave points, in one line: "Senior title +20, Conversation +10"."""
        return ", ".join(f"{x.rule} {round(x.points):+d}" for x in self.lines if round(x.points))

    def to_json(self) -> dict:
        return {
            "score": self.total, "level": self.level, "mql_threshold": self.mql_threshold,
            "sql_threshold": self.sql_threshold, "at": to_stored(self.at),
            "explanation": [{"rule": x.rule, "kind": x.kind, "points": round(x.points, 1), "why": x.why,
                             "count": x.count} for x in self.lines],
        }


def _signed(points: float) -> str:
    value = round(points)
    return f"+{value}" if value >= 0 else str(value)


_COMPILED: dict[int, tuple[FitRule, frozenset[str] | None, UserPattern | None]] = {}


def _compiled(rule: FitRule) -> tuple[frozenset[str] | None, UserPattern | None]:
    """The rule's value set (case-folded) and pattern, prepared once per rule. The pattern runs on RE2
    (core.common.patterns): linear in the text, so no pattern can hang scoring on a long title."""
    entry = _COMPILED.get(id(rule))
    if entry is None or entry[0] is not rule:
        values = frozenset(v.casefold() for v in rule.any_of) if rule.any_of is not None else None
        entry = (rule, values, compile_pattern(rule.pattern) if rule.pattern is not None else None)
        _COMPILED[id(rule)] = entry
    return entry[1], entry[2]


def _fit_matches(rule: FitRule, value: object) -> bool:
    if value is None or value == "":
        return False
    values, pattern = _compiled(rule)
    if values is not None and str(value).casefold() not in values:
        return False
    if rule.min is not None or rule.max is not None:
        if not isinstance(value, int | float):
            return False
        if (rule.min is not None and value < rule.min) or (rule.max is not None and value > rule.max):
            return False
    return pattern is None or pattern.matches(str(value))


def fit_lines(q: Qualification, facts: Mapping[str, object]) -> tuple[ScoreLine, ...]:
    """The fit rules that match the contact's and its account's facts."""
    return tuple(ScoreLine(rule.name, "fit", float(rule.points), f"{rule.field} is {_fact(facts.get(rule.field))}")
                 for rule in q.fit_rules if _fit_matches(rule, facts.get(rule.field)))


def _fact(value: object) -> str:
    """A fact as the score's reasons say it: employees is 36,853, not 36853."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def engagement_event(kind: str, outcome: str | None, playbook: Playbook) -> str | None:
    """Which engagement event an activity is: a reply, a meeting (held, or booked on a call), a connect."""
    if outcome == "replied":
        return "reply"
    if kind == "meeting" and outcome == "held":
        return "meeting"
    if kind == "call" and outcome is not None:
        try:
            rule = playbook.outcome(outcome)
        except KeyError:
            return None
        if rule.meeting:
            return "meeting"
        if rule.conversation:
            return "connect"
    return None


def _factor(q: Qualification, since: datetime, until: datetime) -> float:
    seconds = max(0.0, (until - since).total_seconds())
    return 0.5 ** (seconds / (q.engagement_half_life_days * _DAY))


def decayed(parts: ScoreParts, q: Qualification, now: datetime) -> ScoreParts:
    factor = _factor(q, parts.at, now)
    return ScoreParts(parts.fit, tuple(x._replace(points=x.points * factor) for x in parts.engagement),
                      max(now, parts.at))


def add_event(parts: ScoreParts, q: Qualification, event: str, event_at: datetime, now: datetime) -> ScoreParts:
    """The parts as of `now` after one more engagement event (no change if no rule scores the event)."""
    rules = [r for r in q.engagement_rules if r.event == event]
    current = decayed(parts, q, now)
    if not rules:
        return current
    lines = list(current.engagement)
    for rule in rules:
        points = rule.points * _factor(q, min(event_at, now), now)
        for index, line in enumerate(lines):
            if line.rule == rule.name:
                lines[index] = line._replace(points=line.points + points, count=line.count + 1)
                break
        else:
            lines.append(ScoreLine(rule.name, "engagement", points, _EVENT_WHY[event]))
    return ScoreParts(current.fit, tuple(lines), current.at)


_EVENT_WHY = {"inbound_request": "asked to be contacted", "reply": "replied", "meeting": "met or booked a meeting",
              "connect": "had a conversation", "email_open": "opened an e-mail"}


def compute_parts(q: Qualification, facts: Mapping[str, object], events: Iterable[tuple[str, datetime]],
                  now: datetime) -> ScoreParts:
    """The parts from scratch: fit from the facts, each (event, when) decayed to `now`."""
    sums: dict[str, tuple[float, int]] = {}
    for event, at in events:
        weight, count = sums.get(event, (0.0, 0))
        sums[event] = (weight + _factor(q, min(at, now), now), count + 1)
    return parts_from_sums(q, facts, sums, now)


def parts_from_sums(q: Qualification, facts: Mapping[str, object], sums: Mapping[str, tuple[float, int]],
                    now: datetime) -> ScoreParts:
    """The parts from each event's decayed weight (the sum of ½^(age / half-life) over its occurrences) and
    count, as the database can add them up for many contacts at once."""
    lines = []
    for rule in q.engagement_rules:
        if rule.event in sums:
            weight, count = sums[rule.event]
            lines.append(ScoreLine(rule.name, "engagement", rule.points * weight, _EVENT_WHY[rule.event], count))
    return ScoreParts(fit_lines(q, facts), tuple(lines), now)


def decay_weight(q: Qualification, at: datetime, now: datetime) -> float:
    """½^(age / half-life): what one occurrence at `at` still weighs at `now`."""
    return _factor(q, min(at, now), now)


def with_fit(parts: ScoreParts, q: Qualification, facts: Mapping[str, object]) -> ScoreParts:
    """The same engagement with fit recomputed (the contact's or account's facts changed)."""
    return replace(parts, fit=fit_lines(q, facts))


def score_now(parts: ScoreParts, q: Qualification, now: datetime) -> Score:
    current = decayed(parts, q, now)
    lines = tuple(sorted((*current.fit, *current.engagement), key=lambda x: (x.kind != "fit", -x.points)))
    return Score(current.total(), lines, q.mql_threshold, q.sql_threshold, current.at)


def lifecycle_after_score(lifecycle: str, total: int, q: Qualification, engaged: bool = False) -> str | None:
    """A lead at the MQL threshold becomes an MQL; a nurtured contact does too, but only when it engages
    again (`engaged`: the score moved because of something they did). Otherwise None."""
    if total >= q.mql_threshold and (lifecycle == "lead" or (lifecycle == "nurture" and engaged)):
        return "mql"
    return None
