"""Service functions on dormant accounts: assign them (one by one or round-robin over chosen reps) and snooze
them. Each validates, writes and appends one change record in a single transaction, or writes nothing."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from revdesk.core.common.errors import InvalidFields, InvalidInput
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.dormancy.definition import round_robin
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.dormancy.queries import dormant_account, dormant_accounts

ASSIGNERS = ("manager", "founder")
ASSIGNEES = ("sdr", "ae", "cs")  # dormant accounts go to the reps who will call them
MAX_SNOOZE_DAYS = 365


def assign_refusal(user: User) -> str | None:
    """Why `user` may not assign dormant accounts, or None when they may."""
    if user.role in ASSIGNERS:
        return None
    return f"{user.handle} is {user.role}; only a manager or founder assigns dormant accounts"


@dataclass(frozen=True)
class Assigned:
    change_id: int | None
    pairs: list[tuple[int, int]]  # (account id, new owner id), most valuable first


def assign_dormant(conn: sqlite3.Connection, playbook: Playbook, user: User, to_user_ids: list[int], now: datetime,
                   account_ids: list[int] | None = None, limit: int | None = None) -> Assigned:
    """Give dormant accounts owners, dealt round-robin over `to_user_ids` in the order named: the accounts
    given, or else the unowned dormant ones (not snoozed), most valuable first, at most `limit`."""
    problems: dict[str, str] = {}
    refused = assign_refusal(user)
    if refused:
        problems["as"] = refused
    if not to_user_ids:
        problems["to"] = "name at least one rep to assign to"
    elif len(set(to_user_ids)) != len(to_user_ids):
        problems["to"] = "names a rep twice"
    if limit is not None and limit < 1:
        problems["limit"] = "must be 1 or more"
    if problems:
        raise InvalidFields(list(problems.items()))
    with transaction(conn):
        roles = dict(conn.execute("SELECT id, role FROM users").fetchall())
        missing = [str(i) for i in to_user_ids if i not in roles]
        if missing:
            raise InvalidInput("to", f"no user with id {', '.join(missing)}")
        not_reps = [str(i) for i in to_user_ids if roles[i] not in ASSIGNEES]
        if not_reps:
            raise InvalidInput("to", f"user {', '.join(not_reps)} is not a rep (SDR, AE or CS) who would call them")
        if account_ids is None:
            chosen = [a.account_id for a in dormant_accounts(conn, playbook, now, "unowned", limit=limit)]
        else:
            chosen = _dormant_ones(conn, playbook, account_ids, now)[:limit]
        pairs = round_robin(chosen, to_user_ids)
        if not pairs:
            return Assigned(None, [])
        before = dict(conn.execute("SELECT id, owner_id FROM accounts WHERE id IN (SELECT value FROM json_each(?))",
                                   (json.dumps(chosen),)).fetchall())
        stamp = to_stored(now)
        conn.executemany("UPDATE accounts SET owner_id = ? WHERE id = ?", [(to, acc) for acc, to in pairs])
        conn.executemany(
            "INSERT INTO owner_history (record_type, record_id, from_user_id, to_user_id, changed_by, changed_at,"
            " reason) VALUES ('account', ?, ?, ?, ?, ?, 'Dormant account assigned')",
            [(acc, before[acc], to, user.id, stamp) for acc, to in pairs])
        change = append_change(conn, at=now, user_id=user.id, command="assign_dormant", entity="account",
                               entity_id=pairs[0][0] if len(pairs) == 1 else None,
                               payload={"assigned": [[acc, before[acc], to] for acc, to in pairs]})
    return Assigned(change, pairs)


def _dormant_ones(conn: sqlite3.Connection, playbook: Playbook, account_ids: list[int], now: datetime) -> list[int]:
    """The accounts, most valuable first, refusing any that is not dormant (every one is named)."""
    found, problems = [], []
    for account_id in dict.fromkeys(account_ids):
        account = dormant_account(conn, playbook, account_id, now)
        if account is None:
            exists = conn.execute("SELECT 1 FROM accounts WHERE id = ?", (account_id,)).fetchone()
            problems.append(f"{account_id} is not dormant" if exists else f"no account {account_id}")
        else:
            found.append(account)
    if problems:
        raise InvalidInput("account", "; ".join(problems))
    return [a.account_id for a in sorted(found, key=lambda a: (-a.value_at_risk, a.account_id))]


def snooze_dormant(conn: sqlite3.Connection, playbook: Playbook, user: User, account_id: int, days: int,
                   reason: str, now: datetime) -> datetime:
    """Keep a dormant account out of Today and the dormant list for `days` (its owner, a manager or a founder
    may); returns when it comes back."""
    problems: dict[str, str] = {}
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        problems["days"] = f"must be between 1 and {MAX_SNOOZE_DAYS}"
    if len(reason.strip()) < 3:
        problems["reason"] = "say why it can wait (at least 3 characters)"
    if problems:
        raise InvalidFields(list(problems.items()))
    until = now + timedelta(days=days)
    with transaction(conn):
        account = dormant_account(conn, playbook, account_id, now)
        if account is None:
            exists = conn.execute("SELECT 1 FROM accounts WHERE id = ?", (account_id,)).fetchone()
            raise InvalidInput("account", f"{account_id} is not dormant" if exists else f"no account {account_id}")
        if account.owner_id != user.id and user.role not in ASSIGNERS:
            whose = f"owned by {account.owner_name}" if account.owner_id else "unowned"
            raise InvalidInput("account", f"{account.name} is {whose}; only its owner, a manager or a founder "
                                          "may snooze it")
        conn.execute("UPDATE accounts SET dormant_snoozed_until = ?, dormant_snooze_reason = ? WHERE id = ?",
                     (to_stored(until), reason.strip(), account_id))
        append_change(conn, at=now, user_id=user.id, command="snooze_dormant", entity="account", entity_id=account_id,
                      payload={"until": to_stored(until), "reason": reason.strip(), "days": days,
                               "before": [to_stored(account.snoozed_until) if account.snoozed_until else None,
                                          account.snooze_reason]})
    return until
