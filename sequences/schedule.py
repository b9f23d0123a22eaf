"""When a sequence step comes due: business days, public holidays, send windows and DST, in the contact's zone.

Pure and cheap: a tick schedules tens of thousands of steps, so holiday sets are cached per (country, year) and
a send window (a 5-field cron expression) is parsed once by croniter and then matched by a small day-by-day search
on local wall-clock times. Expressions the fast search does not cover (``L``, ``#``, ``W``, a seconds field) are
handed to croniter itself. Every result is an aware datetime in UTC.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays
from croniter import CroniterError, croniter

SEARCH_DAYS = 400  # how far ahead a send window is searched before giving up
_MINUTE = timedelta(minutes=1)


class StepTiming(Protocol):
    """What scheduling needs from a step (sequences.definition.Step fits)."""

    @property
    def wait_days(self) -> int: ...  # business days
    @property
    def wait_hours(self) -> int: ...  # elapsed hours
    @property
    def window(self) -> str | None: ...  # 5-field cron, contact's local time


class BusinessCalendar:
    """Mon–Fri minus the public holidays of one country (unknown or no country: weekends only)."""

    def __init__(self, country: str | None) -> None:
        code = (country or "").strip().upper()
        self.country: str | None = code if code in holidays.list_supported_countries() else None
        self._holidays: dict[int, frozenset[date]] = {}

    def _year(self, year: int) -> frozenset[date]:
        days = self._holidays.get(year)
        if days is None:
            days = frozenset(holidays.country_holidays(self.country, years=year)) if self.country else frozenset()
            self._holidays[year] = days
        return days

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        days = self._holidays.get(day.year)
        return day not in (days if days is not None else self._year(day.year))

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        return self.add_business_days(day, 1)

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after ``day`` (before it when n < 0); ``day`` itself when n == 0."""
        step = timedelta(days=1 if n >= 0 else -1)
        for _ in range(abs(n)):
            day += step
            while not self.is_business_day(day):
                day += step
        return day


@lru_cache(maxsize=256)
def calendar_for(country: str | None) -> BusinessCalendar:
    """The shared calendar of a country code (holiday sets cached inside it)."""
    return BusinessCalendar(country)


def window_is_valid(expr: str) -> bool:
    """A send window: a cron expression croniter accepts, with exactly 5 fields."""
    if not isinstance(expr, str) or len(expr.split()) != 5:
        return False
    try:
        return bool(croniter.is_valid(expr))
    except (CroniterError, ValueError, TypeError):
        return False


@dataclass(frozen=True)
class _Window:
    """A plain cron expression as sets (cron weekdays: 0 = Sunday); None means '*'."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int] | None
    months: frozenset[int] | None
    weekdays: frozenset[int] | None

    def day_matches(self, day: date) -> bool:
        if self.months is not None and day.month not in self.months:
            return False
        dom = self.days is None or day.day in self.days
        dow = self.weekdays is None or (day.weekday() + 1) % 7 in self.weekdays
        if self.days is not None and self.weekdays is not None:
            return dom or dow  # cron: both restricted means either may match (croniter's day_or)
        return dom and dow

    def first_time(self, hour: int, minute: int) -> tuple[int, int] | None:
        """The first (hour, minute) of the window at or after the given one on the same day."""
        i = bisect_left(self.hours, hour)
        if i < len(self.hours) and self.hours[i] == hour:
            j = bisect_left(self.minutes, minute)
            if j < len(self.minutes):
                return hour, self.minutes[j]
            i += 1
        return (self.hours[i], self.minutes[0]) if i < len(self.hours) else None


@lru_cache(maxsize=1024)
def _parse(expr: str) -> _Window | None:
    """The fast form of a window, or None when only croniter can evaluate it."""
    try:
        it = croniter(expr)
    except (CroniterError, ValueError, TypeError) as exc:
        raise ValueError(f"send window {expr!r} is not a valid cron expression: {exc}") from None
    fields = it.expanded
    if len(fields) != 5 or it.nth_weekday_of_month or getattr(it, "nearest_weekday", None):
        return None
    if any(v != "*" and not isinstance(v, int) for field in fields for v in field):
        return None  # 'L' and friends

    def values(field: list) -> frozenset[int] | None:
        return None if field[0] == "*" else frozenset(field)

    minutes = tuple(range(60)) if fields[0][0] == "*" else tuple(sorted(fields[0]))
    hours = tuple(range(24)) if fields[1][0] == "*" else tuple(sorted(fields[1]))
    return _Window(minutes, hours, values(fields[2]), values(fields[3]), values(fields[4]))


def _search_fast(window: _Window, start: datetime, cal: BusinessCalendar) -> datetime | None:
    """First wall time >= start (naive, minute-aligned) in the window on a business day."""
    day = start.date()
    hour, minute = start.hour, start.minute
    for _ in range(SEARCH_DAYS + 1):
        if cal.is_business_day(day) and window.day_matches(day):
            hit = window.first_time(hour, minute)
            if hit is not None:
                return datetime.combine(day, time(*hit))
        day += timedelta(days=1)
        hour = minute = 0
    return None


def _search_croniter(expr: str, start: datetime, cal: BusinessCalendar) -> datetime | None:
    """The same search, driven by croniter (for expressions the fast form does not cover)."""
    limit = start.date() + timedelta(days=SEARCH_DAYS)
    it = croniter(expr, start - timedelta(seconds=1))  # get_next is strictly after: include start itself
    while True:
        try:
            hit = it.get_next(datetime)
        except CroniterError:
            return None  # croniter found no such date at all
        if hit.date() > limit:
            return None
        if cal.is_business_day(hit.date()):
            return hit
        it.set_current(datetime.combine(hit.date() + timedelta(days=1), time()) - timedelta(seconds=1))


def _to_utc(day: date, clock: time, tz: ZoneInfo, fold: int = 0) -> datetime:
    """A local wall time as UTC: fold 0 takes the first of two (autumn); a time in a gap (spring) moves to the
    first valid time after the gap, i.e. the transition instant. (combine, not replace: ~4x cheaper.)"""
    utc = datetime.combine(day, clock if clock.fold == fold else clock.replace(fold=fold), tz).astimezone(UTC)
    back = utc.astimezone(tz)
    if back.date() == day and back.time() == clock:
        return utc
    # In the gap: local time jumps over the wall time somewhere in [lo, hi]; find that instant to the second.
    wall = datetime.combine(day, clock)
    lo, hi = sorted(int(datetime.combine(day, clock.replace(fold=f), tz).timestamp()) for f in (0, 1))
    while lo < hi:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) > wall:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(lo, UTC)


def step_due(previous: datetime, step: StepTiming, tz: ZoneInfo, country: str | None) -> datetime:
    """When ``step`` comes due after ``previous`` (the previous step done, or enrollment), in UTC.

    Hours are elapsed time; business days keep the local wall-clock time (across DST) and skip weekends and the
    country's public holidays; then the send window (cron, local wall-clock) or, without one, the next business
    day at the same local time. Raises ValueError for a naive ``previous`` or a window with no business-day match
    within ~400 days.
    """
    if previous.tzinfo is None or previous.utcoffset() is None:
        raise ValueError("previous must be a timezone-aware datetime")
    cal = calendar_for(country)
    moment = previous.astimezone(UTC)
    if step.wait_days > 0:  # same wall-clock time, n business days later
        local = moment.astimezone(tz)
        moment = _to_utc(cal.add_business_days(local.date(), step.wait_days), local.time(), tz)
    if step.wait_hours > 0:
        moment += timedelta(hours=step.wait_hours)

    local = moment.astimezone(tz)
    day, clock = local.date(), local.time()
    if not step.window:
        return moment if cal.is_business_day(day) else _to_utc(cal.next_business_day(day), clock, tz)

    start = datetime.combine(day, time(clock.hour, clock.minute))
    if clock.second or clock.microsecond:
        start += _MINUTE  # cron matches are whole minutes
    window = _parse(step.window)
    hit = _search_fast(window, start, cal) if window else _search_croniter(step.window, start, cal)
    if hit is None:
        raise ValueError(f"send window {step.window!r} has no business-day match within {SEARCH_DAYS} days")
    due = _to_utc(hit.date(), hit.time(), tz)
    if due < moment:  # an ambiguous autumn wall time already past in its first occurrence: take the second
        due = _to_utc(hit.date(), hit.time(), tz, fold=1)
    return due
