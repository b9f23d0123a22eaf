"""The leak report screen driven with Pilot on a real database (tests/leak_factories.seed_leaks): L opens it, every
figure shows (zeros too), enter drills down to a figure's records and on into Account 360 or the handoff review,
a figure of 0 shows an empty-state line; m and q pick a month or a quarter, [ and ] the one before or after."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from revdesk.core.analytics.leaks import Figure, RecordRef
from revdesk.tui.accounts.account_360 import AccountScreen
from revdesk.tui.analytics.leak_records import ROW_LIMIT, LeakRecordsScreen
from revdesk.tui.analytics.leaks import LeaksScreen
from revdesk.tui.app import build_app
from revdesk.tui.handoffs.review import HandoffReviewScreen
from tests.factories import fixed_clock
from tests.leak_factories import seed_leaks
from tests.tui.helpers import settle

SIZE = (150, 50)


@pytest.fixture
def seeded(store):
    return store, seed_leaks(store)


def cells(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def open_leaks(pilot) -> LeaksScreen:
    await settle(pilot)
    await pilot.press("L")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LeaksScreen) and screen.report is not None
    return screen


async def drill(pilot, screen: LeaksScreen, key: str) -> LeakRecordsScreen:
    """Put the cursor on the figure `key` and press enter."""
    row = next(i for i, (_, figure) in enumerate(screen.rows) if figure is not None and figure.key == key)
    screen.query_one("#leaks", DataTable).move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)
    records = pilot.app.screen
    assert isinstance(records, LeakRecordsScreen)
    return records


async def test_L_shows_every_figure_and_drills_down_to_records_and_into_account_360(seeded):
    store, made = seeded
    app = build_app(store, "alex", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_leaks(pilot)
        rows = {row[0].strip(): row[1:] for row in cells(screen.query_one("#leaks", DataTable))}
        assert rows["MQLs disqualified by sales"] == ["1", ""]
        assert rows["rejected: Not a fit for us"] == ["2", ""]
        assert rows["rejected: Not the right person"] == ["0", ""]  # an honest zero
        assert rows["Open deals with incomplete handoff context"] == ["1", "5,000 EUR"]
        assert rows["held by Ana Lima"] == ["1", "40,000 EUR"]
        assert rows["Customers with no touch for 365 days (the dormancy period)"] == ["2", "42,000 EUR"]
        assert rows["MQLs with no touch within the first-touch SLA"] == ["2", ""]
        assert any(key.startswith("Qualification alignment") for key in rows)  # the section headings
        assert "01 Oct – 31 Dec 2026" in str(screen.query_one("#leaks-title", Static).render())

        records = await drill(pilot, screen, "dormant.365d")
        table = records.query_one("#leak-records", DataTable)
        assert [row[:3] for row in cells(table)] == [["account", "Old", "30,000"], ["account", "Year", "12,000"]]
        assert "Dormant visibility › Customers with no touch for 365 days" in str(
            records.query_one("#leak-records-title", Static).render())
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.account_id == made["year"]

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        records = await drill(pilot, screen, "continuity.incomplete")  # a deal opens its account
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.account_id == 1


async def test_a_zero_figure_says_so_and_a_handoff_opens_its_review(seeded):
    store, made = seeded
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_leaks(pilot)
        records = await drill(pilot, screen, "alignment.rejected.not_decision_maker")
        empty = records.query_one("#leak-records-empty", Static)
        assert empty.display and "Nothing here" in str(empty.render())
        assert not records.query_one("#leak-records", DataTable).display
        await pilot.press("enter")  # nothing to open: a notice, the screen stays
        await settle(pilot)
        assert app.screen is records
        await pilot.press("escape")
        await settle(pilot)

        records = await drill(pilot, screen, "accountability.pending_past_sla")
        assert cells(records.query_one("#leak-records", DataTable))[0][:2] == ["handoff", "Dana Brooks · Harbor Health"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoffReviewScreen) and app.screen.handoff_id == made["pending_late"]


async def test_m_q_and_brackets_move_between_periods_and_a_section_heading_opens_nothing(seeded):
    store, made = seeded
    app = build_app(store, "alex", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_leaks(pilot)
        screen.query_one("#leaks", DataTable).move_cursor(row=0)  # "Qualification alignment"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen

        def title() -> str:
            return str(screen.query_one("#leaks-title", Static).render())

        await pilot.press("m")
        await settle(pilot)
        assert screen.report is not None and screen.report.period == "month"
        assert "01 Nov – 30 Nov 2026" in title() and "stalled deals: 01 Jul – 30 Sep 2026" in title()
        assert screen.report.figure("alignment.rejected").count == 3  # all three fell in November
        await pilot.press("]")  # nothing after the current month yet
        await settle(pilot)
        assert "01 Nov – 30 Nov 2026" in title()
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert "01 Sep – 30 Sep 2026" in title() and screen.report.period == "month"
        # September's stalled deals are the second quarter's: Stuck stalled in August, in the third.
        assert [r.id for r in screen.report.figure("accountability.stalled").records] == []
        await pilot.press("q")
        await settle(pilot)
        assert "01 Jul – 30 Sep 2026" in title() and screen.report.period == "quarter"
        assert app.is_running  # q here picks the quarter, it does not quit


async def test_a_long_figure_lists_its_first_thousand_records_and_says_where_the_rest_are(store):
    records = tuple(RecordRef("contact", i, f"Lead {i}", "An MQL for 3 days, untouched", 1) for i in range(1, 1006))
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(LeakRecordsScreen("Limbo leads", Figure("limbo.mql", "MQLs", records), "EUR"))
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#leak-records", DataTable).row_count == ROW_LIMIT == 1_000
        assert "Showing the first 1,000; `revdesk leaks --json` lists all 1,005." in str(
            screen.query_one("#leak-records-title", Static).render())
