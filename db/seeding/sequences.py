"""Sequences in the generated demo and bench data: the default sequence files, and SDR-owned leads enrolled
in them, walked step by step up to now with the same scheduling revdesk uses (fixtures.generate.sequence_walk).
Some are still running with a step due soon, some finished, some ended by a reply, a meeting or a bounce.

Every step done leaves its activity (same contact, channel, time and SDR, linked from the step run), and the
contact's facts follow from it as they would in revdesk: first and last touch, the account's last touch, the
lead status and lifecycle with their history (an SDR's touch makes a lead sales-accepted), the score. An
enrollment starts after everything else the contact has, so its steps never rewrite the past.
Deterministic for (seed, now). Runs inside seed's transaction, after the rows of fixtures.generate are in."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from revdesk.core.calls.scoring import engagement_event
from revdesk.core.common.when import from_stored, to_stored
from revdesk.fixtures import FIXTURES_DIR
from revdesk.fixtures.generate.journeys import Outcomes
from revdesk.fixtures.generate.sequence_walk import Enrolled, Walked, walk
from revdesk.fixtures.generate.status import TOUCH_KINDS, StatusModel
from revdesk.sequences.definition import Sequence, parse_sequence, sequence_to_json
from revdesk.sequences.templates import merge_values

LIVE = {"demo": 160, "bench": 64_000}  # enrollments still running
ENDED_SHARE = 0.3  # plus this share again that ended before now
_CANDIDATES = """
SELECT c.id, c.owner_id, c.inbound, c.account_id, c.first_name, c.last_name, c.title, c.lead_status,
       c.lifecycle_stage, c.first_touch_at, c.created_at, COALESCE(c.timezone, a.timezone, u.timezone) AS tz,
       COALESCE(c.country, a.country) AS country, u.timezone AS owner_tz, u.name AS owner_name,
       a.name AS company, a.industry
FROM contacts c JOIN users u ON u.id = c.owner_id LEFT JOIN accounts a ON a.id = c.account_id
WHERE u.role = 'sdr' AND c.do_not_contact = 0 AND c.lead_status IN ('new', 'attempting')
  AND c.lifecycle_stage NOT IN ('opportunity', 'customer', 'nurture', 'disqualified')
  -- an untouched inbound lead of the last two weeks is a planned queue item (speed to first touch)
  AND NOT (c.inbound = 1 AND c.first_touch_at IS NULL AND c.created_at >= :recent)
ORDER BY c.id"""


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
    """Write the sequences, enrollments, step runs and their activities; return row counts."""
    from revdesk.db.playbook.stored import current_playbook

    rng = random.Random(seed * 7919 + 17)
    stored = _apply_defaults(conn, now)
    playbook = current_playbook(conn)
    outcomes = Outcomes(playbook)
    calls = tuple(o.key for o in playbook.outcomes if not o.conversation and o.follow_up) or (outcomes.retry_key,)
    meeting = next(o.key for o in playbook.outcomes if o.meeting)
    candidates = conn.execute(_CANDIDATES, {"recent": to_stored(now - timedelta(days=15))}).fetchall()
    wanted = min(len(candidates), int(LIVE[kind] * (1 + ENDED_SHARE)))
    picked = [candidates[i] for i in sorted(rng.sample(range(len(candidates)), wanted))]
    latest = _latest_facts(conn, [c["id"] for c in picked])
    walks: list[tuple[sqlite3.Row, int, Walked]] = []
    enrollments = []
    for number, contact in enumerate(picked, start=1):
        key = "inbound_follow_up" if contact["inbound"] else "cold_outbound"
        if not contact["inbound"] and rng.random() < 0.08:
            key = "dormant_reengagement"
        seq_id, seq = stored[key]
        ended = number > LIVE[kind] or rng.random() < 0.05
        span = 40 if ended else 18
        enrolled = now - timedelta(days=rng.uniform(0.2, span))
        after = latest.get(contact["id"])  # after the contact's last activity or change, never before it
        if after is not None and enrolled <= after:
            enrolled = min(after + timedelta(minutes=rng.uniform(10, 120)), now)
        merge = merge_values(SimpleNamespace(first_name=contact["first_name"], last_name=contact["last_name"],
                                             title=contact["title"]),
                             SimpleNamespace(name=contact["company"], industry=contact["industry"]),
                             SimpleNamespace(name=contact["owner_name"]))
        who = Enrolled(ZoneInfo(contact["tz"]), contact["country"], ZoneInfo(contact["owner_tz"]), merge, calls,
                       meeting)
        walked = walk(seq, who, enrolled, now, ended, rng)
        walks.append((contact, number, walked))
        enrollments.append((number, seq_id, contact["id"], contact["owner_id"], walked.status, walked.step_index,
                            _stamp(walked.next_due), _stamp(walked.ended), walked.exit_reason, to_stored(enrolled),
                            contact["owner_id"]))
    conn.executemany(
        "INSERT INTO enrollments (id, sequence_id, contact_id, user_id, status, step_index, next_due_at, ended_at,"
        " exit_reason, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", enrollments)
    roles = dict(conn.execute("SELECT id, role FROM users").fetchall())
    written = _write_activities(conn, StatusModel(outcomes, playbook, roles), walks, now)
    return {"sequences": len(stored), "enrollments": len(enrollments), **written}


def _latest_facts(conn: sqlite3.Connection, contact_ids: list[int]) -> dict[int, datetime]:
    """The moment of each contact's last activity or status change (its creation is one)."""
    conn.execute("CREATE TEMP TABLE seed_enrolled (id INTEGER PRIMARY KEY)")
    try:
        conn.executemany("INSERT INTO seed_enrolled (id) VALUES (?)", [(i,) for i in contact_ids])
        rows = conn.execute(
            "SELECT e.id, max(COALESCE((SELECT max(occurred_at) FROM activities a WHERE a.contact_id = e.id), ''),"
            " COALESCE((SELECT max(changed_at) FROM status_history h WHERE h.contact_id = e.id), ''))"
            " FROM seed_enrolled e").fetchall()
    finally:
        conn.execute("DROP TABLE temp.seed_enrolled")
    return {cid: from_stored(last) for cid, last in rows if last}


def _write_activities(conn: sqlite3.Connection, model: StatusModel, walks: list[tuple[sqlite3.Row, int, Walked]],
                      now: datetime) -> dict[str, int]:
    """Each walk's activities with the lead status before each, its step runs linked to them, and the
    contact's (and its account's) facts brought up to date; the contacts that engaged are scored again."""
    next_id = (conn.execute("SELECT max(id) FROM activities").fetchone()[0] or 0) + 1
    activities, runs, history, contacts, touched, engaged = [], [], [], [], {}, []
    for contact, number, walked in walks:
        acts = walked.acts
        lead, life = contact["lead_status"], contact["lifecycle_stage"]
        ids: dict[int, int] = {}
        user = contact["owner_id"]
        for act in acts:
            epoch = int(act.at.timestamp())
            stamp = to_stored(act.at)
            activities.append((act.kind, act.outcome, user, contact["id"], contact["account_id"], None, act.step,
                               stamp, act.note, stamp, None, lead))
            ids[id(act)] = next_id
            next_id += 1
            lead, life = model.after_activity(contact["id"], lead, life, epoch, act.kind, act.outcome, user, history)
        runs.extend((number, r.index, r.channel, r.outcome, to_stored(r.at), user,
                     None if r.act is None else ids[id(r.act)]) for r in walked.runs)
        touches = [a.at for a in acts if a.kind in TOUCH_KINDS]
        if not touches:
            continue
        first = contact["first_touch_at"] or to_stored(min(touches))
        last = to_stored(max(touches))
        contacts.append((lead, life, first, last, contact["id"]))
        if contact["account_id"] is not None:
            touched[contact["account_id"]] = max(touched.get(contact["account_id"], ""), last)
        if any(engagement_event(a.kind, a.outcome, model.playbook) for a in acts):
            engaged.append(contact["id"])  # a reply or a meeting: the score moves
    conn.executemany(
        "INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, deal_id, sequence_step, occurred_at,"
        " note, created_at, undone_at, lead_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", activities)
    conn.executemany(
        "INSERT INTO step_runs (enrollment_id, step_index, channel, outcome, at, user_id, activity_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", runs)
    conn.executemany(
        "INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by, changed_at, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(cid, axis, old, new, user, to_stored(datetime.fromtimestamp(epoch, UTC)), reason)
         for cid, axis, old, new, user, epoch, reason in history])
    conn.executemany("UPDATE contacts SET lead_status = ?, lifecycle_stage = ?, first_touch_at = ?, last_touch_at = ?"
                     " WHERE id = ?", contacts)
    conn.executemany("UPDATE accounts SET last_touch_at = ? WHERE id = ? AND (last_touch_at IS NULL"
                     " OR last_touch_at < ?)", [(last, aid, last) for aid, last in touched.items()])
    if engaged:
        from revdesk.db.calls.scoring import rescore

        rescore(conn, model.playbook, now, engaged)
    return {"step_runs": len(runs), "activities": len(activities), "status_history": len(history)}


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else to_stored(moment)
