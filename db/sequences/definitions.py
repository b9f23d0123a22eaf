"""Sequence definitions in the database: applying a checked file (a new sequence, or a new version of one
by its key), reading them back, and each sequence's figures (enrolled, active, finished, exits by reason,
replies and meetings, per step too)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from revdesk.core.common.errors import NotFound
from revdesk.core.common.when import to_stored
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.sequences.definition import Sequence, parse_sequence, sequence_from_json, sequence_to_json

# A new version may change a step's channel: open step tasks take the new channel and wording.
_RENAME_STEPS = """
UPDATE tasks SET channel = json_extract(:data, '$.steps[' || step_index || '].channel'),
                 note = 'Step ' || (step_index + 1) || ' of ''' || :name || ''': '
                        || json_extract(:data, '$.steps[' || step_index || '].channel')
WHERE status IN ('open', 'snoozed')
  AND enrollment_id IN (SELECT id FROM enrollments WHERE sequence_id = :id AND status IN ('active', 'paused'))
"""


@dataclass(frozen=True)
class StoredSequence:
    id: int
    sequence: Sequence


@dataclass
class StepFigures:
    index: int
    channel: str
    reached: int = 0  # enrollments that got to this step (done, skipped, or waiting on it)
    done: int = 0
    skipped: int = 0
    exits: dict[str, int] = field(default_factory=dict)  # exits while this step was next, by reason


@dataclass
class SequenceFigures:
    key: str
    name: str
    steps: list[StepFigures]
    enrolled: int = 0
    active: int = 0
    paused: int = 0
    finished: int = 0
    removed: int = 0
    exited: dict[str, int] = field(default_factory=dict)

    def rate(self, reason: str) -> float | None:
        """Share of all enrollments that ended by `reason` (reply, meeting, bounce...)."""
        return None if not self.enrolled else self.exited.get(reason, 0) / self.enrolled

    def to_json(self) -> dict:
        return {
            "key": self.key, "name": self.name, "enrolled": self.enrolled, "active": self.active,
            "paused": self.paused, "finished": self.finished, "removed": self.removed, "exited": self.exited,
            "replied_pct": _pct(self.rate("reply")), "meetings_pct": _pct(self.rate("meeting")),
            "bounced": self.exited.get("bounce", 0),
            "steps": [{"step": s.index + 1, "channel": s.channel, "reached": s.reached, "done": s.done,
                       "skipped": s.skipped, "exits": s.exits} for s in self.steps],
        }


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def apply_sequence(conn: sqlite3.Connection, source: str, origin: str, now: datetime,
                   user_id: int | None = None) -> StoredSequence:
    """Check `source` and store it under its key (a new version replaces the old one; enrollments keep
    their place). Nothing is stored when the file has a problem."""
    sequence = parse_sequence(source, origin)
    data = json.dumps(sequence_to_json(sequence))
    with transaction(conn):
        old = conn.execute("SELECT id FROM sequences WHERE key = ?", (sequence.key,)).fetchone()
        if old is None:
            seq_id = int(conn.execute(
                "INSERT INTO sequences (key, name, source, data, applied_at, applied_by) VALUES (?, ?, ?, ?, ?, ?)",
                (sequence.key, sequence.name, source, data, to_stored(now), user_id)).lastrowid or 0)
        else:
            seq_id = old[0]
            conn.execute("UPDATE sequences SET name = ?, source = ?, data = ?, applied_at = ?, applied_by = ?"
                         " WHERE id = ?", (sequence.name, source, data, to_stored(now), user_id, seq_id))
            # enrollments past the new last step are done, and their steps leave the queue
            conn.execute("UPDATE tasks SET status = 'cancelled', closed_at = ? WHERE status IN ('open', 'snoozed')"
                         " AND enrollment_id IN (SELECT id FROM enrollments WHERE sequence_id = ? AND status IN"
                         " ('active', 'paused') AND step_index >= ?)", (to_stored(now), seq_id, len(sequence.steps)))
            conn.execute("UPDATE enrollments SET status = 'finished', ended_at = ?, next_due_at = NULL"
                         " WHERE sequence_id = ? AND status IN ('active', 'paused') AND step_index >= ?",
                         (to_stored(now), seq_id, len(sequence.steps)))
            conn.execute(_RENAME_STEPS, {"data": data, "name": sequence.name, "id": seq_id})
        append_change(conn, at=now, user_id=user_id, command="apply_sequence", entity="sequence", entity_id=seq_id,
                      payload={"key": sequence.key, "origin": origin, "steps": len(sequence.steps),
                               "replaced": old is not None})
    return StoredSequence(seq_id, sequence)


def list_sequences(conn: sqlite3.Connection) -> list[StoredSequence]:
    return [StoredSequence(r[0], sequence_from_json(json.loads(r[1])))
            for r in conn.execute("SELECT id, data FROM sequences ORDER BY name")]


def get_sequence(conn: sqlite3.Connection, key: str) -> StoredSequence:
    row = conn.execute("SELECT id, data FROM sequences WHERE key = ?", (key,)).fetchone()
    if row is None:
        known = ", ".join(s.sequence.key for s in list_sequences(conn)) or "none yet"
        raise NotFound("sequence", f"{key} (known: {known})")
    return StoredSequence(row[0], sequence_from_json(json.loads(row[1])))


def sequence_by_id(conn: sqlite3.Connection, sequence_id: int) -> Sequence:
    row = conn.execute("SELECT data FROM sequences WHERE id = ?", (sequence_id,)).fetchone()
    if row is None:
        raise NotFound("sequence", sequence_id)
    return sequence_from_json(json.loads(row[0]))


def sequence_figures(conn: sqlite3.Connection) -> list[SequenceFigures]:
    """Every sequence's figures from enrollments and step runs (grouped counts, indexed)."""
    stored = list_sequences(conn)
    figures = {s.id: SequenceFigures(s.sequence.key, s.sequence.name,
                                     [StepFigures(i, step.channel) for i, step in enumerate(s.sequence.steps)])
               for s in stored}
    for seq_id, status, reason, step, count in conn.execute(
            "SELECT sequence_id, status, exit_reason, step_index, COUNT(*) FROM enrollments"
            " GROUP BY sequence_id, status, exit_reason, step_index"):
        f = figures.get(seq_id)
        if f is None:
            continue
        f.enrolled += count
        if status == "exited":
            f.exited[reason] = f.exited.get(reason, 0) + count
        else:
            setattr(f, status, getattr(f, status) + count)
        reached = min(step, len(f.steps) - 1) if status == "finished" else step
        for s in f.steps[: reached + 1]:
            s.reached += count
        if status == "exited" and step < len(f.steps):
            f.steps[step].exits[reason] = f.steps[step].exits.get(reason, 0) + count
    for seq_id, step, outcome, count in conn.execute(
            "SELECT e.sequence_id, r.step_index, r.outcome, COUNT(*) FROM step_runs r"
            " JOIN enrollments e ON e.id = r.enrollment_id GROUP BY e.sequence_id, r.step_index, r.outcome"):
        f = figures.get(seq_id)
        if f is not None and step < len(f.steps):
            setattr(f.steps[step], outcome, getattr(f.steps[step], outcome) + count)
    return [figures[s.id] for s in stored]
