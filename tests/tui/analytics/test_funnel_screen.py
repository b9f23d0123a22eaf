"""The Funnel & deals screen driven with Pilot: F opens it on the current month (November 2026 for maya, in
Berlin), b shows one funnel row per lead source, g cycles the deal grouping, [ and ] step through the months,
q and m switch between quarter and month; the figures are those of core.analytics.deals and core.analytics.funnel."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from revdesk.tui.analytics.funnel import FunnelScreen, period_title
from revdesk.tui.app import build_app
from tests.deal_factories import add_contact, add_deal
from tests.factories import fixed_clock
from tests.tui.helpers import settle


@pytest.fixture
def sales(store):
    """tom won 6,000 on Nov 10 and lost one on Nov 12, both in November; won 2,000 in October (product Add-on);
    a November contact from a webinar went lead → mql in a day."""
    add_deal(store, owner_id=2, stage="closed_won", amount=6_000, won=1, created="2026-11-01 10:00",
             closed="2026-11-10 12:00", product="Core",
             history=[(None, "discovery", "2026-11-01 10:00"), ("discovery", "closed_won", "2026-11-10 12:00")])
    add_deal(store, owner_id=2, stage="closed_lost", amount=3_000, won=0, created="2026-10-01 00:00",
             closed="2026-11-12 08:00")
    add_deal(store, owner_id=2, stage="closed_won", amount=2_000, won=1, created="2026-10-01 00:00",
             closed="2026-10-15 08:00", product="Add-on")
    add_contact(store, created="2026-11-03 09:00", stage="mql", source="Webinar",
                history=[(None, "lead", "2026-11-03 09:00"), ("lead", "mql", "2026-11-04 09:00")])
    return store


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_funnel_and_deal_figures_with_their_toggles(sales):
    app = build_app(sales, "maya", clock=fixed_clock)
    async with app.run_test(size=(170, 60)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FunnelScreen)
        assert "November 2026" in str(screen.query_one("#funnel-title", Static).render())
        funnel = _rows(screen.query_one("#funnel", DataTable))
        # Cohort: the webinar contact plus make_store's Dana and Sam (created as MQLs today: never leads).
        assert funnel[0] == ["lead → mql", "1", "1", "100%", "1.0", "1"]
        deals = _rows(screen.query_one("#deals", DataTable))
        assert deals[0][:5] == ["Tom Reyes", "1", "1", "50%", "€6,000"] and deals[-1][0] == "(all)"
        stages = {r[0]: r for r in _rows(screen.query_one("#stages", DataTable))}
        assert stages["Discovery"][1:3] == ["1", "9.1"]  # Nov 1 10:00 → Nov 10 12:00

        await pilot.press("b")
        by_source = _rows(screen.query_one("#funnel", DataTable))
        assert [r[0] for r in by_source] == ["Content download", "Webinar", "Website demo request", "(all)"]
        assert by_source[1][1:3] == ["1", "100% · 1.0 d"]

        await pilot.press("g")
        assert _rows(screen.query_one("#deals", DataTable))[0][0] == "North"
        await pilot.press("g", "g")
        assert _rows(screen.query_one("#deals", DataTable))[0][0] == "(none)"  # by source

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "October 2026" in str(screen.query_one("#funnel-title", Static).render())
        assert _rows(screen.query_one("#deals", DataTable))[0][:2] == ["(none)", "1"]
        await pilot.press("q")
        await settle(pilot)
        assert "Q4 2026" in str(screen.query_one("#funnel-title", Static).render())
        total = _rows(screen.query_one("#deals", DataTable))[-1]
        assert total[:5] == ["(all)", "2", "1", "67%", "€8,000"]
        await pilot.press("right_square_bracket", "m")
        await settle(pilot)
        assert "January 2027" in str(screen.query_one("#funnel-title", Static).render())
        assert _rows(screen.query_one("#funnel", DataTable))[-1][1] == "0"  # an empty period: zeros
        await pilot.press("escape")
        assert not isinstance(app.screen, FunnelScreen)


def test_period_titles():
    from datetime import datetime

    assert period_title("month", datetime(2026, 11, 1)) == "November 2026"
    assert period_title("quarter", datetime(2026, 10, 1)) == "Q4 2026"
