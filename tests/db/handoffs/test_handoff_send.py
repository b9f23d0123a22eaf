"""Sending an SDR-to-AE handoff (db/handoffs/services.py through the Workbench): every refusal named, nothing written
on bad input, and what a valid send writes (see tests/db/helpers.py for the factory facts)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from revdesk.core.calls.queue import HANDOFF_PAST_SLA, HANDOFF_PENDING
from revdesk.core.common.errors import InvalidFields, InvalidInput
from revdesk.core.common.when import to_stored
from revdesk.db.handoffs.queries import get_handoff
from tests.db.helpers import (
    CONTEXT,
    STAMP,
    TEXT_FIELDS,
    bench,
    counts,
    refused,
    row,
    rows,
    snapshot,
)
from tests.factories import NOW

# --- the score the factory promises -----------------------------------------------------------------------


def test_contact_1_scores_60_and_a_connected_call_makes_70(maya):
    score = maya.score(1)
    assert score.total == 60
    assert [(x.rule, x.points) for x in score.lines] == [
        ("Senior title", 20.0), ("Target industry", 15.0), ("Company size 50-5000", 15.0), ("Core market", 10.0)]
    maya.log_call(1, "connected")
    score = maya.score(1)
    assert (score.total, score.sql_threshold, score.level) == (70, 70, "sql")
    assert ("Conversation", 10.0) in [(x.rule, x.points) for x in score.lines]


# --- refusals: each field, and all of them at once ---------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "tbd", "N/A", "-", "...", "TBD.", "short", "eleven char"],
                         ids=["absent", "empty", "blank", "tbd", "N/A", "dash", "dots", "TBD.", "5-chars", "11-chars"])
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_each_text_field_missing_placeholder_or_short_is_named(ready, tom, field, value):
    conn = ready.store.conn
    context = dict(CONTEXT)
    if value is None:
        del context[field]
    else:
        context[field] = value
    before = snapshot(conn)
    problems = refused(ready.send_handoff, "sdr_ae", tom.user.id, context, contact_id=1)
    assert [f for f, _ in problems] == [field]
    reason = problems[0][1]
    if value is None or not value.strip():
        assert reason.startswith("is missing")
    elif value in ("short", "eleven char"):
        assert reason == f"is too short ({len(value)} characters; say it in at least 12)"
    else:
        assert "is a placeholder" in reason
    assert snapshot(conn) == before


def test_twelve_characters_is_long_enough(ready, tom):
    context = dict(CONTEXT, pain="x" * 11 + "y")
    assert len(context["pain"]) == 12
    result = ready.send_handoff("sdr_ae", tom.user.id, context, contact_id=1)
    assert json.loads(row(ready.store.conn, "SELECT context FROM handoffs WHERE id = ?",
                          result.handoff_id)["context"])["pain"] == "xxxxxxxxxxxy"


@pytest.mark.parametrize(("value", "reason"), [
    (None, "is missing: who approves the decision"),
    ("tbd", "'tbd' is a placeholder: who approves the decision"),
    ("Lea Fischer", "must be the id of a contact at the account, not 'Lea Fischer'"),
    ("3", "contact 3 is not at this account"),
    ("99", "contact 99 is not at this account"),
], ids=["absent", "placeholder", "a-name", "other-account", "unknown"])
def test_the_approver_must_be_a_contact_at_the_account(ready, tom, value, reason):
    conn = ready.store.conn
    context = dict(CONTEXT)
    if value is None:
        del context["approver"]
    else:
        context["approver"] = value
    before = snapshot(conn)
    assert refused(ready.send_handoff, "sdr_ae", tom.user.id, context, contact_id=1) == [("approver", reason)]
    assert snapshot(conn) == before


def test_the_approver_may_be_given_as_a_number(ready, tom):
    result = ready.send_handoff("sdr_ae", tom.user.id, dict(CONTEXT, approver=2), contact_id=1)
    stored = json.loads(row(ready.store.conn, "SELECT context FROM handoffs WHERE id = ?",
                            result.handoff_id)["context"])
    assert stored["approver"] == "2"


def test_an_unknown_field_is_refused(ready, tom):
    conn = ready.store.conn
    before = snapshot(conn)
    problems = refused(ready.send_handoff, "sdr_ae", tom.user.id, dict(CONTEXT, colour="Blue like the sea"),
                       contact_id=1)
    assert problems == [("colour", "is not a field of the SDR to AE handoff"
                                   " (fields: approver, budget, impact, next_step, pain, trigger)")]
    assert snapshot(conn) == before


def test_every_problem_is_reported_together_and_nothing_is_written(maya):
    """No call yet (score 60), the wrong recipient and a context wrong in every way: one refusal names all."""
    conn = maya.store.conn
    ines = 3
    context = {"pain": "tbd", "trigger": "too short", "approver": "3", "budget": "N/A", "next_step": "...",
               "colour": "Blue like the sea"}
    before, rows_before = snapshot(conn), counts(conn)
    with pytest.raises(InvalidFields) as caught:
        maya.send_handoff("sdr_ae", ines, context, contact_id=1)
    problems = caught.value.problems
    assert [f for f, _ in problems] == ["to", "score", "colour", "pain", "impact", "trigger", "approver", "budget",
                                        "next_step"]
    reasons = dict(problems)
    assert reasons["to"] == "ines is sdr; this handoff goes to a user with role ae"
    assert reasons["score"].startswith("is 60, below the SQL threshold 70")
    assert reasons["pain"] == "'tbd' is a placeholder: pain that started the conversation"
    assert reasons["impact"] == "is missing: business impact that justifies the investment"
    assert reasons["trigger"] == "is too short (9 characters; say it in at least 12)"
    assert reasons["approver"] == "contact 3 is not at this account"
    assert reasons["budget"] == "'N/A' is a placeholder: budget and timing"
    assert reasons["next_step"] == "'...' is a placeholder: agreed next step"
    # The message carries all of them too, and the first is the exception's field.
    assert caught.value.field == "to"
    for field in reasons:
        assert f"{field}: " in str(caught.value)
    assert counts(conn) == rows_before
    assert snapshot(conn) == before


def test_a_score_below_the_sql_threshold_is_refused_with_its_explanation(maya, tom):
    conn = maya.store.conn
    before = snapshot(conn)
    problems = refused(maya.send_handoff, "sdr_ae", tom.user.id, CONTEXT, contact_id=1)
    assert problems == [("score", "is 60, below the SQL threshold 70 (Senior title +20, Target industry +15,"
                                  " Company size 50-5000 +15, Core market +10)")]
    assert snapshot(conn) == before


def test_a_voicemail_is_not_a_conversation_and_leaves_the_score_at_60(maya, tom):
    maya.log_call(1, "voicemail")
    assert [f for f, _ in refused(maya.send_handoff, "sdr_ae", tom.user.id, CONTEXT, contact_id=1)] == ["score"]


@pytest.mark.parametrize(("to", "reason"), [
    (3, "ines is sdr; this handoff goes to a user with role ae"),
    (1, "you cannot hand off to yourself"),
    (None, "choose who receives it (a user with role ae)"),
], ids=["an-sdr", "yourself", "nobody"])
def test_the_recipient_must_be_an_ae(ready, to, reason):
    conn = ready.store.conn
    before = snapshot(conn)
    assert refused(ready.send_handoff, "sdr_ae", to, CONTEXT, contact_id=1) == [("to", reason)]
    assert snapshot(conn) == before


def test_an_unknown_recipient_is_named_not_a_crash(ready):
    with pytest.raises(InvalidInput) as caught:
        ready.send_handoff("sdr_ae", 99, CONTEXT, contact_id=1)
    assert caught.value.field == "to"


def test_a_second_pending_handoff_for_the_same_contact_is_refused(ready, tom, sent):
    conn = ready.store.conn
    before = snapshot(conn)
    problems = refused(ready.send_handoff, "sdr_ae", tom.user.id, CONTEXT, contact_id=1)
    assert problems == [("contact", f"already handed off: handoff {sent} waits for Tom Reyes")]
    assert snapshot(conn) == before


def test_another_sdr_cannot_send_it_again_either(ready, store, tom, sent):
    ines = bench(store, "ines")
    problems = refused(ines.send_handoff, "sdr_ae", tom.user.id, CONTEXT, contact_id=1)
    assert ("contact", f"already handed off: handoff {sent} waits for Tom Reyes") in problems


def test_do_not_contact_is_refused(ready, tom):
    conn = ready.store.conn
    conn.execute("UPDATE contacts SET do_not_contact = 1 WHERE id = 1")
    before = snapshot(conn)
    assert refused(ready.send_handoff, "sdr_ae", tom.user.id, CONTEXT, contact_id=1) == [
        ("contact", "1 is marked do-not-contact")]
    assert snapshot(conn) == before


def test_an_unknown_kind_and_a_missing_contact_are_refused(ready, tom):
    with pytest.raises(InvalidInput) as caught:
        ready.send_handoff("sdr_cs", tom.user.id, CONTEXT, contact_id=1)
    assert caught.value.field == "kind"
    with pytest.raises(InvalidInput) as caught:
        ready.send_handoff("sdr_ae", tom.user.id, CONTEXT)
    assert caught.value.field == "contact"


# --- a valid send -----------------------------------------------------------------------------------------


def test_a_valid_send_writes_the_handoff_qualifies_the_contact_and_cancels_my_tasks(ready, tom):
    conn = ready.store.conn
    open_before = [r["id"] for r in rows(conn, "SELECT id FROM tasks WHERE user_id = 1 AND contact_id = 1"
                                               " AND status = 'open'")]
    assert len(open_before) == 1  # the +2d follow-up (the overdue task 1 was closed by the call)
    history_before = counts(conn)["status_history"]
    changes_before = counts(conn)["changes"]

    result = ready.send_handoff("sdr_ae", tom.user.id, CONTEXT, contact_id=1)

    handoff = row(conn, "SELECT * FROM handoffs WHERE id = ?", result.handoff_id)
    assert {k: handoff[k] for k in ("kind", "from_user_id", "to_user_id", "contact_id", "account_id", "deal_id",
                                    "status", "created_at", "sla_due_at", "decided_at", "reject_reason")} == {
        "kind": "sdr_ae", "from_user_id": 1, "to_user_id": 2, "contact_id": 1, "account_id": 1, "deal_id": None,
        "status": "pending", "created_at": STAMP, "sla_due_at": to_stored(NOW + timedelta(hours=24)),
        "decided_at": None, "reject_reason": None}
    assert json.loads(handoff["context"]) == CONTEXT
    assert result.sla_due_at == NOW + timedelta(hours=24)
    assert result.deal_id is None

    assert row(conn, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == {
        "lead_status": "qualified", "lifecycle_stage": "sql"}
    history = rows(conn, "SELECT axis, from_value, to_value, changed_by, changed_at, reason FROM status_history"
                         " WHERE id > ? ORDER BY id", history_before)
    assert history == [
        {"axis": "lead_status", "from_value": "connected", "to_value": "qualified", "changed_by": 1,
         "changed_at": STAMP, "reason": "Handoff sent to Tom Reyes"},
        {"axis": "lifecycle", "from_value": "sal", "to_value": "sql", "changed_by": 1, "changed_at": STAMP,
         "reason": "Handoff sent to Tom Reyes"},
    ]
    for task_id in open_before:
        assert row(conn, "SELECT status, closed_at FROM tasks WHERE id = ?", task_id) == {
            "status": "cancelled", "closed_at": STAMP}
    assert rows(conn, "SELECT id FROM tasks WHERE user_id = 1 AND contact_id = 1 AND status IN ('open', 'snoozed')"
                ) == []
    # Other contacts' tasks are untouched.
    assert {r["status"] for r in rows(conn, "SELECT status FROM tasks WHERE contact_id IN (2, 5)")} == {"open"}

    change = rows(conn, "SELECT * FROM changes WHERE id > ?", changes_before)
    assert len(change) == 1
    assert change[0]["id"] == result.change_id
    assert {k: change[0][k] for k in ("command", "entity", "entity_id", "user_id", "at")} == {
        "command": "send_handoff", "entity": "handoff", "entity_id": result.handoff_id, "user_id": 1, "at": STAMP}
    payload = json.loads(change[0]["payload"])
    assert payload == {"kind": "sdr_ae", "to": "tom", "contact_id": 1, "deal_id": None,
                       "cancelled_tasks": open_before}
    assert get_handoff(conn, result.handoff_id).status == "pending"


def test_the_stored_context_is_trimmed(ready, tom):
    padded = {k: f"  {v}  " for k, v in CONTEXT.items()}
    result = ready.send_handoff("sdr_ae", tom.user.id, padded, contact_id=1)
    assert json.loads(row(ready.store.conn, "SELECT context FROM handoffs WHERE id = ?",
                          result.handoff_id)["context"]) == CONTEXT


def test_the_handoff_is_first_in_the_aes_queue(ready, store, tom, sent):
    conn = store.conn
    conn.execute("INSERT INTO tasks (user_id, kind, contact_id, account_id, due_at, note, created_at)"
                 " VALUES (2, 'follow_up', 3, 2, ?, 'Check on the pilot', ?)",
                 (to_stored(NOW - timedelta(hours=3)), to_stored(NOW - timedelta(days=1))))
    items = tom.queue()
    assert [(i.kind, i.contact_id) for i in items] == [("handoff", 1), ("follow_up", 3)]
    first = items[0]
    assert first.handoff_id == sent
    assert first.urgency == HANDOFF_PENDING
    assert first.due_at == NOW + timedelta(hours=24)
    assert first.reason == "Handoff from Maya Koch: 1 day left to accept or reject"
    assert (first.contact_name, first.account_name) == ("Jonas Weber", "Nordwind Logistik GmbH")
    # It is the AE's: not in the sender's queue.
    assert "handoff" not in {i.kind for i in ready.queue()}


def test_past_its_sla_the_handoff_ranks_as_past_sla(store, sent):
    later = bench(store, "tom", NOW + timedelta(hours=25))
    first = later.queue()[0]
    assert (first.kind, first.handoff_id, first.urgency) == ("handoff", sent, HANDOFF_PAST_SLA)
    assert "past its SLA" in first.reason
    assert first.reason == "Handoff from Maya Koch, 1 h past its SLA: accept or reject"
    assert get_handoff(store.conn, sent).past_sla(NOW + timedelta(hours=25))
    # An hour before the SLA it is still merely pending.
    before = bench(store, "tom", NOW + timedelta(hours=23)).queue()[0]
    assert before.urgency == HANDOFF_PENDING
    assert before.reason == "Handoff from Maya Koch: 1 h left to accept or reject"


def test_at_the_sla_moment_queue_and_list_agree(store, sent):
    due = NOW + timedelta(hours=24)
    item = bench(store, "tom", due).queue()[0]
    assert (item.urgency == HANDOFF_PAST_SLA) == get_handoff(store.conn, sent).past_sla(due)
