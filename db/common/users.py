"""Users: look-ups by handle and id, and listing."""

from __future__ import annotations

import sqlite3

from revdesk.core.common.errors import NotFound
from revdesk.core.common.models import User

_COLUMNS = "id, handle, name, role, team, timezone"


def _user(row: sqlite3.Row) -> User:
    return User(**dict(row))


def list_users(conn: sqlite3.Connection) -> list[User]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY role, handle").fetchall()
    return [_user(r) for r in rows]


def user_by_handle(conn: sqlite3.Connection, handle: str) -> User:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE handle = ?", (handle,)).fetchone()
    if row is None:
        raise NotFound("user", handle)
    return _user(row)


def user_by_id(conn: sqlite3.Connection, user_id: int) -> User:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise NotFound("user", user_id)
    return _user(row)


def team_members(conn: sqlite3.Connection, team: str | None) -> list[User]:
    """Everyone on `team`, or everyone when `team` is None."""
    if team is None:
        return list_users(conn)
    rows = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE team = ? ORDER BY handle", (team,)).fetchall()
    return [_user(r) for r in rows]


def first_user_with_role(conn: sqlite3.Connection, role: str) -> User | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE role = ? ORDER BY id LIMIT 1", (role,)).fetchone()
    return _user(row) if row else None
