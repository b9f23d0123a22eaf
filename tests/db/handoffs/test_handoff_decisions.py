"""Accepting and rejecting handoffs, the AE-to-customer-success handoff, and the database rule that a deal
leaves an SDR only through an accepted handoff (see tests/db/helpers.py for the factory facts)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from revdesk.core.calls.queue import FOLLOW_UP_OVERDUE
from revdesk.core.common.errors import InvalidFields, InvalidInput
from revdesk.core.common.when import to_stored
from tests.db.helpers import (
    CONTEXT,
    CS_CONTEXT,
    STAMP,
    add_user,
    bench,
    counts,
    refused,
    row,
    rows,
    snapshot,
)
from tests.factories import NOW

# --- accept -----------------------------------------------------------------------------------------------


def test_only_the_addressed_ae_may_accept(ready, store, sent):
    conn = store.conn
    before = snapshot(conn)
    for who in (ready, bench(store, "ines")):
        with pytest.raises(InvalidInput) as caught:
            who.accept_handoff(sent)
        assert caught.value.field == "as"
        assert "addressed to tom" in caught.value.reason
    assert snapshot(conn) == before


def test_accepting_opens_a_deal_owned_by_the_ae_with_history(store, tom, sent):
    conn = store.conn
    history_before = counts(conn)["status_history"]
    result = tom.accept_handoff(sent)

    deal = row(conn, "SELECT * FROM deals WHERE id = ?", result.deal_id)
    assert {k: deal[k] for k in ("account_id", "primary_contact_id", "name", "stage", "owner_id", "source",
                                 "handoff_id", "created_at", "stage_entered_at", "amount", "won", "closed_at")} == {
        "account_id": 1, "primary_contact_id": 1, "name": "Nordwind Logistik GmbH – new business",
        "stage": "discovery", "owner_id": 2, "source": "SDR handoff", "handoff_id": sent, "created_at": STAMP,
        "stage_entered_at": STAMP, "amount": None, "won": None, "closed_at": None}
    assert rows(conn, "SELECT from_stage, to_stage, changed_by, changed_at, reason FROM stage_history"
                      " WHERE deal_id = ?", result.deal_id) == [
        {"from_stage": None, "to_stage": "discovery", "changed_by": 2, "changed_at": STAMP,
         "reason": f"Handoff {sent} accepted"}]
    assert rows(conn, "SELECT from_user_id, to_user_id, changed_by, changed_at, reason, handoff_id FROM owner_history"
                      " WHERE record_type = 'deal' AND record_id = ?", result.deal_id) == [
        {"from_user_id": 1, "to_user_id": 2, "changed_by": 2, "changed_at": STAMP, "reason": "Handoff accepted",
         "handoff_id": sent}]
    # maya (an SDR) owned the account: the AE takes it over, with history.
    assert row(conn, "SELECT owner_id FROM accounts WHERE id = 1") == {"owner_id": 2}
    assert rows(conn, "SELECT from_user_id, to_user_id, reason, handoff_id FROM owner_history"
                      " WHERE record_type = 'account' AND record_id = 1") == [
        {"from_user_id": 1, "to_user_id": 2, "reason": "Handoff accepted", "handoff_id": sent}]

    assert row(conn, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == {
        "lead_status": "qualified", "lifecycle_stage": "opportunity"}
    assert rows(conn, "SELECT axis, from_value, to_value, changed_by, changed_at, reason FROM status_history"
                      " WHERE id > ?", history_before) == [
        {"axis": "lifecycle", "from_value": "sql", "to_value": "opportunity", "changed_by": 2, "changed_at": STAMP,
         "reason": "Handoff accepted by Tom Reyes"}]

    assert row(conn, "SELECT status, decided_at, deal_id FROM handoffs WHERE id = ?", sent) == {
        "status": "accepted", "decided_at": STAMP, "deal_id": result.deal_id}
    change = row(conn, "SELECT command, entity, entity_id, user_id, payload FROM changes ORDER BY id DESC LIMIT 1")
    assert change["command"] == "accept_handoff" and change["entity_id"] == sent and change["user_id"] == 2
    assert json.loads(change["payload"]) == {"deal_id": result.deal_id, "from": "maya"}
    assert result.change_id == row(conn, "SELECT MAX(id) AS id FROM changes")["id"]
    assert tom.queue() == []


def test_an_account_already_owned_by_an_ae_keeps_its_owner(ready, store, tom, sent):
    conn = store.conn
    add_user(conn, 4, "ana", "Ana Lima", "ae")
    conn.execute("UPDATE accounts SET owner_id = 4 WHERE id = 1")
    tom.accept_handoff(sent)
    assert row(conn, "SELECT owner_id FROM accounts WHERE id = 1") == {"owner_id": 4}
    assert rows(conn, "SELECT * FROM owner_history WHERE record_type = 'account'") == []


def test_accepting_twice_is_refused(store, tom, sent):
    tom.accept_handoff(sent)
    before = snapshot(store.conn)
    with pytest.raises(InvalidInput) as caught:
        tom.accept_handoff(sent)
    assert caught.value.field == "handoff"
    assert caught.value.reason == f"{sent} was already accepted on 2026-11-23"
    with pytest.raises(InvalidInput):
        tom.reject_handoff(sent, "bad_fit", "Changed my mind about this one")
    assert snapshot(store.conn) == before


def test_sent_and_accepted_count_in_the_senders_kpi(ready, tom, sent):
    before = ready.kpi("day").metrics
    assert before["opportunities_created"].actual == 1
    assert before["opportunities_accepted"].actual == 0
    tom.accept_handoff(sent)
    metrics = ready.kpi("day").metrics
    assert metrics["opportunities_created"].actual == 1
    assert metrics["opportunities_accepted"].actual == 1
    assert metrics["calls"].actual == 1 and metrics["connects"].actual == 1
    # The AE's own KPI does not count them: they are credited to the sender.
    assert tom.kpi("day").metrics["opportunities_created"].actual == 0


# --- reject -----------------------------------------------------------------------------------------------


def test_reject_needs_a_known_reason_and_a_real_note_both_named(store, tom, sent):
    conn = store.conn
    before = snapshot(conn)
    with pytest.raises(InvalidFields) as caught:
        tom.reject_handoff(sent, "meh", "no")
    problems = caught.value.problems
    assert [f for f, _ in problems] == ["reason", "note"]
    assert problems[0][1].startswith("'meh' is not a reject reason; the playbook has: incomplete_context,"
                                     " not_decision_maker, bad_fit, no_budget, too_early")
    assert problems[1][1] == "say why in at least 12 characters"
    assert snapshot(conn) == before


@pytest.mark.parametrize("note", ["", "   ", "tbd", "eleven char"])
def test_reject_refuses_a_short_or_placeholder_note(store, tom, sent, note):
    before = snapshot(store.conn)
    problems = refused(tom.reject_handoff, sent, "incomplete_context", note)
    assert problems == [("note", "say why in at least 12 characters")]
    assert snapshot(store.conn) == before


def test_only_the_addressed_ae_may_reject(ready, store, sent):
    before = snapshot(store.conn)
    with pytest.raises(InvalidInput) as caught:
        ready.reject_handoff(sent, "incomplete_context", "I would rather not do this")
    assert caught.value.field == "as"
    assert snapshot(store.conn) == before


def test_reject_incomplete_context_returns_the_lead_to_the_senders_queue(ready, store, tom, sent):
    conn = store.conn
    note = "Budget owner unclear; ask Lea about Q1"
    history_before = counts(conn)["status_history"]
    tom.reject_handoff(sent, "incomplete_context", note)

    assert row(conn, "SELECT status, decided_at, reject_reason, reject_note FROM handoffs WHERE id = ?", sent) == {
        "status": "rejected", "decided_at": STAMP, "reject_reason": "incomplete_context", "reject_note": note}
    assert row(conn, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == {
        "lead_status": "connected", "lifecycle_stage": "sal"}
    why = "Handoff rejected by Tom Reyes: Context incomplete"
    assert rows(conn, "SELECT axis, from_value, to_value, changed_by, changed_at, reason FROM status_history"
                      " WHERE id > ? ORDER BY id", history_before) == [
        {"axis": "lead_status", "from_value": "qualified", "to_value": "connected", "changed_by": 2,
         "changed_at": STAMP, "reason": why},
        {"axis": "lifecycle", "from_value": "sql", "to_value": "sal", "changed_by": 2, "changed_at": STAMP,
         "reason": why}]
    task = row(conn, "SELECT * FROM tasks ORDER BY id DESC LIMIT 1")
    assert {k: task[k] for k in ("user_id", "kind", "contact_id", "account_id", "deal_id", "due_at", "status",
                                 "note")} == {
        "user_id": 1, "kind": "follow_up", "contact_id": 1, "account_id": 1, "deal_id": None, "due_at": STAMP,
        "status": "open", "note": f"{why} — {note}"}
    change = row(conn, "SELECT command, user_id, payload FROM changes ORDER BY id DESC LIMIT 1")
    assert change["command"] == "reject_handoff" and change["user_id"] == 2
    assert json.loads(change["payload"]) == {"reason": "incomplete_context", "then": "return",
                                             "created_task": task["id"], "from": "maya"}

    item = next(i for i in ready.queue() if i.contact_id == 1)
    assert (item.kind, item.task_id, item.urgency, item.due_at) == ("follow_up", task["id"], FOLLOW_UP_OVERDUE, NOW)
    assert "Tom Reyes" in item.reason and note in item.reason
    assert tom.queue() == []


def test_after_a_return_the_sdr_can_send_it_again(ready, tom, sent):
    tom.reject_handoff(sent, "not_decision_maker", "Jonas does not sign anything")
    again = ready.send_handoff("sdr_ae", tom.user.id, CONTEXT, contact_id=1)
    assert again.handoff_id != sent
    assert row(ready.store.conn, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == {
        "lead_status": "qualified", "lifecycle_stage": "sql"}
    # The follow-up the rejection created is the sender's open task for the contact: the new send cancels it.
    assert rows(ready.store.conn, "SELECT id FROM tasks WHERE user_id = 1 AND contact_id = 1 AND status = 'open'") == []


def test_reject_bad_fit_disqualifies(ready, store, tom, sent):
    conn = store.conn
    tasks_before = counts(conn)["tasks"]
    tom.reject_handoff(sent, "bad_fit", "They run their own fleet software")
    assert row(conn, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == {
        "lead_status": "disqualified", "lifecycle_stage": "disqualified"}
    assert counts(conn)["tasks"] == tasks_before
    assert rows(conn, "SELECT axis, to_value, reason FROM status_history ORDER BY id DESC LIMIT 2") == [
        {"axis": "lifecycle", "to_value": "disqualified", "reason": "Handoff rejected by Tom Reyes: Not a fit for us"},
        {"axis": "lead_status", "to_value": "disqualified",
         "reason": "Handoff rejected by Tom Reyes: Not a fit for us"}]
    assert json.loads(row(conn, "SELECT payload FROM changes ORDER BY id DESC LIMIT 1")["payload"])["then"] == \
        "disqualify"


def test_reject_no_budget_nurtures(ready, store, tom, sent):
    conn = store.conn
    tasks_before = counts(conn)["tasks"]
    tom.reject_handoff(sent, "no_budget", "No budget before the next fiscal year")
    assert row(conn, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == {
        "lead_status": "connected", "lifecycle_stage": "nurture"}
    assert counts(conn)["tasks"] == tasks_before
    assert row(conn, "SELECT status, reject_reason FROM handoffs WHERE id = ?", sent) == {
        "status": "rejected", "reject_reason": "no_budget"}


# --- AE to customer success -------------------------------------------------------------------------------


@pytest.fixture
def won(store, tom, sent) -> int:
    """A cs user (4, cara) and deal won by tom from maya's accepted handoff; returns the deal id."""
    add_user(store.conn, 4, "cara", "Cara Nolan", "cs")
    deal_id = tom.accept_handoff(sent).deal_id
    close = (NOW + timedelta(days=30)).date().isoformat()
    moved = tom.move_deal(deal_id, "closed_won", {"amount": "24000", "expected_close_date": close})
    assert moved.won
    return deal_id


def test_ae_to_cs_send_and_accept(store, tom, won):
    conn = store.conn
    cara = bench(store, "cara")
    result = tom.send_handoff("ae_cs", 4, CS_CONTEXT, deal_id=won)
    assert result.sla_due_at == NOW + timedelta(hours=48)
    handoff = row(conn, "SELECT * FROM handoffs WHERE id = ?", result.handoff_id)
    assert {k: handoff[k] for k in ("kind", "from_user_id", "to_user_id", "contact_id", "account_id", "deal_id",
                                    "status", "sla_due_at")} == {
        "kind": "ae_cs", "from_user_id": 2, "to_user_id": 4, "contact_id": 1, "account_id": 1, "deal_id": won,
        "status": "pending", "sla_due_at": to_stored(NOW + timedelta(hours=48))}
    assert json.loads(handoff["context"]) == CS_CONTEXT
    # The contact is a customer now and stays one: a CS handoff does not touch the lead's statuses.
    assert row(conn, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == {
        "lead_status": "qualified", "lifecycle_stage": "customer"}
    item = cara.queue()[0]
    assert (item.kind, item.handoff_id) == ("handoff", result.handoff_id)
    assert item.reason == "Customer-success handoff from Tom Reyes: 2 days left to accept or reject"

    with pytest.raises(InvalidInput) as caught:
        tom.accept_handoff(result.handoff_id)
    assert caught.value.field == "as"

    accepted = cara.accept_handoff(result.handoff_id)
    assert accepted.deal_id == won
    assert row(conn, "SELECT owner_id FROM accounts WHERE id = 1") == {"owner_id": 4}
    assert rows(conn, "SELECT from_user_id, to_user_id, changed_by, changed_at, reason, handoff_id FROM owner_history"
                      " WHERE record_type = 'account' ORDER BY id") == [
        {"from_user_id": 1, "to_user_id": 2, "changed_by": 2, "changed_at": STAMP, "reason": "Handoff accepted",
         "handoff_id": 1},
        {"from_user_id": 2, "to_user_id": 4, "changed_by": 4, "changed_at": STAMP,
         "reason": "Customer success takes over", "handoff_id": result.handoff_id}]
    # The deal stays the AE's.
    assert row(conn, "SELECT owner_id, stage FROM deals WHERE id = ?", won) == {"owner_id": 2, "stage": "closed_won"}
    assert row(conn, "SELECT status, deal_id FROM handoffs WHERE id = ?", result.handoff_id) == {
        "status": "accepted", "deal_id": won}


def test_ae_to_cs_fields_are_checked_together(store, tom, won):
    conn = store.conn
    before = snapshot(conn)
    context = dict(CS_CONTEXT, go_live="next month", risks="tbd", stakeholders="Jonas")
    del context["promises"]
    problems = refused(tom.send_handoff, "ae_cs", 4, context, deal_id=won)
    assert problems == [
        ("stakeholders", "is too short (5 characters; say it in at least 12)"),
        ("promises", "is missing: promises made"),
        ("go_live", "must be a date like 2027-01-31, not 'next month'"),
        ("risks", "'tbd' is a placeholder: risks"),
    ]
    assert snapshot(conn) == before


def test_ae_to_cs_needs_a_won_deal_of_mine_and_a_cs_recipient(store, tom, sent):
    conn = store.conn
    add_user(conn, 4, "cara", "Cara Nolan", "cs")
    deal_id = tom.accept_handoff(sent).deal_id
    before = snapshot(conn)
    problems = refused(tom.send_handoff, "ae_cs", 4, CS_CONTEXT, deal_id=deal_id)
    assert problems == [("deal", f"{deal_id} is not won; customer success takes over won deals")]
    maya = bench(store, "maya")
    problems = refused(maya.send_handoff, "ae_cs", 2, CS_CONTEXT, deal_id=deal_id)
    assert problems == [("to", "tom is ae; this handoff goes to a user with role cs"),
                        ("deal", f"{deal_id} is not won; customer success takes over won deals"),
                        ("as", f"deal {deal_id} is not yours")]
    with pytest.raises(InvalidInput) as caught:
        tom.send_handoff("ae_cs", 4, CS_CONTEXT)
    assert caught.value.field == "deal"
    assert snapshot(conn) == before


def test_a_won_deal_goes_to_customer_success_once(store, tom, won):
    first = tom.send_handoff("ae_cs", 4, CS_CONTEXT, deal_id=won)
    problems = refused(tom.send_handoff, "ae_cs", 4, CS_CONTEXT, deal_id=won)
    assert problems == [("deal", f"already handed to customer success (handoff {first.handoff_id}, pending)")]


def test_cs_rejecting_sends_it_back_to_the_ae(store, tom, won):
    conn = store.conn
    result = tom.send_handoff("ae_cs", 4, CS_CONTEXT, deal_id=won)
    bench(store, "cara").reject_handoff(result.handoff_id, "incomplete_context", "No contract scope attached")
    task = row(conn, "SELECT user_id, kind, contact_id, deal_id, status FROM tasks ORDER BY id DESC LIMIT 1")
    assert task == {"user_id": 2, "kind": "follow_up", "contact_id": 1, "deal_id": won, "status": "open"}
    assert row(conn, "SELECT lifecycle_stage FROM contacts WHERE id = 1") == {"lifecycle_stage": "customer"}
    assert row(conn, "SELECT owner_id FROM accounts WHERE id = 1") == {"owner_id": 2}


# --- the database rule: a deal leaves an SDR only through an accepted handoff -----------------------------


@pytest.fixture
def sdr_deal(store) -> int:
    """Deal 1, owned by maya (an SDR), at account 1."""
    store.conn.execute("INSERT INTO deals (id, account_id, primary_contact_id, name, stage, owner_id, created_at,"
                       " stage_entered_at) VALUES (1, 1, 1, 'Nordwind pilot', 'discovery', 1, ?, ?)", (STAMP, STAMP))
    return 1


def _handoff_row(conn, deal_id: int, to_user_id: int, status: str) -> None:
    conn.execute("INSERT INTO handoffs (kind, from_user_id, to_user_id, contact_id, account_id, deal_id, status,"
                 " created_at) VALUES ('sdr_ae', 1, ?, 1, 1, ?, ?, ?)", (to_user_id, deal_id, status, STAMP))


def test_an_sdrs_deal_cannot_be_given_to_an_ae_by_sql(store, sdr_deal):
    conn = store.conn
    with pytest.raises(sqlite3.IntegrityError, match="accepted handoff"):
        conn.execute("UPDATE deals SET owner_id = 2 WHERE id = ?", (sdr_deal,))
    assert row(conn, "SELECT owner_id FROM deals WHERE id = ?", sdr_deal) == {"owner_id": 1}


@pytest.mark.parametrize(("to_user_id", "status"), [(2, "pending"), (2, "rejected")])
def test_a_pending_or_rejected_handoff_is_not_enough(store, sdr_deal, to_user_id, status):
    _handoff_row(store.conn, sdr_deal, to_user_id, status)
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("UPDATE deals SET owner_id = 2 WHERE id = ?", (sdr_deal,))


def test_an_accepted_handoff_to_another_ae_is_not_enough(store, sdr_deal):
    conn = store.conn
    add_user(conn, 4, "ana", "Ana Lima", "ae")
    _handoff_row(conn, sdr_deal, 4, "accepted")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE deals SET owner_id = 2 WHERE id = ?", (sdr_deal,))
    with pytest.raises(sqlite3.IntegrityError):  # nor to another SDR, or to nobody
        conn.execute("UPDATE deals SET owner_id = 3 WHERE id = ?", (sdr_deal,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE deals SET owner_id = NULL WHERE id = ?", (sdr_deal,))
    conn.execute("UPDATE deals SET owner_id = 4 WHERE id = ?", (sdr_deal,))  # the AE it was handed to
    assert row(conn, "SELECT owner_id FROM deals WHERE id = ?", sdr_deal) == {"owner_id": 4}


def test_an_accepted_handoff_to_that_ae_allows_it(store, sdr_deal):
    conn = store.conn
    _handoff_row(conn, sdr_deal, 2, "accepted")
    conn.execute("UPDATE deals SET owner_id = 2 WHERE id = ?", (sdr_deal,))
    assert row(conn, "SELECT owner_id FROM deals WHERE id = ?", sdr_deal) == {"owner_id": 2}
    # Other updates of an SDR's deal are not affected by the rule.
    conn.execute("INSERT INTO deals (id, account_id, name, stage, owner_id, created_at, stage_entered_at)"
                 " VALUES (2, 1, 'Second', 'discovery', 1, ?, ?)", (STAMP, STAMP))
    conn.execute("UPDATE deals SET amount = 100, stage = 'demo' WHERE id = 2")
    conn.execute("UPDATE deals SET owner_id = 1 WHERE id = 2")  # the same owner: no change
    assert row(conn, "SELECT owner_id, amount FROM deals WHERE id = 2") == {"owner_id": 1, "amount": 100.0}


def test_the_rule_binds_only_deals_an_sdr_owns(store):
    conn = store.conn
    conn.execute("INSERT INTO deals (id, account_id, name, stage, owner_id, created_at, stage_entered_at)"
                 " VALUES (5, 2, 'Harbor', 'demo', 2, ?, ?)", (STAMP, STAMP))
    add_user(conn, 4, "ana", "Ana Lima", "ae")
    conn.execute("UPDATE deals SET owner_id = 4 WHERE id = 5")
    assert row(conn, "SELECT owner_id FROM deals WHERE id = 5") == {"owner_id": 4}


def test_go_live_date_format(store, tom, won):
    """go_live takes an ISO date."""
    result = tom.send_handoff("ae_cs", 4, dict(CS_CONTEXT, go_live=date(2027, 3, 1).isoformat()), deal_id=won)
    assert json.loads(row(store.conn, "SELECT context FROM handoffs WHERE id = ?",
                          result.handoff_id)["context"])["go_live"] == "2027-03-01"


def test_the_call_that_qualified_a_handed_off_lead_cannot_be_undone(maya, sent, store):
    from revdesk.core.common.errors import NothingToUndo

    with pytest.raises(NothingToUndo, match=f"handoff {sent} was sent after that call"):
        maya.undo()
    assert row(store.conn, "SELECT undone_at FROM activities WHERE contact_id = 1")["undone_at"] is None
