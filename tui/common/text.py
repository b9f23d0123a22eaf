"""Small text helpers every screen and command shares: cutting to a width, amounts with their currency, counts with
thousands separators, dates that say their year when it isn't this one, and user text made safe for a terminal."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

# C0 controls (but the line break), DEL and the C1 controls would move the cursor, clear the screen or restyle the
# terminal when a name holding them is printed: they are shown as their Unicode control pictures instead (␛, ␇).
_CONTROL_PICTURES = {code: 0x2400 + code for code in range(0x20) if code != 0x0A}
_CONTROL_PICTURES[0x09] = 0x20  # a tab is a space
_CONTROL_PICTURES[0x7F] = 0x2421  # ␡
_CONTROL_PICTURES.update({code: 0xFFFD for code in range(0x80, 0xA0)})


def cut(text: str | None, width: int) -> str:
    """One line of at most `width` characters, ending in … when cut."""
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def cell_width(text: str) -> int:
    """How many terminal cells the widest line of `text` takes (a wide character takes two)."""
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


def shrink_widest(widths: list[int], floors: list[int], excess: int) -> int:
    """Take `excess` cells off `widths` (in place), one at a time from the widest column still above its floor;
    what could not be taken (0 when everything fitted). The CLI's tables and the screens' share this rule."""
    while excess > 0:
        above = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not above:
            break
        widths[max(above, key=lambda i: widths[i])] -= 1
        excess -= 1
    return excess


def money(amount: float | None, currency: str | None = "EUR") -> str:
    """12,500 EUR; — when unknown; a total over several currencies says so."""
    if amount is None:
        return "—"
    return f"{amount:,.0f} {currency}" if currency else f"{amount:,.0f} (mixed currencies)"


def printable(text: str) -> str:
    """`text` as a terminal should show it: every character kept, control characters as visible pictures."""
    return text.translate(_CONTROL_PICTURES)


def count(number: int | None, noun: str, unknown: str = "unknown") -> str:
    """`36,853 contacts` (the noun as given, singular or plural); `unknown` when there is no number."""
    return unknown if number is None else f"{number:,} {noun}"


def employees(number: int | None) -> str:
    """An account's size: `36,853 employees`, `1 employee`, or `size unknown`."""
    if not number:
        return "size unknown"
    return count(number, "employee" if number == 1 else "employees")


def day_text(day: date, today: date, weekday: bool = False) -> str:
    """`07 Dec`, `Mon 07 Dec` (this year) or `07 Dec 2025`, `Mon 07 Dec 2025` (another year)."""
    text = f"{day:%a %d %b}" if weekday else f"{day:%d %b}"
    return text if day.year == today.year else f"{text} {day:%Y}"


def when(moment: datetime, now: datetime, tz: tzinfo, weekday: bool = False, clock: bool = True) -> str:
    """A stored moment in `tz`: its day (with the year when not this year's) and, unless `clock` is off, its time."""
    local = moment.astimezone(tz)
    text = day_text(local.date(), now.astimezone(tz).date(), weekday)
    return f"{text} {local:%H:%M}" if clock else text


def day_span(first: date, last: date, today: date) -> str:
    """A range of days: `01 Sep – 30 Nov` this year, `01 Dec 2025 – 28 Feb 2026` across years."""
    if first.year == last.year:
        return f"{first:%d %b} – {day_text(last, today)}"
    return f"{first:%d %b %Y} – {last:%d %b %Y}"


def their_time(moment: datetime, mine: tzinfo) -> str:
    """A time in the contact's own zone, with mine beside it when the two differ: "Thu 09:00 their time (15:00
    yours)"."""
    theirs = f"{moment:%a %H:%M}"
    if moment.utcoffset() == moment.astimezone(mine).utcoffset():
        return theirs
    return f"{theirs} their time ({moment.astimezone(mine):%H:%M} yours)"
