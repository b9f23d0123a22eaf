"""Schema migrations 4 to 6 (see db.migrations.schema): dormancy facts kept on accounts, reporting columns and indexes,
and the per-day activity counts the metrics read."""

from __future__ import annotations

# An account's facts from its deals, as of schema 4: won revenue in the base currency, when it last won, how
# many deals are open.
_FACTS_4 = """
    won_revenue = (SELECT COALESCE(SUM(d.amount * COALESCE(
                     (SELECT r.per_base FROM currency_rates r WHERE r.currency = d.currency), 1)), 0)
                   FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    last_won_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id AND d.won = 1),
    open_deals = (SELECT COUNT(*) FROM deals d WHERE d.account_id = accounts.id AND d.closed_at IS NULL)"""

# The facts today (schema 6 on): also when the account last closed any deal (won or lost).
ACCOUNT_FACTS = _FACTS_4 + """,
    last_closed_at = (SELECT MAX(d.closed_at) FROM deals d WHERE d.account_id = accounts.id)"""

# The triggers that keep an account's facts whoever writes a deal, then one recomputation of every account.
_FACT_TRIGGERS = """CREATE TRIGGER deals_facts_insert AFTER INSERT ON deals
BEGIN
  UPDATE accounts SET {facts} WHERE id = NEW.account_id;
END;
CREATE TRIGGER deals_facts_update AFTER UPDATE OF account_id, amount, currency, won, closed_at ON deals
BEGIN
  UPDATE accounts SET {facts} WHERE id IN (NEW.account_id, OLD.account_id);
END;
CREATE TRIGGER deals_facts_delete AFTER DELETE ON deals
BEGIN
  UPDATE accounts SET {facts} WHERE id = OLD.account_id;
END;
UPDATE accounts SET {facts};
"""

MIGRATION_4 = """
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

{triggers}-- Quiet since the later of the last touch and the last win (else since it was created): dormant customers are
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
""".replace("{triggers}", _FACT_TRIGGERS).replace("{facts}", _FACTS_4)

MIGRATION_5 = """
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

MIGRATION_6 = """
-- A deal closed lost yesterday was worked yesterday: quiet since now also counts the last close of any deal.
-- An open deal is one not closed (closed_at IS NULL), as everywhere else.
DROP INDEX accounts_dormant;
DROP INDEX accounts_dormant_owner;
ALTER TABLE accounts DROP COLUMN quiet_since;
ALTER TABLE accounts ADD COLUMN last_closed_at TEXT;
DROP TRIGGER deals_facts_insert;
DROP TRIGGER deals_facts_update;
DROP TRIGGER deals_facts_delete;
{triggers}ALTER TABLE accounts ADD COLUMN quiet_since TEXT GENERATED ALWAYS AS (
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
""".replace("{triggers}", _FACT_TRIGGERS).replace("{facts}", ACCOUNT_FACTS)


def after_migration_6(conn) -> None:  # noqa: ANN001 - a sqlite3.Connection
    """Data the SQL of migration 6 cannot compute: lead status at the time of old activities (from
    status_history) and the per-day counts in each person's timezone."""
    from revdesk.db.calls.activity_days import backfill_lead_status, rebuild_activity_days

    backfill_lead_status(conn)
    rebuild_activity_days(conn)


def after_migration_9(conn) -> None:  # noqa: ANN001 - a sqlite3.Connection
    from revdesk.db.migrations.schema_v9 import after_migration_9 as rewrite_checks

    rewrite_checks(conn)


AFTER_MIGRATION = {6: after_migration_6, 9: after_migration_9}
