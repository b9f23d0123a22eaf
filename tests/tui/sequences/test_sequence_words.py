"""A sequence file's words reach the screens as written: a name or a step note like 'Cold [/] outbound [bold]'
shows literally in the sequences screen, its enrollments and call mode (the steps' border title crashed)."""

from __future__ import annotations

from datetime import timedelta

from revdesk.db.sequences.definitions import apply_sequence
from revdesk.db.sequences.enrollments import tick
from revdesk.db.workbench import Workbench
from revdesk.fixtures import FIXTURES_DIR
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.sequences.enrollments import SequenceEnrollmentsScreen
from revdesk.tui.sequences.sequence_list import SequencesScreen
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import settle

NAME = "Cold [/] outbound [bold]"


async def test_a_sequence_named_with_markup_is_shown_as_written(store):
    source = (FIXTURES_DIR / "sequences" / "cold-outbound.toml").read_text(encoding="utf-8")
    source = source.replace('name = "Cold outbound"', f'name = "{NAME}"', 1).replace(
        'note = "Reference yesterday', 'note = "[/] Reference yesterday', 1)
    apply_sequence(store.conn, source, "cold.toml", NOW - timedelta(days=1))
    Workbench.open(store, "maya", fixed_clock).enroll("cold_outbound", [1, 2, 5])
    tick(store.conn, NOW + timedelta(days=3))
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SequencesScreen)
        steps = screen.query_one("#sequence-steps")
        assert steps._border_title is not None and steps._border_title.plain == f"Steps of '{NAME}'"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SequenceEnrollmentsScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(CallScreen.for_contact(1))
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)
