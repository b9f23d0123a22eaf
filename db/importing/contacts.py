"""Writing imported contacts (see db.importing.importer): matched by their id in the CRM (an earlier import of the same
source) or their e-mail (the same person is filled in where blank, never overwritten), placed at their account
(by domain, the e-mail's domain, then name; an account the file names but the database lacks is created), phones
to E.164 in their own or their account's country, and their lifecycle history ("Became a ... Date" columns) as
status history, so funnel timing works on imported data. New contacts and accounts get ids of our own and are
written in batches."""

from __future__ import annotations

import json
import sqlite3
import typing
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from revdesk.core.accounts.dedupe import FREE_MAIL
from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.importing.mapping import ImportMapping
from revdesk.core.importing.rows import Draft, RowProblem
from revdesk.core.playbook.model import LeadStatus, Lifecycle, Playbook
from revdesk.db.importing.phones import PhoneChecks, country_code
from revdesk.db.importing.writers import Accounts, People, _column, account_keys, contacts_by_email

LIFECYCLE = typing.get_args(Lifecycle)
_BECAME = (("became_mql_at", "mql"), ("became_sql_at", "sql"), ("became_opportunity_at", "opportunity"),
           ("became_customer_at", "customer"))
_COLUMNS = ("id", "account_id", "first_name", "last_name", "title", "email", "phone", "timezone", "country",
            "buying_role", "lead_source", "lifecycle_stage", "owner_id", "lead_status", "do_not_contact", "inbound",
            "created_at")
LEAD_STATUSES = typing.get_args(LeadStatus)
_FILL = ("title", "phone", "timezone", "country", "buying_role", "lead_source")
_ROLES = {"decision_maker", "approver", "champion", "influencer", "user", "blocker"}


_INSERT_CONTACT = f"INSERT INTO contacts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_INSERT_ACCOUNT = "INSERT INTO accounts (id, name, domain, country, created_at) VALUES (?, ?, ?, ?, ?)"
_INSERT_HISTORY = ("INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by, changed_at,"
                   " reason) VALUES (?, 'lifecycle', ?, ?, ?, ?, 'Imported')")
# Every new contact of a batch but those with "became" dates entered the stage it is in when it was created.
_CREATED_IN = ("INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by, changed_at, reason)"
               " SELECT id, 'lifecycle', NULL, lifecycle_stage, ?, created_at, 'Imported' FROM contacts"
               " WHERE id BETWEEN ? AND ? AND id NOT IN (SELECT value FROM json_each(?))")
_INSERT_KEY = "INSERT OR IGNORE INTO import_keys (record_type, source, key, record_id) VALUES ('contact', ?, ?, ?)"
BATCH = 5_000


def write_contacts(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping,
                   drafts: list[Draft], result, now: datetime, *, owner_role: str | None = None,  # noqa: ANN001
                   progress: Callable[[int, int], None] | None = None, owner_map: dict[str, str] | None = None,
                   phones: PhoneChecks | None = None) -> None:
    """`phones`: the file's numbers, already being checked (db.importing.phones.start_phone_checks)."""
    people, accounts = People(conn, now, owner_map), Accounts(conn)
    if phones is None:
        phones = PhoneChecks((str(d.get("phone")), country_code(d.get("country")))  # type: ignore[arg-type]
                             for d in drafts if d.get("phone"))
    place = _Placing(conn, mapping, accounts, now)
    existing = contacts_by_email(conn)
    keyed = {r[0]: r[1] for r in conn.execute(
        "SELECT key, record_id FROM import_keys WHERE record_type = 'contact' AND source = ?", (mapping.name,))}
    first_id = next_id = (conn.execute("SELECT MAX(id) FROM contacts").fetchone()[0] or 0) + 1
    became = [(f, stage) for f, stage in _BECAME if f in mapping.columns or f in mapping.defaults]
    stamp, by = to_stored(now), user.id if user else None
    rebuilt = _suspend_indexes(conn, "contacts", len(drafts)) + _suspend_indexes(conn, "status_history", len(drafts))
    rows: list[tuple] = []
    history: list[tuple] = []
    dated: list[int] = []  # new contacts with "became" dates: their history is `history`'s
    keys: list[tuple] = []
    fills: list[tuple] = []
    for done, draft in enumerate(drafts, start=1):
        if not (draft.get("email") or draft.get("name") or draft.get("first_name") or draft.get("last_name")):
            result.rejected.append(RowProblem(draft.line, _column(mapping, "email"),
                                              "nobody in this row: no name and no e-mail"))
            continue
        found, owner = people.owner(draft, mapping, owner_role, result.rejected)
        if not found:
            continue
        stage = str(draft.get("lifecycle_stage") or "").lower() or (became and _latest(draft, became)) or "lead"
        if stage not in LIFECYCLE:
            result.rejected.append(RowProblem(draft.line, _column(mapping, "lifecycle_stage"),
                                              f"{stage!r} is not a lifecycle stage ({', '.join(LIFECYCLE)});"
                                              " map it under [values.lifecycle_stage]"))
            continue
        status = draft.get("lead_status") or "new"
        if status not in LEAD_STATUSES:
            result.rejected.append(RowProblem(draft.line, _column(mapping, "lead_status"),
                                              f"{status!r} is not a lead status ({', '.join(LEAD_STATUSES)});"
                                              " map it under [values.lead_status]"))
            continue
        if contradiction := _contradiction(stage, str(status)):
            result.rejected.append(RowProblem(draft.line, _column(mapping, "lead_status"), contradiction))
            continue
        country = country_code(draft.get("country"))  # type: ignore[arg-type]
        if country is None and draft.get("country"):
            result.rejected.append(RowProblem(draft.line, _column(mapping, "country"),
                                              f"{str(draft.get('country'))[:40]!r} is not a country (a name or an"
                                              " ISO code like DE)"))
            continue
        region = country or place.countries.get(place.find(draft))  # type: ignore[arg-type]  # else the account's
        phone = None
        if written := draft.get("phone"):
            ok, phone = phones.verdict((str(written), region))
            if not ok:
                result.rejected.append(RowProblem(draft.line, _column(mapping, "phone"), str(phone)))
                continue
        account = place.account(draft)  # created (when new) only for a row that passed every check
        first, last = _names(draft)
        role = draft.get("buying_role")
        email, key = draft.get("email"), draft.get("external_id")
        values = (account, first, last, draft.get("title"), email, phone, draft.get("timezone"), country,
                  role if role in _ROLES else None, draft.get("lead_source"), stage, owner)
        flags = (1 if draft.get("do_not_contact") else 0, 1 if draft.get("inbound") else 0)
        same = keyed.get(str(key)) if key is not None else None
        if same is None and email:
            same = existing.get(str(email).lower())
        if same is not None:  # already here (by its id in that CRM, or its e-mail): blanks filled
            fills.append((*(values[i] for i in (3, 5, 6, 7, 8, 9)), values[0], values[11], flags[0], same))
            if key is not None and str(key) not in keyed:
                keys.append((mapping.name, str(key), same))
                keyed[str(key)] = same
            result.updated += 1
            continue
        created = draft.get("created_at")
        rows.append((next_id, *values, status, *flags, to_stored(created) if isinstance(created, datetime) else stamp))
        if email:
            existing[str(email).lower()] = next_id
        if key is not None:
            keys.append((mapping.name, str(key), next_id))
            keyed[str(key)] = next_id
        if moved := _history(next_id, draft, stage, created, now, by, stamp, became):
            history += moved
            dated.append(next_id)
        next_id += 1
        if len(rows) >= BATCH:
            _insert(conn, place.take(), rows, history, dated, keys, by)
            rows, history, dated, keys = [], [], [], []
            if progress:
                progress(done, len(drafts))
    _insert(conn, place.take(), rows, history, dated, keys, by)
    for sql in rebuilt:
        conn.execute(sql)
    sets = ", ".join(f"{f} = COALESCE({f}, ?)" for f in _FILL)
    conn.executemany(f"UPDATE contacts SET {sets}, account_id = COALESCE(account_id, ?),"  # an opt-out is kept
                     " owner_id = COALESCE(owner_id, ?), do_not_contact = MAX(do_not_contact, ?) WHERE id = ?", fills)
    result.created += next_id - first_id
    if progress:
        progress(len(drafts), len(drafts))
    if place.unknown_keys:
        unknown = ", ".join(sorted(place.unknown_keys)[:5])
        result.notes.append(f"{len(place.unknown_keys)} accounts named by {_column(mapping, 'account_key')} are not"
                            f" here (import the companies first), their contacts placed by name or domain if at all:"
                            f" {unknown}")
    if place.created:
        shown = ", ".join(place.created[:5]) + (f" and {len(place.created) - 5} more" if len(place.created) > 5
                                                else "")
        result.notes.append(f"{len(place.created)} accounts the file names were created: {shown}")
    if people.created:
        result.notes.append(f"people created with role {owner_role}: {', '.join(people.created)}")


def _insert(conn: sqlite3.Connection, accounts: list[tuple], contacts: list[tuple], history: list[tuple],
            dated: list[int], keys: list[tuple], by: int | None) -> None:
    """A batch: the accounts its contacts are the first at, the contacts, their history and their CRM ids."""
    conn.executemany(_INSERT_ACCOUNT, accounts)
    conn.executemany(_INSERT_CONTACT, contacts)
    if contacts:
        conn.execute(_CREATED_IN, (by, contacts[0][0], contacts[-1][0], json.dumps(dated)))
    conn.executemany(_INSERT_HISTORY, history)
    conn.executemany(_INSERT_KEY, keys)


class _Placing:
    """Each contact's account: by the file's domain, the e-mail's domain, then name; an account the file names
    and the database lacks is created, with an id of our own, and written with the batch of its first contact."""

    def __init__(self, conn: sqlite3.Connection, mapping: ImportMapping, accounts: Accounts, now: datetime) -> None:
        self.accounts, self.stamp = accounts, to_stored(now)
        self.keys = account_keys(conn, mapping)  # the account by its id in the file's CRM, when the file has it
        self.unknown_keys: set[str] = set()  # ids no accounts import has brought in
        self.countries: dict[int, str] = {r[0]: r[1] for r in conn.execute(
            "SELECT id, country FROM accounts WHERE country IS NOT NULL")}
        self.next_id = (conn.execute("SELECT MAX(id) FROM accounts").fetchone()[0] or 0) + 1
        self.new: list[tuple] = []
        self.created: list[str] = []

    def find(self, draft: Draft) -> int | None:
        return self._by_key(draft) or self.accounts.find(draft.get("account"), _domain(draft))  # type: ignore[arg-type]

    def _by_key(self, draft: Draft) -> int | None:
        key = draft.get("account_key")
        if self.keys is None or key is None:
            return None
        found = self.keys.lookup(str(key))
        if found is None or found < 0:
            self.unknown_keys.add(str(key))
            return None
        return found

    def account(self, draft: Draft) -> int | None:
        name, domain = draft.get("account"), _domain(draft)
        found = self._by_key(draft) or self.accounts.find(name, domain)  # type: ignore[arg-type]
        if found is None and name:
            found, self.next_id = self.next_id, self.next_id + 1
            country = country_code(draft.get("country"))  # type: ignore[arg-type]
            self.new.append((found, name, domain, country, self.stamp))
            self.accounts.add(found, str(name), domain)  # type: ignore[arg-type]
            if country:
                self.countries[found] = country
            self.created.append(str(name))
        return found

    def take(self) -> list[tuple]:
        new, self.new = self.new, []
        return new


def _suspend_indexes(conn: sqlite3.Connection, table: str, rows: int) -> list[str]:
    """For a bulk load (more rows than the table has, and many), drop the table's secondary indexes (not the
    unique ones); their CREATE statements, to run again once the rows are in (inside the import's transaction)."""
    if rows <= max(10_000, conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]):
        return []
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                        " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'", (table,)).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def _domain(draft: Draft) -> str | None:
    """The account's domain: the file's, else the (checked, normalised) e-mail's unless it is free mail."""
    email = draft.get("email")
    return draft.get("account_domain") or (_email_domain(str(email)) if email else None)  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def _email_domain(email: str) -> str | None:
    """The organisation's domain of a checked address; None for free mail (gmail.com is nobody's company)."""
    domain = email.rpartition("@")[2]
    return None if not domain or domain in FREE_MAIL else domain


_PAST_QUALIFYING = ("sql", "opportunity", "customer")


def _contradiction(stage: str, status: str) -> str | None:
    """A lifecycle stage and a lead status that cannot both be true (which one is cannot be told)."""
    if status == "disqualified" and stage in _PAST_QUALIFYING:
        return f"the lead status is disqualified but the lifecycle stage is {stage}"
    if status == "qualified" and stage == "disqualified":
        return "the lead status is qualified but the lifecycle stage is disqualified"
    return None


def _names(draft: Draft) -> tuple[str, str]:
    first, last = draft.get("first_name"), draft.get("last_name")
    if first or last:
        return str(first or ""), str(last or "")
    whole = str(draft.get("name") or draft.get("email") or "").split()
    return (" ".join(whole[:-1]), whole[-1]) if len(whole) > 1 else ("", whole[0] if whole else "")


def _latest(draft: Draft, became: list[tuple[str, str]]) -> str | None:
    dated = [(draft.get(field), stage) for field, stage in became if isinstance(draft.get(field), datetime)]
    return max(dated)[1] if dated else None  # type: ignore[type-var]


def _history(contact_id: int, draft: Draft, stage: str, created: object, now: datetime, by: int | None,
             stamp: str, became: list[tuple[str, str]]) -> list[tuple]:
    """Lifecycle rows: the stage it was created in, then each "became" date in order (the funnel reads these);
    `became`: the mapping's "became" fields. None for a contact with no "became" dates."""
    moves = sorted((draft.get(field), name) for field, name in became if isinstance(draft.get(field), datetime)) \
        if became else []  # type: ignore[type-var]
    if not moves:
        return []  # created in its stage: written with its batch, from the contact row (_CREATED_IN)
    start = created if isinstance(created, datetime) else moves[0][0]
    rows, before = [(contact_id, None, "lead", by, to_stored(start))], "lead"
    for moment, name in moves:
        rows.append((contact_id, before, name, by, to_stored(moment)))
        before = name
    if moves and stage != before:
        rows.append((contact_id, before, stage, by, stamp))
    return rows
