"""The analytics room of the workbench: KPIs, the dashboard, the funnel, deal figures and revenue leaks, for me,
my team, everyone or one person."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from revdesk.core.common.models import User
from revdesk.db.common import users
from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.core.analytics.dashboard import Dashboard
    from revdesk.core.analytics.deals import DealFigures, DealRow, Grouping, StageReport
    from revdesk.core.analytics.funnel import FunnelReport
    from revdesk.core.analytics.kpi import KpiReport
    from revdesk.core.analytics.leaks import LeakReport
    from revdesk.core.playbook.model import Period


class AnalyticsDesk(Desk):
    def people(self, scope: str) -> tuple[str, list[User]]:
        """Whose figures: "me", "team" (my team), "everyone", or one person's handle; (label, members)."""
        if scope == "me":
            return self.me.handle, [self.me]
        if scope == "team":
            return f"team:{self.me.team}", users.team_members(self._conn, self.me.team)
        if scope == "everyone":
            return "team:all", users.list_users(self._conn)
        return scope, [users.user_by_handle(self._conn, scope)]

    def kpi(self, period: Period = "day", day: date | None = None, team: bool = False) -> KpiReport:
        return self.scope_kpi("team" if team else "me", period, day)

    def scope_kpi(self, scope: str, period: Period = "day", day: date | None = None) -> KpiReport:
        """The KPIs of `scope` (see people) for the period containing `day` (default today)."""
        from revdesk.db.analytics.kpi import kpi_for

        label, members = self.people(scope)
        return kpi_for(self.store, self.playbook, label, members, period, day or self.today(), self.tz)

    def dashboard(self, scope: str = "me", period: Period = "month", day: date | None = None) -> Dashboard:
        """The KPI dashboard (the period's KPIs, the trend, activity per lead stage) of `scope` (see people)."""
        from revdesk.db.analytics.dashboard import dashboard

        label, members = self.people(scope)
        return dashboard(self.store, self.playbook, label, members, period, day or self.today(), self.tz)

    def leak_report(self, period: Period, day: date) -> LeakReport:
        """The four leak questions for the period containing `day`, as of now."""
        from revdesk.db.analytics.leaks import leak_report

        return leak_report(self._conn, self.playbook, period, day, self.now(), self.tz)

    def funnel(self, start: datetime, end: datetime) -> FunnelReport:
        """Lifecycle conversion and timing of the contacts created in [start, end)."""
        from revdesk.db.analytics.funnel import funnel_for

        return funnel_for(self._conn, start, end)

    def deal_figures(self, start: datetime, end: datetime) -> DealFigures:
        """Every grouping, the total and the stage report for [start, end), from one read (the funnel screen)."""
        from revdesk.db.analytics.deals import all_deal_figures

        return all_deal_figures(self._conn, self.playbook, start, end, self.now())

    def deal_rows(self, by: Grouping, start: datetime, end: datetime) -> tuple[list[DealRow], DealRow]:
        from revdesk.db.analytics.deals import deal_rows

        return deal_rows(self._conn, self.playbook, by, start, end)

    def deal_stage_report(self, start: datetime, end: datetime) -> StageReport:
        from revdesk.db.analytics.deals import deal_stage_report

        return deal_stage_report(self._conn, self.playbook, start, end, self.now())
