"""Migration 6: quiet since counts the last close of any deal; activities keep their lead status;
per-day activity counts.

Committed migrations are never edited: a change to the schema is a new migration."""

# ruff: noqa: E501, W291 - the SQL is byte for byte what databases made by earlier versions store

from __future__ import annotations

import sqlite3

SQL = """
-- A deal closed lost yesterday was worked yesterday: quiet since now also counts the last close of any deal.
-- An open deal is one not closed (closed_at IS NULL), as everywhere else.
DROP INDEX accounts_dormant;
DROP INDEX accounts_dormant_owner;
ALTER TABLE accounts DROP COLUMN quiet_since;
ALTER TABLE accounts ADD COLUMN last_closed_at TEXT;
DROP TRIGGER deals_facts_insert;
DROP TRIGGER deals_facts_update;
DROP TRIGGER deals_facts_delete;
CREATE TRIGGER deals_facts_insert AFTER INSERT ON deals
BEGIN
  UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL),
    last_closed_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id) WHERE id = NEW.account_id;
END;
CREATE TRIGGER deals_facts_update AFTER UPDATE OF account_id, amount, currency, won, closed_at ON deals
BEGIN
  UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL),
    last_closed_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id) WHERE id IN (NEW.account_id, OLD.account_id);
END;
CREATE TRIGGER deals_facts_delete AFTER DELETE ON deals
BEGIN
  UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL),
    last_closed_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id) WHERE id = OLD.account_id;
END;
UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL),
    last_closed_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id);
ALTER TABLE accounts ADD COLUMN quiet_since TEXT GENERATED ALWAYS AS (
    COALESCE(NULLIF(MAX(COALESCE(last_touch_at, ''), COALESCE(last_closed_at, '')), ''), created_at)) VIRTUAL;
CREATE INDEX accounts_dormant ON accounts(quiet_since) WHERE won_revenue > 0 AND open_deals = 0;
CREATE INDEX accounts_dormant_owner ON accounts(owner_id, quiet_since) WHERE won_revenue > 0 AND open_deals = 0;

-- Revival is credited to the account's owner when it was revived (and to who touched it).
ALTER TABLE revivals ADD COLUMN owner_id INTEGER REFERENCES users(id);
UPDATE revivals SET owner_id = (SELECT owner_id FROM accounts WHERE id = revivals.account_id);
CREATE INDEX revivals_owner ON revivals(owner_id, revived_at);

-- Covering indexes for the metrics over periods: handoffs sent and accepted per person, deals won per owner.
DROP INDEX handoffs_from;
DROP INDEX handoffs_from_decided;
CREATE INDEX handoffs_from ON handoffs(from_user_id, created_at, kind);
CREATE INDEX handoffs_from_decided ON handoffs(from_user_id, decided_at, kind, status);
CREATE INDEX deals_owner_closed ON deals(owner_id, closed_at, won, stage, amount, currency);
-- The leak report's limbo leads: today's MQLs.
CREATE INDEX contacts_mql ON contacts(id) WHERE lifecycle_stage = 'mql';
-- The funnel reads a period's new contacts and their lifecycle moves from the indexes alone.
DROP INDEX contacts_created;
CREATE INDEX contacts_created ON contacts(created_at, lead_source, lifecycle_stage);
DROP INDEX status_history_contact;
CREATE INDEX status_history_contact ON status_history(contact_id, axis, changed_at, to_value);

-- Activity metrics: each activity keeps the contact's lead status when it was logged, and activity_days
-- counts them per person and local day (kept by db.calls.activity_days as activities are logged and undone).
ALTER TABLE activities ADD COLUMN lead_status TEXT;
-- ... and it is set once (by the log, or by this migration for older activities), like the rest of the row.
DROP TRIGGER activities_no_update;
CREATE TRIGGER activities_no_update BEFORE UPDATE ON activities
WHEN OLD.undone_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.outcome IS NOT OLD.outcome
  OR NEW.user_id IS NOT OLD.user_id OR NEW.contact_id IS NOT OLD.contact_id
  OR NEW.account_id IS NOT OLD.account_id OR NEW.deal_id IS NOT OLD.deal_id
  OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.note IS NOT OLD.note
  OR NEW.sequence_step IS NOT OLD.sequence_step OR NEW.created_at IS NOT OLD.created_at
  OR (OLD.lead_status IS NOT NULL AND NEW.lead_status IS NOT OLD.lead_status)
BEGIN SELECT RAISE(ABORT, 'activities are append-only'); END;
CREATE TABLE activity_days (
    user_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    lead_status TEXT NOT NULL DEFAULT '',
    n INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, kind, outcome, lead_status)
) STRICT, WITHOUT ROWID;
"""


def after(conn: sqlite3.Connection) -> None:
    """Data the SQL cannot compute: lead status at the time of old activities (from status_history) and the
    per-day counts in each person's timezone."""
    from revdesk.db.calls.activity_days import backfill_lead_status, rebuild_activity_days

    backfill_lead_status(conn)
    rebuild_activity_days(conn)
