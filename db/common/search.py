"""Finding records by name for the command palette."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class ContactHit:
    contact_id: int
    name: str
    title: str | None
    account_name: str | None


def search_contacts(conn: sqlite3.Connection, query: str, limit: int = 30) -> list[ContactHit]:
    """Contacts whose first name, last name, full name or account starts with the query."""
    like = query.replace("%", "").replace("_", "") + "%"
    rows = conn.execute(
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name, c.title, a.name AS account"
        " FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id"
        " WHERE c.last_name LIKE :q OR c.first_name LIKE :q OR (c.first_name || ' ' || c.last_name) LIKE :q"
        "    OR a.name LIKE :q LIMIT :limit",
        {"q": like, "limit": limit},
    ).fetchall()
    return [ContactHit(r[0], r[1], r[2], r[3]) for r in rows]


@dataclass(frozen=True)
class AccountHit:
    account_id: int
    name: str
    domain: str | None
    industry: str | None
    country: str | None


def search_accounts(conn: sqlite3.Connection, query: str, limit: int = 30) -> list[AccountHit]:
    """Accounts whose name, a word of the name, or domain starts with the query, by name."""
    text = query.replace("%", "").replace("_", "")
    rows = conn.execute(
        "SELECT id, name, domain, industry, country FROM accounts"
        " WHERE (name LIKE :q OR name LIKE :word OR domain LIKE :q) AND merged_into IS NULL ORDER BY name LIMIT :limit",
        {"q": text + "%", "word": "% " + text + "%", "limit": limit},
    ).fetchall()
    return [AccountHit(r[0], r[1], r[2], r[3], r[4]) for r in rows]
