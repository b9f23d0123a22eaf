"""The schema as numbered migrations. Opening a database applies those it lacks, in order, each in its
own transaction; PRAGMA user_version records how far a database has come."""

from __future__ import annotations

MIGRATION_1 = """
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

MIGRATION_2 = """
-- Qualification: the score's parts as of score_at (fit points, engagement decayed to score_at), as JSON.
ALTER TABLE contacts ADD COLUMN score_detail TEXT;
ALTER TABLE contacts ADD COLUMN score_at TEXT;
CREATE INDEX contacts_status_score ON contacts(lead_status, score);
CREATE INDEX contacts_owner_status_score ON contacts(owner_id, lead_status, score);

-- Exit-criteria fields a deal has that are not columns of its own (the playbook may name any).
ALTER TABLE deals ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
CREATE INDEX deals_stage_age ON deals(stage, stage_entered_at);
CREATE INDEX deals_owner_stage_age ON deals(owner_id, stage, stage_entered_at);

CREATE INDEX handoffs_contact ON handoffs(contact_id, status);
CREATE INDEX handoffs_deal ON handoffs(deal_id);
CREATE INDEX handoffs_from_decided ON handoffs(from_user_id, decided_at);
CREATE INDEX handoffs_status_due ON handoffs(status, sla_due_at);
-- One pending handoff per lead, one customer-success handoff per won deal (the services check it first).
CREATE UNIQUE INDEX handoffs_one_pending_per_lead ON handoffs(contact_id) WHERE kind = 'sdr_ae' AND status = 'pending';
CREATE UNIQUE INDEX handoffs_one_per_won_deal ON handoffs(deal_id) WHERE kind = 'ae_cs' AND status != 'rejected';

-- A deal passes from an SDR to anyone else only through an accepted handoff to that person.
CREATE TRIGGER deals_owner_needs_handoff BEFORE UPDATE OF owner_id ON deals
WHEN NEW.owner_id IS NOT OLD.owner_id
  AND (SELECT role FROM users WHERE id = OLD.owner_id) = 'sdr'
  AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h.deal_id = NEW.id AND h.to_user_id = NEW.owner_id
                  AND h.status = 'accepted')
BEGIN SELECT RAISE(ABORT, 'a deal passes from an SDR only through an accepted handoff'); END;
"""

MIGRATION_3 = """
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

from revdesk.db.migrations.schema_v4_v6 import MIGRATION_4, MIGRATION_5, MIGRATION_6  # noqa: E402 - later migrations, kept apart

MIGRATION_7 = """
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

MIGRATION_8 = """
-- Merging two accounts that are one company (db.accounts.merge): the one merged away points at the one that
-- stays, keeps no contacts, deals or activities, and leaves every list.
ALTER TABLE accounts ADD COLUMN merged_into INTEGER REFERENCES accounts(id);
CREATE INDEX accounts_merged ON accounts(merged_into) WHERE merged_into IS NOT NULL;
-- An activity stays as it was logged, with one exception: it follows its account into the account that account
-- was merged into (also when undone). Any other change of account, or of anything else, is refused as before.
DROP TRIGGER activities_no_update;
CREATE TRIGGER activities_no_update BEFORE UPDATE ON activities
WHEN (OLD.undone_at IS NOT NULL AND (NEW.account_id IS OLD.account_id OR NEW.undone_at IS NOT OLD.undone_at
                                     OR NEW.lead_status IS NOT OLD.lead_status))
  OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.outcome IS NOT OLD.outcome
  OR NEW.user_id IS NOT OLD.user_id OR NEW.contact_id IS NOT OLD.contact_id
  OR (NEW.account_id IS NOT OLD.account_id
      AND NEW.account_id IS NOT (SELECT merged_into FROM accounts WHERE id = OLD.account_id))
  OR NEW.deal_id IS NOT OLD.deal_id
  OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.note IS NOT OLD.note
  OR NEW.sequence_step IS NOT OLD.sequence_step OR NEW.created_at IS NOT OLD.created_at
  OR (OLD.lead_status IS NOT NULL AND NEW.lead_status IS NOT OLD.lead_status)
BEGIN SELECT RAISE(ABORT, 'activities are append-only'); END;
"""

from revdesk.db.migrations.schema_v9 import MIGRATION_9  # noqa: E402

MIGRATIONS: list[str] = [MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4, MIGRATION_5, MIGRATION_6, MIGRATION_7,
                         MIGRATION_8, MIGRATION_9]
SCHEMA_VERSION = len(MIGRATIONS)
