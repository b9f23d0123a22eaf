"""Activity kinds and which outcomes each may carry: calls take the playbook's call outcomes, the other
kinds a small fixed set, notes none."""

from __future__ import annotations

ACTIVITY_KINDS = ("call", "email", "linkedin", "meeting", "note")
TOUCH_KINDS = ("call", "email", "linkedin", "meeting")  # what counts as touching a person
OTHER_OUTCOMES: dict[str, tuple[str, ...]] = {
    "email": ("sent", "replied", "bounced"),
    "linkedin": ("connection_request", "message", "replied"),
    "meeting": ("held", "no_show"),
    "note": (),
}
