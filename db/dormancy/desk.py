"""The dormancy desk: one person's (or nobody in particular's) way into dormant accounts, shared by the CLI and
the dormant screen so both apply the same definition, scopes and services."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import InvalidInput, NotFound
from revdesk.core.common.models import User
from revdesk.core.dormancy.definition import DormantAccount, RevivalRow
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.connection import Store
from revdesk.db.playbook.stored import current_playbook

if TYPE_CHECKING:
    from revdesk.db.dormancy.actions import Assigned
    from revdesk.db.sequences.enrollments import Enrolled

ListScope = Literal["mine", "unowned", "all"]


def _system_now() -> datetime:
    from revdesk.db.workbench import system_clock

    return system_clock()


class DormantDesk:
    def __init__(self, store: Store, user: User | None, clock=_system_now) -> None:
        self.store, self.user, self.clock = store, user, clock

    @classmethod
    def for_handle(cls, store: Store, handle: str | None) -> DormantDesk:
        from revdesk.db.common.users import user_by_handle

        return cls(store, user_by_handle(store.conn, handle) if handle else None)

    @cached_property
    def playbook(self) -> Playbook:
        return current_playbook(self.store.conn)

    @property
    def tz(self) -> ZoneInfo:
        if self.user is not None:
            return ZoneInfo(self.user.timezone)
        from revdesk.db.workbench import local_zone

        return local_zone()

    def now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def _me(self) -> User:
        if self.user is None:
            raise InvalidInput("as", "say who you are, e.g. --as HANDLE (see `revdesk users`)")
        return self.user

    def dormant(self, scope: ListScope = "mine", snoozed: bool = False) -> list[DormantAccount]:
        from revdesk.db.dormancy.queries import dormant_accounts

        owner = self._me().id if scope == "mine" else scope
        return dormant_accounts(self.store.conn, self.playbook, self.now(), owner, snoozed=snoozed)

    def count(self, scope: ListScope = "all", snoozed: bool = True) -> int:
        from revdesk.db.dormancy.queries import dormant_count

        owner = self._me().id if scope == "mine" else scope
        return dormant_count(self.store.conn, self.playbook, self.now(), owner, snoozed=snoozed)

    def currency_warning(self) -> str | None:
        """Set when some won revenue is in a currency the playbook has no rate for."""
        from revdesk.db.accounts.facts import unrated_warning

        return unrated_warning(self.store.conn, self.playbook.currency)

    def user_names(self) -> dict[int, str]:
        return dict(self.store.conn.execute("SELECT id, handle FROM users").fetchall())

    def assign(self, handles: list[str], account_ids: list[int] | None = None,
               limit: int | None = None) -> Assigned:
        from revdesk.db.dormancy.actions import assign_dormant

        ids = {handle: user_id for user_id, handle in self.user_names().items()}
        unknown = [h for h in handles if h not in ids]
        if unknown:
            raise InvalidInput("to", f"no user {', '.join(map(repr, unknown))} (see `revdesk users`)")
        return assign_dormant(self.store.conn, self.playbook, self._me(), [ids[h] for h in handles], self.now(),
                              account_ids=account_ids, limit=limit)

    def snooze(self, account_id: int, days: int, reason: str) -> datetime:
        from revdesk.db.dormancy.actions import snooze_dormant

        return snooze_dormant(self.store.conn, self.playbook, self._me(), account_id, days, reason, self.now())

    def best_contact(self, account_id: int) -> int | None:
        from revdesk.db.dormancy.picks import best_contact

        return best_contact(self.store.conn, account_id)

    def enroll(self, account_id: int, contact_id: int | None = None) -> tuple[Enrolled, str]:
        """Enroll the account's contact (default: the best one to call) in the playbook's re-engagement
        sequence, its steps in the account owner's queue (mine when nobody owns it)."""
        from revdesk.db.common.users import user_by_id
        from revdesk.db.sequences.definitions import get_sequence
        from revdesk.db.sequences.enrollments import enroll

        conn, me = self.store.conn, self._me()
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
        return enroll(conn, me, key, [contact_id], self.now(), owner), name

    def revival(self, months: list[tuple[str, datetime, datetime]]) -> list[RevivalRow]:
        from revdesk.db.dormancy.revival import revival_by_month

        return revival_by_month(self.store.conn, self.playbook, months)
