"""Nothing a user needs is cut off: the real app on tests/tui/screen_data.py at 80x24, 120x36 and 160x48, read
as text off the screen. Numbers, ids, decisions and dates appear whole; names shorten first; columns grow."""

from __future__ import annotations

import re

import pytest

from revdesk.tui.analytics.kpi_dashboard import count_ticks
from revdesk.tui.app import build_app
from revdesk.tui.common.text import day_text
from tests.factories import fixed_clock
from tests.tui.helpers import settle
from tests.tui.screen_data import LONG_ACCOUNT, build_screen_data, copy_of
from tests.tui.screen_text import screen_lines


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_screen_data(tmp_path_factory.mktemp("widths") / "template.db")


async def shown(template, folder, handle: str, size: tuple[int, int], *keys: str) -> list[str]:
    """The screen's lines once `handle` has pressed `keys` (each waited for)."""
    store = copy_of(template, folder)
    try:
        app = build_app(store, handle, clock=fixed_clock)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            return screen_lines(app)
    finally:
        store.close()


async def test_the_inbox_decision_is_whole_at_120_and_names_grow_at_160(template, tmp_path):
    lines = await shown(template, tmp_path, "tom", (120, 36), "i")
    pending = [line for line in lines if "past SLA by" in line or " h left " in line]
    assert pending and all("awaiting a decision" in line for line in pending)
    wide = await shown(template, tmp_path, "tom", (160, 48), "i")
    assert len(_account_shown(wide)) > len(_account_shown(lines)), "at 160 columns the names grow"


def _account_shown(lines: list[str]) -> str:
    """How much of the long account name a row shows (up to its … when cut)."""
    row = next(line for line in lines if "Nordwind" in line)
    start = row.index("Nordwind")
    shown_part = row[start:start + len(LONG_ACCOUNT)]
    return shown_part.split("…")[0] if "…" in shown_part else shown_part


async def test_account_360_keeps_every_last_touch_at_80(template, tmp_path):
    text = "\n".join(await shown(template, tmp_path, "maya", (80, 24), "j", "enter", "A"))
    for fact in ("yesterday", "10 days ago", "378 days ago", "7,000 EUR", "disqualified"):
        assert fact in text, fact


async def test_call_mode_dates_from_last_year_say_it_and_counts_have_separators(template, tmp_path):
    text = "\n".join(await shown(template, tmp_path, "maya", (120, 36), "j", "j", "j", "enter"))
    assert "10 Nov 2025 10:30" in text, "last year's meeting says its year"
    assert "36,853 employees" in text


async def test_the_kpis_at_80x24_show_every_percentage_and_the_chart(template, tmp_path):
    lines = await shown(template, tmp_path, "alex", (80, 24), "K")
    rows = {line.split("  ")[0].strip(): line for line in lines if "░" in line or "█" in line}
    assert rows["Opportunities created"].rstrip().endswith("33%")
    assert rows["Calls"].rstrip().endswith(" 0%")
    assert "Calls per month" in "\n".join(lines), "the trend chart is on the screen, titled"


async def test_the_sequence_exits_and_figures_are_whole_at_80(template, tmp_path):
    text = "\n".join(await shown(template, tmp_path, "alex", (80, 24), "S"))
    assert "replied 1" in text and "33.3%" in text and "Exits by reason" in text


async def test_the_outcome_keys_fit_one_line_at_120(template, tmp_path):
    lines = await shown(template, tmp_path, "maya", (120, 36), "enter")
    bar = [line for line in lines if "1 Connected" in line]
    assert len(bar) == 1 and "7 Call back later" in bar[0]


async def test_today_keeps_the_whole_reason_at_80(template, tmp_path):
    text = screen_text_of(await shown(template, tmp_path, "maya", (80, 24)))
    assert "25 min past the 15 min first-touch SLA" in text
    assert "10 min left of the 15 min first-touch SLA" in text


async def test_the_pipeline_never_cuts_a_lane_count(template, tmp_path):
    lines = await shown(template, tmp_path, "tom", (80, 24), "p")
    strip = next(line for line in lines if "New 2" in line)
    assert "…" not in strip and re.search(r"Discovery 3", strip)


@pytest.mark.parametrize("keys, facts", [
    (("D",), ("30,000", "12,000", "Value at risk")),
    (("F",), ("Weighted", "forecast", "Open")),
    (("L",), ("qualified?", "Count", "Revenue (EUR)")),
])
async def test_founder_screens_keep_their_figures_at_80(template, tmp_path, keys, facts):
    text = "\n".join(await shown(template, tmp_path, "alex", (80, 24), *keys))
    for fact in facts:
        assert fact in text, fact


def screen_text_of(lines: list[str]) -> str:
    """The lines joined, each wrapped line's words run on (a wrapped reason reads as one sentence)."""
    return " ".join(" ".join(line.split()) for line in lines)


def test_dates_say_the_year_only_when_it_is_not_this_one():
    from datetime import date

    today = date(2026, 11, 23)
    assert day_text(date(2026, 3, 2), today) == "02 Mar"
    assert day_text(date(2025, 12, 30), today, weekday=True) == "Tue 30 Dec 2025"


def test_chart_axes_count_in_whole_round_numbers_from_zero():
    assert count_ticks(1) == [0, 1]
    assert count_ticks(1908.5) == [0, 500, 1000, 1500, 2000]


async def test_today_at_80_keeps_each_days_figure_with_its_percentage(template, tmp_path):
    kpi = (await shown(template, tmp_path, "maya", (80, 24)))[1]
    assert "Calls 0/60" in kpi and "Connects 0/12" in kpi and "Meetings 0/2" in kpi and kpi.count("0%") == 3


def test_the_outcome_keys_wrap_between_outcomes_never_inside_one():
    from revdesk.core.playbook.check import parse_playbook
    from revdesk.fixtures import DEFAULT_PLAYBOOK
    from revdesk.tui.calls.outcome_bar import render_outcomes

    outcomes = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8")).outcomes
    lines = render_outcomes(outcomes, 60).plain.split("\n")
    assert len(lines) > 1 and all(len(line) <= 60 for line in lines)
    pieces = [piece.strip() for line in lines for piece in line.split("  ") if piece.strip()]
    assert pieces == [f"{n} {o.label}" + ("" if o.letter.lower() in o.label.lower() else f" {o.letter}")
                      for n, o in enumerate(outcomes, 1)]
