"""Reading dormant accounts (core.dormancy.definition has the definition) from the facts accounts keep, never by
scanning
deals or activities; and noticing when a touch revives one."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal

from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.dormancy.definition import DormantAccount, dormant_cutoff, value_at_risk
from revdesk.core.playbook.model import Playbook

Scope = int | Literal["unowned", "all"]  # an owner's user id, nobody's, or everyone's

# accounts.quiet_since (a generated column) is the later of the last touch and the last win, else the
# account's creation; the partial indexes on it hold only accounts with won revenue and no open deal.
DORMANT = "a.won_revenue > 0 AND a.open_deals = 0 AND a.quiet_since <= :cutoff"
NOT_SNOOZED = "(a.dormant_snoozed_until IS NULL OR a.dormant_snoozed_until <= :now)"
_COLUMNS = """a.id, a.name, a.domain, a.owner_id, a.won_revenue, a.last_won_at, a.last_touch_at, a.quiet_since,
              a.dormant_snoozed_until, a.dormant_snooze_reason"""


def _where(scope: Scope, snoozed: bool) -> tuple[str, dict[str, object]]:
    if scope == "all":
        owner, params = "", {}
    elif scope == "unowned":
        owner, params = " AND a.owner_id IS NULL", {}
    else:
        owner, params = " AND a.owner_id = :owner", {"owner": scope}
    return DORMANT + owner + ("" if snoozed else " AND " + NOT_SNOOZED), params


def cutoff_params(playbook: Playbook, now: datetime) -> dict[str, object]:
    return {"now": to_stored(now), "cutoff": to_stored(dormant_cutoff(now, playbook.dormancy.days))}


def dormant_accounts(conn: sqlite3.Connection, playbook: Playbook, now: datetime, scope: Scope = "all",
                     snoozed: bool = False, limit: int | None = None) -> list[DormantAccount]:
    """Dormant accounts in `scope`, most value at risk first; snoozed ones only with `snoozed`."""
    where, params = _where(scope, snoozed)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: the full bench list is thousands of rows
    rows = cursor.execute(f"SELECT {_COLUMNS} FROM accounts a WHERE {where}",
                          {**params, **cutoff_params(playbook, now)}).fetchall()
    accounts = _build(rows, now, playbook, _names(conn))
    accounts.sort(key=lambda a: (-a.value_at_risk, a.account_id))
    return accounts if limit is None else accounts[:limit]


def dormant_count(conn: sqlite3.Connection, playbook: Playbook, now: datetime, scope: Scope = "all",
                  snoozed: bool = True) -> int:
    """How many accounts in `scope` are dormant (by default counting snoozed ones: snoozing hides, it does not
    wake an account)."""
    where, params = _where(scope, snoozed)
    return conn.execute(f"SELECT COUNT(*) FROM accounts a WHERE {where}",
                        {**params, **cutoff_params(playbook, now)}).fetchone()[0]


def _names(conn: sqlite3.Connection) -> dict[int, str]:
    """Owners' names by id (a join per row costs more than reading the few users once)."""
    return dict(conn.execute("SELECT id, name FROM users").fetchall())


def _build(rows: list, now: datetime, playbook: Playbook, names: dict[int, str]) -> list[DormantAccount]:
    """Rows of _COLUMNS as DormantAccounts."""
    days, base, epoch, stamp = playbook.dormancy.days, playbook.currency.base, now.timestamp(), to_stored(now)
    parse = from_stored
    result = []
    for (account_id, name, domain, owner_id, revenue, won, touched, quiet, snoozed, reason) in rows:
        quiet_at = parse(quiet)
        days_quiet = (epoch - quiet_at.timestamp()) / 86400
        result.append(DormantAccount(
            account_id, name, domain, owner_id, names.get(owner_id) if owner_id else None, revenue, base,
            parse(won) if won else None, parse(touched) if touched else None, quiet_at, int(days_quiet),
            value_at_risk(revenue, days_quiet, days), parse(snoozed) if snoozed and snoozed > stamp else None,
            reason if snoozed and snoozed > stamp else None,
        ))
    return result


def dormant_account(conn: sqlite3.Connection, playbook: Playbook, account_id: int,
                    now: datetime) -> DormantAccount | None:
    """The account as a dormant one, or None when it is not dormant (snoozed or not)."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM accounts a WHERE a.id = :id AND {DORMANT}",
                        {**cutoff_params(playbook, now), "id": account_id}).fetchall()
    if not rows:
        return None
    names = dict(conn.execute("SELECT id, name FROM users WHERE id = ?", (rows[0]["owner_id"],)).fetchall())
    found = _build([tuple(row) for row in rows], now, playbook, names)
    return found[0] if found else None


def record_revival(conn: sqlite3.Connection, before: DormantAccount, user_id: int, activity_id: int,
                   revived_at: str) -> int:
    """Record that the touch `activity_id` revived `before` (the account as it was, dormant), credited to its owner
    (to whoever touched it when nobody owns it); the revival's id."""
    return int(conn.execute(
        "INSERT INTO revivals (account_id, user_id, activity_id, revived_at, quiet_since, won_revenue, owner_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (before.account_id, user_id, activity_id, revived_at, to_stored(before.quiet_since), before.lifetime_revenue,
         before.owner_id),
    ).lastrowid or 0)
