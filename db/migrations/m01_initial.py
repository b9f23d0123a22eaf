"""Migration 1: the first schema: users, accounts, contacts, handoffs, deals, activities, tasks,
histories, the change log.

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

SQL = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('sdr', 'ae', 'cs', 'manager', 'founder')),
    team TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT UNIQUE,
    industry TEXT,
    employees INTEGER,
    country TEXT,
    timezone TEXT,
    owner_id INTEGER REFERENCES users(id),
    icp_tier TEXT CHECK (icp_tier IN ('A', 'B', 'C', 'D')),
    growth_stage TEXT,
    committee_complexity TEXT CHECK (committee_complexity IN ('low', 'medium', 'high')),
    created_at TEXT NOT NULL,
    last_touch_at TEXT
) STRICT;
CREATE INDEX accounts_owner ON accounts(owner_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    title TEXT,
    email TEXT UNIQUE,
    phone TEXT,
    timezone TEXT,
    country TEXT,
    buying_role TEXT CHECK (buying_role IN
        ('decision_maker', 'approver', 'champion', 'influencer', 'user', 'blocker')),
    lead_source TEXT,
    inbound INTEGER NOT NULL DEFAULT 0 CHECK (inbound IN (0, 1)),
    lifecycle_stage TEXT NOT NULL DEFAULT 'lead' CHECK (lifecycle_stage IN
        ('lead', 'mql', 'sal', 'sql', 'opportunity', 'customer', 'disqualified', 'nurture')),
    lead_status TEXT NOT NULL DEFAULT 'new' CHECK (lead_status IN
        ('new', 'attempting', 'connected', 'qualified', 'disqualified')),
    score INTEGER NOT NULL DEFAULT 0,
    owner_id INTEGER REFERENCES users(id),
    do_not_contact INTEGER NOT NULL DEFAULT 0 CHECK (do_not_contact IN (0, 1)),
    created_at TEXT NOT NULL,
    first_touch_at TEXT,
    last_touch_at TEXT
) STRICT;
CREATE INDEX contacts_account ON contacts(account_id);
CREATE INDEX contacts_owner_status ON contacts(owner_id, lead_status, inbound, created_at);

CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sdr_ae', 'ae_cs')),
    from_user_id INTEGER NOT NULL REFERENCES users(id),
    to_user_id INTEGER NOT NULL REFERENCES users(id),
    contact_id INTEGER REFERENCES contacts(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    deal_id INTEGER,
    context TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    reject_reason TEXT,
    reject_note TEXT,
    created_at TEXT NOT NULL,
    sla_due_at TEXT,
    decided_at TEXT
) STRICT;
CREATE INDEX handoffs_to_status ON handoffs(to_user_id, status);
CREATE INDEX handoffs_from ON handoffs(from_user_id, created_at);

CREATE TABLE deals (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    primary_contact_id INTEGER REFERENCES contacts(id),
    name TEXT NOT NULL,
    amount REAL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    recurring INTEGER NOT NULL DEFAULT 1 CHECK (recurring IN (0, 1)),
    stage TEXT NOT NULL,
    owner_id INTEGER REFERENCES users(id),
    expected_close_date TEXT,
    closed_at TEXT,
    won INTEGER CHECK (won IN (0, 1)),
    lost_reason TEXT,
    source TEXT,
    handoff_id INTEGER REFERENCES handoffs(id),
    created_at TEXT NOT NULL,
    stage_entered_at TEXT NOT NULL
) STRICT;
CREATE INDEX deals_account ON deals(account_id);
CREATE INDEX deals_owner_stage ON deals(owner_id, stage);
CREATE INDEX deals_contact ON deals(primary_contact_id);

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'linkedin', 'meeting', 'note')),
    outcome TEXT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    contact_id INTEGER REFERENCES contacts(id),
    account_id INTEGER REFERENCES accounts(id),
    deal_id INTEGER REFERENCES deals(id),
    sequence_step TEXT,
    occurred_at TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    undone_at TEXT
) STRICT;
CREATE INDEX activities_user_time ON activities(user_id, occurred_at);
CREATE INDEX activities_contact_time ON activities(contact_id, occurred_at);
CREATE INDEX activities_account_time ON activities(account_id, occurred_at);

-- Activities are append-only: only undo may mark one, once, and nothing deletes them.
CREATE TRIGGER activities_no_delete BEFORE DELETE ON activities
BEGIN SELECT RAISE(ABORT, 'activities are append-only'); END;
CREATE TRIGGER activities_no_update BEFORE UPDATE ON activities
WHEN OLD.undone_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.outcome IS NOT OLD.outcome
  OR NEW.user_id IS NOT OLD.user_id OR NEW.contact_id IS NOT OLD.contact_id
  OR NEW.account_id IS NOT OLD.account_id OR NEW.deal_id IS NOT OLD.deal_id
  OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.note IS NOT OLD.note
  OR NEW.sequence_step IS NOT OLD.sequence_step OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, 'activities are append-only'); END;

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('follow_up', 'call_back', 'step')),
    contact_id INTEGER REFERENCES contacts(id),
    account_id INTEGER REFERENCES accounts(id),
    deal_id INTEGER REFERENCES deals(id),
    due_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'skipped', 'snoozed', 'cancelled')),
    note TEXT,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    source_activity_id INTEGER REFERENCES activities(id)
) STRICT;
CREATE INDEX tasks_open_due ON tasks(user_id, due_at) WHERE status IN ('open', 'snoozed');
CREATE INDEX tasks_contact ON tasks(contact_id);

CREATE TABLE owner_history (
    id INTEGER PRIMARY KEY,
    record_type TEXT NOT NULL CHECK (record_type IN ('account', 'contact', 'deal')),
    record_id INTEGER NOT NULL,
    from_user_id INTEGER REFERENCES users(id),
    to_user_id INTEGER REFERENCES users(id),
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT NOT NULL,
    reason TEXT,
    handoff_id INTEGER REFERENCES handoffs(id)
) STRICT;
CREATE INDEX owner_history_record ON owner_history(record_type, record_id, changed_at);

CREATE TABLE stage_history (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deals(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT NOT NULL,
    reason TEXT
) STRICT;
CREATE INDEX stage_history_deal ON stage_history(deal_id, changed_at);

CREATE TABLE status_history (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    axis TEXT NOT NULL CHECK (axis IN ('lifecycle', 'lead_status')),
    from_value TEXT,
    to_value TEXT NOT NULL,
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT NOT NULL,
    reason TEXT
) STRICT;
CREATE INDEX status_history_contact ON status_history(contact_id, axis, changed_at);

-- The append-only change log: the audit trail, the source of undo, later the unit of sync.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    command TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    payload TEXT NOT NULL DEFAULT '{}',
    undoes INTEGER REFERENCES changes(id)
) STRICT;
CREATE INDEX changes_user ON changes(user_id, id);
CREATE UNIQUE INDEX changes_undone_once ON changes(undoes) WHERE undoes IS NOT NULL;
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;

CREATE TABLE playbooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    data TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    applied_by INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
"""
