"""Handoff rules (pure): whether a context is complete, what can be prefilled from structured data, and
which AE (or CS) to suggest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from revdesk.core.common.models import Contact, User
from revdesk.core.common.when import year_problem
from revdesk.core.playbook.model import Handoff, HandoffKind

APPROVER_ROLES = ("approver", "decision_maker")  # who may sign, in order of preference
RECIPIENT_ROLE = {"sdr_ae": "ae", "ae_cs": "cs"}


def is_placeholder(text: str, placeholders: Sequence[str]) -> bool:
    """'tbd', 'N/A.', '-', '...': a filler, not an answer (the playbook lists them; no letters or digits
    at all counts too). Used for handoff context, reject notes and a deal's lost reason alike."""
    plain = text.strip().strip(".!").strip().casefold()
    return plain in _folded(tuple(placeholders)) or not any(ch.isalnum() for ch in plain)


@lru_cache(maxsize=32)
def _folded(placeholders: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p.casefold() for p in placeholders)


def context_problems(kind: HandoffKind, rules: Handoff, context: Mapping[str, object],
                     account_contacts: Mapping[int, str]) -> list[tuple[str, str]]:
    """Every problem with a handoff's context, one (field, reason) per field; empty when complete.

    `account_contacts` maps the ids of the account's contacts to their names (for contact fields).
    """
    problems: list[tuple[str, str]] = []
    keys = {f.key for f in kind.fields}
    for key in context:
        if key not in keys:
            problems.append((key, f"is not a field of the {kind.label} handoff (fields: {', '.join(sorted(keys))})"))
    for item in kind.fields:
        raw = str(context.get(item.key) or "").strip()
        if not raw:
            problems.append((item.key, f"is missing: {item.label.lower()}"))
        elif is_placeholder(raw, rules.placeholders):
            problems.append((item.key, f"{raw!r} is a placeholder: {item.label.lower()}"))
        elif item.type == "contact":
            if not (raw.isascii() and raw.isdigit()):  # "⁰⁴⁵" passes isdigit() yet is no id
                problems.append((item.key, f"must be the id of a contact at the account, not {raw!r}"))
            elif int(raw) not in account_contacts:
                problems.append((item.key, f"contact {raw} is not at this account"))
        elif item.type == "date":
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                problems.append((item.key, f"must be a date like 2027-01-31, not {raw!r}"))
                continue
            problem = year_problem(day.year, raw)
            if problem:
                problems.append((item.key, problem))
        elif len(raw) < rules.min_length:
            problems.append((item.key, f"is too short ({len(raw)} characters; say it in at least {rules.min_length})"))
    return problems


def clean_context(kind: HandoffKind, context: Mapping[str, object]) -> dict[str, str]:
    """The context as stored: every field of the kind, trimmed."""
    return {f.key: str(context.get(f.key) or "").strip() for f in kind.fields}


def prefill(kind: HandoffKind, contacts: Sequence[Contact]) -> dict[str, str]:
    """What structured data already says: the approver is the account's approver, else its decision maker."""
    values: dict[str, str] = {}
    for item in kind.fields:
        if item.type != "contact":
            continue
        for role in APPROVER_ROLES:
            found = [c for c in contacts if c.buying_role == role]
            if found:
                values[item.key] = str(found[0].id)
                break
    return values


def suggest_recipient(candidates: Sequence[tuple[User, int]], account_owner_id: int | None,
                      team: str | None = None) -> tuple[User, str] | None:
    """The account's owner when they can take it, else the least loaded candidate of the sender's team
    (open deals plus pending handoffs), else the least loaded of all; ties by name. Returns the user and
    why, or None without candidates."""
    for user, load in candidates:
        if user.id == account_owner_id:
            return user, f"owns the account ({load} open)"
    if not candidates:
        return None
    mine = [c for c in candidates if team and c[0].team == team]
    user, load = min(mine or candidates, key=lambda c: (c[1], c[0].name))
    where = f" in team {team}" if mine else ""
    return user, f"least loaded{where} ({load} open deals and pending handoffs)"


def sla_due(sent: datetime, hours: int, tz: ZoneInfo) -> datetime:
    """When a handoff's SLA runs out: `hours` counted on weekdays in the recipient's timezone, so a handoff
    sent on Friday evening is not late by Saturday evening."""
    cursor, left = sent.astimezone(tz), timedelta(hours=hours)
    while left > timedelta(0):
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), tz)
        if cursor.weekday() >= 5:
            cursor = midnight
            continue
        step = min(left, midnight - cursor)
        cursor, left = cursor + step, left - step
    return cursor
