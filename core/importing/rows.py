"""One row of a CRM export, read through a mapping into a draft record, with every problem named by line and
column. Pure: db/importing/importer.py looks the drafts up against the database and writes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from typing import NamedTuple, TypeVar

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import EARLIEST_YEAR, LATEST_YEAR, year_problem
from revdesk.core.importing.amounts import parse_amount
from revdesk.core.importing.mapping import ImportMapping, unmet_groups
from revdesk.core.importing.relative_dates import clock_time, parse_offset
from revdesk.core.importing.values import (
    DateFormat,
    ValueProblem,
    clean_text,
    normalise_domain,
    parse_date,
    parse_datetime,
    parse_email,
)
from revdesk.core.playbook.model import Playbook

_Dated = TypeVar("_Dated", date, datetime)


class RowProblem(NamedTuple):
    line: int  # the file's line number (the header is line 1)
    column: str
    reason: str


@dataclass
class Draft:
    """A row's values by revdesk field (None: not given), its line, and its problems."""

    line: int
    values: dict[str, object]
    problems: list[RowProblem]
    get: Callable[[str], object] = field(init=False, repr=False, compare=False)  # values.get, called per field

    def __post_init__(self) -> None:
        self.get = self.values.get


# Fields kept as written (cleaned of stray whitespace and control characters), with no parsing.
_FREE_TEXT = frozenset(("external_id", "first_name", "last_name", "name", "title", "account", "country",
                        "lead_source", "source", "industry", "owner", "product", "lost_reason", "team", "manager",
                        "handle", "parent", "phone", "subject", "note", "contact", "deal", "changed_by", "deleted",
                        "account_key"))


def _clean_row(row: list[str]) -> bool:
    """True when every cell is already as clean_text leaves it (printable ASCII, single spaces, trimmed), as most
    rows of most exports are: one look at the whole row instead of one per cell."""
    joined = "|".join(row)
    return (joined.isascii() and joined.isprintable() and "  " not in joined and " |" not in joined
            and "| " not in joined and joined[:1] != " " and joined[-1:] != " ")


class RowReader:
    """Reads rows of one file for one mapping: the columns are found once, the date format decided once."""

    def __init__(self, mapping: ImportMapping, header: list[str], date_format: DateFormat | None,
                 playbook: Playbook | None = None) -> None:
        self.mapping = mapping
        self.date_format = date_format or DateFormat.named(mapping.date_format or "iso")
        position: dict[str, int] = {}
        twice = set()
        for i, name in enumerate(header):
            folded = name.strip().casefold()
            if folded in position:
                twice.add(folded)
            position.setdefault(folded, i)
        self.index: dict[str, tuple[int, str]] = {}
        # columns the mapping reads that the file has twice: which one is meant cannot be told
        self.twice = [c for c in mapping.columns.values() if c.strip().casefold() in twice]
        self.missing: list[str] = []  # columns of fields the kind needs
        self.absent: list[str] = []  # columns of other fields: this export has not got them, they stay empty
        for target, column in mapping.columns.items():
            at = position.get(column.strip().casefold())
            if at is None:
                self.absent.append(column)
            else:
                self.index[target] = (at, column)
        for group in unmet_groups(mapping.kind, {*self.index, *mapping.defaults}):  # one column of each is needed
            self.missing.extend(mapping.columns[f] for f in group if f in mapping.columns)
            self.absent = [c for c in self.absent if c not in self.missing]
        self.stages = {s.key: s for s in playbook.stages} if playbook else {}
        dates = playbook.dates if playbook else None  # the years a date may fall in (a typo such as 0202 is refused)
        self.years = (dates.earliest_year, dates.latest_year) if dates else (EARLIEST_YEAR, LATEST_YEAR)

    def ignored(self, header: list[str]) -> list[str]:
        """The header's columns no field of the mapping reads (each named once, as the file writes it)."""
        read = {column.strip().casefold() for _, column in self.index.values()}
        return list(dict.fromkeys(h for h in header if h.strip() and h.strip().casefold() not in read))

    def raw(self, row: list[str], target: str) -> tuple[str, str] | None:
        """(text, column) of a field in a row, or None when the file has no such column; defaults fill in."""
        found = self.index.get(target)
        if found is None:
            default = self.mapping.defaults.get(target)
            return (default, "(default)") if default is not None else None
        at, column = found
        text = row[at] if at < len(row) else ""
        if not text.strip() and target in self.mapping.defaults:
            return self.mapping.defaults[target], column
        return text, column

    def read(self, row: list[str], line: int) -> Draft:
        draft = Draft(line, {}, [])
        values, defaults, width = draft.values, self.mapping.defaults, len(row)
        clean = _clean_row(row)
        for target, at, column, plain in self._plan:
            text = row[at] if at < width else ""
            if not clean or not text:
                if not text or text.isspace():
                    text = defaults.get(target, "")
                    if not text:
                        continue
                text = clean_text(text)
                if not text:
                    continue
            if plain:  # free text: only cleaned
                values[target] = text
                continue
            try:
                value = self._value(target, text)
            except ValueProblem as exc:
                draft.problems.append(RowProblem(line, column, exc.reason))
                continue
            if value is not None:
                values[target] = value
        for target, value in self._constants:
            values[target] = value
        self._check(draft)
        return draft

    @property
    def _plan(self) -> list[tuple[str, int, str, bool]]:
        """(field, column index, column name, free text?) for the file's mapped columns, worked out once."""
        plan = self.__dict__.get("_plan_cache")
        if plan is None:
            plan = self.__dict__["_plan_cache"] = [(t, at, column, t in _FREE_TEXT and t not in self.mapping.values)
                                                   for t, (at, column) in self.index.items()]
        return plan

    @property
    def _constants(self) -> list[tuple[str, object]]:
        """The defaults of fields the file has no column for, read once (they are the same on every row)."""
        constants = self.__dict__.get("_constants_cache")
        if constants is None:
            constants = []
            for target, text in self.mapping.defaults.items():
                if target not in self.index:
                    try:
                        value = self._value(target, clean_text(text))
                    except ValueProblem as exc:  # the same for every row: the mapping is wrong, not the file
                        raise InvalidInput("mapping", f"defaults.{target}: {exc.reason}") from None
                    if value is not None:
                        constants.append((target, value))
            self.__dict__["_constants_cache"] = constants
        return constants

    def _value(self, target: str, text: str) -> object:
        if not text:
            return None
        if target in self.mapping.values:
            text = self.mapping.translate(target, text)
        if target in ("engaged_at", "closed_at", "created_at", "occurred_at", "changed_at") \
                or target.startswith("became_"):
            if target == "occurred_at" and (offset := parse_offset(text)) is not None:
                return offset  # "+3d": the writer reads it against the import's clock
            if len(text) > 10 and text[4] == "-" and text[10] in "T ":  # an ISO moment (revdesk's own exports)
                moment = parse_datetime(text)
                return self._in_years(moment) if moment is not None else None
            day = parse_date(text, self.date_format)
            at = clock_time(text) if target == "occurred_at" and day is not None else None  # "02/03/2024 14:30"
            if day is None:
                return None
            return self._in_years(datetime.combine(self._in_years(day), at or time(12), UTC))  # a day: its middle
        if target in ("expected_close_date", "close_date"):
            day = parse_date(text, self.date_format)
            return self._in_years(day).isoformat() if isinstance(day, date) else None
        if target == "amount":
            amount, currency = parse_amount(text)
            if currency:
                return (amount, currency)
            return (amount, self.mapping.currency)
        if target == "employees":
            digits = text.replace(",", "").replace(" ", "")
            if not (digits.isascii() and digits.isdigit()):  # "⁰⁴⁵" is digits to isdigit(), not to int()
                raise ValueProblem(f"{text[:40]!r} is not a number of employees")
            if len(digits) > 9:  # the largest employers have a few million
                raise ValueProblem(f"{text[:40]!r} is too many employees for one company")
            return int(digits)
        if target in ("email", "contact_email"):
            return parse_email(text)
        if target in ("domain", "account_domain"):
            return normalise_domain(text)
        if target == "time":  # of day, apart from the date: "14:30", "2:30 PM"
            found = clock_time("day " + text)
            if found is None:
                raise ValueProblem(f"{text!r} is not a time of day (14:30, 2:30 PM)")
            return found
        if target == "timezone":  # every screen shows times in it: a name of the tz database
            if text not in _timezones():
                raise ValueProblem(f"{text[:40]!r} is not a timezone (an IANA name like Europe/Berlin)")
            return text
        if target in ("do_not_contact", "inbound"):
            return _flag(text)
        if target == "lead_status":
            return text.strip().lower().replace(" ", "_")
        if target == "lifecycle_stage":
            return text.strip().lower().replace(" ", "_")
        return text

    def _in_years(self, value: _Dated) -> _Dated:
        """`value` when its year is within the playbook's years ([dates]); else the reason it is refused."""
        problem = year_problem(value.year, value.isoformat()[:10], *self.years)
        if problem:
            raise ValueProblem(problem)
        return value

    def _check(self, draft: Draft) -> None:
        """Problems no single value shows: a stage the playbook does not have, a close before the engage."""
        stage = draft.get("stage")
        if stage is not None and self.stages and stage not in self.stages:
            column = self.index.get("stage", (0, "stage"))[1]
            known = ", ".join(self.stages)
            draft.problems.append(RowProblem(draft.line, column, f"{stage!r} is not a stage of the playbook ({known});"
                                                                 " map it under [values.stage]"))
        engaged, closed = draft.get("engaged_at"), draft.get("closed_at")
        if isinstance(engaged, datetime) and isinstance(closed, datetime) and closed < engaged:
            column = self.index.get("closed_at", (0, "closed_at"))[1]
            draft.problems.append(RowProblem(draft.line, column, "closes before it was engaged"))


@cache
def _timezones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


_YES = {"true", "yes", "y", "1", "x", "t"}
_NO = {"false", "no", "n", "0", "f"}


def _flag(text: str) -> bool:
    """A yes/no cell: true, yes, 1, x (and their opposites), case aside."""
    folded = text.strip().casefold()
    if folded in _YES or folded in _NO:
        return folded in _YES
    raise ValueProblem(f"{text!r} is not yes or no (true/false, yes/no, 1/0)")
