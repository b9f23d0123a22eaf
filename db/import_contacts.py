"""Writing imported contacts (see db.importer): matched by e-mail (the same person is filled in where blank,
never overwritten), placed at their account (by domain, the e-mail's domain, then name; an account the file
names but the database lacks is created), phones to E.164 in their own or their account's country, and their
lifecycle history ("Became a ... Date" columns) as status history, so funnel timing works on imported data.
New contacts are written in batches with ids of our own: a 100k-row file stays well above 20k rows/s."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from core.dedupe import FREE_MAIL
from core.import_mapping import ImportMapping
from core.import_rows import Draft, RowProblem
from core.models import User
from core.playbook import Playbook
from core.when import to_stored
from db.import_phones import Checked, PhoneChecks, check_phone, country_code
from db.import_writers import Accounts, People, _column

LIFECYCLE = ("lead", "mql", "sal", "sql", "opportunity", "customer", "disqualified", "nurture")
_BECAME = (("became_mql_at", "mql"), ("became_sql_at", "sql"), ("became_opportunity_at", "opportunity"),
           ("became_customer_at", "customer"))
_COLUMNS = ("id", "account_id", "first_name", "last_name", "title", "email", "phone", "timezone", "country",
            "buying_role", "lead_source", "lifecycle_stage", "owner_id", "created_at")
_FILL = ("title", "phone", "timezone", "country", "buying_role", "lead_source")
_ROLES = {"decision_maker", "approver", "champion", "influencer", "user", "blocker"}


def write_contacts(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping,
                   drafts: list[Draft], result, now: datetime, *, owner_role: str | None = None,  # noqa: ANN001
                   progress: Callable[[int, int], None] | None = None, owner_map: dict[str, str] | None = None,
                   phones: PhoneChecks | None = None) -> None:
    """`phones`: the file's numbers, already being checked (db.import_phones.start_phone_checks)."""
    people, accounts = People(conn, now, owner_map), Accounts(conn)
    countries = {r[0]: r[1] for r in conn.execute("SELECT id, country FROM accounts WHERE country IS NOT NULL")}
    if phones is None:
        phones = PhoneChecks((str(d.get("phone")), country_code(d.get("country")))  # type: ignore[arg-type]
                             for d in drafts if d.get("phone"))
    created_accounts: list[str] = []
    became = [(f, stage) for f, stage in _BECAME if f in mapping.columns or f in mapping.defaults]
    placed: list[tuple[Draft, tuple, str | None]] = []  # each row's values, and the country its phone is in
    for done, draft in enumerate(drafts, start=1):  # the numbers are checked meanwhile
        if progress and done % 5000 == 0:
            progress(done // 2, len(drafts))
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
        account = _account(conn, accounts, countries, draft, now, created_accounts)
        region = country_code(draft.get("country")) or countries.get(account)  # type: ignore[arg-type]
        first, last = _names(draft)
        role = draft.get("buying_role")
        values = (account, first, last, draft.get("title"), draft.get("email"), None, draft.get("timezone"),
                  region, role if role in _ROLES else None, draft.get("lead_source"), stage, owner)
        placed.append((draft, values, region))
    _write(conn, mapping, placed, phones.result(), became, user, now, result)
    if progress:
        progress(len(drafts), len(drafts))
    if created_accounts:
        shown = ", ".join(created_accounts[:5]) + (f" and {len(created_accounts) - 5} more" if len(created_accounts) > 5
                                                  else "")
        result.notes.append(f"{len(created_accounts)} accounts the file names were created: {shown}")
    if people.created:
        result.notes.append(f"people created with role {owner_role}: {', '.join(people.created)}")


def _write(conn: sqlite3.Connection, mapping: ImportMapping, placed: list[tuple[Draft, tuple, str | None]],
           checked: Checked, became: list[tuple[str, str]], user: User | None, now: datetime,
           result) -> None:  # noqa: ANN001
    """The placed rows with their checked numbers: new people inserted (in batches, with ids of our own), people
    already here by e-mail filled in where blank, and the lifecycle history of the new ones."""
    existing = {r[0]: r[1] for r in conn.execute("SELECT email, id FROM contacts WHERE email IS NOT NULL")}
    next_id = (conn.execute("SELECT MAX(id) FROM contacts").fetchone()[0] or 0) + 1
    rows, history, fills = [], [], []
    stamp, by = to_stored(now), user.id if user else None
    for draft, values, region in placed:
        written = draft.get("phone")
        if written:
            ok, phone = checked.get((str(written), region)) or check_phone((str(written), region))
            if not ok:
                result.rejected.append(RowProblem(draft.line, _column(mapping, "phone"), str(phone)))
                continue
            values = (*values[:5], phone, *values[6:])
        email = values[4]
        if email in existing:
            fills.append((*(values[i] for i in (3, 5, 6, 7, 8, 9)), values[0], values[11], existing[email]))
            result.updated += 1
            continue
        created = draft.get("created_at")
        rows.append((next_id, *values, to_stored(created) if isinstance(created, datetime) else stamp))
        if email:
            existing[email] = next_id
        history += _history(next_id, draft, values[10], created, now, by, stamp, became)
        next_id += 1
    rebuilt = _suspend_indexes(conn) if len(rows) > max(10_000, len(existing)) else []  # a bulk load: index after
    conn.executemany(f"INSERT INTO contacts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", rows)
    for sql in rebuilt:
        conn.execute(sql)
    conn.executemany("INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by, changed_at,"
                     " reason) VALUES (?, 'lifecycle', ?, ?, ?, ?, 'Imported')", history)
    sets = ", ".join(f"{f} = COALESCE({f}, ?)" for f in _FILL)
    conn.executemany(f"UPDATE contacts SET {sets}, account_id = COALESCE(account_id, ?),"
                     " owner_id = COALESCE(owner_id, ?) WHERE id = ?", fills)
    result.created += len(rows)


def _account(conn: sqlite3.Connection, accounts: Accounts, countries: dict[int, str], draft: Draft, now: datetime,
             created: list[str]) -> int | None:
    """The contact's account: by the file's domain, the e-mail's domain, then name; created when named."""
    name = draft.get("account")
    email = draft.get("email")  # already checked and normalised by the row reader
    domain = draft.get("account_domain") or (_email_domain(str(email)) if email else None)
    found = accounts.find(name, domain)  # type: ignore[arg-type]
    if found is None and name:
        found = int(conn.execute(
            "INSERT INTO accounts (name, domain, country, created_at) VALUES (?, ?, ?, ?)",
            (name, domain, country_code(draft.get("country")), to_stored(now))).lastrowid or 0)  # type: ignore[arg-type]
        accounts.add(found, str(name), domain)  # type: ignore[arg-type]
        created.append(str(name))
    return found


def _suspend_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the contacts' secondary indexes (not the unique ones) for a load larger than the table; their CREATE
    statements, to run again once the rows are in (all inside the import's transaction)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'"
                        " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'").fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


@lru_cache(maxsize=65536)
def _email_domain(email: str) -> str | None:
    """The organisation's domain of a checked address; None for free mail (gmail.com is nobody's company)."""
    domain = email.rpartition("@")[2]
    return None if not domain or domain in FREE_MAIL else domain


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
    `became`: the mapping's "became" fields."""
    moves = sorted((draft.get(field), name) for field, name in became if isinstance(draft.get(field), datetime)) \
        if became else []  # type: ignore[type-var]
    if not moves and not isinstance(created, datetime):
        return [(contact_id, None, stage, by, stamp)]  # the common case, cheaply
    start = created if isinstance(created, datetime) else (moves[0][0] if moves else now)
    rows, before = [(contact_id, None, "lead" if moves else stage, by, to_stored(start))], "lead" if moves else stage
    for moment, name in moves:
        rows.append((contact_id, before, name, by, to_stored(moment)))
        before = name
    if moves and stage != before:
        rows.append((contact_id, before, stage, by, stamp))
    return rows
