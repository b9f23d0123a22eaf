"""Migration 7: import keys: records brought in from another CRM, by their id there.

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

SQL = """
-- Records brought in from another CRM, by their id there: a second import of the same file updates them.
CREATE TABLE import_keys (
    record_type TEXT NOT NULL CHECK (record_type IN ('user', 'account', 'contact', 'deal')),
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (record_type, source, key)
) STRICT;
CREATE INDEX accounts_name ON accounts(name COLLATE NOCASE);
CREATE INDEX users_name ON users(name COLLATE NOCASE);
"""
