"""One imported deal: created (with its stage history: the first open stage when it was engaged or created,
then the stage it is in, closed when it closed) or, when the same source and id were imported before, its
figures updated. A status column (open, won or lost, as Pipedrive keeps it apart from the pipeline stage) decides
whether the deal is closed: a won or lost deal in an open stage goes to the playbook's closed won or lost stage,
that open stage kept as the one before it in its history; an open deal in a closed stage, and a lost reason on a
deal that is open or won, are refused (see row_problem). Inside the importer's transaction."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal

from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.importing.mapping import ImportMapping
from revdesk.core.importing.rows import Draft, RowProblem
from revdesk.core.playbook.model import Playbook, Stage

STATUSES = ("open", "won", "lost")


def row_problem(playbook: Playbook, mapping: ImportMapping, draft: Draft) -> RowProblem | None:
    """Why a deal row cannot be written as it is: a status that is not open, won or lost, a status that says open
    for a closed stage (or won for a lost one), no stage and no closing status. None when it can."""
    status, stage = _status(draft), draft.get("stage")
    column = mapping.columns.get("status", "status")
    if status is not None and status not in STATUSES:
        return RowProblem(draft.line, column, f"{draft.get('status')!r} is not a status (open, won or lost);"
                                              " map it under [values.status]")
    if stage is None:
        if status not in ("won", "lost"):
            return RowProblem(draft.line, mapping.columns.get("stage", "stage"), "no stage")
        if not isinstance(draft.get("closed_at"), datetime):
            return RowProblem(draft.line, mapping.columns.get("closed_at", "closed_at"),
                              "a won or lost deal needs the day it closed (map its close date to closed_at)")
        return _lost_reason_problem(mapping, draft, "won" if status == "won" else "lost")
    current = playbook.stage(str(stage))
    if status == "open" and current.closed:
        return RowProblem(draft.line, column, f"the status is open but the stage {current.key!r} is closed")
    if status in ("won", "lost") and current.closed and current.won != (status == "won"):
        return RowProblem(draft.line, column, f"the status is {status} but the stage {current.key!r} is not")
    if (current.closed or status in ("won", "lost")) and not isinstance(draft.get("closed_at"), datetime):
        return RowProblem(draft.line, mapping.columns.get("closed_at", "closed_at"),
                          "a won or lost deal needs the day it closed (map its close date to closed_at)")
    outcome = ("won" if current.won else "lost") if current.closed else status if status in ("won", "lost") \
        else f"open (in {current.key!r})"
    return _lost_reason_problem(mapping, draft, outcome)


def _lost_reason_problem(mapping: ImportMapping, draft: Draft, outcome: str) -> RowProblem | None:
    """A lost reason on a deal that is not lost contradicts itself: which one is true cannot be told."""
    if outcome == "lost" or not draft.get("lost_reason"):
        return None
    return RowProblem(draft.line, mapping.columns.get("lost_reason", "lost_reason"),
                      f"a lost reason on a deal that is {outcome}: clear the reason or close the deal as lost")


def _status(draft: Draft) -> str | None:
    value = draft.get("status")
    return str(value).strip().casefold() if value is not None else None


def _closing(playbook: Playbook, draft: Draft) -> tuple[Stage, Stage | None]:
    """The deal's stage, and the open stage it was in when a won or lost status closes it (else None)."""
    status = _status(draft)
    stage = playbook.stage(str(draft.get("stage"))) if draft.get("stage") is not None else None
    if status not in ("won", "lost") or (stage is not None and stage.closed):
        return stage, None  # type: ignore[return-value] - row_problem has refused a row with neither
    closed = next(s for s in playbook.stages if s.closed and s.won == (status == "won"))
    return closed, stage


def write_deal(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping, draft: Draft,
               account_id: int, owner_id: int | None, known: dict[str, int],
               now: datetime) -> Literal["created", "updated", "kept"]:
    stage, before = _closing(playbook, draft)
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
        return _update(conn, known[str(key)], fields, stage, entered, user)
    deal_id = int(conn.execute(
        "INSERT INTO deals (name, amount, currency, stage, owner_id, expected_close_date, closed_at, won, lost_reason,"
        " source, product, engaged_at, account_id, created_at, stage_entered_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*fields, account_id, to_stored(created), to_stored(entered)),  # type: ignore[arg-type]
    ).lastrowid or 0)
    first = before or next(s for s in playbook.stages if not s.closed)  # a status closed it: from its open stage
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


def _update(conn: sqlite3.Connection, deal_id: int, fields: tuple, stage: Stage, entered: datetime,
            user: User | None) -> Literal["updated", "kept"]:
    """A deal imported before, imported again: its figures from the file. Its stage too, with a history row for
    the move, unless someone moved it in revdesk since: that is newer, and kept ("kept")."""
    moved_here = conn.execute("SELECT 1 FROM stage_history WHERE deal_id = ? AND reason IS NOT 'Imported' LIMIT 1",
                              (deal_id,)).fetchone()
    name, amount, currency, _, _, expected, closed_at, won, lost_reason, source, product, engaged = fields
    figures = "name = ?, amount = ?, currency = ?, source = ?, product = ?, engaged_at = ?"
    values = (name, amount, currency, source, product, engaged)
    if moved_here:
        conn.execute(f"UPDATE deals SET {figures} WHERE id = ?", (*values, deal_id))
        return "kept"
    before = conn.execute("SELECT stage FROM deals WHERE id = ?", (deal_id,)).fetchone()[0]
    moved = to_stored(entered) if before != stage.key else None
    if moved is not None:
        conn.execute("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at, reason)"
                     " VALUES (?, ?, ?, ?, ?, 'Imported')", (deal_id, before, stage.key, user.id if user else None,
                                                            moved))
    conn.execute(f"UPDATE deals SET {figures}, stage = ?, expected_close_date = ?, closed_at = ?, won = ?,"
                 " lost_reason = ?, stage_entered_at = COALESCE(?, stage_entered_at) WHERE id = ?",
                 (*values, stage.key, expected, closed_at, won, lost_reason, moved, deal_id))
    return "updated"
