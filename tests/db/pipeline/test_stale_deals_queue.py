"""An AE's open deals past their stage's "stale after" come into the Today queue, longest first, with the
stage and the days in it; fresh, closed and other people's deals do not."""

from __future__ import annotations

from datetime import timedelta

from revdesk.core.calls.queue import FOLLOW_UP_OVERDUE, STALE_DEAL
from revdesk.core.common.when import to_stored
from revdesk.db.common.connection import transaction
from revdesk.db.workbench import Workbench
from tests.factories import NOW, fixed_clock


def _deal(conn, deal_id: int, stage: str, days_in_stage: int, owner: int = 2, contact: int = 1,
          closed: bool = False) -> None:
    entered = to_stored(NOW - timedelta(days=days_in_stage))
    conn.execute(
        "INSERT INTO deals (id, account_id, primary_contact_id, name, stage, owner_id, created_at, stage_entered_at,"
        " closed_at, won) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
        (deal_id, contact, f"Deal {deal_id}", stage, owner, entered, entered, entered if closed else None,
         0 if closed else None))


def test_stale_deals_rank_after_overdue_follow_ups_longest_first(store):
    conn = store.conn
    with transaction(conn):
        _deal(conn, 1, "proposal", 30)            # stale after 21 d: 30 d in stage
        _deal(conn, 2, "discovery", 20, contact=3)  # stale after 14 d: 20 d
        _deal(conn, 3, "demo", 5, contact=4)       # fresh
        _deal(conn, 4, "closed_lost", 90, contact=5, closed=True)
        _deal(conn, 5, "proposal", 60, owner=1, contact=2)  # maya's, not tom's
        conn.execute("INSERT INTO tasks (user_id, kind, contact_id, account_id, due_at, created_at)"
                     " VALUES (2, 'follow_up', 2, 1, ?, ?)", (to_stored(NOW - timedelta(days=1)), to_stored(NOW)))
    items = Workbench.open(store, "tom", fixed_clock).queue()
    assert [(i.kind, i.urgency) for i in items] == [
        ("follow_up", FOLLOW_UP_OVERDUE), ("stale_deal", STALE_DEAL), ("stale_deal", STALE_DEAL)]
    assert [i.deal_id for i in items[1:]] == [1, 2]
    assert items[1].reason == "Deal 1: 30 d in Proposal, stale after 21 d. Move it on or close it"
    assert items[1].key == ("deal", 1) and items[1].contact_name == "Jonas Weber"


def test_moving_a_stale_deal_takes_it_out_of_the_queue(store):
    with transaction(store.conn):
        _deal(store.conn, 1, "proposal", 30)
    tom = Workbench.open(store, "tom", fixed_clock)
    assert [i.deal_id for i in tom.queue()] == [1]
    tom.move_deal(1, "negotiation", {"amount": "24000", "expected_close_date": "2027-01-31"})
    assert tom.queue() == []


def test_at_most_a_day_s_worth_of_stale_deals_come_in_the_longest_stale_first(store):
    from revdesk.db.calls.queue import STALE_DEALS_A_DAY

    extra = STALE_DEALS_A_DAY + 5
    with transaction(store.conn):
        for n in range(extra):
            store.conn.execute("INSERT INTO contacts (id, account_id, first_name, last_name, created_at)"
                               " VALUES (?, 1, 'Buyer', ?, ?)", (100 + n, str(n), to_stored(NOW)))
            _deal(store.conn, 100 + n, "proposal", 30 + n, contact=100 + n)
    items = Workbench.open(store, "tom", fixed_clock).queue()
    assert [i.deal_id for i in items] == [100 + extra - 1 - n for n in range(STALE_DEALS_A_DAY)]
