"""The playbook: every rule the team works by (stages, qualification, handoffs, targets, SLAs, dormancy,
call outcomes). Plain dataclasses at run time; `core.playbook.check` validates a TOML file against them
with pydantic and reports each problem with its key and line."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import time
from typing import Literal

Role = Literal["sdr", "ae", "cs", "manager", "founder"]
Metric = Literal[
    "calls", "connects", "meetings_booked", "emails", "opportunities_created",
    "opportunities_accepted", "deals_won", "revenue_won", "dormant_revived", "revived_deals", "revived_revenue",
]
Period = Literal["day", "week", "month", "quarter"]
LeadStatus = Literal["new", "attempting", "connected", "qualified", "disqualified"]
Lifecycle = Literal["lead", "mql", "sal", "sql", "opportunity", "customer", "disqualified", "nurture"]
# Letters call mode binds itself, so no outcome may take them. e and d work sequence steps (the e-mail, a
# LinkedIn or task step done); skipping a step is ctrl+x, as x is the default playbook's "not interested".
RESERVED_KEYS = set("nfsujkqedhip")  # call mode's own keys and the app's (inbox, pipeline)
_SNAKE = re.compile(r"[a-z][a-z0-9_]*")  # used with fullmatch: "key\n" is not a key
MAX_KEY_LENGTH = 64
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")  # ASCII digits only: "０９:00" is no time
_STRICT = {"extra": "forbid"}


def check(ok: bool, key: str, reason: str) -> None:
    """Raise the error a validator reports: 'key: reason' (the checker turns key into a line)."""
    if not ok:
        raise ValueError(f"{key}: {reason}")


def first_repeat(values: list[str]) -> int | None:
    """Index of the first value that already appeared earlier, or None."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


def identifier_problem(value: str) -> str | None:
    """Why `value` is not a key (a stage, field, criterion, reason, outcome or sequence key), or None. Keys are
    snake_case identifiers: they name fields on the command line (`--field next_step=...`) and in stored data."""
    if _SNAKE.fullmatch(value) and len(value) <= MAX_KEY_LENGTH:
        return None
    if len(value) > MAX_KEY_LENGTH:
        return f"is {len(value)} characters long; a key has at most {MAX_KEY_LENGTH}"
    return f"{value!r} is not a key: use snake_case (a lowercase letter, then lowercase letters, digits and _)"


def _snake(value: str, key: str = "key") -> None:
    problem = identifier_problem(value)
    check(problem is None, key, problem or "")


def _snake_items(values: list[str], key: str) -> None:
    """Each value of a list of keys is an identifier: the first that is not is reported as `key[index]`."""
    for index, value in enumerate(values):
        _snake(value, f"{key}[{index}]")


@dataclass(frozen=True)
class Stage:
    __pydantic_config__ = _STRICT
    key: str
    label: str
    probability: float
    owner_role: Role = "ae"
    stale_after_days: int | None = None
    exit_criteria: list[str] = field(default_factory=list)
    entry_criteria: list[str] = field(default_factory=list)
    closed: bool = False
    won: bool = False

    def __post_init__(self) -> None:
        _snake(self.key)
        _snake_items(self.exit_criteria, "exit_criteria")
        _snake_items(self.entry_criteria, "entry_criteria")
        check(0 <= self.probability <= 1, "probability", "must be between 0 and 1")
        check(self.stale_after_days is None or self.stale_after_days > 0, "stale_after_days", "must be above 0")


@dataclass(frozen=True)
class FitRule:
    __pydantic_config__ = _STRICT
    name: str
    field: Literal["industry", "employees", "country", "title", "buying_role", "lead_source"]
    points: int
    any_of: list[str] | None = None
    min: int | None = None
    max: int | None = None
    pattern: str | None = None

    def __post_init__(self) -> None:
        tests = (self.any_of, self.min, self.max, self.pattern)
        check(any(t is not None for t in tests), "any_of", "a fit rule needs one of any_of, min/max or pattern")
        if self.pattern is not None:
            from revdesk.core.common.patterns import pattern_problem

            problem = pattern_problem(self.pattern)
            check(problem is None, "pattern", problem or "")


@dataclass(frozen=True)
class EngagementRule:
    __pydantic_config__ = _STRICT
    name: str
    event: Literal["inbound_request", "reply", "meeting", "connect", "email_open"]
    points: int


@dataclass(frozen=True)
class Qualification:
    __pydantic_config__ = _STRICT
    mql_threshold: int
    sql_threshold: int
    engagement_half_life_days: int = 30
    fit_rules: list[FitRule] = field(default_factory=list)
    engagement_rules: list[EngagementRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        check(self.mql_threshold > 0, "mql_threshold", "must be above 0")
        check(self.sql_threshold >= self.mql_threshold, "sql_threshold", "must not be below mql_threshold")
        check(self.engagement_half_life_days > 0, "engagement_half_life_days", "must be above 0")


@dataclass(frozen=True)
class HandoffField:
    __pydantic_config__ = _STRICT
    key: str
    label: str
    type: Literal["text", "contact", "date"] = "text"

    def __post_init__(self) -> None:
        _snake(self.key)


@dataclass(frozen=True)
class HandoffKind:
    __pydantic_config__ = _STRICT
    kind: Literal["sdr_ae", "ae_cs"]
    label: str
    fields: list[HandoffField]
    sla_hours: int | None = None  # time to accept or reject; default: sla.handoff_accept_hours

    def __post_init__(self) -> None:
        check(bool(self.fields), "fields", "needs at least one field")
        check(self.sla_hours is None or self.sla_hours > 0, "sla_hours", "must be above 0")
        index = first_repeat([f.key for f in self.fields])
        check(index is None, f"fields[{index}].key", "is used twice; each field key must be unique")


@dataclass(frozen=True)
class RejectReason:
    __pydantic_config__ = _STRICT
    key: str
    label: str
    then: Literal["return", "nurture", "disqualify"] = "return"  # what happens to the lead

    def __post_init__(self) -> None:
        _snake(self.key)


def _default_reject_reasons() -> list[RejectReason]:
    return [RejectReason("incomplete_context", "Context incomplete"),
            RejectReason("not_decision_maker", "Not the right person"),
            RejectReason("bad_fit", "Not a fit for us", "disqualify"),
            RejectReason("no_budget", "No budget", "nurture"),
            RejectReason("too_early", "Too early: no project yet", "nurture")]


@dataclass(frozen=True)
class Handoff:
    __pydantic_config__ = _STRICT
    kinds: list[HandoffKind]
    placeholders: list[str] = field(default_factory=list)
    min_length: int = 12
    reject_reasons: list[RejectReason] = field(default_factory=_default_reject_reasons)

    def __post_init__(self) -> None:
        check(bool(self.kinds), "kinds", "needs at least one handoff kind")
        check(self.min_length >= 1, "min_length", "must be at least 1")
        check(bool(self.reject_reasons), "reject_reasons", "needs at least one reason")
        index = first_repeat([r.key for r in self.reject_reasons])
        check(index is None, f"reject_reasons[{index}].key", "is used twice; each reason key must be unique")

    def kind(self, key: str) -> HandoffKind:
        for item in self.kinds:
            if item.kind == key:
                return item
        raise KeyError(f"the playbook defines no {key!r} handoff")

    def reason(self, key: str) -> RejectReason:
        for item in self.reject_reasons:
            if item.key == key:
                return item
        raise KeyError(f"{key!r} is not a reject reason; the playbook has: "
                       + ", ".join(r.key for r in self.reject_reasons))


@dataclass(frozen=True)
class Target:
    __pydantic_config__ = _STRICT
    metric: Metric
    period: Period
    value: float
    role: Role | None = None
    user: str | None = None

    def __post_init__(self) -> None:
        check((self.role is None) != (self.user is None), "role", "give exactly one of role or user")
        check(math.isfinite(self.value), "value", "must be a number (not inf or nan)")
        check(self.value >= 0, "value", "must not be negative")


@dataclass(frozen=True)
class Sla:
    __pydantic_config__ = _STRICT
    first_touch_minutes: int
    near_fraction: float = 0.5
    inbound_window_days: int = 14
    handoff_accept_hours: int = 24
    call_back_window_minutes: int = 15
    stale_inbound_hours: int = 24

    def __post_init__(self) -> None:
        check(self.first_touch_minutes > 0, "first_touch_minutes", "must be above 0")
        check(self.call_back_window_minutes >= 0, "call_back_window_minutes", "must not be negative")
        check(self.stale_inbound_hours > 0, "stale_inbound_hours", "must be above 0")
        check(0 < self.near_fraction < 1, "near_fraction", "must be between 0 and 1")
        check(self.inbound_window_days > 0, "inbound_window_days", "must be above 0")
        check(self.handoff_accept_hours > 0, "handoff_accept_hours", "must be above 0")


@dataclass(frozen=True)
class WorkingHours:
    __pydantic_config__ = _STRICT
    start: str = "09:00"
    end: str = "18:00"

    def __post_init__(self) -> None:
        for key in ("start", "end"):
            check(bool(_CLOCK.fullmatch(getattr(self, key))), key, "must be a time like 09:00")
        check(self.start < self.end, "end", "must be after start")

    def bounds(self) -> tuple[time, time]:
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


@dataclass(frozen=True)
class Dormancy:
    __pydantic_config__ = _STRICT
    days: int = 365
    daily_cap: int = 5
    sequence: str = "dormant_reengagement"  # the sequence the dormant screen enrolls contacts in

    def __post_init__(self) -> None:
        check(self.days > 0, "days", "must be above 0")
        check(self.daily_cap >= 0, "daily_cap", "must not be negative")
        _snake(self.sequence, "sequence")


@dataclass(frozen=True)
class Dates:
    """The years a date may fall in: an import row or a typed date outside them is refused with the reason."""

    __pydantic_config__ = _STRICT
    earliest_year: int = 1900
    latest_year: int = 2100

    def __post_init__(self) -> None:
        check(1 <= self.earliest_year <= 9999, "earliest_year", "must be a year between 1 and 9999")
        check(self.earliest_year < self.latest_year <= 9999, "latest_year",
              "must be after earliest_year and at most 9999")


@dataclass(frozen=True)
class Currency:
    """Revenue across currencies is added up in `base`; `rates` says what one unit of each other currency is
    worth in it (a currency with no rate counts at face value)."""

    __pydantic_config__ = _STRICT
    base: str = "EUR"
    rates: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check(bool(re.fullmatch(r"[A-Z]{3}", self.base)), "base", "must be an ISO 4217 code like EUR")
        for code, rate in self.rates.items():
            check(bool(re.fullmatch(r"[A-Z]{3}", code)), "rates", f"{code!r} must be an ISO 4217 code like USD")
            check(math.isfinite(rate) and rate > 0, f"rates.{code}", "must be a number above 0 (not inf or nan)")

    def to_base(self, amount: float, currency: str) -> float:
        return amount if currency == self.base else amount * self.rates.get(currency, 1.0)


@dataclass(frozen=True)
class Outcome:
    __pydantic_config__ = _STRICT
    key: str
    label: str
    letter: str
    conversation: bool = False
    meeting: bool = False
    lead_status: LeadStatus | None = None
    lifecycle: Lifecycle | None = None
    follow_up: str | None = None
    follow_up_kind: Literal["follow_up", "call_back"] = "follow_up"

    def __post_init__(self) -> None:
        _snake(self.key)
        check(len(self.letter) == 1 and self.letter.isalpha() and self.letter.islower(), "letter",
              "must be one lowercase letter")
        check(self.letter not in RESERVED_KEYS, "letter",
              f"{self.letter!r} is taken by call mode (n note, f follow-up, s skip, u undo, e e-mail step,"
              " d step done, h hand off, i inbox, p pipeline, j/k, q)")
        if self.follow_up is not None:
            from revdesk.core.common.errors import InvalidInput
            from revdesk.core.common.when import check_quick_form

            try:
                check_quick_form(self.follow_up)
            except InvalidInput as exc:
                check(False, "follow_up", exc.reason)


@dataclass(frozen=True)
class Playbook:
    __pydantic_config__ = _STRICT
    stages: list[Stage]
    qualification: Qualification
    handoff: Handoff
    sla: Sla
    outcomes: list[Outcome]
    name: str = "Playbook"
    targets: list[Target] = field(default_factory=list)
    dormancy: Dormancy = field(default_factory=Dormancy)
    currency: Currency = field(default_factory=Currency)
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    dates: Dates = field(default_factory=Dates)

    def __post_init__(self) -> None:
        check(bool(self.stages), "stages", "needs at least one stage")
        check(any(not s.closed and s.owner_role == "ae" for s in self.stages), "stages",
              "needs an open stage with owner_role = \"ae\": accepted handoffs start there")
        check(1 <= len(self.outcomes) <= 9, "outcomes", "needs between 1 and 9 outcomes (digits 1-9 log them)")
        for table, name, values in (("stages", "key", [s.key for s in self.stages]),
                                    ("outcomes", "key", [o.key for o in self.outcomes]),
                                    ("outcomes", "letter", [o.letter for o in self.outcomes])):
            index = first_repeat(values)
            check(index is None, f"{table}[{index}].{name}",
                  f"{values[index] if index is not None else ''!r} is used twice; each {name} must be unique")

    def outcome(self, key: str) -> Outcome:
        for item in self.outcomes:
            if item.key == key:
                return item
        known = ", ".join(o.key for o in self.outcomes)
        raise KeyError(f"unknown outcome {key!r}; the playbook has: {known}")

    def stage(self, key: str) -> Stage:
        for item in self.stages:
            if item.key == key:
                return item
        raise KeyError(f"unknown stage {key!r}")

    def open_stages(self) -> list[Stage]:
        return [s for s in self.stages if not s.closed]

    def handoff_sla_hours(self, kind: str) -> int:
        return self.handoff.kind(kind).sla_hours or self.sla.handoff_accept_hours

    def conversation_outcomes(self) -> list[str]:
        return [o.key for o in self.outcomes if o.conversation]

    def meeting_outcomes(self) -> list[str]:
        return [o.key for o in self.outcomes if o.meeting]


def playbook_from_json(data: dict) -> Playbook:
    """Rebuild the stored playbook (it was validated when it was applied). One applied by an older revdesk that
    a check added since refuses (a key with a space, a pattern RE2 cannot run) is refused with its problems."""
    from revdesk.core.common.structs import rebuild_stored

    return rebuild_stored(Playbook, data, "the playbook in force",  # type: ignore[return-value]
                       "fix the file (`revdesk playbook show` prints it) and apply it again with"
                       " `revdesk playbook apply FILE`")


def playbook_to_json(playbook: Playbook) -> dict:
    import dataclasses

    return dataclasses.asdict(playbook)
