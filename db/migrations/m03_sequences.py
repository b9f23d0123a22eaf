"""Migration 3: sequences (cadences), enrollments, step runs, and step tasks.

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

SQL = """
-- Sequences (cadences): each definition as applied, keyed; enrollments walk a contact through its steps.
CREATE TABLE sequences (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    data TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    applied_by INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE enrollments (
    id INTEGER PRIMARY KEY,
    sequence_id INTEGER NOT NULL REFERENCES sequences(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'finished', 'exited', 'removed')),
    step_index INTEGER NOT NULL DEFAULT 0,
    next_due_at TEXT,
    enrolled_at TEXT NOT NULL,
    enrolled_by INTEGER REFERENCES users(id),
    ended_at TEXT,
    exit_reason TEXT
) STRICT;
CREATE INDEX enrollments_due ON enrollments(status, next_due_at);
CREATE INDEX enrollments_contact ON enrollments(contact_id, status);
CREATE INDEX enrollments_sequence ON enrollments(sequence_id, status);
CREATE UNIQUE INDEX enrollments_one_live ON enrollments(contact_id, sequence_id) WHERE status IN ('active', 'paused');

-- What happened at each step: done (with the activity it logged, if any) or skipped.
CREATE TABLE step_runs (
    id INTEGER PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments(id),
    step_index INTEGER NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped')),
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    activity_id INTEGER REFERENCES activities(id)
) STRICT;
CREATE INDEX step_runs_enrollment ON step_runs(enrollment_id, step_index);

-- A due step is a task in its owner's queue, once per enrollment and step.
ALTER TABLE tasks ADD COLUMN enrollment_id INTEGER REFERENCES enrollments(id);
ALTER TABLE tasks ADD COLUMN step_index INTEGER;
ALTER TABLE tasks ADD COLUMN channel TEXT;
CREATE UNIQUE INDEX tasks_one_per_step ON tasks(enrollment_id, step_index) WHERE enrollment_id IS NOT NULL;
CREATE INDEX contacts_do_not_contact ON contacts(id) WHERE do_not_contact = 1;
"""
