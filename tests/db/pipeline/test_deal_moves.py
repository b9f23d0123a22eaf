"""db/pipeline/stage_moves.py move_deal through the Workbench: exit criteria of the stage left and of every stage
skipped,
entry criteria of the stage entered, every problem named at once, history, winning, and extra criteria kept in
`details`.

Default stages and exit criteria: discovery [primary_contact_id] → demo [amount] → proposal [amount,
expected_close_date] → negotiation [amount, expected_close_date] → closed_won; closed_lost needs lost_reason
to enter. tom works in Europe/London, where NOW is Monday 23 November 2026.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from revdesk.core.common.errors import InvalidFields, InvalidInput, NotFound
from revdesk.core.common.when import to_stored
from revdesk.db.common.connection import transaction
from revdesk.db.playbook.stored import apply_playbook
from revdesk.db.workbench import Workbench
from revdesk.fixtures import DEFAULT_PLAYBOOK
from tests.db.helpers import bench, row, rows, snapshot
from tests.factories import NOW

STAMP = to_stored(NOW)
CREATED = to_stored(NOW - timedelta(days=7))
DEAL = 10
FUTURE = "2027-01-31"






def put(conn, stage: str = "discovery", **columns) -> None:
    """Set deal 10's stage and columns directly (as if it had got there earlier)."""
    sets = ", ".join(f"{k} = ?" for k in ("stage", *columns))
    conn.execute(f"UPDATE deals SET {sets} WHERE id = ?", (stage, *columns.values(), DEAL))


def refused(wb: Workbench, stage: str, fields: dict[str, str]) -> list[tuple[str, str]]:
    conn = wb.store.conn
    before = snapshot(conn)
    with pytest.raises(InvalidFields) as caught:
        wb.move_deal(DEAL, stage, fields)
    assert snapshot(conn) == before, "a refused move wrote something"
    return caught.value.problems


@pytest.fixture
def tom(store) -> Workbench:
    """Deal 10 at account 1, tom's, in discovery since a week, primary contact Jonas (1); more users:
    ana (ae, 4), fran (founder, 5), mona (manager, 6)."""
    conn = store.conn
    with transaction(conn):
        conn.executemany("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                         " VALUES (?, ?, ?, ?, 'North', 'Europe/Berlin', ?)",
                         [(4, "ana", "Ana Lima", "ae", STAMP), (5, "fran", "Fran Vogel", "founder", STAMP),
                          (6, "mona", "Mona Berg", "manager", STAMP)])
        conn.execute("INSERT INTO deals (id, account_id, primary_contact_id, name, stage, owner_id, created_at,"
                     " stage_entered_at) VALUES (?, 1, 1, 'Nordwind fleet', 'discovery', 2, ?, ?)",
                     (DEAL, CREATED, CREATED))
    return bench(store, "tom")


# --- what each move requires ------------------------------------------------------------------------------


def test_discovery_to_demo_needs_the_primary_contact_the_deal_has(tom):
    conn = tom.store.conn
    changes_before = row(conn, "SELECT MAX(id) AS id FROM changes")["id"]
    moved = tom.move_deal(DEAL, "demo", {})
    assert (moved.deal_id, moved.from_stage, moved.to_stage, moved.won) == (DEAL, "discovery", "demo", False)
    deal = row(conn, "SELECT stage, stage_entered_at, closed_at, won, owner_id FROM deals WHERE id = ?", DEAL)
    assert deal == {"stage": "demo", "stage_entered_at": STAMP, "closed_at": None, "won": None, "owner_id": 2}
    assert rows(conn, "SELECT from_stage, to_stage, changed_by, changed_at, reason FROM stage_history") == [
        {"from_stage": "discovery", "to_stage": "demo", "changed_by": 2, "changed_at": STAMP, "reason": None}]
    change = rows(conn, "SELECT * FROM changes WHERE id > ?", changes_before)
    assert len(change) == 1 and change[0]["id"] == moved.change_id
    assert (change[0]["command"], change[0]["entity"], change[0]["entity_id"], change[0]["user_id"]) == (
        "move_deal", "deal", DEAL, 2)
    assert json.loads(change[0]["payload"]) == {"from": "discovery", "to": "demo", "fields": {}, "before": {}}


def test_without_a_primary_contact_leaving_discovery_names_it(tom):
    conn = tom.store.conn
    put(conn, primary_contact_id=None)
    assert refused(tom, "demo", {}) == [("primary_contact_id", "is required to leave Discovery")]
    assert refused(tom, "demo", {"primary_contact_id": "3"}) == [
        ("primary_contact_id", "contact 3 is not at this deal's account")]
    assert refused(tom, "demo", {"primary_contact_id": "Lea"}) == [
        ("primary_contact_id", "'Lea' is not the id of a contact at the account")]
    tom.move_deal(DEAL, "demo", {"primary_contact_id": "2"})
    assert row(conn, "SELECT primary_contact_id, stage FROM deals WHERE id = ?", DEAL) == {
        "primary_contact_id": 2, "stage": "demo"}


def test_skipping_demo_needs_demos_exit_criteria(tom):
    """discovery → proposal: discovery's primary contact (there) and demo's amount; not proposal's own."""
    assert refused(tom, "proposal", {}) == [("amount", "is required to leave Demo")]
    tom.move_deal(DEAL, "proposal", {"amount": "12,500"})
    assert row(tom.store.conn, "SELECT stage, amount, expected_close_date FROM deals WHERE id = ?", DEAL) == {
        "stage": "proposal", "amount": 12500.0, "expected_close_date": None}


def test_proposal_to_closed_won_needs_amount_and_close_date(tom):
    conn = tom.store.conn
    put(conn, "proposal")
    assert refused(tom, "closed_won", {}) == [("amount", "is required to leave Proposal"),
                                               ("expected_close_date", "is required to leave Proposal")]
    assert refused(tom, "closed_won", {"amount": "24000"}) == [
        ("expected_close_date", "is required to leave Proposal")]
    moved = tom.move_deal(DEAL, "closed_won", {"amount": "24000", "expected_close_date": FUTURE})
    assert moved.won is True
    assert row(conn, "SELECT stage, amount, expected_close_date, won, closed_at, stage_entered_at FROM deals"
                     " WHERE id = ?", DEAL) == {
        "stage": "closed_won", "amount": 24000.0, "expected_close_date": FUTURE, "won": 1, "closed_at": STAMP,
        "stage_entered_at": STAMP}


def test_values_the_deal_already_has_count(tom):
    conn = tom.store.conn
    put(conn, "negotiation", amount=5000.0, expected_close_date=FUTURE)
    moved = tom.move_deal(DEAL, "closed_won", {})
    assert moved.won
    change = row(conn, "SELECT payload FROM changes WHERE id = ?", moved.change_id)
    assert json.loads(change["payload"]) == {"from": "negotiation", "to": "closed_won", "fields": {}, "before": {}}


def test_the_whole_way_from_discovery_to_won_in_one_move(tom):
    assert refused(tom, "closed_won", {}) == [("amount", "is required to leave Demo"),
                                               ("expected_close_date", "is required to leave Proposal")]


@pytest.mark.parametrize("start", ["discovery", "demo", "proposal", "negotiation"])
def test_closed_lost_needs_only_a_lost_reason(tom, start):
    conn = tom.store.conn
    put(conn, start)
    assert refused(tom, "closed_lost", {}) == [("lost_reason", "is required to enter Closed Lost")]
    assert refused(tom, "closed_lost", {"lost_reason": "no"}) == [
        ("lost_reason", "is too short; say it in words (4 characters at least)")]
    assert refused(tom, "closed_lost", {"lost_reason": "tbd"}) == [
        ("lost_reason", "needs a real value: why the deal was lost, in words")]
    moved = tom.move_deal(DEAL, "closed_lost", {"lost_reason": "Chose a competitor"})
    assert (moved.from_stage, moved.to_stage, moved.won) == (start, "closed_lost", False)
    assert row(conn, "SELECT stage, won, closed_at, lost_reason, amount FROM deals WHERE id = ?", DEAL) == {
        "stage": "closed_lost", "won": 0, "closed_at": STAMP, "lost_reason": "Chose a competitor", "amount": None}
    assert row(conn, "SELECT from_stage, to_stage, reason FROM stage_history") == {
        "from_stage": start, "to_stage": "closed_lost", "reason": "Chose a competitor"}
    # Losing does not make anyone a customer.
    assert row(conn, "SELECT lifecycle_stage FROM contacts WHERE id = 1") == {"lifecycle_stage": "mql"}


@pytest.mark.parametrize(("start", "back"), [("proposal", "discovery"), ("negotiation", "demo"),
                                             ("demo", "discovery"), ("closed_won", "negotiation")])
def test_moving_back_needs_nothing(tom, start, back):
    conn = tom.store.conn
    put(conn, start, primary_contact_id=None)
    moved = tom.move_deal(DEAL, back, {})
    assert (moved.from_stage, moved.to_stage, moved.won) == (start, back, False)
    assert row(conn, "SELECT stage, won, closed_at, stage_entered_at FROM deals WHERE id = ?", DEAL) == {
        "stage": back, "won": None, "closed_at": None, "stage_entered_at": STAMP}


# --- bad values, all named at once ------------------------------------------------------------------------


def test_every_bad_or_missing_field_is_named_at_once(tom):
    problems = refused(tom, "closed_won", {"amount": "x", "expected_close_date": "2026-11-22"})
    assert problems == [("amount", "'x' is not a positive amount, like 12500 or 12,500.00"),
                        ("expected_close_date", "2026-11-22 is in the past")]


def test_bad_values_and_missing_ones_together(tom):
    conn = tom.store.conn
    put(conn, primary_contact_id=None)
    problems = refused(tom, "closed_won", {"amount": "-5", "colour": "blue", "currency": "euro"})
    assert problems == [
        ("amount", "'-5' is not a positive amount, like 12500 or 12,500.00"),
        ("colour", "is not a deal field (fields: amount, currency, expected_close_date, lost_reason, name,"
                   " primary_contact_id)"),
        ("currency", "'euro' is not a three-letter currency code, like EUR"),
        ("primary_contact_id", "is required to leave Discovery"),
        ("expected_close_date", "is required to leave Proposal"),
    ]


@pytest.mark.parametrize(("raw", "reason"), [
    ("0", "'0' is not a positive amount, like 12500 or 12,500.00"),
    ("tbd", "needs a real value: a positive amount, like 12500 or 12,500.00"),
    ("", "needs a real value: a positive amount, like 12500 or 12,500.00"),
])
def test_bad_amounts(tom, raw, reason):
    assert refused(tom, "proposal", {"amount": raw}) == [("amount", reason)]


@pytest.mark.parametrize("raw", ["31/12/2026", "next month", "2027-02-30"])
def test_bad_close_dates(tom, raw):
    put(tom.store.conn, "proposal", amount=1000.0)
    assert refused(tom, "closed_won", {"expected_close_date": raw}) == [
        ("expected_close_date", f"{raw!r} is not a date like 2027-01-31")]


@pytest.mark.parametrize(("raw", "amount"), [("12500", 12500.0), ("12,500.00", 12500.0), ("€12.500,00", 12500.0),
                                             ("12 500", 12500.0), ("999.99", 999.99)])
def test_amounts_as_people_type_them(tom, raw, amount):
    tom.move_deal(DEAL, "proposal", {"amount": raw})
    assert row(tom.store.conn, "SELECT amount FROM deals WHERE id = ?", DEAL) == {"amount": amount}


def test_a_close_date_of_today_is_not_in_the_past(tom):
    put(tom.store.conn, "proposal", amount=1000.0)
    tom.move_deal(DEAL, "closed_won", {"expected_close_date": "2026-11-23"})
    assert row(tom.store.conn, "SELECT expected_close_date FROM deals WHERE id = ?", DEAL) == {
        "expected_close_date": "2026-11-23"}


def test_unknown_stage_same_stage_and_unknown_deal(tom):
    conn = tom.store.conn
    before = snapshot(conn)
    with pytest.raises(InvalidInput) as caught:
        tom.move_deal(DEAL, "won", {})
    assert caught.value.field == "stage"
    assert caught.value.reason == ("'won' is not a stage; the playbook has: discovery, demo, proposal, negotiation,"
                                   " closed_won, closed_lost")
    with pytest.raises(InvalidInput) as caught:
        tom.move_deal(DEAL, "discovery", {})
    assert (caught.value.field, caught.value.reason) == ("stage", f"deal {DEAL} is already in Discovery")
    with pytest.raises(NotFound):
        tom.move_deal(999, "demo", {})
    assert snapshot(conn) == before


# --- whose deal -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("handle", ["maya", "ana"])
def test_someone_elses_deal_is_refused_for_an_sdr_or_ae(store, tom, handle):
    conn = store.conn
    before = snapshot(conn)
    with pytest.raises(InvalidInput) as caught:
        bench(store, handle).move_deal(DEAL, "demo", {})
    assert caught.value.field == "as"
    assert caught.value.reason == (f"deal {DEAL} is Tom Reyes's; only its owner, a manager or a founder moves it")
    assert snapshot(conn) == before


@pytest.mark.parametrize(("handle", "user_id"), [("fran", 5), ("mona", 6)])
def test_a_founder_or_manager_may_move_anyones_deal(store, tom, handle, user_id):
    conn = store.conn
    moved = bench(store, handle).move_deal(DEAL, "proposal", {"amount": "9000"})
    assert moved.to_stage == "proposal"
    # The owner stays: moving a deal never changes who owns it.
    assert row(conn, "SELECT owner_id, stage FROM deals WHERE id = ?", DEAL) == {"owner_id": 2, "stage": "proposal"}
    assert row(conn, "SELECT changed_by FROM stage_history") == {"changed_by": user_id}
    assert rows(conn, "SELECT * FROM owner_history") == []


# --- history and winning ----------------------------------------------------------------------------------


def test_each_move_writes_stage_history_and_resets_stage_entered_at(store, tom):
    conn = store.conn
    t1, t2, t3 = NOW, NOW + timedelta(days=2, hours=3), NOW + timedelta(days=9)
    bench(store, "tom", t1).move_deal(DEAL, "demo", {})
    bench(store, "tom", t2).move_deal(DEAL, "proposal", {"amount": "15000"})
    assert row(conn, "SELECT stage_entered_at FROM deals WHERE id = ?", DEAL) == {"stage_entered_at": to_stored(t2)}
    bench(store, "tom", t3).move_deal(DEAL, "demo", {})
    assert rows(conn, "SELECT from_stage, to_stage, changed_at FROM stage_history WHERE deal_id = ? ORDER BY id",
                DEAL) == [
        {"from_stage": "discovery", "to_stage": "demo", "changed_at": to_stored(t1)},
        {"from_stage": "demo", "to_stage": "proposal", "changed_at": to_stored(t2)},
        {"from_stage": "proposal", "to_stage": "demo", "changed_at": to_stored(t3)},
    ]
    assert row(conn, "SELECT stage, stage_entered_at, amount, created_at FROM deals WHERE id = ?", DEAL) == {
        "stage": "demo", "stage_entered_at": to_stored(t3), "amount": 15000.0, "created_at": CREATED}


def test_winning_makes_the_primary_contact_a_customer(tom):
    conn = tom.store.conn
    history_before = row(conn, "SELECT COUNT(*) AS n FROM status_history")["n"]
    moved = tom.move_deal(DEAL, "closed_won", {"amount": "24000", "expected_close_date": FUTURE})
    assert moved.won
    assert row(conn, "SELECT lifecycle_stage FROM contacts WHERE id = 1") == {"lifecycle_stage": "customer"}
    assert rows(conn, "SELECT contact_id, axis, from_value, to_value, changed_by, changed_at, reason"
                      " FROM status_history WHERE id > ?", history_before) == [
        {"contact_id": 1, "axis": "lifecycle", "from_value": "mql", "to_value": "customer", "changed_by": 2,
         "changed_at": STAMP, "reason": "Won: Nordwind fleet"}]
    payload = json.loads(row(conn, "SELECT payload FROM changes WHERE id = ?", moved.change_id)["payload"])
    assert payload == {"from": "discovery", "to": "closed_won",
                       "fields": {"amount": 24000.0, "expected_close_date": FUTURE},
                       "before": {"amount": None, "expected_close_date": None}}


def test_a_contact_already_a_customer_gets_no_new_history(tom):
    conn = tom.store.conn
    conn.execute("UPDATE contacts SET lifecycle_stage = 'customer' WHERE id = 1")
    history_before = row(conn, "SELECT COUNT(*) AS n FROM status_history")["n"]
    tom.move_deal(DEAL, "closed_won", {"amount": "24000", "expected_close_date": FUTURE})
    assert row(conn, "SELECT COUNT(*) AS n FROM status_history")["n"] == history_before


# --- criteria that are not columns live in `details` ------------------------------------------------------


@pytest.fixture
def custom(store, tom) -> Workbench:
    """A playbook whose Demo stage also needs a decision process to leave; a fresh workbench reads it."""
    source = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
    assert source.count('exit_criteria = ["amount"]\n') == 1
    source = source.replace('exit_criteria = ["amount"]\n', 'exit_criteria = ["amount", "decision_process"]\n')
    apply_playbook(store.conn, source, "custom.toml", NOW)
    wb = bench(store, "tom")
    assert wb.playbook.stage("demo").exit_criteria == ["amount", "decision_process"]
    return wb


def test_an_extra_exit_criterion_is_required_and_kept_in_details(custom):
    conn = custom.store.conn
    put(conn, "demo")
    assert refused(custom, "proposal", {}) == [("amount", "is required to leave Demo"),
                                               ("decision_process", "is required to leave Demo")]
    assert refused(custom, "proposal", {"amount": "9000", "decision_process": "tbd"}) == [
        ("decision_process", "needs a real value: in words")]
    assert refused(custom, "proposal", {"amount": "9000", "decision_process": "CFO"}) == [
        ("decision_process", "is too short; say it in words (4 characters at least)")]
    moved = custom.move_deal(DEAL, "proposal", {"amount": "9000", "decision_process": "CFO signs after legal"})
    deal = row(conn, "SELECT stage, amount, details FROM deals WHERE id = ?", DEAL)
    assert (deal["stage"], deal["amount"]) == ("proposal", 9000.0)
    assert json.loads(deal["details"]) == {"decision_process": "CFO signs after legal"}
    payload = json.loads(row(conn, "SELECT payload FROM changes WHERE id = ?", moved.change_id)["payload"])
    assert payload["fields"] == {"amount": 9000.0, "decision_process": "CFO signs after legal"}
    assert payload["before"] == {"amount": None, "decision_process": None}


def test_details_count_as_the_deal_having_the_criterion(custom):
    conn = custom.store.conn
    put(conn, "demo", amount=5000.0, details=json.dumps({"decision_process": "Board vote in March"}))
    custom.move_deal(DEAL, "proposal", {})
    assert row(conn, "SELECT stage FROM deals WHERE id = ?", DEAL) == {"stage": "proposal"}


def test_details_keep_earlier_criteria_when_adding_more(custom):
    conn = custom.store.conn
    put(conn, "discovery", details=json.dumps({"champion": "Jonas"}))
    custom.move_deal(DEAL, "proposal", {"amount": "9000", "decision_process": "CFO signs after legal"})
    assert json.loads(row(conn, "SELECT details FROM deals WHERE id = ?", DEAL)["details"]) == {
        "champion": "Jonas", "decision_process": "CFO signs after legal"}


def test_skipping_demo_under_the_custom_playbook_needs_the_extra_criterion(custom):
    assert refused(custom, "closed_won", {"amount": "9000", "expected_close_date": FUTURE}) == [
        ("decision_process", "is required to leave Demo")]


def test_a_lost_deal_cannot_be_won_without_amount_and_close_date(tom):
    put(tom.store.conn, "closed_lost", lost_reason="Chose a competitor", won=0, closed_at=STAMP)
    problems = refused(tom, "closed_won", {})
    assert {f for f, _ in problems} == {"amount", "expected_close_date"}


def test_a_reopened_deal_forgets_why_it_was_lost_and_losing_it_again_asks_again(store):
    from revdesk.db.workbench import Workbench
    from tests.factories import fixed_clock

    conn = store.conn
    conn.execute("INSERT INTO deals (id, account_id, primary_contact_id, name, stage, owner_id, created_at,"
                 " stage_entered_at) VALUES (90, 1, 1, 'Reopen me', 'demo', 2, '2026-11-01T09:00:00Z',"
                 " '2026-11-01T09:00:00Z')")
    tom = Workbench.open(store, "tom", fixed_clock)
    tom.move_deal(90, "closed_lost", {"lost_reason": "Chose a competitor"})
    tom.move_deal(90, "demo", {})
    assert tuple(conn.execute("SELECT lost_reason, closed_at, won FROM deals WHERE id = 90").fetchone()) == (
        None, None, None)
    with pytest.raises(InvalidFields) as refused:
        tom.move_deal(90, "closed_lost", {})
    assert [f for f, _ in refused.value.problems] == ["lost_reason"]
    reasons = [r[0] for r in conn.execute("SELECT reason FROM stage_history WHERE deal_id = 90 ORDER BY id")]
    assert reasons == ["Chose a competitor", None]
