"""Handoff context rules: each field checked, placeholders and short answers refused by name, the approver
prefilled from buying roles, and the recipient suggested."""

from __future__ import annotations

from datetime import UTC, datetime

from revdesk.core.common.models import Contact, User
from revdesk.core.handoffs.rules import clean_context, context_problems, prefill, suggest_recipient
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

PLAYBOOK = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))
SDR_AE = PLAYBOOK.handoff.kind("sdr_ae")
AE_CS = PLAYBOOK.handoff.kind("ae_cs")
ACCOUNT = {11: "Lea Fischer", 12: "Jonas Weber"}
GOOD = {"pain": "Inbound leads wait a day for a call", "impact": "20% of demo requests lost monthly",
        "trigger": "New VP Sales wants speed to lead", "approver": "11", "budget": "40k EUR approved for Q1",
        "next_step": "Demo with the ops team on Tuesday"}


def problems(context: dict) -> dict[str, str]:
    return dict(context_problems(SDR_AE, PLAYBOOK.handoff, context, ACCOUNT))


def test_a_complete_context_passes() -> None:
    assert problems(GOOD) == {}


def test_every_missing_field_is_named() -> None:
    assert set(problems({})) == {"pain", "impact", "trigger", "approver", "budget", "next_step"}
    assert problems({**GOOD, "budget": "   "})["budget"].startswith("is missing")


def test_placeholders_are_refused_whatever_their_case_or_trailing_dots() -> None:
    for filler in ("tbd", "TBD.", "n/a", "N/A", "-", "...", "?", "unknown", "———"):
        assert "placeholder" in problems({**GOOD, "impact": filler})["impact"], filler


def test_too_short_answers_are_refused_with_the_minimum() -> None:
    assert problems({**GOOD, "trigger": "new boss"})["trigger"] == (
        "is too short (8 characters; say it in at least 12)")


def test_the_approver_must_be_a_contact_of_the_account() -> None:
    assert problems({**GOOD, "approver": "99"})["approver"] == "contact 99 is not at this account"
    assert "must be the id" in problems({**GOOD, "approver": "the CFO"})["approver"]


def test_unknown_fields_are_named_too() -> None:
    assert "is not a field" in problems({**GOOD, "colour": "blue"})["colour"]


def test_dates_must_be_dates() -> None:
    context = {"success_criteria": "Go live in all three warehouses", "stakeholders": "Lea (CFO), Jonas (ops)",
               "promises": "Weekly check-in for the first month", "go_live": "next month",
               "risks": "IT team is two people and busy"}
    found = dict(context_problems(AE_CS, PLAYBOOK.handoff, context, ACCOUNT))
    assert list(found) == ["go_live"]
    assert "must be a date" in dict(context_problems(AE_CS, PLAYBOOK.handoff, {**context, "go_live": "01/03/2027"},
                                                     ACCOUNT))["go_live"]
    assert not context_problems(AE_CS, PLAYBOOK.handoff, {**context, "go_live": "2027-02-01"}, ACCOUNT)


def test_the_stored_context_is_every_field_trimmed() -> None:
    assert clean_context(SDR_AE, {"pain": "  a  "}) == {
        "pain": "a", "impact": "", "trigger": "", "approver": "", "budget": "", "next_step": ""}


def _contact(cid: int, role: str | None) -> Contact:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Contact(cid, 1, "A", str(cid), None, None, None, None, None, role, None, False, "sal", "new", 0, None,
                   False, moment, None, None)


def test_the_approver_is_prefilled_from_buying_roles() -> None:
    assert prefill(SDR_AE, [_contact(1, "champion"), _contact(2, "decision_maker")]) == {"approver": "2"}
    assert prefill(SDR_AE, [_contact(2, "decision_maker"), _contact(3, "approver")]) == {"approver": "3"}
    assert prefill(SDR_AE, [_contact(1, "user")]) == {}


def test_the_account_owner_is_suggested_else_the_least_loaded() -> None:
    ann, bob, cy = (User(i, h, h.title(), "ae", "North", "UTC") for i, h in ((1, "ann"), (2, "bob"), (3, "cy")))
    assert suggest_recipient([(ann, 5), (bob, 2), (cy, 2)], None) == (
        bob, "least loaded (2 open deals and pending handoffs)")
    assert suggest_recipient([(ann, 5), (bob, 2)], 1)[0] == ann
    assert suggest_recipient([], None) is None


def test_the_least_loaded_of_the_senders_team_comes_before_other_teams() -> None:
    north = User(1, "ann", "Ann", "ae", "North", "UTC")
    south = User(2, "bob", "Bob", "ae", "South", "UTC")
    assert suggest_recipient([(north, 6), (south, 1)], None, "North") == (
        north, "least loaded in team North (6 open deals and pending handoffs)")
    assert suggest_recipient([(north, 6), (south, 1)], None, "East")[0] == south


def test_the_sla_counts_weekday_hours_in_the_recipients_timezone() -> None:
    from zoneinfo import ZoneInfo

    from revdesk.core.handoffs.rules import sla_due

    london = ZoneInfo("Europe/London")
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=london)  # a Friday
    assert sla_due(friday_evening, 24, london) == datetime(2026, 11, 30, 18, 0, tzinfo=london)  # Monday
    tuesday = datetime(2026, 11, 24, 9, 30, tzinfo=london)
    assert sla_due(tuesday, 24, london) == datetime(2026, 11, 25, 9, 30, tzinfo=london)
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=london)
    assert sla_due(saturday, 2, london) == datetime(2026, 11, 30, 2, 0, tzinfo=london)
