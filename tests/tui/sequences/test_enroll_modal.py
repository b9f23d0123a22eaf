"""Enrolling from the TUI with Pilot: E in call mode enrolls the contact on screen; a do-not-contact contact is
refused with the reason and nothing is written; in Account 360, E enrolls the selected contact (for another SDR
if chosen) and ctrl+e the account's contacts, leaving out the do-not-contact ones and naming those refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Select, Static

from revdesk.db.sequences.definitions import apply_sequence
from revdesk.fixtures import FIXTURES_DIR
from revdesk.tui.accounts.account_360 import AccountScreen
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.sequences.enroll import EnrollModal
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import open_call_mode, open_from_palette, settle


@pytest.fixture
def with_sequences(store):
    for path in sorted((FIXTURES_DIR / "sequences").glob("*.toml")):
        apply_sequence(store.conn, path.read_text(encoding="utf-8"), path.name, NOW - timedelta(days=1))
    return store


def _enrollments(store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(
        "SELECT e.contact_id, s.key, e.user_id, e.status FROM enrollments e JOIN sequences s ON s.id = e.sequence_id"
        " ORDER BY e.contact_id")]


def _text(modal: EnrollModal, selector: str) -> str:
    return str(modal.query_one(selector, Static).render())


async def test_e_in_call_mode_enrolls_the_contact_on_screen(with_sequences):
    app = build_app(with_sequences, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_call_mode(pilot)
        call = app.screen
        assert isinstance(call, CallScreen) and call.item.contact_id == 3  # Dana
        await pilot.press("E")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EnrollModal)
        assert "Enroll Dana Brooks" in str(modal.query_one(".dialog-title").render())
        assert "Choose a sequence" in _text(modal, "#enroll-summary")
        await pilot.press("ctrl+s")  # nothing chosen yet
        await settle(pilot)
        assert "Choose a sequence first" in _text(modal, "#enroll-result") and _enrollments(with_sequences) == []

        await pilot.press("enter", "down", "down", "down", "enter")  # open the list: Inbound follow-up, third
        await settle(pilot)
        assert modal.query_one("#enroll-sequence", Select).value == "inbound_follow_up"
        summary = _text(modal, "#enroll-summary")
        assert "Inbound follow-up: 7 steps over 7 business days and 2 hours" in summary
        assert "It ends on a reply, a meeting, a handoff, a bounce or do-not-contact." in summary
        assert "lands in your Today queue" in summary and "1 of 1 will be enrolled" in summary
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is call
        assert _enrollments(with_sequences) == [(3, "inbound_follow_up", 1, "active")]
        assert any(n.message == "Dana Brooks enrolled in 'Inbound follow-up'" for n in app._notifications)


async def test_a_do_not_contact_contact_is_refused_and_nothing_is_written(with_sequences):
    with_sequences.conn.execute("UPDATE contacts SET do_not_contact = 1 WHERE id = 1")
    app = build_app(with_sequences, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        changes = with_sequences.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]  # after the day's picks
        app.push_screen(CallScreen.for_contact(1))
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EnrollModal)
        modal.query_one("#enroll-sequence", Select).value = "cold_outbound"
        await settle(pilot)
        assert "0 of 1 will be enrolled" in _text(modal, "#enroll-summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = _text(modal, "#enroll-result")
        assert "Nobody was enrolled in 'Cold outbound'; nothing was written." in result
        assert "Jonas Weber is marked do-not-contact: never scheduled" in result
        assert app.screen is modal, "the dialog stays open with the reason"
        assert _enrollments(with_sequences) == []
        assert with_sequences.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == changes
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)


async def test_account_360_enrolls_a_contact_or_the_whole_account(with_sequences):
    with_sequences.conn.execute("UPDATE contacts SET do_not_contact = 1 WHERE id = 5")  # Karl
    app = build_app(with_sequences, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_from_palette(pilot, "nordwind.de")
        account = app.screen
        assert isinstance(account, AccountScreen)
        await pilot.press("j", "E")  # Lea, for Inês
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EnrollModal) and modal.contact_ids == [2]
        modal.query_one("#enroll-sequence", Select).value = "inbound_follow_up"
        modal.query_one("#enroll-owner", Select).value = 3
        await settle(pilot)
        assert "lands in Inês Duarte's Today queue" in _text(modal, "#enroll-summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is account
        assert _enrollments(with_sequences) == [(2, "inbound_follow_up", 3, "active")]

        await pilot.press("ctrl+e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EnrollModal) and modal.contact_ids == [1, 2]
        assert "Enroll 2 contacts of Nordwind Logistik GmbH" in str(modal.query_one(".dialog-title").render())
        modal.query_one("#enroll-sequence", Select).value = "cold_outbound"
        await settle(pilot)
        summary = _text(modal, "#enroll-summary")
        assert "1 of 2 will be enrolled" in summary and "Left out as do-not-contact: Karl Busch" in summary
        assert "Lea Fischer is already in 'Inbound follow-up'" in summary
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = _text(modal, "#enroll-result")
        assert "Jonas Weber enrolled in 'Cold outbound'" in result and "Lea Fischer is already in" in result
        assert app.screen is modal, "refusals stay in view until closed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is account
        assert _enrollments(with_sequences) == [(1, "cold_outbound", 1, "active"),
                                                (2, "inbound_follow_up", 3, "active")]
