"""Account 360 read from a real database: contacts by buying role, deals with stage labels, the live timeline
newest first, handoffs, owner history across the account's records, lifetime revenue and open pipeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from revdesk.core.accounts.view import intelligence_line
from revdesk.core.common.errors import NotFound
from revdesk.core.common.when import to_stored
from revdesk.db.accounts.view import account_view
from revdesk.db.common.connection import transaction
from revdesk.db.common.search import search_accounts
from tests.factories import NOW


def _add_deals(conn) -> None:
    t = to_stored
    rows = [
        # id, account, name, amount, currency, stage, owner, closed_at, won, created
        (1, 1, "Nordwind – Fleet pilot", 12000.0, "EUR", "closed_won", 2, t(NOW - timedelta(days=100)), 1,
         t(NOW - timedelta(days=160))),
        (2, 1, "Nordwind – Warehouse rollout", 30000.0, "EUR", "proposal", 2, None, None, t(NOW - timedelta(days=20))),
        (3, 1, "Nordwind – Analytics", 8000.0, "EUR", "closed_lost", 2, t(NOW - timedelta(days=50)), 0,
         t(NOW - timedelta(days=90))),
        (4, 2, "Harbor – Clinics", 50000.0, "USD", "closed_won", 2, t(NOW - timedelta(days=10)), 1,
         t(NOW - timedelta(days=60))),
    ]
    with transaction(conn):
        conn.executemany(
            "INSERT INTO deals (id, account_id, name, amount, currency, stage, owner_id, closed_at, won, created_at,"
            " stage_entered_at, expected_close_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-12-15')",
            [(*r, r[-1]) for r in rows],
        )


def _add_activity(conn, contact_id: int, account_id: int, days_ago: float, note: str, undone: bool = False) -> None:
    at = to_stored(NOW - timedelta(days=days_ago))
    conn.execute(
        "INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, occurred_at, note, created_at,"
        " undone_at) VALUES ('call', 'connected', 1, ?, ?, ?, ?, ?, ?)",
        (contact_id, account_id, at, note, at, at if undone else None),
    )


def test_contacts_come_by_buying_role_with_owner_and_intelligence(store):
    view = account_view(store.conn, 1, NOW)
    assert view.account.name == "Nordwind Logistik GmbH"
    assert [(c.name, c.buying_role) for c in view.contacts] == [
        ("Jonas Weber", "decision_maker"), ("Lea Fischer", "approver"), ("Karl Busch", "user")]
    assert view.contacts[0].owner_name == "Maya Koch" and view.contacts[0].lifecycle_stage == "mql"
    assert intelligence_line(view.account) == "ICP A · Scale-up · committee high"
    assert intelligence_line(view.account._replace(icp_tier=None, growth_stage=None,
                                                   committee_complexity=None)) == "no company intelligence yet"


def test_deals_revenue_and_pipeline(store):
    _add_deals(store.conn)
    view = account_view(store.conn, 1, NOW)
    assert [d.id for d in view.deals] == [2, 3, 1], "open deals first, then closed ones newest first"
    assert [d.stage_label for d in view.deals] == ["Proposal", "Closed Lost", "Closed Won"]
    assert [d.won for d in view.deals] == [None, False, True]
    assert view.deals[0].owner_name == "Tom Reyes"
    assert view.lifetime_revenue == 12000.0 and view.account.status == "customer"
    assert view.open_pipeline == 30000.0 and view.currency == "EUR"
    other = account_view(store.conn, 2, NOW)
    assert other.lifetime_revenue == 50000.0 and other.open_pipeline == 0 and other.currency == "USD"


def test_timeline_is_newest_first_without_undone_activities(store, maya):
    conn = store.conn
    with transaction(conn):
        _add_activity(conn, 1, 1, 10, "old call")
        _add_activity(conn, 2, 1, 3, "taken back", undone=True)
        _add_activity(conn, 5, 1, 2, "recent call")
        _add_activity(conn, 3, 2, 1, "other account")
    maya.log_call(2, "voicemail")
    maya.undo()  # undone through the service: the activity stays, marked undone
    maya.add_note(1, "Budget approved in Q3")
    view = account_view(conn, 1, NOW)
    assert [e.note for e in view.timeline] == ["Budget approved in Q3", "recent call", "old call"]
    assert view.timeline[0].kind == "note" and view.timeline[0].contact_name == "Jonas Weber"
    assert view.timeline[1].user_handle == "maya" and view.timeline[1].outcome == "connected"
    assert [e.note for e in account_view(conn, 1, NOW, timeline_limit=2).timeline] == [
        "Budget approved in Q3", "recent call"]
    assert conn.execute("SELECT COUNT(*) FROM activities WHERE account_id = 1").fetchone()[0] == 5


def test_handoffs_of_the_account_only(store):
    _add_deals(store.conn)
    t = to_stored
    with transaction(store.conn):
        store.conn.executemany(
            "INSERT INTO handoffs (id, kind, from_user_id, to_user_id, contact_id, account_id, deal_id, status,"
            " reject_reason, created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(1, "sdr_ae", 1, 2, 1, 1, None, "rejected", "no_budget", t(NOW - timedelta(days=30)),
              t(NOW - timedelta(days=29))),
             (2, "sdr_ae", 1, 2, 2, 1, 2, "accepted", None, t(NOW - timedelta(days=20)), t(NOW - timedelta(days=19))),
             (3, "sdr_ae", 3, 2, 3, 2, None, "pending", None, t(NOW - timedelta(days=1)), None),
             (4, "ae_cs", 2, 3, None, 1, 1, "pending", None, t(NOW - timedelta(days=5)), None)],
        )
    view = account_view(store.conn, 1, NOW)
    assert [(h.id, h.status, h.contact_name) for h in view.handoffs] == [
        (4, "pending", None), (2, "accepted", "Lea Fischer"), (1, "rejected", "Jonas Weber")], "by contact or deal"
    assert view.handoffs[2].reject_reason == "no_budget" and view.handoffs[2].from_name == "Maya Koch"
    assert view.handoffs[1].to_name == "Tom Reyes" and view.handoffs[1].decided_at == NOW - timedelta(days=19)


def test_owner_history_covers_account_deals_and_contacts_newest_first(store):
    _add_deals(store.conn)
    t = to_stored
    rows = [("account", 1, 1, 2, 5, "Deal won"), ("deal", 2, None, 2, 4, "Handoff accepted"),
            ("contact", 5, 3, 1, 3, "Territory change"), ("account", 2, 1, 2, 1, "Other account"),
            ("deal", 4, 1, 2, 2, "Other account's deal")]
    with transaction(store.conn):
        store.conn.executemany(
            "INSERT INTO owner_history (record_type, record_id, from_user_id, to_user_id, changed_at, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(kind, rid, src, dst, t(NOW - timedelta(days=days)), why) for kind, rid, src, dst, days, why in rows],
        )
    view = account_view(store.conn, 1, NOW)
    assert [(o.record_type, o.record_id, o.reason) for o in view.owner_history] == [
        ("contact", 5, "Territory change"), ("deal", 2, "Handoff accepted"), ("account", 1, "Deal won")]
    assert view.owner_history[1].from_name is None and view.owner_history[1].to_name == "Tom Reyes"
    assert view.record_name("deal", 2) == "Nordwind – Warehouse rollout"
    assert view.record_name("contact", 5) == "Karl Busch"
    with transaction(store.conn):
        store.conn.executemany(
            "INSERT INTO owner_history (record_type, record_id, from_user_id, to_user_id, changed_at, reason)"
            " VALUES ('contact', 1, 1, 3, ?, 'churn')", [(t(NOW - timedelta(hours=h)),) for h in range(60)])
    assert len(account_view(store.conn, 1, NOW).owner_history) == 50


def test_unknown_account_and_search(store):
    with pytest.raises(NotFound):
        account_view(store.conn, 99, NOW)
    assert [h.name for h in search_accounts(store.conn, "nord", 10)] == ["Nordwind Logistik GmbH"]
    assert [h.account_id for h in search_accounts(store.conn, "Logistik", 10)] == [1], "a word inside the name"
    assert [h.domain for h in search_accounts(store.conn, "harborhealth", 10)] == ["harborhealth.com"]
    assert search_accounts(store.conn, "zzz", 10) == []
