"""Rows for the leak-report tests, written straight into a test database (tests/factories.make_store): handoffs,
deals with their stage and owner histories, lifecycle changes, and `seed_leaks`, one small dataset where every
figure of the report has a hand-counted answer (see its docstring)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from revdesk.core.common.when import to_stored
from revdesk.db.common.connection import Store, transaction
from tests.db.helpers import CONTEXT
from tests.dormant_factories import add_customer
from tests.factories import NOW

DAY = timedelta(days=1)
Q3 = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 1 July 2026, 00:00 in Berlin: the quarter before NOW's


def add_user(store: Store, user_id: int, handle: str, name: str, role: str) -> None:
    with transaction(store.conn):
        store.conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                           " VALUES (?, ?, ?, ?, 'North', 'Europe/Berlin', ?)", (user_id, handle, name, role,
                                                                                   to_stored(NOW)))


def add_handoff(store: Store, contact_id: int, account_id: int, status: str, *, created: datetime,
                context: dict | None = None, due: datetime | None = None, decided: datetime | None = None,
                reason: str | None = None, to_user: int = 2, kind: str = "sdr_ae") -> int:
    with transaction(store.conn):
        return int(store.conn.execute(
            "INSERT INTO handoffs (kind, from_user_id, to_user_id, contact_id, account_id, context, status,"
            " reject_reason, reject_note, created_at, sla_due_at, decided_at)"
            " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, to_user, contact_id, account_id, json.dumps(context or CONTEXT), status, reason,
             "Explained at length to the SDR" if reason else None, to_stored(created),
             to_stored(due) if due else None, to_stored(decided) if decided else None),
        ).lastrowid or 0)


def add_deal(store: Store, name: str, account_id: int, *, stages: list[tuple[str, datetime]], owner: int | None = 2,
             amount: float = 10_000.0, context: dict | None = None, handoff: bool = True,
             owners: list[tuple[datetime, int | None, int | None]] = (), closed: bool = False) -> int:
    """A deal that went through `stages` ((stage, entered at), in order; the last is where it is now), owned by
    `owner` now after the `owners` changes ((at, from, to)). With `handoff`, an accepted SDR→AE handoff with
    `context` (default: complete, the approver a contact at the account) created it."""
    handoff_id = None
    if handoff:  # the factory's account 1 has Jonas (1) and his approver Lea (2); account 2 has Dana (3)
        lead, approver = {1: (1, "2"), 2: (3, "3")}[account_id]
        handoff_id = add_handoff(store, lead, account_id, "accepted", created=stages[0][1] - DAY,
                                 context=context or {**CONTEXT, "approver": approver}, due=stages[0][1],
                                 decided=stages[0][1])
    stage, entered = stages[-1]
    closed_at = to_stored(entered) if closed else None
    won = (1 if stage == "closed_won" else 0) if closed else None
    with transaction(store.conn):
        conn = store.conn
        deal = int(conn.execute(
            "INSERT INTO deals (account_id, name, amount, currency, stage, owner_id, closed_at, won, handoff_id,"
            " created_at, stage_entered_at) VALUES (?, ?, ?, 'EUR', ?, ?, ?, ?, ?, ?, ?)",
            (account_id, name, amount, stage, owner, closed_at, won, handoff_id, to_stored(stages[0][1]),
             to_stored(entered)),
        ).lastrowid or 0)
        previous = None
        for key, at in stages:
            conn.execute("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at)"
                         " VALUES (?, ?, ?, 2, ?)", (deal, previous, key, to_stored(at)))
            previous = key
        for at, before, after in owners:
            conn.execute("INSERT INTO owner_history (record_type, record_id, from_user_id, to_user_id, changed_by,"
                         " changed_at) VALUES ('deal', ?, ?, ?, 2, ?)", (deal, before, after, to_stored(at)))
    return deal


def set_lifecycle(store: Store, contact_id: int, before: str, after: str, by: int, at: datetime) -> None:
    with transaction(store.conn):
        store.conn.execute("UPDATE contacts SET lifecycle_stage = ? WHERE id = ?", (after, contact_id))
        store.conn.execute("INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_by,"
                           " changed_at, reason) VALUES (?, 'lifecycle', ?, ?, ?, ?, 'test')",
                           (contact_id, before, after, by, to_stored(at)))


def seed_leaks(store: Store, now: datetime = NOW) -> dict[str, int]:
    """Every figure's hand-counted answer, with the report for NOW's quarter (Q4 2026, Berlin):

    - alignment: Jonas (1) disqualified by Tom (AE) on 10 Nov; Karl (5) by Maya (SDR): not counted. Handoffs
      rejected by Tom: two 'bad_fit' and one 'no_budget' in Q4; one 'bad_fit' in September (not counted).
    - continuity: 'Pilot' (5,000) has 'tbd' as its pain; 'Renewal' (2,000) has no handoff; 'Rollout' is complete.
    - accountability: 'Stuck' entered Discovery on 20 July under Ana (4) and went stale on 3 August; Tom has held
      it since 1 September: credited to Ana. 'Moved' left Discovery in time; 'Late' went stale in October.
      Dana's (3) pending handoff is a day past SLA; Sam's (4) is not due yet; one handoff was accepted 5 h late.
    - dormant: 'Old' (30,000, unowned, 600 days quiet), 'Year' (12,000, Tom, 400 days), 'Recent' (100 days).
    - limbo: Lea (2) touched yesterday; Dana (3) an MQL for 40 min; Sam (4) for 5 min; Nina (6) touched as a lead,
      an MQL for 5 days since.
    """
    add_user(store, 4, "ana", "Ana Lima", "ae")
    add_user(store, 5, "alex", "Alex Stein", "founder")
    ids: dict[str, int] = {}
    set_lifecycle(store, 1, "sql", "disqualified", 2, datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    set_lifecycle(store, 5, "mql", "disqualified", 1, datetime(2026, 11, 11, 9, 0, tzinfo=UTC))
    for reason, day in (("bad_fit", 5), ("bad_fit", 12), ("no_budget", 20)):
        decided = datetime(2026, 11, day, 10, 0, tzinfo=UTC)
        ids[f"rejected_{reason}_{day}"] = add_handoff(store, 1, 1, "rejected", created=decided - DAY,
                                                      due=decided + DAY, decided=decided, reason=reason)
    add_handoff(store, 1, 1, "rejected", created=datetime(2026, 9, 1, tzinfo=UTC), decided=datetime(
        2026, 9, 2, tzinfo=UTC), due=datetime(2026, 9, 3, tzinfo=UTC), reason="bad_fit")
    ids["pilot"] = add_deal(store, "Pilot", 1, stages=[("demo", now - 5 * DAY)], amount=5_000,
                            context={**CONTEXT, "pain": "tbd"})
    ids["renewal"] = add_deal(store, "Renewal", 2, stages=[("proposal", now - 3 * DAY)], amount=2_000, handoff=False)
    ids["rollout"] = add_deal(store, "Rollout", 1, stages=[("discovery", now - 2 * DAY)], amount=7_000)
    ids["stuck"] = add_deal(store, "Stuck", 2, stages=[("discovery", Q3 + 19 * DAY)], amount=40_000,
                            owners=[(Q3 + 19 * DAY, None, 4), (Q3 + 62 * DAY, 4, 2)])
    ids["moved"] = add_deal(store, "Moved", 2, amount=3_000, closed=True, stages=[
        ("discovery", Q3 + 2 * DAY), ("demo", Q3 + 10 * DAY), ("closed_won", Q3 + 20 * DAY)])
    ids["late"] = add_deal(store, "Late", 1, stages=[("discovery", Q3 + 86 * DAY)], amount=1_000)
    ids["pending_late"] = add_handoff(store, 3, 2, "pending", created=now - 2 * DAY, due=now - DAY)
    ids["pending_in_time"] = add_handoff(store, 4, 2, "pending", created=now - timedelta(hours=1),
                                         due=now + timedelta(hours=3))
    decided = datetime(2026, 11, 5, 15, 0, tzinfo=UTC)
    ids["accepted_late"] = add_handoff(store, 2, 1, "accepted", created=decided - 2 * DAY,
                                       due=decided - timedelta(hours=5), decided=decided)
    ids["old"] = add_customer(store, "Old", owner_id=None, revenue=30_000, quiet_days=600, now=now)
    ids["year"] = add_customer(store, "Year", owner_id=2, revenue=12_000, quiet_days=400, now=now)
    ids["recent"] = add_customer(store, "Recent", owner_id=2, revenue=9_000, quiet_days=100, now=now)
    with transaction(store.conn):
        conn = store.conn
        conn.execute("UPDATE contacts SET first_touch_at = ?, last_touch_at = ? WHERE id = 2",
                     (to_stored(now - 20 * DAY), to_stored(now - DAY)))
        ids["nina"] = int(conn.execute(
            "INSERT INTO contacts (account_id, first_name, last_name, email, lifecycle_stage, owner_id, created_at,"
            " first_touch_at, last_touch_at) VALUES (1, 'Nina', 'Roth', 'nina@nordwind.de', 'lead', 1, ?, ?, ?)",
            (to_stored(now - 30 * DAY), to_stored(now - 10 * DAY), to_stored(now - 10 * DAY))).lastrowid or 0)
    set_lifecycle(store, ids["nina"], "lead", "mql", 1, now - 5 * DAY)
    return ids
