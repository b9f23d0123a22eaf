"""The pipeline query on a real SQLite file: lane counts and amounts, card order, scope, staleness, and the
30-day window of the closed lanes."""

from __future__ import annotations

from datetime import timedelta

from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.pipeline.lanes import Lane
from revdesk.db.common.connection import Store, transaction
from revdesk.db.common.users import user_by_handle
from revdesk.db.pipeline.lanes import account_contacts, deal_state, pipeline
from revdesk.db.playbook.stored import current_playbook
from tests.factories import NOW

DAY = timedelta(days=1)
# id, account, name, stage, amount, currency, owner, days in stage, primary contact, expected close
DEALS = [
    (1, 2, "Harbor Health – Platform", "discovery", None, "USD", 2, 3, 3, None),
    (2, 1, "Nordwind – Pilot", "demo", None, "EUR", 2, 5, 1, None),
    (3, 1, "Nordwind – Expansion", "proposal", 40000.0, "EUR", 2, 30, 2, None),
    (4, 2, "Harbor Health – Analytics", "proposal", 12000.0, "USD", 2, 2, 3, "2027-01-31"),
    (5, 1, "Nordwind – Old pilot", "proposal", 8000.0, "EUR", 2, 50, 1, None),
    (6, 2, "Harbor Health – Renewal", "closed_won", 30000.0, "USD", 2, 5, 3, None),
    (7, 1, "Nordwind – Lost long ago", "closed_lost", 5000.0, "EUR", 2, 60, 1, None),
    (8, 1, "Nordwind – Someone else's", "demo", 9000.0, "EUR", 9, 1, 1, None),
]


def add_deals(store: Store) -> None:
    """Tom's deals (and one of another team's AE, 'zoe'), entered their stages the given days before NOW."""
    conn = store.conn
    with transaction(conn):
        conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                     " VALUES (9, 'zoe', 'Zoe Park', 'ae', 'South', 'UTC', ?)", (to_stored(NOW),))
        for (did, account, name, stage, amount, currency, owner, days, contact, close) in DEALS:
            entered = to_stored(NOW - days * DAY)
            closed = entered if stage.startswith("closed") else None
            won = {"closed_won": 1, "closed_lost": 0}.get(stage)
            conn.execute(
                "INSERT INTO deals (id, account_id, primary_contact_id, name, amount, currency, stage, owner_id,"
                " expected_close_date, closed_at, won, created_at, stage_entered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (did, account, contact, name, amount, currency, stage, owner, close, closed, won,
                 to_stored(NOW - 90 * DAY), entered))


def _lanes(store: Store, handle: str, scope: str) -> dict[str, Lane]:
    user: User = user_by_handle(store.conn, handle)
    lanes = pipeline(store.conn, current_playbook(store.conn), scope, user, NOW)  # type: ignore[arg-type]
    return {lane.key: lane for lane in lanes}


def test_lanes_in_board_order_with_counts_amounts_and_oldest_deals_first(store):
    add_deals(store)
    lanes = pipeline(store.conn, current_playbook(store.conn), "mine", user_by_handle(store.conn, "tom"), NOW)
    assert [(lane.side, lane.key) for lane in lanes] == [
        ("sdr", "new"), ("sdr", "attempting"), ("sdr", "connected"), ("sdr", "qualified"),
        ("ae", "discovery"), ("ae", "demo"), ("ae", "proposal"), ("ae", "negotiation"),
        ("ae", "closed_won"), ("ae", "closed_lost")]
    by_key = {lane.key: lane for lane in lanes}
    proposal = by_key["proposal"]
    assert proposal.count == 3
    assert [c.id for c in proposal.cards] == [5, 3, 4], "oldest in stage first: stale ones on top"
    assert [(c.age_days, c.stale) for c in proposal.cards] == [(50, True), (30, True), (2, False)]
    assert proposal.stale_count == 2
    assert proposal.total_amount == (("EUR", 48000.0), ("USD", 12000.0))
    assert proposal.weighted_amount == (("EUR", 24000.0), ("USD", 6000.0))
    card = proposal.cards[1]
    assert (card.title, card.subtitle, card.owner_name, card.amount, card.currency, card.account_id) == (
        "Nordwind – Expansion", "Nordwind Logistik GmbH", "Tom Reyes", 40000.0, "EUR", 1)
    assert by_key["demo"].count == 1, "zoe's deal is not Tom's"
    assert by_key["closed_won"].count == 1 and by_key["closed_won"].weighted_amount == ()
    assert by_key["closed_lost"].count == 0, "closed lanes show only the last 30 days"
    assert all(lane.count == 0 for lane in lanes if lane.side == "sdr"), "Tom owns no leads"


def test_scope_mine_team_and_all(store):
    add_deals(store)
    mine, team, everyone = (_lanes(store, "maya", scope) for scope in ("mine", "team", "all"))
    assert mine["new"].count == 5 and mine["demo"].count == 0
    assert team["new"].count == 5 and team["demo"].count == 1, "Tom is on Maya's team; Zoe is not"
    assert everyone["demo"].count == 2
    assert [c.id for c in everyone["demo"].cards] == [2, 8]
    assert {c.owner_name for c in everyone["demo"].cards} == {"Tom Reyes", "Zoe Park"}


def test_leads_best_score_first_with_days_in_status(store):
    conn = store.conn
    with transaction(conn):
        conn.executemany("UPDATE contacts SET score = ? WHERE id = ?", [(80, 2), (55, 4), (90, 5)])
        conn.execute("UPDATE contacts SET lead_status = 'attempting' WHERE id = 1")
        conn.execute("INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by, changed_at)"
                     " VALUES (1, 'lead_status', 'new', 'attempting', 1, ?)", (to_stored(NOW - 4 * DAY),))
    lanes = _lanes(store, "maya", "mine")
    assert [c.id for c in lanes["new"].cards] == [5, 2, 4, 3]
    assert lanes["new"].cards[0].score == 90 and lanes["new"].cards[0].subtitle == "Nordwind Logistik GmbH"
    assert lanes["new"].cards[0].age_days == 60, "no status change yet: in 'new' since it was created"
    (attempting,) = lanes["attempting"].cards
    assert (attempting.id, attempting.age_days, attempting.stale, attempting.kind) == (1, 4, False, "lead")


def test_per_lane_limits_cards_but_not_counts(store):
    add_deals(store)
    lanes = pipeline(store.conn, current_playbook(store.conn), "team", user_by_handle(store.conn, "maya"), NOW,
                     per_lane=2)
    by_key = {lane.key: lane for lane in lanes}
    assert by_key["new"].count == 5 and len(by_key["new"].cards) == 2
    assert by_key["proposal"].count == 3 and [c.id for c in by_key["proposal"].cards] == [5, 3]


def test_deal_state_and_account_contacts(store):
    add_deals(store)
    state = deal_state(store.conn, 3)
    assert state is not None
    assert (state.stage, state.owner_id, state.owner_name, state.account_id) == ("proposal", 2, "Tom Reyes", 1)
    assert state.values["amount"] == 40000.0 and state.values["expected_close_date"] is None
    assert deal_state(store.conn, 999) is None
    assert [cid for cid, _ in account_contacts(store.conn, 1)] == [5, 2, 1]
    assert account_contacts(store.conn, 1)[0][1] == "Karl Busch, Warehouse Lead"
