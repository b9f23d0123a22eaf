"""Reading dormant accounts (core.dormancy has the definition) from the facts accounts keep, never by scanning
deals or activities; and noticing when a touch revives one."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal

from core.dormancy import DormantAccount, dormant_cutoff
from core.playbook import Playbook
from core.when import from_stored, to_stored

Scope = int | Literal["unowned", "all"]  # an owner's user id, nobody's, or everyone's

# quiet_since: the later of the last touch and the last win, else the account's creation.
QUIET_SINCE = ("COALESCE(NULLIF(MAX(COALESCE(a.last_touch_at, ''), COALESCE(a.last_won_at, '')), ''),"
               " a.created_at)")
_LIST = f"""
SELECT a.id, a.name, a.domain, a.owner_id, u.name AS owner_name, a.won_revenue, a.last_won_at, a.last_touch_at,
       {QUIET_SINCE} AS quiet, a.dormant_snoozed_until, a.dormant_snooze_reason
FROM accounts a LEFT JOIN users u ON u.id = a.owner_id
WHERE a.won_revenue > 0 AND a.open_deals = 0 AND {{owner}} AND {QUIET_SINCE} <= :cutoff {{snooze}}
"""
_WEIGHTED = "a.won_revenue * MIN(MAX((julianday(:now) - julianday(quiet)) / :days, 1.0), 3.0)"
_NOT_SNOOZED = "AND (a.dormant_snoozed_until IS NULL OR a.dormant_snoozed_until <= :now)"


def _where(scope: Scope, snoozed: bool) -> tuple[str, dict[str, object]]:
    if scope == "all":
        owner, params = "1", {}
    elif scope == "unowned":
        owner, params = "a.owner_id IS NULL", {}
    else:
        owner, params = "a.owner_id = :owner", {"owner": scope}
    return _LIST.format(owner=owner, snooze="" if snoozed else _NOT_SNOOZED), params


def cutoff_params(playbook: Playbook, now: datetime) -> dict[str, object]:
    return {"now": to_stored(now), "cutoff": to_stored(dormant_cutoff(now, playbook.dormancy.days)),
            "days": float(playbook.dormancy.days)}


def dormant_accounts(conn: sqlite3.Connection, playbook: Playbook, now: datetime, scope: Scope = "all",
                     snoozed: bool = False, limit: int | None = None) -> list[DormantAccount]:
    """Dormant accounts in `scope`, most value at risk first; snoozed ones only with `snoozed`."""
    query, params = _where(scope, snoozed)
    params.update(cutoff_params(playbook, now))
    sql = (f"SELECT * FROM ({query}) a ORDER BY {_WEIGHTED} DESC, a.id"
           + (" LIMIT :limit" if limit is not None else ""))
    rows = conn.execute(sql, {**params, "limit": limit}).fetchall()
    return [_dormant(row, now, playbook) for row in rows]


def dormant_count(conn: sqlite3.Connection, playbook: Playbook, now: datetime, scope: Scope = "all",
                  snoozed: bool = True) -> int:
    """How many accounts in `scope` are dormant (by default counting snoozed ones: snoozing hides, it does not
    wake an account)."""
    query, params = _where(scope, snoozed)
    return conn.execute(f"SELECT COUNT(*) FROM ({query})", {**params, **cutoff_params(playbook, now)}).fetchone()[0]


def _dormant(row: sqlite3.Row, now: datetime, playbook: Playbook) -> DormantAccount:
    from core.dormancy import value_at_risk

    quiet = from_stored(row["quiet"])
    days_quiet = (now - quiet).total_seconds() / 86400
    return DormantAccount(
        account_id=row["id"], name=row["name"], domain=row["domain"], owner_id=row["owner_id"],
        owner_name=row["owner_name"], lifetime_revenue=row["won_revenue"], currency=playbook.currency.base,
        last_won_at=_time(row["last_won_at"]), last_touch_at=_time(row["last_touch_at"]), quiet_since=quiet,
        days_dormant=int(days_quiet), value_at_risk=value_at_risk(row["won_revenue"], days_quiet,
                                                                   playbook.dormancy.days),
        snoozed_until=_time(row["dormant_snoozed_until"]), snooze_reason=row["dormant_snooze_reason"],
    )


def _time(text: str | None) -> datetime | None:
    return from_stored(text) if text else None


def dormant_account(conn: sqlite3.Connection, playbook: Playbook, account_id: int,
                    now: datetime) -> DormantAccount | None:
    """The account as a dormant one, or None when it is not dormant (snoozed or not)."""
    query, params = _where("all", True)
    row = conn.execute(f"SELECT * FROM ({query}) WHERE id = :id",
                       {**params, **cutoff_params(playbook, now), "id": account_id}).fetchone()
    return _dormant(row, now, playbook) if row else None


def note_revival(conn: sqlite3.Connection, playbook: Playbook, account_id: int, user_id: int, activity_id: int,
                 occurred_at: datetime) -> int | None:
    """Record a revival when the account was dormant just before this touch (call before its last touch
    moves); the revival's id, or None."""
    before = dormant_account(conn, playbook, account_id, occurred_at)
    if before is None:
        return None
    return int(conn.execute(
        "INSERT INTO revivals (account_id, user_id, activity_id, revived_at, quiet_since, won_revenue)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (account_id, user_id, activity_id, to_stored(occurred_at), to_stored(before.quiet_since),
         before.lifetime_revenue),
    ).lastrowid or 0)
