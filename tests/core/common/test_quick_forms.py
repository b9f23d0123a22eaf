"""core/common/when.py: the quick forms people type for follow-ups, resolved in their own timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import add_business_days, from_stored, humanize_delta, resolve_quick_form, to_stored

BERLIN = ZoneInfo("Europe/Berlin")
# The factories' NOW seen from Berlin: Monday 23 November 2026, 14:00.
MONDAY = datetime(2026, 11, 23, 14, 0, tzinfo=BERLIN)
WEDNESDAY = datetime(2026, 11, 25, 11, 15, tzinfo=BERLIN)
FRIDAY = datetime(2026, 11, 27, 14, 0, tzinfo=BERLIN)


def _local(text: str, now: datetime) -> datetime:
    """Resolve and check the result stays aware and in the person's timezone."""
    result = resolve_quick_form(text, now)
    assert result.tzinfo is not None
    assert result.utcoffset() == result.astimezone(BERLIN).utcoffset()
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+2d", datetime(2026, 11, 25, 14, 0, tzinfo=BERLIN)),
        ("+3h", datetime(2026, 11, 23, 17, 0, tzinfo=BERLIN)),
        ("+30m", datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN)),
        ("+45min", datetime(2026, 11, 23, 14, 45, tzinfo=BERLIN)),
        ("+1w", datetime(2026, 11, 30, 14, 0, tzinfo=BERLIN)),
        ("in 2d", datetime(2026, 11, 25, 14, 0, tzinfo=BERLIN)),
        (" +2D ", datetime(2026, 11, 25, 14, 0, tzinfo=BERLIN)),
    ],
)
def test_relative_forms_add_to_now(text, expected):
    assert _local(text, MONDAY) == expected


def test_business_days_skip_the_weekend():
    # Friday 14:00 + 2 business days: Monday is the first, Tuesday the second; the time of day is kept.
    result = _local("+2bd", FRIDAY)
    assert result == datetime(2026, 12, 1, 14, 0, tzinfo=BERLIN)
    assert result.strftime("%A") == "Tuesday"
    # From a Monday the weekend is not in the way.
    assert _local("+2bd", MONDAY) == datetime(2026, 11, 25, 14, 0, tzinfo=BERLIN)


def test_add_business_days_from_a_saturday():
    saturday = datetime(2026, 11, 28).date()
    assert add_business_days(saturday, 1).isoformat() == "2026-11-30"
    assert add_business_days(saturday, 5).isoformat() == "2026-12-04"
    assert add_business_days(saturday, 0) == saturday


def test_tomorrow_at_a_time_and_without_one():
    assert _local("tomorrow 9:00", MONDAY) == datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert _local("tomorrow 16:30", MONDAY) == datetime(2026, 11, 24, 16, 30, tzinfo=BERLIN)
    # Day forms without a time use 9:00.
    assert _local("tomorrow", MONDAY) == datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert _local("today 16:00", MONDAY) == datetime(2026, 11, 23, 16, 0, tzinfo=BERLIN)


def test_next_monday_from_a_monday_is_the_following_monday():
    result = _local("next monday", MONDAY)
    assert result == datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
    assert result.date() - MONDAY.date() == timedelta(days=7)


def test_next_monday_from_a_wednesday_is_the_coming_monday():
    assert _local("next monday", WEDNESDAY) == datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
    assert _local("next monday 10:00", WEDNESDAY) == datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)


def test_weekday_with_am_pm():
    assert _local("friday 4pm", MONDAY) == datetime(2026, 11, 27, 16, 0, tzinfo=BERLIN)
    assert _local("friday at 4:30 pm", MONDAY) == datetime(2026, 11, 27, 16, 30, tzinfo=BERLIN)
    assert _local("thursday 11am", MONDAY) == datetime(2026, 11, 26, 11, 0, tzinfo=BERLIN)
    assert _local("thursday 12am", MONDAY) == datetime(2026, 11, 26, 0, 0, tzinfo=BERLIN)
    assert _local("thursday 12pm", MONDAY) == datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30", datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)),
        ("2026-11-30 14:00", datetime(2026, 11, 30, 14, 0, tzinfo=BERLIN)),
        ("2026-11-30T14:00", datetime(2026, 11, 30, 14, 0, tzinfo=BERLIN)),
        ("2026-11-30T14:00+00:00", datetime(2026, 11, 30, 14, 0, tzinfo=UTC)),
    ],
)
def test_iso_dates_and_times(text, expected):
    result = resolve_quick_form(text, MONDAY)
    assert result == expected
    assert result.tzinfo is not None


def test_iso_time_with_z_suffix_is_utc():
    assert resolve_quick_form("2026-11-30T14:00Z", MONDAY) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_plus_one_day_across_the_dst_change_keeps_wall_clock_time():
    before = datetime(2026, 10, 24, 10, 0, tzinfo=BERLIN)  # Saturday, CEST (+02:00)
    result = resolve_quick_form("+1d", before)
    assert result.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 10, 25, 10, 0)
    assert before.utcoffset() == timedelta(hours=2)
    assert result.utcoffset() == timedelta(hours=1)
    # The clocks went back an hour in between: 25 hours really pass.
    assert result.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=25)
    assert to_stored(result) == "2026-10-25T09:00:00Z"


def test_day_forms_across_the_dst_change_use_the_new_offset():
    saturday = datetime(2026, 10, 24, 18, 0, tzinfo=BERLIN)
    assert to_stored(resolve_quick_form("tomorrow 9:00", saturday)) == "2026-10-25T08:00:00Z"
    friday = datetime(2026, 10, 23, 15, 0, tzinfo=BERLIN)
    assert to_stored(resolve_quick_form("+2bd", friday)) == "2026-10-27T14:00:00Z"


def test_plus_hours_across_the_dst_change_are_elapsed_hours():
    night = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # CEST, 23:30 UTC the day before
    result = resolve_quick_form("+3h", night)
    assert result.astimezone(UTC) - night.astimezone(UTC) == timedelta(hours=3)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "+2x", "someday", "next moonday", "tomorrow 25:00", "friday 9:75", "2026-13-01", "2026-11-31",
     "2026-11-30 25:00", "+2d 10:00"],
)
def test_bad_forms_raise_invalid_input_naming_the_field(text):
    with pytest.raises(InvalidInput) as info:
        resolve_quick_form(text, MONDAY, field="when")
    assert info.value.field == "when"
    assert str(info.value).startswith("when: ")
    assert info.value.reason


def test_the_default_field_is_follow_up():
    with pytest.raises(InvalidInput) as info:
        resolve_quick_form("whenever", MONDAY)
    assert info.value.field == "follow_up"
    assert "whenever" in info.value.reason


def test_stored_format_round_trips_and_needs_an_aware_moment():
    assert to_stored(MONDAY) == "2026-11-23T13:00:00Z"
    assert from_stored("2026-11-23T13:00:00Z") == MONDAY
    with pytest.raises(ValueError):
        to_stored(datetime(2026, 11, 23, 13, 0))


@pytest.mark.parametrize(
    ("delta", "text"),
    [(timedelta(seconds=10), "1 min"), (timedelta(minutes=25), "25 min"), (timedelta(hours=2), "2 h"),
     (timedelta(hours=2, minutes=5), "2 h 5 min"), (timedelta(days=1, hours=3), "1 day"),
     (timedelta(days=2), "2 days"), (-timedelta(minutes=3), "3 min")],
)
def test_humanize_delta(delta, text):
    assert humanize_delta(delta) == text


def test_into_working_hours_moves_evenings_nights_and_weekends_to_the_next_working_morning():
    from revdesk.core.common.when import into_working_hours

    berlin = ZoneInfo("Europe/Berlin")
    tuesday_evening = datetime(2026, 11, 24, 21, 40, tzinfo=berlin)
    assert into_working_hours(tuesday_evening) == datetime(2026, 11, 25, 9, 0, tzinfo=berlin)
    early = datetime(2026, 11, 24, 6, 15, tzinfo=berlin)
    assert into_working_hours(early) == datetime(2026, 11, 24, 9, 0, tzinfo=berlin)
    friday_late = datetime(2026, 11, 27, 19, 0, tzinfo=berlin)
    assert into_working_hours(friday_late) == datetime(2026, 11, 30, 9, 0, tzinfo=berlin)
    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=berlin)
    assert into_working_hours(saturday_noon) == datetime(2026, 11, 30, 9, 0, tzinfo=berlin)
    inside = datetime(2026, 11, 24, 14, 5, tzinfo=berlin)
    assert into_working_hours(inside) == inside


def test_an_evening_plus_one_day_follow_up_lands_the_next_morning_not_the_day_after():
    from revdesk.core.common.when import into_working_hours

    berlin = ZoneInfo("Europe/Berlin")
    monday_night = datetime(2026, 11, 23, 22, 15, tzinfo=berlin)
    due = into_working_hours(resolve_quick_form("+1d", monday_night), not_before=monday_night)
    assert due == datetime(2026, 11, 24, 9, 0, tzinfo=berlin)
    late_afternoon = datetime(2026, 11, 24, 17, 0, tzinfo=berlin)
    due = into_working_hours(resolve_quick_form("+3h", late_afternoon), not_before=late_afternoon)
    assert due == datetime(2026, 11, 25, 9, 0, tzinfo=berlin)
