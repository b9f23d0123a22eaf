"""db/accounts/merge.py and `revdesk accounts merge|duplicates`: a merge moves everything of the merged account to
the one kept, fills its blanks without overwriting, keeps the account facts right, refuses cleanly, and the
merged account leaves the search, the dormant lists and the queues."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import timedelta

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import to_stored
from revdesk.db.accounts.merge import duplicate_accounts, merge_accounts
from revdesk.db.common.connection import Store, transaction
from revdesk.db.common.search import search_accounts
from revdesk.db.common.users import user_by_handle
from revdesk.db.dormancy.queries import dormant_accounts
from revdesk.db.playbook.stored import current_playbook
from revdesk.db.workbench import Workbench
from tests.dormant_factories import add_customer
from tests.factories import NOW, fixed_clock, make_store
from tests.tui.cli.cli_helpers import query, run, snapshot

T = to_stored
MOVED_TABLES = ("contacts", "deals", "tasks", "handoffs", "revivals", "activities", "dormant_picks")


def _founder(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                 " VALUES (4, 'alex', 'Alex Moreau', 'founder', 'Leadership', 'Europe/Berlin', ?)", (T(NOW),))


@pytest.fixture
def merge_db(tmp_path):
    """The factory data, with account 1 (Nordwind, keep) missing its domain, industry, growth stage and owner,
    and account 2 (Harbor Health, other, owned by tom) holding one of everything: contacts 3 and 4, a live and an
    undone call, a task, a handoff, won, lost and open deals, a revival, dormant picks (one on a day that
    already offers account 1), an import key, and account 5 merged into it earlier. alex is the founder."""
    path = tmp_path / "merge.db"
    store = make_store(path)
    conn = store.conn
    _founder(conn)
    conn.execute("UPDATE accounts SET domain = NULL, industry = NULL, growth_stage = NULL, owner_id = NULL,"
                 " last_touch_at = ? WHERE id = 1", (T(NOW - timedelta(days=20)),))
    maya = Workbench.open(store, "maya", lambda: NOW - timedelta(hours=2))
    maya.log_call(4, "no_answer")
    maya.undo()  # an undone activity of account 2: it moves too
    maya.log_call(3, "connected")
    old = NOW - timedelta(days=90)
    with transaction(conn):
        conn.executemany(
            "INSERT INTO deals (id, account_id, primary_contact_id, name, amount, currency, stage, owner_id,"
            " closed_at, won, created_at, stage_entered_at) VALUES (?, ?, 3, ?, ?, ?, ?, 2, ?, ?, ?, ?)",
            [(1, 2, "Harbor pilot", 12_000, "EUR", "closed_won", T(old), 1, T(old), T(old)),
             (2, 2, "Harbor rollout", 50_000, "USD", "proposal", None, None, T(old), T(old)),
             (3, 2, "Harbor lab", 7_000, "EUR", "closed_lost", T(NOW - timedelta(days=30)), 0, T(old), T(old)),
             (4, 1, "Nordwind fleet", 30_000, "EUR", "closed_won", T(old - timedelta(days=60)), 1, T(old),
              T(old))])
        conn.execute("INSERT INTO tasks (id, user_id, kind, contact_id, account_id, due_at, created_at)"
                     " VALUES (9, 2, 'follow_up', 3, 2, ?, ?)", (T(NOW + timedelta(days=1)), T(NOW)))
        conn.execute("INSERT INTO handoffs (id, kind, from_user_id, to_user_id, contact_id, account_id, created_at)"
                     " VALUES (7, 'sdr_ae', 1, 2, 4, 2, ?)", (T(NOW),))
        activity = conn.execute("SELECT MAX(id) FROM activities WHERE account_id = 2").fetchone()[0]
        conn.execute("INSERT INTO revivals (account_id, user_id, activity_id, revived_at, quiet_since, won_revenue,"
                     " owner_id) VALUES (2, 1, ?, ?, ?, 12000, 2)", (activity, T(NOW), T(old)))
        conn.executemany("INSERT INTO dormant_days (user_id, day, picked_at) VALUES (2, ?, ?)",
                         [("2026-11-22", T(NOW)), ("2026-11-23", T(NOW))])
        conn.executemany("INSERT INTO dormant_picks (user_id, day, rank, account_id, contact_id)"
                         " VALUES (2, ?, ?, ?, ?)",
                         [("2026-11-22", 0, 2, 3), ("2026-11-23", 0, 2, 3), ("2026-11-23", 1, 1, 1)])
        conn.execute("INSERT INTO import_keys (record_type, source, key, record_id) VALUES"
                     " ('account', 'salesforce', '001A', 2)")
        conn.execute("INSERT INTO accounts (id, name, created_at, merged_into) VALUES (5, 'Harbour Health', ?, 2)",
                     (T(NOW),))
    store.close()
    return path


@pytest.fixture
def store(merge_db):
    store = Store(merge_db)
    yield store
    store.close()


def _merge(store, handle="alex", keep=1, other=2, **kw):
    conn = store.conn
    return merge_accounts(conn, current_playbook(conn), user_by_handle(conn, handle), keep, other, NOW, **kw)


def _pointing_at(conn, account_id: int) -> dict[str, int]:
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t} WHERE account_id = ?", (account_id,)).fetchone()[0]
            for t in MOVED_TABLES}


def _recount(conn) -> dict[int, tuple]:
    """Each account's deal facts computed in Python from the raw deals and rates (not the triggers' SQL)."""
    rates = dict(conn.execute("SELECT currency, per_base FROM currency_rates").fetchall())
    facts = {r[0]: [0.0, None, None, 0] for r in conn.execute("SELECT id FROM accounts")}
    for account, amount, currency, won, closed in conn.execute(
            "SELECT account_id, amount, currency, won, closed_at FROM deals"):
        f = facts[account]
        if won == 1:
            f[0] += (amount or 0) * rates.get(currency, 1)
            f[1] = max(filter(None, [f[1], closed]))
        f[2] = max(filter(None, [f[2], closed]), default=None)
        f[3] += closed is None
    return {k: (pytest.approx(v[0]), v[1], v[2], v[3]) for k, v in facts.items()}


def _stored_facts(conn) -> dict[int, tuple]:
    return {r[0]: tuple(r[1:]) for r in conn.execute(
        "SELECT id, won_revenue, last_won_at, last_closed_at, open_deals FROM accounts")}


def test_a_merge_moves_everything_and_writes_one_change(store):
    conn = store.conn
    before = _pointing_at(conn, 2)
    assert before == {"contacts": 2, "deals": 3, "tasks": 2, "handoffs": 1, "revivals": 1, "activities": 2,
                      "dormant_picks": 2}
    changes = conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    result = _merge(store)
    assert result.moved == {"contacts": 2, "deals": 3, "tasks": 2, "handoffs": 1, "revivals": 1, "activities": 2,
                            "import_keys": 1, "dormant_picks": 2, "merged_accounts": 1}
    assert set(_pointing_at(conn, 2).values()) == {0}
    assert [r[0] for r in conn.execute("SELECT id FROM contacts WHERE account_id = 1 ORDER BY id")] == [1, 2, 3, 4, 5]
    assert conn.execute("SELECT COUNT(*) FROM activities WHERE account_id = 1 AND undone_at IS NOT NULL"
                        ).fetchone()[0] == 1, "the undone call moved too"
    assert conn.execute("SELECT record_id FROM import_keys WHERE key = '001A'").fetchone()[0] == 1
    picks = conn.execute("SELECT day, rank, account_id FROM dormant_picks ORDER BY day, rank").fetchall()
    assert [tuple(p) for p in picks] == [("2026-11-22", 0, 1), ("2026-11-23", 1, 1)], "no day offers keep twice"
    merged = dict(conn.execute("SELECT id, merged_into FROM accounts WHERE merged_into IS NOT NULL").fetchall())
    assert merged == {2: 1, 5: 1}, "what was merged into other now points at keep"
    change = conn.execute("SELECT * FROM changes ORDER BY id DESC LIMIT 1").fetchone()
    assert conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == changes + 1
    assert (change["command"], change["entity"], change["entity_id"], change["user_id"]) == (
        "merge_accounts", "account", 1, 4)
    payload = json.loads(change["payload"])
    assert payload["moved"]["deals"] == [1, 2, 3] and payload["other"] == 2 and result.change_id == change["id"]


def test_blanks_are_filled_from_other_and_nothing_keep_has_is_overwritten(store):
    conn = store.conn
    result = _merge(store)
    assert result.filled == {"domain": "harborhealth.com", "industry": "Healthcare", "owner_id": 2,
                             "growth_stage": "mature"}
    keep = dict(conn.execute("SELECT * FROM accounts WHERE id = 1").fetchone())
    assert (keep["name"], keep["employees"], keep["country"], keep["icp_tier"], keep["committee_complexity"]) == (
        "Nordwind Logistik GmbH", 420, "DE", "A", "high"), "keep's own values stay"
    assert (keep["domain"], keep["industry"], keep["owner_id"], keep["growth_stage"]) == (
        "harborhealth.com", "Healthcare", 2, "mature")
    assert conn.execute("SELECT domain FROM accounts WHERE id = 2").fetchone()[0] is None, "domains stay unique"
    assert "employees: kept 420, not 1200" in result.notes
    owner = conn.execute("SELECT from_user_id, to_user_id, changed_by, reason FROM owner_history"
                         " WHERE record_type = 'account' AND record_id = 1").fetchone()
    assert tuple(owner) == (None, 2, 4, "Merged with account 2")


def test_the_account_facts_are_right_after_a_merge(store):
    conn = store.conn
    _merge(store)
    assert _stored_facts(conn) == _recount(conn)
    keep = conn.execute("SELECT won_revenue, open_deals, last_touch_at FROM accounts WHERE id = 1").fetchone()
    assert keep["won_revenue"] == pytest.approx(42_000) and keep["open_deals"] == 1
    live = conn.execute("SELECT MAX(occurred_at) FROM activities WHERE account_id = 1 AND undone_at IS NULL"
                        ).fetchone()[0]
    assert keep["last_touch_at"] == live == T(NOW - timedelta(hours=2)), "the later touch of the two"
    other = conn.execute("SELECT won_revenue, open_deals, last_won_at FROM accounts WHERE id = 2").fetchone()
    assert tuple(other) == (0, 0, None)


def test_a_dry_run_writes_nothing_and_predicts_the_merge(store, merge_db):
    before = snapshot(merge_db)
    dry = _merge(store, dry_run=True)
    assert snapshot(merge_db) == before
    assert dry.dry_run and dry.change_id is None
    real = _merge(store)
    assert (dry.moved, dry.filled, dry.notes) == (real.moved, real.filled, real.notes)
    assert dry.facts == real.facts


@pytest.mark.parametrize(("handle", "keep", "other", "field", "reason"), [
    ("alex", 1, 1, "other", "is account 1 itself"),
    ("alex", 99, 2, "keep", "no account 99"),
    ("alex", 1, 99, "other", "no account 99"),
    ("alex", 1, 5, "other", "account 5 (Harbour Health) was already merged into account 2"),
    ("alex", 5, 1, "keep", "already merged"),
    ("maya", 1, 2, "as", "does not own account 1"),
    ("ines", 2, 1, "as", "ines is sdr and does not own account 2"),
])
def test_refusals_name_the_field_and_write_nothing(store, merge_db, handle, keep, other, field, reason):
    before = snapshot(merge_db)
    with pytest.raises(InvalidInput) as refused:
        _merge(store, handle, keep, other)
    assert refused.value.field == field and reason in refused.value.reason
    assert snapshot(merge_db) == before


def test_a_rep_merges_only_their_own_account_with_theirs_or_nobodys(store):
    conn = store.conn
    conn.execute("UPDATE accounts SET owner_id = 1 WHERE id = 1")
    with pytest.raises(InvalidInput, match="belongs to someone else"):
        _merge(store, "maya")  # account 2 is tom's
    conn.execute("UPDATE accounts SET owner_id = NULL WHERE id = 2")
    assert _merge(store, "maya").moved["contacts"] == 2


def test_an_activity_changes_account_only_to_follow_a_merge(store):
    conn = store.conn
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE activities SET account_id = 1 WHERE account_id = 2")
    _merge(store)
    activity = conn.execute("SELECT id FROM activities WHERE account_id = 1 LIMIT 1").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE activities SET account_id = 2 WHERE id = ?", (activity,))  # no way back


def test_the_merged_account_leaves_search_dormancy_queues_and_duplicates(tmp_path):
    store = make_store(tmp_path / "dormant.db")
    conn = store.conn
    _founder(conn)
    twin = add_customer(store, "Harbor Health Inc", owner_id=2, revenue=20_000, quiet_days=400)
    playbook = current_playbook(conn)
    assert twin in {a.account_id for a in dormant_accounts(conn, playbook, NOW)}
    assert [h.account_id for h in search_accounts(conn, "Harbor")] == [2, twin]
    assert (2, twin) in {(p.account_id, p.other_id) for p in duplicate_accounts(conn)}
    merge_accounts(conn, playbook, user_by_handle(conn, "alex"), 2, twin, NOW)
    assert [h.account_id for h in search_accounts(conn, "Harbor")] == [2]
    assert twin not in {a.account_id for a in dormant_accounts(conn, playbook, NOW, snoozed=True)}
    assert all(twin not in (p.account_id, p.other_id) for p in duplicate_accounts(conn))
    tom = Workbench.open(store, "tom", fixed_clock)
    assert all(item.account_id != twin for item in tom.queue())
    assert _stored_facts(conn) == _recount(conn)
    store.close()


def test_merges_on_the_demo_data_keep_every_accounts_facts(tmp_path, demo_db):
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    store = Store(path)
    conn = store.conn
    busiest = [r[0] for r in conn.execute(
        "SELECT account_id FROM deals GROUP BY account_id ORDER BY COUNT(*) DESC, account_id LIMIT 5")]
    alex = user_by_handle(conn, "alex")
    playbook = current_playbook(conn)
    merge_accounts(conn, playbook, alex, busiest[0], busiest[1], NOW)
    merge_accounts(conn, playbook, alex, busiest[2], busiest[0], NOW)  # keep of a merge merged in turn
    merge_accounts(conn, playbook, alex, busiest[2], busiest[3], NOW)
    assert _stored_facts(conn) == _recount(conn)
    assert dict(conn.execute("SELECT id, merged_into FROM accounts WHERE merged_into IS NOT NULL")) == {
        busiest[0]: busiest[2], busiest[1]: busiest[2], busiest[3]: busiest[2]}
    for gone in (busiest[0], busiest[1], busiest[3]):
        assert set(_pointing_at(conn, gone).values()) == {0}
    store.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from revdesk.db.seeding.seed import seed_database

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    seed_database(path, "demo", 7, NOW)
    return path


def test_an_older_database_gains_the_merge_column(tmp_path):
    from revdesk.db.common.connection import connect
    from revdesk.db.migrations.runner import load

    path = tmp_path / "v7.db"
    conn = connect(path)
    for number in range(1, 8):
        conn.executescript(load(number).SQL)
        if hasattr(load(number), "after"):
            load(number).after(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.executescript(
        "INSERT INTO users (id, handle, name, role, created_at) VALUES (1, 'alex', 'Alex', 'founder', '2026-01-01');"
        "INSERT INTO accounts (id, name, created_at) VALUES (1, 'A', '2026-01-01'), (2, 'A Inc', '2026-01-01');"
        "INSERT INTO activities (kind, outcome, user_id, account_id, occurred_at, created_at)"
        " VALUES ('note', NULL, 1, 2, '2026-01-02', '2026-01-02');")
    conn.close()
    store = Store(path)
    assert store.conn.execute("SELECT merged_into FROM accounts WHERE id = 2").fetchone()[0] is None
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE activities SET account_id = 1")
    store.conn.execute("UPDATE accounts SET merged_into = 1 WHERE id = 2")
    store.conn.execute("UPDATE activities SET account_id = 1")
    store.close()


def test_the_cli_merges_reports_and_refuses(capsys, merge_db):
    db = str(merge_db)
    before = snapshot(merge_db)
    code, out, err = run(capsys, "--db", db, "--as", "alex", "accounts", "merge", "1", "2", "--dry-run")
    assert code == 0, err
    assert "Would merge account 2 (Harbor Health) into 1" in out and "nothing was written" in out
    assert snapshot(merge_db) == before
    code, _, err = run(capsys, "--db", db, "--as", "maya", "accounts", "merge", "1", "2")
    assert code == 2 and err.count("\n") == 1 and "--as: maya is sdr and does not own account 1" in err
    assert snapshot(merge_db) == before
    code, out, err = run(capsys, "--db", db, "--as", "alex", "accounts", "merge", "1", "2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["moved"]["deals"] == 3 and result["filled"]["domain"] == "harborhealth.com"
    assert result["facts"]["open_deals"] == 1 and result["change_id"]
    assert query(merge_db, "SELECT merged_into FROM accounts WHERE id = 2") == [(1,)]
    code, _, err = run(capsys, "--db", db, "--as", "alex", "accounts", "merge", "1", "2")
    assert code == 2 and "other: account 2 (Harbor Health) was already merged into account 1" in err


def test_the_cli_lists_duplicates(capsys, merge_db):
    db = str(merge_db)
    conn = sqlite3.connect(merge_db)
    conn.execute("INSERT INTO accounts (name, domain, created_at) VALUES ('Nordwind Logistik AG', 'nordwind.at', ?),"
                 " ('Harbr Health', NULL, ?)", (T(NOW), T(NOW)))
    conn.commit()
    conn.close()
    code, out, err = run(capsys, "--db", db, "accounts", "duplicates", "--json")
    assert code == 0, err
    pairs = {(p["account_id"], p["other_id"]): (p["why"], p["score"]) for p in json.loads(out)}
    assert pairs[(1, 6)] == ("same name", 100.0), "Nordwind Logistik GmbH = Nordwind Logistik AG (no domain on 1)"
    assert pairs[(2, 7)][0] == "similar name" and pairs[(2, 7)][1] >= 90
    assert all(5 not in pair for pair in pairs), "the merged account is never listed"
    code, out, err = run(capsys, "--db", db, "accounts", "duplicates")
    assert code == 0 and "Accounts that may be one company: 2" in out and "accounts merge KEEP OTHER" in out
    code, _, err = run(capsys, "--db", db, "accounts", "duplicates", "--threshold", "0")
    assert code == 2 and "--threshold" in err
