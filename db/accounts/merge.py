"""Merging two accounts that are one company (the review step after an import's candidate pairs), and finding
the accounts already on file that look like duplicates.

`merge_accounts` keeps one account (`keep`) and merges the other (`other`) into it, in one transaction with one
change record ("merge_accounts"), or writes nothing:
- everything that points at `other` moves to `keep`: contacts, deals, tasks, handoffs, revivals, activities,
  the import keys of `other` (so a re-import of the source file updates `keep`), Today's dormant picks (a pick
  of `other` is dropped when the same day already offers `keep`), and accounts merged into `other` earlier
  (so `merged_into` never points at a merged account);
- activities are append-only; migration 8 lets an activity's account change only to the account its account
  was merged into, which is what happens here (the trigger checks `other.merged_into`, so it is set first);
- each field `keep` leaves blank is filled from `other` (core.accounts.dedupe.merge_fill_blanks, without dates: a value
  `keep` has is never overwritten); a filled owner is written to the owner history; `keep` takes the later
  last touch of the two; the won revenue, last win and close and open deals follow from the deal triggers;
- `other` keeps its name (and its domain unless `keep` took it) and is marked `merged_into = keep`: with no
  contacts, deals or won revenue left it drops out of the queues and the dormancy lists, and the account
  search and `duplicate_accounts` skip it (`merged_into IS NULL`).

Who may merge: a manager or a founder, any two accounts; anyone else only when they own `keep` and `other` is
theirs too or unowned (a rep never takes another rep's account this way).

A merge is not undoable by `revdesk undo` (which takes back call outcomes only); the change record lists every
row it moved and every field it filled, which is what a later "unmerge" would need.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from revdesk.core.accounts.dedupe import AccountKey, match_accounts, merge_fill_blanks, normalise_name
from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction

MERGERS = ("manager", "founder")
# What a merge fills in `keep` when it has none (the name is never blank, and stays keep's).
FILLED = ("domain", "industry", "employees", "country", "timezone", "owner_id", "icp_tier", "growth_stage",
          "committee_complexity")
# Tables whose account_id moves from `other` to `keep`, in the order they are moved.
MOVED = ("contacts", "deals", "tasks", "handoffs", "revivals", "activities")
FACTS = ("won_revenue", "last_won_at", "last_closed_at", "open_deals", "last_touch_at")


@dataclass(frozen=True)
class MergeResult:
    """What a merge did (or, for a dry run, would do): rows moved per table, fields filled (value from `other`)
    and `keep`'s facts afterwards."""

    keep_id: int
    keep_name: str
    other_id: int
    other_name: str
    moved: dict[str, int]
    filled: dict[str, Any]
    facts: dict[str, Any]
    dry_run: bool
    change_id: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"keep": {"id": self.keep_id, "name": self.keep_name},
                "other": {"id": self.other_id, "name": self.other_name}, "moved": self.moved,
                "filled": self.filled, "facts": self.facts, "dry_run": self.dry_run, "change_id": self.change_id,
                "notes": self.notes}


def merge_refusal(user: User, keep: sqlite3.Row, other: sqlite3.Row) -> str | None:
    """Why `user` may not merge `other` into `keep`, or None when they may."""
    if user.role in MERGERS:
        return None
    if keep["owner_id"] != user.id:
        return (f"{user.handle} is {user.role} and does not own account {keep['id']}; only its owner, a manager"
                " or a founder merges accounts")
    if other["owner_id"] not in (None, user.id):
        return (f"account {other['id']} belongs to someone else; a manager or founder merges another rep's"
                " account")
    return None


def merge_accounts(conn: sqlite3.Connection, playbook: Playbook, user: User, keep_id: int, other_id: int,
                   now: datetime, *, dry_run: bool = False) -> MergeResult:
    """Merge account `other_id` into `keep_id` (see the module docstring); a dry run reads and writes nothing.

    Raises InvalidInput naming "keep", "other" or "as" when an account is missing, the two are one, either is
    already merged, or `user` may not merge them; nothing is written then.
    """
    if keep_id == other_id:
        raise InvalidInput("other", f"is account {keep_id} itself; name two different accounts")
    if dry_run:
        return _merge(conn, playbook, user, keep_id, other_id, now, write=False)
    with transaction(conn):
        return _merge(conn, playbook, user, keep_id, other_id, now, write=True)


def _account(conn: sqlite3.Connection, role: str, account_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
    if row is None:
        raise InvalidInput(role, f"no account {account_id}")
    if row["merged_into"] is not None:
        raise InvalidInput(role, f"account {account_id} ({row['name']}) was already merged into account"
                                 f" {row['merged_into']}")
    return row


def _merge(conn: sqlite3.Connection, playbook: Playbook, user: User, keep_id: int, other_id: int, now: datetime,
           *, write: bool) -> MergeResult:
    keep, other = _account(conn, "keep", keep_id), _account(conn, "other", other_id)
    refused = merge_refusal(user, keep, other)
    if refused:
        raise InvalidInput("as", refused)
    ids = {table: [r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE account_id = ? ORDER BY id",
                                              (other_id,))] for table in MOVED}
    keys = [list(r) for r in conn.execute(
        "SELECT source, key FROM import_keys WHERE record_type = 'account' AND record_id = ? ORDER BY source, key",
        (other_id,))]
    picks = [list(r) for r in conn.execute(
        "SELECT user_id, day, rank FROM dormant_picks WHERE account_id = ? ORDER BY user_id, day, rank", (other_id,))]
    merged_before = [r[0] for r in conn.execute("SELECT id FROM accounts WHERE merged_into = ? ORDER BY id",
                                                (other_id,))]
    merged = merge_fill_blanks({f: keep[f] for f in FILLED}, {f: other[f] for f in FILLED})
    filled = {f: merged[f] for f in FILLED if merged[f] != keep[f]}
    last_touch = max(filter(None, [keep["last_touch_at"], other["last_touch_at"]]), default=None)
    moved = {**{t: len(v) for t, v in ids.items()}, "import_keys": len(keys), "dormant_picks": len(picks),
             "merged_accounts": len(merged_before)}
    notes = _notes(keep, other)
    if not write:
        facts = {**_predicted_facts(conn, keep_id, other_id), "last_touch_at": last_touch}
        return MergeResult(keep_id, keep["name"], other_id, other["name"], moved, filled, facts, True, None, notes)

    # The merge mark first: the activities trigger lets an activity follow only a recorded merge.
    conn.execute("UPDATE accounts SET merged_into = ? WHERE id = ?", (keep_id, other_id))
    conn.execute("UPDATE accounts SET merged_into = ? WHERE merged_into = ?", (keep_id, other_id))
    for table in MOVED:  # deals fire the fact triggers, which recompute both accounts' facts
        conn.execute(f"UPDATE {table} SET account_id = ? WHERE account_id = ?", (keep_id, other_id))
    conn.execute("UPDATE import_keys SET record_id = ? WHERE record_type = 'account' AND record_id = ?",
                 (keep_id, other_id))
    dropped = _move_picks(conn, keep_id, other_id)
    if "domain" in filled:  # domains are unique: other gives its domain up before keep takes it
        conn.execute("UPDATE accounts SET domain = NULL WHERE id = ?", (other_id,))
    sets = {**filled, "last_touch_at": last_touch}
    conn.execute(f"UPDATE accounts SET {', '.join(f'{f} = ?' for f in sets)} WHERE id = ?",
                 (*sets.values(), keep_id))
    if "owner_id" in filled:
        conn.execute(
            "INSERT INTO owner_history (record_type, record_id, from_user_id, to_user_id, changed_by, changed_at,"
            " reason) VALUES ('account', ?, NULL, ?, ?, ?, ?)",
            (keep_id, filled["owner_id"], user.id, to_stored(now), f"Merged with account {other_id}"))
    from revdesk.db.calls.scoring import (
        rescore,  # fit reads the account (industry, size, country): its contacts' scores
    )

    rescore(conn, playbook, now, [r[0] for r in conn.execute("SELECT id FROM contacts WHERE account_id = ?",
                                                             (keep_id,))], user.id)
    facts = dict(conn.execute(f"SELECT {', '.join(FACTS)} FROM accounts WHERE id = ?", (keep_id,)).fetchone())
    payload = {"keep": keep_id, "other": other_id, "other_name": other["name"], "moved": ids,
               "import_keys": keys, "dormant_picks": picks, "dormant_picks_dropped": dropped,
               "merged_accounts": merged_before, "filled": {f: [keep[f], v] for f, v in filled.items()},
               "last_touch_before": keep["last_touch_at"],
               "other_domain": other["domain"] if "domain" in filled else None}
    change = append_change(conn, at=now, user_id=user.id, command="merge_accounts", entity="account",
                           entity_id=keep_id, payload=payload)
    return MergeResult(keep_id, keep["name"], other_id, other["name"], moved, filled, facts, False, change, notes)


def _move_picks(conn: sqlite3.Connection, keep_id: int, other_id: int) -> list[list[Any]]:
    """Today's picks of `other` become picks of `keep`, except where that day already offers `keep` (dropped,
    so no one is offered the same account twice); the dropped picks."""
    same_day = ("account_id = ? AND EXISTS (SELECT 1 FROM dormant_picks k WHERE k.user_id = dormant_picks.user_id"
                " AND k.day = dormant_picks.day AND k.account_id = ?)")
    dropped = [list(r) for r in conn.execute(f"SELECT user_id, day, rank FROM dormant_picks WHERE {same_day}",
                                             (other_id, keep_id))]
    conn.execute(f"DELETE FROM dormant_picks WHERE {same_day}", (other_id, keep_id))
    conn.execute("UPDATE dormant_picks SET account_id = ? WHERE account_id = ?", (keep_id, other_id))
    return dropped


def _predicted_facts(conn: sqlite3.Connection, keep_id: int, other_id: int) -> dict[str, Any]:
    """`keep`'s deal facts once `other`'s deals are its own (db.accounts.facts.ACCOUNT_FACTS over both)."""
    row = conn.execute(
        "SELECT COALESCE(SUM(CASE WHEN d.won = 1 THEN d.amount * COALESCE(r.per_base, 1) END), 0),"
        " MAX(CASE WHEN d.won = 1 THEN d.closed_at END), MAX(d.closed_at), COUNT(*) FILTER (WHERE d.closed_at IS NULL)"
        " FROM deals d LEFT JOIN currency_rates r ON r.currency = d.currency WHERE d.account_id IN (?, ?)",
        (keep_id, other_id)).fetchone()
    return dict(zip(FACTS[:4], tuple(row), strict=True))


def _notes(keep: sqlite3.Row, other: sqlite3.Row) -> list[str]:
    """What a person should know about fields the merge leaves as `keep` has them."""
    notes = []
    for name in FILLED:
        if keep[name] is not None and other[name] is not None and keep[name] != other[name]:
            notes.append(f"{name}: kept {keep[name]!r}, not {other[name]!r}")
    return notes


@dataclass(frozen=True)
class DuplicatePair:
    """Two accounts on file that may be one company: `why` is "same name" (the same normalised name, or the same
    normalised domain, scored 100), "same name, other domain" (100) or "similar name" with its fuzzy `score`."""

    account_id: int
    name: str
    other_id: int
    other_name: str
    score: float
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "name": self.name, "other_id": self.other_id,
                "other_name": self.other_name, "score": self.score, "why": self.why}


def duplicate_accounts(conn: sqlite3.Connection, threshold: float | None = None) -> list[DuplicatePair]:
    """Pairs of live (not merged) accounts that core.accounts.dedupe says are, or may be, one company: the same name or
    domain first, then similar names by score; each pair names the older account first."""
    rows = conn.execute("SELECT id, name, domain FROM accounts WHERE merged_into IS NULL ORDER BY id").fetchall()
    names = {r[0]: r[1] for r in rows}
    keys = [AccountKey(r[0], r[1], r[2] or "") for r in rows]
    found = match_accounts(keys, []) if threshold is None else match_accounts(keys, [], threshold=threshold)
    pairs = []
    for cluster in found.clusters:
        first, *rest = cluster.refs
        for ref in rest:
            pairs.append(DuplicatePair(first, names[first], ref, names[ref], 100.0,
                                       "same name" if normalise_name(names[first]) == normalise_name(names[ref])
                                       else "same domain"))
    for cand in found.candidates:
        a, b = sorted((cand.incoming, cand.other))
        pairs.append(DuplicatePair(a, names[a], b, names[b], cand.score,
                                   "same name, other domain" if cand.score >= 100 else "similar name"))
    pairs.sort(key=lambda p: (-p.score, p.account_id, p.other_id))
    return pairs

