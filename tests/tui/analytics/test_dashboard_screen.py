"""The KPI dashboard driven with Pilot: K opens it; the rows are the workbench's figures; s, u, the period keys,
[ and ] change whose figures and which period; t charts the next metric; esc goes back."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Static

from revdesk.tui.analytics.kpi_dashboard import DashboardScreen, progress_bar, shift
from revdesk.tui.app import build_app
from revdesk.tui.dialogs.rep_picker import RepPicker
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import settle

SIZE = (150, 45)


def _cells(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def _open(pilot) -> DashboardScreen:
    await settle(pilot)
    await pilot.press("K")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


async def test_k_shows_my_month_against_targets_and_keys_change_scope_and_period(maya):
    maya.log_call(1, "connected")
    app = build_app(maya.store, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        expected = maya.dashboard("me", "month")
        rows = _cells(screen.query_one("#dash-targets", DataTable))
        assert rows[0][:3] == ["Calls", "1", "1,260"]  # 60 a day over November's 21 working days
        assert len(rows) == len(expected.report.metrics)
        assert "Maya Koch (1 person)" in str(screen.query_one("#dash-title", Static).render())
        stages = _cells(screen.query_one("#dash-stages", DataTable))
        assert [r[0] for r in stages] == ["new", "attempting", "connected", "qualified", "disqualified", "(unknown)"]
        await pilot.press("s")
        await settle(pilot)
        assert screen.scope == "team" and "Team: North (3 people)" in str(
            screen.query_one("#dash-title", Static).render())
        await pilot.press("w")
        await settle(pilot)
        assert screen.period == "week" and screen.loaded.report.period == "week"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.loaded.report.start.date() == date(2026, 11, 16)
        assert _cells(screen.query_one("#dash-targets", DataTable))[0][1] == "0"  # nothing logged last week
        await pilot.press("t")
        assert screen.trend_metric == "connects"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DashboardScreen)


async def test_u_picks_one_rep(maya):
    app = build_app(maya.store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, RepPicker)
        await pilot.press(*"ines")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.scope == "ines"
        assert screen.loaded.report.scope == "ines"
        assert "ines" in str(screen.query_one("#dash-title", Static).render())


def test_the_bar_and_the_period_steps():
    from revdesk.core.analytics.kpi import MetricValue

    assert str(progress_bar(MetricValue(5, 10))) == "█" * 10 + "░" * 10 + " 50%"
    assert str(progress_bar(MetricValue(30, 10))) == "█" * 20 + " 300%"
    assert str(progress_bar(MetricValue(3, None))) == "no target"
    assert shift(NOW.date(), "month", -1) == date(2026, 10, 1)
    assert shift(NOW.date(), "quarter", 1) == date(2027, 2, 1)
    assert shift(date(2026, 1, 31), "month", -1) == date(2025, 12, 1)
