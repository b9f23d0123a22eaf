"""Keeping each contact's qualification score current: one event adds to the stored parts (no rescans), a
new playbook rescores everyone once (the database adds up each contact's decayed engagement), and reaching
the MQL threshold moves a lead to mql with history."""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from revdesk.core.calls.scoring import (
    FIT_FIELDS,
    Score,
    ScoreParts,
    decay_weight,
    engagement_event,
    lifecycle_after_score,
    parts_from_sums,
    score_now,
)
from revdesk.core.common.errors import NotFound
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.history import record_status_change

_FACTS = ("SELECT c.id, c.title, c.country AS contact_country, c.buying_role, c.lead_source, c.inbound,"
          " c.created_at, c.lifecycle_stage, c.score, c.score_detail, c.score_at,"
          " a.industry, a.employees, a.country AS account_country"
          " FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id")
# Each contact's live activities by kind and outcome: how many, and their weight decayed to :now.
_SUMS = ("SELECT contact_id, kind, outcome, COUNT(*),"
         " SUM(pow(0.5, max(0.0, julianday(:now) - julianday(occurred_at)) / :half))"
         " FROM activities WHERE contact_id BETWEEN :low AND :high AND undone_at IS NULL AND outcome IS NOT NULL"
         " GROUP BY contact_id, kind, outcome")
BATCH = 20_000
Progress = Callable[[int, int], None]


def _facts(row: sqlite3.Row) -> dict[str, object]:
    facts = {k: row[k] for k in FIT_FIELDS if k != "country"}
    facts["country"] = row["contact_country"] or row["account_country"]
    return facts


def _row(conn: sqlite3.Connection, contact_id: int) -> sqlite3.Row:
    row = conn.execute(_FACTS + " WHERE c.id = ?", (contact_id,)).fetchone()
    if row is None:
        raise NotFound("contact", contact_id)
    return row


def _ensure_pow(conn: sqlite3.Connection) -> None:
    """SQLite's math functions are a build option: supply pow() where they are missing."""
    try:
        conn.execute("SELECT pow(0.5, 1.0)")
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, math.pow, deterministic=True)


def _sums(conn: sqlite3.Connection, playbook: Playbook, rows: list[sqlite3.Row], low: int, high: int,
          now: datetime) -> dict[int, dict[str, tuple[float, int]]]:
    """Per contact in [low, high]: each engagement event's decayed weight and count."""
    q = playbook.qualification
    sums: dict[int, dict[str, tuple[float, int]]] = defaultdict(dict)
    events: dict[tuple[str, str], str | None] = {}
    _ensure_pow(conn)
    params = {"now": to_stored(now), "half": float(q.engagement_half_life_days), "low": low, "high": high}
    for contact_id, kind, outcome, count, weight in conn.execute(_SUMS, params):
        key = (kind, outcome)
        if key not in events:
            events[key] = engagement_event(kind, outcome, playbook)
        event = events[key]
        if event is not None:
            before = sums[contact_id].get(event, (0.0, 0))
            sums[contact_id][event] = (before[0] + weight, before[1] + count)
    for row in rows:
        if row["inbound"]:
            sums[row["id"]]["inbound_request"] = (decay_weight(q, from_stored(row["created_at"]), now), 1)
    return sums


def stored_parts(conn: sqlite3.Connection, playbook: Playbook, row: sqlite3.Row, now: datetime) -> ScoreParts:
    """The contact's stored parts, or (never scored yet) its parts computed from its history."""
    if row["score_detail"]:
        return ScoreParts.from_json(row["score_detail"])
    sums = _sums(conn, playbook, [row], row["id"], row["id"], now)
    return parts_from_sums(playbook.qualification, _facts(row), sums.get(row["id"], {}), now)


def score_inputs(conn: sqlite3.Connection, playbook: Playbook, contact_id: int,
                 now: datetime) -> tuple[sqlite3.Row, dict[str, object], dict[str, tuple[float, int]]]:
    """The contact's stored score row, and (never scored yet) its facts and each event's decayed weight and
    count over its history, for core to add one event to (a read: nothing is written)."""
    row = _row(conn, contact_id)
    if row["score_detail"]:
        return row, {}, {}
    return row, _facts(row), _sums(conn, playbook, [row], row["id"], row["id"], now).get(row["id"], {})


def contact_score(conn: sqlite3.Connection, playbook: Playbook, contact_id: int, now: datetime) -> Score:
    """The contact's score now, with its explanation (a read: nothing is written)."""
    row = _row(conn, contact_id)
    return score_now(stored_parts(conn, playbook, row, now), playbook.qualification, now)


def _mql(conn: sqlite3.Connection, playbook: Playbook, moves: list[tuple[int, str, int]], user_id: int | None,
         now: datetime) -> None:
    """Move contacts to mql: (id, lifecycle before, score)."""
    threshold = playbook.qualification.mql_threshold
    conn.executemany("UPDATE contacts SET lifecycle_stage = 'mql' WHERE id = ?", [(m[0],) for m in moves])
    for contact_id, before, total in moves:
        record_status_change(conn, contact_id, "lifecycle", before, "mql", user_id, now,
                             f"Score {total} reached the MQL threshold {threshold}")


def rescore(conn: sqlite3.Connection, playbook: Playbook, now: datetime, contact_ids: list[int] | None = None,
            user_id: int | None = None, progress: Progress | None = None) -> int:
    """Score contacts from scratch (all of them when the playbook changes; some when their facts change),
    a batch of contact ids at a time, telling `progress` (done, total) after each. Runs inside the caller's
    transaction; returns how many were scored."""
    q = playbook.qualification
    wanted = set(contact_ids) if contact_ids is not None else None
    if wanted is not None:
        spans = _spans(sorted(wanted))
    else:
        low, high = conn.execute("SELECT MIN(id), MAX(id) FROM contacts").fetchone()
        spans = [] if low is None else [(start, min(start + BATCH - 1, high)) for start in range(low, high + 1, BATCH)]
    scored, stamp = 0, to_stored(now)
    for low, high in spans:
        rows = conn.execute(_FACTS + " WHERE c.id BETWEEN ? AND ?", (low, high)).fetchall()
        if wanted is not None:
            rows = [r for r in rows if r["id"] in wanted]
        sums = _sums(conn, playbook, rows, low, high, now)
        updates, moves = [], []
        for row in rows:
            parts = parts_from_sums(q, _facts(row), sums.get(row["id"], {}), now)
            total = parts.total()
            updates.append((total, parts.to_json(stamp), stamp, row["id"]))
            if lifecycle_after_score(row["lifecycle_stage"], total, q):
                moves.append((row["id"], row["lifecycle_stage"], total))
        conn.executemany("UPDATE contacts SET score = ?, score_detail = ?, score_at = ? WHERE id = ?", updates)
        _mql(conn, playbook, moves, user_id, now)
        scored += len(rows)
        if progress is not None:
            progress(high - spans[0][0] + 1, spans[-1][1] - spans[0][0] + 1)
    return scored


def _spans(ids: list[int], gap: int = 32) -> list[tuple[int, int]]:
    """Ranges of ids to read a batch at a time: ids close together share one (only those asked for are scored)."""
    spans: list[tuple[int, int]] = []
    for i in ids:
        if spans and i - spans[-1][1] <= gap and i - spans[-1][0] < BATCH:
            spans[-1] = (spans[-1][0], i)
        else:
            spans.append((i, i))
    return spans
