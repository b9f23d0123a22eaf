"""Facts each account keeps about its deals (won revenue in the base currency, last win, open deals).

Triggers on deals keep them current whoever writes a deal (migration 6 made them; ACCOUNT_FACTS below is what
they compute); this module recomputes them in bulk when the exchange rates change or after a bulk load that ran
without the triggers.
"""

from __future__ import annotations

import sqlite3

from revdesk.core.playbook.model import Currency

# An account's facts from its deals: won revenue in the base currency, when it last won, how many deals are
# open, when it last closed any deal (the same as the deals triggers of migration 6 compute).
ACCOUNT_FACTS = """
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL),
    last_closed_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id)"""

FACT_TRIGGERS = ("deals_facts_insert", "deals_facts_update", "deals_facts_delete")


def refresh_account_facts(conn: sqlite3.Connection) -> None:
    """Recompute every account's facts from its deals (one statement, inside the caller's transaction)."""
    conn.execute(f"UPDATE accounts SET {ACCOUNT_FACTS}")


def set_currency_rates(conn: sqlite3.Connection, currency: Currency) -> bool:
    """Store the playbook's exchange rates; when they changed, recompute won revenue. True if they changed."""
    stored = {row[0]: row[1] for row in conn.execute("SELECT currency, per_base FROM currency_rates")}
    wanted = {code: float(rate) for code, rate in currency.rates.items() if code != currency.base}
    if stored == wanted:
        return False
    conn.execute("DELETE FROM currency_rates")
    conn.executemany("INSERT INTO currency_rates (currency, per_base) VALUES (?, ?)", wanted.items())
    refresh_account_facts(conn)
    return True


def suspend_fact_triggers(conn: sqlite3.Connection) -> list[str]:
    """Drop the deal triggers for a bulk load; returns their CREATE statements to run again afterwards
    (followed by refresh_account_facts)."""
    marks = ", ".join("?" * len(FACT_TRIGGERS))
    rows = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",
                        FACT_TRIGGERS).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP TRIGGER "{name}"')
    return [sql for _, sql in rows]


def unrated_currencies(conn: sqlite3.Connection, currency: Currency) -> list[str]:
    """Currencies of won deals the playbook gives no rate for: their revenue is added at face value, which the
    screens and commands then say."""
    rows = conn.execute("SELECT DISTINCT currency FROM deals WHERE won = 1 AND currency != ?"
                        " AND currency NOT IN (SELECT currency FROM currency_rates) ORDER BY currency",
                        (currency.base,))
    return [r[0] for r in rows]


def unrated_warning(conn: sqlite3.Connection, currency: Currency) -> str | None:
    codes = unrated_currencies(conn, currency)
    if not codes:
        return None
    return (f"{', '.join(codes)} revenue is counted 1:1 as {currency.base}: give their rates in the playbook's"
            " [currency] rates and apply it")
