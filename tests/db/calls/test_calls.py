"""db/calls/services.py and db/calls/undo.py through the Workbench: logging outcomes, refusing bad input, undo,
follow-ups."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.common.errors import InvalidInput, NotFound, NothingToUndo
from revdesk.core.common.when import from_stored, to_stored
from revdesk.db.calls import services as calls
from revdesk.db.workbench import Workbench
from tests.factories import NOW, fixed_clock

BERLIN = ZoneInfo("Europe/Berlin")


def snapshot(conn) -> dict[str, list[tuple]]:
    """Every row of every table: what 'nothing was written' is compared against."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    without_rowid = {r[0] for r in conn.execute("SELECT name FROM pragma_table_list WHERE wr = 1")}
    order = {t: "" if t in without_rowid else " ORDER BY rowid" for t in tables}
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t}{order[t]}")] for t in tables}


def counts(conn) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot(conn).items()}


def row(conn, sql: str, *args) -> dict:
    found = conn.execute(sql, args).fetchone()
    return dict(found) if found is not None else {}


def contact(conn, contact_id: int) -> dict:
    return row(conn, "SELECT lead_status, lifecycle_stage, first_touch_at, last_touch_at, do_not_contact"
                     " FROM contacts WHERE id = ?", contact_id)


def test_voicemail_on_a_follow_up_closes_it_and_schedules_the_next(maya):
    conn = maya.store.conn
    before = counts(conn)
    logged = maya.log_call(1, "voicemail", task_id=1)
    after = counts(conn)

    # The task is done, at now.
    task = row(conn, "SELECT status, closed_at FROM tasks WHERE id = 1")
    assert task == {"status": "done", "closed_at": to_stored(NOW)}

    # A follow-up two days later at the same local time (Monday 14:00 -> Wednesday 14:00 in Berlin).
    assert logged.follow_up_task_id is not None
    follow = row(conn, "SELECT * FROM tasks WHERE id = ?", logged.follow_up_task_id)
    due_local = from_stored(follow["due_at"]).astimezone(BERLIN)
    assert due_local.date() == NOW.astimezone(BERLIN).date() + timedelta(days=2)
    assert due_local.time() == NOW.astimezone(BERLIN).time()
    assert logged.follow_up_due_at == due_local
    assert follow["kind"] == "follow_up" and follow["status"] == "open"
    assert follow["user_id"] == 1 and follow["contact_id"] == 1 and follow["account_id"] == 1
    assert follow["source_activity_id"] == logged.activity_id

    # The activity.
    activity = row(conn, "SELECT * FROM activities WHERE id = ?", logged.activity_id)
    assert (activity["kind"], activity["outcome"], activity["user_id"], activity["contact_id"],
            activity["account_id"], activity["occurred_at"], activity["undone_at"]) == (
        "call", "voicemail", 1, 1, 1, to_stored(NOW), None)

    # Statuses, with history.
    assert contact(conn, 1) == {"lead_status": "attempting", "lifecycle_stage": "sal",
                                "first_touch_at": to_stored(NOW), "last_touch_at": to_stored(NOW),
                                "do_not_contact": 0}
    history = [tuple(r) for r in conn.execute(
        "SELECT axis, from_value, to_value, changed_by, changed_at FROM status_history WHERE contact_id = 1"
        " ORDER BY id")]
    assert sorted(history) == [("lead_status", "new", "attempting", 1, to_stored(NOW)),
                               ("lifecycle", "mql", "sal", 1, to_stored(NOW))]
    assert row(conn, "SELECT last_touch_at FROM accounts WHERE id = 1") == {"last_touch_at": to_stored(NOW)}
    assert row(conn, "SELECT last_touch_at FROM accounts WHERE id = 2") == {"last_touch_at": None}

    # Exactly the rows that should appear, and one change record.
    assert {t: after[t] - before[t] for t in after if after[t] != before[t]} == {
        "activities": 1, "activity_days": 1, "tasks": 1, "status_history": 2, "changes": 1,
        "change_effects": 8}  # the activity, its day count, the task made and the one closed, two statuses, contact
    # and account touched
    change = row(conn, "SELECT * FROM changes ORDER BY id DESC LIMIT 1")
    assert change["id"] == logged.change_id
    assert (change["command"], change["entity"], change["entity_id"], change["user_id"]) == (
        "log_activity", "activity", logged.activity_id, 1)
    assert change["at"] == to_stored(NOW)
    payload = json.loads(change["payload"])
    assert payload["closed_tasks"] == [1] and payload["created_task"] == logged.follow_up_task_id


def test_the_other_tasks_of_the_day_for_that_contact_close_too_but_not_next_weeks(maya):
    conn = maya.store.conn
    maya.log_call(5, "connected")
    statuses = dict(conn.execute("SELECT id, status FROM tasks WHERE contact_id = 5").fetchall())
    assert statuses == {3: "done", 4: "open"}


def test_a_call_back_follow_up_is_read_in_the_contacts_time(maya):
    # Dana is in New York: 08:00 there at NOW; "tomorrow 9:00" is 9:00 New York time.
    logged = maya.log_call(3, "call_back_later")
    conn = maya.store.conn
    task = row(conn, "SELECT kind, due_at FROM tasks WHERE id = ?", logged.follow_up_task_id)
    assert task == {"kind": "call_back", "due_at": "2026-11-24T14:00:00Z"}


def test_an_ae_touch_does_not_make_the_contact_sales_accepted(store):
    tom = Workbench.open(store, "tom", fixed_clock)
    tom.log_call(2, "no_answer")
    assert contact(store.conn, 2)["lead_status"] == "attempting"
    assert contact(store.conn, 2)["lifecycle_stage"] == "mql"


@pytest.fixture
def dnc(maya):
    maya.store.conn.execute("UPDATE contacts SET do_not_contact = 1 WHERE id = 2")
    return maya


def _future_at(bench: Workbench):
    return calls.log_activity(bench.store.conn, bench.playbook, bench.user, 1, "call", "voicemail", bench.now(),
                              at=bench.now() + timedelta(hours=1))


@pytest.mark.parametrize(
    ("action", "error", "field"),
    [
        (lambda b: b.log_call(1, "nope"), InvalidInput, "outcome"),
        (lambda b: b.log_call(99, "voicemail"), NotFound, "contact"),
        (_future_at, InvalidInput, "at"),
        (lambda b: b.log_call(2, "connected"), InvalidInput, "contact"),  # do-not-contact
        (lambda b: b.log_call(1, "voicemail", task_id=2), InvalidInput, "task"),  # task 2 is about contact 2
        (lambda b: b.log_call(1, "voicemail", task_id=999), InvalidInput, "task"),
        (lambda b: calls.log_activity(b.store.conn, b.playbook, b.user, 1, "call", None, b.now()),
         InvalidInput, "outcome"),
        (lambda b: calls.log_activity(b.store.conn, b.playbook, b.user, 1, "fax", None, b.now()),
         InvalidInput, "type"),
    ],
    ids=["bad-outcome", "unknown-contact", "future-at", "do-not-contact", "someone-elses-task", "unknown-task",
         "call-without-outcome", "bad-kind"],
)
def test_bad_input_raises_the_right_error_and_writes_nothing(dnc, action, error, field):
    conn = dnc.store.conn
    before = snapshot(conn)
    with pytest.raises(error) as info:
        action(dnc)
    if error is InvalidInput:
        assert info.value.field == field
    else:
        assert info.value.what == field
    assert snapshot(conn) == before
    assert not conn.in_transaction


def test_a_time_a_few_minutes_ahead_is_tolerated(maya):
    logged = calls.log_activity(maya.store.conn, maya.playbook, maya.user, 1, "call", "voicemail", maya.now(),
                                at=maya.now() + timedelta(minutes=4))
    assert row(maya.store.conn, "SELECT occurred_at FROM activities WHERE id = ?", logged.activity_id) == {
        "occurred_at": to_stored(NOW + timedelta(minutes=4))}


def test_a_note_on_a_do_not_contact_contact_is_allowed_and_is_not_a_touch(dnc):
    conn = dnc.store.conn
    before = contact(conn, 2)
    dnc.add_note(2, "Asked us not to call")
    assert contact(conn, 2) == before
    assert row(conn, "SELECT status FROM tasks WHERE id = 2") == {"status": "open"}


def test_undo_puts_everything_back(maya):
    conn = maya.store.conn
    before = snapshot(conn)
    logged = maya.log_call(1, "voicemail", task_id=1)
    assert maya.kpi().metrics["calls"].actual == 1

    undone = maya.undo()

    assert undone.contact_id == 1 and undone.outcome == "voicemail" and undone.reopened_tasks == [1]
    assert contact(conn, 1) == {"lead_status": "new", "lifecycle_stage": "mql", "first_touch_at": None,
                                "last_touch_at": None, "do_not_contact": 0}
    assert row(conn, "SELECT last_touch_at FROM accounts WHERE id = 1") == {"last_touch_at": None}
    assert row(conn, "SELECT status, closed_at FROM tasks WHERE id = 1") == {"status": "open", "closed_at": None}
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", logged.follow_up_task_id) == {"status": "cancelled"}
    # The activity stays, marked.
    assert row(conn, "SELECT outcome, undone_at FROM activities WHERE id = ?", logged.activity_id) == {
        "outcome": "voicemail", "undone_at": to_stored(NOW)}
    # The undo is itself a change, pointing at what it undid.
    undo_change = row(conn, "SELECT * FROM changes ORDER BY id DESC LIMIT 1")
    assert undo_change["id"] == undone.change_id
    assert (undo_change["command"], undo_change["undoes"], undo_change["entity_id"], undo_change["user_id"]) == (
        "undo", logged.change_id, logged.activity_id, 1)
    # History says both ways.
    history = [tuple(r) for r in conn.execute(
        "SELECT axis, from_value, to_value, reason FROM status_history WHERE contact_id = 1 AND reason = 'undo'")]
    assert sorted(history) == [("lead_status", "attempting", "new", "undo"), ("lifecycle", "sal", "mql", "undo")]
    # KPI back to zero.
    report = maya.kpi()
    assert report.metrics["calls"].actual == 0
    assert report.metrics["calls"].target == 60
    # Nothing else moved: the contacts, accounts and open items are as they were.
    after = snapshot(conn)
    for table in ("contacts", "accounts", "users", "playbooks"):
        assert after[table] == before[table], table
    assert [k for k in after if len(after[k]) < len(before[k])] == []


def test_undo_of_a_connect_restores_the_kpi_connects(maya):
    maya.log_call(2, "meeting_booked", task_id=2)
    assert maya.kpi().metrics["connects"].actual == 1
    assert maya.kpi().metrics["meetings_booked"].actual == 1
    maya.undo()
    assert maya.kpi().metrics["connects"].actual == 0
    assert maya.kpi().metrics["meetings_booked"].actual == 0


def test_undo_goes_back_one_log_at_a_time_then_refuses(maya):
    first = maya.log_call(1, "voicemail", task_id=1)
    second = maya.log_call(5, "no_answer", task_id=3)
    assert maya.undo().change_id > 0
    assert row(maya.store.conn, "SELECT undone_at FROM activities WHERE id = ?", second.activity_id)["undone_at"]
    assert not row(maya.store.conn, "SELECT undone_at FROM activities WHERE id = ?", first.activity_id)["undone_at"]
    maya.undo()
    before = snapshot(maya.store.conn)
    with pytest.raises(NothingToUndo):
        maya.undo()
    assert snapshot(maya.store.conn) == before


def test_nothing_to_undo_on_a_fresh_database(maya):
    before = snapshot(maya.store.conn)
    with pytest.raises(NothingToUndo):
        maya.undo()
    assert snapshot(maya.store.conn) == before


def test_undo_never_takes_back_another_users_log(store, maya):
    ines = Workbench.open(store, "ines", lambda: NOW + timedelta(minutes=1))
    maya.log_call(1, "voicemail")
    with pytest.raises(NothingToUndo):
        ines.undo()


def test_undo_keeps_another_users_later_touch(store, maya):
    conn = store.conn
    ines = Workbench.open(store, "ines", lambda: NOW + timedelta(minutes=10))
    maya.log_call(1, "no_answer", task_id=1)
    ines.log_call(1, "connected")
    maya.undo()
    later = to_stored(NOW + timedelta(minutes=10))
    state = contact(conn, 1)
    assert state["last_touch_at"] == later
    assert state["first_touch_at"] == later
    assert row(conn, "SELECT last_touch_at FROM accounts WHERE id = 1") == {"last_touch_at": later}


def test_undo_keeps_the_status_another_users_later_touch_gave(store, maya):
    ines = Workbench.open(store, "ines", lambda: NOW + timedelta(minutes=10))
    maya.log_call(1, "no_answer", task_id=1)
    ines.log_call(1, "connected")
    maya.undo()
    state = contact(store.conn, 1)
    assert (state["lead_status"], state["lifecycle_stage"]) == ("connected", "sal")


def test_undo_keeps_touch_facts_that_came_from_before_the_activity_log(maya):
    conn = maya.store.conn
    earlier = to_stored(NOW - timedelta(days=10))
    conn.execute("UPDATE contacts SET lead_status = 'attempting', lifecycle_stage = 'sal', first_touch_at = ?,"
                 " last_touch_at = ? WHERE id = 1", (earlier, earlier))
    conn.execute("UPDATE accounts SET last_touch_at = ? WHERE id = 1", (earlier,))
    before = snapshot(conn)
    maya.log_call(1, "no_answer", task_id=1)
    maya.undo()
    after = snapshot(conn)
    assert after["contacts"] == before["contacts"]
    assert after["accounts"] == before["accounts"]


def test_the_queue_after_logging_no_longer_has_the_item(maya):
    keys = [i.key for i in maya.queue()]
    assert keys == [("contact", 3), ("task", 2), ("contact", 4), ("task", 1), ("task", 3)]
    maya.log_call(3, "voicemail")  # inbound lead: touched now
    maya.log_call(1, "voicemail", task_id=1)
    keys = [i.key for i in maya.queue()]
    assert ("contact", 3) not in keys
    assert ("task", 1) not in keys
    assert keys == [("task", 2), ("contact", 4), ("task", 3)]
    maya.undo()
    assert ("task", 1) in [i.key for i in maya.queue()]


def test_a_do_not_contact_contact_leaves_the_queue(dnc):
    assert ("task", 2) not in [i.key for i in dnc.queue()]


def test_schedule_follow_up(maya):
    conn = maya.store.conn
    task_id, due = maya.follow_up(1, "next monday 10:00", note="Check the pilot")
    assert due.astimezone(BERLIN).isoformat() == "2026-11-30T10:00:00+01:00"
    task = row(conn, "SELECT kind, status, due_at, note, user_id FROM tasks WHERE id = ?", task_id)
    assert task == {"kind": "follow_up", "status": "open", "due_at": "2026-11-30T09:00:00Z",
                    "note": "Check the pilot", "user_id": 1}
    change = row(conn, "SELECT command, entity, entity_id FROM changes ORDER BY id DESC LIMIT 1")
    assert change == {"command": "schedule_follow_up", "entity": "task", "entity_id": task_id}


@pytest.mark.parametrize("when", ["today 9:00", "2026-11-20", "2026-11-23 13:59", "+0d"])
def test_schedule_follow_up_in_the_past_is_refused(maya, when):
    before = snapshot(maya.store.conn)
    with pytest.raises(InvalidInput) as info:
        maya.follow_up(1, when)
    assert info.value.field == "when"
    assert snapshot(maya.store.conn) == before


def test_schedule_follow_up_with_a_bad_form_or_contact_is_refused(maya):
    before = snapshot(maya.store.conn)
    with pytest.raises(InvalidInput) as info:
        maya.follow_up(1, "someday")
    assert info.value.field == "when"
    with pytest.raises(NotFound):
        maya.follow_up(99, "+2d")
    assert snapshot(maya.store.conn) == before
