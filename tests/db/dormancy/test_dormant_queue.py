"""Dormant accounts in Today (capped, most valuable first, stable through the day), assignment round-robin,
snoozes that expire, and the count agreeing with a direct SQL count of the definition on the demo data."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import to_stored
from revdesk.db.common.users import user_by_handle
from revdesk.db.dormancy.actions import assign_dormant, snooze_dormant
from revdesk.db.dormancy.queries import dormant_accounts, dormant_count
from revdesk.db.playbook.stored import current_playbook
from revdesk.db.workbench import Workbench
from tests.dormant_factories import DIRECT_DORMANT_COUNT, add_customer
from tests.factories import NOW


def _bench(store, handle: str, now=NOW) -> Workbench:
    return Workbench.open(store, handle, lambda: now)


def _dormant_items(bench: Workbench) -> list[int | None]:
    return [i.account_id for i in bench.queue() if i.kind == "dormant"]


@pytest.fixture
def toms(store):
    """Seven dormant accounts of Tom's, revenue 10k..70k (the richest first in value)."""
    return [add_customer(store, f"Customer {n}", owner_id=2, revenue=n * 10_000, quiet_days=400) for n in range(1, 8)]


def test_today_offers_the_daily_cap_most_valuable_first(store, toms):
    tom = _bench(store, "tom")
    cap = tom.playbook.dormancy.daily_cap
    items = [i for i in tom.queue() if i.kind == "dormant"]
    assert [i.account_id for i in items] == list(reversed(toms))[:cap]
    assert items[0].reason == "No touch for 13 months; 70,000 EUR lifetime"
    assert items[0].contact_name.startswith("Pat ")


def test_the_picks_stay_put_through_the_day_and_a_touch_takes_one_out(store, toms):
    tom = _bench(store, "tom")
    first = _dormant_items(tom)
    richer = add_customer(store, "Richest", owner_id=2, revenue=900_000, quiet_days=500)
    later = _bench(store, "tom", NOW + timedelta(hours=2))
    assert _dormant_items(later) == first, "a new dormant account waits for tomorrow"
    contact = store.conn.execute("SELECT id FROM contacts WHERE account_id = ?", (first[0],)).fetchone()[0]
    later.log_call(contact, "voicemail")
    assert _dormant_items(later) == first[1:], "worked: gone, and not replaced today"
    tomorrow = _bench(store, "tom", NOW + timedelta(days=1))
    assert _dormant_items(tomorrow)[:2] == [richer, first[1]]


def test_a_cap_of_zero_offers_none_and_other_owners_see_none(store, toms):
    assert _dormant_items(_bench(store, "maya")) == []
    with_zero = replace(current_playbook(store.conn), dormancy=replace(current_playbook(store.conn).dormancy,
                                                                      daily_cap=0))
    tom = _bench(store, "tom")
    tom.playbook = with_zero  # type: ignore[misc]
    assert _dormant_items(tom) == []


def test_assignment_deals_unowned_accounts_round_robin_most_valuable_first(store):
    unowned = [add_customer(store, f"Orphan {n}", owner_id=None, revenue=n * 1_000, quiet_days=400)
               for n in range(1, 6)]
    founder = _founder(store)
    playbook = current_playbook(store.conn)
    assigned = assign_dormant(store.conn, playbook, founder, [1, 3], NOW, limit=4)
    by_value = list(reversed(unowned))
    assert assigned.pairs == [(by_value[0], 1), (by_value[1], 3), (by_value[2], 1), (by_value[3], 3)]
    owners = dict(store.conn.execute("SELECT id, owner_id FROM accounts").fetchall())
    assert [owners[a] for a in by_value] == [1, 3, 1, 3, None]
    history = store.conn.execute("SELECT record_id, from_user_id, to_user_id, changed_by FROM owner_history"
                                 " WHERE reason = 'Dormant account assigned' ORDER BY id").fetchall()
    assert [tuple(h) for h in history] == [(a, None, o, founder.id) for a, o in assigned.pairs]
    change = store.conn.execute("SELECT payload FROM changes WHERE command = 'assign_dormant'").fetchone()[0]
    assert json.loads(change)["assigned"] == [[a, None, o] for a, o in assigned.pairs]
    assert dormant_count(store.conn, playbook, NOW, "unowned") == 1


def test_only_managers_and_founders_assign_and_refusals_write_nothing(store):
    orphan = add_customer(store, "Orphan", owner_id=None, revenue=5_000, quiet_days=400)
    playbook, maya = current_playbook(store.conn), user_by_handle(store.conn, "maya")
    changes = store.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    with pytest.raises(InvalidInput) as refused:
        assign_dormant(store.conn, playbook, maya, [1], NOW)
    assert refused.value.field == "as"
    with pytest.raises(InvalidInput) as not_dormant:
        assign_dormant(store.conn, playbook, _founder(store), [1], NOW, account_ids=[orphan, 1])
    assert not_dormant.value.field == "account" and "1 is not dormant" in not_dormant.value.reason
    assert store.conn.execute("SELECT owner_id FROM accounts WHERE id = ?", (orphan,)).fetchone()[0] is None
    assert store.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == changes


def test_dormant_accounts_go_to_reps_only(store):
    add_customer(store, "Orphan", owner_id=None, revenue=5_000, quiet_days=400)
    founder = _founder(store)
    with pytest.raises(InvalidInput) as refused:
        assign_dormant(store.conn, current_playbook(store.conn), founder, [founder.id], NOW)
    assert refused.value.field == "to" and "is not a rep" in refused.value.reason


def test_revenue_in_a_currency_without_a_rate_is_flagged(store):
    from revdesk.db.accounts.facts import unrated_warning

    playbook = current_playbook(store.conn)
    add_customer(store, "Yen", owner_id=2, revenue=5_000_000, quiet_days=400, currency="JPY")
    assert unrated_warning(store.conn, playbook.currency) == (
        "JPY revenue is counted 1:1 as EUR: give their rates in the playbook's [currency] rates and apply it")
    add_customer(store, "Pounds", owner_id=2, revenue=5_000, quiet_days=400, currency="GBP")
    assert "GBP" not in (unrated_warning(store.conn, playbook.currency) or "")


def test_a_snooze_hides_the_account_until_it_expires(store):
    account = add_customer(store, "Later", owner_id=2, revenue=30_000, quiet_days=400)
    playbook, tom = current_playbook(store.conn), user_by_handle(store.conn, "tom")
    until = snooze_dormant(store.conn, playbook, tom, account, 3, "Board decides in December", NOW)
    assert until == NOW + timedelta(days=3)
    assert dormant_accounts(store.conn, playbook, NOW, "all") == []
    assert [a.snooze_reason for a in dormant_accounts(store.conn, playbook, NOW, "all", snoozed=True)] == [
        "Board decides in December"]
    assert dormant_count(store.conn, playbook, NOW, "all") == 1, "snoozed is still dormant"
    assert _dormant_items(_bench(store, "tom")) == []
    back = NOW + timedelta(days=3, seconds=1)
    assert [a.account_id for a in dormant_accounts(store.conn, playbook, back, "all")] == [account]
    assert dormant_accounts(store.conn, playbook, back, "all")[0].snoozed_until is None, "an expired snooze is none"
    assert _dormant_items(_bench(store, "tom", back)) == [account]


def test_a_bad_snooze_names_each_field_and_writes_nothing(store):
    account = add_customer(store, "Later", owner_id=2, revenue=30_000, quiet_days=400)
    playbook = current_playbook(store.conn)
    with pytest.raises(InvalidInput) as bad:
        snooze_dormant(store.conn, playbook, user_by_handle(store.conn, "tom"), account, 0, " ", NOW)
    assert [f for f, _ in bad.value.problems] == ["days", "reason"]  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput) as not_theirs:
        snooze_dormant(store.conn, playbook, user_by_handle(store.conn, "maya"), account, 5, "Not now", NOW)
    assert "only its owner" in not_theirs.value.reason
    snoozed = store.conn.execute("SELECT dormant_snoozed_until FROM accounts WHERE id = ?", (account,)).fetchone()
    assert snoozed[0] is None


def _founder(store):
    store.conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                       " VALUES (9, 'alex', 'Alex Moreau', 'founder', 'Leadership', 'Europe/Berlin', ?)",
                       (to_stored(NOW),))
    store.conn.commit()
    return user_by_handle(store.conn, "alex")


def test_the_count_equals_a_direct_sql_count_of_the_definition(tmp_path):
    from revdesk.db.common.connection import Store
    from revdesk.db.seeding.seed import seed_database

    seed_database(tmp_path / "demo.db", "demo", 7, NOW)
    store = Store(tmp_path / "demo.db")
    playbook = current_playbook(store.conn)
    cutoff = to_stored(NOW - timedelta(days=playbook.dormancy.days))
    direct = store.conn.execute(DIRECT_DORMANT_COUNT.format(owner=""), {"cutoff": cutoff}).fetchone()[0]
    assert direct > 0
    assert dormant_count(store.conn, playbook, NOW, "all") == direct
    assert len(dormant_accounts(store.conn, playbook, NOW, "all")) == direct
    unowned_sql = DIRECT_DORMANT_COUNT.format(owner="AND a.owner_id IS NULL")
    unowned = store.conn.execute(unowned_sql, {"cutoff": cutoff}).fetchone()[0]
    assert dormant_count(store.conn, playbook, NOW, "unowned") == unowned > 0
    _work_the_data(store, playbook)
    direct = store.conn.execute(DIRECT_DORMANT_COUNT.format(owner=""), {"cutoff": cutoff}).fetchone()[0]
    assert dormant_count(store.conn, playbook, NOW, "all") == direct
    store.close()


def _work_the_data(store, playbook) -> None:
    """Touches (one undone), deals won, lost and reopened, and a deal moved to another account: the facts the
    triggers and services keep must still agree with the raw tables."""
    from revdesk.db.common.connection import transaction

    conn = store.conn
    dormant = [a.account_id for a in dormant_accounts(conn, playbook, NOW, "all")]
    tom = Workbench.open(store, "tom", lambda: NOW)
    for account in dormant[:3]:
        contact = conn.execute("SELECT id FROM contacts WHERE account_id = ? AND do_not_contact = 0 LIMIT 1",
                               (account,)).fetchone()
        if contact:
            tom.log_call(contact[0], "voicemail")
    tom.undo()
    stamp = to_stored(NOW)
    with transaction(conn):
        open_deals = [r[0] for r in conn.execute("SELECT id FROM deals WHERE closed_at IS NULL LIMIT 3")]
        close = "UPDATE deals SET stage = ?, won = ?, closed_at = ? WHERE id = ?"
        conn.execute(close, ("closed_won", 1, stamp, open_deals[0]))
        conn.execute(close, ("closed_lost", 0, stamp, open_deals[1]))
        won = conn.execute("SELECT id FROM deals WHERE won = 1 AND id != ? LIMIT 1", (open_deals[0],)).fetchone()[0]
        conn.execute("UPDATE deals SET stage = 'negotiation', won = NULL, closed_at = NULL WHERE id = ?", (won,))
        conn.execute("UPDATE deals SET account_id = ? WHERE id = ?", (dormant[-1], open_deals[2]))
