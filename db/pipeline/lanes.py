"""The pipeline's queries: lane counts and amounts by GROUP BY on the owner/status and owner/stage indexes, and
each lane's first cards by LIMITed index walks (leads by score, highest first; open deals oldest in stage
first, so stale ones are on top; closed deals most recent first, from the last 30 days only).

For a team, cards are taken per owner (each walk stops at `per_lane`) and merged, which keeps every query on
an index whatever the team's size. Run it in a worker: "all" on the bench database takes tens of ms."""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from revdesk.core.common.models import User
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.pipeline.lanes import (
    Card,
    Lane,
    LaneSpec,
    Scope,
    age_in_stage,
    closed_since,
    is_stale,
    lane_specs,
    stale_before,
    totals,
)
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.users import team_members
from revdesk.db.pipeline.stage_moves import deal_values


def scope_owners(conn: sqlite3.Connection, scope: Scope, user: User) -> list[int] | None:
    """The owner ids a scope covers; None means everyone."""
    if scope == "mine":
        return [user.id]
    if scope == "team":
        return [u.id for u in team_members(conn, user.team)] or [user.id]
    return None


def pipeline(conn: sqlite3.Connection, playbook: Playbook, scope: Scope, user: User, now: datetime,
             per_lane: int = 50) -> list[Lane]:
    """Every lane in board order, with its count, amounts and first `per_lane` cards."""
    owners = scope_owners(conn, scope, user)
    since = to_stored(closed_since(now))
    names = {row[0]: row[1] for row in conn.execute("SELECT id, name FROM users")}
    lanes = []
    for spec in lane_specs(playbook):
        if spec.side == "sdr":
            lanes.append(_lead_lane(conn, spec, owners, now, per_lane, names))
        else:
            lanes.append(_deal_lane(conn, spec, owners, now, since, per_lane, names))
    return lanes


def _owner_clause(owners: Sequence[int] | None) -> tuple[str, tuple[int, ...]]:
    if owners is None:
        return "", ()
    return f" AND owner_id IN ({', '.join('?' * len(owners))})", tuple(owners)


def _walks(owners: Sequence[int] | None) -> Iterable[tuple[str, tuple[int, ...]]]:
    """One index walk for everyone, or one per owner (merged by the caller)."""
    if owners is None:
        yield "", ()
    else:
        for owner in owners:
            yield " AND owner_id = ?", (owner,)


# -- leads ---------------------------------------------------------------------------------------------------
def _lead_lane(conn: sqlite3.Connection, spec: LaneSpec, owners: list[int] | None, now: datetime, per_lane: int,
               names: dict[int, str]) -> Lane:
    where, args = _owner_clause(owners)
    count = conn.execute(f"SELECT count(*) FROM contacts WHERE lead_status = ?{where}", (spec.key, *args)).fetchone()[0]
    ranked: list[tuple[int, int]] = []  # (score, id), best first
    for clause, owner in _walks(owners):
        rows = conn.execute(f"SELECT score, id FROM contacts WHERE lead_status = ?{clause}"
                            " ORDER BY score DESC, id DESC LIMIT ?", (spec.key, *owner, per_lane)).fetchall()
        ranked.extend((r[0], r[1]) for r in rows)
    best = [cid for _, cid in heapq.nlargest(per_lane, ranked)]
    return Lane(spec.key, spec.label, "sdr", count, (), (), tuple(_lead_cards(conn, best, spec.key, now, names)))


def _lead_cards(conn: sqlite3.Connection, ids: list[int], status: str, now: datetime,
                names: dict[int, str]) -> list[Card]:
    if not ids:
        return []
    rows = conn.execute(
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name, c.account_id, a.name AS account, c.owner_id,"
        " c.score, c.created_at, (SELECT max(changed_at) FROM status_history h WHERE h.contact_id = c.id"
        "   AND h.axis = 'lead_status' AND h.to_value = c.lead_status) AS entered"
        f" FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id IN ({', '.join('?' * len(ids))})",
        ids).fetchall()
    by_id = {r["id"]: r for r in rows}
    cards = []
    for cid in ids:
        r = by_id[cid]
        entered = from_stored(r["entered"] or r["created_at"])
        cards.append(Card("lead", cid, r["name"], r["account"] or "no account", r["account_id"], status,
                          names.get(r["owner_id"]), entered, age_in_stage(entered, now), False, score=r["score"]))
    return cards


# -- deals ---------------------------------------------------------------------------------------------------
def _deal_lane(conn: sqlite3.Connection, spec: LaneSpec, owners: list[int] | None, now: datetime, since: str,
               per_lane: int, names: dict[int, str]) -> Lane:
    stage = spec.stage
    assert stage is not None
    where, args = _owner_clause(owners)
    # A closed deal's stage_entered_at is its closing time (the move service writes both).
    window = " AND stage_entered_at >= ?" if stage.closed else ""
    extra = (since,) if stage.closed else ()
    sums = conn.execute(f"SELECT currency, count(*), total(amount) FROM deals WHERE stage = ?{where}{window}"
                        " GROUP BY currency", (spec.key, *args, *extra)).fetchall()
    count = sum(r[1] for r in sums)
    amounts = [(r[0], r[2]) for r in sums]
    weighted = () if stage.closed else totals([(c, a * stage.probability) for c, a in amounts])
    order = "DESC" if stage.closed else ""  # closed: most recent first; open: oldest (stalest) first
    picked: list[tuple[str, int]] = []
    for clause, owner in _walks(owners):
        rows = conn.execute(f"SELECT stage_entered_at, id FROM deals WHERE stage = ?{clause}{window}"
                            f" ORDER BY stage_entered_at {order}, id {order} LIMIT ?",
                            (spec.key, *owner, *extra, per_lane)).fetchall()
        picked.extend((r[0], r[1]) for r in rows)
    pick = heapq.nlargest if stage.closed else heapq.nsmallest
    ids = [did for _, did in pick(per_lane, picked)]
    cards = tuple(_deal_cards(conn, ids, spec, now, names))
    stale_count = 0
    cutoff = stale_before(stage, now)
    if cutoff is not None and count:
        stale_count = conn.execute(f"SELECT count(*) FROM deals WHERE stage = ? AND stage_entered_at <= ?{where}",
                                   (spec.key, to_stored(cutoff), *args)).fetchone()[0]
    return Lane(spec.key, spec.label, "ae", count, totals(amounts), weighted, cards, stage.stale_after_days,
                stage.closed, stale_count)


def _deal_cards(conn: sqlite3.Connection, ids: list[int], spec: LaneSpec, now: datetime,
                names: dict[int, str]) -> list[Card]:
    if not ids:
        return []
    rows = conn.execute(
        "SELECT d.id, d.name, d.account_id, a.name AS account, d.owner_id, d.amount, d.currency, d.stage_entered_at"
        f" FROM deals d JOIN accounts a ON a.id = d.account_id WHERE d.id IN ({', '.join('?' * len(ids))})",
        ids).fetchall()
    by_id = {r["id"]: r for r in rows}
    cards = []
    for did in ids:
        r = by_id[did]
        entered = from_stored(r["stage_entered_at"])
        assert spec.stage is not None
        cards.append(Card("deal", did, r["name"], r["account"], r["account_id"], spec.key, names.get(r["owner_id"]),
                          entered, age_in_stage(entered, now), is_stale(spec.stage, entered, now),
                          r["amount"], r["currency"]))
    return cards


class DealState(NamedTuple):
    stage: str
    owner_id: int | None
    owner_name: str | None
    account_id: int
    values: dict[str, object]  # its columns plus the criteria kept in `details`


def deal_state(conn: sqlite3.Connection, deal_id: int) -> DealState | None:
    """What a move needs to know about a deal before asking for fields, or None if there is no such deal."""
    row = conn.execute("SELECT d.*, u.name AS owner_name FROM deals d LEFT JOIN users u ON u.id = d.owner_id"
                       " WHERE d.id = ?", (deal_id,)).fetchone()
    if row is None:
        return None
    return DealState(row["stage"], row["owner_id"], row["owner_name"], row["account_id"], deal_values(row))


def account_contacts(conn: sqlite3.Connection, account_id: int, limit: int = 50) -> list[tuple[int, str]]:
    """(id, "Name, Title") of the contacts at an account, to pick a deal's primary contact from."""
    rows = conn.execute("SELECT id, first_name || ' ' || last_name AS name, title FROM contacts"
                        " WHERE account_id = ? ORDER BY last_name, first_name LIMIT ?", (account_id, limit)).fetchall()
    return [(r["id"], f"{r['name']}, {r['title']}" if r["title"] else r["name"]) for r in rows]
