"""One small database that gives every key screen something to show, built once per test module and copied per
test (building it takes a second; a copy takes milliseconds): tests/factories' users, contacts and tasks, the
leak report's hand-counted rows (handoffs, deals, dormant customers; tests/leak_factories), the default sequences
with four enrollments, and a few long names and old dates, so that what could be cut off would be."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from revdesk.core.common.when import to_stored
from revdesk.db.common.connection import Store, transaction
from revdesk.db.sequences.definitions import apply_sequence
from revdesk.db.sequences.enrollments import exit_sequences, tick
from revdesk.db.workbench import Workbench
from revdesk.fixtures import FIXTURES_DIR
from tests.factories import NOW, fixed_clock, make_store
from tests.leak_factories import seed_leaks

LONG_ACCOUNT = "Nordwind Logistik und Lagerhaltung GmbH & Co. KG"
LAST_YEAR = datetime(2025, 11, 10, 9, 30, tzinfo=UTC)  # the account was created on 19 Oct 2025


def build_screen_data(path: Path) -> Path:
    """The database at `path`, closed (its WAL folded in) so that it can be copied."""
    store = make_store(path)
    seed_leaks(store)
    conn = store.conn
    for source in sorted((FIXTURES_DIR / "sequences").glob("*.toml")):
        apply_sequence(conn, source.read_text(encoding="utf-8"), source.name, NOW - timedelta(days=1))
    maya = Workbench.open(store, "maya", fixed_clock)
    maya.enroll("cold_outbound", [1, 2, 5])
    maya.enroll("inbound_follow_up", [3])
    tick(conn, NOW)
    with transaction(conn):
        exit_sequences(conn, 2, "reply", NOW)
        conn.execute("UPDATE accounts SET name = ?, employees = 36853 WHERE id = 1", (LONG_ACCOUNT,))
        # Jonas Weber met Maya last year, soon after his company came in: that date must say its year.
        conn.execute("UPDATE contacts SET created_at = ? WHERE id = 1", (to_stored(LAST_YEAR - timedelta(days=7)),))
        conn.execute("INSERT INTO activities (user_id, kind, outcome, contact_id, account_id, occurred_at, note,"
                     " created_at) VALUES (1, 'meeting', 'held', 1, 1, ?, 'Met their ops team at the trade fair', ?)",
                     (to_stored(LAST_YEAR), to_stored(LAST_YEAR)))
        conn.execute("UPDATE contacts SET first_touch_at = ?, last_touch_at = ? WHERE id = 1",
                     (to_stored(LAST_YEAR), to_stored(LAST_YEAR)))
        conn.execute("UPDATE accounts SET last_touch_at = (SELECT MAX(last_touch_at) FROM contacts"
                     " WHERE account_id = 1) WHERE id = 1")  # its people's latest touch (Lea, yesterday)
    store.close()
    return path


def copy_of(template: Path, folder: Path) -> Store:
    """A store on a fresh copy of `template` in `folder`."""
    target = folder / "screens.db"
    shutil.copyfile(template, target)
    return Store(target)
