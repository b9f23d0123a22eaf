"""Stage moves (pure): which fields a move requires by the playbook's exit and entry criteria, and the
parsing of field values typed as text (`--field amount=12,500`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from revdesk.core.common.when import LATEST_YEAR
from revdesk.core.handoffs.rules import is_placeholder
from revdesk.core.importing.amounts import parse_amount as parse_import_amount
from revdesk.core.importing.values import ValueProblem
from revdesk.core.playbook.model import Playbook

COLUMN_FIELDS = {
    "amount": "a positive amount, like 12500 or 12,500.00",
    "expected_close_date": "a date like 2027-01-31",
    "primary_contact_id": "the id of a contact at the account",
    "lost_reason": "why the deal was lost, in words",
    "currency": "a three-letter currency code, like EUR",
    "name": "the deal's name",
}
MIN_REASON = 4
ACTS_ON_ANY_DEAL = ("manager", "founder")
MOVERS = "only its owner, a manager or a founder moves it"


def may_move(role: str, user_id: int, owner_id: int | None) -> bool:
    """A deal is moved by its owner, a manager or a founder."""
    return owner_id == user_id or role in ACTS_ON_ANY_DEAL


def required_fields(playbook: Playbook, from_stage: str, to_stage: str) -> list[tuple[str, str]]:
    """(field, why) a move needs: moving forward needs the exit criteria of the stage it leaves and of
    every stage it skips (winning a lost deal: of every open stage); any move needs the entry criteria of
    the stage it enters. Moving back and losing a deal need no exit criteria."""
    order = [s.key for s in playbook.stages]
    source, target = playbook.stage(from_stage), playbook.stage(to_stage)
    needed: dict[str, str] = {}
    forward = order.index(to_stage) > order.index(from_stage)
    start = order.index(from_stage)
    if target.won and source.closed:  # winning a lost deal: every open stage's exit criteria apply
        forward, start = True, 0
    if forward and not (target.closed and not target.won):
        for key in order[start:order.index(to_stage)]:
            stage = playbook.stage(key)
            if stage.closed:
                continue
            for item in stage.exit_criteria:
                needed.setdefault(item, f"is required to leave {stage.label}")
    for item in target.entry_criteria:
        needed.setdefault(item, f"is required to enter {target.label}")
    return list(needed.items())


def known_fields(playbook: Playbook) -> set[str]:
    """Fields a deal can be given: its own columns and every criterion the playbook names."""
    named = {f for s in playbook.stages for f in (*s.exit_criteria, *s.entry_criteria)}
    return set(COLUMN_FIELDS) | named


def read_amount(raw: str) -> tuple[float, str | None]:
    """An amount as a person types it, read as the import reads a CRM's (core.importing.amounts: 12500, 12,500.00,
    €12.500,00, 12 500, EUR 9,99), with the currency it names; ValueProblem when it is not a positive amount read
    exactly ("1e3", "10k" and "2 Mio" are refused, never stored as 13, 10 or 2)."""
    value, currency = parse_import_amount(raw)
    if value is None or value <= 0:
        raise ValueProblem(f"not an amount: {raw!r} is not more than 0")
    return value, currency


def parse_amount(raw: str) -> float | None:
    """The amount `raw` says (see read_amount), or None if it is not one."""
    try:
        return read_amount(raw)[0]
    except ValueProblem:
        return None


def parse_fields(playbook: Playbook, raw: Mapping[str, str], today: date, placeholders: list[str],
                 deal_currency: str | None = None) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Typed values from text, and a (field, reason) for each value that is wrong. An amount naming a currency
    must name the deal's (`deal_currency`, or the currency the move gives)."""
    values: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    known = known_fields(playbook)
    for key, text in raw.items():
        text = text.strip()
        if key not in known:
            problems.append((key, f"is not a deal field (fields: {', '.join(sorted(known))})"))
        elif not text or is_placeholder(text, placeholders):
            problems.append((key, f"needs a real value: {COLUMN_FIELDS.get(key, 'in words')}"))
        elif key == "amount":
            try:
                amount, named = read_amount(text)
            except ValueProblem as exc:
                why = "" if exc.reason.startswith("not an amount") else f" ({exc.reason})"
                problems.append((key, f"{text!r} is not {COLUMN_FIELDS[key]}{why}"))
                continue
            currency = str(raw.get("currency") or "").strip().upper() or deal_currency
            if named and currency and named != currency:
                problems.append((key, f"{text!r} is in {named}, the deal in {currency}: give currency={named} to"
                                      " change the deal's currency, or the amount without one"))
            values[key] = amount
        elif key == "expected_close_date":
            try:
                day = date.fromisoformat(text)
            except ValueError:
                problems.append((key, f"{text!r} is not {COLUMN_FIELDS[key]}"))
                continue
            if day < today:
                problems.append((key, f"{text} is in the past"))
            elif not day.year <= LATEST_YEAR:
                problems.append((key, f"{text} is after {LATEST_YEAR} (a typo in the year?)"))
            values[key] = day.isoformat()
        elif key == "primary_contact_id":
            digits = text.isascii() and text.isdigit() and len(text) < 19  # "⁰⁴⁵" passes isdigit(); SQLite's ids
            if not digits:
                problems.append((key, f"{text!r} is not {COLUMN_FIELDS[key]}"))
            values[key] = int(text) if digits else None
        elif key == "currency":
            if not re.fullmatch(r"[A-Za-z]{3}", text):
                problems.append((key, f"{text!r} is not {COLUMN_FIELDS[key]}"))
            values[key] = text.upper()
        elif len(text) < MIN_REASON:
            problems.append((key, f"is too short; say it in words ({MIN_REASON} characters at least)"))
        else:
            values[key] = text
    return values, problems


def missing_fields(required: list[tuple[str, str]], current: Mapping[str, object],
                   given: Mapping[str, object]) -> list[tuple[str, str]]:
    """The required fields that neither the deal has nor the move gives."""
    return [(key, why) for key, why in required if given.get(key) in (None, "") and current.get(key) in (None, "")]
