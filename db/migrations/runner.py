"""Runs the migrations a database lacks. Each migration is a module `mNN_<what>.py` in this folder with `SQL`
(statements) and optionally `after(conn)` (data only Python can compute), applied in its own transaction and
loaded only when a database needs it: runtime code imports this runner (for SCHEMA_VERSION), never a migration.

Around the migrations, the capture triggers of db.common.effects are dropped (a migration may reshape a table
they name) and generated again for the schema as it ends up. A database that held data records one `migrate`
change per migration with data hooks or data, so even a migration's writes appear in the change log."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path
from types import ModuleType

SCHEMA_VERSION = 11  # the number of the last migration file (a test checks they agree)
_HERE = Path(__file__).parent


def migration_files() -> list[Path]:
    return sorted(p for p in _HERE.glob("m[0-9][0-9]_*.py"))


def load(number: int) -> ModuleType:
    """Migration `number`'s module (SQL, and `after` when it has one)."""
    matches = [p for p in migration_files() if p.name.startswith(f"m{number:02d}_")]
    if len(matches) != 1:
        raise LookupError(f"migration {number}: expected one file m{number:02d}_*.py, found {len(matches)}")
    return importlib.import_module(f"revdesk.db.migrations.{matches[0].stem}")


def script(number: int) -> str:
    return str(load(number).SQL)


def statements(script_text: str) -> list[str]:
    """Split a migration into statements (triggers contain ';', so split on complete statements)."""
    found, current = [], ""
    for line in script_text.splitlines():
        if line.strip().startswith("--") and not current:
            continue
        current += line + "\n"
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip():
        found.append(current.strip())
    return found


def run_one(conn: sqlite3.Connection, number: int) -> None:
    """Apply migration `number` inside the caller's transaction (its SQL, then its data hook)."""
    from revdesk.db.common.effects import uncaptured

    module = load(number)
    with uncaptured(conn):  # the triggers come back generated for the schema as it ends up
        for statement in statements(module.SQL):
            conn.execute(statement)
        after = getattr(module, "after", None)
        if after is not None:
            after(conn)
    conn.execute(f"PRAGMA user_version = {number}")


def has_data_hook(number: int) -> bool:
    return getattr(load(number), "after", None) is not None


def record(conn: sqlite3.Connection, number: int) -> None:
    """One `migrate` change for migration `number` of a database that held data (inside its transaction)."""
    import json
    from datetime import UTC, datetime

    columns = {r[1] for r in conn.execute("PRAGMA table_info(changes)")}
    values = {"at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "command": "migrate", "entity": "schema",
              "entity_id": number, "payload": json.dumps({"to": number})}
    if "uid" in columns:
        from revdesk.db.common.changes import append_change

        append_change(conn, at=datetime.now(UTC), user_id=None, command="migrate", entity="schema",
                      entity_id=number, payload={"to": number})
        return
    conn.execute(f"INSERT INTO changes ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                 list(values.values()))
