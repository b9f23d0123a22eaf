"""Migration 8: merging accounts: merged_into, and activities that follow their account into the one it merged into.

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

SQL = """
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
