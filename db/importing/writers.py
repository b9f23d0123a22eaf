"""Writing imported drafts (see db.importing.importer): users with their teams and managers, accounts matched by domain
then name (blanks filled, nothing newer overwritten), deals with their owner, account, stage, amounts, engage
and close dates and a stage history, so funnel timing and time in stage work on imported data. Runs inside
the importer's transaction; a row that cannot be placed (an unknown account or owner) is rejected, named."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from revdesk.core.common.models import User
from revdesk.core.common.when import to_stored
from revdesk.core.importing.mapping import ImportMapping
from revdesk.core.importing.rows import Draft, RowProblem
from revdesk.core.playbook.model import Playbook

_ACCOUNT_FIELDS = ("domain", "industry", "employees", "country", "timezone")


@lru_cache(maxsize=65536)
def _key(name: str) -> str:
    """Names compared as people type them: accents, case, punctuation and spacing ignored."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def _column(mapping: ImportMapping, target: str) -> str:
    return mapping.columns.get(target, target)


def check_owner_map(conn: sqlite3.Connection, owner_map: dict[str, str]) -> None:
    """Every handle an owner map names must be a user."""
    from revdesk.core.common.errors import InvalidInput

    handles = {r[0] for r in conn.execute("SELECT handle FROM users")}
    unknown = sorted({h for h in owner_map.values() if h not in handles})
    if unknown:
        raise InvalidInput("owner-map", f"no user {', '.join(map(repr, unknown))} (see `revdesk users`)")


def contacts_by_email(conn: sqlite3.Connection) -> dict[str, int]:
    """Contact ids by address, case aside (people write "Ann.Lee@..." and "ann.lee@..." alike); where two
    addresses differ only by case, the older contact."""
    found: dict[str, int] = {}
    for address, contact_id in conn.execute("SELECT email, id FROM contacts WHERE email IS NOT NULL ORDER BY id"):
        found.setdefault(address.lower(), contact_id)
    return found


class ImportKeys:
    """Records of one type by the id they had where they came from, whichever import kept it (a Salesforce id also
    by its 15-character form)."""

    def __init__(self, conn: sqlite3.Connection, record_type: str, source: str | None = None) -> None:
        self.ids: dict[str, set[int]] = {}
        for key, record_id in conn.execute("SELECT key, record_id FROM import_keys WHERE record_type = ?"
                                           " AND (? IS NULL OR source = ?)", (record_type, source, source)):
            for form in _forms(str(key)):
                self.ids.setdefault(form, set()).add(record_id)

    def lookup(self, key: str) -> int | None:
        """The record's id; None when no record has the key, -1 when several different ones do (it tells nothing)."""
        found: set[int] = set()
        for form in _forms(key.strip()):
            found |= self.ids.get(form, set())
        if not found:
            return None
        return found.pop() if len(found) == 1 else -1


def account_key_source(mapping: ImportMapping) -> str:
    """Under which source an account's id in its CRM is kept: the vendor's name (its companies, contacts and deals
    files are read by different mappings and name the same ids), or a generic mapping's own name."""
    return mapping.vendor if mapping.vendor != "generic" else mapping.name


def account_keys(conn: sqlite3.Connection, mapping: ImportMapping) -> ImportKeys | None:
    """The accounts by their id in the file's CRM, for a mapping that reads `account_key` (None otherwise);
    a generic mapping's keys are looked up whichever import kept them."""
    if "account_key" not in mapping.columns and "account_key" not in mapping.defaults:
        return None
    return ImportKeys(conn, "account", mapping.vendor if mapping.vendor != "generic" else None)


def _forms(key: str) -> tuple[str, ...]:
    """The forms a key is known by: itself, and a Salesforce 18-character id also by its 15-character one."""
    if len(key) == 18 and key.isalnum():
        return (key, key[:15])
    return (key,)


class People:
    """Users by name and handle (and by the import's owner map); creates the ones an import names when it may."""

    def __init__(self, conn: sqlite3.Connection, now: datetime, owner_map: dict[str, str] | None = None) -> None:
        self.conn, self.now = conn, now
        rows = conn.execute("SELECT id, handle, name FROM users").fetchall()
        self.exact = {r["name"]: r["id"] for r in rows} | {r["handle"]: r["id"] for r in rows}
        self.by_key = {_key(r["name"]): r["id"] for r in rows} | {_key(r["handle"]): r["id"] for r in rows}
        ids = {r["handle"]: r["id"] for r in rows}
        for value, handle in (owner_map or {}).items():
            if handle in ids:
                self.by_key[_key(value)] = ids[handle]
        self.handles = {r["handle"] for r in rows}
        self.created: list[str] = []

    def find(self, name: str) -> int | None:
        """The user with this handle or name as written, else as people type it (case, accents aside)."""
        found = self.exact.get(name)
        # A name of punctuation alone has no key, and is nobody's by it.
        return found if found is not None else self.by_key.get(_key(name) or "\0")

    def create(self, name: str, role: str, team: str = "", timezone: str = "UTC", email: str | None = None,
               handle: str | None = None) -> int:
        handle = handle or self._handle(name)
        user_id = int(self.conn.execute(
            "INSERT INTO users (handle, name, role, team, timezone, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (handle, name, role, team, timezone, to_stored(self.now))).lastrowid or 0)
        self.by_key[_key(name)] = self.by_key[_key(handle)] = self.exact[name] = self.exact[handle] = user_id
        self.handles.add(handle)
        self.created.append(handle)
        return user_id

    def _handle(self, name: str) -> str:
        if "@" in name:  # an owner named by e-mail (HubSpot's owner columns): the address's local part
            name = name.partition("@")[0]
        base = ".".join(_key(name).split()) or "user"
        handle, n = base, 2
        while handle in self.handles:
            handle, n = f"{base}{n}", n + 1
        return handle

    def owner(self, draft: Draft, mapping: ImportMapping, owner_role: str | None,
              rejected: list[RowProblem]) -> tuple[bool, int | None]:
        """The draft's owner id (None: no owner given); False first when the row must be rejected."""
        name = draft.get("owner")
        if not name:
            return True, None
        found = self.find(str(name))
        if found is None and owner_role:
            found = self.create(str(name), owner_role)
        if found is None:
            reason = (f"no user named {name!r}: import the team first, map it to a user (--owner-map), or have new"
                      " people created with a role (--create-users-as)")
            rejected.append(RowProblem(draft.line, _column(mapping, "owner"), reason))
            return False, None
        return True, found


def write_users(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping,
                drafts: list[Draft], result, now: datetime, *, owner_role: str | None = None,  # noqa: ANN001
                progress: Callable[[int, int], None] | None = None, owner_map: dict[str, str] | None = None) -> None:
    people = People(conn, now)
    holders = {r[0]: r[1] for r in conn.execute("SELECT handle, name FROM users")}  # handle -> whose it is
    for done, draft in enumerate(drafts, start=1):
        name, team = str(draft.get("name")), str(draft.get("team") or "")
        role = str(draft.get("role") or "ae")
        if role not in ("sdr", "ae", "cs", "manager", "founder"):
            result.rejected.append(RowProblem(draft.line, _column(mapping, "role"),
                                              f"{role!r} is not a role (sdr, ae, cs, manager or founder)"))
            continue
        handle = str(draft.get("handle")) if draft.get("handle") else None
        holder = holders.get(handle) if handle else None
        if holder is not None and holder != name and _key(holder) != _key(name):  # someone else's: refused
            result.rejected.append(RowProblem(draft.line, _column(mapping, "handle"),
                                              f"{handle!r} is already the handle of {holder}: give {name} another"))
            continue
        manager = draft.get("manager")
        if manager and people.find(str(manager)) is None:
            people.create(str(manager), mapping.manager_role, team, str(draft.get("timezone") or "UTC"))
        # a handle says who it is (two people may share a name); without one, the name does
        found = people.exact.get(handle) if handle else people.find(name)
        if found is None:
            people.create(name, role, team, str(draft.get("timezone") or "UTC"), handle=handle)
            holders[handle or people.created[-1]] = name
            result.created += 1
        elif team:
            changed = conn.execute("UPDATE users SET team = ? WHERE id = ? AND team = ''", (team, found))
            result.updated += changed.rowcount
        if progress and done % 1000 == 0:
            progress(done, len(drafts))
    managers = len(people.created) - result.created
    if managers:
        result.notes.append(f"{managers} managers created with role {mapping.manager_role}")


@lru_cache(maxsize=65536)
def _company(name: str) -> str:
    """A company name as dedupe compares it: legal forms, accents, case and punctuation aside."""
    from revdesk.core.accounts.dedupe import normalise_name

    return normalise_name(name) or _key(name)


class Accounts:
    """Accounts by normalised domain and by normalised name (core.accounts.dedupe's rules)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        # A merged account's name and domain lead to the account it was merged into.
        rows = conn.execute("SELECT COALESCE(merged_into, id) AS id, name, domain FROM accounts"
                            " ORDER BY merged_into IS NOT NULL, id").fetchall()
        self.by_domain = {r["domain"]: r["id"] for r in rows if r["domain"]}
        self.by_name: dict[str, tuple[int, str | None]] = {}
        self.exact: dict[str, tuple[int, str | None]] = {}
        for r in rows:
            self.exact.setdefault(r["name"], (r["id"], r["domain"]))
            if company := _company(r["name"]):
                self.by_name.setdefault(company, (r["id"], r["domain"]))

    def find(self, name: str | None, domain: str | None) -> int | None:
        """The same domain is the same account; else the same name (as written, else as dedupe compares names),
        unless both have domains that differ (Acme at acme.com is not Acme at acme.de)."""
        if domain and domain in self.by_domain:
            return self.by_domain[domain]
        found = (self.exact.get(name) or self.by_name.get(_company(name) or "\0")) if name else None
        if found is None or (domain and found[1] and found[1] != domain):
            return None
        return found[0]

    def add(self, account_id: int, name: str, domain: str | None) -> None:
        self.exact.setdefault(name, (account_id, domain))
        if company := _company(name):
            self.by_name.setdefault(company, (account_id, domain))
        if domain:
            self.by_domain.setdefault(domain, account_id)


def write_accounts(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping,
                   drafts: list[Draft], result, now: datetime, *, owner_role: str | None = None,  # noqa: ANN001
                   progress: Callable[[int, int], None] | None = None, owner_map: dict[str, str] | None = None) -> None:
    people, accounts = People(conn, now, owner_map), Accounts(conn)
    source = account_key_source(mapping)
    keys = ImportKeys(conn, "account", source)
    result.candidates = review_candidates(conn, drafts)
    for draft in drafts:
        placed, owner = people.owner(draft, mapping, owner_role, result.rejected)
        if not placed:
            continue
        name = str(draft.get("name") or draft.get("domain"))
        domain, key = draft.get("domain"), draft.get("external_id")
        known = keys.lookup(str(key)) if key is not None else None  # imported before, by its id there
        found = known if known and known > 0 else accounts.find(name, domain)  # type: ignore[arg-type]
        values = {f: draft.get(f) for f in _ACCOUNT_FIELDS}
        if found is None:
            created = draft.get("created_at")
            account_id = int(conn.execute(
                "INSERT INTO accounts (name, domain, industry, employees, country, timezone, owner_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (name, *values.values(), owner, to_stored(created if isinstance(created, datetime) else now)),
            ).lastrowid or 0)
            accounts.add(account_id, name, domain)  # type: ignore[arg-type]
            result.created += 1
            found = account_id
        else:  # fill what the account lacks; never overwrite what it has
            current = conn.execute(f"SELECT {', '.join(_ACCOUNT_FIELDS)}, owner_id FROM accounts WHERE id = ?",
                                   (found,)).fetchone()
            fills = {f: v for f, v in (*values.items(), ("owner_id", owner)) if v is not None and current[f] is None}
            if fills:
                conn.execute(f"UPDATE accounts SET {', '.join(f'{f} = ?' for f in fills)} WHERE id = ?",
                             (*fills.values(), found))
                result.updated += 1
            else:
                result.unchanged += 1
        if key is not None and known is None:  # contacts and deals of the same CRM find it by this id
            conn.execute("INSERT OR IGNORE INTO import_keys (record_type, source, key, record_id)"
                         " VALUES ('account', ?, ?, ?)", (source, str(key), found))
            keys.ids.setdefault(str(key), set()).add(found)
    if people.created:
        result.notes.append(f"owners created with role {owner_role}: {', '.join(people.created)}")


def review_candidates(conn: sqlite3.Connection, drafts: list[Draft]) -> list[dict[str, object]]:
    """Accounts of the file that look like another (in the file or already here) without the same domain or name:
    imported as they are, and listed for a person to review (core.accounts.dedupe: fuzzy names, never merged alone)."""
    from revdesk.core.accounts.dedupe import AccountKey, match_accounts

    rows = conn.execute("SELECT id, name, domain FROM accounts WHERE merged_into IS NULL").fetchall()
    existing = [AccountKey(f"id:{r[0]}", r[1], r[2] or "") for r in rows]
    incoming = [AccountKey(f"line:{d.line}", str(d.get("name") or ""), str(d.get("domain") or "")) for d in drafts
                if d.get("name")]
    found = match_accounts(incoming, existing)
    return [{"line": int(str(c.incoming).split(":")[1]), "name": c.incoming_name, "looks_like": c.other_name,
             "existing_account": int(str(c.other).split(":")[1]) if c.other_is_existing else None,
             "score": round(c.score, 1)} for c in found.candidates]


def write_deals(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping,
                drafts: list[Draft], result, now: datetime, *, owner_role: str | None = None,  # noqa: ANN001
                progress: Callable[[int, int], None] | None = None, owner_map: dict[str, str] | None = None) -> None:
    from revdesk.db.importing.deals import row_problem, write_deal

    people, accounts = People(conn, now, owner_map), Accounts(conn)
    by_key = account_keys(conn, mapping)
    known = {r[0]: r[1] for r in conn.execute(
        "SELECT key, record_id FROM import_keys WHERE record_type = 'deal' AND source = ?", (mapping.name,))}
    kept = 0
    for done, draft in enumerate(drafts, start=1):
        if problem := row_problem(playbook, mapping, draft):  # a status at odds with the stage, or no stage
            result.rejected.append(problem)
            continue
        key = draft.get("account_key")
        account = by_key.lookup(str(key)) if by_key and key is not None else None
        if account is None or account < 0:  # by domain (revdesk's exports have it), then name
            account = accounts.find(draft.get("account"), draft.get("account_domain"))  # type: ignore[arg-type]
        if account is None:
            name = draft.get("account")
            if name:
                column, reason = _column(mapping, "account"), f"no account named {name!r}: import the accounts first"
            elif key is not None:
                column, reason = _column(mapping, "account_key"), (f"no account has the id {key!r} there: import"
                                                                   " the accounts (companies) first")
            else:
                column, reason = _column(mapping, "account"), "no account: a deal belongs to an account"
            result.rejected.append(RowProblem(draft.line, column, reason))
            continue
        placed, owner = people.owner(draft, mapping, owner_role, result.rejected)
        if not placed:
            continue
        outcome = write_deal(conn, playbook, user, mapping, draft, account, owner, known, now)
        result.created += outcome == "created"
        result.updated += outcome in ("updated", "kept")
        kept += outcome == "kept"
        if progress and done % 500 == 0:
            progress(done, len(drafts))
    if kept:
        result.notes.append(f"{kept} deals moved in revdesk since they were imported kept their stage")
    if people.created:
        result.notes.append(f"owners created with role {owner_role}: {', '.join(people.created)}")
