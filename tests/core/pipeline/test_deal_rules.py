"""Stage-move rules: which fields a move requires, and reading typed values from text."""

from __future__ import annotations

from datetime import date

import pytest

from revdesk.core.pipeline.deal_rules import missing_fields, parse_amount, parse_fields, required_fields
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

PLAYBOOK = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))
TODAY = date(2026, 11, 23)


def keys(pairs: list[tuple[str, str]]) -> list[str]:
    return [k for k, _ in pairs]


def test_forward_moves_need_the_exit_criteria_of_every_stage_passed() -> None:
    assert keys(required_fields(PLAYBOOK, "discovery", "demo")) == ["primary_contact_id"]
    assert keys(required_fields(PLAYBOOK, "discovery", "proposal")) == ["primary_contact_id", "amount"]
    assert keys(required_fields(PLAYBOOK, "proposal", "closed_won")) == ["amount", "expected_close_date"]
    why = dict(required_fields(PLAYBOOK, "demo", "proposal"))
    assert why == {"amount": "is required to leave Demo"}


def test_losing_needs_a_reason_and_moving_back_needs_nothing() -> None:
    assert required_fields(PLAYBOOK, "negotiation", "closed_lost") == [
        ("lost_reason", "is required to enter Closed Lost")]
    assert required_fields(PLAYBOOK, "negotiation", "demo") == []


def test_missing_counts_what_the_deal_has_and_what_the_move_gives() -> None:
    needed = required_fields(PLAYBOOK, "discovery", "proposal")
    assert keys(missing_fields(needed, {"primary_contact_id": 4, "amount": None}, {})) == ["amount"]
    assert missing_fields(needed, {"primary_contact_id": 4}, {"amount": 100.0}) == []


@pytest.mark.parametrize(("text", "value"), [
    ("12500", 12500.0), ("12,500", 12500.0), ("12,500.50", 12500.5), ("€12.500,00", 12500.0),
    ("12 500", 12500.0), ("EUR 9,99", 9.99), ("1.250.000", 1250000.0), ("$3.5", 3.5),
])
def test_amounts_in_the_ways_people_type_them(text: str, value: float) -> None:
    assert parse_amount(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "x", "-500", "0", "tbd"])
def test_what_is_not_an_amount(text: str) -> None:
    assert parse_amount(text) is None


def test_field_values_are_typed_and_every_problem_named() -> None:
    values, problems = parse_fields(PLAYBOOK, {"amount": "24,000", "expected_close_date": "2027-01-31",
                                               "currency": "usd", "lost_reason": "Chose a competitor"},
                                    TODAY, ["tbd"])
    assert values == {"amount": 24000.0, "expected_close_date": "2027-01-31", "currency": "USD",
                      "lost_reason": "Chose a competitor"}
    assert problems == []
    _, problems = parse_fields(PLAYBOOK, {"amount": "lots", "expected_close_date": "2026-01-01",
                                          "lost_reason": "tbd", "colour": "red", "primary_contact_id": "Lea"},
                               TODAY, ["tbd"])
    assert sorted(keys(problems)) == ["amount", "colour", "expected_close_date", "lost_reason",
                                      "primary_contact_id"]
    assert dict(problems)["expected_close_date"] == "2026-01-01 is in the past"
