"""Command palette providers for records: type a name to open call mode on any contact of yours or others,
or a company name or domain to open its Account 360 view."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import Hit, Hits, Provider


class ContactsProvider(Provider):
    async def search(self, query: str) -> Hits:
        if len(query.strip()) < 2:
            return
        bench = self.app.workbench  # type: ignore[attr-defined]
        rows = await asyncio.to_thread(bench.search_contacts, query.strip(), 30)
        matcher = self.matcher(query)
        for row in rows:
            label = f"{row.name} — {row.account_name or 'no account'}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._open, row.contact_id),
                          help=f"Contact · {row.title or ''}")

    def _open(self, contact_id: int) -> None:
        from revdesk.tui.navigation import CallContact

        self.app.post_message(CallContact(contact_id))


class AccountsProvider(Provider):
    async def search(self, query: str) -> Hits:
        if len(query.strip()) < 2:
            return
        bench = self.app.workbench  # type: ignore[attr-defined]
        rows = await asyncio.to_thread(bench.search_accounts, query.strip(), 30)
        matcher = self.matcher(query)
        for row in rows:
            label = f"{row.name} — {row.domain}" if row.domain else row.name
            score = matcher.match(label)
            if score > 0:
                where = " · ".join(p for p in (row.industry, row.country) if p)
                yield Hit(score, matcher.highlight(label), partial(self._open, row.account_id),
                          help=f"Account 360 · {where}" if where else "Account 360")

    def _open(self, account_id: int) -> None:
        from revdesk.tui.navigation import OpenAccount

        self.app.post_message(OpenAccount(account_id))
