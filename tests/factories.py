"""A tiny, hand-made dataset for tests: known users, contacts, tasks and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from revdesk.core.common.when import to_stored
from revdesk.db.common.connection import Store, transaction
from revdesk.db.playbook.stored import apply_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

# Monday 23 November 2026, 14:00 in Berlin.
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


def make_store(path: Path) -> Store:
    """A database with the default playbook, three users, two accounts, five contacts and their tasks."""
    store = Store(path)
    conn = store.conn
    apply_playbook(conn, DEFAULT_PLAYBOOK.read_text(encoding="utf-8"), "playbook.toml", NOW - timedelta(days=30))
    t = to_stored
    with transaction(conn):
        conn.executemany(
            "INSERT INTO users (id, handle, name, role, team, timezone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(1, "maya", "Maya Koch", "sdr", "North", "Europe/Berlin", t(NOW)),
             (2, "tom", "Tom Reyes", "ae", "North", "Europe/London", t(NOW)),
             (3, "ines", "Inês Duarte", "sdr", "North", "Europe/Lisbon", t(NOW))],
        )
        conn.executemany(
            "INSERT INTO accounts (id, name, domain, industry, employees, country, timezone, owner_id, icp_tier,"
            " growth_stage, committee_complexity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(1, "Nordwind Logistik GmbH", "nordwind.de", "Logistics", 420, "DE", "Europe/Berlin", 1, "A",
              "scale-up", "high", t(NOW - timedelta(days=400))),
             (2, "Harbor Health", "harborhealth.com", "Healthcare", 1200, "US", "America/New_York", 2, "B",
              "mature", "medium", t(NOW - timedelta(days=200)))],
        )
        contacts = [
            # id, account, first, last, title, email, phone, tz, country, role, source, inbound, created
            (1, 1, "Jonas", "Weber", "Head of Operations", "jonas.weber@nordwind.de", "+4915112345678",
             "Europe/Berlin", "DE", "decision_maker", "Outbound list", 0, NOW - timedelta(days=60)),
            (2, 1, "Lea", "Fischer", "Finance Director", "lea.fischer@nordwind.de", "+4930901820",
             "Europe/Berlin", "DE", "approver", "Outbound list", 0, NOW - timedelta(days=60)),
            (3, 2, "Dana", "Brooks", "VP Clinical Operations", "dana.brooks@harborhealth.com", "+12025550143",
             "America/New_York", "US", "champion", "Website demo request", 1, NOW - timedelta(minutes=40)),
            (4, 2, "Sam", "Ortiz", "IT Manager", "sam.ortiz@harborhealth.com", "+12025550178",
             "America/New_York", "US", "influencer", "Content download", 1, NOW - timedelta(minutes=5)),
            (5, 1, "Karl", "Busch", "Warehouse Lead", "karl.busch@nordwind.de", "+4915198765432",
             "Europe/Berlin", "DE", "user", "Outbound list", 0, NOW - timedelta(days=60)),
        ]
        conn.executemany(
            "INSERT INTO contacts (id, account_id, first_name, last_name, title, email, phone, timezone, country,"
            " buying_role, lead_source, inbound, lifecycle_stage, owner_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'mql', 1, ?)",
            [(*c[:12], t(c[12])) for c in contacts],
        )
        conn.executemany(
            "INSERT INTO tasks (id, user_id, kind, contact_id, account_id, due_at, note, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(1, 1, "follow_up", 1, 1, t(NOW - timedelta(days=2)), "Send the ROI sheet", t(NOW - timedelta(days=5))),
             (2, 1, "call_back", 2, 1, t(NOW + timedelta(minutes=5)), "After her board meeting",
              t(NOW - timedelta(days=1))),
             (3, 1, "follow_up", 5, 1, t(NOW + timedelta(hours=3)), None, t(NOW - timedelta(days=1))),
             (4, 1, "follow_up", 5, 1, t(NOW + timedelta(days=3)), "Next week", t(NOW - timedelta(days=1)))],
        )
    return store
