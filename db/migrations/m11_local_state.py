"""Migration 11: what only this copy of the database needs to know (how far its sequence tick has looked ahead)
moves from `meta` into `local_state`, which the change log does not capture: it is this replica's bookkeeping,
not anyone's data, and another copy keeps its own.

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

SQL = """
CREATE TABLE local_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO local_state (key, value) SELECT key, value FROM meta WHERE key = 'sequences_ticked_through';
DELETE FROM meta WHERE key = 'sequences_ticked_through';
"""
