"""Importing deals' real stage history (Salesforce OpportunityHistory; see db.importing.importer): one file row per
change of
a deal's amount, probability, stage or close date. Only the stage changes are kept: for each deal the rows are
put in time order, consecutive rows in the same stage collapse into one, and every change of stage becomes a
stage_history row (changed_at = the row's CreatedDate, changed_by = the user the CreatedById names, else the
importing user). They replace the deal's *imported* history (reason 'Imported': the approximate one written when
its opportunity was imported, or an earlier import of this file), never moves made in revdesk, so a second
import of the same file changes nothing.

The deal is found by the id its opportunity import gave it (import_keys, record_type 'deal', any source; a
Salesforce id matches in its 15- or 18-character form): a row of a deal never imported is rejected. The deal's
current stage stays what the opportunity file said; when its history ends in another stage, a last move to the
current stage is added (so the history still ends where the deal is) and the result notes it. Rows the file
marks deleted (an IsDeleted column that is true) are skipped. Runs inside the importer's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from revdesk.core.common.models import User
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.importing.mapping import ImportMapping
from revdesk.core.importing.rows import Draft, RowProblem
from revdesk.core.playbook.model import Playbook
from revdesk.db.importing.writers import ImportKeys, People, _column

REASON = "Imported"  # the reason of every history row an import writes (replaced by the next import)
_TRUE = {"true", "1", "yes", "y"}


class Change(NamedTuple):
    """One row of a deal's history, as the file says it."""

    at: datetime
    line: int
    stage: str
    by: int | None


class Move(NamedTuple):
    """One stage_history row to write."""

    from_stage: str | None
    to_stage: str
    at: datetime
    by: int | None


def write_deal_history(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping,
                       drafts: list[Draft], result, now: datetime, *,  # noqa: ANN001
                       owner_role: str | None = None, progress: Callable[[int, int], None] | None = None,
                       owner_map: dict[str, str] | None = None) -> None:
    """Replace each named deal's imported stage history with the file's; rows that cannot be placed are rejected."""
    keys = ImportKeys(conn, "deal")
    people = People(conn, now, owner_map)
    importer = user.id if user else None
    changes: dict[int, list[Change]] = {}
    names: dict[int, str] = {}
    skipped = 0
    for draft in drafts:
        if str(draft.get("deleted") or "").casefold() in _TRUE:  # Salesforce's soft delete
            skipped += 1
            continue
        deal_id = _place(draft, mapping, keys)
        if isinstance(deal_id, RowProblem):
            result.rejected.append(deal_id)
            continue
        by = people.find(str(draft.get("changed_by"))) if draft.get("changed_by") else None
        changes.setdefault(deal_id, []).append(
            Change(draft.get("changed_at"), draft.line, str(draft.get("stage")), by or importer))  # type: ignore[arg-type]
        names.setdefault(deal_id, str(draft.get("deal")))
    differing: list[str] = []
    for done, (deal_id, rows) in enumerate(changes.items(), start=1):
        moves = collapse(rows)
        changed, ends = replace_history(conn, deal_id, moves, importer)
        if ends is not None:
            differing.append(f"{names[deal_id]} ({ends[0]} → {ends[1]})")
        result.updated += changed
        if progress and done % 500 == 0:
            progress(done, len(changes))
    if skipped:
        result.notes.append(f"{skipped} rows marked deleted (IsDeleted) were skipped")
    if differing:
        shown = ", ".join(differing[:5]) + (f" and {len(differing) - 5} more" if len(differing) > 5 else "")
        result.notes.append(f"{len(differing)} deals' history ends in another stage than their opportunity's; the"
                            f" opportunity's stage was kept, with a last move to it: {shown}")


def _place(draft: Draft, mapping: ImportMapping, keys: ImportKeys) -> int | RowProblem:
    """The row's deal, or why the row cannot be placed (no deal, an unknown deal, no stage, no date)."""
    key = str(draft.get("deal") or "").strip()
    if not key:
        return RowProblem(draft.line, _column(mapping, "deal"), "no deal: each row names its opportunity")
    found = keys.lookup(key)
    if found is None:
        return RowProblem(draft.line, _column(mapping, "deal"),
                          f"no imported deal has the id {key!r}: import the opportunities first (with their Id as"
                          " external_id)")
    if found == -1:
        return RowProblem(draft.line, _column(mapping, "deal"),
                          f"several imported deals have the id {key!r} (from different sources)")
    if not draft.get("stage"):
        return RowProblem(draft.line, _column(mapping, "stage"), "no stage")
    if not isinstance(draft.get("changed_at"), datetime):
        return RowProblem(draft.line, _column(mapping, "changed_at"), "no date of the change")
    return found


def collapse(changes: list[Change]) -> list[Move]:
    """The stage changes of one deal's rows: in time order (the file's order among equal times); a row in the same
    stage as the one before is a change of something else (amount, close date) and is left out."""
    moves: list[Move] = []
    for change in sorted(changes, key=lambda c: (c.at, c.line)):
        before = moves[-1].to_stage if moves else None
        if change.stage != before:
            moves.append(Move(before, change.stage, change.at, change.by))
    return moves


def replace_history(conn: sqlite3.Connection, deal_id: int, moves: list[Move],
                    importer: int | None) -> tuple[bool, tuple[str, str] | None]:
    """Write `moves` as the deal's imported history. Returns whether anything changed, and (history's last stage,
    deal's stage) when they differ (a last move to the deal's stage is then added). The deal's stage_entered_at
    becomes the last move's moment, unless revdesk has moved the deal since; its created_at moves back to the
    first move if that is earlier."""
    deal = conn.execute("SELECT stage, closed_at, created_at FROM deals WHERE id = ?", (deal_id,)).fetchone()
    latest_own = conn.execute("SELECT MAX(changed_at) FROM stage_history WHERE deal_id = ? AND reason IS NOT ?",
                              (deal_id, REASON)).fetchone()[0]
    ends: tuple[str, str] | None = None
    last = moves[-1]
    since_moved = latest_own is not None and from_stored(latest_own) > last.at
    if last.to_stage != deal["stage"] and not since_moved:
        closed = from_stored(deal["closed_at"]) if deal["closed_at"] else None
        at = max(last.at, closed) if closed else last.at
        ends = (last.to_stage, deal["stage"])
        moves = [*moves, Move(last.to_stage, deal["stage"], at, importer)]
    rows = [(m.from_stage, m.to_stage, m.by, to_stored(m.at)) for m in moves]
    written = conn.execute("SELECT from_stage, to_stage, changed_by, changed_at FROM stage_history"
                           " WHERE deal_id = ? AND reason = ? ORDER BY changed_at, id", (deal_id, REASON)).fetchall()
    changed = [tuple(r) for r in written] != rows
    if changed:  # the same history again is left as it is
        conn.execute("DELETE FROM stage_history WHERE deal_id = ? AND reason = ?", (deal_id, REASON))
        conn.executemany("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at, reason)"
                         " VALUES (?, ?, ?, ?, ?, ?)", [(deal_id, *row, REASON) for row in rows])
    # stage_entered_at and created_at fire no deal-fact trigger (those watch amounts, outcomes and close dates)
    if not since_moved:
        conn.execute("UPDATE deals SET stage_entered_at = ? WHERE id = ?", (to_stored(moves[-1].at), deal_id))
    if moves[0].at < from_stored(deal["created_at"]):
        conn.execute("UPDATE deals SET created_at = ? WHERE id = ?", (to_stored(moves[0].at), deal_id))
    return changed, ends

