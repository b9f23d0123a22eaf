"""The dormancy room of the workbench: one person's (or nobody in particular's) way into dormant accounts, shared
by the CLI and the dormant screen so both apply the same definition, scopes and services."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from revdesk.core.common.errors import InvalidInput, NotFound
from revdesk.core.dormancy.definition import DormantAccount, RevivalRow
from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.db.dormancy.actions import Assigned
    from revdesk.db.sequences.enrollments import Enrolled

ListScope = Literal["mine", "unowned", "all"]


class DormancyDesk(Desk):
    def dormant(self, scope: ListScope = "mine", snoozed: bool = False) -> list[DormantAccount]:
        from revdesk.db.dormancy.queries import dormant_accounts

        owner = self.me.id if scope == "mine" else scope
        return dormant_accounts(self._conn, self.playbook, self.now(), owner, snoozed=snoozed)

    def dormant_count(self, scope: ListScope = "all", snoozed: bool = True) -> int:
        from revdesk.db.dormancy.queries import dormant_count

        owner = self.me.id if scope == "mine" else scope
        return dormant_count(self._conn, self.playbook, self.now(), owner, snoozed=snoozed)

    def currency_warning(self) -> str | None:
        """Set when some won revenue is in a currency the playbook has no rate for."""
        from revdesk.db.accounts.facts import unrated_warning

        return unrated_warning(self._conn, self.playbook.currency)

    def user_names(self) -> dict[int, str]:
        return dict(self._conn.execute("SELECT id, handle FROM users").fetchall())

    def best_contact(self, account_id: int) -> int | None:
        from revdesk.db.dormancy.picks import best_contact

        return best_contact(self._conn, account_id)

    def revival(self, months: list[tuple[str, datetime, datetime]]) -> list[RevivalRow]:
        from revdesk.db.dormancy.revival import revival_by_month

        return revival_by_month(self._conn, self.playbook, months)

    # -- writes ----------------------------------------------------------------------------------------------
    def assign_dormant(self, handles: list[str], account_ids: list[int] | None = None,
                       limit: int | None = None) -> Assigned:
        from revdesk.db.dormancy.actions import assign_dormant

        ids = {handle: user_id for user_id, handle in self.user_names().items()}
        unknown = [h for h in handles if h not in ids]
        if unknown:
            raise InvalidInput("to", f"no user {', '.join(map(repr, unknown))} (see `revdesk users`)")
        playbook, me, now, to = self.playbook, self.me, self.now(), [ids[h] for h in handles]
        return self._write(lambda conn: assign_dormant(conn, playbook, me, to, now, account_ids=account_ids,
                                                       limit=limit))

    def snooze_dormant(self, account_id: int, days: int, reason: str) -> datetime:
        from revdesk.db.dormancy.actions import snooze_dormant

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: snooze_dormant(conn, playbook, me, account_id, days, reason, now))

    def enroll_dormant(self, account_id: int, contact_id: int | None = None) -> tuple[Enrolled, str]:
        """Enroll the account's contact (default: the best one to call) in the playbook's re-engagement
        sequence, its steps in the account owner's queue (mine when nobody owns it)."""
        from revdesk.db.common.users import user_by_id
        from revdesk.db.sequences.definitions import get_sequence
        from revdesk.db.sequences.enrollments import enroll

        conn, me = self._conn, self.me
        account = conn.execute("SELECT owner_id FROM accounts WHERE id = ?", (account_id,)).fetchone()
        if account is None:
            raise NotFound("account", account_id)
        if contact_id is None:
            contact_id = self.best_contact(account_id)
            if contact_id is None:
                raise InvalidInput("contact", "nobody at the account may be contacted")
        elif conn.execute("SELECT 1 FROM contacts WHERE id = ? AND account_id = ?",
                          (contact_id, account_id)).fetchone() is None:
            raise InvalidInput("contact", f"{contact_id} is not a contact of account {account_id}")
        key = self.playbook.dormancy.sequence
        name = get_sequence(conn, key).sequence.name
        owner = user_by_id(conn, account["owner_id"]) if account["owner_id"] else me
        chosen, now = contact_id, self.now()
        return self._write(lambda write: enroll(write, me, key, [chosen], now, owner)), name
