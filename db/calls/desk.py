"""The calls room of the workbench: the queue, call mode's context, logging outcomes and notes, follow-ups, undo,
scores and the palette's searches."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from revdesk.core.calls.queue import rank_queue
from revdesk.core.common.models import CallContext, QueueItem
from revdesk.core.common.when import day_bounds
from revdesk.db.calls import queue
from revdesk.db.common import records
from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.core.calls.scoring import Score
    from revdesk.db.calls.services import Logged
    from revdesk.db.calls.undo import Undone
    from revdesk.db.common.search import AccountHit, ContactHit


class CallsDesk(Desk):
    def as_of(self, day: date | None) -> datetime:
        """The moment the queue is computed for: now for today, else the end of that day."""
        from datetime import timedelta

        now = self.now()
        if day is None or day == now.date():
            return now
        return day_bounds(day, self.tz)[1] - timedelta(seconds=1)

    def queue(self, day: date | None = None) -> list[QueueItem]:
        from revdesk.db.dormancy.picks import pick_for_day, picked, todays_dormant

        me, moment = self.me, self.as_of(day)
        _, end = day_bounds(moment.date(), self.tz)
        stages = self.playbook.stages
        candidates = queue.queue_candidates(self._conn, me.id, moment, end, self.playbook.sla, stages)
        if moment.date() == self.today():  # dormant accounts are picked a day at a time, for today only
            start = day_bounds(moment.date(), self.tz)[0]
            if not picked(self._conn, me, moment.date()):  # once a day, a write through the writer
                playbook = self.playbook
                self._write(lambda conn: pick_for_day(conn, playbook, me, moment.date(), moment))
            candidates += todays_dormant(self._conn, self.playbook, me, moment.date(), moment, start)
        return rank_queue(candidates, moment, self.playbook.sla, self.tz, stages)

    def steps_due_count(self) -> int:
        """Sequence steps of mine due by the end of today (the queue lists the soonest of them)."""
        _, end = day_bounds(self.today(), self.tz)
        return queue.steps_due_count(self._conn, self.me.id, end)

    def adhoc_item(self, ctx: CallContext) -> QueueItem:
        """A contact opened from search rather than from the queue."""
        return QueueItem(
            kind="lookup", reason="Opened from search", due_at=self.now(), urgency=9, contact_id=ctx.contact.id,
            contact_name=ctx.contact.name, contact_title=ctx.contact.title, account_id=ctx.contact.account_id,
            account_name=ctx.account.name if ctx.account else None, contact_timezone=ctx.contact.timezone,
        )

    def call_context(self, contact_id: int) -> CallContext:
        from revdesk.db.calls.scoring import contact_score

        ctx = records.call_context(self._conn, contact_id, self.now())
        return ctx._replace(score=contact_score(self._conn, self.playbook, contact_id, self.now()))

    def score(self, contact_id: int) -> Score:
        from revdesk.db.calls.scoring import contact_score

        return contact_score(self._conn, self.playbook, contact_id, self.now())

    def search_contacts(self, query: str, limit: int = 30) -> list[ContactHit]:
        from revdesk.db.common.search import search_contacts

        return search_contacts(self._conn, query, limit)

    def search_accounts(self, query: str, limit: int = 30) -> list[AccountHit]:
        from revdesk.db.common.search import search_accounts

        return search_accounts(self._conn, query, limit)

    # -- writes ----------------------------------------------------------------------------------------------
    def log_call(self, contact_id: int, outcome: str, task_id: int | None = None,
                 note: str | None = None) -> Logged:
        return self.log_activity(contact_id, "call", outcome, note=note, task_id=task_id)

    def add_note(self, contact_id: int, text: str) -> Logged:
        return self.log_activity(contact_id, "note", None, note=text)

    def log_activity(self, contact_id: int, kind: str, outcome: str | None, at: datetime | None = None,
                     note: str | None = None, task_id: int | None = None) -> Logged:
        """An activity of any kind (a call with its outcome, an email, a note...) at `at` (default now)."""
        from revdesk.db.calls import services as calls

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: calls.log_activity(conn, playbook, me, contact_id, kind, outcome, now,
                                                           at=at, note=note, task_id=task_id))

    def follow_up(self, contact_id: int, when: str, note: str | None = None) -> tuple[int, datetime]:
        from revdesk.db.calls import services as calls

        me, now = self.me, self.now()
        return self._write(lambda conn: calls.schedule_follow_up(conn, me, contact_id, when, now, note))

    def undo(self) -> Undone:
        from revdesk.db.calls import undo

        me, now, playbook = self.me, self.now(), self.playbook
        return self._write(lambda conn: undo.undo_last(conn, me, now, playbook))
