"""Shared data and helpers for the service tests in tests/db: the handoff contexts, table snapshots, rows as
dicts, a workbench at a given moment, and a way to catch every problem of a refusal.

Factory facts (tests/factories.py, default playbook): contact 1 Jonas Weber (account 1) scores
15 (Logistics) + 15 (420 employees) + 10 (DE) + 20 (Head of ...) = 60; a 'connected' call adds the
Conversation rule's 10 → 70, the SQL threshold. Contact 2 Lea Fischer is account 1's approver; contacts 3 and
4 are at account 2. maya and ines are SDRs, tom is the AE.
"""

from __future__ import annotations

import pytest

from revdesk.core.common.errors import InvalidFields
from revdesk.core.common.when import to_stored
from revdesk.db.workbench import Workbench
from tests.factories import NOW

STAMP = to_stored(NOW)
CONTEXT = {
    "pain": "Dispatch is planned by hand in spreadsheets",
    "impact": "Late deliveries cost them 3% of revenue",
    "trigger": "A competitor's failed rollout in Q3",
    "approver": "2",
    "budget": "80k EUR approved for the first quarter",
    "next_step": "Demo with Lea on 1 December at 10:00",
}
FIELDS = ["pain", "impact", "trigger", "approver", "budget", "next_step"]
TEXT_FIELDS = ["pain", "impact", "trigger", "budget", "next_step"]
CS_CONTEXT = {
    "success_criteria": "Dispatch planned in under an hour a day",
    "stakeholders": "Jonas Weber (ops), Lea Fischer (finance)",
    "promises": "Two onboarding workshops in January",
    "go_live": "2027-02-01",
    "risks": "IT team is busy with an ERP migration",
}
WATCHED = ("handoffs", "changes", "status_history", "tasks", "contacts", "deals", "owner_history", "stage_history",
           "accounts")


def snapshot(conn) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in WATCHED}


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in WATCHED}


def row(conn, sql: str, *args) -> dict:
    found = conn.execute(sql, args).fetchone()
    return dict(found) if found is not None else {}


def rows(conn, sql: str, *args) -> list[dict]:
    return [dict(r) for r in conn.execute(sql, args)]


def bench(store, handle: str, moment=NOW) -> Workbench:
    return Workbench.open(store, handle, lambda: moment)


def add_user(conn, user_id: int, handle: str, name: str, role: str) -> None:
    conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at) VALUES (?, ?, ?, ?, 'North',"
                 " 'Europe/Berlin', ?)", (user_id, handle, name, role, STAMP))


def refused(send, *args, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(InvalidFields) as caught:
        send(*args, **kwargs)
    return caught.value.problems
