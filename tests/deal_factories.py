"""Deals, stage history and lifecycle history written by SQL for the deal-metric and funnel tests (on top of
tests.factories.make_store: maya sdr 1, tom ae 2, ines sdr 3; accounts 1 and 2)."""

from __future__ import annotations

from datetime import UTC, datetime

from revdesk.db.common.connection import Store, transaction


def at(text: str) -> datetime:
    """'2026-11-10 12:00' as a UTC moment."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def stored(text: str | None) -> str | None:
    return None if text is None else at(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_user(store: Store, user_id: int, handle: str, role: str, team: str, timezone: str = "Europe/Berlin") -> None:
    with transaction(store.conn):
        store.conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')",
                           (user_id, handle, handle.title(), role, team, timezone))


def add_deal(store: Store, *, owner_id: int | None, stage: str, created: str, amount: float | None = None,
             currency: str = "EUR", won: int | None = None, closed: str | None = None, engaged: str | None = None,
             entered: str | None = None, expected: str | None = None, product: str | None = None,
             source: str | None = None, history: list[tuple[str | None, str, str]] = ()) -> int:
    """One deal; `history` rows are (from_stage, to_stage, 'YYYY-MM-DD HH:MM' UTC)."""
    with transaction(store.conn):
        deal_id = int(store.conn.execute(
            "INSERT INTO deals (account_id, name, amount, currency, stage, owner_id, expected_close_date, closed_at,"
            " won, lost_reason, source, product, created_at, stage_entered_at, engaged_at)"
            " VALUES (1, 'Deal', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (amount, currency, stage, owner_id, expected, stored(closed), won, "price" if won == 0 else None, source,
             product, stored(created), stored(entered or closed or created), stored(engaged)),
        ).lastrowid or 0)
        store.conn.executemany(
            "INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at) VALUES (?, ?, ?, 2, ?)",
            [(deal_id, before, after, stored(when)) for before, after, when in history])
    return deal_id


def add_contact(store: Store, *, created: str, stage: str, source: str | None,
                history: list[tuple[str | None, str, str]] = ()) -> int:
    """One contact at `stage` now; `history` rows are lifecycle changes (from, to, 'YYYY-MM-DD HH:MM' UTC)."""
    conn = store.conn
    with transaction(conn):
        number = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM contacts").fetchone()[0]
        contact_id = int(conn.execute(
            "INSERT INTO contacts (account_id, first_name, last_name, email, lead_source, lifecycle_stage, created_at)"
            " VALUES (1, 'Test', ?, ?, ?, ?, ?)",
            (f"Person {number}", f"person{number}@example.com", source, stage, stored(created)),
        ).lastrowid or 0)
        conn.executemany(
            "INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by, changed_at)"
            " VALUES (?, 'lifecycle', ?, ?, 1, ?)", [(contact_id, before, after, stored(when))
                                                      for before, after, when in history])
    return contact_id
