"""Writing imported activities (see db.importing.importer): a CRM's history of calls, e-mails, meetings and notes,
and its
planned activities as open tasks. Each row is placed on its contact (by e-mail, by the id an earlier import gave
it, or by name within its account), account and deal (by the id a deals import stored, else by name), and its
owner. Done rows are written as logging writes them, with the derived data kept right (the lead status as of
then, the per-day counts, first and last touch) but none of logging's side effects that make no sense for
history: no follow-up tasks, revivals, sequence steps or status moves. Planned rows become follow-up tasks.

Re-importing a file writes nothing twice: the ids a file gave its activities and tasks are kept in import_keys,
and rows without an id are skipped when an identical activity (user, contact, kind, time, note) or task is
already here."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.calls.activities import ACTIVITY_KINDS, OTHER_OUTCOMES, TOUCH_KINDS
from revdesk.core.common.models import User
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.importing.mapping import ImportMapping
from revdesk.core.importing.relative_dates import RelativeDay
from revdesk.core.importing.rows import Draft, RowProblem
from revdesk.core.playbook.model import Playbook
from revdesk.db.calls.activity_days import count_activity
from revdesk.db.importing.writers import Accounts, ImportKeys, People, _column, _key, contacts_by_email

DONE = {"true", "yes", "y", "1", "done", "completed", "x"}
PLANNED = {"false", "no", "n", "0", "not done", "planned", "open", "to do", "todo"}
_SLACK = timedelta(minutes=5)  # as logging: a clock a little ahead is not the future


class Places:
    """Contacts, accounts and deals a row names, looked up once each."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.accounts = conn, Accounts(conn)
        self._emails: dict[str, int] | None = None
        self.contact_keys, self.deal_keys = ImportKeys(conn, "contact"), ImportKeys(conn, "deal")
        self.contacts: dict[int, sqlite3.Row] = {}
        self._names: dict[str, list[tuple[int, int | None]]] | None = None
        self._history: dict[int, list[tuple[str, str | None, str]]] = {}

    def contact(self, contact_id: int) -> sqlite3.Row:
        if contact_id not in self.contacts:
            self.contacts[contact_id] = self.conn.execute(
                "SELECT id, account_id, lead_status FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        return self.contacts[contact_id]

    def by_email(self, email: str) -> int | None:
        """The contact with this address, case aside."""
        if self._emails is None:
            self._emails = contacts_by_email(self.conn)
        return self._emails.get(email.lower())

    def by_name(self, name: str, account: int | None) -> list[int]:
        """Contacts of that name (accents, case and spacing aside), within the account when it is known."""
        if self._names is None:
            self._names = defaultdict(list)
            for r in self.conn.execute("SELECT id, account_id, first_name, last_name FROM contacts"):
                self._names[_key(f"{r[2] or ''} {r[3] or ''}")].append((r[0], r[1]))
        found = self._names.get(_key(name), [])
        return [i for i, a in found if account is None or a == account]

    def deal(self, ref: str, account: int | None) -> tuple[int, int] | None:
        """(deal, its account) by the id a deals import stored, else by name (within the account when known)."""
        if (by_key := self.deal_keys.lookup(ref)) not in (None, -1):
            row = self.conn.execute("SELECT id, account_id FROM deals WHERE id = ?", (by_key,)).fetchone()
            if row and (account is None or row[1] == account):  # another company's deal is not this one
                return row[0], row[1]
        rows = [tuple(r) for r in self.conn.execute(
            "SELECT id, account_id FROM deals WHERE name = ? COLLATE NOCASE", (ref,))
                if account is None or r[1] == account]
        return rows[0] if len(rows) == 1 else None  # type: ignore[return-value]

    def status_at(self, contact_id: int, stamp: str) -> str:
        """The contact's lead status at `stamp`, from its status history; else the one it has now."""
        if contact_id not in self._history:
            self._history[contact_id] = [tuple(r) for r in self.conn.execute(  # type: ignore[misc]
                "SELECT changed_at, from_value, to_value FROM status_history WHERE contact_id = ?"
                " AND axis = 'lead_status' ORDER BY changed_at, id", (contact_id,))]
        moves = self._history[contact_id]
        before = [to for at, _, to in moves if at <= stamp]
        if before:
            return before[-1]
        if moves and moves[0][1]:
            return moves[0][1]  # what it was moved from, the first time after
        return str(self.contact(contact_id)["lead_status"])


def write_activities(conn: sqlite3.Connection, playbook: Playbook, user: User | None, mapping: ImportMapping,
                     drafts: list[Draft], result, now: datetime, *, owner_role: str | None = None,  # noqa: ANN001
                     progress: Callable[[int, int], None] | None = None,
                     owner_map: dict[str, str] | None = None) -> None:
    people, places = People(conn, now, owner_map), Places(conn)
    known = _known_keys(conn, mapping.name)
    outcomes = {o.key for o in playbook.outcomes}
    new_keys: dict[str, dict[str, int]] = {"activities": {}, "tasks": {}}
    counted: list[tuple[int, str, str, str | None, str | None]] = []
    first: dict[int, str] = {}
    last: dict[int, str] = {}
    accounts_last: dict[int, str] = {}
    stamp_now, unchanged, planned, completed = to_stored(now), 0, 0, 0
    zones: dict[int, ZoneInfo] = {}
    for done_rows, draft in enumerate(drafts, start=1):
        if progress and done_rows % 1000 == 0:
            progress(done_rows, len(drafts))
        key = str(draft.get("external_id") or "") or None
        problem = _kind_and_state(draft, mapping)
        if isinstance(problem, RowProblem):
            result.rejected.append(problem)
            continue
        kind, done = problem
        if key is not None and (key in new_keys["activities"] or key in new_keys["tasks"]):
            unchanged += 1  # twice in the file
            continue
        before = known.get(key) if key is not None else None
        if before is not None and (before[0] == "activity" or not done):
            unchanged += 1  # imported before: activities are not edited afterwards, nor tasks still to do
            continue
        occurred = _moment(draft.get("occurred_at"), now, done)
        if occurred is None:
            result.rejected.append(RowProblem(draft.line, _column(mapping, "occurred_at"),
                                              "no date: when it happened (or is due) is needed"))
            continue
        if done and occurred > now + _SLACK:
            result.rejected.append(RowProblem(draft.line, _column(mapping, "occurred_at"),
                                              f"{to_stored(occurred)} is in the future: log what happened, schedule"
                                              " what will (a planned activity is one not done)"))
            continue
        outcome = _outcome(draft, mapping, kind, outcomes) if done else None
        if isinstance(outcome, RowProblem):
            result.rejected.append(outcome)
            continue
        placed = _place(draft, mapping, places)
        if isinstance(placed, RowProblem):
            result.rejected.append(placed)
            continue
        contact, account, deal = placed
        fits, owner = people.owner(draft, mapping, owner_role, result.rejected)
        if not fits:
            continue
        if owner is None:
            result.rejected.append(RowProblem(draft.line, _column(mapping, "owner"),
                                              "no owner: an activity is someone's; map the owner column, give a"
                                              " default owner in the mapping, or an --owner-map"))
            continue
        if isinstance(draft.get("time"), time):  # the time of day in its own column, as the owner saw it
            occurred = datetime.combine(occurred.date(), draft.get("time"), _zone(conn, owner, zones)).astimezone(UTC)
            if done and occurred > now + _SLACK:
                result.rejected.append(RowProblem(draft.line, _column(mapping, "time"),
                                                  f"{to_stored(occurred)} is in the future: log what happened"))
                continue
        stamp, note = to_stored(occurred), _note(draft, kind, done)
        if not done:
            if key is None and _same_task(conn, owner, contact, stamp, note):
                unchanged += 1
                continue
            task = int(conn.execute(
                "INSERT INTO tasks (user_id, kind, contact_id, account_id, deal_id, due_at, note, created_at)"
                " VALUES (?, 'follow_up', ?, ?, ?, ?, ?, ?)",
                (owner, contact, account, deal, stamp, note, stamp_now)).lastrowid or 0)
            planned += 1
            if key is not None:
                new_keys["tasks"][key] = task
            continue
        if key is None and _same_activity(conn, owner, contact, kind, stamp, note):
            unchanged += 1
            continue
        if before is not None:  # planned when imported before, done since: its task is done by this activity
            conn.execute("UPDATE tasks SET status = 'done', closed_at = ? WHERE id = ? AND status IN ('open',"
                         " 'snoozed')", (stamp, before[1]))
            completed += 1
        status = places.status_at(contact, stamp) if contact is not None else None
        activity = int(conn.execute(
            "INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, deal_id, occurred_at, note,"
            " created_at, lead_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, outcome, owner, contact, account, deal, stamp, note, stamp_now, status)).lastrowid or 0)
        counted.append((owner, stamp, kind, outcome, status))
        if kind in TOUCH_KINDS:
            if contact is not None:
                first[contact] = min(first.get(contact, stamp), stamp)
                last[contact] = max(last.get(contact, stamp), stamp)
            if account is not None:
                accounts_last[account] = max(accounts_last.get(account, stamp), stamp)
        if key is not None:
            new_keys["activities"][key] = activity
    _count_days(conn, counted)
    _touch(conn, first, last, accounts_last)
    if first:  # their engagement changed: their scores (and an MQL they now reach), as logging does
        from revdesk.db.calls.scoring import rescore

        rescore(conn, playbook, now, list(first), user.id if user else None)
    conn.executemany("INSERT INTO import_keys (record_type, source, key, record_id) VALUES (?, ?, ?, ?)",
                     [(kind, mapping.name, key, record) for kind, table in (("activity", new_keys["activities"]),
                                                                           ("task", new_keys["tasks"]))
                      for key, record in table.items()])
    result.created += len(counted) + planned
    result.updated += completed
    result.unchanged += unchanged
    if planned:
        result.notes.append(f"{planned} planned activities (not done) became open follow-up tasks")
    if completed:
        result.notes.append(f"{completed} activities planned when imported before are done now: their tasks closed")
    if unchanged:
        result.notes.append(f"{unchanged} activities were here already and were left as they were")
    if people.created:
        result.notes.append(f"owners created with role {owner_role}: {', '.join(people.created)}")


def _zone(conn: sqlite3.Connection, user_id: int, zones: dict[int, ZoneInfo]) -> ZoneInfo:
    """A user's timezone, looked up once."""
    if user_id not in zones:
        row = conn.execute("SELECT timezone FROM users WHERE id = ?", (user_id,)).fetchone()
        try:
            zones[user_id] = ZoneInfo(row[0] if row and row[0] else "UTC")
        except (ValueError, KeyError):
            zones[user_id] = ZoneInfo("UTC")
    return zones[user_id]


def _known_keys(conn: sqlite3.Connection, source: str) -> dict[str, tuple[str, int]]:
    """The ids earlier imports from this source gave their activities and tasks: (record type, id), the activity
    where a planned one was later done."""
    known: dict[str, tuple[str, int]] = {}
    for kind, key, record in conn.execute("SELECT record_type, key, record_id FROM import_keys WHERE source = ?"
                                          " AND record_type IN ('activity', 'task') ORDER BY record_type = 'task'",
                                          (source,)):
        known.setdefault(key, (kind, record))
    return known


def _kind_and_state(draft: Draft, mapping: ImportMapping) -> tuple[str, bool] | RowProblem:
    """The row's activity kind and whether it was done (a row not done is planned)."""
    kind = str(draft.get("kind") or "").strip().lower()
    if kind not in ACTIVITY_KINDS:
        what = f"{draft.get('kind')!r} is not an activity kind" if kind else "no kind"
        return RowProblem(draft.line, _column(mapping, "kind"),
                          f"{what} ({', '.join(ACTIVITY_KINDS)}); map it under [values.kind]")
    state = str(draft.get("done") or "true").strip().lower()
    if state not in DONE | PLANNED:
        return RowProblem(draft.line, _column(mapping, "done"),
                          f"{draft.get('done')!r} is neither done nor planned; map it under [values.done] to true"
                          " or false")
    return kind, state in DONE


def _moment(value: object, now: datetime, done: bool) -> datetime | None:
    """When the row happened (or is due). An offset ("+3d") is read from today; a done activity dated today
    without a time of day is not in the future: it happened by now."""
    moment = value.resolve(now) if isinstance(value, RelativeDay) else value
    if not isinstance(moment, datetime):
        return None
    if done and moment > now and moment.timetz() == time(12, tzinfo=UTC) and moment.date() == now.astimezone(
            UTC).date():
        return now
    return moment


def _outcome(draft: Draft, mapping: ImportMapping, kind: str, outcomes: set[str]) -> str | None | RowProblem:
    """A done row's outcome: a call's must be one of the playbook's; the others' one of theirs, or none. The
    mapping's default outcome is meant for calls: another kind it does not fit gets none."""
    written = draft.get("outcome")
    text = "_".join(str(written).lower().split()) if written else None
    column = _column(mapping, "outcome")
    if kind == "call":
        if text is None:
            return RowProblem(draft.line, column, "a call needs an outcome and this row has none: map the file's"
                                                  " outcomes under [values.outcome], or give [defaults] outcome")
        if text not in outcomes:
            return RowProblem(draft.line, column, f"{written!r} is not a call outcome of the playbook"
                                                  f" ({', '.join(sorted(outcomes))}); map it under [values.outcome]")
        return text
    if text is None or text in OTHER_OUTCOMES[kind]:
        return text
    if written == mapping.defaults.get("outcome"):
        return None
    allowed = ", ".join(OTHER_OUTCOMES[kind]) or "none"
    return RowProblem(draft.line, column, f"{written!r} is not an outcome of {kind!r} (allowed: {allowed})")


def _place(draft: Draft, mapping: ImportMapping,
           places: Places) -> tuple[int | None, int | None, int | None] | RowProblem:
    """(contact, account, deal) of a row; a problem when something it names is not here."""
    line = draft.line
    account = None
    if draft.get("account"):
        account = places.accounts.find(str(draft.get("account")), None)
        if account is None:
            return RowProblem(line, _column(mapping, "account"),
                              f"no account named {draft.get('account')!r}: import the accounts first")
    contact = None
    email = draft.get("contact_email")
    if email:
        contact = places.by_email(str(email))
        if contact is None:
            return RowProblem(line, _column(mapping, "contact_email"),
                              f"no contact with the e-mail {email!r}: import the contacts first")
    elif draft.get("contact"):
        found = _contact_named(str(draft.get("contact")), account, places)
        if not isinstance(found, int):
            return RowProblem(line, _column(mapping, "contact"), found)
        contact = found
    if contact is not None:
        account = places.contact(contact)["account_id"] or account  # an activity is at its contact's account
    deal = None
    if draft.get("deal"):
        found_deal = places.deal(str(draft.get("deal")), account)
        if found_deal is None:
            return RowProblem(line, _column(mapping, "deal"),
                              f"no deal {draft.get('deal')!r}: import the deals first (their ids are kept)")
        deal, account = found_deal[0], account or found_deal[1]
    if contact is None and account is None:
        return RowProblem(line, _column(mapping, "contact_email" if "contact_email" in mapping.columns else "contact"),
                          "nobody in this row: no contact, account or deal to put the activity on")
    return contact, account, deal


def _contact_named(text: str, account: int | None, places: Places) -> int | str:
    """The contact a row names: by the id an import gave it, by an e-mail written with the name ("Ada Byron
    (ada@example.org)"), or by name within the account; else why not."""
    if (by_key := places.contact_keys.lookup(text)) not in (None, -1):
        return by_key
    if "@" in text:
        inner = text.rsplit("(", 1)[-1].rsplit("<", 1)[-1].strip(" )>")
        found = places.by_email(inner)
        if found is not None:
            return found
        text = text.split("(")[0].split("<")[0].strip()
    ids = places.by_name(text, account)
    if len(ids) == 1:
        return ids[0]
    if ids:
        return f"{len(ids)} contacts are named {text!r}: give their account or e-mail"
    where = " at that account" if account is not None else ""
    return f"no contact named {text!r}{where}: import the contacts first"


def _note(draft: Draft, kind: str, done: bool) -> str | None:
    """The subject and the note as one text (a planned row's says what to do: "Call: ...")."""
    parts = [str(p).strip() for p in (draft.get("subject"), draft.get("note")) if p and str(p).strip()]
    text = "\n\n".join(dict.fromkeys(parts)) or None
    if done:
        return text
    return f"{kind.capitalize()}: {text}" if text else kind.capitalize()


def _same_activity(conn: sqlite3.Connection, user: int, contact: int | None, kind: str, stamp: str,
                   note: str | None) -> bool:
    return conn.execute("SELECT 1 FROM activities WHERE user_id = ? AND occurred_at = ? AND kind = ?"
                        " AND contact_id IS ? AND note IS ? AND undone_at IS NULL LIMIT 1",
                        (user, stamp, kind, contact, note)).fetchone() is not None


def _same_task(conn: sqlite3.Connection, user: int, contact: int | None, stamp: str, note: str | None) -> bool:
    return conn.execute("SELECT 1 FROM tasks WHERE user_id = ? AND due_at = ? AND contact_id IS ? AND note IS ?"
                        " LIMIT 1", (user, stamp, contact, note)).fetchone() is not None


def _count_days(conn: sqlite3.Connection, counted: list[tuple[int, str, str, str | None, str | None]]) -> None:
    """Count the new activities per person and local day as logging does (db.calls.activity_days.count_activity),
    once per day, kind, outcome and status with the number of them."""
    if not counted:
        return
    zones = {r[0]: r[1] for r in conn.execute("SELECT id, timezone FROM users")}
    groups: dict[tuple, list] = {}
    for user_id, stamp, kind, outcome, status in counted:
        day = from_stored(stamp).astimezone(ZoneInfo(zones[user_id])).date()
        group = groups.setdefault((user_id, day, kind, outcome or "", status or ""), [stamp, 0])
        group[1] += 1
    for (user_id, _, kind, outcome, status), (stamp, n) in groups.items():
        count_activity(conn, user_id, zones[user_id], stamp, kind, outcome, status, delta=n)


def _touch(conn: sqlite3.Connection, first: dict[int, str], last: dict[int, str],
           accounts_last: dict[int, str]) -> None:
    """First and last touch as logging keeps them: never later first, never earlier last."""
    conn.executemany("UPDATE contacts SET first_touch_at = CASE WHEN first_touch_at IS NULL OR first_touch_at > ?"
                     " THEN ? ELSE first_touch_at END, last_touch_at = MAX(COALESCE(last_touch_at, ''), ?)"
                     " WHERE id = ?", [(first[c], first[c], last[c], c) for c in last])
    conn.executemany("UPDATE accounts SET last_touch_at = MAX(COALESCE(last_touch_at, ''), ?) WHERE id = ?",
                     [(at, a) for a, at in accounts_last.items()])
