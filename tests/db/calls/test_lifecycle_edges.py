"""Edges where handoffs, deals and lifecycle meet: one pending handoff per lead even at the database, undo
after any handoff, who may send, what happens to a contact when a won deal is reopened, the stale boundary
shared by the queue and the pipeline, and how a nurtured contact comes back."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from revdesk.core.common.errors import InvalidFields, InvalidInput, NothingToUndo
from revdesk.core.common.when import to_stored
from revdesk.db.common.connection import transaction
from tests.db.helpers import CONTEXT, CS_CONTEXT, add_user, bench, row
from tests.factories import NOW

FUTURE = (NOW + timedelta(days=40)).date().isoformat()


def test_the_database_holds_one_pending_handoff_per_lead(store, sent):
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO handoffs (kind, from_user_id, to_user_id, contact_id, account_id, status, created_at)"
            " VALUES ('sdr_ae', 3, 2, 1, 1, 'pending', ?)", (to_stored(NOW),))


def test_no_undo_of_the_qualifying_call_even_after_a_rejection(ready, tom, sent):
    tom.reject_handoff(sent, "incomplete_context", "Budget owner unclear, ask Lea first")
    with pytest.raises(NothingToUndo, match="was sent after that call"):
        ready.undo()


def test_an_ae_does_not_send_leads_to_another_ae(store, ready):
    add_user(store.conn, 4, "ana", "Ana Lima", "ae")
    with pytest.raises(InvalidFields) as caught:
        bench(store, "ana").send_handoff("sdr_ae", 2, CONTEXT, contact_id=1)
    assert "as" in dict(caught.value.problems)


def test_sending_ends_the_lead_owners_follow_ups_too(store, ready, tom):
    ines = bench(store, "ines")  # covering for maya, who owns contact 1 and has a follow-up open
    ines.send_handoff("sdr_ae", tom.user.id, CONTEXT, contact_id=1)
    assert row(store.conn, "SELECT COUNT(*) AS n FROM tasks WHERE contact_id = 1 AND status IN ('open', 'snoozed')"
               )["n"] == 0


def _won_deal(store, tom, sent) -> int:
    deal_id = tom.accept_handoff(sent).deal_id
    tom.move_deal(deal_id, "closed_won", {"amount": "24000", "expected_close_date": FUTURE})
    return deal_id


def test_reopening_a_won_deal_makes_its_contact_an_opportunity_again(store, tom, sent):
    deal_id = _won_deal(store, tom, sent)
    assert row(store.conn, "SELECT lifecycle_stage FROM contacts WHERE id = 1")["lifecycle_stage"] == "customer"
    tom.move_deal(deal_id, "negotiation", {})
    assert row(store.conn, "SELECT lifecycle_stage FROM contacts WHERE id = 1")["lifecycle_stage"] == "opportunity"
    last = row(store.conn, "SELECT * FROM status_history WHERE contact_id = 1 ORDER BY id DESC LIMIT 1")
    assert (last["from_value"], last["to_value"]) == ("customer", "opportunity")


def test_a_deal_handed_to_customer_success_stays_won(store, tom, sent):
    deal_id = _won_deal(store, tom, sent)
    add_user(store.conn, 5, "cara", "Cara Stone", "cs")
    tom.send_handoff("ae_cs", 5, CS_CONTEXT, deal_id=deal_id)
    with pytest.raises(InvalidInput, match="handed to customer success"):
        tom.move_deal(deal_id, "closed_lost", {"lost_reason": "Changed their mind"})


def test_winning_a_lost_deal_forgets_the_lost_reason(store, tom, sent):
    deal_id = tom.accept_handoff(sent).deal_id
    tom.move_deal(deal_id, "closed_lost", {"lost_reason": "Chose a competitor"})
    tom.move_deal(deal_id, "closed_won", {"amount": "24000", "expected_close_date": FUTURE})
    assert row(store.conn, "SELECT lost_reason, won FROM deals WHERE id = ?", deal_id) == {
        "lost_reason": None, "won": 1}


def test_a_deal_exactly_at_stale_after_is_stale_in_the_queue_as_on_the_board(store, tom):
    entered = to_stored(NOW - timedelta(days=21))  # Proposal goes stale after 21 days
    with transaction(store.conn):
        store.conn.execute("INSERT INTO deals (id, account_id, primary_contact_id, name, stage, owner_id, created_at,"
                           " stage_entered_at) VALUES (7, 1, 1, 'On the line', 'proposal', 2, ?, ?)",
                           (entered, entered))
    assert [i.deal_id for i in tom.queue()] == [7]


def test_a_nurtured_contact_comes_back_as_mql_by_replying_not_by_being_called(store, maya):
    store.conn.execute("UPDATE contacts SET lifecycle_stage = 'nurture' WHERE id = 1")  # scores 60 by fit alone
    maya.log_call(1, "connected")
    assert row(store.conn, "SELECT lifecycle_stage FROM contacts WHERE id = 1")["lifecycle_stage"] == "nurture"
    from revdesk.db.calls import services as calls

    calls.log_activity(store.conn, maya.playbook, maya.user, 1, "email", "replied", maya.now())
    assert row(store.conn, "SELECT lifecycle_stage FROM contacts WHERE id = 1")["lifecycle_stage"] == "mql"
