"""The accounts room of the workbench: the account 360 view, accounts that may be one company, and merging them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.core.accounts.view import AccountView
    from revdesk.db.accounts.merge import DuplicatePair, MergeResult


class AccountsDesk(Desk):
    def account_view(self, account_id: int, timeline_limit: int = 60) -> AccountView:
        """The account's 360 view; raises NotFound for an unknown account."""
        from revdesk.db.accounts.view import account_view

        return account_view(self._conn, account_id, self.now(), timeline_limit, self.playbook)

    def duplicate_accounts(self, threshold: float | None = None) -> list[DuplicatePair]:
        from revdesk.db.accounts.merge import duplicate_accounts

        return duplicate_accounts(self._conn, threshold)

    def merge_accounts(self, keep_id: int, other_id: int, dry_run: bool = False) -> MergeResult:
        """Merge account `other_id` into `keep_id`; a dry run writes nothing."""
        from revdesk.db.accounts.merge import merge_accounts

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: merge_accounts(conn, playbook, me, keep_id, other_id, now,
                                                       dry_run=dry_run))
