"""The app while another process (really another process) holds the database's write lock: an outcome and a
follow-up logged meanwhile wait in the writer's queue, the header says why, keys keep working, nothing exits, and
both land exactly once when the lock clears (issue 14's first Done-when; 5 s here, 20 s in the version marked slow)."""

from __future__ import annotations

import pytest

from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.common.help_screen import HelpScreen
from tests.factories import fixed_clock
from tests.lock_holder import held_lock
from tests.tui.helpers import open_call_mode, settle

REASON = "another revdesk is writing: import in progress"


def _saved(store) -> tuple[int, int]:
    """(voicemails logged on Dana, follow-ups scheduled): each write's change record, so each counts once."""
    calls = store.conn.execute("SELECT count(*) FROM activities WHERE contact_id = 3 AND outcome = 'voicemail'")
    follow_ups = store.conn.execute("SELECT count(*) FROM changes WHERE command = 'schedule_follow_up'")
    return calls.fetchone()[0], follow_ups.fetchone()[0]


@pytest.mark.parametrize("seconds", [5, pytest.param(20, marks=pytest.mark.slow)])
async def test_an_outcome_and_a_follow_up_wait_for_another_writer_and_land_once(store, seconds):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_call_mode(pilot)  # Dana Brooks, New York
        call = app.screen
        assert isinstance(call, CallScreen) and call.item.contact_id == 3
        with held_lock(store.path, seconds=seconds, doing="import in progress"):
            await pilot.press("2")  # voicemail on Dana: queued behind the other writer
            for _ in range(50):
                await pilot.pause(0.1)
                if app.waiting is not None:
                    break
            assert app.waiting is not None and app.waiting.reason == REASON
            assert REASON in app.sub_title  # the status line says why the save has not landed
            assert any(REASON in n.message for n in app._notifications)

            await pilot.press("f")  # a follow-up for Dana, typed while the outcome still waits
            await pilot.pause(0.2)
            await pilot.press(*"tomorrow 9:00", "enter")
            await pilot.pause(0.2)
            assert app.screen is call, "the form closed at once; its follow-up waits in the queue"

            await pilot.press("j", "k", "question_mark")  # the app answers keys meanwhile
            await pilot.pause(0.2)
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause(0.2)
            assert app.screen is call and app.is_running
            assert app.waiting is not None, "all of that happened while the save still waited"
            assert _saved(store) == (0, 0)
        await settle(pilot)
        for _ in range(50):
            if app.waiting is None:
                break
            await pilot.pause(0.1)
        assert _saved(store) == (1, 1), "both landed, exactly once"
        assert app.waiting is None and REASON not in app.sub_title
        assert any(n.message.startswith("Follow-up with Dana Brooks on Tue 24 Nov 09:00") for n in app._notifications)
        assert app.is_running and app.return_code is None
