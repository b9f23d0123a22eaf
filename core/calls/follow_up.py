"""When a follow-up scheduled from a quick form falls due, decided from plain values (db applies it)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from revdesk.core.calls.outcome import FollowUp
from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import resolve_quick_form


def decide_follow_up(when: str, contact_zone: ZoneInfo, now: datetime, note: str | None = None,
                     kind: str = "follow_up") -> FollowUp:
    """The follow-up `when` ("+2d", "tomorrow 9:00", "next monday") asks for, read in the contact's local time;
    InvalidInput when it cannot be read or is in the past."""
    due = resolve_quick_form(when, now.astimezone(contact_zone), field="when")
    if due <= now:
        raise InvalidInput("when", f"{when!r} is in the past")
    return FollowUp(kind, due, note)
