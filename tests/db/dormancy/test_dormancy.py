"""The dormancy definition on a real database: its edges (exactly the dormancy period, an open deal, a touch by
someone else, revenue only from lost deals), the facts the deal triggers keep, and the base currency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from revdesk.core.common.when import to_stored
from revdesk.db.calls.services import log_activity
from revdesk.db.common.connection import transaction
from revdesk.db.common.users import user_by_handle
from revdesk.db.dormancy.queries import dormant_account, dormant_accounts, dormant_count
from revdesk.db.playbook.stored import current_playbook
from tests.dormant_factories import add_customer
from tests.factories import NOW


@pytest.fixture
def playbook(store):
    return current_playbook(store.conn)


def _ids(store, playbook, now=NOW, scope="all") -> list[int]:
    return [a.account_id for a in dormant_accounts(store.conn, playbook, now, scope)]


def test_exactly_the_dormancy_period_is_dormant_a_minute_less_is_not(store, playbook):
    exact = add_customer(store, "Exact", owner_id=2, revenue=10_000, quiet_days=365)
    almost = add_customer(store, "Almost", owner_id=2, revenue=10_000, quiet_days=365 - 1 / 1440)
    assert _ids(store, playbook) == [exact]
    assert dormant_account(store.conn, playbook, almost, NOW) is None
    assert dormant_account(store.conn, playbook, almost, NOW + timedelta(minutes=1)) is not None


def test_an_open_deal_keeps_an_account_out(store, playbook):
    add_customer(store, "Renewing", owner_id=2, revenue=50_000, quiet_days=500, open_deal=True)
    assert _ids(store, playbook) == []


def test_revenue_only_from_lost_deals_is_not_revenue(store, playbook):
    add_customer(store, "Lost only", owner_id=2, revenue=80_000, quiet_days=800, won=0)
    assert _ids(store, playbook) == []
    row = store.conn.execute("SELECT won_revenue, last_won_at, open_deals FROM accounts WHERE name = 'Lost only'")
    assert tuple(row.fetchone()) == (0, None, 0)


def test_a_touch_by_anyone_wakes_the_account_and_counts_as_their_revival(store, playbook):
    account = add_customer(store, "Sleepy", owner_id=2, revenue=48_000, quiet_days=420)
    contact = store.conn.execute("SELECT id FROM contacts WHERE account_id = ?", (account,)).fetchone()[0]
    ines = user_by_handle(store.conn, "ines")  # not the owner (tom)
    logged = log_activity(store.conn, playbook, ines, contact, "call", "voicemail", NOW)
    assert _ids(store, playbook) == []
    revival = store.conn.execute("SELECT account_id, user_id, activity_id, won_revenue FROM revivals").fetchall()
    assert [tuple(r) for r in revival] == [(account, ines.id, logged.activity_id, 48_000)]
    # A second touch is not a second revival: the account is no longer dormant.
    log_activity(store.conn, playbook, ines, contact, "email", None, NOW + timedelta(minutes=5))
    assert store.conn.execute("SELECT COUNT(*) FROM revivals").fetchone()[0] == 1


def test_a_deal_lost_yesterday_was_being_worked(store, playbook):
    account = add_customer(store, "Lost lately", owner_id=2, revenue=20_000, quiet_days=500)
    with transaction(store.conn):  # no activity logged on it (say, imported), but closed lost yesterday
        store.conn.execute(
            "INSERT INTO deals (account_id, name, amount, stage, owner_id, closed_at, won, created_at,"
            " stage_entered_at) VALUES (?, 'Renewal', 5000, 'closed_lost', 2, ?, 0, ?, ?)",
            (account, to_stored(NOW - timedelta(days=1)), to_stored(NOW - timedelta(days=90)),
             to_stored(NOW - timedelta(days=1))))
    assert _ids(store, playbook) == []
    assert dormant_account(store.conn, playbook, account, NOW + timedelta(days=364)) is not None


def test_a_note_is_not_a_touch(store, playbook):
    account = add_customer(store, "Noted", owner_id=2, revenue=9_000, quiet_days=400)
    contact = store.conn.execute("SELECT id FROM contacts WHERE account_id = ?", (account,)).fetchone()[0]
    log_activity(store.conn, playbook, user_by_handle(store.conn, "tom"), contact, "note", None, NOW, note="later")
    assert _ids(store, playbook) == [account]


def test_quiet_since_is_the_later_of_last_touch_and_last_win(store, playbook):
    account = add_customer(store, "Won lately", owner_id=2, revenue=20_000, quiet_days=500)
    with transaction(store.conn):  # a deal won 100 days ago with no activity logged (say, imported)
        store.conn.execute(
            "INSERT INTO deals (account_id, name, amount, stage, owner_id, closed_at, won, created_at,"
            " stage_entered_at) VALUES (?, 'Upsell', 5000, 'closed_won', 2, ?, 1, ?, ?)",
            (account, to_stored(NOW - timedelta(days=100)), to_stored(NOW - timedelta(days=150)),
             to_stored(NOW - timedelta(days=100))))
    assert _ids(store, playbook) == []
    assert dormant_account(store.conn, playbook, account, NOW + timedelta(days=265)).lifetime_revenue == 25_000


def test_the_deal_triggers_keep_the_facts_whoever_writes(store, playbook):
    account = add_customer(store, "Facts", owner_id=2, revenue=1_000, quiet_days=400)
    conn = store.conn

    def facts():
        return tuple(conn.execute("SELECT won_revenue, open_deals FROM accounts WHERE id = ?", (account,)).fetchone())

    assert facts() == (1_000, 0)
    with transaction(conn):
        deal = conn.execute("INSERT INTO deals (account_id, name, amount, stage, created_at, stage_entered_at)"
                            " VALUES (?, 'New', 3000, 'discovery', ?, ?)", (account, to_stored(NOW), to_stored(NOW)))
    deal_id = deal.lastrowid
    assert facts() == (1_000, 1)
    with transaction(conn):
        conn.execute("UPDATE deals SET stage = 'closed_won', won = 1, closed_at = ? WHERE id = ?",
                     (to_stored(NOW), deal_id))
    assert facts() == (4_000, 0)
    with transaction(conn):
        conn.execute("UPDATE deals SET stage = 'negotiation', won = NULL, closed_at = NULL WHERE id = ?", (deal_id,))
    assert facts() == (1_000, 1)
    with transaction(conn):
        conn.execute("DELETE FROM deals WHERE id = ?", (deal_id,))
    assert facts() == (1_000, 0)


def test_revenue_adds_up_in_the_base_currency(store, playbook):
    pounds = add_customer(store, "Pounds", owner_id=2, revenue=10_000, quiet_days=400, currency="GBP")
    euros = add_customer(store, "Euros", owner_id=2, revenue=11_000, quiet_days=400)
    found = {a.account_id: a for a in dormant_accounts(store.conn, playbook, NOW)}
    rate = playbook.currency.rates["GBP"]
    assert found[pounds].lifetime_revenue == pytest.approx(10_000 * rate)
    assert found[pounds].currency == found[euros].currency == playbook.currency.base
    assert [a for a in found] == ([pounds, euros] if 10_000 * rate > 11_000 else [euros, pounds])


def test_ranking_weighs_revenue_by_time_quiet_and_scopes_filter(store, playbook):
    big_recent = add_customer(store, "Big recent", owner_id=2, revenue=30_000, quiet_days=370)
    small_old = add_customer(store, "Small old", owner_id=None, revenue=12_000, quiet_days=3 * 365 + 40)
    mid = add_customer(store, "Mid", owner_id=1, revenue=20_000, quiet_days=400)
    # value at risk: 30,000 x ~1.01; 12,000 x 3 (the cap); 20,000 x ~1.10
    assert _ids(store, playbook) == [small_old, big_recent, mid]
    assert _ids(store, playbook, scope="unowned") == [small_old]
    assert _ids(store, playbook, scope=2) == [big_recent]
    assert dormant_count(store.conn, playbook, NOW, 1) == 1
    top = dormant_accounts(store.conn, playbook, NOW, "unowned")[0]
    assert top.value_at_risk == pytest.approx(36_000)
    assert top.reason() == "No touch for 37 months; 12,000 EUR lifetime"
    assert top.to_json()["days_dormant"] == 3 * 365 + 40


def test_account_360_knows_an_account_is_dormant(store, playbook):
    from revdesk.db.accounts.view import account_view

    sleepy = add_customer(store, "Sleepy", owner_id=2, revenue=48_000, quiet_days=426)
    view = account_view(store.conn, sleepy, NOW, playbook=playbook)
    assert view.dormant is not None and view.dormant.reason() == "No touch for 13 months; 48,000 EUR lifetime"
    assert account_view(store.conn, 1, NOW, playbook=playbook).dormant is None
