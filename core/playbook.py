"""The playbook: every rule the team works by (stages, qualification, handoffs, targets, SLAs, dormancy,
call outcomes), validated once with errors that name the key and its line."""

from __future__ import annotations

import re
import tomllib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import InvalidInput, PlaybookError
from core.toml_lines import line_of

Role = Literal["sdr", "ae", "cs", "manager", "founder"]
Metric = Literal[
    "calls", "connects", "meetings_booked", "emails", "opportunities_created",
    "opportunities_accepted", "deals_won", "revenue_won",
]
Period = Literal["day", "week", "month", "quarter"]
LeadStatus = Literal["new", "attempting", "connected", "qualified", "disqualified"]
Lifecycle = Literal["lead", "mql", "sal", "sql", "opportunity", "customer", "disqualified", "nurture"]
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Strict):
    key: str
    label: str
    owner_role: Role = "ae"
    probability: float = Field(ge=0, le=1)
    stale_after_days: int | None = Field(default=None, gt=0)
    exit_criteria: list[str] = []
    entry_criteria: list[str] = []
    closed: bool = False
    won: bool = False

    @field_validator("key")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not _SNAKE.match(value):
            raise ValueError("must be snake_case (lowercase letters, digits and _)")
        return value


class FitRule(_Strict):
    name: str
    field: Literal["industry", "employees", "country", "title", "buying_role", "lead_source"]
    any_of: list[str] | None = None
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    points: int

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"is not a valid regular expression ({exc})") from exc
        return value

    @model_validator(mode="after")
    def _one_test(self) -> FitRule:
        if self.any_of is None and self.min is None and self.max is None and self.pattern is None:
            raise ValueError("needs one of any_of, min/max or pattern")
        return self


class EngagementRule(_Strict):
    name: str
    event: Literal["inbound_request", "reply", "meeting", "connect", "email_open"]
    points: int


class Qualification(_Strict):
    mql_threshold: int = Field(gt=0)
    sql_threshold: int = Field(gt=0)
    engagement_half_life_days: int = Field(default=30, gt=0)
    fit_rules: list[FitRule] = []
    engagement_rules: list[EngagementRule] = []


class HandoffField(_Strict):
    key: str
    label: str
    type: Literal["text", "contact", "date"] = "text"


class HandoffKind(_Strict):
    kind: Literal["sdr_ae", "ae_cs"]
    label: str
    fields: list[HandoffField] = Field(min_length=1)


class Handoff(_Strict):
    placeholders: list[str] = []
    min_length: int = Field(default=12, ge=1)
    sla_hours: int = Field(default=24, gt=0)
    kinds: list[HandoffKind] = Field(min_length=1)


class Target(_Strict):
    role: Role | None = None
    user: str | None = None
    metric: Metric
    period: Period
    value: float = Field(ge=0)

    @model_validator(mode="after")
    def _whose(self) -> Target:
        if (self.role is None) == (self.user is None):
            raise ValueError("give exactly one of role or user")
        return self


class Sla(_Strict):
    first_touch_minutes: int = Field(gt=0)
    near_fraction: float = Field(default=0.5, gt=0, lt=1)
    inbound_window_days: int = Field(default=14, gt=0)
    handoff_accept_hours: int = Field(default=24, gt=0)


class Dormancy(_Strict):
    days: int = Field(default=365, gt=0)
    daily_cap: int = Field(default=5, ge=0)


class Outcome(_Strict):
    key: str
    label: str
    letter: str = Field(min_length=1, max_length=1)
    conversation: bool = False
    meeting: bool = False
    lead_status: LeadStatus | None = None
    lifecycle: Lifecycle | None = None
    follow_up: str | None = None
    follow_up_kind: Literal["follow_up", "call_back"] = "follow_up"

    @field_validator("key")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not _SNAKE.match(value):
            raise ValueError("must be snake_case (lowercase letters, digits and _)")
        return value

    @field_validator("follow_up")
    @classmethod
    def _quick(cls, value: str | None) -> str | None:
        if value is not None:
            from core.when import check_quick_form

            try:
                check_quick_form(value)
            except InvalidInput as exc:
                raise ValueError(exc.reason) from None
        return value


class Playbook(_Strict):
    name: str = "Playbook"
    stages: list[Stage] = Field(min_length=1)
    qualification: Qualification
    handoff: Handoff
    targets: list[Target] = []
    sla: Sla
    dormancy: Dormancy = Dormancy()
    outcomes: list[Outcome] = Field(min_length=1, max_length=9)

    @model_validator(mode="after")
    def _unique(self) -> Playbook:
        for name, keys in (
            ("stages", [s.key for s in self.stages]),
            ("outcomes", [o.key for o in self.outcomes]),
            ("outcomes letter", [o.letter for o in self.outcomes]),
        ):
            seen = {k for k in keys if keys.count(k) > 1}
            if seen:
                raise ValueError(f"{name} must be unique; repeated: {', '.join(sorted(seen))}")
        if self.qualification.sql_threshold < self.qualification.mql_threshold:
            raise ValueError("qualification.sql_threshold must not be below mql_threshold")
        return self

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

    def conversation_outcomes(self) -> list[str]:
        return [o.key for o in self.outcomes if o.conversation]

    def meeting_outcomes(self) -> list[str]:
        return [o.key for o in self.outcomes if o.meeting]


def parse_playbook(source: str, origin: str = "playbook") -> Playbook:
    """Parse and validate playbook TOML; raise PlaybookError naming each bad key and its line."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError([f"{origin}: not valid TOML: {exc}"]) from exc
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            key = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in loc)
            key = key.replace(".[", "[") or "(top level)"
            line = line_of(source, loc)
            where = f"{origin}:{line}" if line else origin
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {key}: {message}")
        raise PlaybookError(problems) from exc


def playbook_from_json(data: dict) -> Playbook:
    """Rebuild a stored playbook (already validated when it was applied)."""
    return Playbook.model_validate(data)
