"""Moments as the screens show them, in the viewer's timezone: the year is said whenever it isn't this year's,
so an activity from last December never reads as this one."""

from __future__ import annotations

from datetime import date, datetime, tzinfo


def day_text(day: date, today: date, weekday: bool = False) -> str:
    """`07 Dec`, `Mon 07 Dec` (this year) or `07 Dec 2025`, `Mon 07 Dec 2025` (another year)."""
    text = f"{day:%a %d %b}" if weekday else f"{day:%d %b}"
    return text if day.year == today.year else f"{text} {day:%Y}"


def when(moment: datetime, now: datetime, tz: tzinfo, weekday: bool = False, clock: bool = True) -> str:
    """A stored moment in `tz`: its day (with the year when not this year's) and, unless `clock` is off, its time."""
    local = moment.astimezone(tz)
    text = day_text(local.date(), now.astimezone(tz).date(), weekday)
    return f"{text} {local:%H:%M}" if clock else text
