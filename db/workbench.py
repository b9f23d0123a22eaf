"""The workbench: one user's view of one database, composing db/ queries with core/ rules. The CLI and the
TUI both work through it, so every screen and command applies the same definitions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from revdesk.core.analytics.kpi import KpiReport, build_kpi
from revdesk.core.analytics.metrics import period_bounds
from revdesk.core.calls.queue import rank_queue
from revdesk.core.common.models import CallContext, QueueItem, User
from revdesk.core.common.when import day_bounds
from revdesk.core.playbook.model import Period, Playbook
from revdesk.db.analytics import kpi
from revdesk.db.calls import queue
from revdesk.db.common import records, users
from revdesk.db.common.connection import Store
from revdesk.db.dormancy.picks import todays_dormant
from revdesk.db.playbook.stored import current_playbook

if TYPE_CHECKING:  # the write path loads on first use, keeping start-up lean
    from revdesk.core.analytics.dashboard import Dashboard
    from revdesk.core.calls.scoring import Score
    from revdesk.db.calls.services import Logged
    from revdesk.db.calls.undo import Undone
    from revdesk.db.handoffs.drafts import HandoffDraft
    from revdesk.db.handoffs.services import HandoffResult
    from revdesk.db.pipeline.stage_moves import Moved
    from revdesk.db.sequences.enrollments import Enrolled
    from revdesk.db.sequences.steps import EmailDraft

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """This computer's timezone, with its daylight-saving rules (not just today's offset): the one to read
    dates in when nobody in particular is acting."""
    from tzlocal import get_localzone

    zone = get_localzone()
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))


class Workbench:
    def __init__(self, store: Store, user: User, clock: Clock = system_clock) -> None:
        self.store = store
        self.user = user
        self.clock = clock

    @classmethod
    def open(cls, store: Store, handle: str, clock: Clock = system_clock) -> Workbench:
        return cls(store, users.user_by_handle(store.conn, handle), clock)

    @cached_property
    def playbook(self) -> Playbook:
        return current_playbook(self.store.conn)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.user.timezone)

    def now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def as_of(self, day: date | None) -> datetime:
        """The moment the queue is computed for: now for today, else the end of that day."""
        now = self.now()
        if day is None or day == now.date():
            return now
        return day_bounds(day, self.tz)[1] - timedelta(seconds=1)

    def queue(self, day: date | None = None) -> list[QueueItem]:
        moment = self.as_of(day)
        _, end = day_bounds(moment.date(), self.tz)
        stages = self.playbook.stages
        candidates = queue.queue_candidates(self.store.conn, self.user.id, moment, end, self.playbook.sla, stages)
        if moment.date() == self.today():  # dormant accounts are picked a day at a time, for today only
            start = day_bounds(moment.date(), self.tz)[0]
            candidates += todays_dormant(self.store.conn, self.playbook, self.user, moment.date(), moment, start)
        return rank_queue(candidates, moment, self.playbook.sla, self.tz, stages)

    def steps_due_count(self) -> int:
        """Sequence steps of mine due by the end of today (the queue lists the soonest of them)."""
        _, end = day_bounds(self.today(), self.tz)
        return queue.steps_due_count(self.store.conn, self.user.id, end)

    def kpi(self, period: Period = "day", day: date | None = None, team: bool = False) -> KpiReport:
        day = day or self.today()
        members = users.team_members(self.store.conn, self.user.team) if team else [self.user]
        scope = f"team:{self.user.team}" if team else self.user.handle
        return kpi_for(self.store, self.playbook, scope, members, period, day, self.tz)

    def people(self, scope: str) -> tuple[str, list[User]]:
        """Whose figures: "me", "team" (my team), "everyone", or one person's handle; (label, members)."""
        if scope == "me":
            return self.user.handle, [self.user]
        if scope == "team":
            return f"team:{self.user.team}", users.team_members(self.store.conn, self.user.team)
        if scope == "everyone":
            return "team:all", users.list_users(self.store.conn)
        return scope, [users.user_by_handle(self.store.conn, scope)]

    def dashboard(self, scope: str = "me", period: Period = "month", day: date | None = None) -> Dashboard:
        """The KPI dashboard (the period's KPIs, the trend, activity per lead stage) of `scope` (see people)."""
        from revdesk.db.analytics.dashboard import dashboard

        label, members = self.people(scope)
        return dashboard(self.store, self.playbook, label, members, period, day or self.today(), self.tz)

    def adhoc_item(self, ctx: CallContext) -> QueueItem:
        """A contact opened from search rather than from the queue."""
        return QueueItem(
            kind="lookup", reason="Opened from search", due_at=self.now(), urgency=9, contact_id=ctx.contact.id,
            contact_name=ctx.contact.name, contact_title=ctx.contact.title, account_id=ctx.contact.account_id,
            account_name=ctx.account.name if ctx.account else None, contact_timezone=ctx.contact.timezone,
        )

    def call_context(self, contact_id: int) -> CallContext:
        from revdesk.db.calls.scoring import contact_score

        ctx = records.call_context(self.store.conn, contact_id, self.now())
        return ctx._replace(score=contact_score(self.store.conn, self.playbook, contact_id, self.now()))

    def log_call(self, contact_id: int, outcome: str, task_id: int | None = None,
                 note: str | None = None) -> Logged:
        from revdesk.db.calls import services as calls

        return calls.log_activity(self.store.conn, self.playbook, self.user, contact_id, "call", outcome,
                                  self.now(), note=note, task_id=task_id)

    def add_note(self, contact_id: int, text: str) -> Logged:
        from revdesk.db.calls import services as calls

        return calls.log_activity(self.store.conn, self.playbook, self.user, contact_id, "note", None,
                                  self.now(), note=text)

    def follow_up(self, contact_id: int, when: str, note: str | None = None) -> tuple[int, datetime]:
        from revdesk.db.calls import services as calls

        return calls.schedule_follow_up(self.store.conn, self.user, contact_id, when, self.now(), note)

    # -- sequences -----------------------------------------------------------------------------------
    def enroll(self, key: str, contact_ids: list[int], owner: User | None = None) -> Enrolled:
        from revdesk.db.sequences.enrollments import enroll

        return enroll(self.store.conn, self.user, key, contact_ids, self.now(), owner)

    def change_enrollment(self, enrollment_id: int, action: str) -> None:
        from revdesk.db.sequences.enrollments import change_status

        change_status(self.store.conn, self.user, enrollment_id, action, self.now())

    def email_draft(self, task_id: int) -> EmailDraft:
        from revdesk.db.sequences.steps import email_draft

        return email_draft(self.store.conn, self.user, task_id, self.now())

    def send_email_step(self, task_id: int) -> Logged:
        from revdesk.db.sequences.steps import send_email_step

        return send_email_step(self.store.conn, self.playbook, self.user, task_id, self.now())

    def complete_step(self, task_id: int) -> Logged | int:
        from revdesk.db.sequences.steps import complete_step

        return complete_step(self.store.conn, self.playbook, self.user, task_id, self.now())

    def skip_step(self, task_id: int) -> int:
        from revdesk.db.sequences.enrollments import skip_step

        return skip_step(self.store.conn, self.user, task_id, self.now())

    def warm_up_sequences(self) -> None:
        """Load the scheduling libraries and holidays before the first step is worked (from a worker)."""
        from revdesk.db.sequences.enrollments import warm_up

        warm_up(self.store.conn, self.user.id, self.today())

    def tick_sequences(self) -> dict[str, int]:
        """Due sequence steps become tasks; safe to run any time (see db.sequences.enrollments.tick)."""
        from revdesk.db.sequences.enrollments import tick

        return tick(self.store.conn, self.clock())

    def undo(self) -> Undone:
        from revdesk.db.calls import undo

        return undo.undo_last(self.store.conn, self.user, self.now(), self.playbook)

    # -- qualification, handoffs and the pipeline -----------------------------------------------------
    def score(self, contact_id: int) -> Score:
        from revdesk.db.calls.scoring import contact_score

        return contact_score(self.store.conn, self.playbook, contact_id, self.now())

    def handoff_draft(self, kind: str, contact_id: int | None = None, deal_id: int | None = None) -> HandoffDraft:
        from revdesk.db.handoffs.drafts import handoff_draft

        return handoff_draft(self.store.conn, self.playbook, kind, self.now(), contact_id=contact_id,
                             deal_id=deal_id, team=self.user.team)

    def send_handoff(self, kind: str, to_user_id: int | None, context: dict[str, object],
                     contact_id: int | None = None, deal_id: int | None = None) -> HandoffResult:
        from revdesk.db.handoffs import services as handoffs

        return handoffs.send_handoff(self.store.conn, self.playbook, self.user, kind, to_user_id, context,
                                     self.now(), contact_id=contact_id, deal_id=deal_id)

    def accept_handoff(self, handoff_id: int) -> HandoffResult:
        from revdesk.db.handoffs import services as handoffs

        return handoffs.accept_handoff(self.store.conn, self.playbook, self.user, handoff_id, self.now())

    def reject_handoff(self, handoff_id: int, reason: str, note: str) -> HandoffResult:
        from revdesk.db.handoffs import services as handoffs

        return handoffs.reject_handoff(self.store.conn, self.playbook, self.user, handoff_id, reason, note,
                                       self.now())

    def move_deal(self, deal_id: int, stage: str, fields: dict[str, str]) -> Moved:
        from revdesk.db.pipeline import stage_moves as deals

        return deals.move_deal(self.store.conn, self.playbook, self.user, deal_id, stage, fields, self.now())


def kpi_for(store: Store, playbook: Playbook, scope: str, members: list[User], period: Period, day: date,
            tz: ZoneInfo) -> KpiReport:
    start, end = period_bounds(period, day, tz)
    ids = [m.id for m in members]
    counts = kpi.activity_counts(store.conn, ids, start, end)
    from revdesk.db.dormancy.revival import revival_figures

    return build_kpi(playbook, scope, members, counts, period, day, start, end,
                     kpi.handoff_counts(store.conn, ids, start, end), revival_figures(store.conn, playbook, start, end),
                     kpi.deal_counts(store.conn, ids, start, end, playbook))
