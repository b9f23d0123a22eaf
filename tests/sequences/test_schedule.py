"""Step due times: business days, public holidays, send windows in several zones, DST gaps and folds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from revdesk.sequences import schedule
from revdesk.sequences.schedule import BusinessCalendar, calendar_for, step_due, window_is_valid

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
CAIRO = ZoneInfo("Africa/Cairo")  # DST changes on a Friday (gap) and a Thursday (fold): business days


@dataclass(frozen=True)
class Timing:
    wait_days: int = 0
    wait_hours: int = 0
    window: str | None = None


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- calendar -------------------------------------------------------------------------------------------------


def test_weekend_skip():
    cal = calendar_for(None)
    assert cal.add_business_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Fri + 1 = Mon
    assert cal.add_business_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Sat + 1 = Mon
    assert cal.add_business_days(date(2026, 3, 9), -1) == date(2026, 3, 6)
    assert cal.add_business_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert cal.next_business_day(date(2026, 3, 6)) == date(2026, 3, 9)
    assert not cal.is_business_day(date(2026, 3, 7)) and not cal.is_business_day(date(2026, 3, 8))


def test_german_public_holidays():
    cal = calendar_for("DE")
    assert not cal.is_business_day(date(2026, 12, 25)) and not cal.is_business_day(date(2026, 12, 26))
    # Christmas Eve is not a nationwide public holiday in the holidays library (nor are state-only ones)
    assert cal.is_business_day(date(2026, 12, 24))
    assert cal.add_business_days(date(2026, 12, 23), 2) == date(2026, 12, 28)
    assert cal.next_business_day(date(2027, 3, 25)) == date(2027, 3, 30)  # Good Friday, Easter Monday
    assert not calendar_for("de").is_business_day(date(2027, 5, 6))  # Ascension Day: lower-case code works


def test_us_public_holidays_including_observed():
    cal = calendar_for("US")
    assert not cal.is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert cal.next_business_day(date(2026, 11, 25)) == date(2026, 11, 27)
    assert not cal.is_business_day(date(2026, 7, 3))  # Independence Day (observed): Jul 4 is a Saturday


@pytest.mark.parametrize("country", [None, "", "XX", "ZZ"])
def test_unknown_or_missing_country_means_weekends_only(country):
    cal = BusinessCalendar(country)
    assert cal.country is None
    assert cal.is_business_day(date(2026, 12, 25)) and cal.is_business_day(date(2026, 11, 26))
    assert not cal.is_business_day(date(2026, 12, 26))  # Saturday
    assert step_due(utc(2026, 12, 24, 9), Timing(wait_days=1), BERLIN, country) == utc(2026, 12, 25, 9)


def test_holiday_sets_are_loaded_once_per_year(monkeypatch):
    calls = []
    real = schedule.holidays.country_holidays

    def counting(code, years):
        calls.append((code, years))
        return real(code, years=years)

    monkeypatch.setattr(schedule.holidays, "country_holidays", counting)
    cal = BusinessCalendar("DE")
    for offset in range(700):
        cal.is_business_day(date(2026, 1, 1) + timedelta(days=offset))
    assert calls == [("DE", 2026), ("DE", 2027)]
    assert calendar_for("FR") is calendar_for("FR")


# --- waits ----------------------------------------------------------------------------------------------------


def test_wait_hours_crosses_midnight():
    # Wed 2026-03-04 22:30 Berlin (21:30Z) + 5 h = Thu 03:30 local, a business day: elapsed time, no rounding
    assert step_due(utc(2026, 3, 4, 21, 30), Timing(wait_hours=5), BERLIN, "DE") == utc(2026, 3, 5, 2, 30)


def test_wait_hours_landing_on_saturday_moves_to_monday_same_local_time():
    # Fri 22:00 Berlin + 4 h = Sat 02:00 local -> Mon 2026-03-09 02:00 CET (01:00Z)
    assert step_due(utc(2026, 3, 6, 21), Timing(wait_hours=4), BERLIN, "DE") == utc(2026, 3, 9, 1)


def test_no_window_on_a_saturday_moves_to_monday():
    # enrolled Sat 2026-03-07 10:00 Berlin (09:00Z), step due at once -> Mon 10:00 local
    assert step_due(utc(2026, 3, 7, 9), Timing(), BERLIN, "DE") == utc(2026, 3, 9, 9)
    assert step_due(utc(2026, 3, 6, 9), Timing(), BERLIN, "DE") == utc(2026, 3, 6, 9)  # a Friday: unchanged


def test_wait_days_keeps_local_time_over_a_us_holiday():
    # Wed 2026-11-25 10:00 EST (15:00Z) + 1 business day: Thanksgiving skipped -> Fri 10:00 EST
    assert step_due(utc(2026, 11, 25, 15), Timing(wait_days=1), NEW_YORK, "US") == utc(2026, 11, 27, 15)


def test_dst_spring_forward_keeps_nine_local():
    # Fri 2027-03-26 09:00 CET (08:00Z) + 1 business day -> Mon 2027-03-29 09:00 CEST (07:00Z)
    assert step_due(utc(2027, 3, 26, 8), Timing(wait_days=1), BERLIN, None) == utc(2027, 3, 29, 7)
    # with German holidays: Thu 25th + 1 skips Good Friday, the weekend and Easter Monday -> Tue 30th 09:00 CEST
    assert step_due(utc(2027, 3, 25, 8), Timing(wait_days=1), BERLIN, "DE") == utc(2027, 3, 30, 7)


def test_dst_fall_back_keeps_nine_local():
    # Fri 2026-10-30 09:00 EDT (13:00Z) + 1 business day -> Mon 2026-11-02 09:00 EST (14:00Z)
    assert step_due(utc(2026, 10, 30, 13), Timing(wait_days=1), NEW_YORK, "US") == utc(2026, 11, 2, 14)


def test_wall_time_in_the_spring_forward_gap_moves_to_the_end_of_the_gap():
    # 02:30 does not exist in Berlin on 2027-03-28 (02:00 CET -> 03:00 CEST): the first valid time is 03:00 CEST
    assert schedule._to_utc(date(2027, 3, 28), time(2, 30), BERLIN) == utc(2027, 3, 28, 1)
    # through step_due, on a business day: Cairo skips 00:00-01:00 on Fri 2026-04-24
    # Thu 00:30 EET (Wed 22:30Z) + 1 business day -> Fri 00:30 (missing) -> 01:00 EEST = Thu 22:00Z
    assert step_due(utc(2026, 4, 22, 22, 30), Timing(wait_days=1), CAIRO, None) == utc(2026, 4, 23, 22)


def test_ambiguous_wall_time_takes_the_first_occurrence():
    assert schedule._to_utc(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    # Cairo repeats 23:00-24:00 on Thu 2026-10-29: Wed 23:30 EEST (20:30Z) + 1 business day -> the first 23:30
    assert step_due(utc(2026, 10, 28, 20, 30), Timing(wait_days=1), CAIRO, None) == utc(2026, 10, 29, 20, 30)


def test_window_in_a_repeated_hour_never_goes_back_in_time():
    window = Timing(window="*/30 23 * * *")
    # 23:10 EEST (first pass, 20:10Z) -> 23:30 EEST (20:30Z)
    assert step_due(utc(2026, 10, 29, 20, 10), window, CAIRO, None) == utc(2026, 10, 29, 20, 30)
    # 23:10 EET (second pass, 21:10Z): the first 23:30 is already past -> the second one, 21:30Z
    assert step_due(utc(2026, 10, 29, 21, 10), window, CAIRO, None) == utc(2026, 10, 29, 21, 30)


# --- send windows ---------------------------------------------------------------------------------------------


def test_same_utc_moment_gives_local_nine_in_each_zone():
    moment = utc(2026, 3, 4, 12)  # Wed: 21:00 Tokyo, 07:00 New York, 13:00 Berlin
    step = Timing(window="0 9-11 * * mon-fri")
    due = {zone.key: step_due(moment, step, zone, None) for zone in (TOKYO, NEW_YORK, BERLIN)}
    assert due == {
        "Asia/Tokyo": utc(2026, 3, 5, 0),  # Thu 09:00 JST
        "America/New_York": utc(2026, 3, 4, 14),  # Wed 09:00 EST
        "Europe/Berlin": utc(2026, 3, 5, 8),  # Thu 09:00 CET (11:00 was the last slot on Wed)
    }
    assert all(d.tzinfo is UTC for d in due.values())


def test_window_match_at_the_moment_itself_and_minute_rounding():
    step = Timing(window="*/30 9-16 * * *")
    assert step_due(utc(2026, 3, 4, 8), step, BERLIN, None) == utc(2026, 3, 4, 8)  # 09:00 CET exactly
    assert step_due(utc(2026, 3, 4, 8, 0, 1), step, BERLIN, None) == utc(2026, 3, 4, 8, 30)
    assert step_due(utc(2026, 3, 4, 15, 31), step, BERLIN, None) == utc(2026, 3, 5, 8)  # after 16:30 local


def test_window_on_a_holiday_rolls_to_the_next_business_day():
    step = Timing(window="0 9-11 * * mon-fri")
    # Thu 2026-12-24 12:00 Berlin: Fri 25th Christmas, weekend -> Mon 28th 09:00 CET (08:00Z)
    assert step_due(utc(2026, 12, 24, 11), step, BERLIN, "DE") == utc(2026, 12, 28, 8)
    # Wed before Thanksgiving, 17:00 EST -> Fri 27th 09:00 EST (14:00Z); without the country, Thu 26th
    assert step_due(utc(2026, 11, 25, 22), step, NEW_YORK, "US") == utc(2026, 11, 27, 14)
    assert step_due(utc(2026, 11, 25, 22), step, NEW_YORK, None) == utc(2026, 11, 26, 14)


def test_window_after_a_wait():
    # Fri 2026-03-06 16:00 Tokyo (07:00Z) + 1 business day = Mon 16:00 JST, outside 9-11 -> Tue 09:00 JST
    step = Timing(wait_days=1, window="0 9-11 * * mon-fri")
    assert step_due(utc(2026, 3, 6, 7), step, TOKYO, "JP") == utc(2026, 3, 10, 0)


def test_croniter_only_expressions_still_work():
    # second Monday of the month (croniter's '#'): from Tue 2026-03-03 -> Mon 2026-03-09 09:00 CET
    assert step_due(utc(2026, 3, 3, 12), Timing(window="0 9 * * mon#2"), BERLIN, None) == utc(2026, 3, 9, 8)
    # last day of the month: 2026-05-31 is a Sunday, 2026-06-30 a Tuesday
    assert step_due(utc(2026, 5, 2, 12), Timing(window="0 9 L * *"), BERLIN, None) == utc(2026, 6, 30, 7)


@pytest.mark.parametrize(
    "window", ["0 9-11 * * mon-fri", "*/30 9-16 * * *", "15 8 1,15 * mon", "0 9 */2 * *", "45 23 * 3,4 *",
               "0 0 29 2 *", "5 7 31 * fri", "0 12 * * 0,3"]
)
def test_fast_search_agrees_with_croniter(window):
    cal = calendar_for("DE")
    parsed = schedule._parse(window)
    assert parsed is not None
    start = datetime(2026, 1, 1)
    for step in range(0, 60 * 24 * 400, 60 * 24 * 7 + 437):  # ~57 starts spread over hours and weekdays
        at = start + timedelta(minutes=step)
        assert schedule._search_fast(parsed, at, cal) == schedule._search_croniter(window, at, cal), at


@pytest.mark.parametrize("window", ["0 9 * * sat,sun", "0 9 30 2 *", "0 9 * * sat#1"])
def test_a_window_that_never_meets_a_business_day_gives_up(window):
    with pytest.raises(ValueError, match="no business-day match") as err:
        step_due(utc(2026, 3, 4, 12), Timing(window=window), BERLIN, "DE")
    assert repr(window) in str(err.value)


def test_naive_previous_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        step_due(datetime(2026, 3, 4, 12), Timing(), BERLIN, "DE")


@pytest.mark.parametrize(
    ("expr", "ok"),
    [("0 9-11 * * mon-fri", True), ("*/30 9-16 * * *", True), ("0 9 * * mon#2", True), ("0 9 * * * 0", False),
     ("0 9 * *", False), ("61 9 * * *", False), ("nonsense", False), ("", False), ("0 9 * * funday", False)],
)
def test_window_is_valid(expr, ok):
    assert window_is_valid(expr) is ok
