"""Every date a command takes is refused outside the years 1900 to 2100 (0001-01-01, a year typed 0202 for 2022), in
one line naming the option, with nothing written."""

from __future__ import annotations

import pytest

from tests.tui.cli.cli_helpers import run, snapshot

DATE_OPTIONS = [
    (("queue", "--date", "{day}"), "--date"),
    (("log", "--contact", "1", "--type", "note", "--at", "{day}"), "--at"),
    (("log", "--contact", "1", "--type", "note", "--at", "{day}T10:00"), "--at"),
    (("kpi", "--date", "{day}"), "--date"),
    (("leaks", "--date", "{day}"), "--date"),
    (("deals", "stats", "--period", "month", "--date", "{day}"), "--date"),
    (("deals", "stats", "--from", "{day}"), "--from"),
    (("deals", "stages", "--from", "2026-01-01", "--to", "{day}"), "--to"),
    (("funnel", "--from", "{day}", "--to", "2026-01-01"), "--from"),
    (("report", "--month", "{month}"), "--month"),
]


@pytest.mark.parametrize("day", ["0001-01-01", "0202-03-15", "1899-12-31", "2101-01-01", "9999-12-31"])
@pytest.mark.parametrize(("argv", "option"), DATE_OPTIONS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_a_date_outside_the_years_is_refused(capsys, db, argv, option, day):
    before = snapshot(db)
    filled = [a.format(day=day, month=day[:7]) for a in argv]
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", *filled)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"revdesk: error: {option}: ") and "outside the years 1900 to 2100" in err
    assert snapshot(db) == before


def test_a_close_date_after_2100_is_refused(capsys, db, deal):
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "proposal",
                       "--field", "primary_contact_id=1", "--field", "amount=12500",
                       "--field", "expected_close_date=9999-12-31")
    assert code == 2 and "expected_close_date: 9999-12-31 is after 2100" in err
    assert snapshot(db) == before


@pytest.mark.parametrize("day", ["2026-11-23", "1900-01-01", "2100-12-31"])
def test_dates_inside_the_years_are_taken(capsys, db, day):
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", "deals", "stats", "--from", day, "--to", "2100-12-31")
    assert code == 0, err
