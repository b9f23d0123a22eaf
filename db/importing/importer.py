"""Importing a CRM export through a mapping: every row read and checked (core.importing.rows), the good ones
written in one transaction with one change record, the others listed with their line, column and reason.
A file goes in whole or not at all: an error or a kill part-way leaves the database as it was, and a dry run
writes nothing. Users, accounts and deals here; db/importing/writers.py holds the per-kind writers."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.models import User
from revdesk.core.importing.mapping import ImportMapping
from revdesk.core.importing.rows import Draft, RowProblem, RowReader
from revdesk.core.playbook.model import Playbook
from revdesk.db.common.bulk_effects import bulk_inserts
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import transaction
from revdesk.db.importing.phones import PhoneChecks, start_phone_checks

Progress = Callable[[str, int, int], None]  # (phase, done, total): "Checking" the rows, then "Writing" them


@dataclass
class ImportResult:
    kind: str
    path: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows of records already here with nothing new in them
    rejected: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader should know (owners created, ...)
    ignored: list[str] = field(default_factory=list)  # the file's columns no field reads, by name
    candidates: list[dict[str, object]] = field(default_factory=list)  # accounts that may be the same, to review
    dry_run: bool = False
    change_id: int | None = None

    @property
    def rejected_rows(self) -> int:
        return len({p.line for p in self.rejected})

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "file": self.path, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "rejected_rows": self.rejected_rows,
                "dry_run": self.dry_run,
                "change_id": self.change_id, "notes": self.notes, "ignored_columns": self.ignored,
                "candidates": self.candidates[:500],
                "rejected": [p._asdict() for p in self.rejected[:1000]]}


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a CSV export (UTF-8, with or without a BOM; the delimiter sniffed), or of a JSON
    export: a list of records, or {"records": [...]} (Salesforce's data-tree files); nested values are left out."""
    if path.suffix.lower() == ".json":
        return _read_json(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {path}: {exc.strerror}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # Excel's Windows exports; Latin-1 reads any byte
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    delimiter = _delimiter(text)
    # RFC 4180 quoting always: a quote in a quoted cell is doubled; a quoted cell may hold line breaks
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    try:
        rows = list(reader)
    except csv.Error as exc:  # a cell over the csv module's limit (128 KiB)
        raise InvalidInput("file", f"{path.name} line {reader.line_num}: {exc}") from None
    if not rows:
        raise InvalidInput("file", f"{path} is empty")
    return rows[0], rows[1:]


_DELIMITERS = (",", ";", "\t")  # comma first: it wins a tie


def _delimiter(text: str) -> str:
    """The one thing RFC 4180 leaves open: the delimiter, the one that splits the header into the most columns
    (csv.Sniffer also guesses the quoting from the data, and guesses it wrong for cells holding quotes)."""
    try:
        widths = {d: len(next(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=d), []))
                  for d in _DELIMITERS}
    except csv.Error:  # a header over the csv module's limit: reading the file will say so
        return ","
    return max(_DELIMITERS, key=lambda d: widths[d])


def _read_json(path: Path) -> tuple[list[str], list[list[str]]]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InvalidInput("file", f"cannot read {path} as JSON: {exc}") from None
    records = data.get("records", []) if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InvalidInput("file", f"{path} is not a list of records")
    header = list(dict.fromkeys(k for r in records for k, v in r.items() if not isinstance(v, dict | list)))
    return header, [["" if r.get(k) is None else str(r.get(k)) for k in header] for r in records]


@dataclass
class CheckedFile:
    """A file read and checked, before any write: its rows, its result so far, and its phone checks running."""

    path: Path
    mapping: ImportMapping
    result: ImportResult
    drafts: list[Draft]
    phones: PhoneChecks | None

    def close(self) -> None:
        if self.phones:
            self.phones.close()


def import_file(conn: sqlite3.Connection, playbook: Playbook, user: User | None, path: Path, mapping: ImportMapping,
                now: datetime, *, dry_run: bool = False, owner_role: str | None = None,
                owner_map: dict[str, str] | None = None, progress: Progress | None = None) -> ImportResult:
    """Import `path` as `mapping` says; rows with a problem are left out and listed in the result."""
    return run_import(lambda job: job(conn), playbook, user, path, mapping, now, dry_run=dry_run,
                      owner_role=owner_role, owner_map=owner_map, progress=progress)


def run_import(write: Callable[[Callable[[sqlite3.Connection], ImportResult]], ImportResult], playbook: Playbook,
               user: User | None, path: Path, mapping: ImportMapping, now: datetime, *, dry_run: bool = False,
               owner_role: str | None = None, owner_map: dict[str, str] | None = None,
               progress: Progress | None = None) -> ImportResult:
    """`import_file`, with the file read and checked first and only the writing handed to `write(job)`, which runs
    `job(conn)` in its transaction (the store's writer: the write lock is not held while the file is checked)."""
    with quiet_collector():
        checked = check_file(playbook, path, mapping, dry_run=dry_run, progress=progress)
        try:
            return write(lambda conn: write_checked(conn, playbook, user, checked, now, dry_run=dry_run,
                                                    owner_role=owner_role, owner_map=owner_map, progress=progress))
        finally:
            checked.close()


@contextmanager
def quiet_collector() -> Iterator[None]:
    """A large file makes some million objects, none of them in cycles: the collector would only slow it."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def check_file(playbook: Playbook, path: Path, mapping: ImportMapping, *, dry_run: bool = False,
               progress: Progress | None = None) -> CheckedFile:
    """Read and check every row of `path`, touching no database (so it runs before the write lock is taken, and
    on the caller's thread, where the phone checks may fork their pool). Close the result when done."""
    from revdesk.core.importing.values import ValueProblem, detect_date_format, restore_formula

    header, rows = read_table(path)
    if mapping.revdesk_export and path.suffix.lower() != ".json":  # revdesk's CSV export quoted formula starts
        rows = [[restore_formula(c) if c[:1] == "'" else c for c in row] for row in rows]
    try:  # decided once for the whole file (a mapping's format is checked against the dates)
        date_format = detect_date_format(_date_samples(mapping, header, rows), mapping.date_format)
    except ValueProblem as exc:
        raise InvalidInput("date_format", f"{path.name}: {exc.reason}") from None
    reader = RowReader(mapping, header, date_format, playbook)
    if progress:
        progress("Checking", 0, len(rows))
    if reader.twice:
        raise InvalidInput("file", f"{path.name} has the column {', '.join(map(repr, reader.twice))} more than once:"
                                   " rename one")
    if reader.missing:
        raise InvalidInput("mapping", f"{path.name} has no column {', '.join(map(repr, reader.missing))}"
                                      f" (its columns: {', '.join(header)})")
    result = ImportResult(mapping.kind, str(path), rows=len(rows), dry_run=dry_run)
    if reader.absent:
        result.notes.append(f"not in this file, left empty: {', '.join(reader.absent)}")
    result.ignored = reader.ignored(header)
    if result.ignored:
        result.notes.append(f"columns not imported (no field reads them): {', '.join(result.ignored)}")
    phones = start_phone_checks(reader, rows) if mapping.kind == "contacts" else None  # on other cores meanwhile
    try:
        drafts = _read(reader, rows, result, progress)
    except BaseException:
        if phones:
            phones.close()
        raise
    return CheckedFile(path, mapping, result, drafts, phones)


def write_checked(conn: sqlite3.Connection, playbook: Playbook, user: User | None, checked: CheckedFile,
                  now: datetime, *, dry_run: bool = False, owner_role: str | None = None,
                  owner_map: dict[str, str] | None = None, progress: Progress | None = None) -> ImportResult:
    """Write a checked file's good rows in one transaction with one change record (rolled back for a dry run)."""
    result, phones = checked.result, checked.phones
    _write(conn, playbook, user, checked.path, checked.mapping, checked.drafts, result, now, dry_run=dry_run,
           owner_role=owner_role, owner_map=owner_map, progress=progress,
           extra={"phones": phones} if phones else {})
    result.rejected.sort(key=lambda p: p.line)
    return result


def _read(reader: RowReader, rows: list[list[str]], result: ImportResult, progress: Progress | None) -> list[Draft]:
    """The file's rows checked, in order; rejected ones go to the result."""
    drafts: list[Draft] = []
    for number, row in enumerate(rows, start=2):
        if progress and number % 5000 == 0:
            progress("Checking", number - 1, len(rows))
        if not any(row) or not "".join(row).strip():  # a blank line
            result.rows -= 1
            continue
        draft = reader.read(row, number)
        if draft.problems:
            result.rejected.extend(draft.problems)
        else:
            drafts.append(draft)
    return drafts


def _write(conn: sqlite3.Connection, playbook: Playbook, user: User | None, path: Path, mapping: ImportMapping,
           drafts: Sequence[Draft], result: ImportResult, now: datetime, *, dry_run: bool,
           owner_role: str | None, owner_map: dict[str, str] | None, progress: Progress | None,
           extra: dict[str, object]) -> None:
    """The checked rows written in one transaction with one change record; rolled back for a dry run."""
    from revdesk.db.importing.writers import check_owner_map

    writer = _writer(mapping.kind)
    try:
        with transaction(conn):
            if owner_map:
                check_owner_map(conn, owner_map)
            writing = (lambda done, total: progress("Writing", done, total)) if progress else None
            with bulk_inserts(conn) as bulk:  # the new rows are recorded a thousand to an effect
                writer(conn, playbook, user, mapping, drafts, result, now, owner_role=owner_role, progress=writing,
                       owner_map=owner_map, **extra)
                if progress:
                    progress("Writing", len(drafts), len(drafts))
                result.change_id = append_change(
                    conn, at=now, user_id=user.id if user else None, command="import", entity=mapping.kind,
                    entity_id=None, payload={"file": path.name, "mapping": mapping.name, "rows": result.rows,
                                             "created": result.created, "updated": result.updated,
                                             "rejected_rows": result.rejected_rows})
                bulk.record(result.change_id)
            if dry_run:
                raise DryRun
    except DryRun:
        result.change_id = None


# Which function writes each kind's checked rows, as "module:function" (imported only when that kind comes in).
WRITERS = {"users": "revdesk.db.importing.writers:write_users",
           "accounts": "revdesk.db.importing.writers:write_accounts",
           "contacts": "revdesk.db.importing.contacts:write_contacts",
           "deals": "revdesk.db.importing.writers:write_deals",
           "activities": "revdesk.db.importing.activities:write_activities",
           "deal_history": "revdesk.db.importing.stage_history:write_deal_history"}


def _writer(kind: str) -> Callable[..., None]:
    import importlib

    module, name = WRITERS[kind].split(":")
    return getattr(importlib.import_module(module), name)


def _date_samples(mapping: ImportMapping, header: list[str], rows: list[list[str]]) -> list[str]:
    position = {name.strip().casefold(): i for i, name in enumerate(header)}
    columns = [position[c.strip().casefold()] for t, c in mapping.columns.items()
               if (t.endswith("_at") or t.endswith("_date")) and c.strip().casefold() in position]
    return [row[i] for row in rows for i in columns if i < len(row) and row[i].strip()]


def rejects_path(file: Path) -> Path:
    """Where an import lists its rejected rows unless told: `<stem>.rejected.csv` beside the file imported."""
    return file.with_name(f"{file.stem}.rejected.csv")


def write_rejects(problems: list[RowProblem], path: Path) -> None:
    """The rejected rows' problems as CSV (line, column, reason), readable by its owner only (they quote CRM data),
    no cell a live formula in a spreadsheet (a quote before it; this file is for reading, not importing)."""
    from revdesk.core.importing.values import FORMULA_STARTS
    from revdesk.db.common.files import open_private

    def safe(text: str) -> str:
        return "'" + text if text.startswith(FORMULA_STARTS) else text

    with open_private(path, "rejects") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "column", "reason"])
        writer.writerows((line, safe(column), safe(reason)) for line, column, reason in problems)
