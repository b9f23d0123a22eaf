"""The sequences screen driven with Pilot: S opens it, the figures shown are those of `sequence_figures` (per
sequence and per step), and the enrollments screen pauses, resumes and (after a confirmation) removes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable

from revdesk.db.common.connection import transaction
from revdesk.db.sequences.definitions import apply_sequence, sequence_figures
from revdesk.db.sequences.enrollments import exit_sequences, tick
from revdesk.db.workbench import Workbench
from revdesk.fixtures import FIXTURES_DIR
from revdesk.tui.app import build_app
from revdesk.tui.common.help_screen import HelpScreen
from revdesk.tui.sequences.enrollments import SequenceEnrollmentsScreen
from revdesk.tui.sequences.sequence_list import SequencesScreen, exits_text, pct, window_text
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import settle


@pytest.fixture
def enrolled(store):
    """The default sequences; Jonas, Lea and Karl in Cold outbound (Lea has replied since, Karl skipped step 1),
    Dana in Inbound follow-up."""
    for path in sorted((FIXTURES_DIR / "sequences").glob("*.toml")):
        apply_sequence(store.conn, path.read_text(encoding="utf-8"), path.name, NOW - timedelta(days=1))
    maya = Workbench.open(store, "maya", fixed_clock)
    maya.enroll("cold_outbound", [1, 2, 5])
    maya.enroll("inbound_follow_up", [3])
    tick(store.conn, NOW + timedelta(days=3))
    karl_step = store.conn.execute("SELECT t.id FROM tasks t JOIN enrollments e ON e.id = t.enrollment_id"
                                   " WHERE e.contact_id = 5").fetchone()[0]
    maya.skip_step(karl_step)
    with transaction(store.conn):
        exit_sequences(store.conn, 2, "reply", NOW)
    return store


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def _enrollment(store, contact_id: int) -> str:
    return store.conn.execute("SELECT status FROM enrollments WHERE contact_id = ?", (contact_id,)).fetchone()[0]


async def test_s_shows_each_sequences_figures_and_its_steps(enrolled):
    app = build_app(enrolled, "maya", clock=fixed_clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SequencesScreen)
        figures = sequence_figures(enrolled.conn)
        rows = _rows(screen.query_one("#sequences", DataTable))
        assert [r[0] for r in rows] == [f.name for f in figures]
        for row, f in zip(rows, figures, strict=True):
            assert row[1:] == [str(len(f.steps)), str(f.enrolled), str(f.active), str(f.paused), str(f.finished),
                               pct(f.rate("reply")), pct(f.rate("meeting")), str(f.exited.get("bounce", 0)),
                               exits_text(f.exited)]
        cold = next(r for r in rows if r[0] == "Cold outbound")
        assert cold[2:4] == ["3", "2"] and cold[6] == "33.3%" and cold[9] == "replied 1"

        steps = screen.query_one("#sequence-steps", DataTable)
        assert steps.border_title == "Steps of 'Cold outbound'"  # sorted by name: first
        cold_figures = next(f for f in figures if f.key == "cold_outbound")
        step_rows = _rows(steps)
        assert len(step_rows) == 8
        assert step_rows[0][:4] == ["1", "email", "none", "Tue–Thu 8:00"]
        assert step_rows[1][2:4] == ["1 business day", "Mon–Fri 9:00–11:00"]
        for row, s in zip(step_rows, cold_figures.steps, strict=True):
            assert row[5:] == [str(s.reached), str(s.done), str(s.skipped), exits_text(s.exits)]
        assert step_rows[0][5:] == ["3", "0", "1", "replied 1"] and step_rows[1][5] == "1"

        await pilot.press("j")  # Dormant re-engagement
        await pilot.pause()
        assert steps.border_title == "Steps of 'Dormant re-engagement'"
        await pilot.press("j")
        await pilot.pause()
        assert _rows(steps)[0][:4] == ["1", "call", "none", "Mon–Fri 8:00–18:55 every 5 min"]

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SequencesScreen)


async def test_enrollments_pause_resume_and_remove_after_confirming(enrolled):
    app = build_app(enrolled, "maya", clock=fixed_clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("enter")  # Cold outbound
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SequenceEnrollmentsScreen)
        table = screen.query_one("#enrollments", DataTable)
        rows = _rows(table)
        assert [r[0] for r in rows] == ["Jonas Weber", "Karl Busch", "Lea Fischer"]  # live first, soonest due
        assert rows[0][2:5] == ["Maya Koch", "active", "1 of 8"]
        assert rows[1][4] == "2 of 8" and rows[2][3] == "exited: replied"
        assert rows[0][5].endswith("CET") and rows[0][6] != "—"

        await pilot.press("p")
        await settle(pilot)
        assert _enrollment(enrolled, 1) == "paused"
        rows = _rows(table)
        assert rows[1][:4] == ["Jonas Weber", "Nordwind Logistik GmbH", "Maya Koch", "paused"]  # after the active
        assert screen.selected().contact_id == 1, "the cursor stays on Jonas"
        await pilot.press("p")  # already paused: nothing happens
        await settle(pilot)
        assert any("r resumes" in n.message for n in app._notifications)

        await pilot.press("r")
        await settle(pilot)
        assert _enrollment(enrolled, 1) == "active"

        await pilot.press("x")
        await settle(pilot)
        assert "Remove Jonas Weber from 'Cold outbound'? Their due step leaves the queue." in str(
            app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")  # changed my mind
        await settle(pilot)
        assert _enrollment(enrolled, 1) == "active"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _enrollment(enrolled, 1) == "removed"
        open_steps = enrolled.conn.execute("SELECT COUNT(*) FROM tasks t JOIN enrollments e ON e.id ="
                                           " t.enrollment_id WHERE e.contact_id = 1 AND t.status = 'open'")
        assert open_steps.fetchone()[0] == 0

        await pilot.press("escape")  # back to the sequences: the figures moved on
        await settle(pilot)
        assert isinstance(app.screen, SequencesScreen)
        cold = _rows(app.screen.query_one("#sequences", DataTable))[0]
        assert cold[:4] == ["Cold outbound", "8", "3", "1"]


def test_send_windows_read_in_plain_words():
    assert window_text("0 8 * * tue-thu") == "Tue–Thu 8:00"
    assert window_text("30 14-16 * * *") == "Every day 14:30–16:30"
    assert window_text("0 9 1 * *") == "0 9 1 * *"  # anything else stays as written
    assert window_text(None) == "any time"
