"""Enrollment and exit rules (pure): who may be enrolled where, and which logged events end a sequence."""

from __future__ import annotations

from collections.abc import Sequence as Seq
from dataclasses import dataclass

from revdesk.core.calls.scoring import engagement_event
from revdesk.core.playbook.model import Playbook


@dataclass(frozen=True)
class LiveEnrollment:
    """An active or paused enrollment of the contact: which sequence, and whether it allows company."""

    sequence_key: str
    sequence_name: str
    allow_parallel: bool


def enrollment_problems(key: str, name: str, allow_parallel: bool, allow_reenroll: bool, do_not_contact: bool,
                        live: Seq[LiveEnrollment], enrolled_before: bool) -> list[str]:
    """Why a contact may not be enrolled in a sequence (empty: they may)."""
    problems = []
    if do_not_contact:
        problems.append("is marked do-not-contact: never scheduled")
    if any(e.sequence_key == key for e in live):
        problems.append(f"is already in '{name}'")
    elif live and (not allow_parallel or not all(e.allow_parallel for e in live)):
        others = ", ".join(f"'{e.sequence_name}'" for e in live)
        problems.append(f"is already in {others}; a contact is in one sequence at a time unless both allow it")
    if enrolled_before and not allow_reenroll and not any(e.sequence_key == key for e in live):
        problems.append(f"went through '{name}' before, and it does not allow enrolling again")
    return problems


def exit_reason(kind: str, outcome: str | None, playbook: Playbook) -> str | None:
    """The sequence exit a logged activity means: a bounce, or a reply or meeting as qualification counts
    them (core.calls.scoring.engagement_event: a meeting booked on a call or held)."""
    if outcome == "bounced":
        return "bounce"
    event = engagement_event(kind, outcome, playbook)
    return event if event in ("reply", "meeting") else None
