"""Dates that import files write loosely: an offset from today ("+3d", "-2w", "-1m", Odoo's demo deadlines), and
a clock time after a day-first or month-first date ("02/03/2024 14:30", "3/2/2024 2:30 PM"). Pure: the offset is
kept as it is written and turned into a moment only against the importer's clock."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

_OFFSET = re.compile(r"([+-])\s*(\d{1,4})\s*([dwmy])", re.IGNORECASE)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp][Mm])?")
NOON = time(12)  # a day without a time stands for its middle (in UTC), as the row reader reads plain dates


@dataclass(frozen=True)
class RelativeDay:
    """A day written as an offset from today: `amount` of `unit` (d, w, m or y), negative for the past."""

    amount: int
    unit: str

    def day(self, today: date) -> date:
        if self.unit == "d":
            return today + timedelta(days=self.amount)
        if self.unit == "w":
            return today + timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        year, month = divmod(today.year * 12 + today.month - 1 + months, 12)
        return date(year, month + 1, min(today.day, monthrange(year, month + 1)[1]))  # 31 Jan + 1m: 28/29 Feb

    def resolve(self, now: datetime) -> datetime:
        """The moment it stands for, read against `now`: that day's middle, like any date without a time."""
        return datetime.combine(self.day(now.astimezone(UTC).date()), NOON, UTC)

    def __str__(self) -> str:
        return f"{self.amount:+d}{self.unit}"


def parse_offset(text: str) -> RelativeDay | None:
    """"+3d", "-1w", "+0d", "-2m", "+1y" as a RelativeDay; None when the text is not an offset."""
    match = _OFFSET.fullmatch(text.strip())
    if match is None:
        return None
    sign, digits, unit = match.groups()
    return RelativeDay(int(digits) * (-1 if sign == "-" else 1), unit.lower())


def clock_time(text: str) -> time | None:
    """The time written after a date ("02/03/2024 14:30", "3/2/2024 2:30 PM"); None when there is none or it is
    not a plain clock time (one with a zone is left to the day's middle rather than read wrongly)."""
    _, space, rest = text.strip().partition(" ")
    match = _CLOCK.fullmatch(rest.strip()) if space else None
    if match is None:
        return None
    hour, minute, second, half = match.groups()
    hour, minute = int(hour), int(minute)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59 or int(second or 0) > 59:
        return None
    return time(hour, minute, int(second or 0))
