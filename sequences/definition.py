"""Sequence (cadence) definitions: one TOML file per sequence, validated like the playbook.

Plain frozen dataclasses at run time. `parse_sequence` checks a file with pydantic (imported only then) and
reports every problem as "FILE:LINE: steps[2].window: reason"; `sequence_from_json` rebuilds a stored,
already checked sequence without pydantic (core.common.structs.from_plain). Pure Python, no I/O.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from revdesk.core.common.errors import InvalidInput
from revdesk.core.playbook.model import check, first_repeat, identifier_problem
from revdesk.sequences.templates import MERGE_FIELDS, fields_in

Channel = Literal["call", "email", "linkedin", "task"]
ExitReason = Literal["reply", "meeting", "handoff", "bounce", "do_not_contact"]
EXIT_REASONS: tuple[str, ...] = typing.get_args(ExitReason)
MAX_STEPS = 30
_STRICT = {"extra": "forbid"}


@cache
def _window_problem(expr: str) -> str | None:
    """Why `expr` is not a usable send window (5-field cron), or None. Cached: stored sequences are rebuilt
    often and every rebuild runs the checks again."""
    from croniter import croniter

    if len(expr.split()) != 5:
        return "must be a 5-field cron expression (minute hour day month weekday), like \"0 9-11 * * mon-fri\""
    if not croniter.is_valid(expr):
        return f"{expr!r} is not a valid cron expression (minute hour day month weekday)"
    return None


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


@dataclass(frozen=True)
class Step:
    """One touch: a call, an e-mail, a LinkedIn touch or a task, due after a wait and inside a window."""

    __pydantic_config__ = _STRICT
    channel: Channel
    wait_days: int = 0  # business days after the previous step (after enrollment for step 1)
    wait_hours: int = 0  # elapsed hours after the previous step
    window: str | None = None  # 5-field cron, contact's local time: when the step may be done
    subject: str | None = None  # e-mail only
    template: str | None = None  # e-mail body (or a LinkedIn message), with merge fields
    note: str | None = None  # what to do, for call, linkedin and task steps

    def __post_init__(self) -> None:
        check(self.wait_days >= 0, "wait_days", "must not be negative")
        check(self.wait_hours >= 0, "wait_hours", "must not be negative")
        check(not (self.wait_days and self.wait_hours), "wait_hours",
              "give wait_days (business days) or wait_hours (elapsed hours), not both")
        if self.window is not None:
            problem = _window_problem(self.window)
            check(problem is None, "window", problem or "")
        if self.channel == "email":
            check(not _blank(self.subject), "subject", "an e-mail step needs a subject")
            check(not _blank(self.template), "template", "an e-mail step needs a template (the message body)")
        else:
            check(self.subject is None, "subject", f"only e-mail steps have a subject, not {self.channel} steps")
            check(not _blank(self.note), "note", f"a {self.channel} step needs a note saying what to do")
        for key in ("subject", "template"):
            _check_merge_fields(key, getattr(self, key))

    def label(self, index: int) -> str:
        """'Step 3: call' for the step at 0-based `index` (as stored on enrollments)."""
        return f"Step {index + 1}: {self.channel}"


def _check_merge_fields(key: str, text: str | None) -> None:
    if text is None:
        return
    try:
        names = fields_in(text)
    except InvalidInput as exc:
        check(False, key, exc.reason)
        return
    unknown = [n for n in names if n not in MERGE_FIELDS]
    check(not unknown, key, ", ".join("{" + n + "}" for n in unknown) + " is not a merge field; known: "
          + ", ".join("{" + n + "}" for n in MERGE_FIELDS))


@dataclass(frozen=True)
class Sequence:
    """A named cadence: its steps in order, what ends it, and who may be enrolled again or twice."""

    __pydantic_config__ = _STRICT
    key: str
    name: str
    steps: list[Step]
    description: str = ""
    exit_on: list[ExitReason] = field(default_factory=lambda: list(EXIT_REASONS))
    allow_reenroll: bool = False  # a contact who went through it before may be enrolled again
    allow_parallel: bool = False  # a contact may be in it and in another sequence that allows it too

    def __post_init__(self) -> None:
        problem = identifier_problem(self.key)  # a key names the sequence on the command line: snake_case
        check(problem is None, "key", problem or "")
        check(not _blank(self.name), "name", "must not be blank")
        check(1 <= len(self.steps) <= MAX_STEPS, "steps",
              f"needs between 1 and {MAX_STEPS} steps (a [[steps]] table each); it has {len(self.steps)}")
        index = first_repeat(list(self.exit_on))
        check(index is None, f"exit_on[{index}]",
              f"{self.exit_on[index] if index is not None else ''!r} is listed twice; list each reason once")

    def step_label(self, index: int) -> str:
        """"Step 3 of 'Cold outbound': call" for the step at 0-based `index`."""
        return f"Step {index + 1} of '{self.name}': {self.steps[index].channel}"


def parse_sequence(source: str, origin: str) -> Sequence:
    """Parse and validate one sequence file; raise PlaybookError naming each bad key and its line
    ("FILE:LINE: steps[2].window: reason"), exactly as the playbook is checked."""
    from revdesk.core.common.validation import validate_toml

    return validate_toml(Sequence, source, origin)


def sequence_to_json(seq: Sequence) -> dict:
    """Plain data to store (the sequence was checked when it was parsed)."""
    return dataclasses.asdict(seq)


def sequence_from_json(data: dict) -> Sequence:
    """Rebuild a stored sequence without pydantic. One applied by an older revdesk that a check added since
    refuses (a key over 64 characters) is refused with its problems and the way out."""
    from revdesk.core.common.structs import rebuild_stored

    origin = f"the stored sequence {str(data.get('key'))[:80]!r}"
    return rebuild_stored(Sequence, data, origin,  # type: ignore[return-value]
                       "fix its file and apply it again with `revdesk sequences apply FILE`")
