"""Migration 2: qualification scores, deal details, handoff indexes and the rule that a deal leaves an
SDR only by handoff.

Committed migrations are never edited: a change to the schema is a new migration."""

from __future__ import annotations

SQL = """
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
