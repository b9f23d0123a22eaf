"""The call-mode loop driven with Pilot: outcomes, undo, skip, note and follow-up against a real database."""

from __future__ import annotations

from textual.widgets import DataTable

from revdesk.db.workbench import Workbench
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.calls.kpi_bar import render_kpi
from revdesk.tui.calls.today import TodayScreen
from tests.factories import fixed_clock
from tests.tui.helpers import open_call_mode, settle


def _calls(store) -> list[tuple]:
    return store.conn.execute(
        "SELECT contact_id, outcome, undone_at IS NOT NULL FROM activities WHERE kind = 'call' ORDER BY id"
    ).fetchall()


async def test_three_outcomes_and_an_undo_leave_database_and_header_in_agreement(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen)
        first = [i.contact_id for i in today.items]
        assert first == [3, 2, 4, 1, 5]
        await pilot.press("enter")
        await settle(pilot)
        call = app.screen
        assert isinstance(call, CallScreen)
        assert call.item.contact_id == 3
        await pilot.press("2")  # voicemail on Dana
        await settle(pilot)
        assert call.item.contact_id == 2
        await pilot.press("c")  # connected with Lea, by letter
        await settle(pilot)
        assert call.item.contact_id == 4
        await pilot.press("5")  # meeting booked with Sam
        await settle(pilot)
        assert call.item.contact_id == 1
        await pilot.press("u")  # take back the meeting
        await settle(pilot)
        assert call.item.contact_id == 4, "undo brings the undone item back"

        rows = [tuple(r) for r in _calls(store)]
        assert rows == [(3, "voicemail", 0), (2, "connected", 0), (4, "meeting_booked", 1)]
        bench = Workbench.open(store, "maya", fixed_clock)
        report = bench.kpi("day")
        actual = {k: v.actual for k, v in report.metrics.items()}
        assert {k: actual[k] for k in ("calls", "connects", "meetings_booked")} == {
            "calls": 2, "connects": 1, "meetings_booked": 0}
        assert app.kpi == report
        header = str(call.query_one("#kpi").render())
        assert header == str(render_kpi(report))
        assert "Calls 2/60" in header and "Connects 1/12" in header and "Meetings 0/2" in header
        status = store.conn.execute("SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 4").fetchone()
        assert tuple(status) == ("new", "mql")
        assert store.conn.execute("SELECT lead_status FROM contacts WHERE id = 2").fetchone()[0] == "connected"

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert [i.contact_id for i in app.screen.items] == [4, 1, 5]


async def test_skip_moves_on_without_writing_and_note_is_saved(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        call = app.screen
        await pilot.press("s")
        await settle(pilot)
        assert call.item.contact_id == 2
        assert store.conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 0
        await pilot.press("n")
        await pilot.press(*"Prefers mornings")
        await pilot.press("enter")
        await settle(pilot)
        note = store.conn.execute("SELECT kind, contact_id, note FROM activities").fetchone()
        assert tuple(note) == ("note", 2, "Prefers mornings")
        assert call.item.contact_id == 2, "a note does not move on"


async def test_follow_up_form_schedules_in_the_contacts_time(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_call_mode(pilot)
        await pilot.press("f")
        await pilot.press(*"tomorrow 9:00")
        await pilot.press("enter")
        await settle(pilot)
        due = store.conn.execute("SELECT due_at, contact_id FROM tasks WHERE id > 4").fetchone()
        # Dana is in New York: 9:00 there on Tuesday is 14:00 UTC.
        assert tuple(due) == ("2026-11-24T14:00:00Z", 3)


async def test_follow_up_form_refuses_nonsense_and_writes_nothing(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_call_mode(pilot)
        await pilot.press("f")
        await pilot.press(*"someday")
        await pilot.press("enter")
        await settle(pilot)
        assert "not understood" in str(app.screen.query_one("#preview").render())
        assert store.conn.execute("SELECT COUNT(*) FROM tasks").fetchone()[0] == 4


async def test_today_lists_every_item_with_kind_and_reason(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        assert table.row_count == 5
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == "Inbound\n13:35"
        assert cells[1] == "Dana Brooks, VP Clinical Operations\nHarbor Health"
        assert cells[2].startswith("Inbound lead (Website demo request) 40 min ago") and "first-touch" in cells[2]
        await pilot.press("question_mark")
        await pilot.pause()
        from rich.console import Console

        console = Console(width=120, record=True)
        console.print(app.screen.table)
        text = console.export_text()
        assert "enter" in text and "Open call mode on the selected item" in text and "f1 / ?" in text


async def test_shift_n_notes_the_person_just_called_after_the_screen_moved_on(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_call_mode(pilot)
        await pilot.press("2")  # voicemail on Dana; Lea is on screen now
        await settle(pilot)
        assert app.screen.item.contact_id == 2
        await pilot.press("N")
        await pilot.press(*"Left a voicemail about the pilot")
        await pilot.press("enter")
        await settle(pilot)
        note = store.conn.execute("SELECT contact_id, note FROM activities WHERE kind = 'note'").fetchone()
        assert tuple(note) == (3, "Left a voicemail about the pilot")
        assert app.screen.item.contact_id == 2, "the screen stays on the person to call next"
