"""The per-day activity counts the metrics read: equal to counting the activities themselves (after a seed,
a log and an undo), each on the doer's own local date, and rebuilt when an older database is migrated."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from revdesk.core.common.when import from_stored
from revdesk.db.calls.activity_days import day_counts, rebuild_activity_days
from revdesk.db.common.connection import Store, transaction
from revdesk.db.seeding.seed import seed_database
from revdesk.db.workbench import Workbench
from tests.factories import NOW


def _direct(conn) -> Counter:
    zones = {r[0]: ZoneInfo(r[1]) for r in conn.execute("SELECT id, timezone FROM users")}
    counts: Counter = Counter()
    for user, occurred, kind, outcome, status in conn.execute(
            "SELECT user_id, occurred_at, kind, COALESCE(outcome, ''), COALESCE(lead_status, '') FROM activities"
            " WHERE undone_at IS NULL"):
        counts[(user, from_stored(occurred).astimezone(zones[user]).date().isoformat(), kind, outcome, status)] += 1
    return counts


def _stored(conn) -> Counter:
    return Counter({tuple(r[:5]): r[5] for r in conn.execute(
        "SELECT user_id, day, kind, outcome, lead_status, n FROM activity_days WHERE n != 0")})


def test_the_counts_equal_the_activities_after_a_seed_a_log_and_an_undo(tmp_path):
    seed_database(tmp_path / "demo.db", "demo", 7, NOW)
    store = Store(tmp_path / "demo.db")
    assert _stored(store.conn) == _direct(store.conn)
    assert store.conn.execute("SELECT COUNT(*) FROM activities WHERE lead_status IS NULL").fetchone()[0] == 0
    maya = Workbench.open(store, "maya", lambda: NOW)
    contact = store.conn.execute("SELECT id FROM contacts WHERE owner_id = ? AND do_not_contact = 0"
                                 " AND lead_status = 'attempting' LIMIT 1", (maya.user.id,)).fetchone()[0]
    before = maya.kpi("day").metrics["calls"].actual
    maya.log_call(contact, "voicemail")
    assert _stored(store.conn) == _direct(store.conn)
    assert maya.kpi("day").metrics["calls"].actual == before + 1
    calls = [c for c in day_counts(store.conn, [maya.user.id], NOW.date(), NOW.date() + timedelta(days=1), True)
             if c.kind == "call" and c.lead_status == "attempting"]
    assert calls and calls[0].count >= 1, "counted under the status the lead had when called"
    maya.undo()
    assert _stored(store.conn) == _direct(store.conn)
    assert maya.kpi("day").metrics["calls"].actual == before
    store.close()


def test_a_person_s_activity_counts_on_their_own_local_date(store):
    # Tom is in London; 23:30 UTC on Sunday 22 November is still the 22nd in London, but the 23rd in Berlin.
    late = "2026-11-22T23:30:00Z"
    with transaction(store.conn):
        for user in (1, 2):  # Maya (Berlin) and Tom (London)
            store.conn.execute("INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, occurred_at,"
                               " created_at, lead_status) VALUES ('call', 'voicemail', ?, 1, 1, ?, ?, 'attempting')",
                               (user, late, late))
        rebuild_activity_days(store.conn)
    monday = NOW.date()  # Monday 23 November
    counted = {u: sum(c.count for c in day_counts(store.conn, [u], monday, monday + timedelta(days=1)))
               for u in (1, 2)}
    assert counted == {1: 1, 2: 0}


def test_an_older_database_gets_its_counts_when_migrated(tmp_path):
    from revdesk.db.common.connection import connect
    from revdesk.db.migrations.runner import script

    path = tmp_path / "old.db"
    conn = connect(path)
    for number in range(1, 6):
        conn.executescript(script(number))
        conn.execute(f"PRAGMA user_version = {number}")
    conn.executescript(
        "INSERT INTO users (id, handle, name, role, timezone, created_at) VALUES"
        " (1, 'maya', 'Maya', 'sdr', 'Europe/Berlin', '2026-01-01T00:00:00Z');"
        "INSERT INTO contacts (id, first_name, last_name, created_at) VALUES (1, 'Jo', 'Ng', '2026-01-01T00:00:00Z');"
        "INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_at)"
        " VALUES (1, 'lead_status', 'new', 'attempting', '2026-11-20T09:00:00Z');"
        "INSERT INTO activities (kind, outcome, user_id, contact_id, occurred_at, created_at) VALUES"
        " ('call', 'no_answer', 1, 1, '2026-11-20T09:00:00Z', '2026-11-20T09:00:00Z'),"
        " ('call', 'voicemail', 1, 1, '2026-11-21T09:00:00Z', '2026-11-21T09:00:00Z');")
    conn.close()
    store = Store(path)
    statuses = [r[0] for r in store.conn.execute("SELECT lead_status FROM activities ORDER BY id")]
    assert statuses == ["new", "attempting"]
    assert _stored(store.conn) == _direct(store.conn) == Counter({
        (1, "2026-11-20", "call", "no_answer", "new"): 1, (1, "2026-11-21", "call", "voicemail", "attempting"): 1})
    store.close()


def test_an_activitys_lead_status_is_set_once(store):
    import sqlite3

    import pytest

    maya = Workbench.open(store, "maya", lambda: NOW)
    logged = maya.log_call(1, "connected")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), transaction(store.conn):
        store.conn.execute("UPDATE activities SET lead_status = 'qualified' WHERE id = ?", (logged.activity_id,))
