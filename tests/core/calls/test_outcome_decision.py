"""What logging an activity changes, decided without a database (core.calls.outcome): status and lifecycle
moves with history, tasks closed, steps done, sequences exited, the score and the MQL move, the follow-up,
and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.calls.follow_up import decide_follow_up
from revdesk.core.calls.outcome import (
    AccountState,
    ContactState,
    EnrollmentState,
    NextStep,
    OpenTask,
    OutcomeRequest,
    OutcomeState,
    ScoreState,
    decide_outcome,
)
from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import to_stored
from revdesk.core.dormancy.definition import DormantAccount
from revdesk.core.playbook.check import parse_playbook
from revdesk.core.playbook.model import Playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # a Monday, 14:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")
PLAYBOOK: Playbook = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))


def request(kind: str = "call", outcome: str | None = "connected", role: str = "sdr", **extra) -> OutcomeRequest:
    return OutcomeRequest(7, role, BERLIN, 1, kind, outcome, extra.pop("occurred", NOW), NOW, **extra)


def contact(**changes) -> ContactState:
    values = {"id": 1, "account_id": None, "lead_status": "new", "lifecycle_stage": "lead", "first_touch_at": None,
              "last_touch_at": None, "zone": BERLIN, "do_not_contact": False} | changes
    return ContactState(**values)


def state(**changes) -> OutcomeState:
    values: dict = {"contact": contact(), "sequence_step": None} | changes
    return OutcomeState(**values)


def test_a_first_connect_moves_a_new_lead_forward_with_its_history() -> None:
    decision = decide_outcome(request(), state(), PLAYBOOK)
    touch = decision.touch
    assert touch is not None
    assert (touch.lead_status, touch.lifecycle_stage) == ("connected", "sal")
    assert [(m.axis, m.before, m.after, m.reason) for m in touch.history] == [
        ("lead_status", "new", "connected", "Connected call"), ("lifecycle", "lead", "sal", "Connected call")]
    assert touch.first_touch_at == touch.last_touch_at == to_stored(NOW)
    assert decision.activity.lead_status == "new"  # the status when it happened
    assert decision.follow_up is None and decision.closed_tasks == () and decision.score is None


def test_a_note_is_no_touch_and_may_be_written_on_a_do_not_contact_person() -> None:
    decision = decide_outcome(request("note", None, note="hi"), state(contact=contact(do_not_contact=True)),
                              PLAYBOOK)
    assert decision.touch is None and decision.activity.note == "hi" and decision.lifecycle_after is None


def test_refusals_name_the_field() -> None:
    with pytest.raises(InvalidInput, match="do-not-contact"):
        decide_outcome(request(), state(contact=contact(do_not_contact=True)), PLAYBOOK)
    with pytest.raises(InvalidInput) as bad:
        decide_outcome(request(outcome="shouted"), state(), PLAYBOOK)
    assert bad.value.field == "outcome"
    with pytest.raises(InvalidInput, match="future"):
        decide_outcome(request(occurred=NOW + timedelta(hours=1)), state(), PLAYBOOK)
    with pytest.raises(InvalidInput, match="not an open task"):
        decide_outcome(request(task_id=99), state(), PLAYBOOK)


def test_a_voicemail_schedules_the_playbooks_follow_up_in_working_hours() -> None:
    decision = decide_outcome(request(outcome="voicemail"), state(), PLAYBOOK)
    assert decision.follow_up is not None
    assert decision.follow_up.note == "Voicemail" and decision.follow_up.kind == "follow_up"
    assert decision.follow_up.due.astimezone(BERLIN).date() == (NOW + timedelta(days=2)).date()


def test_tasks_due_today_close_but_a_step_only_when_this_touch_is_what_it_asks_for() -> None:
    tasks = (OpenTask(1, to_stored(NOW - timedelta(hours=2))),
             OpenTask(2, to_stored(NOW + timedelta(days=3))),
             OpenTask(3, to_stored(NOW - timedelta(hours=1)), enrollment_id=5, step_index=0, channel="email"),
             OpenTask(4, to_stored(NOW - timedelta(hours=1)), enrollment_id=6, step_index=1, channel="call"))
    decision = decide_outcome(request(), state(open_tasks=tasks), PLAYBOOK)
    assert decision.closed_tasks == (1, 4)
    decision = decide_outcome(request(task_id=2), state(open_tasks=tasks), PLAYBOOK)
    assert decision.closed_tasks == (1, 2, 4)


def test_a_done_step_advances_its_enrollment_and_a_booked_meeting_exits_it() -> None:
    due = NOW + timedelta(days=2)
    tasks = (OpenTask(4, to_stored(NOW), enrollment_id=6, step_index=1, channel="call"),)
    live = (EnrollmentState(6, "active", 1, to_stored(NOW), ("meeting", "reply"), NextStep("call", due)),
            EnrollmentState(8, "paused", 0, None, ("bounce",)))
    decision = decide_outcome(request(outcome="meeting_booked", task_id=4),
                              state(open_tasks=tasks, enrollments=live, exit_reason="meeting"), PLAYBOOK)
    [advance] = decision.advances
    assert (advance.enrollment_id, advance.step_index, advance.next_due, advance.next_due_at_before) == (
        6, 1, due, to_stored(NOW))
    [exit_] = decision.exits
    assert (exit_.enrollment_id, exit_.status, exit_.next_due_at, exit_.reason) == (6, "active", to_stored(due),
                                                                                      "meeting")


def test_the_last_step_finishes_the_enrollment_so_it_does_not_exit() -> None:
    tasks = (OpenTask(4, to_stored(NOW), enrollment_id=6, step_index=2, channel="call"),)
    live = (EnrollmentState(6, "active", 2, to_stored(NOW), ("meeting",), NextStep("call", None)),)
    decision = decide_outcome(request(outcome="meeting_booked"),
                              state(open_tasks=tasks, enrollments=live, exit_reason="meeting"), PLAYBOOK)
    assert decision.advances[0].next_due is None and decision.exits == ()


def test_a_scored_event_adds_to_the_score_and_reaching_the_threshold_makes_an_mql() -> None:
    never = ScoreState(None, None, None, facts={}, history={"inbound_request": (1.0, 1)})
    decision = decide_outcome(request(outcome="meeting_booked", role="ae"), state(score=never), PLAYBOOK)
    assert decision.score is not None and decision.score.total == 45
    assert decision.score.mql is not None and decision.lifecycle_after == "mql"
    assert decision.score.before == {"score": None, "score_detail": None, "score_at": None}
    small = decide_outcome(request(role="ae"), state(score=ScoreState(None, None, None)), PLAYBOOK)
    assert small.score is not None and small.score.total == 10 and small.score.mql is None


def test_a_touch_on_a_dormant_account_revives_it_and_moves_its_last_touch() -> None:
    quiet = NOW - timedelta(days=400)
    dormant = DormantAccount(3, "Acme", None, None, None, 5000.0, "EUR", None, None, quiet, 400, 5000.0, None, None)
    decision = decide_outcome(request(), state(contact=contact(account_id=3),
                                               account=AccountState(3, to_stored(quiet), dormant)), PLAYBOOK)
    assert decision.touch is not None and decision.touch.revival is dormant
    assert (decision.touch.account_before, decision.touch.account_after) == (to_stored(quiet), to_stored(NOW))


def test_a_follow_up_is_read_in_the_contacts_time_and_never_in_the_past() -> None:
    follow = decide_follow_up("tomorrow 9:00", BERLIN, NOW, "call back")
    assert follow.due == datetime(2026, 11, 24, 8, 0, tzinfo=UTC) and follow.note == "call back"
    with pytest.raises(InvalidInput, match="past"):
        decide_follow_up("today 8:00", BERLIN, NOW)
