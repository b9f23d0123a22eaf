"""The follow-up form driven with Pilot: Tab goes from the time to the note, a preset only fills the time in,
the note is kept, and the toast says whose time the follow-up is in."""

from __future__ import annotations

from revdesk.tui.app import build_app
from revdesk.tui.dialogs.follow_up import FollowUpModal
from tests.factories import fixed_clock
from tests.tui.helpers import open_call_mode, settle

SIZE = (120, 36)


def _tasks(store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute("SELECT due_at, contact_id, note FROM tasks WHERE id > 4")]


async def test_tab_after_the_time_goes_to_the_note_and_enter_keeps_both(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_call_mode(pilot)  # Dana Brooks, New York
        await pilot.press("f")
        await settle(pilot)  # the form is up and its time field focused before typing
        await pilot.press(*"tomorrow 14:00")
        await pilot.press("tab")
        await pilot.press(*"Send the pilot plan")
        await pilot.press("enter")
        await settle(pilot)
        # 14:00 in New York on Tuesday is 19:00 UTC: the time typed, not a preset's.
        assert _tasks(store) == [("2026-11-24T19:00:00Z", 3, "Send the pilot plan")]


async def test_enter_on_a_preset_fills_the_time_in_and_sends_nothing(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_call_mode(pilot)
        await pilot.press("f")
        await settle(pilot)  # the form is up and its time field focused before typing
        await pilot.press(*"tomorrow 14:00")
        await pilot.press("tab", *"Ask about the budget", "tab")  # onto the first preset, +2d
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, FollowUpModal), "a preset never sends on its own"
        assert _tasks(store) == []
        assert modal.query_one("#when").value == "+2d"
        assert "their time" in str(modal.query_one("#preview").render())
        assert modal.focused is modal.query_one("#note"), "back in the note, which is kept"
        await pilot.press("enter")
        await settle(pilot)
        assert _tasks(store) == [("2026-11-25T13:00:00Z", 3, "Ask about the budget")]


async def test_the_toast_says_their_time_and_mine(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_call_mode(pilot)
        await pilot.press("f")
        await settle(pilot)  # the form is up and its time field focused before typing
        await pilot.press(*"tomorrow 9:00")
        await pilot.press("enter")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert "Follow-up with Dana Brooks on Tue 24 Nov 09:00 their time, 15:00 yours" in messages
