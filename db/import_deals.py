"""One imported deal: created (with its stage history: the first open stage when it was engaged or created,
then the stage it is in, closed when it closed) or, when the same source and id were imported before, its
figures updated. Inside the importer's transaction."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal

from core.import_mapping import ImportMapping
from core.import_rows import Draft
from core.models import User
from core.playbook import Playbook
from core.when import to_stored


def write_deal(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping, draft: Draft,
               account_id: int, owner_id: int | None, known: dict[str, int],
               now: datetime) -> Literal["created", "updated"]:
    stage = playbook.stage(str(draft.get("stage")))
    amount, currency = draft.get("amount") or (None, mapping.currency)  # type: ignore[misc]
    if draft.get("currency"):  # a currency column says it for the amount
        currency = str(draft.get("currency")).strip().upper()
    engaged, closed = draft.get("engaged_at"), draft.get("closed_at")
    created = draft.get("created_at") or engaged or closed or now
    won = (1 if stage.won else 0) if stage.closed else None
    closed_at = closed if stage.closed else None
    if not stage.closed and isinstance(closed, datetime) and not draft.get("expected_close_date"):
        draft.values["expected_close_date"] = closed.date().isoformat()  # an open deal's "close date" is expected
    entered = closed_at or engaged or created
    product = draft.get("product")
    name = draft.get("name") or " – ".join(str(x) for x in (draft.get("account"), product) if x) or "Imported deal"
    fields = (name, amount, currency, stage.key, owner_id, draft.get("expected_close_date"),
              to_stored(closed_at) if isinstance(closed_at, datetime) else None, won, draft.get("lost_reason"),
              draft.get("source"), product, to_stored(engaged) if isinstance(engaged, datetime) else None)
    key = draft.get("external_id")
    if key is not None and str(key) in known:  # its figures; never its owner (that moves only by a handoff)
        conn.execute("UPDATE deals SET name = ?, amount = ?, currency = ?, stage = ?, expected_close_date = ?,"
                     " closed_at = ?, won = ?, lost_reason = ?, source = ?, product = ?, engaged_at = ? WHERE id = ?",
                     (*fields[:4], *fields[5:], known[str(key)]))
        return "updated"
    deal_id = int(conn.execute(
        "INSERT INTO deals (name, amount, currency, stage, owner_id, expected_close_date, closed_at, won, lost_reason,"
        " source, product, engaged_at, account_id, created_at, stage_entered_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*fields, account_id, to_stored(created), to_stored(entered)),  # type: ignore[arg-type]
    ).lastrowid or 0)
    first = next(s for s in playbook.stages if not s.closed)
    history = [(None, first.key if stage.closed or stage.key != first.key else stage.key, engaged or created)]
    if stage.key != history[0][1]:
        history.append((history[0][1], stage.key, entered))
    conn.executemany("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at, reason)"
                     " VALUES (?, ?, ?, ?, ?, 'Imported')",
                     [(deal_id, a, b, user.id if user else None, to_stored(at)) for a, b, at in history])  # type: ignore[arg-type]
    if key is not None:
        conn.execute("INSERT INTO import_keys (record_type, source, key, record_id) VALUES ('deal', ?, ?, ?)",
                     (mapping.name, str(key), deal_id))
        known[str(key)] = deal_id
    return "created"
