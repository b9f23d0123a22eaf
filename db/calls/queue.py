"""The Today queue's one query: handoffs awaiting my decision, tasks due through the end of the day (a
sequence step's task says its channel: 'step:call'), untouched inbound leads and my stale deals."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from revdesk.core.common.models import QueueCandidate
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.playbook.model import Sla, Stage

STEPS_IN_QUEUE = 120  # sequence steps due soonest first; the rest follow as these are worked
_QUERY = """
SELECT 'task' AS source, t.id AS task_id, t.kind AS task_kind, t.note AS task_note, t.due_at AS due_at,
       t.created_at AS created_at, c.id AS contact_id, c.first_name || ' ' || c.last_name AS contact_name,
       c.title AS contact_title, c.timezone AS contact_timezone, c.lead_source AS lead_source,
       c.score AS score, a.id AS account_id, a.name AS account_name
FROM tasks t
JOIN contacts c ON c.id = t.contact_id
LEFT JOIN accounts a ON a.id = c.account_id
WHERE t.user_id = :user AND t.status IN ('open', 'snoozed') AND t.due_at < :end AND c.do_not_contact = 0
  AND t.enrollment_id IS NULL
UNION ALL
SELECT * FROM (
  SELECT 'task', t.id, 'step:' || t.channel, t.note, t.due_at, t.created_at, c.id,
         c.first_name || ' ' || c.last_name, c.title, c.timezone, c.lead_source, c.score, a.id, a.name
  FROM tasks t
  JOIN contacts c ON c.id = t.contact_id
  LEFT JOIN accounts a ON a.id = c.account_id
  WHERE t.user_id = :user AND t.status IN ('open', 'snoozed') AND t.due_at < :end AND c.do_not_contact = 0
    AND t.enrollment_id IS NOT NULL
  ORDER BY t.due_at LIMIT :steps
)
UNION ALL
SELECT 'inbound', NULL, NULL, NULL, c.created_at, c.created_at, c.id, c.first_name || ' ' || c.last_name,
       c.title, c.timezone, c.lead_source, c.score, a.id, a.name
FROM contacts c
LEFT JOIN accounts a ON a.id = c.account_id
WHERE c.owner_id = :user AND c.lead_status = 'new' AND c.inbound = 1 AND c.created_at >= :window
  AND c.created_at < :end AND c.first_touch_at IS NULL AND c.do_not_contact = 0
UNION ALL
SELECT 'handoff', h.id, h.kind, u.name, h.sla_due_at, h.created_at, c.id, c.first_name || ' ' || c.last_name,
       c.title, c.timezone, c.lead_source, c.score, a.id, a.name
FROM handoffs h
JOIN users u ON u.id = h.from_user_id
JOIN contacts c ON c.id = h.contact_id
JOIN accounts a ON a.id = h.account_id
WHERE h.to_user_id = :user AND h.status = 'pending'
"""


STALE_DEALS_A_DAY = 20  # the longest-stale first; the pipeline shows them all
_STALE_DEALS = """
UNION ALL
SELECT * FROM (
  SELECT 'deal', d.id, d.stage, d.name, d.stage_entered_at, d.created_at, c.id, c.first_name || ' ' || c.last_name,
         c.title, c.timezone, c.lead_source, c.score, a.id, a.name
  FROM deals d
  JOIN contacts c ON c.id = d.primary_contact_id
  JOIN accounts a ON a.id = d.account_id
  WHERE d.owner_id = :user AND d.closed_at IS NULL AND c.do_not_contact = 0
    AND d.stage_entered_at <= CASE d.stage {cases} END
  ORDER BY d.stage_entered_at LIMIT {limit}
)
"""


def queue_candidates(
    conn: sqlite3.Connection, user_id: int, now: datetime, end_of_day: datetime, sla: Sla,
    stages: Sequence[Stage] = (),
) -> list[QueueCandidate]:
    """Everything that could be in the user's queue up to `end_of_day`, unranked: with `stages`, also the
    user's open deals past their stage's "stale after"."""
    window = now - timedelta(days=sla.inbound_window_days)
    params: dict[str, object] = {"user": user_id, "end": to_stored(end_of_day), "window": to_stored(window),
                                 "steps": STEPS_IN_QUEUE}
    query, cases = _QUERY, []
    from revdesk.core.pipeline.lanes import stale_before  # the pipeline's own definition of stale (loaded on first use)

    for index, stage in enumerate(stages):
        cutoff = stale_before(stage, now)  # the pipeline's own definition of stale
        if cutoff is not None:
            cases.append(f"WHEN :stage{index} THEN :cutoff{index}")
            params[f"stage{index}"], params[f"cutoff{index}"] = stage.key, to_stored(cutoff)
    if cases:
        query += _STALE_DEALS.format(cases=" ".join(cases), limit=STALE_DEALS_A_DAY)
    rows = conn.execute(query, params)
    first_touch = timedelta(minutes=sla.first_touch_minutes)
    result = []
    for row in rows:
        data = dict(row)
        data["created_at"] = from_stored(data["created_at"])
        due = from_stored(data["due_at"])
        data["due_at"] = due + first_touch if data["source"] == "inbound" else due  # a deal: entered its stage
        result.append(QueueCandidate(**data))
    return result


def steps_due_count(conn: sqlite3.Connection, user_id: int, end_of_day: datetime) -> int:
    """How many sequence steps of the user's are due by the end of the day (the queue shows the first)."""
    return conn.execute("SELECT COUNT(*) FROM tasks WHERE user_id = ? AND status IN ('open', 'snoozed')"
                        " AND due_at < ? AND enrollment_id IS NOT NULL", (user_id, to_stored(end_of_day))).fetchone()[0]
