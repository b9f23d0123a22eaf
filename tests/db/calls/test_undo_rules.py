"""What `u` takes back: the latest call outcome of today, never a note and never an earlier day's call."""

from __future__ import annotations

from datetime import timedelta

import pytest

from revdesk.core.common.errors import InvalidInput, NothingToUndo
from revdesk.db.workbench import Workbench
from tests.factories import NOW


def test_undo_skips_notes_and_takes_back_the_call(maya):
    maya.log_call(1, "voicemail", task_id=1)
    maya.add_note(1, "Prefers mornings")
    undone = maya.undo()
    assert undone.outcome == "voicemail"
    rows = maya.store.conn.execute("SELECT kind, undone_at IS NOT NULL FROM activities ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("call", 1), ("note", 0)]


def test_undo_never_reaches_back_into_yesterday(store):
    yesterday = Workbench.open(store, "maya", lambda: NOW - timedelta(days=1))
    yesterday.log_call(2, "connected")
    today = Workbench.open(store, "maya", lambda: NOW)
    with pytest.raises(NothingToUndo):
        today.undo()
    assert store.conn.execute("SELECT COUNT(*) FROM activities WHERE undone_at IS NULL").fetchone()[0] == 1


def test_outcomes_belong_to_calls(maya):
    from revdesk.db.calls.services import log_activity

    with pytest.raises(InvalidInput, match="not an outcome of 'note'"):
        log_activity(maya.store.conn, maya.playbook, maya.user, 1, "note", "meeting_booked", maya.now())
    with pytest.raises(InvalidInput, match="not an outcome of 'email'"):
        log_activity(maya.store.conn, maya.playbook, maya.user, 1, "email", "voicemail", maya.now())
    logged = log_activity(maya.store.conn, maya.playbook, maya.user, 1, "email", "replied", maya.now())
    assert logged.follow_up_task_id is None
    assert maya.store.conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 1
