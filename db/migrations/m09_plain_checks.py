"""Migration 9: the tables' CHECK constraints with a list of values (`kind IN ('call', 'email', ...)`) are
written as comparisons joined by OR, which mean the same: SQLite builds a temporary table for every row it
checks against an IN list, and that made a bulk import spend most of its insert time on checks (100k contacts:
1.6 s against 0.7 s). Import keys may also name activities and tasks.

The tables keep their rows; only their CREATE statements change, by SQLite's documented procedure for changes
that do not touch the stored format (https://sqlite.org/lang_altertable.html#otheralter): the schema is edited
in place and its version bumped, inside the migration's transaction."""

from __future__ import annotations

import re
import sqlite3

SQL = """
-- Nothing in SQL: `after` rewrites the CHECK constraints (see its docstring).
SELECT 1;
"""

_IN_LIST = re.compile(r"CHECK \((\w+) IN\s*\(([^()]*)\)\)")
_KEY_TYPES = "CHECK (record_type IN ('user', 'account', 'contact', 'deal'))"


def _as_comparisons(match: re.Match[str]) -> str:
    column, values = match.group(1), [v.strip() for v in match.group(2).split(",")]
    return "CHECK (" + " OR ".join(f"{column} = {v}" for v in values) + ")"


def rewritten(sql: str) -> str:
    """A table's CREATE statement with its IN-list checks as comparisons (NULL passes both forms alike)."""
    if _KEY_TYPES in sql:
        sql = sql.replace(_KEY_TYPES, "CHECK (record_type IN ('user', 'account', 'contact', 'deal', 'activity',"
                                      " 'task'))")
    return _IN_LIST.sub(_as_comparisons, sql)


def after(conn: sqlite3.Connection) -> None:
    tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL").fetchall()
    changed = [(rewritten(sql), name) for name, sql in tables if rewritten(sql) != sql]
    if not changed:
        return
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.executemany("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", changed)
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    problems = [tuple(r) for r in conn.execute("PRAGMA quick_check")]
    if problems != [("ok",)]:
        raise sqlite3.DatabaseError(f"the schema rewrite left the database inconsistent: {problems[:3]}")
