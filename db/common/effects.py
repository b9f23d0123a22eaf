"""Row-level effects of every change, captured by SQLite triggers generated from the schema.

Each user-data table gets three AFTER triggers (`effects_<table>_insert/_update/_delete`) that append one row to
`change_effects` per row written: the table, the operation, the row's key (its primary key columns as a JSON
object, or its rowid), the old values (update: only the columns that changed; delete: the whole row) and the new
values (insert: the whole row; update: the changed columns). The triggers write `change_id` NULL; the service's
`append_change`, in the same transaction, claims every unclaimed effect, so no service can forget its effects and
a rolled-back write leaves none behind.

Applying a change's effects in order onto a copy taken before it reproduces it; applying them inverted in
reverse order takes it back. Every table is captured except the change log itself (`changes`, `change_effects`),
`local_state` (this copy's own bookkeeping, such as how far its sequence tick has looked) and SQLite's own
tables; derived data (the account facts kept by the deals triggers, activity_days) is captured too, so a replica is
exact without recomputing anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

NOT_CAPTURED = frozenset({"changes", "change_effects", "local_state"})
_PREFIX = "effects_"


@dataclass(frozen=True)
class Effect:
    """One row written: `op` is insert, update or delete; `key`, `old` and `new` are column -> value."""

    seq: int
    table: str
    op: str
    key: dict
    old: dict | None
    new: dict | None


def captured_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables whose writes are captured: every table but the change log and SQLite's own."""
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        if r[0] not in NOT_CAPTURED]


def _columns(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    """The table's stored columns (generated ones are left out: they follow) and its key columns."""
    info = conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    columns = [r["name"] if isinstance(r, sqlite3.Row) else r[1] for r in info]
    pk = sorted((r[5], r[1]) for r in info if r[5])
    return columns, [name for _, name in pk] or ["rowid"]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _object(row: str, columns: list[str]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {row}.{_quote(c)}" for c in columns) + ")"


def trigger_sql(conn: sqlite3.Connection, table: str) -> list[str]:
    """The three capture triggers of `table`, as CREATE TRIGGER statements."""
    columns, key = _columns(conn, table)
    t, name = _quote(table), table.replace('"', "")
    insert = ("INSERT INTO change_effects (tbl, op, key, old, new) VALUES ('{name}', '{op}', {key}, {old}, {new});")
    changed = " OR ".join(f"OLD.{_quote(c)} IS NOT NEW.{_quote(c)}" for c in columns)
    parts = " UNION ALL ".join(
        f"SELECT '{c}' AS k, {{row}}.{_quote(c)} AS v WHERE OLD.{_quote(c)} IS NOT NEW.{_quote(c)}" for c in columns)
    diff = "(SELECT json_group_object(k, v) FROM ({parts}))"
    return [
        f"CREATE TRIGGER {_PREFIX}{name}_insert AFTER INSERT ON {t} BEGIN "
        + insert.format(name=name, op="insert", key=_object("NEW", key), old="NULL", new=_object("NEW", columns))
        + " END",
        f"CREATE TRIGGER {_PREFIX}{name}_update AFTER UPDATE ON {t} WHEN {changed} BEGIN "
        + insert.format(name=name, op="update", key=_object("OLD", key),
                        old=diff.format(parts=parts.format(row="OLD")), new=diff.format(parts=parts.format(row="NEW")))
        + " END",
        f"CREATE TRIGGER {_PREFIX}{name}_delete AFTER DELETE ON {t} BEGIN "
        + insert.format(name=name, op="delete", key=_object("OLD", key), old=_object("OLD", columns), new="NULL")
        + " END",
    ]


def drop_triggers(conn: sqlite3.Connection) -> None:
    """Remove every capture trigger (before a migration reshapes a table, or a bulk load that records a summary)."""
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                                (_PREFIX + "%",)).fetchall():
        conn.execute(f"DROP TRIGGER {_quote(name)}")


def install_triggers(conn: sqlite3.Connection) -> None:
    """(Re)create the capture triggers for the schema as it is now; nothing if there is no effects table."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'change_effects'").fetchone() is None:
        return
    drop_triggers(conn)
    for table in captured_tables(conn):
        for statement in trigger_sql(conn, table):
            conn.execute(statement)


@contextmanager
def uncaptured(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside the caller's transaction: writes not captured row by row (a seed's millions of rows, whose change
    record summarises them; a replay that copies effects it already has). The triggers come back at the end."""
    drop_triggers(conn)
    try:
        yield
    finally:
        install_triggers(conn)


def claim(conn: sqlite3.Connection, change_id: int) -> int:
    """Give every unclaimed effect to `change_id` (inside its transaction); how many there were."""
    return conn.execute("UPDATE change_effects SET change_id = ? WHERE change_id IS NULL", (change_id,)).rowcount


def unclaimed(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM change_effects WHERE change_id IS NULL").fetchone()[0])


def effects_of(conn: sqlite3.Connection, change_id: int) -> list[Effect]:
    """The change's effects, in the order they happened."""
    return [_effect(r) for r in conn.execute(
        "SELECT seq, tbl, op, key, old, new FROM change_effects WHERE change_id = ? ORDER BY seq", (change_id,))]


def _effect(row: sqlite3.Row | tuple) -> Effect:
    seq, table, op, key, old, new = tuple(row)
    return Effect(seq, table, op, json.loads(key), json.loads(old) if old else None, json.loads(new) if new else None)


def apply_effects(conn: sqlite3.Connection, effects: Iterable[Effect]) -> None:
    """Write the effects onto this database, in order (inside the caller's transaction)."""
    for effect in effects:
        _write(conn, effect.table, effect.op, effect.key, effect.old, effect.new)


def undo_effects(conn: sqlite3.Connection, effects: Iterable[Effect]) -> None:
    """Take the effects back: each inverted, last first (inside the caller's transaction)."""
    inverse = {"insert": "delete", "delete": "insert", "update": "update", "insert_rows": "delete_rows"}
    for effect in sorted(effects, key=lambda e: e.seq, reverse=True):
        if effect.op == "insert_rows":
            _write_rows(conn, effect.table, "delete_rows", effect.key["columns"], effect.new or {})
            continue
        key = {**effect.key, **{k: v for k, v in (effect.new or {}).items() if k in effect.key}}
        _write(conn, effect.table, inverse[effect.op], key, effect.new, effect.old)


def _write(conn: sqlite3.Connection, table: str, op: str, key: dict, old: dict | None, new: dict | None) -> None:
    if op == "insert_rows":  # many rows of one table (db.common.bulk_effects)
        _write_rows(conn, table, op, key["columns"], new or {})
        return
    where = " AND ".join(f"{_quote(k)} IS ?" for k in key)
    if op == "insert":
        row = new or {}
        conn.execute(f"INSERT INTO {_quote(table)} ({', '.join(map(_quote, row))}) VALUES"
                     f" ({', '.join('?' * len(row))})", list(row.values()))
    elif op == "delete":
        conn.execute(f"DELETE FROM {_quote(table)} WHERE {where}", list(key.values()))
    elif new:
        sets = ", ".join(f"{_quote(k)} = ?" for k in new)
        conn.execute(f"UPDATE {_quote(table)} SET {sets} WHERE {where}", [*new.values(), *key.values()])


def _write_rows(conn: sqlite3.Connection, table: str, op: str, key: list[str], rows: dict) -> None:
    columns, values = rows.get("columns", []), rows.get("rows", [])
    if op == "insert_rows":
        conn.executemany(f"INSERT INTO {_quote(table)} ({', '.join(map(_quote, columns))}) VALUES"
                         f" ({', '.join('?' * len(columns))})", values)
        return
    at = [columns.index(k) for k in key]
    conn.executemany(f"DELETE FROM {_quote(table)} WHERE {' AND '.join(f'{_quote(k)} IS ?' for k in key)}",
                     [[row[i] for i in at] for row in values])
