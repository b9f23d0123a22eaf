"""Dates and counts as the commands (and the screens, through tui.common.text) print them: a date says its year when it
isn't this year's, a count has its thousands separators, and control characters become visible pictures."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from revdesk.tui.cli.tables import CliTable, fact, fit_widths, name
from revdesk.tui.common.text import count, day_span, day_text, employees, printable, when
from tests.tui.cli.cli_helpers import run

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_day_says_its_year_only_when_it_is_not_this_year():
    today = date(2026, 12, 7)
    assert day_text(date(2026, 3, 2), today) == "02 Mar"
    assert day_text(date(2025, 12, 24), today, weekday=True) == "Wed 24 Dec 2025"
    assert day_text(date(2027, 1, 4), today) == "04 Jan 2027"


def test_a_moment_is_read_in_the_viewers_timezone_with_its_year():
    now = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    # 31 Dec 2026 23:30 UTC is already New Year's Day in Berlin: this year's, so no year
    assert when(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), now, BERLIN) == "01 Jan 00:30"
    assert when(datetime(2026, 12, 31, 12, 0, tzinfo=UTC), now, BERLIN, weekday=True) == "Thu 31 Dec 2026 13:00"
    assert when(datetime(2026, 12, 31, 12, 0, tzinfo=UTC), now, BERLIN, clock=False) == "31 Dec 2026"


def test_a_span_of_days_names_both_years_when_it_crosses_one():
    assert day_span(date(2026, 7, 1), date(2026, 9, 30), date(2026, 12, 7)) == "01 Jul – 30 Sep"
    assert day_span(date(2025, 10, 1), date(2025, 12, 31), date(2026, 2, 10)) == "01 Oct – 31 Dec 2025"
    assert day_span(date(2025, 12, 1), date(2026, 2, 28), date(2026, 2, 10)) == "01 Dec 2025 – 28 Feb 2026"


def test_counts_have_thousands_separators():
    assert employees(36853) == "36,853 employees"
    assert employees(1) == "1 employee"
    assert employees(None) == "size unknown"
    assert count(1_234_567, "contacts") == "1,234,567 contacts"
    assert count(None, "contacts") == "unknown"


def test_control_characters_become_pictures_and_everything_else_stays():
    assert printable("a\x1b[2Jb\x07\tc\x7f\x85\nd") == "a␛[2Jb␇ c␡\ufffd\nd"
    assert printable("Zoë ☃ 𝕏 مرحبا [/]") == "Zoë ☃ 𝕏 مرحبا [/]"


def test_widths_shrink_the_widest_first_and_never_below_a_minimum():
    assert fit_widths([10, 40, 30], [10, 8, 8], 100) == [10, 40, 30]
    assert fit_widths([10, 40, 30], [10, 8, 8], 60) == [10, 25, 25]
    assert fit_widths([10, 40, 30], [10, 8, 8], 25) is None


def test_a_table_that_cannot_fit_is_a_record_list():
    from rich.console import Console

    table = CliTable("Deals", [fact("id", right=True), name("account"), fact("amount", right=True)])
    table.add_row("12345", "Müller [b]Feinkost[/b] GmbH", "€1,251,000")
    wide, narrow = Console(width=80, record=True), Console(width=20, record=True)
    table.print(wide)
    table.print(narrow)
    assert "│ 12345 │ Müller [b]Feinkost[/b] GmbH │ €1,251,000 │" in wide.export_text()
    records = [line.rstrip() for line in narrow.export_text().splitlines()]
    assert records[2:] == ["id: 12345", "account: Müller", "[b]Feinkost[/b] GmbH", "amount: €1,251,000"]


def test_handoff_list_says_the_year_of_a_handoff_sent_last_year(capsys, monkeypatch, tmp_path):
    from tests.factories import make_store
    from tests.tui.cli.cli_helpers import CONTEXT, fields

    path = tmp_path / "dates.db"
    make_store(path).close()
    run(capsys, "--db", str(path), "--as", "maya", "log", "--contact", "1", "--type", "call", "--outcome", "connected")
    code, out, err = run(capsys, "--db", str(path), "--as", "maya", "handoff", "send", "--contact", "1", "--to",
                         "tom", *fields(CONTEXT), "--json")
    assert code == 0, err
    now = datetime.now(UTC)
    last_year = now.replace(year=now.year - 1, month=6, day=15, hour=9, minute=30)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE handoffs SET created_at = ? WHERE id = ?",
                     (last_year.strftime("%Y-%m-%dT%H:%M:%SZ"), json.loads(out)["handoff_id"]))
    conn.close()
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run(capsys, "--db", str(path), "handoff", "list")  # times in UTC
    assert code == 0, err
    assert f"15 Jun {last_year.year} 09:30" in out



def test_the_score_says_an_accounts_size_with_separators(capsys, tmp_path):
    from tests.factories import make_store

    path = tmp_path / "size.db"
    make_store(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE accounts SET employees = 4200 WHERE id = 1")
    conn.close()
    code, out, err = run(capsys, "--db", str(path), "score", "--contact", "1")
    assert code == 0, err
    assert "employees is 4,200" in out
