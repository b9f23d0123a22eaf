"""What a handoff form starts from: the record, the playbook's fields prefilled from structured data, the
account's contacts to choose the approver from, the suggested recipient, and the lead's score."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from revdesk.core.calls.scoring import Score
from revdesk.core.common.errors import InvalidInput, NotFound
from revdesk.core.common.models import Contact, User
from revdesk.core.handoffs.rules import RECIPIENT_ROLE, prefill, suggest_recipient
from revdesk.core.playbook.model import HandoffKind, Playbook
from revdesk.db.calls.scoring import contact_score
from revdesk.db.common.records import get_contact
from revdesk.db.handoffs.queries import recipients


@dataclass(frozen=True)
class HandoffDraft:
    kind: HandoffKind
    account_id: int
    account_name: str
    contact: Contact | None
    deal_id: int | None
    contacts: list[Contact]  # the account's, for contact fields (buying role shown beside each)
    values: dict[str, str]  # prefilled
    recipients: list[tuple[User, int]]  # who can receive it, with their load
    suggested: tuple[User, str] | None  # and why
    score: Score | None = None
    min_length: int = 12
    placeholders: list[str] = field(default_factory=list)


def handoff_draft(conn: sqlite3.Connection, playbook: Playbook, kind: str, now: datetime, *,
                  contact_id: int | None = None, deal_id: int | None = None, team: str | None = None,
                  ) -> HandoffDraft:
    """`team` is the sender's: the suggestion prefers a recipient of the same team."""
    try:
        spec = playbook.handoff.kind(kind)
    except KeyError as exc:
        raise InvalidInput("kind", str(exc.args[0])) from None
    if kind == "ae_cs":
        row = conn.execute("SELECT account_id, primary_contact_id FROM deals WHERE id = ?", (deal_id,)).fetchone()
        if row is None:
            raise NotFound("deal", deal_id)
        account_id, contact_id = row[0], row[1]
    contact = get_contact(conn, contact_id) if contact_id is not None else None
    if kind == "sdr_ae":
        if contact is None or contact.account_id is None:
            raise InvalidInput("contact", "a handoff to an AE needs a contact that belongs to an account")
        account_id = contact.account_id
    account = conn.execute("SELECT name, owner_id FROM accounts WHERE id = ?", (account_id,)).fetchone()
    ids = [r[0] for r in conn.execute("SELECT id FROM contacts WHERE account_id = ? ORDER BY last_name, first_name",
                                      (account_id,))]
    contacts = [get_contact(conn, i) for i in ids]
    people = recipients(conn, RECIPIENT_ROLE[kind])
    score = contact_score(conn, playbook, contact.id, now) if contact is not None and kind == "sdr_ae" else None
    return HandoffDraft(
        kind=spec, account_id=account_id, account_name=account["name"], contact=contact, deal_id=deal_id,
        contacts=contacts, values=prefill(spec, contacts), recipients=people,
        suggested=suggest_recipient(people, account["owner_id"], team), score=score,
        min_length=playbook.handoff.min_length, placeholders=list(playbook.handoff.placeholders),
    )
