"""Sequences in the generated demo and bench data: the default sequence files, and SDR-owned leads enrolled
in them, walked step by step up to now with the same scheduling revdesk uses (business days, holidays,
send windows in each contact's time). Some are still running with a step due soon, some finished, some
ended by a reply, a meeting or a bounce. Deterministic for (seed, now). Runs inside seed's transaction."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.when import to_stored
from fixtures import FIXTURES_DIR
from sequences.definition import Sequence, parse_sequence, sequence_to_json
from sequences.schedule import step_due

LIVE = {"demo": 160, "bench": 64_000}  # enrollments still running
ENDED_SHARE = 0.3  # plus this share again that ended before now
EXITS = (("reply", 0.03), ("meeting", 0.015), ("bounce", 0.008))  # per step done


def _apply_defaults(conn: sqlite3.Connection, now: datetime) -> dict[str, tuple[int, Sequence]]:
    stored = {}
    for path in sorted((FIXTURES_DIR / "sequences").glob("*.toml")):
        source = path.read_text(encoding="utf-8")
        seq = parse_sequence(source, path.name)
        seq_id = int(conn.execute(
            "INSERT INTO sequences (key, name, source, data, applied_at) VALUES (?, ?, ?, ?, ?)",
            (seq.key, seq.name, source, json.dumps(sequence_to_json(seq)), to_stored(now))).lastrowid or 0)
        stored[seq.key] = (seq_id, seq)
    return stored


def seed_sequences(conn: sqlite3.Connection, kind: str, seed: int, now: datetime) -> dict[str, int]:
    """Write the sequences, enrollments and step runs; return row counts."""
    rng = random.Random(seed * 7919 + 17)
    stored = _apply_defaults(conn, now)
    candidates = conn.execute(
        "SELECT c.id, c.owner_id, c.inbound, COALESCE(c.timezone, a.timezone, u.timezone) AS tz,"
        " COALESCE(c.country, a.country) AS country FROM contacts c JOIN users u ON u.id = c.owner_id"
        " LEFT JOIN accounts a ON a.id = c.account_id WHERE u.role = 'sdr' AND c.do_not_contact = 0"
        " AND c.lead_status IN ('new', 'attempting') AND c.lifecycle_stage NOT IN ('opportunity', 'customer')"
        " ORDER BY c.id").fetchall()
    wanted = min(len(candidates), int(LIVE[kind] * (1 + ENDED_SHARE)))
    picked = sorted(rng.sample(range(len(candidates)), wanted))
    enrollments, runs = [], []
    for number, index in enumerate(picked, start=1):
        contact = candidates[index]
        key = "inbound_follow_up" if contact["inbound"] else "cold_outbound"
        if not contact["inbound"] and rng.random() < 0.08:
            key = "dormant_reengagement"
        seq_id, seq = stored[key]
        ended = number > LIVE[kind] or rng.random() < 0.05
        span = 40 if ended else 18
        enrolled = now - timedelta(days=rng.uniform(0.2, span))
        row, steps = _walk(seq, contact, enrolled, now, ended, rng)
        enrollments.append((number, seq_id, contact["id"], contact["owner_id"], *row, to_stored(enrolled),
                            contact["owner_id"]))
        runs.extend((number, *run) for run in steps)
    conn.executemany(
        "INSERT INTO enrollments (id, sequence_id, contact_id, user_id, status, step_index, next_due_at, ended_at,"
        " exit_reason, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", enrollments)
    conn.executemany(
        "INSERT INTO step_runs (enrollment_id, step_index, channel, outcome, at, user_id) VALUES (?, ?, ?, ?, ?, ?)",
        runs)
    return {"sequences": len(stored), "enrollments": len(enrollments), "step_runs": len(runs)}


def _walk(seq: Sequence, contact: sqlite3.Row, enrolled: datetime, now: datetime, ended: bool,
          rng: random.Random) -> tuple[tuple, list[tuple]]:
    """Step through the sequence from enrollment: steps due more than a day ago were done (or skipped);
    the first step due after that is where a running enrollment waits."""
    tz, country = ZoneInfo(contact["tz"]), contact["country"]
    moment, runs = enrolled, []
    for index, step in enumerate(seq.steps):
        due = step_due(moment, step, tz, country)
        if due > now - timedelta(days=1) and not ended:
            return ("active", index, to_stored(due), None, None), runs
        done_at = min(due + timedelta(minutes=rng.uniform(5, 240)), now - timedelta(hours=1))
        if done_at > now - timedelta(hours=2) and ended:
            break
        skipped = step.channel in ("linkedin", "task") and rng.random() < 0.25
        runs.append((index, step.channel, "skipped" if skipped else "done", to_stored(done_at),
                     contact["owner_id"]))
        moment = done_at
        roll = rng.random()
        for reason, share in EXITS:
            if roll < share:
                left = min(done_at + timedelta(hours=rng.uniform(1, 30)), now - timedelta(minutes=30))
                return ("exited", index + 1, None, to_stored(left), reason), runs
            roll -= share
    if len(runs) == len(seq.steps):
        return ("finished", len(runs), None, to_stored(moment), None), runs
    if ended:  # stopped part way: the SDR took them out
        return ("removed", len(runs), None, to_stored(moment), None), runs
    return ("active", len(runs), to_stored(step_due(moment, seq.steps[len(runs)], tz, country)), None, None), runs
