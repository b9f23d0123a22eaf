"""Times: the stored format, and the quick forms people type for follow-ups ("+2d", "tomorrow 9:00",
"next monday"), resolved in a person's own timezone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import InvalidInput

STORED = "%Y-%m-%dT%H:%M:%SZ"
# The years a date typed or imported may fall in (the playbook's [dates] may narrow them): 0202-03-15 is a typo.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
DEFAULT_HOUR = time(9, 0)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RELATIVE = re.compile(r"^\+?\s*(\d+)\s*(m|min|h|d|w|bd)$")
MAX_QUICK_FORM = 40  # characters: "next wednesday 10:30" is 20; a longer text is no quick form (and can't be slow)
MAX_RELATIVE = 10_000  # +10000d is 27 years ahead: more is a typo, and would overflow the calendar
_AT = re.compile(r"^(.*?)(?:(?:^|\s+)(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)?$")


def to_stored(moment: datetime) -> str:
    """A timezone-aware moment as the stored UTC text (sorts as time does; the year always has four digits)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def year_problem(year: int, shown: str, earliest: int = EARLIEST_YEAR, latest: int = LATEST_YEAR) -> str | None:
    """Why a date (`shown` as the person wrote it) is refused when its year is outside the sane years (a typo such
    as 0202 for 2022), or None."""
    if earliest <= year <= latest:
        return None
    return f"{shown} is outside the years {earliest} to {latest} (a typo in the year?)"


def check_year(value: date, field: str, earliest: int = EARLIEST_YEAR, latest: int = LATEST_YEAR) -> None:
    """Refuse a date outside the sane years, naming the field."""
    problem = year_problem(value.year, value.isoformat()[:10], earliest, latest)
    if problem:
        raise InvalidInput(field, problem)


def from_stored(text: str) -> datetime:
    """The stored UTC text back as an aware moment (fromisoformat reads the trailing Z, and is quick)."""
    return datetime.fromisoformat(text)


def parse_moment(text: str, field: str, tz: ZoneInfo) -> datetime:
    """An ISO date or date-time typed by a person; naive values are read in `tz`."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not an ISO date or time (e.g. 2026-11-23T14:30)") from None
    check_year(value.date(), field)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def parse_day(text: str, field: str = "date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a date in the form YYYY-MM-DD") from None
    check_year(day, field)
    return day


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The start of `day` and of the next day, in `tz`, as aware moments."""
    start = datetime.combine(day, time(0), tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tz)


def add_business_days(day: date, count: int) -> date:
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current


def check_quick_form(text: str) -> None:
    """Raise InvalidInput when `text` is not a quick form (used to validate the playbook)."""
    resolve_quick_form(text, datetime(2026, 1, 5, 12, 0, tzinfo=UTC))


def resolve_quick_form(text: str, now: datetime, field: str = "follow_up") -> datetime:
    """Resolve a quick form against `now` (aware, in the person's timezone).

    Forms: +30m, +3h, +2d, +1w, +2bd (business days), today 16:00, tomorrow, tomorrow 9:00,
    monday, next monday 10:00, 2026-11-30, 2026-11-30 14:00. Day forms without a time use 9:00.
    """
    raw = text.strip().lower()
    if not raw:
        raise InvalidInput(field, "is empty; try +2d, tomorrow 9:00 or next monday")
    if len(raw) > MAX_QUICK_FORM:
        raise InvalidInput(field, f"is {len(raw)} characters long: a quick form is short, like +2d or tomorrow 9:00")
    relative = _RELATIVE.match(raw.replace("in ", "+"))
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        if amount > MAX_RELATIVE:
            raise InvalidInput(field, f"{text.strip()!r} is too far ahead (at most +{MAX_RELATIVE:,} of a unit)")
        if unit == "bd":
            day = add_business_days(now.date(), amount)
            return datetime.combine(day, now.timetz().replace(tzinfo=None), now.tzinfo)
        if unit in ("m", "min", "h"):  # elapsed time: real minutes and hours, also across a DST change
            step = timedelta(hours=1) if unit == "h" else timedelta(minutes=1)
            return (now.astimezone(UTC) + amount * step).astimezone(now.tzinfo)
        step = timedelta(weeks=1) if unit == "w" else timedelta(days=1)
        return now + amount * step  # days and weeks keep the wall-clock time
    if re.match(r"^\d{4}-\d{2}-\d{2}", raw):
        moment = parse_moment(text.strip().replace(" ", "T", 1), field, now.tzinfo)  # type: ignore[arg-type]
        if len(raw) == 10:
            moment = datetime.combine(moment.date(), DEFAULT_HOUR, now.tzinfo)
        return moment
    match = _AT.match(raw)
    word = (match.group(1) if match else raw).strip()
    at = DEFAULT_HOUR
    if match and match.group(2):
        hour, minute = int(match.group(2)), int(match.group(3) or 0)
        if match.group(4) == "pm" and hour < 12:
            hour += 12
        if match.group(4) == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            raise InvalidInput(field, f"{text!r} has no such time of day")
        at = time(hour, minute)
    today = now.date()
    if word in ("today", ""):
        day = today
    elif word == "tomorrow":
        day = today + timedelta(days=1)
    else:
        name = word.removeprefix("next ").strip()
        if name not in _WEEKDAYS:
            raise InvalidInput(field, f"{text!r} is not understood; try +2d, tomorrow 9:00 or next monday")
        ahead = (_WEEKDAYS.index(name) - today.weekday()) % 7 or 7
        day = today + timedelta(days=ahead)
    return datetime.combine(day, at, now.tzinfo)


def humanize_delta(delta: timedelta) -> str:
    """'3 min', '2 h 5 min', '4 days' — short, for reasons in the queue."""
    seconds = abs(int(delta.total_seconds()))
    if seconds < 3600:
        return f"{max(seconds // 60, 1)} min"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days = seconds // 86400
    return "1 day" if days == 1 else f"{days} days"


WORKDAY_START = time(9, 0)  # defaults; the playbook's [working_hours] is what revdesk applies
WORKDAY_END = time(18, 0)


def into_working_hours(moment: datetime, not_before: datetime | None = None,
                       hours: tuple[time, time] = (WORKDAY_START, WORKDAY_END)) -> datetime:
    """Move a moment outside 9:00-18:00 on a weekday (in its own timezone) to the next 9:00 on a weekday.

    With `not_before`, an evening moment goes to that same day's 9:00 when that is still ahead: "+1d"
    logged at 22:00 on Monday means Tuesday morning, not Wednesday.
    """
    start, end = hours
    day, clock = moment.date(), moment.timetz().replace(tzinfo=None)
    morning = datetime.combine(day, start, moment.tzinfo)
    if clock >= end and not_before is not None and morning > not_before and day.weekday() < 5:
        return morning
    if clock >= end:
        day, clock = day + timedelta(days=1), start
    elif clock < start:
        clock = start
    while day.weekday() >= 5:
        day, clock = day + timedelta(days=1), start
    return datetime.combine(day, clock, moment.tzinfo)
