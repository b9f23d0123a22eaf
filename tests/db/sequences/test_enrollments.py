"""db/sequences/enrollments.py with db/calls/services.py, db/handoffs/services.py, db/calls/undo.py and
db/sequences/definitions.py: enrolling (and who is
refused), the tick, pause/resume/remove, steps moved on by logged calls, exits on reply, meeting and handoff,
undo, finishing, re-applying a shorter sequence and each sequence's figures.

Times: NOW is Monday 23 Nov 2026 13:00 UTC = 14:00 in Berlin (CET, UTC+1) = 08:00 in New York (EST, UTC-5).
Contacts 1, 2, 5 are in Berlin (DE); 3, 4 in New York (US). None of 23-25 Nov 2026 is a public holiday in DE or
the US (Thanksgiving is Thursday 26 Nov).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.db.calls.services import log_activity
from revdesk.db.sequences.definitions import apply_sequence, sequence_figures
from revdesk.db.sequences.enrollments import change_status, live_enrollment, tick
from revdesk.fixtures import FIXTURES_DIR
from tests.db.helpers import CONTEXT, STAMP, bench, row, rows
from tests.factories import NOW

SEQUENCES = FIXTURES_DIR / "sequences"
MON_DUE_NOW = STAMP  # an inbound follow-up call (*/5 8-18 mon-fri, no wait) enrolled at NOW is due at once
TUE_0800_BERLIN = "2026-11-24T07:00:00Z"  # cold outbound step 1 ("0 8 * * tue-thu") for a Berlin contact
TUE_0800_NEW_YORK = "2026-11-24T13:00:00Z"  # ... and for a New York contact

THREE = """\
key = "three"
name = "Three"

[[steps]]
channel = "task"
note = "Research the account"

[[steps]]
channel = "task"
note = "Find the right person"

[[steps]]
channel = "linkedin"
note = "Connect, no pitch"
"""
TWO = THREE[: THREE.rindex("[[steps]]")]  # the same sequence without its last step


def parallel(key: str, name: str) -> str:
    return (f'key = "{key}"\nname = "{name}"\nallow_parallel = true\n\n'
            '[[steps]]\nchannel = "task"\nnote = "Do it"\n')


@pytest.fixture
def loaded(store):
    for path in sorted(SEQUENCES.glob("*.toml")):
        apply_sequence(store.conn, path.read_text(encoding="utf-8"), path.name, NOW - timedelta(days=1))
    return store


@pytest.fixture
def conn(loaded):
    return loaded.conn


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def enrollment(conn, contact_id: int) -> dict:
    return row(conn, "SELECT * FROM enrollments WHERE contact_id = ? ORDER BY id DESC LIMIT 1", contact_id)


def step_tasks(conn, contact_id: int) -> list[dict]:
    return rows(conn, "SELECT * FROM tasks WHERE contact_id = ? AND enrollment_id IS NOT NULL ORDER BY id",
                contact_id)


def step_task(conn, contact_id: int) -> int:
    """The contact's one open step task."""
    found = [t["id"] for t in step_tasks(conn, contact_id) if t["status"] == "open"]
    assert len(found) == 1, step_tasks(conn, contact_id)
    return found[0]


def step_runs(conn, contact_id: int) -> list[dict]:
    return rows(conn, "SELECT r.step_index, r.channel, r.outcome, r.at, r.user_id, r.activity_id FROM step_runs r"
                      " JOIN enrollments e ON e.id = r.enrollment_id WHERE e.contact_id = ? ORDER BY r.id", contact_id)


def table_counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("enrollments", "tasks", "step_runs", "changes", "activities")}


def cancel_factory_tasks(conn, contact_id: int) -> None:
    """The queue shows one item per contact: the factory's follow-ups would hide the step item."""
    conn.execute("UPDATE tasks SET status = 'cancelled' WHERE contact_id = ? AND enrollment_id IS NULL",
                 (contact_id,))


def step_items(work, contact_id: int) -> list:
    return [i for i in work.queue() if i.contact_id == contact_id and i.kind == "step"]


def reply(work, contact_id: int, outcome: str = "replied"):
    return log_activity(work.store.conn, work.playbook, work.user, contact_id, "email", outcome, work.now())


# -- enrolling ------------------------------------------------------------------------------------------------


def test_enroll_one_contact_is_due_in_the_first_step_window_in_their_timezone(loaded, conn):
    maya = bench(loaded, "maya")
    result = maya.enroll("cold_outbound", [1])
    assert result.refused == {}
    assert len(result.enrollments) == 1
    # Mon 14:00 Berlin, no wait; the window is 08:00 Tue-Thu: Tue 24 Nov 08:00 CET = 07:00 UTC.
    assert enrollment(conn, 1) == {
        "id": result.enrollments[0], "sequence_id": 1, "contact_id": 1, "user_id": 1, "status": "active",
        "step_index": 0, "next_due_at": TUE_0800_BERLIN, "enrolled_at": STAMP, "enrolled_by": 1, "ended_at": None,
        "exit_reason": None}
    change = row(conn, "SELECT * FROM changes WHERE id = ?", result.change_id)
    assert (change["command"], change["entity"], change["user_id"]) == ("enroll", "sequence", 1)
    assert json.loads(change["payload"])["enrollments"] == result.enrollments


def test_a_us_and_a_german_contact_enrolled_at_the_same_moment_are_due_at_different_utc_times(loaded, conn):
    bench(loaded, "maya").enroll("cold_outbound", [1, 3])
    # Both are due at 08:00 on Tuesday, their time: 07:00 UTC in Berlin (UTC+1), 13:00 UTC in New York (UTC-5).
    # (08:00 Monday in New York is not a Tue-Thu morning, so New York waits for Tuesday too.)
    assert enrollment(conn, 1)["next_due_at"] == TUE_0800_BERLIN
    assert enrollment(conn, 3)["next_due_at"] == TUE_0800_NEW_YORK


def test_enrolling_several_refuses_each_contact_that_may_not_go_in_by_name(loaded, conn):
    maya = bench(loaded, "maya")
    conn.execute("UPDATE contacts SET do_not_contact = 1 WHERE id = 2")
    maya.enroll("inbound_follow_up", [5])
    result = maya.enroll("cold_outbound", [1, 2, 3, 5, 99])
    assert result.refused == {
        2: "is marked do-not-contact: never scheduled",
        5: "is already in 'Inbound follow-up'; a contact is in one sequence at a time unless both allow it",
        99: "no such contact",
    }
    assert [enrollment(conn, c)["id"] for c in (1, 3)] == result.enrollments
    assert enrollment(conn, 2) == {}
    payload = json.loads(row(conn, "SELECT payload FROM changes WHERE id = ?", result.change_id)["payload"])
    assert set(payload["refused"]) == {"2", "5", "99"}


def test_a_single_refused_contact_raises_and_writes_nothing(loaded, conn):
    maya = bench(loaded, "maya")
    conn.execute("UPDATE contacts SET do_not_contact = 1 WHERE id = 2")
    before = table_counts(conn)
    with pytest.raises(InvalidInput) as caught:
        maya.enroll("cold_outbound", [2])
    assert (caught.value.field, caught.value.reason) == ("contact", "2 is marked do-not-contact: never scheduled")
    assert table_counts(conn) == before


def test_a_contact_already_in_the_sequence_is_refused(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("cold_outbound", [1])
    before = table_counts(conn)
    with pytest.raises(InvalidInput, match=r"1 is already in 'Cold outbound'$"):
        maya.enroll("cold_outbound", [1])
    assert table_counts(conn) == before


def test_a_second_sequence_needs_both_to_allow_parallel_enrollment(loaded, conn):
    maya = bench(loaded, "maya")
    apply_sequence(conn, parallel("side_a", "Side A"), "side_a.toml", NOW)
    apply_sequence(conn, parallel("side_b", "Side B"), "side_b.toml", NOW)
    maya.enroll("side_a", [1, 5])
    maya.enroll("cold_outbound", [2])
    assert maya.enroll("side_b", [1]).refused == {}  # both allow it
    assert len(rows(conn, "SELECT id FROM enrollments WHERE contact_id = 1 AND status = 'active'")) == 2
    # Cold outbound does not allow company, whichever side it is on.
    with pytest.raises(InvalidInput, match="5 is already in 'Side A'; a contact is in one sequence at a time"):
        maya.enroll("cold_outbound", [5])
    with pytest.raises(InvalidInput, match="2 is already in 'Cold outbound'; a contact is in one sequence"):
        maya.enroll("side_a", [2])
    # Neither allows it.
    with pytest.raises(InvalidInput, match="2 is already in 'Cold outbound'; a contact is in one sequence"):
        maya.enroll("inbound_follow_up", [2])


def test_re_enrolling_is_refused_unless_the_sequence_allows_it(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("cold_outbound", [1])
    maya.change_enrollment(enrollment(conn, 1)["id"], "remove")
    with pytest.raises(InvalidInput, match="1 went through 'Cold outbound' before, and it does not allow"):
        maya.enroll("cold_outbound", [1])

    maya.enroll("inbound_follow_up", [1])  # allow_reenroll = true
    first = enrollment(conn, 1)["id"]
    maya.change_enrollment(first, "remove")
    again = maya.enroll("inbound_follow_up", [1])
    assert again.refused == {}
    statuses = rows(conn, "SELECT e.id, e.status FROM enrollments e JOIN sequences s ON s.id = e.sequence_id"
                          " WHERE e.contact_id = 1 AND s.key = 'inbound_follow_up' ORDER BY e.id")
    assert statuses == [{"id": first, "status": "removed"}, {"id": again.enrollments[0], "status": "active"}]


# -- the tick -------------------------------------------------------------------------------------------------


def test_tick_makes_one_task_per_enrollment_and_step_and_a_second_tick_creates_nothing(loaded, conn):
    bench(loaded, "maya").enroll("cold_outbound", [1, 3])
    # Both are due within a day of NOW (07:00 and 13:00 UTC on Tuesday; the horizon reaches Tue 13:00 UTC),
    # so enrolling gave them their tasks at once.
    assert conn.execute("SELECT COUNT(*) FROM tasks WHERE enrollment_id IS NOT NULL").fetchone()[0] == 2
    # An enrollment written without its task (as generated data is) gets it from the tick.
    conn.execute("INSERT INTO enrollments (sequence_id, contact_id, user_id, status, step_index, next_due_at,"
                 " enrolled_at) SELECT id, 5, 1, 'active', 0, ?, ? FROM sequences WHERE key = 'cold_outbound'",
                 ("2026-11-24T07:00:00Z", STAMP))
    assert tick(conn, NOW) == {"exited_do_not_contact": 0, "steps_due": 1}
    before = table_counts(conn)
    assert tick(conn, NOW) == {"exited_do_not_contact": 0, "steps_due": 0}
    assert tick(conn, NOW + timedelta(hours=1)) == {"exited_do_not_contact": 0, "steps_due": 0}
    assert table_counts(conn) == before  # not even a change record
    tasks = rows(conn, "SELECT user_id, kind, contact_id, account_id, due_at, note, status, step_index FROM tasks"
                       " WHERE enrollment_id IS NOT NULL ORDER BY contact_id")
    assert tasks == [
        {"user_id": 1, "kind": "step", "contact_id": 1, "account_id": 1, "due_at": TUE_0800_BERLIN,
         "note": "Step 1 of 'Cold outbound': email", "status": "open", "step_index": 0},
        {"user_id": 1, "kind": "step", "contact_id": 3, "account_id": 2, "due_at": TUE_0800_NEW_YORK,
         "note": "Step 1 of 'Cold outbound': email", "status": "open", "step_index": 0},
        {"user_id": 1, "kind": "step", "contact_id": 5, "account_id": 1, "due_at": TUE_0800_BERLIN,
         "note": "Step 1 of 'Cold outbound': email", "status": "open", "step_index": 0},
    ]


def test_tick_leaves_steps_due_more_than_a_day_ahead(loaded, conn):
    thursday = at(26, 13)  # 14:00 Berlin: this week's Tue-Thu 08:00 windows are gone
    bench(loaded, "maya", thursday).enroll("cold_outbound", [1])
    # The next 08:00 Tue-Thu is Tuesday 1 December, 08:00 CET = 07:00 UTC: beyond the one-day horizon.
    assert enrollment(conn, 1)["next_due_at"] == "2026-12-01T07:00:00Z"
    assert tick(conn, thursday)["steps_due"] == 0
    assert tick(conn, at(30, 7))["steps_due"] == 1  # Monday 30 Nov 07:00 UTC: now within a day


def test_tick_ends_the_enrollments_of_do_not_contact_contacts_and_cancels_their_steps(loaded, conn):
    bench(loaded, "maya").enroll("cold_outbound", [1, 3])
    tick(conn, NOW)
    conn.execute("UPDATE contacts SET do_not_contact = 1 WHERE id = 3")
    later = NOW + timedelta(minutes=10)
    assert tick(conn, later) == {"exited_do_not_contact": 1, "steps_due": 0}
    ended = enrollment(conn, 3)
    assert (ended["status"], ended["exit_reason"], ended["ended_at"], ended["next_due_at"]) == (
        "exited", "do_not_contact", "2026-11-23T13:10:00Z", None)
    assert [(t["status"], t["closed_at"]) for t in step_tasks(conn, 3)] == [("cancelled", "2026-11-23T13:10:00Z")]
    assert enrollment(conn, 1)["status"] == "active"
    assert [t["status"] for t in step_tasks(conn, 1)] == ["open"]
    assert tick(conn, later) == {"exited_do_not_contact": 0, "steps_due": 0}


# -- the queue, pause, resume, remove -------------------------------------------------------------------------


def test_a_due_step_is_a_step_item_in_its_owners_queue(loaded, conn):
    maya = bench(loaded, "maya")
    cancel_factory_tasks(conn, 1)
    maya.enroll("cold_outbound", [1])
    tick(conn, NOW)
    tuesday_early = bench(loaded, "maya", at(24, 6))  # 07:00 in Berlin, an hour before the step
    [item] = step_items(tuesday_early, 1)
    assert (item.kind, item.step_channel, item.task_id) == ("step", "email", step_task(conn, 1))
    assert item.reason == "Step 1 of 'Cold outbound': email, due 08:00"
    assert item.due_at == at(24, 7)


def test_pause_takes_the_step_out_of_the_queue_and_resume_brings_the_same_task_back(loaded, conn):
    maya = bench(loaded, "maya")
    cancel_factory_tasks(conn, 1)
    maya.enroll("inbound_follow_up", [1])
    tick(conn, NOW)
    task_id = step_task(conn, 1)
    [item] = step_items(maya, 1)
    assert (item.task_id, item.step_channel) == (task_id, "call")
    assert item.reason == "Step 1 of 'Inbound follow-up': call, due 14:00"  # due now, 14:00 Berlin

    enrollment_id = live_enrollment(conn, 1)
    maya.change_enrollment(enrollment_id, "pause")
    assert enrollment(conn, 1)["status"] == "paused"
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", task_id)["status"] == "cancelled"
    assert step_items(maya, 1) == []
    assert tick(conn, NOW) == {"exited_do_not_contact": 0, "steps_due": 0}  # a paused enrollment gets no task

    half_past = bench(loaded, "maya", NOW + timedelta(minutes=30))
    half_past.change_enrollment(enrollment_id, "resume")
    # Scheduled from the resume: 14:30 Berlin is on the */5 grid of 8-18 Mon-Fri, so 13:30 UTC.
    assert (enrollment(conn, 1)["status"], enrollment(conn, 1)["next_due_at"]) == ("active", "2026-11-23T13:30:00Z")
    task = row(conn, "SELECT id, status, due_at, closed_at FROM tasks WHERE enrollment_id = ?", enrollment_id)
    assert task == {"id": task_id, "status": "open", "due_at": "2026-11-23T13:30:00Z", "closed_at": None}
    [item] = step_items(half_past, 1)
    assert (item.task_id, item.reason) == (task_id, "Step 1 of 'Inbound follow-up': call, due 14:30")
    commands = [r["command"] for r in rows(conn, "SELECT command FROM changes WHERE entity = 'enrollment'")]
    assert commands == ["pause_enrollment", "resume_enrollment"]


def test_remove_ends_the_enrollment_and_its_step(loaded, conn):
    maya = bench(loaded, "maya")
    cancel_factory_tasks(conn, 1)
    maya.enroll("inbound_follow_up", [1])
    tick(conn, NOW)
    enrollment_id = live_enrollment(conn, 1)
    maya.change_enrollment(enrollment_id, "remove")
    ended = enrollment(conn, 1)
    assert (ended["status"], ended["ended_at"], ended["next_due_at"], ended["exit_reason"]) == (
        "removed", STAMP, None, None)
    assert [t["status"] for t in step_tasks(conn, 1)] == ["cancelled"]
    assert step_items(maya, 1) == []
    with pytest.raises(InvalidInput, match="is removed; it cannot be paused"):
        maya.change_enrollment(enrollment_id, "pause")
    with pytest.raises(InvalidInput, match="1 is in no sequence"):
        live_enrollment(conn, 1)


def test_only_an_active_enrollment_pauses_and_only_a_paused_one_resumes(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("cold_outbound", [1])
    enrollment_id = live_enrollment(conn, 1, "cold_outbound")
    with pytest.raises(InvalidInput, match="is active; it cannot be resumed"):
        maya.change_enrollment(enrollment_id, "resume")
    with pytest.raises(InvalidInput, match="'stop' is not pause, resume or remove"):
        change_status(conn, maya.user, enrollment_id, "stop", NOW)
    maya.change_enrollment(enrollment_id, "pause")
    with pytest.raises(InvalidInput, match="is paused; it cannot be paused"):
        maya.change_enrollment(enrollment_id, "pause")


# -- steps done by logged activities, and exits ---------------------------------------------------------------


def test_a_call_logged_on_a_call_steps_task_records_the_step_and_schedules_the_next(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("inbound_follow_up", [3])
    tick(conn, NOW)
    task_id = step_task(conn, 3)
    logged = maya.log_call(3, "no_answer", task_id)
    assert step_runs(conn, 3) == [{"step_index": 0, "channel": "call", "outcome": "done", "at": STAMP, "user_id": 1,
                                   "activity_id": logged.activity_id}]
    # Step 2 (e-mail) waits 2 elapsed hours: 15:00 UTC = 10:00 in New York, on the */15 grid of 8-18 Mon-Fri.
    now_at = enrollment(conn, 3)
    assert (now_at["status"], now_at["step_index"], now_at["next_due_at"]) == ("active", 1, "2026-11-23T15:00:00Z")
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", task_id)["status"] == "done"
    activity = row(conn, "SELECT kind, outcome, sequence_step FROM activities WHERE id = ?", logged.activity_id)
    assert activity == {"kind": "call", "outcome": "no_answer", "sequence_step": "inbound_follow_up:1"}
    assert tick(conn, NOW)["steps_due"] == 0  # working the step gave the next one its task at once
    assert [(t["step_index"], t["status"], t["due_at"]) for t in step_tasks(conn, 3)] == [
        (0, "done", STAMP), (1, "open", "2026-11-23T15:00:00Z")]


def test_a_reply_ends_the_enrollment_and_cancels_its_step_task(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("cold_outbound", [1])
    tick(conn, NOW)  # the step task is due Tuesday
    reply(maya, 1)
    ended = enrollment(conn, 1)
    assert (ended["status"], ended["exit_reason"], ended["ended_at"], ended["next_due_at"], ended["step_index"]) == (
        "exited", "reply", STAMP, None, 0)
    assert [t["status"] for t in step_tasks(conn, 1)] == ["cancelled"]
    assert step_runs(conn, 1) == []


def test_a_bounce_ends_the_enrollment_with_bounce(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("cold_outbound", [1])
    reply(maya, 1, "bounced")
    assert (enrollment(conn, 1)["status"], enrollment(conn, 1)["exit_reason"]) == ("exited", "bounce")


def test_a_sent_email_outside_the_sequence_does_not_end_it(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("cold_outbound", [1])
    reply(maya, 1, "sent")
    assert enrollment(conn, 1)["status"] == "active"


def test_a_reply_on_the_day_a_call_step_is_due_does_not_count_the_call_as_done(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("inbound_follow_up", [3])
    tick(conn, NOW)  # the call step is due now
    reply(maya, 3)
    assert enrollment(conn, 3)["exit_reason"] == "reply"
    assert step_runs(conn, 3) == []
    assert [t["status"] for t in step_tasks(conn, 3)] == ["cancelled"]


def test_a_meeting_booked_call_ends_the_enrollment_and_cancels_its_step_task(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("cold_outbound", [3])
    tick(conn, NOW)  # due Tuesday 13:00 UTC: not closed by today's call
    maya.log_call(3, "meeting_booked")
    ended = enrollment(conn, 3)
    assert (ended["status"], ended["exit_reason"], ended["ended_at"], ended["next_due_at"]) == (
        "exited", "meeting", STAMP, None)
    assert [t["status"] for t in step_tasks(conn, 3)] == ["cancelled"]


def test_a_meeting_booked_on_the_call_steps_task_does_the_step_then_ends(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("inbound_follow_up", [4])
    tick(conn, NOW)
    logged = maya.log_call(4, "meeting_booked", step_task(conn, 4))
    assert [(r["step_index"], r["outcome"], r["activity_id"]) for r in step_runs(conn, 4)] == [
        (0, "done", logged.activity_id)]
    ended = enrollment(conn, 4)
    assert (ended["status"], ended["exit_reason"], ended["step_index"], ended["next_due_at"]) == (
        "exited", "meeting", 1, None)
    assert tick(conn, NOW)["steps_due"] == 0


def test_sending_a_handoff_ends_the_contacts_sequence_with_handoff(loaded, conn):
    maya, tom = bench(loaded, "maya"), bench(loaded, "tom")
    maya.enroll("cold_outbound", [1])
    maya.log_call(1, "connected")  # contact 1 reaches the SQL threshold (70); its step is not due today
    tick(conn, NOW)
    assert enrollment(conn, 1)["status"] == "active"
    result = maya.send_handoff("sdr_ae", tom.user.id, CONTEXT, contact_id=1)
    ended = enrollment(conn, 1)
    assert (ended["status"], ended["exit_reason"], ended["ended_at"]) == ("exited", "handoff", STAMP)
    assert [t["status"] for t in step_tasks(conn, 1)] == ["cancelled"]
    payload = json.loads(row(conn, "SELECT payload FROM changes WHERE id = ?", result.change_id)["payload"])
    assert [e["enrollment_id"] for e in payload["exited"]] == [ended["id"]]


def test_a_handoff_does_not_strand_a_sequence_that_keeps_running(loaded, conn):
    maya, tom = bench(loaded, "maya"), bench(loaded, "tom")
    source = parallel("keeps_going", "Keeps going").replace("allow_parallel = true", 'exit_on = ["reply"]')
    apply_sequence(conn, source, "keeps_going.toml", NOW)
    maya.enroll("keeps_going", [1])
    maya.log_call(1, "connected")
    tick(conn, NOW)
    maya.send_handoff("sdr_ae", tom.user.id, CONTEXT, contact_id=1)
    tick(conn, NOW)
    assert enrollment(conn, 1)["status"] == "active"  # it does not exit on handoff
    assert [t["status"] for t in step_tasks(conn, 1)] == ["open"]  # ... so its due step is still to do


# -- undo -----------------------------------------------------------------------------------------------------


def test_undoing_a_call_that_did_a_step_puts_the_enrollment_and_task_back(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("inbound_follow_up", [3])
    tick(conn, NOW)
    task_id = step_task(conn, 3)
    before = enrollment(conn, 3)
    logged = maya.log_call(3, "no_answer", task_id)
    assert enrollment(conn, 3)["step_index"] == 1
    maya.undo()
    assert enrollment(conn, 3) == before  # step_index 0, due now, active
    assert row(conn, "SELECT status, closed_at FROM tasks WHERE id = ?", task_id) == {"status": "open",
                                                                                      "closed_at": None}
    assert step_runs(conn, 3) == []
    assert row(conn, "SELECT undone_at FROM activities WHERE id = ?", logged.activity_id)["undone_at"] == STAMP
    follow_up = row(conn, "SELECT status FROM tasks WHERE id = ?", logged.follow_up_task_id)
    assert follow_up["status"] == "cancelled"


def test_undoing_a_meeting_booked_call_restores_an_exited_enrollment(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("inbound_follow_up", [4])
    tick(conn, NOW)
    task_id = step_task(conn, 4)
    before = enrollment(conn, 4)
    maya.log_call(4, "meeting_booked", task_id)
    assert enrollment(conn, 4)["status"] == "exited"
    maya.undo()
    assert enrollment(conn, 4) == before
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", task_id)["status"] == "open"
    assert step_runs(conn, 4) == []


def test_undo_after_a_tick_leaves_no_task_for_the_step_that_was_undone(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("inbound_follow_up", [4])
    tick(conn, NOW)
    task_id = step_task(conn, 4)
    maya.log_call(4, "no_answer", task_id)
    tick(conn, NOW)
    assert [t["step_index"] for t in step_tasks(conn, 4) if t["status"] == "open"] == [1]  # due 15:00 UTC
    maya.undo()
    assert enrollment(conn, 4)["step_index"] == 0
    assert [(t["step_index"], t["status"]) for t in step_tasks(conn, 4) if t["status"] == "open"] == [(0, "open")]


# -- finishing ------------------------------------------------------------------------------------------------


def test_doing_the_last_step_finishes_the_enrollment(loaded, conn):
    maya = bench(loaded, "maya")
    apply_sequence(conn, TWO, "two.toml", NOW)
    maya.enroll("three", [1])
    for step in (0, 1):
        tick(conn, NOW)  # task steps without a wait or window are due at once on a business day
        assert enrollment(conn, 1)["step_index"] == step
        maya.complete_step(step_task(conn, 1))
    done = enrollment(conn, 1)
    assert (done["status"], done["step_index"], done["ended_at"], done["next_due_at"], done["exit_reason"]) == (
        "finished", 2, STAMP, None, None)
    assert [(r["step_index"], r["outcome"]) for r in step_runs(conn, 1)] == [(0, "done"), (1, "done")]
    assert tick(conn, NOW)["steps_due"] == 0


def test_re_applying_a_shorter_sequence_finishes_the_enrollments_past_its_end(loaded, conn):
    maya = bench(loaded, "maya")
    apply_sequence(conn, THREE, "three.toml", NOW)
    maya.enroll("three", [1, 3])
    for _ in (0, 1):
        tick(conn, NOW)
        maya.complete_step(step_task(conn, 1))
    assert enrollment(conn, 1)["step_index"] == 2
    later = NOW + timedelta(hours=1)
    stored = apply_sequence(conn, TWO, "three.toml", later)
    assert len(stored.sequence.steps) == 2
    done, waiting = enrollment(conn, 1), enrollment(conn, 3)
    assert (done["status"], done["ended_at"], done["next_due_at"]) == ("finished", "2026-11-23T14:00:00Z", None)
    assert (waiting["status"], waiting["step_index"], waiting["next_due_at"]) == ("active", 0, STAMP)
    change = row(conn, "SELECT payload FROM changes WHERE command = 'apply_sequence' ORDER BY id DESC LIMIT 1")
    assert json.loads(change["payload"])["replaced"] is True
    assert conn.execute("SELECT COUNT(*) FROM sequences WHERE key = 'three'").fetchone()[0] == 1


def test_re_applying_a_shorter_sequence_cancels_the_steps_that_no_longer_exist(loaded, conn):
    maya = bench(loaded, "maya")
    cancel_factory_tasks(conn, 1)
    apply_sequence(conn, THREE, "three.toml", NOW)
    maya.enroll("three", [1])
    for _ in (0, 1):
        tick(conn, NOW)
        maya.complete_step(step_task(conn, 1))
    tick(conn, NOW)  # step 3's task
    assert [t["status"] for t in step_tasks(conn, 1)] == ["done", "done", "open"]
    apply_sequence(conn, TWO, "three.toml", NOW)
    assert [t["status"] for t in step_tasks(conn, 1)] == ["done", "done", "cancelled"]
    assert [i for i in maya.queue() if i.contact_id == 1] == []


# -- figures --------------------------------------------------------------------------------------------------


def test_sequence_figures_count_enrollments_exits_and_steps(loaded, conn):
    maya = bench(loaded, "maya")
    maya.enroll("inbound_follow_up", [1, 2, 3, 4, 5])
    # every first call is due now (14:00 Berlin, 08:00 New York): each got its task on enrolling
    assert conn.execute("SELECT COUNT(*) FROM tasks WHERE enrollment_id IS NOT NULL").fetchone()[0] == 5
    maya.log_call(1, "no_answer", step_task(conn, 1))  # step 1 done; waits on step 2
    maya.skip_step(step_task(conn, 2))  # step 1 skipped; waits on step 2...
    reply(maya, 2)  # ... and replies (its step 2 has no task yet)
    maya.log_call(3, "meeting_booked", step_task(conn, 3))  # step 1 done, then a meeting
    maya.change_enrollment(live_enrollment(conn, 4), "pause")
    maya.change_enrollment(live_enrollment(conn, 5), "remove")
    maya.enroll("cold_outbound", [5])
    reply(maya, 5, "bounced")

    figures = {f.key: f.to_json() for f in sequence_figures(conn)}
    assert list(figures) == ["cold_outbound", "dormant_reengagement", "inbound_follow_up"]  # by name
    inbound = figures["inbound_follow_up"]
    assert {k: v for k, v in inbound.items() if k != "steps"} == {
        "key": "inbound_follow_up", "name": "Inbound follow-up", "enrolled": 5, "active": 1, "paused": 1,
        "finished": 0, "removed": 1, "exited": {"reply": 1, "meeting": 1},
        "replied_pct": 20.0, "meetings_pct": 20.0, "bounced": 0}  # 1 of 5 each
    steps = inbound["steps"]
    assert [s["channel"] for s in steps] == ["call", "email", "call", "call", "email", "call", "email"]
    # Everyone reached step 1; contacts 1, 2 and 3 moved on to step 2 (2 and 3 then left from there).
    assert steps[0] == {"step": 1, "channel": "call", "reached": 5, "done": 2, "skipped": 1, "exits": {}}
    assert steps[1] == {"step": 2, "channel": "email", "reached": 3, "done": 0, "skipped": 0,
                        "exits": {"reply": 1, "meeting": 1}}
    assert all(s["reached"] == 0 for s in steps[2:])

    cold = figures["cold_outbound"]
    assert (cold["enrolled"], cold["exited"], cold["bounced"], cold["replied_pct"], cold["meetings_pct"]) == (
        1, {"bounce": 1}, 1, 0.0, 0.0)
    assert cold["steps"][0]["exits"] == {"bounce": 1}
    dormant = figures["dormant_reengagement"]
    assert (dormant["enrolled"], dormant["replied_pct"], dormant["meetings_pct"], dormant["bounced"]) == (
        0, None, None, 0)
