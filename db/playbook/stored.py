"""The stored playbook: applying a checked file, and reading the one in force."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime

from revdesk.core.common.errors import InvalidInput, PlaybookError
from revdesk.core.common.toml_lines import line_of
from revdesk.core.common.when import to_stored
from revdesk.core.playbook.check import parse_playbook
from revdesk.core.playbook.model import Playbook, playbook_from_json, playbook_to_json
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction


def apply_playbook(
    conn: sqlite3.Connection, source: str, origin: str, now: datetime, user_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Playbook:
    """Validate `source` and make it the playbook in force (with a change record); nothing on error.
    When the qualification rules change, every contact is rescored (`progress` hears how far it is)."""
    playbook = parse_playbook(source, origin)
    handles = {row[0] for row in conn.execute("SELECT handle FROM users")}
    for index, target in enumerate(playbook.targets):
        if handles and target.user is not None and target.user not in handles:
            line = line_of(source, ("targets", index, "user"))
            where = f"{origin}:{line}" if line else origin
            raise InvalidInput(f"{where}: targets[{index}].user", f"no user {target.user!r} in this database")
    data = playbook_to_json(playbook)
    with transaction(conn):
        row = conn.execute("SELECT data FROM playbooks ORDER BY id DESC LIMIT 1").fetchone()
        previous = json.loads(row["data"]) if row else None
        cursor = conn.execute(
            "INSERT INTO playbooks (name, source, data, applied_at, applied_by) VALUES (?, ?, ?, ?, ?)",
            (playbook.name, source, json.dumps(data), to_stored(now), user_id),
        )
        append_change(
            conn, at=now, user_id=user_id, command="apply_playbook", entity="playbook",
            entity_id=cursor.lastrowid, payload={"name": playbook.name, "origin": origin},
        )
        from revdesk.db.accounts.facts import set_currency_rates

        set_currency_rates(conn, playbook.currency)
        if previous is None or previous.get("qualification") != json.loads(json.dumps(data["qualification"])):
            from revdesk.db.calls.scoring import (
                rescore,  # what "qualified" means changed: every score is recomputed once
            )

            rescore(conn, playbook, now, user_id=user_id, progress=progress)
    return playbook


def current_playbook(conn: sqlite3.Connection) -> Playbook:
    row = conn.execute("SELECT data FROM playbooks ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        raise PlaybookError(["this database has no playbook yet: run `revdesk playbook apply FILE`"])
    return playbook_from_json(json.loads(row["data"]))


def current_playbook_source(conn: sqlite3.Connection) -> tuple[str, str] | None:
    row = conn.execute("SELECT source, applied_at FROM playbooks ORDER BY id DESC LIMIT 1").fetchone()
    return (row["source"], row["applied_at"]) if row else None
