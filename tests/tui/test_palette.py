"""The command palette reaches records: typing a name opens call mode on that contact."""

from __future__ import annotations

from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from tests.factories import fixed_clock
from tests.tui.helpers import open_from_palette, settle


async def test_palette_finds_a_contact_and_opens_call_mode(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(130, 40)) as pilot:
        await open_from_palette(pilot, "Karl Busch")
        screen = app.screen
        assert isinstance(screen, CallScreen)
        assert screen.item is not None and screen.item.contact_id == 5
        assert screen.item.kind == "follow_up", "a contact with a queue item opens on that item"


async def test_palette_opens_a_contact_without_a_queue_item(store):
    store.conn.execute("UPDATE tasks SET status = 'done' WHERE contact_id = 5")
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(130, 40)) as pilot:
        await open_from_palette(pilot, "Karl Busch")
        screen = app.screen
        assert isinstance(screen, CallScreen)
        assert screen.item.contact_id == 5 and screen.item.kind == "lookup"
        await pilot.press("1")
        await settle(pilot)
        row = store.conn.execute("SELECT contact_id, outcome FROM activities").fetchone()
        assert tuple(row) == (5, "connected")
