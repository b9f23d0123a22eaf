"""Migration 4: dormancy: account facts kept by triggers on deals, currency rates, dormant picks, revivals.

Committed migrations are never edited: a change to the schema is a new migration."""

# ruff: noqa: E501, W291 - the SQL is byte for byte what databases made by earlier versions store

from __future__ import annotations

SQL = """
-- Dormancy: facts about each account's deals, kept by the triggers below whoever writes a deal, so the
-- dormant list never scans deals or activities. won_revenue is in the playbook's base currency.
ALTER TABLE accounts ADD COLUMN won_revenue REAL NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN last_won_at TEXT;
ALTER TABLE accounts ADD COLUMN open_deals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN dormant_snoozed_until TEXT;
ALTER TABLE accounts ADD COLUMN dormant_snooze_reason TEXT;

-- What one unit of a currency is worth in the base currency (from the playbook in force).
CREATE TABLE currency_rates (
    currency TEXT PRIMARY KEY,
    per_base REAL NOT NULL CHECK (per_base > 0)
) STRICT;
INSERT INTO currency_rates (currency, per_base)
SELECT key, value FROM json_each((SELECT json_extract(data, '$.currency.rates') FROM playbooks
                                  ORDER BY id DESC LIMIT 1));

CREATE TRIGGER deals_facts_insert AFTER INSERT ON deals
BEGIN
  UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL) WHERE id = NEW.account_id;
END;
CREATE TRIGGER deals_facts_update AFTER UPDATE OF account_id, amount, currency, won, closed_at ON deals
BEGIN
  UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL) WHERE id IN (NEW.account_id, OLD.account_id);
END;
CREATE TRIGGER deals_facts_delete AFTER DELETE ON deals
BEGIN
  UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL) WHERE id = OLD.account_id;
END;
UPDATE accounts SET 
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL);
-- Quiet since the later of the last touch and the last win (else since it was created): dormant customers are
-- a range of these two partial indexes, for everyone or for one owner.
ALTER TABLE accounts ADD COLUMN quiet_since TEXT GENERATED ALWAYS AS (
    COALESCE(NULLIF(MAX(COALESCE(last_touch_at, ''), COALESCE(last_won_at, '')), ''), created_at)) VIRTUAL;
CREATE INDEX accounts_dormant ON accounts(quiet_since) WHERE won_revenue > 0 AND open_deals = 0;
CREATE INDEX accounts_dormant_owner ON accounts(owner_id, quiet_since) WHERE won_revenue > 0 AND open_deals = 0;

-- Each owner's dormant accounts for one day (their local date), picked once so Today stays stable.
CREATE TABLE dormant_days (
    user_id INTEGER NOT NULL REFERENCES users(id),
    day TEXT NOT NULL,
    picked_at TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
) STRICT;
CREATE TABLE dormant_picks (
    user_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    rank INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    PRIMARY KEY (user_id, day, rank),
    FOREIGN KEY (user_id, day) REFERENCES dormant_days(user_id, day)
) STRICT;

-- A touch on an account that was dormant: the start of a revival, credited to whoever touched it.
CREATE TABLE revivals (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    activity_id INTEGER NOT NULL REFERENCES activities(id),
    revived_at TEXT NOT NULL,
    quiet_since TEXT NOT NULL,
    won_revenue REAL NOT NULL
) STRICT;
CREATE INDEX revivals_account ON revivals(account_id, revived_at);
CREATE INDEX revivals_user ON revivals(user_id, revived_at);
"""
