"""Migration 5: reporting: what a deal sells and when it was engaged; indexes for period queries.

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

SQL = """
-- Reporting: what a deal sells, and when it was engaged (imports bring it; days to close count from it, else
-- from the deal's creation); indexes for period queries over deals, contacts and handoffs.
ALTER TABLE deals ADD COLUMN product TEXT;
ALTER TABLE deals ADD COLUMN engaged_at TEXT;
CREATE INDEX deals_closed ON deals(closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX deals_created ON deals(created_at);
CREATE INDEX contacts_created ON contacts(created_at);
CREATE INDEX status_history_axis_time ON status_history(axis, to_value, changed_at);
CREATE INDEX handoffs_created ON handoffs(created_at);
"""
